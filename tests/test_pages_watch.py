"""AppTest of 督办预警, the counts row on 总览, 预判 and the Kaplan–Meier curve, on the sample database."""

from __future__ import annotations

import datetime as dt
import re

from metrics.config import load_config
from metrics.engine.db import open_database
from metrics.engine.forecast import open_phases, project_phase
from metrics.engine.indicators import INDICATORS
from metrics.engine.survival import km_tables
from metrics.engine.watch import all_lists, summary_counts
from metrics.engine.windows import phase_windows
from tests.test_pages_b import html, no_exception, open_page, table_with


def all_text(at) -> str:
    """HTML, markdown and captions of a run page."""
    return "\n".join([html(at), *(m.value for m in at.markdown), *(c.value for c in at.caption)])


def engine_lists(as_of: dt.date):
    config = load_config()
    with open_database(config, None).connect() as conn:
        return all_lists(conn, config, as_of)


def test_watch_page_lists_counts_links_and_masking():
    at = open_page("pages/watch.py")
    no_exception(at)
    text = html(at)
    assert "示例数据" in text
    as_of = dt.date(2026, 10, 31)  # the sample data end at 2026-10-31
    lists = engine_lists(as_of)
    shown = dict(re.findall(r"data-watch='(\w+)'><div class='kpi-head'>.*?data-value='(\d+)'", text))
    assert shown == {k: str(wl.total) for k, wl in lists.items()}
    records = table_with(at, "案号", "剩余天数", "查看案件")
    assert len(records) == lists["statutory"].total
    assert records["剩余天数"].tolist() == sorted(records["剩余天数"])
    assert all("case=" in href and "ind=pending_end" in href for href in records["查看案件"])
    assert all(re.fullmatch(r"[^*]{1,4}\*+.*", name) for name in records["被执行人"] if name)  # 张**, 宜昌****有限公司
    by_team = table_with(at, "执行团队", "合计")
    assert by_team["合计"].sum() == lists["statutory"].total


def test_watch_page_opens_the_list_named_in_the_link():
    at = open_page("pages/watch.py", list="entrust")
    no_exception(at)
    records = table_with(at, "事项编号", "期限届满日")
    assert len(records) == engine_lists(dt.date(2026, 10, 31))["entrust"].total
    assert "按对方法院" not in html(at)  # partner courts: one table, no handler


def test_projector_shows_counts_by_team_without_names():
    at = open_page("pages/watch.py", projector="true")
    no_exception(at)
    for _ in range(1):
        at.button(key="next_slide").click().run()
    text = html(at)
    assert "即将超审限" in text and "proj-table" in text
    assert not any("承办人" in df.value.columns for df in at.dataframe)
    assert "执行团队" in text and "承办人" not in text.split("proj-table", 1)[1]


def test_overview_row_of_counts_links_to_the_lists():
    at = open_page("app.py")
    no_exception(at)
    counts = dict(re.findall(r"data-watch='(\w+)' href='watch\?[^']*list=\1[^']*' target='_self'>[^<]*<b>(\d+)</b>",
                             html(at)))
    expected = {k: str(n) for k, _, n in summary_counts(engine_lists(dt.date(2026, 10, 31)))}
    assert counts.keys() <= expected.keys() and len(counts) >= 6
    assert all(counts[k] == expected[k] for k in counts)


def test_forecast_only_while_a_phase_is_open():
    ended = open_page("app.py")
    assert "预判（阶段末" not in html(ended)
    config = load_config()
    assert open_phases(config, dt.date(2025, 10, 31)) == ["implement"]
    at = open_page("app.py", asof="2025-10-31")
    no_exception(at)
    assert "组织实施阶段：预判（阶段末 2025-12-31，尚余 61 天）" in html(at)
    table = table_with(at, "预计阶段末", "预判")
    assert set(table["预判"]) <= {"可望达标", "存在风险", "难以达标"}
    # every indicator with a target in config.yaml, the stocks and 统计日-dependent rates included, as the engine
    with open_database(config, None).connect() as conn:
        engine_rows = project_phase(conn, config, "implement", dt.date(2025, 10, 31))
    assert table["指标"].tolist() == [INDICATORS[p.key].name for p in engine_rows]
    for name in ("超12个月未结数", "超12个月未结案件比", "裁判自动履行率", "事项委托按期反馈率"):
        row = table[table["指标"] == name].iloc[0]
        assert row["预计阶段末"] != "—" and "～" in row["区间(95%)"], name
    assert "逐件按最近90天同案龄段" in all_text(at)  # the method of the record-by-record ones, under the table
    phases = open_page("pages/phases.py", asof="2025-10-31")
    no_exception(phases)
    assert "预判（阶段末 2025-12-31" in html(phases)
    assert "裁判自动履行率" in table_with(phases, "预计阶段末", "预判")["指标"].tolist()


def test_glossary_states_the_methods_and_the_configured_thresholds():
    at = open_page("pages/glossary.py")
    no_exception(at)
    text = all_text(at)
    assert "超12个月未结数及其占比" in text and "最终按期反馈的比例推算" in text
    basis = "\n".join(table_with(at, "清单", "口径")["口径"])
    assert "办理期限将在5天内届满" in basis and "应每6个月（按182天计）网络查控一次" in basis
    params = table_with(at, "参数", "取值").set_index("参数")["取值"]
    assert params["委托事项预警天数（天）"] == "5" and params["终本定期查控间隔（天）"] == "182"


def test_cycle_page_km_table_matches_the_engine():
    at = open_page("pages/cycle.py")
    no_exception(at)
    table = table_with(at, "立案队列(件)", "半数结案用时(天)")
    config = load_config()
    windows = phase_windows(config, dt.date(2026, 10, 31))
    with open_database(config, None).connect() as conn:
        tables = km_tables(conn, config, windows)
    assert table["半数结案用时(天)"].tolist() == [t.median() for t in tables]
    assert table["立案队列(件)"].tolist() == [t.n for t in tables]
    assert "cycle_km_median" in html(at)


def test_case_link_shows_one_case():
    lists = engine_lists(dt.date(2026, 10, 31))
    case_no = lists["statutory"].rows[0]["案号"]
    at = open_page("pages/cases.py", ind="pending_end", win="2026-10", case=case_no)
    no_exception(at)
    df = table_with(at, "案号", "计入分子")
    assert df["案号"].tolist() == [case_no]
