"""Read one court-system export (xlsx/xlsm/xls/ods, HTML or SpreadsheetML "xls", CSV) into sheets of raw cell rows.

The format is sniffed from the first bytes, never from the extension. Rows come as (row number as the spreadsheet
shows it, cells): blank rows are skipped but still counted, trailing empty cells are trimmed, cells covered by a
merged range carry that range's value. Nothing here interprets headers or values: that is headers.py / values.py.

Every file-level problem is a ReadError whose text is a Chinese sentence for a clerk. Formats that stream
(xlsx values aside, which python-calamine reads per sheet) may raise ReadError while their rows are iterated.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

import python_calamine

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_100_000
MAX_COLUMNS = 256
# python-calamine holds a sheet as a dense rectangle of 32-byte cells: 20 M cells is ~640 MB at worst.
MAX_CELLS = 20_000_000
# Decompressed size of one worksheet's XML inside an xlsx (a zip bomb is small on disk).
MAX_XML_BYTES = 1_500_000_000
_CHUNK = 1 << 20

Progress = Callable[[float], None]
Row = tuple[int, list]


class ReadError(Exception):
    """A file that cannot be read; str(exc) is a Chinese message for a clerk."""


class _SentinelMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return obj is cls or type.__instancecheck__(cls, obj)

    def __repr__(cls) -> str:
        return "FormulaWithoutValue"


class FormulaWithoutValue(metaclass=_SentinelMeta):
    """Cell value of a formula saved without its result (D16). The class itself is the value:
    both `cell is FormulaWithoutValue` and `isinstance(cell, FormulaWithoutValue)` hold."""


@dataclass
class Sheet:
    name: str  # "" for CSV and single-table HTML; "表1", "表2"… for several HTML tables
    rows: Iterator[Row]  # (1-based row number as the spreadsheet shows it, cells)
    kind: str  # "xlsx" | "xls" | "ods" | "html" | "xml2003" | "csv"


PASSWORD_MESSAGE = "工作簿设有密码保护，请在 Excel 中取消密码后另存为 .xlsx 再导入。"
CORRUPT_MESSAGE = "文件已损坏或不完整，无法读取。请在 Excel 中打开确认后重新另存，再导入。"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_sheets(source: Path | str | bytes, filename: str, progress: Progress | None = None) -> list[Sheet]:
    """All sheets of one file, in workbook order (empty sheets too, with no rows)."""
    data = _load(source, filename)
    report = progress or (lambda fraction: None)
    head = data.head
    if head.startswith(b"PK"):
        return _read_zip(data, report)
    if head.startswith(OLE_MAGIC):
        return _read_ole(data, report)
    from metrics.ingest import textfiles  # the text formats build on the helpers below

    text_head = _text_head(head)
    lowered = text_head.lstrip().lower()
    if lowered.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return textfiles.read_xml2003(data, report)
    if lowered.startswith("<") and re.search(r"<(html|table|!doctype\s+html|head|body|meta)\b", lowered):
        return textfiles.read_html(data, report)
    if lowered.startswith("<?xml"):
        raise ReadError("这是一个 XML 文件，但不是 Excel 2003 XML 表格，无法读取。")
    if head.startswith(b"%PDF"):
        raise ReadError("这是 PDF 文件，不是表格。请从业务系统导出 Excel 或 CSV 文件。")
    return [Sheet("", textfiles.csv_rows(data, report), "csv")]


# --- the file ---------------------------------------------------------------------------------------------


@dataclass
class _Data:
    path: Path | None
    raw: bytes | None
    size: int
    head: bytes

    def open(self) -> io.BufferedIOBase:
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.raw)

    def calamine(self) -> python_calamine.CalamineWorkbook:
        # from_path picks the format by the extension, and a court's ".xls" may be an xlsx: hand it the bytes.
        if self.path is not None:
            with open(self.path, "rb") as handle:
                return python_calamine.CalamineWorkbook.from_filelike(handle)
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.raw))


def _load(source: Path | str | bytes, filename: str) -> _Data:
    limit = f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限，请按时间段拆成几个文件分别导入。"
    if isinstance(source, bytes | bytearray):
        raw = bytes(source)
        if not raw:
            raise ReadError("文件为空（0 字节）。")
        if len(raw) > MAX_FILE_BYTES:
            raise ReadError(limit)
        return _Data(None, raw, len(raw), raw[:8192])
    path = Path(source)
    if path.is_dir():
        raise ReadError(f"“{filename}”是一个文件夹，不是文件。")
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError:
        raise ReadError(f"找不到文件“{filename}”。") from None
    except OSError:
        raise ReadError(f"无法打开文件“{filename}”（没有读取权限或文件正被占用）。") from None
    if size == 0:
        raise ReadError("文件为空（0 字节）。")
    if size > MAX_FILE_BYTES:
        raise ReadError(limit)
    return _Data(path, None, size, head)


def _text_head(head: bytes) -> str:
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, encoding in boms:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    return head.decode("latin-1")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _finish(row_number: int, cells: list) -> list | None:
    """Trailing empty cells trimmed; None for a blank row; the column cap checked."""
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    if not end:
        return None
    if end > MAX_COLUMNS:
        raise ReadError(f"第{row_number}行有 {end} 列，超过 {MAX_COLUMNS} 列的上限；请删去多余的列后再导入。")
    del cells[end:]
    return cells


def _row_cap(row_number: int) -> None:
    if row_number > MAX_ROWS:
        raise ReadError(f"表格超过 {MAX_ROWS:,} 行的上限（读到第{row_number:,}行），请拆成几个文件分别导入。")


# --- xlsx / xlsm / ods / xls through python-calamine --------------------------------------------------------


def _read_zip(data: _Data, report: Progress) -> list[Sheet]:
    try:
        with data.open() as handle, zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                scans = _scan_xlsx(archive)
                return _calamine_sheets(data, "xlsx", report, scans)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
            if "content.xml" in names and (not mimetype or b"opendocument.spreadsheet" in mimetype):
                return _calamine_sheets(data, "ods", report, _scan_ods(archive))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
            NotImplementedError):
        raise ReadError(CORRUPT_MESSAGE) from None
    except expat.ExpatError:
        raise ReadError(CORRUPT_MESSAGE) from None
    raise ReadError("这是一个压缩包（或 Word、PowerPoint 文档），不是 Excel 或 ODS 表格。")


def _read_ole(data: _Data, report: Progress) -> list[Sheet]:
    # An encrypted .xlsx is an OLE container with these streams; name them before calamine says something vague.
    markers = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
    with data.open() as handle:
        tail = b""
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in markers):
                raise ReadError(PASSWORD_MESSAGE)
            tail = window[-64:]
    return _calamine_sheets(data, "xls", report, {})


def _calamine_error(exc: BaseException) -> ReadError:
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise exc
    if isinstance(exc, python_calamine.PasswordError) or "password" in str(exc).lower():
        return ReadError(PASSWORD_MESSAGE)
    return ReadError(CORRUPT_MESSAGE)


def _calamine_sheets(data: _Data, kind: str, report: Progress, scans: dict[str, _XlsxScan]) -> list[Sheet]:
    for scan in scans.values():
        scan.check()
    try:
        workbook = data.calamine()
        names = list(workbook.sheet_names)
    except BaseException as exc:  # calamine's own errors, ValueError/OSError, and pyo3's PanicException
        raise _calamine_error(exc) from None
    return [
        Sheet(name, _calamine_rows(workbook, name, index, len(names), report, scans.get(name)), kind)
        for index, name in enumerate(names)
    ]


def _calamine_rows(workbook, name: str, index: int, count: int, report: Progress, scan: _XlsxScan | None):
    try:
        sheet = workbook.get_sheet_by_name(name)
        start, end = sheet.start, sheet.end
        merges = sheet.merged_cell_ranges or (scan.merges if scan is not None else None) or []
        rows = sheet.iter_rows()
    except BaseException as exc:
        raise _calamine_error(exc) from None
    formulas = (scan.formulas if scan is not None else None) or {}
    if start is None or end is None:
        yield from _formula_rows(formulas, 0)
        report((index + 1) / count)
        return
    first_column = start[1]
    last_row, last_column = end
    # A merge reaching past the used area (a title merged across the whole row) is clipped to it.
    pending = sorted(
        (r0, c0, min(r1, last_row), min(c1, last_column))
        for (r0, c0), (r1, c1) in merges
        if r0 <= last_row and c0 <= last_column and (r1 > r0 or c1 > c0)
    )
    active: list[tuple[int, int, int, object]] = []
    height = max(last_row + 1, 1)
    # iter_rows yields from the sheet's first row (row 1), but only from the used area's first column.
    for row_index, raw in enumerate(rows):
        row_number = row_index + 1
        cells = [None] * first_column
        for value in raw:
            kind = type(value)
            if kind is str:
                cells.append(value or None)
            elif kind is float:
                # xlsx stores every number as a float; 12 and 12.0 are the same cell to a clerk.
                cells.append(int(value) if value.is_integer() and -(2**53) < value < 2**53 else value)
            else:
                cells.append(_calamine_value(value))
        for column in formulas.get(row_number, ()):
            if column >= len(cells):
                cells.extend([None] * (column + 1 - len(cells)))
            if cells[column] is None:
                cells[column] = FormulaWithoutValue
        while pending and pending[0][0] == row_index:
            r0, c0, r1, c1 = pending.pop(0)
            active.append((r1, c0, c1, cells[c0] if c0 < len(cells) else None))
        if active:
            active = [merge for merge in active if merge[0] >= row_index]
            for _, c0, c1, value in active:
                if value is None:
                    continue
                if len(cells) <= c1:
                    cells.extend([None] * (c1 + 1 - len(cells)))
                cells[c0 : c1 + 1] = [value] * (c1 + 1 - c0)
        if row_index % 5000 == 0:
            report((index + row_index / height) / count)
        finished = _finish(row_number, cells)
        if finished is not None:
            yield row_number, finished
    yield from _formula_rows(formulas, last_row + 1)
    report((index + 1) / count)


def _formula_rows(formulas: dict[int, list[int]], after: int) -> Iterator[Row]:
    """Rows below calamine's used area that hold only formulas without values (calamine sees them as empty)."""
    for row_number in sorted(number for number in formulas if number > after):
        cells: list = [None] * (max(formulas[row_number]) + 1)
        for column in formulas[row_number]:
            cells[column] = FormulaWithoutValue
        finished = _finish(row_number, cells)
        if finished is not None:
            yield row_number, finished


def _calamine_value(value: object) -> object:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        # xlsx stores every number as a float; 12 and 12.0 are the same cell to a clerk.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


@dataclass
class _XlsxScan:
    """What a streaming pass over one worksheet's XML found before calamine loads it (D8, D16)."""

    sheet: str
    min_row: int = 0
    max_row: int = 0
    min_column: int = 0
    max_column: int = 0
    formulas: dict[int, list[int]] | None = None
    merges: list | None = None  # ((r0, c0), (r1, c1)), 0-based, for readers that do not report them (ods)

    def check(self) -> None:
        if not self.max_row:
            return
        if self.max_row - self.min_row + 1 > MAX_ROWS:
            _row_cap(self.max_row)
        if self.max_column + 1 > MAX_COLUMNS:
            raise ReadError(
                f"工作表“{self.sheet}”在第 {self.max_column + 1} 列还有数据，超过 {MAX_COLUMNS} 列的上限；"
                "请删去多余的列后再导入。"
            )
        area = (self.max_row - self.min_row + 1) * (self.max_column - self.min_column + 1)
        if area > MAX_CELLS:
            raise ReadError(
                f"工作表“{self.sheet}”的数据区域过大（{self.max_row - self.min_row + 1:,} 行 × "
                f"{self.max_column - self.min_column + 1} 列，上限 {MAX_CELLS:,} 个单元格），请拆成几个文件分别导入。"
            )


_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
# Any of these may start a formula element (also <formula> of conditional formats: a harmless exact pass).
_FORMULA_MARKERS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c|f|v|is)(\s[^>]*)?>")
_REF = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,7})"')


def _column_index(letters: bytes | str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ((letter if isinstance(letter, int) else ord(letter)) - 64)
    return index - 1


def _scan_xlsx(archive: zipfile.ZipFile) -> dict[str, _XlsxScan]:
    """Sheet name → scan, reading workbook.xml and its relationships to find each worksheet part."""
    sheets = _xml_elements(archive.read("xl/workbook.xml"), "sheet")
    rels_name = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_name in archive.namelist():
        for rel in _xml_elements(archive.read(rels_name), "Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id")] = _normalise_part(part)
    scans = {}
    for attributes in sheets:
        name = attributes.get("name", "")
        rel_id = attributes.get(f"{_RELS_NS} id") or attributes.get("r:id") or attributes.get("id")
        part = targets.get(rel_id)
        if part and part in archive.namelist():
            scans[name] = _scan_worksheet(archive, part, name)
    return scans


def _normalise_part(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece and piece != ".":
            out.append(piece)
    return "/".join(out)


def _xml_elements(document: bytes, local_name: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    parser = _safe_parser(namespaces=True)
    parser.StartElementHandler = lambda tag, attrs: (
        found.append(attrs) if tag.rsplit(" ", 1)[-1] == local_name else None
    )
    parser.Parse(document, True)
    return found


def _scan_worksheet(archive: zipfile.ZipFile, part: str, name: str) -> _XlsxScan:
    """Extent of the cells that hold something, and whether any formula is present. This fast pass relies on
    what Excel, WPS and the usual libraries write (<c r="A1" …> with r first, no namespace prefix); anything
    else, or any formula, gets the exact tag-by-tag pass."""
    scan = _XlsxScan(name)
    rows: list[int] = []
    columns: set[bytes] = set()
    total = 0
    for window in _xml_windows(archive, part):
        total += len(window)
        if total > MAX_XML_BYTES:
            raise ReadError(f"工作表“{name}”解压后超过 {MAX_XML_BYTES // 10**9} GB，无法读取；请拆成几个文件分别导入。")
        if any(marker in window for marker in _FORMULA_MARKERS):
            return _scan_worksheet_exactly(archive, part, name)
        cells = _CELL.findall(window)
        if len(cells) != window.count(b"<c ") + window.count(b"<c>") or (total == len(window) and b":c " in window):
            return _scan_worksheet_exactly(archive, part, name)
        numbers = [int(number) for _, number, closed in cells if not closed]
        if numbers:
            rows.append(min(numbers))
            rows.append(max(numbers))
            columns.update(letters for letters, _, closed in cells if not closed)
    if rows:
        indices = [_column_index(letters) for letters in columns]
        scan.min_row, scan.max_row = min(rows), max(rows)
        scan.min_column, scan.max_column = min(indices), max(indices)
    return scan


def _scan_worksheet_exactly(archive: zipfile.ZipFile, part: str, name: str) -> _XlsxScan:
    scan = _XlsxScan(name, formulas={})
    row_number = 0
    column = -1
    cell: list | None = None  # [row, column, has_formula, has_value]
    extent = [None, 0, None, 0]

    def close() -> None:
        if cell is None:
            return
        r, c, has_f, has_v = cell
        extent[0] = r if extent[0] is None else min(extent[0], r)
        extent[1] = max(extent[1], r)
        extent[2] = c if extent[2] is None else min(extent[2], c)
        extent[3] = max(extent[3], c)
        if has_f and not has_v:
            scan.formulas.setdefault(r, []).append(c)

    for window in _xml_windows(archive, part):
        for match in _TAG.finditer(window):
            tag, attributes = match.group(1), match.group(2) or b""
            if tag == b"row":
                close()
                cell = None
                ref = _REF.search(attributes)
                row_number = int(ref.group(2)) if ref and ref.group(2) else row_number + 1
                column = -1
            elif tag == b"c":
                close()
                cell = None
                ref = _REF.search(attributes)
                column = _column_index(ref.group(1)) if ref and ref.group(1) else column + 1
                if not attributes.rstrip().endswith(b"/"):
                    cell = [row_number, column, False, False]
            elif cell is not None:
                if tag == b"f":
                    cell[2] = True
                elif tag == b"is" or not (attributes.rstrip().endswith(b"/") or window.startswith(b"</", match.end())):
                    cell[3] = True  # openpyxl writes a formula without its result as <f>…</f><v></v>
    close()
    if extent[0] is not None:
        scan.min_row, scan.max_row, scan.min_column, scan.max_column = extent
    return scan


def _xml_windows(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in pieces that each end just before a '<', so no tag is ever cut in two."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            cut = window.rfind(b"<")
            if cut <= 0:
                tail = window
                continue
            tail = window[cut:]
            yield window[:cut]
    if tail:
        yield tail


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _scan_ods(archive: zipfile.ZipFile) -> dict[str, _XlsxScan]:
    """Extent and merged ranges of every table in content.xml, counting repeated rows and cells, so a
    number-rows-repeated bomb is refused before calamine expands it."""
    scans: dict[str, _XlsxScan] = {}
    state = {"scan": None, "row": 0, "column": 0, "repeat": 1, "cell": None}
    extent: list = []

    def attribute(attrs: dict[str, str], name: str, namespace: str = _ODS_TABLE) -> int:
        try:
            return max(1, int(attrs.get(f"{namespace} {name}", 1)))
        except ValueError:
            return 1

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = tag.rsplit(" ", 1)[-1]
        if name == "table" and tag.startswith(_ODS_TABLE):
            scan = _XlsxScan(attrs.get(f"{_ODS_TABLE} name", ""), merges=[])
            scans[scan.sheet] = scan
            state.update(scan=scan, row=0)
            extent[:] = [None, 0, None, 0]
        elif state["scan"] is None:
            return
        elif name == "table-row":
            state.update(column=0, repeat=attribute(attrs, "number-rows-repeated"))
        elif name in ("table-cell", "covered-table-cell"):
            across = attribute(attrs, "number-columns-spanned")
            down = attribute(attrs, "number-rows-spanned")
            if across > 1 or down > 1:
                row, column = state["row"], state["column"]
                state["scan"].merges.append(((row, column), (row + down - 1, column + across - 1)))
            state["cell"] = [attribute(attrs, "number-columns-repeated"), f"{_ODS_OFFICE} value-type" in attrs]
        elif name == "p" and state["cell"] is not None:
            state["cell"][1] = True

    def end(tag: str) -> None:
        name = tag.rsplit(" ", 1)[-1]
        scan = state["scan"]
        if scan is None:
            return
        if name in ("table-cell", "covered-table-cell") and state["cell"] is not None:
            repeat, valued = state["cell"]
            if valued:
                first, last = state["column"], state["column"] + repeat - 1
                top, bottom = state["row"] + 1, state["row"] + state["repeat"]
                extent[0] = top if extent[0] is None else min(extent[0], top)
                extent[1] = max(extent[1], bottom)
                extent[2] = first if extent[2] is None else min(extent[2], first)
                extent[3] = max(extent[3], last)
            state["column"] += repeat
            state["cell"] = None
        elif name == "table-row":
            state["row"] += state["repeat"]
        elif name == "table" and tag.startswith(_ODS_TABLE):
            if extent[0] is not None:
                scan.min_row, scan.max_row, scan.min_column, scan.max_column = extent
            state["scan"] = None

    parser = _safe_parser(namespaces=True)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with archive.open("content.xml") as stream:
        total = 0
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise ReadError(f"表格解压后超过 {MAX_XML_BYTES // 10**9} GB，无法读取；请拆成几个文件分别导入。")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return scans


def _safe_parser(namespaces: bool = False) -> expat.XMLParserType:
    """An expat parser that refuses any DOCTYPE, so no entity can ever be declared or expanded."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()

    def refuse(*_args) -> None:
        raise ReadError("XML 文件含有 DOCTYPE/ENTITY 声明，出于安全原因不予读取。")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser
