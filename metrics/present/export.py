"""File exports: charts rendered on the server (PNG/SVG/PDF with the bundled font), tables as CSV and XLSX."""

from __future__ import annotations

import copy
import io

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


def table_xlsx(df: pd.DataFrame, title: str | None = None, sample: bool = False) -> bytes:
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
    for row in safe.itertuples(index=False):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else _cell(v) for v in row])
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
