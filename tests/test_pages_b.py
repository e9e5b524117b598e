"""AppTest of the 交叉执行, 财产处置, 强制措施与信用惩戒 and 案件明细 pages on the sample database.

Each page is opened the way a deep link opens it (app.py as the entry point, then the page), so the shared frame's
navigation resolves; figures, filters, 投影模式 and the drill-through are checked against the engine.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics.config import ROOT

PAGES = ["pages/cross.py", "pages/disposal.py", "pages/measures.py", "pages/cases.py"]
TIMEOUT = 120


def open_page(page: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.get("html"))


def kpi_values(at: AppTest) -> dict[str, str]:
    """Indicator key → the value shown on its KPI card."""
    return dict(re.findall(r"data-indicator='(\w+)'.*?class='kpi-value' data-value='([^']*)'", html(at)))


def parts(at: AppTest) -> dict[str, str]:
    """案件明细's figures: value / numerator / denominator / records → raw number."""
    return dict(re.findall(r"data-part='(\w+)'><div class='kpi-label'>[^<]*</div>"
                           r"<div class='kpi-value' data-value='([^']*)'", html(at)))


def table_with(at: AppTest, *columns: str):
    """The first table on the page that has all these columns."""
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_sample_mark(page):
    at = open_page(page)
    no_exception(at)
    assert "示例数据" in html(at)
    assert at.dataframe, "a table of figures"
    if page != "pages/cases.py":
        assert charts(at), "at least one chart"
        assert kpi_values(at), "KPI cards"


def test_cross_page_figures():
    at = open_page("pages/cross.py")
    no_exception(at)
    values = kpi_values(at)
    for key in ("cross_received_count", "cross_sent_count", "cross_completion_rate", "cross_recovery_rate",
                "entrust_on_time_rate"):
        assert values.get(key), key
    by_phase = table_with(at, "阶段", "承接(件)")
    implement = by_phase[by_phase["阶段"] == "组织实施阶段"].iloc[0]
    assert str(implement["承接(件)"]) == values["cross_received_count"]
    partners = table_with(at, "对方法院", "承接(件)")
    assert partners["承接(件)"].sum() == implement["承接(件)"]  # every case taken over names its court
    assert not table_with(at, "交叉执行方式", "承接(件)").empty
    assert not table_with(at, "委托法院", "按期反馈率").empty
    # 承接 against the other cases: both groups for every phase, each linking to its cases.
    roles = table_with(at, "案件组")
    assert set(roles["案件组"]) == {"承接案件", "其他案件"} and len(roles) == 8
    assert all("role=" in link for link in roles["明细"])


def test_cross_role_filter_that_excludes_a_group_says_so():
    at = open_page("pages/cross.py", role=["承接"])
    no_exception(at)
    assert any("无法对比" in i.value for i in at.info)
    assert set(table_with(at, "案件组")["案件组"]) == {"承接案件"}


@pytest.mark.parametrize("page", ["pages/cross.py", "pages/disposal.py", "pages/measures.py"])
def test_filter_change_changes_figures(page):
    at = open_page(page)
    before = kpi_values(at)
    team = at.multiselect(key="team").options[0]
    at.multiselect(key="team").set_value([team]).run()
    no_exception(at)
    after = kpi_values(at)
    assert before.keys() == after.keys()
    assert before != after
    assert team in html(at)  # the header names the filter


@pytest.mark.parametrize("page, slides", [("pages/cross.py", 7), ("pages/disposal.py", 4),
                                          ("pages/measures.py", 5), ("pages/cases.py", 2)])
def test_projector_mode_shows_one_section_per_screen(page, slides):
    at = open_page(page, ind="completion_rate", win="implement") if page == "pages/cases.py" else open_page(page)
    normal_charts, normal_tables = len(charts(at)), len(at.dataframe)
    at.toggle(key="projector").set_value(True).run()
    no_exception(at)
    assert f"第 1 / {slides} 页" in html(at)
    assert len(charts(at)) <= 1 and len(charts(at)) + len(at.dataframe) < normal_charts + normal_tables
    assert not at.get("download_button"), "no downloads on the projector"
    at.button(key="next_slide").click().run()
    no_exception(at)
    assert f"第 2 / {slides} 页" in html(at)


def test_measures_page_per_month_and_per_100_new_cases():
    at = open_page("pages/measures.py")
    table = table_with(at, "措施")
    assert list(table["措施"])[:2] == ["纳入失信", "限制消费"] and "罚款金额(万元)" in list(table["措施"])
    per_month = table.set_index("措施")
    at.radio(key="measures_basis").set_value("人次").run()
    totals = table_with(at, "措施").set_index("措施")
    at.radio(key="measures_basis").set_value("每百件新收").run()
    per_100 = table_with(at, "措施").set_index("措施")
    phase = "组织实施阶段"
    blacklist = totals.loc["纳入失信", phase]
    assert str(int(blacklist)) == kpi_values(at)["measure_blacklist"]
    # 月均 and 每百件新收 are the same count divided by the months, or by new cases ÷ 100.
    filed = re.search(rf"{phase} (\d+)件", "".join(c.value for c in at.caption)).group(1)
    assert per_100.loc["纳入失信", phase] == pytest.approx(blacklist / int(filed) * 100)
    assert per_month.loc["纳入失信", phase] == pytest.approx(blacklist / (306 / 30.4375))  # 2025-03-01…12-31


def test_disposal_page_money_in_wan():
    at = open_page("pages/disposal.py")
    by_phase = table_with(at, "阶段", "成交价合计(万元)", "评估价合计(万元)", "溢价额(万元)")
    assert set(table_with(at, "拍卖轮次")["拍卖轮次"]) <= {"一拍", "二拍", "变卖"}
    row = by_phase[by_phase["阶段"] == "组织实施阶段"].iloc[0]
    assert row["拍次"] >= row["成交"] + row["流拍"]
    assert not table_with(at, "财产类型").empty


# ---- 案件明细 ------------------------------------------------------------------------------------------------------

def listed(at: AppTest):
    return at.dataframe[0].value


def test_cases_without_params_defaults_to_completion_rate_of_the_phase():
    at = open_page("pages/cases.py")
    no_exception(at)
    assert at.selectbox(key="drill_ind").value == "completion_rate"
    assert at.selectbox(key="drill_win").value == at.sidebar.selectbox(key="phase").value
    assert "执行完毕率" in html(at)


@pytest.mark.parametrize("ind, win", [("completion_rate", "implement"), ("closed_count", "2025-03"),
                                      ("actual_closure_rate", "launch_yoy"), ("pending_end", "review")])
def test_cases_rows_equal_the_figures_shown(ind, win):
    at = open_page("pages/cases.py", ind=ind, win=win)
    no_exception(at)
    shown = parts(at)
    rows = listed(at)
    assert at.selectbox(key="drill_ind").value == ind and at.selectbox(key="drill_win").value == win
    assert list(rows.columns[:1]) == ["计入分子"]
    if "denominator" in shown:
        assert list(rows.columns[:2]) == ["计入分子", "计入分母"]
        assert (rows["计入分母"] == "是").sum() == int(shown["denominator"])
        assert (rows["计入分子"] == "是").sum() == int(shown["numerator"])
        at.radio(key="drill_part").set_value("den").run()
        assert len(listed(at)) == int(shown["denominator"])
        assert at.query_params["part"] == "den"
    else:
        assert len(rows) == int(shown["value"]) == int(shown["records"])


def test_cases_part_and_filters_from_the_link():
    everything = parts(open_page("pages/cases.py", ind="completion_rate", win="implement"))
    at = open_page("pages/cases.py", ind="completion_rate", win="implement", part="num", role=["承接"])
    no_exception(at)
    shown = parts(at)
    assert int(shown["denominator"]) < int(everything["denominator"])
    rows = listed(at)
    assert len(rows) == int(shown["numerator"]) and set(rows["计入分子"]) == {"是"}
    assert set(rows["交叉执行角色"]) == {"承接"}


def test_cases_money_ratio_and_masked_names():
    at = open_page("pages/cases.py", ind="recovery_rate", win="implement")
    rows = listed(at)
    numerator = rows.loc[rows["计入分子"] == "是", "执行到位金额(元)"].sum()
    assert float(parts(at)["numerator"]) == pytest.approx(float(numerator), abs=0.01)
    names = [n for n in rows["被执行人"] if n]
    assert names and all("*" in n or "某某" in n for n in names)


def test_cases_bad_window_falls_back_with_a_warning():
    at = open_page("pages/cases.py", ind="completion_rate", win="nonsense")
    no_exception(at)
    assert at.warning and "无法识别" in at.warning[0].value
    assert at.selectbox(key="drill_win").value == at.sidebar.selectbox(key="phase").value


def test_cases_median_lists_the_cohort_and_its_days():
    at = open_page("pages/cases.py", ind="cycle_days_median", win="implement")
    no_exception(at)
    shown, rows = parts(at), listed(at)
    assert "numerator" not in shown and not at.radio
    assert len(rows) == int(shown["denominator"])
    assert rows["执行用时(天)"].median() == pytest.approx(float(shown["value"]))


def test_stock_drill_through_says_the_day_counted_and_the_status_then():
    at = open_page("pages/cases.py", ind="pending_over_12m", win="implement")
    no_exception(at)
    rows = listed(at)
    assert set(rows["计数日"]) == {"2025年12月31日"}  # the end of 组织实施阶段, not the as-of date
    assert (rows["该日状态"] == "未结").all()
    assert (rows["截至该日已立案天数"] > 365).all()
    later = rows[rows["现状（截至统计日）"].str.startswith("已于")]
    assert len(later) > 0  # closed after the day counted: said so, not shown as a closed case
    assert "计数日：2025年12月31日" in html(at)
    assert "cases?ind=pending_over_12m&amp;win=" in html(at) or "cases?ind=pending_over_12m&win=" in html(at)
