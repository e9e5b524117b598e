"""交叉执行: cases taken over and handed over by phase, partner court and mode; 承接 against other cases; 事项委托."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine import breakdowns
from metrics.engine.indicators import INDICATORS
from metrics.present.charts import PALETTE, category_bars, phase_bars, styled
from metrics.present.format import format_value
from ui import data, widgets
from ui.frame import setup
from ui.safe import esc, md

frame = setup("交叉执行")
board, filters, as_of, config = frame.board, frame.filters, frame.as_of, frame.config
results = data.phases(board, filters, as_of)
phase_order = [p.name for p in config.phases]
chosen = results[frame.phase].window

COUNT_KEYS = ("cross_received_count", "cross_sent_count")
RATE_KEYS = ("cross_completion_rate", "cross_recovery_rate", "entrust_on_time_rate")
CORE_KEYS = ("completion_rate", "recovery_rate", "cycle_days_median")
DIRECTIONS = {"承接": "cross_received_count", "交出": "cross_sent_count"}
PROJECTOR_GROUPS = 6


def groups(table: str, column: str) -> dict:
    return data.phase_groups(board, table, column, filters, as_of)


def kpis(title: str, keys: tuple[str, ...]) -> None:
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：{esc(title)}</div>")
    widgets.kpi_grid(frame, data.comparison(board, filters, as_of, frame.phase, keys), columns=len(keys))


def by_phase() -> None:
    widgets.heading(frame, "各阶段承接与交出", "阶段长短不同，按月均比较；承接按立案日期、交出按结案日期归入阶段。")
    rows, bars = [], []
    for p in config.phases:
        r = results[p.key]
        row = {"阶段": p.name}
        for direction, key in DIRECTIONS.items():
            per_month, _ = breakdowns.intensity(r[key].value, r.window, None)
            row[f"{direction}(件)"] = r[key].value
            row[f"{direction}月均(件/月)"] = per_month
            bars.append({"阶段": p.name, "方向": direction, "月均(件/月)": per_month})
        row["承接案件结案数"] = r["cross_completion_rate"].denominator
        row["承接案件执行完毕率"] = format_value(r["cross_completion_rate"])
        row["承接案件执行到位率"] = format_value(r["cross_recovery_rate"])
        row["明细"] = widgets.drill_href("cross_received_count", p.key)
        rows.append(row)
    chart = category_bars(pd.DataFrame(bars), "阶段", "月均(件/月)", "承接与交出交叉执行案件：各阶段月均",
                          value_format=",.1f", color="方向", sort=phase_order, projector=frame.projector,
                          sample=frame.sample)
    widgets.chart(frame, chart, "交叉执行_各阶段承接交出")
    if not frame.projector:
        widgets.table(frame, pd.DataFrame(rows), "交叉执行_各阶段", column_config={
            "承接月均(件/月)": st.column_config.NumberColumn(format="%.1f"),
            "交出月均(件/月)": st.column_config.NumberColumn(format="%.1f"),
            "明细": st.column_config.LinkColumn(display_text="查看承接案件")})


def by_role() -> None:
    widgets.heading(frame, "承接案件与其他案件对比",
            "“其他案件”为交出及未参与交叉执行的本院案件（交出案件以移送结案，不计入结案）；均叠加左侧筛选条件。")
    split = breakdowns.role_filters(filters)
    if None in split.values():
        excluded = "、".join(label for label, f in split.items() if f is None)
        st.info(f"左侧“交叉执行角色”筛选已排除{md(excluded)}，无法对比。")
    key = "completion_rate"
    if not frame.projector:
        key = st.selectbox("对比指标", CORE_KEYS, format_func=lambda k: INDICATORS[k].name, key="cross_role_metric")
    points, rows = [], []
    for label, f in split.items():
        if f is None:
            continue
        res = data.phases(board, f, as_of)
        for p in config.phases:
            r = res[p.key]
            points.append({"阶段": p.name, "案件组": label, "值": r[key].value, "数值": format_value(r[key]),
                           "结案数": r["closed_count"].value})
            rows.append({"阶段": p.name, "案件组": label,
                         **{INDICATORS[k].name: format_value(r[k]) for k in CORE_KEYS},
                         "结案数": r["closed_count"].value,
                         "明细": widgets.drill_href(key, p.key, {"role": list(f.cross_roles)})})
    if not points:
        return
    ind = INDICATORS[key]
    fmt = ".0%" if ind.unit == "rate" else ",.0f"
    base = alt.Chart(pd.DataFrame(points)).encode(
        x=alt.X("阶段:N", sort=phase_order, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("案件组:N", sort=list(breakdowns.ROLE_GROUPS)))
    bars = base.mark_bar().encode(
        y=alt.Y("值:Q", title=ind.name, axis=alt.Axis(format=fmt)),
        color=alt.Color("案件组:N", sort=list(breakdowns.ROLE_GROUPS),
                        scale=alt.Scale(range=[PALETTE["action"], PALETTE["baseline"]]), title=None),
        tooltip=["阶段:N", "案件组:N", "数值:N", alt.Tooltip("结案数:Q", title="结案数")])
    labels = base.mark_text(dy=-8, fontWeight="bold").encode(y="值:Q", text="数值:N")
    chart = styled(alt.layer(bars, labels), f"{ind.name}：承接案件与其他案件", "柱上为数值；样本小时差异可能只是波动",
                   projector=frame.projector, sample=frame.sample, height=420)
    widgets.chart(frame, chart, f"交叉执行_承接对比_{ind.name}")
    if not frame.projector:
        widgets.table(frame, pd.DataFrame(rows), "交叉执行_承接与其他案件",
                      column_config={"明细": st.column_config.LinkColumn(display_text="查看案件")})


def group_rows(by_group: dict) -> list[dict]:
    """One row per partner court or mode that has cross cases in the window (the rest are ordinary cases)."""
    rows = []
    for name, r in by_group.items():
        received, sent = r["cross_received_count"].value, r["cross_sent_count"].value
        closed = r["cross_completion_rate"].denominator
        if not (received or sent or closed):
            continue
        rows.append({"名称": name, "承接(件)": received, "交出(件)": sent, "承接案件结案数": closed,
                     "承接案件执行完毕率": format_value(r["cross_completion_rate"]),
                     "承接案件执行到位率": format_value(r["cross_recovery_rate"])})
    return rows


def by_group(column: str, label: str) -> None:
    widgets.heading(frame, f"按{label}", f"{chosen.describe()}；承接案件的执行完毕率、到位率只计承接案件中的结案。")
    phases = groups("cases", column)
    rows = group_rows(phases.get(frame.phase, {}))
    if not rows:
        st.info(f"{md(frame.phase_name)}没有交叉执行案件。")
        return
    df = pd.DataFrame(rows).rename(columns={"名称": label})
    long = df.melt(id_vars=[label], value_vars=["承接(件)", "交出(件)"], var_name="方向", value_name="件数")
    long["方向"] = long["方向"].str.replace("(件)", "", regex=False)
    order = df.assign(total=df["承接(件)"] + df["交出(件)"]).sort_values("total", ascending=False)[label].tolist()
    subtitle = None
    if frame.projector and len(order) > PROJECTOR_GROUPS:  # one screen at 1024×768
        order, subtitle = order[:PROJECTOR_GROUPS], f"承接与交出合计最多的{PROJECTOR_GROUPS}个"
        long = long[long[label].isin(order)]
    chart = category_bars(long, label, "件数", f"{frame.phase_name}：按{label}的承接与交出", color="方向",
                          sort=order, projector=frame.projector, sample=frame.sample, subtitle=subtitle)
    widgets.chart(frame, chart, f"交叉执行_按{label}")
    if frame.projector:
        return
    widgets.table(frame, df.sort_values(["承接(件)", "交出(件)"], ascending=False), f"交叉执行_按{label}")
    pivot = {}
    for p in config.phases:
        for row in group_rows(phases.get(p.key, {})):
            slot = pivot.setdefault(row["名称"], {label: row["名称"]})
            slot[f"{p.name}·承接"], slot[f"{p.name}·交出"] = row["承接(件)"], row["交出(件)"]
    columns = [label] + [f"{p.name}·{d}" for p in config.phases for d in DIRECTIONS]
    table = pd.DataFrame(list(pivot.values())).reindex(columns=columns).fillna(0)
    with st.expander(f"各阶段按{label}的承接与交出（件）"):
        widgets.table(frame, table.astype({c: int for c in columns[1:]}), f"交叉执行_各阶段按{label}")


def entrust() -> None:
    key = "entrust_on_time_rate"
    widgets.heading(frame, "事项委托按期反馈率", INDICATORS[key].definition())
    widgets.chart(frame, phase_bars(config, results, key, projector=frame.projector, sample=frame.sample),
                  "交叉执行_事项委托按期反馈率")
    if frame.projector:
        return
    left, right = st.columns(2)
    with left:
        widgets.table(frame, pd.DataFrame([{
            "阶段": p.name, "按期反馈率": results[p.key][key].value,
            "按期反馈(件)": results[p.key][key].numerator, "到期事项(件)": results[p.key][key].denominator,
            "明细": widgets.drill_href(key, p.key)} for p in config.phases]), "事项委托按期反馈_各阶段",
            formats={"按期反馈率": "0.0%"},
            column_config={"明细": st.column_config.LinkColumn(display_text="查看事项")})
    with right:
        by_court = groups("entrustments", "partner_court").get(frame.phase, {})
        rows = [{"委托法院": name, "按期反馈率": r[key].value, "按期反馈(件)": r[key].numerator,
                 "到期事项(件)": r[key].denominator} for name, r in by_court.items() if r[key].denominator]
        st.caption(f"{md(frame.phase_name)}：按委托法院，按期反馈率由低到高")
        widgets.table(frame, pd.DataFrame(rows).sort_values("按期反馈率") if rows else pd.DataFrame(),
                      "事项委托按期反馈_按委托法院",
                      formats={"按期反馈率": "0.0%"})


frame.slides([("承接与交出", lambda: kpis("承接与交出", COUNT_KEYS)),
              ("交叉执行质效", lambda: kpis("交叉执行质效", RATE_KEYS)),
              ("各阶段承接与交出", by_phase), ("承接案件与其他案件", by_role),
              ("按对方法院", lambda: by_group("partner_court", "对方法院")),
              ("按交叉执行方式", lambda: by_group("cross_mode", "交叉执行方式")), ("事项委托按期反馈率", entrust)])
