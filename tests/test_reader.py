"""metrics/ingest/reader.py: every format gives the same raw rows; hostile files give a Chinese ReadError."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from metrics.ingest import reader
from metrics.ingest.reader import FormulaWithoutValue, ReadError, read_sheets

D = dt.date(2025, 3, 5)
DT = dt.datetime(2025, 3, 6, 14, 30)

# One auction export as every format should return it: a title row, a blank row, a two-row header whose
# group cell 价格（元） spans 评估价/起拍价/成交价 and whose 拍品编号/结束时间 span both header rows, two data rows,
# a blank row and a 合计 footer.
EXPECTED = [
    (1, ["网络司法拍卖统计表"]),
    (3, ["拍品编号", "价格（元）", "价格（元）", "价格（元）", "结束时间"]),
    (4, ["拍品编号", "评估价", "起拍价", "成交价", "结束时间"]),
    (5, ["PM-001", 120000, 84000.5, None, D]),
    (6, ["PM-002", 50000, 35000, 36000, DT]),
    (8, ["合计", 170000, 119000.5, 36000]),
]
TITLE, HEADER_TOP, HEADER, DATA, FOOTER = (
    EXPECTED[0][1][0],
    ["拍品编号", "价格（元）", None, None, "结束时间"],
    EXPECTED[2][1],
    [EXPECTED[3][1], EXPECTED[4][1]],
    EXPECTED[5][1],
)


def rows_of(sheet) -> list:
    return list(sheet.rows)


def read(source, name="导出数据.xls") -> list:
    return [(sheet.name, sheet.kind, rows_of(sheet)) for sheet in read_sheets(source, name)]


# --- fixture builders ----------------------------------------------------------------------------------------


def make_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "拍卖"
    sheet["A1"] = TITLE
    for column, value in enumerate(HEADER_TOP, start=1):
        if value:
            sheet.cell(3, column, value)
    for column in (2, 3, 4):
        sheet.cell(4, column, HEADER[column - 1])
    sheet.merge_cells("B3:D3")
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("E3:E4")
    for row, values in zip((5, 6), DATA, strict=True):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    sheet["E5"].number_format = "yyyy-mm-dd"
    sheet["E6"].number_format = "yyyy-mm-dd hh:mm"
    for column, value in enumerate(FOOTER, start=1):
        sheet.cell(8, column, value)
    second = workbook.create_sheet("说明")
    second["B2"] = "公式"
    second["C2"] = "=B9*2"
    workbook.create_sheet("空表")
    workbook.save(path)
    return path


def make_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("拍卖")
    sheet.write(0, 0, TITLE)
    sheet.write_merge(2, 3, 0, 0, "拍品编号")
    sheet.write_merge(2, 2, 1, 3, "价格（元）")
    sheet.write_merge(2, 3, 4, 4, "结束时间")
    for column in (1, 2, 3):
        sheet.write(3, column, HEADER[column])
    styles = {D: xlwt.easyxf(num_format_str="yyyy-mm-dd"), DT: xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")}
    for row, values in zip((4, 5), DATA, strict=True):
        for column, value in enumerate(values):
            if value is None:
                continue
            if column == 4:
                sheet.write(row, column, value, styles[value])
            else:
                sheet.write(row, column, value)
    for column, value in enumerate(FOOTER):
        sheet.write(7, column, value)
    serials = book.add_sheet("序列号")
    serials.write(0, 0, "立案日期")
    serials.write(1, 0, 45721)  # 2025-03-05 typed as a plain number: the reader leaves it a number
    book.add_sheet("空表")
    book.save(str(path))
    return path


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def make_ods(path: Path) -> Path:
    def text(value, extra=""):
        return f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p></table:table-cell>'

    def number(value):
        cell = f'<table:table-cell office:value-type="float" office:value="{value}">'
        return cell + f"<text:p>{value}</text:p></table:table-cell>"

    def date(value):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'

    def row(*cells):
        return "<table:table-row>" + "".join(cells) + "</table:table-row>"

    covered = "<table:covered-table-cell/>"
    empty = "<table:table-cell/>"
    table = (
        '<table:table table:name="拍卖">'
        + row(text(TITLE))
        + row(empty)
        + row(
            text("拍品编号", ' table:number-rows-spanned="2"'),
            text("价格（元）", ' table:number-columns-spanned="3"'),
            covered,
            covered,
            text("结束时间", ' table:number-rows-spanned="2"'),
        )
        + row(covered, text("评估价"), text("起拍价"), text("成交价"), covered)
        + row(text("PM-001"), number(120000), number(84000.5), empty, date(D))
        + row(text("PM-002"), number(50000), number(35000), number(36000), date(DT))
        + '<table:table-row table:number-rows-repeated="1"><table:table-cell table:number-columns-repeated="5"/>'
        "</table:table-row>"
        + row(text("合计"), number(170000), number(119000.5), number(36000))
        + '</table:table><table:table table:name="空表"/>'
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>" + table + "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    return path


HTML = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<style>td {{ mso-number-format:'\\@'; }}</style></head><body>
<table border="1">
<tr><td colspan="5">网络司法拍卖统计表</td></tr>
<tr></tr>
<tr><th rowspan="2">拍品编号</th><th colspan="3">价格（元）</th><th rowspan="2">结束时间</th></tr>
<tr><th>评估价</th><th>起拍价</th><th>成交价</th></tr>
<tr><td>PM-001</td><td>120,000</td><td>84000.5</td><td></td><td>2025年3月5日</td></tr>
<tr><td> PM&#45;002 </td><td>5<br>0000</td><td>35000</td><td>36000</td><td>2025-03-06 14:30</td></tr>
<tr><td></td><td>&nbsp;</td></tr>
<tr><td>合计</td><td>170000</td><td>119000.5</td><td>36000</td></tr>
</table></body></html>"""

HTML_ROWS = [
    (1, ["网络司法拍卖统计表"] * 5),
    (3, ["拍品编号", "价格（元）", "价格（元）", "价格（元）", "结束时间"]),
    (4, ["拍品编号", "评估价", "起拍价", "成交价", "结束时间"]),
    (5, ["PM-001", "120,000", "84000.5", None, "2025年3月5日"]),
    (6, ["PM-002", "5\n0000", "35000", "36000", "2025-03-06 14:30"]),
    (8, ["合计", "170000", "119000.5", "36000"]),
]

XML2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="拍卖"><Table>
  <Row><Cell><Data ss:Type="String">网络司法拍卖统计表</Data></Cell></Row>
  <Row ss:Index="3"><Cell ss:MergeDown="1"><Data ss:Type="String">拍品编号</Data></Cell>
   <Cell ss:MergeAcross="2"><Data ss:Type="String">价格（元）</Data></Cell>
   <Cell ss:MergeDown="1"><Data ss:Type="String">结束时间</Data></Cell></Row>
  <Row><Cell ss:Index="2"><Data ss:Type="String">评估价</Data></Cell><Cell><Data ss:Type="String">起拍价</Data></Cell>
   <Cell><Data ss:Type="String">成交价</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">PM-001</Data></Cell><Cell><Data ss:Type="Number">120000</Data></Cell>
   <Cell><Data ss:Type="Number">84000.5</Data></Cell>
   <Cell ss:Index="5"><Data ss:Type="DateTime">2025-03-05T00:00:00.000</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">PM-002</Data></Cell><Cell><Data ss:Type="Number">50000</Data></Cell>
   <Cell><Data ss:Type="Number">35000</Data></Cell><Cell><Data ss:Type="Number">36000</Data></Cell>
   <Cell><Data ss:Type="DateTime">2025-03-06T14:30:00.000</Data></Cell></Row>
  <Row ss:Index="8"><Cell><Data ss:Type="String">合计</Data></Cell><Cell ss:Formula="=SUM(R[-4]C:R[-2]C)"><Data
   ss:Type="Number">170000</Data></Cell><Cell><Data ss:Type="Number">119000.5</Data></Cell>
   <Cell ss:Formula="=SUM(R[-4]C:R[-2]C)"><Data ss:Type="Number">36000</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="公式"><Table><Row><Cell ss:Formula="=1+1"/><Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="空表"/>
</Workbook>"""


# --- every format, the same rows -----------------------------------------------------------------------------


def test_xlsx_two_row_header_merges_dates_footer_and_every_sheet(tmp_path):
    path = make_xlsx(tmp_path / "拍卖.xls")  # the extension lies; the bytes decide
    assert read(path) == [
        ("拍卖", "xlsx", EXPECTED),
        ("说明", "xlsx", [(2, [None, "公式", FormulaWithoutValue])]),
        ("空表", "xlsx", []),
    ]


def test_xlsx_from_bytes_and_data_not_starting_in_a1(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["C3"] = "案号"
    workbook.active["D5"] = 7
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue()) == [("Sheet", "xlsx", [(3, [None, None, "案号"]), (5, [None, None, None, 7])])]


def test_xls_biff8_two_row_header_dates_and_plain_serials(tmp_path):
    path = make_xls(tmp_path / "导出数据_20260601.xls")
    assert read(path) == [
        ("拍卖", "xls", EXPECTED),
        ("序列号", "xls", [(1, ["立案日期"]), (2, [45721])]),
        ("空表", "xls", []),
    ]


def test_ods_two_row_header_covered_cells_carry_the_merged_value(tmp_path):
    path = make_ods(tmp_path / "拍卖.ods")
    assert read(path) == [("拍卖", "ods", EXPECTED), ("空表", "ods", [])]


def test_gbk_html_saved_as_xls_with_spans_breaks_and_entities():
    assert read(HTML.encode("gbk")) == [("", "html", HTML_ROWS)]


def test_html_utf8_bom_several_tables_are_numbered():
    html = "\ufeff<table><tr><td>甲</td></tr></table><p>说明</p><table><tr><td>乙</td><td>丙</td></tr></table>"
    assert read(html.encode("utf-8")) == [("表1", "html", [(1, ["甲"])]), ("表2", "html", [(1, ["乙", "丙"])])]


def test_html_nul_and_control_characters_are_left_for_the_validator():
    html = "<table><tr><td>A\x00B</td><td>\x07铃\uffff</td></tr></table>"
    assert read(html.encode()) == [("", "html", [(1, ["A\x00B", "\x07铃\uffff"])])]


def test_html_without_a_table_is_refused():
    with pytest.raises(ReadError, match="没有表格"):
        read_sheets("<html><body>无数据</body></html>".encode(), "a.xls")


def test_spreadsheetml_2003_merges_types_and_formula_without_value():
    assert read(XML2003.encode("utf-8")) == [
        (
            "拍卖",
            "xml2003",
            [(1, ["网络司法拍卖统计表"])] + EXPECTED[1:],
        ),
        ("公式", "xml2003", [(1, [FormulaWithoutValue, True])]),
        ("空表", "xml2003", []),
    ]


def test_spreadsheetml_with_doctype_entities_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data>&lol2;'
        "</Data></Cell></Row></Table></Worksheet></Workbook>"
    )
    with pytest.raises(ReadError, match="DOCTYPE"):
        read(bomb.encode())


def test_truncated_spreadsheetml_names_the_line():
    with pytest.raises(ReadError, match="已损坏或不完整（第"):
        read(XML2003.encode("utf-8")[:900])


# --- CSV -----------------------------------------------------------------------------------------------------

CSV_TEXT = '执行案件统计表\n\n案号,申请执行标的额（万元）,承办人\n(2025)鄂0505执1号,"1,234.5", 张三 \n,,\n合计,1234.5\n'
CSV_ROWS = [
    (1, ["执行案件统计表"]),
    (3, ["案号", "申请执行标的额（万元）", "承办人"]),
    (4, ["(2025)鄂0505执1号", "1,234.5", " 张三 "]),
    (6, ["合计", "1234.5"]),
]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_csv_encodings_blank_rows_keep_numbering(encoding):
    assert read(CSV_TEXT.encode(encoding), "执行案件.csv") == [("", "csv", CSV_ROWS)]


def test_csv_tab_separated_quoted_newlines_count_as_one_row():
    text = '案号\t备注\r\n(2025)鄂0505执1号\t"两行\r\n备注"\r\n\r\n(2025)鄂0505执2号\tx\r\n'
    assert read(text.encode("utf-8"), "a.csv") == [
        (
            "",
            "csv",
            [(1, ["案号", "备注"]), (2, ["(2025)鄂0505执1号", "两行\r\n备注"]), (4, ["(2025)鄂0505执2号", "x"])],
        )
    ]


def test_csv_nul_and_control_characters_are_left_for_the_validator():
    assert read("案号,名称\nA\x00B,\x07铃\n".encode(), "a.csv") == [
        ("", "csv", [(1, ["案号", "名称"]), (2, ["A\x00B", "\x07铃"])])
    ]


def test_csv_cell_over_the_default_field_limit():
    big = "长" * 200_000
    assert read(f"案号,名称\nA,{big}\n".encode(), "a.csv") == [("", "csv", [(1, ["案号", "名称"]), (2, ["A", big])])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("案号\n".encode("utf-32"), "UTF-32"),
        ("案号,名称\n".encode("utf-16-le"), "空字节"),
        (bytes(range(256)) * 40, "无法识别文件编码"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f" * 10, "控制字符"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"<?xml version='1.0'?><root/>", "不是 Excel 2003 XML"),
    ],
)
def test_files_that_are_not_tables(content, message):
    with pytest.raises(ReadError, match=message):
        read(content, "a.csv")


# --- hostile files and limits --------------------------------------------------------------------------------


def test_empty_missing_and_directory(tmp_path):
    empty = tmp_path / "空.xls"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="文件为空"):
        read_sheets(empty, "空.xls")
    with pytest.raises(ReadError, match="文件为空"):
        read_sheets(b"", "空.xls")
    with pytest.raises(ReadError, match="找不到文件“没有.xls”"):
        read_sheets(tmp_path / "没有.xls", "没有.xls")
    with pytest.raises(ReadError, match="是一个文件夹"):
        read_sheets(tmp_path, "导出")


@pytest.mark.parametrize("maker", [make_xlsx, make_xls, make_ods])
def test_truncated_workbooks_are_corrupt(tmp_path, maker):
    whole = maker(tmp_path / "whole").read_bytes()
    for cut in (len(whole) // 2, len(whole) - 30):
        with pytest.raises(ReadError, match="文件已损坏或不完整"):
            for sheet in read_sheets(whole[:cut], "a.xlsx"):
                rows_of(sheet)


def test_a_zip_that_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ReadError, match="不是 Excel 或 ODS"):
        read_sheets(buffer.getvalue(), "a.xlsx")


def test_password_protected_workbook():
    # Excel saves an encrypted .xlsx as an OLE container with EncryptionInfo and EncryptedPackage streams;
    # here only the directory names are real, which is what the reader looks at first.
    container = reader.OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(100)
    container += "EncryptedPackage".encode("utf-16-le") + bytes(1000)
    with pytest.raises(ReadError, match="工作簿设有密码保护"):
        read_sheets(container, "加密.xlsx")


def test_size_cap(monkeypatch, tmp_path):
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    with pytest.raises(ReadError, match="上限"):
        read_sheets(b"a," * 60, "a.csv")
    path = tmp_path / "big.csv"
    path.write_bytes(b"a," * 60)
    with pytest.raises(ReadError, match="上限"):
        read_sheets(path, "big.csv")


def test_row_cap_names_the_limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    sheet = read_sheets(b"a\nb\nc\nd\n", "a.csv")[0]
    with pytest.raises(ReadError, match="超过 3 行的上限"):
        rows_of(sheet)


def test_column_cap_names_the_row():
    text = "a\n" + ",".join(["x"] * 300) + "\n"
    with pytest.raises(ReadError, match="第2行有 300 列，超过 256 列的上限"):
        rows_of(read_sheets(text.encode(), "a.csv")[0])


def _raw_xlsx(sheet_xml: str) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rels}"><sheets>'
            '<sheet name="案件" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{main}">{sheet_xml}</worksheet>'
        )
    return buffer.getvalue()


def test_declared_dimension_bomb_with_padded_rows_reads_quickly():
    # D8: the sheet claims A1:XFD1048576 and every row is padded with empty cells out to column XFD.
    rows = "".join(
        f'<row r="{n}" spans="1:16384"><c r="A{n}" t="inlineStr"><is><t>行{n}</t></is></c><c r="XFD{n}" s="1"/></row>'
        for n in range(1, 301)
    )
    content = _raw_xlsx(
        f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}<row r="1048576"><c r="XFD1048576"/></row></sheetData>'
    )
    started = time.perf_counter()
    [(name, kind, got)] = read(content)
    assert time.perf_counter() - started < 5
    assert got == [(n, [f"行{n}"]) for n in range(1, 301)]


def test_a_value_in_the_far_corner_is_refused_before_it_is_loaded():
    # Without the pre-scan calamine would allocate 1,048,576 × 16,384 cells and abort the whole process.
    content = _raw_xlsx(
        '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData>'
    )
    with pytest.raises(ReadError, match="第 16384 列还有数据，超过 256 列的上限"):
        read_sheets(content, "a.xlsx")


def test_a_tall_sparse_area_is_refused_by_the_cell_cap():
    content = _raw_xlsx(
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="IV1048576"><v>2</v></c></row>'
        "</sheetData>"
    )
    with pytest.raises(ReadError, match="数据区域过大（1,048,576 行 × 256 列"):
        read_sheets(content, "a.xlsx")


def test_cells_without_references_and_formulas_are_scanned_exactly():
    content = _raw_xlsx(
        '<sheetData><row><c t="inlineStr"><is><t>案号</t></is></c><c><f>1+1</f></c><c><f>2+2</f><v>4</v></c></row>'
        "<row/><row><c/><c><v>5</v></c></row></sheetData>"
    )
    assert read(content) == [("案件", "xlsx", [(1, ["案号", FormulaWithoutValue, 4]), (3, [None, 5])])]


def test_ods_repeated_rows_bomb_is_refused():
    body = (
        '<table:table table:name="B"><table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="200" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content'
            ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
            + body
            + "</office:spreadsheet></office:body></office:document-content>",
        )
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    with pytest.raises(ReadError, match="数据区域过大"):
        read_sheets(buffer.getvalue(), "a.ods")


def test_million_row_one_cell_xlsx_is_read_in_bounded_time():
    # D8's x08: 1,000,000 one-cell rows (under MAX_ROWS, so it is read, not refused).
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 1_000_001))
    content = _raw_xlsx(f"<sheetData>{rows}</sheetData>")
    started = time.perf_counter()
    [sheet] = read_sheets(content, "a.xlsx")
    count, last = 0, None
    for row in sheet.rows:
        count, last = count + 1, row
    assert (count, last) == (1_000_000, (1_000_000, [1_000_000]))
    assert time.perf_counter() - started < 60


def test_progress_reports_fractions_up_to_one(tmp_path):
    seen: list[float] = []
    for sheet in read_sheets(make_xlsx(tmp_path / "a.xlsx"), "a.xlsx", progress=seen.append):
        rows_of(sheet)
    assert seen and all(0 <= fraction <= 1 for fraction in seen) and seen[-1] == 1
    seen.clear()
    rows_of(read_sheets(CSV_TEXT.encode(), "a.csv", progress=seen.append)[0])
    assert seen[-1] == 1


def test_formula_without_value_is_a_sentinel():
    assert FormulaWithoutValue is FormulaWithoutValue and isinstance(FormulaWithoutValue, FormulaWithoutValue)
    assert not isinstance(None, FormulaWithoutValue) and repr(FormulaWithoutValue) == "FormulaWithoutValue"
