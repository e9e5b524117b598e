"""数据管理: upload the court's own exports, see how they were understood, fix headers, validate, import, undo."""

import hashlib

import pandas as pd
import streamlit as st

from metrics.access import audit
from metrics.engine.schema import TABLES
from metrics.ingest.batches import UndoError, latest_undoable, list_batches, undo_latest
from metrics.ingest.headers import IGNORE, MONEY_UNITS
from metrics.ingest.importer import SAMPLE_REFUSAL, ImportRefused, ImportRejected, import_files, validate_files
from metrics.ingest.mapping import Mapping, MappingError, load_mapping, save_mapping
from metrics.present import export
from ui import auth
from ui.data import guard
from ui.frame import setup
from ui.quality import quality_slides, render_quality
from ui.safe import md

frame = setup("数据管理", needs_data=False)
config, engine = frame.config, frame.board.engine
IGNORED = "（忽略）"
ANALYSIS, VALIDATED, DONE = "data_analysis", "data_validated", "data_done"


def load_court_mapping() -> Mapping:
    try:
        return load_mapping(config.mapping_path)
    except MappingError as exc:
        st.error(f"{md(exc)}。请修改或删除该文件；在改好之前按无对照表处理。")
        return Mapping(path=config.mapping_path)


def analyse(sources: list[tuple[str, bytes]], mapping: Mapping, accept: bool):
    """Read and validate the uploads once per (files, mapping, confirmation); nothing is written."""
    digest = hashlib.sha256()
    for name, data in sources:
        digest.update(name.encode() + hashlib.sha256(data).digest())
    digest.update(mapping.to_yaml().encode() + bytes([accept]))
    key = digest.hexdigest()
    cached = st.session_state.get(ANALYSIS)
    if cached and cached[0] == key:
        return key, cached[1]
    bar = st.progress(0.0, text="正在读取文件……")
    report = validate_files(sources, config.court_name, config.parameters.transfer_reasons, mapping,
                            progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg),
                            accept_amounts=accept, courts=config.courts)
    bar.empty()
    st.session_state[ANALYSIS] = (key, report)
    return key, report


def header_editor(plan, index: int, mapping: Mapping) -> None:
    """How each header was understood, editable: pick the column a header means, or 忽略; units for money."""
    tables = list(TABLES)
    table = plan.table
    if table is None:
        table = st.selectbox("这张表是：", tables, index=None, format_func=lambda t: TABLES[t].chinese,
                             key=f"table_{index}", placeholder="请选择数据表")
        if table is None:
            return
        from metrics.ingest.headers import resolve

        resolve(plan.header, table, mapping.headers)
    fields = {f.name: f for f in TABLES[table].fields}
    labels = {f.name: f.header for f in fields.values()}
    by_label = {v: k for k, v in labels.items()}

    def unit_of(c) -> str:
        if not c.target or fields[c.target].kind != "money":
            return ""
        return c.unit or mapping.unit_for(table, c.name) or "元"

    st.dataframe(pd.DataFrame([{"原表头": c.original, "对应字段": labels.get(c.target, IGNORED), "单位": unit_of(c),
                                "识别方式": c.source} for c in plan.header.columns]),
                 hide_index=True, width="stretch")
    changed = False
    with st.expander("修改表头对应（保存为本院对照表后，以后同样表头的文件自动按此识别）", expanded=plan.table is None):
        grid = st.columns(3)
        for n, col in enumerate(plan.header.columns):
            cell = grid[n % 3]
            options = [IGNORED, *labels.values()]
            choice = cell.selectbox(col.original, options, index=options.index(labels.get(col.target, IGNORED)),
                                    key=f"map_{index}_{col.index}")
            target = by_label.get(choice, IGNORE)
            if target != (col.target or IGNORE):
                mapping.set_header(table, col.name, target)
                changed = True
            if target != IGNORE and fields[target].kind == "money":
                units = list(MONEY_UNITS)
                unit = cell.selectbox(f"{col.original} 的单位", units, index=units.index(unit_of(col) or "元")
                                      if (unit_of(col) or "元") in units else 0, key=f"unit_{index}_{col.index}")
                if unit != (unit_of(col) or "元"):
                    mapping.set_unit(table, col.name, unit)
                    changed = True
    if st.button("保存为本院对照表并重新识别", key=f"save_map_{index}", disabled=not changed, icon=":material/save:",
                 help=f"写入 {config.mapping_path.name}，以后导入同样表头的文件时自动使用"):
        save_mapping(mapping, config.mapping_path)
        st.session_state.pop(ANALYSIS, None)
        st.toast(f"已保存对照表：{config.mapping_path.name}")
        st.rerun()


def show_plans(report, mapping: Mapping) -> None:
    for i, plan in enumerate(report.plans):
        where = md(plan.file + (f" · 工作表“{plan.sheet}”" if plan.sheet else ""))  # names from the upload
        if plan.table:
            footers = f"，表尾 {len(plan.footers)} 行未导入" if plan.footers else ""
            title = (f"**{where}** → **{TABLES[plan.table].chinese}**（表头在第 {plan.header.row} 行，"
                     f"可导入 {plan.rows} 行{footers}）")
        elif plan.header:
            title = f"**{where}** → 未能识别为数据表"
        else:
            title = f"**{where}** → 跳过：{md(plan.skipped)}"
        with st.expander(title, expanded=plan.table is None and plan.header is not None or i == 0):
            if plan.header is None:
                if plan.found_headers:
                    st.caption("首行内容：" + md("、".join(plan.found_headers)))
                continue
            if plan.header.title_rows:
                st.caption("表头上方的标题行：" + md(" ｜ ".join(plan.header.title_rows)))
            header_editor(plan, i, mapping)
            if plan.preview:
                st.caption(f"前 {len(plan.preview)} 行（被执行人已脱敏）")
                st.dataframe(pd.DataFrame(plan.preview), hide_index=True, width="stretch", placeholder="—")


def problems_frame(report) -> pd.DataFrame:
    rows = [{"类型": kind, "文件": p.file, "工作表": p.sheet or "", "行": p.row, "列": p.column or "",
             "原因": p.reason} for kind, items in (("错误", report.errors), ("提示", report.warnings)) for p in items]
    return pd.DataFrame(rows, columns=["类型", "文件", "工作表", "行", "列", "原因"]).astype({"行": "Int64"})


def import_section() -> None:
    st.markdown("上传本院业务系统导出的 **.xls / .xlsx / .ods / .csv** 文件（可一次选多个）。程序自动找到表头行、"
                "识别是哪张表、跳过标题行和合计行；表头不认识时可在下方指定它对应的字段，并保存为本院对照表。")
    if frame.sample:
        st.warning(SAMPLE_REFUSAL + " 在此之前仍可上传文件做识别和校验，但不能导入。")
    uploads = st.file_uploader("选择文件", accept_multiple_files=True, key="data_upload",
                               help="单个文件不超过 200 MB；表格多于 110 万行时请分文件导出。")
    if not uploads:
        return
    sources = [(f.name, f.getvalue()) for f in uploads]
    mapping = load_court_mapping()
    accept = st.checkbox("确认金额无误（执行到位金额合计大于申请标的合计时仍然导入）", key="data_accept")
    key, report = analyse(sources, mapping, accept)
    show_plans(report, mapping)
    left, right = st.columns(2)
    if left.button("校验", icon=":material/fact_check:", width="stretch", key="data_check"):
        st.session_state[VALIDATED] = key
    validated = st.session_state.get(VALIDATED) == key
    if validated:
        counts = "，".join(f"{TABLES[t].chinese} {n} 行" for t, n in report.rows_read().items()) or "没有可导入的行"
        if report.errors:
            st.error(f"校验发现 {len(report.errors)} 处错误，改正后才能导入（数据库未作任何改动）。可导入：{counts}。")
        else:
            st.success(f"校验通过：{counts}；数据质量提示 {len(report.warnings)} 条。")
        problems = problems_frame(report)
        if not problems.empty:
            st.dataframe(problems, hide_index=True, width="stretch", height=min(420, 40 + 35 * len(problems)))
            st.download_button("下载校验结果（XLSX）",
                               data=auth.audited(engine, "XLSX", "导入校验结果.xlsx", len(problems),
                                                 lambda: export.table_xlsx(problems, title="导入校验结果")),
                               file_name="导入校验结果.xlsx", on_click="ignore", icon=":material/download:",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    can_import = validated and report.ok and bool(report.records) and not frame.sample
    if right.button("导入", type="primary", icon=":material/upload:", width="stretch", disabled=not can_import,
                    key="data_import", help="先校验；没有错误时才能导入。全部文件在一个事务中写入，"
                                            "要么全部成功，要么不写入。"):
        bar = st.progress(0.0, text="正在导入……")
        try:
            with guard():
                result = import_files(engine, sources, config.court_name, config.parameters.transfer_reasons,
                                      mapping=mapping, accept_amounts=accept, courts=config.courts,
                                      user=frame.access.username,
                                      progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg))
        except ImportRefused as exc:
            st.error(md(exc))
            return
        except ImportRejected as exc:
            st.error(f"导入被拒绝：{len(exc.report.errors)} 处错误，数据库未作任何改动。" + md(exc.report.errors[0]))
            return
        finally:
            bar.empty()
        audit.record(engine, frame.access.username, "import", ", ".join(name for name, _ in sources),
                     sum(result.inserted.values()) + sum(result.updated.values()), batch=result.batch_id)
        summary = "；".join(f"{TABLES[t].chinese}新增 {n} 行、更新 {result.updated[t]} 行、"
                           f"未变 {result.unchanged[t]} 行" for t, n in result.inserted.items())
        st.session_state[DONE] = f"导入完成（第 {result.batch_id} 次导入）：{summary}。"
        for k in (ANALYSIS, VALIDATED, "data_upload"):
            st.session_state.pop(k, None)
        st.rerun()


def history_section() -> None:
    with guard():
        batches = list_batches(engine)
    if not batches:
        st.info("还没有导入记录。")
        return
    table = pd.DataFrame([{
        "编号": b.batch_id, "导入时间": b.created_at, "操作人": b.user_name or "—", "文件": b.file_names,
        "新增": b.total("inserted"), "更新": b.total("updated"), "未变": b.total("unchanged"), "提示": b.warnings,
        "状态": "已撤销" if b.status == "undone" else "有效"} for b in batches])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"导入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
    with guard():
        latest = latest_undoable(engine)
    if latest is None:
        return
    st.markdown(f"**撤销最近一次导入**（第 {latest.batch_id} 次，{latest.created_at:%Y-%m-%d %H:%M}，"
                f"{md(latest.file_names)}）：删除它新增的 {latest.total('inserted')} 行，"
                f"把它更新的 {latest.total('updated')} 行恢复为导入前的内容。")
    sure = st.checkbox("我确认要撤销这次导入", key="undo_confirm")
    if st.button("撤销", disabled=not sure, icon=":material/undo:", key="undo"):
        try:
            with guard():
                batch = undo_latest(engine)
        except UndoError as exc:
            st.error(md(exc))
            return
        audit.record(engine, frame.access.username, "undo", batch.file_names, batch=batch.batch_id)
        st.session_state.pop("undo_confirm", None)
        st.session_state[DONE] = f"已撤销第 {batch.batch_id} 次导入。"
        st.rerun()


done = st.session_state.pop(DONE, None)
if done:
    st.success(done)
if frame.projector:  # a meeting looks at data quality, one part per screen; importing stays at the desk
    frame.slides(quality_slides(frame))
    st.stop()
tab_import, tab_history, tab_quality = st.tabs(["导入文件", "导入记录", "数据质量"])
with tab_import:
    import_section()
with tab_history:
    history_section()
with tab_quality:
    render_quality(frame)
