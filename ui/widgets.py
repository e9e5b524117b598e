"""Display widgets: KPI cards with 口径 on hover and a link to the cases, charts and tables with their downloads."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine.compare import Change, Row, target_of, year_on_year_only
from metrics.engine.indicators import INDICATORS
from metrics.present.format import (
    NONE,
    format_change,
    format_number,
    format_part,
    format_value,
    status_text,
)
from metrics.present.report import small_verdict
from ui import auth
from ui.frame import Frame, current_query


def drill_href(key: str, window: str, extra: dict | None = None) -> str:
    """A link to 案件明细 for one indicator and window, keeping the current filters."""
    query = {**current_query(), "ind": key, "win": window, **(extra or {})}
    query.pop("projector", None)
    return "cases?" + urlencode(query, doseq=True)


STOCKS = ("pending_end", "pending_over_12m", "pending_over_12m_share")


def counted_at(frame: Frame, row: Row) -> str:
    """A stock is counted on one day (the phase's last observed day): say which."""
    from ui import data

    window = data.phases(frame.board, frame.filters, frame.as_of)[row.phase].window
    return "" if window.empty else f"截至{window.end:%Y-%m-%d}"


def hover_text(frame: Frame, row: Row) -> str:
    ind = INDICATORS[row.key]
    v = row.value
    lines = [ind.definition(), f"统计期间：{frame.config.phase(row.phase).name}，截至 {frame.as_of:%Y-%m-%d}"]
    if ind.kind != "count":
        lines.append(f"分子：{format_part(row.key, v.numerator, 'numerator')}；"
                     f"分母：{format_part(row.key, v.denominator, 'denominator')}")
    if v.provisional:
        lines.append("暂定值：观察期尚未届满，数值还会变化。")
    return "\n".join(lines)


def uncertain_note(ch: Change) -> str:
    """The qualifier of a change, in words a meeting reads: 误差内 (a stated test) or 样本小 (no test)."""
    return "误差内" if ch.reason == "差异在统计误差内" else "样本小" if ch.reason == "样本较小" else "仅供参考"


def delta_html(label: str, ch: Change, css_prefix: str = "kpi") -> str:
    """One change line. A change within noise is drawn neutral, its note as large as the change itself."""
    text = format_change(ch)
    if ch.delta is None:
        return f"<div class='{css_prefix}-delta'>{label} <span class='neutral'>{html.escape(text)}</span></div>"
    css = "neutral uncertain" if ch.uncertain else (ch.verdict or "neutral")
    note = f"<span class='uncertain-note'>（{uncertain_note(ch)}）</span>" if ch.uncertain else ""
    return f"<div class='{css_prefix}-delta'>{label} <span class='{css}'>{html.escape(text)}</span>{note}</div>"


def _parts_text(row: Row) -> str:
    ind = INDICATORS[row.key]
    v = row.value
    if ind.kind == "count":
        return ""
    if ind.kind == "median":
        return f"结案 {format_part(row.key, v.denominator, 'denominator')} · "
    return (f"分子 {format_part(row.key, v.numerator, 'numerator')} / "
            f"分母 {format_part(row.key, v.denominator, 'denominator')} · ")


def status_badge(frame: Frame, row: Row) -> str:
    """达标/未达标 with the target; 数据异常 linking to the data; 全院口径 under a case filter; 暂无数据."""
    t = target_of(frame.config, row.key)
    text = status_text(row, t.target is not None)
    if row.anomaly:
        return (f"<a class='kpi-status status-anomaly' href='{drill_href(row.key, row.phase)}' target='_self' "
                f"title='数值超出可能范围，请核对数据'>{text} ›</a>")
    if row.court_wide:
        return (f"<span class='kpi-status status-wide' title='不随团队、承办人、标签、交叉执行角色筛选'>"
                f"{text}</span>")
    css = {"met": "status-met", "missed": "status-missed"}.get(row.status, "status-none")
    if t.target is not None:
        text += f"（目标{format_number(row.key, t.target)}）"
    badge = f"<span class='kpi-status {css}'>{html.escape(text)}</span>"
    if small_verdict(row) and row.status in ("met", "missed"):
        # A 达标 on four auctions is a weak verdict: the badge says so itself (the card's foot is hidden in
        # 投影模式), as large as the badge.
        badge += (f"<span class='kpi-status status-small' title='分母少于{frame.config.parameters.small_denominator}"
                  f"件，达标与否受个别案件影响大'>样本较小</span>")
    return badge


def kpi_card(frame: Frame, row: Row) -> str:
    ind = INDICATORS[row.key]
    value = format_number(row.key, row.value.value)
    prov = "<span class='kpi-prov'>暂定</span>" if row.value.provisional and row.value.value is not None else ""
    # With a target verdict the badge carries 样本较小 already.
    small = ("<span class='small-flag'>样本较小 · </span>"
             if row.small and row.status not in ("met", "missed") else "")
    href = drill_href(row.key, row.phase)
    label = html.escape(ind.name)
    if row.key in STOCKS and (at := counted_at(frame, row)):
        label += f"<span class='kpi-at'>（{at}）</span>"
    baseline = frame.config.phase(row.phase).baseline
    if year_on_year_only(row.key):
        deltas = (delta_html("较上年同期", row.vs_last_year)
                  + "<div class='kpi-delta kpi-why'>受理口径随期间长短变化，只与上年同期比较</div>")
    elif baseline:
        deltas = delta_html("较上年同期", row.vs_last_year)
    else:
        deltas = delta_html("较基线期", row.vs_baseline) + delta_html("较上年同期", row.vs_last_year)
    value_css = "kpi-value anomaly" if row.anomaly else "kpi-value"
    definition = html.escape(hover_text(frame, row)).replace("\n", "<br>")
    return (
        f"<div class='kpi' title='{html.escape(hover_text(frame, row), quote=True)}' data-indicator='{row.key}'>"
        f"<div class='kpi-head'><span class='kpi-label'>{label}</span>{status_badge(frame, row)}</div>"
        f"<div class='{value_css}' data-value='{row.value.value if row.value.value is not None else ''}'>"
        f"{html.escape(value)}{prov}</div>"
        + deltas
        + f"<div class='kpi-foot'>{small}{html.escape(_parts_text(row))}"
        f"<a href='{href}' target='_self'>查看案件 ›</a>"
        f"<details class='kpi-def'><summary>ⓘ 口径</summary><div>{definition}</div></details></div></div>"
    )


def kpi_grid(frame: Frame, rows: list[Row], columns: int = 3) -> None:
    """Cards in a grid that wraps by the screen's width (1920, 1024 or a projector) rather than fixed columns."""
    cards = "".join(kpi_card(frame, row) for row in rows)
    if frame.projector:
        # Fixed columns per card count (projector.css): 4 cards 4 or 2×2, 5 cards 5 or 3+2 — never a row below
        # the fold at 1024×768.
        st.html(f"<div class='kpi-grid proj-n{min(len(rows), 5)}'>{cards}</div>")
        return
    width = max(210, 1100 // max(columns, 1))
    st.html(f"<div class='kpi-grid' style='grid-template-columns: repeat(auto-fit, minmax({width}px, 1fr))'>"
            f"{cards}</div>")


COMPOSED = ("concat", "hconcat", "vconcat", "facet", "repeat")


def chart(frame: Frame, chart_: alt.TopLevelMixin, name: str) -> None:
    """Draw a chart; below it, PNG/SVG/PDF downloads rendered on the server with the bundled font."""
    if frame.projector:
        # A slide's chart takes the height left under the page controls (projector.css makes the slide a
        # column as tall as the screen): drawn for the room at 1920×1080 and at 1024×768 alike, never zoomed.
        # A chart measured in steps, and a composed one (small multiples), keep their own height.
        spec = chart_.to_dict()
        fixed = isinstance(spec.get("height"), dict) or any(k in spec for k in COMPOSED)
        st.altair_chart(chart_, width="stretch", height="content" if fixed else "stretch")
        return
    st.altair_chart(chart_, width="stretch")
    if not may_export(frame):
        return
    from metrics.present import export

    spec = chart_.to_dict()
    # Court, phase and 统计日 in the file name: a week of downloads neither overwrite nor confuse each other.
    name = f"{frame.config.court_name}_{name}_{frame.phase_name}_统计日{frame.as_of:%Y%m%d}"
    row = st.container(horizontal=True, gap="small")
    for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf")):
        data = auth.audited(frame.board.engine, fmt.upper(), f"{name}.{fmt}", None,
                            lambda f=fmt: export.render_chart(spec, f))
        row.download_button(fmt.upper(), data=data, file_name=f"{name}.{fmt}",
                            mime=mime, key=f"dl_{name}_{fmt}", on_click="ignore", icon=":material/download:",
                            width="content")


def may_export(frame: Frame) -> bool:
    """Downloads only for a role with the export right (no login: everyone)."""
    return frame.access is None or frame.access.may("export")


# Excel number format → (format on screen, factor from the stored number to the shown one).
SCREEN_FORMATS = {
    "0.0%": ("%.1f%%", 100),
    '0.0"天"': ("%.1f天", 1),
    '#,##0"件"': ("%d件", 1),
    '#,##0.00"万元"': ("%.2f万元", 1),
}


def table(frame: Frame, df: pd.DataFrame, name: str, *, height: int | str = "auto",
          formats: dict[str, str] | None = None, exportable: bool | None = None, **kwargs):
    """Draw a table; below it, CSV (UTF-8 with BOM) and XLSX downloads with formula injection neutralised.

    Returns what st.dataframe returns (the selection, when the table is selectable).
    `formats` names numeric columns and their Excel number format (0.0%, 0.0"天", #,##0"件", #,##0.00"万元"): the
    app shows and sorts them as numbers, the XLSX stores them as numbers in that format.
    Downloads are offered when the role may export (or `exportable` says so) and are written to the audit log.
    """
    if df.empty:
        st.info("没有符合条件的记录。")
        return None
    kwargs.setdefault("placeholder", "—")  # a blank cell, not "None"
    shown = df
    if formats:
        shown = df.copy()
        config = dict(kwargs.get("column_config") or {})
        for col, fmt in formats.items():
            screen, factor = SCREEN_FORMATS.get(fmt, ("%.2f", 1))
            shown[col] = pd.to_numeric(shown[col], errors="coerce") * factor
            existing = config.get(col)
            help_text = existing.get("help") if isinstance(existing, dict) else None
            config[col] = st.column_config.NumberColumn(col, format=screen, help=help_text)
        kwargs["column_config"] = config
    event = st.dataframe(shown, hide_index=True, height=height, **kwargs)
    if frame.projector or not (may_export(frame) if exportable is None else exportable):
        return event
    from metrics.present import export

    title = f"{frame.config.court_name} {name}（统计日 {frame.as_of:%Y-%m-%d}）"
    cols = st.container(horizontal=True, gap="small")
    engine = frame.board.engine
    cols.download_button("CSV", data=auth.audited(engine, "CSV", f"{name}.csv", len(df),
                                                  lambda: export.table_csv(df, sample=frame.sample,
                                                                           formats=formats)),
                         file_name=f"{name}.csv", mime="text/csv", key=f"dl_{name}_csv", on_click="ignore",
                         icon=":material/download:")
    cols.download_button("XLSX", data=auth.audited(engine, "XLSX", f"{name}.xlsx", len(df),
                                                   lambda: export.table_xlsx(df, title=title, sample=frame.sample,
                                                                             formats=formats)),
                         file_name=f"{name}.xlsx", key=f"dl_{name}_xlsx", on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:")
    return event


def excel_format(key: str) -> str:
    """The Excel number format of an indicator's values."""
    unit = INDICATORS[key].unit
    return {"rate": "0.0%", "ratio": "0.0%", "days": '0.0"天"', "money": '#,##0.00"万元"'}.get(unit, '#,##0"件"')


def comparison_frame(frame: Frame, rows: list[Row]) -> pd.DataFrame:
    """Indicator × phase table of values, Δ vs baseline, Δ 同比 and target status, as text."""
    out = []
    for r in rows:
        ind = INDICATORS[r.key]
        t = target_of(frame.config, r.key)
        out.append({
            "指标": ind.name,
            "阶段": frame.config.phase(r.phase).name,
            "数值": format_value(r.value),
            "分子": format_part(r.key, r.value.numerator, "numerator") if ind.kind != "count" else NONE,
            "分母": format_part(r.key, r.value.denominator, "denominator") if ind.kind != "count" else NONE,
            "较基线期": format_change(r.vs_baseline),
            "较上年同期": format_change(r.vs_last_year),
            "目标": format_number(r.key, t.target) if t.target is not None else NONE,
            "达标情况": status_text(r, t.target is not None),
            "样本": "样本较小" if small_verdict(r) else "",
        })
    return pd.DataFrame(out)


def heading(frame: Frame, text: str, caption: str | None = None) -> None:
    """A section heading with an optional note; 投影模式 leaves both out (the slide title says it)."""
    if not frame.projector:
        st.subheader(text)
        if caption:
            st.caption(caption)
