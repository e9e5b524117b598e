"""案件明细: the records behind one indicator in one window, the drill-through target of every figure.

The link names the indicator (`ind`), the window (`win`: a phase key, phase key + "_yoy" or "YYYY-MM") and
optionally the part (`part`: num / den); the filters come from the frame's own URL parameters. A link with
`dq=<check key>` lists instead the rows behind one data-quality check (数据管理 → 数据质量 → 查看案件).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from metrics.access.scope import ScopeDenied
from metrics.engine.drill import STOCK_INDICATORS, with_stock_status
from metrics.engine.indicators import INDICATORS, MEASURES
from metrics.engine.windows import resolve_window, series_months
from metrics.present.format import NONE, format_part, format_value
from ui import auth, data, params, quality, widgets
from ui.frame import setup
from ui.safe import md

frame = setup("案件明细")
board, filters, as_of, config = frame.board, frame.filters, frame.as_of, frame.config

if "dq" in st.query_params:
    scope = filters.scope
    if not frame.access.may("data") and (scope.list_teams or scope.courts or not scope.lists):
        # the check rows cover the whole database; a team lead or a court-scoped user may not list them
        auth.deny(board.engine, frame.access, "数据检查明细", "数据检查明细覆盖全部数据，超出当前账户的查看范围")
    quality.render_check_rows(frame, st.query_params["dq"])
    st.stop()

PARTS = {"all": "全部", "num": "仅分子", "den": "仅分母"}
PROJECTOR_COLUMNS = ("计入分子", "计入分母", "计数日", "截至该日已立案天数", "现状（截至统计日）", "案号", "立案日期",
                     "结案日期", "结案方式", "执行团队", "承办人", "执行用时(天)", "拍卖编号", "生效日期", "人次")
FLAGS = {"num": "计入分子", "den": "计入分母"}


def url_choice(widget, param: str, label: str, options: list[str], default: str, value: str | None,
               **kwargs) -> str:
    """A selectbox or radio (`widget`) whose value lives in the URL parameter `param`, so a link can select it.

    Not `bind="query-params"`: that stores the option's display text, while links carry keys. `value` is the
    parameter as parsed by ui/params.py (None when absent or ignored).
    """
    key = f"drill_{param}"
    st.session_state[key] = value if value in options else default

    def to_url() -> None:
        st.query_params[param] = st.session_state[key]

    return widget(label, options, key=key, on_change=to_url, **kwargs)


def window_tokens() -> list[str]:
    months = series_months(config, as_of)
    return ([p.key for p in config.phases] + [f"{p.key}_yoy" for p in config.phases]
            + [w.key for w in reversed(months)])


tokens = window_tokens()
requested = params.read("win", params.parse_window, config, as_of)
if requested and requested not in tokens:
    tokens.append(requested)  # a month outside the series, named by a link
requested_ind = params.read("ind", params.parse_indicator)
requested_part = params.read("part", params.parse_part, list(PARTS))
params.show()
pick_left, pick_right = st.columns([3, 2])
with pick_left:
    key = url_choice(st.selectbox, "ind", "指标", list(INDICATORS), "completion_rate", requested_ind,
                     format_func=lambda k: f"{INDICATORS[k].group} · {INDICATORS[k].name}")
with pick_right:
    token = url_choice(st.selectbox, "win", "统计期间", tokens, frame.phase, requested,
                       format_func=lambda t: resolve_window(config, as_of, t).label)
ind = INDICATORS[key]
window = resolve_window(config, as_of, token)
value = data.windows(board, [window], filters)[0][key]
try:
    records = data.member_frame(board, window, key, filters)
except ScopeDenied as exc:  # the query layer refused: outside the user's role or team
    auth.deny(board.engine, frame.access, f"案件明细 {key}", str(exc))
stock = key in STOCK_INDICATORS and not window.empty
if stock:
    stock_headers, stock_rows = with_stock_status(list(records.columns), records.to_dict("records"), window.end, as_of)
    records = pd.DataFrame(stock_rows, columns=stock_headers)
one_case = st.query_params.get("case")  # 督办预警 links name one 案号
if one_case and "案号" in records.columns:
    records = records[records["案号"] == one_case]
auth.audit_list(board.engine, key, window.label, filters.describe() + (f"；案号 {one_case}" if one_case else ""),
                len(records))
has_den = "计入分母" in records.columns


def fact(label: str, text: str, part: str, raw) -> str:
    """A figure as a card (the KPI styles, so 投影模式 enlarges it); data-value carries the raw number for tests."""
    return (f"<div class='kpi' data-part='{part}'><div class='kpi-label'>{html.escape(label)}</div>"
            f"<div class='kpi-value' data-value='{'' if raw is None else raw}'>{html.escape(text)}</div></div>")


def summary() -> None:
    st.html(f"<div class='kpi-group-title'>{html.escape(ind.name)} · {html.escape(window.describe())}</div>")
    cards = [fact("数值", format_value(value), "value", value.value)]
    if ind.kind == "count":
        cards.append(fact("记录数", f"{len(records)}条", "records", len(records)))
    else:
        if ind.kind != "median":
            cards.append(fact("分子", format_part(key, value.numerator, "numerator"), "numerator", value.numerator))
        cards.append(fact("分母", format_part(key, value.denominator, "denominator"), "denominator",
                          value.denominator))
    st.html("<div class='kpi-grid' style='grid-template-columns: repeat(auto-fill, minmax(180px, 1fr))'>"
            + "".join(cards) + "</div>")
    if stock:
        now = f"{as_of:%Y-%m}"
        link = widgets.drill_href(key, now) if token != now else ""
        st.html(f"<div class='kpi-group-title'>计数日：{window.end.year}年{window.end.month}月{window.end.day}日"
                "（该日仍未结的案件；之后是否结案见“现状”列）"
                + (f" · <a href='{html.escape(link)}' target='_self'>查看截至统计日的{html.escape(ind.name)} ›</a>"
                   if link else "")
                + "</div>")
    st.caption(f"口径：{md(ind.definition())}")
    masked = "" if filters.scope.unmasked else "被执行人姓名及标的物中的名称已脱敏。"
    st.caption(f"筛选：{md(filters.describe())}；统计日 {as_of:%Y-%m-%d}。{masked}"
               + (f"仅显示案号 {md(one_case)}。" if one_case else ""))


def listing() -> None:
    if window.empty:
        st.info(f"{md(window.describe())}：该阶段尚未开始，没有记录。")
        return
    shown = records
    if ind.kind == "median":  # every listed case is in the cohort; the median is taken over its 执行用时
        st.caption(f"共 {len(records)} 件结案案件，中位数取自“执行用时(天)”列。")
    else:
        flagged = "，".join(f"{flag} {int((records[flag] == '是').sum())} 条" for flag in FLAGS.values()
                            if flag in records.columns)
        st.caption(f"共 {len(records)} 条记录：{flagged}。金额、人次、执行用时按列合计即为相应的分子或分母。")
        if has_den and not frame.projector:
            part = url_choice(st.radio, "part", "显示", list(PARTS), "all", requested_part, format_func=PARTS.get,
                              horizontal=True)
            if part != "all":
                shown = records[records[FLAGS[part]] == "是"]
    if frame.projector:  # the columns a meeting reads, none cut off at the right
        keep = [c for c in PROJECTOR_COLUMNS if c in shown.columns]
        money_ratio = MEASURES[ind.numerator[0]].unit == "元"
        shown = shown[keep + [c for c in shown.columns if c.endswith("(元)") and money_ratio][:2]]
    money = [c for c in shown.columns if c.endswith("(元)")]
    if frame.projector:
        # A plain table in projector-sized type (a data grid draws its cells small on a canvas, which CSS does
        # not reach); the rows scroll inside their box under the page controls, the header stays on top.
        out = shown.copy()
        for c in money:
            out[c] = [NONE if pd.isna(v) else f"{float(v):,.2f}" for v in out[c]]
        with st.container(key="proj_scroll", height="stretch"):
            st.html(out.to_html(index=False, classes="proj-table proj-cases", border=0, na_rep=NONE))
        return
    widgets.table(frame, shown.astype({c: float for c in money}), f"案件明细_{ind.name}_{window.label}",
                  height=520,
                  column_config={c: st.column_config.NumberColumn(format="accounting") for c in money})


frame.slides([("指标与口径", summary), ("明细", listing)])
