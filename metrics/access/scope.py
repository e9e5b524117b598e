"""The scope a signed-in user's queries carry. The query layer (metrics.engine.filters, metrics.engine.drill)
applies it to every query, so no URL parameter or widget value can widen it."""

from __future__ import annotations

from dataclasses import dataclass


class ScopeDenied(PermissionError):
    """The request lies outside the user's scope or role; shown as 无权限, never as data."""


@dataclass(frozen=True)
class Scope:
    """Hashable (it is part of Filters, and so of every cache key). Empty tuples mean "no restriction".

    courts: every query (aggregates and lists) is limited to these courts.
    list_teams: case lists and drill-through only show cases of these teams (aggregates stay court-wide).
    lists: whether case lists / drill-through may be shown at all.
    unmasked: debtor names (and names inside 标的物) shown in clear.
    """

    courts: tuple[str, ...] = ()
    list_teams: tuple[str, ...] = ()
    lists: bool = True
    unmasked: bool = False

    @property
    def restricts(self) -> bool:
        return bool(self.courts)


UNRESTRICTED = Scope()  # the CLI and `mode: none` (no users); names are still masked
