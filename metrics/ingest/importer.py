"""Import CSV/XLSX files into the case database: validate every row first, then upsert all files in one transaction."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from metrics.engine.schema import (
    AUCTION_RESULTS,
    CASE_TYPES,
    CLOSING_METHODS,
    CROSS_ROLES,
    MEASURE_TYPES,
    TABLE_BY_FILE_STEM,
    TABLES,
    TERMINATION,
    ZHONGBEN,
    Field,
    TableSpec,
    metadata,
)

CASE_NO = re.compile(r"^[（(](?P<year>\d{4})[)）](?P<court>\D+\d+)(?P<kind>\D+?)(?P<seq>\d+)号$")
KIND_TO_TYPE = {"执": "首次执行", "执恢": "恢复执行", "执保": "财产保全", "执异": "执行异议"}
DEFAULT_TRANSFER_REASONS = ("指定执行", "提级执行", "委托执行")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row number (header = row 1); None for the whole file
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" “{self.column}”列"
        return f"{where}：{self.reason}"


@dataclass
class ImportReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"导入被拒绝：发现 {len(report.errors)} 处错误，数据库未作任何改动")


def normalize_case_no(value: str | None) -> str | None:
    """案号 and 文书号 are written with half- or full-width parentheses; store one form so joins match."""
    if value is None:
        return None
    value = re.sub(r"\s+", "", value).replace("（", "(").replace("）", ")")
    return value or None


def case_type_from_number(case_no: str) -> str | None:
    """Derive 案件类型 from the 类型代字 of a 案号 (执 / 执恢 / 执保 / 执异).

    Other 代字 give 其他; an unparsable 案号 gives None.
    """
    m = CASE_NO.match(case_no or "")
    if not m:
        return None
    return KIND_TO_TYPE.get(m.group("kind"), "其他")


def case_number_year(case_no: str) -> int | None:
    m = CASE_NO.match(case_no or "")
    return int(m.group("year")) if m else None


# ---- reading files ---------------------------------------------------------------------------------------------

def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on a Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("文件编码无法识别（应为 UTF-8 或 GBK）")
    return [row for row in csv.reader(io.StringIO(text))]


def _read_xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(path: Path) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise ValueError(f"不支持的文件类型“{suffix}”，只能导入 .csv 或 .xlsx")


# ---- parsing cells -----------------------------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}”不是有效日期（应为 YYYY-MM-DD）")


def parse_money(value) -> Decimal:
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是有效金额") from None
    if not amount.is_finite():
        raise ValueError(f"“{value}”不是有效金额")
    if amount < 0:
        raise ValueError(f"金额不能为负数（{value}）")
    return amount.quantize(Decimal("0.01"))


def parse_int(value) -> int:
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是整数") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"“{value}”不是整数")
    return int(number)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("是", "有", "true", "1", "y", "yes"):
        return True
    if text in ("否", "无", "false", "0", "n", "no"):
        return False
    raise ValueError(f"“{value}”应为 是 或 否")


PARSERS = {"date": parse_date, "money": parse_money, "int": parse_int, "bool": parse_bool,
           "text": lambda v: str(v).strip()}


# ---- validation ----------------------------------------------------------------------------------------------------

class _Row:
    def __init__(self, file: str, number: int, report: ImportReport):
        self.file, self.number, self.report = file, number, report

    def error(self, column: str | None, reason: str) -> None:
        self.report.errors.append(Problem(self.file, self.number, column, reason))

    def warn(self, column: str | None, reason: str) -> None:
        self.report.warnings.append(Problem(self.file, self.number, column, reason))


def _normalize_tags(text: str | None) -> str | None:
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"[、,，;；/\s]+", text) if p.strip()]
    return "、".join(dict.fromkeys(parts)) or None


def _three_months_after(day: dt.date) -> dt.date:
    month = day.month + 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_case(rec: dict, row: _Row, court: str, transfer_reasons: tuple[str, ...]) -> None:
    rec["case_no"] = normalize_case_no(rec["case_no"])
    rec["basis_doc_no"] = normalize_case_no(rec.get("basis_doc_no"))
    rec["court"] = rec.get("court") or court
    derived = case_type_from_number(rec["case_no"])
    if not rec.get("case_type"):
        if derived is None:
            row.error("案件类型", f"案件类型为空，且无法从案号“{rec['case_no']}”识别类型代字")
            return
        rec["case_type"] = derived
    elif derived and derived != "其他" and derived != rec["case_type"]:
        row.warn("案件类型", f"案件类型“{rec['case_type']}”与案号类型代字（{derived}）不一致")
    if rec["case_type"] not in CASE_TYPES:
        row.warn("案件类型", f"案件类型“{rec['case_type']}”不在标准取值（{'/'.join(CASE_TYPES)}）中")
    rec["applied_amount"] = rec.get("applied_amount") if rec.get("applied_amount") is not None else Decimal("0.00")
    rec["recovered_amount"] = (rec.get("recovered_amount") if rec.get("recovered_amount") is not None
                               else Decimal("0.00"))
    if rec.get("suspended_days") is None:
        rec["suspended_days"] = 0
    elif rec["suspended_days"] < 0:
        row.error("扣除审限天数", "扣除审限天数不能为负数")
    rec["tags"] = _normalize_tags(rec.get("tags"))
    filing, closing, method = rec["filing_date"], rec.get("closing_date"), rec.get("closing_method")
    if closing is not None and closing < filing:
        row.error("结案日期", f"结案日期 {closing} 早于立案日期 {filing}")
    if closing is not None and not method:
        row.error("结案方式", "已结案件（有结案日期）缺少结案方式")
    if closing is None and method:
        row.warn("结案方式", "未填结案日期却填写了结案方式，按未结案件处理")
        rec["closing_method"] = None
        rec["closing_reason"] = None
    if method and method not in CLOSING_METHODS:
        row.warn("结案方式", f"结案方式“{method}”不在标准取值中")
    if rec.get("cross_role") and rec["cross_role"] not in CROSS_ROLES:
        row.warn("交叉执行角色", f"交叉执行角色“{rec['cross_role']}”应为空、承接或交出")
    if rec.get("zhongben_review") and rec["zhongben_review"] not in ("合格", "不合格"):
        row.warn("终本评查结果", f"终本评查结果“{rec['zhongben_review']}”应为合格、不合格或空")
    # Merely unusual: accepted, reported as data-quality warnings.
    if method == ZHONGBEN and closing is not None and closing < _three_months_after(filing):
        row.warn("结案日期", "终本案件立案不足3个月即结案（终本须满3个月）")
    if rec["recovered_amount"] > rec["applied_amount"] and rec["applied_amount"] > 0:
        row.warn("执行到位金额(元)", "执行到位金额大于申请执行标的金额")
    year = case_number_year(rec["case_no"])
    if year is not None and year != filing.year:
        row.warn("案号", f"案号年份 {year} 与立案年份 {filing.year} 不一致")
    if rec.get("cross_role") == "交出" and closing is not None and not (
            method == TERMINATION and rec.get("closing_reason") in transfer_reasons):
        row.warn("结案方式", "交出案件未以终结执行（指定执行/提级执行/委托执行）结案")


def _check_other(spec: TableSpec, rec: dict, row: _Row) -> None:
    if spec.name == "judgments":
        rec["doc_no"] = normalize_case_no(rec["doc_no"])
    if spec.name in ("auctions", "measures"):
        rec["case_no"] = normalize_case_no(rec.get("case_no"))
    if spec.name == "auctions":
        if rec["result"] == "成交" and rec.get("deal_price") is None:
            row.error("成交价(元)", "拍卖结果为成交但缺少成交价")
        if rec["result"] not in AUCTION_RESULTS:
            row.warn("拍卖结果", f"拍卖结果“{rec['result']}”不在标准取值中")
        if rec["start_price"] is not None and rec["start_price"] <= 0:
            row.error("起拍价(元)", "起拍价必须大于0")
    if spec.name == "measures":
        if rec.get("persons") is None:
            rec["persons"] = 1
        elif rec["persons"] < 1:
            row.error("人次", f"人次应至少为1（现为{rec['persons']}）")
        if rec["measure_type"] not in MEASURE_TYPES:
            row.warn("措施类型", f"措施类型“{rec['measure_type']}”不在标准取值中")
    if spec.name == "entrustments":
        if rec.get("due_days") is None:
            rec["due_days"] = 30
        elif rec["due_days"] < 0:
            row.error("办理期限(天)", "办理期限不能为负数")
        if rec["direction"] not in ("收到", "发出"):
            row.warn("方向", f"方向“{rec['direction']}”应为收到或发出")


def parse_table_file(path: Path, report: ImportReport, court: str,
                     transfer_reasons: tuple[str, ...] = DEFAULT_TRANSFER_REASONS) -> tuple[TableSpec | None, list]:
    """Read one file into validated records; problems go to the report."""
    name = path.name
    spec = TABLE_BY_FILE_STEM.get(path.stem.strip())
    if spec is None:
        known = "、".join(f"{k}/{v.chinese}" for k, v in TABLES.items())
        report.errors.append(Problem(name, None, None, f"无法由文件名识别数据表，文件名应为：{known}"))
        return None, []
    try:
        rows = read_rows(path)
    except FileNotFoundError:
        report.errors.append(Problem(name, None, None, "文件不存在"))
        return spec, []
    except Exception as exc:  # a corrupt workbook, an undecodable CSV
        report.errors.append(Problem(name, None, None, f"文件无法读取：{exc}"))
        return spec, []
    rows = [r for r in rows if any(not _blank(c) for c in r)]
    if not rows:
        report.errors.append(Problem(name, None, None, "文件为空，没有表头"))
        return spec, []
    lookup = spec.by_header()
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    fields: list[Field | None] = []
    for h in header:
        if h == "":
            fields.append(None)
            continue
        if h not in lookup:
            report.errors.append(Problem(name, 1, h, f"未知列，{spec.chinese}表的列为："
                                         + "、".join(f.header for f in spec.fields)))
        fields.append(lookup.get(h))
    present = {f.name for f in fields if f}
    for f in spec.fields:
        if f.required and f.name not in present:
            report.errors.append(Problem(name, 1, f.header, "缺少必需的列"))
    names = [f.name for f in fields if f]
    if len(names) != len(set(names)):
        report.errors.append(Problem(name, 1, None, "表头中有重复的列（中英文表头指向同一列也算重复）"))
    if report.errors and any(p.file == name for p in report.errors):
        return spec, []

    records, seen = [], {}
    for number, raw in enumerate(rows[1:], start=2):
        row = _Row(name, number, report)
        rec: dict = {}
        for f, cell in zip(fields, list(raw) + [None] * (len(fields) - len(raw)), strict=False):
            if f is None:
                continue
            if _blank(cell):
                if f.required:
                    row.error(f.header, "必填项为空")
                rec[f.name] = None
                continue
            try:
                rec[f.name] = PARSERS[f.kind](cell)
            except ValueError as exc:
                row.error(f.header, str(exc))
                rec[f.name] = None
        if any(p.row == number and p.file == name for p in report.errors):
            continue
        if spec.name == "cases":
            _check_case(rec, row, court, transfer_reasons)
        else:
            _check_other(spec, rec, row)
        key = rec.get(spec.key)
        if key in seen:
            row.error(next(f.header for f in spec.fields if f.name == spec.key),
                      f"主键“{key}”重复（与第{seen[key]}行相同）")
            continue
        seen[key] = number
        records.append(rec)
    return spec, records


# ---- writing -------------------------------------------------------------------------------------------------

def upsert(conn, spec: TableSpec, records: list[dict]) -> tuple[int, int]:
    """Insert new keys, update existing ones; returns (inserted, updated)."""
    table, key = spec.table, spec.table.c[spec.key]
    columns = [f.name for f in spec.fields]
    keys = [r[spec.key] for r in records]
    existing: set = set()
    for i in range(0, len(keys), 500):
        existing.update(conn.execute(select(key).where(key.in_(keys[i:i + 500]))).scalars())
    full = [{c: r.get(c) for c in columns} for r in records]
    new = [r for r in full if r[spec.key] not in existing]
    old = [r for r in full if r[spec.key] in existing]
    if new:
        conn.execute(table.insert(), new)
    if old:
        stmt = update(table).where(key == bindparam("_key")).values(
            {c: bindparam(c) for c in columns if c != spec.key})
        conn.execute(stmt, [{**r, "_key": r[spec.key]} for r in old])
    return len(new), len(old)


def import_files(engine: Engine, paths: list[Path], court: str,
                 transfer_reasons: tuple[str, ...] = DEFAULT_TRANSFER_REASONS,
                 mark_sample: bool = False) -> ImportReport:
    """Validate all files; write all of them in one transaction, or nothing. Raises ImportRejected on errors."""
    report = ImportReport()
    parsed: dict[str, tuple[TableSpec, list]] = {}
    for path in paths:
        spec, records = parse_table_file(Path(path), report, court, transfer_reasons)
        if spec is None:
            continue
        if spec.name in parsed:
            # Two files for one table in a run: keys must not collide across them either.
            seen = {r[spec.key] for r in parsed[spec.name][1]}
            for r in records:
                if r[spec.key] in seen:
                    report.errors.append(Problem(Path(path).name, None, spec.key,
                                                 f"主键“{r[spec.key]}”在本次导入的另一文件中已出现"))
            parsed[spec.name][1].extend(records)
        else:
            parsed[spec.name] = (spec, records)
    if report.errors:
        raise ImportRejected(report)
    _cross_table_warnings(parsed, report)
    metadata.create_all(engine)
    from metrics.engine.db import bump_data_version
    from metrics.engine.schema import dataset_info

    with engine.begin() as conn:
        for name in TABLES:  # cases first, so later checks can see them
            if name not in parsed:
                continue
            spec, records = parsed[name]
            inserted, updated = upsert(conn, spec, records)
            report.inserted[name], report.updated[name] = inserted, updated
        if mark_sample:
            conn.execute(dataset_info.delete().where(dataset_info.c.key == "source"))
            conn.execute(dataset_info.insert(), [{"key": "source", "value": "sample"}])
        bump_data_version(conn)
    return report


def _cross_table_warnings(parsed: dict, report: ImportReport) -> None:
    if "cases" not in parsed:
        return
    known = {r["case_no"] for r in parsed["cases"][1]}
    for name in ("auctions", "measures"):
        if name in parsed:
            missing = [r for r in parsed[name][1] if r.get("case_no") and r["case_no"] not in known]
            if missing:
                report.warnings.append(Problem(f"{TABLES[name].chinese}", None, "案号",
                                               f"{len(missing)} 行的案号不在本次导入的执行案件中"))
