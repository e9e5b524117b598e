"""法院对比: every court of the database side by side for the chosen phase, the 交出 → 承接 flows between them, 对账."""

import pandas as pd
import streamlit as st

from metrics.engine.compare import direction_of, is_small, target_of
from metrics.engine.courts import HANDED_OVER, IN_TRANSIT_DAYS, last_year_window, rankable, ranks
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.court_charts import flow_heatmap, small_multiples
from metrics.present.format import NONE, STATUS_TEXT, format_change, format_number, format_part, format_value
from ui import data, widgets
from ui.frame import setup

frame = setup("法院对比")
config, board, filters, as_of = frame.config, frame.board, frame.filters, frame.as_of

names = data.court_names(board)
if len(names) < 2:
    st.info("数据库中只有一家法院的数据，没有可对比的法院。"
            "多家法院的数据导入同一数据库后，此页列出各院指标与院际交叉执行流向。")
    st.stop()

window = data.phases(board, filters, as_of)[frame.phase].window
if window.empty:
    st.info(f"{frame.phase_name}尚未开始（统计日 {as_of:%Y-%m-%d}），没有可比较的数据。请在左侧选择其他阶段。")
    st.stop()
last_year = last_year_window(config, window)
rows = data.court_table(board, window, last_year, filters)
SHORT = {r.court: r.short for r in rows}
RATE = ("rate", "ratio")


def shown(key: str, value) -> float | None:
    """A sortable number in the unit the table shows: rates in %, days and counts as they are."""
    if value is None:
        return None
    unit = INDICATORS[key].unit
    if unit in RATE:
        return round(float(value) * 100, 1)
    return round(float(value), 1) if unit == "days" else int(value)


def column_name(key: str) -> str:
    ind = INDICATORS[key]
    return ind.name + ("(%)" if ind.unit in RATE else "")


# ---- 1. court × headline indicators ---------------------------------------------------------------------------------

def overview_frame() -> pd.DataFrame:
    out = []
    for r in rows:
        rec = {"法院": r.short}
        for key in HEADLINE:
            rec[column_name(key)] = shown(key, r.values[key].value)
        rec["未达标"] = sum(1 for k in HEADLINE if r.status[k] == "missed")
        out.append(rec)
    return pd.DataFrame(out)


OVERVIEW_CONFIG = {
    "法院": st.column_config.TextColumn("法院", pinned=True),
    "未达标": st.column_config.NumberColumn("未达标",
                                            help="本阶段未达到目标的指标个数（各院目标见 config.yaml courts）"),
    **{column_name(k): st.column_config.NumberColumn(
        column_name(k), help=INDICATORS[k].definition(),
        format="%.1f" if INDICATORS[k].unit in RATE or INDICATORS[k].unit == "days" else "%d") for k in HEADLINE},
}


def selected_cell(event) -> tuple[str, str] | None:
    """(court, indicator key) of the cell picked in the overview table, if any."""
    cells = getattr(getattr(event, "selection", None), "cells", None) or []
    if not cells:
        return None
    cell = cells[0]
    row, column = (cell["row"], cell["column"]) if isinstance(cell, dict) else (cell[0], cell[1])
    key = next((k for k in HEADLINE if column_name(k) == column), None)
    if key is None or not 0 <= row < len(rows):
        return None
    return rows[row].court, key


def overview() -> None:
    df = overview_frame()
    if frame.projector:
        with st.container(key="proj_scroll_courts", height="stretch"):
            st.html(df.to_html(index=False, classes="proj-table proj-courts", border=0, na_rep=NONE))
        return
    event = widgets.table(frame, df, f"法院对比_{frame.phase_name}", column_config=OVERVIEW_CONFIG,
                          on_select="rerun", selection_mode="single-cell", key="courts_overview",
                          height=min(36 * (len(df) + 1) + 4, 700))  # every court without scrolling
    picked = selected_cell(event)
    if picked:
        court, key = picked
        v = next(r for r in rows if r.court == court).values[key]
        st.markdown(f"**{SHORT[court]} · {INDICATORS[key].name}**：{format_value(v)}"
                    + (f"（分子 {format_part(key, v.numerator, 'numerator')} / 分母 "
                       f"{format_part(key, v.denominator, 'denominator')}）" if INDICATORS[key].kind != "count" else "")
                    + f" [查看案件 ›]({widgets.drill_href(key, frame.phase, {'court': court})})")
    else:
        st.caption("点选表中任一数值，可打开该法院该指标的案件（查看案件）；点列名排序。")


# ---- 2. one indicator: rank, 同比, target ---------------------------------------------------------------------------

def detail_frame(key: str) -> pd.DataFrame:
    rank = ranks(config, rows, key)
    ordered = sorted(rows, key=lambda r: (r.values[key].value is None,
                                          -(r.values[key].value or 0) if direction_of(config, key) != "lower"
                                          else (r.values[key].value or 0)))
    out = []
    for r in ordered:
        v = r.values[key]
        t = target_of(config.for_court(r.court), key)
        small = is_small(r.result, key, config) and v.value is not None
        out.append({
            "法院": r.short,
            "数值": format_value(v) + ("（样本小）" if small else ""),
            "分子": format_part(key, v.numerator, "numerator") if INDICATORS[key].kind != "count" else NONE,
            "分母": format_part(key, v.denominator, "denominator") if INDICATORS[key].kind != "count" else NONE,
            "上年同期": format_value(r.last_year[key]),
            "较上年同期": format_change(r.vs_last_year[key]) + (
                f"（{r.vs_last_year[key].reason}）" if r.vs_last_year[key].uncertain and r.vs_last_year[key].reason
                else ""),
            "目标": format_number(key, t.target) if t.target is not None else NONE,
            "达标情况": STATUS_TEXT[r.status[key]],
            "排名": rank[r.court].text() if r.court in rank else NONE,
            "案件": widgets.drill_href(key, frame.phase, {"court": r.court}),
        })
    return pd.DataFrame(out)


def detail(key: str) -> None:
    df = detail_frame(key)
    if frame.projector:
        with st.container(key="proj_scroll_rank", height="stretch"):
            st.html(df.drop(columns=["案件", "分子", "分母"]).to_html(index=False, classes="proj-table proj-courts",
                                                                    border=0))
        return
    widgets.table(frame, df, f"法院对比_{INDICATORS[key].name}_{frame.phase_name}",
                  height=min(36 * (len(df) + 1) + 4, 700), column_config={
        "数值": st.column_config.TextColumn("数值", help=INDICATORS[key].definition()),
        "排名": st.column_config.TextColumn(
            "排名", help="只在差异超出统计误差时才分先后：“第2–5名”表示与其中几院的差异在误差之内，"
                         "数据不足以排出确定名次。只对案件比例类指标排名（执行到位率等金额之比不排名）。"),
        "案件": st.column_config.LinkColumn("案件", display_text="查看案件 ›"),
    })


# ---- 3. small multiples ---------------------------------------------------------------------------------------------

def multiples(keys: tuple[str, ...] = HEADLINE) -> None:
    recs = []
    for r in rows:
        for key in keys:
            v = r.values[key]
            t = target_of(config.for_court(r.court), key)
            recs.append({"法院": r.short, "指标": column_name(key), "值": shown(key, v.value),
                         "数值": format_value(v), "达标": {"met": "达标", "missed": "未达标"}.get(r.status[key], "—"),
                         "目标": shown(key, t.target) if t.target is not None else None})
    # In 投影模式 the legend says the colours; the line of explanation would take the rows' height.
    chart = small_multiples(pd.DataFrame(recs), f"{frame.phase_name}：各法院核心指标",
                            None if frame.projector else
                            "绿色：达标；红色：未达标；灰色：未设目标或无数据；虚线：目标（比率以%计）",
                            # Two columns fit the 1024-wide screen beside the sidebar (a concatenated chart
                            # does not shrink to the page).
                            # In 投影模式 three panels a slide, in one row that fits 1024×768.
                            columns=3 if frame.projector else 2, panel_width=115 if frame.projector else 200,
                            row_height=10 if frame.projector else 19, projector=frame.projector,
                            sample=frame.sample)
    widgets.chart(frame, chart, f"法院对比_核心指标_{frame.phase_name}")


# ---- 4. 交出 → 承接 flows -----------------------------------------------------------------------------------------

SPANS = {"phase": "所选阶段内承接", "all": "截至统计日全部承接"}


def flow_span() -> str:
    return st.radio("流向统计范围", list(SPANS), format_func=SPANS.get, horizontal=True, key="courts_span")


def flow_data(span: str):
    start, end = (window.start, window.end) if span == "phase" else (None, None)
    return data.court_flows(board, as_of, start, end, filters)


def rate_text(x: float | None) -> str:
    return NONE if x is None else f"{x * 100:.1f}%"


def flow_frame(flows) -> pd.DataFrame:
    return pd.DataFrame([{
        "交出法院": SHORT.get(f.source, f.source), "承接法院": SHORT.get(f.target, f.target), "件数": f.taken,
        "已结": f.closed, "执行完毕": f.completed, "执行完毕率": rate_text(f.completion_rate),
        "申请标的(万元)": round(f.applied / 10000, 2), "执行到位(万元)": round(f.recovered / 10000, 2),
        "执行到位率": rate_text(f.recovery_rate)} for f in flows])


def flows_section(span: str) -> None:
    flows, _ = flow_data(span)
    if not flows:
        st.info("所选范围内没有承接案件。")
        return
    order = {n: i for i, n in enumerate(names)}
    flows = sorted(flows, key=lambda f: (order.get(f.source, len(order)), f.source, order.get(f.target, 0)))
    df = flow_frame(flows)
    inside = df[df["交出法院"].isin(SHORT.values())]
    courts = [SHORT[n] for n in names if n in SHORT]
    label = SPANS[span] + (f"（{window.describe()}）" if span == "phase" else f"（截至 {as_of:%Y-%m-%d}）")
    chart = flow_heatmap(inside, courts, f"交叉执行流向：{label}",
                         "行：交出法院；列：承接法院；格中数字为承接件数，悬停可见已结、执行完毕率、执行到位率",
                         projector=frame.projector, sample=frame.sample)
    widgets.chart(frame, chart, f"法院对比_交叉执行流向_{span}")
    outside = df[~df["交出法院"].isin(SHORT.values())]
    if not frame.projector:
        if len(outside):
            st.caption(f"另有 {int(outside['件数'].sum())} 件承接自本库以外的法院（"
                       + "、".join(sorted(set(outside["交出法院"]))) + "），见下表。")
        widgets.table(frame, df, f"交叉执行流向_{span}", column_config={
            "执行完毕率": st.column_config.TextColumn("执行完毕率",
                                                      help="已结承接案件中执行完毕的比例（不含再次移送）"),
            "执行到位率": st.column_config.TextColumn(
                "执行到位率", help="已结、申请标的大于0的承接案件：执行到位金额 ÷ 申请执行标的")})


# ---- 5. 对账 ------------------------------------------------------------------------------------------

def reconciliation_frame() -> pd.DataFrame:
    _, found = flow_data("all")
    return pd.DataFrame([{
        "问题": m.kind, "交出法院": m.source, "承接法院": m.target, "交出方登记件数": m.handed,
        "承接方登记件数": m.taken, "说明": m.text(), "交出方案号": "、".join(m.handed_cases),
        "承接方案号": "、".join(m.taken_cases)} for m in found])


def reconciliation() -> None:
    df = reconciliation_frame()
    if df.empty:
        st.success(f"截至 {as_of:%Y-%m-%d}，各院登记的交出与承接一一对应，对方法院名称写法一致。")
        return
    if frame.projector:
        with st.container(key="proj_scroll_recon", height="stretch"):
            st.html(df[["问题", "说明"]].to_html(index=False, classes="proj-table proj-courts", border=0))
        return
    widgets.table(frame, df, f"交叉执行对账_{as_of:%Y%m%d}", column_config={
        "说明": st.column_config.TextColumn("说明", width="large"),
        "交出方案号": st.column_config.TextColumn("交出方案号", help=f"交出方登记为{HANDED_OVER}、对方为该院的案件"),
    })


# ---- layout ------------------------------------------------------------------------------------------

def pick_indicator() -> str:
    ranked = [k for k in HEADLINE if rankable(k)]
    return st.selectbox("指标", HEADLINE, index=HEADLINE.index(ranked[0]), key="courts_metric",
                        format_func=lambda k: INDICATORS[k].name)


if frame.projector:  # the pickers only on the slides they steer, so the others keep the whole screen
    groups = [HEADLINE[i:i + 3] for i in range(0, len(HEADLINE), 3)]
    frame.slides([("各法院核心指标", overview), ("单项指标排名", lambda: detail(pick_indicator())),
                  *[(f"核心指标图示（{i + 1}/{len(groups)}）", lambda g=tuple(g): multiples(g))
                    for i, g in enumerate(groups)],
                  ("交叉执行流向", lambda: flows_section(flow_span())), ("交叉执行对账", reconciliation)])
else:
    st.caption(f"{window.describe()}；{len(rows)} 家法院。左侧的法院筛选在此页不起作用（列出全部法院），"
               "其他筛选对各院同样适用。同比为与上年同期相比；达标按各院目标（未单独设定的用统一目标）。")
    st.subheader("各法院核心指标")
    overview()
    st.subheader("单项指标：排名、同比与目标")
    detail(pick_indicator())
    st.subheader("图示")
    multiples()
    st.subheader("交叉执行流向（交出 → 承接）")
    flows_section(flow_span())
    st.subheader("交叉执行对账")
    st.caption("截至统计日累计：甲院登记交出给乙院的件数与乙院登记从甲院承接的件数逐对核对；"
               f"对方法院按名称、简称识别，写法不一致的一并列出。交出不满{IN_TRANSIT_DAYS}天的可能尚在移送途中。对方为本库以外法院（如中院）的不核对。")
    reconciliation()
