"""阶段对比: every indicator with a direction, phase by phase, against baseline, 同比 and target; counts as 月均."""

import html

import pandas as pd
import streamlit as st

from metrics.engine.compare import Change, Row, case_count, change_unit, comparable, target_of, year_on_year_only
from metrics.engine.indicators import INDICATORS
from metrics.present.charts import phase_bars
from metrics.present.format import NONE, format_change, format_number, format_part, format_value, status_text
from metrics.present.report import small_verdict
from ui import data, pace, widgets
from ui.frame import setup

frame = setup("阶段对比")
config, board, filters, as_of = frame.config, frame.board, frame.filters, frame.as_of
results = data.phases(board, filters, as_of)
last_year = data.last_year(board, filters, as_of)
PHASES = config.phases

GROUPS = ("核心", "周期与积案", "财产处置", "交叉执行")
DIRECTED = [k for k in INDICATORS if target_of(config, k).direction in ("higher", "lower")]
GROUPED: dict[str, list[str]] = {g: [] for g in GROUPS}
for key in DIRECTED:  # a direction configured in config.yaml for an indicator of another group shows too
    GROUPED.setdefault(INDICATORS[key].group or "其他", []).append(key)
GROUPED = {g: keys for g, keys in GROUPED.items() if keys}
# Flows (新收, 结案, 移送, 强制措施 …) are compared per month, as compare.comparable does; stocks are not.
PER_MONTH = [k for k, ind in INDICATORS.items() if change_unit(ind).endswith("/月")]
FLOW_GROUPS: dict[str, list[str]] = {}
for key in PER_MONTH:
    FLOW_GROUPS.setdefault(INDICATORS[key].group or "其他", []).append(key)
ROWS: dict[tuple[str, str], Row] = {
    (r.key, p.key): r for p in PHASES for r in data.comparison(board, filters, as_of, p.key, (*DIRECTED, *PER_MONTH))}

MATRIX_CSS = """<style>
.pm { border-collapse: collapse; width: 100%; font-size: .9rem; }
.pm th, .pm td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; vertical-align: top; text-align: left; }
.pm thead th { background: #F3F4F6; font-weight: 700; border-bottom: 2px solid #999; }
.pm thead th .pm-win { display: block; font-weight: 400; font-size: .75rem; color: #555; }
.pm .pm-name { font-weight: 600; width: 15%; }
.pm td.pm-current { background: #FFF8F6; }
.pm .pm-value { font-size: 1.15rem; font-weight: 700; }
.pm .pm-value a { color: #111; text-decoration: none; border-bottom: 1px dotted #0D47A1; }
.pm .pm-delta { font-size: .8rem; color: #333; }
/* "+17.4百分点", "（误差内）", "3.3人次/月" are never broken inside (at 1024 beside the sidebar). */
.pm:not(.pm-projector) .pm-delta > span, .pm:not(.pm-projector) .pm-value a { white-space: nowrap; }
@media (max-width: 1200px) { .pm .pm-value { font-size: 1rem; } .pm th, .pm td { padding: .3rem .3rem; } }
.pm .better { color: #1B5E20; font-weight: 700; }
.pm .worse { color: #B71C1C; font-weight: 700; }
.pm .same, .pm .neutral { color: #555; font-weight: 700; }
.pm .pm-uncertain { color: #5D4037; }
.pm .uncertain-note { font-size: 1em; }
.pm .pm-anomaly { color: #6A1B9A; border: 1px solid #6A1B9A; text-decoration: none; }
.pm .pm-wide { color: #0D47A1; border: 1px solid #0D47A1; }
.pm .pm-tag { display: inline-block; font-size: .72rem; font-weight: 400; border-radius: 3px; padding: 0 4px;
  margin: 1px 3px 0 0; vertical-align: middle; }
.pm .pm-met { color: #1B5E20; border: 1px solid #1B5E20; }
.pm .pm-none { color: #555; border: 1px solid #999; }
.pm .pm-missed { color: #B71C1C; border: 1px solid #B71C1C; }
.pm .pm-small { color: #8D6E63; border: 1px dashed #8D6E63; }
.pm.pm-projector { font-size: 1.25rem; }
.pm.pm-projector .pm-value { font-size: 2.1rem; }
.pm.pm-projector .pm-delta { font-size: 1.1rem; }
.pm.pm-projector .pm-tag { font-size: 1rem; }
.pm.pm-projector .pm-value { white-space: nowrap; }
.pm.pm-projector th, .pm.pm-projector td { border-bottom: 2px solid #222; padding: .5rem .7rem; }
.pm.pm-projector { table-layout: fixed; }
.pm.pm-projector .pm-name { width: 13%; word-break: keep-all; }
.pm.pm-projector .pm-tag { display: inline-block; white-space: nowrap; }
/* 样本较小 beside 达标 would run into the next column: on its own line under the value. */
.pm.pm-projector .pm-value .pm-tag.pm-small { display: block; width: fit-content; margin-top: .15rem; }
@media (max-width: 1200px) {
  .pm.pm-projector { font-size: .8rem; }
  .pm.pm-projector .pm-name { width: 6.5em; }
  .pm.pm-projector .pm-value { font-size: 1.35rem; }
  .pm.pm-projector .pm-value .pm-tag { display: block; width: fit-content; }
  .pm.pm-projector .pm-delta { font-size: .85rem; }
  .pm.pm-projector .pm-tag { font-size: .8rem; }
  .pm.pm-projector th, .pm.pm-projector td { padding: .25rem .3rem; }
  .pm.pm-projector thead th .pm-win { font-size: .7rem; }
}
</style>"""


def per_month_text(row: Row) -> str:
    """月均 of a flow, in the unit compare reports changes in (件/月, 人次/月, 万元/月)."""
    ind, result = INDICATORS[row.key], results[row.phase]
    x = comparable(ind, row.value, result)
    if x is None:
        return NONE
    unit = change_unit(ind)
    return f"{x / 10000:,.2f}{unit}" if ind.unit == "money" else f"{x:,.1f}{unit}"


def delta_html(label: str, ch: Change) -> str:
    return widgets.delta_html(label, ch, "pm")


def fair_vs_last_year(key: str) -> bool:
    """Flows (compared per month, seasonal) and 受理口径 rates (旧存+新收, grow with the window): 同比 is fair."""
    return key in PER_MONTH or year_on_year_only(key)


def status_tag(row: Row) -> str:
    """达标/未达标; 数据异常 (a link to the records) for an impossible value; 全院口径 under a case filter."""
    has_target = target_of(config, row.key).target is not None
    text = status_text(row, has_target)
    if row.anomaly:
        return (f"<a class='pm-tag pm-anomaly' href='{widgets.drill_href(row.key, row.phase)}' target='_self' "
                f"title='数值超出可能范围，请核对数据'>{text} ›</a>")
    if row.court_wide:
        return f"<span class='pm-tag pm-wide' title='不随团队、承办人、标签筛选'>{text}</span>"
    if row.status in ("met", "missed"):
        return f"<span class='pm-tag pm-{row.status}'>{text}</span>"
    return ""


def cell_html(row: Row, per_month: bool) -> str:
    p = config.phase(row.phase)
    window = results[row.phase].window
    if window.empty:
        return "<td><div class='pm-value'>—</div><div class='pm-delta'>尚未开始</div></td>"
    text = per_month_text(row) if per_month else format_value(row.value)
    title = widgets.hover_text(frame, row)
    if per_month:
        title += f"\n月均 = 合计 {format_number(row.key, row.value.value)} ÷ {window.months:.2f}个月"
    value = (f"<a href='{widgets.drill_href(row.key, row.phase)}' target='_self' "
             f"title='{html.escape(title, quote=True)}'>{html.escape(text)}</a>")
    tags = [t for t in (status_tag(row),) if t]
    if small_verdict(row):
        tags.append(f"<span class='pm-tag pm-small'>样本较小{small_n(row)}</span>")
    if frame.projector:
        # One line of change per cell: the comparison that is fair for this indicator.
        if p.baseline:
            change = "<div class='pm-delta'>比较基准</div>"
        elif fair_vs_last_year(row.key):
            change = delta_html("同比", row.vs_last_year)
        else:
            change = delta_html("较基线", row.vs_baseline)
        parts = [f"<div class='pm-value'>{value} {''.join(tags)}</div>", change]
    else:
        parts = [f"<div class='pm-value'>{value}</div>"]
        if per_month:
            parts.append(f"<div class='pm-delta'>合计 {html.escape(format_number(row.key, row.value.value))}</div>")
        if not p.baseline and not year_on_year_only(row.key):
            parts.append(delta_html("较基线", row.vs_baseline))
        parts.append(delta_html("同比", row.vs_last_year))
        if row.key == "zhongben_qualified_rate":  # SPEC: show the review coverage beside it
            m = results[row.phase].measures
            parts.append(f"<div class='pm-delta'>已评查 {m['zhongben_reviewed']} / 终本 {m['zhongben']} 件</div>")
        if not p.baseline and year_on_year_only(row.key):
            parts.append("<div class='pm-delta pm-uncertain'>受理口径，只与上年同期比较</div>")
        if tags:
            parts.append("<div>" + "".join(tags) + "</div>")
    current = " class='pm-current'" if row.phase == frame.phase else ""
    return f"<td{current}>{''.join(parts)}</td>"


def small_n(row: Row) -> str:
    n = case_count(results[row.phase], row.key)
    return f"（{n}件）" if n is not None else ""


def matrix(keys: list[str], *, per_month: bool = False) -> None:
    """Indicator × phase: each cell the value (a link to its cases), Δ vs baseline, Δ 同比, target, sample."""
    head = "".join(f"<th>{html.escape(p.name)}<span class='pm-win'>{window_text(p.key)}</span></th>"
                   for p in PHASES)
    body = []
    for key in keys:
        ind = INDICATORS[key]
        t = target_of(config, key)
        target = f"<div class='pm-delta'>目标 {format_number(key, t.target)}</div>" if t.target is not None else ""
        name = (f"<th class='pm-name' title='{html.escape(ind.definition(), quote=True)}'>{html.escape(ind.name)}"
                f"{target}</th>")
        body.append("<tr>" + name + "".join(cell_html(ROWS[(key, p.key)], per_month) for p in PHASES) + "</tr>")
    css = "pm pm-projector" if frame.projector else "pm"
    st.html(f"{MATRIX_CSS}<table class='{css}'><thead><tr><th>指标</th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def window_text(phase_key: str) -> str:
    w = results[phase_key].window
    if w.empty:
        return "尚未开始"
    return f"{w.start:%Y-%m-%d}至{w.end:%Y-%m-%d}" + ("（截至统计日）" if w.clamped else "")


def detail_frame(keys: list[str], *, per_month: bool = False) -> pd.DataFrame:
    """The matrix as a long, exportable table, one row per indicator and phase, with a link to the cases."""
    out = []
    for key in keys:
        ind = INDICATORS[key]
        t = target_of(config, key)
        for p in PHASES:
            r = ROWS[(key, p.key)]
            window = results[p.key].window
            rec = {"指标": ind.name, "阶段": p.name, "统计期间": window_text(p.key)}
            if per_month:
                rec |= {"合计": format_value(r.value), "月数": None if window.empty else round(window.months, 2),
                        "月均": per_month_text(r)}
            else:
                rec |= {"数值": format_value(r.value),
                        "分子": format_part(key, r.value.numerator, "numerator"),
                        "分母": format_part(key, r.value.denominator, "denominator"),
                        "目标": format_number(key, t.target) if t.target is not None else NONE,
                        "达标情况": status_text(r, t.target is not None)}
            rec |= {"较基线期": NONE if p.baseline else change_text(r.vs_baseline),
                    "较上年同期": change_text(r.vs_last_year)}
            if not per_month:
                rec["样本"] = f"样本较小{small_n(r)}" if small_verdict(r) else ""
            rec["案件明细"] = None if window.empty else widgets.drill_href(key, p.key)
            out.append(rec)
    return pd.DataFrame(out)


def change_text(ch: Change) -> str:
    text = format_change(ch)
    return text + f"（{widgets.uncertain_note(ch)}）" if ch.uncertain and ch.delta is not None else text


LINK = {"案件明细": st.column_config.LinkColumn("案件明细", display_text="查看案件 ›",
                                                help="打开案件明细页，列出构成该数值的案件或记录")}


def group_section(group: str, keys: list[str], title: str | None = None) -> None:
    st.subheader(title or f"{group}指标")
    matrix(keys)
    if not frame.projector:
        with st.expander(f"{group}指标明细表（分子、分母、变化，可导出）"):
            widgets.table(frame, detail_frame(keys), f"阶段对比_{group}", column_config=LINK)


def per_month_section(keys: list[str], title: str = "收结与措施：月均对比") -> None:
    st.subheader(title)
    if not frame.projector:
        st.caption("各阶段长短不同，件数按月均（合计 ÷ 月数，每月按30.4375天计）比较；期末未结等存量指标不折算。")
    matrix(keys, per_month=True)
    if not frame.projector:
        with st.expander("月均明细表（合计、月数，可导出）"):
            widgets.table(frame, detail_frame(keys, per_month=True), "阶段对比_月均", column_config=LINK)


def chart_section() -> None:
    default = DIRECTED.index("recovery_rate") if "recovery_rate" in DIRECTED else 0
    key = st.selectbox("图示指标", DIRECTED, index=default, key="phases_chart_metric",
                       format_func=lambda k: f"{INDICATORS[k].group} · {INDICATORS[k].name}")
    widgets.chart(frame, phase_bars(config, results, key, projector=frame.projector, sample=frame.sample,
                                    last_year=last_year),
                  f"阶段对比_{INDICATORS[key].name}")


def legend() -> None:
    st.caption("每格：数值（点击查看构成该数值的案件，悬停查看口径、分子与分母）、较基线期与较上年同期的变化"
               "（比率为百分点，用时为天）、目标达成情况。“（误差内）”表示按95%置信区间判断，差异可能只是随机波动"
               "（比率用纽科姆区间，件数用泊松规则，见指标口径页）；“（样本小）”用于无法做统计检验的金额比率、"
               f"平均数和中位数，结案少于{config.parameters.small_denominator}件时标注。两者均以灰色显示，不作向好或变差判断。"
               "实际执结率为受理口径，只与上年同期比较。当前所选阶段以浅色底标出。")


def chunks(keys: list[str], most: int = 3) -> list[list[str]]:
    """Split into as few near-equal parts of at most `most` rows as possible (one screen each)."""
    n = -(-len(keys) // most)
    size, extra = divmod(len(keys), n)
    out, i = [], 0
    for j in range(n):
        step = size + (1 if j < extra else 0)
        out.append(keys[i:i + step])
        i += step
    return out


if frame.projector:
    slides = []
    for group, keys in GROUPED.items():
        parts = chunks(keys)
        for i, part in enumerate(parts):
            title = f"{group}指标" + (f"（{i + 1}/{len(parts)}）" if len(parts) > 1 else "")
            slides.append((title, lambda g=group, k=part, t=title: group_section(g, k, t)))
    for group, keys in FLOW_GROUPS.items():
        parts = chunks(keys)
        for i, part in enumerate(parts):
            title = f"月均对比：{group}" + (f"（{i + 1}/{len(parts)}）" if len(parts) > 1 else "")
            slides.append((title, lambda k=part, t=title: per_month_section(k, t)))
    slides.append(("各阶段图示", chart_section))
    slides += [(f"预判：{config.phase(k).name}", lambda k=k: pace.forecast_section(frame, k))
               for k in data.projections(board, filters, as_of)]
    frame.slides(slides)
else:
    legend()
    for open_phase in data.projections(board, filters, as_of):  # only phases begun and not ended
        pace.forecast_section(frame, open_phase)
    for group, keys in GROUPED.items():
        group_section(group, keys)
    per_month_section(PER_MONTH)
    st.subheader("各阶段图示")
    chart_section()
