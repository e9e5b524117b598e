"""Sign-ins that survive a browser reload in `auth.mode: password`.

A successful password login creates a session: a random id (256 bit) the browser keeps in an HttpOnly,
SameSite=Strict cookie; the `sessions` table holds only the SHA-256 of that id, the user and the times. A page run
without a signed-in Streamlit session looks the cookie up (`lookup`): the user must still exist, be enabled and not
locked, and the session must have been used within the idle timeout. Logout deletes the session; disabling a user
or setting their password deletes all of theirs (`revoke_user`, called by metrics.access.users).

The cookie cannot be set from a page script (Streamlit answers over a websocket), so the page hands the id to an
HTTP route (serve.py → ui/session_routes.py) through a one-time nonce: random, 60 s, single use, held in this
process only (`issue_nonce` / `consume_nonce`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from metrics.engine.schema import sessions, users

ID_BYTES = 32  # 256-bit session ids
NONCE_BYTES = 24  # 192-bit nonces
NONCE_SECONDS = 60.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def hash_id(raw: str) -> str:
    """What the database stores for a session id (hex SHA-256): a leaked table does not give usable cookies."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create(engine: Engine, username: str, now: dt.datetime | None = None) -> str:
    """A new session of `username`; returns the raw id (for the cookie only, never stored)."""
    raw = secrets.token_urlsafe(ID_BYTES)
    now = now or _now()
    with engine.begin() as conn:
        conn.execute(sessions.insert(), [{"id_hash": hash_id(raw), "username": username, "created_at": now,
                                          "last_seen": now}])
    return raw


def lookup(engine: Engine, raw: str | None, idle_hours: float, now: dt.datetime | None = None,
           touch: bool = True) -> str | None:
    """The username of a valid session, else None (an expired session, or one of a user who was removed,
    disabled or is locked, is deleted). A valid session's last use is set to now unless touch=False."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        return None
    return check(engine, hash_id(raw), idle_hours, now, touch=touch)


def check(engine: Engine, id_hash: str, idle_hours: float, now: dt.datetime | None = None,
          touch: bool = True) -> str | None:
    """Like `lookup`, by the stored hash (the signed-in page keeps only the hash)."""
    now = now or _now()
    with engine.begin() as conn:
        row = conn.execute(
            select(sessions.c.username, sessions.c.last_seen, users.c.active, users.c.locked_until)
            .select_from(sessions.outerjoin(users, users.c.username == sessions.c.username))
            .where(sessions.c.id_hash == id_hash)).first()
        if row is None:
            return None
        expired = row.last_seen + dt.timedelta(hours=idle_hours) < now
        if expired or row.active is None or not row.active:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))
            return None
        if row.locked_until is not None and row.locked_until > now:
            return None
        if touch:
            conn.execute(sessions.update().where(sessions.c.id_hash == id_hash).values(last_seen=now))
    return row.username


def revoke(engine: Engine, id_hash: str) -> None:
    """Logout: the session is gone; its cookie no longer signs anyone in."""
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))


def revoke_user(conn: Connection, username: str) -> int:
    """All sessions of a user (disabled, new password); inside the caller's transaction. Returns how many."""
    return conn.execute(delete(sessions).where(sessions.c.username == username)).rowcount or 0


def purge(engine: Engine, idle_hours: float, now: dt.datetime | None = None) -> int:
    """Delete sessions idle for longer than the timeout (they can no longer sign in anyway)."""
    cutoff = (now or _now()) - dt.timedelta(hours=idle_hours)
    with engine.begin() as conn:
        return conn.execute(delete(sessions).where(sessions.c.last_seen < cutoff)).rowcount or 0


# One-time nonces, process-wide: purpose → nonce → (expires at, payload). The page and the HTTP routes run in the
# same process (serve.py), so a dict with a lock is the whole store.
_NONCES: dict[tuple[str, str], tuple[float, str]] = {}
_LOCK = threading.Lock()


def issue_nonce(purpose: str, payload: str, seconds: float = NONCE_SECONDS) -> str:
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    clock = time.monotonic()
    with _LOCK:
        for key in [k for k, (until, _) in _NONCES.items() if until < clock]:
            del _NONCES[key]
        _NONCES[(purpose, nonce)] = (clock + seconds, payload)
    return nonce


def consume_nonce(purpose: str, nonce: str | None) -> str | None:
    """The payload of a valid nonce of this purpose, which is used up; None for an unknown, used or expired one."""
    if not nonce:
        return None
    with _LOCK:
        entry = _NONCES.pop((purpose, nonce), None)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]
