"""Browser test of issue 10: the login form in Chromium, then hostile values from the data, the config and the URL
on the pages a leader opens — no dialog, no injected element, no request to the attacker's address (D4, D5, D17).

Screenshots: artifacts/screenshots/access_*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, select

from metrics.access.roles import may, page_right
from metrics.engine.schema import audit_log, metadata
from tests.access_fixtures import EVIL_HANDLER, EVIL_TEAM, MDLINK, PASSWORD, XSS, seed, write_config
from tests.test_browser import CHROMIUM, SHOTS, SIZES, browser, settle  # noqa: F401
from tests.test_browser import start_streamlit as _start
from ui.frame import PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def court_url(tmp_path_factory):
    """The hostile database (SQLite) and its config, auth.mode: password with one user of every role."""
    folder = tmp_path_factory.mktemp("access")
    url = f"sqlite:///{folder / 'court.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    seed(engine)
    config = write_config(folder, engine)
    engine.dispose()
    return url, config


@pytest.fixture(scope="module")
def server(court_url):
    """A fresh server (a free port, or BROWSER_TEST_PORT) on the hostile database."""
    yield from _start({"DASHBOARD_CONFIG": str(court_url[1]), "DATABASE_URL": ""})


def signed_in_page(browser, url: str, width: int, height: int, events: dict,  # noqa: F811
                   username: str = "leader1", **context):
    page = browser.new_page(viewport={"width": width, "height": height}, **context)
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: events["canary"].append(r.url) if "127.0.0.1:9/" in r.url else None)
    sign_in(page, url, username)
    return page


def sign_in(page, url: str, username: str = "leader1") -> None:
    """Open url (the login form comes first) and sign in there."""
    page.goto(url)
    page.get_by_label("用户名", exact=True).wait_for(timeout=90_000)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("密码", exact=True).wait_for(state="detached", timeout=90_000)
    settle(page)


def test_login_form_and_no_injection_in_the_browser(server, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server + "/cases?ind=filed_count&win=p1")
        page.get_by_label("密码", exact=True).wait_for(timeout=90_000)
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
    # One window per size, signed in on the form of its first hostile address; the later addresses are typed into
    # the same window (a new load, signed in by the session cookie).
    pages = {}
    events = {"dialogs": [], "canary": []}  # what the listeners saw on the current address
    try:
        for n, route in enumerate(hostile):
            for seen in events.values():
                seen.clear()
            width, height = SIZES[n % 2]
            page = pages.get(width)
            if page is None:
                page = pages[width] = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
                page.on("request", lambda r: events["canary"].append(r.url) if "127.0.0.1:9/" in r.url else None)
                sign_in(page, server + route)
            else:
                page.goto(server + route)
                _wait_for(lambda page=page: _signed_in(page), page, f"not signed in on {route}")
                settle(page)
            assert page.locator('[data-testid="stException"]').count() == 0, route
            assert "登录" not in page.locator("h1").all_inner_texts(), route  # signed in, not the form again
            assert page.locator('img[src="x"]').count() == 0, route
            assert page.locator('[onerror]').count() == 0, route
            assert page.locator('a[href*="127.0.0.1:9"]').count() == 0, route
            assert events["dialogs"] == [] and events["canary"] == [], (route, events)
            if n < 3:
                page.screenshot(path=str(SHOTS / f"access_hostile_{n}_{width}.png"), full_page=True)
    finally:
        for page in pages.values():
            page.context.close()


def audit_rows(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.username, r.action, r.target, r.row_count)
                    for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    finally:
        engine.dispose()


def test_a_clicked_download_is_in_the_audit_log(server, browser, court_url):  # noqa: F811
    """A signed-in user clicks CSV under a case list in Chromium: the file arrives, masked, and the audit log has
    the export with its file name and row count (the click, not a wrapper called by the test)."""
    events = {"dialogs": [], "canary": []}
    page = signed_in_page(browser, server + "/cases?ind=filed_count&win=p1", 1920, 1080, events,
                          accept_downloads=True)
    try:
        before = [r for r in audit_rows(court_url[0]) if r[1] == "export"]
        button = page.get_by_role("button", name="CSV").first
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=90_000) as info:
            button.click()
        download = info.value
        content = Path(download.path()).read_bytes().decode("utf-8-sig")
        assert download.suggested_filename.startswith("案件明细_") and download.suggested_filename.endswith(".csv")
        assert "c1" in content and "张**" in content and "张伟明" not in content
        for _ in range(50):  # the row is written by the server when it serves the file
            after = [r for r in audit_rows(court_url[0]) if r[1] == "export"]
            if len(after) > len(before):
                break
            page.wait_for_timeout(200)
        assert [(u, a, n) for u, a, _, n in after[len(before):]] == [("leader1", "export", 3)]
        # the phase name of this config holds <img …>, which the browser turns into _ in the saved file's name
        target = after[-1][2]
        assert re.sub(r"[<>]", "_", target) == download.suggested_filename, (target, download.suggested_filename)
    finally:
        page.close()


def grid_text(page) -> str:
    """The cells of the first table: the grid draws on a canvas and keeps the cells in view in an accessibility
    table; scroll it to the right in steps so every column has been in view."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    texts = [grid.text_content()]
    for _ in range(6):
        page.evaluate("""() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                                 if (s) s.scrollLeft += s.clientWidth * 0.8; }""")
        page.wait_for_timeout(400)
        texts.append(grid.text_content())
    return " ".join(texts)


ROLE_USERS = {"leader": "leader1", "bureau": "bureau1", "team": "team1", "clerk": "clerk1", "admin": "admin1"}


def route_of(path: str) -> str:
    return "/" if path == "app.py" else "/" + Path(path).stem


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_role_on_every_page(server, browser, role):  # noqa: F811
    """Each role signs in and opens every page by its address: the pages of its rights render without an exception
    and without 无权限; every other page says 无权限 and shows no table or chart. Lists show debtor names masked.
    Screenshots of the team lead's pages: artifacts/screenshots/access_role_team_*.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    username = ROLE_USERS[role]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    events = {"dialogs": [], "canary": []}
    # Signed in once; every page is then typed into the address bar (a new load, signed in from the session cookie).
    page = _login_in(context, server + "/", username)
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    try:
        for path, label in PAGES:
            route = route_of(path) + ("?ind=filed_count&win=p1" if path == "pages/cases.py" else "")
            page.goto(server + route)
            _wait_for(lambda: _signed_in(page), page, f"{role} not signed in on {label}")
            settle(page)
            body = page.inner_text("body")
            assert page.locator('[data-testid="stException"]').count() == 0, (role, label)
            assert "登录" not in page.locator("h1").all_inner_texts(), (role, label)
            if may(role, page_right(path)):
                assert "无权限" not in body, (role, label, body[:300])
            else:
                assert "无权限" in body, (role, label, body[:300])
                assert page.locator('[data-testid="stDataFrame"]').count() == 0, (role, label)
                assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0, (role, label)
                assert page.locator('[data-testid="stDownloadButton"]').count() == 0, (role, label)
            if path == "pages/cases.py" and may(role, "cases"):
                grid = grid_text(page)
                assert "张伟明" not in body + grid and "宜昌某某建材" not in body + grid, role
                assert "张**" in grid, (role, grid[-300:])
            if role == "team":
                page.screenshot(path=str(SHOTS / f"access_role_team_{Path(path).stem}.png"))
            assert events["dialogs"] == [], (role, label, events)
    finally:
        context.close()


def _session_cookies(context) -> list[dict]:
    return [c for c in context.cookies() if c["name"] == "xt_session"]


def _wait_for(predicate, page, what: str, tries: int = 150) -> None:
    for _ in range(tries):
        if predicate():
            return
        page.wait_for_timeout(200)
    raise AssertionError(what)


def _signed_in(page) -> bool:
    return (page.get_by_label("密码", exact=True).count() == 0
            and "登录" not in page.locator("h1").all_inner_texts()
            and "当前用户" in page.locator('[data-testid="stSidebar"]').inner_text())


def _login_in(context, url: str, username: str):
    """A new window of context, signed in on the form at url, with the session cookie set."""
    page = context.new_page()
    sign_in(page, url, username)
    _wait_for(lambda: _session_cookies(context), page, "no session cookie after the login")
    return page


def test_a_password_sign_in_survives_a_reload(server, browser, court_url):  # noqa: F811
    """Log in, reload, type another address, open a new tab: still signed in (the session cookie, HttpOnly and
    SameSite=Strict); 退出登录 deletes it and a reload shows the login form; a disabled user's cookie is dead."""
    from metrics.access import users as accounts

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = _login_in(context, server + "/cases?ind=filed_count&win=p1", "leader1")
        assert page.url == server + "/cases?ind=filed_count&win=p1"  # back where the login was
        assert _signed_in(page)
        [cookie] = _session_cookies(context)
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["secure"] is False  # plain http on 127.0.0.1; https sets Secure (tests/test_sessions.py)
        assert len(cookie["value"]) >= 43 and cookie["expires"] > 0
        assert page.evaluate("document.cookie").find("xt_session") == -1  # not readable by scripts
        page.reload()
        settle(page)
        assert _signed_in(page), page.inner_text("body")[:300]
        page.goto(server + "/teams")  # a typed address
        settle(page)
        assert _signed_in(page) and "无权限" not in page.inner_text("body")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "access_reload_signed_in.png"))
        tab = context.new_page()
        tab.goto(server + "/")
        settle(tab)
        assert _signed_in(tab)
        tab.close()
        page.get_by_role("button", name="退出登录").click()
        _wait_for(lambda: not _session_cookies(context), page, "the cookie was not deleted on logout")
        settle(page)
        assert page.get_by_label("密码", exact=True).count() == 1
        page.reload()
        page.get_by_label("密码", exact=True).wait_for(timeout=90_000)
        settle(page)
        assert page.get_by_label("密码", exact=True).count() == 1
        page.screenshot(path=str(SHOTS / "access_reload_after_logout.png"))
    finally:
        context.close()
    # a disabled user's cookie no longer signs in, even replayed into a fresh browser
    engine = create_engine(court_url[0])
    try:
        accounts.add_user(engine, "reload1", "clerk", password=PASSWORD)
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        page = _login_in(context, server + "/", "reload1")
        [cookie] = _session_cookies(context)
        page.reload()
        settle(page)
        assert _signed_in(page)
        accounts.set_active(engine, "reload1", False)
        page.reload()
        page.get_by_label("密码", exact=True).wait_for(timeout=90_000)
        context.close()
        context = browser.new_context()
        context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
        page = context.new_page()
        page.goto(server + "/")
        page.get_by_label("密码", exact=True).wait_for(timeout=90_000)
        settle(page)
        assert page.get_by_label("密码", exact=True).count() == 1
        context.close()
        logins = [(u, a) for u, a, _, _ in audit_rows(court_url[0]) if u in ("leader1", "reload1")]
        assert ("reload1", "login") in logins and ("leader1", "logout") in logins
    finally:
        engine.dispose()
