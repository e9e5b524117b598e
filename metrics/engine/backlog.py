"""积案 and 执行周期 in bands: pending cases by age at a date (counted in SQL), closed cases by duration.

Age bands are defined by whole calendar days from filing to the day looked at (the same days_between the
indicators use), not by calendar months, so they are exact and identical on every database:

    ≤3个月    0 – 90 days
    3–6个月   91 – 182 days
    6–12个月  183 – 365 days
    >12个月   more than 365 days

The last band is exactly the pending_over_12m indicator ((e − filing_date) > 365 days), and the four bands
together are exactly pending_end: a case counts when it is pending at the day by the definition of
pending_at(e) in metrics.engine.indicators, with the same scope and user filters (base_conditions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, and_, case, func, literal, select, true, union_all
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine.filters import Filters
from metrics.engine.indicators import Ctx, base_conditions, pending_at
from metrics.engine.schema import cases
from metrics.engine.sqlfuncs import days_between
from metrics.engine.windows import Window


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int  # days, inclusive
    high: int | None  # days, inclusive; None: no upper bound

    def describe(self) -> str:
        if self.high is None:
            return f"超过{self.low - 1}天"
        return f"{self.low}–{self.high}天" if self.low else f"不超过{self.high}天"


AGE_BANDS: tuple[Band, ...] = (
    Band("age_le_3m", "≤3个月", 0, 90),
    Band("age_3_6m", "3–6个月", 91, 182),
    Band("age_6_12m", "6–12个月", 183, 365),
    Band("age_gt_12m", ">12个月", 366, None),
)


@dataclass(frozen=True)
class PendingAges:
    """Pending cases at one day, by age band; `total` equals the pending_end indicator of a window ending then."""

    day: dt.date
    counts: dict[str, int]  # band key → cases

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _in_band(age, band: Band):
    if band.high is None:
        return age >= band.low
    return and_(age >= band.low, age <= band.high)


def pending_by_age(conn: Connection, config: Config, windows: list[Window],
                   filters: Filters = Filters()) -> list[PendingAges | None]:
    """Pending cases at the (clamped) end of each window, by age band; None for a window that has not begun.

    One query for all windows: the end days as a derived table, one CASE-sum per band, grouped by window.
    """
    live = [(i, w) for i, w in enumerate(windows) if not w.empty]
    out: list[PendingAges | None] = [None] * len(windows)
    if not live:
        return out
    from metrics.engine.compute import analytics_target

    target = analytics_target(conn, config)
    if target is not None:
        with target.connect() as copy:
            return pending_by_age(copy, config, windows, filters)
    # Plain typed literals, as in metrics.engine.compute: SQLite keeps dates as ISO text.
    rows = [select(literal(i).label("wid"), literal(w.end, Date).label("day")) for i, w in live]
    days = (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("days")
    ctx = Ctx(days.c.day, days.c.day, live[0][1].as_of, config.parameters, days.c.day)
    age = days_between(cases.c.filing_date, days.c.day)
    stmt = (select(days.c.wid, *[func.sum(case((_in_band(age, b), 1), else_=0)).label(b.key) for b in AGE_BANDS])
            .select_from(days.join(cases, true()))
            .where(*base_conditions("cases", ctx, filters), pending_at(days.c.day))
            .group_by(days.c.wid))
    found = {row.wid: row for row in conn.execute(stmt)}
    for i, w in live:
        row = found.get(i)
        out[i] = PendingAges(w.end, {b.key: int(row._mapping[b.key] or 0) if row is not None else 0
                                     for b in AGE_BANDS})
    return out


def duration_bands(statutory_days: int) -> tuple[Band, ...]:
    """Bands of days(c) for the distribution of closures; the statutory limit is always a band edge."""
    edges = sorted({30, 90, statutory_days, 365})
    bands, low = [], 0
    for edge in edges:
        bands.append(Band(f"days_le_{edge}", f"{low}–{edge}天" if low else f"≤{edge}天", low, edge))
        low = edge + 1
    bands.append(Band(f"days_gt_{edges[-1]}", f">{edges[-1]}天", low, None))
    return tuple(bands)


def duration_histogram(durations: list[int], bands: tuple[Band, ...]) -> dict[str, int]:
    """How many closures fall in each band (durations are the narrow column compute returns for medians)."""
    counts = {b.key: 0 for b in bands}
    for days in durations:
        for b in bands:
            if days >= b.low and (b.high is None or days <= b.high):
                counts[b.key] += 1
                break
    return counts
