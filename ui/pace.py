"""Widgets of 督办与预判 shared by 总览, 阶段对比 and 督办预警: the row of list counts and the 预判 table."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from metrics.engine.forecast import METHOD, METHOD_RECORDS, Projection, by_severity, notes
from metrics.engine.indicators import INDICATORS
from metrics.engine.watch import summary_counts
from metrics.present.format import NONE, format_number
from ui import data
from ui.frame import Frame, current_query

STATUS_CSS = {"likely": "status-met", "risk": "status-none", "unlikely": "status-missed"}


def watch_row(frame: Frame) -> None:
    """One row of counts (即将超审限 n, 超12个月 n, 委托逾期 n …), each linking to its list on 督办预警."""
    lists = data.watch_lists(frame.board, frame.filters, frame.as_of, rows=False)
    query = {k: v for k, v in current_query().items() if k != "projector"}
    chips = []
    for key, label, n in summary_counts(lists):
        href = "watch?" + urlencode({**query, "list": key}, doseq=True)
        css = "watch-chip watch-hot" if n and key != "key_cases" and key != "cross_taken" else "watch-chip"
        chips.append(f"<a class='{css}' data-watch='{key}' href='{href}' target='_self'>{html.escape(label)}"
                     f" <b>{n}</b></a>")
    st.html("<style>.watch-row{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:4px 0 10px}"
            ".watch-chip{border:1px solid #d0d0d0;border-radius:16px;padding:3px 12px;text-decoration:none;"
            "color:#333;background:#fafafa;font-size:0.95em}.watch-chip b{font-size:1.1em}"
            ".watch-hot{border-color:#c62828;color:#b71c1c;background:#fff5f5}"
            ".watch-title{font-weight:600;margin-right:6px}</style>"
            f"<div class='watch-row'><span class='watch-title'>督办预警（统计日 {frame.as_of:%Y-%m-%d}）</span>"
            + "".join(chips) + "</div>")


def _range(p: Projection) -> str:
    if p.low is None:
        return NONE
    return f"{format_number(p.key, p.low)}～{format_number(p.key, p.high)}"


def forecast_frame(projections: list[Projection]) -> pd.DataFrame:
    return pd.DataFrame([{
        "指标": INDICATORS[p.key].name,
        "预判": p.status_text,
        "截至统计日": format_number(p.key, p.so_far),
        "预计阶段末": format_number(p.key, p.projected),
        "区间(95%)": _range(p),
        "目标": format_number(p.key, p.target) if p.target is not None else NONE,
    } for p in projections])


def forecast_cards(frame: Frame, projections: list[Projection]) -> None:
    """投影模式: the projections as cards (large type), the six most at risk (难以达标 first)."""
    shown = by_severity([p for p in projections if not p.note])
    rest = shown[6:]
    projections = shown[:6]
    cards = "".join(
        f"<div class='kpi' data-forecast='{p.key}'><div class='kpi-head'><span class='kpi-label'>"
        f"{html.escape(INDICATORS[p.key].name)}</span><span class='kpi-status {STATUS_CSS.get(p.status, '')}'>"
        f"{p.status_text}</span></div><div class='kpi-value'>{format_number(p.key, p.projected)}</div>"
        f"<div class='kpi-delta'>区间 {_range(p)} · 目标 {format_number(p.key, p.target)}</div></div>"
        for p in projections)
    st.html(f"<div class='kpi-grid' style='grid-template-columns: repeat(auto-fit, minmax(420px, 1fr))'>{cards}</div>")
    if rest:
        counts = {}
        for p in rest:
            counts[p.status_text] = counts.get(p.status_text, 0) + 1
        st.html("<div class='kpi-delta'>另有" + "、".join(f"{k}{v}项" for k, v in counts.items())
                + "（见非投影模式的预判表）</div>")


def forecast_section(frame: Frame, phase_key: str, *, title: bool = True) -> bool:
    """预判 of one phase if it has begun and not ended at the 统计日; False (nothing drawn) otherwise."""
    projections = data.projections(frame.board, frame.filters, frame.as_of).get(phase_key)
    if not projections:
        return False
    p0 = projections[0]
    name = frame.config.phase(phase_key).name
    if title:
        st.html(f"<div class='kpi-group-title'>{html.escape(name)}：预判（阶段末 {p0.phase_end:%Y-%m-%d}，"
                f"尚余 {p0.days_left} 天）</div>")
    if frame.projector:
        forecast_cards(frame, projections)
        return True
    from ui import widgets

    # every row visible (no scrolling inside the table); 预判 second, so a narrow screen cuts the range, not it
    widgets.table(frame, forecast_frame(projections), f"预判_{name}", height=38 + 35 * len(projections))
    reasons = notes(projections)
    if reasons:
        st.caption("；".join(reasons) + "。")
    with st.expander("预判方法"):
        st.caption(METHOD)
        st.caption(METHOD_RECORDS)
    return True
