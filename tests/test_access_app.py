"""AppTest per role (issue 10): the login form before any page, what each role sees and cannot reach (also by
editing the URL), idle timeout, audit rows written by the pages, escaping of hostile values (D4, D5, D17) and
masking on every page; on SQLite and every database in TEST_DATABASE_URLS."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from metrics.engine.schema import audit_log
from tests.access_fixtures import (
    EVIL_TEAM,
    MDLINK,
    XSS,
    all_text,
    html_bodies,
    login,
    markdown_bodies,
    open_page,
    seed,
    write_config,
)
from ui.frame import PAGES

DENIED = "无权限"


@pytest.fixture
def court(tmp_path, monkeypatch, engine):
    seed(engine)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(write_config(tmp_path, engine)))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def actions(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [(r.username, r.action, r.target, r.row_count)
                for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


def errors(at) -> str:
    return "\n".join(e.value for e in at.error)


def signed_in(username: str, page: str = "app.py", **query):
    at = open_page(page, **query)
    assert [t.label for t in at.text_input] == ["用户名", "密码"] and at.button[0].label == "登录"
    at = login(at, username)
    assert not at.exception, at.exception
    return at


def visit(at, page: str, **query):
    at.switch_page(page)
    for k in list(at.query_params):
        del at.query_params[k]
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", ["app.py", "pages/cases.py", "pages/audit.py", "pages/data.py"])
def test_login_form_comes_before_any_page(court, page):
    at = open_page(page, ind="closed_count", win="p1")
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"] and [b.label for b in at.button] == ["登录"]
    assert at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD
    assert not at.dataframe and "data-indicator" not in html_bodies(at) and "c1" not in all_text(at)


def test_wrong_password_and_lockout_on_the_form(court):
    at = open_page()
    for _ in range(5):
        at = login(at, "clerk1", "wrong-password")
    assert "锁定 15 分钟" in errors(at)
    at = login(at, "clerk1")  # the right password during the lock
    assert "已被锁定" in errors(at) and [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [a for _, a, _, _ in actions(court)].count("lockout") == 1


def test_team_lead_sees_court_aggregates_and_only_own_team_lists(court):
    at = signed_in("team1")
    assert DENIED not in errors(at) and "data-indicator" in html_bodies(at)
    labels = [link.proto.label for link in at.get("page_link")]
    assert "案件明细" in labels and "数据管理" not in labels and "审计日志" not in labels
    at = visit(at, "pages/cases.py", ind="filed_count", win="p1")
    assert [df.value["案号"].tolist() for df in at.dataframe] == [["c1"]]
    # editing the URL: another team in the filters gives nothing, not that team's cases
    at = visit(at, "pages/cases.py", ind="filed_count", win="p1", team="二队")
    assert all("c2" not in df.value.to_csv() for df in at.dataframe)
    # judgments have no team: refused, without data or traceback
    at = visit(at, "pages/cases.py", ind="voluntary_compliance_rate", win="p1")
    assert DENIED in errors(at) and not at.dataframe
    for page in ("pages/data.py", "pages/export.py", "pages/audit.py", "pages/users.py"):
        at = visit(at, page)
        assert DENIED in errors(at), page
        assert not at.dataframe and not at.get("file_uploader"), page
    rows = actions(court)
    assert ("team1", "drill", "filed_count", 1) in rows
    assert ("team1", "login", None, None) in rows
    assert sum(1 for u, a, _, _ in rows if u == "team1" and a == "denied") >= 4


def test_clerk_has_aggregates_exports_report_and_data_but_no_case_lists(court):
    at = signed_in("clerk1")
    assert DENIED not in errors(at)
    at = visit(at, "pages/cases.py", ind="filed_count", win="p1")
    assert DENIED in errors(at) and not at.dataframe
    at = visit(at, "pages/data.py")
    assert DENIED not in errors(at) and at.get("file_uploader")
    at = visit(at, "pages/export.py")
    assert DENIED not in errors(at) and any(b.label.startswith("生成") for b in at.button)
    at = visit(at, "pages/users.py")
    assert DENIED in errors(at)


def test_admin_has_users_and_audit_log_only(court):
    at = signed_in("admin1")
    assert DENIED in errors(at) and "data-indicator" not in html_bodies(at)  # 总览 is not an admin's page
    at = visit(at, "pages/audit.py")
    assert DENIED not in errors(at)
    log = at.dataframe[0].value
    assert {"登录成功", "新增用户"} <= set(log["操作"]) and "admin1" in set(log["用户"])
    at = visit(at, "pages/users.py")
    assert set(at.dataframe[0].value["用户名"]) == {"leader1", "bureau1", "team1", "clerk1", "admin1"}
    at = visit(at, "pages/cases.py", ind="filed_count", win="p1")
    assert DENIED in errors(at) and not at.dataframe


@pytest.mark.parametrize("username", ["leader1", "bureau1"])
def test_leader_and_bureau_see_every_list_masked(court, username):
    at = signed_in(username, "pages/cases.py", ind="filed_count", win="p1")
    shown = at.dataframe[0].value
    assert shown["案号"].tolist() == ["c1", "c2", "c3"]
    assert "张伟明" not in shown.to_csv() and "张**" in shown["被执行人"].tolist()


def test_logout_and_idle_timeout(court):
    at = signed_in("leader1")
    at.button(key="logout").click().run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    at = login(at, "leader1")
    at.session_state["_auth_seen"] = time.time() - 9 * 3600  # 9 hours without an action (idle_hours: 8)
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert any("已自动退出" in i.value for i in at.info)
    assert [a for u, a, _, _ in actions(court) if u == "leader1"] == ["login", "logout", "login", "timeout"]


def session_rows(engine) -> list[tuple]:
    from metrics.engine.schema import sessions

    with engine.connect() as conn:
        return [(r.username, r.id_hash) for r in conn.execute(select(sessions))]


def test_login_creates_a_session_logout_timeout_and_revocation_end_it(court):
    """The password login stores one session (hash only) and sends the browser, once, to the cookie route; 退出登录
    and the idle timeout delete it; a disabled user's open page is signed out at its next check."""
    from metrics.access import users as accounts

    at = signed_in("leader1")
    [(user, id_hash)] = session_rows(court)
    assert user == "leader1" and at.session_state["_auth_sid"] == id_hash
    assert "/_auth/session" in html_bodies(at) and "?n=" in html_bodies(at)
    at.run()
    assert "/_auth/session" not in html_bodies(at)  # once only
    at.button(key="logout").click().run()
    assert session_rows(court) == [] and [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "/_auth/end" in html_bodies(at)  # the cookie is deleted by the logout route
    at = login(at, "leader1")
    assert len(session_rows(court)) == 1
    at.session_state["_auth_seen"] = time.time() - 9 * 3600
    at.run()
    assert session_rows(court) == []
    at = login(at, "leader1")
    accounts.set_active(court, "leader1", False)
    at.run()  # within a minute of the last check: still the page
    assert not at.text_input
    at.session_state["_auth_checked"] = time.time() - 120
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert any("登录已失效" in i.value for i in at.info)


def test_no_login_with_a_real_database_shows_the_red_banner(tmp_path, monkeypatch, engine):
    seed(engine)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(write_config(tmp_path, engine, mode="none")))
    at = open_page()
    assert not at.exception and "未启用登录" in html_bodies(at)
    at = open_page("pages/cases.py", ind="filed_count", win="p1")
    assert "未启用登录" in html_bodies(at) and at.dataframe[0].value["被执行人"].tolist()[0] == "张**"


# --- hostile values: every page, in data, config and URL (D4, D5, D17) -------------------------------------------

def assert_inert(at, where: str) -> None:
    assert not at.exception, (where, at.exception)
    html = html_bodies(at)
    assert "<img" not in html, where  # only ever as &lt;img
    assert "</script><" not in html.replace("</script></", ""), where
    text = markdown_bodies(at)
    assert "](http" not in text, where  # a Markdown link would be \]\(http once escaped


def test_hostile_values_stay_text_on_every_page(tmp_path, monkeypatch, engine):
    seed(engine)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(write_config(tmp_path, engine, mode="none")))
    query = {"team": EVIL_TEAM, "handler": MDLINK, "court": XSS, "tag": MDLINK, "ind": "filed_count",
             "win": MDLINK, "phase": XSS, "asof": XSS}
    for path, label in PAGES:
        at = open_page(path, **query)
        assert_inert(at, label)
    # the values inside the data (not the filters) on the drill-through list and the teams page
    for path, query in (("pages/cases.py", {"ind": "filed_count", "win": "p1"}), ("pages/teams.py", {}),
                        ("pages/cross.py", {})):
        at = open_page(path, **query)
        assert_inert(at, path)
    at = open_page("pages/cases.py", win="![x](http://127.0.0.1:9/a.png)")
    assert_inert(at, "win=![x](http://127.0.0.1:9/a.png)")  # D5: the notice about the bad value shows it as text


# --- downloads per role, audited downloads, clear_cache (D11) ----------------------------------------------------

def downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_downloads_per_role(court):
    at = signed_in("team1", "pages/cases.py", ind="filed_count", win="p1")
    assert downloads(at) == ["CSV", "XLSX"]
    at = visit(at, "pages/teams.py")
    assert "CSV" in downloads(at) and "PNG" in downloads(at)
    at = signed_in("admin1", "pages/audit.py")
    assert downloads(at) == ["CSV", "XLSX"]  # the audit log's own export
    at = visit(at, "pages/teams.py")
    assert DENIED in errors(at) and downloads(at) == []


def _download_script(url: str) -> None:
    import streamlit as st
    from sqlalchemy import create_engine

    from metrics.access.scope import UNRESTRICTED
    from ui import auth

    st.session_state["_auth_access"] = auth.Access("clerk1", "办公室", "clerk", frozenset({"export"}), UNRESTRICTED)
    build = auth.audited(create_engine(url), "XLSX", "表.xlsx", 3, lambda: b"content")
    st.write(build().decode())


def test_a_download_writes_an_audit_row(court):
    from streamlit.testing.v1 import AppTest

    url = court.url.render_as_string(hide_password=False)
    at = AppTest.from_function(_download_script, args=(url,)).run()
    assert not at.exception and at.markdown[0].value == "content"
    assert ("clerk1", "export", "表.xlsx", 3) in actions(court)


def test_clear_cache_needs_a_signed_in_data_manager():
    import types

    import streamlit as st
    from streamlit.runtime.app_session import AppSession

    from metrics.access.scope import UNRESTRICTED
    from ui import auth

    auth.restrict_clear_cache()
    calls = []

    @st.cache_data
    def cached(x):
        calls.append(x)
        return x

    cached(1)
    anonymous = types.SimpleNamespace(_session_state={})
    AppSession._handle_clear_cache_request(anonymous)  # an anonymous websocket client
    team = auth.Access("team1", "t", "team", frozenset({"aggregates", "cases", "export"}), UNRESTRICTED)
    AppSession._handle_clear_cache_request(types.SimpleNamespace(_session_state={"_auth_access": team}))
    cached(1)
    assert calls == [1]  # still cached
    clerk = auth.Access("clerk1", "c", "clerk", frozenset({"data"}), UNRESTRICTED)
    AppSession._handle_clear_cache_request(types.SimpleNamespace(_session_state={"_auth_access": clerk}))
    cached(1)
    assert calls == [1, 1]


def test_data_check_rows_are_for_data_managers_not_team_leads(court):
    from tests.conftest import insert

    # one auction whose 案号 is not among the cases: the 拍卖记录的案号不在执行案件中 check lists exactly this row
    insert(court, "auctions", [{"auction_id": "a9", "case_no": "no-such-case", "lot_name": "被执行人李四海名下轿车",
                                "asset_type": "车辆", "round": "一拍", "appraisal_price": 10, "start_price": 8,
                                "end_date": "2025-03-22", "result": "流拍"}])
    at = signed_in("team1", "pages/cases.py", dq="auction_orphan")
    assert DENIED in errors(at) and not at.dataframe
    assert not [r for r in actions(court) if r[1] == "drill"]  # refused: nothing shown, nothing audited as shown
    at = signed_in("clerk1", "pages/cases.py", dq="auction_orphan")
    assert DENIED not in errors(at) and not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == 1 and "李四海" not in shown.to_csv() and "李**" in shown.to_csv()
    at.run()  # a rerun of the same list is not a second view
    assert [r for r in actions(court) if r[1] == "drill"] == [("clerk1", "drill", "dq:auction_orphan", 1)]
    # a check key the page does not know lists nothing and audits nothing
    at = visit(at, "pages/cases.py", dq="no_such_check")
    assert [r for r in actions(court) if r[1] == "drill"] == [("clerk1", "drill", "dq:auction_orphan", 1)]


def test_watch_lists_follow_the_team_scope(court):
    at = signed_in("team1", "pages/watch.py")
    assert DENIED not in errors(at) and not at.exception
    shown = "\n".join(df.value.to_csv() for df in at.dataframe)
    assert "c3" not in shown and "c2" not in shown  # other teams' cases
    at = signed_in("clerk1", "pages/watch.py")
    assert DENIED in errors(at) and not at.dataframe
