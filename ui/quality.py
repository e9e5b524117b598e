"""数据质量 section: per-table rows, 数据截至, date range and column fill; the data checks with links to their rows.

`render_quality(frame)` draws the whole section on any page (the 数据管理 page calls it); `quality_slides(frame)`
gives the same parts as slides for a page that pages through them in 投影模式. `render_check_rows(frame, key)` is
the drill view that 案件明细 shows for `/cases?dq=<check key>`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from metrics.engine.db import data_version
from metrics.engine.service import Dashboard
from metrics.ingest.quality import (
    CHECK_BY_KEY,
    CHECKS,
    CheckResult,
    TableProfile,
    check_members,
    profile,
    run_check,
    run_checks,
)
from ui import auth, widgets
from ui.data import guarded
from ui.frame import Frame, current_query
from ui.safe import md

CSS = (Path(__file__).parent / "quality.css").read_text(encoding="utf-8")
TTL = 600
ROW_LIMIT = 10_000  # rows listed behind one check; the count above the list is always the full one


@st.cache_data(ttl=TTL, show_spinner="正在检查数据质量……")
def _quality(url: str, version: str, today: dt.date, _board: Dashboard) -> tuple[list[TableProfile],
                                                                                  list[CheckResult]]:
    return profile(_board.engine), run_checks(_board.engine, _board.config, today)


@guarded  # a lost database is the Chinese message of ui/data.py, not a traceback
def quality(board: Dashboard) -> tuple[list[TableProfile], list[CheckResult]]:
    """Profiles and check counts of the whole database, recomputed when an import changes the data version."""
    return _quality(str(board.engine.url), data_version(board.engine), dt.date.today(), board)


@st.cache_data(ttl=TTL, show_spinner=False)
def _check_count(url: str, version: str, today: dt.date, key: str, _board: Dashboard) -> CheckResult:
    return run_check(_board.engine, _board.config, key, today)


@st.cache_data(ttl=TTL, show_spinner="正在查询……")
def _check_rows(url: str, version: str, today: dt.date, key: str, _board: Dashboard) -> pd.DataFrame:
    headers, rows = check_members(_board.engine, _board.config, key, limit=ROW_LIMIT, today=today)
    return pd.DataFrame(rows, columns=headers)


def check_href(key: str) -> str:
    """The rows behind one check on 案件明细, keeping the current filters (投影模式 is left, as for every drill)."""
    query = {**current_query(), "dq": key}
    query.pop("projector", None)
    return "cases?" + urlencode(query, doseq=True)


def _style(frame: Frame) -> str:
    return " dq-proj" if frame.projector else ""


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _card(p: TableProfile) -> str:
    if not p.rows:
        lines = "<div class='dq-line dq-empty'>暂无数据</div>"
    else:
        until = f"{p.data_until:%Y-%m-%d}" if p.data_until else "—"
        span = (f"<span class='dq-date'>{p.first:%Y-%m-%d}</span> 至 <span class='dq-date'>{p.last:%Y-%m-%d}</span>"
                if p.first else "未填写")
        lines = (f"<div class='dq-line'>数据截至 <b data-until='{until}'>{until}</b></div>"
                 f"<div class='dq-line'>{html.escape(p.date_column)} {span}</div>")
    return (f"<div class='kpi' data-table='{p.name}' title='{html.escape(p.summary(), quote=True)}'>"
            f"<div class='kpi-label'>{html.escape(p.chinese)}</div>"
            f"<div class='kpi-value' data-rows='{p.rows}'>{p.rows:,} 行</div>{lines}</div>")


def render_tables(frame: Frame, profiles: list[TableProfile]) -> None:
    width = 300 if frame.projector else 165  # three cards a row beside the sidebar at 1024 px
    st.html(f"<style>{CSS}</style>"
            f"<div class='kpi-grid dq-cards{_style(frame)}' "
            f"style='grid-template-columns: repeat(auto-fit, minmax({width}px, 1fr))'>"
            + "".join(_card(p) for p in profiles) + "</div>")


def fill_frame(p: TableProfile) -> pd.DataFrame:
    """字段 / 已填写行数 / 填写率 (%, a number), least filled first; an empty table has no rates."""
    df = pd.DataFrame([{"字段": c.header, "已填写行数": c.filled,
                        "填写率": None if c.share is None else round(c.share * 100, 1)} for c in p.columns])
    return df.sort_values("填写率", kind="stable", na_position="last").reset_index(drop=True)


def _fill_html(df: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r.字段)}</td><td class='num'>{r.已填写行数:,}</td><td class='num'>"
        + ("—" if pd.isna(r.填写率) else f"<span class='dq-bar' style='width:{r.填写率 * 0.8:.0f}px'></span>"
           f"{r.填写率:.1f}%")
        + "</td></tr>" for r in df.itertuples())
    return ("<table class='dq-table dq-fill'><tr><th>字段</th><th class='num'>已填写</th><th class='num'>填写率</th>"
            f"</tr>{rows}</table>")


def render_fill(frame: Frame, profiles: list[TableProfile]) -> None:
    """Per table, the share of rows with each column filled (non-empty), least filled first."""
    tabs = st.tabs([f"{p.chinese}（{p.rows:,}行）" for p in profiles])
    for tab, p in zip(tabs, profiles, strict=True):
        with tab:
            df = fill_frame(p)
            if not p.rows:
                st.info(f"{p.chinese}暂无数据，无从统计填写率。")
            elif frame.projector:  # the grid draws on a canvas that projector CSS cannot enlarge
                with st.container(key=f"proj_scroll_fill_{p.name}"):
                    st.html(f"<style>{CSS}</style><div class='{_style(frame).strip()}'>{_fill_html(df)}</div>")
            else:
                st.dataframe(df, hide_index=True, key=f"dq_fill_{p.name}", column_config={
                    "填写率": st.column_config.ProgressColumn("填写率", format="%.1f%%", min_value=0, max_value=100),
                    "已填写行数": st.column_config.NumberColumn(format="localized"),
                }, height=min(36 * (len(df) + 1) + 4, 440))


def _count_cell(r: CheckResult) -> str:
    css = "dq-ok" if r.count == 0 else "dq-bad"
    text = f"{r.count:,}"
    if r.base is not None:
        text += f"<div class='dq-of'>/ {r.base:,}（{_percent(r.share)}）</div>"
    return f"<td class='num {css}' data-check='{r.key}' data-count='{r.count}'>{text}</td>"


def checks_html(frame: Frame, results: list[CheckResult]) -> str:
    """The checks as a table, those that found something first (otherwise in the order of CHECKS)."""
    rows = []
    for r in sorted(results, key=lambda r: r.count == 0):
        base = f"（占{html.escape(r.base_label)}）" if r.base_label else ""
        link = (f"<a href='{html.escape(check_href(r.key), quote=True)}' target='_self'>查看案件 ›</a>"
                if r.count else "—")
        rows.append(
            f"<tr title='{html.escape(r.explanation, quote=True)}'>"
            f"<td><div class='dq-title'>{html.escape(r.title)}{base}</div>"
            f"<div class='dq-expl'>{html.escape(r.explanation)}</div></td>"
            f"<td class='dq-tab'>{html.escape(r.table_chinese)}</td>{_count_cell(r)}<td>{link}</td></tr>")
    return (f"<style>{CSS}</style><div class='{_style(frame).strip()}'><table class='dq-table dq-checks'>"
            "<tr><th>检查项</th><th>数据表</th><th class='num'>条数</th><th></th></tr>"
            + "".join(rows) + "</table></div>")


def render_checks(frame: Frame, results: list[CheckResult]) -> None:
    found = sum(1 for r in results if r.count)
    st.html(f"<style>{CSS}</style><div class='dq-note{_style(frame)}'>共 {len(results)} 项检查，"
            f"{found} 项发现问题。这些是导入时的提示在数据库上的重新核对，不阻止导入，但可能影响指标。</div>")
    if frame.projector:  # the list scrolls in the height left under the page controls (projector.css)
        with st.container(key="proj_scroll_checks", height="stretch"):
            st.html(checks_html(frame, results))
        return
    st.html(checks_html(frame, results))


def quality_slides(frame: Frame) -> list[tuple[str, Callable[[], None]]]:
    """The section as slides: 数据概况, 数据检查, 字段填写率 (for frame.slides in 投影模式)."""
    profiles, results = quality(frame.board)
    return [("数据概况", lambda: render_tables(frame, profiles)),
            ("数据检查", lambda: render_checks(frame, results)),
            ("字段填写率", lambda: render_fill(frame, profiles))]


def render_quality(frame: Frame) -> None:
    """The whole 数据质量 section, one part after another; whole database, not the sidebar filters."""
    widgets.heading(frame, "数据质量", "按整个数据库统计，不受左侧筛选条件和统计日影响；导入或撤销后自动更新。")
    for title, render in quality_slides(frame):
        if frame.projector:
            st.html(f"<div class='kpi-group-title'>{title}</div>")
        elif title != "数据概况":
            st.markdown(f"**{title}**")
        render()


@guarded
def render_check_rows(frame: Frame, key: str) -> None:
    """案件明细 for `?dq=<check key>`: the rows behind one check, masked, with CSV/XLSX; an unknown key is explained."""
    check = CHECK_BY_KEY.get(key)
    if check is None:
        st.warning(f"链接中的数据检查项“{md(key[:80])}”无法识别。可查看的检查项：")  # echoed literally (D5)
        st.html(f"<style>{CSS}</style><ul>" + "".join(
            f"<li><a href='{html.escape(check_href(c.key), quote=True)}' target='_self'>{html.escape(c.title)}</a>"
            "</li>" for c in CHECKS) + "</ul>")
        return
    result = _check_count(str(frame.board.engine.url), data_version(frame.board.engine), dt.date.today(), key,
                          frame.board)
    rows = _check_rows(str(frame.board.engine.url), data_version(frame.board.engine), dt.date.today(), key,
                       frame.board)
    auth.audit_check_rows(frame.board.engine, key, check.title, len(rows), result.count)
    st.html(f"<div class='kpi-group-title'>数据检查 · {html.escape(check.title)}</div>")
    st.caption(check.explanation)
    shown = f"，下表列出前 {len(rows):,} 条" if result.count > len(rows) else ""
    of = f"（{result.base_label} {result.base:,} 条）" if result.base is not None else ""
    st.caption(f"{result.table_chinese}中共 {result.count:,} 条{of}{shown}。"
               "按整个数据库检查，不受筛选条件和统计日影响；被执行人姓名已脱敏。")
    money = [c for c in rows.columns if c.endswith("(元)")]
    widgets.table(frame, rows.astype({c: float for c in money}), f"数据检查_{check.title}", height=520,
                  column_config={c: st.column_config.NumberColumn(format="%.2f") for c in money})
