"""Breakdowns for the 交叉执行, 财产处置 and 强制措施 pages, worked out by hand on tiny databases."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.engine.breakdowns import UNFILLED, auction_outcomes, intensity, phase_breakdowns, role_filters, wan
from metrics.engine.compute import compute_window
from metrics.engine.filters import Filters
from metrics.engine.schema import auctions, cases
from metrics.engine.windows import clamp
from tests.conftest import d, insert, make_config

ANALYTICS_BACKENDS = True  # also on a DuckDB store and with analytics: duckdb (tests/conftest.py)

AS_OF = dt.date(2025, 4, 30)


# ---- 月均 and 每百件新收 ---------------------------------------------------------------------------------------

def test_intensity_per_month_and_per_100_new_cases():
    feb = clamp("m", "2025年2月", d("2025-02-01"), d("2025-02-28"), AS_OF)
    # 28 days = 28 / 30.4375 months: 14 persons → 14 × 30.4375 / 28 = 15.21875 a month; 14 / 40 × 100 = 35.
    assert intensity(14, feb, 40) == pytest.approx((15.21875, 35.0))
    year = clamp("y", "2024年", d("2024-01-01"), d("2024-12-31"), AS_OF)
    # 366 days (leap year): 366 persons → one a day, 30.4375 a month; 366 ÷ 73,200 × 100 = 0.5.
    assert intensity(366, year, 73200) == pytest.approx((30.4375, 0.5))


def test_intensity_of_a_clamped_window_uses_the_observed_days():
    march = clamp("m", "2025年3月", d("2025-03-01"), d("2025-03-31"), dt.date(2025, 3, 10))
    assert march.days == 10
    assert intensity(10, march, 5)[0] == pytest.approx(30.4375)  # one a day


def test_intensity_undefined():
    feb = clamp("m", "2025年2月", d("2025-02-01"), d("2025-02-28"), AS_OF)
    assert intensity(7, feb, 0) == (pytest.approx(7.609375), None)  # 7 × 30.4375 / 28; no new cases
    assert intensity(None, feb, 10) == (None, None)
    later = clamp("m", "2025年5月", d("2025-05-01"), d("2025-05-31"), AS_OF)
    assert later.empty and intensity(0, later, 10) == (None, None)


def test_wan():
    assert wan(12345.67) == 1.23 and wan(1455000) == 145.5 and wan(None) is None


# ---- 承接 against the other cases ---------------------------------------------------------------------------------

def test_role_filters_follow_the_users_own_role_filter():
    base = Filters(teams=("一队",))
    split = role_filters(base)
    assert split["承接案件"] == Filters(teams=("一队",), cross_roles=("承接",))
    assert split["其他案件"] == Filters(teams=("一队",), cross_roles=("交出", "无"))
    assert role_filters(Filters(cross_roles=("承接",)))["其他案件"] is None
    split = role_filters(Filters(cross_roles=("承接", "无")))
    assert split["承接案件"].cross_roles == ("承接",) and split["其他案件"].cross_roles == ("无",)
    assert role_filters(Filters(cross_roles=("无",)))["承接案件"] is None


# ---- per phase and group ---------------------------------------------------------------------------------------------

CROSS_CASES = [
    # 一阶段 (2025-03): A sends us two cases, one done; we hand one over to B; one ordinary closure.
    dict(case_no="x1", filing_date="2025-03-05", closing_date="2025-03-20", closing_method="执行完毕",
         cross_role="承接", partner_court="A院", cross_mode="指令执行", team="一队"),
    dict(case_no="x2", filing_date="2025-03-10", cross_role="承接", partner_court="A院", cross_mode="集中执行",
         team="一队"),
    dict(case_no="x3", filing_date="2024-06-01", closing_date="2025-03-15", closing_method="终结执行",
         closing_reason="指定执行", cross_role="交出", partner_court="B院", cross_mode="指令执行", team="二队"),
    dict(case_no="x4", filing_date="2025-03-01", closing_date="2025-03-30", closing_method="终结本次执行程序",
         team="二队"),
    # 基线期: B sends one, still pending.
    dict(case_no="x5", filing_date="2024-05-01", cross_role="承接", partner_court="B院", team="一队"),
]


def test_phase_breakdowns_by_partner_court(engine):
    insert(engine, "cases", CROSS_CASES)
    out = phase_breakdowns(engine, make_config(), AS_OF, cases.c.partner_court)
    p1 = out["p1"]
    assert p1["A院"]["cross_received_count"].value == 2 and p1["A院"]["cross_sent_count"].value == 0
    assert (p1["A院"]["cross_completion_rate"].numerator, p1["A院"]["cross_completion_rate"].denominator) == (1, 1)
    assert p1["B院"]["cross_received_count"].value == 0 and p1["B院"]["cross_sent_count"].value == 1
    assert p1[UNFILLED]["closed_count"].value == 1 and p1[UNFILLED]["cross_received_count"].value == 0
    assert out["baseline"]["B院"]["cross_received_count"].value == 1
    assert "A院" not in out["baseline"]


def test_phase_breakdowns_by_mode_and_with_filters(engine):
    insert(engine, "cases", CROSS_CASES)
    out = phase_breakdowns(engine, make_config(), AS_OF, cases.c.cross_mode, Filters(teams=("一队",)))
    p1 = out["p1"]
    assert p1["指令执行"]["cross_received_count"].value == 1 and p1["集中执行"]["cross_received_count"].value == 1
    assert p1["指令执行"]["cross_sent_count"].value == 0  # x3 belongs to 二队


def test_phase_not_begun_has_no_groups(engine):
    insert(engine, "cases", CROSS_CASES)
    out = phase_breakdowns(engine, make_config(), dt.date(2025, 2, 1), cases.c.partner_court)
    assert out["p1"] == {} and out["baseline"]["B院"]["cross_received_count"].value == 1


# ---- auction outcomes -----------------------------------------------------------------------------------------------

AUCTIONS = [
    dict(auction_id="a1", case_no="x1", round="一拍", result="成交", start_price=100, deal_price=120,
         appraisal_price=140, end_date="2025-03-05"),
    dict(auction_id="a2", case_no="x4", round="一拍", result="流拍", start_price=100, end_date="2025-03-06"),
    dict(auction_id="a3", case_no="x4", round="二拍", result="撤回", start_price=80, end_date="2025-03-31"),
    dict(auction_id="a4", case_no="x4", round="变卖", result="成交", start_price=60, deal_price=60,
         end_date="2025-04-02"),  # after the phase
    dict(auction_id="a5", case_no="x1", result="成交", start_price=50, deal_price=55, end_date="2024-07-01"),
]


def test_auction_outcomes_by_round_and_in_total(engine):
    insert(engine, "cases", CROSS_CASES)
    insert(engine, "auctions", AUCTIONS)
    config = make_config()
    by_round = auction_outcomes(engine, config, AS_OF, auctions.c.round)
    assert by_round["p1"] == {"一拍": {"成交": 1, "流拍": 1}, "二拍": {"撤回": 1}}
    assert by_round["baseline"] == {UNFILLED: {"成交": 1}}
    total = auction_outcomes(engine, config, AS_OF)
    assert total["p1"] == {"合计": {"成交": 1, "流拍": 1, "撤回": 1}}
    # The same rows as the deal rate: its denominator is 成交 + 流拍.
    with engine.connect() as conn:
        rate = compute_window(conn, config, clamp("p1", "一阶段", d("2025-03-01"), d("2025-03-31"), AS_OF))
    assert rate["auction_deal_rate"].denominator == 2


def test_auction_outcomes_follow_case_filters_and_the_as_of_date(engine):
    insert(engine, "cases", CROSS_CASES)
    insert(engine, "auctions", AUCTIONS)
    config = make_config()
    assert auction_outcomes(engine, config, AS_OF, None, Filters(teams=("二队",)))["p1"] == {
        "合计": {"流拍": 1, "撤回": 1}}
    clamped = auction_outcomes(engine, config, dt.date(2025, 3, 10))
    assert clamped["p1"] == {"合计": {"成交": 1, "流拍": 1}}  # a3 ends after the as-of date
