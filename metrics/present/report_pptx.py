"""The meeting deck (PPTX): a title, the headline table and one slide per headline indicator, in large type.

Numbers, sentences and charts come from metrics.present.report.ReportData (shared with the DOCX draft).
"""

from __future__ import annotations

import io

from metrics.engine.compare import target_of
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.charts import SAMPLE_MARK, phase_bars
from metrics.present.format import format_number, status_text
from metrics.present.report import ReportData, Steps, cell_value, change_cell, cn_date, png, vs_baseline
from metrics.present.sentences import overview_sentence, report_name

CONCLUSION_PT = 28  # the headline conclusion of a slide: readable from the back of the room (SPEC: 大字号结论句)

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
               f"统计日：{cn_date(data.as_of)}　　重点阶段：{c.phase(data.focus).name}\n数据来源：{data.source}",
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
    _pptx_text(slide, 0.45, 0.25, 10.4, 0.75, f"{name}：核心指标一览", 32, bold=True)
    rows = [data.rows[k, data.focus] for k in HEADLINE]
    # The conclusion in large type; how it was compared goes under the table.
    conclusion, _, basis = overview_sentence(name, rows, detail=False).partition("。")
    _pptx_text(slide, 0.45, 0.95, 12.4, 1.3, conclusion + "。", CONCLUSION_PT, bold=True, color=(0x11, 0x11, 0x11))
    header = ["指标", name, "较基线期", "较上年同期", "目标", "达标"]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.45), Inches(2.35), Inches(12.4),
                                   Inches(0.4 * (len(rows) + 1)))
    table = shape.table
    for i, w in enumerate((3.0, 2.0, 2.4, 2.4, 1.6, 1.0)):
        table.columns[i].width = Inches(w)
    for r, values in enumerate([header, *[[INDICATORS[x.key].name, cell_value(x), vs_baseline(x),
                                           change_cell(x.vs_last_year), _goal(c, x.key),
                                           status_text(x, target_of(c, x.key).target is not None)] for x in rows]]):
        for col, text in enumerate(values):
            cell = table.cell(r, col)
            cell.text = text
            run = cell.text_frame.paragraphs[0].runs[0]
            _pptx_font(run, 14, bold=r == 0)
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor(*ACCENT)
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    if basis:
        _pptx_text(slide, 0.45, 6.45, 12.4, 0.45, basis.strip(), 14, color=(0x44, 0x44, 0x44))
    _pptx_footer(slide, data, number, total)


def _goal(config, key: str) -> str:
    """The target in a narrow table cell: ≥50.0% / ≤90.0天."""
    t = target_of(config, key)
    if t.target is None:
        return "—"
    return ("≤" if t.direction == "lower" else "≥") + format_number(key, t.target)


def _pptx_chart_slide(prs, data: ReportData, key: str, number: int, total: int) -> None:
    from pptx.util import Inches

    c = data.config
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _pptx_text(slide, 0.45, 0.2, 10.4, 0.7, report_name(key), 32, bold=True, color=(0x33, 0x33, 0x33))
    _pptx_text(slide, 0.45, 0.9, 12.4, 1.9, data.sentence(key, data.focus), CONCLUSION_PT, bold=True)
    # The slide title names the indicator: the chart repeats no title of its own.
    picture = png(phase_bars(c, data.phases, key, projector=True, sample=data.sample, last_year=data.last_year,
                             title=" "), width=1180, height=300)
    shape = slide.shapes.add_picture(io.BytesIO(picture), Inches(0.45), Inches(2.85), height=Inches(4.0))
    if shape.width > Inches(12.4):  # a wide chart: fit the width instead, keeping the proportions
        shape.height = int(shape.height * Inches(12.4) / shape.width)
        shape.width = Inches(12.4)
    _pptx_footer(slide, data, number, total)


def build_pptx(data: ReportData, steps: Steps) -> bytes:
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
