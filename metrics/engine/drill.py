"""Drill-through: the records behind one indicator in one window, flagged as numerator and/or denominator."""

from __future__ import annotations

import re

from sqlalchemy import case, not_, or_, select
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine.filters import Filters
from metrics.engine.indicators import (
    INDICATORS,
    MEASURES,
    SOURCE_TABLES,
    Ctx,
    base_conditions,
    case_days,
    closed_cohort,
)
from metrics.engine.schema import TABLES
from metrics.engine.windows import Window

COMPANY = re.compile(r"(有限责任公司|股份有限公司|有限公司|公司|厂|店|合作社|中心|集团|商行|事务所)$")


def mask_name(name: str | None) -> str:
    """Personal data: 张伟明 → 张**; 宜昌华兴建材有限公司 → 宜某某有限公司."""
    if not name:
        return ""
    name = name.strip()
    m = COMPANY.search(name)
    if m and len(name) > len(m.group(1)):
        return name[0] + "某某" + m.group(1)
    return name[0] + "*" * max(len(name) - 1, 1)


def _condition(keys: tuple[str, ...], ctx: Ctx):
    return or_(*[MEASURES[k].condition(ctx) for k in keys])


def members(conn: Connection, config: Config, window: Window, key: str,
            filters: Filters = Filters(), limit: int | None = None) -> tuple[list[str], list[dict]]:
    """(column headers in Chinese, rows) of the records an indicator counts in a window.

    Each row says whether it is in the numerator (计入分子) and the denominator (计入分母). Debtor names are
    masked. A window that has not begun has no records.
    """
    ind = INDICATORS[key]
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
    stmt = select(*columns, *extra).where(*where, num if den is None else or_(num, den))
    stmt = stmt.order_by(table.c[spec.key])
    if limit:
        stmt = stmt.limit(limit)
    rows = []
    for r in conn.execute(stmt):
        rec = {f.header: getattr(r, f.name) for f in spec.fields}
        if "被执行人" in rec:
            rec["被执行人"] = mask_name(rec["被执行人"])
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

