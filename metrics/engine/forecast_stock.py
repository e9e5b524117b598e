"""预判 for the indicators whose parts do not add up day by day: stocks at the phase end and 统计日-dependent rates.

The additive indicators (metrics.engine.forecast) grow by the last 90 days' pace. These cannot: 超12个月未结数 is a
count of cases still open on the phase end E, 裁判自动履行率 and 事项委托按期反馈率 depend on what has happened by
the day they are computed. Each is projected *as the dashboard would compute it with E as the 统计日*, record by
record, from what is known at the 统计日 D and a chance estimated from the recent past:

- 超12个月未结数 (pending_over_12m) and its share, 期末未结数 (pending_end): a case pending at D is still pending at E
  with the chance that it does not close on any day D+1 … E, where the daily closing chance for a case of a given
  age (立案后天数, in the bands of AGE_BANDS) is the closures of cases of that age in the last 90 days divided by
  the case-days pending at that age in those 90 days. It counts towards 超12个月 when E − 立案日期 > 365 (the
  indicator deducts no suspended days). Cases filed after D come in at the last 90 days' filing pace (Poisson)
  and stay pending with the same chances; they cannot be over 12 months old at E unless more than 365 days
  are left, so the projection is not made then.
- 裁判自动履行率 (voluntary_compliance_rate): judgments of the phase already applied for by D are applied; those
  whose observation window ended by D without application are not; for the others the chance of an application
  by min(effective + observation days, E), given none by D, comes from the share applied within k days of the
  judgments whose observation window ended within the last 365 days (F(k)): (F(h) − F(a)) / (1 − F(a)).
  Judgments becoming effective after D come in at the last 90 days' pace, each applied with F(E − effective).
- 事项委托按期反馈率 (entrust_on_time_rate): entrustments due by D are known; those due in D+1 … E and answered are
  on time; an open one with r days left is answered in time with the share, among the entrustments due in the
  last 90 days that were still unanswered r days before their deadline, answered by the deadline; entrustments
  sent after D and due by E come in at the last 90 days' pace with the on-time share of those due in the last
  90 days.

The range: 1,000 draws in which every open record is settled at random with its chance and every count of new
records is a Poisson draw; the middle 95 %. It shows the chance in the records only, not the uncertainty of the
chances themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Date, and_, case, literal, or_, select
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine.filters import Filters, scope_conditions
from metrics.engine.indicators import Ctx, applied_for_link, row_conditions
from metrics.engine.schema import cases, entrustments, judgments
from metrics.engine.sqlfuncs import days_between

PACE_DAYS = 90
REFERENCE_DAYS = 365  # judgments: the observation windows that ended in this many days before D
OVER_DAYS = 365  # 超12个月: more than this many days between filing and the phase end (as pending_over_12m)
AGE_BANDS = (0, 90, 180, 365, 730)  # lower bounds in days of the age bands of the closing chance

STOCK_KEYS = ("pending_end", "pending_over_12m", "pending_over_12m_share")
KEYS = (*STOCK_KEYS, "voluntary_compliance_rate", "entrust_on_time_rate")

METHOD = ("超12个月未结数及其占比、期末未结数：统计日未结的案件逐件按最近90天同案龄段（立案后0–90、90–180、180–365、"
          "365–730、730天以上）的日结案率推算其到阶段末仍未结的概率，立案至阶段末超过365天的计入超12个月，"
          "此后新收案件按最近90天的日均收案数计入；裁判自动履行率：已被申请执行或观察期已满的裁判按实际计，"
          "观察期未满的按最近一年观察期已满的裁判在同样天数后被申请执行的比例推算，此后生效的裁判按最近90天的日均数计入；"
          "事项委托按期反馈率：已到期的按实际计，阶段末前到期尚未反馈的按最近90天到期事项中同样剩余天数时仍未反馈者"
          "最终按期反馈的比例推算，此后收到并在阶段末前到期的按最近90天的日均数计入；"
          "区间为逐件随机结算1000次的中间95%，只反映逐件的偶然性。")

NOT_PROJECTED = {
    "cycle_km_median": "暂不预判：半数结案用时的立案队列在阶段末前仍在增加，新立案件多数到阶段末尚未结案，"
                       "无法可靠推算阶段末的数值",
    "disposition_days": "暂不预判：结案周转天数由期末未结数与全期结案速度相除，两者的偶然性不独立，区间无法可靠给出",
}


@dataclass(frozen=True)
class Draws:
    """A projection before the verdict: the point and the per-draw values (NaN where undefined)."""

    point: float | None
    values: np.ndarray


def _band_index(ages: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(AGE_BANDS), ages, side="right") - 1


def closing_chances(ages_at_d: np.ndarray, closed_age: np.ndarray) -> np.ndarray:
    """Daily closing chance per age band from the last 90 days.

    ages_at_d: per case alive in the 90 days, its age at D (D − 立案日期); closed_age: its age at its closing if
    the closing lies in the 90 days, else −1 (pending at D). A case is at risk on each day t of the 90 days from
    its filing day to its closing day (both counted) or D; an event is a closing on such a day.
    """
    n_bands = len(AGE_BANDS)
    events = np.zeros(n_bands)
    exposure = np.zeros(n_bands)
    first = ages_at_d - (PACE_DAYS - 1)  # age on the first of the 90 days (may be negative: filed later)
    lo = np.maximum(first, 0)
    hi = np.where(closed_age >= 0, closed_age, ages_at_d)  # age on the last day at risk
    bounds = [*AGE_BANDS, np.inf]
    for b in range(n_bands):
        a, z = bounds[b], bounds[b + 1] - 1
        exposure[b] = np.clip(np.minimum(hi, z) - np.maximum(lo, a) + 1, 0, None).sum()
    closed = closed_age[closed_age >= 0]
    np.add.at(events, _band_index(closed), 1)
    overall = events.sum() / exposure.sum() if exposure.sum() else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(exposure > 0, events / np.where(exposure > 0, exposure, 1), overall)


def _log_survival(hazard: np.ndarray, top: int) -> np.ndarray:
    """L[a] = Σ_{k=0..a} log(1 − h(band(k))) for a = 0 … top."""
    h = hazard[_band_index(np.arange(top + 1))]
    return np.cumsum(np.log1p(-np.minimum(h, 1.0)))


def _quantiles(values: np.ndarray) -> tuple[float, float] | None:
    finite = values[~np.isnan(values)]
    if not len(finite):
        return None
    low, high = np.quantile(finite, [0.025, 0.975])
    return float(low), float(high)


def _date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


# ---- 超12个月 and 期末未结 ---------------------------------------------------------------------------------------

def _case_rows(conn: Connection, config: Config, as_of: dt.date, filters: Filters):
    """(age at D, age at closing or −1 if pending at D) of the in-scope cases pending at D or closed in the 90 days."""
    D = literal(as_of, Date)
    w0 = as_of - dt.timedelta(days=PACE_DAYS - 1)
    closed_by_d = and_(cases.c.closing_date.isnot(None), cases.c.closing_date <= as_of)
    stmt = (select(days_between(cases.c.filing_date, D).label("age"),
                   case((closed_by_d, days_between(cases.c.filing_date, cases.c.closing_date)), else_=None)
                   .label("closed_age"))
            .where(*scope_conditions(filters, config.parameters.scope_case_types), cases.c.filing_date <= as_of,
                   or_(cases.c.closing_date.is_(None), cases.c.closing_date >= w0)))
    rows = conn.execute(stmt).all()
    ages = np.array([int(r.age) for r in rows], dtype=int)
    closed = np.array([-1 if r.closed_age is None else max(int(r.closed_age), 0) for r in rows], dtype=int)
    return ages, closed


def project_stocks(conn: Connection, config: Config, as_of: dt.date, phase_end: dt.date, filters: Filters,
                   rng: np.random.Generator, draws: int) -> dict[str, Draws]:
    n = (phase_end - as_of).days
    if n > OVER_DAYS:
        return {}
    ages, closed = _case_rows(conn, config, as_of, filters)
    return stock_draws(ages, closed, n, rng, draws)


def stock_draws(ages: np.ndarray, closed: np.ndarray, n: int, rng: np.random.Generator, draws: int
                ) -> dict[str, Draws]:
    """The stock projections from the case rows of _case_rows and the days left n (pure, for tests)."""
    hazard = closing_chances(ages, closed)
    pending = ages[closed < 0]
    top = int(max([*pending, 0])) + n + 1
    L = _log_survival(hazard, top)
    stay = np.exp(L[pending + n] - L[pending])  # pending at D, still pending at E
    old = pending + n > OVER_DAYS
    filed = np.count_nonzero(ages < PACE_DAYS)  # filed in the 90 days (age at D 0 … 89)
    rate = filed / PACE_DAYS
    # filed on D + j (j = 1 … n), pending at E after n − j days at risk from age 0
    new_mean = rate * float(np.exp(L[np.arange(0, n)]).sum()) if n else 0.0
    settle = rng.random((draws, len(pending))) < stay  # True: still pending at E
    old_draw = settle[:, old].sum(axis=1).astype(float)
    young_draw = settle[:, ~old].sum(axis=1).astype(float)
    new_draw = rng.poisson(new_mean, draws).astype(float)
    total_draw = old_draw + young_draw + new_draw
    old_point = float(stay[old].sum())
    total_point = float(stay.sum()) + new_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total_draw > 0, old_draw / np.where(total_draw > 0, total_draw, 1), np.nan)
    return {
        "pending_over_12m": Draws(old_point, old_draw),
        "pending_end": Draws(total_point, total_draw),
        "pending_over_12m_share": Draws(old_point / total_point if total_point else None, share),
    }


# ---- 裁判自动履行率 ---------------------------------------------------------------------------------------------

def _judgment_rows(conn: Connection, config: Config, start: dt.date, as_of: dt.date, filters: Filters):
    """(days since effective at D, days from effective to the first application or None) of the judgments that
    matter: effective from the earliest reference day (or the phase start) to D."""
    obs = config.parameters.judgment_observation_days
    first = min(start, as_of - dt.timedelta(days=obs + REFERENCE_DAYS - 1), as_of - dt.timedelta(days=PACE_DAYS - 1))
    ctx = Ctx.for_dates(first, as_of, as_of, config.parameters)
    link = applied_for_link(as_of)
    D = literal(as_of, Date)
    stmt = (select(days_between(judgments.c.effective_date, D).label("age"),
                   days_between(judgments.c.effective_date, link.c.first_filing).label("delay"))
            .select_from(judgments.outerjoin(link, link.c.doc_no == judgments.c.doc_no))
            .where(*row_conditions("judgments", ctx, filters), judgments.c.effective_date >= first,
                   judgments.c.effective_date <= as_of))
    rows = conn.execute(stmt).all()
    ages = np.array([int(r.age) for r in rows], dtype=int)
    delays = np.array([np.nan if r.delay is None else float(r.delay) for r in rows], dtype=float)
    return ages, delays


def project_compliance(conn: Connection, config: Config, start: dt.date, as_of: dt.date, phase_end: dt.date,
                       filters: Filters, rng: np.random.Generator, draws: int) -> Draws | None:
    ages, delays = _judgment_rows(conn, config, start, as_of, filters)
    return compliance_draws(ages, delays, (as_of - start).days, (phase_end - as_of).days,
                            config.parameters.judgment_observation_days, rng, draws)


def compliance_draws(ages: np.ndarray, delays: np.ndarray, since_start: int, n: int, obs: int,
                     rng: np.random.Generator, draws: int) -> Draws | None:
    """ages: D − effective; delays: first application − effective (NaN: none by D); since_start: D − phase start."""
    applied_now = ~np.isnan(delays) & (delays <= obs)
    ref = (ages >= obs) & (ages <= obs + REFERENCE_DAYS - 1)
    if not ref.any():
        return None  # no judgment whose observation window has ended recently: no chance to go by
    k = np.arange(obs + 1)
    ref_delay = np.where(applied_now[ref], np.maximum(delays[ref], 0), np.inf)
    F = (ref_delay[None, :] <= k[:, None]).mean(axis=1)  # F[k]: applied within k days
    phase = ages <= since_start
    known_applied = int((phase & applied_now).sum())
    open_ = phase & ~applied_now & (ages < obs)
    known_total = int(phase.sum())
    a = ages[open_]
    h = np.minimum(obs, a + n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(F[a] < 1, (F[h] - F[a]) / np.where(F[a] < 1, 1 - F[a], 1), 0.0)
    rate = np.count_nonzero(ages < PACE_DAYS) / PACE_DAYS  # effective in the 90 days
    f_new = F[np.minimum(obs, n - np.arange(1, n + 1))] if n else np.zeros(0)  # effective on D + j
    new_applied, new_not = rate * float(f_new.sum()), rate * float((1 - f_new).sum())
    point_total = known_total + new_applied + new_not
    point = 1 - (known_applied + p.sum() + new_applied) / point_total if point_total else None
    # a Poisson number of new judgments split by their chance: two independent Poisson counts
    new_a = rng.poisson(new_applied, draws)
    new_n = rng.poisson(new_not, draws)
    applied = known_applied + (rng.random((draws, len(p))) < p).sum(axis=1) + new_a
    total = known_total + new_a + new_n
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(total > 0, 1 - applied / np.where(total > 0, total, 1), np.nan)
    return Draws(None if point is None else float(point), values.astype(float))


# ---- 事项委托按期反馈率 ------------------------------------------------------------------------------------------

def _entrust_rows(conn: Connection, as_of: dt.date):
    """(days since sent at D, 办理期限, days to feedback or None if none by D) of the received entrustments sent
    by D (全院口径, as entrust_on_time_rate)."""
    D = literal(as_of, Date)
    rows = conn.execute(
        select(days_between(entrustments.c.sent_date, D).label("age"), entrustments.c.due_days,
               case((entrustments.c.feedback_date <= as_of,
                     days_between(entrustments.c.sent_date, entrustments.c.feedback_date)), else_=None)
               .label("fb"))
        .where(entrustments.c.direction == "收到", entrustments.c.sent_date <= as_of)).all()
    ages = np.array([int(r.age) for r in rows], dtype=int)
    due = np.array([int(r.due_days) for r in rows], dtype=int)
    fb = np.array([np.nan if r.fb is None else float(r.fb) for r in rows], dtype=float)
    return ages, due, fb


def project_entrust(conn: Connection, start: dt.date, as_of: dt.date, phase_end: dt.date,
                    rng: np.random.Generator, draws: int) -> Draws | None:
    ages, due, fb = _entrust_rows(conn, as_of)
    return entrust_draws(ages, due, fb, (as_of - start).days, (phase_end - as_of).days, rng, draws)


def entrust_draws(ages: np.ndarray, due: np.ndarray, fb: np.ndarray, since_start: int, n: int,
                  rng: np.random.Generator, draws: int) -> Draws | None:
    """ages: D − 委托日期; due: 办理期限; fb: 委托日期 → 反馈日期 (NaN: none by D); since_start: D − phase start."""
    in_time = ~np.isnan(fb) & (fb <= due)
    left = due - ages  # days left before the deadline passes (0: D is the last day, < 0: passed)
    ref = (left <= 0) & (left >= -(PACE_DAYS - 1))  # deadline on one of the last 90 days
    if not ref.any():
        return None
    phase = ages <= since_start
    known = phase & (left <= 0)  # counted as due at D already (委托日期 + 办理期限 ≤ D)
    soon = phase & (ages < due) & (left <= n)  # due in D+1 … E
    known_total = int(known.sum()) + int(soon.sum())
    known_on_time = int((known & in_time).sum()) + int((soon & in_time).sum())
    open_ = soon & np.isnan(fb)
    r = left[open_]
    ref_fb, ref_due = fb[ref], due[ref]
    p = np.empty(len(r))
    base = float(((~np.isnan(ref_fb)) & (ref_fb <= ref_due)).mean())
    for i, days in enumerate(r):
        unanswered = np.isnan(ref_fb) | (ref_fb > ref_due - days)
        p[i] = float((~np.isnan(ref_fb[unanswered]) & (ref_fb[unanswered] <= ref_due[unanswered])).mean()) \
            if unanswered.any() else base
    # sent on D + j (j = 1 … n) and due by E: j + 办理期限 ≤ n; the last 90 days' intake per day with its 办理期限
    recent = ages < PACE_DAYS
    new_mean = float(np.clip(n - due[recent], 0, None).sum()) / PACE_DAYS
    point = (known_on_time + p.sum() + new_mean * base) / (known_total + new_mean) \
        if known_total + new_mean else None
    new_on = rng.poisson(new_mean * base, draws)
    new_late = rng.poisson(new_mean * (1 - base), draws)
    on = known_on_time + (rng.random((draws, len(p))) < p).sum(axis=1) + new_on
    total = known_total + new_on + new_late
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(total > 0, on / np.where(total > 0, total, 1), np.nan)
    return Draws(None if point is None else float(point), values.astype(float))
