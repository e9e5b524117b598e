"""Browser test of issue 10: the login form in Chromium, then hostile values from the data, the config and the URL
on the pages a leader opens — no dialog, no injected element, no request to the attacker's address (D4, D5, D17).

Screenshots: artifacts/screenshots/access_*.png.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine

from metrics.engine.schema import metadata
from tests.access_fixtures import EVIL_HANDLER, EVIL_TEAM, MDLINK, PASSWORD, XSS, seed, write_config
from tests.test_browser import CHROMIUM, SHOTS, SIZES, browser  # noqa: F401
from tests.test_browser import start_streamlit as _start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh server (a free port, or BROWSER_TEST_PORT) on the hostile database."""
    folder = tmp_path_factory.mktemp("access")
    engine = create_engine(f"sqlite:///{folder / 'court.db'}")
    metadata.create_all(engine)
    seed(engine)
    config = write_config(folder, engine)
    engine.dispose()
    yield from _start({"DASHBOARD_CONFIG": str(config), "DATABASE_URL": ""})


def settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
    page.wait_for_timeout(1500)


def signed_in_page(browser, url: str, width: int, height: int, events: dict):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: events["canary"].append(r.url) if "127.0.0.1:9/" in r.url else None)
    page.goto(url)
    page.get_by_label("用户名").wait_for(timeout=90_000)
    page.get_by_label("用户名").fill("leader1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("密码").wait_for(state="detached", timeout=90_000)
    settle(page)
    return page


def test_login_form_and_no_injection_in_the_browser(server, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server + "/cases?ind=filed_count&win=p1")
        page.get_by_label("密码").wait_for(timeout=90_000)
        settle(page)
        body = page.inner_text("body")
        assert "用户名" in body and "密码" in body and "c1" not in body
        page.screenshot(path=str(SHOTS / f"access_login_{width}.png"))
        page.close()
    hostile = [
        "/?" + urlencode({"team": EVIL_TEAM, "handler": EVIL_HANDLER, "tag": MDLINK, "court": XSS}),
        "/cases?" + urlencode({"ind": "filed_count", "win": MDLINK, "team": EVIL_TEAM}),
        "/cases?" + urlencode({"ind": "filed_count", "win": "![x](http://127.0.0.1:9/a.png)"}),
        "/cases?ind=filed_count&win=p1",
        "/teams?" + urlencode({"team": EVIL_TEAM}),
        "/cross",
        "/export?" + urlencode({"team": EVIL_TEAM}),
    ]
    for n, route in enumerate(hostile):
        events = {"dialogs": [], "canary": []}
        width, height = SIZES[n % 2]
        page = signed_in_page(browser, server + route, width, height, events)
        try:
            assert page.locator('[data-testid="stException"]').count() == 0, route
            assert "登录" not in page.locator("h1").all_inner_texts(), route  # signed in, not the form again
            assert page.locator('img[src="x"]').count() == 0, route
            assert page.locator('[onerror]').count() == 0, route
            assert page.locator('a[href*="127.0.0.1:9"]').count() == 0, route
            assert events["dialogs"] == [] and events["canary"] == [], (route, events)
            if n < 3:
                page.screenshot(path=str(SHOTS / f"access_hostile_{n}_{width}.png"), full_page=True)
        finally:
            page.close()
