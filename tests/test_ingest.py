"""Court exports in: header rows below titles, two-row headers with units, synonyms, footers, value forms,
mappings, dry runs, the sample database refused, import history and exact undo — on every test database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from metrics.engine.db import data_version
from metrics.engine.schema import TABLES, auctions, cases, measures
from metrics.ingest.batches import UndoError, list_batches, undo_latest
from metrics.ingest.headers import find_header, header_key, is_footer
from metrics.ingest.importer import ImportRefused, ImportRejected, import_files, validate_files
from metrics.ingest.mapping import Mapping, MappingError, load_mapping, save_mapping
from metrics.ingest.values import DateRule, ValueProblem, parse_date, parse_int, parse_money, parse_text


def court_export(path: Path) -> Path:
    """A 综合业务系统-style export: title and note rows, a two-row header, 万元, synonyms, a 合计 footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "导出数据"
    ws.append(["执行案件明细表"])
    ws.merge_cells("A1:I1")
    ws.append(["统计区间：2025-01-01 至 2025-12-31", None, None, None, None, None, None, "制表单位：执行局"])
    ws.append(["序号", "案号", "立案时间", "结案时间", "结案方式", "标的（万元）", None, "承办部门", "被执行人"])
    ws.append([None, None, None, None, None, "申请执行标的额", "到位金额", None, None])
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:G3", "H3:H4", "I3:I4"):
        ws.merge_cells(rng)
    ws.append([1, "（2025）鄂0505执 1号", dt.datetime(2025, 3, 5, 9, 30), "2025年6月1日", "执行完毕", 1.5, "1.5",
               "执行一团队", "张三"])
    ws.append([])  # a blank row: the numbering below must still match the spreadsheet's
    ws.append([2, "(2025)鄂0505执2号", "2025/3/6", None, None, "0.123456", 0, "执行二团队", "宜昌某某建材有限公司"])
    ws.append([3, "(2025)鄂0505执3号", 45727, "20250901", "终本", "2", "0.2", "执行一团队", "李四"])
    ws.append(["合计", None, None, None, None, 3.623456, 1.7, None, None])
    ws.append(["制表人：王五", None, None, None, None, None, None, "打印日期：2026-06-01"])
    wb.save(path)
    return path


def rows_of(engine, table) -> dict:
    with engine.connect() as conn:
        key = TABLES[table.name].key
        return {r[key]: dict(r) for r in conn.execute(select(table)).mappings()}


def dump(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for name, spec in TABLES.items():
            out[name] = sorted(tuple(r) for r in conn.execute(select(spec.table)))
    return out


def test_a_court_export_goes_in_as_a_clerk_would_expect(engine, tmp_path):
    path = court_export(tmp_path / "导出数据_20260601.xlsx")
    report = import_files(engine, [path], "本院")
    (plan,) = report.plans
    assert plan.table == "cases" and plan.header.row == 4 and plan.header.rows_used == 2
    assert plan.footers == [9, 10] and plan.rows == 3
    understood = {c.original: (c.target, c.unit) for c in plan.header.columns}
    assert understood["标的（万元） / 申请执行标的额"] == ("applied_amount", "万元")
    assert understood["标的（万元） / 到位金额"] == ("recovered_amount", "万元")
    assert understood["序号"] == (None, None)
    stored = rows_of(engine, cases)
    assert set(stored) == {"(2025)鄂0505执1号", "(2025)鄂0505执2号", "(2025)鄂0505执3号"}
    one, two, three = (stored[f"(2025)鄂0505执{i}号"] for i in (1, 2, 3))
    assert one["filing_date"] == dt.date(2025, 3, 5) and one["closing_date"] == dt.date(2025, 6, 1)
    assert one["applied_amount"] == Decimal("15000.00") and one["recovered_amount"] == Decimal("15000.00")
    assert one["team"] == "执行一团队" and one["case_type"] == "首次执行" and one["court"] == "本院"
    assert two["applied_amount"] == Decimal("1234.56")  # 0.123456 万元, to the fen
    assert three["filing_date"] == dt.date(2025, 3, 11)  # Excel serial 45727 (45721 is 2025-03-05)
    assert three["closing_method"] == "终结本次执行程序" and three["closing_date"] == dt.date(2025, 9, 1)
    assert sum(1 for w in report.warnings if "表尾行" in w.reason) == 2


def test_problems_name_sheet_row_column_and_value(engine, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["执行案件表"])
    ws.append(["案号", "立案日期", "申请执行标的金额(元)"])
    ws.append(["(2025)鄂0505执1号", "2025-02-30", "1,234.5"])
    ws.append([])
    ws.append(["(2025)鄂0505执2号", "2025-02-01", "12.3万"])
    path = tmp_path / "执行案件.xlsx"
    wb.save(path)
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [path], "本院")
    errors = info.value.report.errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        ("案件", 3, "立案日期"), ("案件", 5, "申请执行标的金额(元)")]
    assert "2025-02-30" in errors[0].reason and "12.3万" in errors[1].reason
    assert rows_of(engine, cases) == {}


@pytest.mark.parametrize("line, reason", [
    ("(2025)鄂0505执9号,2025-01-01,1,234.5,0,执行一团队", "多出"),  # unquoted thousands: a column shift (D3)
    ("(2025)鄂0505执9号,2099-01-01,0,0,执行一团队", "晚于今天"),  # a future date (D2)
    ("(2025)鄂0505执9号,0001-01-01,0,0,执行一团队", "早于"),  # year 0001 (D16)
    ("(2025)鄂0505执9号,2025-01-01,1e3,0,执行一团队", "不是有效金额"),  # scientific notation (D16)
    ("(2025)鄂0505执9号,2025-01-01,1e30,0,执行一团队", "不是有效金额"),  # InvalidOperation escaped before (D7)
    ("(2025)鄂0505执9号,2025-01-01,99999999999999,0,执行一团队", "10 万亿元"),  # over NUMERIC(16,2) (D7)
    ("(2025)鄂0505执9号,2025-01-01,0,0," + "队" * 51, "超过此列上限 50"),  # over VARCHAR(50) on every backend
    ("(2025)鄂0505执9号,2025-01-01,0,0,执行\x00团队", "控制字符"),  # NUL (D16)
])
def test_hostile_values_are_located_errors_and_nothing_is_written(engine, tmp_path, line, reason):
    good = "(2025)鄂0505执1号,2025-01-01,100,50,执行一团队\n"
    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期,申请执行标的金额(元),执行到位金额(元),执行团队\n" + good + line + "\n",
                    encoding="utf-8")
    before = dump(engine)
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [path], "本院")
    (error,) = info.value.report.errors
    assert error.row == 3 and reason in error.reason
    assert "张" not in str(error)
    assert dump(engine) == before


def test_zero_width_space_and_full_width_digits_do_not_make_a_new_case(engine, tmp_path):
    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期,申请执行标的金额(元)\n(2025)鄂0505执1号,2025-01-01,１２３４\n", encoding="utf-8")
    import_files(engine, [path], "本院")
    path.write_text("案号,立案日期,申请执行标的金额(元)\n(2025)鄂0505执\u200b1号,２０２５-０１-０１,1234\n",
                    encoding="utf-8")
    report = import_files(engine, [path], "本院")
    assert report.unchanged["cases"] == 1 and list(rows_of(engine, cases)) == ["(2025)鄂0505执1号"]


def test_gbk_csv_with_synonyms_and_value_aliases(engine, tmp_path):
    path = tmp_path / "拍卖导出.csv"
    path.write_bytes(("拍品编号,执行案号,拍品名称,评估价（元）,起拍价,拍卖结束时间,拍卖状态,成交价格,序号\n"
                      "P1,（2025）鄂0505执1号,住宅一套,\"1,000,000\",700000,2025年3月5日,已成交,\"¥750,000.50\",1\n"
                      "P2,（2025）鄂0505执1号,车辆,200000,140000,2025.3.6,已流拍,,2\n").encode("gb18030"))
    report = import_files(engine, [path], "本院")
    assert report.plans[0].table == "auctions"
    stored = rows_of(engine, auctions)
    assert stored["P1"]["deal_price"] == Decimal("750000.50") and stored["P1"]["result"] == "成交"
    assert stored["P1"]["appraisal_price"] == Decimal("1000000.00")
    assert stored["P2"]["result"] == "流拍" and stored["P2"]["end_date"] == dt.date(2025, 3, 6)
    assert stored["P1"]["case_no"] == "(2025)鄂0505执1号"


def test_measures_aliases_and_entrustment_directions(engine, tmp_path):
    m = tmp_path / "措施.csv"
    m.write_text("决定书编号,执行案号,措施种类,决定时间,人数\nM1,(2025)鄂0505执1号,限高,2025-03-01,2\n"
                 "M2,(2025)鄂0505执1号,拘留,2025-03-02,\nM3,(2025)鄂0505执1号,失信被执行人,20250303,1\n",
                 encoding="utf-8")
    import_files(engine, [m], "本院")
    stored = rows_of(engine, measures)
    assert {k: (v["measure_type"], v["persons"]) for k, v in stored.items()} == {
        "M1": ("限制消费", 2), "M2": ("司法拘留", 1), "M3": ("纳入失信", 1)}


def test_file_matching_no_table_or_two_tables_names_the_headers(engine, tmp_path):
    none = tmp_path / "导出.csv"
    none.write_text("姓名,电话,地址\n张三,1,x\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [none], "本院")
    assert "没有一个工作表能识别" in info.value.report.errors[0].reason
    two = tmp_path / "导出2.csv"
    two.write_text("案号,立案日期,措施编号,措施类型,决定日期\nx,2025-01-01,m,罚款,2025-01-01\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [two], "本院")
    reason = info.value.report.errors[0].reason
    assert "同时符合" in reason and "执行案件" in reason and "强制措施" in reason and "措施编号" in reason


@pytest.mark.parametrize("text", ["案号,立案日期\n", "案号,立案日期\n合计,\n", "", "\n\n"])
def test_header_only_or_empty_files_say_so(engine, tmp_path, text):
    path = tmp_path / "执行案件.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [path], "本院")
    reason = info.value.report.errors[0].reason
    assert "没有可导入的数据行" in reason or "文件为空" in reason or "没有表头" in reason, reason


def test_duplicate_headers_for_one_column_are_an_error(engine, tmp_path):
    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期,立案时间\n(2025)鄂0505执1号,2025-01-01,2025-01-02\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [path], "本院")
    assert "表头重复" in info.value.report.errors[0].reason


def test_a_mapping_file_maps_headers_units_and_values(engine, tmp_path):
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        "headers:\n  cases:\n    执行字号: case_no\n    收案时间: filing_date\n    办案庭室: team\n    备注: ignore\n"
        "units:\n  cases:\n    申请标的额: 万元\nvalues:\n  closing_method:\n    终本结案: 终结本次执行程序\n",
        encoding="utf-8")
    mapping = load_mapping(mapping_file)
    path = tmp_path / "data.csv"
    path.write_text("执行字号,收案时间,办案庭室,申请标的额,结案时间,结案方式,备注\n"
                    "(2025)鄂0505执1号,2025-01-01,一庭,2,2025-06-01,终本结案,无\n", encoding="utf-8")
    import_files(engine, [path], "本院", mapping=mapping)
    row = rows_of(engine, cases)["(2025)鄂0505执1号"]
    assert row["team"] == "一庭" and row["applied_amount"] == Decimal("20000.00")
    assert row["closing_method"] == "终结本次执行程序"
    # saved and read back unchanged
    again = load_mapping(save_mapping(mapping, tmp_path / "copy.yaml"))
    assert again.headers == mapping.headers and again.units == mapping.units and again.values == mapping.values


def test_mapping_can_allow_future_and_early_dates(tmp_path):
    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期\n(1998)鄂0505执1号,1998-01-01\n(2099)鄂0505执1号,2099-01-01\n", encoding="utf-8")
    assert len(validate_files([path], "本院").errors) == 2
    allowed = Mapping(earliest=dt.date(1990, 1, 1), allow_future=True)
    assert validate_files([path], "本院", mapping=allowed).errors == []


@pytest.mark.parametrize("text, where", [
    ("headers: {cases: {a: nosuch}}", "headers.cases.a"),
    ("headers: {people: {}}", "headers.people"),
    ("units: {cases: {标的: 千克}}", "units.cases.标的"),
    ("dates: {allow_future: maybe}", "dates.allow_future"),
    ("a: &x [1]\nb: *x\n", "别名"),
])
def test_a_bad_mapping_names_the_key(tmp_path, text, where):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert where in str(info.value)


def test_dry_run_writes_nothing(engine, tmp_path):
    path = court_export(tmp_path / "x.xlsx")
    before, version = dump(engine), data_version(engine)
    report = import_files(engine, [path], "本院", dry_run=True)
    assert report.rows_read() == {"cases": 3} and dump(engine) == before and data_version(engine) == version


def test_the_sample_database_refuses_imports(engine, tmp_path):
    from metrics.engine.schema import dataset_info

    with engine.begin() as conn:
        conn.execute(dataset_info.insert(), [{"key": "source", "value": "sample"}])
    with pytest.raises(ImportRefused) as info:
        import_files(engine, [court_export(tmp_path / "x.xlsx")], "本院")
    assert "DATABASE_URL" in str(info.value) and "database.url" in str(info.value)
    assert rows_of(engine, cases) == {}


def test_history_and_undo_restore_the_exact_previous_state(engine, tmp_path):
    first = tmp_path / "执行案件.csv"
    first.write_text("案号,立案日期,申请执行标的金额(元),执行团队\n(2025)鄂0505执1号,2025-01-01,100.10,一队\n"
                     "(2025)鄂0505执2号,2025-01-02,200,二队\n", encoding="utf-8")
    import_files(engine, [first], "本院", user="clerk")
    after_first, version_first = dump(engine), data_version(engine)
    second = tmp_path / "cases2.csv"
    second.write_text("案号,立案日期,申请执行标的金额(元),执行团队,结案日期,结案方式\n"
                      "(2025)鄂0505执1号,2025-01-01,100.10,一队,,\n"  # unchanged
                      "(2025)鄂0505执2号,2025-01-02,250,三队,2025-05-01,执行完毕\n"  # updated
                      "(2025)鄂0505执3号,2025-01-03,0,一队,,\n", encoding="utf-8")  # inserted
    report = import_files(engine, [second], "本院", user="clerk")
    assert (report.inserted, report.updated, report.unchanged) == ({"cases": 1}, {"cases": 1}, {"cases": 1})
    batches = list_batches(engine)
    assert [b.batch_id for b in batches] == [report.batch_id, report.batch_id - 1]
    newest = batches[0]
    assert newest.counts == {"cases": {"inserted": 1, "updated": 1, "unchanged": 1}} and newest.user_name == "clerk"
    assert newest.files[0]["name"] == "cases2.csv" and len(newest.files[0]["sha256"]) == 64
    undone = undo_latest(engine)
    assert undone.batch_id == report.batch_id
    assert dump(engine) == after_first and data_version(engine) != version_first
    assert [b.status for b in list_batches(engine)] == ["undone", "imported"]
    undo_latest(engine)
    assert all(not rows for rows in dump(engine).values())
    with pytest.raises(UndoError):
        undo_latest(engine)


def test_a_failed_write_is_rolled_back_without_row_data(engine, tmp_path, monkeypatch):
    from metrics.ingest import batches

    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期,被执行人\n(2025)鄂0505执1号,2025-01-01,张秘密\n", encoding="utf-8")

    def broken(conn, **kwargs):
        conn.execute(select(cases.c.nosuch))  # fails inside the transaction, after the rows were written

    monkeypatch.setattr(batches, "record_batch", broken)
    monkeypatch.setattr("metrics.ingest.batches.record_batch", broken)
    with pytest.raises((ImportRejected, AttributeError)) as info:
        import_files(engine, [path], "本院")
    assert "张秘密" not in str(info.value)
    assert rows_of(engine, cases) == {}


# ---- pieces ----------------------------------------------------------------------------------------------------

def test_header_names_are_compared_after_nfkc_without_spaces_and_units():
    assert header_key("申请执行标的额（万元）") == ("申请执行标的额", "万元")
    assert header_key(" 评 估 价 (元)") == ("评估价", "元")
    assert header_key("案号（执行）") == ("案号(执行)", None)


def test_header_row_found_below_titles_and_footer_words():
    rows = [(1, ["执行案件统计表"]), (2, ["单位：万元"]), (4, ["序号", "案号", "立案日期"]),
            (5, [1, "x", "2025-01-01"])]
    header = find_header(rows, {"案号", "立案日期"})
    assert header.row == 4 and header.rows_used == 1 and header.title_rows == ["执行案件统计表", "单位：万元"]
    assert is_footer(["合计", None, 3]) and is_footer([None, "制表人：张三"]) and not is_footer(["(2025)合计1号"])


@pytest.mark.parametrize("text", ["2025-03-05", "2025/3/5", "2025.3.5", "20250305", "2025年3月5日",
                                  "2025-03-05 10:00:00", "2025/3/5 9:05", 45721, 45721.0, "45721",
                                  dt.datetime(2025, 3, 5, 23, 59), dt.date(2025, 3, 5)])
def test_every_date_form(text):
    assert parse_date(text, DateRule(latest=dt.date(2026, 1, 1))) == dt.date(2025, 3, 5)


@pytest.mark.parametrize("value, multiplier, expected", [
    ("1,234.56", 1, "1234.56"), ("¥1,234", 1, "1234.00"), ("1234元", 1, "1234.00"), ("１２３４", 1, "1234.00"),
    (1234.56, 1, "1234.56"), (0.1 + 0.2, 1, "0.30"), ("1.5", 10_000, "15000.00"), (0.123456, 10_000, "1234.56"),
])
def test_money_forms(value, multiplier, expected):
    assert parse_money(value, multiplier) == Decimal(expected)


@pytest.mark.parametrize("value", ["1,2345", "-5", "12.3万", "NaN", "1e3", "", "1.2.3"])
def test_money_that_does_not_parse(value):
    with pytest.raises(ValueProblem):
        parse_money(value)


def test_ints_and_text_limits():
    assert parse_int("30天", "due_days") == 30 and parse_int(2.0, "persons") == 2
    with pytest.raises(ValueProblem):
        parse_int(100000, "suspended_days")
    with pytest.raises(ValueProblem):
        parse_int("1.5", "persons")
    assert parse_text(" 一队\u200b ", 10) == "一队"
    with pytest.raises(ValueProblem):
        parse_text("x" * 11, 10)


# ---- the same court export in every "Excel" a court system writes ---------------------------------------------

CASE_ROWS = [("（2025）鄂0505执11号", "2025-03-05", "1.5", "0.5", "执行一团队"),
             ("（2025）鄂0505执12号", "2025-03-06", "2", "", "执行二团队")]


def html_xls(path: Path) -> Path:
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in CASE_ROWS)
    path.write_bytes(("<html><head><meta charset=gbk></head><body><table>"
                      "<tr><td colspan=5>执行案件明细表</td></tr>"
                      "<tr><th rowspan=2>案号</th><th rowspan=2>立案日期</th><th colspan=2>标的（万元）</th>"
                      "<th rowspan=2>承办部门</th></tr><tr><th>申请执行标的额</th><th>到位金额</th></tr>"
                      + cells + "<tr><td>合计</td><td></td><td>3.5</td><td>0.5</td><td></td></tr></table></body></html>"
                      ).encode("gbk"))
    return path


def xml2003_xls(path: Path) -> Path:
    def cell(v, extra=""):
        return f'<Cell{extra}><Data ss:Type="String">{v}</Data></Cell>' if v else "<Cell/>"
    rows = "".join("<Row>" + "".join(cell(v) for v in r) + "</Row>" for r in CASE_ROWS)
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="执行案件"><Table>'
        "<Row>" + cell("执行案件明细表") + "</Row>"
        "<Row>" + cell("案号", ' ss:MergeDown="1"') + cell("立案日期", ' ss:MergeDown="1"')
        + cell("标的（万元）", ' ss:MergeAcross="1"') + cell("承办部门", ' ss:MergeDown="1"') + "</Row>"
        '<Row><Cell ss:Index="3"><Data ss:Type="String">申请执行标的额</Data></Cell>' + cell("到位金额") + "</Row>"
        + rows + "<Row>" + cell("合计") + "</Row></Table></Worksheet></Workbook>", encoding="utf-8")
    return path


def biff8_xls(path: Path) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("执行案件")
    sheet.write(0, 0, "执行案件明细表")
    sheet.write_merge(1, 2, 0, 0, "案号")
    sheet.write_merge(1, 2, 1, 1, "立案日期")
    sheet.write_merge(1, 1, 2, 3, "标的（万元）")
    sheet.write_merge(1, 2, 4, 4, "承办部门")
    sheet.write(2, 2, "申请执行标的额")
    sheet.write(2, 3, "到位金额")
    for r, row in enumerate(CASE_ROWS, start=3):
        for c, v in enumerate(row):
            if v:
                sheet.write(r, c, float(v) if c in (2, 3) else v)
    sheet.write(5, 0, "合计")
    book.save(str(path))
    return path


@pytest.mark.parametrize("maker", [html_xls, xml2003_xls, biff8_xls], ids=["html-as-xls", "xml-as-xls", "biff8-xls"])
def test_every_kind_of_xls_goes_in(engine, tmp_path, maker):
    path = maker(tmp_path / "导出数据_20260601.xls")
    report = import_files(engine, [path], "本院")
    (plan,) = [p for p in report.plans if p.table]
    assert plan.table == "cases" and plan.footers and plan.rows == 2
    stored = rows_of(engine, cases)
    assert stored["(2025)鄂0505执11号"]["applied_amount"] == Decimal("15000.00")
    assert stored["(2025)鄂0505执11号"]["recovered_amount"] == Decimal("5000.00")
    assert stored["(2025)鄂0505执12号"]["applied_amount"] == Decimal("20000.00")
    assert stored["(2025)鄂0505执12号"]["filing_date"] == dt.date(2025, 3, 6)
    assert stored["(2025)鄂0505执12号"]["team"] == "执行二团队"


def test_progress_rises_to_one(tmp_path):
    seen = []
    validate_files([court_export(tmp_path / "a.xlsx"), court_export(tmp_path / "b.xlsx")], "本院",
                   progress=lambda f, msg: seen.append(f))
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_a_blank_court_follows_the_case_number_code_when_several_courts_are_configured(engine, tmp_path):
    from metrics.courts import Court

    path = tmp_path / "执行案件.csv"
    path.write_text("案号,立案日期,执行法院\n(2025)鄂0502执1号,2025-01-01,\n(2025)鄂0505执2号,2025-01-01,\n"
                    "(2025)鄂0599执3号,2025-01-01,\n(2025)鄂0502执4号,2025-01-01,宜昌市猇亭区人民法院\n",
                    encoding="utf-8")
    courts = (Court("宜昌市西陵区人民法院", "鄂0502", "西陵"), Court("宜昌市猇亭区人民法院", "鄂0505", "猇亭"))
    import_files(engine, [path], "宜昌市中级人民法院", courts=courts)
    stored = {k: v["court"] for k, v in rows_of(engine, cases).items()}
    assert stored == {"(2025)鄂0502执1号": "宜昌市西陵区人民法院", "(2025)鄂0505执2号": "宜昌市猇亭区人民法院",
                      "(2025)鄂0599执3号": "宜昌市中级人民法院", "(2025)鄂0502执4号": "宜昌市猇亭区人民法院"}
