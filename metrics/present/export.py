"""File exports: charts rendered on the server (PNG/SVG/PDF with the bundled font), tables as CSV and XLSX."""

from __future__ import annotations

import copy
import io
import re

import pandas as pd

SAMPLE_NOTE = "示例数据：由程序生成的合成数据，仅用于演示，不代表任何法院的真实工作情况。"
EXPORT_WIDTH = 760  # charts drawn at the container's width on screen get a fixed width in files
# A spreadsheet evaluates a cell typed (or read from CSV) as = … or @ … ; tab and CR hide such a start.
FORMULA_PREFIXES = ("=", "@", "\t", "\r")
# After + or -, only a number with a unit or a note in Chinese is harmless: "+17.4百分点", "-3.2%", "-12天".
# Anything with an ASCII operator, letter or bracket after the sign (-2+3+cmd|…, +SUM(A1)) could be a formula.
_SIGNED_NUMBER = re.compile(r"[+-](?:\d[\d,.]*(?:[^\x00-\x7f]|[ %\d.,])*)?")
# Formatted numbers on screen ("1,234", "52.3%", "0.45") go into XLSX as numbers with the same look.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,11})(?:\.(\d{1,6}))?(%?)")


def _fixed_width(spec: dict) -> dict:
    spec = copy.deepcopy(spec)

    def fix(node):
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = EXPORT_WIDTH
            for v in node.values():
                fix(v)
        elif isinstance(node, list):
            for v in node:
                fix(v)

    fix(spec)
    return spec


def render_chart(spec: dict, fmt: str, scale: float = 2.0) -> bytes:
    """A Vega-Lite spec (chart.to_dict()) as png, svg or pdf bytes; PNG at `scale`× for print."""
    import vl_convert as vlc

    from metrics.present.fonts import register_vl_convert_fonts

    register_vl_convert_fonts()
    spec = _fixed_width(spec)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=scale)
    if fmt == "svg":
        return embed_fonts(vlc.vegalite_to_svg(spec)).encode("utf-8")
    if fmt == "pdf":
        return vlc.vegalite_to_pdf(spec)
    raise ValueError(f"未知图表格式：{fmt}")


_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _font_subset(path, chars: str) -> bytes:
    """The bundled TrueType font cut down to `chars` (a chart uses a few dozen of its 7,000 glyphs)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the family name and the OFL licence text
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(str(path), lazy=True)  # parse only the glyphs kept: 0.2 s instead of 0.3–2 s per face
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def embed_fonts(svg: str) -> str:
    """Make an exported SVG self-contained: vl-convert writes live <text> in "Noto Sans SC", which a PC without
    that font draws in whatever it has (or as boxes). The glyphs the chart uses, regular and bold, go into the
    SVG as @font-face data (the font's OFL licence allows embedding), so text stays text — selectable and
    searchable — and looks the same everywhere."""
    import base64
    import html as html_

    from metrics.present.fonts import FONT_FAMILY, FONT_FILES

    chars = "".join(sorted({ch for t in _SVG_TEXT.findall(svg) for ch in html_.unescape(re.sub(r"<[^>]+>", "", t))}))
    if not chars.strip():
        return svg
    faces = []
    for weight, key in ((400, "regular"), (700, "bold")):
        data = base64.b64encode(_font_subset(FONT_FILES[key], chars)).decode("ascii")
        faces.append(f'@font-face{{font-family:"{FONT_FAMILY}";font-weight:{weight};font-style:normal;'
                     f'src:url(data:font/ttf;base64,{data}) format("truetype")}}')
    style = (f"<defs><!-- {FONT_FAMILY} (SIL Open Font License 1.1), the glyphs of this chart --><style>"
             + "".join(faces) + "</style></defs>")
    match = _SVG_OPEN.search(svg)
    return svg[:match.end()] + style + svg[match.end():] if match else svg


def is_formula_like(text: str) -> bool:
    """Would Excel or WPS evaluate this text as a formula when the cell is read from a CSV or retyped?"""
    if text.startswith(FORMULA_PREFIXES):
        return True
    return text.startswith(("+", "-")) and not _SIGNED_NUMBER.fullmatch(text)


def neutralise(value):
    """Text a spreadsheet would evaluate as a formula gets a leading apostrophe; "+17.4百分点" stays as it is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _number_of(text: str) -> tuple[float, str] | None:
    """A number formatted for the screen ("1,234", "52.3%") as (value, Excel number format), else None."""
    match = _PLAIN_NUMBER.fullmatch(text)
    if not match:
        return None
    decimals, percent = match.group(1) or "", match.group(2)
    number = float(text.rstrip("%").replace(",", ""))
    fmt = ("0" if "," not in text else "#,##0") + ("." + "0" * len(decimals) if decimals else "")
    return (number / 100, fmt + "%") if percent else (number, fmt)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


# Excel number format of a column → how its numbers read in a CSV, as on screen ("85.0%", "12.5天"); Excel and
# WPS read "85.0%" back as the number 0.85.
CSV_FORMATS = {
    "0.0%": lambda v: f"{v * 100:.1f}%",
    '0.0"天"': lambda v: f"{v:.1f}天",
    '#,##0"件"': lambda v: f"{v:.0f}",
    '#,##0.00"万元"': lambda v: f"{v:.2f}",
}


def table_csv(df: pd.DataFrame, sample: bool = False, formats: dict[str, str] | None = None) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens it without mojibake. Columns named in `formats`
    (as for table_xlsx) are written the way the screen shows them: one percent format, "85.0%", throughout."""
    buf = io.StringIO()
    if sample:
        buf.write(SAMPLE_NOTE + "\n")
    out = safe_frame(df)
    for col, fmt in (formats or {}).items():
        if col in out.columns and fmt in CSV_FORMATS:
            numbers = pd.to_numeric(out[col], errors="coerce")
            out[col] = [CSV_FORMATS[fmt](float(v)) if pd.notna(v) else "" for v in numbers]
    out.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


# The app's own figure texts (metrics.present.format) and the Excel number format that shows the same text.
_FIGURE = re.compile(r"^(?P<sign>[+−-]|±)?(?P<num>\d[\d,]*(?:\.\d+)?)"
                     r"(?P<unit>%|天|件|万元|人次|百分点|件/月|人次/月|万元/月|次)$")
_UNIT_FORMATS = {
    "%": ("0.0%", 100.0),
    "天": ('0.0"天"', 1.0),
    "件": ('#,##0"件"', 1.0),
    "次": ('#,##0"次"', 1.0),
    "人次": ('#,##0"人次"', 1.0),
    "万元": ('#,##0.00"万元"', 1.0),
    "百分点": ('+0.0"百分点";"−"0.0"百分点";"±"0.0"百分点"', 1.0),
    "件/月": ('+0.0"件/月";"−"0.0"件/月";"±"0.0"件/月"', 1.0),
    "人次/月": ('+0.0"人次/月";"−"0.0"人次/月";"±"0.0"人次/月"', 1.0),
    "万元/月": ('+#,##0.00"万元/月";"−"#,##0.00"万元/月";"±"0.00"万元/月"', 1.0),
}


def figure_cell(value) -> tuple[object, str | None]:
    """A figure as the screen writes it (“44.1%”, “57.0天”, “730件”, “+6.0百分点”, “3,368.40万元”) → (number,
    Excel number format showing the same text); anything else (“—”, “44.1%（暂定）”, names) → (value, None).
    Exports do not recompute: the number is the one on the screen, so Excel can sum, sort and chart it."""
    if not isinstance(value, str):
        return value, None
    m = _FIGURE.match(value.strip())
    if not m:
        return value, None
    fmt, scale = _UNIT_FORMATS[m.group("unit")]
    number = float(m.group("num").replace(",", "")) / scale
    if m.group("sign") in ("−", "-"):
        number = -number
    if m.group("unit") in ("件", "次", "人次") and number.is_integer():
        number = int(number)
    return number, fmt


def table_xlsx(df: pd.DataFrame, title: str | None = None, sample: bool = False,
               formats: dict[str, str] | None = None) -> bytes:
    """An XLSX sheet of the table; figures are numbers with number formats (given per column in `formats`,
    e.g. {"执行完毕率": "0.0%"}, or read from the figure text), not text. Text is typed as text (quote-prefixed
    when it looks like a formula, no visible apostrophe)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    if title:
        ws.append([title])
        _as_text(ws.cell(row=ws.max_row, column=1)).font = Font(bold=True, size=13)
    if sample:
        ws.append([SAMPLE_NOTE])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="E65100")
    ws.append([str(c) for c in df.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        _as_text(cell)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3E5E5")
        cell.alignment = Alignment(horizontal="center")
    formats = formats or {}
    columns = list(df.columns)
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(columns, row, strict=True):
            if not isinstance(v, str) and pd.isna(v):
                cells.append((None, None))
                continue
            number, fmt = figure_cell(v)
            if fmt is None and col in formats and not isinstance(v, str):
                number, fmt = _cell(v), formats[col]
            if fmt is None and isinstance(v, str):
                plain = _number_of(v)  # "1,234", "52.3%": numbers written for the screen
                if plain is not None:
                    number, fmt = plain
            cells.append((number, fmt))
        ws.append([_cell(v) for v, _ in cells])
        for i, (value, fmt) in enumerate(cells, start=1):
            cell = ws.cell(row=ws.max_row, column=i)
            if fmt:
                cell.number_format = fmt
            elif isinstance(value, str):
                _as_text(cell)
    for i, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:200, i - 1]]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width * 1.6, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _as_text(cell):
    """openpyxl types a string starting with = as a formula; a text cell never runs, and the quote prefix keeps
    it text even when someone edits it in Excel."""
    cell.data_type = "s"
    if is_formula_like(cell.value):
        cell.quotePrefix = True
    return cell


def _cell(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        try:
            return value.item()
        except (AttributeError, ValueError):
            return value
    return value
