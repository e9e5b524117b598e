"""Browser test of D1: a PostgreSQL database renamed away under a running server, then renamed back.

Needs the local PostgreSQL named in TEST_DATABASE_URLS (its database is only used to run CREATE/ALTER/DROP
DATABASE on a database of the test's own, <name>_lost). The server runs on a fresh copy of sample_data.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from metrics.config import ROOT
from metrics.engine.db import sample_files
from tests.conftest import EXTRA_URLS
from tests.test_browser import CHROMIUM, LAUNCH_ARGS, SHOTS, settle, start_streamlit

PG = next((u for u in EXTRA_URLS if u.startswith("postgresql")), None)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
    pytest.mark.skipif(PG is None, reason="no PostgreSQL URL in TEST_DATABASE_URLS"),
]
LOST = "数据库暂时无法连接"


@pytest.fixture(scope="module")
def pg_app():
    admin_url = make_url(PG)
    name = f"{admin_url.database}_lost"
    gone = f"{name}_gone"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def sql(*statements: str) -> None:
        with admin.connect() as conn:
            for s in statements:
                conn.execute(text(s))

    def restore() -> None:
        sql(f'ALTER DATABASE "{gone}" RENAME TO "{name}"', f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    def take_away() -> None:
        sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
            f'ALTER DATABASE "{name}" RENAME TO "{gone}"')

    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP DATABASE IF EXISTS "{gone}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "metrics", "import", "--db", url, *map(str, sample_files())],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    server = start_streamlit({"DATABASE_URL": url})
    base = next(server)
    try:
        yield base, take_away, restore, (name, str(admin_url.host), str(admin_url.port), admin_url.username)
    finally:
        next(server, None)  # stops the server
        sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP DATABASE IF EXISTS "{gone}" WITH (FORCE)')
        admin.dispose()


def load(browser, url: str, shot: str | None = None, size: tuple[int, int] = (1920, 1080)) -> tuple[str, int]:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(url)
        settle(page, 700, timeout=120_000)
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{shot}_{size[0]}.png"))
        return page.inner_text("body"), page.locator('[data-testid="stException"]').count()
    finally:
        page.close()


def test_lost_database_gives_a_message_then_recovers(pg_app):
    from playwright.sync_api import sync_playwright

    base, take_away, restore, secrets = pg_app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            body, exceptions = load(browser, base + "/glossary")
            assert exceptions == 0 and "指标口径" in body and LOST not in body
            take_away()
            try:
                for route in ("/glossary?asof=2026-02-16", "/?asof=2026-02-17", "/cases?ind=recovery_rate"):
                    body, exceptions = load(browser, base + route, shot="db_lost" if route[1] == "?" else None)
                    assert exceptions == 0 and "Traceback" not in body, route
                    assert LOST in body and "此前计算并缓存" not in body, route  # not both notices
                    for secret in secrets:  # database name, host, port, user
                        assert secret not in body, (route, secret)
                load(browser, base + "/?asof=2026-02-17", shot="db_lost", size=(1024, 768))
                body, exceptions = load(browser, base + "/glossary", shot="db_lost_cached")  # computed before
                assert exceptions == 0 and LOST in body and "口径" in body
            finally:
                restore()
            body, exceptions = load(browser, base + "/glossary?asof=2026-02-16")
            assert exceptions == 0 and LOST not in body and "指标口径" in body
            body, exceptions = load(browser, base + "/?asof=2026-02-17")
            assert exceptions == 0 and LOST not in body and "统计日 2026-02-17" in body
        finally:
            browser.close()
