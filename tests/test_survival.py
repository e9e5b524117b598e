"""Kaplan–Meier time to closure: the estimator against a hand-computed table, the cohort and censoring in SQL."""

from __future__ import annotations

import pytest

from metrics.engine.compute import breakdown, compute_many
from metrics.engine.filters import Filters
from metrics.engine.schema import cases
from metrics.engine.survival import kaplan_meier, km_tables
from metrics.engine.windows import clamp
from tests.conftest import d, insert, make_config

# Eight cases, worked by hand (e = closed, c = censored):
#   t    n at risk  d  c   S(t)                     Greenwood Σ d/(n(n−d))
#   2    8          1  0   7/8            = 0.875   1/56             = 0.0178571
#   3    7          1  1   0.875 × 6/7    = 0.75    + 1/42           = 0.0416667
#   5    5          1  0   0.75 × 4/5     = 0.6     + 1/20           = 0.0916667
#   6    4          0  1   0.6                      0.0916667
#   8    3          2  0   0.6 × 1/3      = 0.2     + 2/3            = 0.7583333
#   10   1          0  1   0.2
# Median: the first t with S ≤ 0.5 is 8.
# 95 % band on log(−log S): se = √Σ / |ln S|; lower = S^exp(1.96 se), upper = S^exp(−1.96 se).
#   t=2: se = 0.133631/0.133531 = 1.000746, lower = 0.875^7.1094 = 0.3870  → already ≤ 0.5: median lower end 2
#   t=5: se = 0.302765/0.510826 = 0.592706, lower = 0.6^3.19515 = 0.1955, upper = 0.6^0.312974 = 0.8523
#   t=8: se = 0.870823/1.609438 = 0.541076, upper = 0.2^0.346283 = 0.5727 > 0.5 and t=10 the same:
#        the upper end of the median's interval is not reached (null).
DURATIONS = [2, 3, 3, 5, 6, 8, 8, 10]
EVENTS = [True, False, True, True, False, True, True, False]


def test_kaplan_meier_matches_the_hand_computed_table():
    km = kaplan_meier(DURATIONS, EVENTS)
    assert km.time.tolist() == [2, 3, 5, 6, 8, 10]
    assert km.at_risk.tolist() == [8, 7, 5, 4, 3, 1]
    assert km.events.tolist() == [1, 1, 1, 0, 2, 0]
    assert km.censored.tolist() == [0, 1, 0, 1, 0, 1]
    assert km.survival.tolist() == pytest.approx([0.875, 0.75, 0.6, 0.6, 0.2, 0.2])
    assert km.lower[0] == pytest.approx(0.3870, abs=5e-4)
    assert km.lower[2] == pytest.approx(0.1955, abs=5e-4)
    assert km.upper[2] == pytest.approx(0.8523, abs=5e-4)
    assert km.upper[4] == pytest.approx(0.5727, abs=5e-4)
    assert km.median() == 8
    assert km.median_interval() == (2, None)
    assert (km.n, km.n_events) == (8, 5)


def test_median_is_null_when_half_never_close_and_zero_when_all_close_at_once():
    assert kaplan_meier([5, 6, 7, 8], [True, False, False, False]).median() is None
    assert kaplan_meier([], []).median() is None
    km = kaplan_meier([0, 0, 0], [True, True, True])
    assert km.median() == 0 and km.survival.tolist() == [0.0]
    # exactly 0.5 counts as reached
    assert kaplan_meier([4, 9], [True, True]).median() == 4


# The cohort of March 2025 (as of 2025-04-30), hand-worked times:
#   k1  filed 03-01 closed 03-21 执行完毕                event at 20
#   k2  filed 03-02 closed 04-11, 10 days suspended       event at 40 − 10 = 30
#   k3  filed 03-05 pending                               censored at 04-30 − 03-05 = 56
#   k4  filed 03-10 终结执行/指定执行 on 03-20            censored at 10 (a transfer is not a closure)
#   k5  filed 03-31 closed 05-10 (after the 统计日)       censored at 30
#   k6  filed 03-15 closed 03-16, 5 days suspended        event at 1 − 5 → floored at 0
#   x1  filed 02-28 (before the window), x2 恢复执行       not in the cohort
# Table: t=0 n6 d1 S=5/6; t=10 c1; t=20 n4 d1 S=5/6·3/4=0.625; t=30 n3 d1 c1 S=0.625·2/3=0.41667 → median 30.
KM_CASES = [
    dict(case_no="k1", filing_date="2025-03-01", closing_date="2025-03-21", closing_method="执行完毕"),
    dict(case_no="k2", filing_date="2025-03-02", closing_date="2025-04-11", closing_method="终结本次执行程序",
         suspended_days=10, team="二队"),
    dict(case_no="k3", filing_date="2025-03-05", team="二队"),
    dict(case_no="k4", filing_date="2025-03-10", closing_date="2025-03-20", closing_method="终结执行",
         closing_reason="指定执行"),
    dict(case_no="k5", filing_date="2025-03-31", closing_date="2025-05-10", closing_method="执行完毕"),
    dict(case_no="k6", filing_date="2025-03-15", closing_date="2025-03-16", closing_method="执行完毕",
         suspended_days=5),
    dict(case_no="x1", filing_date="2025-02-28", closing_date="2025-03-03", closing_method="执行完毕"),
    dict(case_no="x2", filing_date="2025-03-03", case_type="恢复执行"),
]
MARCH = clamp("p1", "一阶段", d("2025-03-01"), d("2025-03-31"), d("2025-04-30"))


def test_cohort_and_censoring_from_sql(engine):
    insert(engine, "cases", KM_CASES)
    with engine.connect() as conn:
        (km,) = km_tables(conn, make_config(), [MARCH])
    assert km.time.tolist() == [0, 10, 20, 30, 56]
    assert km.events.tolist() == [1, 0, 1, 1, 0]
    assert km.censored.tolist() == [0, 1, 0, 1, 1]
    assert km.survival[3] == pytest.approx(0.625 * 2 / 3)
    assert km.median() == 30


def test_indicator_in_compute_and_breakdown(engine):
    insert(engine, "cases", KM_CASES)
    config = make_config()
    with engine.connect() as conn:
        (result,) = compute_many(conn, config, [MARCH])
        v = result["cycle_km_median"]
        assert (v.value, v.numerator, v.denominator) == (30.0, 3, 6)
        # only the requested key: still attached
        (only,) = compute_many(conn, config, [MARCH], keys=("cycle_km_median",))
        assert only["cycle_km_median"].value == 30.0
        by_team = breakdown(conn, config, MARCH, cases.c.team)
        # 二队: k2 event at 30, k3 censored at 56 → S(30) = 0.5 → median 30; 一队: k1 20, k4 c10, k5 c30, k6 0
        assert by_team["二队"]["cycle_km_median"].value == 30.0
        assert by_team["二队"]["cycle_km_median"].denominator == 2
        # 一队: t0 n4 d1 S=.75; t10 c; t20 n2 d1 S=.375 → 20
        assert by_team["一队"]["cycle_km_median"].value == 20.0
        # a filter narrows the cohort
        (filtered,) = compute_many(conn, config, [MARCH], Filters(teams=("二队",)))
        assert filtered["cycle_km_median"].denominator == 2


def test_window_not_begun_is_null(engine):
    insert(engine, "cases", KM_CASES)
    later = clamp("p2", "二阶段", d("2025-06-01"), d("2025-06-30"), d("2025-04-30"))
    with engine.connect() as conn:
        (result,) = compute_many(conn, make_config(), [later])
        assert result["cycle_km_median"].value is None
        assert km_tables(conn, make_config(), [later]) == [None]
