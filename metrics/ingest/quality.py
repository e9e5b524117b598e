"""Data quality of the case database: per-table profiles and the import warnings re-derived as SQL checks.

Everything is aggregated in the database (one query per table for the profile, one per check for the counts), so
it works the same on SQLite, PostgreSQL and MariaDB and stays fast on a province's data. The checks are a table of
definitions, as datasette keeps its filters: each has a key (used in links), a Chinese title and explanation, the
table it looks at and a builder for its SQL condition; the counts and the rows behind a check come from the same
condition, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Date, String, Table, Text, and_, case, cast, exists, func, literal, not_, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from metrics.access.masking import mask_name, mask_text
from metrics.config import Config
from metrics.engine.schema import (
    AUCTION_RESULTS,
    CASE_TYPES,
    CLOSING_METHODS,
    MEASURE_TYPES,
    TABLES,
    TERMINATION,
    ZHONGBEN,
    auctions,
    cases,
    entrustments,
    judgments,
    measures,
)
from metrics.engine.sqlfuncs import add_months
from metrics.parameters import Parameters

PROFILED = ("cases", "judgments", "auctions", "measures", "entrustments")

# The date that says when a record happened, first; the others only widen "数据截至".
MAIN_DATE = {"cases": "filing_date", "judgments": "effective_date", "auctions": "end_date",
             "measures": "measure_date", "entrustments": "sent_date"}

SUSPENDED_DAYS_LIMIT = 3650  # ten years of 中止/暂缓 is a typing error (days for hours, an extra digit), not a case


def _as_date(value) -> dt.date | None:
    """SQLite returns the stored text for MIN/MAX of a date column; the other backends return dates."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _filled(column) -> ColumnElement:
    """Non-null and, for text, not blank: an empty cell from a spreadsheet is not data."""
    if isinstance(column.type, (String, Text)):
        return and_(column.is_not(None), func.trim(column) != "")
    return column.is_not(None)


def _blank(column) -> ColumnElement:
    return or_(column.is_(None), func.trim(column) == "")


# ---- profile -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnFill:
    name: str
    header: str  # Chinese header
    filled: int
    share: float | None  # filled / rows; None for an empty table


@dataclass(frozen=True)
class TableProfile:
    name: str
    chinese: str
    rows: int
    date_column: str  # Chinese header of the main date column
    first: dt.date | None  # range of the main date column
    last: dt.date | None
    data_until: dt.date | None  # newest date in any date column of the table (数据截至)
    columns: tuple[ColumnFill, ...]

    def summary(self) -> str:
        """One Chinese line: rows, 数据截至 and the covered range."""
        if not self.rows:
            return f"{self.chinese}：暂无数据"
        span = (f"{self.date_column} {self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}" if self.first
                else f"{self.date_column} 均未填写")
        until = f"数据截至 {self.data_until:%Y-%m-%d}" if self.data_until else "数据截至 —"
        return f"{self.chinese}：{self.rows:,} 行，{until}，{span}"


def profile_table(engine: Engine, name: str) -> TableProfile:
    """One table's profile in one query: row count, date range, newest date, filled count per column."""
    spec = TABLES[name]
    table: Table = spec.table
    main = table.c[MAIN_DATE[name]]
    dates = [table.c[f.name] for f in spec.fields if f.kind == "date"]
    stmt = select(
        func.count().label("rows"),
        func.min(main).label("first"),
        func.max(main).label("last"),
        *[func.max(c).label(f"max_{c.name}") for c in dates],
        *[func.sum(case((_filled(table.c[f.name]), 1), else_=0)).label(f"fill_{f.name}") for f in spec.fields],
    ).select_from(table)
    with engine.connect() as conn:
        r = conn.execute(stmt).mappings().one()
    rows = int(r["rows"] or 0)
    newest = [d for d in (_as_date(r[f"max_{c.name}"]) for c in dates) if d is not None]
    fills = tuple(
        ColumnFill(f.name, f.header, int(r[f"fill_{f.name}"] or 0),
                   int(r[f"fill_{f.name}"] or 0) / rows if rows else None)
        for f in spec.fields)
    header = next(f.header for f in spec.fields if f.name == MAIN_DATE[name])
    return TableProfile(name, spec.chinese, rows, header, _as_date(r["first"]), _as_date(r["last"]),
                        max(newest) if newest else None, fills)


def profile(engine: Engine) -> list[TableProfile]:
    """The five case tables, in the order of SPEC section 2."""
    return [profile_table(engine, name) for name in PROFILED]


# ---- checks --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckContext:
    parameters: Parameters
    today: dt.date


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    explanation: str
    table: str
    condition: Callable[[CheckContext], ColumnElement]
    # Rows the check is a share of ("among 终本 cases"); None when a bare count is what matters.
    base: Callable[[CheckContext], ColumnElement] | None = None
    base_label: str | None = None


def _closed_zhongben(_ctx: CheckContext) -> ColumnElement:
    return and_(cases.c.closing_method == ZHONGBEN, cases.c.closing_date.is_not(None))


def _zhongben_short(ctx: CheckContext) -> ColumnElement:
    # 终本 may be ordered only after three months of enforcement; calendar months as the importer counts them.
    return and_(_closed_zhongben(ctx), cases.c.closing_date < add_months(cases.c.filing_date, 3))


def _recovered_over_applied(_ctx: CheckContext) -> ColumnElement:
    return and_(cases.c.applied_amount > 0, cases.c.recovered_amount > cases.c.applied_amount)


def _case_no_year(_ctx: CheckContext) -> ColumnElement:
    # 案号 are stored half-width: "(2025)鄂0505执123号"; the year is characters 2–5 between "(" and ")".
    no = cases.c.case_no
    digits = [func.substr(no, i, 1).between("0", "9") for i in range(2, 6)]
    filing_year = cast(func.extract("year", cases.c.filing_date), String(8))
    return and_(func.substr(no, 1, 1) == "(", func.substr(no, 6, 1) == ")", *digits,
                func.substr(no, 2, 4) != filing_year)


def _handover_not_transfer(ctx: CheckContext) -> ColumnElement:
    transferred = and_(func.coalesce(cases.c.closing_method, "") == TERMINATION,
                       func.coalesce(cases.c.closing_reason, "").in_(ctx.parameters.transfer_reasons))
    return and_(cases.c.cross_role == "交出", cases.c.closing_date.is_not(None), not_(transferred))


def _zhongben_unreviewed(ctx: CheckContext) -> ColumnElement:
    return and_(_closed_zhongben(ctx), _blank(cases.c.zhongben_review))


def _suspended_large(_ctx: CheckContext) -> ColumnElement:
    return cases.c.suspended_days > SUSPENDED_DAYS_LIMIT


KIND_OF_TYPE = {"恢复执行": "执恢", "财产保全": "执保", "执行异议": "执异"}


def _case_type_mismatch(_ctx: CheckContext) -> ColumnElement:
    # The 类型代字 of the 案号 (执 / 执恢 / 执保 / 执异) says the type; LIKE is enough to see a contradiction.
    no, kind = cases.c.case_no, cases.c.case_type
    wrong_special = [and_(kind == t, no.like("%执%"), not_(no.like(f"%{code}%"))) for t, code in KIND_OF_TYPE.items()]
    named_other = [and_(no.like(f"%{code}%"), kind != t) for t, code in KIND_OF_TYPE.items()]
    return or_(*wrong_special, *named_other)


def _nonstandard_values(_ctx: CheckContext) -> ColumnElement:
    return or_(cases.c.case_type.not_in(CASE_TYPES),
               and_(cases.c.closing_method.is_not(None), cases.c.closing_method.not_in(CLOSING_METHODS)),
               and_(cases.c.zhongben_review.is_not(None), func.trim(cases.c.zhongben_review) != "",
                    cases.c.zhongben_review.not_in(("合格", "不合格"))),
               and_(cases.c.cross_role.is_not(None), func.trim(cases.c.cross_role) != "",
                    cases.c.cross_role.not_in(("承接", "交出"))))


def _basis_unknown(_ctx: CheckContext) -> ColumnElement:
    known = exists().where(judgments.c.doc_no == cases.c.basis_doc_no)
    return and_(not_(_blank(cases.c.basis_doc_no)), not_(known))


EARLIEST_PLAUSIBLE = dt.date(2000, 1, 1)  # SPEC 2b: a date before 2000 is an error unless the mapping allows it


def _implausible_dates(ctx: CheckContext) -> ColumnElement:
    today, earliest = literal(ctx.today, Date), literal(EARLIEST_PLAUSIBLE, Date)
    return or_(cases.c.filing_date > today, cases.c.closing_date > today, cases.c.filing_date < earliest)


def _with_payment(_ctx: CheckContext) -> ColumnElement:
    return judgments.c.has_payment.is_(True)


def _judgment_unlinked(ctx: CheckContext) -> ColumnElement:
    linked = exists().where(cases.c.basis_doc_no == judgments.c.doc_no)
    return and_(_with_payment(ctx), not_(linked))


def _orphan(table: Table) -> Callable[[CheckContext], ColumnElement]:
    def condition(_ctx: CheckContext) -> ColumnElement:
        # NOT EXISTS, not NOT IN: one NULL 案号 in cases would make NOT IN match nothing.
        known = exists().where(cases.c.case_no == table.c.case_no)
        return and_(not_(_blank(table.c.case_no)), not_(known))
    return condition


def _auction_nonstandard(_ctx: CheckContext) -> ColumnElement:
    return auctions.c.result.not_in(AUCTION_RESULTS)


def _low_first_start(_ctx: CheckContext) -> ColumnElement:
    # 最高法《关于人民法院网络司法拍卖若干问题的规定》第十条: 一拍起拍价不得低于评估价的70%.
    return and_(auctions.c.round == "一拍", auctions.c.appraisal_price > 0,
                auctions.c.start_price * 10 < auctions.c.appraisal_price * 7)


def _deal_below_start(_ctx: CheckContext) -> ColumnElement:
    return and_(auctions.c.result == "成交", auctions.c.deal_price < auctions.c.start_price)


def _measure_nonstandard(_ctx: CheckContext) -> ColumnElement:
    return measures.c.measure_type.not_in(MEASURE_TYPES)


def _entrust_nonstandard(_ctx: CheckContext) -> ColumnElement:
    return entrustments.c.direction.not_in(("收到", "发出"))


def _feedback_before_sent(_ctx: CheckContext) -> ColumnElement:
    return entrustments.c.feedback_date < entrustments.c.sent_date


CHECKS: tuple[Check, ...] = (
    Check("zhongben_short", "终本案件立案不足3个月即结案",
          "结案方式为终结本次执行程序，结案日期早于立案日期后满3个月之日（按自然月计算，如1月15日立案须4月15日"
          "及以后结案）。终本须执行满3个月，多为日期录入错误或违规终本。",
          "cases", _zhongben_short),
    Check("recovered_over_applied", "执行到位金额大于申请执行标的",
          "申请执行标的金额大于0，且执行到位金额大于它。到位金额可能含利息、迟延履行金，但明显偏大时多为单位"
          "（元/万元）填错。",
          "cases", _recovered_over_applied),
    Check("case_no_year", "案号年份与立案年份不一致",
          "案号括号中的年份（如(2025)鄂0505执123号中的2025）与立案日期的年份不同。常见于跨年立案或日期录入错误；"
          "案号不以“(四位年份)”开头的不计。",
          "cases", _case_no_year),
    Check("handover_not_transfer", "交出案件未以管辖转移结案",
          "交叉执行角色为“交出”的已结案件，结案方式不是终结执行，或结案情形不是指定执行、提级执行、委托执行之一"
          "（见 config.yaml 的 transfer_reasons）。",
          "cases", _handover_not_transfer),
    Check("zhongben_unreviewed", "已结终本案件未填终本评查结果",
          "结案方式为终结本次执行程序的已结案件中，终本评查结果为空的案件。未评查的案件不进入终本合格率的分母。",
          "cases", _zhongben_unreviewed, base=_closed_zhongben, base_label="已结终本案件"),
    Check("suspended_days_large", f"扣除审限天数超过{SUSPENDED_DAYS_LIMIT}天",
          f"扣除审限天数大于{SUSPENDED_DAYS_LIMIT}天（约10年），多为多录一位数或把其他数字填入此列；"
          "它会让执行用时变短甚至为负。",
          "cases", _suspended_large),
    Check("case_type_mismatch", "案件类型与案号类型代字不一致",
          "案号中的类型代字（执、执恢、执保、执异）与案件类型（首次执行、恢复执行、财产保全、执行异议）对不上。",
          "cases", _case_type_mismatch),
    Check("case_nonstandard", "案件表中有非标准取值",
          "案件类型、结案方式、终本评查结果或交叉执行角色不在标准取值中（见指标口径），这些案件可能不被相应指标计入。",
          "cases", _nonstandard_values),
    Check("basis_unknown", "执行依据文书号在生效裁判中找不到",
          "案件填写了执行依据文书号，但生效裁判表中没有这一文书案号。可能是写法不一致，或该裁判未导入；"
          "裁判自动履行率会因此偏高。",
          "cases", _basis_unknown),
    Check("implausible_dates", "立案或结案日期晚于今天或早于2000年",
          "立案日期或结案日期在今天之后，或立案日期早于2000年1月1日，多为录入错误（导入时需在对照表中明确允许）。",
          "cases", _implausible_dates),
    Check("judgment_unlinked", "有给付内容的生效裁判未被任何案件引用",
          "具有给付内容的生效裁判，没有任何执行案件的执行依据文书号与它的文书案号相同。多数是当事人自动履行；"
          "若数量偏大，可能是案件的执行依据文书号漏填或写法不一致。",
          "judgments", _judgment_unlinked, base=_with_payment, base_label="有给付内容的裁判"),
    Check("auction_orphan", "拍卖记录的案号不在执行案件中",
          "拍卖记录填写了案号，但执行案件表中没有该案号（未填案号的不计）。可能是案件未导入或案号写法不一致。",
          "auctions", _orphan(auctions)),
    Check("auction_nonstandard", "拍卖结果不在标准取值中",
          f"拍卖结果不是{'、'.join(AUCTION_RESULTS)}之一。",
          "auctions", _auction_nonstandard),
    Check("auction_low_start", "一拍起拍价低于评估价的70%",
          "拍卖轮次为一拍，评估价大于0，起拍价低于评估价的70%（网络司法拍卖规定的下限）。多为评估价或起拍价填错。",
          "auctions", _low_first_start),
    Check("auction_deal_below_start", "成交价低于起拍价",
          "拍卖结果为成交，成交价却低于起拍价。网拍从起拍价起竞价，成交价不会低于起拍价，多为录入错误。",
          "auctions", _deal_below_start),
    Check("measure_orphan", "强制措施的案号不在执行案件中",
          "强制措施记录填写了案号，但执行案件表中没有该案号（未填案号的不计）。",
          "measures", _orphan(measures)),
    Check("measure_nonstandard", "措施类型不在标准取值中",
          f"措施类型不是{'、'.join(MEASURE_TYPES)}之一，这些记录不被强制措施指标计入。",
          "measures", _measure_nonstandard),
    Check("entrust_nonstandard", "事项委托的方向不是收到或发出",
          "方向应为收到（外院委托本院）或发出（本院委托外院），其他取值的事项不被事项委托指标计入。",
          "entrustments", _entrust_nonstandard),
    Check("feedback_before_sent", "事项委托的反馈日期早于委托日期",
          "反馈日期早于委托日期，属于录入错误。",
          "entrustments", _feedback_before_sent),
)
CHECK_BY_KEY = {c.key: c for c in CHECKS}


@dataclass(frozen=True)
class CheckResult:
    key: str
    title: str
    explanation: str
    table: str  # table name (cases …)
    table_chinese: str
    count: int
    base: int | None = None  # rows the count is a share of, when the check has a base
    base_label: str | None = None

    @property
    def share(self) -> float | None:
        return self.count / self.base if self.base else None


def _context(config: Config, today: dt.date | None) -> CheckContext:
    return CheckContext(config.parameters, today or dt.date.today())


def run_check(engine: Engine, config: Config, key: str, today: dt.date | None = None) -> CheckResult:
    check = CHECK_BY_KEY[key]
    ctx = _context(config, today)
    table = TABLES[check.table].table
    parts = [func.sum(case((check.condition(ctx), 1), else_=0))]
    if check.base is not None:
        parts.append(func.sum(case((check.base(ctx), 1), else_=0)))
    with engine.connect() as conn:
        row = conn.execute(select(*parts).select_from(table)).one()
    base = int(row[1] or 0) if check.base is not None else None
    return CheckResult(check.key, check.title, check.explanation, check.table, TABLES[check.table].chinese,
                       int(row[0] or 0), base, check.base_label)


def run_checks(engine: Engine, config: Config, today: dt.date | None = None) -> list[CheckResult]:
    """Every check with the number of rows it finds (and its base, where it has one), in the order of CHECKS."""
    return [run_check(engine, config, c.key, today) for c in CHECKS]


def check_members(engine: Engine, config: Config, key: str, limit: int | None = None,
                  today: dt.date | None = None) -> tuple[list[str], list[dict]]:
    """(Chinese headers, rows) of the records behind one check, ordered by key; debtor names masked.

    Raises KeyError for an unknown check key.
    """
    check = CHECK_BY_KEY[key]
    spec = TABLES[check.table]
    table = spec.table
    ctx = _context(config, today)
    stmt = select(*[table.c[f.name] for f in spec.fields]).where(check.condition(ctx)).order_by(table.c[spec.key])
    if limit:
        stmt = stmt.limit(limit)
    rows = []
    with engine.connect() as conn:
        for r in conn.execute(stmt).mappings():
            rec = {}
            for f in spec.fields:
                value = r[f.name]
                if f.kind == "date":
                    value = _as_date(value)
                if f.kind == "bool" and value is not None:
                    value = "是" if value else "否"
                rec[f.header] = value
            if "被执行人" in rec:
                rec["被执行人"] = mask_name(rec["被执行人"])
            if "标的物" in rec:  # D15: a lot name can name the debtor
                rec["标的物"] = mask_text(rec["标的物"])
            rows.append(rec)
    return [f.header for f in spec.fields], rows

