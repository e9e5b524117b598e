"""The indicator definitions (SPEC section 4): one table from which SQL, 口径 text, direction and target all come.

An indicator is a formula over *measures*. A measure is one SQL aggregate over one table — a count or a sum of
the rows meeting a condition — with a Chinese label. The 口径 text of an indicator is built from the labels of
its measures and the SQL from their conditions, so text and computation cannot drift apart; the same
conditions select the cases behind a number (drill-through).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from metrics.engine.filters import Filters, filtered_case_numbers, scope_conditions
from metrics.engine.schema import COMPLETED, TERMINATION, ZHONGBEN, auctions, cases, entrustments, judgments, measures
from metrics.engine.sqlfuncs import days_between
from metrics.parameters import Parameters


@dataclass(frozen=True)
class Ctx:
    """What a measure's condition may refer to: the window, the as-of date, the parameters."""

    start: dt.date | ColumnElement
    end: dt.date | ColumnElement
    as_of: dt.date
    params: Parameters
    day_before_start: dt.date | ColumnElement  # for 旧存 (pending the day before the window)

    @classmethod
    def for_dates(cls, start: dt.date, end: dt.date, as_of: dt.date, params: Parameters) -> Ctx:
        return cls(start, end, as_of, params, start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Measure:
    """One aggregate: the rows of `source` that fall in the window by `basis` and meet `row`, counted or summed.

    The window part (`basis`) and the row part (`row`, which never refers to the window) are kept apart, so the
    same definition gives both the per-window condition (drill-through, `condition`) and the single-pass
    aggregation of metrics.engine.compute, which assigns every row to its window once.
    """

    key: str
    source: str  # cases / judgments / auctions / measures / entrustments
    label: str  # what is counted or summed, in Chinese
    basis: str  # how a row falls in a window: see BASES
    row: Callable[[Ctx], ColumnElement]
    value: Callable[[Ctx], ColumnElement] | None = None  # None: count the rows
    unit: str = "件"

    def condition(self, ctx: Ctx) -> ColumnElement:
        """The whole condition for one window (window part and row part)."""
        return and_(BASES[self.basis](ctx), self.row(ctx))


# ---- the sets of SPEC section 4, as conditions on the cases table -------------------------------------------

def _between(col, ctx: Ctx):
    return and_(col >= ctx.start, col <= ctx.end)


def transferred(ctx: Ctx):
    """T: closed as 终结执行 because the case went to another court (a jurisdiction transfer, not a resolution)."""
    # COALESCE: a blank 结案情形 must give FALSE, not NULL, or NOT(T) would drop the case from C as well.
    return and_(func.coalesce(cases.c.closing_method, "") == TERMINATION,
                func.coalesce(cases.c.closing_reason, "").in_(ctx.params.transfer_reasons))


def closed_cohort(ctx: Ctx):
    """C: in scope, not transferred, closed inside the window."""
    return and_(_between(cases.c.closing_date, ctx), not_(transferred(ctx)))


def pending_at(day: dt.date):
    return and_(cases.c.filing_date <= day, or_(cases.c.closing_date.is_(None), cases.c.closing_date > day))


def case_days():
    """days(c): calendar days from filing to closing, less the deducted 中止/暂缓 days, floored at 0."""
    raw = days_between(cases.c.filing_date, cases.c.closing_date) - cases.c.suspended_days
    return case((raw < 0, 0), else_=raw)


def pending_old(ctx: Ctx):
    """Pending at the window's last day and filed more than 365 days before it."""
    return and_(pending_at(ctx.end), days_between(cases.c.filing_date, ctx.end) > 365)


# How a row falls in a window. For cases: by filing date, by closing date, or by being pending the day before the
# window, on its last day, or on its last day for more than 365 days. The other tables are put in the window by
# their own date in base_conditions, so their basis is "row" (no further window condition).
BASES: dict[str, Callable[[Ctx], ColumnElement]] = {
    "filing": lambda c: _between(cases.c.filing_date, c),
    "closing": lambda c: _between(cases.c.closing_date, c),
    "pending_start": lambda c: pending_at(c.day_before_start),
    "pending_end": lambda c: pending_at(c.end),
    "pending_old": pending_old,
    "row": lambda c: true(),
}


def _always(ctx: Ctx):
    return true()


def _not_transferred(ctx: Ctx):
    return not_(transferred(ctx))


def _monetary(ctx: Ctx):
    return and_(_not_transferred(ctx), cases.c.applied_amount > 0)


def _cross(ctx: Ctx):
    return and_(_not_transferred(ctx), cases.c.cross_role == "承接")


def _zhongben(ctx: Ctx):
    return and_(_not_transferred(ctx), cases.c.closing_method == ZHONGBEN)


def _applied_for(ctx: Ctx):
    """A judgment is applied for when a 首次执行 case names it as basis within the observation days.

    Written here as a correlated EXISTS (clear, and fast for the few rows of a drill-through); metrics.engine.compute
    evaluates the same condition as one join to each judgment's earliest basis case (applied_for_link).
    """
    return exists().where(
        cases.c.basis_doc_no == judgments.c.doc_no,
        cases.c.case_type == "首次执行",
        cases.c.filing_date <= ctx.as_of,
        days_between(judgments.c.effective_date, cases.c.filing_date) <= ctx.params.judgment_observation_days,
    )


def applied_for_link(as_of: dt.date):
    """The earliest filing date of a 首次执行 case (existing at the as-of date) per judgment it names as basis.

    "Some case filed within the observation days" is "the earliest such case filed within them", so one hash join
    to this small table replaces a per-judgment EXISTS.
    """
    return (select(cases.c.basis_doc_no.label("doc_no"), func.min(cases.c.filing_date).label("first_filing"))
            .where(cases.c.case_type == "首次执行", cases.c.filing_date <= as_of, cases.c.basis_doc_no.isnot(None))
            .group_by(cases.c.basis_doc_no)
            .subquery("applied_link"))


def applied_for_joined(link, ctx: Ctx):
    """_applied_for on a judgment row joined (LEFT OUTER) to applied_for_link."""
    return and_(link.c.first_filing.isnot(None),
                days_between(judgments.c.effective_date, link.c.first_filing)
                <= ctx.params.judgment_observation_days)


def _auction_decided(ctx: Ctx):
    return auctions.c.result.in_(("成交", "流拍"))


def _deal(ctx: Ctx):
    return auctions.c.result == "成交"


def _measure_type(kind: str):
    return lambda ctx: measures.c.measure_type == kind


MEASURE_KINDS = {
    "measure_search": "搜查",
    "measure_summons": "拘传",
    "measure_fine": "罚款",
    "measure_detention": "司法拘留",
    "measure_crime_referral": "移送拒执罪",
    "measure_blacklist": "纳入失信",
    "measure_consumption_ban": "限制消费",
}

MEASURES: dict[str, Measure] = {m.key: m for m in [
    Measure("filed", "cases", "立案日期在统计期间内的案件数", "filing", lambda c: true()),
    Measure("closed", "cases", "结案日期在统计期间内的结案数（不含移送他院执行）", "closing", _not_transferred),
    Measure("transferred", "cases", "结案日期在统计期间内、以终结执行（指定/提级/委托执行）移送他院的案件数",
            "closing", transferred),
    Measure("completed", "cases", "其中结案方式为执行完毕的案件数", "closing",
            lambda c: and_(_not_transferred(c), cases.c.closing_method == COMPLETED)),
    Measure("actual", "cases",
            "其中以实际执结方式（默认执行完毕、终结执行、销案、不予执行、驳回申请，可在配置中调整）结案的案件数",
            "closing",
            lambda c: and_(_not_transferred(c), cases.c.closing_method.in_(c.params.actual_closure_methods))),
    Measure("zhongben", "cases", "其中以终结本次执行程序结案的案件数", "closing", _zhongben),
    Measure("zhongben_qualified", "cases", "终本结案中评查结果为合格的案件数", "closing",
            lambda c: and_(_zhongben(c), cases.c.zhongben_review == "合格")),
    Measure("zhongben_reviewed", "cases", "终本结案中已评查（合格或不合格）的案件数", "closing",
            lambda c: and_(_zhongben(c), cases.c.zhongben_review.in_(("合格", "不合格")))),
    Measure("monetary_closed", "cases", "申请标的大于0的结案数", "closing", _monetary),
    Measure("recovered_sum", "cases", "申请标的大于0的结案案件执行到位金额之和", "closing", _monetary,
            lambda c: cases.c.recovered_amount, "元"),
    Measure("applied_sum", "cases", "申请标的大于0的结案案件申请执行标的金额之和", "closing", _monetary,
            lambda c: cases.c.applied_amount, "元"),
    Measure("days_sum", "cases", "结案案件执行用时之和（结案日期−立案日期−扣除审限天数，最少为0）", "closing",
            _not_transferred, lambda c: case_days(), "天"),
    Measure("on_time", "cases", "执行用时不超过法定期限的结案数", "closing",
            lambda c: and_(_not_transferred(c), case_days() <= c.params.statutory_days)),
    Measure("pending_start", "cases", "统计期间开始前一日的未结案件数（旧存）", "pending_start", _always),
    Measure("pending_end", "cases", "统计期间最后一日的未结案件数", "pending_end", _always),
    Measure("pending_over_12m", "cases", "统计期间最后一日未结且立案已超过365天的案件数", "pending_old",
            _always),
    Measure("km_cohort", "cases", "立案日期在统计期间内的案件数（立案队列）", "filing", lambda c: true()),
    Measure("km_events", "cases", "其中截至统计日已结案（不含移送他院执行）的案件数", "filing",
            lambda c: and_(cases.c.closing_date.isnot(None), cases.c.closing_date <= c.as_of, not_(transferred(c)))),
    Measure("cross_received", "cases", "交叉执行角色为承接、立案日期在统计期间内的案件数", "filing",
            lambda c: cases.c.cross_role == "承接"),
    Measure("cross_sent", "cases", "交叉执行角色为交出、结案日期在统计期间内的案件数", "closing",
            lambda c: cases.c.cross_role == "交出"),
    Measure("cross_closed", "cases", "承接案件的结案数", "closing", _cross),
    Measure("cross_completed", "cases", "承接案件中执行完毕的结案数", "closing",
            lambda c: and_(_cross(c), cases.c.closing_method == COMPLETED)),
    Measure("cross_recovered_sum", "cases", "申请标的大于0的承接结案案件执行到位金额之和", "closing",
            lambda c: and_(_cross(c), cases.c.applied_amount > 0), lambda c: cases.c.recovered_amount, "元"),
    Measure("cross_applied_sum", "cases", "申请标的大于0的承接结案案件申请执行标的金额之和", "closing",
            lambda c: and_(_cross(c), cases.c.applied_amount > 0), lambda c: cases.c.applied_amount, "元"),
    Measure("judgments_total", "judgments", "生效日期在统计期间内、具有给付内容的生效裁判数", "row", lambda c: true()),
    Measure("judgments_applied", "judgments", "其中生效后观察期内被申请首次执行的裁判数", "row", _applied_for),
    Measure("auction_rounds", "auctions", "结束日期在统计期间内的拍次", "row", lambda c: true(), unit="次"),
    Measure("auction_decided", "auctions", "结束日期在统计期间内、结果为成交或流拍的拍次", "row", _auction_decided,
            unit="次"),
    Measure("auction_deals", "auctions", "其中成交的拍次", "row", _deal, unit="次"),
    Measure("auction_premium_sum", "auctions", "成交拍次（成交价−起拍价）之和", "row", _deal,
            lambda c: auctions.c.deal_price - auctions.c.start_price, "元"),
    Measure("auction_start_sum", "auctions", "成交拍次起拍价之和", "row", _deal, lambda c: auctions.c.start_price,
            "元"),
    Measure("auction_realized_sum", "auctions", "评估价大于0的成交拍次成交价之和", "row",
            lambda c: and_(_deal(c), auctions.c.appraisal_price > 0), lambda c: auctions.c.deal_price, "元"),
    Measure("auction_appraisal_sum", "auctions", "评估价大于0的成交拍次评估价之和", "row",
            lambda c: and_(_deal(c), auctions.c.appraisal_price > 0), lambda c: auctions.c.appraisal_price, "元"),
    *[Measure(key, "measures", f"决定日期在统计期间内的{kind}人次", "row", _measure_type(kind),
              lambda c: measures.c.persons, "人次") for key, kind in MEASURE_KINDS.items()],
    Measure("fine_amount", "measures", "决定日期在统计期间内的罚款金额之和", "row", _measure_type("罚款"),
            lambda c: measures.c.amount, "元"),
    Measure("entrust_due", "entrustments", "委托日期在统计期间内、办理期限已届满的收到委托事项数", "row",
            lambda c: true()),
    Measure("entrust_on_time", "entrustments", "其中在办理期限内反馈的事项数", "row",
            lambda c: and_(entrustments.c.feedback_date.isnot(None), entrustments.c.feedback_date <= c.as_of,
                           days_between(entrustments.c.sent_date, entrustments.c.feedback_date)
                           <= entrustments.c.due_days)),
]}


# The date that puts a row of each table in a window (cases: see BASES; filing_date bounds them all).
WINDOW_DATE = {"cases": cases.c.filing_date, "judgments": judgments.c.effective_date,
               "auctions": auctions.c.end_date, "measures": measures.c.measure_date,
               "entrustments": entrustments.c.sent_date}


def row_conditions(source: str, ctx: Ctx, filters: Filters) -> list:
    """The window-independent part of base_conditions: in scope, filtered, already happened at the as-of date."""
    if source == "cases":
        return scope_conditions(filters, ctx.params.scope_case_types)
    if source == "judgments":
        conds = [judgments.c.has_payment.is_(True)]
        if filters.court:
            conds.append(judgments.c.court == filters.court)
        if filters.scope.courts:  # the signed-in user's courts (metrics.access)
            conds.append(judgments.c.court.in_(filters.scope.courts))
        return conds
    if source in ("auctions", "measures"):
        table = SOURCE_TABLES[source]
        return [table.c.case_no.in_(filtered_case_numbers(filters))] if filters.restricts_cases() else []
    if source == "entrustments":
        return [entrustments.c.direction == "收到",
                days_between(entrustments.c.sent_date, ctx.as_of) >= entrustments.c.due_days]
    raise ValueError(source)


def base_conditions(source: str, ctx: Ctx, filters: Filters) -> list:
    """The rows a source's measures look at for one window: in scope, filtered, and already happened."""
    if source == "cases":
        # Only cases alive in the window matter to any case measure: filed by its end (which is ≤ the as-of
        # date) and not closed before its start. The second condition only prunes; it changes no measure.
        return [*row_conditions(source, ctx, filters), cases.c.filing_date <= ctx.end,
                or_(cases.c.closing_date.is_(None), cases.c.closing_date >= ctx.start)]
    return [*row_conditions(source, ctx, filters), _between(WINDOW_DATE[source], ctx)]


SOURCE_TABLES = {"cases": cases, "judgments": judgments, "auctions": auctions, "measures": measures,
                 "entrustments": entrustments}

SOURCE_DATE_BASIS = {
    "cases": "按立案日期、结案日期或期末未结状态计入统计期间",
    "judgments": "按生效日期计入统计期间",
    "auctions": "按拍卖结束日期计入统计期间",
    "measures": "按决定日期计入统计期间",
    "entrustments": "按委托日期计入统计期间",
}


# ---- indicators ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    kind: str  # count / ratio / mean / median / complement / disposition
    numerator: tuple[str, ...]  # measure keys, summed
    denominator: tuple[str, ...] = ()
    unit: str = "rate"  # rate / count / days / money / persons / ratio
    direction: str = "none"  # default; config.yaml may override
    group: str = ""
    note: str = ""

    @property
    def source(self) -> str:
        return MEASURES[self.numerator[0]].source

    def _terms(self, keys: tuple[str, ...], *, bracket: bool = True) -> str:
        """Labels joined by ＋; a sum is bracketed where it meets ÷, so A ÷ （B ＋ C） cannot read as A ÷ B ＋ C."""
        text = " ＋ ".join(f"〔{MEASURES[k].label}〕" for k in keys)
        return f"（{text}）" if bracket and len(keys) > 1 else text

    def formula(self) -> str:
        """The 口径 as one Chinese sentence, built from the measures' labels."""
        num, den = self._terms(self.numerator), self._terms(self.denominator)
        if self.kind == "count":
            return self._terms(self.numerator, bracket=False)
        if self.kind == "ratio":
            return f"{num} ÷ {den}"
        if self.kind == "complement":
            return f"1 − {num} ÷ {den}"
        if self.kind == "mean":
            return f"{num} ÷ {den}"
        if self.kind == "median":
            return ("结案案件执行用时（结案日期−立案日期−扣除审限天数，最少为0）的中位数；"
                    f"偶数件时取中间两数的平均；件数为{den}")
        if self.kind == "disposition":
            return f"{num} ÷ {den} × 统计期间天数"
        if self.kind == "km":
            return (f"{den}中，立案后有一半案件结案所用的天数（生存分析法）：截至统计日已结案的"
                    "按执行用时计入；未结案件及移送他院执行的案件按已经过的天数（统计日或移送结案日−立案日期−"
                    "扣除审限天数）计入，表示“至少用了这么多天”；一半以上案件尚不能确定结案时为“—”")
        raise ValueError(self.kind)

    def definition(self) -> str:
        text = f"{self.name} = {self.formula()}。{SOURCE_DATE_BASIS[self.source]}。"
        return text + (self.note if self.note else "")


SCOPE_NOTE = "案件范围：配置的案件类型（默认首次执行）及所选筛选条件。"

INDICATORS: dict[str, Indicator] = {i.key: i for i in [
    Indicator("filed_count", "新收案件数", "count", ("filed",), unit="count", group="收结存", note=SCOPE_NOTE),
    Indicator("closed_count", "结案数", "count", ("closed",), unit="count", group="收结存",
              note="移送他院执行的案件不计入结案。" + SCOPE_NOTE),
    Indicator("transferred_out_count", "移送他院执行数", "count", ("transferred",), unit="count", group="收结存",
              note="终结执行且结案情形为指定执行、提级执行或委托执行，属管辖转移而非案件办结。"),
    Indicator("completion_rate", "执行完毕率", "ratio", ("completed",), ("closed",), direction="higher",
              group="核心"),
    Indicator("recovery_rate", "执行到位率", "ratio", ("recovered_sum",), ("applied_sum",), direction="higher",
              group="核心", note="非金钱给付案件（申请标的为0）不计入。"),
    Indicator("actual_closure_share", "实结占结案比", "ratio", ("actual",), ("closed",), direction="higher",
              group="核心"),
    Indicator("actual_closure_rate", "实际执结率", "ratio", ("actual",), ("pending_start", "filed"),
              direction="higher", group="核心",
              note="受理口径（旧存＋新收）：统计期间越长，分母中新收越多、可结的案件也越多，数值随期间长短变化，"
                   "两个长短不同的阶段之间或与12个月的基线期比较会误导，因此只与上年同期（同样长短、同一季节）比较。"),
    Indicator("zhongben_rate", "首执终本率", "ratio", ("zhongben",), ("closed",), direction="lower", group="核心"),
    Indicator("zhongben_qualified_rate", "终本合格率", "ratio", ("zhongben_qualified",), ("zhongben_reviewed",),
              direction="higher", group="核心", note="未评查的终本案件不计入；评查覆盖率一并列示。"),
    Indicator("cycle_days_mean", "平均执行用时(天)", "mean", ("days_sum",), ("closed",), unit="days",
              direction="lower", group="周期与积案"),
    Indicator("cycle_days_median", "执行用时中位数(天)", "median", ("days_sum",), ("closed",), unit="days",
              direction="lower", group="周期与积案"),
    Indicator("cycle_km_median", "半数结案用时(天)", "km", ("km_events",), ("km_cohort",), unit="days",
              direction="lower", group="周期与积案",
              note="即“立案后多少天内有一半案件结案，未结案件也计入”；分子为已结案件数，分母为立案队列件数；"
                   "附95%置信区间。"),
    Indicator("on_time_rate", "法定期限内结案率", "ratio", ("on_time",), ("closed",), direction="higher",
              group="周期与积案", note="法定执行期限默认180天（可在配置中调整）。"),
    Indicator("clearance_rate", "结收比", "ratio", ("closed", "transferred"), ("filed",), unit="ratio",
              direction="higher", group="周期与积案",
              note="大于100%说明结的比收的多、积案在减少（欧洲司法效率委员会的通用指标）。"),
    Indicator("pending_end", "期末未结数", "count", ("pending_end",), unit="count", direction="lower",
              group="周期与积案"),
    Indicator("pending_over_12m", "超12个月未结数", "count", ("pending_over_12m",), unit="count", direction="lower",
              group="周期与积案"),
    Indicator("pending_over_12m_share", "超12个月未结案件比", "ratio", ("pending_over_12m",), ("pending_end",),
              direction="lower", group="周期与积案"),
    Indicator("disposition_days", "结案周转天数", "disposition", ("pending_end",), ("closed", "transferred"),
              unit="days", direction="lower", group="周期与积案", note="按当前结案速度消化期末未结案件所需的天数"
                                                                   "（欧洲司法效率委员会的通用指标）。"),
    Indicator("voluntary_compliance_rate", "裁判自动履行率", "complement", ("judgments_applied",),
              ("judgments_total",), direction="higher", group="核心",
              note="观察期默认180天（可在配置中调整）；统计期间末日加观察期晚于统计日时为暂定值。"
                   "全院口径：按法院筛选，不随团队、承办人、标签、交叉执行角色筛选。"),
    Indicator("auction_deal_rate", "拍卖成交率", "ratio", ("auction_deals",), ("auction_decided",),
              direction="higher", group="财产处置"),
    Indicator("auction_premium_rate", "拍卖溢价率", "ratio", ("auction_premium_sum",), ("auction_start_sum",),
              direction="higher", group="财产处置"),
    Indicator("auction_realization_rate", "变现率", "ratio", ("auction_realized_sum",), ("auction_appraisal_sum",),
              direction="higher", group="财产处置"),
    *[Indicator(key, f"{kind}(人次)", "count", (key,), unit="persons", group="强制措施")
      for key, kind in MEASURE_KINDS.items()],
    Indicator("measure_fine_amount", "罚款金额", "count", ("fine_amount",), unit="money", group="强制措施"),
    Indicator("entrust_on_time_rate", "事项委托按期反馈率", "ratio", ("entrust_on_time",), ("entrust_due",),
              direction="higher", group="交叉执行",
              note="只计收到的委托，且委托日期加办理期限不晚于统计日；统计日后的反馈视为尚未反馈。"
                   "全院口径：不随法院、团队、承办人、标签、交叉执行角色筛选。"),
    Indicator("cross_received_count", "承接交叉执行案件数", "count", ("cross_received",), unit="count",
              group="交叉执行"),
    Indicator("cross_sent_count", "交出交叉执行案件数", "count", ("cross_sent",), unit="count", group="交叉执行"),
    Indicator("cross_completion_rate", "交叉执行案件执行完毕率", "ratio", ("cross_completed",), ("cross_closed",),
              direction="higher", group="交叉执行"),
    Indicator("cross_recovery_rate", "交叉执行案件执行到位率", "ratio", ("cross_recovered_sum",),
              ("cross_applied_sum",), direction="higher", group="交叉执行"),
]}

HEADLINE = ("recovery_rate", "completion_rate", "actual_closure_rate", "actual_closure_share", "cycle_days_median",
            "on_time_rate", "voluntary_compliance_rate", "zhongben_qualified_rate", "pending_over_12m")
