"""The noise rules against published worked examples (Newcombe 1998, Statistics in Medicine 17: 857–872)."""

from __future__ import annotations

import pytest

from metrics.engine.uncertainty import newcombe, poisson_within_noise, proportions_within_noise, wilson


def test_wilson_interval_of_81_in_263():
    # Newcombe (1998a), Table I: 81/263 → 0.2553 to 0.3662.
    lower, upper = wilson(81, 263)
    assert (round(lower, 4), round(upper, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize("x1, n1, x2, n2, expected", [
    (56, 70, 48, 80, (0.0524, 0.3339)),
    (9, 10, 3, 10, (0.1705, 0.8090)),
    (6, 7, 2, 7, (0.0582, 0.8062)),
    (5, 56, 0, 29, (-0.0381, 0.1926)),
    (0, 10, 0, 20, (-0.1611, 0.2775)),
    (10, 10, 0, 20, (0.6791, 1.0000)),
])
def test_newcombe_method_10_matches_the_paper(x1, n1, x2, n2, expected):
    # Newcombe (1998b), Table II, method 10 (score interval of the difference, from Wilson intervals).
    lower, upper = newcombe(x1, n1, x2, n2)
    assert (round(lower, 4), round(upper, 4)) == expected


def test_difference_within_noise_when_the_interval_contains_zero():
    assert proportions_within_noise(5, 56, 0, 29)  # −0.038 … 0.193
    assert not proportions_within_noise(56, 70, 48, 80)  # 0.052 … 0.334
    # 730 cases are not a small sample: 44 % vs 38 % of 730 each is a real change …
    assert not proportions_within_noise(321, 730, 277, 730)
    # … while 44 % vs 42 % of the same 730 is within noise.
    assert proportions_within_noise(321, 730, 307, 730)


def test_poisson_rule_for_counts_per_month():
    # 10 cases in 2 months (5/月) vs 48 in 12 months (4/月): combined 58, expected share 2/14 = 0.143;
    # the Wilson interval of 10/58 is 0.096 … 0.289, which contains 0.143 → within noise.
    lower, upper = wilson(10, 58)
    assert round(lower, 3) == 0.096 and round(upper, 3) == 0.289
    assert poisson_within_noise(10, 2, 48, 12)
    # 30 in 2 months (15/月) vs 48 in 12 months: share 30/78 (0.284 … 0.496) far above 0.143 → a real change.
    assert not poisson_within_noise(30, 2, 48, 12)
    # Stocks are compared at equal exposure: 17 vs 29 long-pending cases (share 0.37, 0.245 … 0.51) is noise,
    # 17 vs 60 is not.
    assert poisson_within_noise(17, 1, 29, 1)
    assert not poisson_within_noise(17, 1, 60, 1)
    assert poisson_within_noise(0, 2, 0, 12)
