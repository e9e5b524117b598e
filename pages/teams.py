"""团队对比: the core indicators of the chosen phase per 执行团队 and per 承办人, each row linked to its cases."""

import altair as alt
import pandas as pd
import streamlit as st

from metrics.engine.compare import change_unit, direction_of, target_of
from metrics.engine.compare import few_cases as is_small
from metrics.engine.compute import Value
from metrics.engine.indicators import INDICATORS
from metrics.present.charts import PALETTE, styled
from metrics.present.format import format_number, format_part, format_value
from ui import data, widgets
from ui.frame import setup
from ui.safe import md

frame = setup("团队对比")
config, board, filters, as_of = frame.config, frame.board, frame.filters, frame.as_of

CORE = ("completion_rate", "recovery_rate", "actual_closure_share", "cycle_days_median", "on_time_rate",
        "zhongben_qualified_rate", "closed_count", "pending_end")
UNFILLED = "（未填）"  # compute.breakdown's name for rows with no team or handler
WHOLE = "全部（筛选范围内）"

if not filters.court and len(data.filter_options(board)["courts"]) > 1:
    st.info("数据库中有多家法院的数据：各院同名的团队、承办人在此合并计算。请在左侧“法院”中选择一家法院，"
            "再对比该院的团队；各法院之间的对比见“法院对比”。")
results = data.phases(board, filters, as_of)
window = results[frame.phase].window
if window.empty:
    st.info(f"{md(frame.phase_name)}尚未开始（统计日 {as_of:%Y-%m-%d}），没有可比较的数据。请在左侧选择其他阶段。")
    st.stop()
baseline = results[config.baseline.key].window
GROUPINGS = {
    "team": ("执行团队", data.breakdown(board, window, "team", filters),
             data.breakdown(board, baseline, "team", filters) if not baseline.empty else {}),
    "handler": ("承办人", data.breakdown(board, window, "handler", filters),
                data.breakdown(board, baseline, "handler", filters) if not baseline.empty else {}),
}
TEAMS_OF: dict[str, list[str]] = {}
for team, handler in data.filter_options(board)["handlers"]:
    TEAMS_OF.setdefault(handler, []).append(team)


def sort_key() -> str:
    """The indicator the tables are sorted by: the one chosen for the chart (best first)."""
    return st.session_state.get("teams_metric") or CORE[0]


def group_frame(column: str, *, whole: bool = False) -> pd.DataFrame:
    """One row per team (or handler), or the whole filtered scope alone; the core indicators as numbers (sorted
    as numbers, exported as numbers), the ones resting on few cases named in 样本较小, two links."""
    label, groups, _ = GROUPINGS[column]
    rows = []
    members = [(WHOLE, results[frame.phase])] if whole else list(groups.items())
    for name, result in members:
        rec = {label: name}
        if column == "handler":
            rec["所属团队"] = "、".join(TEAMS_OF.get(name, [])) if name != WHOLE else ""
        rec |= {INDICATORS[k].name: result.values[k].value for k in CORE}
        rec["样本较小"] = "、".join(INDICATORS[k].name for k in CORE
                                  if result.values[k].value is not None and is_small(result, k, config))
        linkable = name not in (WHOLE, UNFILLED)
        extra = {column: name} if linkable else None
        rec["结案明细"] = widgets.drill_href("closed_count", frame.phase, extra) if linkable or name == WHOLE else None
        rec["未结明细"] = widgets.drill_href("pending_end", frame.phase, extra) if linkable or name == WHOLE else None
        rows.append(rec)
    df = pd.DataFrame(rows)
    if not whole and not df.empty:
        key = sort_key()
        df = df.sort_values(INDICATORS[key].name, ascending=direction_of(config, key) == "lower",
                            na_position="last", kind="stable").reset_index(drop=True)
    return df


FORMATS = {INDICATORS[k].name: widgets.excel_format(k) for k in CORE}


COLUMN_CONFIG = {
    **{INDICATORS[k].name: st.column_config.NumberColumn(INDICATORS[k].name, help=INDICATORS[k].definition())
       for k in CORE},
    "样本较小": st.column_config.TextColumn("样本较小", help=f"结案不足{config.parameters.small_denominator}件的指标，"
                                                             "数值波动大，不宜据此排名"),
    "结案明细": st.column_config.LinkColumn("结案明细", display_text="结案案件 ›",
                                            help="本阶段该团队/承办人的结案案件（执行完毕率等的分母）"),
    "未结明细": st.column_config.LinkColumn("未结明细", display_text="未结案件 ›",
                                            help="本阶段末该团队/承办人的未结案件"),
}


PROJECTOR_TABLE_CSS = """<style>
.proj-table { border-collapse: collapse; width: 100%; font-size: 1.25rem; }
.proj-table th { text-align: left; border-bottom: 3px solid #222; padding: .4rem .5rem; }
.proj-table td { border-bottom: 1px solid #999; padding: .4rem .5rem; font-weight: 600; }
@media (max-width: 1200px) { .proj-table { font-size: 1rem; } }
</style>"""


def group_table(column: str) -> None:
    label = GROUPINGS[column][0]
    df = group_frame(column)
    if frame.projector:  # large type; a data grid would keep its small font
        shown = df.drop(columns=["结案明细", "未结明细", "样本较小"])
        for k in CORE:
            shown[INDICATORS[k].name] = [format_value(Value(k, v, None, None)) for v in shown[INDICATORS[k].name]]
        st.html(PROJECTOR_TABLE_CSS + shown.to_html(index=False, classes="proj-table", border=0))
        return
    widgets.table(frame, group_frame(column, whole=True), f"团队对比_{label}_全部", formats=FORMATS,
                  column_config=COLUMN_CONFIG)
    widgets.table(frame, df, f"团队对比_{label}_{frame.phase_name}", column_config=COLUMN_CONFIG, formats=FORMATS)


def chart_frame(column: str, key: str) -> pd.DataFrame:
    _, groups, base_groups = GROUPINGS[column]
    rows = []
    for name, result in groups.items():
        v = result.values[key]
        b = base_groups.get(name)
        rows.append({"名称": name, "值": v.value, "样本": "样本较小" if is_small(result, key, config) else "样本充足",
                     "数值": format_value(v), "分子": format_part(key, v.numerator, "numerator"),
                     "分母": format_part(key, v.denominator, "denominator"),
                     "基线期": None if b is None else b.values[key].value,
                     "基线期数值": "—" if b is None else format_value(b.values[key])})
    return pd.DataFrame(rows)


def group_chart(column: str, key: str) -> None:
    label, groups, _ = GROUPINGS[column]
    ind = INDICATORS[key]
    df = chart_frame(column, key)
    if df.empty or df["值"].isna().all():
        st.info(f"{md(frame.phase_name)}没有可按{md(label)}比较的{md(ind.name)}。")
        return
    fmt = ".0%" if ind.unit in ("rate", "ratio") else ",.0f"
    # Best first; an explicit order, because a sort by field is dropped when layers share the axis.
    order = df.sort_values("值", ascending=direction_of(config, key) == "lower", na_position="last")["名称"]
    y = alt.Y("名称:N", sort=list(order), title=None)
    tooltip = [alt.Tooltip("名称:N", title=label), alt.Tooltip("数值:N", title=ind.name), alt.Tooltip("分子:N"),
               alt.Tooltip("分母:N"), alt.Tooltip("基线期数值:N", title="基线期"), alt.Tooltip("样本:N")]
    bars = alt.Chart(df).mark_bar().encode(
        y=y, x=alt.X("值:Q", title=ind.name, axis=alt.Axis(format=fmt)),
        color=alt.Color("样本:N", title=None, scale=alt.Scale(domain=["样本充足", "样本较小"],
                                                             range=[PALETTE["action"], "#A9C4E0"])),
        tooltip=tooltip)
    layers = [bars]
    # The baseline of the same team as a tick, for rates and days only: a count of a longer window is not comparable.
    if not change_unit(ind).endswith("/月") and df["基线期"].notna().any():
        tick = {"thickness": 4, "size": 30} if frame.projector else {"thickness": 3, "size": 18}
        layers.append(alt.Chart(df).mark_tick(color="#111", **tick).encode(y=y, x="基线期:Q", tooltip=tooltip))
    whole = results[frame.phase].values[key].value
    notes = []
    if whole is not None:
        layers.append(alt.Chart(pd.DataFrame({"全部": [whole]})).mark_rule(
            color="#555", strokeDash=[2, 3], size=2).encode(x="全部:Q"))
        notes.append(f"点线：全部 {format_number(key, whole)}")
    t = target_of(config, key)
    if t.target is not None:
        layers.append(alt.Chart(pd.DataFrame({"目标": [t.target]})).mark_rule(
            color=PALETTE["target"], strokeDash=[6, 4], size=2).encode(x="目标:Q"))
        notes.append(f"深色虚线：目标 {format_number(key, t.target)}")
    if not change_unit(ind).endswith("/月") and df["基线期"].notna().any():
        notes.append("黑色短线：基线期")
    notes.append(f"浅色条：样本不足{config.parameters.small_denominator}件")
    # 投影模式: the chart fills the screen under the page controls, however many bars it has.
    height = 480 if frame.projector else min(180 + 36 * len(df), 1000)
    widgets.chart(frame, styled(alt.layer(*layers), f"{frame.phase_name}：各{label}{ind.name}", "；".join(notes),
                                projector=frame.projector, sample=frame.sample, height=height),
                  f"团队对比_{label}_{ind.name}")


def pick_indicator() -> str:
    return st.selectbox("图示指标", CORE, key="teams_metric", format_func=lambda k: INDICATORS[k].name)


HIDE_HANDLERS = "_teams_hide_handlers"  # a plain session value: it outlives the toggle, which 投影模式 does not draw


def _keep_hide_choice() -> None:
    st.session_state[HIDE_HANDLERS] = st.session_state["teams_hide_handlers"]


if frame.projector:
    key = pick_indicator()
    slides = [("各团队" + INDICATORS[key].name, lambda: group_chart("team", key))]
    if not st.session_state.get(HIDE_HANDLERS, True):  # ranking people by name on a projector is a choice
        slides.append(("各承办人" + INDICATORS[key].name, lambda: group_chart("handler", key)))
    slides.append(("各团队核心指标", lambda: group_table("team")))
    frame.slides(slides)
else:
    st.caption(f"{md(window.describe())}。每行可打开该团队或承办人本阶段的结案与未结案件；"
               f"“样本较小”列出结案不足{config.parameters.small_denominator}件的指标，数值波动大，不宜据此排名。"
               "第一张小表为筛选范围内的全部案件，下表按所选图示指标排序（点击列标题可按数值重新排序）。"
               "团队、承办人筛选在左侧，对比仅在筛选范围内进行。")
    key = pick_indicator()
    st.subheader("按执行团队")
    group_table("team")
    st.subheader("按承办人")
    group_table("handler")
    st.subheader("图示")
    group_chart("team", key)
    st.session_state["teams_hide_handlers"] = st.session_state.get(HIDE_HANDLERS, True)
    st.toggle("投影时隐藏承办人排名", key="teams_hide_handlers", on_change=_keep_hide_choice,
              help="投影模式默认不放映按承办人姓名排列的图；关闭此项后放映。")
    group_chart("handler", key)
