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
- Never for a phase that has ended (or not begun); not for indicators that are stocks at a day (期末未结数,
  超12个月未结数 and their shares, 结案周转天数), that depend on the 统计日 itself (裁判自动履行率, 事项委托按期反馈率)
  or for the Kaplan–Meier median: their parts do not add up day by day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Connection

from metrics.config import Config
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

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, "—")


def projectable(key: str) -> bool:
    ind = INDICATORS[key]
    parts = set(ind.numerator) | set(ind.denominator)
    return ind.kind in KINDS and not (parts & NOT_ADDITIVE)


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
    phase_end = config.phase(phase_key).end
    days_left = (phase_end - as_of).days
    days = [clamp(f"d{i}", "", as_of - dt.timedelta(days=i), as_of - dt.timedelta(days=i), as_of)
            for i in range(PACE_DAYS)]
    results = compute_many(conn, config, [window, *days], filters, keys)
    now, daily = results[0], results[1:]
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, PACE_DAYS, size=(DRAWS, days_left))
    # How often each of the 90 days is drawn in each draw: sums over the draws become one matrix product.
    drawn = np.zeros((DRAWS, PACE_DAYS))
    np.add.at(drawn, (np.repeat(np.arange(DRAWS), days_left), picks.ravel()), 1)
    out = []
    for key in keys:
        ind = INDICATORS[key]
        t = target_of(config, key)

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
        so_far = now.values[key].value
        finite = values[~np.isnan(values)]
        if point is None or not len(finite) or t.target is None:
            out.append(Projection(key, phase_key, as_of, phase_end, days_left, so_far, None, None, None,
                                  t.target, t.direction, None))
            if point is not None and len(finite):  # no target: the projection without a verdict
                low, high = (float(x) for x in np.quantile(finite, [0.025, 0.975]))
                out[-1] = Projection(key, phase_key, as_of, phase_end, days_left, so_far, point, min(low, point),
                                     max(high, point), None, t.direction, None)
            continue
        low, high = (float(x) for x in np.quantile(finite, [0.025, 0.975]))
        low, high = min(low, point), max(high, point)
        out.append(Projection(key, phase_key, as_of, phase_end, days_left, so_far, point, low, high, t.target,
                              t.direction, _verdict(low, high, t.target, t.direction)))
    return out


def open_phases(config: Config, as_of: dt.date) -> list[str]:
    """The phases a projection is made for: begun and not ended at D."""
    return [p.key for p in config.phases if open_phase_window(config, p.key, as_of) is not None]


def measure_label(key: str) -> str:
    return MEASURES[key].label
