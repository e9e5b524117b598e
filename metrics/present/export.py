"""File exports: charts rendered on the server (PNG/SVG/PDF with the bundled font), tables as CSV and XLSX."""

from __future__ import annotations

import copy
import io
import re

import pandas as pd

SAMPLE_NOTE = "示例数据：由程序生成的合成数据，仅用于演示，不代表任何法院的真实工作情况。"
EXPORT_WIDTH = 760  # charts drawn at the container's width on screen get a fixed width in files
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    if fmt == "pdf":
        return vlc.vegalite_to_pdf(spec)
    raise ValueError(f"未知图表格式：{fmt}")


def neutralise(value):
    """A text cell starting with = + - @ would run as a formula in Excel: prefix it with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def table_csv(df: pd.DataFrame, sample: bool = False) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens it without mojibake."""
    buf = io.StringIO()
    if sample:
        buf.write(SAMPLE_NOTE + "\n")
    safe_frame(df).to_csv(buf, index=False)
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
    e.g. {"执行完毕率": "0.0%"}, or read from the figure text), not text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    if title:
        ws.append([neutralise(title)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=13)
    if sample:
        ws.append([SAMPLE_NOTE])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="E65100")
    safe = safe_frame(df)
    ws.append(list(safe.columns))
    header_row = ws.max_row
    for cell in ws[header_row]:
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
            cells.append((neutralise(number) if fmt is None else number, fmt))
        ws.append([_cell(v) for v, _ in cells])
        for i, (_, fmt) in enumerate(cells, start=1):
            if fmt:
                ws.cell(row=ws.max_row, column=i).number_format = fmt
    for i, col in enumerate(safe.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in safe.iloc[:200, i - 1]]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width * 1.6, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
