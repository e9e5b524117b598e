"""财产处置: auction rounds, deal, premium and realisation rates by phase, round (一拍/二拍/变卖) and asset type."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.engine import breakdowns
from metrics.engine.compute import WindowResult
from metrics.engine.indicators import INDICATORS, MEASURES
from metrics.engine.schema import ASSET_TYPES, AUCTION_ROUNDS
from metrics.present.charts import category_bars, phase_bars
from metrics.present.format import format_value
from ui import data, widgets
from ui.frame import setup
from ui.safe import esc, md

frame = setup("财产处置")
board, filters, as_of, config = frame.board, frame.filters, frame.as_of, frame.config
results = data.phases(board, filters, as_of)
baseline = config.baseline

RATE_KEYS = ("auction_deal_rate", "auction_premium_rate", "auction_realization_rate")
# 万元 columns: the measure each one shows, so the column help is the measure's own 口径 text.
MONEY = {"成交价合计(万元)": "auction_realized_sum", "评估价合计(万元)": "auction_appraisal_sum",
         "溢价额(万元)": "auction_premium_sum", "起拍价合计(万元)": "auction_start_sum"}
COLUMNS = {
    **{name: st.column_config.NumberColumn(format="%.2f", help=MEASURES[key].label) for name, key in MONEY.items()},
    "拍次": st.column_config.NumberColumn(help="拍卖结束日期在统计期间内的全部拍次（含撤回、中止、悔拍）"),
    "明细": st.column_config.LinkColumn(display_text="查看拍次"),
}


def by(column: str | None) -> tuple[dict, dict]:
    """({phase: {group: WindowResult}}, {phase: {group: {result: 拍次}}}) for an auctions column, or in total."""
    rates = data.phase_groups(board, "auctions", column, filters, as_of) if column else {}
    return rates, data.auction_outcomes(board, column, filters, as_of)



def figures(r: WindowResult, outcomes: dict[str, int]) -> dict:
    """One table row: 拍次 by result, the three rates with what they rest on, the sums in 万元."""
    deals = outcomes.get("成交", 0)
    row = {"拍次": sum(outcomes.values()), "成交": deals, "流拍": outcomes.get("流拍", 0),
           "撤回/中止/悔拍": sum(outcomes.values()) - deals - outcomes.get("流拍", 0)}
    for key in RATE_KEYS:
        row[INDICATORS[key].name] = format_value(r[key])
    for name, key in MONEY.items():
        row[name] = breakdowns.wan(r.measures.get(key))
    return row


def kpis() -> None:
    st.html(f"<div class='kpi-group-title'>{esc(frame.phase_name)}：网络司法拍卖</div>")
    widgets.kpi_grid(frame, data.comparison(board, filters, as_of, frame.phase, RATE_KEYS), columns=3)


def by_phase() -> None:
    widgets.heading(frame, "各阶段拍卖情况", "拍次按拍卖结束日期归入阶段；成交率只计成交与流拍的拍次；金额单位万元。")
    key = "auction_deal_rate"
    if not frame.projector:
        key = st.selectbox("图示指标", RATE_KEYS, format_func=lambda k: INDICATORS[k].name, key="disposal_metric")
    widgets.chart(frame, phase_bars(config, results, key, projector=frame.projector, sample=frame.sample),
                  f"财产处置_各阶段_{INDICATORS[key].name}")
    if frame.projector:
        return
    _, outcomes = by(None)
    rows = [{"阶段": p.name, **figures(results[p.key], outcomes[p.key].get("合计", {})),
             "明细": widgets.drill_href("auction_deal_rate", p.key)} for p in config.phases]
    widgets.table(frame, pd.DataFrame(rows), "财产处置_各阶段", column_config=COLUMNS)


def by_group(column: str, label: str, order: tuple[str, ...]) -> None:
    widgets.heading(frame, f"按{label}",
                    f"{frame.phase_name}与{baseline.name}对比；各组拍次较少，比率波动大，请结合拍次阅读。")
    rates, outcomes = by(column)
    points = []
    for p in dict.fromkeys((baseline.key, frame.phase)):
        for name, r in rates.get(p, {}).items():
            v = r["auction_deal_rate"]
            if v.value is not None:
                points.append({label: name, "阶段": config.phase(p).name, "成交率": v.value,
                               "拍次": f"{v.numerator}/{v.denominator}"})
    groups = [g for g in order if any(pt[label] == g for pt in points)]
    groups += sorted({pt[label] for pt in points} - set(groups))
    if points:
        chart = category_bars(pd.DataFrame(points), label, "成交率", f"拍卖成交率：按{label}", value_format=".0%",
                              color="阶段", sort=groups, projector=frame.projector, sample=frame.sample,
                              subtitle="成交拍次 ÷ 成交与流拍拍次")
        widgets.chart(frame, chart, f"财产处置_按{label}")
    else:
        st.info(f"{md(frame.phase_name)}与{md(baseline.name)}均没有成交或流拍的拍次。")
    if frame.projector:
        return
    chosen_rates, chosen_outcomes = rates.get(frame.phase, {}), outcomes.get(frame.phase, {})
    names = [g for g in order if g in chosen_outcomes] + sorted(set(chosen_outcomes) - set(order))
    rows = [{label: name, **figures(chosen_rates[name], chosen_outcomes[name])} for name in names
            if name in chosen_rates]
    st.caption(f"{md(frame.phase_name)}：按{md(label)}")
    widgets.table(frame, pd.DataFrame(rows), f"财产处置_按{label}", column_config=COLUMNS)


frame.slides([("拍卖核心指标", kpis), ("各阶段拍卖情况", by_phase),
              ("按拍卖轮次", lambda: by_group("round", "拍卖轮次", AUCTION_ROUNDS)),
              ("按财产类型", lambda: by_group("asset_type", "财产类型", ASSET_TYPES))])
