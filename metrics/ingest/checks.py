"""What a whole record must mean: one check per table, errors that reject the run and warnings that only report.

A row's errors and warnings carry the column as the file names it, so the clerk finds the cell.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from metrics.courts import court_from_case_no
from metrics.engine.schema import (
    AUCTION_RESULTS,
    CASE_TYPES,
    CLOSING_METHODS,
    CROSS_ROLES,
    MEASURE_TYPES,
    TERMINATION,
    ZHONGBEN,
    TableSpec,
)

CASE_NO = re.compile(r"^[（(](?P<year>\d{4})[)）](?P<court>\D+\d+)(?P<kind>\D+?)(?P<seq>\d+)号$")
KIND_TO_TYPE = {"执": "首次执行", "执恢": "恢复执行", "执保": "财产保全", "执异": "执行异议"}


def case_type_from_number(case_no: str) -> str | None:
    """Derive 案件类型 from the 类型代字 of a 案号 (执 / 执恢 / 执保 / 执异); other 代字 give 其他."""
    m = CASE_NO.match(case_no or "")
    if not m:
        return None
    return KIND_TO_TYPE.get(m.group("kind"), "其他")


def case_number_year(case_no: str) -> int | None:
    m = CASE_NO.match(case_no or "")
    return int(m.group("year")) if m else None


# ---- row checks (the meaning of a whole record) ---------------------------------------------------------------

class RowProblems:
    """Collects one row's problems into the run's report (errors and warnings lists of Problem)."""

    def __init__(self, file: str, sheet: str | None, number: int, report, headers: dict[str, str], problem):
        self.file, self.sheet, self.number, self.report, self.headers = file, sheet, number, report, headers
        self.problem = problem
        self.failed = False

    def _col(self, column: str | None) -> str | None:
        return self.headers.get(column, column) if column else None

    def error(self, column: str | None, reason: str, value: object = None) -> None:
        self.failed = True
        self.report.errors.append(self.problem(self.file, self.number, self._col(column), reason, self.sheet,
                                               None if value is None else str(value)[:60]))

    def warn(self, column: str | None, reason: str) -> None:
        self.report.warnings.append(self.problem(self.file, self.number, self._col(column), reason, self.sheet))


def _normalize_tags(text: str | None) -> str | None:
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"[、,，;；/\s]+", text) if p.strip()]
    return "、".join(dict.fromkeys(parts))[:100] or None


def _three_months_after(day: dt.date) -> dt.date:
    month = day.month + 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_case(rec: dict, row: RowProblems, court: str, transfer_reasons: tuple[str, ...],
               courts: tuple = ()) -> None:
    # A blank 执行法院: the configured court whose code the 案号 carries (a 中院's database), else this court.
    rec["court"] = rec.get("court") or court_from_case_no(rec.get("case_no"), courts) or court
    derived = case_type_from_number(rec["case_no"])
    if not rec.get("case_type"):
        if derived is None:
            row.error("case_type", f"案件类型为空，且无法从案号“{rec['case_no']}”识别类型代字")
            return
        rec["case_type"] = derived
    elif derived and derived != "其他" and derived != rec["case_type"]:
        row.warn("case_type", f"案件类型“{rec['case_type']}”与案号类型代字（{derived}）不一致")
    if rec["case_type"] not in CASE_TYPES:
        row.warn("case_type", f"案件类型“{rec['case_type']}”不在标准取值（{'/'.join(CASE_TYPES)}）中")
    for money in ("applied_amount", "recovered_amount"):
        if rec.get(money) is None:
            rec[money] = Decimal("0.00")
    if rec.get("suspended_days") is None:
        rec["suspended_days"] = 0
    rec["tags"] = _normalize_tags(rec.get("tags"))
    filing, closing, method = rec["filing_date"], rec.get("closing_date"), rec.get("closing_method")
    if closing is not None and closing < filing:
        row.error("closing_date", f"结案日期 {closing} 早于立案日期 {filing}")
    if closing is not None and not method:
        row.error("closing_method", "已结案件（有结案日期）缺少结案方式")
    if closing is None and method:
        row.warn("closing_method", "未填结案日期却填写了结案方式，按未结案件处理")
        rec["closing_method"] = None
        rec["closing_reason"] = None
    if method and method not in CLOSING_METHODS:
        row.warn("closing_method", f"结案方式“{method}”不在标准取值中")
    if rec.get("cross_role") and rec["cross_role"] not in CROSS_ROLES:
        row.warn("cross_role", f"交叉执行角色“{rec['cross_role']}”应为空、承接或交出")
    if rec.get("zhongben_review") and rec["zhongben_review"] not in ("合格", "不合格"):
        row.warn("zhongben_review", f"终本评查结果“{rec['zhongben_review']}”应为合格、不合格或空")
    if method == ZHONGBEN and closing is not None and closing < _three_months_after(filing):
        row.warn("closing_date", "终本案件立案不足3个月即结案（终本须满3个月）")
    if rec["recovered_amount"] > rec["applied_amount"] and rec["applied_amount"] > 0:
        row.warn("recovered_amount", "执行到位金额大于申请执行标的金额")
    year = case_number_year(rec["case_no"])
    if year is not None and year != filing.year:
        row.warn("case_no", f"案号年份 {year} 与立案年份 {filing.year} 不一致")
    if rec.get("cross_role") == "交出" and closing is not None and not (
            method == TERMINATION and rec.get("closing_reason") in transfer_reasons):
        row.warn("closing_method", "交出案件未以终结执行（指定执行/提级执行/委托执行）结案")


def check_other(spec: TableSpec, rec: dict, row: RowProblems) -> None:
    if spec.name == "auctions":
        if rec["result"] == "成交" and rec.get("deal_price") is None:
            row.error("deal_price", "拍卖结果为成交但缺少成交价")
        if rec["result"] not in AUCTION_RESULTS:
            row.warn("result", f"拍卖结果“{rec['result']}”不在标准取值中")
        if rec["start_price"] is not None and rec["start_price"] <= 0:
            row.error("start_price", "起拍价必须大于0")
    if spec.name == "measures":
        if rec.get("persons") is None:
            rec["persons"] = 1
        if rec["measure_type"] not in MEASURE_TYPES:
            row.warn("measure_type", f"措施类型“{rec['measure_type']}”不在标准取值中")
    if spec.name == "entrustments":
        if rec.get("due_days") is None:
            rec["due_days"] = 30
        if rec["direction"] not in ("收到", "发出"):
            row.warn("direction", f"方向“{rec['direction']}”应为收到或发出")
