"""Display widgets: KPI cards with 口径 on hover and a link to the cases, charts and tables with their downloads."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine.compare import Row, target_of
from metrics.engine.indicators import INDICATORS
from metrics.present.format import NONE, STATUS_TEXT, format_change, format_number, format_part, format_value
from ui import auth
from ui.frame import Frame, current_query


def drill_href(key: str, window: str, extra: dict | None = None) -> str:
    """A link to 案件明细 for one indicator and window, keeping the current filters."""
    query = {**current_query(), "ind": key, "win": window, **(extra or {})}
    query.pop("projector", None)
    return "cases?" + urlencode(query, doseq=True)


def hover_text(frame: Frame, row: Row) -> str:
    ind = INDICATORS[row.key]
    v = row.value
    lines = [ind.definition(), f"窗口：{frame.config.phase(row.phase).name}，截至 {frame.as_of:%Y-%m-%d}"]
    if ind.kind != "count":
        lines.append(f"分子：{format_part(row.key, v.numerator, 'numerator')}；"
                     f"分母：{format_part(row.key, v.denominator, 'denominator')}")
    if v.provisional:
        lines.append("暂定值：观察期尚未届满，数值还会变化。")
    return "\n".join(lines)


def _delta_html(label: str, ch) -> str:
    text = format_change(ch)
    css = ch.verdict or "neutral"
    note = ""
    if ch.delta is not None and ch.uncertain:
        note = f"<span class='uncertain'>（{html.escape(ch.reason or '差异不显著')}）</span>"
    return f"<div class='kpi-delta'>{label} <span class='{css}'>{html.escape(text)}</span>{note}</div>"


def _parts_text(row: Row) -> str:
    ind = INDICATORS[row.key]
    v = row.value
    if ind.kind == "count":
        return ""
    if ind.kind == "median":
        return f"结案 {format_part(row.key, v.denominator, 'denominator')} · "
    return (f"分子 {format_part(row.key, v.numerator, 'numerator')} / "
            f"分母 {format_part(row.key, v.denominator, 'denominator')} · ")


def kpi_card(frame: Frame, row: Row) -> str:
    ind = INDICATORS[row.key]
    t = target_of(frame.config, row.key)
    status_css = {"met": "status-met", "missed": "status-missed"}.get(row.status, "status-none")
    status = STATUS_TEXT[row.status]
    if t.target is not None:
        status += f"（目标{format_number(row.key, t.target)}）"
    value = format_number(row.key, row.value.value)
    prov = "<span class='kpi-prov'>暂定</span>" if row.value.provisional and row.value.value is not None else ""
    small = "<span class='small-flag'>样本较小 · </span>" if row.small else ""
    href = drill_href(row.key, row.phase)
    return (
        f"<div class='kpi' title='{html.escape(hover_text(frame, row), quote=True)}' data-indicator='{row.key}'>"
        f"<div class='kpi-head'><span class='kpi-label'>{html.escape(ind.name)}</span>"
        f"<span class='kpi-status {status_css}'>{html.escape(status)}</span></div>"
        f"<div class='kpi-value' data-value='{row.value.value if row.value.value is not None else ''}'>"
        f"{html.escape(value)}{prov}</div>"
        + _delta_html("较基线期", row.vs_baseline) + _delta_html("较上年同期", row.vs_last_year)
        + f"<div class='kpi-foot'>{small}{html.escape(_parts_text(row))}"
        f"<a href='{href}' target='_self'>查看案件 ›</a></div></div>"
    )


def kpi_grid(frame: Frame, rows: list[Row], columns: int = 3) -> None:
    """Cards in a grid that wraps by the screen's width (1920, 1024 or a projector) rather than fixed columns."""
    width = 420 if frame.projector else max(210, 1100 // max(columns, 1))
    cards = "".join(kpi_card(frame, row) for row in rows)
    st.html(f"<div class='kpi-grid' style='grid-template-columns: repeat(auto-fit, minmax({width}px, 1fr))'>"
            f"{cards}</div>")


def chart(frame: Frame, chart_: alt.TopLevelMixin, name: str) -> None:
    """Draw a chart; below it, PNG/SVG/PDF downloads rendered on the server with the bundled font."""
    st.altair_chart(chart_, width="stretch")
    if frame.projector or not may_export(frame):
        return
    from metrics.present import export

    spec = chart_.to_dict()
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


def table(frame: Frame, df: pd.DataFrame, name: str, *, height: int | str = "auto", exportable: bool | None = None,
          **kwargs) -> None:
    """Draw a table; below it, CSV (UTF-8 with BOM) and XLSX downloads with formula injection neutralised.

    Downloads are offered when the role may export (or `exportable` says so) and are written to the audit log."""
    if df.empty:
        st.info("没有符合条件的记录。")
        return
    kwargs.setdefault("placeholder", "—")  # a blank cell, not "None"
    st.dataframe(df, hide_index=True, height=height, **kwargs)
    if frame.projector or not (may_export(frame) if exportable is None else exportable):
        return
    from metrics.present import export

    title = f"{frame.config.court_name} {name}（统计日 {frame.as_of:%Y-%m-%d}）"
    cols = st.container(horizontal=True, gap="small")
    engine = frame.board.engine
    cols.download_button("CSV", data=auth.audited(engine, "CSV", f"{name}.csv", len(df),
                                                  lambda: export.table_csv(df, sample=frame.sample)),
                         file_name=f"{name}.csv", mime="text/csv", key=f"dl_{name}_csv", on_click="ignore",
                         icon=":material/download:")
    cols.download_button("XLSX", data=auth.audited(engine, "XLSX", f"{name}.xlsx", len(df),
                                                   lambda: export.table_xlsx(df, title=title, sample=frame.sample)),
                         file_name=f"{name}.xlsx", key=f"dl_{name}_xlsx", on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:")


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
            "达标情况": STATUS_TEXT[r.status],
            "样本": "样本较小" if r.small else "",
        })
    return pd.DataFrame(out)


def heading(frame: Frame, text: str, caption: str | None = None) -> None:
    """A section heading with an optional note; 投影模式 leaves both out (the slide title says it)."""
    if not frame.projector:
        st.subheader(text)
        if caption:
            st.caption(caption)
