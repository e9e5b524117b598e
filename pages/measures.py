"""强制措施与信用惩戒: each measure by phase, per month and per 100 new cases, and month by month."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine import breakdowns
from metrics.engine.indicators import INDICATORS, MEASURE_KINDS
from metrics.present.charts import category_bars, styled
from metrics.present.format import format_value
from ui import data, widgets
from ui.frame import setup
from ui.safe import esc, md

frame = setup("强制措施与信用惩戒")
board, filters, as_of, config = frame.board, frame.filters, frame.as_of, frame.config
results = data.phases(board, filters, as_of)

CREDIT = ("measure_blacklist", "measure_consumption_ban")
PERSONAL = ("measure_search", "measure_summons", "measure_detention", "measure_crime_referral")
FINES = ("measure_fine", "measure_fine_amount")
COERCIVE = (*PERSONAL, *FINES)
PERSON_KEYS = tuple(MEASURE_KINDS)  # the seven kinds counted in 人次
BASES = {"人次": "合计", "月均": "月均（÷ 阶段月数）", "每百件新收": "每百件新收（÷ 新收案件数 × 100）"}
UNITS = {"人次": "人次", "月均": "人次/月", "每百件新收": "人次/百件新收"}
scope = "、".join(config.parameters.scope_case_types)



def kpis(title: str, keys: tuple[str, ...]) -> None:
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：{esc(title)}</div>")
    widgets.kpi_grid(frame, data.comparison(board, filters, as_of, frame.phase, keys), columns=4)


def figure(key: str, phase_key: str, basis: str) -> float | None:
    """One cell: the phase's 人次 (罚款金额 in 万元), its 月均, or its rate per 100 new cases."""
    r = results[phase_key]
    value = r[key].value
    if INDICATORS[key].unit == "money":
        value = breakdowns.wan(value)
    if basis == "人次":
        return value
    per_month, per_100 = breakdowns.intensity(value, r.window, r["filed_count"].value)
    return per_month if basis == "月均" else per_100


def label(key: str) -> str:
    return INDICATORS[key].name.replace("(人次)", "") + ("(万元)" if INDICATORS[key].unit == "money" else "")


def by_phase() -> None:
    widgets.heading(frame, "各阶段对比",
            f"阶段长短不同，按月均或每百件新收案件比较。每百件新收 = 人次 ÷ 同阶段新收{scope}案件数 × 100；"
            "措施按决定日期归入阶段，随法院、团队、承办人、标签与交叉执行角色筛选。罚款金额单位万元。")
    basis = "月均"
    if not frame.projector:
        basis = st.radio("口径", list(BASES), index=1, format_func=BASES.get, horizontal=True, key="measures_basis")
    # On the projector the chosen phase against the baseline only, so that one screen holds the chart.
    shown = [p for p in config.phases if not frame.projector or p.baseline or p.key == frame.phase]
    order = [label(k) for k in (*CREDIT, *COERCIVE)]
    df = pd.DataFrame([{"措施": label(k), "阶段": p.name, "值": figure(k, p.key, basis)}
                       for k in (*CREDIT, *COERCIVE) for p in shown])
    axis = f"{basis}({UNITS[basis]})" if basis != "人次" else "人次"
    persons = df[df["措施"] != label("measure_fine_amount")].rename(columns={"值": axis})
    chart = category_bars(persons, "措施", axis, f"强制措施与信用惩戒：各阶段{BASES[basis]}",
                          value_format=",.0f" if basis == "人次" else ",.1f", color="阶段", sort=order,
                          projector=frame.projector, sample=frame.sample,
                          subtitle=" 对比 ".join(p.name for p in shown) if frame.projector else None)
    widgets.chart(frame, chart, f"强制措施_各阶段_{basis}")
    if frame.projector:
        return
    wide = df.pivot(index="措施", columns="阶段", values="值").reindex(
        index=order, columns=[p.name for p in config.phases])
    filed = "；".join(f"{p.name} {format_value(results[p.key]['filed_count'])}" for p in config.phases)
    st.caption(f"新收{md(scope)}案件数：{filed}")
    fmt = "%d" if basis == "人次" else "%.2f"
    widgets.table(frame, wide.reset_index(), f"强制措施_各阶段_{basis}",
                  column_config={p.name: st.column_config.NumberColumn(format=fmt) for p in config.phases})


def monthly() -> None:
    widgets.heading(frame, "月度走势", "每月各类措施人次（按决定日期）；阴影为专项行动各阶段。")
    keys = PERSON_KEYS
    if not frame.projector:
        keys = tuple(st.multiselect("措施类型", PERSON_KEYS, default=PERSON_KEYS, format_func=label,
                                    key="measures_kinds")) or PERSON_KEYS
    months = data.monthly(board, filters, as_of, PERSON_KEYS)
    df = pd.DataFrame([{"月份": pd.Timestamp(m.window.start), "措施": label(k), "人次": m[k].value}
                       for m in months for k in keys])
    bands = pd.DataFrame([{"阶段": p.name, "起": pd.Timestamp(p.start), "止": pd.Timestamp(min(p.end, as_of)),
                           "类型": "基线期" if p.baseline else "行动阶段"} for p in config.phases if p.start <= as_of])
    band = alt.Chart(bands).mark_rect(opacity=0.45).encode(
        x="起:T", x2="止:T", tooltip=["阶段:N"],
        color=alt.Color("类型:N", scale=alt.Scale(domain=["基线期", "行动阶段"], range=["#ECEFF1", "#FBE9E7"]),
                        legend=None))
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("yearmonth(月份):T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=-45)),
        y=alt.Y("人次:Q", stack="zero", title="人次"),
        color=alt.Color("措施:N", sort=[label(k) for k in keys], title=None),
        order=alt.Order("措施:N"),
        tooltip=[alt.Tooltip("yearmonth(月份):T", title="月份", format="%Y年%m月"), "措施:N", "人次:Q"])
    chart = alt.layer(band, bars).resolve_scale(color="independent")
    widgets.chart(frame, styled(chart, "强制措施与信用惩戒：月度人次", "堆叠柱：各类措施人次",
                                projector=frame.projector, sample=frame.sample, height=440),
                  "强制措施_月度")


# At most four cards a screen, so that 投影模式 fits them at 1024×768.
frame.slides([("信用惩戒", lambda: kpis("信用惩戒", CREDIT)), ("强制措施", lambda: kpis("强制措施", PERSONAL)),
              ("罚款", lambda: kpis("罚款", FINES)), ("各阶段对比", by_phase), ("月度走势", monthly)])
