"""Indicators split for the 交叉执行, 财产处置 and 强制措施 pages: by phase and group, by cross role, auctions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from metrics.config import Config
from metrics.engine.compute import Number, WindowResult, breakdown
from metrics.engine.filters import NO_CROSS_ROLE, Filters
from metrics.engine.indicators import Ctx, base_conditions
from metrics.engine.schema import auctions
from metrics.engine.windows import Window, phase_windows

UNFILLED = "（未填）"  # the group of rows with an empty value, as compute.breakdown names it

# Cases taken over from other courts against all other cases of this court. 交出 cases close here as
# jurisdiction transfers and so leave the closed cohort anyway: in closure rates "其他" is in effect 无.
ROLE_GROUPS: dict[str, tuple[str, ...]] = {"承接案件": ("承接",), "其他案件": ("交出", NO_CROSS_ROLE)}


def role_filters(filters: Filters) -> dict[str, Filters | None]:
    """The user's filters narrowed to each role group; None where the user's own role filter leaves none of it."""
    out: dict[str, Filters | None] = {}
    for label, roles in ROLE_GROUPS.items():
        kept = tuple(r for r in roles if not filters.cross_roles or r in filters.cross_roles)
        out[label] = replace(filters, cross_roles=kept) if kept else None
    return out


def intensity(value: Number | None, window: Window, filed: Number | None) -> tuple[float | None, float | None]:
    """月均 and 每百件新收 of a count: value ÷ months of the window, value ÷ new cases × 100.

    Phases differ in length (2 to 12 months), so only these rates compare them. None where undefined: no
    value, a window that has not begun, or no new cases.
    """
    if value is None or window.empty:
        return None, None
    per_month = float(value) / window.months
    per_100_filed = float(value) / float(filed) * 100 if filed else None
    return per_month, per_100_filed


def wan(yuan: Number | None) -> float | None:
    """元 → 万元 as a number (two decimals), for table columns that stay sortable and exportable."""
    return None if yuan is None else round(float(yuan) / 10000, 2)


def phase_breakdowns(engine: Engine, config: Config, as_of: dt.date, column,
                     filters: Filters = Filters()) -> dict[str, dict[str, WindowResult]]:
    """compute.breakdown for every phase: {phase key: {value of column: result}}; empty for phases not begun."""
    with engine.connect() as conn:
        return {w.key: breakdown(conn, config, w, column, filters) for w in phase_windows(config, as_of)}


def auction_outcomes(engine: Engine, config: Config, as_of: dt.date, column=None,
                     filters: Filters = Filters()) -> dict[str, dict[str, dict[str, int]]]:
    """拍次 by result (成交/流拍/撤回/中止/悔拍) for every phase, per value of an auctions column or in total.

    {phase key: {group: {result: 拍次}}}; without a column the single group is "合计". The rows are those the
    auction indicators look at (end_date in the phase, up to the as-of date, the user's case filters).
    """
    out: dict[str, dict[str, dict[str, int]]] = {}
    with engine.connect() as conn:
        for w in phase_windows(config, as_of):
            out[w.key] = {}
            if w.empty:
                continue
            ctx = Ctx.for_dates(w.start, w.end, w.as_of, config.parameters)
            keys = [auctions.c.result] + ([column] if column is not None else [])
            stmt = (select(*keys, func.count().label("n")).where(*base_conditions("auctions", ctx, filters))
                    .group_by(*keys))
            for row in conn.execute(stmt):
                name = "合计" if column is None else (row[1] if row[1] not in (None, "") else UNFILLED)
                counts = out[w.key].setdefault(name, {})
                counts[row.result] = counts.get(row.result, 0) + int(row.n)
    return out
