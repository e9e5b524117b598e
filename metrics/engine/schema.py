"""The canonical case database: five tables (SPEC section 2) with their Chinese file headers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn

metadata = MetaData()

# MariaDB/MySQL: full Unicode, and binary collation so that text compares exactly as on SQLite and PostgreSQL.
MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}

# Money is stored in 元 as exact decimals, so sums agree to the cent on SQLite, PostgreSQL and MariaDB.
Money = Numeric(16, 2)

cases = Table(
    "cases",
    metadata,
    Column("case_no", String(64), primary_key=True),
    Column("court", String(100), nullable=False),
    Column("case_type", String(20), nullable=False),
    Column("filing_date", Date, nullable=False),
    Column("closing_date", Date),
    Column("closing_method", String(30)),
    Column("closing_reason", String(100)),
    Column("applied_amount", Money, nullable=False, server_default="0"),
    Column("recovered_amount", Money, nullable=False, server_default="0"),
    Column("team", String(50)),
    Column("handler", String(50)),
    Column("basis_doc_no", String(64)),
    Column("tags", String(100)),
    Column("cross_role", String(10)),
    Column("cross_mode", String(20)),
    Column("partner_court", String(100)),
    Column("suspended_days", Integer, nullable=False, server_default="0"),
    Column("zhongben_review", String(10)),
    Column("debtor_name", String(200)),
    Column("last_check_date", Date),  # 最近查控日期 (optional): the last network property check, for 终本 cases
    CheckConstraint("applied_amount >= 0", name="ck_cases_applied_nonneg"),
    CheckConstraint("recovered_amount >= 0", name="ck_cases_recovered_nonneg"),
    CheckConstraint("suspended_days >= 0", name="ck_cases_suspended_nonneg"),
    CheckConstraint("closing_date IS NULL OR closing_date >= filing_date", name="ck_cases_closing_after_filing"),
    CheckConstraint("closing_date IS NULL OR closing_method IS NOT NULL", name="ck_cases_closed_has_method"),
    **MYSQL,
)
Index("ix_cases_filing", cases.c.filing_date)
Index("ix_cases_closing", cases.c.closing_date)
# The judgment link (裁判自动履行率) reads each judgment's earliest 首次执行 case from this index alone (covering).
Index("ix_cases_basis_link", cases.c.basis_doc_no, cases.c.case_type, cases.c.filing_date)

judgments = Table(
    "judgments",
    metadata,
    Column("doc_no", String(64), primary_key=True),
    Column("court", String(100)),
    Column("effective_date", Date, nullable=False),
    Column("has_payment", Boolean, nullable=False),
    Column("doc_kind", String(10)),
    **MYSQL,
)
Index("ix_judgments_effective", judgments.c.effective_date)

auctions = Table(
    "auctions",
    metadata,
    Column("auction_id", String(64), primary_key=True),
    Column("case_no", String(64)),
    Column("lot_name", String(200)),
    Column("asset_type", String(20)),
    Column("round", String(10)),
    Column("appraisal_price", Money),
    Column("start_price", Money, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("result", String(10), nullable=False),
    Column("deal_price", Money),
    Column("seizure_date", Date),
    CheckConstraint("start_price > 0", name="ck_auctions_start_positive"),
    CheckConstraint("result <> '成交' OR deal_price IS NOT NULL", name="ck_auctions_deal_price"),
    **MYSQL,
)
Index("ix_auctions_end", auctions.c.end_date)

measures = Table(
    "measures",
    metadata,
    Column("measure_id", String(64), primary_key=True),
    Column("case_no", String(64)),
    Column("measure_type", String(20), nullable=False),
    Column("measure_date", Date, nullable=False),
    Column("amount", Money),
    Column("persons", Integer, nullable=False, server_default="1"),
    CheckConstraint("persons >= 1", name="ck_measures_persons"),
    **MYSQL,
)
Index("ix_measures_date", measures.c.measure_date)

entrustments = Table(
    "entrustments",
    metadata,
    Column("entrust_id", String(64), primary_key=True),
    Column("direction", String(10), nullable=False),
    Column("partner_court", String(100)),
    Column("item_type", String(10)),
    Column("sent_date", Date, nullable=False),
    Column("due_days", Integer, nullable=False, server_default="30"),
    Column("feedback_date", Date),
    **MYSQL,
)
Index("ix_entrustments_sent", entrustments.c.sent_date)

# Where the data came from: 'sample' marks the synthetic database, so every page and export can say 示例数据.
dataset_info = Table(
    "dataset_info",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text),
    **MYSQL,
)

# Import history (数据管理 → 导入记录): one row per import run, and per row it wrote what it did, with the
# before-image of updated rows, so that the latest import can be undone exactly.
import_batches = Table(
    "import_batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("user_name", String(100)),
    Column("files", Text, nullable=False),  # JSON: [{name, sha256, bytes, sheets: [{sheet, table, rows}]}]
    Column("counts", Text, nullable=False),  # JSON: {table: {inserted, updated, unchanged}}
    Column("warnings", Integer, nullable=False, server_default="0"),
    Column("status", String(10), nullable=False, server_default="imported"),  # imported / undone
    Column("undone_at", DateTime),
    **MYSQL,
)

import_batch_rows = Table(
    "import_batch_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, nullable=False),
    Column("table_name", String(20), nullable=False),
    Column("row_key", String(64), nullable=False),
    Column("action", String(10), nullable=False),  # insert / update
    Column("before", Text),  # JSON of the row before an update
    **MYSQL,
)
Index("ix_import_batch_rows_batch", import_batch_rows.c.batch_id)

# Accounts for `auth.mode: password` / `oidc` (metrics.access.users). Role: leader/bureau/team/clerk/admin; scope:
# the court and/or team the user's case lists are limited to; the password as an argon2id hash.
users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(100)),
    Column("role", String(10), nullable=False),
    Column("scope_court", String(100)),
    Column("scope_team", String(50)),
    Column("password_hash", String(255)),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
    Column("created_at", DateTime),
    Column("updated_at", DateTime),
    Column("last_login", DateTime),
    **MYSQL,
)

# Sign-ins that survive a reload in `auth.mode: password` (metrics.access.sessions): only the SHA-256 of the random
# session id the browser holds in its cookie is stored, never the id itself. Times in UTC.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    **MYSQL,
)
Index("ix_sessions_username", sessions.c.username)

# Who did what (metrics.access.audit): the app only ever inserts into it. Times in UTC.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, quote=True),  # AT is a keyword in DuckDB
    Column("username", String(64)),
    Column("action", String(20), nullable=False),
    Column("target", String(255)),
    Column("row_count", Integer),
    Column("detail", Text),  # JSON
    **MYSQL,
)
Index("ix_audit_log_at", audit_log.c.at)


@dataclass(frozen=True)
class Field:
    name: str
    header: str  # Chinese file header
    kind: str  # text / date / money / int / bool
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    chinese: str
    table: Table
    key: str
    fields: tuple[Field, ...]

    def by_header(self) -> dict[str, Field]:
        out = {f.header: f for f in self.fields}
        out.update({f.name: f for f in self.fields})
        return out


TABLES: dict[str, TableSpec] = {
    "cases": TableSpec("cases", "执行案件", cases, "case_no", (
        Field("case_no", "案号", "text", True),
        Field("court", "执行法院", "text"),
        Field("case_type", "案件类型", "text"),
        Field("filing_date", "立案日期", "date", True),
        Field("closing_date", "结案日期", "date"),
        Field("closing_method", "结案方式", "text"),
        Field("closing_reason", "结案情形", "text"),
        Field("applied_amount", "申请执行标的金额(元)", "money"),
        Field("recovered_amount", "执行到位金额(元)", "money"),
        Field("team", "执行团队", "text"),
        Field("handler", "承办人", "text"),
        Field("basis_doc_no", "执行依据文书号", "text"),
        Field("tags", "案件标签", "text"),
        Field("cross_role", "交叉执行角色", "text"),
        Field("cross_mode", "交叉执行方式", "text"),
        Field("partner_court", "交叉执行对方法院", "text"),
        Field("suspended_days", "扣除审限天数", "int"),
        Field("zhongben_review", "终本评查结果", "text"),
        Field("debtor_name", "被执行人", "text"),
        Field("last_check_date", "最近查控日期", "date"),
    )),
    "judgments": TableSpec("judgments", "生效裁判", judgments, "doc_no", (
        Field("doc_no", "文书案号", "text", True),
        Field("court", "法院", "text"),
        Field("effective_date", "生效日期", "date", True),
        Field("has_payment", "是否具有给付内容", "bool", True),
        Field("doc_kind", "文书类型", "text"),
    )),
    "auctions": TableSpec("auctions", "网络司法拍卖", auctions, "auction_id", (
        Field("auction_id", "拍卖编号", "text", True),
        Field("case_no", "案号", "text"),
        Field("lot_name", "标的物", "text"),
        Field("asset_type", "财产类型", "text"),
        Field("round", "拍卖轮次", "text"),
        Field("appraisal_price", "评估价(元)", "money"),
        Field("start_price", "起拍价(元)", "money", True),
        Field("end_date", "结束日期", "date", True),
        Field("result", "拍卖结果", "text", True),
        Field("deal_price", "成交价(元)", "money"),
        Field("seizure_date", "查封日期", "date"),
    )),
    "measures": TableSpec("measures", "强制措施", measures, "measure_id", (
        Field("measure_id", "措施编号", "text", True),
        Field("case_no", "案号", "text"),
        Field("measure_type", "措施类型", "text", True),
        Field("measure_date", "决定日期", "date", True),
        Field("amount", "金额(元)", "money"),
        Field("persons", "人次", "int"),
    )),
    "entrustments": TableSpec("entrustments", "事项委托", entrustments, "entrust_id", (
        Field("entrust_id", "事项编号", "text", True),
        Field("direction", "方向", "text", True),
        Field("partner_court", "对方法院", "text"),
        Field("item_type", "事项类型", "text"),
        Field("sent_date", "委托日期", "date", True),
        Field("due_days", "办理期限(天)", "int"),
        Field("feedback_date", "反馈日期", "date"),
    )),
}

TABLE_BY_FILE_STEM = {**{k: v for k, v in TABLES.items()}, **{v.chinese: v for v in TABLES.values()}}

CASE_TYPES = ("首次执行", "恢复执行", "财产保全", "执行异议", "其他")
CLOSING_METHODS = (
    "执行完毕", "终结本次执行程序", "终结执行", "销案", "不予执行", "驳回申请",
    "保全完毕", "部分保全", "无标的物可实施保全",
)
ZHONGBEN = "终结本次执行程序"
TERMINATION = "终结执行"
COMPLETED = "执行完毕"
CROSS_ROLES = ("承接", "交出")
CROSS_MODES = ("指令执行", "提级执行", "协同执行", "集中执行", "督促执行")
TAGS = ("涉民生", "涉企", "涉金融")
MEASURE_TYPES = ("搜查", "拘传", "罚款", "司法拘留", "移送拒执罪", "纳入失信", "限制消费", "悬赏公告")
AUCTION_RESULTS = ("成交", "流拍", "撤回", "中止", "悔拍")
AUCTION_ROUNDS = ("一拍", "二拍", "变卖")
ASSET_TYPES = ("住宅", "商业用房", "车辆", "股权", "机器设备", "其他")


# ---- DuckDB (a DuckDB file as the store): no SERIAL there, so an autoincrement key takes its values from a
# sequence created with the table.

def _autoincrement_key(table: Table):
    key = table.autoincrement_column
    return key if key is not None and isinstance(key.type, Integer) else None


@compiles(CreateColumn, "duckdb")
def _duckdb_column(element, compiler, **kw):
    column = element.element
    if column.table is not None and _autoincrement_key(column.table) is column:
        return f"{column.name} INTEGER DEFAULT nextval('{column.table.name}_{column.name}_seq') NOT NULL"
    return compiler.visit_create_column(element, **kw)


@event.listens_for(metadata, "before_create")
def _duckdb_sequences(target, connection, tables=(), **kw):
    if connection.dialect.name != "duckdb":
        return
    for table in tables:
        key = _autoincrement_key(table)
        if key is not None:
            connection.exec_driver_sql(f"CREATE SEQUENCE IF NOT EXISTS {table.name}_{key.name}_seq")
