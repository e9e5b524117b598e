"""Cached calls into metrics for the pages: one computation per (database, data version, config, filters,
as-of date), not per rerun; every call goes through one guard, so a lost database is a message, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import threading
from typing import NoReturn

import pandas as pd
import streamlit as st
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from metrics.engine.compare import Row
from metrics.engine.compute import WindowResult
from metrics.engine.db import DatabaseUnavailable, data_version
from metrics.engine.drill import members
from metrics.engine.filters import Filters, scope_conditions
from metrics.engine.schema import cases
from metrics.engine.service import Dashboard
from metrics.engine.windows import Window

TTL = 600  # seconds; only bounds memory now: a change of data or config changes the key at once
LOG = logging.getLogger(__name__)

# What a lost, renamed, restarted or overloaded database raises from inside SQLAlchemy or the driver.
DB_ERRORS = (DBAPIError, PoolTimeout, DatabaseUnavailable)
LOST_MESSAGE = ("**数据库暂时无法连接。** 本页需要查询数据库，但数据库现在无法访问（可能正在维护或重启）。"
                "请稍后刷新页面；数据库恢复后本页会自动恢复。如长时间如此，请联系系统管理员。")


OFFLINE_MESSAGE = ("**数据库暂时无法连接。** 下面是此前计算并缓存的数字，可能不是最新；"
                   "数据库恢复后刷新页面即可。")
_run = threading.local()  # per script-run thread: the slot of the "cached numbers" notice


def offline_notice(slot) -> None:
    """Say in `slot` (an st.empty) that the numbers below come from the cache; database_lost() takes it back."""
    _run.offline_slot = slot
    slot.warning(OFFLINE_MESSAGE)


def database_lost(exc: BaseException, hint: str | None = None) -> NoReturn:
    """Stop the page with a Chinese message. Host, port, user and path stay in the server log, not on the page.

    Nothing is cached on the way out (st.cache_data does not keep exceptions), so the next run tries again and
    the page comes back by itself once the database does.
    """
    LOG.warning("database unavailable during a page run: %s: %s", type(exc).__name__, exc)
    slot = getattr(_run, "offline_slot", None)
    if slot is not None:
        slot.empty()
    st.error(LOST_MESSAGE)
    if hint:
        st.caption(hint)
    st.stop()


@contextlib.contextmanager
def guard():
    """The one guard every database call from a page goes through (the functions below, and a page's own
    writes such as an import or an undo: `with data.guard(): …`)."""
    try:
        yield
    except DB_ERRORS as exc:
        database_lost(exc)


def guarded(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        with guard():
            return fn(*args, **kwargs)

    return call


# The key of the current run's data: (URL, data version, config file mtime), read once per page run by
# refresh_key(); the last version seen per URL lets cached numbers still show while the database is away.
RUN_KEY = "_data_key"
_LAST_VERSION: dict[str, str] = {}


def _config_stamp(board: Dashboard) -> str:
    path = board.config.path
    try:
        return str(path.stat().st_mtime_ns) if path else "-"
    except OSError:
        return "-"


def refresh_key(board: Dashboard) -> bool:
    """Read the data version for this page run (one small query). False when the database cannot be reached but
    an earlier version is known: cached numbers can still be shown, marked as possibly out of date."""
    url = str(board.engine.url)
    _run.offline_slot = None
    try:
        version = data_version(board.engine)
        online = True
    except DB_ERRORS as exc:
        if url not in _LAST_VERSION:
            database_lost(exc)
        LOG.warning("database unavailable, serving cached numbers: %s: %s", type(exc).__name__, exc)
        version, online = _LAST_VERSION[url], False
    _LAST_VERSION[url] = version
    st.session_state[RUN_KEY] = f"{url}|{version}|{_config_stamp(board)}"
    return online


def _key(board: Dashboard) -> str:
    key = st.session_state.get(RUN_KEY)
    if key is None or not key.startswith(f"{board.engine.url}|"):
        refresh_key(board)
        key = st.session_state[RUN_KEY]
    return key


@st.cache_data(ttl=TTL, show_spinner=False)
def _default_as_of(data_key: str, _board: Dashboard) -> dt.date | None:
    return _board.default_as_of()


@guarded
def default_as_of(board: Dashboard) -> dt.date | None:
    return _default_as_of(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _is_sample(data_key: str, _board: Dashboard) -> bool:
    return _board.is_sample()


@guarded
def is_sample(board: Dashboard) -> bool:
    return _is_sample(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _filter_options(data_key: str, _board: Dashboard) -> dict:
    with _board.engine.connect() as conn:
        courts = [c for (c,) in conn.execute(select(cases.c.court).distinct().order_by(cases.c.court)) if c]
        teams = [t for (t,) in conn.execute(select(cases.c.team).distinct().order_by(cases.c.team)) if t]
        handlers = [(t, h) for t, h in conn.execute(
            select(cases.c.team, cases.c.handler).distinct().order_by(cases.c.team, cases.c.handler)) if h]
    return {"courts": courts, "teams": teams, "handlers": handlers}


@guarded
def filter_options(board: Dashboard) -> dict:
    return _filter_options(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _case_count(data_key: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> int:
    conds = scope_conditions(filters, _board.config.parameters.scope_case_types)
    with _board.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases).where(*conds, cases.c.filing_date <= as_of)
                            ).scalar()


@guarded
def case_count(board: Dashboard, filters: Filters, as_of: dt.date) -> int:
    return _case_count(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算各阶段指标……")
def _phases(data_key: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict[str, WindowResult]:
    return _board.phase_results(as_of, filters)


@guarded
def phases(board: Dashboard, filters: Filters, as_of: dt.date) -> dict[str, WindowResult]:
    return _phases(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算上年同期……")
def _last_year(data_key: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict[str, WindowResult]:
    return _board.last_year_results(as_of, filters)


@guarded
def last_year(board: Dashboard, filters: Filters, as_of: dt.date) -> dict[str, WindowResult]:
    return _last_year(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算月度走势……")
def _monthly(data_key: str, filters: Filters, as_of: dt.date, keys: tuple[str, ...] | None,
             _board: Dashboard) -> list[WindowResult]:
    return _board.monthly_results(as_of, filters, keys=keys)


@guarded
def monthly(board: Dashboard, filters: Filters, as_of: dt.date,
            keys: tuple[str, ...] | None = None) -> list[WindowResult]:
    """Monthly results; pass the indicator keys a chart needs, and only those are computed (much faster)."""
    return _monthly(_key(board), filters, as_of, tuple(keys) if keys else None, board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _windows(data_key: str, windows: tuple[Window, ...], filters: Filters, _board: Dashboard) -> list[WindowResult]:
    return _board.window_results(list(windows), filters)


@guarded
def windows(board: Dashboard, windows_: list[Window], filters: Filters) -> list[WindowResult]:
    return _windows(_key(board), tuple(windows_), filters, board)


@guarded
def comparison(board: Dashboard, filters: Filters, as_of: dt.date, phase: str,
               keys: tuple[str, ...]) -> list[Row]:
    from metrics.engine.compare import compare_phase

    p, ly = phases(board, filters, as_of), last_year(board, filters, as_of)
    return [compare_phase(board.config, k, phase, p, ly, filters) for k in keys]


@st.cache_data(ttl=TTL, show_spinner="正在查询案件……")
def _members(data_key: str, window: Window, key: str, filters: Filters, _board: Dashboard) -> pd.DataFrame:
    with _board.engine.connect() as conn:
        headers, rows = members(conn, _board.config, window, key, filters)
    return pd.DataFrame(rows, columns=headers)


@guarded
def member_frame(board: Dashboard, window: Window, key: str, filters: Filters) -> pd.DataFrame:
    return _members(_key(board), window, key, filters, board)


@st.cache_data(ttl=TTL, show_spinner="正在按团队/承办人计算……")
def _breakdown(data_key: str, window: Window, column: str, filters: Filters,
               _board: Dashboard) -> dict[str, WindowResult]:
    from metrics.engine.compute import breakdown as compute_breakdown

    with _board.engine.connect() as conn:
        return compute_breakdown(conn, _board.config, window, cases.c[column], filters)


@guarded
def breakdown(board: Dashboard, window: Window, column: str, filters: Filters) -> dict[str, WindowResult]:
    """The case indicators of one window per value of a cases column ("team", "handler")."""
    return _breakdown(_key(board), window, column, filters, board)


@st.cache_data(ttl=TTL, show_spinner="正在统计未结案件账龄……")
def _pending_ages(data_key: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.backlog import pending_by_age

    windows_ = _board.phase_windows(as_of)
    with _board.engine.connect() as conn:
        ages = pending_by_age(conn, _board.config, windows_, filters)
    return {w.key: p for w, p in zip(windows_, ages, strict=True)}


@guarded
def pending_ages(board: Dashboard, filters: Filters, as_of: dt.date) -> dict:
    """Pending cases by age band at the (clamped) end of every phase: phase key → PendingAges or None."""
    return _pending_ages(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在分组计算……")
def _phase_groups(data_key: str, table: str, column: str, filters: Filters, as_of: dt.date,
                  _board: Dashboard) -> dict:
    from metrics.engine.breakdowns import phase_breakdowns
    from metrics.engine.indicators import SOURCE_TABLES

    return phase_breakdowns(_board.engine, _board.config, as_of, SOURCE_TABLES[table].c[column], filters)


@guarded
def phase_groups(board: Dashboard, table: str, column: str, filters: Filters, as_of: dt.date) -> dict:
    """{phase key: {group value: WindowResult}} for any column of any table (partner court, asset type, …)."""
    return _phase_groups(_key(board), table, column, filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在统计拍次……")
def _auction_outcomes(data_key: str, column: str | None, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.breakdowns import auction_outcomes as outcomes
    from metrics.engine.schema import auctions

    return outcomes(_board.engine, _board.config, as_of, auctions.c[column] if column else None, filters)


@guarded
def auction_outcomes(board: Dashboard, column: str | None, filters: Filters, as_of: dt.date) -> dict:
    """{phase key: {group: {result: 拍次}}} for an auctions column, or in total when column is None."""
    return _auction_outcomes(_key(board), column, filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在生成督办清单……")
def _watch_lists(url: str, filters: Filters, as_of: dt.date, settings, rows: bool, _board: Dashboard) -> dict:
    from metrics.engine.watch import all_lists

    with _board.engine.connect() as conn:
        return all_lists(conn, _board.config, as_of, filters, settings, rows=rows)


def watch_lists(board: Dashboard, filters: Filters, as_of: dt.date, settings=None, rows: bool = True) -> dict:
    """督办清单 as of the 统计日: list key → WatchList (counts only when rows=False)."""
    from metrics.engine.watch import WatchSettings

    return _watch_lists(_key(board), filters, as_of, settings or WatchSettings(), rows, board)


@st.cache_data(ttl=TTL, show_spinner="正在预判阶段末数值……")
def _projections(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.forecast import open_phases, project_phase

    with _board.engine.connect() as conn:
        return {p: project_phase(conn, _board.config, p, as_of, filters) for p in open_phases(_board.config, as_of)}


def projections(board: Dashboard, filters: Filters, as_of: dt.date) -> dict:
    """预判 for every phase begun and not ended at the 统计日: phase key → [Projection]."""
    return _projections(_key(board), filters, as_of, board)


@st.cache_data(ttl=TTL, show_spinner="正在计算生存曲线……")
def _km(url: str, filters: Filters, as_of: dt.date, _board: Dashboard) -> dict:
    from metrics.engine.survival import km_tables

    windows_ = _board.phase_windows(as_of)
    with _board.engine.connect() as conn:
        tables = km_tables(conn, _board.config, windows_, filters)
    return {w.key: t for w, t in zip(windows_, tables, strict=True)}


def km(board: Dashboard, filters: Filters, as_of: dt.date) -> dict:
    """Kaplan–Meier table of each phase's filing cohort: phase key → KMTable or None."""
    return _km(_key(board), filters, as_of, board)

# ---- several courts (法院对比) -------------------------------------------------------------------------------------

@st.cache_data(ttl=TTL, show_spinner=False)
def _court_names(url: str, _board: Dashboard) -> list[str]:
    from metrics.engine.courts import court_names

    with _board.engine.connect() as conn:
        return court_names(conn, _board.config)


def court_names(board: Dashboard) -> list[str]:
    """The courts in the database, in the configured (else 案号 code) order."""
    return _court_names(_key(board), board)


@st.cache_data(ttl=TTL, show_spinner="正在按法院计算……")
def _court_table(url: str, window: Window, last_year: Window, filters: Filters, _board: Dashboard) -> list:
    from metrics.engine.courts import court_table

    return court_table(_board.engine, _board.config, window, last_year, filters)


def court_table(board: Dashboard, window: Window, last_year: Window, filters: Filters) -> list:
    return _court_table(_key(board), window, last_year, filters, board)


@st.cache_data(ttl=TTL, show_spinner="正在统计交叉执行流向……")
def _court_flows(url: str, as_of: dt.date, start: dt.date | None, end: dt.date | None, filters: Filters,
                 _board: Dashboard) -> tuple[list, list]:
    from metrics.engine.courts import flows, reconciliation

    return (flows(_board.engine, _board.config, as_of, start, end, filters),
            reconciliation(_board.engine, _board.config, as_of))


def court_flows(board: Dashboard, as_of: dt.date, start: dt.date | None, end: dt.date | None,
                filters: Filters) -> tuple[list, list]:
    """(交出 → 承接 flows in the window, 对账 of every pair up to the as-of date)."""
    return _court_flows(_key(board), as_of, start, end, filters, board)
