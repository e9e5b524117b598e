"""Roles and what each may do (issue 10). Checked by the app for every page and action, and by the query layer
through the Scope each role's user gets."""

from __future__ import annotations

from metrics.access.scope import Scope

ROLES = {
    "leader": "院领导",
    "bureau": "执行局",
    "team": "团队",
    "clerk": "办公室",
    "admin": "管理员",
}

# Rights: aggregates (indicator pages), cases (case lists / drill-through), export (table and chart downloads),
# report (DOCX/PPTX), data (数据管理: import, undo), users (user administration), audit (审计日志).
RIGHTS = {
    "aggregates": "查看指标",
    "cases": "查看案件明细",
    "export": "导出表格与图表",
    "report": "生成报告",
    "data": "数据管理（导入、撤销）",
    "users": "用户管理",
    "audit": "审计日志",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"aggregates", "cases", "export", "report"}),
    "bureau": frozenset({"aggregates", "cases", "export", "report"}),
    "team": frozenset({"aggregates", "cases", "export"}),
    "clerk": frozenset({"aggregates", "export", "report", "data"}),
    "admin": frozenset({"users", "audit"}),
}

# Page script (relative to app.py) → the right it needs. A page not listed needs "aggregates".
PAGE_RIGHTS = {
    "pages/cases.py": "cases",
    "pages/watch.py": "cases",  # 督办预警: lists of cases
    "pages/export.py": "report",
    "pages/data.py": "data",
    "pages/users.py": "users",
    "pages/audit.py": "audit",
}


def may(role: str | None, right: str) -> bool:
    return role in PERMISSIONS and right in PERMISSIONS[role]


def page_right(path: str) -> str:
    return PAGE_RIGHTS.get(path, "aggregates")


def scope_for(role: str, court: str | None, team: str | None, *, bureau_unmasked: bool = False) -> Scope:
    """The scope of a user of this role. A leader or bureau user with a court sees that court only; a team lead
    sees court-wide aggregates but lists of the own team only; a clerk sees no case lists."""
    courts = (court,) if court else ()
    if role == "team":
        # A team account without a team would see no list at all rather than every list.
        return Scope(courts=courts, list_teams=(team or "\0",), lists=True)
    if role == "clerk" or role == "admin":
        return Scope(courts=courts, lists=False)
    return Scope(courts=courts, lists=True, unmasked=role == "bureau" and bureau_unmasked)
