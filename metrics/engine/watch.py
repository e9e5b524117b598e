"""督办清单: the cases (and 委托事项) that need action now, as of the 统计日 D, computed in SQL.

Six lists, each with the same shape: a status per record (已超/即将), counts per team and handler (GROUP BY in
SQL) and the records, most urgent first. Every list follows the user's filters and the case-type scope (S of
SPEC section 4) except the 委托事项, which have no case. As-of semantics: a case filed after D does not exist, a
closing after D has not happened (the case is pending), a feedback or a property check after D has not happened.

"剩余天数" is the same everywhere: how many days are left before the limit is passed — 0 means today (D) is the
last day within the limit, a negative number is how many days it has been passed by.

1. statutory     即将超审限: pending; used days = (D − 立案日期) − 扣除审限天数 (floored at 0), the days(c) of SPEC
                 4 measured to D; 剩余 = statutory_days − used; listed when 剩余 ≤ N (default 30); 已超 when < 0.
2. long_pending  即将成为长期未结: pending; age = D − 立案日期 (as pending_over_12m: over 12 months = age > 365);
                 剩余 = 365 − age; listed when 剩余 ≤ N; 已超 (超12个月) when < 0.
3. key_cases     重点案件: pending cases tagged 涉民生/涉企/涉金融, oldest first, with 申请标的 and 到位 so far.
4. entrust       委托事项即将逾期: received (收到), sent by D, no feedback by D; 剩余 = 办理期限 − (D − 委托日期);
                 listed when 剩余 ≤ entrust_warn_days (config parameter, default 5); 已逾期 when < 0 (the
                 deadline day itself is still in time, as in entrust_on_time_rate).
5. cross_taken   交叉执行承接案件: cases taken over (承接) still pending, with their age and partner court.
6. zhongben_check 终本案件定期查控: closed as 终本 by D; the last check is 最近查控日期 when it lies between the
                 closing date and D, otherwise the closing date (blank = never checked since 终本); 剩余 =
                 check_interval_days (config parameter, default 182: six months in whole days as the 3–6个月
                 age band) − (D − last check); listed when 剩余 ≤ N; 已逾期 when < 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import Date, and_, case, func, inspect, literal, null, or_, select
from sqlalchemy.engine import Connection

from metrics.access.masking import mask_name
from metrics.config import Config
from metrics.engine.filters import Filters, list_conditions, scope_conditions
from metrics.engine.indicators import pending_at
from metrics.engine.schema import TAGS, ZHONGBEN, cases, entrustments
from metrics.engine.sqlfuncs import days_between

OVER, SOON, OPEN = "over", "soon", "open"
ROW_LIMIT = 5000  # records returned per list (counts are always complete)


@dataclass(frozen=True)
class WatchSettings:
    warn_days: int = 30  # lists 1, 2 and 6: how far ahead to warn
    # None: config.yaml parameters.entrust_warn_days / check_interval_days (defaults 5 and 182)
    entrust_warn_days: int | None = None  # list 4
    check_interval_days: int | None = None  # list 6: six months, in whole days
    long_pending_days: int = 365  # list 2: “over 12 months” is more than this many days (pending_over_12m)

    def resolved(self, config: Config) -> WatchSettings:
        """The settings with the thresholds left open taken from the configuration's parameters."""
        p = config.parameters
        return replace(self, entrust_warn_days=p.entrust_warn_days if self.entrust_warn_days is None
                       else self.entrust_warn_days,
                       check_interval_days=p.check_interval_days if self.check_interval_days is None
                       else self.check_interval_days)


@dataclass(frozen=True)
class ListSpec:
    key: str
    title: str
    statuses: dict[str, str]  # status → Chinese label, in display order
    group_by: str  # what the counts are by: "team" (team and handler) or "partner" (对方法院)
    basis: str  # the 口径, one or two Chinese sentences


def _specs(config: Config, s: WatchSettings) -> dict[str, ListSpec]:
    s = s.resolved(config)
    limit = config.parameters.statutory_days
    return {x.key: x for x in [
        ListSpec("statutory", "即将超审限", {OVER: "已超审限", SOON: f"{s.warn_days}天内到期"}, "team",
                 f"未结的首次执行案件（案件范围）中，已用审限天数（统计日−立案日期−扣除审限天数）距法定期限"
                 f"{limit}天不足{s.warn_days}天或已超过的案件；剩余天数为0表示统计日是审限最后一天。"),
        ListSpec("long_pending", "即将成为长期未结", {OVER: "超12个月", SOON: f"{s.warn_days}天内满12个月"}, "team",
                 f"未结案件中，立案至统计日超过{s.long_pending_days}天（超12个月，与“超12个月未结数”同口径）"
                 f"或将在{s.warn_days}天内超过的案件；不扣除审限天数。"),
        ListSpec("key_cases", "重点案件", {OPEN: "未结重点案件"}, "team",
                 "未结且标注涉民生、涉企或涉金融的案件，按立案日期从早到晚排列；执行到位金额为数据中的累计数。"),
        ListSpec("entrust", "委托事项即将逾期", {OVER: "已逾期", SOON: f"{s.entrust_warn_days}天内到期"}, "partner",
                 f"收到的事项委托中，截至统计日尚未反馈、办理期限将在{s.entrust_warn_days}天内届满或已届满未反馈的事项；"
                 "期限届满日当天反馈仍属按期。"),
        ListSpec("cross_taken", "交叉执行承接案件", {OVER: "已超审限", OPEN: "审限内"}, "partner",
                 f"交叉执行角色为承接、截至统计日仍未结的案件，按对方法院列示；已用审限超过{limit}天的标为已超审限。"),
        ListSpec("zhongben_check", "终本案件定期查控",
                 {OVER: "逾期未查控", SOON: f"{s.warn_days}天内应查控"}, "team",
                 f"以终结本次执行程序结案的案件，应每{_interval_text(s.check_interval_days)}网络查控一次；"
                 "自最近查控日期（未填或早于结案日期的，自结案日期）起算，已超过或将在"
                 f"{s.warn_days}天内超过的案件。"),
    ]}


def _interval_text(days: int) -> str:
    """182 → 6个月（按182天计）; other values in days only."""
    return "6个月（按182天计）" if days == 182 else f"{days}天"


def list_specs(config: Config, settings: WatchSettings = WatchSettings()) -> dict[str, ListSpec]:
    return _specs(config, settings)


@dataclass
class WatchList:
    spec: ListSpec
    as_of: dt.date
    counts: dict[str, int]  # status → records
    groups: list[dict] = field(default_factory=list)  # {team, handler} or {partner} with per-status counts
    rows: list[dict] = field(default_factory=list)  # the records, Chinese headers, most urgent first
    truncated: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _has_check_column(conn: Connection) -> bool:
    """最近查控日期 is optional: a database created before it was added has no such column."""
    try:
        return any(c["name"] == "last_check_date" for c in inspect(conn).get_columns("cases"))
    except Exception:  # noqa: BLE001 — an inspector failure must not break the lists
        return False


def _status(left, soon_days: int | None):
    if soon_days is None:
        return literal(OPEN)
    return case((left < 0, OVER), else_=SOON)


def _date(v) -> dt.date | None:
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


class _Query:
    """One list as SQL pieces: the FROM table, the WHERE, the 剩余天数 and status expressions, extra columns."""

    def __init__(self, table, where, left, status, order, columns):
        self.table, self.where, self.left, self.status, self.order, self.columns = \
            table, where, left, status, order, columns


def _build(conn: Connection, config: Config, key: str, as_of: dt.date, filters: Filters,
           s: WatchSettings) -> _Query:
    D = literal(as_of, Date)
    # a case list: a team lead's scope limits it to the own team (metrics.access)
    scope = [*scope_conditions(filters, config.parameters.scope_case_types), *list_conditions(filters)]
    age = days_between(cases.c.filing_date, D)
    used_raw = age - cases.c.suspended_days
    used = case((used_raw < 0, 0), else_=used_raw)
    pending = [*scope, pending_at(as_of)]
    limit = config.parameters.statutory_days
    common = [cases.c.case_no, cases.c.team, cases.c.handler, cases.c.filing_date, cases.c.debtor_name,
              age.label("age")]
    if key == "statutory":
        left = limit - used
        return _Query(cases, [*pending, left <= s.warn_days], left, _status(left, s.warn_days),
                      [left, cases.c.case_no],
                      [*common, cases.c.suspended_days, used.label("used")])
    if key == "long_pending":
        left = s.long_pending_days - age
        return _Query(cases, [*pending, left <= s.warn_days], left, _status(left, s.warn_days),
                      [left, cases.c.case_no], common)
    if key == "key_cases":
        tagged = or_(*[cases.c.tags.like(f"%{t}%") for t in TAGS])
        return _Query(cases, [*pending, tagged], null(), _status(None, None),
                      [cases.c.filing_date, cases.c.case_no],
                      [*common, cases.c.tags, cases.c.applied_amount, cases.c.recovered_amount])
    if key == "entrust":
        open_ = or_(entrustments.c.feedback_date.is_(None), entrustments.c.feedback_date > as_of)
        elapsed = days_between(entrustments.c.sent_date, D)
        left = entrustments.c.due_days - elapsed
        return _Query(entrustments, [entrustments.c.direction == "收到", entrustments.c.sent_date <= as_of, open_,
                                     left <= s.entrust_warn_days],
                      left, _status(left, s.entrust_warn_days), [left, entrustments.c.entrust_id],
                      [entrustments.c.entrust_id, entrustments.c.partner_court, entrustments.c.item_type,
                       entrustments.c.sent_date, entrustments.c.due_days])
    if key == "cross_taken":
        left = limit - used
        return _Query(cases, [*pending, cases.c.cross_role == "承接"], left,
                      case((left < 0, OVER), else_=OPEN), [cases.c.partner_court, cases.c.filing_date,
                                                           cases.c.case_no],
                      [*common, cases.c.partner_court, cases.c.cross_mode, cases.c.suspended_days,
                       used.label("used")])
    if key == "zhongben_check":
        check = cases.c.last_check_date if _has_check_column(conn) else literal(None, Date)
        valid = and_(check.isnot(None), check <= as_of, check >= cases.c.closing_date)
        basis = case((valid, check), else_=cases.c.closing_date)
        left = s.check_interval_days - days_between(basis, D)
        return _Query(cases, [*scope, cases.c.closing_method == ZHONGBEN, cases.c.closing_date <= as_of,
                              left <= s.warn_days],
                      left, _status(left, s.warn_days), [left, cases.c.case_no],
                      [*common, cases.c.closing_date, case((valid, check), else_=None).label("last_check"),
                       basis.label("basis")])
    raise ValueError(key)


def _group_columns(spec: ListSpec, table):
    if spec.group_by == "partner":
        return [table.c.partner_court.label("partner")]
    return [cases.c.team.label("team"), cases.c.handler.label("handler")]


def watch_list(conn: Connection, config: Config, key: str, as_of: dt.date, filters: Filters = Filters(),
               settings: WatchSettings = WatchSettings(), *, rows: bool = True,
               limit: int = ROW_LIMIT) -> WatchList:
    """One 督办清单 as of D: counts by status and by team/handler (or partner court), and the records."""
    settings = settings.resolved(config)
    spec = _specs(config, settings)[key]
    q = _build(conn, config, key, as_of, filters, settings)
    status = q.status.label("status")
    group_cols = _group_columns(spec, q.table)
    stmt = (select(*group_cols, status, func.count().label("n")).select_from(q.table).where(*q.where)
            .group_by(*group_cols, q.status))
    counts = {st: 0 for st in spec.statuses}
    groups: dict[tuple, dict] = {}
    for r in conn.execute(stmt):
        counts[r.status] = counts.get(r.status, 0) + int(r.n)
        names = tuple(r._mapping[c.name] or "（未填）" for c in group_cols)
        g = groups.setdefault(names, {c.name: n for c, n in zip(group_cols, names, strict=True)})
        g[r.status] = g.get(r.status, 0) + int(r.n)
    group_list = sorted(groups.values(), key=lambda g: (-sum(g.get(st, 0) for st in spec.statuses),
                                                        tuple(str(g[c.name]) for c in group_cols)))
    result = WatchList(spec, as_of, counts, group_list)
    if not rows:
        return result
    stmt = (select(*q.columns, q.left.label("left"), status).select_from(q.table).where(*q.where)
            .order_by(*q.order).limit(limit + 1))
    records = [_record(key, r._mapping, spec, as_of, config, settings) for r in conn.execute(stmt)]
    result.truncated = len(records) > limit
    result.rows = records[:limit]
    return result


def _record(key: str, m, spec: ListSpec, as_of: dt.date, config: Config, s: WatchSettings) -> dict:
    status = spec.statuses.get(m["status"], m["status"])
    if key == "entrust":
        sent = _date(m["sent_date"])
        return {"事项编号": m["entrust_id"], "对方法院": m["partner_court"] or "", "事项类型": m["item_type"] or "",
                "委托日期": sent, "办理期限(天)": int(m["due_days"]),
                "期限届满日": sent + dt.timedelta(days=int(m["due_days"])), "剩余天数": int(m["left"]),
                "状态": status}
    filed = _date(m["filing_date"])
    rec = {"案号": m["case_no"], "执行团队": m["team"] or "", "承办人": m["handler"] or "",
           "被执行人": mask_name(m["debtor_name"]), "立案日期": filed, "案龄(天)": int(m["age"])}
    if key == "statutory":
        suspended = int(m["suspended_days"] or 0)
        rec.update({"扣除审限天数": suspended, "已用审限(天)": int(m["used"]),
                    "审限届满日": filed + dt.timedelta(days=config.parameters.statutory_days + suspended)})
    elif key == "long_pending":
        rec["满12个月日期"] = filed + dt.timedelta(days=s.long_pending_days)
    elif key == "key_cases":
        applied, recovered = m["applied_amount"], m["recovered_amount"]
        rec.update({"案件标签": m["tags"] or "", "申请执行标的金额(元)": float(applied or 0),
                    "执行到位金额(元)": float(recovered or 0),
                    "到位比例": float(recovered) / float(applied) if applied else None})
        return rec
    elif key == "cross_taken":
        rec.update({"交叉执行对方法院": m["partner_court"] or "", "交叉执行方式": m["cross_mode"] or "",
                    "已用审限(天)": int(m["used"])})
    elif key == "zhongben_check":
        basis = _date(m["basis"])
        rec.update({"结案日期": _date(m["closing_date"]), "最近查控日期": _date(m["last_check"]),
                    "应查控日期": basis + dt.timedelta(days=s.check_interval_days)})
    rec["剩余天数"] = int(m["left"])
    rec["状态"] = status
    return rec


def all_lists(conn: Connection, config: Config, as_of: dt.date, filters: Filters = Filters(),
              settings: WatchSettings = WatchSettings(), *, rows: bool = True) -> dict[str, WatchList]:
    return {key: watch_list(conn, config, key, as_of, filters, settings, rows=rows)
            for key in _specs(config, settings)}


# The row of counts on 总览: (list key, status or None for the total, short label)
SUMMARY = (
    ("statutory", SOON, "即将超审限"),
    ("statutory", OVER, "已超审限"),
    ("long_pending", OVER, "超12个月"),
    ("key_cases", None, "重点案件"),
    ("entrust", OVER, "委托逾期"),
    ("cross_taken", None, "承接未结"),
    ("zhongben_check", OVER, "终本逾期未查控"),
)


def summary_counts(lists: dict[str, WatchList]) -> list[tuple[str, str, int]]:
    """(list key, label, count) for the row on 总览."""
    out = []
    for key, status, label in SUMMARY:
        wl = lists[key]
        out.append((key, label, wl.total if status is None else wl.counts.get(status, 0)))
    return out
