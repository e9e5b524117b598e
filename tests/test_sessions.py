"""Sign-ins that survive a reload (auth.mode: password): the session store (metrics.access.sessions) on SQLite and
every database in TEST_DATABASE_URLS, the one-time nonces and the two cookie routes (ui/session_routes.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from metrics.__main__ import main
from metrics.access import sessions
from metrics.access import users as accounts
from metrics.engine.schema import sessions as sessions_table
from tests.access_fixtures import PASSWORD
from ui.session_routes import COOKIE, LOGIN, LOGOUT, login_payload, routes, safe_next

T0 = dt.datetime(2026, 11, 28, 8, 0, 0)


def stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(sessions_table).order_by(sessions_table.c.created_at))]


@pytest.fixture
def people(engine):
    accounts.add_user(engine, "wang", "leader", password=PASSWORD)
    accounts.add_user(engine, "li", "clerk", password=PASSWORD)
    return engine


def test_create_stores_only_the_hash_and_lookup_finds_the_user(people):
    raw = sessions.create(people, "wang", now=T0)
    assert len(raw) >= 43  # 32 random bytes, base64url
    rows = stored(people)
    assert len(rows) == 1
    id_hash, username, created, seen = rows[0]
    assert id_hash == hashlib.sha256(raw.encode()).hexdigest() and username == "wang"
    assert raw not in repr(rows) and (created, seen) == (T0, T0)
    assert sessions.lookup(people, raw, 8, now=T0 + dt.timedelta(hours=1)) == "wang"
    assert stored(people)[0][3] == T0 + dt.timedelta(hours=1)  # last seen moved on
    # the stored hash itself is not a cookie; neither is anything else
    assert sessions.lookup(people, id_hash, 8, now=T0) is None
    assert sessions.lookup(people, raw[:-1], 8, now=T0) is None
    assert sessions.lookup(people, "", 8) is None and sessions.lookup(people, None, 8) is None
    assert sessions.create(people, "wang") != raw


def test_idle_timeout_counts_from_the_last_use(people):
    raw = sessions.create(people, "wang", now=T0)
    later = T0 + dt.timedelta(hours=7, minutes=59)
    assert sessions.lookup(people, raw, 8, now=later) == "wang"
    # 8 h after that last use, not after the creation
    assert sessions.lookup(people, raw, 8, now=later + dt.timedelta(hours=8)) == "wang"
    gone = later + dt.timedelta(hours=16, seconds=1)
    assert sessions.lookup(people, raw, 8, now=gone) is None
    assert stored(people) == []  # an expired session is deleted
    assert sessions.lookup(people, raw, 8, now=later) is None


def test_purge_removes_only_idle_sessions(people):
    old = sessions.create(people, "wang", now=T0)
    new = sessions.create(people, "li", now=T0 + dt.timedelta(hours=5))
    assert sessions.purge(people, 4, now=T0 + dt.timedelta(hours=6)) == 1
    assert sessions.lookup(people, old, 4, now=T0 + dt.timedelta(hours=6)) is None
    assert sessions.lookup(people, new, 4, now=T0 + dt.timedelta(hours=6)) == "li"


def test_disable_and_new_password_revoke_only_that_users_sessions(people):
    wang1, wang2 = sessions.create(people, "wang"), sessions.create(people, "wang")
    li = sessions.create(people, "li")
    accounts.set_active(people, "wang", False)
    assert sessions.lookup(people, wang1, 8) is None and sessions.lookup(people, wang2, 8) is None
    assert sessions.lookup(people, li, 8) == "li"
    accounts.set_active(people, "wang", True)
    assert sessions.lookup(people, wang1, 8) is None  # enabling again does not bring old sessions back
    li2 = sessions.create(people, "li")
    accounts.set_password(people, "li", "a-new-password")
    assert sessions.lookup(people, li, 8) is None and sessions.lookup(people, li2, 8) is None
    assert stored(people) == []


def test_cli_disable_and_passwd_revoke_sessions(people, monkeypatch):
    url = people.url.render_as_string(hide_password=False)
    li = sessions.create(people, "li")
    wang = sessions.create(people, "wang")
    monkeypatch.setattr("sys.stdin", io.StringIO("another-password\n"))
    assert main(["users", "passwd", "li", "--password-stdin", "--db", url]) == 0
    assert sessions.lookup(people, li, 8) is None and sessions.lookup(people, wang, 8) == "wang"
    assert main(["users", "disable", "wang", "--db", url]) == 0
    assert sessions.lookup(people, wang, 8) is None


def test_locked_removed_or_disabled_user_is_not_signed_in(people):
    from metrics.engine.schema import users

    raw = sessions.create(people, "wang", now=T0)
    with people.begin() as conn:
        conn.execute(users.update().where(users.c.username == "wang").values(
            locked_until=T0 + dt.timedelta(minutes=15)))
    assert sessions.lookup(people, raw, 8, now=T0 + dt.timedelta(minutes=1)) is None
    assert sessions.lookup(people, raw, 8, now=T0 + dt.timedelta(minutes=16)) == "wang"  # lock over
    with people.begin() as conn:  # disabled behind the app's back (no revoke): still refused
        conn.execute(users.update().where(users.c.username == "wang").values(active=False))
    assert sessions.lookup(people, raw, 8, now=T0 + dt.timedelta(minutes=17)) is None
    other = sessions.create(people, "ghost", now=T0)  # no such user
    assert sessions.lookup(people, other, 8, now=T0) is None


def test_logout_revokes_one_session(people):
    a, b = sessions.create(people, "wang"), sessions.create(people, "wang")
    sessions.revoke(people, sessions.hash_id(a))
    assert sessions.lookup(people, a, 8) is None and sessions.lookup(people, b, 8) == "wang"
    assert sessions.check(people, sessions.hash_id(b), 8) == "wang"


# --- nonces and routes (no database) ----------------------------------------------------------------------------

def test_nonces_are_single_use_per_purpose_and_expire(monkeypatch):
    n = sessions.issue_nonce(LOGIN, "payload")
    assert len(n) >= 32 and n != sessions.issue_nonce(LOGIN, "payload")
    assert sessions.consume_nonce(LOGOUT, n) is None  # wrong purpose: not used up either
    assert sessions.consume_nonce(LOGIN, n) == "payload"
    assert sessions.consume_nonce(LOGIN, n) is None
    assert sessions.consume_nonce(LOGIN, None) is None and sessions.consume_nonce(LOGIN, "x") is None
    clock = [1000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock[0])
    n = sessions.issue_nonce(LOGIN, "p", seconds=60)
    clock[0] += 61
    assert sessions.consume_nonce(LOGIN, n) is None


@pytest.mark.parametrize("value, ok", [
    ("/", True), ("/cases?ind=filed_count&win=p1", True), ("/teams?team=%3Cimg%3E", True), ("", True),
    ("//evil.example/x", False), ("https://evil.example/", False), ("evil.example", False),
    ("/\\evil.example", False), ("\\\\evil", False), ("/a\r\nSet-Cookie: x=1", False), ("javascript:alert(1)", False),
])
def test_safe_next(value, ok):
    assert (safe_next(value) is not None) is ok
    if value == "":
        assert safe_next(value) == "/" and safe_next(value, "board") == "/board/"


@pytest.fixture
def client():
    return TestClient(Starlette(routes=routes()), base_url="http://testserver", follow_redirects=False)


def test_route_sets_the_cookie_once_and_redirects_on_the_same_server(client):
    n = sessions.issue_nonce(LOGIN, login_payload("the-session-id", 2))
    r = client.get("/_auth/session", params={"n": n, "next": "/cases?win=p1"})
    assert r.status_code == 303 and r.headers["location"] == "/cases?win=p1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=the-session-id;")
    parts = {p.strip().split("=")[0].lower(): p.strip() for p in cookie.split(";")}
    assert "httponly" in parts and parts["samesite"].lower() == "samesite=strict" and parts["path"] == "Path=/"
    assert parts["max-age"] == "Max-Age=7200" and "secure" not in parts  # plain http here
    # the nonce is used up
    again = client.get("/_auth/session", params={"n": n, "next": "/"})
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_route_sets_a_secure_cookie_over_https():
    https = TestClient(Starlette(routes=routes()), base_url="https://testserver", follow_redirects=False)
    n = sessions.issue_nonce(LOGIN, login_payload("sid", 8))
    r = https.get("/_auth/session", params={"n": n})
    assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
    assert r.headers["location"] == "/"
    # behind a proxy that terminates https
    n = sessions.issue_nonce(LOGIN, login_payload("sid", 8))
    r = TestClient(Starlette(routes=routes()), follow_redirects=False).get(
        "/_auth/session", params={"n": n}, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in r.headers["set-cookie"].lower()


def test_route_refuses_unknown_expired_and_other_purpose_nonces(client, monkeypatch):
    assert client.get("/_auth/session", params={"n": "made-up", "next": "/"}).status_code == 403
    assert client.get("/_auth/session", params={"next": "/"}).status_code == 403
    logout = sessions.issue_nonce(LOGOUT, "-")
    assert client.get("/_auth/session", params={"n": logout}).status_code == 403
    clock = [5000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock[0])
    n = sessions.issue_nonce(LOGIN, login_payload("sid", 8))
    clock[0] += 61
    r = client.get("/_auth/session", params={"n": n})
    assert r.status_code == 403 and "set-cookie" not in r.headers


@pytest.mark.parametrize("bad", ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil"])
def test_route_refuses_a_next_off_this_server(client, bad):
    n = sessions.issue_nonce(LOGIN, login_payload("sid", 8))
    r = client.get("/_auth/session", params={"n": n, "next": bad})
    assert r.status_code == 400 and "set-cookie" not in r.headers and "location" not in r.headers


def test_logout_route_deletes_the_cookie_only_with_a_nonce(client):
    assert client.get("/_auth/end", params={"n": "x"}).status_code == 403
    n = sessions.issue_nonce(LOGOUT, "-")
    r = client.get("/_auth/end", params={"n": n, "next": "/teams"})
    assert r.status_code == 303 and r.headers["location"] == "/teams"
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=") and "max-age=0" in cookie
    assert client.get("/_auth/end", params={"n": n}).status_code == 403


def test_routes_under_a_base_url_path():
    c = TestClient(Starlette(routes=routes("board")), follow_redirects=False)
    n = sessions.issue_nonce(LOGIN, login_payload("sid", 8))
    r = c.get("/board/_auth/session", params={"n": n})
    assert r.status_code == 303 and r.headers["location"] == "/board/"
