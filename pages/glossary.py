"""指标口径: every indicator's definition, direction and target, the phases and the parameters, all from config."""

import html

import pandas as pd
import streamlit as st

from metrics.config import DIRECTIONS
from metrics.engine.compare import change_unit, has_test, target_of, year_on_year_only
from metrics.engine.indicators import INDICATORS, MEASURES, SOURCE_DATE_BASIS
from metrics.present.format import NONE, format_target
from ui import widgets
from ui.frame import setup

frame = setup("指标口径")
config, as_of = frame.config, frame.as_of
params = config.parameters

GROUP_ORDER = ("核心", "收结存", "周期与积案", "财产处置", "强制措施", "交叉执行")

# Which date puts a measure's records into a window. The conditions themselves live in metrics.engine.indicators;
# this says in words which of their dates decides, measure by measure (a measure missing here falls back to
# its table's general rule, SOURCE_DATE_BASIS).
PENDING = "（立案日期不晚于该日，且未结案或结案日期晚于该日）"
CLOSED = "结案日期在统计期间内"
MEASURE_DATE = {
    "filed": "立案日期在统计期间内",
    "pending_start": "统计期间开始前一日仍未结" + PENDING,
    "pending_end": "统计期间最后一日仍未结" + PENDING,
    "pending_over_12m": "统计期间最后一日仍未结" + PENDING + "，且立案已超过365天",
    "cross_received": "立案日期在统计期间内",
    "km_cohort": "立案日期在统计期间内",
    "km_events": "立案日期在统计期间内，且结案日期不晚于统计日",
    "judgments_total": "生效日期在统计期间内",
    "judgments_applied": "生效日期在统计期间内；是否申请执行看生效后观察期内的首次执行立案",
    **{k: CLOSED for k in ("closed", "transferred", "completed", "actual", "zhongben", "zhongben_qualified",
                           "zhongben_reviewed", "monetary_closed", "recovered_sum", "applied_sum", "days_sum",
                           "on_time", "cross_sent", "cross_closed", "cross_completed", "cross_recovered_sum",
                           "cross_applied_sum")},
    **{k: "拍卖结束日期在统计期间内" for k, m in MEASURES.items() if m.source == "auctions"},
    **{k: "决定日期在统计期间内" for k, m in MEASURES.items() if m.source == "measures"},
    **{k: "委托日期在统计期间内，且委托日期加办理期限不晚于统计日" for k, m in MEASURES.items()
       if m.source == "entrustments"},
}


def date_basis(key: str) -> str:
    ind = INDICATORS[key]

    def words(keys: tuple[str, ...]) -> str:
        found = [MEASURE_DATE.get(k, SOURCE_DATE_BASIS[MEASURES[k].source]) for k in keys]
        return "；".join(dict.fromkeys(found))

    num, den = words(ind.numerator), words(ind.denominator)
    if ind.kind == "count" or not den or num == den:
        return num
    return f"分子：{num}。分母：{den}"


def indicator_frame(keys: list[str] | None = None) -> pd.DataFrame:
    rows = []
    for key in keys or list(INDICATORS):
        ind = INDICATORS[key]
        t = target_of(config, key)
        rows.append({
            "指标": ind.name,
            "分组": ind.group,
            "口径（计算公式）": ind.formula(),
            "计入统计期间的日期": date_basis(key),
            "方向": DIRECTIONS[t.direction],
            "目标": format_target(key, t.target),
            "阶段比较": comparison_rule(key),
            "说明": ind.note or NONE,
        })
    return pd.DataFrame(rows)


def comparison_rule(key: str) -> str:
    unit = change_unit(INDICATORS[key])
    if unit.endswith("/月"):
        return f"按月均比较（{unit}）"
    if year_on_year_only(key):
        return "只与上年同期比较（受理口径），变化以百分点表示"
    return {"百分点": "变化以百分点表示", "天": "变化以天表示", "件": "期末存量，按件比较"}.get(unit, NONE)


def grouped_keys() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {g: [] for g in GROUP_ORDER}
    for key, ind in INDICATORS.items():
        groups.setdefault(ind.group or "其他", []).append(key)
    return {g: keys for g, keys in groups.items() if keys}


def phase_frame() -> pd.DataFrame:
    rows = []
    for p in config.phases:
        if p.start > as_of:
            state = "尚未开始：所有指标为空（—）"
        elif p.end > as_of:
            state = f"进行中：计至统计日 {as_of:%Y-%m-%d}"
        else:
            state = "已结束"
        rows.append({"阶段": p.name, "开始日期": f"{p.start:%Y-%m-%d}", "结束日期": f"{p.end:%Y-%m-%d}",
                     "天数": p.days, "基线": "是（比较基准）" if p.baseline else "", "状态": state})
    return pd.DataFrame(rows)


def parameter_frame() -> pd.DataFrame:
    rows = [
        ("案件范围（案件类型）", "、".join(params.scope_case_types), "案件类指标只统计这些类型的案件"),
        ("实际执结的结案方式", "、".join(params.actual_closure_methods), "实结占结案比、实际执结率的分子"),
        ("移送他院执行的结案情形", "、".join(params.transfer_reasons),
         "以终结执行结案且结案情形为其中之一的，属管辖转移，不计入结案数"),
        ("法定执行期限（天）", str(params.statutory_days), "执行用时不超过此天数的为法定期限内结案"),
        ("裁判履行观察期（天）", str(params.judgment_observation_days),
         "生效裁判在此期间内未被申请首次执行的，视为自动履行；观察期未满时为暂定值"),
        ("小样本阈值（件）", str(params.small_denominator),
         "只用于无法做统计检验的金额比率、平均数和中位数：结案少于此数时标注“样本小”"),
        ("委托事项预警天数（天）", str(params.entrust_warn_days),
         "督办预警：收到的事项委托尚未反馈、办理期限在此天数内届满的列入“委托事项即将逾期”（entrust_warn_days）"),
        ("终本定期查控间隔（天）", str(params.check_interval_days),
         "督办预警：终本案件自最近查控日期（未填为结案日期）起超过此天数未查控的列入“终本案件定期查控”"
         "（check_interval_days）"),
        ("默认统计日", f"{config.as_of:%Y-%m-%d}" if config.as_of else "（空：取数据中最晚的日期）",
         f"当前统计日 {as_of:%Y-%m-%d}，可在左侧修改"),
    ]
    return pd.DataFrame(rows, columns=["参数", "取值", "作用"])


def tested_names() -> str:
    return "、".join(INDICATORS[k].name for k in INDICATORS if has_test(k) and INDICATORS[k].kind != "count")


def as_of_rule() -> None:
    as_of_text()
    comparison_text()
    noise_text()


def as_of_text() -> None:
    st.markdown(
        f"**统计日规则。** 所有数字都“截至统计日”计算（当前统计日 {as_of:%Y-%m-%d}，默认取数据中出现的最晚日期，"
        "可在左侧修改）：定义日期晚于统计日的记录一律视为尚未发生——统计日之后立案的案件不存在，统计日之后结案的案件"
        "仍算未结，统计日之后生效的裁判不存在，统计日之后结束的拍卖、之后才有的反馈都尚未发生。每个阶段的统计期间"
        "［开始日, 结束日］截至统计日，即变为［开始日, 结束日与统计日中较早者］；开始日晚于统计日的阶段尚未开始，"
        "其全部指标为空（显示为“—”）。")


def comparison_text() -> None:
    st.markdown(
        "**比较规则。** 各阶段既与基线期比较，也与上年同期（同一日历区间前移一年，只取已观察到的部分）比较；"
        "比率的变化以百分点表示，用时以天表示；新收、结案、强制措施等件数按月均（合计 ÷ 月数，每月按30.4375天计）"
        "比较，期末未结等存量不折算。实际执结率等受理口径（旧存＋新收）的比率随统计期间长短变化，"
        "只与上年同期比较，不与基线期比较。分母为0的比率为空（“—”），不是0；超出可能范围的数值（如执行到位率"
        "超过100%、天数为负）显示为“数据异常”，不作达标判断，请核对数据。裁判自动履行率、事项委托按期反馈率为全院口径，"
        "选择团队、承办人、标签或交叉执行角色时标注“全院口径”，不作达标判断。")


def noise_text() -> None:
    st.markdown(
        "**变化是否可信（误差内）。** 一个变化是否只是随机波动，按下列统计规则判断，"
        "而不是看样本是否达到某个固定件数：\n\n"
        f"- **比率**（{tested_names()}）：计算两期比率之差的95%置信区间"
        "（纽科姆混合得分区间，由两期各自的威尔逊得分区间合成）。"
        "区间包含0时，差异在统计误差内。例：本期 321/730（44.0%），基线 307/730（42.1%），差 +1.9 个百分点，"
        "区间为 −3.2 至 +7.0 个百分点，包含0，标注“误差内”；若基线为 277/730（37.9%），区间为 +1.0 至 +11.0 个百分点，"
        "不含0，是真实变化。\n"
        "- **件数与人次**（新收、结案、强制措施人次、期末未结等）：泊松规则。若两期月均相同，本期件数占两期合计的比例"
        "应为 本期月数 ÷（本期月数＋比较期月数）（存量两期相同，为一半）；该比例落在本期占比的威尔逊95%区间内时，"
        "差异在统计误差内。例：本期2个月10件（月均5件）、基线12个月48件（月均4件），合计58件，应有比例 2÷14＝0.143，"
        "本期占比 10÷58 的区间为 0.096 至 0.289，包含 0.143，标注“误差内”；"
        "本期若为30件，区间为 0.284 至 0.496，是真实变化。\n"
        "- **金额比率、平均数与中位数**（执行到位率、执行用时等）：汇总数据无法给出其波动范围，不做统计检验；"
        f"结案少于{params.small_denominator}件时标注“样本小”。\n\n"
        "标注“误差内”或“样本小”的变化以灰色显示，不判断向好或变差，注记与变化同样大小。")


GLOSSARY_CSS = """<style>
.gl { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: .6rem; }
.gl-item { border: 1px solid #d9d9d9; border-radius: 6px; padding: .55rem .8rem; background: #fff; }
.gl-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem; margin-bottom: .25rem; }
.gl-name { font-weight: 700; font-size: 1.05rem; }
.gl-key { font-family: monospace; font-size: .8rem; color: #555; background: #F3F4F6; padding: 0 4px;
  border-radius: 3px; }
.gl-dir, .gl-target { font-size: .8rem; border-radius: 3px; padding: 0 5px; border: 1px solid #bbb; color: #333; }
.gl-dir.higher, .gl-dir.lower { border-color: #1B5E20; color: #1B5E20; }
.gl-row { font-size: .88rem; color: #222; margin-top: .15rem; line-height: 1.5; }
.gl-label { display: inline-block; min-width: 4.5em; color: #7f0000; font-weight: 600; }
.gl.gl-projector { grid-template-columns: repeat(auto-fill, minmax(760px, 1fr)); }
.gl.gl-projector .gl-name { font-size: 1.6rem; }
.gl.gl-projector .gl-row { font-size: 1.2rem; }
.gl.gl-projector .gl-dir, .gl.gl-projector .gl-target { font-size: 1.1rem; }
@media (max-width: 1200px) {
  .gl.gl-projector { grid-template-columns: 1fr; gap: .4rem; }
  .gl.gl-projector .gl-item { padding: .35rem .6rem; }
  .gl.gl-projector .gl-name { font-size: 1.3rem; }
  .gl.gl-projector .gl-row { font-size: 1rem; line-height: 1.4; }
  .gl.gl-projector .gl-dir, .gl.gl-projector .gl-target { font-size: .9rem; }
}
</style>"""


def glossary_html(keys: list[str]) -> str:
    """The definitions as readable cards (a table cell cannot show a whole formula)."""
    items = []
    for key, (_, r) in zip(keys, indicator_frame(keys).iterrows(), strict=True):
        direction = target_of(config, key).direction
        rows = [("口径", r["口径（计算公式）"]), ("计入期间", r["计入统计期间的日期"])]
        if not frame.projector:
            rows += [("阶段比较", r["阶段比较"]), ("说明", r["说明"])]
        body = "".join(f"<div class='gl-row'><span class='gl-label'>{label}</span>{html.escape(text)}</div>"
                       for label, text in rows if text and text != NONE)
        target = f"<span class='gl-target'>目标 {html.escape(r['目标'])}</span>" if r["目标"] != NONE else ""
        items.append(
            f"<div class='gl-item' data-indicator='{key}'><div class='gl-head'>"
            f"<span class='gl-name'>{html.escape(r['指标'])}</span>"
            f"<span class='gl-dir {direction}'>{html.escape(r['方向'])}</span>{target}</div>{body}</div>")
    css = "gl gl-projector" if frame.projector else "gl"
    return f"{GLOSSARY_CSS}<div class='{css}'>{''.join(items)}</div>"


def indicators_section(keys: list[str] | None = None, title: str = "指标定义") -> None:
    st.subheader(title)
    if keys is not None:
        st.html(glossary_html(keys))
        return
    for group, group_keys in grouped_keys().items():
        st.markdown(f"**{group}**")
        st.html(glossary_html(group_keys))
    with st.expander("全部指标口径表（可导出 CSV / XLSX）"):
        widgets.table(frame, indicator_frame(), "指标口径")


PROJECTOR_TABLE_CSS = """<style>
.proj-table { border-collapse: collapse; width: 100%; font-size: 1.2rem; }
.proj-table th { text-align: left; border-bottom: 3px solid #222; padding: .4rem .5rem; }
.proj-table td { border-bottom: 1px solid #999; padding: .4rem .5rem; vertical-align: top; }
@media (max-width: 1200px) {
  .proj-table { font-size: .8rem; }
  .proj-table td, .proj-table th { padding: .2rem .4rem; }
}
</style>"""


def big_table(df: pd.DataFrame) -> None:
    """投影模式: an HTML table in large type (a data grid would keep its small font)."""
    st.html(PROJECTOR_TABLE_CSS + df.to_html(index=False, classes="proj-table", border=0))


def phases_section() -> None:
    st.subheader("阶段划分")
    if frame.projector:
        big_table(phase_frame())
    else:
        widgets.table(frame, phase_frame(), "阶段划分")
        st.caption("阶段在配置文件中设置；起止日期均含当日，阶段之间不得重叠，且恰有一个基线期。")


def parameters_section() -> None:
    st.subheader("计算参数")
    widgets.table(frame, parameter_frame(), "计算参数")


def parameter_slides() -> list:
    """投影模式: the parameters in two screens (nine rows do not fit 1024×768 in large type)."""
    df = parameter_frame()
    half = -(-len(df) // 2)
    parts = [df.iloc[:half], df.iloc[half:]]
    return [(f"计算参数（{i + 1}/2）", lambda p=part: big_table(p.reset_index(drop=True)))
            for i, part in enumerate(parts)]


def rules_section() -> None:
    st.subheader("统计日与比较规则")
    as_of_rule()


def watch_slides() -> list:
    """督办与预判 in 投影模式: the lists' 口径 three to a screen, then 预判 and 半数结案用时 on their own screen."""
    from metrics.engine.watch import list_specs

    rows = [{"清单": spec.title, "口径": spec.basis} for spec in list_specs(config).values()]
    parts = [rows[i:i + 3] for i in range(0, len(rows), 3)]
    slides = [(f"督办清单口径（{i + 1}/{len(parts)}）", lambda r=part: big_table(pd.DataFrame(r)))
              for i, part in enumerate(parts)]
    return [*slides, ("预判与半数结案用时", watch_text)]


def watch_text() -> None:
    from metrics.engine.forecast import METHOD, METHOD_RECORDS, NOT_PROJECTED
    from metrics.engine.survival import PLAIN

    st.markdown(f"**{METHOD.split('：', 1)[0]}。** {METHOD.split('：', 1)[1]}")
    st.markdown(f"**预判（逐件推算的指标）。** {METHOD_RECORDS}")
    st.markdown(f"**半数结案用时。** {PLAIN}；按生存分析法（乘积极限法）估计，95%区间取自生存曲线的95%置信带；"
                f"{NOT_PROJECTED['cycle_km_median'].removeprefix('暂不预判：')}，设定目标时列为“暂不预判”。")


def watch_section() -> None:
    """督办清单, 预判 and 半数结案用时 in plain Chinese (the same texts the pages show)."""
    from metrics.engine.forecast import METHOD, METHOD_RECORDS, NOT_PROJECTED
    from metrics.engine.survival import PLAIN
    from metrics.engine.watch import list_specs

    st.subheader("督办清单、预判与半数结案用时")
    st.markdown(f"**{METHOD.split('：', 1)[0]}。** {METHOD.split('：', 1)[1]}")
    st.markdown(f"**预判（逐件推算的指标）。** {METHOD_RECORDS}")
    st.markdown(f"**半数结案用时。** {PLAIN}；按生存分析法（乘积极限法）估计，95%区间取自生存曲线的95%置信带；"
                f"{NOT_PROJECTED['cycle_km_median'].removeprefix('暂不预判：')}，设定目标时列为“暂不预判”。")
    rows = [{"清单": spec.title, "口径": spec.basis} for spec in list_specs(config).values()]
    if frame.projector:
        big_table(pd.DataFrame(rows))
    else:
        widgets.table(frame, pd.DataFrame(rows), "督办清单口径")
        st.caption("督办清单截至统计日计算；“剩余天数”为0表示统计日是期限内最后一天，负数为已超过的天数。")


if frame.projector:
    slides = []
    for group, keys in grouped_keys().items():
        n = -(-len(keys) // 2)  # at most two definitions a screen (long 口径 texts), in near-equal parts
        parts = [keys[i * len(keys) // n:(i + 1) * len(keys) // n] for i in range(n)]
        for i, part in enumerate(parts):
            title = f"指标定义：{group}" + (f"（{i + 1}/{len(parts)}）" if len(parts) > 1 else "")
            slides.append((title, lambda k=part, t=title: indicators_section(k, t)))
    frame.slides([*slides, ("阶段划分", phases_section), *parameter_slides(),
                  ("统计日规则", as_of_text), ("比较规则", comparison_text), ("误差内的判断", noise_text),
                  *watch_slides()])
else:
    rules_section()
    indicators_section()
    phases_section()
    parameters_section()
    watch_section()
