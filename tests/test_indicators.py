"""Every indicator of SPEC section 4 on tiny hand-built databases, values worked out on paper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metrics.engine.compute import compute_window, latest_data_date
from metrics.engine.filters import Filters
from metrics.engine.indicators import INDICATORS
from metrics.engine.windows import clamp
from tests.conftest import d, insert, make_config

ANALYTICS_BACKENDS = True  # also on a DuckDB store and with analytics: duckdb (tests/conftest.py)

MARCH = ("2025-03-01", "2025-03-31")


def window(start=MARCH[0], end=MARCH[1], as_of="2025-04-30"):
    return clamp("w", "窗口", d(start), d(end), d(as_of))


def run(engine, w=None, filters=Filters(), config=None):
    config = config or make_config()
    with engine.connect() as conn:
        return compute_window(conn, config, w or window(), filters)


# The March 2025 scenario. days(c) and pending status worked out by hand:
#   c1  filed 01-10 closed 03-05 执行完毕 10000/10000             days 54
#   c2  filed 2024-08-01 closed 03-31 终本 合格 20000/2000 −10d   days 242−10 = 232 (over 180)
#   c3  filed 03-01 closed 03-20 终结执行 (ordinary reason) 0/0    days 19
#   c4  filed 02-01 closed 03-15 终结执行 指定执行               transferred (T), not in C
#   c5  filed 02-15 closed 04-01                                  pending at 03-31
#   c6  filed 2023-01-01 pending                                   pending, over 12 months
#   c7  恢复执行 filed and closed in March                         out of scope
#   c8  filed 03-02 closed 03-10 终本 不合格 5000/0 −20d          days 8−20 → 0
#   c9  filed 02-28 closed 02-28 执行完毕                          before the window
#   c10 filed 03-31 pending                                        filed on the last day
#   c12 承接 filed 03-05 closed 03-25 执行完毕 1000/1000           days 20
#   c13 交出 filed 2024-06-01 closed 03-15 终结执行 提级执行       transferred (T), cross_sent
SCENARIO = [
    dict(case_no="c1", filing_date="2025-01-10", closing_date="2025-03-05", closing_method="执行完毕",
         applied_amount=10000, recovered_amount=10000),
    dict(case_no="c2", filing_date="2024-08-01", closing_date="2025-03-31", closing_method="终结本次执行程序",
         zhongben_review="合格", applied_amount=20000, recovered_amount=2000, suspended_days=10, team="二队"),
    dict(case_no="c3", filing_date="2025-03-01", closing_date="2025-03-20", closing_method="终结执行",
         closing_reason="申请人撤回申请", tags="涉企"),
    dict(case_no="c4", filing_date="2025-02-01", closing_date="2025-03-15", closing_method="终结执行",
         closing_reason="指定执行"),
    dict(case_no="c5", filing_date="2025-02-15", closing_date="2025-04-01", closing_method="执行完毕"),
    dict(case_no="c6", filing_date="2023-01-01"),
    dict(case_no="c7", case_type="恢复执行", filing_date="2025-03-10", closing_date="2025-03-11",
         closing_method="执行完毕", applied_amount=999, recovered_amount=999),
    dict(case_no="c8", filing_date="2025-03-02", closing_date="2025-03-10", closing_method="终结本次执行程序",
         zhongben_review="不合格", applied_amount=5000, suspended_days=20, tags="涉民生、涉企"),
    dict(case_no="c9", filing_date="2025-02-28", closing_date="2025-02-28", closing_method="执行完毕"),
    dict(case_no="c10", filing_date="2025-03-31"),
    dict(case_no="c12", filing_date="2025-03-05", closing_date="2025-03-25", closing_method="执行完毕",
         applied_amount=1000, recovered_amount=1000, cross_role="承接", cross_mode="指令执行"),
    dict(case_no="c13", filing_date="2024-06-01", closing_date="2025-03-15", closing_method="终结执行",
         closing_reason="提级执行", cross_role="交出"),
]


@pytest.fixture
def scenario(engine):
    insert(engine, "cases", SCENARIO)
    return engine


def test_case_counts(scenario):
    r = run(scenario)
    assert r["filed_count"].value == 4  # c3 (first day), c8, c10 (last day), c12
    assert r["closed_count"].value == 5  # c1 c2 c3 c8 c12
    assert r["transferred_out_count"].value == 2  # c4 c13
    assert r["pending_end"].value == 3  # c5 c6 c10
    assert r["pending_over_12m"].value == 1  # c6
    assert r["cross_received_count"].value == 1
    assert r["cross_sent_count"].value == 1


def test_case_rates(scenario):
    r = run(scenario)
    assert (r["completion_rate"].numerator, r["completion_rate"].denominator) == (2, 5)
    assert r["completion_rate"].value == 0.4
    assert r["actual_closure_share"].value == 3 / 5
    assert r["zhongben_rate"].value == 2 / 5
    assert (r["zhongben_qualified_rate"].numerator, r["zhongben_qualified_rate"].denominator) == (1, 2)
    # 旧存 at 02-28: c1 c2 c4 c5 c6 c13 (c9 closed on 02-28 itself is not pending) → 3 / (6 + 4)
    assert (r["actual_closure_rate"].numerator, r["actual_closure_rate"].denominator) == (3, 10)
    assert r["actual_closure_rate"].value == 0.3
    assert r["clearance_rate"].value == (5 + 2) / 4
    assert r["pending_over_12m_share"].value == 1 / 3
    assert r["disposition_days"].value == 3 / 7 * 31
    assert r["on_time_rate"].value == 4 / 5  # c2 took 232 days


def test_recovery_rate_is_money_weighted_and_skips_non_monetary(scenario):
    r = run(scenario)["recovery_rate"]
    assert r.numerator == Decimal("13000.00") and r.denominator == Decimal("36000.00")
    assert r.value == 13000 / 36000


def test_durations_mean_and_odd_median(scenario):
    r = run(scenario)
    assert r["cycle_days_mean"].numerator == 325 and r["cycle_days_mean"].denominator == 5
    assert r["cycle_days_mean"].value == 65.0
    assert r["cycle_days_median"].value == 20.0  # 0 19 20 54 232


def test_even_median_is_mean_of_middle_pair(scenario):
    r = run(scenario, filters=Filters(cross_roles=("无",)))
    assert r["closed_count"].value == 4  # c12 (承接) and c13 (交出) filtered out
    assert r["cycle_days_median"].value == 36.5  # 0 19 | 54 232 → (19 + 54) / 2
    assert r["cycle_days_mean"].value == 305 / 4


def test_cross_rates_restricted_to_cases_taken_over(scenario):
    r = run(scenario)
    assert (r["cross_completion_rate"].numerator, r["cross_completion_rate"].denominator) == (1, 1)
    assert r["cross_recovery_rate"].value == 1.0


def test_as_of_clamps_window_and_hides_later_events(scenario):
    # D = 03-20: c2 (closed 03-31) and c12 (closed 03-25) are still pending; c10 (filed 03-31) does not exist.
    r = run(scenario, w=window(as_of="2025-03-20"))
    assert r.window.end == d("2025-03-20") and r.window.clamped
    assert r["filed_count"].value == 3  # c3 c8 c12
    assert r["closed_count"].value == 3  # c1 c3 (closed on D itself) c8
    assert r["transferred_out_count"].value == 2
    assert r["pending_end"].value == 4  # c2 c5 c6 c12
    assert r["pending_over_12m"].value == 1  # c6; c2 is 231 days old
    assert r["disposition_days"].value == 4 / 5 * 20


def test_termination_without_reason_is_a_closure_not_a_transfer(engine):
    # A blank 结案情形 must not make the transfer test NULL (NOT NULL would drop the case from C too).
    insert(engine, "cases", [
        dict(case_no="t1", filing_date="2025-01-01", closing_date="2025-03-10", closing_method="终结执行"),
        dict(case_no="t2", filing_date="2025-01-01", closing_date="2025-03-10", closing_method="终结执行",
             closing_reason="委托执行"),
    ])
    r = run(engine)
    assert r["closed_count"].value == 1 and r["transferred_out_count"].value == 1
    assert r["actual_closure_share"].value == 1.0


def test_window_after_as_of_is_null_everywhere(scenario):
    r = run(scenario, w=window("2025-05-01", "2025-05-31", as_of="2025-04-30"))
    assert r.window.empty
    assert all(v.value is None and v.numerator is None and v.denominator is None for v in r.values.values())


def test_zero_denominators_give_null_not_error(engine):
    insert(engine, "cases", [dict(case_no="p1", filing_date="2025-01-01")])
    r = run(engine)
    for key in ("completion_rate", "recovery_rate", "zhongben_qualified_rate", "clearance_rate",
                "cycle_days_mean", "cycle_days_median", "auction_deal_rate", "entrust_on_time_rate",
                "voluntary_compliance_rate", "disposition_days", "cross_recovery_rate"):
        assert r[key].value is None, key
    assert r["pending_end"].value == 1 and r["pending_over_12m_share"].value == 0.0
    assert r["closed_count"].value == 0 and r["filed_count"].value == 0


def test_filters_team_tags_and_scope(scenario):
    r = run(scenario, filters=Filters(teams=("二队",)))
    assert r["closed_count"].value == 1 and r["zhongben_rate"].value == 1.0
    r = run(scenario, filters=Filters(tags=("涉企",)))
    assert r["closed_count"].value == 2  # c3 c8
    r = run(scenario, filters=Filters(case_types=("恢复执行",)))
    assert r["closed_count"].value == 1 and r["recovery_rate"].value == 1.0  # c7 only
    r = run(scenario, filters=Filters(teams=("无此团队",)))
    assert r["closed_count"].value == 0 and r["completion_rate"].value is None


def test_scope_parameter_widens_cases(scenario):
    config = make_config(scope_case_types=("首次执行", "恢复执行"))
    assert run(scenario, config=config)["closed_count"].value == 6


def test_statutory_days_parameter(scenario):
    assert run(scenario, config=make_config(statutory_days=232))["on_time_rate"].value == 1.0
    assert run(scenario, config=make_config(statutory_days=231))["on_time_rate"].value == 0.8


# ---- judgments -------------------------------------------------------------------------------------------------

JUDGMENTS = [
    dict(doc_no="j1", court="测试法院", effective_date="2025-01-10", has_payment=True, doc_kind="判决"),
    dict(doc_no="j2", court="测试法院", effective_date="2025-02-01", has_payment=True, doc_kind="判决"),
    dict(doc_no="j3", court="测试法院", effective_date="2025-03-31", has_payment=True, doc_kind="调解"),
    dict(doc_no="j4", court="测试法院", effective_date="2025-03-15", has_payment=False, doc_kind="裁定"),
    dict(doc_no="j5", court="测试法院", effective_date="2025-04-01", has_payment=True, doc_kind="判决"),
    dict(doc_no="j6", court="测试法院", effective_date="2025-02-10", has_payment=True, doc_kind="判决"),
    dict(doc_no="j7", court="他院", effective_date="2025-03-01", has_payment=True, doc_kind="判决"),
]
BASIS_CASES = [
    dict(case_no="a", basis_doc_no="j1", filing_date="2025-07-09"),  # exactly 180 days after → applied
    dict(case_no="b", basis_doc_no="j2", filing_date="2025-08-01"),  # 181 days → not applied
    dict(case_no="c", basis_doc_no="j6", filing_date="2025-03-01", case_type="恢复执行"),  # not 首次执行
    dict(case_no="e", basis_doc_no="j7", filing_date="2025-03-05"),
]
Q1 = ("2025-01-01", "2025-03-31")


def test_voluntary_compliance_rate(engine):
    insert(engine, "judgments", JUDGMENTS)
    insert(engine, "cases", BASIS_CASES)
    v = run(engine, w=window(*Q1, as_of="2025-12-31"))["voluntary_compliance_rate"]
    # J = j1 j2 j3 j6 j7 (j4 no payment, j5 outside); applied: j1, j7
    assert (v.numerator, v.denominator) == (3, 5)
    assert v.value == 1 - 2 / 5
    assert not v.provisional  # 03-31 + 180 days = 09-27 ≤ D


def test_voluntary_compliance_provisional_and_as_of(engine):
    insert(engine, "judgments", JUDGMENTS)
    insert(engine, "cases", BASIS_CASES)
    v = run(engine, w=window(*Q1, as_of="2025-06-30"))["voluntary_compliance_rate"]
    assert v.provisional
    assert v.value == 1 - 1 / 5  # case a (filed 07-09) has not happened by D


def test_voluntary_compliance_court_filter(engine):
    insert(engine, "judgments", JUDGMENTS)
    insert(engine, "cases", BASIS_CASES)
    v = run(engine, w=window(*Q1, as_of="2025-12-31"), filters=Filters(court="他院"))["voluntary_compliance_rate"]
    assert (v.numerator, v.denominator) == (0, 1)


# ---- auctions, measures, entrustments ---------------------------------------------------------------------------

def test_auction_rates(engine):
    insert(engine, "auctions", [
        dict(auction_id="a1", result="成交", start_price=100000, deal_price=120000, appraisal_price=140000,
             end_date="2025-01-01"),
        dict(auction_id="a2", result="流拍", start_price=80000, appraisal_price=100000, end_date="2025-02-01"),
        dict(auction_id="a3", result="成交", start_price=50000, deal_price=50000, appraisal_price=0,
             end_date="2025-03-31"),
        dict(auction_id="a4", result="撤回", start_price=70000, end_date="2025-02-10"),
        dict(auction_id="a5", result="成交", start_price=10, deal_price=20, appraisal_price=20, end_date="2025-04-01"),
    ])
    r = run(engine, w=window(*Q1))
    assert (r["auction_deal_rate"].numerator, r["auction_deal_rate"].denominator) == (2, 3)
    assert r["auction_premium_rate"].value == 20000 / 150000
    assert r["auction_realization_rate"].value == 120000 / 140000  # a3 has no appraisal


def test_measure_counts(engine):
    insert(engine, "cases", [dict(case_no="k1", filing_date="2024-01-01", team="一队"),
                             dict(case_no="k2", filing_date="2024-01-01", team="二队")])
    insert(engine, "measures", [
        dict(measure_id="m1", case_no="k1", measure_type="搜查", persons=2, measure_date="2025-01-01"),
        dict(measure_id="m2", case_no="k2", measure_type="搜查", measure_date="2025-03-31"),
        dict(measure_id="m3", case_no="k1", measure_type="罚款", amount=5000, measure_date="2025-02-01"),
        dict(measure_id="m4", case_no="k1", measure_type="罚款", amount=3000, measure_date="2025-04-01"),
        dict(measure_id="m5", case_no="k1", measure_type="司法拘留", measure_date="2024-12-31"),
    ])
    r = run(engine, w=window(*Q1))
    assert r["measure_search"].value == 3
    assert r["measure_fine"].value == 1 and r["measure_fine_amount"].value == 5000.0
    assert r["measure_detention"].value == 0
    r = run(engine, w=window(*Q1), filters=Filters(teams=("二队",)))
    assert r["measure_search"].value == 1 and r["measure_fine"].value == 0


def test_entrust_on_time_rate(engine):
    insert(engine, "entrustments", [
        dict(entrust_id="e1", direction="收到", sent_date="2025-01-01", feedback_date="2025-01-31"),  # 30 d: on time
        dict(entrust_id="e2", direction="收到", sent_date="2025-01-10", feedback_date="2025-02-10"),  # 31 d: late
        dict(entrust_id="e3", direction="收到", sent_date="2025-02-01"),  # due 03-03, never answered
        dict(entrust_id="e4", direction="收到", sent_date="2025-03-15"),  # due 04-14 > D: not yet due
        dict(entrust_id="e5", direction="发出", sent_date="2025-01-05", feedback_date="2025-01-06"),
        dict(entrust_id="e6", direction="收到", sent_date="2025-03-01", feedback_date="2025-04-02"),  # due 03-31 = D
        dict(entrust_id="e7", direction="收到", sent_date="2025-02-20", due_days=10, feedback_date="2025-02-25"),
    ])
    r = run(engine, w=window(*Q1, as_of="2025-03-31"))["entrust_on_time_rate"]
    assert (r.numerator, r.denominator) == (2, 5)


def test_latest_data_date(engine):
    insert(engine, "cases", [dict(case_no="x", filing_date="2025-01-01", closing_date="2025-06-30",
                                  closing_method="执行完毕")])
    insert(engine, "entrustments", [dict(entrust_id="e", direction="收到", sent_date="2025-05-01",
                                         feedback_date="2025-07-02")])
    with engine.connect() as conn:
        assert latest_data_date(conn) == dt.date(2025, 7, 2)


def test_every_indicator_has_definition_text():
    for ind in INDICATORS.values():
        text = ind.definition()
        assert ind.name in text and "统计期间" in text and "窗口" not in text
