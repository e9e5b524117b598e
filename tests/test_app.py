"""AppTest of the overview and the shared frame: numbers equal the engine's, filters, 投影模式, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.config import ROOT, load_config
from metrics.engine.db import open_database
from metrics.engine.indicators import HEADLINE
from metrics.engine.service import Dashboard
from metrics.present.format import format_number

APP = str(ROOT / "app.py")


def run_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def page_html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def test_overview_shows_the_engines_numbers():
    config = load_config(env={})
    board = Dashboard(open_database(config), config)
    values = board.phase_results(board.default_as_of())[config.default_phase].values
    html = page_html(run_app())
    assert "示例数据" in html
    for key in HEADLINE:
        assert f"data-indicator='{key}'" in html
        assert f">{format_number(key, values[key].value)}" in html, key


def test_filter_changes_the_numbers_and_projector_changes_the_layout():
    at = run_app()
    before = page_html(at)
    at.multiselect(key="team").set_value(["执行二团队"]).run()
    after = page_html(at)
    assert before != after and "执行二团队" in after
    at.toggle(key="projector").set_value(True).run()
    assert not at.exception
    projected = page_html(at)
    assert "proj-head" in projected and "第 1 / 4 页" in projected
    assert [b.label for b in at.button if b.key in ("prev_slide", "next_slide")] == ["◀ 上一页", "下一页 ▶"]
    assert "proj-filter'>团队：执行二团队<" in projected  # the active filter in the projector header (F-6)
    at.button(key="next_slide").click().run()
    assert "第 2 / 4 页" in page_html(at)
    # Leaving 投影模式 is a rerun, not a reload: coming back finds the same slide (F-5).
    at.button(key="proj_exit").click().run()
    assert not at.toggle(key="projector").value and "proj-head" not in page_html(at)
    at.toggle(key="projector").set_value(True).run()
    assert "第 2 / 4 页" in page_html(at)


def test_nothing_matches_gives_a_chinese_message():
    at = run_app(asof="2000-01-01")
    assert any("没有任何案件" in w.value for w in at.warning)


def test_database_down_gives_a_chinese_message(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    at = run_app()
    assert any("数据库无法使用" in e.value and "无法连接数据库" in e.value for e in at.error)


def test_wrong_config_gives_a_chinese_message(monkeypatch, tmp_path: Path):
    bad = tmp_path / "config.yaml"
    bad.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace("2025-03-01", "2025-02-01", 1),
                   encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(bad))
    at = run_app()
    assert any("配置文件有误" in e.value and "重叠" in e.value for e in at.error)


@pytest.mark.parametrize("env", [{}, {"DASHBOARD_CONFIG": "/nonexistent.yaml"}])
def test_cli_honours_dashboard_config(env):
    from metrics.config import ConfigError

    if env:
        with pytest.raises(ConfigError):
            load_config(env=env)
    else:
        assert load_config(env=env).court_name
