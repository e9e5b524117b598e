"""审计日志 (admins): who signed in, looked at which case list, exported or imported what; filters and XLSX."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from metrics.access import audit
from ui import widgets
from ui.frame import setup

frame = setup("审计日志", needs_data=False)
engine = frame.board.engine

today = dt.date.today()
left, middle, right = st.columns([2, 2, 3])
with left:
    days = st.date_input("日期范围", value=(today - dt.timedelta(days=30), today), format="YYYY-MM-DD",
                         key="audit_days")
with middle:
    who = st.text_input("用户名", key="audit_user", placeholder="全部用户").strip()
with right:
    actions = st.multiselect("操作", list(audit.ACTIONS), format_func=audit.ACTIONS.get, key="audit_actions",
                             placeholder="全部操作")
start, end = (days[0], days[-1]) if isinstance(days, (list, tuple)) and days else (None, None)
rows = audit.entries(engine, start=start, end=end, username=who or None, actions=tuple(actions))


def local(when: dt.datetime) -> str:
    return when.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


df = pd.DataFrame([{
    "时间": local(e.at),
    "用户": e.username or "（未登录）",
    "操作": audit.ACTIONS.get(e.action, e.action),
    "对象": e.target or "",
    "行数": e.row_count,
    "详情": "；".join(f"{k}：{v}" for k, v in e.detail.items() if v not in (None, "")),
} for e in rows], columns=["时间", "用户", "操作", "对象", "行数", "详情"])
st.caption(f"共 {len(df)} 条（最多显示 5000 条，最新在前）。时间为服务器本地时间。")
widgets.table(frame, df, f"审计日志_{start or ''}_{end or ''}", height=560, exportable=True)
