"""督办清单 on hand-built cases with boundary dates (统计日 D = 2025-06-30, 法定期限 180 天, 预警 30 天)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from metrics.engine.compute import compute_many
from metrics.engine.filters import Filters
from metrics.engine.watch import OPEN, OVER, SOON, WatchSettings, all_lists, summary_counts, watch_list
from metrics.engine.windows import clamp
from tests.conftest import d, insert, make_config

D = d("2025-06-30")


def wl(engine, key, filters=Filters(), settings=WatchSettings(), as_of=D, **params):
    with engine.connect() as conn:
        return watch_list(conn, make_config(**params), key, as_of, filters, settings)


def left_by_case(result):
    return {r.get("案号", r.get("事项编号")): (r["剩余天数"], r["状态"]) for r in result.rows}


# Used days on D = (D − 立案日期) − 扣除审限天数; 剩余 = 180 − used.
STATUTORY = [
    dict(case_no="at_limit", filing_date="2025-01-01"),  # 180 used → 0 left (last day within the limit)
    dict(case_no="over_1", filing_date="2024-12-31", team="二队", handler="乙"),  # 181 → −1
    dict(case_no="before_1", filing_date="2025-01-02"),  # 179 → 1
    dict(case_no="warn_edge", filing_date="2025-01-31"),  # 150 → 30: still warned
    dict(case_no="warn_out", filing_date="2025-02-01"),  # 149 → 31: not listed
    dict(case_no="susp_0", filing_date="2024-12-01", suspended_days=31),  # 211 − 31 = 180 → 0
    dict(case_no="susp_1", filing_date="2024-12-01", suspended_days=32),  # 179 → 1
    dict(case_no="susp_big", filing_date="2025-06-01", suspended_days=90),  # 29 − 90 → floored 0 used → 180
    dict(case_no="closed_on_d", filing_date="2024-01-01", closing_date="2025-06-30", closing_method="执行完毕"),
    dict(case_no="closed_after_d", filing_date="2024-12-31", closing_date="2025-07-01", closing_method="执行完毕",
         team="二队", handler="乙"),  # still pending on D → −1
    dict(case_no="filed_after_d", filing_date="2025-07-01"),
    dict(case_no="other_type", filing_date="2024-01-01", case_type="恢复执行"),
]


def test_statutory_limit_boundaries(engine):
    insert(engine, "cases", STATUTORY)
    result = wl(engine, "statutory")
    assert left_by_case(result) == {
        "over_1": (-1, "已超审限"), "closed_after_d": (-1, "已超审限"),
        "at_limit": (0, "30天内到期"), "susp_0": (0, "30天内到期"),
        "before_1": (1, "30天内到期"), "susp_1": (1, "30天内到期"), "warn_edge": (30, "30天内到期"),
    }
    assert result.counts == {OVER: 2, SOON: 5}
    # most urgent first
    assert [r["剩余天数"] for r in result.rows] == sorted(r["剩余天数"] for r in result.rows)
    row = next(r for r in result.rows if r["案号"] == "susp_0")
    assert row["已用审限(天)"] == 180 and row["扣除审限天数"] == 31
    assert row["审限届满日"] == d("2024-12-01") + dt.timedelta(days=180 + 31) == D
    # counts per team and handler, from SQL
    assert {(g["team"], g["handler"]): (g.get(OVER, 0), g.get(SOON, 0)) for g in result.groups} == {
        ("二队", "乙"): (2, 0), ("一队", "甲"): (0, 5)}
    assert result.groups[0]["team"] == "一队"  # the larger group first
    # the warning distance is a setting
    narrow = wl(engine, "statutory", settings=WatchSettings(warn_days=0))
    assert set(left_by_case(narrow)) == {"over_1", "closed_after_d", "at_limit", "susp_0"}
    # a day later everything moves by one day
    later = wl(engine, "statutory", as_of=d("2025-07-01"))
    assert left_by_case(later)["at_limit"] == (-1, "已超审限")
    assert "closed_after_d" not in left_by_case(later)
    # filters narrow the cases
    assert set(left_by_case(wl(engine, "statutory", Filters(teams=("二队",))))) == {"over_1", "closed_after_d"}


def test_debtor_names_are_masked(engine):
    insert(engine, "cases", [dict(case_no="m", filing_date="2024-12-01", debtor_name="王小明")])
    (row,) = wl(engine, "statutory").rows
    assert row["被执行人"] == "王**"


LONG = [
    dict(case_no="age_365", filing_date="2024-06-30"),  # 365 days: not yet over 12 months → 0 left
    dict(case_no="age_366", filing_date="2024-06-29"),  # 366 → over by 1
    dict(case_no="age_335", filing_date="2024-07-30"),  # 30 left: warned
    dict(case_no="age_334", filing_date="2024-07-31"),  # 31 left: not listed
    dict(case_no="susp", filing_date="2024-06-01", suspended_days=100),  # suspension is not deducted here
    dict(case_no="closed", filing_date="2023-01-01", closing_date="2025-06-01", closing_method="执行完毕"),
]


def test_long_pending_boundaries_and_agreement_with_the_indicator(engine):
    insert(engine, "cases", LONG)
    result = wl(engine, "long_pending")
    assert left_by_case(result) == {"age_366": (-1, "超12个月"), "susp": (-29, "超12个月"),
                                    "age_365": (0, "30天内满12个月"), "age_335": (30, "30天内满12个月")}
    window = clamp("p", "p", d("2025-06-01"), D, D)
    with engine.connect() as conn:
        (r,) = compute_many(conn, make_config(), [window])
    assert result.counts[OVER] == r["pending_over_12m"].value == 2


ENTRUST = [
    dict(entrust_id="last_day", direction="收到", sent_date="2025-05-31"),  # 30 of 30 days used → 0 left
    dict(entrust_id="over_1", direction="收到", sent_date="2025-05-30", partner_court="甲院"),  # −1
    dict(entrust_id="five", direction="收到", sent_date="2025-06-05"),  # 5 left: warned
    dict(entrust_id="six", direction="收到", sent_date="2025-06-06"),  # 6 left: not listed
    dict(entrust_id="answered", direction="收到", sent_date="2025-05-01", feedback_date="2025-06-30"),
    dict(entrust_id="answered_later", direction="收到", sent_date="2025-05-01", feedback_date="2025-07-02",
         partner_court="甲院"),  # the feedback has not happened on D → 30 − 60 = −30
    dict(entrust_id="short", direction="收到", sent_date="2025-06-22", due_days=10),  # 10 − 8 = 2
    dict(entrust_id="sent_out", direction="发出", sent_date="2025-05-01"),
    dict(entrust_id="future", direction="收到", sent_date="2025-07-01"),
]


def test_entrustments_boundaries(engine):
    insert(engine, "entrustments", ENTRUST)
    result = wl(engine, "entrust")
    assert left_by_case(result) == {"answered_later": (-30, "已逾期"), "over_1": (-1, "已逾期"),
                                    "last_day": (0, "5天内到期"), "short": (2, "5天内到期"),
                                    "five": (5, "5天内到期")}
    assert {g["partner"]: (g.get(OVER, 0), g.get(SOON, 0)) for g in result.groups} == {
        "甲院": (2, 0), "（未填）": (0, 3)}
    row = next(r for r in result.rows if r["事项编号"] == "short")
    assert row["期限届满日"] == d("2025-07-02")
    # entrustments have no case: the case filters do not apply
    assert wl(engine, "entrust", Filters(teams=("二队",))).total == 5


def test_entrust_warning_days_come_from_the_parameters(engine):
    """parameters.entrust_warn_days: exactly at the threshold is listed, one day beyond is not."""
    insert(engine, "entrustments", ENTRUST)
    overdue = {"answered_later": (-30, "已逾期"), "over_1": (-1, "已逾期")}
    six = wl(engine, "entrust", entrust_warn_days=6)
    assert left_by_case(six) == {**overdue, "last_day": (0, "6天内到期"), "short": (2, "6天内到期"),
                                 "five": (5, "6天内到期"), "six": (6, "6天内到期")}
    four = wl(engine, "entrust", entrust_warn_days=4)
    assert set(left_by_case(four)) == {*overdue, "last_day", "short"}  # 5 left is one day beyond 4
    zero = wl(engine, "entrust", entrust_warn_days=0)
    assert left_by_case(zero) == {**overdue, "last_day": (0, "0天内到期")}
    assert "4天内届满" in four.spec.basis and "5天内" not in four.spec.basis
    # a setting given explicitly wins over the parameter
    assert wl(engine, "entrust", settings=WatchSettings(entrust_warn_days=6), entrust_warn_days=0).total == 6


ZHONGBEN = "终结本次执行程序"
CHECKS = [
    dict(case_no="never_182", filing_date="2024-06-01", closing_date="2024-12-30", closing_method=ZHONGBEN),
    dict(case_no="never_183", filing_date="2024-06-01", closing_date="2024-12-29", closing_method=ZHONGBEN),
    dict(case_no="checked_180", filing_date="2023-06-01", closing_date="2024-01-01", closing_method=ZHONGBEN,
         last_check_date="2025-01-01"),  # 180 days since the check → 2 left
    dict(case_no="check_after_d", filing_date="2024-01-01", closing_date="2024-06-01", closing_method=ZHONGBEN,
         last_check_date="2025-07-15"),  # the check has not happened on D: from the closing date, 394 → −212
    dict(case_no="check_before_close", filing_date="2024-06-01", closing_date="2025-03-01",
         closing_method=ZHONGBEN, last_check_date="2025-01-01"),  # from the closing date: 121 days → 61 left
    dict(case_no="fresh", filing_date="2025-01-01", closing_date="2025-06-01", closing_method=ZHONGBEN),
    dict(case_no="zb_after_d", filing_date="2024-01-01", closing_date="2025-07-05", closing_method=ZHONGBEN),
    dict(case_no="completed", filing_date="2023-01-01", closing_date="2024-01-01", closing_method="执行完毕"),
]


def test_zhongben_checks(engine):
    insert(engine, "cases", CHECKS)
    result = wl(engine, "zhongben_check")
    assert left_by_case(result) == {"check_after_d": (-212, "逾期未查控"), "never_183": (-1, "逾期未查控"),
                                    "never_182": (0, "30天内应查控"), "checked_180": (2, "30天内应查控")}
    rows = {r["案号"]: r for r in result.rows}
    assert rows["checked_180"]["最近查控日期"] == d("2025-01-01")
    assert rows["checked_180"]["应查控日期"] == d("2025-07-02")
    assert rows["check_after_d"]["最近查控日期"] is None


def test_check_interval_comes_from_the_parameters(engine):
    """parameters.check_interval_days moves every 剩余天数 and the 应查控日期; boundaries at 0 and ±1."""
    insert(engine, "cases", CHECKS)
    longer = wl(engine, "zhongben_check", check_interval_days=183)
    assert left_by_case(longer) == {"check_after_d": (-211, "逾期未查控"), "never_183": (0, "30天内应查控"),
                                    "never_182": (1, "30天内应查控"), "checked_180": (3, "30天内应查控")}
    assert {r["案号"]: r["应查控日期"] for r in longer.rows}["checked_180"] == d("2025-07-03")
    assert "183天" in longer.spec.basis and "6个月" not in longer.spec.basis
    shorter = wl(engine, "zhongben_check", check_interval_days=181)
    assert left_by_case(shorter)["never_182"] == (-1, "逾期未查控")
    assert left_by_case(shorter)["checked_180"] == (1, "30天内应查控")
    # exactly at the interval on D: 0 left, still in time; one day shorter: overdue
    zero = wl(engine, "zhongben_check", settings=WatchSettings(warn_days=0), check_interval_days=180)
    assert left_by_case(zero)["checked_180"] == (0, "30天内应查控".replace("30", "0"))
    assert left_by_case(wl(engine, "zhongben_check", check_interval_days=179))["checked_180"] == (-1, "逾期未查控")
    # check_before_close: 121 days since closing; listed from an interval of 151 (30 left) but not 152
    assert "check_before_close" in left_by_case(wl(engine, "zhongben_check", check_interval_days=151))
    assert "check_before_close" not in left_by_case(wl(engine, "zhongben_check", check_interval_days=152))


def test_zhongben_checks_without_the_optional_column(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("dropping a column is only tried on SQLite")
    insert(engine, "cases", CHECKS)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE cases DROP COLUMN last_check_date"))
    result = wl(engine, "zhongben_check")
    # every check now counts from the closing date: checked_180 from 2024-01-01 is long overdue
    assert left_by_case(result)["checked_180"][1] == "逾期未查控"
    assert set(left_by_case(result)) == {"check_after_d", "never_183", "never_182", "checked_180"}


KEY_AND_CROSS = [
    dict(case_no="k_old", filing_date="2024-01-10", tags="涉民生", applied_amount=1000, recovered_amount=250),
    dict(case_no="k_new", filing_date="2025-06-01", tags="涉企、涉金融", applied_amount=0),
    dict(case_no="k_closed", filing_date="2024-01-01", tags="涉企", closing_date="2025-01-01",
         closing_method="执行完毕"),
    dict(case_no="plain", filing_date="2024-01-01"),
    dict(case_no="c_over", filing_date="2024-12-01", cross_role="承接", partner_court="乙院"),  # 211 used
    dict(case_no="c_in", filing_date="2025-06-01", cross_role="承接", partner_court="乙院", tags="涉企"),
    dict(case_no="c_out", filing_date="2024-12-01", cross_role="交出", partner_court="乙院"),
    dict(case_no="c_closed", filing_date="2024-12-01", cross_role="承接", closing_date="2025-06-01",
         closing_method="执行完毕"),
]


def test_key_cases_and_cross_cases(engine):
    insert(engine, "cases", KEY_AND_CROSS)
    key = wl(engine, "key_cases")
    assert [r["案号"] for r in key.rows] == ["k_old", "c_in", "k_new"]  # oldest first, then by 案号
    assert key.counts == {OPEN: 3}
    old = key.rows[0]
    assert (old["申请执行标的金额(元)"], old["执行到位金额(元)"], old["到位比例"]) == (1000.0, 250.0, 0.25)
    assert key.rows[2]["到位比例"] is None
    assert wl(engine, "key_cases", Filters(tags=("涉金融",))).total == 1
    cross = wl(engine, "cross_taken")
    assert left_by_case(cross) == {"c_over": (-31, "已超审限"), "c_in": (151, "审限内")}
    assert cross.groups == [{"partner": "乙院", OVER: 1, OPEN: 1}]


def test_summary_row(engine):
    insert(engine, "cases", STATUTORY + LONG)
    insert(engine, "entrustments", ENTRUST)
    with engine.connect() as conn:
        lists = all_lists(conn, make_config(), D, rows=False)
    summary = {label: n for _, label, n in summary_counts(lists)}
    assert summary["即将超审限"] == lists["statutory"].counts[SOON]
    assert summary["委托逾期"] == 2
    assert all(not wl_.rows for wl_ in lists.values())
