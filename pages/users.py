"""用户管理 (admins): accounts, roles and scope; new passwords; disable and enable. Every change is audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.access import audit
from metrics.access import users as accounts
from metrics.access.roles import ROLES
from ui.frame import setup
from ui.safe import md

frame = setup("用户管理", needs_data=False)
engine = frame.board.engine
actor = frame.access.username if frame.access else None

rows = accounts.list_users(engine)
now = audit.now()
st.dataframe(pd.DataFrame([{
    "用户名": u.username, "显示名称": u.display_name, "角色": u.role_name, "范围": u.describe_scope(),
    "状态": ("有效" if u.active else "已停用") + ("（已锁定）" if u.locked_until and u.locked_until > now else ""),
    "最近登录": f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "从未登录",
} for u in rows], columns=["用户名", "显示名称", "角色", "范围", "状态", "最近登录"]), hide_index=True)
st.caption(f"登录方式：{md(frame.config.auth.mode)}。命令行同样可以管理用户："
           "python -m metrics users add、passwd、disable、list")

add, change = st.columns(2)
with add, st.form("add_user", clear_on_submit=True):
    st.markdown("**新增用户**")
    username = st.text_input("用户名", key="new_username")
    display = st.text_input("显示名称", key="new_display")
    role = st.selectbox("角色", list(ROLES), format_func=ROLES.get, key="new_role")
    court = st.text_input("法院（留空 = 全部）", key="new_court")
    team = st.text_input("团队（团队角色必填）", key="new_team")
    password = st.text_input("初始密码（至少 8 个字符）", type="password", key="new_password")
    if st.form_submit_button("新增"):
        try:
            accounts.add_user(engine, username, role, password=password or None, display_name=display or None,
                              court=court.strip() or None, team=team.strip() or None, actor=actor)
            st.success(f"已新增用户 {md(username)}")
        except accounts.UserError as exc:
            st.error(md(exc))
with change, st.form("change_user"):
    st.markdown("**修改密码 / 停用 / 启用**")
    names = [u.username for u in rows]
    target = st.selectbox("用户", names, key="change_user", index=None, placeholder="选择用户")
    new_password = st.text_input("新密码（同时解除锁定）", type="password", key="change_password")
    action = st.radio("操作", ["修改密码", "停用", "启用"], horizontal=True, key="change_action")
    if st.form_submit_button("执行") and target:
        try:
            if action == "修改密码":
                accounts.set_password(engine, target, new_password, actor=actor)
            else:
                if target == actor and action == "停用":
                    raise accounts.UserError("不能停用当前登录的账户")
                accounts.set_active(engine, target, action == "启用", actor=actor)
            st.success(f"{action}：{md(target)} 已完成")
        except accounts.UserError as exc:
            st.error(md(exc))
