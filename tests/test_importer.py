"""Import: case type from 案号, row-level rejection with nothing written, warnings, idempotent upserts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from metrics.engine.schema import auctions, cases, measures
from metrics.ingest.importer import ImportRejected, case_type_from_number, import_files, normalize_case_no

HEADER = ("案号,案件类型,立案日期,结案日期,结案方式,结案情形,申请执行标的金额(元),执行到位金额(元),"
          "交叉执行角色,案件标签\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("case_no, expected", [
    ("(2025)鄂0505执123号", "首次执行"),
    ("（2025）鄂0505执123号", "首次执行"),
    ("(2025)鄂0505执恢7号", "恢复执行"),
    ("（2024）鄂0505执保12号", "财产保全"),
    ("(2024)鄂0505执异3号", "执行异议"),
    ("(2024)鄂0505执复3号", "其他"),
    ("鄂0505执3号", None),
])
def test_case_type_from_case_number(case_no, expected):
    assert case_type_from_number(case_no) == expected


def test_full_width_parentheses_are_normalised():
    assert normalize_case_no("（2025）鄂0505执 45号") == "(2025)鄂0505执45号"


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


GOOD = HEADER + (
    "(2025)鄂0505执1号,,2025-01-02,2025-03-01,执行完毕,,10000,10000,,\"涉企,涉民生\"\n"
    "（2025）鄂0505执恢2号,,2025-01-03,,,,0,0,承接,\n"
    "(2025)鄂0505执3号,首次执行,2025-01-04,2025-01-20,终结本次执行程序,,5000.5,0,,\n"
)


def test_import_derives_types_and_warns(engine, tmp_path):
    report = import_files(engine, [write(tmp_path, "执行案件.csv", GOOD)], "本院")
    assert report.inserted["cases"] == 3
    with engine.connect() as conn:
        rows = {r.case_no: r for r in conn.execute(select(cases))}
    assert rows["(2025)鄂0505执1号"].case_type == "首次执行"
    assert rows["(2025)鄂0505执恢2号"].case_type == "恢复执行"  # full-width parentheses stored half-width
    assert rows["(2025)鄂0505执1号"].court == "本院"
    reasons = [p.reason for p in report.warnings]
    assert any("终本" in r and "3个月" in r for r in reasons)  # 终本 16 days after filing


def test_reimport_changes_nothing(engine, tmp_path):
    path = write(tmp_path, "cases.csv", GOOD)
    import_files(engine, [path], "本院")
    with engine.connect() as conn:
        before = sorted(tuple(r) for r in conn.execute(select(cases)))
    report = import_files(engine, [path], "本院")
    assert report.inserted["cases"] == 0 and report.updated["cases"] == 0 and report.unchanged["cases"] == 3
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(cases))) == before


BAD_ROWS = {
    "date": ("(2025)鄂0505执9号,,2025-13-01,,,,0,0,,", "立案日期"),
    "number": ("(2025)鄂0505执9号,,2025-01-01,,,,十万,0,,", "申请执行标的金额(元)"),
    "negative": ("(2025)鄂0505执9号,,2025-01-01,,,,-5,0,,", "申请执行标的金额(元)"),
    "missing filing": ("(2025)鄂0505执9号,,,,,,0,0,,", "立案日期"),
    "closing before filing": ("(2025)鄂0505执9号,,2025-02-01,2025-01-01,执行完毕,,0,0,,", "结案日期"),
    "closed without method": ("(2025)鄂0505执9号,,2025-01-01,2025-02-01,,,0,0,,", "结案方式"),
    "duplicate key": ("（2025）鄂0505执1号,,2025-01-01,,,,0,0,,", "案号"),
}


@pytest.mark.parametrize("kind", BAD_ROWS)
def test_one_bad_row_rejects_everything(engine, tmp_path, kind):
    import_files(engine, [write(tmp_path, "执行案件.csv", GOOD)], "本院")
    with engine.connect() as conn:
        before = sorted(tuple(r) for r in conn.execute(select(cases)))
    line, column = BAD_ROWS[kind]
    changed = GOOD.replace("10000,10000", "20000,20000")  # a valid change that must not be written either
    bad = write(tmp_path, "cases.csv", changed + line + "\n")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [bad], "本院")
    problems = info.value.report.errors
    assert len(problems) == 1
    assert problems[0].row == 5 and problems[0].column == column and problems[0].file == "cases.csv"
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(cases))) == before


def test_bad_file_in_a_run_rejects_the_other_files_too(engine, tmp_path):
    good = write(tmp_path, "执行案件.csv", GOOD)
    bad = write(tmp_path, "强制措施.csv", "措施编号,案号,措施类型,决定日期,金额(元),人次\n"
                                         "m1,(2025)鄂0505执1号,拘传,2025-02-01,,0\n")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [good, bad], "本院")
    assert info.value.report.errors[0].column == "人次"
    assert count(engine, cases) == 0 and count(engine, measures) == 0


def test_deal_without_price_is_rejected(engine, tmp_path):
    bad = write(tmp_path, "网络司法拍卖.csv", "拍卖编号,案号,起拍价(元),结束日期,拍卖结果,成交价(元)\n"
                                            "a1,x,1000,2025-01-01,成交,\n")
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [bad], "本院")
    assert info.value.report.errors[0].column == "成交价(元)"
    assert count(engine, auctions) == 0


def test_unknown_table_is_an_error_and_unknown_columns_are_ignored_and_listed(engine, tmp_path):
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [write(tmp_path, "people.csv", "a,b\n1,2\n")], "本院")
    assert "没有一个工作表能识别为数据表" in info.value.report.errors[0].reason
    text = "案号,立案日期,颜色\n(2025)鄂0505执1号,2025-01-01,红\n"
    report = import_files(engine, [write(tmp_path, "cases.csv", text)], "本院")
    assert report.inserted["cases"] == 1
    (plan,) = report.plans
    assert [(c.original, c.target) for c in plan.header.columns] == [
        ("案号", "case_no"), ("立案日期", "filing_date"), ("颜色", None)]


def test_unusual_rows_are_accepted_with_warnings(engine, tmp_path):
    text = HEADER + (
        "(2024)鄂0505执1号,,2025-01-02,2025-03-01,执行完毕,,100,200,,\n"  # 案号 year ≠ filing year; 到位 > 标的
        "(2025)鄂0505执保2号,首次执行,2025-01-03,,,,0,0,,\n"  # type contradicts 案号
        "(2025)鄂0505执3号,,2025-01-03,2025-02-03,执行完毕,,0,0,交出,\n"  # 交出 not closed as a transfer
    )
    with pytest.raises(ImportRejected) as info:  # 到位 above 申请 in aggregate: a unit mix-up until confirmed
        import_files(engine, [write(tmp_path, "cases.csv", text)], "本院")
    assert "到位率将超过100%" in info.value.report.errors[0].reason and count(engine, cases) == 0
    report = import_files(engine, [write(tmp_path, "cases.csv", text)], "本院", accept_amounts=True)
    columns = sorted(p.column for p in report.warnings)
    assert columns == sorted(["执行到位金额(元)", "案号", "案件类型", "结案方式"])
    assert count(engine, cases) == 3


def test_xlsx_with_english_headers(engine, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["doc_no", "court", "effective_date", "has_payment", "doc_kind"])
    ws.append(["（2024）鄂0505民初1号", "本院", "2024-05-06", "是", "判决"])
    path = tmp_path / "judgments.xlsx"
    wb.save(path)
    report = import_files(engine, [path], "本院")
    assert report.inserted["judgments"] == 1


def test_gbk_csv_is_read(engine, tmp_path):
    path = tmp_path / "执行案件.csv"
    path.write_bytes(("案号,立案日期\n(2025)鄂0505执1号,2025-01-01\n").encode("gb18030"))
    assert import_files(engine, [path], "本院").inserted["cases"] == 1


def test_every_import_changes_the_data_version(engine, tmp_path):
    from metrics.engine.db import data_version

    before = data_version(engine)
    path = tmp_path / "强制措施.csv"
    path.write_text("措施编号,案号,措施类型,决定日期\nM1,(2025)鄂0505执1号,罚款,2025-03-01\n", encoding="utf-8")
    import_files(engine, [path], "测试法院")
    first = data_version(engine)
    import_files(engine, [path], "测试法院")
    assert before == "0" and first != before and data_version(engine) != first


def test_an_older_database_gains_new_optional_columns(engine):
    """A cases table made by an older version (here: without 被执行人) is upgraded in place, rows kept."""
    from sqlalchemy import Column, MetaData, Table, inspect

    from metrics.engine.db import ensure_schema

    old = MetaData()
    Table("cases", old, *[Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                          for c in cases.columns if c.name != "debtor_name"])
    with engine.begin() as conn:
        cases.drop(conn)
        old.create_all(conn)
        conn.execute(old.tables["cases"].insert(), [{
            "case_no": "(2025)鄂0505执1号", "court": "本院", "case_type": "首次执行",
            "filing_date": dt.date(2025, 1, 2), "applied_amount": 0, "recovered_amount": 0, "suspended_days": 0}])
    assert "debtor_name" not in {c["name"] for c in inspect(engine).get_columns("cases")}
    ensure_schema(engine)
    ensure_schema(engine)  # idempotent
    assert "debtor_name" in {c["name"] for c in inspect(engine).get_columns("cases")}
    assert count(engine, cases) == 1
