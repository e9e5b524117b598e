"""执行周期与积案: how long closures took, phase by phase; what is still pending and how old it is."""

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine.backlog import AGE_BANDS, duration_bands, duration_histogram
from metrics.engine.indicators import INDICATORS
from metrics.present.charts import PALETTE, monthly_trend, phase_bars, styled
from metrics.present.format import NONE, format_value
from ui import data, widgets
from ui.frame import setup
from ui.safe import esc

frame = setup("执行周期与积案")
config, board, filters, as_of = frame.config, frame.board, frame.filters, frame.as_of
results = data.phases(board, filters, as_of)
PHASES = config.phases
STATUTORY = config.parameters.statutory_days

CYCLE_KEYS = ("cycle_days_mean", "cycle_days_median", "cycle_km_median", "on_time_rate")
BACKLOG_KEYS = ("clearance_rate", "disposition_days", "pending_end", "pending_over_12m", "pending_over_12m_share")
FLOW_KEYS = ("filed_count", "closed_count", "transferred_out_count", "clearance_rate", "pending_end",
             "disposition_days")
AGE_COLORS = ["#A5D6A7", "#FFE082", "#FB8C00", "#B71C1C"]


def phase_colors() -> alt.Scale:
    """Baseline grey, the action phases in deepening reds, in the configured order."""
    reds = ["#EF9A9A", "#E53935", "#B71C1C", "#7F0000", "#4A0000"]
    names, colors, i = [], [], 0
    for p in PHASES:
        names.append(p.name)
        colors.append(PALETTE["baseline"] if p.baseline else reds[min(i, len(reds) - 1)])
        i += 0 if p.baseline else 1
    return alt.Scale(domain=names, range=colors)


def live_phases():
    return [p for p in PHASES if not results[p.key].window.empty]


# ---- KPI cards -------------------------------------------------------------------------------------------------

def kpis_cycle() -> None:
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：执行用时</div>")
    widgets.kpi_grid(frame, data.comparison(board, filters, as_of, frame.phase, CYCLE_KEYS),
                     columns=4 if not frame.projector else 2)


def kpis_backlog() -> None:
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：收结与积案</div>")
    rows = data.comparison(board, filters, as_of, frame.phase, BACKLOG_KEYS)
    widgets.kpi_grid(frame, rows, columns=5 if not frame.projector else 3)


# ---- durations -------------------------------------------------------------------------------------------------

def duration_frame() -> pd.DataFrame:
    bands = duration_bands(STATUTORY)
    rows = []
    for p in live_phases():
        counts = duration_histogram(results[p.key].durations, bands)
        for b in bands:
            rows.append({"阶段": p.name, "执行用时": b.label, "件数": counts[b.key],
                         "法定期限内": "是" if b.high is not None and b.high <= STATUTORY else "否"})
    return pd.DataFrame(rows)


def duration_chart() -> None:
    df = duration_frame()
    bands = [b.label for b in duration_bands(STATUTORY)]
    k = 1.9 if frame.projector else 1.0
    chart = (
        alt.Chart(df)
        .transform_joinaggregate(结案数="sum(件数)", groupby=["阶段"])
        .transform_calculate(占比="datum.结案数 > 0 ? datum.件数 / datum.结案数 : null")
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=alt.X("执行用时:N", sort=bands, axis=alt.Axis(labelAngle=0),
                    title=f"执行用时（结案日期−立案日期−扣除审限天数；法定期限{STATUTORY}天）"),
            xOffset=alt.XOffset("阶段:N", sort=[p.name for p in PHASES]),
            y=alt.Y("占比:Q", title="占该阶段结案数", axis=alt.Axis(format=".0%")),
            color=alt.Color("阶段:N", scale=phase_colors(), title=None,
                            legend=alt.Legend(symbolSize=round(120 * k))),
            tooltip=[alt.Tooltip("阶段:N"), alt.Tooltip("执行用时:N"), alt.Tooltip("件数:Q", title="结案数"),
                     alt.Tooltip("占比:Q", format=".1%"), alt.Tooltip("结案数:Q", title="该阶段结案合计")],
        )
    )
    subtitle = "各阶段结案按执行用时分组，纵轴为占该阶段结案数的比例，不同长度的阶段可直接比较"
    # The height includes title, axes and legend (Streamlit fits the whole chart into it).
    widgets.chart(frame, styled(chart, "执行用时分布：各阶段对比", subtitle, projector=frame.projector,
                                sample=frame.sample, height=440), "执行用时分布")
    if not frame.projector:
        wide = df.pivot(index="执行用时", columns="阶段", values="件数").reindex(
            index=bands, columns=[p.name for p in live_phases()]).reset_index()
        with st.expander("执行用时分布明细（结案件数，可导出）"):
            widgets.table(frame, wide, "执行用时分布")


# ---- Kaplan–Meier: time to closure of each phase's filing cohort, open cases included ------------------------------

def km_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = data.km(board, filters, as_of)
    curve, summary = [], []
    for p in live_phases():
        km = tables.get(p.key)
        if km is None or km.n == 0:
            continue
        curve.append({"阶段": p.name, "天数": 0, "尚未结案比例": 1.0, "下限": 1.0, "上限": 1.0})
        for r in km.rows():
            curve.append({"阶段": p.name, "天数": r["time"], "尚未结案比例": r["survival"], "下限": r["lower"],
                          "上限": r["upper"]})
        median, (low, high) = km.median(), km.median_interval()
        summary.append({"阶段": p.name, "立案队列(件)": km.n, "截至统计日已结(件)": km.n_events,
                        "未结或移送(件)": km.n - km.n_events,
                        "半数结案用时(天)": median,
                        "95%区间(天)": f"{NONE if low is None else low}～{NONE if high is None else high}"})
    return pd.DataFrame(curve), pd.DataFrame(summary)


def km_chart() -> None:
    curve, summary = km_frames()
    if curve.empty:
        st.info("没有可统计的立案队列。")
        return
    k = 1.9 if frame.projector else 1.0
    order = [p.name for p in PHASES]
    # Two years are enough to see the halfway point; the tail of a long-observed baseline would squeeze the rest.
    span = min(int(curve["天数"].max()), 730)
    # One legend for both layers: drawn as solid lines (the band's transparency must not fade it).
    legend = alt.Legend(symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=3 * k, symbolSize=round(200 * k))
    base = alt.Chart(curve[curve["天数"] <= span]).encode(
        x=alt.X("天数:Q", title="立案后天数（扣除审限天数）", scale=alt.Scale(domain=[0, span], nice=False)))
    band = base.mark_area(interpolate="step-after", opacity=0.12).encode(
        y=alt.Y("下限:Q"), y2="上限:Q", color=alt.Color("阶段:N", scale=phase_colors(), sort=order, legend=legend))
    line = base.mark_line(interpolate="step-after", strokeWidth=2.5 * k).encode(
        color=alt.Color("阶段:N", scale=phase_colors(), sort=order, title=None, legend=legend),
        y=alt.Y("尚未结案比例:Q", title="尚未结案的比例", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("阶段:N"), alt.Tooltip("天数:Q"),
                 alt.Tooltip("尚未结案比例:Q", format=".1%"), alt.Tooltip("下限:Q", format=".1%", title="95%下限"),
                 alt.Tooltip("上限:Q", format=".1%", title="95%上限")])
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[6, 4], color="#555").encode(y="y:Q")
    subtitle = "立案后仍未结案的比例（Kaplan–Meier，浅色为95%区间）；与50%虚线相交处即半数结案用时"
    widgets.chart(frame, styled(alt.layer(line, band, half), "半数结案用时：各阶段立案队列的结案进度", subtitle,
                                projector=frame.projector, sample=frame.sample, height=400), "半数结案用时_生存曲线")
    if not frame.projector:
        widgets.table(frame, summary, "半数结案用时")
        st.caption("半数结案用时：立案后多少天内有一半案件结案，未结案件也计入（按统计日或移送结案日已经过的天数，"
                   "表示“至少用了这么多天”）。只看已结案件的平均或中位用时，会漏掉仍未结的慢案件而显得偏快。"
                   "一半以上案件尚未结案时无法确定，显示“—”。")


# ---- pending cases by age -----------------------------------------------------------------------------------------

def age_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    ages = data.pending_ages(board, filters, as_of)
    long, wide = [], []
    for p in live_phases():
        a = ages.get(p.key)
        if a is None:
            continue
        point = f"{p.name}末（{a.day:%Y-%m-%d}）"
        for order, b in enumerate(AGE_BANDS):
            long.append({"时点": point, "账龄": b.label, "件数": a.counts[b.key], "序": order,
                         "口径": f"立案至该日{b.describe()}"})
        wide.append({"阶段": p.name, "时点": f"{a.day:%Y-%m-%d}",
                     **{b.label: a.counts[b.key] for b in AGE_BANDS}, "未结合计": a.total,
                     "未结案件": widgets.drill_href("pending_end", p.key),
                     "超12个月案件": widgets.drill_href("pending_over_12m", p.key)})
    return pd.DataFrame(long), pd.DataFrame(wide)


def age_chart() -> None:
    long, wide = age_frames()
    if long.empty:
        st.info("没有可统计的阶段。")
        return
    points = list(dict.fromkeys(long["时点"]))
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("时点:N", sort=points, title=None),
        x=alt.X("件数:Q", title="未结案件数", stack="zero"),
        color=alt.Color("账龄:N", sort=[b.label for b in AGE_BANDS], title="账龄",
                        scale=alt.Scale(domain=[b.label for b in AGE_BANDS], range=AGE_COLORS)),
        order=alt.Order("序:Q"),
        tooltip=["时点:N", "账龄:N", "件数:Q", "口径:N"],
    )
    # A label sits at the middle of its segment, and only on a segment wide enough for its digits (the plot's
    # width is the `width` signal, so the rule holds at 1920, at 1024 and in 投影模式): no "10" running into "20".
    long = long.sort_values(["时点", "序"])
    long["止"] = long.groupby("时点")["件数"].cumsum()
    long["中"] = long["止"] - long["件数"] / 2
    widest = max(float(long.groupby("时点")["件数"].sum().max()), 1.0)
    font = round(12 * (1.9 if frame.projector else 1.0))
    labels = alt.Chart(long).transform_filter(
        f"datum.件数 > 0 && datum.件数 / {widest} * width >= {0.62 * font:.1f} * length(toString(datum.件数)) + 6"
    ).mark_text(color="#000", fontWeight="bold", fontSize=font).encode(
        y=alt.Y("时点:N", sort=points), x=alt.X("中:Q"), text="件数:Q")
    subtitle = ("各阶段末日的未结案件按立案至该日的天数分组：≤3个月为0–90天，3–6个月为91–182天，"
                "6–12个月为183–365天，>12个月为超过365天（即“超12个月未结数”）")
    widgets.chart(frame, styled(alt.layer(chart, labels), "未结案件账龄：各阶段末", subtitle,
                                projector=frame.projector, sample=frame.sample,
                                height=230 + 60 * len(points)), "未结案件账龄")
    if not frame.projector:
        links = {"未结案件": st.column_config.LinkColumn("未结案件", display_text="查看未结案件 ›"),
                 "超12个月案件": st.column_config.LinkColumn("超12个月案件", display_text="查看超12个月 ›")}
        widgets.table(frame, wide, "未结案件账龄", column_config=links)


# ---- 收结 by phase --------------------------------------------------------------------------------------------------

def flow_table() -> None:
    rows = []
    for p in PHASES:
        r = results[p.key]
        rec = {"阶段": p.name,
               "统计期间": "尚未开始" if r.window.empty else f"{r.window.start:%Y-%m-%d}至{r.window.end:%Y-%m-%d}"}
        for key in FLOW_KEYS:
            rec[INDICATORS[key].name] = format_value(r.values[key]) if not r.window.empty else NONE
        rows.append(rec)
    widgets.table(frame, pd.DataFrame(rows), "收结存与周转")
    st.caption("结收比 =（结案数 + 移送他院执行数）÷ 新收案件数，大于100%说明结的比收的多、积案在减少；"
               "结案周转天数 = 期末未结数 ÷（结案数 + 移送他院执行数）× 统计期间天数，"
               "即按当前结案速度消化存量所需天数。")


def clearance_chart() -> None:
    widgets.chart(frame, phase_bars(config, results, "clearance_rate", projector=frame.projector,
                                    sample=frame.sample), "各阶段_结收比")


def disposition_chart() -> None:
    widgets.chart(frame, phase_bars(config, results, "disposition_days", projector=frame.projector,
                                    sample=frame.sample), "各阶段_结案周转天数")


def pending_trend() -> None:
    monthly = data.monthly(board, filters, as_of)
    widgets.chart(frame, monthly_trend(config, monthly, "pending_end", projector=frame.projector,
                                       sample=frame.sample, title="期末未结数：月度走势（各月末）"),
                  "月度走势_期末未结数")


if frame.projector:
    frame.slides([("执行用时", kpis_cycle), ("收结与积案", kpis_backlog), ("执行用时分布", duration_chart),
                  ("半数结案用时", km_chart),
                  ("未结案件账龄", age_chart), ("结收比", clearance_chart), ("结案周转天数", disposition_chart),
                  ("期末未结数走势", pending_trend)])
else:
    kpis_cycle()
    kpis_backlog()
    st.subheader("执行用时分布")
    duration_chart()
    st.subheader("半数结案用时（含未结案件）")
    km_chart()
    st.subheader("未结案件账龄")
    age_chart()
    st.subheader("收结存与周转")
    left, right = st.columns(2)
    with left:
        clearance_chart()
    with right:
        disposition_chart()
    flow_table()
    st.subheader("期末未结数走势")
    pending_trend()
