"""The audit log: who logged in (or failed to), looked at which case list, exported or imported what.

The app only ever appends (`record`); there is no update or delete here. Reading is for the 审计日志 page.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from metrics.engine.schema import audit_log

ACTIONS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "lockout": "账户锁定",
    "logout": "退出登录",
    "timeout": "超时退出",
    "denied": "无权限访问",
    "drill": "查看案件明细",
    "export": "导出",
    "report": "生成报告",
    "import": "导入数据",
    "undo": "撤销导入",
    "user_add": "新增用户",
    "user_passwd": "修改密码",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
}


def now() -> dt.datetime:
    """UTC, without tzinfo (DateTime columns are naive on every backend)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(engine_or_conn, username: str | None, action: str, target: str | None = None,
           row_count: int | None = None, **detail) -> None:
    """Append one row. Pass a Connection to write inside its transaction, or an Engine for a transaction of its
    own. Values are stored as text (JSON for the details), never interpreted."""
    if action not in ACTIONS:
        raise ValueError(action)
    row = {"at": now(), "username": (username or "")[:64] or None, "action": action,
           "target": None if target is None else str(target)[:255], "row_count": row_count,
           "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None}
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            conn.execute(audit_log.insert(), [row])
    else:
        engine_or_conn.execute(audit_log.insert(), [row])


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    username: str | None
    action: str
    target: str | None
    row_count: int | None
    detail: dict


def entries(engine: Engine, *, start: dt.date | None = None, end: dt.date | None = None,
            username: str | None = None, actions: tuple[str, ...] = (), limit: int = 5000) -> list[Entry]:
    """Newest first, filtered by day range (UTC dates, inclusive), user and actions."""
    stmt = select(audit_log)
    if start:
        stmt = stmt.where(audit_log.c.at >= dt.datetime.combine(start, dt.time()))
    if end:
        stmt = stmt.where(audit_log.c.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    if username:
        stmt = stmt.where(audit_log.c.username == username)
    if actions:
        stmt = stmt.where(audit_log.c.action.in_(actions))
    stmt = stmt.order_by(audit_log.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [Entry(r.id, r.at, r.username, r.action, r.target, r.row_count,
                      json.loads(r.detail) if r.detail else {}) for r in conn.execute(stmt)]
