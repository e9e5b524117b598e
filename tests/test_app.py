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
    assert "proj-head" in projected and "第 1 / 5 页" in projected
    assert [b.label for b in at.button if b.key in ("prev_slide", "next_slide")] == ["◀ 上一页", "下一页 ▶"]
    assert "proj-filter'>团队：执行二团队<" in projected  # the active filter in the projector header (F-6)
    at.button(key="next_slide").click().run()
    assert "第 2 / 5 页" in page_html(at)
    # Leaving 投影模式 is a rerun, not a reload: coming back finds the same slide (F-5).
    at.button(key="proj_exit").click().run()
    assert not at.toggle(key="projector").value and "proj-head" not in page_html(at)
    at.toggle(key="projector").set_value(True).run()
    assert "第 2 / 5 页" in page_html(at)


def test_nothing_matches_gives_a_chinese_message():
    at = run_app(asof="2000-01-01")
    assert any("没有任何案件" in w.value for w in at.warning)


def test_database_down_gives_a_chinese_message(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    at = run_app()
    assert any("数据库暂时无法连接" in e.value for e in at.error)
    shown = " ".join([e.value for e in at.error] + [c.value for c in at.caption])
    for secret in ("127.0.0.1", ":1/", "postgres", "none"):  # no host, port, user or database name on the page
        assert secret not in shown


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


# --- faults from the security review (issue 9): lost database, stale caches, bad config, odd URLs -------------

CASES_CSV = "案号,立案日期,结案日期,结案方式\n"


def small_database(tmp_path: Path, rows: list[str]) -> str:
    """A SQLite file with a few cases, imported by the CLI in another process (as a court would)."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'court.db'}"
    csv = tmp_path / "执行案件.csv"
    csv.write_text(CASES_CSV + "".join(r + "\n" for r in rows), encoding="utf-8-sig")
    out = subprocess.run([sys.executable, "-m", "metrics", "import", "--db", url, str(csv)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in __import__("os").environ.items() if k != "DATABASE_URL"})
    assert out.returncode == 0, out.stderr
    return url


def header_text(at: AppTest) -> str:
    return next(h for h in page_html(at).split("\n") if "page-meta" in h)


def test_an_import_from_another_process_shows_at_the_next_run(tmp_path, monkeypatch):
    """D13: the cache key holds the data version, so new rows show at once (they waited up to 600 s)."""
    url = small_database(tmp_path, ["(2025)鄂0505执1号,2025-03-02,2025-03-20,执行完毕"])
    monkeypatch.setenv("DATABASE_URL", url)
    assert "统计日 2025-03-20" in header_text(run_app())
    small_database(tmp_path, ["(2025)鄂0505执2号,2025-03-05,2025-04-08,执行完毕"])
    assert "统计日 2025-04-08" in header_text(run_app())


def test_a_config_change_shows_at_the_next_run(tmp_path, monkeypatch):
    """D13: display.as_of edited in config.yaml applies at the next run (default_as_of was cached by URL only)."""
    import os

    url = small_database(tmp_path, ["(2025)鄂0505执1号,2025-03-02,2025-04-20,执行完毕"])
    monkeypatch.setenv("DATABASE_URL", url)
    path = tmp_path / "config.yaml"
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("  as_of:\n", "  as_of: 2025-03-25\n"), encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(path))
    assert "统计日 2025-03-25" in header_text(run_app())
    path.write_text(text.replace("  as_of:\n", "  as_of: 2025-03-28\n"), encoding="utf-8")
    stamp = path.stat().st_mtime + 5
    os.utime(path, (stamp, stamp))
    assert "统计日 2025-03-28" in header_text(run_app())


def test_a_lost_database_is_a_message_and_the_page_recovers(tmp_path, monkeypatch):
    """D1 on SQLite: the file disappears under the running app (a new connection finds an empty file, so even the
    data version is new), then comes back: the Chinese message without the path, then the page recovers."""
    from metrics.engine.db import get_engine

    url = small_database(tmp_path, ["(2025)鄂0505执1号,2025-03-02,2025-03-20,执行完毕",
                                    "(2025)鄂0505执2号,2025-03-05,,"])
    monkeypatch.setenv("DATABASE_URL", url)
    run_app()
    db, away = tmp_path / "court.db", tmp_path / "court.db.away"
    db.rename(away)
    get_engine(url).dispose()  # pooled connections would still read the moved file
    try:
        for query in ({}, {"asof": "2025-03-10"}):
            lost = run_app(**query)
            assert any("数据库暂时无法连接" in e.value for e in lost.error)
            assert str(tmp_path) not in " ".join(e.value for e in lost.error)
    finally:
        db.unlink(missing_ok=True)
        away.rename(db)
        get_engine(url).dispose()
    back = run_app(asof="2025-03-10")
    assert not back.error and "统计日 2025-03-10" in header_text(back)


def test_a_bad_config_date_is_named_on_the_page(tmp_path, monkeypatch):
    """D9: display.as_of: 2025-13-01 names its key on every page instead of a traceback."""
    path = tmp_path / "config.yaml"
    path.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace("  as_of:\n", "  as_of: 2025-13-01\n"),
                    encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(path))
    at = run_app()
    import html

    # The message is escaped for Markdown (character references, an invisible break after dots): read it as shown.
    shown = [html.unescape(e.value).replace("\u200b", "") for e in at.error]
    assert any("配置文件有误" in s and "display.as_of" in s for s in shown), shown


def test_no_connection_is_held_after_a_page_run():
    """Each query borrows a pooled connection for the query only; none stays checked out after the run."""
    from metrics.engine.db import get_engine

    run_app(team="执行二团队")
    assert get_engine(load_config(env={}).database_url).pool.checkedout() == 0


def test_the_app_listens_on_this_computer_only_by_default():
    """Exposure: without server.address Streamlit listens on every interface (README says how to open it)."""
    import tomllib

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"


def test_analytics_duckdb_one_copy_for_two_sessions_and_new_rows_at_the_next_run(tmp_path, monkeypatch):
    """Issue 11 on the app itself: with `analytics: duckdb` two sessions open the overview on one DuckDB copy (one
    build), and an import from another process shows its numbers at the next run of a page already open (the copy
    is rebuilt for the new data version, never served stale)."""
    from metrics.engine import analytics

    url = small_database(tmp_path, ["(2025)鄂0505执1号,2025-03-02,2025-03-20,执行完毕",
                                    "(2025)鄂0505执2号,2025-03-03,,"])
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_ANALYTICS", "duckdb")
    analytics.drop_copies()
    builds = []
    real = analytics._build
    monkeypatch.setattr(analytics, "_build", lambda *args: builds.append(args[0].url) or real(*args))

    def shown(at) -> str:
        html = page_html(at)
        start = html.index("data-indicator='actual_closure_rate'")
        return html[start:html.index("kpi-foot", start)]  # 实际执结率: closed ÷ (pending at start + filed)

    try:
        first, second = run_app(asof="2025-03-31"), run_app(asof="2025-03-31")
        assert len(builds) == 1  # one copy for both sessions
        assert ">50.0%<" in shown(first) and ">50.0%<" in shown(second)  # 1 of 2 cases closed
        small_database(tmp_path, ["(2025)鄂0505执2号,2025-03-03,2025-03-25,执行完毕"])  # another process
        first.run()
        assert not first.exception
        assert ">100.0%<" in shown(first)  # the open page's next run: both closed
        assert len(builds) == 2
    finally:
        analytics.drop_copies()
