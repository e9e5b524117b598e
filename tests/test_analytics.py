"""The DuckDB analytics copy: never stale (import, another process), one copy shared by sessions, auto mode."""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from metrics.config import ConfigError, load_config
from metrics.engine import analytics
from metrics.engine.db import bump_data_version, data_version, ensure_schema
from metrics.engine.service import Dashboard
from metrics.engine.windows import clamp
from metrics.ingest.batches import undo_latest
from metrics.ingest.importer import import_files
from tests.conftest import insert, make_config
from tests.test_config import variant

AS_OF = dt.date(2025, 12, 31)
WINDOW = clamp("y", "2025年", dt.date(2025, 1, 1), dt.date(2025, 12, 31), AS_OF)
HEADER = "案号,执行法院,案件类型,立案日期,结案日期,结案方式,申请执行标的金额(元),执行到位金额(元)\n"


@pytest.fixture
def store(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'court.db'}")
    ensure_schema(engine)
    yield engine
    analytics.drop_copies()
    engine.dispose()


def board(store, tmp_path, mode="duckdb") -> Dashboard:
    return Dashboard(store, replace(make_config(), analytics=mode, analytics_cache=tmp_path / "cache"))


def cases_csv(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name / "执行案件.csv"
    path.parent.mkdir()
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def filed(b: Dashboard) -> int:
    return b.window_results([WINDOW])[0]["filed_count"].value


def test_copy_sees_every_import(store, tmp_path):
    b = board(store, tmp_path)
    first = cases_csv(tmp_path, "a", ["(2025)鄂0505执1号,测试法院,首次执行,2025-03-01,,,0,0"])
    import_files(store, [first], "测试法院")
    assert filed(b) == 1
    copy = analytics.analytics_copy(store)
    assert copy.version == data_version(store)
    assert Path(copy.path).parent == tmp_path / "cache"
    second = cases_csv(tmp_path, "b", ["(2025)鄂0505执2号,测试法院,首次执行,2025-04-01,2025-05-01,执行完毕,100,100",
                                       "(2025)鄂0505执3号,测试法院,首次执行,2025-05-01,,,0,0"])
    import_files(store, [second], "测试法院")
    r = b.window_results([WINDOW])[0]
    assert (r["filed_count"].value, r["closed_count"].value, r["completion_rate"].value) == (3, 1, 1.0)
    fresh = analytics.analytics_copy(store)
    assert fresh is not copy and not Path(copy.path).exists()  # the old copy is dropped
    undo_latest(store)  # an undo bumps the version too: the copy follows it back
    r = b.window_results([WINDOW])[0]
    assert (r["filed_count"].value, r["closed_count"].value) == (1, 0)


def test_copy_sees_another_process_writing(store, tmp_path):
    b = board(store, tmp_path)
    insert(store, "cases", [dict(case_no="a", filing_date="2025-02-01")])
    assert filed(b) == 1
    other = create_engine(store.url)  # another writer: its own engine and connection
    with other.begin() as conn:
        conn.execute(text("INSERT INTO cases (case_no, court, case_type, filing_date, applied_amount, "
                          "recovered_amount, suspended_days) "
                          "VALUES ('b', '测试法院', '首次执行', '2025-06-01', 0, 0, 0)"))
        bump_data_version(conn)
    other.dispose()
    assert filed(b) == 2


def test_one_copy_shared_by_all_sessions(store, tmp_path, monkeypatch):
    insert(store, "cases", [dict(case_no=f"c{i}", filing_date="2025-03-01") for i in range(5)])
    builds = []
    real = analytics._build
    monkeypatch.setattr(analytics, "_build", lambda *a: builds.append(1) or real(*a))
    sessions = [board(store, tmp_path) for _ in range(4)]  # one Dashboard per browser session
    results = [None] * len(sessions)

    def run(i):
        results[i] = filed(sessions[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [5] * 4 and len(builds) == 1


def test_auto_uses_duckdb_only_above_the_threshold(store, tmp_path, monkeypatch):
    insert(store, "cases", [dict(case_no=f"c{i}", filing_date="2025-03-01") for i in range(3)])
    assert analytics.mode_for(store, "auto") == "database"
    assert analytics.compute_engine(store, "auto") is store
    monkeypatch.setattr(analytics, "AUTO_THRESHOLD", 2)
    assert analytics.mode_for(store, "auto") == "duckdb"
    assert analytics.compute_engine(store, "auto", tmp_path / "cache").dialect.name == "duckdb"
    assert filed(board(store, tmp_path, "auto")) == 3
    assert analytics.mode_for(store, "database") == "database"


def test_a_duckdb_store_is_computed_in_place(tmp_path):
    engine = create_engine(f"duckdb:///{tmp_path / 'court.duckdb'}")
    ensure_schema(engine)
    csv = cases_csv(tmp_path, "a", ["(2025)鄂0505执1号,测试法院,首次执行,2025-03-01,,,0,0"])
    import_files(engine, [csv], "测试法院")
    assert analytics.compute_engine(engine, "duckdb") is engine
    assert filed(board(engine, tmp_path)) == 1
    engine.dispose()


@pytest.mark.parametrize("value, key", [
    ("fast", "analytics"),
    ({"engine": "spark"}, "analytics.engine"),
    ({"engine": "duckdb", "folder": "x"}, "analytics.folder"),
    ({"cache": 5}, "analytics.cache"),
])
def test_bad_analytics_setting_is_named(tmp_path, value, key):
    path = variant(tmp_path, lambda raw: raw.__setitem__("analytics", value))
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key == key and "配置错误" in str(err.value)


def test_analytics_setting_forms_and_environment(tmp_path):
    assert load_config(env={}).analytics == "auto"
    path = variant(tmp_path, lambda raw: raw.__setitem__("analytics", "duckdb"))
    assert load_config(path, env={}).analytics == "duckdb"
    path = variant(tmp_path, lambda raw: raw.__setitem__("analytics", {"engine": "database", "cache": "/tmp/x"}))
    config = load_config(path, env={})
    assert (config.analytics, config.analytics_cache) == ("database", Path("/tmp/x"))
    assert load_config(path, env={"DASHBOARD_ANALYTICS": "duckdb"}).analytics == "duckdb"
    with pytest.raises(ConfigError) as err:
        load_config(path, env={"DASHBOARD_ANALYTICS": "x"})
    assert "DASHBOARD_ANALYTICS" in err.value.key


def test_columns_empty_in_the_first_batch_are_copied_through_arrow(store, tmp_path, monkeypatch):
    """A column NULL in every row of the first Arrow batch, then filled (最近查控日期 of old cases), is copied
    through the Arrow stream like any other: the driver never guesses its type from NULLs (it used to call it an
    integer and fail on the first date), and the copy holds the same values as the store."""
    monkeypatch.setattr(analytics, "BATCH_ROWS", 100)  # small batches: 150 NULLs span the first one and a half

    def no_python_path(*args, **kwargs):
        raise AssertionError("the copy fell back to reading rows through Python")

    monkeypatch.setattr(analytics, "_insert", no_python_path)
    rows = [{"case_no": f"c{i}", "filing_date": "2025-01-02", "applied_amount": 1000 + i,
             "closing_date": None if i < 150 else "2025-06-30", "closing_method": None if i < 150 else "执行完毕",
             "last_check_date": None if i < 150 else "2025-07-01", "tags": None if i < 180 else "涉企",
             "recovered_amount": 0 if i < 150 else 12.5, "partner_court": None if i < 200 else "某法院"}
            for i in range(250)]
    insert(store, "cases", rows)
    copy = analytics.analytics_copy(store, tmp_path / "cache")
    probe = text("SELECT COUNT(*), COUNT(last_check_date), MIN(last_check_date), COUNT(closing_date), "
                 "SUM(applied_amount), SUM(recovered_amount), COUNT(tags), COUNT(partner_court) FROM cases")
    with copy.engine.connect() as conn:
        copied = tuple(conn.execute(probe).one())
    assert copied[:3] == (250, 100, dt.date(2025, 7, 1))
    assert copied[3:] == (100, sum(1000 + i for i in range(250)), 1250, 70, 50)


def test_a_table_the_arrow_path_fails_on_is_read_through_python(store, tmp_path, monkeypatch):
    """An INSERT that fails inside DuckDB midway (its transaction aborted) leaves nothing behind: the table is read
    again through Python and the copy holds each row once."""
    original = analytics._insert_arrow

    def fail_on_cases(raw, name, *args):
        if name == "cases":
            raw.execute("INSERT INTO cases (case_no) VALUES ('half-written')")
            raw.execute("SELECT CAST('not a date' AS DATE)")  # fails: DuckDB aborts the transaction
        return original(raw, name, *args)

    through_python = []
    python_insert = analytics._insert
    monkeypatch.setattr(analytics, "_insert_arrow", fail_on_cases)
    monkeypatch.setattr(analytics, "_insert", lambda raw, name, *args: (through_python.append(name),
                                                                          python_insert(raw, name, *args)))
    insert(store, "cases", [{"case_no": f"c{i}", "filing_date": "2025-01-02"} for i in range(5)])
    copy = analytics.analytics_copy(store, tmp_path / "cache")
    assert through_python == ["cases"]  # the other tables still came through Arrow
    with copy.engine.connect() as conn:
        assert sorted(r[0] for r in conn.execute(text("SELECT case_no FROM cases"))) == [f"c{i}" for i in range(5)]


@pytest.mark.parametrize("options, expected", [(None, "off"), ("-c jit=on", "on")])
def test_postgresql_connections_run_without_jit_unless_the_url_says(options, expected):
    """The dashboard's short aggregates lose more to JIT compilation than they gain; a URL's own options win."""
    from sqlalchemy import make_url

    from metrics.engine import db

    urls = [u for u in os.environ.get("TEST_DATABASE_URLS", "").split() if u.startswith("postgresql")]
    if not urls:
        pytest.skip("no PostgreSQL in TEST_DATABASE_URLS")
    url = make_url(urls[0])
    if options:
        url = url.update_query_dict({"options": options})
    raw = url.render_as_string(hide_password=False)
    try:
        with db.get_engine(raw).connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == expected
    finally:
        db._ENGINES.pop(raw).dispose()
