"""Altair charts shared by the pages and the exports: phases as bars, months as lines with phase bands and targets."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from metrics.config import Config
from metrics.engine.compare import target_of, year_on_year_only
from metrics.engine.compute import WindowResult
from metrics.engine.indicators import INDICATORS

# Neutral colours for periods; red and green stay reserved for judgements (未达标/变差, 达标/向好), so the target
# is a dark dashed rule, not the "better" green (F-20).
PALETTE = {"baseline": "#8A8F98", "action": "#1F4E79", "last_year": "#B0BEC5", "target": "#263238",
           "band": "#E3ECF5", "line": "#0D47A1"}
SAMPLE_MARK = "示例数据"


def font_stack() -> str:
    try:
        from metrics.present.fonts import FONT_STACK

        return FONT_STACK
    except ImportError:  # the bundled font is optional for the numbers, not for the looks
        return "sans-serif"


def scale_factor(projector: bool) -> float:
    return 1.9 if projector else 1.0


def styled(chart: alt.TopLevelMixin, title: str, subtitle: str | None = None, *, projector: bool = False,
           sample: bool = False, width: int | str = "container", height: int = 320) -> alt.TopLevelMixin:
    """Title, fonts and sizes in one place; sample data is marked in the subtitle of every chart."""
    k = scale_factor(projector)
    font = font_stack()
    subtitle_lines = [s for s in (subtitle, f"【{SAMPLE_MARK}】" if sample else None) if s]
    return (
        chart.properties(
            # Altair 6 rejects subtitle=None: leave the key out when there is nothing to say.
            title=alt.TitleParams(title, **({"subtitle": subtitle_lines} if subtitle_lines else {}), anchor="start",
                                  fontSize=round(17 * k), subtitleFontSize=round(12 * k), subtitleColor="#555",
                                  font=font, subtitleFont=font),
            width=width, height=round(height * (1.25 if projector else 1)),
        )
        .configure(font=font)
        .configure_axis(labelFontSize=round(12 * k), titleFontSize=round(13 * k), labelFont=font, titleFont=font,
                        labelLimit=round(220 * k))
        .configure_legend(labelFontSize=round(12 * k), titleFontSize=round(13 * k), labelFont=font, titleFont=font,
                          labelLimit=round(220 * k),
                          orient="bottom")
        .configure_text(font=font, fontSize=round(12 * k))
        .configure_view(stroke=None)
    )


def phase_axis(count: int, projector: bool = False) -> alt.Axis:
    """The x axis of phase names: on one line where the plot is wide enough, else in two ("启动部署" / "阶段",
    "基线期" / "（行动前）"), never dropped (F-26: at 1024 a half-width chart hid two of its four names)."""
    k = scale_factor(projector)
    need = round(count * 8 * 12 * k)  # about eight characters a name at the label size
    split = ("indexof(datum.label, '（') > 0 ? [slice(datum.label, 0, indexof(datum.label, '（')), "
             "slice(datum.label, indexof(datum.label, '（'))] : length(datum.label) > 4 && "
             "slice(datum.label, -2) == '阶段' ? [slice(datum.label, 0, -2), '阶段'] : datum.label")
    return alt.Axis(labelAngle=0, labelOverlap=False, labelExpr=f"width < {need} ? ({split}) : datum.label")


def value_labels(base: alt.Chart, key: str, projector: bool) -> list[alt.Chart]:
    """Bar values above the bars, on a white halo so a target rule through them leaves them readable."""
    k = scale_factor(projector)
    enc = dict(y="值:Q", text=alt.Text("值:Q", format=_label_format(key)))
    return [base.mark_text(dy=-8 * k, fontWeight="bold", stroke="white", strokeWidth=4 * k, strokeJoin="round")
            .encode(**enc),
            base.mark_text(dy=-8 * k, fontWeight="bold").encode(**enc)]


def _axis_format(key: str) -> str:
    return ".0%" if INDICATORS[key].unit in ("rate", "ratio") else ",.0f"


def _label_format(key: str) -> str:
    """Bar labels and tooltips: one decimal for rates and days, whole numbers for counts and persons."""
    unit = INDICATORS[key].unit
    return ".1%" if unit in ("rate", "ratio") else ",.1f" if unit in ("days", "money") else ",.0f"


def phase_frame(config: Config, results: dict[str, WindowResult], key: str) -> pd.DataFrame:
    rows = []
    for p in config.phases:
        r = results[p.key]
        v = r.values[key]
        rows.append({"阶段": p.name, "key": p.key, "值": v.value, "基线": "基线期" if p.baseline else "行动阶段",
                     "统计期间": r.window.describe(), "分子": None if v.numerator is None else float(v.numerator),
                     "分母": None if v.denominator is None else float(v.denominator)})
    return pd.DataFrame(rows)


def year_on_year_frame(config: Config, results: dict[str, WindowResult], last_year: dict[str, WindowResult],
                       key: str) -> pd.DataFrame:
    rows = []
    for p in config.action_phases:
        if results[p.key].window.empty:
            continue
        for period, source in (("本期", results), ("上年同期", last_year)):
            r = source[p.key]
            v = r.values[key]
            rows.append({"阶段": p.name, "期间": period, "值": v.value, "统计期间": r.window.describe(),
                         "分子": None if v.numerator is None else float(v.numerator),
                         "分母": None if v.denominator is None else float(v.denominator)})
    return pd.DataFrame(rows, columns=["阶段", "期间", "值", "统计期间", "分子", "分母"])


def year_on_year_bars(config: Config, results: dict[str, WindowResult], last_year: dict[str, WindowResult],
                      key: str, *, projector: bool = False, sample: bool = False,
                      title: str | None = None) -> alt.TopLevelMixin:
    """本期 beside 上年同期 for each begun action phase: the only fair picture of a 受理口径 rate, whose value
    grows with the length of the window (phases of 2 and 10 months side by side would mislead)."""
    ind = INDICATORS[key]
    df = year_on_year_frame(config, results, last_year, key)
    order = [p.name for p in config.action_phases]
    periods = ["本期", "上年同期"]
    base = alt.Chart(df).encode(x=alt.X("阶段:N", sort=order, title=None, axis=phase_axis(len(order), projector)),
                                xOffset=alt.XOffset("期间:N", sort=periods))
    bars = base.mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        y=alt.Y("值:Q", title=ind.name, axis=alt.Axis(format=_axis_format(key))),
        color=alt.Color("期间:N", title=None, sort=periods,
                        scale=alt.Scale(domain=periods, range=[PALETTE["action"], PALETTE["last_year"]])),
        tooltip=[alt.Tooltip("阶段:N"), alt.Tooltip("期间:N"), alt.Tooltip("值:Q", format=_label_format(key)),
                 alt.Tooltip("分子:Q", format=",.2f"), alt.Tooltip("分母:Q", format=",.2f"), alt.Tooltip("统计期间:N")])
    return styled(alt.layer(bars, *value_labels(base, key, projector)), title or f"{ind.name}：本期与上年同期",
                  "受理口径随期间长短变化，只与上年同期比较", projector=projector, sample=sample)


def phase_bars(config: Config, results: dict[str, WindowResult], key: str, *, projector: bool = False,
               sample: bool = False, title: str | None = None,
               last_year: dict[str, WindowResult] | None = None) -> alt.TopLevelMixin:
    """One bar per phase (baseline grey, action dark blue) with the target as a rule; for a 受理口径 rate the
    paired 本期 vs 上年同期 bars instead (it needs `last_year`)."""
    if year_on_year_only(key):
        if last_year is None:
            raise ValueError(f"{key} is compared with the same period last year only: pass last_year")
        return year_on_year_bars(config, results, last_year, key, projector=projector, sample=sample, title=title)
    ind = INDICATORS[key]
    df = phase_frame(config, results, key)
    fmt = _axis_format(key)
    order = [p.name for p in config.phases]
    base = alt.Chart(df).encode(x=alt.X("阶段:N", sort=order, title=None, axis=phase_axis(len(order), projector)))
    bars = base.mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        y=alt.Y("值:Q", title=ind.name, axis=alt.Axis(format=fmt)),
        color=alt.Color("基线:N", scale=alt.Scale(domain=["基线期", "行动阶段"],
                                                   range=[PALETTE["baseline"], PALETTE["action"]]), legend=None),
        tooltip=[alt.Tooltip("阶段:N"), alt.Tooltip("值:Q", format=_label_format(key)),
                 alt.Tooltip("分子:Q", format=",.2f"), alt.Tooltip("分母:Q", format=",.2f"), alt.Tooltip("统计期间:N")],
    )
    # The values after the target rule, so the rule runs behind them.
    layers = [bars, *target_rule(config, key), *value_labels(base, key, projector)]
    return styled(alt.layer(*layers), title or f"{ind.name}：各阶段对比", _target_text(config, key),
                  projector=projector, sample=sample)


def target_rule(config: Config, key: str) -> list[alt.Chart]:
    """The indicator's target as a dashed rule (empty when it has none)."""
    target = target_of(config, key).target
    if target is None:
        return []
    return [alt.Chart(pd.DataFrame({"目标": [target]})).mark_rule(
        color=PALETTE["target"], strokeDash=[6, 4], size=2).encode(y="目标:Q")]


def _target_text(config: Config, key: str) -> str | None:
    t = target_of(config, key)
    if t.target is None:
        return None
    from metrics.present.format import format_number

    return f"虚线为目标值 {format_number(key, t.target)}"


def monthly_frame(monthly: list[WindowResult], key: str) -> pd.DataFrame:
    return pd.DataFrame([{"月份": pd.Timestamp(r.window.start), "值": r.values[key].value,
                          "分子": None if r.values[key].numerator is None else float(r.values[key].numerator),
                          "分母": None if r.values[key].denominator is None else float(r.values[key].denominator)}
                         for r in monthly])


def monthly_trend(config: Config, monthly: list[WindowResult], key: str, *, projector: bool = False,
                  sample: bool = False, title: str | None = None) -> alt.TopLevelMixin:
    """Monthly values as a line, the action phases as shaded bands, the target as a rule."""
    ind = INDICATORS[key]
    df = monthly_frame(monthly, key)
    fmt = _axis_format(key)
    bands = pd.DataFrame([{"阶段": p.name, "起": pd.Timestamp(p.start), "止": pd.Timestamp(p.end),
                           "类型": "基线期" if p.baseline else "行动阶段"} for p in config.phases])
    last = df["月份"].max() if not df.empty else None
    if last is not None:
        bands["止"] = bands["止"].clip(upper=last + pd.offsets.MonthEnd(0))
        bands = bands[bands["起"] <= bands["止"]]
    band = alt.Chart(bands).mark_rect(opacity=0.5).encode(
        x="起:T", x2="止:T",
        color=alt.Color("类型:N", scale=alt.Scale(domain=["基线期", "行动阶段"], range=["#ECEFF1", "#FBE9E7"]),
                        legend=None),
        tooltip=["阶段:N"])
    # Each band is named inside itself: in full where the band is wide enough at the chart's drawn width (the
    # `width` signal), else short (组织实施, 基线期), else not at all — names never run into each other or past
    # the plot (F-26). Rows alternate, so a short name beside a long one still clears it.
    bands = bands.reset_index(drop=True)
    bands["行"] = bands.index % 2
    k = scale_factor(projector)
    font = round(12 * k)
    starts = [*bands["起"], *([] if df.empty else [df["月份"].min()])]
    ends = [*bands["止"], *([] if df.empty else [df["月份"].max()])]
    span = max((max(ends) - min(starts)).total_seconds(), 1.0) if starts else 1.0
    bands["占比"] = [(e - b).total_seconds() / span for b, e in zip(bands["起"], bands["止"], strict=True)]
    bands["简称"] = [re.sub(r"（.*?）|阶段$", "", n) or n for n in bands["阶段"]]
    bands["全宽"] = [len(n) * font + 8 for n in bands["阶段"]]
    bands["简宽"] = [len(n) * font + 8 for n in bands["简称"]]
    band_labels = [
        alt.Chart(bands[bands["行"] == row]).transform_calculate(
            名称="datum.占比 * width >= datum.全宽 ? datum.阶段 : datum.占比 * width >= datum.简宽 ? datum.简称 : ''"
        ).mark_text(align="left", baseline="top", dx=4, color="#6D4C41", fontSize=font).encode(
            x="起:T", y=alt.value(3 + row * (font + 5)), text="名称:N")
        for row in (0, 1) if (bands["行"] == row).any()
    ]
    line = alt.Chart(df).mark_line(point=True, color=PALETTE["line"], strokeWidth=2.5 if projector else 2).encode(
        x=alt.X("月份:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=-30 if not projector else -45)),
        y=alt.Y("值:Q", title=ind.name, axis=alt.Axis(format=fmt)),
        tooltip=[alt.Tooltip("月份:T", format="%Y年%m月"), alt.Tooltip("值:Q", format=_label_format(key)),
                 alt.Tooltip("分子:Q", format=",.2f"), alt.Tooltip("分母:Q", format=",.2f")])
    layers = [band, *band_labels, line, *target_rule(config, key)]
    return styled(alt.layer(*layers), title or f"{ind.name}：月度走势", _target_text(config, key),
                  projector=projector, sample=sample)


def category_bars(df: pd.DataFrame, category: str, value: str, title: str, *, value_format: str = ",.0f",
                  color: str | None = None, projector: bool = False, sample: bool = False,
                  subtitle: str | None = None, sort: list[str] | None = None) -> alt.TopLevelMixin:
    """Horizontal bars of a value per category (team, partner court, asset type), optionally coloured."""
    enc = dict(y=alt.Y(f"{category}:N", sort=sort or "-x", title=None),
               # Whole numbers get whole ticks (no "0 0 1 1 2" axis for a handful of cases).
               x=alt.X(f"{value}:Q", title=value, axis=alt.Axis(
                   format=value_format, **({"tickMinStep": 1} if value_format in (",.0f", "d", ",d") else {}))),
               tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)])
    if color:
        order = list(pd.unique(df[color]))  # the data's own order (phases chronologically), not alphabetical
        enc["color"] = alt.Color(f"{color}:N", title=color, sort=order)
        enc["yOffset"] = alt.YOffset(f"{color}:N", sort=order)
    # Altair 6 rejects color=None on the mark: a fixed colour only when no field colours the bars.
    chart = alt.Chart(df).mark_bar(**({} if color else {"color": PALETTE["action"]})).encode(**enc)
    # A fixed height would include title, axis and legend (Streamlit fits the whole chart into it) and squash
    # the bars of a grouped chart; a step per bar (with yOffset the step is the offset band) grows with them.
    # In 投影模式 the slide gives the chart the screen's remaining height instead (ui.widgets.chart).
    step = round((16 if color else 24) * scale_factor(projector) ** 0.5)
    out = styled(chart, title, subtitle, projector=projector, sample=sample)
    return out if projector else out.properties(height=alt.Step(step))
