"""Run the indicator SQL for windows: one grouped pass per table for a whole set of windows, plus a histogram of
days for medians. Cost grows with rows + windows, not rows × windows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

import numpy as np
from sqlalchemy import Date, Integer, case, func, literal, literal_column, not_, or_, select
from sqlalchemy.engine import Connection, Engine

from metrics.config import Config
from metrics.engine import survival
from metrics.engine.filters import Filters
from metrics.engine.indicators import (
    INDICATORS,
    MEASURES,
    SOURCE_TABLES,
    WINDOW_DATE,
    Ctx,
    Indicator,
    applied_for_joined,
    applied_for_link,
    case_days,
    row_conditions,
    transferred,
)
from metrics.engine.schema import auctions, cases, entrustments, judgments, measures
from metrics.engine.sqlfuncs import scanned
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


def _as_number(raw, measure) -> Number:
    if raw is None:
        return 0 if measure.value is None else Decimal(0)
    if measure.value is None or measure.unit in ("天", "人次"):
        return int(raw)
    # Money is stored with two decimals; SQLite sums it in floating point, so round back to the cent.
    return Decimal(str(raw)).quantize(CENT)


def needed_measures(keys: tuple[str, ...] | None) -> set[str] | None:
    """The measures the given indicators are made of (None: all)."""
    if keys is None:
        return None
    return {m for k in keys for m in (*INDICATORS[k].numerator, *INDICATORS[k].denominator)}


# ---- the single pass ----------------------------------------------------------------------------------------
#
# Every window set is cut into elementary intervals by the sorted, distinct cut days of its windows. A row's
# date is mapped to its interval (the number of cut days ≤ the date) by a CASE nested as a binary search, so
# each row is looked at once and costs O(log cuts). Sums per interval are added up per window in Python: the
# windows may even overlap. Cases are bucketed by filing date and by closing date together, so the pending
# counts at any cut day come from the same small two-way table (filed by then, not closed by then).

class Cuts:
    """Sorted distinct cut days; interval i holds the dates x with (number of cuts ≤ x) == i."""

    def __init__(self, days):
        self.days = sorted(set(days))
        self.index = {d: i for i, d in enumerate(self.days)}

    def upto(self, day: dt.date) -> int:
        """The intervals whose dates are all < day (day is a cut): those numbered ≤ upto(day)."""
        return self.index[day]

    def bucket(self, col, null_bucket: int | None = None):
        """SQL: the interval of the date column (NULL dates, if any, get null_bucket)."""
        days = self.days

        def split(lo: int, hi: int):
            if lo == hi:
                return literal_column(str(lo), Integer)
            mid = (lo + hi + 1) // 2  # (cuts ≤ x) ≥ mid  ⇔  x ≥ days[mid − 1]
            return case((col >= literal(days[mid - 1], Date), split(mid, hi)), else_=split(lo, mid - 1))

        expr = split(0, len(days))
        if null_bucket is not None:
            expr = case((col.is_(None), literal_column(str(null_bucket), Integer)), else_=expr)
        return expr


def _span(cuts: Cuts, w: Window) -> tuple[int, int]:
    """Interval numbers (inclusive) that make up [w.start, w.end]."""
    return cuts.upto(w.start) + 1, cuts.upto(w.end + DAY)


DAY = dt.timedelta(days=1)


def _row_sql(m, ctx: Ctx, override=None):
    cond = override if override is not None else m.row(ctx)
    return case((cond, 1 if m.value is None else m.value(ctx)), else_=0)


def _bucketed(conn: Connection, table_from, bucket_cols: dict, group, row_exprs: dict, where: list):
    """SELECT buckets, group, SUM(per-row expression) … GROUP BY buckets, group — via a subquery, so the bucket
    expressions are written once on every dialect."""
    inner_cols = [expr.label(name) for name, expr in bucket_cols.items()]
    if group is not None:
        inner_cols.append(group.label("grp"))
    inner_cols += [expr.label(name) for name, expr in row_exprs.items()]
    sub = select(*inner_cols).select_from(table_from).where(*where).subquery("rows_")
    keys = [sub.c[name] for name in bucket_cols] + ([sub.c.grp] if group is not None else [])
    stmt = select(*keys, *[func.sum(sub.c[name]).label(name) for name in row_exprs]).group_by(*keys)
    return conn.execute(stmt).all()


def _date_range(column, first: dt.date, last: dt.date) -> list:
    """first ≤ column ≤ last; read by a table scan (not the index) on SQLite when the range is long."""
    col = scanned(column) if (last - first).days > 180 else column
    return [col >= first, col <= last]


def _owners(cuts: Cuts, windows: list[Window]) -> dict[int, list[int]]:
    """Interval number → the windows (by position) it belongs to."""
    owners: dict[int, list[int]] = {}
    for i, w in enumerate(windows):
        lo, hi = _span(cuts, w)
        for b in range(lo, hi + 1):
            owners.setdefault(b, []).append(i)
    return owners


def _grouped(conn: Connection, windows: list[Window], params, filters: Filters, group=None,
             measure_keys: set[str] | None = None, durations_wanted: bool = True):
    """Measures and durations for many windows (and optionally per value of a column): one pass per table."""
    as_of = windows[0].as_of
    ctx = Ctx(None, None, as_of, params, None)
    by_source: dict[str, list] = {}
    for m in MEASURES.values():
        if measure_keys is None or m.key in measure_keys:
            by_source.setdefault(m.source, []).append(m)
    out: dict[tuple, dict[str, Number]] = {}

    def add(wid, grp, key, amount):
        values = out.setdefault((wid, grp), {})
        values[key] = values.get(key, 0) + amount

    first, last = min(w.start for w in windows), max(w.end for w in windows)
    event_cuts = Cuts([d for w in windows for d in (w.start, w.end + DAY)])
    event_owners = _owners(event_cuts, windows)
    for source, items in by_source.items():
        if source == "cases":
            _cases_pass(conn, windows, ctx, filters, group, items, add)
            continue
        table = SOURCE_TABLES[source]
        date = WINDOW_DATE[source]
        table_from, overrides = table, {}
        if source == "judgments" and any(m.key == "judgments_applied" for m in items):
            link = applied_for_link(as_of)
            table_from = table.outerjoin(link, link.c.doc_no == judgments.c.doc_no)
            overrides["judgments_applied"] = applied_for_joined(link, ctx)
        rows = _bucketed(conn, table_from, {"b": event_cuts.bucket(date)}, group,
                         {m.key: _row_sql(m, ctx, overrides.get(m.key)) for m in items},
                         [*row_conditions(source, ctx, filters), *_date_range(date, first, last)])
        for row in rows:
            mapping = row._mapping
            grp = row.grp if group is not None else None
            for i in event_owners.get(row.b, ()):
                for m in items:
                    add(i, grp, m.key, _as_number(mapping[m.key], m))
    measures_out = {k: {key: _normal(v) for key, v in vals.items()} for k, vals in out.items()}
    durations = _durations(conn, windows, ctx, filters, group) if durations_wanted else {}
    return measures_out, durations


def _normal(total: Number) -> Number:
    return total.quantize(CENT) if isinstance(total, Decimal) else total


STOCK = {"pending_start", "pending_end", "pending_old"}


def _cases_pass(conn, windows: list[Window], ctx: Ctx, filters: Filters, group, items, add) -> None:
    """All case measures of all windows in one grouped scan of the cases: by (filing interval, closing interval)."""
    first, last = min(w.start for w in windows), max(w.end for w in windows)
    bases = {m.basis for m in items}
    stock = bases & STOCK
    f_days = [d for w in windows for d in (w.start, w.end + DAY)]
    if "pending_old" in stock:
        f_days += [w.end - dt.timedelta(days=365) for w in windows]  # filed ≤ end − 366  ⇔  filed < end − 365
    f_cuts = Cuts(f_days)
    c_cuts = Cuts([d for w in windows for d in (w.start, w.end + DAY)])
    never = len(c_cuts.days) + 1  # the closing interval of an open case: after every cut
    use_f = bool(stock or "filing" in bases)
    use_c = bool(stock or "closing" in bases)
    buckets = {}
    if use_f:
        buckets["fb"] = f_cuts.bucket(cases.c.filing_date)
    if use_c:
        buckets["cb"] = c_cuts.bucket(cases.c.closing_date, never)
    scope = row_conditions("cases", ctx, filters)
    if not use_f:  # closing-date measures only
        where = [*scope, *_date_range(cases.c.closing_date, first, last)]
    elif not use_c:  # filing-date measures only
        where = [*scope, *_date_range(cases.c.filing_date, first, last)]
    else:  # a case can matter only if filed by the last end and not closed before the first start
        where = [*scope, scanned(cases.c.filing_date) <= last,
                 or_(cases.c.closing_date.is_(None), scanned(cases.c.closing_date) >= first)]
    # Measures with the same per-row expression share one column (the three stock counts are all "1").
    columns: dict[tuple, tuple[str, object]] = {}
    column_of: dict[str, str] = {}
    for m in items:
        if m.basis in STOCK and m.value is not None:
            raise ValueError(f"{m.key}: stock measures are counts")
        same = (m.row, m.value)
        if same not in columns:
            columns[same] = (f"m{len(columns)}", _row_sql(m, ctx))
        column_of[m.key] = columns[same][0]
    rows = _bucketed(conn, cases, buckets, group, dict(columns.values()), where)

    f_owners, c_owners = _owners(f_cuts, windows), _owners(c_cuts, windows)
    flows = [m for m in items if m.basis in ("filing", "closing")]
    stocks = [m for m in items if m.basis in STOCK]
    stock_columns = sorted({column_of[m.key] for m in stocks})
    grids: dict[object, dict[str, np.ndarray]] = {}
    for row in rows:
        mapping = row._mapping
        grp = row.grp if group is not None else None
        for m in flows:
            owners = f_owners.get(mapping["fb"], ()) if m.basis == "filing" else c_owners.get(mapping["cb"], ())
            for i in owners:
                add(i, grp, m.key, _as_number(mapping[column_of[m.key]], m))
        if stock_columns:
            grid = grids.get(grp)
            if grid is None:
                grid = grids[grp] = {n: np.zeros((len(f_cuts.days) + 1, never + 1), dtype=np.int64)
                                     for n in stock_columns}
            for n in stock_columns:
                grid[n][mapping["fb"], mapping["cb"]] += int(mapping[n] or 0)
    for grp, grid in grids.items():
        # at[n][a, b] = rows with filing interval ≤ a and closing interval ≥ b
        at = {n: np.flip(np.flip(g.cumsum(axis=0), axis=1).cumsum(axis=1), axis=1) for n, g in grid.items()}
        for i, w in enumerate(windows):
            for m in stocks:
                if m.basis == "pending_start":  # filed ≤ start − 1, not closed by start − 1
                    a, b = f_cuts.upto(w.start), c_cuts.upto(w.start)
                elif m.basis == "pending_end":  # filed ≤ end, not closed by end
                    a, b = f_cuts.upto(w.end + DAY), c_cuts.upto(w.end + DAY)
                else:  # filed ≤ end − 366, not closed by end
                    a, b = f_cuts.upto(w.end - dt.timedelta(days=365)), c_cuts.upto(w.end + DAY)
                add(i, grp, m.key, int(at[column_of[m.key]][a, b + 1]))


def _durations(conn, windows: list[Window], ctx: Ctx, filters: Filters, group) -> dict[tuple, list[int]]:
    """days(c) of each window's closed cohort, from a histogram (closing interval, days) → cases."""
    first, last = min(w.start for w in windows), max(w.end for w in windows)
    c_cuts = Cuts([d for w in windows for d in (w.start, w.end + DAY)])
    owners = _owners(c_cuts, windows)
    rows = _bucketed(conn, cases, {"cb": c_cuts.bucket(cases.c.closing_date), "days": case_days()}, group,
                     {"n": literal_column("1", Integer)},
                     [*row_conditions("cases", ctx, filters), *_date_range(cases.c.closing_date, first, last),
                      not_(transferred(ctx))])
    hist: dict[tuple, dict[int, int]] = {}
    for row in rows:
        grp = row.grp if group is not None else None
        for i in owners.get(row.cb, ()):
            counts = hist.setdefault((i, grp), {})
            counts[int(row.days)] = counts.get(int(row.days), 0) + int(row.n)
    return {k: [d for d in sorted(counts) for _ in range(counts[d])] for k, counts in hist.items()}


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


def analytics_target(conn: Connection, config: Config) -> Engine | None:
    """The DuckDB copy to compute on instead of conn's database, or None (config `analytics:`)."""
    from metrics.engine.analytics import compute_engine

    engine = compute_engine(conn.engine, config.analytics, config.analytics_cache)
    return None if engine is conn.engine else engine


def compute_many(conn: Connection, config: Config, windows: list[Window], filters: Filters = Filters(),
                 keys: tuple[str, ...] | None = None) -> list[WindowResult]:
    """Indicators (all, or only `keys`) for every window; windows that have not begun are null throughout.

    Computed on the configured analytics engine (metrics.engine.analytics): the store itself or its DuckDB copy.
    """
    target = analytics_target(conn, config)
    if target is not None:
        with target.connect() as copy:
            return compute_many(copy, config, windows, filters, keys)
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
    target = analytics_target(conn, config)
    if target is not None:
        with target.connect() as copy:
            return breakdown(copy, config, window, column, filters)
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
