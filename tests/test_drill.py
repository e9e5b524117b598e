"""Drill-through: the records listed behind a figure add up to its numerator and denominator; names are masked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.engine.compute import compute_window
from metrics.engine.drill import mask_name, members
from metrics.engine.filters import Filters
from metrics.engine.indicators import INDICATORS, MEASURES
from tests.conftest import insert, make_config
from tests.test_indicators import BASIS_CASES, JUDGMENTS, Q1, SCENARIO, window

# Measures that sum a column rather than count rows, and the column of the listing that holds the summand.
SUMMED = {
    "recovered_sum": "执行到位金额(元)",
    "applied_sum": "申请执行标的金额(元)",
    "cross_recovered_sum": "执行到位金额(元)",
    "cross_applied_sum": "申请执行标的金额(元)",
    "days_sum": "执行用时(天)",
    "fine_amount": "金额(元)",
    **{key: "人次" for key in ("measure_search", "measure_summons", "measure_fine", "measure_detention",
                               "measure_crime_referral", "measure_blacklist", "measure_consumption_ban")},
}
CASE_INDICATORS = [k for k, ind in INDICATORS.items() if ind.source == "cases"]
# The March scenario seen four ways: plain, clamped by the as-of date, and under two user filters.
VIEWS = {
    "march": (window(), Filters()),
    "as_of_03_20": (window(as_of="2025-03-20"), Filters()),
    "no_cross_role": (window(), Filters(cross_roles=("无",))),
    "team_2": (window(), Filters(teams=("二队",))),
}


@pytest.fixture
def scenario(engine):
    insert(engine, "cases", SCENARIO)
    return engine


def listing(engine, key, w, filters=Filters()):
    config = make_config()
    with engine.connect() as conn:
        value = compute_window(conn, config, w, filters)[key]
        headers, rows = members(conn, config, w, key, filters)
    return value, headers, rows


def total(rows: list[dict], flag: str, keys: tuple[str, ...]):
    """What the flagged rows add up to for the measures of one part: a row count, or the sum of a column."""
    flagged = [r for r in rows if r[flag] == "是"]
    if all(MEASURES[k].value is None for k in keys):
        return len(flagged)
    (column,) = {SUMMED[k] for k in keys}
    return sum((Decimal(str(r[column] or 0)) for r in flagged), Decimal(0))


@pytest.mark.parametrize("view", VIEWS)
def test_flagged_rows_add_up_to_numerator_and_denominator(scenario, view):
    w, filters = VIEWS[view]
    for key in CASE_INDICATORS:
        ind = INDICATORS[key]
        value, headers, rows = listing(scenario, key, w, filters)
        assert headers[0] == "计入分子" and (not ind.denominator or headers[1] == "计入分母"), key
        if value.numerator is not None:  # a median has none: its rows are the denominator's
            assert total(rows, "计入分子", ind.numerator) == value.numerator, f"{key} numerator"
        if ind.denominator:
            assert total(rows, "计入分母", ind.denominator) == value.denominator, f"{key} denominator"
        # Every listed record counts somewhere: nothing is listed that is in neither part.
        assert all(r["计入分子"] or r.get("计入分母") for r in rows), key


def test_completion_rate_lists_exactly_the_cases(scenario):
    value, _, rows = listing(scenario, "completion_rate", window())
    assert (value.numerator, value.denominator) == (2, 5)
    assert {r["案号"] for r in rows} == {"c1", "c2", "c3", "c8", "c12"}  # c4/c13 transferred, c7 out of scope
    assert {r["案号"] for r in rows if r["计入分子"]} == {"c1", "c12"}


def test_durations_listed_are_the_days_of_the_cohort(scenario):
    _, _, rows = listing(scenario, "cycle_days_median", window())
    assert sorted(r["执行用时(天)"] for r in rows) == [0, 19, 20, 54, 232]  # hand-worked in test_indicators


def test_window_not_begun_lists_nothing(scenario):
    _, headers, rows = listing(scenario, "closed_count", window("2025-05-01", "2025-05-31"))
    assert rows == [] and "案号" in headers


def test_voluntary_compliance_lists_judgments_complied_with(engine):
    insert(engine, "judgments", JUDGMENTS)
    insert(engine, "cases", BASIS_CASES)
    value, _, rows = listing(engine, "voluntary_compliance_rate", window(*Q1, as_of="2025-12-31"))
    # The reported numerator is the judgments NOT applied for: j2 j3 j6 of j1 j2 j3 j6 j7.
    assert (value.numerator, value.denominator) == (3, 5)
    assert {r["文书案号"] for r in rows if r["计入分子"]} == {"j2", "j3", "j6"}
    assert len([r for r in rows if r["计入分母"]]) == 5


def test_other_tables_add_up(engine):
    insert(engine, "cases", [dict(case_no="k1", filing_date="2024-01-01")])
    insert(engine, "measures", [
        dict(measure_id="m1", case_no="k1", measure_type="搜查", persons=2, measure_date="2025-01-01"),
        dict(measure_id="m2", case_no="k1", measure_type="搜查", measure_date="2025-03-31"),
        dict(measure_id="m3", case_no="k1", measure_type="罚款", amount=5000, measure_date="2025-02-01"),
        dict(measure_id="m4", case_no="k1", measure_type="罚款", amount=3000, measure_date="2025-04-01"),
    ])
    insert(engine, "auctions", [
        dict(auction_id="a1", result="成交", start_price=100000, deal_price=120000, appraisal_price=140000,
             end_date="2025-01-01"),
        dict(auction_id="a2", result="流拍", start_price=80000, appraisal_price=100000, end_date="2025-02-01"),
        dict(auction_id="a3", result="撤回", start_price=70000, end_date="2025-02-10"),
    ])
    insert(engine, "entrustments", [
        dict(entrust_id="e1", direction="收到", sent_date="2025-01-01", feedback_date="2025-01-31"),
        dict(entrust_id="e2", direction="收到", sent_date="2025-01-10", feedback_date="2025-02-10"),
    ])
    w = window(*Q1, as_of="2025-03-31")
    for key in ("measure_search", "measure_fine_amount", "auction_deal_rate", "auction_realization_rate",
                "entrust_on_time_rate"):
        ind = INDICATORS[key]
        value, _, rows = listing(engine, key, w)
        if key == "auction_realization_rate":  # sums of prices: check them by hand
            assert value.numerator == Decimal("120000.00") and value.denominator == Decimal("140000.00")
            assert [r["拍卖编号"] for r in rows if r["计入分子"]] == ["a1"]
            continue
        assert total(rows, "计入分子", ind.numerator) == value.numerator, key
        if ind.denominator:
            assert total(rows, "计入分母", ind.denominator) == value.denominator, key
    assert listing(engine, "measure_search", w)[0].value == 3  # m1 (2 persons) + m2


def test_mask_name():
    assert mask_name("张伟明") == "张**"
    assert mask_name("宜昌华兴建材有限公司") == "宜昌****有限公司"
    assert mask_name("宜昌某某建材有限公司") == "宜昌****有限公司"  # issue 10's example
    assert mask_name("李四") == "李**"  # a person's mask does not tell the name's length
    assert mask_name(None) == "" and mask_name("") == ""


def test_debtor_names_are_masked_in_the_listing(engine):
    names = {"c1": "张伟明", "c2": "宜昌华兴建材有限公司"}
    insert(engine, "cases", [{**row, "debtor_name": names.get(row["case_no"], "王五")} for row in SCENARIO])
    _, _, rows = listing(engine, "closed_count", window())
    shown = {r["案号"]: r["被执行人"] for r in rows}
    assert shown["c1"] == "张**" and shown["c2"] == "宜昌****有限公司"
    text = repr(rows)
    assert "张伟明" not in text and "华兴建材" not in text


def test_stock_drill_shows_the_day_counted_the_age_and_the_status_then():
    import datetime as dt

    from metrics.engine.drill import with_stock_status

    rows = [{"案号": "a", "立案日期": dt.date(2024, 10, 1), "结案日期": dt.date(2026, 3, 2), "结案方式": "执行完毕"},
            {"案号": "b", "立案日期": dt.date(2024, 12, 1), "结案日期": None, "结案方式": None},
            {"案号": "c", "立案日期": dt.date(2024, 11, 1), "结案日期": dt.date(2026, 12, 1), "结案方式": "执行完毕"}]
    headers, out = with_stock_status(["计入分子", "案号", "立案日期", "结案日期", "结案方式"], rows,
                                     dt.date(2025, 12, 31), dt.date(2026, 10, 31))
    assert headers[:5] == ["计入分子", "计数日", "截至该日已立案天数", "该日状态", "现状（截至统计日）"]
    assert out[0]["计数日"] == "2025年12月31日"
    assert out[0]["截至该日已立案天数"] == 456  # 2024-10-01 → 2025-12-31
    assert out[0]["该日状态"] == "未结"
    assert out[0]["现状（截至统计日）"] == "已于2026年3月2日结案（执行完毕）"
    assert out[1]["现状（截至统计日）"] == "至统计日仍未结" and out[1]["截至该日已立案天数"] == 395
    assert out[2]["现状（截至统计日）"] == "至统计日仍未结"  # closed after the as-of date: not yet
