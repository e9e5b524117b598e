"""Cached calls into metrics for the pages: one computation per (database, filters, as-of date), not per rerun."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from metrics.engine.compare import Row
from metrics.engine.compute import WindowResult
from metrics.engine.drill import members
from metrics.engine.filters import Filters, scope_conditions
from metrics.engine.schema import cases
from metrics.engine.service import Dashboard
from metrics.engine.windows import Window

TTL = 600  # seconds; data changes by import, at most a few times a day


def _key(board: Dashboard) -> str:
    return str(board.engine.url)


@st.cache_data(ttl=TTL, show_spinner=False)
def _default_as_of(url: str, _board: Dashboard) -> dt.date | None:
    return _board.default_as_of()


def default_as_of(board: Dashboard) -> dt.date | None:
    return _default_as_of(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _is_sample(url: str, _board: Dashboard) -> bool:
    return _board.is_sample()


def is_sample(board: Dashboard) -> bool:
    return _is_sample(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _filter_options(url: str, _board: Dashboard) -> dict:
    with _board.engine.connect() as conn:
        courts = [c for (c,) in conn.execute(select(cases.c.court).distinct().order_by(cases.c.court)) if c]
        teams = [t for (t,) in conn.execute(select(cases.c.team).distinct().order_by(cases.c.team)) if t]
        handlers = [(t, h) for t, h in conn.execute(
            select(cases.c.team, cases.c.handler).distinct().order_by(cases.c.team, cases.c.handler)) if h]
    return {"courts": courts, "teams": teams, "handlers": handlers}


def filter_options(board: Dashboard) -> dict:
    return _filter_options(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _case_count(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> int:
    conds = scope_conditions(filters, _board.config.parameters.scope_case_types)
    with _board.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases).where(*conds, cases.c.filing_date <= as_of)
                            ).scalar()


def case_count(board: Dashboard, filters: Filters, as_of: dt.date) -> int:
    return _case_count(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算各阶段指标……")
def _phases(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict[str, WindowResult]:
    return _board.phase_results(as_of, filters)


def phases(board: Dashboard, filters: Filters, as_of: dt.date) -> dict[str, WindowResult]:
    return _phases(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算上年同期……")
def _last_year(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict[str, WindowResult]:
    return _board.last_year_results(as_of, filters)


def last_year(board: Dashboard, filters: Filters, as_of: dt.date) -> dict[str, WindowResult]:
    return _last_year(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算月度走势……")
def _monthly(url: str, filters: Filters, as_of: dt.date, keys: tuple[str, ...] | None,
             _board: Dashboard) -> list[WindowResult]:
    return _board.monthly_results(as_of, filters, keys=keys)


def monthly(board: Dashboard, filters: Filters, as_of: dt.date,
            keys: tuple[str, ...] | None = None) -> list[WindowResult]:
    """Monthly results; pass the indicator keys a chart needs, and only those are computed (much faster)."""
    return _monthly(_key(board), filters, as_of, tuple(keys) if keys else None, board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _windows(url: str, windows: tuple[Window, ...], filters: Filters, _board: Dashboard) -> list[WindowResult]:
    return _board.window_results(list(windows), filters)


def windows(board: Dashboard, windows_: list[Window], filters: Filters) -> list[WindowResult]:
    return _windows(_key(board), tuple(windows_), filters, board)


def comparison(board: Dashboard, filters: Filters, as_of: dt.date, phase: str,
               keys: tuple[str, ...]) -> list[Row]:
    from metrics.engine.compare import compare_phase

    p, ly = phases(board, filters, as_of), last_year(board, filters, as_of)
    return [compare_phase(board.config, k, phase, p, ly, filters) for k in keys]


@st.cache_data(ttl=TTL, show_spinner="正在查询案件……")
def _members(url: str, window: Window, key: str, filters: Filters, _board: Dashboard) -> pd.DataFrame:
    with _board.engine.connect() as conn:
        headers, rows = members(conn, _board.config, window, key, filters)
    return pd.DataFrame(rows, columns=headers)


def member_frame(board: Dashboard, window: Window, key: str, filters: Filters) -> pd.DataFrame:
    return _members(_key(board), window, key, filters, board)


@st.cache_data(ttl=TTL, show_spinner="正在按团队/承办人计算……")
def _breakdown(url: str, window: Window, column: str, filters: Filters, _board: Dashboard) -> dict[str, WindowResult]:
    from metrics.engine.compute import breakdown as compute_breakdown

    with _board.engine.connect() as conn:
        return compute_breakdown(conn, _board.config, window, cases.c[column], filters)


def breakdown(board: Dashboard, window: Window, column: str, filters: Filters) -> dict[str, WindowResult]:
    """The case indicators of one window per value of a cases column ("team", "handler")."""
    return _breakdown(_key(board), window, column, filters, board)


@st.cache_data(ttl=TTL, show_spinner="正在统计未结案件账龄……")
def _pending_ages(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.backlog import pending_by_age

    windows_ = _board.phase_windows(as_of)
    with _board.engine.connect() as conn:
        ages = pending_by_age(conn, _board.config, windows_, filters)
    return {w.key: p for w, p in zip(windows_, ages, strict=True)}


def pending_ages(board: Dashboard, filters: Filters, as_of: dt.date) -> dict:
    """Pending cases by age band at the (clamped) end of every phase: phase key → PendingAges or None."""
    return _pending_ages(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在分组计算……")
def _phase_groups(url: str, table: str, column: str, filters: Filters, as_of: dt.date,
                  _board: Dashboard) -> dict:
    from metrics.engine.breakdowns import phase_breakdowns
    from metrics.engine.indicators import SOURCE_TABLES

    return phase_breakdowns(_board.engine, _board.config, as_of, SOURCE_TABLES[table].c[column], filters)


def phase_groups(board: Dashboard, table: str, column: str, filters: Filters, as_of: dt.date) -> dict:
    """{phase key: {group value: WindowResult}} for any column of any table (partner court, asset type, …)."""
    return _phase_groups(_key(board), table, column, filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在统计拍次……")
def _auction_outcomes(url: str, column: str | None, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.breakdowns import auction_outcomes as outcomes
    from metrics.engine.schema import auctions

    return outcomes(_board.engine, _board.config, as_of, auctions.c[column] if column else None, filters)


def auction_outcomes(board: Dashboard, column: str | None, filters: Filters, as_of: dt.date) -> dict:
    """{phase key: {group: {result: 拍次}}} for an auctions column, or in total when column is None."""
    return _auction_outcomes(_key(board), column, filters, as_of, board)
