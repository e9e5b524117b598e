"""When is a change within random noise? Two stated rules instead of a fixed sample size (SPEC section 5).

- A difference of two proportions (执行完毕率, 实际执结率 …): Newcombe's hybrid score interval (Newcombe 1998,
  method 10), built from the Wilson score interval of each proportion. The change is within noise when the 95 %
  interval of the difference contains 0. Unlike the normal approximation it stays sensible for 0 %, 100 % and
  a handful of cases.
- A difference of two counts per month (新收, 结案, 强制措施人次 …) or of two stocks (期末未结): the Poisson rule.
  If both periods had the same monthly rate, the current period's share of the combined count would be
  t₁ ÷ (t₁ + t₂) (the months of each period; equal for stocks). The change is within noise when that share lies
  inside the 95 % Wilson interval of the observed share x₁ ÷ (x₁ + x₂) — the conditional test of two Poisson
  rates, inverted.

Money ratios (执行到位率), means and medians of days rest on amounts and durations whose spread the aggregates do
not carry; for them no test is made and the sample size alone is reported (fewer than `small_denominator` cases
→ 样本较小).
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the two-sided 95 % quantile of the standard normal distribution


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion x ÷ n."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: float, n1: float, x2: float, n2: float, z: float = Z95) -> tuple[float, float]:
    """The 95 % interval of p₁ − p₂ (p₁ = x₁ ÷ n₁, p₂ = x₂ ÷ n₂), Newcombe's method 10."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def proportions_within_noise(x1: float, n1: float, x2: float, n2: float) -> bool:
    lower, upper = newcombe(x1, n1, x2, n2)
    return lower <= 0 <= upper


def poisson_within_noise(x1: float, t1: float, x2: float, t2: float) -> bool:
    """Counts x₁ in t₁ months and x₂ in t₂ months: could both come from the same monthly rate?"""
    n = x1 + x2
    if n <= 0:
        return True  # nothing happened in either period: no evidence of a change
    expected = t1 / (t1 + t2)
    lower, upper = wilson(x1, n)
    return lower <= expected <= upper
