"""Read one file into sheets of raw cell rows (interim: CSV and XLSX; replaced by the full reader)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


class ReadError(Exception):
    """A file-level problem; the message is Chinese, for a clerk."""


class FormulaWithoutValue:
    """A formula cell without a cached result."""


@dataclass
class Sheet:
    name: str
    rows: Iterator[tuple[int, list]]
    kind: str


def _numbered(rows) -> Iterator[tuple[int, list]]:
    for number, cells in enumerate(rows, start=1):
        cells = list(cells)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if cells and any(c is not None and str(c).strip() for c in cells):
            yield number, cells


def read_sheets(source: Path | bytes, filename: str,
                progress: Callable[[float], None] | None = None) -> list[Sheet]:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if not data:
        raise ReadError("文件为空")
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return [Sheet(ws.title, _numbered(list(ws.iter_rows(values_only=True))), "xlsx") for ws in wb.worksheets]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("文件编码无法识别（应为 UTF-8 或 GBK）")
    return [Sheet("", _numbered(list(csv.reader(io.StringIO(text)))), "csv")]
