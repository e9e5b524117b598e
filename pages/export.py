"""报告导出: the draft 总结报告 (Word) and the meeting deck (PowerPoint) with progress, and every indicator as Excel."""

import re

import streamlit as st

from metrics.access import audit
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.report import progress_fraction, render_report
from metrics.present.sentences import report_name
from ui import data, widgets
from ui.frame import setup
from ui.safe import md

frame = setup("报告导出")
config = frame.config

KINDS = {
    "docx": ("总结报告初稿（Word）", "总结报告初稿",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ":material/description:"),
    "pptx": ("会议PPT（PowerPoint）", "会议PPT",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation", ":material/slideshow:"),
}

if frame.projector:
    st.info("投影模式下不提供导出。请点击右上角“退出投影模式”后再生成报告。")
    st.stop()

begun = [p.key for p in config.action_phases if p.start <= frame.as_of]
if not begun:
    st.warning(f"统计日 {frame.as_of:%Y-%m-%d} 时专项行动尚未开始，没有可报告的阶段。")
    st.stop()
focus = st.selectbox("报告重点阶段（PPT 每页的结论句、总体情况页所述阶段）", begun,
                     index=begun.index(frame.phase) if frame.phase in begun else len(begun) - 1,
                     format_func=lambda k: config.phase(k).name, key="export_focus")

names = "、".join(report_name(k) for k in HEADLINE)
st.markdown(
    f"""
**统计日** {frame.as_of:%Y-%m-%d} · **统计范围** {md(frame.filters.describe())}（左侧筛选条件一并生效）

- **总结报告初稿（Word）**：封面（法院、行动、统计日、数据来源）；总体情况；核心指标各阶段数值表和各阶段全部指标
  与基线期、上年同期比较表；核心指标（{names}）逐项的分析文字、各阶段对比图与月度走势图；附录为阶段划分、统计参数
  和全部指标口径。文字为按统一口径生成的初稿，请核对修改后使用。
- **会议PPT（PowerPoint，16:9）**：标题页、核心指标一览页，以及每项核心指标一页（大字号结论句 + 各阶段对比图），
  适合投影。
""")
if frame.sample:
    st.caption("当前为示例数据：导出的文件在封面、标题页和每页页脚均标注“示例数据”。")


def _file_name(kind: str) -> str:
    label = KINDS[kind][1]
    action = re.sub(r"[“”\"'\s]", "", config.action_name)
    sample = "_示例数据" if frame.sample else ""
    return f"{config.court_name}_{action}_{label}_{frame.as_of:%Y-%m-%d}{sample}.{kind}"


def _state_key(kind: str) -> str:
    return f"report_{kind}"


def _signature(kind: str) -> tuple:
    """What a generated file depends on: a changed filter or date makes the earlier file stale."""
    return (kind, str(frame.board.engine.url), frame.as_of, frame.filters, focus)


def generate(kind: str) -> None:
    label = KINDS[kind][0]
    bar = st.progress(0.0, text=f"正在生成{label}……")
    with st.status(f"正在生成{label}……", expanded=True) as status:
        def progress(message: str) -> None:
            fraction = progress_fraction(message)
            if fraction is not None:
                bar.progress(fraction, text=message)
            status.update(label=message)
            st.write(message)

        try:
            content = render_report(frame.board.engine, config, kind, frame.as_of, progress, filters=frame.filters,
                                    phase=focus)
        except data.DB_ERRORS as exc:
            status.update(label=f"{label}生成失败", state="error", expanded=True)
            data.database_lost(exc)
        except Exception as exc:  # a broken export must not take the page down; say what happened
            status.update(label=f"{label}生成失败", state="error", expanded=True)
            data.LOG.exception("report generation failed")
            st.error(f"生成失败：程序内部错误（{type(exc).__name__}），详细原因已写入服务器日志，请联系系统管理员。")
            return
        status.update(label=f"{label}已生成（{len(content) / 1024:,.0f} KB）", state="complete", expanded=False)
    bar.empty()
    audit.record(frame.board.engine, frame.access.username if frame.access else None, "report", _file_name(kind),
                 None, kind=kind, filters=frame.filters.describe(), as_of=frame.as_of, phase=focus)
    st.session_state[_state_key(kind)] = (_signature(kind), content)


left, right = st.columns(2)
for column, kind in ((left, "docx"), (right, "pptx")):
    label, _, mime, icon = KINDS[kind]
    with column, st.container(border=True):
        st.markdown(f"#### {md(label)}")
        if st.button(f"生成{label}", key=f"make_{kind}", type="primary", icon=icon, width="stretch"):
            generate(kind)
        saved = st.session_state.get(_state_key(kind))
        if saved and saved[0] == _signature(kind):
            st.download_button(f"下载 {_file_name(kind)}", data=saved[1], file_name=_file_name(kind), mime=mime,
                               key=f"download_{kind}", icon=":material/download:", width="stretch", on_click="ignore")
        elif saved:
            st.caption("筛选条件、统计日或重点阶段已改变，请重新生成。")

st.caption(f"命令行生成同样的文件：`python -m metrics report --as-of {frame.as_of:%Y-%m-%d} --out 报告.docx`"
           "（或 `--out 会议.pptx`）。")

st.subheader("全部指标分阶段对比表")
st.caption("每项指标各阶段的数值、分子分母、较基线期与较上年同期的变化及达标情况；可下载 CSV 或 Excel。")
rows = [r for p in config.phases for r in data.comparison(frame.board, frame.filters, frame.as_of, p.key,
                                                          tuple(INDICATORS))]
widgets.table(frame, widgets.comparison_frame(frame, rows), "全部指标分阶段对比", height=420)
