"""User accounts: argon2id password hashes, 5 wrong passwords lock an account for 15 minutes, every login,
failure, lockout and change written to the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from metrics.access import audit, sessions
from metrics.access.roles import ROLES, scope_for
from metrics.access.scope import Scope
from metrics.engine.schema import users

MAX_FAILED = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8

_HASHER = PasswordHasher()  # argon2id with argon2-cffi's recommended cost (RFC 9106 low-memory profile)
# Checked against when the user does not exist, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class UserError(ValueError):
    """A mistake in a user command, phrased in Chinese."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    court: str | None
    team: str | None
    active: bool
    failed_attempts: int
    locked_until: dt.datetime | None
    last_login: dt.datetime | None
    has_password: bool

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    def scope(self, *, bureau_unmasked: bool = False) -> Scope:
        return scope_for(self.role, self.court, self.team, bureau_unmasked=bureau_unmasked)

    def describe_scope(self) -> str:
        parts = [p for p in (self.court, self.team) if p]
        return "、".join(parts) or "全院"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str  # Chinese, for the login form; never says whether the name exists

    @property
    def ok(self) -> bool:
        return self.user is not None


def _user(row) -> User:
    return User(row.username, row.display_name or row.username, row.role, row.scope_court, row.scope_team,
                bool(row.active), row.failed_attempts or 0, row.locked_until, row.last_login,
                bool(row.password_hash))


def _check_role(role: str, team: str | None) -> None:
    if role not in ROLES:
        raise UserError(f"角色“{role}”无效，可用：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))
    if role == "team" and not team:
        raise UserError("团队角色必须指定 --team（本团队名称，与案件数据中的执行团队一致）")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")


def get_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def add_user(engine: Engine, username: str, role: str, *, password: str | None = None,
             display_name: str | None = None, court: str | None = None, team: str | None = None,
             actor: str | None = None) -> User:
    """A new account. `password` may be None for a `mode: oidc` account (signs in through the identity provider)."""
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise UserError("用户名不能为空、不能含空格，最长 64 个字符")
    _check_role(role, team)
    if password is not None:
        _check_password(password)
    with engine.begin() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise UserError(f"用户“{username}”已存在")
        stamp = audit.now()
        conn.execute(users.insert(), [{
            "username": username, "display_name": (display_name or username).strip()[:100], "role": role,
            "scope_court": court or None, "scope_team": team or None,
            "password_hash": _HASHER.hash(password) if password is not None else None, "active": True,
            "failed_attempts": 0, "locked_until": None, "created_at": stamp, "updated_at": stamp}])
        audit.record(conn, actor, "user_add", username, role=role, court=court, team=team)
    return get_user(engine, username)


def set_password(engine: Engine, username: str, password: str, *, actor: str | None = None) -> None:
    """New password; also clears a lockout."""
    _check_password(password)
    with engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.username == username).values(
            password_hash=_HASHER.hash(password), failed_attempts=0, locked_until=None, updated_at=audit.now()))
        if not done.rowcount:
            raise UserError(f"没有用户“{username}”")
        sessions.revoke_user(conn, username)  # a new password signs the user out of every browser
        audit.record(conn, actor, "user_passwd", username)


def set_active(engine: Engine, username: str, active: bool, *, actor: str | None = None) -> None:
    with engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.username == username).values(
            active=active, updated_at=audit.now()))
        if not done.rowcount:
            raise UserError(f"没有用户“{username}”")
        if not active:
            sessions.revoke_user(conn, username)
        audit.record(conn, actor, "user_enable" if active else "user_disable", username)


WRONG = "用户名或密码错误。"


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a password. The 5th wrong password in a row locks the account for 15 minutes; a locked or disabled
    account cannot sign in even with the right password. Every outcome is audited."""
    now = now or audit.now()
    username = (username or "").strip()
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first() if username else None
        if row is None or not row.password_hash:
            _verify(_DUMMY_HASH, password or "")
            audit.record(conn, username or None, "login_failed", reason="unknown user")
            return LoginResult(None, WRONG)
        if row.locked_until and row.locked_until > now:
            audit.record(conn, username, "login_failed", reason="locked")
            return LoginResult(None, f"该账户因连续 {MAX_FAILED} 次密码错误已被锁定，请于 "
                                     f"{_local(row.locked_until):%H:%M} 后再试，或请管理员重置密码。")
        if not _verify(row.password_hash, password or ""):
            failed = (row.failed_attempts or 0) + 1
            if failed >= MAX_FAILED:
                until = now + dt.timedelta(minutes=LOCK_MINUTES)
                conn.execute(users.update().where(users.c.username == username).values(
                    failed_attempts=0, locked_until=until))
                audit.record(conn, username, "login_failed", reason="wrong password")
                audit.record(conn, username, "lockout", minutes=LOCK_MINUTES)
                return LoginResult(None, f"密码连续错误 {MAX_FAILED} 次，账户已锁定 {LOCK_MINUTES} 分钟。")
            conn.execute(users.update().where(users.c.username == username).values(failed_attempts=failed))
            audit.record(conn, username, "login_failed", reason="wrong password")
            return LoginResult(None, WRONG)
        if not row.active:
            audit.record(conn, username, "login_failed", reason="disabled")
            return LoginResult(None, "该账户已停用，请联系管理员。")
        values = {"failed_attempts": 0, "locked_until": None, "last_login": now}
        if _HASHER.check_needs_rehash(row.password_hash):
            values["password_hash"] = _HASHER.hash(password)
        conn.execute(users.update().where(users.c.username == username).values(**values))
        audit.record(conn, username, "login")
        row = conn.execute(select(users).where(users.c.username == username)).first()
    return LoginResult(_user(row), "")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _local(when: dt.datetime) -> dt.datetime:
    """A stored UTC time in the server's local time, for messages."""
    return when.replace(tzinfo=dt.UTC).astimezone()
