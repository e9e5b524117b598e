"""Import court exports: read every sheet, understand its header, validate every row, then write all in one go.

A run is all or nothing: every file is read and validated first (nothing is written while any error stands), then
all rows are upserted in one transaction together with the import's record (for 导入记录 and 撤销) and a new
data version. Problems name file, sheet, row (as the spreadsheet numbers it), column, value and reason, and never
show another row's data.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from metrics.engine.schema import (
    TABLES,
    TableSpec,
    metadata,
)
from metrics.ingest.checks import RowProblems, case_type_from_number, check_case, check_other
from metrics.ingest.headers import (
    MONEY_UNITS,
    Header,
    all_known_names,
    find_header,
    is_footer,
    recognise,
    resolve,
    table_from_name,
)
from metrics.ingest.mapping import Mapping
from metrics.ingest.reader import FormulaWithoutValue, ReadError, read_sheets
from metrics.ingest.values import VALUE_ALIASES, ValueProblem, column_lengths, normalize_case_no, parse_cell

DEFAULT_TRANSFER_REASONS = ("指定执行", "提级执行", "委托执行")
PREVIEW_ROWS = 5

__all__ = ["ImportRejected", "ImportRefused", "ImportReport", "Problem", "import_files", "normalize_case_no",
           "case_type_from_number", "validate_files"]

Source = Path | str | tuple[str, bytes]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # the row number as the spreadsheet shows it; None for the whole file or sheet
    column: str | None  # the column as the file names it
    reason: str
    sheet: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" “{self.column}”列"
        return f"{where}：{self.reason}"


@dataclass
class SheetPlan:
    """How one sheet was understood: the page shows it before anything is imported."""

    file: str
    sheet: str
    table: str | None = None
    header: Header | None = None
    rows: int = 0  # data rows read (footers and blank rows not counted)
    footers: list[int] = field(default_factory=list)
    skipped: str | None = None  # why the sheet is not imported
    preview: list[dict] = field(default_factory=list)
    found_headers: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plans: list[SheetPlan] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    records: dict[str, list[dict]] = field(default_factory=dict)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def rows_read(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.records.items()}


class ImportRejected(Exception):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"导入被拒绝：发现 {len(report.errors)} 处错误，数据库未作任何改动")


class ImportRefused(Exception):
    """The target database must not take this import (the sample database); the message says what to do."""


SAMPLE_REFUSAL = ("当前数据库是示例数据库（合成数据），不能导入本院真实数据，以免与示例数据混在一起。"
                  "请先指定本院自己的数据库：设置环境变量 DATABASE_URL，或在 config.yaml 中把 database.url 改为本院"
                  "数据库地址（例如 sqlite:///data/court.db 或 postgresql+psycopg://用户:密码@主机:5432/库名），"
                  "并把 database.sample 设为 false；命令行也可用 --db 指定。")


# ---- reading one sheet -------------------------------------------------------------------------------------------

@dataclass
class _Options:
    court: str
    transfer_reasons: tuple[str, ...]
    mapping: Mapping
    courts: tuple = ()  # several courts in one database: a blank 执行法院 follows the 案号's court code


def _pick_table(plan: SheetPlan, header: Header, file_name: str, mapping: Mapping) -> str | None:
    candidates = recognise(header, mapping.headers)
    hint = table_from_name(plan.sheet) if plan.sheet else None
    hint = hint or table_from_name(Path(file_name).stem)
    if hint and (hint in candidates or len(candidates) != 1):
        return hint
    if len(candidates) == 1:
        return candidates[0]
    return None


def _read_sheet(file_name: str, sheet, report: ImportReport,
                opts: _Options) -> tuple[SheetPlan, TableSpec | None, list[dict]]:
    plan = SheetPlan(file_name, sheet.name)
    report.plans.append(plan)
    rows = iter(sheet.rows)
    head = list(itertools.islice(rows, 30))
    if not head:
        plan.skipped = "空工作表"
        return plan, None, []
    known = all_known_names(opts.mapping.headers)
    header = find_header(head, known)
    if header is None:
        plan.found_headers = [str(c).strip() for c in head[0][1] if c is not None and str(c).strip()][:30]
        plan.skipped = "找不到可识别的表头（前30行中没有一行含两个以上已知列名）"
        return plan, None, []
    plan.header = header
    plan.found_headers = [c.original for c in header.columns]
    table = _pick_table(plan, header, file_name, opts.mapping)
    where = dict(file=file_name, row=header.row, sheet=sheet.name or None)
    if table is None:
        matches = recognise(header, opts.mapping.headers)
        what = ("同时符合" + "、".join(TABLES[t].chinese for t in matches) + "，无法确定是哪一张"
                if matches else "不符合任何一张数据表（缺少主键或必填列）")
        report.errors.append(Problem(column=None, reason=f"无法识别数据表：表头{what}。找到的表头为："
                                     + "、".join(plan.found_headers), **where))
        return plan, None, []
    plan.table = table
    spec = TABLES[table]
    resolve(header, table, opts.mapping.headers)
    fields = {f.name: f for f in spec.fields}
    targets: dict[str, list] = {}
    for col in header.columns:
        if col.target:
            targets.setdefault(col.target, []).append(col)
    failed = False
    for target, cols in targets.items():
        if len(cols) > 1:
            failed = True
            report.errors.append(Problem(column=cols[1].original, reason="表头重复：" + "、".join(
                f"“{c.original}”" for c in cols) + f" 都对应“{fields[target].header}”，请在对照表中把其中一列设为忽略",
                **where))
    for f in spec.fields:
        if f.required and f.name not in targets:
            failed = True
            report.errors.append(Problem(column=f.header, reason="缺少必需的列。找到的表头为："
                                         + "、".join(plan.found_headers), **where))
    multipliers: dict[str, int] = {}
    for target, cols in targets.items():
        col = cols[0]
        if fields[target].kind != "money":
            continue
        unit = col.unit or opts.mapping.unit_for(table, col.name) or "元"
        if unit not in MONEY_UNITS:
            failed = True
            report.errors.append(Problem(column=col.original, reason=f"金额列的单位“{unit}”无法识别，应为元或万元",
                                         **where))
        multipliers[target] = MONEY_UNITS.get(unit, 1)
    if failed:
        return plan, spec, []
    return plan, spec, _read_records(file_name, sheet.name, spec, header, head, rows, targets, multipliers,
                                     report, opts, plan)


def _read_records(file_name, sheet_name, spec, header, head, rows, targets, multipliers, report, opts,
                  plan) -> list[dict]:
    from metrics.access.masking import mask_name

    lengths = column_lengths(spec.name)
    kinds = {f.name: f for f in spec.fields}
    by_index = {cols[0].index: (target, cols[0]) for target, cols in targets.items()}
    headers_cn = {f.name: f.header for f in spec.fields}  # the file's own header where it has the column
    headers_cn.update({target: cols[0].original for target, cols in targets.items()})
    width = max(c.index for c in header.columns) + 1
    aliases = {col: {**VALUE_ALIASES.get(col, {}), **opts.mapping.values.get(col, {})}
               for col in {*VALUE_ALIASES, *opts.mapping.values}}
    rule = opts.mapping.date_rule.fixed()
    records: list[dict] = []
    body = itertools.chain((r for r in head if r[0] > header.row), rows)
    for number, cells in body:
        if is_footer(cells):
            plan.footers.append(number)
            report.warnings.append(Problem(file_name, number, None, "表尾行（合计/制表人/打印日期等），未导入",
                                           sheet_name or None))
            continue
        extra = [c for c in cells[width:] if c is not None and str(c).strip()]
        row = RowProblems(file_name, sheet_name or None, number, report, headers_cn, Problem)
        if extra:
            row.error(None, f"本行比表头多出 {len(extra)} 个有内容的单元格，数据可能错列"
                            "（例如未加引号的千位分隔符 1,234.5 被拆成两格），请检查此行")
            continue
        if not any(i < len(cells) and cells[i] is not None and str(cells[i]).strip() for i in by_index):
            continue  # only ignored columns (序号 …) filled: not a record
        rec: dict = {}
        for index, (target, _col) in by_index.items():
            cell = cells[index] if index < len(cells) else None
            f = kinds[target]
            if cell is FormulaWithoutValue:  # the reader's sentinel is the class itself
                row.error(target, "公式单元格没有计算结果：请在 Excel 中打开文件、保存后再导入")
                rec[target] = None
                continue
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if f.required:
                    row.error(target, "必填项为空")
                rec[target] = None
                continue
            try:
                rec[target] = parse_cell(f.kind, target, cell, multiplier=multipliers.get(target, 1), rule=rule,
                                         aliases=aliases.get(target), max_length=lengths.get(target))
            except ValueProblem as exc:
                row.error(target, str(exc))
                rec[target] = None
        if row.failed:
            continue
        if spec.name == "cases":
            check_case(rec, row, opts.court, opts.transfer_reasons, opts.courts)
        else:
            check_other(spec, rec, row)
        if row.failed:
            continue
        rec["_where"] = (file_name, sheet_name, number)
        records.append(rec)
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append(_preview(spec, rec, mask_name, {*targets, "court", "case_type"}))
    plan.rows = len(records)
    return records


def _preview(spec: TableSpec, rec: dict, mask, shown: set[str]) -> dict:
    """A record as it will be stored, under the canonical Chinese headers (money in 元), debtor names masked, also
    inside a 标的物 (lot) name ("被执行人张伟明名下住宅" → "被执行人张**名下住宅")."""
    from metrics.access.masking import mask_text

    out = {}
    for f in spec.fields:
        if f.name not in shown:
            continue
        value = rec.get(f.name)
        if f.name == "debtor_name" and value:
            value = mask(value)
        elif f.name == "lot_name" and value:
            value = mask_text(value)
        elif f.kind == "money" and value is not None:
            value = f"{value:,.2f}"
        elif f.kind == "bool" and value is not None:
            value = "是" if value else "否"
        out[f.header] = value
    return out


# ---- a whole run ------------------------------------------------------------------------------------------------

def _source(src: Source) -> tuple[str, bytes | Path]:
    if isinstance(src, tuple):
        return src[0], src[1]
    return Path(src).name, Path(src)


def _file_bytes(name: str, data: bytes | Path, report: ImportReport) -> bytes | None:
    if isinstance(data, bytes):
        return data
    try:
        return data.read_bytes()
    except FileNotFoundError:
        report.errors.append(Problem(name, None, None, "文件不存在"))
    except IsADirectoryError:
        report.errors.append(Problem(name, None, None, "这是一个文件夹，不是文件"))
    except OSError as exc:
        report.errors.append(Problem(name, None, None, f"文件无法打开（{exc.strerror or type(exc).__name__}）"))
    return None


def validate_files(sources: list[Source], court: str,
                   transfer_reasons: tuple[str, ...] = DEFAULT_TRANSFER_REASONS, mapping: Mapping | None = None,
                   progress: Progress | None = None, accept_amounts: bool = False,
                   courts: tuple = ()) -> ImportReport:
    """Read and validate every file; nothing is written. The report holds plans, problems and the records."""
    report = ImportReport()
    opts = _Options(court, tuple(transfer_reasons), mapping or Mapping(), tuple(courts))
    seen: dict[str, dict] = {}
    for i, src in enumerate(sources):
        name, data = _source(src)
        raw = _file_bytes(name, data, report)
        if raw is None:
            continue
        info = {"name": name, "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw), "sheets": []}
        report.files.append(info)
        share = 1 / max(len(sources), 1)

        def file_progress(frac: float, i=i, name=name, share=share) -> None:
            if progress:
                progress(min((i + frac) * share, 1.0), f"正在读取 {name}")
        try:
            sheets = read_sheets(raw, name, progress=file_progress)
        except ReadError as exc:
            report.errors.append(Problem(name, None, None, str(exc)))
            continue
        try:  # the reader reports progress while its rows are consumed here
            recognised = 0
            for sheet in sheets:
                plan, spec, records = _read_sheet(name, sheet, report, opts)
                if plan.table:
                    recognised += 1
                    info["sheets"].append({"sheet": sheet.name, "table": plan.table, "rows": len(records)})
                if spec is None or not records:
                    continue
                _merge_records(spec, records, seen, report)
        except ReadError as exc:  # a reader that streams can fail half-way through a sheet
            report.errors.append(Problem(name, None, None, str(exc)))
            continue
        if not recognised and not any(p.file == name for p in report.errors):
            found = next((p.found_headers for p in report.plans if p.file == name and p.found_headers), [])
            report.errors.append(Problem(name, None, None, "没有一个工作表能识别为数据表（" + (
                "找到的表头为：" + "、".join(found) if found else "文件中没有表头") + "）"))
    report.records = {name: list(v.values()) for name, v in seen.items()}
    for plan in report.plans:
        if plan.table and plan.rows == 0 and not any(p.file == plan.file and p.row is not None
                                                     for p in report.errors):
            report.warnings.append(Problem(plan.file, None, None, "只有表头，没有数据行", plan.sheet or None))
    if report.files and not report.errors and not any(report.records.values()):
        report.errors.append(Problem("、".join(f["name"] for f in report.files), None, None,
                                     "没有可导入的数据行（文件只有表头，或只有合计、制表人等表尾行）"))
    _cross_table_warnings(report)
    _amount_checks(report, accept_amounts)
    if progress:
        progress(1.0, "校验完成")
    return report


def _merge_records(spec: TableSpec, records: list[dict], seen: dict, report: ImportReport) -> None:
    table_seen = seen.setdefault(spec.name, {})
    key_header = next(f.header for f in spec.fields if f.name == spec.key)
    for rec in records:
        key = rec[spec.key]
        if key in table_seen:
            first = table_seen[key]["_where"]
            file, sheet, number = rec["_where"]
            reason = f"主键“{key}”重复（与 {first[0]} 第{first[2]}行相同）"
            report.errors.append(Problem(file, number, key_header, reason, sheet or None))
            continue
        table_seen[key] = rec


def _cross_table_warnings(report: ImportReport) -> None:
    if "cases" not in report.records:
        return
    known = {r["case_no"] for r in report.records["cases"]}
    for name in ("auctions", "measures"):
        missing = [r for r in report.records.get(name, []) if r.get("case_no") and r["case_no"] not in known]
        if missing:
            report.warnings.append(Problem(TABLES[name].chinese, None, "案号",
                                           f"{len(missing)} 行的案号不在本次导入的执行案件中"))


def _amount_checks(report: ImportReport, accept: bool) -> None:
    """A unit mix-up (万元 read as 元) makes 到位 exceed 申请 in aggregate: never import that silently (F-2)."""
    rows = [r for r in report.records.get("cases", []) if r["applied_amount"] > 0]
    if not rows:
        return
    applied = sum(r["applied_amount"] for r in rows)
    recovered = sum(r["recovered_amount"] for r in rows)
    if recovered > applied and not accept:
        report.errors.append(Problem(
            "执行案件", None, None,
            f"执行到位金额合计（{recovered / 10000:,.2f}万元）大于申请执行标的金额合计（{applied / 10000:,.2f}万元），"
            "到位率将超过100%。多半是两列单位不一致（一列为万元、一列为元）：请在表头写明单位，或在对照表中设置单位；"
            "确认无误时可加 --accept-amounts（页面上勾选“确认金额无误”）后再导入"))
    amounts = sorted(r["applied_amount"] for r in rows)
    median = amounts[len(amounts) // 2]
    if median < 100:
        report.warnings.append(Problem(
            "执行案件", None, "申请执行标的金额", f"申请执行标的金额的中位数只有 {median} 元，像是以万元填写的；"
            "若原表单位是万元，请在表头写明（万元）或在对照表中设置单位"))


def _diff_upsert(conn, spec: TableSpec, records: list[dict], log: list[dict]) -> tuple[int, int, int]:
    """Insert new keys, update changed rows (before-image logged), count unchanged ones."""
    from metrics.ingest.batches import before_image

    table, key = spec.table, spec.table.c[spec.key]
    columns = [f.name for f in spec.fields]
    full = [{c: r.get(c) for c in columns} for r in records]
    new, changed, same = [], [], 0
    for i in range(0, len(full), 500):
        chunk = full[i:i + 500]
        existing = {row[spec.key]: row for row in (
            dict(m) for m in conn.execute(select(table).where(key.in_([r[spec.key] for r in chunk]))).mappings())}
        for rec in chunk:
            old = existing.get(rec[spec.key])
            if old is None:
                new.append(rec)
            elif any(_differs(old.get(c), rec.get(c)) for c in columns):
                changed.append(rec)
                log.append({"table_name": spec.name, "row_key": rec[spec.key], "action": "update",
                            "before": before_image({c: old.get(c) for c in columns})})
            else:
                same += 1
    for i in range(0, len(new), 5000):
        conn.execute(table.insert(), new[i:i + 5000])
    log.extend({"table_name": spec.name, "row_key": r[spec.key], "action": "insert", "before": None} for r in new)
    if changed:
        stmt = update(table).where(key == bindparam("_key")).values(
            {c: bindparam(c) for c in columns if c != spec.key})
        conn.execute(stmt, [{**r, "_key": r[spec.key]} for r in changed])
    return len(new), len(changed), same


def _differs(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(old) if old is not None else None) != (Decimal(new) if new is not None else None)
    if isinstance(old, int) and isinstance(new, bool):  # MariaDB returns BOOLEAN as 0/1
        return bool(old) != new
    return old != new


def import_files(engine: Engine, sources: list[Source], court: str,
                 transfer_reasons: tuple[str, ...] = DEFAULT_TRANSFER_REASONS, mark_sample: bool = False, *,
                 mapping: Mapping | None = None, dry_run: bool = False, user: str | None = None,
                 progress: Progress | None = None, accept_amounts: bool = False,
                 courts: tuple = ()) -> ImportReport:
    """Validate all files, then write all of them in one transaction, or nothing.

    Raises ImportRejected when any error stands, ImportRefused for the sample database. With dry_run nothing is
    written (the report says what would be read).
    """
    from metrics.engine.db import bump_data_version, is_sample
    from metrics.engine.schema import dataset_info
    from metrics.ingest.batches import record_batch

    if not mark_sample and not dry_run and is_sample(engine):
        raise ImportRefused(SAMPLE_REFUSAL)
    report = validate_files(sources, court, transfer_reasons, mapping, progress, accept_amounts, courts)
    if report.errors:
        raise ImportRejected(report)
    if dry_run:
        return report
    if progress:
        progress(1.0, "正在写入数据库……")
    metadata.create_all(engine)
    log: list[dict] = []
    try:
        with engine.begin() as conn:
            for name in TABLES:  # cases first, so later checks can see them
                if name not in report.records:
                    continue
                counts = _diff_upsert(conn, TABLES[name], report.records[name], log)
                report.inserted[name], report.updated[name], report.unchanged[name] = counts
            if mark_sample:
                conn.execute(dataset_info.delete().where(dataset_info.c.key == "source"))
                conn.execute(dataset_info.insert(), [{"key": "source", "value": "sample"}])
            else:
                counts = {t: {"inserted": report.inserted[t], "updated": report.updated[t],
                              "unchanged": report.unchanged[t]} for t in report.inserted}
                report.batch_id = record_batch(conn, files=report.files, counts=counts,
                                               warnings=len(report.warnings), user=user, rows=log)
            bump_data_version(conn)
    except SQLAlchemyError as exc:
        # Never the statement or its parameters: they hold other rows' personal data (review D7).
        reason = type(getattr(exc, "orig", None) or exc).__name__
        report.errors.append(Problem("数据库", None, None,
                                     f"写入数据库时出错（{reason}），已全部回滚，数据库未作任何改动"))
        raise ImportRejected(report) from None
    _refresh_statistics(engine)
    return report


def _refresh_statistics(engine: Engine) -> None:
    """The planner's statistics after new rows (issue 11); an optimisation, so a failure is not the import's."""
    from metrics.engine.db import analyze

    try:
        with engine.begin() as conn:
            analyze(conn)
    except SQLAlchemyError:
        pass
