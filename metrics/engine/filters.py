"""User filters (court, team, handler, tags, cross role, case types) as SQL conditions on cases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from metrics.access.scope import UNRESTRICTED, Scope
from metrics.engine.schema import cases

NO_CROSS_ROLE = "无"  # the filter value for cases without a cross-execution role


@dataclass(frozen=True)
class Filters:
    """Hashable, so a page can cache results per filter set. Empty tuples mean "no restriction"."""

    court: str | None = None
    teams: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # a case matches when it carries any of these tags
    cross_roles: tuple[str, ...] = ()  # 承接 / 交出 / 无
    case_types: tuple[str, ...] = ()  # overrides the configured scope when given
    # The signed-in user's scope (metrics.access): set by the app from the user, never from the URL; every
    # condition below includes it, so no filter value can widen it.
    scope: Scope = UNRESTRICTED

    def restricts_cases(self) -> bool:
        """True when the user narrowed the cases (scope aside), so linked tables must follow them."""
        return bool(self.court or self.teams or self.handlers or self.tags or self.cross_roles
                    or self.scope.restricts)

    def describe(self) -> str:
        parts = []
        if self.court:
            parts.append(f"法院：{self.court}")
        for label, values in (("团队", self.teams), ("承办人", self.handlers), ("标签", self.tags),
                              ("交叉执行角色", self.cross_roles), ("案件类型", self.case_types)):
            if values:
                parts.append(f"{label}：{'、'.join(values)}")
        return "；".join(parts) or "全部案件"


def user_conditions(filters: Filters) -> list:
    """Conditions from the user's filters alone (no case-type scope)."""
    conds = []
    if filters.scope.courts:
        conds.append(cases.c.court.in_(filters.scope.courts))
    if filters.court:
        conds.append(cases.c.court == filters.court)
    if filters.teams:
        conds.append(cases.c.team.in_(filters.teams))
    if filters.handlers:
        conds.append(cases.c.handler.in_(filters.handlers))
    if filters.tags:
        # Tags are stored normalised, joined by 、, so a LIKE on the tag name is exact for our three tags.
        conds.append(or_(*[cases.c.tags.like(f"%{t}%") for t in filters.tags]))
    if filters.cross_roles:
        roles = [r for r in filters.cross_roles if r != NO_CROSS_ROLE]
        options = [cases.c.cross_role.in_(roles)] if roles else []
        if NO_CROSS_ROLE in filters.cross_roles:
            options.append(or_(cases.c.cross_role.is_(None), cases.c.cross_role == ""))
        conds.append(or_(*options))
    return conds


def scope_conditions(filters: Filters, scope_case_types: tuple[str, ...]) -> list:
    """S of SPEC section 4: case types in scope, plus the user's filters."""
    types = filters.case_types or scope_case_types
    return [cases.c.case_type.in_(types), *user_conditions(filters)]


def filtered_case_numbers(filters: Filters, *, lists: bool = False):
    """Subquery of case numbers the user's filters keep, for tables linked by 案号 (auctions, measures).

    lists=True: for a case list, also the scope's list teams."""
    conds = [*user_conditions(filters), *(list_conditions(filters) if lists else [])]
    return select(cases.c.case_no).where(and_(*conds))


def list_conditions(filters: Filters) -> list:
    """Extra conditions on cases for case lists and drill-through: the teams a team lead may list."""
    if filters.scope.list_teams:
        return [cases.c.team.in_(filters.scope.list_teams)]
    return []
