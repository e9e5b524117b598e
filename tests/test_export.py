"""File exports: chart PNG/SVG/PDF by signature with the Chinese really drawn; CSV and XLSX safe for Excel."""

from __future__ import annotations

import copy
import io
import struct
import zipfile

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook

from metrics.engine.compute import Value, WindowResult
from metrics.engine.windows import phase_windows
from metrics.present.charts import phase_bars, styled
from metrics.present.export import EXPORT_WIDTH, SAMPLE_NOTE, render_chart, table_csv, table_xlsx
from metrics.present.fonts import FONT_STACK
from tests.conftest import d, make_config

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
NO_FONT = "NoSuchFont-ForTesting"


@pytest.fixture(scope="module")
def spec() -> dict:
    """执行到位率 by phase, from hand-made results (no database): baseline 45 %, 一阶段 52.3 %."""
    config = make_config()
    results = {}
    for w, value in zip(phase_windows(config, d("2025-12-31")), (0.45, 0.523), strict=True):
        results[w.key] = WindowResult(w, {}, {"recovery_rate": Value("recovery_rate", value, value * 100, 100)})
    return phase_bars(config, results, "recovery_rate", sample=True, title="宜昌市猇亭区人民法院 执行到位率").to_dict()


@pytest.fixture(scope="module")
def rendered(spec) -> dict[str, bytes]:
    return {fmt: render_chart(spec, fmt) for fmt in ("png", "svg", "pdf")}


def without_font(spec: dict) -> dict:
    """The same chart with every font reference naming a family that exists nowhere."""
    def swap(node):
        if isinstance(node, dict):
            return {k: (NO_FONT if v == FONT_STACK else swap(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    out = swap(copy.deepcopy(spec))
    assert FONT_STACK not in str(out)
    return out


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_chart_formats_by_signature(rendered, fmt):
    data = rendered[fmt]
    if fmt == "svg":
        assert data.decode("utf-8").lstrip().startswith("<svg")
    else:
        assert data.startswith(SIGNATURES[fmt])


def test_png_is_at_least_twice_the_chart_width(rendered):
    width, height = png_size(rendered["png"])
    assert width >= 2 * EXPORT_WIDTH and height > 0


def test_chinese_is_really_drawn(spec, rendered):
    # Without a usable font vl-convert draws no text at all: ours must draw something else.
    assert rendered["png"] != render_chart(without_font(spec), "png")
    pdf = rendered["pdf"]
    assert b"NotoSansSC" in pdf  # the bundled CJK font is embedded
    assert b"<7307>" in pdf  # … and maps a glyph to 猇 (U+7307) of the court's name
    svg = rendered["svg"].decode("utf-8")
    assert "宜昌市猇亭区人民法院" in svg and "示例数据" in svg


def test_csv_has_bom_and_neutralises_formulas():
    df = pd.DataFrame({"案号": ["(2025)鄂0505执1号", "=1+1", "+SUM(A1)", "-2+3", "@cmd"], "金额": [1, 2, 3, -4, 5],
                       "=HYPERLINK(\"x\")": ["a", "b", "c", "d", "e"]})
    data = table_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("案号,金额,")
    assert "'=HYPERLINK" in lines[0]
    assert lines[2] == "'=1+1,2,b" and lines[3] == "'+SUM(A1),3,c"
    assert lines[4] == "'-2+3,-4,d"  # a negative number stays a number; only text is neutralised
    assert lines[5] == "'@cmd,5,e"
    assert "(2025)鄂0505执1号" in lines[1]


def test_csv_of_sample_data_says_so():
    text = table_csv(pd.DataFrame({"a": [1]}), sample=True).decode("utf-8-sig")
    assert text.splitlines()[0] == SAMPLE_NOTE


def test_xlsx_is_a_workbook_with_neutralised_cells():
    df = pd.DataFrame({"指标": ["执行到位率", "=1+1"], "数值": [0.523, None]})
    data = table_xlsx(df, title="宜昌市猇亭区人民法院 核心指标", sample=True)
    assert zipfile.is_zipfile(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert XLSX_TYPE in z.read("[Content_Types].xml").decode("utf-8")
    ws = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "宜昌市猇亭区人民法院 核心指标" and rows[1][0] == SAMPLE_NOTE
    assert rows[2] == ["指标", "数值"]
    assert rows[3] == ["执行到位率", 0.523]
    assert rows[4] == ["=1+1", None]  # no visible apostrophe: a quote-prefixed text cell, never a formula
    assert ws.cell(row=5, column=1).data_type == "s" and ws.cell(row=5, column=1).quotePrefix


def test_harmless_signed_text_is_left_alone_and_formulas_are_not():
    """D18: "+17.4百分点" is what the screen shows; only what a spreadsheet would evaluate is neutralised."""
    df = pd.DataFrame({"变化": ["+17.4百分点", "-3.2%", "-12天", "-", "-2+3+cmd|' /C calc'!A0", "+SUM(A1)",
                              "\t=1", "@x", "+1e3"]})
    lines = table_csv(df).decode("utf-8-sig").splitlines()[1:]
    assert lines[:4] == ["+17.4百分点", "-3.2%", "-12天", "-"]
    assert [line.lstrip('"')[0] for line in lines[4:]] == ["'"] * 5
    ws = load_workbook(io.BytesIO(table_xlsx(df))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 11)]
    # Figures are numbers that look the same in Excel (F-14); "-" is text, and nothing harmless is prefixed.
    assert [c.value for c in cells[:4]] == [17.4, -0.032, -12, "-"]
    assert "百分点" in cells[0].number_format and "天" in cells[2].number_format
    assert not any(c.quotePrefix for c in cells[:4])
    assert all(c.quotePrefix and c.data_type == "s" for c in cells[4:])
    assert [c.value for c in cells[4:6]] == ["-2+3+cmd|' /C calc'!A0", "+SUM(A1)"]


def test_xlsx_writes_numbers_as_numbers():
    """D18: the table's formatted numbers are numeric cells that look the same in Excel."""
    df = pd.DataFrame({"数值": ["52.3%", "1,234", "0.45", "-3", "007", "—"], "件数": [1, 2, 3, 4, 5, 6]})
    ws = load_workbook(io.BytesIO(table_xlsx(df))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 8)]
    assert [c.value for c in cells] == [0.523, 1234, 0.45, -3, "007", "—"]
    assert [c.number_format for c in cells[:4]] == ["0.0%", "#,##0", "0.00", "0"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 8)] == [1, 2, 3, 4, 5, 6]


def test_xlsx_figures_are_numbers_with_number_formats():
    """F-14: a clerk sums, sorts and charts the figures in Excel without cleaning them first."""
    df = pd.DataFrame({"指标": ["执行完毕率", "执行用时中位数(天)", "结案数", "执行到位金额"],
                       "数值": ["44.1%", "57.0天", "1,730件", "3,368.40万元"],
                       "较基线期": ["+6.0百分点", "−43.0天", "−2.5件/月", "—"],
                       "暂定": ["60.0%（暂定）", "57.0天", "730件", "—"],
                       "原始": [0.441, 57.0, 730, None]})
    ws = load_workbook(io.BytesIO(table_xlsx(df, formats={"原始": "0.0%"}))).active
    rows = list(ws.iter_rows(min_row=2))
    value = {r[0].value: r for r in rows}
    rate, days, closed, money = (value[k] for k in ("执行完毕率", "执行用时中位数(天)", "结案数", "执行到位金额"))
    assert rate[1].data_type == "n" and rate[1].value == pytest.approx(0.441) and rate[1].number_format == "0.0%"
    assert days[1].value == 57.0 and days[1].number_format == '0.0"天"'
    assert closed[1].value == 1730 and closed[1].number_format == '#,##0"件"'
    assert money[1].value == pytest.approx(3368.40) and "万元" in money[1].number_format
    assert rate[2].value == pytest.approx(6.0) and "百分点" in rate[2].number_format
    assert days[2].value == pytest.approx(-43.0) and closed[2].value == pytest.approx(-2.5)
    assert money[2].value == "—" and rate[3].value == "60.0%（暂定）"  # not a bare figure: kept as text
    assert rate[4].value == pytest.approx(0.441) and rate[4].number_format == "0.0%"


def test_percent_column_reads_one_way_in_csv_and_is_a_number_in_xlsx():
    """F-22: 13/17, 4/5 and 1/1 read 76.5%, 80.0%, 100.0% (never "76.47%", "80%", "100%") in the CSV, and are
    the numbers 0.7647…, 0.8 and 1 in format 0.0% in the XLSX; a missing rate is blank, not "nan%"."""
    df = pd.DataFrame({"委托法院": ["甲", "乙", "丙", "丁"], "按期反馈率": [13 / 17, 4 / 5, 1.0, None],
                       "到期事项(件)": [17, 5, 1, 0]})
    formats = {"按期反馈率": "0.0%"}
    lines = table_csv(df, formats=formats).decode("utf-8-sig").splitlines()
    assert lines[1:] == ["甲,76.5%,17", "乙,80.0%,5", "丙,100.0%,1", "丁,,0"]
    ws = load_workbook(io.BytesIO(table_xlsx(df, formats=formats))).active
    cells = [ws.cell(row=r, column=2) for r in range(2, 6)]
    assert cells[0].value == pytest.approx(13 / 17) and cells[1].value == pytest.approx(0.8) and cells[2].value == 1
    assert all(c.number_format == "0.0%" for c in cells[:3]) and cells[3].value is None


def test_svg_embeds_the_glyphs_it_uses():
    """F-24: the SVG carries its own font (regular and bold), so a PC without Noto Sans SC draws its Chinese text
    with the right glyphs, not boxes. Every character of every <text> is in both embedded faces' cmap."""
    import base64
    import html as html_
    import re

    from fontTools.ttLib import TTFont

    chart = styled(alt.Chart(pd.DataFrame({"阶段": ["启动部署阶段", "组织实施阶段"], "值": [0.5, 0.7]}))
                   .mark_bar().encode(x="阶段:N", y=alt.Y("值:Q", title="执行到位率")),
                   "宜昌市猇亭区人民法院 执行到位率", sample=True)
    svg = render_chart(chart.to_dict(), "svg").decode("utf-8")
    faces = re.findall(r'@font-face\{font-family:"Noto Sans SC";font-weight:(\d+);[^}]*base64,([A-Za-z0-9+/=]+)\)',
                       svg)
    assert [w for w, _ in faces] == ["400", "700"]
    texts = "".join(html_.unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S))
    assert "猇" in texts and "示例数据" in texts
    for _, data in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        cmap = font.getBestCmap()
        assert {c for c in texts if not c.isspace()} <= {chr(u) for u in cmap}
        assert len(cmap) < 200  # the chart's glyphs, not the 7,000 of the bundled font
    assert len(svg) < 200_000
