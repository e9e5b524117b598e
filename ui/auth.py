"""Login, roles and the audit trail on the Streamlit side (the rules themselves live in metrics.access).

`gate()` runs in the shared frame before any page content: it shows the login form (auth.mode: password), the
identity provider's sign-in (oidc) or nothing (none), signs out after the configured idle time, and stops a page
the user's role may not open with 无权限. It returns the Access every query of the page runs under.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from metrics.access import audit
from metrics.access.roles import PERMISSIONS, RIGHTS, ROLES, page_right
from metrics.access.scope import UNRESTRICTED, Scope
from metrics.config import Config
from ui.safe import esc, md

USER = "_auth_user"  # the signed-in user: {username, display_name, role, court, team}; set only by this module
SEEN = "_auth_seen"  # time.time() of the user's last page run
LOGGED = "_auth_logged"  # audit keys already written in this session (a rerun does not write the row again)
SID = "_auth_sid"  # hash of the session id in the browser's cookie (metrics.access.sessions), password mode
CHECKED = "_auth_checked"  # time.time() the session was last checked in the database
GO = "_auth_go"  # (route, nonce) the browser is to be sent to on the next run: sets / deletes the session cookie
CHECK_SECONDS = 60  # a signed-in page rechecks its session (revoked? disabled?) at most this often
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")

# Rights of everyone when there is no login (auth.mode: none, only on the sample database or 127.0.0.1): today's
# behaviour, everything; 用户管理 lets the operator create the accounts before switching to auth.mode: password.
NO_LOGIN_RIGHTS = frozenset(RIGHTS)


@dataclass(frozen=True)
class Access:
    username: str | None  # None: no login (auth.mode: none)
    display_name: str
    role: str | None
    rights: frozenset[str]
    scope: Scope

    def may(self, right: str) -> bool:
        return right in self.rights

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role or "", "未登录")


def server_is_local() -> bool:
    return (st.get_option("server.address") or "") in LOCAL_ADDRESSES


def current() -> Access | None:
    return st.session_state.get("_auth_access")


def _access_for(user: dict, config: Config) -> Access:
    from metrics.access.roles import scope_for

    return Access(user["username"], user["display_name"], user["role"], PERMISSIONS.get(user["role"], frozenset()),
                  scope_for(user["role"], user["court"], user["team"],
                            bureau_unmasked=config.auth.bureau_unmasked))


def gate(config: Config, engine: Engine, sample: bool) -> Access:
    """Sign-in; stops the script (login form, refusal) while nobody may see the page."""
    mode = config.auth.mode
    if mode == "none":
        if not sample and not server_is_local():
            st.error("**未启用登录，拒绝服务。** 本看板连接的是真实案件数据库，却没有开启登录（config.yaml 中 "
                     "auth.mode: none），而服务器对外网开放。请设置 auth.mode: password（或 oidc）并添加用户，"
                     "或只在本机以 --server.address 127.0.0.1 启动。")
            st.stop()
        access = Access(None, "未登录", None, NO_LOGIN_RIGHTS, UNRESTRICTED)
        if not sample:
            st.html("<div class='no-login-banner' style='background:#B71C1C;color:#fff;font-weight:700;"
                    "padding:.5rem 1rem;border-radius:4px;margin-bottom:.5rem'>未启用登录：任何能访问本机的人都能"
                    "看到全部案件数据。正式使用请在 config.yaml 设置 auth.mode: password。</div>")
    elif mode == "password":
        access = _password_user(config, engine)
    else:
        access = _oidc_user(config, engine)
    st.session_state["_auth_access"] = access
    return access


def require(engine: Engine, access: Access, page_path: str) -> None:
    """The page's right (metrics.access.roles.PAGE_RIGHTS), or 无权限 and the page stops."""
    right = page_right(page_path)
    if page_path == "pages/cases.py" and "dq" in st.query_params and access.may("data"):
        right = "data"  # 数据管理 → 数据质量 → 查看案件: the whole database's rows behind a data check
    if not access.may(right):
        deny(engine, access, page_path, f"当前账户（{access.role_name}）不能{RIGHTS[right]}")


def deny(engine: Engine, access: Access, what: str, reason: str) -> None:
    """无权限, audited, and the page stops: no data, no traceback."""
    _audit_once(engine, access, "denied", what, None, reason=reason)
    st.error(f"**无权限**：{md(reason)}。如需此权限，请联系管理员。")
    st.stop()


def _password_user(config: Config, engine: Engine) -> Access:
    from metrics.access import sessions

    user = st.session_state.get(USER)
    now = time.time()
    if user is not None:
        idle = now - st.session_state.get(SEEN, now)
        if idle > config.auth.idle_hours * 3600:
            audit.record(engine, user["username"], "timeout", idle_minutes=round(idle / 60))
            _end_session(engine)
            _clear()
            st.session_state["_auth_notice"] = f"超过 {config.auth.idle_hours:g} 小时未操作，已自动退出，请重新登录。"
            user = None
        elif SID in st.session_state and now - st.session_state.get(CHECKED, 0) > CHECK_SECONDS:
            # the session may have been revoked meanwhile (user disabled, new password, logout in another tab)
            if sessions.check(engine, st.session_state[SID], config.auth.idle_hours) != user["username"]:
                _clear()
                st.session_state["_auth_notice"] = ("登录已失效（账户被停用、密码已修改或已在其他窗口退出），"
                                                    "请重新登录。")
                user = None
            else:
                st.session_state[CHECKED] = now
    if user is None:
        user = _cookie_user(config, engine)
    if user is None:
        _send_browser()
        _login_form(config, engine)
        st.stop()
    st.session_state[SEEN] = now
    _send_browser()
    return _access_for(user, config)


def _cookie_user(config: Config, engine: Engine) -> dict | None:
    """A reload, a typed address, a new tab: the session cookie set after the password login signs in again while
    the session is valid (metrics.access.sessions.lookup: user enabled, not locked, not idle too long)."""
    from metrics.access import sessions
    from metrics.access.users import get_user
    from ui.session_routes import COOKIE

    try:
        raw = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection
        raw = None
    if not isinstance(raw, str) or not raw:  # AppTest has no real cookies
        return None
    username = sessions.lookup(engine, raw, config.auth.idle_hours)
    u = get_user(engine, username) if username else None
    if u is None:
        return None
    user = _signed_in(u)
    st.session_state[SID] = sessions.hash_id(raw)
    st.session_state[CHECKED] = time.time()
    audit.record(engine, u.username, "login", via="session_cookie")
    return user


def _signed_in(u) -> dict:
    user = {"username": u.username, "display_name": u.display_name, "role": u.role, "court": u.court,
            "team": u.team}
    st.session_state[USER] = user
    st.session_state[SEEN] = time.time()
    st.session_state.pop(LOGGED, None)
    return user


def _send_browser() -> None:
    """Send the browser, once, to the route that sets or deletes the session cookie (ui/session_routes.py), and from
    there back to the page it is on. The script holds only a random one-time nonce (letters, digits, - and _)."""
    go = st.session_state.pop(GO, None)
    if not go:
        return
    route, nonce = go
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    st.html(f"<script>window.location.replace({prefix + route!r} + '?n={nonce}&next=' + "
            "encodeURIComponent(window.location.pathname + window.location.search));</script>",
            unsafe_allow_javascript=True)


def _end_session(engine: Engine) -> None:
    """The server-side session is deleted and the browser is sent to delete its cookie."""
    from metrics.access import sessions
    from ui.session_routes import LOGOUT

    sid = st.session_state.get(SID)
    if sid:
        sessions.revoke(engine, sid)
        st.session_state[GO] = ("/_auth/end", sessions.issue_nonce(LOGOUT, "-"))


def _login_form(config: Config, engine: Engine) -> None:
    from metrics.access.users import authenticate

    st.html(f"<div class='page-head'><div class='page-court'>{esc(config.court_name)}</div>"
            "<h1 class='page-title'>登录</h1></div>")
    notice = st.session_state.pop("_auth_notice", None)
    if notice:
        st.info(notice)
    with st.form("login", enter_to_submit=True):
        username = st.text_input("用户名", key="login_username", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        result = authenticate(engine, username, password)
        if result.ok:
            from metrics.access import sessions
            from ui.session_routes import LOGIN, login_payload

            _signed_in(result.user)
            sessions.purge(engine, config.auth.idle_hours)  # the idle ones, so the table does not grow
            raw = sessions.create(engine, result.user.username)
            st.session_state[SID] = sessions.hash_id(raw)
            st.session_state[CHECKED] = time.time()
            st.session_state[GO] = ("/_auth/session",
                                    sessions.issue_nonce(LOGIN, login_payload(raw, config.auth.idle_hours)))
            st.rerun()
        st.error(result.message)


def _oidc_user(config: Config, engine: Engine) -> Access:
    from metrics.access.users import get_user

    if not st.user.is_logged_in:
        st.html(f"<div class='page-head'><div class='page-court'>{esc(config.court_name)}</div>"
                "<h1 class='page-title'>登录</h1></div>")
        if st.button("使用统一身份认证登录", type="primary"):
            st.login(config.auth.provider) if config.auth.provider else st.login()
        st.stop()
    name = str(st.user.get("preferred_username") or st.user.get("email") or st.user.get("sub") or "")
    user = get_user(engine, name) if name else None
    if user is None or not user.active:
        _audit_once(engine, Access(name, name, None, frozenset(), UNRESTRICTED), "login_failed", name, None,
                    reason="not registered or disabled")
        st.error(f"**无权限**：统一身份认证账户“{md(name)}”未在本看板登记或已停用，请联系管理员。")
        if st.button("退出登录"):
            st.logout()
        st.stop()
    session = {"username": user.username, "display_name": user.display_name, "role": user.role,
               "court": user.court, "team": user.team}
    if st.session_state.get(USER) != session:
        st.session_state[USER] = session
        audit.record(engine, user.username, "login", via="oidc")
    return _access_for(session, config)


def _clear() -> None:
    for key in (USER, SEEN, LOGGED, SID, CHECKED, "_auth_access", "login_password"):
        st.session_state.pop(key, None)


def sidebar(config: Config, engine: Engine, access: Access) -> None:
    """Who is signed in, and 退出登录."""
    if access.username is None:
        return
    st.sidebar.caption(f"当前用户：{md(access.display_name)}（{md(access.role_name)}）")
    if st.sidebar.button("退出登录", key="logout", icon=":material/logout:"):
        audit.record(engine, access.username, "logout")
        _end_session(engine)
        _clear()
        if config.auth.mode == "oidc":
            # st.logout sends the browser to Streamlit's /auth/logout (identity cookie deleted, then the provider's
            # end-session page); a rerun right after it could overtake that redirect, so the run just ends here.
            st.logout()
            st.stop()
        st.rerun()


def _audit_once(engine: Engine, access: Access, action: str, target: str | None, rows: int | None,
                **detail) -> None:
    key = repr((action, target, rows, sorted(detail.items())))
    logged = st.session_state.setdefault(LOGGED, set())
    if key in logged:
        return
    logged.add(key)
    audit.record(engine, access.username, action, target, rows, **detail)


def audit_list(engine: Engine, indicator: str, window: str, filters: str, rows: int) -> None:
    """A drill-through list was shown (once per session and list, not per rerun)."""
    access = current()
    if access is not None:
        _audit_once(engine, access, "drill", indicator, rows, window=window, filters=filters)


def audit_check_rows(engine: Engine, key: str, title: str, rows: int, total: int) -> None:
    """The rows behind a data-quality check were shown (数据管理 → 数据质量 → 查看案件, `/cases?dq=`): audited like a
    drill-through list, once per session and check. `rows` is what the table shows, `total` what the check found."""
    access = current()
    if access is not None:
        _audit_once(engine, access, "drill", f"dq:{key}", rows, check=title, total=total, window="全部数据")


def audited(engine: Engine, kind: str, file_name: str, rows: int | None, build: Callable[[], bytes]
            ) -> Callable[[], bytes]:
    """Wrap a download's data function so that every download writes an audit row (it runs on the click)."""
    access = current()
    username = access.username if access else None

    def run() -> bytes:
        data = build()
        audit.record(engine, username, "export", file_name, rows, kind=kind)
        return data

    return run


def restrict_clear_cache() -> None:
    """D11: Streamlit lets any websocket client send `clear_cache`, which empties the caches of every user, and has
    no option to turn that off. Only a signed-in user with the 数据管理 right may now do it; for anyone else
    (including an anonymous client that never passed the login form) the request is ignored.

    This wraps a private Streamlit method (AppSession._handle_clear_cache_request, Streamlit 1.67); if a later
    Streamlit renames it, nothing is wrapped and the old behaviour returns (tests/test_access_app.py notices).
    """
    try:
        from streamlit.runtime.app_session import AppSession
    except ImportError:  # pragma: no cover
        return
    original = getattr(AppSession, "_handle_clear_cache_request", None)
    if original is None or getattr(original, "_restricted", False):
        return

    def guarded(self) -> None:
        try:
            access = self._session_state["_auth_access"]
        except Exception:
            access = None
        if isinstance(access, Access) and access.username is not None and access.may("data"):
            original(self)

    guarded._restricted = True
    AppSession._handle_clear_cache_request = guarded
