"""总览: the headline indicators of the chosen phase against baseline, 同比 and target; phases and monthly trends."""

import streamlit as st

from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.charts import monthly_trend, phase_bars
from ui import data, pace, widgets
from ui.frame import setup
from ui.safe import esc

frame = setup("总览")
board, filters, as_of = frame.board, frame.filters, frame.as_of
rows = data.comparison(board, filters, as_of, frame.phase, HEADLINE)
results = data.phases(board, filters, as_of)
last_year = data.last_year(board, filters, as_of)
TREND_KEYS = ("recovery_rate", "completion_rate", "actual_closure_share", "cycle_days_median", "on_time_rate",
              "zhongben_qualified_rate", "voluntary_compliance_rate", "pending_over_12m", "zhongben_rate")


def kpis_core():
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：执行质效核心指标</div>")
    widgets.kpi_grid(frame, rows[:4], columns=4)


def kpis_more():
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：周期、履行与质量</div>")
    widgets.kpi_grid(frame, rows[4:], columns=5 if not frame.projector else 3)


def pick(label: str, key: str) -> str:
    return st.selectbox(label, TREND_KEYS, format_func=lambda k: INDICATORS[k].name, key=key)


def phases_chart():
    key = pick("对比指标", "overview_phase_metric") if not frame.projector else "recovery_rate"
    widgets.chart(frame, phase_bars(frame.config, results, key, projector=frame.projector, sample=frame.sample,
                                         last_year=last_year),
                  f"各阶段_{INDICATORS[key].name}")


def trend_chart():
    key = pick("走势指标", "overview_trend_metric") if not frame.projector else "completion_rate"
    monthly = data.monthly(board, filters, as_of, (key,))
    widgets.chart(frame, monthly_trend(frame.config, monthly, key, projector=frame.projector, sample=frame.sample),
                  f"月度走势_{INDICATORS[key].name}")


def headline_table():
    st.subheader("核心指标 × 阶段")
    all_rows = [r for p in frame.config.phases for r in data.comparison(board, filters, as_of, p.key, HEADLINE)]
    df = widgets.comparison_frame(frame, all_rows)
    wide = df.pivot(index="指标", columns="阶段", values="数值").reindex(
        index=[INDICATORS[k].name for k in HEADLINE], columns=[p.name for p in frame.config.phases])
    widgets.table(frame, wide.reset_index(), "核心指标分阶段")


def forecast():
    pace.forecast_section(frame, frame.phase)


if frame.projector:
    slides = [("核心指标", kpis_core), ("周期、履行与质量", kpis_more), ("各阶段对比", phases_chart),
              ("月度走势", trend_chart), ("督办预警", lambda: pace.watch_row(frame))]
    if data.projections(board, filters, as_of).get(frame.phase):
        slides.insert(2, ("预判", forecast))
    frame.slides(slides)
else:
    pace.watch_row(frame)
    kpis_core()
    kpis_more()
    forecast()
    left, right = st.columns(2)
    with left:
        phases_chart()
    with right:
        trend_chart()
    headline_table()
