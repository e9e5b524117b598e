"""Drill-through: the records behind one indicator in one window, flagged as numerator and/or denominator."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, not_, or_, select
from sqlalchemy.engine import Connection

from metrics.access.masking import mask_name, mask_text
from metrics.access.scope import ScopeDenied
from metrics.config import Config
from metrics.engine.filters import Filters, filtered_case_numbers, list_conditions
from metrics.engine.indicators import (
    INDICATORS,
    MEASURES,
    SOURCE_TABLES,
    Ctx,
    base_conditions,
    case_days,
    closed_cohort,
)
from metrics.engine.schema import TABLES, cases
from metrics.engine.windows import Window

__all__ = ["mask_name", "members"]  # mask_name lives in metrics.access.masking; kept importable from here


def _condition(keys: tuple[str, ...], ctx: Ctx):
    return or_(*[MEASURES[k].condition(ctx) for k in keys])


def members(conn: Connection, config: Config, window: Window, key: str,
            filters: Filters = Filters(), limit: int | None = None) -> tuple[list[str], list[dict]]:
    """(column headers in Chinese, rows) of the records an indicator counts in a window.

    Each row says whether it is in the numerator (计入分子) and the denominator (计入分母). Debtor names, and
    names inside 标的物, are masked unless the filters' scope is unmasked. A window that has not begun has no
    records. The scope of the filters applies: ScopeDenied when the user may not see case lists, or not those of
    a source that cannot be limited to the user's teams (judgments, entrustments have no team).
    """
    ind = INDICATORS[key]
    scope = filters.scope
    if not scope.lists:
        raise ScopeDenied("当前账户不能查看案件明细")
    if scope.list_teams and ind.source not in ("cases", "auctions", "measures"):
        raise ScopeDenied("该指标的明细不属于任何团队，团队账户无权查看")
    spec = TABLES[ind.source]
    headers = [f.header for f in spec.fields]
    if window.empty:
        return headers, []
    ctx = Ctx.for_dates(window.start, window.end, window.as_of, config.parameters)
    num = _condition(ind.numerator, ctx)
    den = _condition(ind.denominator, ctx) if ind.denominator else None
    if ind.kind == "complement":  # 裁判自动履行率: the numerator is the judgments NOT applied for
        num = not_(num) if den is None else den & not_(num)
    table = SOURCE_TABLES[ind.source]
    columns = [table.c[f.name] for f in spec.fields]
    extra = [case((num, 1), else_=0).label("_num")]
    if den is not None:
        extra.append(case((den, 1), else_=0).label("_den"))
    if ind.source == "cases" and ind.unit == "days":
        extra.append(case((closed_cohort(ctx), case_days()), else_=None).label("_days"))
    where = base_conditions(ind.source, ctx, filters)
    if scope.list_teams:
        if ind.source == "cases":
            where = [*where, *list_conditions(filters)]
        else:
            where = [*where, table.c.case_no.in_(filtered_case_numbers(filters, lists=True))]
    if ind.source == "auctions" and not scope.unmasked:
        # The debtor of the auction's case, to mask that name wherever it occurs in the lot name.
        debtor = select(cases.c.debtor_name).where(cases.c.case_no == table.c.case_no).scalar_subquery()
        extra.append(debtor.label("_debtor"))
    stmt = select(*columns, *extra).where(*where, num if den is None else or_(num, den))
    stmt = stmt.order_by(table.c[spec.key])
    if limit:
        stmt = stmt.limit(limit)
    rows = []
    for r in conn.execute(stmt):
        rec = {f.header: getattr(r, f.name) for f in spec.fields}
        if not scope.unmasked:
            if "被执行人" in rec:
                rec["被执行人"] = mask_name(rec["被执行人"])
            if "标的物" in rec:
                rec["标的物"] = mask_text(rec["标的物"], [r._debtor] if r._debtor else [])
        rec["计入分子"] = "是" if r._num else ""
        if den is not None:
            rec["计入分母"] = "是" if r._den else ""
        if ind.source == "cases" and ind.unit == "days":
            rec["执行用时(天)"] = r._days
        rows.append(rec)
    extra_headers = ["计入分子"] + (["计入分母"] if den is not None else [])
    if ind.source == "cases" and ind.unit == "days":
        extra_headers.append("执行用时(天)")
    return extra_headers + headers, rows



# Indicators counted on one day (a stock), whose records are the cases pending on the window's last day.
STOCK_INDICATORS = ("pending_end", "pending_over_12m", "pending_over_12m_share")
STOCK_HEADERS = ("计数日", "截至该日已立案天数", "该日状态", "现状（截至统计日）")


def _as_date(value) -> dt.date | None:
    if value is None or value == "" or value != value:  # None, blank, NaN or NaT
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def with_stock_status(headers: list[str], rows: list[dict], day: dt.date,
                      as_of: dt.date) -> tuple[list[str], list[dict]]:
    """A stock's records as of the day it is counted at: that day, the 账龄 in days on it, the status on it (未结,
    by definition) and what became of the case by the as-of date — so a case closed later does not read as a
    closed case wrongly counted."""
    out = []
    for rec in rows:
        filed, closed = _as_date(rec.get("立案日期")), _as_date(rec.get("结案日期"))
        if closed is not None and closed > as_of:
            closed = None  # after the as-of date nothing has happened yet
        pending = filed is not None and filed <= day and (closed is None or closed > day)
        if closed is None:
            now = "至统计日仍未结"
        else:
            now = f"已于{closed.year}年{closed.month}月{closed.day}日结案" + (
                f"（{rec['结案方式']}）" if rec.get("结案方式") else "")
        out.append({"计数日": f"{day.year}年{day.month}月{day.day}日",
                    "截至该日已立案天数": (day - filed).days if filed else None,
                    "该日状态": "未结" if pending else "已结",
                    "现状（截至统计日）": now, **rec})
    flags = [h for h in headers if h in ("计入分子", "计入分母")]
    return [*flags, *STOCK_HEADERS, *[h for h in headers if h not in flags]], out
