"""Compare a phase with the baseline and with the same period a year earlier (SPEC section 5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.config import Config, Target
from metrics.engine.compute import Value, WindowResult
from metrics.engine.indicators import INDICATORS, MEASURES, Indicator

RATE_UNITS = ("rate", "ratio")

# For ratios of money or means, "how many cases" is a different measure than the denominator.
CASE_BASIS = {
    "recovery_rate": "monetary_closed",
    "cross_recovery_rate": "cross_closed",
    "cycle_days_mean": "closed",
    "cycle_days_median": "closed",
    "auction_premium_rate": "auction_deals",
    "auction_realization_rate": "auction_deals",
    "disposition_days": "closed",
}


@dataclass(frozen=True)
class Change:
    """The difference of two windows' values, in the unit a report states it in."""

    delta: float | None  # 百分点 for rates, 天 for durations, per month for counts
    unit: str  # 百分点 / 天 / 件/月 / 人次/月 / 万元/月
    verdict: str | None  # better / worse / same / None (no direction or no data)
    uncertain: bool  # small denominators, or within the 95 % noise band of a proportion
    reason: str | None = None  # why it is uncertain: 样本较小 / 差异在统计误差内


def target_of(config: Config, key: str) -> Target:
    ind = INDICATORS[key]
    return config.targets.get(key, Target(direction=ind.direction))


def direction_of(config: Config, key: str) -> str:
    return target_of(config, key).direction


def case_count(result: WindowResult, key: str) -> int | None:
    """How many cases (or records) a value rests on."""
    basis = CASE_BASIS.get(key)
    ind = INDICATORS[key]
    if basis is None:
        if ind.kind == "count":
            return None
        basis_keys = ind.denominator
    else:
        basis_keys = (basis,)
    if any(result.measures.get(k) is None for k in basis_keys):
        return None
    if any(MEASURES[k].value is not None and MEASURES[k].unit == "元" for k in basis_keys):
        return None
    return int(sum(result.measures[k] for k in basis_keys))


def is_small(result: WindowResult, key: str, config: Config) -> bool:
    n = case_count(result, key)
    return n is not None and n < config.parameters.small_denominator


def comparable(ind: Indicator, value: Value, result: WindowResult) -> float | None:
    """The quantity compared across windows: counts per month (月均), everything else as is."""
    if value.value is None:
        return None
    if ind.kind == "count" and ind.key not in ("pending_end", "pending_over_12m"):
        return value.value / result.window.months
    return float(value.value)


def change_unit(ind: Indicator) -> str:
    if ind.unit in RATE_UNITS:
        return "百分点"
    if ind.unit == "days":
        return "天"
    if ind.kind == "count" and ind.key in ("pending_end", "pending_over_12m"):
        return "件"
    return {"count": "件/月", "persons": "人次/月", "money": "万元/月"}.get(ind.unit, "")


def _proportion_noise(a: Value, b: Value) -> float | None:
    """1.96 × standard error of the difference of two proportions, or None when not a proportion of counts."""
    try:
        n1, n2 = int(a.denominator), int(b.denominator)
        p1, p2 = float(a.numerator) / n1, float(b.numerator) / n2
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (0 <= p1 <= 1 and 0 <= p2 <= 1):
        return None
    return 1.96 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


def change(config: Config, key: str, now: WindowResult, then: WindowResult) -> Change:
    ind = INDICATORS[key]
    unit = change_unit(ind)
    a, b = now.values[key], then.values[key]
    x, y = comparable(ind, a, now), comparable(ind, b, then)
    if x is None or y is None:
        return Change(None, unit, None, False)
    delta = x - y
    if ind.unit in RATE_UNITS:
        delta *= 100
    if ind.unit == "money":
        delta /= 10000
    direction = direction_of(config, key)
    if abs(delta) < 1e-9:
        verdict = "same"
    elif direction == "higher":
        verdict = "better" if delta > 0 else "worse"
    elif direction == "lower":
        verdict = "better" if delta < 0 else "worse"
    else:
        verdict = None
    reason = "样本较小" if is_small(now, key, config) or is_small(then, key, config) else None
    noise = _proportion_noise(a, b) if ind.kind == "ratio" and ind.unit == "rate" else None
    if reason is None and noise is not None and abs(x - y) < noise:
        reason = "差异在统计误差内"
    return Change(delta, unit, verdict, reason is not None, reason)


def target_status(config: Config, key: str, value: Value) -> str | None:
    """met / missed / None (no target or no value)."""
    t = target_of(config, key)
    if t.target is None or value.value is None or t.direction not in ("higher", "lower"):
        return None
    ok = value.value >= t.target if t.direction == "higher" else value.value <= t.target
    return "met" if ok else "missed"


@dataclass(frozen=True)
class Row:
    key: str
    phase: str
    value: Value
    baseline: Value
    last_year: Value
    vs_baseline: Change
    vs_last_year: Change
    status: str | None
    small: bool


def compare_phase(config: Config, key: str, phase_key: str, phases: dict[str, WindowResult],
                  last_year: dict[str, WindowResult]) -> Row:
    now, base, yoy = phases[phase_key], phases[config.baseline.key], last_year[phase_key]
    return Row(key, phase_key, now.values[key], base.values[key], yoy.values[key],
               change(config, key, now, base), change(config, key, now, yoy),
               target_status(config, key, now.values[key]), is_small(now, key, config))
