"""Benchmark: how long metrics/ingest/reader.py takes to read large court exports, and its peak memory.

    python benchmarks/bench_reader.py                 # 50,000-row .xls, 200,000-row xlsx, CSV (GBK) and HTML
    python benchmarks/bench_reader.py --rows 100000   # other sizes for the xlsx/CSV/HTML files

Each file is read in a fresh Python process, so the peak RSS printed is that of reading one file (the interpreter
and imports included). Prints figures; asserts nothing. Target (issue 7): the 50,000-row .xls well under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["序号", "执行案号", "承办法院", "案件类别", "立案日期", "结案日期", "结案方式", "申请执行标的额（元）",
          "实际到位金额（元）", "承办部门", "承办人", "被执行人名称"]  # fmt: skip


def records(count: int, seed: int = 42):
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    for n in range(1, count + 1):
        filed = start + dt.timedelta(days=rng.randrange(900))
        closed = filed + dt.timedelta(days=rng.randrange(400)) if rng.random() < 0.6 else None
        applied = round(rng.lognormvariate(10.5, 1.2), 2)
        yield [n, f"(2025)鄂0505执{n}号", "猇亭区人民法院", "首次执行", filed, closed,
               "执行完毕" if closed else None, applied, round(applied * rng.random(), 2),
               f"执行{rng.randrange(1, 5)}团队", f"法官{rng.randrange(40)}",
               f"被执行人{rng.randrange(10**6)}"]  # fmt: skip


def write_xls(path: Path, count: int) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("执行案件")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, "执行案件明细表")
    for column, name in enumerate(HEADER):
        sheet.write(2, column, name)
    for row, values in enumerate(records(count), start=3):
        for column, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write(row, column, value, date_style)
            elif value is not None:
                sheet.write(row, column, value)
    book.save(str(path))


def _xlsx_cell(reference: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        value = (value - dt.date(1899, 12, 30)).days
        return f'<c r="{reference}" s="1"><v>{value}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def write_xlsx(path: Path, count: int) -> None:
    """Written as raw XML (openpyxl would take minutes for 200,000 rows); dates carry a date number format."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    letters = [chr(65 + i) for i in range(len(HEADER))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')  # noqa: E501
        archive.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # noqa: E501
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="执行案件" sheetId="1" r:id="rId1"/></sheets></workbook>')  # noqa: E501
        archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rels}/styles" Target="styles.xml"/></Relationships>')  # noqa: E501
        archive.writestr("xl/styles.xml", f'<?xml version="1.0"?><styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')  # noqa: E501
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'.encode())
            sheet.write(('<row r="1">' + _xlsx_cell("A1", "执行案件明细表") + "</row>").encode())
            header = "".join(_xlsx_cell(f"{letter}3", name) for letter, name in zip(letters, HEADER, strict=True))
            sheet.write(f'<row r="3">{header}</row>'.encode())
            for row, values in enumerate(records(count), start=4):
                cells = "".join(_xlsx_cell(f"{ltr}{row}", v) for ltr, v in zip(letters, values, strict=True))
                sheet.write(f'<row r="{row}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


def _text(value) -> str:
    return "" if value is None else str(value)


def write_csv(path: Path, count: int) -> None:
    with open(path, "w", encoding="gbk", newline="") as handle:
        handle.write("执行案件明细表\r\n\r\n" + ",".join(HEADER) + "\r\n")
        for values in records(count):
            handle.write(",".join(_text(value) for value in values) + "\r\n")


def write_html(path: Path, count: int) -> None:
    with open(path, "w", encoding="gbk") as handle:
        handle.write('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><body>')
        handle.write(f'<table border="1"><tr><td colspan="{len(HEADER)}">执行案件明细表</td></tr><tr>')
        handle.write("".join(f"<th>{name}</th>" for name in HEADER) + "</tr>\n")
        for values in records(count):
            handle.write("<tr>" + "".join(f"<td>{escape(_text(value))}</td>" for value in values) + "</tr>\n")
        handle.write("</table></body></html>")


def read_one(path: str) -> None:
    """Child process: read every row of one file, print rows, seconds and peak RSS as one line."""
    from metrics.ingest.reader import read_sheets

    started = time.perf_counter()
    count = 0
    for sheet in read_sheets(Path(path), Path(path).name):
        for _ in sheet.rows:
            count += 1
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count}\t{seconds:.2f}\t{peak_mb:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the xlsx, CSV and HTML files")
    parser.add_argument("--xls-rows", type=int, default=50_000, help="rows of the .xls file (xlwt caps at 65,535)")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_one(args.read)
        return
    with tempfile.TemporaryDirectory() as folder:
        files = [
            ("导出数据.xls (BIFF8)", Path(folder) / "导出数据.xls", write_xls, args.xls_rows),
            ("执行案件.xlsx", Path(folder) / "执行案件.xlsx", write_xlsx, args.rows),
            ("执行案件.csv (GBK)", Path(folder) / "执行案件.csv", write_csv, args.rows),
            ("网页.xls (GBK HTML)", Path(folder) / "网页.xls", write_html, args.rows),
        ]
        print(f"{'file':<24}{'rows':>10}{'MB':>8}{'write s':>9}{'read s':>9}{'peak RSS MB':>13}")
        for label, path, write, count in files:
            started = time.perf_counter()
            write(path, count)
            written = time.perf_counter() - started
            result = subprocess.run(
                [sys.executable, __file__, "--read", str(path)], capture_output=True, text=True, check=True
            )
            rows, seconds, peak = result.stdout.split()
            size = path.stat().st_size / 2**20
            print(f"{label:<24}{int(rows):>10,}{size:>8.1f}{written:>9.1f}{float(seconds):>9.2f}{int(peak):>13,}")


if __name__ == "__main__":
    main()
