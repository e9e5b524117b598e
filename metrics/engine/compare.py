"""Compare a phase with the baseline and with the same period a year earlier (SPEC section 5)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from metrics.config import Config, Target
from metrics.engine.compute import Value, WindowResult
from metrics.engine.filters import Filters
from metrics.engine.indicators import INDICATORS, MEASURES, Indicator
from metrics.engine.uncertainty import poisson_within_noise, proportions_within_noise

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


# Why a change is uncertain. Kept apart: 730 cases are not a small sample, yet their change may be noise.
NOISE = "差异在统计误差内"
SMALL = "样本较小"
# Why no change is stated at all.
NOT_COMPARABLE = "受理口径，只与上年同期比较"
IS_BASELINE = "基线期本身"
ANOMALY = "数据异常"

# Court-wide sources: judgments are filtered by court only, entrustments not at all (SPEC section 4).
COURT_WIDE_SOURCES = ("judgments", "entrustments")
# Ratios whose value can legitimately leave [0, 1] (a premium, a price above the appraisal, closed ÷ filed).
UNBOUNDED = frozenset({"auction_premium_rate", "auction_realization_rate"})


@dataclass(frozen=True)
class Change:
    """The difference of two windows' values, in the unit a report states it in."""

    delta: float | None  # 百分点 for rates, 天 for durations, per month for counts
    unit: str  # 百分点 / 天 / 件/月 / 人次/月 / 万元/月
    verdict: str | None  # better / worse / same / None (no direction or no data)
    uncertain: bool  # within random noise by the stated rule (uncertainty.py), or a small sample without a rule
    reason: str | None = None  # why it is uncertain (NOISE / SMALL) or why there is no delta (NOT_COMPARABLE …)


def year_on_year_only(key: str) -> bool:
    """受理口径 rates (denominator 旧存 + 新收) grow with the window's length: a two-month phase cannot close
    what a twelve-month baseline closes, so only the same window a year earlier is a fair yardstick."""
    return "pending_start" in INDICATORS[key].denominator


def court_wide(key: str) -> bool:
    """Indicators no team, handler, tag or role filter applies to (裁判自动履行率, 事项委托按期反馈率)."""
    return INDICATORS[key].source in COURT_WIDE_SOURCES


def possible_range(key: str) -> tuple[float | None, float | None]:
    """The values an indicator can take; anything outside is a data error (e.g. 到位 > 申请 in aggregate)."""
    ind = INDICATORS[key]
    if ind.unit == "rate" and key not in UNBOUNDED:
        return 0.0, 1.0
    if ind.unit in ("days", "count", "persons", "money") or ind.unit == "ratio":
        return 0.0, None
    return None, None


def impossible(value: Value) -> bool:
    if value.value is None:
        return False
    low, high = possible_range(value.key)
    v = float(value.value)
    return (low is not None and v < low - 1e-12) or (high is not None and v > high + 1e-12)


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


def has_test(key: str) -> bool:
    """Whether a stated statistical rule decides this indicator's noise (uncertainty.py)."""
    ind = INDICATORS[key]
    if ind.kind in ("ratio", "complement") and ind.unit == "rate" and key not in UNBOUNDED:
        return all(MEASURES[k].unit != "元" for k in (*ind.numerator, *ind.denominator))
    return ind.kind == "count" and ind.unit in ("count", "persons")


def few_cases(result: WindowResult, key: str, config: Config) -> bool:
    """A single value resting on fewer than `small_denominator` cases (a ranking of teams must say so)."""
    n = case_count(result, key)
    return n is not None and n < config.parameters.small_denominator


def is_small(result: WindowResult, key: str, config: Config) -> bool:
    """Too few cases to trust a change no statistical rule can judge (money ratios, means, medians)."""
    return not has_test(key) and few_cases(result, key, config)


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


def within_noise(key: str, a: Value, b: Value, now: WindowResult, then: WindowResult) -> bool | None:
    """The stated rule for this indicator (uncertainty.py); None when no rule applies."""
    if not has_test(key):
        return None
    ind = INDICATORS[key]
    try:
        if ind.kind == "count":
            stock = change_unit(ind) == "件"
            t1, t2 = (1.0, 1.0) if stock else (now.window.months, then.window.months)
            return poisson_within_noise(float(a.value), t1, float(b.value), t2)
        x1, n1, x2, n2 = float(a.numerator), float(a.denominator), float(b.numerator), float(b.denominator)
    except (TypeError, ValueError):
        return None
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        return None
    return proportions_within_noise(x1, n1, x2, n2)


def change(config: Config, key: str, now: WindowResult, then: WindowResult) -> Change:
    ind = INDICATORS[key]
    unit = change_unit(ind)
    a, b = now.values[key], then.values[key]
    if impossible(a) or impossible(b):
        return Change(None, unit, None, False, ANOMALY)
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
    noise = within_noise(key, a, b, now, then)
    if noise is None:
        reason = SMALL if is_small(now, key, config) or is_small(then, key, config) else None
    else:
        reason = NOISE if noise and verdict != "same" else None
    return Change(delta, unit, verdict, reason is not None, reason)


def target_status(config: Config, key: str, value: Value) -> str | None:
    """met / missed / anomaly (an impossible value: never judged) / None (no target or no value)."""
    if impossible(value):
        return "anomaly"
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
    status: str | None  # met / missed / anomaly / None; None for a court-wide indicator under a case filter
    small: bool
    court_wide: bool = False  # a team/handler/tag/role filter is in force and does not apply to this indicator
    # Fewer than `small_denominator` cases under the value: a 达标/未达标 verdict on it says 样本较小, even where
    # a statistical rule (not this count) judges its changes.
    few: bool = False

    @property
    def anomaly(self) -> bool:
        return self.status == "anomaly"

    @property
    def yardstick(self) -> Change:
        """The comparison that says whether the indicator moved: the baseline, or 同比 where only that is fair."""
        return self.vs_last_year if year_on_year_only(self.key) else self.vs_baseline


def compare_phase(config: Config, key: str, phase_key: str, phases: dict[str, WindowResult],
                  last_year: dict[str, WindowResult], filters: Filters | None = None) -> Row:
    now, base, yoy = phases[phase_key], phases[config.baseline.key], last_year[phase_key]
    unit = change_unit(INDICATORS[key])
    if phase_key == config.baseline.key:
        vs_base = Change(None, unit, None, False, IS_BASELINE)
    elif year_on_year_only(key):
        vs_base = Change(None, unit, None, False, NOT_COMPARABLE)
    else:
        vs_base = change(config, key, now, base)
    status = target_status(config, key, now.values[key])
    wide = court_wide(key) and filters is not None and _narrowed(filters)
    if wide and status != "anomaly":
        status = None  # the target is the court's; a team is not judged by the whole court's figure
    return Row(key, phase_key, now.values[key], base.values[key], yoy.values[key], vs_base,
               change(config, key, now, yoy), status, is_small(now, key, config), wide,
               few_cases(now, key, config))


def _narrowed(filters: Filters) -> bool:
    """A filter the court-wide indicators ignore (the court filter applies to 生效裁判 and is not counted)."""
    return bool(filters.teams or filters.handlers or filters.tags or filters.cross_roles)


def with_filters(row: Row, filters: Filters) -> Row:
    """The row as seen under `filters` (the court-wide badge and no target for a filtered view)."""
    if court_wide(row.key) and _narrowed(filters):
        return replace(row, court_wide=True, status=row.status if row.status == "anomaly" else None)
    return row
