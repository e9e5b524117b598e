"""Several courts side by side: headline indicators per court with 同比, target and an honest ranking; the
交出 → 承接 flows between the courts and their 对账 (pairs whose two sides do not match).

Aggregation is SQL (GROUP BY court, and partner court mapped to the court it means by a CASE expression); only
one row per court or per pair of courts comes back to Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.engine import Connection, Engine

from metrics.config import Config
from metrics.courts import canonical_court, case_no_code, scope_title, short_name
from metrics.engine.compare import Change, change, direction_of, target_status
from metrics.engine.compute import Value, WindowResult, breakdown
from metrics.engine.filters import Filters, user_conditions
from metrics.engine.indicators import HEADLINE, INDICATORS, MEASURES
from metrics.engine.schema import COMPLETED, TERMINATION, cases, judgments
from metrics.engine.windows import Window, same_period_last_year

TAKEN_OVER, HANDED_OVER = "承接", "交出"


# ---- which courts ---------------------------------------------------------------------------------------------

def court_names(conn: Connection, config: Config) -> list[str]:
    """The courts the cases table holds, in the configured order first, then by name."""
    # Unconfigured courts in the order of their 案号 codes (鄂0502, 鄂0503, …), as court lists are printed.
    stmt = select(cases.c.court, func.min(cases.c.case_no)).where(cases.c.court != "").group_by(cases.c.court)
    first = {r[0]: case_no_code(r[1]) or "" for r in conn.execute(stmt)}
    order = {c.name: i for i, c in enumerate(config.courts)}
    return sorted(first, key=lambda n: (order.get(n, len(order)), first[n], n))


def short_names(config: Config, names: list[str]) -> dict[str, str]:
    """Short labels for tables and charts: the configured short name, else the name without city and 人民法院."""
    configured = {c.name: c.short for c in config.courts}
    return {n: configured.get(n) or short_name(n) for n in names}


def for_scope(engine: Engine, config: Config, filters: Filters) -> Config:
    """The configuration with court_name saying which courts the numbers cover (reports on several courts).

    A single-court database gets the configuration back unchanged.
    """
    with engine.connect() as conn:
        names = court_names(conn, config)
    title = scope_title(config.court_name, names, filters.court, short_names(config, names))
    return config if title == config.court_name else replace(config, court_name=title)


def is_multi_court(engine: Engine, config: Config) -> bool:
    with engine.connect() as conn:
        return len(court_names(conn, config)) > 1


# ---- court × indicators -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourtRow:
    court: str
    short: str
    values: dict[str, Value]
    last_year: dict[str, Value]
    vs_last_year: dict[str, Change]
    status: dict[str, str | None]  # met / missed / None, against the court's own target where it has one
    result: WindowResult  # the court's full result in the window (measures, for the ranking's noise rule)


def _per_court(conn: Connection, config: Config, window: Window, filters: Filters) -> dict[str, WindowResult]:
    """breakdown by court: case indicators by cases.court, 裁判自动履行率 by judgments.court, merged."""
    by_cases = breakdown(conn, config, window, cases.c.court, filters)
    by_judgments = breakdown(conn, config, window, judgments.c.court, filters)
    for court, result in by_cases.items():
        other = by_judgments.get(court)
        for key, ind in INDICATORS.items():
            if ind.source == "judgments":
                result.values[key] = other.values[key] if other else Value(key, None, None, None)
        if other:
            result.measures.update({k: v for k, v in other.measures.items() if v is not None and
                                    k.startswith("judgments_")})
    return by_cases


def court_table(engine: Engine, config: Config, window: Window, last_year: Window, filters: Filters = Filters(),
                keys: tuple[str, ...] = HEADLINE) -> list[CourtRow]:
    """Every court × the given indicators in one phase window, with 同比 and target status per court.

    The court filter is ignored (every court is shown); the other filters apply to every court alike.
    """
    filters = replace(filters, court=None)
    with engine.connect() as conn:
        names = court_names(conn, config)
        now = _per_court(conn, config, window, filters)
        then = _per_court(conn, config, last_year, filters) if not last_year.empty else {}
    shorts = short_names(config, names)
    rows = []
    for name in names:
        if name not in now:
            continue
        own = config.for_court(name)
        result = now[name]
        before = then.get(name)
        rows.append(CourtRow(
            court=name, short=shorts[name],
            values={k: result.values[k] for k in keys},
            last_year={k: (before.values[k] if before else Value(k, None, None, None)) for k in keys},
            vs_last_year={k: (change(own, k, result, before) if before else Change(None, "", None, False))
                          for k in keys},
            status={k: target_status(own, k, result.values[k]) for k in keys},
            result=result,
        ))
    return rows


def distinguishable(config: Config, key: str, a: WindowResult, b: WindowResult) -> bool:
    """Whether two courts' values of a proportion differ beyond noise.

    The one place the ranking asks the comparison rule of metrics.engine.compare (whatever test it uses for a
    difference of proportions, and its small-sample rule), so a better rule there reaches the ranking too.
    """
    c = change(config, key, a, b)
    return c.delta is not None and abs(c.delta) > 1e-9 and not c.uncertain


def rankable(key: str) -> bool:
    """Proportions of cases (a count over a count): the only indicators with a noise rule for a difference.

    A ratio of sums of money (执行到位率) has no binomial error: its noise depends on a few large claims.
    """
    ind = INDICATORS[key]
    return (ind.unit == "rate" and ind.kind in ("ratio", "complement")
            and all(MEASURES[m].value is None for m in (*ind.numerator, *ind.denominator)))


@dataclass(frozen=True)
class Rank:
    best: int  # the best rank the data allow: 1 + courts clearly better
    worst: int  # the worst: number of ranked courts − courts clearly worse

    def text(self) -> str:
        return f"第{self.best}名" if self.best == self.worst else f"第{self.best}–{self.worst}名"


def ranks(config: Config, rows: list[CourtRow], key: str) -> dict[str, Rank]:
    """Rank intervals: a court is placed above another only where the difference is beyond noise.

    A court ranks between 1 + (courts clearly better) and n − (courts clearly worse); where no difference is
    clear, the interval spans every place — the data do not support a claimed order.
    """
    direction = direction_of(config, key)
    if not rankable(key) or direction not in ("higher", "lower"):
        return {}
    ranked = [r for r in rows if r.values[key].value is not None]
    out = {}
    for r in ranked:
        better = worse = 0
        for other in ranked:
            if other is r or not distinguishable(config, key, other.result, r.result):
                continue
            above = other.values[key].value > r.values[key].value
            if (direction == "higher") == above:
                better += 1
            else:
                worse += 1
        out[r.court] = Rank(1 + better, len(ranked) - worse)
    return out


# ---- 交出 → 承接 flows -------------------------------------------------------------------------------------------

def _partner_spellings(conn: Connection) -> list[str]:
    stmt = select(cases.c.partner_court).distinct().where(cases.c.cross_role.in_((TAKEN_OVER, HANDED_OVER)),
                                                         cases.c.partner_court.isnot(None),
                                                         cases.c.partner_court != "")
    return [r[0] for r in conn.execute(stmt)]


def partner_map(conn: Connection, config: Config, names: list[str]) -> dict[str, str | None]:
    """Every partner-court spelling in the data → the court of the database it means (None: not in the data)."""
    return {s: canonical_court(s, names, config.courts) for s in _partner_spellings(conn)}


def _partner_expr(mapping: dict[str, str | None]):
    """partner_court mapped to the court it means, in SQL; spellings of courts outside the data stay as written."""
    whens = [(cases.c.partner_court == s, literal(c)) for s, c in sorted(mapping.items()) if c and c != s]
    return case(*whens, else_=cases.c.partner_court) if whens else cases.c.partner_court


@dataclass(frozen=True)
class Flow:
    """Cases court `source` handed over that court `target` took over (as recorded by `target`)."""

    source: str  # the handing-over court (交出), as the receiving court names it, mapped to its full name
    target: str  # the court that took the cases over (承接)
    taken: int  # 承接 cases filed in the window
    closed: int  # of which closed by the as-of date (transfers onward not counted)
    completed: int  # of which closed as 执行完毕
    applied: float  # 申请执行标的 of the closed monetary ones (元)
    recovered: float  # 执行到位 of the same cases (元)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.closed if self.closed else None

    @property
    def recovery_rate(self) -> float | None:
        return self.recovered / self.applied if self.applied else None


def flows(engine: Engine, config: Config, as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None,
          filters: Filters = Filters()) -> list[Flow]:
    """The court × court matrix of 承接 cases (filed between start and end, up to the as-of date) by the court
    that handed them over, with how many of them are closed, completed, and the recovery of the closed ones.

    The court and cross-role filters are ignored; team, handler, tag and case-type scope apply.
    """
    filters = replace(filters, court=None, cross_roles=())
    last = min(end or as_of, as_of)
    with engine.connect() as conn:
        names = court_names(conn, config)
        partner = _partner_expr(partner_map(conn, config, names)).label("source")
        # A taken-over case handed on once more (终结执行 as a transfer) left the court, it was not resolved.
        onward = and_(func.coalesce(cases.c.closing_method, "") == TERMINATION,
                      func.coalesce(cases.c.closing_reason, "").in_(config.parameters.transfer_reasons))
        closed = and_(cases.c.closing_date.isnot(None), cases.c.closing_date <= as_of, not_(onward))
        money = and_(closed, cases.c.applied_amount > 0)
        conds = [cases.c.cross_role == TAKEN_OVER, cases.c.filing_date <= last,
                 cases.c.case_type.in_(filters.case_types or config.parameters.scope_case_types),
                 *user_conditions(filters)]
        if start:
            conds.append(cases.c.filing_date >= start)
        stmt = (select(partner, cases.c.court.label("target"), func.count().label("taken"),
                       func.sum(case((closed, 1), else_=0)).label("closed"),
                       func.sum(case((and_(closed, cases.c.closing_method == COMPLETED), 1), else_=0))
                       .label("completed"),
                       func.sum(case((money, cases.c.applied_amount), else_=0)).label("applied"),
                       func.sum(case((money, cases.c.recovered_amount), else_=0)).label("recovered"))
                .where(*conds).group_by(partner, cases.c.court))
        rows = conn.execute(stmt).all()
    out = [Flow(r.source or "（未填）", r.target, int(r.taken), int(r.closed or 0), int(r.completed or 0),
                round(float(r.applied or 0), 2), round(float(r.recovered or 0), 2)) for r in rows]
    return sorted(out, key=lambda f: (f.source, f.target))


# ---- 对账 ----------------------------------------------------------------------------------------------------------

IN_TRANSIT_DAYS = 30


@dataclass(frozen=True)
class Mismatch:
    """A pair of courts whose records of the cases handed over between them disagree."""

    source: str  # the court that handed over (交出)
    target: str  # the court that should have taken over (承接)
    handed: int  # 交出 cases source recorded with partner target
    taken: int  # 承接 cases target recorded with partner source
    kind: str  # 承接方未登记 / 交出方未登记 / 件数不一致 / 对方法院名称写法不一致
    handed_cases: tuple[str, ...] = ()
    taken_cases: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()  # partner names written otherwise than the court's name
    in_transit: int = 0  # handed over within the last IN_TRANSIT_DAYS: the other court may not have registered yet

    def text(self) -> str:
        if self.kind == "对方法院名称写法不一致":
            return (f"{self.target}登记承接时把对方法院写作“{'、'.join(self.spellings)}”，"
                    f"应为“{self.source}”")
        text = (f"{self.source}登记交出给{self.target} {self.handed} 件，{self.target}登记从{self.source}承接 "
                f"{self.taken} 件")
        if self.in_transit:
            text += f"（其中 {self.in_transit} 件交出不满{IN_TRANSIT_DAYS}天，可能尚在移送途中）"
        return text


def reconciliation(engine: Engine, config: Config, as_of: dt.date) -> list[Mismatch]:
    """对账 of every pair of courts in the data, cumulative up to the as-of date.

    A's 交出 to B (closing date ≤ as-of) against B's 承接 from A (filing date ≤ as-of), with partner names
    mapped to the courts they mean; pairs with a partner outside the database are not checked. Spellings that
    differ from the court's name are listed too, since a report keyed on names would miss those cases.
    """
    with engine.connect() as conn:
        names = court_names(conn, config)
        mapping = partner_map(conn, config, names)
        partner = _partner_expr(mapping).label("partner")
        handed_when = and_(cases.c.cross_role == HANDED_OVER, cases.c.closing_date.isnot(None),
                           cases.c.closing_date <= as_of)
        taken_when = and_(cases.c.cross_role == TAKEN_OVER, cases.c.filing_date <= as_of)
        stmt = (select(cases.c.court, partner, cases.c.cross_role, func.count().label("n"))
                .where(or_(handed_when, taken_when))
                .group_by(cases.c.court, partner, cases.c.cross_role))
        counts: dict[tuple[str, str], list[int]] = {}
        for r in conn.execute(stmt):
            if r.partner not in names or r.partner == r.court:
                continue
            pair = (r.court, r.partner) if r.cross_role == HANDED_OVER else (r.partner, r.court)
            counts.setdefault(pair, [0, 0])[0 if r.cross_role == HANDED_OVER else 1] += int(r.n)
        bad = {pair: (h, t) for pair, (h, t) in counts.items() if h != t}
        listed: dict[tuple[str, str], tuple[list[str], list[str]]] = {p: ([], []) for p in bad}
        recent: dict[tuple[str, str], int] = {}
        if bad:
            stmt = (select(cases.c.case_no, cases.c.court, partner, cases.c.cross_role, cases.c.closing_date)
                    .where(or_(handed_when, taken_when),
                           cases.c.court.in_({c for pair in bad for c in pair}))
                    .order_by(cases.c.case_no))
            for r in conn.execute(stmt):
                pair = (r.court, r.partner) if r.cross_role == HANDED_OVER else (r.partner, r.court)
                if pair in listed:
                    listed[pair][0 if r.cross_role == HANDED_OVER else 1].append(r.case_no)
                    if r.cross_role == HANDED_OVER and _as_date(r.closing_date) > as_of - dt.timedelta(
                            days=IN_TRANSIT_DAYS):
                        recent[pair] = recent.get(pair, 0) + 1
        spelled = (select(cases.c.court, cases.c.partner_court, cases.c.cross_role, func.count().label("n"))
                   .where(or_(handed_when, taken_when))
                   .group_by(cases.c.court, cases.c.partner_court, cases.c.cross_role))
        variants: dict[tuple[str, str], set[str]] = {}
        for r in conn.execute(spelled):
            meant = mapping.get(r.partner_court)
            if meant and meant != r.partner_court:
                pair = (r.court, meant) if r.cross_role == HANDED_OVER else (meant, r.court)
                variants.setdefault(pair, set()).add(r.partner_court)
    out = []
    for (a, b), (h, t) in sorted(bad.items()):
        kind = "承接方未登记" if t == 0 else "交出方未登记" if h == 0 else "件数不一致"
        out.append(Mismatch(a, b, h, t, kind, tuple(listed[a, b][0]), tuple(listed[a, b][1]),
                            in_transit=recent.get((a, b), 0) if h > t else 0))
    for (a, b), spellings in sorted(variants.items()):
        h, t = counts.get((a, b), [0, 0])
        out.append(Mismatch(a, b, h, t, "对方法院名称写法不一致", spellings=tuple(sorted(spellings))))
    return out


def _as_date(value) -> dt.date:
    if isinstance(value, str):  # SQLite hands back the stored text
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def last_year_window(config: Config, window: Window) -> Window:
    """The 同比 window of a phase, left out (empty) where it reaches before the data are complete."""
    shifted = same_period_last_year(window)
    if shifted.empty or shifted.start >= config.data_complete_from:
        return shifted
    return replace(shifted, label=shifted.label + "（无完整数据）", empty=True)
