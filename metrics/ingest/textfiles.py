"""The text formats of reader.py: HTML tables and SpreadsheetML 2003 XML saved as ".xls", and CSV."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from xml.parsers import expat

from lxml import etree

from metrics.ingest.reader import (
    _CHUNK,
    MAX_COLUMNS,
    MAX_ROWS,
    FormulaWithoutValue,
    Progress,
    ReadError,
    Row,
    Sheet,
    _Data,
    _finish,
    _row_cap,
    _safe_parser,
)

ENCODING_MESSAGE = (
    "无法识别文件编码（既不是 UTF-8，也不是 GBK/GB18030）。请在 Excel 中打开后另存为“CSV UTF-8”或 .xlsx 再导入。"
)
_GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "csgb2312"}


# --- encodings ---------------------------------------------------------------------------------------------


def _decodes(data: _Data, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with data.open() as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: _Data, declared: str | None = None) -> str:
    """The codec that decodes the whole file strictly: BOM first, then what the file declares, UTF-8, GB18030."""
    head = data.head
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ReadError("文件是 UTF-32 编码，无法读取。请另存为“CSV UTF-8”或 .xlsx 再导入。")
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode 文本" export
    else:
        if head.count(b"\x00") > len(head) // 10:
            raise ReadError("文件不是文本表格（含大量空字节，可能是无 BOM 的 UTF-16 或其他二进制文件），无法读取。")
        candidates = []
        if declared:
            name = declared.strip().lower()
            candidates.append("gb18030" if name in _GB_NAMES else name)
        candidates += ["utf-8", "gb18030"]
        for candidate in dict.fromkeys(candidates):
            try:
                codecs.lookup(candidate)
            except LookupError:
                continue
            if _decodes(data, candidate):
                return candidate
        raise ReadError(ENCODING_MESSAGE)
    if not _decodes(data, encoding):
        raise ReadError(ENCODING_MESSAGE)
    return encoding


def _check_text(sample: str) -> None:
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > 8 and controls > len(sample) // 100:
        raise ReadError("文件不是文本表格（含大量控制字符，可能是二进制文件），无法读取。")


def _read_text(data: _Data, declared: str | None) -> str:
    encoding = detect_encoding(data, declared)
    with data.open() as handle:
        text = handle.read().decode(encoding)
    _check_text(text[:65536])
    return text


# --- CSV ---------------------------------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """Counts the bytes read, for progress."""

    def __init__(self, stream) -> None:
        self.stream, self.count = stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.count += len(chunk)
        return len(chunk)


def csv_rows(data: _Data, report: Progress) -> Iterator[Row]:
    """Rows of a CSV (comma, or tab when the file is tab-separated); the row number is the record number."""
    encoding = detect_encoding(data)
    with data.open() as handle:
        sample = io.TextIOWrapper(handle, encoding=encoding, newline="").read(65536)
    _check_text(sample)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # A cell may be as large as the file; the default 128 KiB limit would raise an English error (issue 7).
    csv.field_size_limit(max(csv.field_size_limit(), data.size + 1))
    with data.open() as handle:
        counter = _Counting(handle)
        text = io.TextIOWrapper(io.BufferedReader(counter, _CHUNK), encoding=encoding, newline="")
        reader = csv.reader(text, delimiter=delimiter)
        row_number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error:
                raise ReadError(f"第{row_number + 1}行无法按 CSV 格式读取（引号或分隔符不成对）。") from None
            row_number += 1
            _row_cap(row_number)
            if row_number % 5000 == 0:
                report(min(counter.count / data.size, 1.0))
            cells = [value if value != "" else None for value in record]
            finished = _finish(row_number, cells)
            if finished is not None:
                yield row_number, finished
    report(1.0)


# --- HTML saved as .xls ------------------------------------------------------------------------------------


_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_BREAK = object()


class _Table:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.row_number = 0
        self.cells: list | None = None
        self.spans: dict[int, list] = {}  # column → [rows still to cover, value]
        self.cell: list | None = None  # text parts of the open cell
        self.colspan = self.rowspan = 1

    def start_row(self) -> None:
        self.end_row()
        self.row_number += 1
        _row_cap(self.row_number)
        self.cells = []

    def start_cell(self, colspan: int, rowspan: int) -> None:
        if self.cells is None:
            self.start_row()
        self.end_cell()
        self.cell, self.colspan, self.rowspan = [], colspan, rowspan

    def end_cell(self) -> None:
        if self.cell is None:
            return
        value = _cell_text(self.cell) or None
        self._skip_spanned()
        column = len(self.cells)
        for offset in range(self.colspan):
            self.cells.append(value)
            if self.rowspan > 1:
                self.spans[column + offset] = [self.rowspan - 1, value]
        self.cell = None

    def _skip_spanned(self) -> None:
        while len(self.cells) in self.spans:
            self._take_span(len(self.cells))

    def _take_span(self, column: int) -> None:
        span = self.spans[column]
        while len(self.cells) < column:
            self.cells.append(None)
        self.cells.append(span[1])
        span[0] -= 1
        if not span[0]:
            del self.spans[column]

    def end_row(self) -> None:
        self.end_cell()
        if self.cells is None:
            return
        for column in sorted(column for column in self.spans if column >= len(self.cells)):
            self._take_span(column)
        finished = _finish(self.row_number, self.cells)
        if finished is not None:
            self.rows.append((self.row_number, finished))
        self.cells = None


def _cell_text(parts: list) -> str:
    if len(parts) == 1:
        return _HTML_SPACE.sub(" ", parts[0]).strip(" ")
    lines, current = [], []
    for part in parts:
        if part is _BREAK:
            lines.append("".join(current))
            current = []
        else:
            current.append(part)
    lines.append("".join(current))
    return "\n".join(_HTML_SPACE.sub(" ", line).strip(" ") for line in lines).strip("\n")


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), MAX_COLUMNS + 1))
    except ValueError:
        return 1


def _rowspan(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), MAX_ROWS))
    except ValueError:
        return 1


_BR_MARK = "\ue000"  # a private-use character stands for <br> until the cell's whitespace is collapsed


# libxml2 refuses NUL and most control characters, but they must reach the validator (D16): hide them in the
# supplementary private-use plane while parsing and put them back in each cell.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HIDE = {code: 0xF0000 + code for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}
_SHOW = {hidden: code for code, hidden in _HIDE.items()}


def _element_parts(element, hidden: bool) -> list:
    for br in element.iter("br"):
        br.tail = _BR_MARK + (br.tail or "")
    parts: list = []
    for piece in element.itertext():
        pieces = piece.split(_BR_MARK)
        for index, text in enumerate(pieces):
            if index:
                parts.append(_BREAK)
            parts.append(text.translate(_SHOW) if hidden else text)
    return parts


def _html_row(table: _Table, row, hidden: bool) -> None:
    table.start_row()
    cells, spans, space = table.cells, table.spans, _HTML_SPACE
    for cell in row:
        if cell.tag not in ("td", "th"):
            continue
        colspan, rowspan = cell.get("colspan"), cell.get("rowspan")
        if not (colspan or rowspan or spans or len(cell) or hidden):
            text = cell.text
            cells.append((space.sub(" ", text).strip(" ") or None) if text else None)  # the common plain cell
            continue
        table.start_cell(_span(colspan) if colspan else 1, _rowspan(rowspan) if rowspan else 1)
        if len(cell):
            table.cell = _element_parts(cell, hidden)
        else:
            text = cell.text or ""
            table.cell = [text.translate(_SHOW) if hidden else text]
        table.end_cell()
    table.end_row()


def read_html(data: _Data, report: Progress) -> list[Sheet]:
    """Court systems write GBK HTML with a <meta charset>; Excel opens it as a workbook of one table. Parsed by
    libxml2 (lxml), which repairs tag soup as a browser does; every <table> (nested ones too) is one table."""
    declared = _META_CHARSET.search(data.head)
    text = _read_text(data, declared.group(1).decode("ascii") if declared else None)
    hidden = bool(_UNSAFE.search(text))
    if hidden:
        text = text.translate(_HIDE)
    parser = etree.HTMLPullParser(
        events=("start", "end"), tag=("table", "tr"), no_network=True, remove_comments=True
    )
    tables: list[_Table] = []
    open_tables: list[_Table] = []
    step = 1 << 20
    for offset in range(0, len(text) + 1, step):
        if offset < len(text):
            parser.feed(text[offset : offset + step])
        else:
            parser.close()
        for event, element in parser.read_events():
            if element.tag == "table":
                if event == "start":
                    open_tables.append(_Table())
                    tables.append(open_tables[-1])
                elif open_tables:
                    open_tables.pop().end_row()
            elif event == "end" and open_tables:
                _html_row(open_tables[-1], element, hidden)
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
        report(0.95 * min(1.0, (offset + step) / max(len(text), 1)))
    del text
    if not tables:
        raise ReadError("网页格式的文件中没有表格（<table>），无法读取。")
    report(1.0)
    if len(tables) == 1:
        return [Sheet("", iter(tables[0].rows), "html")]
    return [Sheet(f"表{index}", iter(table.rows), "html") for index, table in enumerate(tables, start=1)]


# --- SpreadsheetML 2003 XML saved as .xls ------------------------------------------------------------------

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_XML_BROKEN = "XML 表格文件已损坏或不完整（第{line}行附近），无法读取。"


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _attribute(attrs: dict[str, str], name: str) -> str | None:
    return attrs.get(f"{_SS} {name}")


def _number(value: str | None, default: int, limit: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), limit)) if value is not None else default
    except ValueError:
        return default


def _parse_xml(data: _Data, parser: expat.XMLParserType, report: Progress | None, drain=None) -> Iterator:
    with data.open() as handle:
        done = 0
        while True:
            chunk = handle.read(_CHUNK)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise ReadError(_XML_BROKEN.format(line=exc.lineno)) from None
            if drain is not None:
                yield from drain()
            if not chunk:
                return
            done += len(chunk)
            if report is not None:
                report(min(done / data.size, 1.0))


def _worksheet_names(data: _Data) -> list[str]:
    names: list[str] = []
    parser = _safe_parser(namespaces=True)

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Worksheet":
            names.append(_attribute(attrs, "Name") or f"Sheet{len(names) + 1}")

    parser.StartElementHandler = start
    for _ in _parse_xml(data, parser, None):
        pass
    return names


class _SpreadsheetML:
    """Rows of worksheet number `wanted`, with ss:Index, ss:MergeAcross and ss:MergeDown laid out."""

    def __init__(self, wanted: int) -> None:
        self.wanted, self.sheet = wanted, -1
        self.inside = False
        self.ready: list[Row] = []
        self.row_number = 0
        self.cells: list | None = None
        self.column = 0
        self.down: dict[int, list[tuple[int, int, object]]] = {}  # row → (first column, last column, value)
        self.cell: dict | None = None
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "Worksheet":
            self.sheet += 1
            self.inside = self.sheet == self.wanted
        elif not self.inside:
            return
        elif name == "Row":
            self.row_number = _number(_attribute(attrs, "Index"), self.row_number + 1, 1_048_576)
            _row_cap(self.row_number)
            self.cells, self.column = [], 0
            for first, last, value in self.down.pop(self.row_number, ()):
                self._place(first, [value] * (last - first + 1))
        elif name == "Cell" and self.cells is not None:
            self.column = _number(_attribute(attrs, "Index"), self.column + 1, 16_384)
            while self.column - 1 < len(self.cells) and self.cells[self.column - 1] is not None:
                self.column += 1  # covered by a MergeDown from above
            self.cell = {
                "across": _number(_attribute(attrs, "MergeAcross"), 0, MAX_COLUMNS),
                "down": _number(_attribute(attrs, "MergeDown"), 0, MAX_ROWS),
                "formula": _attribute(attrs, "Formula") is not None,
                "type": None,
                "value": None,
            }
        elif name == "Data" and self.cell is not None:
            self.cell["type"] = _attribute(attrs, "Type") or "String"
            self.text = []

    def end(self, tag: str) -> None:
        if not self.inside:
            return
        name = _local(tag)
        if name == "Data" and self.cell is not None and self.text is not None:
            self.cell["value"] = _xml_value(self.cell["type"], "".join(self.text))
            self.text = None
        elif name == "Cell" and self.cell is not None and self.cells is not None:
            cell, self.cell = self.cell, None
            value = cell["value"]
            if value is None and cell["type"] is None and cell["formula"]:
                value = FormulaWithoutValue
            first, last = self.column - 1, self.column - 1 + cell["across"]
            self._place(first, [value] * (last - first + 1))
            for offset in range(1, cell["down"] + 1):
                self.down.setdefault(self.row_number + offset, []).append((first, last, value))
            self.column = last + 1
        elif name == "Row" and self.cells is not None:
            finished = _finish(self.row_number, self.cells)
            if finished is not None:
                self.ready.append((self.row_number, finished))
            self.cells = None
        elif name == "Worksheet":
            self.inside = False

    def _place(self, first: int, values: list) -> None:
        if len(self.cells) < first:
            self.cells.extend([None] * (first - len(self.cells)))
        self.cells[first : first + len(values)] = values
        if len(self.cells) > MAX_COLUMNS + 1:
            _finish(self.row_number, self.cells)

    def characters(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def drain(self) -> list[Row]:
        ready, self.ready = self.ready, []
        return ready


def _xml_value(kind: str, text: str) -> object:
    if text == "":
        return None
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "DateTime":
        try:
            moment = dt.datetime.fromisoformat(text[:19])
        except ValueError:
            return text
        return moment.date() if moment.time() == dt.time() else moment
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text


def read_xml2003(data: _Data, report: Progress) -> list[Sheet]:
    names = _worksheet_names(data)
    return [Sheet(name, _xml_rows(data, index, len(names), report), "xml2003") for index, name in enumerate(names)]


def _xml_rows(data: _Data, index: int, count: int, report: Progress) -> Iterator[Row]:
    reader = _SpreadsheetML(index)
    parser = _safe_parser(namespaces=True)
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    yield from _parse_xml(data, parser, lambda fraction: report((index + fraction) / count), reader.drain)
