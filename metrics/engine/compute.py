"""Run the indicator SQL for windows: one aggregate query per table and window, plus one narrow column for medians."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from sqlalchemy import Date, case, func, literal, select, true, union_all
from sqlalchemy.engine import Connection, Engine

from metrics.config import Config
from metrics.engine import survival
from metrics.engine.filters import Filters
from metrics.engine.indicators import (
    INDICATORS,
    MEASURES,
    SOURCE_TABLES,
    Ctx,
    Indicator,
    base_conditions,
    case_days,
    closed_cohort,
)
from metrics.engine.schema import auctions, cases, entrustments, judgments, measures
from metrics.engine.windows import Window

Number = int | float | Decimal
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Value:
    """One indicator in one window: the value and what it is made of (null where the window has not begun)."""

    key: str
    value: float | int | None
    numerator: Number | None
    denominator: Number | None
    provisional: bool = False

    @property
    def indicator(self) -> Indicator:
        return INDICATORS[self.key]


@dataclass
class WindowResult:
    window: Window
    measures: dict[str, Number | None]
    values: dict[str, Value]
    durations: list[int] = field(default_factory=list)  # days(c) of the closed cohort, for distributions

    def __getitem__(self, key: str) -> Value:
        return self.values[key]


def _aggregate(measure, ctx: Ctx):
    cond = measure.condition(ctx)
    if measure.value is None:
        return func.sum(case((cond, 1), else_=0)).label(measure.key)
    return func.sum(case((cond, measure.value(ctx)), else_=0)).label(measure.key)


def _as_number(raw, measure) -> Number:
    if raw is None:
        return 0 if measure.value is None else Decimal(0)
    if measure.value is None or measure.unit in ("天", "人次"):
        return int(raw)
    # Money is stored with two decimals; SQLite sums it in floating point, so round back to the cent.
    return Decimal(str(raw)).quantize(CENT)


def _windows_table(windows: list[Window]):
    """The windows as a derived table (wid, ws, we, wb), so one query aggregates every window at once."""
    # Plain typed literals: SQLite keeps dates as ISO text (a CAST would turn them into numbers).
    rows = [select(literal(i).label("wid"), literal(w.start, Date).label("ws"), literal(w.end, Date).label("we"),
                   literal(w.start - dt.timedelta(days=1), Date).label("wb"))
            for i, w in enumerate(windows)]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("win")


def needed_measures(keys: tuple[str, ...] | None) -> set[str] | None:
    """The measures the given indicators are made of (None: all)."""
    if keys is None:
        return None
    return {m for k in keys for m in (*INDICATORS[k].numerator, *INDICATORS[k].denominator)}


def _grouped(conn: Connection, windows: list[Window], params, filters: Filters, group=None,
             measure_keys: set[str] | None = None, durations_wanted: bool = True):
    """Measures and durations for many windows (and optionally per value of a column) in one query per table."""
    as_of = windows[0].as_of
    win = _windows_table(windows)
    ctx = Ctx(win.c.ws, win.c.we, as_of, params, win.c.wb)
    keys = [win.c.wid] + ([group.label("grp")] if group is not None else [])
    by_source: dict[str, list] = {}
    for m in MEASURES.values():
        if measure_keys is None or m.key in measure_keys:
            by_source.setdefault(m.source, []).append(m)
    measures_out: dict[tuple, dict[str, Number]] = {}
    for source, items in by_source.items():
        stmt = (select(*keys, *[_aggregate(m, ctx) for m in items])
                .select_from(win.join(SOURCE_TABLES[source], true()))
                .where(*base_conditions(source, ctx, filters))
                .group_by(*keys))
        for row in conn.execute(stmt):
            values = measures_out.setdefault((row.wid, row.grp if group is not None else None), {})
            for m in items:
                values[m.key] = _as_number(row._mapping[m.key], m)
    durations: dict[tuple, list[int]] = {}
    if durations_wanted:
        stmt = (select(*keys, case_days().label("days")).select_from(win.join(cases, true()))
                .where(*base_conditions("cases", ctx, filters), closed_cohort(ctx)))
        for row in conn.execute(stmt):
            durations.setdefault((row.wid, row.grp if group is not None else None), []).append(int(row.days))
    return measures_out, durations


def _complete(m: dict[str, Number] | None, measure_keys: set[str] | None = None) -> dict[str, Number | None]:
    """Fill the measures a grouped query had no row for: zero where computed, null where not asked for."""
    out: dict[str, Number | None] = {}
    for key, measure in MEASURES.items():
        if measure_keys is not None and key not in measure_keys:
            out[key] = None
        elif m is not None and key in m:
            out[key] = m[key]
        else:
            out[key] = _as_number(None, measure)
    return out


def _total(measures_: dict[str, Number], keys: tuple[str, ...]) -> Number:
    total: Number = 0
    for k in keys:
        total = total + measures_[k]
    return total


def indicator_value(ind: Indicator, m: dict[str, Number], durations: list[int], window: Window,
                    config: Config) -> Value:
    num = _total(m, ind.numerator)
    den = _total(m, ind.denominator) if ind.denominator else None
    if ind.kind == "count":
        value = int(num) if ind.unit != "money" else float(num)
        return Value(ind.key, value, num, None)
    if ind.kind == "median":
        return Value(ind.key, float(median(durations)) if durations else None, None, den)
    if ind.kind == "km":  # the value is filled in by metrics.engine.survival.attach (its own query)
        return Value(ind.key, None, num, den)
    if not den:
        value = None
    elif ind.kind in ("ratio", "mean"):
        value = float(num) / float(den)
    elif ind.kind == "complement":
        value = 1 - float(num) / float(den)
    elif ind.kind == "disposition":
        value = float(num) / float(den) * window.days
    else:
        raise ValueError(ind.kind)
    if ind.kind == "complement":
        # Reported numerator: the judgments NOT applied for (complied with voluntarily).
        provisional = window.end + dt.timedelta(days=config.parameters.judgment_observation_days) > window.as_of
        return Value(ind.key, value, den - num, den, provisional)
    return Value(ind.key, value, num, den)


def _result(config: Config, window: Window, m: dict[str, Number | None], durations: list[int],
            keys: tuple[str, ...] | None = None) -> WindowResult:
    values = {}
    for k, ind in INDICATORS.items():
        if keys is not None and k not in keys:
            values[k] = Value(k, None, None, None)
        else:
            values[k] = indicator_value(ind, m, durations, window, config)
    return WindowResult(window, m, values, sorted(durations))


def _empty(window: Window) -> WindowResult:
    return WindowResult(window, {k: None for k in MEASURES}, {k: Value(k, None, None, None) for k in INDICATORS})


def compute_many(conn: Connection, config: Config, windows: list[Window], filters: Filters = Filters(),
                 keys: tuple[str, ...] | None = None) -> list[WindowResult]:
    """Indicators (all, or only `keys`) for every window; windows that have not begun are null throughout."""
    measure_keys = needed_measures(keys)
    want_durations = keys is None or any(INDICATORS[k].kind == "median" for k in keys)
    by_as_of: dict[dt.date, list[Window]] = {}
    for w in windows:
        if not w.empty:
            by_as_of.setdefault(w.as_of, []).append(w)
    done: dict[int, WindowResult] = {}
    for batch in by_as_of.values():
        measures_, durations = _grouped(conn, batch, config.parameters, filters, None, measure_keys, want_durations)
        for i, w in enumerate(batch):
            m = _complete(measures_.get((i, None)), measure_keys)
            done[id(w)] = _result(config, w, m, durations.get((i, None), []), keys)
        if keys is None or survival.KEY in keys:
            survival.attach(conn, config, batch, [done[id(w)] for w in batch], filters)
    return [done.get(id(w)) or _empty(w) for w in windows]


def compute_window(conn: Connection, config: Config, window: Window, filters: Filters = Filters()) -> WindowResult:
    return compute_many(conn, config, [window], filters)[0]


def compute_windows(engine: Engine, config: Config, windows: list[Window], filters: Filters = Filters(),
                    keys: tuple[str, ...] | None = None) -> list[WindowResult]:
    with engine.connect() as conn:
        return compute_many(conn, config, windows, filters, keys)


def breakdown(conn: Connection, config: Config, window: Window, column, filters: Filters = Filters()
              ) -> dict[str, WindowResult]:
    """Indicators of one window per value of a column (cases.c.team, auctions.c.asset_type, …).

    Only the indicators of the column's own table are computed; the others are null. Rows with an empty value
    are grouped under “（未填）”.
    """
    source = next(name for name, table in SOURCE_TABLES.items() if column.table is table)
    if window.empty:
        return {}
    keys = tuple(k for k, ind in INDICATORS.items() if ind.source == source)
    measure_keys = needed_measures(keys)
    measures_, durations = _grouped(conn, [window], config.parameters, filters, column, measure_keys,
                                    source == "cases")
    groups = {g for (_, g) in measures_} | {g for (_, g) in durations}
    out = {}
    for g in sorted(groups, key=lambda v: (v is None or v == "", str(v))):
        m = _complete(measures_.get((0, g)), measure_keys)
        out[g if g not in (None, "") else "（未填）"] = _result(config, window, m, durations.get((0, g), []), keys)
    survival.attach_groups(conn, config, window, out, column, filters)
    return out


DATE_COLUMNS = (cases.c.filing_date, cases.c.closing_date, judgments.c.effective_date, auctions.c.end_date,
                auctions.c.seizure_date, measures.c.measure_date, entrustments.c.sent_date,
                entrustments.c.feedback_date)


def latest_data_date(conn: Connection) -> dt.date | None:
    """The default as-of date: the latest date found anywhere in the data."""
    latest = None
    for col in DATE_COLUMNS:
        value = conn.execute(select(func.max(col))).scalar()
        if isinstance(value, str):  # SQLite returns the stored text for an aggregate
            value = dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            value = value.date()
        if value is not None and (latest is None or value > latest):
            latest = value
    return latest
