"""`auth.mode: oidc` against a real OpenID Connect provider (issue 10): a local mock provider (the PyPI package
oidc-provider-mock, in a thread), Streamlit's own st.login/st.user with the provider in a secrets file, Chromium
going through the provider's sign-in form. The role comes from the `users` table by the identity's name; an identity
that is not registered gets 无权限; a reload keeps the sign-in (Streamlit's signed, HttpOnly identity cookie);
退出登录 ends it. Every step is in the audit log.

Screenshots: artifacts/screenshots/access_oidc_*.png.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from metrics.engine.schema import audit_log, metadata
from tests.access_fixtures import seed, write_config
from tests.test_browser import CHROMIUM, SHOTS, _free_port, browser, settle, start_streamlit  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def oidc(tmp_path_factory):
    """(app URL, database URL): the mock provider in a thread, streamlit with `auth.mode: oidc` and a secrets file
    naming the provider."""
    provider = pytest.importorskip("oidc_provider_mock")
    pytest.importorskip("authlib")  # st.login needs it
    folder = tmp_path_factory.mktemp("oidc")
    url = f"sqlite:///{folder / 'court.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    seed(engine)
    config = write_config(folder, engine, mode="oidc")
    engine.dispose()
    with provider.run_server_in_thread() as mock:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{base}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "dashboard"\n'
            f'client_secret = "{secrets.token_hex(16)}"\n'
            f'server_metadata_url = "http://127.0.0.1:{mock.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        server = start_streamlit({"DASHBOARD_CONFIG": str(config), "DATABASE_URL": ""}, port=port,
                                 args=("--secrets.files", str(secrets_file)))
        assert next(server) == base
        yield base, url
        next(server, None)  # stops the server


def audit_rows(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.username, r.action) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    finally:
        engine.dispose()


def sign_in_at_provider(page, base: str, sub: str, route: str = "/") -> None:
    page.goto(base + route)
    page.get_by_role("button", name="使用统一身份认证登录").click(timeout=90_000)
    page.locator('input[name="sub"]').wait_for(timeout=60_000)  # the provider's own form
    assert page.url.startswith("http://127.0.0.1:") and not page.url.startswith(base)
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(base + "/**", timeout=60_000)
    settle(page)


def test_sign_in_through_the_identity_provider(oidc, browser):  # noqa: F811
    base, url = oidc
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=90_000)
        settle(page)
        assert "data-indicator" not in page.content()  # nothing of the court before the sign-in
        page.screenshot(path=str(SHOTS / "access_oidc_login.png"))

        sign_in_at_provider(page, base, "leader1")
        body = page.inner_text("body")
        assert "当前用户：leader1显示名（院领导）" in body, body[:400]
        assert "无权限" not in body and page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SHOTS / "access_oidc_signed_in.png"))
        assert ("leader1", "login") in audit_rows(url)

        # the identity cookie (set by Streamlit, HttpOnly) survives a reload and a typed address
        cookies = {c["name"]: c for c in context.cookies()}
        assert "_streamlit_user" in cookies and cookies["_streamlit_user"]["httpOnly"]
        page.goto(base + "/cases?ind=filed_count&win=p1")
        settle(page)
        body = page.inner_text("body")
        assert "当前用户：leader1显示名（院领导）" in body and "无权限" not in body
        assert "张伟明" not in body
        page.goto(base + "/data")  # the role still decides: a leader has no 数据管理
        settle(page)
        assert "无权限" in page.inner_text("body")

        page.get_by_role("button", name="退出登录").click()
        # RP-initiated logout: the provider asks to end its own session too, then sends the browser back
        page.get_by_role("button", name="End session").click(timeout=60_000)
        page.wait_for_url(base + "/**", timeout=60_000)
        page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=90_000)
        assert "_streamlit_user" not in {c["name"] for c in context.cookies()}
        assert ("leader1", "logout") in audit_rows(url)
    finally:
        context.close()


def test_an_identity_not_registered_gets_no_access(oidc, browser):  # noqa: F811
    base, url = oidc
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        sign_in_at_provider(page, base, "stranger")
        body = page.inner_text("body")
        assert "无权限" in body and "未在本看板登记" in body
        assert "data-indicator" not in page.content() and page.locator('[data-testid="stSidebarNav"]').count() == 0
        page.screenshot(path=str(SHOTS / "access_oidc_stranger.png"))
        assert ("stranger", "login_failed") in audit_rows(url)
    finally:
        context.close()
