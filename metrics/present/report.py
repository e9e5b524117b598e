"""The 总结报告 draft (DOCX) and the meeting deck (PPTX), built from the numbers and charts the pages show.

`build_report` is shared by the 报告导出 page and `python -m metrics report`. The numbers come from
metrics.engine.service.Dashboard, the charts from metrics.present.charts (rendered by metrics.present.export with
the bundled font), the sentences from metrics.present.sentences; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from metrics.config import DIRECTIONS, Config
from metrics.engine.compare import Row, compare_phase, target_of
from metrics.engine.compute import WindowResult
from metrics.engine.db import DatabaseUnavailable, describe_url, is_sample
from metrics.engine.filters import Filters
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.engine.windows import Window
from metrics.present.charts import SAMPLE_MARK, monthly_trend, phase_bars
from metrics.present.export import SAMPLE_NOTE, render_chart
from metrics.present.format import NONE, format_change, format_number, format_value, status_text
from metrics.present.sentences import indicator_sentence, overview_sentence, report_name

Progress = Callable[[str], None]
FORMATS = ("docx", "pptx")
SMALL_MARK = "*"
_STEP = re.compile(r"^\[(\d+)/(\d+)\]")


def progress_fraction(message: str) -> float | None:
    """0..1 from a progress message “[3/21] …”, for a progress bar; None for a message without a count."""
    m = _STEP.match(message)
    return int(m.group(1)) / int(m.group(2)) if m else None


class _Steps:
    """Numbers the progress messages “[i/n] …” so a page can draw a bar and the CLI a readable log."""

    def __init__(self, total: int, callback: Progress | None):
        self.total, self.done, self.callback = total, 0, callback

    def __call__(self, message: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self.callback:
            self.callback(f"[{self.done}/{self.total}] {message}")


@dataclass
class ReportData:
    """Everything a report states: one computation, shared by the DOCX and the PPTX."""

    config: Config
    as_of: dt.date
    filters: Filters
    sample: bool
    source: str
    focus: str  # the phase the takeaways speak of
    windows: dict[str, Window]
    phases: dict[str, WindowResult]
    monthly: list[WindowResult]
    rows: dict[tuple[str, str], Row]
    last_year: dict[str, WindowResult] | None = None

    @property
    def begun(self) -> list[str]:
        return begun_phases(self.config, self.windows)

    def sentence(self, key: str, phase: str) -> str:
        p = self.config.phase(phase)
        return indicator_sentence(self.rows[key, phase], p.name, target_of(self.config, key), baseline=p.baseline)

    def footer(self) -> str:
        text = f"{self.config.court_name} · {self.config.action_name} · 统计日 {self.as_of:%Y-%m-%d}"
        return text + (f" · {SAMPLE_MARK}" if self.sample else "")


def begun_phases(config: Config, windows: dict[str, Window]) -> list[str]:
    """Action phases that have begun by the as-of date, in order."""
    return [p.key for p in config.action_phases if not windows[p.key].empty]


def collect(engine: Engine, config: Config, as_of: dt.date | None = None, filters: Filters = Filters(),
            phase: str | None = None, *, monthly: bool = True) -> ReportData:
    """The numbers of a report; `phase` (default: the configured default phase, else the latest begun) is the
    one the takeaways speak of. Monthly series only when a monthly chart is drawn."""
    from metrics.engine.service import Dashboard

    board = Dashboard(engine, config)
    as_of = as_of or board.default_as_of()
    if as_of is None:
        raise DatabaseUnavailable("数据库中没有任何数据，无法生成报告；请先导入数据或指定统计日（--as-of）")
    windows = {w.key: w for w in board.phase_windows(as_of)}
    phases = board.phase_results(as_of, filters)
    last_year = board.last_year_results(as_of, filters)
    rows = {(key, p.key): compare_phase(config, key, p.key, phases, last_year, filters)
            for p in config.phases for key in INDICATORS}
    begun = begun_phases(config, windows)
    if phase not in begun:
        phase = config.default_phase if config.default_phase in begun else (begun[-1] if begun else
                                                                           config.baseline.key)
    sample = is_sample(engine)
    source = ("示例数据（程序生成的合成数据，见 sample_data/）" if sample
              else describe_url(engine.url.render_as_string(hide_password=False)))
    return ReportData(config, as_of, filters, sample, source, phase, windows, phases,
                      board.monthly_results(as_of, filters) if monthly else [], rows, last_year)


def _png(chart, *, width: int | None = None, height: int | None = None) -> bytes:
    spec = chart.to_dict()
    if width:
        spec["width"] = width
    if height:
        spec["height"] = height
    return render_chart(spec, "png")


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _phase_span(config: Config, key: str, data: ReportData | None = None) -> str:
    p = config.phase(key)
    text = f"{p.start:%Y-%m-%d}至{p.end:%Y-%m-%d}"
    if data is not None:
        w = data.windows[key]
        if w.empty:
            text += "，统计日尚未开始"
        elif w.clamped:
            text += f"，统计截至{w.end:%Y-%m-%d}"
    return text


def _cell_value(row: Row) -> str:
    return format_value(row.value) + (SMALL_MARK if row.small and row.value.value is not None else "")


def _vs_baseline(row: Row) -> str:
    """Δ vs baseline as the tables state it; a 受理口径 rate is not compared with a baseline of another length."""
    return _change_cell(row.vs_baseline)


def _change_cell(ch) -> str:
    """A change in a table cell; within noise it says so (误差内 / 样本小) instead of standing bare."""
    text = format_change(ch)
    if ch.delta is not None and ch.uncertain:
        text += "（误差内）" if ch.reason == "差异在统计误差内" else "（样本小）"
    return text


def _target_text(config: Config, key: str) -> str:
    t = target_of(config, key)
    if t.target is None:
        return NONE
    return ("≤" if t.direction == "lower" else "≥") + format_number(key, t.target)


# ---- DOCX ------------------------------------------------------------------------------------------------------

BODY_FONT = "宋体"  # present on every Chinese Windows; Word uses w:eastAsia for the Chinese characters
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _docx_fonts(style, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
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


def _docx_setup(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    styles = doc.styles
    _docx_fonts(styles["Normal"], BODY_FONT, 12)
    styles["Normal"].paragraph_format.line_spacing = 1.4
    styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        _docx_fonts(styles[name], HEADING_FONT, size, bold=name != "Title")
        styles[name].paragraph_format.space_before = Pt(12 if name != "Heading 3" else 6)
        styles[name].paragraph_format.space_after = Pt(6)
    _docx_fonts(styles["Caption"], HEADING_FONT, 10.5, bold=False)
    _docx_fonts(styles["Table Grid"], BODY_FONT)
    border = styles["Title"].element.pPr.find(qn("w:pBdr"))  # the template underlines titles in blue
    if border is not None:
        styles["Title"].element.pPr.remove(border)


def _field(paragraph, instr: str) -> None:
    """A PAGE / NUMPAGES field (Word and LibreOffice fill it in)."""
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


def _docx_footer(doc, data: ReportData) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head = p.add_run(f"{data.config.court_name} · 统计日 {data.as_of:%Y-%m-%d}")
    head.font.size = Pt(9)
    if data.sample:
        mark = p.add_run(f" · {SAMPLE_MARK}（合成数据）")
        mark.font.size, mark.font.bold, mark.font.color.rgb = Pt(9), True, RGBColor(0xE6, 0x51, 0x00)
    p.add_run(" · 第 ").font.size = Pt(9)
    _field(p, "PAGE")
    p.add_run(" 页 / 共 ").font.size = Pt(9)
    _field(p, "NUMPAGES")
    p.add_run(" 页").font.size = Pt(9)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _docx_table(doc, header: list[str], rows: list[list[str]], widths: list[float], size: float = 9,
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


def _docx_body(doc, text: str):
    """A body paragraph, first line indented by two characters as Chinese reports are set."""
    from docx.shared import Pt

    p = doc.add_paragraph(text)
    p.paragraph_format.first_line_indent = Pt(24)
    return p


def _docx_note(doc, text: str, size: float = 9) -> None:
    from docx.shared import Pt, RGBColor

    run = doc.add_paragraph().add_run(text)
    run.font.size, run.font.color.rgb = Pt(size), RGBColor(0x55, 0x55, 0x55)


def _docx_cover(doc, data: ReportData) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    c = data.config
    for _ in range(4):
        doc.add_paragraph()
    court = doc.add_paragraph(style="Title")
    court.alignment = WD_ALIGN_PARAGRAPH.CENTER
    court.add_run(c.court_name).font.size = Pt(20)
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"{c.action_name}\n指标分析报告（初稿）")
    if data.sample:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(f"【{SAMPLE_NOTE}】")
        run.font.bold, run.font.size, run.font.color.rgb = True, Pt(14), RGBColor(0xE6, 0x51, 0x00)
    doc.add_paragraph()
    for label, text in (("统计日", _cn_date(data.as_of)), ("数据来源", data.source),
                        ("统计范围", f"{'、'.join(c.parameters.scope_case_types)}案件；{data.filters.describe()}"),
                        ("生成日期", _cn_date(dt.date.today()))):
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Pt(60)
        p.add_run(f"{label}：").font.bold = True
        p.add_run(text)
    doc.add_paragraph()
    _docx_note(doc, "本初稿由“交叉执行专项行动指标看板”自动生成，数字与看板一致；文字为按统一口径生成的初稿，"
                    "请结合工作实际核对、修改后使用。各指标口径见附录。", 10.5)
    doc.add_page_break()


def _docx_overview(doc, data: ReportData) -> None:
    c = data.config
    doc.add_heading("一、总体情况", level=1)
    spans = "；".join(f"{p.name}（{_phase_span(c, p.key, data)}）" for p in c.action_phases)
    _docx_body(
        doc, f"本报告统计截至{_cn_date(data.as_of)}的执行案件数据。专项行动分为{spans}，以{c.baseline.name}"
        f"（{_phase_span(c, c.baseline.key)}）为基线，各阶段同时与上年同期比较。比率的变化以百分点计，"
        "件数按月均比较，执行用时以天计。")
    for key in data.begun:
        rows = [data.rows[k, key] for k in HEADLINE]
        _docx_body(doc, overview_sentence(c.phase(key).name, rows))


def _docx_tables(doc, data: ReportData) -> int:
    c = data.config
    doc.add_heading("二、主要指标分阶段情况", level=1)
    doc.add_paragraph("表1 核心指标各阶段数值", style="Caption").alignment = 1
    header = ["指标", *[p.name for p in c.phases], "目标"]
    widths = [3.6, *[(15.6 - 3.6 - 1.8) / len(c.phases)] * len(c.phases), 1.8]
    _docx_table(doc, header, [[INDICATORS[k].name, *[_cell_value(data.rows[k, p.key]) for p in c.phases],
                               _target_text(c, k)] for k in HEADLINE], widths)
    _docx_note(doc, f"注：“—”表示暂无数据（分母为0或阶段尚未开始）；“（暂定）”表示观察期未满；"
                    f"“{SMALL_MARK}”表示样本较小（不足{c.parameters.small_denominator}件），变化仅供参考。")
    number = 1
    for key in data.begun:
        number += 1
        name = c.phase(key).name
        doc.add_paragraph(f"表{number} {name}全部指标与基线期、上年同期比较", style="Caption").alignment = 1
        rows = [data.rows[k, key] for k in INDICATORS]
        _docx_table(doc, ["指标", "基线期", name, "较基线期", "较上年同期", "目标", "达标情况"],
                    [[INDICATORS[r.key].name, format_value(r.baseline), _cell_value(r), _vs_baseline(r),
                      _change_cell(r.vs_last_year), _target_text(c, r.key),
                      status_text(r, target_of(c, r.key).target is not None)] for r in rows],
                    [3.9, 2.0, 2.0, 2.2, 2.2, 1.7, 1.6], size=8.5)
        _docx_note(doc, "注：件数的变化为月均件数之差（阶段长短不同）；期末未结数、超12个月未结数为时点数，直接比较；"
                        "实际执结率为受理口径，随阶段长短变化，只与上年同期比较。")
    return number


def _docx_sections(doc, data: ReportData, steps: _Steps) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    c = data.config
    doc.add_page_break()
    doc.add_heading("三、核心指标分析", level=1)
    figure = 0
    numerals = "一二三四五六七八九十"
    for i, key in enumerate(HEADLINE):
        ind = INDICATORS[key]
        doc.add_heading(f"（{numerals[i] if i < len(numerals) else i + 1}）{report_name(key)}", level=2)
        for phase in [c.baseline.key, *data.begun]:
            _docx_body(doc, data.sentence(key, phase))
        _docx_note(doc, f"口径：{ind.definition()}")
        bars = phase_bars(c, data.phases, key, sample=data.sample, last_year=data.last_year)
        for chart, label in ((bars, "各阶段对比"),
                             (monthly_trend(c, data.monthly, key, sample=data.sample), "月度走势")):
            steps(f"绘制图表：{ind.name} {label}")
            doc.add_picture(io.BytesIO(_png(chart)), width=Cm(15.4))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            figure += 1
            doc.add_paragraph(f"图{figure} {ind.name}：{label}", style="Caption").alignment = 1


def _docx_appendix(doc, data: ReportData) -> None:
    c = data.config
    pm = c.parameters
    doc.add_page_break()
    doc.add_heading("附录 指标口径与参数", level=1)
    doc.add_heading("（一）阶段划分", level=2)
    _docx_table(doc, ["阶段", "起止日期", "说明"],
                [[p.name, _phase_span(c, p.key, data), "基线（比较基准）" if p.baseline else "专项行动阶段"]
                 for p in c.phases], [4.0, 7.6, 4.0])
    doc.add_heading("（二）统计参数", level=2)
    for label, text in (
            ("统计的案件类型", "、".join(pm.scope_case_types)),
            ("实际执结的结案方式", "、".join(pm.actual_closure_methods)),
            ("视为移送他院执行的终结执行情形", "、".join(pm.transfer_reasons) + "（管辖转移，不计入本院结案）"),
            ("法定执行期限", f"{pm.statutory_days}天（扣除中止、暂缓等不计入审限的天数）"),
            ("裁判自动履行观察期", f"{pm.judgment_observation_days}天"),
            ("小样本阈值", f"{pm.small_denominator}件（不足时标注“样本较小”）"),
            ("比较方法", "各阶段与基线期、上年同期比较；件数按月均比较；比率之差以百分点计；"
                        "比例之差小于95%随机波动范围时标注“仅供参考”"),
            ("统计日规则", "统计日之后发生的立案、结案、生效、拍卖、反馈均视为尚未发生，各阶段截至统计日")):
        p = doc.add_paragraph()
        p.add_run(f"{label}：").font.bold = True
        p.add_run(text)
    doc.add_heading("（三）指标口径", level=2)
    _docx_table(doc, ["指标", "口径", "方向与目标"],
                [[f"{ind.name}\n{ind.key}", ind.definition(),
                  DIRECTIONS[target_of(c, ind.key).direction] + (f"\n目标{_target_text(c, ind.key)}"
                                                                 if target_of(c, ind.key).target is not None else "")]
                 for ind in INDICATORS.values()], [3.4, 9.8, 2.4], left=2)


def build_docx(data: ReportData, steps: _Steps) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = f"{data.config.court_name}{data.config.action_name}指标分析报告（初稿）"
    doc.core_properties.author = data.config.court_name
    _docx_setup(doc)
    _docx_footer(doc, data)
    _docx_cover(doc, data)
    _docx_overview(doc, data)
    _docx_tables(doc, data)
    _docx_sections(doc, data, steps)
    _docx_appendix(doc, data)
    steps("保存 Word 文件")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---- PPTX ------------------------------------------------------------------------------------------------------

SLIDE_FONT = "微软雅黑"  # the Chinese PowerPoint default on Windows; set as the East Asian typeface
SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
ACCENT = (0xB7, 0x1C, 0x1C)
SAMPLE_COLOR = (0xE6, 0x51, 0x00)


def _pptx_font(run, size: float, bold: bool = False) -> None:
    """Size, weight and the slide font as both the Latin and the East Asian typeface (python-pptx sets only Latin)."""
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size, run.font.bold, run.font.name = Pt(size), bold, SLIDE_FONT
    latin = run._r.get_or_add_rPr().find(qn("a:latin"))
    latin.addnext(latin.makeelement(qn("a:ea"), {"typeface": SLIDE_FONT}))


def _pptx_text(slide, left, top, width, height, text: str, size: float, *, bold=False, color=(0x11, 0x11, 0x11),
               align: str = "left", fill=None):
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if fill:
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(*fill)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE if fill else MSO_ANCHOR.TOP
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
        run = para.add_run()
        run.text = line
        run.font.color.rgb = RGBColor(*color)
        _pptx_font(run, size, bold)
    return box


def _pptx_footer(slide, data: ReportData, number: int, total: int) -> None:
    _pptx_text(slide, 0.45, 7.0, 10.5, 0.4, data.footer(), 14, color=(0x55, 0x55, 0x55))
    _pptx_text(slide, 11.3, 7.0, 1.6, 0.4, f"{number} / {total}", 14, color=(0x55, 0x55, 0x55), align="right")
    if data.sample:
        _pptx_text(slide, 11.0, 0.2, 2.0, 0.5, SAMPLE_MARK, 18, bold=True, color=(0xFF, 0xFF, 0xFF),
                   align="center", fill=SAMPLE_COLOR)


def _pptx_title_slide(prs, data: ReportData, total: int) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    c = data.config
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, Inches(0.25))
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor(*ACCENT)
    band.line.fill.background()
    _pptx_text(slide, 0.9, 1.2, 11.5, 0.7, c.court_name, 28, color=ACCENT, bold=True)
    _pptx_text(slide, 0.9, 2.0, 11.5, 1.9, f"{c.action_name}\n指标分析", 48, bold=True)
    _pptx_text(slide, 0.9, 4.1, 11.5, 0.6, "领导小组会议材料", 26, color=(0x33, 0x33, 0x33))
    _pptx_text(slide, 0.9, 4.9, 11.5, 1.0,
               f"统计日：{_cn_date(data.as_of)}　　重点阶段：{c.phase(data.focus).name}\n数据来源：{data.source}",
               20, color=(0x33, 0x33, 0x33))
    if data.sample:
        _pptx_text(slide, 0.9, 6.0, 11.5, 0.7, f"{SAMPLE_MARK}：程序生成的合成数据，仅用于演示，不代表真实工作情况",
                   22, bold=True, color=(0xFF, 0xFF, 0xFF), fill=SAMPLE_COLOR)
    _pptx_footer(slide, data, 1, total)


def _pptx_overview_slide(prs, data: ReportData, number: int, total: int) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    c = data.config
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    name = c.phase(data.focus).name
    _pptx_text(slide, 0.45, 0.3, 10.4, 0.9, f"{name}：核心指标一览", 36, bold=True)
    rows = [data.rows[k, data.focus] for k in HEADLINE]
    _pptx_text(slide, 0.45, 1.2, 12.4, 0.9, overview_sentence(name, rows, detail=False), 20,
               color=(0x33, 0x33, 0x33))
    header = ["指标", name, "较基线期", "较上年同期", "目标", "达标"]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.45), Inches(2.15), Inches(12.4),
                                   Inches(0.45 * (len(rows) + 1)))
    table = shape.table
    for i, w in enumerate((3.6, 2.2, 2.0, 2.0, 1.5, 1.1)):
        table.columns[i].width = Inches(w)
    for r, values in enumerate([header, *[[INDICATORS[x.key].name, _cell_value(x), _vs_baseline(x),
                                           _change_cell(x.vs_last_year), _target_text(c, x.key),
                                           status_text(x, target_of(c, x.key).target is not None)] for x in rows]]):
        for col, text in enumerate(values):
            cell = table.cell(r, col)
            cell.text = text
            run = cell.text_frame.paragraphs[0].runs[0]
            _pptx_font(run, 18, bold=r == 0)
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(*ACCENT)
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    _pptx_footer(slide, data, number, total)


def _pptx_chart_slide(prs, data: ReportData, key: str, number: int, total: int) -> None:
    from pptx.util import Inches

    c = data.config
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _pptx_text(slide, 0.45, 0.25, 10.4, 0.85, report_name(key), 36, bold=True)
    _pptx_text(slide, 0.45, 1.1, 12.4, 1.0, data.sentence(key, data.focus), 20, color=(0x33, 0x33, 0x33))
    png = _png(phase_bars(c, data.phases, key, projector=True, sample=data.sample,
                                last_year=data.last_year), width=1180, height=330)
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.45), Inches(2.1), width=Inches(12.4))
    _pptx_footer(slide, data, number, total)


def build_pptx(data: ReportData, steps: _Steps) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = f"{data.config.court_name}{data.config.action_name}指标分析"
    total = 2 + len(HEADLINE)
    _pptx_title_slide(prs, data, total)
    _pptx_overview_slide(prs, data, 2, total)
    for i, key in enumerate(HEADLINE):
        steps(f"绘制幻灯片：{INDICATORS[key].name}")
        _pptx_chart_slide(prs, data, key, i + 3, total)
    steps("保存 PowerPoint 文件")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---- entry points ----------------------------------------------------------------------------------------------

def render_report(engine: Engine, config: Config, fmt: str, as_of: dt.date | None = None,
                  progress: Progress | None = None, *, filters: Filters = Filters(),
                  phase: str | None = None) -> bytes:
    """The report as bytes: "docx" (draft 总结报告) or "pptx" (meeting deck)."""
    if fmt not in FORMATS:
        raise ValueError(f"未知报告格式：{fmt}（应为 docx 或 pptx）")
    charts = 2 * len(HEADLINE) if fmt == "docx" else len(HEADLINE)
    steps = _Steps(charts + 2, progress)
    steps("计算各阶段、上年同期与月度指标")
    data = collect(engine, config, as_of, filters, phase, monthly=fmt == "docx")
    return build_docx(data, steps) if fmt == "docx" else build_pptx(data, steps)


def build_report(engine: Engine, config: Config, out_path: str | Path, as_of: dt.date | None = None,
                 progress: Progress | None = None, *, filters: Filters = Filters(), phase: str | None = None
                 ) -> Path:
    """Write the DOCX or PPTX named by out_path's suffix; used by the page and `python -m metrics report`."""
    out = Path(out_path)
    content = render_report(engine, config, out.suffix.lower().lstrip("."), as_of, progress, filters=filters,
                            phase=phase)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return out
