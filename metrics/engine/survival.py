"""执行周期, censoring-aware: the Kaplan–Meier estimate of time to closure for a phase's filing cohort.

The mean and median of closed cases (cycle_days_mean / cycle_days_median) only see the cases that have closed,
so a phase whose slow cases are still open looks faster than it is. Here every case of the cohort counts:

- cohort: the cases in scope (and the user's filters) filed in the window, which is already clamped to the 统计日;
- a case closed by the 统计日, not as a jurisdiction transfer, is an *event* at days(c) of SPEC section 4;
- any other case is *censored* at (the 统计日, or the closing date of a transfer) − 立案日期 − 扣除审限天数,
  floored at 0: all we know is that it took at least that long here;
- the value (cycle_km_median) is the smallest t with S(t) ≤ 0.5, null if S never reaches 0.5 (fewer than half
  the cohort can be shown to have closed); its numerator is the number of events and its denominator the cohort.

One SQL query returns (window, group, t, event) for every window at once; the estimator runs on those durations
with numpy. The 95 % interval of the median is read off the pointwise 95 % band of S(t) (Greenwood's variance
on the log(−log S) scale, as lifelines and Stata do): its lower end is where the band's lower curve first reaches
0.5, its upper end where the upper curve does (null if it never does).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Date, and_, case, func, literal, not_, select, true, union_all
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine.filters import Filters, scope_conditions
from metrics.engine.indicators import Ctx, transferred
from metrics.engine.schema import cases
from metrics.engine.sqlfuncs import days_between
from metrics.engine.windows import Window

KEY = "cycle_km_median"
Z95 = 1.959963984540054

PLAIN = "立案后多少天内有一半案件结案，未结案件也计入（按已经过的天数计入，不当作已结）"


@dataclass(frozen=True)
class KMTable:
    """The Kaplan–Meier table: one row per distinct time with an event or a censoring."""

    time: np.ndarray  # days
    at_risk: np.ndarray  # cases with t ≥ time
    events: np.ndarray  # closures at time
    censored: np.ndarray  # censorings at time
    survival: np.ndarray  # S(time): share of the cohort not yet closed after `time`
    lower: np.ndarray  # pointwise 95 % band
    upper: np.ndarray

    @property
    def n(self) -> int:
        return int(self.at_risk[0]) if len(self.at_risk) else 0

    @property
    def n_events(self) -> int:
        return int(self.events.sum())

    def median(self) -> int | None:
        return _first_at_or_below(self.time, self.survival)

    def median_interval(self) -> tuple[int | None, int | None]:
        return _first_at_or_below(self.time, self.lower), _first_at_or_below(self.time, self.upper)

    def rows(self) -> list[dict]:
        return [{"time": int(t), "at_risk": int(n), "events": int(d), "censored": int(c), "survival": float(s),
                 "lower": float(lo), "upper": float(hi)}
                for t, n, d, c, s, lo, hi in zip(self.time, self.at_risk, self.events, self.censored,
                                                 self.survival, self.lower, self.upper, strict=True)]


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, level: float = 0.5) -> int | None:
    hit = np.nonzero(curve <= level + 1e-12)[0]
    return int(times[hit[0]]) if len(hit) else None


def kaplan_meier(durations, events, counts=None) -> KMTable:
    """S(t) = Π over event times u ≤ t of (1 − d_u / n_u); events before censorings at the same time.

    `counts`, when given, says how many cases each (duration, event) pair stands for (SQL returns them grouped).
    """
    t = np.asarray(durations, dtype=np.int64)
    e = np.asarray(events, dtype=bool)
    w = np.ones(len(t), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    times, where = np.unique(t, return_inverse=True)
    d = np.bincount(where, weights=w * e, minlength=len(times)).astype(np.int64)
    c = np.bincount(where, weights=w * ~e, minlength=len(times)).astype(np.int64)
    gone = np.cumsum(d + c) - (d + c)  # cases with a smaller time
    at_risk = (int(w.sum()) - gone).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1.0 - d / at_risk) if len(times) else np.array([])
        # Greenwood's sum Σ d / (n (n − d)); infinite once the curve has dropped to 0.
        terms = np.where(d > 0, d / (at_risk * (at_risk - d)), 0.0)
    green = np.cumsum(terms)
    lower, upper = np.empty_like(s), np.empty_like(s)
    for i, (si, g) in enumerate(zip(s, green, strict=True)):
        if si >= 1.0 or g == 0:
            lower[i] = upper[i] = si
        elif si <= 0.0 or not math.isfinite(g):
            lower[i] = upper[i] = 0.0
        else:
            se = math.sqrt(g) / abs(math.log(si))  # standard error of log(−log S)
            lower[i] = si ** math.exp(Z95 * se)
            upper[i] = si ** math.exp(-Z95 * se)
    return KMTable(times, at_risk, d, c, s, lower, upper)


# ---- durations from SQL ------------------------------------------------------------------------------------------

def _windows_table(windows: list[Window]):
    rows = [select(literal(i).label("wid"), literal(w.start, Date).label("ws"), literal(w.end, Date).label("we"))
            for i, w in enumerate(windows)]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("kmwin")


def km_durations(conn: Connection, config: Config, windows: list[Window], filters: Filters = Filters(),
                 group=None) -> dict[tuple[int, object], tuple[list[int], list[bool], list[int]]]:
    """(durations, events, counts) per (window index, group value) of the filing cohorts, in one query.

    All windows must share one as-of date; windows that have not begun are left out.
    """
    live = [(i, w) for i, w in enumerate(windows) if not w.empty]
    if not live:
        return {}
    as_of = live[0][1].as_of
    win = _windows_table([w for _, w in live])
    params = config.parameters
    closed_here = and_(cases.c.closing_date.isnot(None), cases.c.closing_date <= as_of)
    event = and_(closed_here, not_(transferred(Ctx.for_dates(as_of, as_of, as_of, params))))
    end = case((closed_here, cases.c.closing_date), else_=literal(as_of, Date))
    raw = days_between(cases.c.filing_date, end) - cases.c.suspended_days
    days = case((raw < 0, 0), else_=raw)
    cols = [win.c.wid, days.label("km_t"), case((event, 1), else_=0).label("km_e")]
    if group is not None:
        cols.append(group.label("grp"))
    rows = (select(*cols).select_from(win.join(cases, true()))
            .where(*scope_conditions(filters, params.scope_case_types),
                   cases.c.filing_date >= win.c.ws, cases.c.filing_date <= win.c.we)).subquery("km_rows")
    # Grouped by (window, t, event): a few thousand rows come back, not one per case (issue 11).
    keys = [rows.c.wid, rows.c.km_t, rows.c.km_e] + ([rows.c.grp] if group is not None else [])
    stmt = select(*keys, func.count().label("n")).group_by(*keys)
    out: dict[tuple[int, object], tuple[list[int], list[bool], list[int]]] = {}
    for row in conn.execute(stmt):
        key = (live[row.wid][0], row.grp if group is not None else None)
        ts, es, ns = out.setdefault(key, ([], [], []))
        ts.append(int(row.km_t))
        es.append(bool(row.km_e))
        ns.append(int(row.n))
    return out


def km_tables(conn: Connection, config: Config, windows: list[Window],
              filters: Filters = Filters()) -> list[KMTable | None]:
    """The Kaplan–Meier table of each window's filing cohort; None for a window that has not begun."""
    out: list[KMTable | None] = [None] * len(windows)
    by_as_of: dict[dt.date, list[int]] = {}
    for i, w in enumerate(windows):
        if not w.empty:
            by_as_of.setdefault(w.as_of, []).append(i)
    for idx in by_as_of.values():
        found = km_durations(conn, config, [windows[i] for i in idx], filters)
        for j, i in enumerate(idx):
            out[i] = kaplan_meier(*found.get((j, None), ([], [], [])))
    return out


def _value(table: KMTable):
    from metrics.engine.compute import Value

    median = table.median()
    return Value(KEY, None if median is None else float(median), table.n_events, table.n)


def attach(conn: Connection, config: Config, windows: list[Window], results: list,
           filters: Filters = Filters()) -> None:
    """Put cycle_km_median into computed WindowResults (the hook compute calls; one query per as-of date)."""
    for window, table, result in zip(windows, km_tables(conn, config, windows, filters), results, strict=True):
        if table is not None and not window.empty:
            result.values[KEY] = _value(table)


def attach_groups(conn: Connection, config: Config, window: Window, results: dict, column,
                  filters: Filters = Filters()) -> None:
    """The same for a breakdown of one window by a cases column (results keyed by value, “（未填）” for blank)."""
    if window.empty or column.table is not cases:
        return
    found: dict[object, tuple[list[int], list[bool], list[int]]] = {}
    for (_, grp), parts in km_durations(conn, config, [window], filters, column).items():
        label = grp if grp not in (None, "") else "（未填）"
        have = found.setdefault(label, ([], [], []))
        for mine, theirs in zip(have, parts, strict=True):
            mine.extend(theirs)
    for label, result in results.items():
        result.values[KEY] = _value(kaplan_meier(*found.get(label, ([], [], []))))
