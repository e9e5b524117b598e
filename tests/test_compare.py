"""Phase comparison: 百分点 for rates, 天 for durations, 月均 for counts, direction-aware verdicts, uncertainty."""

from __future__ import annotations

import datetime as dt

from metrics.config import Target
from metrics.engine.compare import change, compare_phase, is_small, target_status
from metrics.engine.compute import Value, WindowResult
from metrics.engine.windows import clamp, month_windows, resolve_window, same_period_last_year, shift_year
from metrics.present.format import format_change, format_number, format_part, format_value, wan
from tests.conftest import d, make_config


def result(start, end, values: dict[str, Value], measures=None) -> WindowResult:
    w = clamp("w", "w", d(start), d(end), d("2026-12-31"))
    return WindowResult(w, measures or {}, values)


def rate(key, num, den):
    return Value(key, num / den if den else None, num, den)


def test_rate_change_in_percentage_points_and_direction():
    config = make_config()
    now = result("2025-01-01", "2025-12-31", {"completion_rate": rate("completion_rate", 430, 1000)},
                 {"closed": 1000})
    then = result("2024-01-01", "2024-12-31", {"completion_rate": rate("completion_rate", 380, 1000)},
                  {"closed": 1000})
    ch = change(config, "completion_rate", now, then)
    assert round(ch.delta, 6) == 5.0 and ch.unit == "百分点" and ch.verdict == "better"
    assert not ch.uncertain  # 5 points on 1000 cases each is well outside the noise band
    assert format_change(ch) == "+5.0百分点"


def test_small_samples_and_noise_are_flagged():
    config = make_config()
    now = result("2025-01-01", "2025-02-28", {"completion_rate": rate("completion_rate", 9, 20)}, {"closed": 20})
    then = result("2024-01-01", "2024-02-29", {"completion_rate": rate("completion_rate", 8, 20)}, {"closed": 20})
    assert change(config, "completion_rate", now, then).uncertain


def test_lower_is_better_duration():
    config = make_config()
    now = result("2025-01-01", "2025-12-31", {"cycle_days_median": Value("cycle_days_median", 80.0, None, 500)},
                 {"closed": 500})
    then = result("2024-01-01", "2024-12-31", {"cycle_days_median": Value("cycle_days_median", 92.5, None, 500)},
                  {"closed": 500})
    ch = change(config, "cycle_days_median", now, then)
    assert ch.delta == -12.5 and ch.unit == "天" and ch.verdict == "better"
    assert format_change(ch) == "−12.5天"


def test_counts_compared_per_month():
    config = make_config()
    two_months = result("2025-01-01", "2025-02-28", {"filed_count": Value("filed_count", 118, 118, None)})
    year = result("2024-01-01", "2024-12-31", {"filed_count": Value("filed_count", 732, 732, None)})
    ch = change(config, "filed_count", two_months, year)
    assert ch.unit == "件/月"
    assert abs(ch.delta - (118 / (59 / 30.4375) - 732 / (366 / 30.4375))) < 1e-9


def test_missing_value_gives_no_change():
    config = make_config()
    now = result("2025-01-01", "2025-12-31", {"completion_rate": Value("completion_rate", None, 0, 0)})
    then = result("2024-01-01", "2024-12-31", {"completion_rate": rate("completion_rate", 1, 2)})
    ch = change(config, "completion_rate", now, then)
    assert ch.delta is None and format_change(ch) == "—"


def test_target_status_follows_direction():
    config = make_config()
    assert target_status(config, "recovery_rate", Value("recovery_rate", 0.5, 1, 2)) == "met"
    assert target_status(config, "recovery_rate", Value("recovery_rate", 0.49, 1, 2)) == "missed"
    assert target_status(config, "recovery_rate", Value("recovery_rate", None, 0, 0)) is None
    config.targets["zhongben_rate"] = Target("lower", 0.3)
    assert target_status(config, "zhongben_rate", Value("zhongben_rate", 0.25, 1, 4)) == "met"


def test_formatting():
    assert format_number("recovery_rate", 0.5234) == "52.3%"
    assert format_number("cycle_days_median", 36.5) == "36.5天"
    assert format_number("measure_fine_amount", 123456.0) == "12.35万元"
    assert format_number("pending_end", 12) == "12件"
    assert format_number("completion_rate", None) == "—"
    assert wan(10000) == "1.00万元"
    assert format_value(Value("voluntary_compliance_rate", 0.6, 3, 5, provisional=True)) == "60.0%（暂定）"
    assert format_part("recovery_rate", 20716543.21, "denominator") == "2,071.65万元"
    assert format_part("completion_rate", 12, "numerator") == "12件"


def test_same_period_last_year_and_month_ends():
    assert shift_year(dt.date(2025, 2, 28)) == dt.date(2024, 2, 29)
    assert shift_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert shift_year(dt.date(2025, 3, 15)) == dt.date(2024, 3, 15)
    w = clamp("p", "p", d("2026-01-01"), d("2026-04-30"), d("2026-03-10"))
    yoy = same_period_last_year(w)
    assert (yoy.start, yoy.end) == (d("2025-01-01"), d("2025-03-10"))  # the observed part only


def test_month_windows_and_resolve():
    months = month_windows(d("2025-11-15"), d("2026-02-10"), d("2026-02-10"))
    assert [m.key for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months[-1].end == d("2026-02-10") and months[-1].clamped
    config = make_config()
    assert resolve_window(config, d("2025-12-31"), "p1").start == d("2025-03-01")
    assert resolve_window(config, d("2025-12-31"), "p1_yoy").start == d("2024-03-01")
    assert resolve_window(config, d("2025-12-31"), "2025-02").end == d("2025-02-28")
    assert resolve_window(config, d("2025-12-31"), "nonsense") is None


def test_same_period_before_complete_data_is_not_compared(engine):
    from metrics.engine.service import Dashboard
    from tests.conftest import insert

    insert(engine, "cases", [dict(case_no="a", filing_date="2023-06-01", closing_date="2023-07-01",
                                  closing_method="执行完毕"),
                             dict(case_no="b", filing_date="2024-03-05", closing_date="2024-03-20",
                                  closing_method="执行完毕"),
                             dict(case_no="c", filing_date="2025-03-05", closing_date="2025-03-20",
                                  closing_method="执行完毕")])
    config = make_config(data_complete_from=d("2024-01-01"))
    last_year = Dashboard(engine, config).last_year_results(d("2025-03-31"))
    assert last_year["baseline"].window.empty  # 2023 is before the data are complete
    assert last_year["baseline"].values["closed_count"].value is None
    assert last_year["p1"].values["closed_count"].value == 1  # March 2024: case b
    config = make_config()  # default: complete from the baseline's start (2024-01-01) as well
    assert Dashboard(engine, config).last_year_results(d("2025-03-31"))["baseline"].window.empty


# ---- honest numbers (issue 8) --------------------------------------------------------------------------------

def test_730_cases_are_not_a_small_sample_and_noise_is_decided_by_the_interval():
    config = make_config()
    now = result("2025-01-01", "2025-12-31", {"actual_closure_share": rate("actual_closure_share", 321, 730)},
                 {"closed": 730})
    then = result("2024-01-01", "2024-12-31", {"actual_closure_share": rate("actual_closure_share", 307, 730)},
                  {"closed": 730})
    ch = change(config, "actual_closure_share", now, then)
    assert ch.uncertain and ch.reason == "差异在统计误差内"  # 44.0 % vs 42.1 %: Newcombe −3.2 … +7.0 points
    assert not is_small(now, "actual_closure_share", config)
    then = result("2024-01-01", "2024-12-31", {"actual_closure_share": rate("actual_closure_share", 277, 730)},
                  {"closed": 730})
    assert not change(config, "actual_closure_share", now, then).uncertain


def test_counts_per_month_use_the_poisson_rule():
    config = make_config()
    two = result("2025-01-01", "2025-02-28", {"filed_count": Value("filed_count", 10, 10, None)})
    year = result("2024-01-01", "2024-12-31", {"filed_count": Value("filed_count", 48, 48, None)})
    ch = change(config, "filed_count", two, year)
    assert ch.verdict is None and ch.uncertain and ch.reason == "差异在统计误差内"
    two = result("2025-01-01", "2025-02-28", {"filed_count": Value("filed_count", 30, 30, None)})
    assert not change(config, "filed_count", two, year).uncertain


def test_money_ratio_without_a_rule_falls_back_to_the_sample_size():
    config = make_config()
    small = result("2025-01-01", "2025-12-31", {"recovery_rate": Value("recovery_rate", 0.6, 60, 100)},
                   {"monetary_closed": 12})
    big = result("2024-01-01", "2024-12-31", {"recovery_rate": Value("recovery_rate", 0.5, 50, 100)},
                 {"monetary_closed": 400})
    assert change(config, "recovery_rate", small, big).reason == "样本较小"
    assert is_small(small, "recovery_rate", config) and not is_small(big, "recovery_rate", config)


def test_impossible_value_is_a_data_error_never_met():
    config = make_config()
    bad = Value("recovery_rate", 3945.708, 3945708, 1000)
    assert target_status(config, "recovery_rate", bad) == "anomaly"
    now = result("2025-01-01", "2025-12-31", {"recovery_rate": bad}, {"monetary_closed": 60})
    then = result("2024-01-01", "2024-12-31", {"recovery_rate": Value("recovery_rate", 0.5, 1, 2)},
                  {"monetary_closed": 60})
    ch = change(config, "recovery_rate", now, then)
    assert ch.delta is None and ch.verdict is None and format_change(ch) == "数据异常"
    assert target_status(config, "cycle_days_median", Value("cycle_days_median", -3.0, None, 5)) == "anomaly"
    # A premium may exceed 100 %: not an error.
    assert target_status(config, "auction_premium_rate", Value("auction_premium_rate", 1.5, 3, 2)) is None


def _phases(key, base: Value, now: Value, ly: Value):
    b = result("2024-01-01", "2024-12-31", {key: base}, {"closed": 500})
    p = result("2025-03-01", "2025-03-31", {key: now}, {"closed": 500})
    y = result("2024-03-01", "2024-03-31", {key: ly}, {"closed": 500})
    return {"baseline": b, "p1": p}, {"baseline": y, "p1": y}


def test_reception_rate_only_against_last_year_and_baseline_not_against_itself():
    config = make_config()
    phases, last_year = _phases("actual_closure_rate", rate("actual_closure_rate", 400, 800),
                                rate("actual_closure_rate", 100, 800), rate("actual_closure_rate", 80, 800))
    row = compare_phase(config, "actual_closure_rate", "p1", phases, last_year)
    assert row.vs_baseline.delta is None and format_change(row.vs_baseline) == "只比上年同期"
    assert round(row.vs_last_year.delta, 6) == 2.5 and row.yardstick is row.vs_last_year
    base_row = compare_phase(config, "completion_rate", "baseline",
                             *_phases("completion_rate", rate("completion_rate", 1, 2), rate("completion_rate", 1, 2),
                                      rate("completion_rate", 1, 2)))
    assert base_row.vs_baseline.delta is None and format_change(base_row.vs_baseline) == "—"


def test_court_wide_indicator_under_a_team_filter_has_no_target_badge():
    from metrics.engine.filters import Filters
    from metrics.present.format import status_text

    config = make_config()
    config.targets["voluntary_compliance_rate"] = Target("higher", 0.6)
    v = Value("voluntary_compliance_rate", 0.645, 40, 113)
    phases, last_year = _phases("voluntary_compliance_rate", v, v, v)
    plain = compare_phase(config, "voluntary_compliance_rate", "p1", phases, last_year, Filters())
    assert plain.status == "met" and not plain.court_wide
    team = compare_phase(config, "voluntary_compliance_rate", "p1", phases, last_year, Filters(teams=("执行一团队",)))
    assert team.court_wide and team.status is None and status_text(team, True) == "全院口径"
    court = compare_phase(config, "voluntary_compliance_rate", "p1", phases, last_year, Filters(court="某法院"))
    assert not court.court_wide  # 生效裁判 follow the court filter


def test_badge_of_a_missing_value_is_no_data_not_no_target():
    from metrics.present.format import status_text

    config = make_config()
    none = Value("recovery_rate", None, None, None)
    phases, last_year = _phases("recovery_rate", none, none, none)
    row = compare_phase(config, "recovery_rate", "p1", phases, last_year)
    assert status_text(row, True) == "暂无数据"
