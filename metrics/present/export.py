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
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    if fmt == "pdf":
        return vlc.vegalite_to_pdf(spec)
    raise ValueError(f"未知图表格式：{fmt}")


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


def table_csv(df: pd.DataFrame, sample: bool = False) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens it without mojibake."""
    buf = io.StringIO()
    if sample:
        buf.write(SAMPLE_NOTE + "\n")
    safe_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def table_xlsx(df: pd.DataFrame, title: str | None = None, sample: bool = False) -> bytes:
    """A workbook where text is typed as text (quote-prefixed when it looks like a formula, no visible
    apostrophe) and numbers, also those formatted for the screen, are numbers."""
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
    for row in df.itertuples(index=False):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else _cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                number = _number_of(cell.value)
                if number is not None:
                    cell.value, cell.number_format = number
                else:
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
