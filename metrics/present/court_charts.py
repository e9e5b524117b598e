"""Charts of the 法院对比 page: the courts in small multiples of the headline indicators; the 交出 → 承接 heatmap."""

from __future__ import annotations

import altair as alt
import pandas as pd

from metrics.present.charts import PALETTE, SAMPLE_MARK, font_stack, scale_factor


def _finish(chart, title: str, subtitle: str | None, projector: bool, sample: bool):
    """Title, fonts and sizes as charts.styled gives them, for compound charts that take no width themselves."""
    k = scale_factor(projector)
    font = font_stack()
    lines = [s for s in (subtitle, f"【{SAMPLE_MARK}】" if sample else None) if s]
    return (chart.properties(title=alt.TitleParams(title, **({"subtitle": lines} if lines else {}), anchor="start",
                                                   fontSize=round(17 * k), subtitleFontSize=round(12 * k),
                                                   subtitleColor="#555", font=font, subtitleFont=font))
            .configure(font=font)
            .configure_axis(labelFontSize=round(11 * k), titleFontSize=round(12 * k), labelFont=font, titleFont=font)
            .configure_legend(labelFontSize=round(12 * k), titleFontSize=round(12 * k), labelFont=font,
                              titleFont=font, orient="bottom")
            .configure_text(font=font, fontSize=round(11 * k))
            .configure_view(stroke=None))


def small_multiples(df: pd.DataFrame, title: str, subtitle: str | None = None, *, columns: int = 3,
                    panel_width: int = 250, row_height: int = 19, projector: bool = False, sample: bool = False):
    """One small bar chart per indicator, the courts in the same order in each.

    df: 法院 (short name), 指标, 值 (rates in %, days, counts), 数值 (text), 达标 (达标/未达标/—), 目标 (or None).
    """
    courts = list(dict.fromkeys(df["法院"]))
    k = scale_factor(projector)
    panels = []
    for name, part in df.groupby("指标", sort=False):
        base = alt.Chart(part).encode(y=alt.Y("法院:N", sort=courts, title=None, axis=alt.Axis(labelOverlap=False)))
        bars = base.mark_bar().encode(
            x=alt.X("值:Q", title=None, axis=alt.Axis(tickCount=4, format=",.0f")),
            color=alt.Color("达标:N", title="目标", scale=alt.Scale(domain=["达标", "未达标", "—"],
                                                                 range=[PALETTE["target"], PALETTE["action"],
                                                                        PALETTE["baseline"]])),
            tooltip=[alt.Tooltip("法院:N"), alt.Tooltip("指标:N"), alt.Tooltip("数值:N"), alt.Tooltip("达标:N")])
        layers = [bars]
        if part["目标"].notna().any():
            layers.append(alt.Chart(pd.DataFrame({"目标": [part["目标"].dropna().iloc[0]]})).mark_rule(
                color=PALETTE["target"], strokeDash=[5, 3], size=2).encode(x="目标:Q"))
        panels.append(alt.layer(*layers).properties(
            title=alt.TitleParams(str(name), fontSize=round(13 * k), anchor="start"),
            width=round(panel_width * k), height=round((row_height * len(courts) + 10) * k)))
    chart = alt.concat(*panels, columns=columns, spacing=round(18 * k))
    return _finish(chart, title, subtitle, projector, sample)


def flow_heatmap(df: pd.DataFrame, courts: list[str], title: str, subtitle: str | None = None, *,
                 projector: bool = False, sample: bool = False, cell: int = 34):
    """Court × court: rows the handing-over court (交出), columns the receiving court (承接), colour = cases.

    df: 交出法院, 承接法院 (short names), 件数, 已结, 执行完毕率, 执行到位率 (text for the tooltip).
    """
    k = scale_factor(projector)
    size = round(cell * k)
    threshold = float(df["件数"].max()) * 0.6 if len(df) else 1.0  # white digits on the dark cells
    # On a slide the chart gets the screen's remaining height (ui.widgets.chart): short court names stand upright
    # and the legend sits at the right, so the rows keep that height.
    base = alt.Chart(df).encode(
        x=alt.X("承接法院:N", sort=courts, title="承接法院（执行方）",
                axis=alt.Axis(labelAngle=0 if projector else -45, orient="top", labelOverlap=False,
                              **({"labelFontSize": round(8 * k)} if projector else {}))),
        y=alt.Y("交出法院:N", sort=courts, title="交出法院（原执行法院）", axis=alt.Axis(labelOverlap=False)))
    tooltip = [alt.Tooltip("交出法院:N"), alt.Tooltip("承接法院:N"), alt.Tooltip("件数:Q", title="承接件数"),
               alt.Tooltip("已结:Q"), alt.Tooltip("执行完毕率:N"), alt.Tooltip("执行到位率:N")]
    rects = base.mark_rect(stroke="#fff", strokeWidth=1).encode(
        color=alt.Color("件数:Q", title="承接件数", scale=alt.Scale(scheme="reds")), tooltip=tooltip)
    text = base.mark_text(fontSize=round(11 * k)).encode(
        text=alt.Text("件数:Q"),
        color=alt.condition(alt.datum["件数"] >= threshold, alt.value("#fff"), alt.value("#111")),
        tooltip=tooltip)
    # Sizes include title, axes and legend ("fit"), as Streamlit lays the chart out at the page's width; the
    # exported file then has the same proportions as the page.
    chart = alt.layer(rects, text).properties(width=size * len(courts) + round(170 * k),
                                              height=size * len(courts) + round(210 * k),
                                              autosize=alt.AutoSizeParams(type="fit", contains="padding"))
    out = _finish(chart, title, None if projector else subtitle, projector, sample)
    return out.configure_legend(orient="right") if projector else out
