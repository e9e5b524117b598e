"""Fixtures: a fresh, empty case database on SQLite and on every URL in TEST_DATABASE_URLS."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, make_url, text

from metrics.config import Config, Parameters, Phase, Target
from metrics.engine.db import bump_data_version
from metrics.engine.schema import TABLES, metadata

WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … when the suite runs on several workers (pytest -n)


def _admin(url):
    """An autocommit engine on the server of `url`, connected to its maintenance database."""
    maintenance = "postgres" if url.get_backend_name() == "postgresql" else None
    return create_engine(url.set(database=maintenance), isolation_level="AUTOCOMMIT")


def _recreate(url, name: str, create: bool = True) -> None:
    """Drop database `name` on the server of `url`; then, with create, make it afresh with the character set of
    the database `url` names (MariaDB)."""
    admin = _admin(url)
    quoted = admin.dialect.identifier_preparer.quote(name)
    postgres = url.get_backend_name() == "postgresql"
    try:
        with admin.connect() as conn:
            options = ""
            if create and not postgres:
                charset, collation = conn.execute(text(
                    "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata "
                    "WHERE schema_name = :db"), {"db": url.database}).one()
                options = f" CHARACTER SET {charset} COLLATE {collation}"
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}{' WITH (FORCE)' if postgres else ''}"))
            if create:
                conn.execute(text(f"CREATE DATABASE {quoted}{options}"))
    finally:
        admin.dispose()


def _worker_database(raw: str) -> str:
    """A fresh database of this worker's own beside the named one (same server, same character set)."""
    url = make_url(raw)
    name = f"{url.database}_{WORKER}"
    _recreate(url, name)
    return url.set(database=name).render_as_string(hide_password=False)


EXTRA_URLS = os.environ.get("TEST_DATABASE_URLS", "").split()
if WORKER and EXTRA_URLS:
    # Workers must not share a database: each gets its own copy of every named one, dropped at the end.
    WORKER_URLS = [_worker_database(u) for u in EXTRA_URLS]
    EXTRA_URLS = WORKER_URLS
    os.environ["TEST_DATABASE_URLS"] = " ".join(EXTRA_URLS)
else:
    WORKER_URLS = []


def pytest_configure(config):
    # The app's embedded sample database (data/sample.db) is built on first use; build it once here, in the
    # controlling process, so parallel workers never race to build it.
    if hasattr(config, "workerinput"):
        return
    from metrics.config import load_config
    from metrics.engine.db import open_database

    with contextlib.suppress(Exception):  # the tests of a broken setup say what is wrong
        open_database(load_config()).dispose()


def pytest_sessionfinish(session, exitstatus):
    for raw in WORKER_URLS:
        url = make_url(raw)
        with contextlib.suppress(Exception):  # a database left behind must not fail a finished run
            _recreate(url, url.database, create=False)


# Besides SQLite and TEST_DATABASE_URLS, a module that sets ANALYTICS_BACKENDS = True runs its database tests on a
# DuckDB store ("duckdb") and on SQLite with `analytics: duckdb` ("analytics": computed on the DuckDB copy).
LOCAL_BACKENDS = ("sqlite", "duckdb", "analytics")


def _backend_id(url: str) -> str:
    return url if url in LOCAL_BACKENDS else url.split(":", 1)[0].split("+", 1)[0]


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        backends = ["sqlite", *EXTRA_URLS]
        if getattr(metafunc.module, "ANALYTICS_BACKENDS", False):
            backends += ["duckdb", "analytics"]
        metafunc.parametrize("engine", backends, ids=_backend_id, indirect=True)


@pytest.fixture
def engine(request, tmp_path, monkeypatch):
    from metrics.engine.analytics import drop_copies

    backend = request.param
    if backend in ("sqlite", "analytics"):
        url = f"sqlite:///{tmp_path / 'test.db'}"
    elif backend == "duckdb":
        url = f"duckdb:///{tmp_path / 'test.duckdb'}"
    else:
        url = backend
    monkeypatch.setenv("DASHBOARD_ANALYTICS", "duckdb" if backend == "analytics" else "database")
    eng = create_engine(url)
    metadata.drop_all(eng)
    metadata.create_all(eng)
    yield eng
    drop_copies()
    metadata.drop_all(eng)
    eng.dispose()


CASE_DEFAULTS = dict(court="测试法院", case_type="首次执行", closing_date=None, closing_method=None,
                     closing_reason=None, applied_amount=Decimal("0"), recovered_amount=Decimal("0"), team="一队",
                     handler="甲", basis_doc_no=None, tags=None, cross_role=None, cross_mode=None,
                     partner_court=None, suspended_days=0, zhongben_review=None, debtor_name="张三",
                     last_check_date=None)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def insert(engine, table: str, rows: list[dict]) -> None:
    """Insert hand-written rows; cases get neutral defaults so a test names only what matters to it."""
    spec = TABLES[table]
    full = []
    for r in rows:
        rec = dict(CASE_DEFAULTS) if table == "cases" else {f.name: None for f in spec.fields}
        if table == "measures":
            rec["persons"] = 1
        if table == "entrustments":
            rec["due_days"] = 30
        rec.update(r)
        for k, v in rec.items():
            if isinstance(v, str) and k.endswith("_date"):
                rec[k] = d(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and any(
                    f.name == k and f.kind == "money" for f in spec.fields):
                rec[k] = Decimal(str(v))
        full.append(rec)
    with engine.begin() as conn:
        conn.execute(spec.table.insert(), full)
        bump_data_version(conn)  # as every import does, so an analytics copy notices the new rows


def make_config(phases=None, **params) -> Config:
    phases = phases or (
        Phase("baseline", "基线期", d("2024-01-01"), d("2024-12-31"), True),
        Phase("p1", "一阶段", d("2025-03-01"), d("2025-03-31")),
    )
    return Config(court_name="测试法院", court_code="鄂0505", action_name="专项行动", database_url="sqlite://",
                  database_url_from_env=False, sample=False, phases=tuple(phases),
                  parameters=Parameters(**params), targets={"recovery_rate": Target("higher", 0.5)},
                  analytics=os.environ.get("DASHBOARD_ANALYTICS") or "database")
