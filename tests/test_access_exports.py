"""Masking swept over every export the app offers (issue 10, item 4): every download button of every page — CSV and
XLSX of each table (督办清单, 案件明细 of every indicator, 数据检查 of every check, 审计日志 …), chart PNG/SVG/PDF, the
DOCX report and the PPTX deck, the import check's XLSX — is produced for accounts that must see masked names, on a
database with known debtor names, and no name appears in clear anywhere: CSV text, the XML inside XLSX/DOCX/PPTX,
SVG, and the text pdftotext gets out of PDF. On SQLite and every database in TEST_DATABASE_URLS.

The download buttons are caught by wrapping Streamlit's download_button for the test run, so a page that adds a new
export is swept without changing this test.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
import streamlit
from sqlalchemy import select
from streamlit.elements.widgets.button import ButtonMixin

from metrics.config import load_config
from metrics.engine.indicators import INDICATORS
from metrics.engine.schema import audit_log
from metrics.engine.watch import list_specs
from metrics.ingest.quality import CHECKS
from tests.access_fixtures import seed, write_config
from tests.conftest import insert
from tests.test_access_app import DENIED, errors, signed_in, visit
from ui.frame import PAGES

# The debtors of the database in clear, and pieces of them (a name split over two XML runs still shows a piece).
NAMES = ("张伟明", "伟明", "宜昌某某建材有限公司", "某某建材", "李四海", "四海", "赵六顺", "六顺", "王五福", "五福")
MASKED = ("张**", "宜昌****有限公司", "李**", "王**")  # what must be there instead (so the sweep really saw the data)


@pytest.fixture
def court(tmp_path, monkeypatch, engine):
    seed(engine)
    insert(engine, "auctions", [  # one lot naming a person, behind a data check (案号 not among the cases)
        {"auction_id": "a9", "case_no": "no-such-case", "lot_name": "被执行人李四海名下轿车", "asset_type": "车辆",
         "round": "一拍", "appraisal_price": 100, "start_price": 50, "end_date": "2025-03-22", "result": "流拍"}])
    # open for 177 days at the 统计日 (2025-03-22, the last date in the data), a 涉企 case: on the 督办清单
    insert(engine, "cases", [
        {"case_no": "c9", "filing_date": "2024-09-26", "team": "一队", "handler": "甲", "debtor_name": "王五福",
         "tags": "涉企", "applied_amount": 300}])
    monkeypatch.setenv("DASHBOARD_CONFIG", str(write_config(tmp_path, engine)))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


@pytest.fixture
def downloads(monkeypatch, engine):
    """Every download button drawn while the test runs: {file name: bytes} (a deferred `data` callable is called,
    as a click would).

    Two kinds of deferred file are not made, only counted (None): a chart's PNG, which holds no text the sweep
    could read (its SVG sibling, the same drawing, is swept as text), and, on databases other than SQLite, every
    chart file: a chart carries aggregates and labels, no debtor name, and is drawn by the same code from the same
    frame whatever the database (the lists, tables, report and deck are still made and swept on every database)."""
    caught: dict[str, bytes | None] = {}
    original = ButtonMixin.download_button
    skipped = ("png",) if engine.dialect.name == "sqlite" else ("png", "svg", "pdf")

    def catching(self, label, data, file_name=None, *args, **kwargs):
        if callable(data) and (file_name or label).rsplit(".", 1)[-1].lower() in skipped:
            caught[file_name or label] = None
            return original(self, label, data, file_name, *args, **kwargs)
        content = data() if callable(data) else data
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif not isinstance(content, bytes):
            content = content.read()
        caught[file_name or label] = content
        return original(self, label, content, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", catching)
    monkeypatch.setattr(streamlit, "download_button",
                        lambda *args, **kwargs: catching(streamlit._main, *args, **kwargs))
    return caught


def text_of(name: str, content: bytes) -> str:
    """Everything readable in one exported file."""
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix in ("xlsx", "docx", "pptx"):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist()
                     if n.endswith((".xml", ".rels", ".txt", ".csv", ".svg"))]
            # a chart or sheet embedded in the document is swept too
            parts += [text_of(n, z.read(n)) for n in z.namelist() if n.endswith((".xlsx", ".docx", ".pptx"))]
        return "\n".join(parts)
    if suffix == "pdf":
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True,
                              check=True, timeout=60)
        return done.stdout.decode("utf-8", "replace")
    if suffix in ("csv", "svg", "txt", "json"):
        return content.decode("utf-8-sig", "replace")
    if suffix == "png":
        assert content.startswith(b"\x89PNG"), name  # a raster of the SVG sibling, which is swept as text
        return ""
    raise AssertionError(f"an export the sweep cannot read: {name}")


def assert_masked(files: dict[str, bytes]) -> str:
    """No name in clear in any file; returns all their text."""
    everything = []
    for name, content in files.items():
        text = "" if content is None else text_of(name, content)
        leaked = [n for n in NAMES if n in text or n in name]
        assert not leaked, (name, leaked)
        everything.append(text)
    return "\n".join(everything)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_every_export_of_a_leader_is_masked(court, downloads):
    """院领导 (no unmask right): every page, every indicator's list, every data check, the report and the deck."""
    at = signed_in("leader1")
    for path, label in PAGES:
        at = visit(at, path)
        if path in ("pages/data.py", "pages/users.py", "pages/audit.py"):
            assert DENIED in errors(at), label
    for key in INDICATORS:
        at = visit(at, "pages/cases.py", ind=key, win="p1")
    for check in CHECKS:
        at = visit(at, "pages/cases.py", dq=check.key)
    for key in list_specs(load_config()):
        at = visit(at, "pages/watch.py", list=key)
    at = visit(at, "pages/export.py")
    for kind in ("docx", "pptx"):
        at.button(key=f"make_{kind}").click().run()
        assert not at.exception and not at.error, (kind, errors(at))
    kinds = {name.rsplit(".", 1)[-1] for name in downloads}
    assert {"csv", "xlsx", "png", "svg", "pdf", "docx", "pptx"} <= kinds, kinds
    assert any(name.startswith("数据检查_") for name in downloads)
    assert any(name.startswith("案件明细_") for name in downloads)
    watch = {n: c for n, c in downloads.items() if n.startswith("督办清单_")}
    assert "王**" in assert_masked(watch), sorted(downloads)  # the case is on a 督办清单, masked
    text = assert_masked(downloads)
    for masked in MASKED:
        assert masked in text, masked  # the debtors were in the exports, masked
    assert "猇亭" in text  # the Chinese of the report and the deck was read
    pdfs = {n: c for n, c in downloads.items() if n.endswith(".pdf") and c is not None}
    assert bool(pdfs) == (court.dialect.name == "sqlite"), sorted(pdfs)  # chart files are made on SQLite only
    if pdfs:  # pdftotext did read the Chinese of the PDFs (else the PDF check would prove nothing)
        assert "执行到位率" in assert_masked(pdfs)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_clerk_and_admin_exports_are_masked(court, downloads):
    """办公室: the aggregates' exports, the report, and 数据管理 (a file with debtor names: the preview and the check's
    XLSX); 管理员: the audit log's export after all of that was logged."""
    at = signed_in("clerk1")
    for path, _ in PAGES:
        at = visit(at, path)
    at = visit(at, "pages/data.py")
    upload = ("案号,立案日期,被执行人,执行团队\n"
              "(2025)鄂0505执9号,2025-02-30,赵六顺,一队\n"  # a bad date: the check reports row 2
              "(2025)鄂0505执8号,2025-02-03,宜昌某某建材有限公司,一队\n")
    auctions = ("拍卖编号,案号,标的物名称,起拍价,结束日期,拍卖结果\n"
                "p9,(2025)鄂0505执8号,被执行人赵六顺名下住宅,100,2025-03-01,流拍\n")
    at.file_uploader(key="data_upload").set_value([
        ("执行案件.csv", upload.encode("utf-8"), "text/csv"),
        ("网络司法拍卖.csv", auctions.encode("utf-8"), "text/csv")]).run()
    at.button(key="data_check").click().run()
    assert not at.exception, at.exception
    shown = "\n".join(df.value.to_csv() for df in at.dataframe)
    leaked = [n for n in NAMES if n in shown]
    assert not leaked, leaked  # the preview of the uploaded rows, on screen
    assert "赵**" in shown
    assert "导入校验结果.xlsx" in downloads
    with court.connect() as conn:  # that download is audited like every other (one error, row 2's date)
        exported = [(r.username, r.target, r.row_count) for r in conn.execute(
            select(audit_log).where(audit_log.c.action == "export"))]
    assert ("clerk1", "导入校验结果.xlsx", 1) in exported, exported
    at = signed_in("admin1", "pages/audit.py")
    assert "审计日志__.xlsx" in downloads or any(n.startswith("审计日志") for n in downloads)
    assert_masked(downloads)
