"""预判: where an indicator with a target is heading by the end of a phase that has not ended yet.

The method, in one sentence (shown on 指标口径, METHOD below): every part of the indicator — numerator and
denominator, e.g. 结案数 and 执行完毕数, or the 执行用时 of each closure — grows from what has happened so far by
the daily pace of the last 90 days for the days left in the phase; the range is what 1,000 random draws of days
from those 90 days give (the middle 95 %).

- *So far*: the phase window clamped to the 统计日 D, exactly as the indicator is computed everywhere else.
- *Pace*: the same measures computed for each of the 90 days D−89 … D (one window per day, so the 口径 is
  identical); the point projection adds mean-per-day × days left to each measure and applies the indicator's
  formula; for 执行用时中位数 (no additive parts) the point is the middle of the draws.
- *Range*: days left = phase end − D; each draw takes that many days at random (with replacement) from the
  90 and adds their measures (and closures' 执行用时) to the so-far; 2.5 % and 97.5 % quantiles.
- *Verdict*: 可望达标 when the whole range meets the target, 难以达标 when none of it does, otherwise 存在风险.
- Never for a phase that has ended (or not begun). The indicators whose parts do not add up day by day — stocks
  at a day (期末未结数, 超12个月未结数 and its share) and those depending on the 统计日 itself (裁判自动履行率,
  事项委托按期反馈率) — are projected record by record in metrics.engine.forecast_stock (its METHOD); 结案周转天数
  and the Kaplan–Meier median, when they have a target, are listed as 暂不预判 with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Connection

from metrics.config import Config
from metrics.engine import forecast_stock as stock
from metrics.engine.compare import target_of
from metrics.engine.compute import compute_many
from metrics.engine.filters import Filters
from metrics.engine.indicators import INDICATORS, MEASURES
from metrics.engine.windows import Window, clamp, phase_window

PACE_DAYS = 90
DRAWS = 1000
SEED = 20250301  # fixed, so a page and its report show the same range

METHOD = ("预判：指标的每个组成部分（分子、分母，如结案数与执行完毕数，或每件结案的执行用时）在已发生数的基础上，"
          f"按最近{PACE_DAYS}天的日均进度补足到阶段末得到预计值；从这{PACE_DAYS}天中随机抽取天数补足剩余天数、"
          f"重复{DRAWS}次，中间95%为区间；区间全部达到目标为“可望达标”，全部达不到为“难以达标”，其余为“存在风险”。"
          "已结束的阶段不作预判。")

METHOD_RECORDS = stock.METHOD  # the record-by-record ones, one more sentence
STOCK_KEYS_ALL = stock.KEYS  # projected record by record
NOT_PROJECTED = stock.NOT_PROJECTED  # key → why not (暂不预判：…)
NO_BASIS = {
    "pending_end": "暂不预判：距阶段末超过365天",
    "pending_over_12m": "暂不预判：距阶段末超过365天",
    "pending_over_12m_share": "暂不预判：距阶段末超过365天",
    "voluntary_compliance_rate": "暂不预判：最近一年没有观察期已满的裁判，无从推算被申请执行的比例",
    "entrust_on_time_rate": "暂不预判：最近90天没有到期的委托事项，无从推算按期反馈的比例",
}
STATUS_TEXT = {"likely": "可望达标", "risk": "存在风险", "unlikely": "难以达标"}

# Measures that are not sums over days: stocks at a day, or depending on the 统计日 itself.
NOT_ADDITIVE = {"pending_end", "pending_over_12m", "judgments_total", "judgments_applied", "entrust_due",
                "entrust_on_time"}
FIXED = {"pending_start"}  # a stock at the day before the phase: known, it does not grow
KINDS = ("count", "ratio", "mean", "median")


@dataclass(frozen=True)
class Projection:
    key: str
    phase: str
    as_of: dt.date
    phase_end: dt.date
    days_left: int
    so_far: float | None
    projected: float | None
    low: float | None
    high: float | None
    target: float | None
    direction: str  # higher / lower
    status: str | None  # likely / risk / unlikely; None without a projection
    note: str | None = None  # why there is no projection (暂不预判：…), shown instead of the numbers

    @property
    def status_text(self) -> str:
        if self.note:
            return "暂不预判"
        return STATUS_TEXT.get(self.status, "—")


def additive(key: str) -> bool:
    """Every part adds up day by day: projected from the last 90 days' pace."""
    ind = INDICATORS[key]
    parts = set(ind.numerator) | set(ind.denominator)
    return ind.kind in KINDS and not (parts & NOT_ADDITIVE)


def projectable(key: str) -> bool:
    """Shown in the 预判 table: additive, projected record by record (forecast_stock), or 暂不预判 with a reason."""
    return additive(key) or key in STOCK_KEYS_ALL or key in NOT_PROJECTED


def targeted_keys(config: Config) -> tuple[str, ...]:
    """Indicators with a numeric target and a direction that can be projected."""
    out = []
    for key in INDICATORS:
        t = target_of(config, key)
        if t.target is not None and t.direction in ("higher", "lower") and projectable(key):
            out.append(key)
    return tuple(out)


def open_phase_window(config: Config, phase_key: str, as_of: dt.date) -> Window | None:
    """The phase clamped to D when it has begun and not ended by D; None otherwise (no projection)."""
    phase = config.phase(phase_key)
    if phase.start > as_of or phase.end <= as_of:
        return None
    return phase_window(phase, as_of)


def _value(kind: str, num, den):
    """The indicator's formula on (arrays of) measure totals; NaN where the denominator is 0."""
    num = np.asarray(num, dtype=float)
    if kind == "count":
        return num
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)


def _draw_medians(base: list[int], per_day: list[list[int]], drawn: np.ndarray) -> np.ndarray:
    """The median of (so-far durations + the drawn days' durations) for every draw, via histograms of days."""
    top = max([*base, *[x for day in per_day for x in day], 0]) + 1
    hist_day = np.array([np.bincount(np.asarray(day, dtype=int), minlength=top) for day in per_day], dtype=float)
    hist = np.bincount(np.asarray(base, dtype=int), minlength=top) + drawn @ hist_day  # (draws, top)
    cum = np.cumsum(hist, axis=1)
    n = cum[:, -1]
    out = np.full(len(n), np.nan)
    ok = n > 0
    # 0-based ranks of the two middle values (the same for an odd count)
    lo_rank, hi_rank = np.floor((n - 1) / 2), np.floor(n / 2)
    lo = np.argmax(cum > lo_rank[:, None], axis=1)
    hi = np.argmax(cum > hi_rank[:, None], axis=1)
    out[ok] = (lo[ok] + hi[ok]) / 2
    return out


def _verdict(low: float, high: float, target: float, direction: str) -> str:
    def meets(x: float) -> bool:
        return x >= target - 1e-12 if direction == "higher" else x <= target + 1e-12

    if meets(low) and meets(high):
        return "likely"
    if not meets(low) and not meets(high):
        return "unlikely"
    return "risk"


def project_phase(conn: Connection, config: Config, phase_key: str, as_of: dt.date, filters: Filters = Filters(),
                  keys: tuple[str, ...] | None = None) -> list[Projection]:
    """Projections for the indicators with a target (or `keys`) of a phase not ended at D; [] otherwise."""
    window = open_phase_window(config, phase_key, as_of)
    keys = tuple(k for k in (keys or targeted_keys(config)) if projectable(k))
    if window is None or not keys:
        return []
    phase = config.phase(phase_key)
    phase_end = phase.end
    days_left = (phase_end - as_of).days
    additive = tuple(k for k in keys if k not in STOCK_KEYS_ALL and k not in NOT_PROJECTED)
    others = tuple(k for k in keys if k not in additive)
    days = [clamp(f"d{i}", "", as_of - dt.timedelta(days=i), as_of - dt.timedelta(days=i), as_of)
            for i in range(PACE_DAYS)]
    if additive:
        results = compute_many(conn, config, [window, *days], filters, additive)
        now, daily = results[0], results[1:]
        if others:  # the so-far values of the others, without their 90 daily windows
            extra = compute_many(conn, config, [window], filters, others)[0]
            now.values.update({k: extra.values[k] for k in others})
    else:
        now, daily = compute_many(conn, config, [window], filters, others)[0], []
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, PACE_DAYS, size=(DRAWS, days_left))
    # How often each of the 90 days is drawn in each draw: sums over the draws become one matrix product.
    drawn = np.zeros((DRAWS, PACE_DAYS))
    np.add.at(drawn, (np.repeat(np.arange(DRAWS), days_left), picks.ravel()), 1)
    cache: dict = {}

    def special(key: str):
        """The record-by-record projection of metrics.engine.forecast_stock (stocks computed once for three)."""
        rng_ = np.random.default_rng([SEED, STOCK_KEYS_ALL.index(key)])
        if key in stock.STOCK_KEYS:
            if "stocks" not in cache:
                cache["stocks"] = stock.project_stocks(conn, config, as_of, phase_end, filters,
                                                       np.random.default_rng([SEED, 0]), DRAWS)
            return cache["stocks"].get(key)
        if key == "voluntary_compliance_rate":
            return stock.project_compliance(conn, config, phase.start, as_of, phase_end, filters, rng_, DRAWS)
        return stock.project_entrust(conn, phase.start, as_of, phase_end, rng_, DRAWS)

    out = []
    for key in keys:
        ind = INDICATORS[key]
        t = target_of(config, key)
        if key in NOT_PROJECTED:
            out.append(Projection(key, phase_key, as_of, phase_end, days_left, now.values[key].value, None, None,
                                  None, t.target, t.direction, None, NOT_PROJECTED[key]))
            continue
        if key in STOCK_KEYS_ALL:
            found = special(key)
            if found is None:
                out.append(Projection(key, phase_key, as_of, phase_end, days_left, now.values[key].value, None,
                                      None, None, t.target, t.direction, None, NO_BASIS.get(key)))
                continue
            out.append(_finish(key, phase_key, as_of, phase_end, days_left, now.values[key].value, found.point,
                               found.values, t))
            continue

        def totals(parts: tuple[str, ...]):
            """(so far, point projection, per-draw totals) of a sum of measures."""
            so_far = sum(float(now.measures[p]) for p in parts)
            per_day = np.array([sum(float(r.measures[p]) for p in parts if p not in FIXED) for r in daily])
            return so_far, so_far + per_day.mean() * days_left, so_far + drawn @ per_day

        if ind.kind == "median":
            values = _draw_medians(now.durations, [r.durations for r in daily], drawn)
            point = None if np.all(np.isnan(values)) else float(np.nanmedian(values))
        else:
            n0, n1, ndraws = totals(ind.numerator)
            d1 = ddraws = None
            if ind.denominator:
                _, d1, ddraws = totals(ind.denominator)
            values = _value(ind.kind, ndraws, ddraws)
            point_arr = _value(ind.kind, n1, d1)
            point = None if np.isnan(point_arr) else float(point_arr)
        out.append(_finish(key, phase_key, as_of, phase_end, days_left, now.values[key].value, point, values, t))
    return out


def _finish(key: str, phase_key: str, as_of: dt.date, phase_end: dt.date, days_left: int, so_far, point,
            values: np.ndarray, t) -> Projection:
    """The range (middle 95 % of the draws, widened to hold the point) and the verdict against the target."""
    finite = values[~np.isnan(values)]
    if point is None or not len(finite):
        return Projection(key, phase_key, as_of, phase_end, days_left, so_far, None, None, None, t.target,
                          t.direction, None)
    low, high = (float(x) for x in np.quantile(finite, [0.025, 0.975]))
    low, high = min(low, point), max(high, point)
    status = _verdict(low, high, t.target, t.direction) if t.target is not None else None
    return Projection(key, phase_key, as_of, phase_end, days_left, so_far, point, low, high, t.target, t.direction,
                      status)


SEVERITY = {"unlikely": 0, "risk": 1, "likely": 2, None: 3}


def by_severity(projections: list[Projection]) -> list[Projection]:
    """难以达标 first, then 存在风险, 可望达标, and those without a verdict; the table's order within each."""
    return sorted(projections, key=lambda p: SEVERITY.get(p.status, 3))


def notes(projections: list[Projection]) -> list[str]:
    """The reasons of the 暂不预判 rows: “指标名：原因”."""
    return [f"{INDICATORS[p.key].name}{p.note.removeprefix('暂不预判')}" for p in projections if p.note]


def open_phases(config: Config, as_of: dt.date) -> list[str]:
    """The phases a projection is made for: begun and not ended at D."""
    return [p.key for p in config.phases if open_phase_window(config, p.key, as_of) is not None]


def measure_label(key: str) -> str:
    return MEASURES[key].label
