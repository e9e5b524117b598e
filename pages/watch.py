"""督办预警: the cases that need action now (six lists as of the 统计日), counts per team and handler.

A list is chosen by the URL parameter `list` (总览's counts link here), so a view can be bookmarked. In 投影模式 the
lists are shown as counts by team only: a meeting does not see handlers' names next to overdue cases unless the
presenter opens the list.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from metrics.engine.watch import OPEN, OVER, SOON, WatchSettings, list_specs
from ui import data, widgets
from ui.frame import current_query, setup

frame = setup("督办预警")
config, board, filters, as_of = frame.config, frame.board, frame.filters, frame.as_of

warn_days = 30
if not frame.projector:
    warn_days = int(st.columns([1, 3])[0].number_input(
        "提前预警天数", min_value=0, max_value=365, value=30, step=5, key="watch_days",
        help="即将超审限、即将满12个月、终本定期查控：距期限不足多少天时列入清单。"))
settings = WatchSettings(warn_days=warn_days)
specs = list_specs(config, settings)
lists = data.watch_lists(board, filters, as_of, settings)

requested = st.query_params.get("list")
current = requested if requested in specs else "statutory"


def case_href(row: dict, key: str) -> str:
    """案件明细 filtered to one 案号: the pending cases at the 统计日 (or, for 终本, the closures of its month)."""
    query = {k: v for k, v in current_query().items() if k != "projector"}
    if key == "zhongben_check":
        query.update(ind="zhongben_rate", win=f"{row['结案日期']:%Y-%m}")
    else:
        query.update(ind="pending_end", win=f"{as_of:%Y-%m}")
    query["case"] = row["案号"]
    return "cases?" + urlencode(query, doseq=True)


def status_css(status: str) -> str:
    return {OVER: "status-missed", SOON: "status-none", OPEN: "status-none"}.get(status, "status-none")


def summary_cards() -> None:
    """One card per list: its counts by status; the card links to the list."""
    cards = []
    for key, spec in specs.items():
        wl = lists[key]
        query = {**{k: v for k, v in current_query().items() if k != "projector"}, "list": key}
        parts = "".join(f"<div class='kpi-delta'>{html.escape(label)} "
                        f"<span class='{status_css(st_)}'>{wl.counts.get(st_, 0)}</span></div>"
                        for st_, label in spec.statuses.items())
        active = " watch-active" if key == current and not frame.projector else ""
        link = "" if frame.projector else \
            f"<div class='kpi-foot'><a href='watch?{urlencode(query, doseq=True)}' target='_self'>查看清单 ›</a></div>"
        cards.append(f"<div class='kpi{active}' data-watch='{key}'><div class='kpi-head'><span class='kpi-label'>"
                     f"{html.escape(spec.title)}</span></div><div class='kpi-value' data-value='{wl.total}'>"
                     f"{wl.total}{'项' if key == 'entrust' else '件'}</div>{parts}{link}</div>")
    width = 330 if frame.projector else 200
    st.html(f"<div class='kpi-grid' style='grid-template-columns: repeat(auto-fit, minmax({width}px, 1fr))'>"
            + "".join(cards) + "</div>")


def group_frame(key: str, by: str) -> pd.DataFrame:
    """Counts per team, per handler (within team) or per partner court, one column per status."""
    wl, spec = lists[key], specs[key]
    label = {"team": "执行团队", "handler": "承办人", "partner": "对方法院"}[by]
    rows: dict[tuple, dict] = {}
    for g in wl.groups:
        names = (g["team"],) if by == "team" else (g["team"], g["handler"]) if by == "handler" else (g["partner"],)
        rec = rows.setdefault(names, {**({"执行团队": g["team"]} if by in ("team", "handler") else {}),
                                      label: names[-1], **{lab: 0 for lab in spec.statuses.values()}})
        for st_, lab in spec.statuses.items():
            rec[lab] += g.get(st_, 0)
    df = pd.DataFrame(rows.values())
    if df.empty:
        return df
    if len(spec.statuses) > 1:
        df["合计"] = df[list(spec.statuses.values())].sum(axis=1)
    sort = "合计" if "合计" in df.columns else list(spec.statuses.values())[0]
    return df.sort_values([sort, label], ascending=[False, True]).reset_index(drop=True)


def counts_tables(key: str) -> None:
    spec = specs[key]
    if spec.group_by == "partner":
        df = group_frame(key, "partner")
        widgets.table(frame, df, f"督办_{spec.title}_按对方法院", height=min(320, 38 + 35 * len(df)))
        return
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**按执行团队**")
        widgets.table(frame, group_frame(key, "team"), f"督办_{spec.title}_按团队")
    with right:
        st.markdown("**按承办人**")
        df = group_frame(key, "handler")
        widgets.table(frame, df, f"督办_{spec.title}_按承办人", height=min(320, 38 + 35 * len(df)))


def records(key: str) -> None:
    spec, wl = specs[key], lists[key]
    df = pd.DataFrame(wl.rows)
    if df.empty:
        st.info(f"截至统计日 {as_of:%Y-%m-%d}，没有需要列入“{spec.title}”的记录。")
        return
    config_ = {}
    if "案号" in df.columns:
        df["查看案件"] = [case_href(r, key) for r in wl.rows]
        config_["查看案件"] = st.column_config.LinkColumn("查看案件", display_text="查看案件 ›")
    for col in ("申请执行标的金额(元)", "执行到位金额(元)"):
        if col in df.columns:
            config_[col] = st.column_config.NumberColumn(format="%.2f")
    if "到位比例" in df.columns:
        config_["到位比例"] = st.column_config.NumberColumn(format="percent")
    widgets.table(frame, df, f"督办清单_{spec.title}", height=min(560, 38 + 35 * len(df)), column_config=config_)
    note = "被执行人姓名已脱敏；“剩余天数”为0表示统计日是期限内最后一天，负数为已超过的天数。"
    if wl.truncated:
        note = f"仅列出最紧迫的 {len(wl.rows)} 条（计数为全部）。" + note
    st.caption(note)


def show_list(key: str) -> None:
    spec = specs[key]
    st.subheader(spec.title)
    scope = "不随案件筛选" if key == "entrust" else filters.describe()
    st.caption(f"口径：{spec.basis} 统计日 {as_of:%Y-%m-%d}；{scope}。")
    counts_tables(key)
    records(key)


def team_counts_slide(key: str) -> None:
    """投影模式: counts by team (or partner court) only, in large type; the names stay hidden."""
    spec, wl = specs[key], lists[key]
    parts = "，".join(f"{label}{wl.counts.get(s, 0)}" for s, label in spec.statuses.items())
    st.html(f"<div class='kpi-group-title'>{html.escape(spec.title)}：{wl.total}"
            f"{'项' if key == 'entrust' else '件'}（{html.escape(parts)}）</div>")
    df = group_frame(key, "partner" if spec.group_by == "partner" else "team")
    if df.empty:
        st.html("<div class='kpi-group-title'>无</div>")
        return
    st.html("<style>.proj-table{font-size:28px;border-collapse:collapse;width:100%}"
            ".proj-table th,.proj-table td{padding:6px 14px;border-bottom:1px solid #ccc;text-align:left}</style>"
            + df.head(8).to_html(index=False, classes="proj-table", border=0))
    if st.toggle("显示名单（含承办人）", key=f"watch_names_{key}", value=False):
        show_list(key)


def chooser() -> str:
    def to_url() -> None:
        st.query_params["list"] = st.session_state["watch_list"]

    st.session_state["watch_list"] = current
    return st.segmented_control("清单", list(specs), key="watch_list", format_func=lambda k: specs[k].title,
                                on_change=to_url, required=True) or current


if frame.projector:
    frame.slides([("督办清单", summary_cards),
                  *[(spec.title, lambda k=key: team_counts_slide(k)) for key, spec in specs.items()]])
else:
    summary_cards()
    picked = chooser()
    show_list(picked)
