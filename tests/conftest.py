"""Fixtures: a fresh, empty case database on SQLite and on every URL in TEST_DATABASE_URLS."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from sqlalchemy import create_engine

from metrics.config import Config, Parameters, Phase, Target
from metrics.engine.db import bump_data_version
from metrics.engine.schema import TABLES, metadata

EXTRA_URLS = os.environ.get("TEST_DATABASE_URLS", "").split()


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
