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

import numpy as np
from sqlalchemy import Integer, literal_column, or_
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine.filters import Filters
from metrics.engine.indicators import Ctx, row_conditions
from metrics.engine.schema import cases
from metrics.engine.sqlfuncs import scanned
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


def pending_by_age(conn: Connection, config: Config, windows: list[Window],
                   filters: Filters = Filters()) -> list[PendingAges | None]:
    """Pending cases at the (clamped) end of each window, by age band; None for a window that has not begun.

    One pass over the cases, whatever the number of windows (issue 11): each case is bucketed by its filing date
    (cut at every band edge of every end day) and its closing date (cut at every end day), the small two-way
    table comes back, and a band at day e is a difference of two cumulative counts:
    filed in [e − high, e − low] and not closed by e  =  (filed < e − low + 1) − (filed < e − high), both not closed.
    """
    live = [(i, w) for i, w in enumerate(windows) if not w.empty]
    out: list[PendingAges | None] = [None] * len(windows)
    if not live:
        return out
    from metrics.engine.compute import Cuts, _bucketed, analytics_target

    target = analytics_target(conn, config)
    if target is not None:
        with target.connect() as copy:
            return pending_by_age(copy, config, windows, filters)
    ends = sorted({w.end for _, w in live})
    f_days = []
    for e in ends:
        for b in AGE_BANDS:
            f_days.append(e - dt.timedelta(days=b.low) + DAY)
            if b.high is not None:
                f_days.append(e - dt.timedelta(days=b.high))
    f_cuts, c_cuts = Cuts(f_days), Cuts([e + DAY for e in ends])
    never = len(c_cuts.days) + 1  # the closing interval of an open case
    ctx = Ctx(None, None, live[0][1].as_of, config.parameters, None)
    rows = _bucketed(conn, cases, {"fb": f_cuts.bucket(cases.c.filing_date),
                                   "cb": c_cuts.bucket(cases.c.closing_date, never)}, None,
                     {"n": literal_column("1", Integer)},
                     [*row_conditions("cases", ctx, filters), scanned(cases.c.filing_date) <= ends[-1],
                      or_(cases.c.closing_date.is_(None), scanned(cases.c.closing_date) > ends[0])])
    grid = np.zeros((len(f_cuts.days) + 1, never + 1), dtype=np.int64)
    for row in rows:
        grid[row.fb, row.cb] += int(row.n or 0)
    at = np.flip(np.flip(grid.cumsum(axis=0), axis=1).cumsum(axis=1), axis=1)  # fb ≤ a and cb ≥ b

    def pending(filed_before: dt.date, e: dt.date) -> int:
        """Cases filed before `filed_before` and not closed by e."""
        return int(at[f_cuts.upto(filed_before), c_cuts.upto(e + DAY) + 1])

    for i, w in live:
        e = w.end
        counts = {}
        for b in AGE_BANDS:
            n = pending(e - dt.timedelta(days=b.low) + DAY, e)
            if b.high is not None:
                n -= pending(e - dt.timedelta(days=b.high), e)
            counts[b.key] = n
        out[i] = PendingAges(e, counts)
    return out


DAY = dt.timedelta(days=1)


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
