"""The 总结报告 draft (DOCX) in 公文 style: a leadership draft with the numbers annexed.

Typography after GB/T 9704 (党政机关公文格式): title 方正小标宋简体 二号, body 仿宋_GB2312 三号 at a fixed 28 pt line,
一级标题 黑体, 二级标题 楷体_GB2312, numbering 一、（一）1., page numbers “— 2 —”. The standard fonts are named;
where a PC lacks them Word substitutes the fallback the font table names (仿宋, 楷体, 宋体). Narrative sections
(成效, 存在问题, 下一步打算) are drafted from the numbers, and marked 【待修改】 where a person must write.
Numbers, sentences and charts come from metrics.present.report.ReportData (shared with the PPTX deck).
"""

from __future__ import annotations

import datetime as dt
import io

from metrics.config import DIRECTIONS
from metrics.engine.compare import target_of
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.charts import SAMPLE_MARK, monthly_trend, phase_bars
from metrics.present.export import SAMPLE_NOTE
from metrics.present.format import NONE, format_number, format_value, status_text
from metrics.present.report import (
    SMALL_MARK,
    ReportData,
    Steps,
    cell_value,
    change_cell,
    cn_date,
    phase_span,
    png,
    target_text,
    vs_baseline,
)
from metrics.present.sentences import YEAR_ON_YEAR_ONLY as _YOY
from metrics.present.sentences import overview_sentence, report_name

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
# The standard fonts and what Word puts in their place on a PC without them (w:altName in the font table).
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体", HEADING1_FONT: "SimHei"}
ERHAO, SANHAO, SIHAO, WUHAO = 22, 16, 14, 10.5  # 二号, 三号, 四号, 五号 in points
LINE = 28  # fixed line spacing of the body, in points
TO_EDIT = "【待修改】"
NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    return NUMERALS[i - 1] if 1 <= i <= len(NUMERALS) else str(i)


# ---- styles, fonts, page ---------------------------------------------------------------------------------------

def _fonts(style, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = LATIN_FONT
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the named one
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc) -> None:
    """Name the standard fonts with their fallbacks in word/fontTable.xml (w:altName), charset GB2312."""
    from lxml import etree

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{W}}}font", {f"{{{W}}}name": name})
        etree.SubElement(font, f"{{{W}}}altName", {f"{{{W}}}val": alt})
        etree.SubElement(font, f"{{{W}}}charset", {f"{{{W}}}val": "86"})
        etree.SubElement(font, f"{{{W}}}family", {f"{{{W}}}val": "modern" if name == BODY_FONT else "auto"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _chinese_theme_language(doc) -> None:
    """themeFontLang eastAsia=zh-CN (python-docx's template says ja-JP, so Word and WPS pick Japanese glyphs)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup(doc) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    section = doc.sections[0]
    # GB/T 9704: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    styles = doc.styles
    _fonts(styles["Normal"], BODY_FONT, SANHAO)
    normal = styles["Normal"].paragraph_format
    normal.line_spacing_rule, normal.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE)
    normal.space_after = normal.space_before = Pt(0)
    _fonts(styles["Title"], TITLE_FONT, ERHAO, bold=False)
    styles["Title"].paragraph_format.line_spacing = Pt(36)
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT), ("Heading 3", BODY_FONT)):
        _fonts(styles[name], font, SANHAO, bold=name == "Heading 3")
        fmt = styles[name].paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(2 * SANHAO)  # 公文 headings sit at the body's indent
        fmt.keep_with_next = True
    _fonts(styles["Caption"], HEADING1_FONT, WUHAO + 1.5, bold=False)
    styles["Caption"].paragraph_format.line_spacing = 1.0
    _fonts(styles["Table Grid"], BODY_FONT)
    border = styles["Title"].element.pPr.find(qn("w:pBdr"))  # the template underlines titles in blue
    if border is not None:
        styles["Title"].element.pPr.remove(border)
    _font_table(doc)
    _chinese_theme_language(doc)


def _field(paragraph, instr: str) -> None:
    """A PAGE field (Word and LibreOffice fill it in)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _footer(doc, data: ReportData) -> None:
    """Page numbers “— 2 —” in 宋体 四号 (GB/T 9704), and the sample mark when the data are synthetic."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        if text is None:
            _field(p, "PAGE")
            continue
        run = p.add_run(text)
        run.font.size = Pt(SIHAO)
        run.font.name = "宋体"
    if data.sample:
        mark = footer.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(f"{SAMPLE_MARK}（合成数据，不代表真实工作情况）· {data.config.court_name}")
        run.font.size, run.font.bold, run.font.color.rgb = Pt(9), True, RGBColor(0xE6, 0x51, 0x00)


# ---- paragraphs ------------------------------------------------------------------------------------------------

def _body(doc, text: str, *, to_edit: bool = False):
    """A body paragraph, first line indented by two characters; a 【待修改】 placeholder in red."""
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(2 * SANHAO)
    run = p.add_run(text)
    if to_edit:
        mark = p.add_run(TO_EDIT)
        mark.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
        mark.font.bold = True
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    return p


def _heading1(doc, i: int, text: str) -> None:
    doc.add_paragraph(f"{numeral(i)}、{text}", style="Heading 1")


def _heading2(doc, i: int, text: str) -> None:
    doc.add_paragraph(f"（{numeral(i)}）{text}", style="Heading 2")


def _note(doc, text: str, size: float = WUHAO) -> None:
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = 1.15
    run = p.add_run(text)
    run.font.size, run.font.color.rgb = Pt(size), RGBColor(0x44, 0x44, 0x44)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _docx_table(doc, header: list[str], rows: list[list[str]], widths: list[float], size: float = 10.5,
                left: int = 1) -> None:
    """A grid table; the first `left` columns are left-aligned text, the others centred figures."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice and WPS read; Word reads the cell widths
    marker = OxmlElement("w:tblHeader")  # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(marker)
    marker.set(qn("w:val"), "true")
    for cell in table.rows[0].cells:
        _shade(cell, "F3E5E5")
    for values in [header, *rows]:
        cells = table.rows[0].cells if values is header else table.add_row().cells
        for i, text in enumerate(values):
            cell = cells[i]
            cell.width = Cm(widths[i])
            para = cell.paragraphs[0]
            para.paragraph_format.line_spacing = 1.0
            para.paragraph_format.space_after = Pt(0)
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if i < left else WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(text)
            run.font.size = Pt(size)
            run.font.bold = values is header



# ---- the draft -------------------------------------------------------------------------------------------------

def _title(doc, data: ReportData) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    c = data.config
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"{c.court_name}\n关于{c.action_name}开展情况的总结报告（初稿）")
    doc.add_paragraph()
    if data.sample:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(f"【{SAMPLE_NOTE}】")
        run.font.bold, run.font.size, run.font.color.rgb = True, Pt(SIHAO), RGBColor(0xE6, 0x51, 0x00)
    scope = "、".join(c.parameters.scope_case_types)
    filters = data.filters.describe()
    _note(doc, f"统计日：{cn_date(data.as_of)}。数据来源：{data.source}。统计范围：{scope}案件"
               + ("" if filters == "全部案件" else f"（{filters}）") + f"。生成日期：{cn_date(dt.date.today())}。"
               f"本稿由“交叉执行专项行动指标看板”按统一口径生成，数字与看板一致；标注{TO_EDIT}处须结合工作实际补写、"
               "修改。各指标数值、图表与口径见附件。")


def _focus_rows(data: ReportData) -> list:
    return [data.rows[k, data.focus] for k in HEADLINE]


def _basic(doc, data: ReportData, n: int) -> None:
    c = data.config
    _heading1(doc, n, "基本情况")
    spans = "；".join(f"{p.name}（{phase_span(c, p.key, data)}）" for p in c.action_phases)
    _body(doc, f"专项行动分为{spans}。本报告以{c.baseline.name}（{phase_span(c, c.baseline.key)}）为比较基准，"
               "各阶段同时与上年同期比较；比率的变化以百分点计，件数按月均比较，执行用时以天计；"
               "实际执结率为受理口径，随阶段长短变化，只与上年同期比较。")
    focus = data.phases[data.focus]
    m = focus.measures
    name = c.phase(data.focus).name
    if m.get("filed") is not None:
        _body(doc, f"{name}，新收{'、'.join(c.parameters.scope_case_types)}案件{int(m['filed'])}件，"
                   f"结案{int(m.get('closed') or 0)}件，期末未结{int(m.get('pending_end') or 0)}件。"
                   + overview_sentence(name, _focus_rows(data), detail=False))
    _body(doc, "专项行动组织领导、部署动员和宣传等情况：", to_edit=True)


def _practice(doc, n: int) -> None:
    _heading1(doc, n, "主要做法")
    for i, topic in enumerate(("加强组织领导，压实工作责任", "完善交叉执行机制，强化协作配合",
                               "加大强制执行力度，用足用好执行措施"), start=1):
        _heading2(doc, i, topic)
        _body(doc, "请补写具体做法、典型案例和数据支撑：", to_edit=True)


def _significant(row) -> bool:
    ch = row.yardstick
    return ch.delta is not None and not ch.uncertain


def _results(doc, data: ReportData, n: int) -> None:
    c = data.config
    _heading1(doc, n, "取得成效")
    name = c.phase(data.focus).name
    better = [r for r in _focus_rows(data) if _significant(r) and r.yardstick.verdict == "better"]
    met = [r for r in _focus_rows(data) if r.status == "met"]
    if better:
        names = "、".join(report_name(r.key) for r in better)
        _body(doc, f"与比较基准相比，{name}{names}明显向好（变化超出统计误差）。")
    if met:
        _body(doc, f"{name}" + "、".join(report_name(r.key) for r in met) + "达到目标。")
    for r in better or met:
        _body(doc, data.sentence(r.key, data.focus))
    if not better and not met:
        _body(doc, f"{name}核心指标尚无超出统计误差的向好变化，也无达到目标的指标。")
    _body(doc, "成效的具体事例与社会效果：", to_edit=True)


def _cross(doc, data: ReportData, n: int) -> None:
    c = data.config
    _heading1(doc, n, "交叉执行工作情况")
    name = c.phase(data.focus).name
    v = data.phases[data.focus].values
    received, sent = v["cross_received_count"].value, v["cross_sent_count"].value
    parts = []
    if received is not None:
        parts.append(f"承接交叉执行案件{int(received)}件")
    if sent is not None:
        parts.append(f"交出交叉执行案件{int(sent)}件（按结案计）")
    if parts:
        _body(doc, f"{name}，" + "，".join(parts) + "。")
    for key in ("cross_completion_rate", "cross_recovery_rate", "entrust_on_time_rate"):
        _body(doc, data.sentence(key, data.focus))
    partners = (data.partners or {}).get(data.focus, {})
    courts = [(court, r) for court, r in partners.items() if court and court != "（未填）"
              and (r.values["cross_received_count"].value or r.values["cross_sent_count"].value)]
    if courts:
        _body(doc, "与各对方法院的交叉执行情况见表1。")
        doc.add_paragraph("表1 交叉执行对方法院情况", style="Caption").alignment = 1
        _docx_table(doc, ["对方法院", "承接", "交出", "承接案件执行完毕率", "承接案件执行到位率"],
                    [[court, format_number("cross_received_count", r.values["cross_received_count"].value),
                      format_number("cross_sent_count", r.values["cross_sent_count"].value),
                      format_value(r.values["cross_completion_rate"]),
                      format_value(r.values["cross_recovery_rate"])] for court, r in courts],
                    [4.6, 2.2, 2.2, 3.3, 3.3])
    _body(doc, "交叉执行的协作机制、典型案例：", to_edit=True)


def _problems(doc, data: ReportData, n: int) -> list:
    c = data.config
    _heading1(doc, n, "存在问题")
    name = c.phase(data.focus).name
    rows = [data.rows[k, data.focus] for k in INDICATORS if target_of(c, k).direction in ("higher", "lower")]
    worse = [r for r in rows if _significant(r) and r.yardstick.verdict == "worse"]
    missed = [r for r in rows if r.status == "missed"]
    anomalies = [r for r in rows if r.anomaly]
    i = 0
    if missed:
        i += 1
        _heading2(doc, i, "部分指标未达到目标")
        for r in missed:
            _body(doc, data.sentence(r.key, data.focus))
    if worse:
        i += 1
        _heading2(doc, i, "部分指标较比较基准变差")
        _body(doc, f"{name}" + "、".join(report_name(r.key) for r in worse) + "变差，且变化超出统计误差。")
    if anomalies:
        i += 1
        _heading2(doc, i, "部分数据异常")
        _body(doc, "、".join(report_name(r.key) for r in anomalies) + "超出可能范围，须核对原始数据后再使用。")
    if not i:
        _body(doc, f"{name}各项指标均无超出统计误差的变差，也无未达目标的指标。")
    _body(doc, "工作中存在的其他问题与原因分析：", to_edit=True)
    return missed + worse


def _next_steps(doc, data: ReportData, n: int, problems: list) -> None:
    _heading1(doc, n, "下一步打算")
    for i, r in enumerate(dict.fromkeys(r.key for r in problems), start=1):
        goal = target_text(data.config, r)
        _body(doc, f"{i}.针对{report_name(r)}" + (f"（目标{goal}）" if goal != NONE else "") + "，拟采取的措施：",
              to_edit=True)
    _body(doc, "固化交叉执行经验做法、形成长效机制的打算：", to_edit=True)


# ---- the numbers annex (kept from the metrics draft) -----------------------------------------------------------

def _annex_tables(doc, data: ReportData) -> None:
    from docx.shared import Pt

    c = data.config
    p = doc.add_paragraph()
    p.add_run("附件").font.size = Pt(SANHAO)
    title = doc.add_paragraph(style="Title")
    title.alignment = 1
    title.add_run("指标数据与口径")
    doc.add_paragraph("一、主要指标分阶段情况", style="Heading 1")
    doc.add_paragraph("附表1 核心指标各阶段数值", style="Caption").alignment = 1
    header = ["指标", *[p.name for p in c.phases], "目标"]
    widths = [3.4, *[(15.6 - 3.4 - 2.2) / len(c.phases)] * len(c.phases), 2.2]
    _docx_table(doc, header, [[INDICATORS[k].name, *[cell_value(data.rows[k, p.key]) for p in c.phases],
                               target_text(c, k)] for k in HEADLINE], widths, size=9)
    _note(doc, f"注：“—”表示暂无数据（分母为0或阶段尚未开始）；“（暂定）”表示观察期未满；"
               f"“{SMALL_MARK}”表示样本较小（不足{c.parameters.small_denominator}件）：无法做统计检验的指标，或据此判断达标与否的数值。")
    number = 1
    for key in data.begun:
        number += 1
        name = c.phase(key).name
        doc.add_paragraph(f"附表{number} {name}全部指标与基线期、上年同期比较", style="Caption").alignment = 1
        rows = [data.rows[k, key] for k in INDICATORS]
        _docx_table(doc, ["指标", "基线期", name, "较基线期", "较上年同期", "目标", "达标情况"],
                    [[INDICATORS[r.key].name, format_value(r.baseline), cell_value(r), vs_baseline(r),
                      change_cell(r.vs_last_year), target_text(c, r.key),
                      status_text(r, target_of(c, r.key).target is not None)] for r in rows],
                    [3.5, 1.9, 1.9, 2.4, 2.4, 2.0, 1.5], size=8.5)
        _note(doc, "注：件数的变化为月均件数之差（阶段长短不同）；期末未结数、超12个月未结数为时点数，直接比较；"
                   "实际执结率为受理口径，随阶段长短变化，只与上年同期比较；“误差内”表示按95%置信区间判断差异可能只是随机波动。")


def _annex_charts(doc, data: ReportData, steps: Steps) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    c = data.config
    doc.add_page_break()
    doc.add_paragraph("二、核心指标分析", style="Heading 1")
    figure = 0
    for i, key in enumerate(HEADLINE, start=1):
        ind = INDICATORS[key]
        doc.add_paragraph(f"（{numeral(i)}）{report_name(key)}", style="Heading 2")
        for phase in [c.baseline.key, *data.begun]:
            _body(doc, data.sentence(key, phase))
        _note(doc, f"口径：{ind.definition()}")
        bars = phase_bars(c, data.phases, key, sample=data.sample, last_year=data.last_year, title=" ")
        for chart, label in ((bars, "各阶段对比" if key not in _YOY else "本期与上年同期"),
                             (monthly_trend(c, data.monthly, key, sample=data.sample, title=" "), "月度走势")):
            steps(f"绘制图表：{ind.name} {label}")
            # Charts in the annex are drawn larger and scaled down, so their text prints at about 9 pt.
            doc.add_picture(io.BytesIO(png(chart, width=560)), width=Cm(15.4))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            figure += 1
            doc.add_paragraph(f"图{figure} {ind.name}：{label}", style="Caption").alignment = 1


def _annex_definitions(doc, data: ReportData) -> None:
    c = data.config
    pm = c.parameters
    doc.add_page_break()
    doc.add_paragraph("三、指标口径与参数", style="Heading 1")
    doc.add_paragraph("（一）阶段划分", style="Heading 2")
    _docx_table(doc, ["阶段", "起止日期", "说明"],
                [[p.name, phase_span(c, p.key, data), "基线（比较基准）" if p.baseline else "专项行动阶段"]
                 for p in c.phases], [4.0, 7.6, 4.0])
    doc.add_paragraph("（二）统计参数", style="Heading 2")
    for label, text in (
            ("统计的案件类型", "、".join(pm.scope_case_types)),
            ("实际执结的结案方式", "、".join(pm.actual_closure_methods)),
            ("视为移送他院执行的终结执行情形", "、".join(pm.transfer_reasons) + "（管辖转移，不计入本院结案）"),
            ("法定执行期限", f"{pm.statutory_days}天（扣除中止、暂缓等不计入审限的天数）"),
            ("裁判自动履行观察期", f"{pm.judgment_observation_days}天"),
            ("比较方法", "各阶段与基线期、上年同期比较；件数按月均比较；比率之差以百分点计；"
                        "实际执结率只与上年同期比较"),
            ("误差判断", "比率之差的95%置信区间（纽科姆方法）包含0、或件数之差在泊松波动范围内时，标注“误差内”，"
                        f"不判断向好或变差；金额比率、平均数和中位数在结案不足{pm.small_denominator}件时标注“样本小”"),
            ("统计日规则", "统计日之后发生的立案、结案、生效、拍卖、反馈均视为尚未发生，各阶段截至统计日")):
        p = doc.add_paragraph()
        p.add_run(f"{label}：").font.bold = True
        p.add_run(text)
    doc.add_paragraph("（三）指标口径", style="Heading 2")
    _docx_table(doc, ["指标", "口径", "方向与目标"],
                [[ind.name, ind.definition(),
                  DIRECTIONS[target_of(c, ind.key).direction] + (f"\n目标{target_text(c, ind.key)}"
                                                                 if target_of(c, ind.key).target is not None else "")]
                 for ind in INDICATORS.values()], [3.0, 10.2, 2.4], size=9)


def build_docx(data: ReportData, steps: Steps) -> bytes:
    from docx import Document

    doc = Document()
    c = data.config
    doc.core_properties.title = f"{c.court_name}关于{c.action_name}开展情况的总结报告（初稿）"
    doc.core_properties.author = c.court_name
    doc.core_properties.language = "zh-CN"
    _setup(doc)
    _footer(doc, data)
    _title(doc, data)
    _basic(doc, data, 1)
    _practice(doc, 2)
    _results(doc, data, 3)
    _cross(doc, data, 4)
    n = 5
    if data.forecasts:  # a phase still running: where it is heading (never for an ended phase)
        from metrics.present.forecast_docx import write_forecasts

        _heading1(doc, n, "阶段末预判")
        write_forecasts(doc, data.forecasts, c, data.as_of,
                        table=lambda d, header, rows: _docx_table(d, header, rows, [3.9, 2.0, 2.0, 3.6, 1.8, 2.0]),
                        note=_note)
        n += 1
    problems = _problems(doc, data, n)
    _next_steps(doc, data, n + 1, problems)
    doc.add_page_break()
    _annex_tables(doc, data)
    _annex_charts(doc, data, steps)
    _annex_definitions(doc, data)
    steps("保存 Word 文件")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
