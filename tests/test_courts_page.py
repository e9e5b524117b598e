"""The multi-court sample (宜昌, 13 courts) and the 法院对比 page; every page, export and the report on several
courts; a single-court database shows no 法院对比 and builds the same report as before."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, func, select
from streamlit.testing.v1 import AppTest

from metrics.__main__ import main as cli
from metrics.config import ROOT, load_config
from metrics.engine import courts as C
from metrics.engine.db import SAMPLE_DIR, is_sample
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.engine.schema import cases
from metrics.engine.service import Dashboard
from metrics.engine.windows import phase_window
from ui.frame import PAGES

EXAMPLE = ROOT / "examples" / "config.yichang.yaml"
SCALE = "0.05"  # a twentieth of the real volumes: the same structure in a few seconds


@pytest.fixture(scope="module")
def yichang(tmp_path_factory):
    out = tmp_path_factory.mktemp("yichang") / "yichang.db"
    assert cli(["sample", "--out", str(out), "--courts", "yichang", "--scale", SCALE]) == 0
    url = f"sqlite:///{out}"
    engine = create_engine(url)
    yield url, engine, load_config(EXAMPLE, env={"DATABASE_URL": url})
    engine.dispose()


@pytest.fixture
def app_on(monkeypatch):
    """AppTest of a page on a given database (and config), with the app's caches cleared before and after."""
    def run(url: str, page: str, config: Path | None = None, **params) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", url)
        if config:
            monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(page)
        return at.run()
    yield run
    st.cache_data.clear()
    st.cache_resource.clear()


def nav_labels(at: AppTest) -> list[str]:
    return [p.proto.label for p in at.get("page_link")]


# ---- the sample ------------------------------------------------------------------------------------------------------

def test_sample_holds_13_courts_marked_as_sample(yichang):
    url, engine, config = yichang
    assert is_sample(engine)
    with engine.connect() as conn:
        names = C.court_names(conn, config)
        sizes = dict(conn.execute(select(cases.c.court, func.count()).group_by(cases.c.court)).all())
        blank = conn.execute(select(func.count()).where(cases.c.court == "")).scalar()
    assert names == [c.name for c in config.courts] and len(names) == 13 and blank == 0
    # The urban courts are several times 猇亭.
    assert sizes["宜昌市西陵区人民法院"] > 2.5 * sizes["宜昌市猇亭区人民法院"]
    assert sizes["宜昌市夷陵区人民法院"] > 2.5 * sizes["宜昌市猇亭区人民法院"]


def test_sample_courts_match_the_example_config(yichang):
    sys.path.insert(0, str(SAMPLE_DIR))
    import yichang as generator

    _, _, config = yichang
    assert [(c.name, c.code, c.short) for c in generator.COURTS] == [(c.name, c.code, c.short) for c in config.courts]


def test_sample_cross_execution_matches_with_the_built_in_mismatches(yichang):
    url, engine, config = yichang
    as_of = Dashboard(engine, config).default_as_of()
    found = C.reconciliation(engine, config, as_of)
    kinds = [m.kind for m in found]
    # 3 handed-over cases never registered, 4 partner names respelled, 2 takings over without a 交出.
    missing = sum(m.handed - m.taken for m in found if m.kind != "对方法院名称写法不一致" and m.handed > m.taken)
    extra = sum(m.taken - m.handed for m in found if m.kind != "对方法院名称写法不一致" and m.taken > m.handed)
    assert (missing, extra) == (3, 2)
    assert kinds.count("对方法院名称写法不一致") == 4
    names = [c.name for c in config.courts]
    with engine.connect() as conn:
        handed = conn.execute(select(func.count()).where(cases.c.cross_role == "交出",
                                                         cases.c.partner_court.in_(names))).scalar()
    flows = C.flows(engine, config, as_of)
    assert handed > 10 and sum(f.taken for f in flows if f.source in names) == handed - 3 + 2


def test_default_sample_csvs_are_unchanged_by_the_scale(tmp_path, monkeypatch):
    """generate.py with SCALE = 1 writes exactly the committed CSVs (the 猇亭 sample stays as it was)."""
    monkeypatch.syspath_prepend(str(SAMPLE_DIR))
    import generate

    monkeypatch.setattr(generate, "OUT_DIR", tmp_path)
    generate.main()
    for csv in SAMPLE_DIR.glob("*.csv"):
        assert (tmp_path / csv.name).read_bytes() == csv.read_bytes(), csv.name


def test_sample_refuses_an_existing_file(tmp_path, capsys):
    out = tmp_path / "x.db"
    out.write_bytes(b"not empty")
    assert cli(["sample", "--out", str(out), "--courts", "yichang"]) == 2
    assert "已存在" in capsys.readouterr().err
    assert cli(["sample", "--out", str(tmp_path / "x.csv"), "--courts", "yichang"]) == 2


# ---- the 法院对比 page -----------------------------------------------------------------------------------------------

def test_courts_page_shows_every_court_with_the_engine_values(yichang, app_on):
    url, engine, config = yichang
    at = app_on(url, "pages/courts.py", EXAMPLE)
    assert not at.exception, at.exception
    assert "法院对比" in nav_labels(at)
    assert [s.value for s in at.subheader] == ["各法院核心指标", "单项指标：排名、同比与目标", "图示",
                                              "交叉执行流向（交出 → 承接）", "交叉执行对账"]
    overview = next(df.value for df in at.dataframe if "未达标" in df.value.columns)
    assert list(overview["法院"]) == [c.short for c in config.courts]
    window = phase_window(config.phase(config.default_phase), at.session_state["asof"])
    rows = {r.short: r for r in C.court_table(engine, config, window, C.last_year_window(config, window))}
    for _, rec in overview.iterrows():
        v = rows[rec["法院"]].values["completion_rate"].value
        assert rec["执行完毕率(%)"] == pytest.approx(round(v * 100, 1))
    # The detail table: one 查看案件 link per court, to 案件明细 with the court filter.
    detail = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    assert len(detail) == 13
    assert all(h.startswith("cases?") and "ind=completion_rate" in h and "court=" in h for h in detail["案件"])
    # The flow heatmap and the small multiples are drawn (and exportable: three download buttons each).
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False)
             for c in [*at.get("vega_lite_chart"), *at.get("arrow_vega_lite_chart")]]
    assert len(specs) == 2 and any("交出法院" in s for s in specs)
    recon = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert len(recon) == len(C.reconciliation(engine, config, at.session_state["asof"]))
    assert {b.proto.label for b in at.get("download_button")} >= {"PNG", "SVG", "PDF", "CSV", "XLSX"}


def test_courts_page_drill_link_opens_that_courts_cases(yichang, app_on):
    url, engine, config = yichang
    at = app_on(url, "pages/courts.py", EXAMPLE)
    detail = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    link = detail["案件"].iloc[0]
    from urllib.parse import parse_qs, urlparse

    params = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    court = params["court"]
    at = app_on(url, "pages/cases.py", EXAMPLE, **params)
    assert not at.exception, at.exception
    listed = max((df.value for df in at.dataframe), key=len)
    assert len(listed) > 0
    case_numbers = list(listed["案号"])
    code = next(c.code for c in config.courts if c.name == court)
    assert all(code in n for n in case_numbers), (court, case_numbers[:5])


def test_a_picked_cell_opens_its_cases(yichang, app_on):
    url, engine, config = yichang
    at = app_on(url, "pages/courts.py", EXAMPLE)
    at.session_state["courts_overview"] = {"selection": {"rows": [], "columns": [],
                                                         "cells": [[3, "执行完毕率(%)"]]}}
    at.run()
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    court = config.courts[3]  # 猇亭, the fourth row
    assert f"**{court.short} · 执行完毕率**" in text
    assert "查看案件 ›](cases?" in text and "ind=completion_rate" in text
    assert "court=%E5%AE%9C%E6%98%8C%E5%B8%82%E7%8C%87%E4%BA%AD%E5%8C%BA%E4%BA%BA%E6%B0%91%E6%B3%95%E9%99%A2" in text


def test_courts_page_in_projector_mode(yichang, app_on):
    url, _, _ = yichang
    at = app_on(url, "pages/courts.py", EXAMPLE, projector="true")
    assert not at.exception, at.exception
    assert at.button(key="next_slide") and at.button(key="prev_slide").disabled
    titles = []
    for _ in range(6):  # 核心指标, 排名, the small multiples three indicators a slide (3 slides), 流向, 对账
        at.button(key="next_slide").click().run()
        assert not at.exception, at.exception
        titles.append(next(str(h.proto.body) for h in at.get("html") if "slide-count" in str(h.proto.body)))
    assert at.button(key="next_slide").disabled
    assert [t for t in titles if "核心指标图示" in t] and all(f"（{i}/3）" in "".join(titles) for i in (1, 2, 3))


def test_single_court_database_shows_no_courts_entry(app_on, tmp_path):
    url = f"sqlite:///{tmp_path / 'one.db'}"
    assert cli(["sample", "--out", str(tmp_path / "one.db")]) == 0
    at = app_on(url, "app.py")
    assert not at.exception, at.exception
    labels = nav_labels(at)
    assert "法院对比" not in labels and "团队对比" in labels
    assert "家法院" not in " ".join(h.proto.body for h in at.get("html"))
    at = app_on(url, "pages/courts.py")
    assert not at.exception and "只有一家法院" in at.info[0].value


# ---- every page, export and the report on several courts -------------------------------------------------------------

@pytest.mark.parametrize("path", [p for p, _ in PAGES if p != "pages/courts.py"])
def test_every_page_works_on_several_courts(yichang, app_on, path):
    url, _, _ = yichang
    at = app_on(url, path, EXAMPLE)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "法院对比" in nav_labels(at)
    heads = " ".join(h.proto.body for h in at.get("html"))
    assert "全部13家法院" in heads  # no court picked: the header says the figures cover all 13 courts
    # And with one court picked in the sidebar.
    at = app_on(url, path, EXAMPLE, court="宜昌市猇亭区人民法院")
    assert not at.exception, at.exception
    heads = " ".join(h.proto.body for h in at.get("html"))
    assert "全部13家法院" not in heads and "法院：宜昌市猇亭区人民法院" in heads


def test_report_title_says_which_courts(yichang, tmp_path, monkeypatch):
    from PIL import Image

    from metrics.present.report import build_report, collect

    url, engine, config = yichang
    png = tmp_path / "blank.png"
    Image.new("RGB", (10, 10), "white").save(png)
    monkeypatch.setattr("metrics.present.report.render_chart", lambda spec, fmt: png.read_bytes())
    data = collect(engine, config, monthly=False)
    assert data.config.court_name == "宜昌市中级人民法院（西陵、伍家岗等13家法院）"
    from metrics.engine.filters import Filters

    assert collect(engine, config, filters=Filters(court="远安县人民法院"),
                   monthly=False).config.court_name == "远安县人民法院"
    out = build_report(engine, config, tmp_path / "r.pptx")
    with zipfile.ZipFile(out) as z:
        slide = z.read("ppt/slides/slide1.xml").decode("utf-8")
    assert "西陵、伍家岗等13家法院" in slide


def test_report_of_a_single_court_keeps_its_title(tmp_path):
    from metrics.present.report import collect

    assert cli(["sample", "--out", str(tmp_path / "one.db")]) == 0
    config = load_config(env={"DATABASE_URL": f"sqlite:///{tmp_path / 'one.db'}"})
    engine = create_engine(f"sqlite:///{tmp_path / 'one.db'}")
    assert collect(engine, config, monthly=False).config.court_name == config.court_name == "宜昌市猇亭区人民法院"


def test_headline_indicators_cover_the_page():
    assert all(k in INDICATORS for k in HEADLINE)
