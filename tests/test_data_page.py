"""AppTest of 数据管理: upload → preview → fix a header → validate → import → history → undo, on an empty database;
the sample database refuses imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from metrics.config import ROOT
from metrics.engine.schema import cases
from metrics.ingest.mapping import load_mapping

TIMEOUT = 120
EXPORT = ("执行字号,立案日期,执行团队,申请执行标的金额(元),序号\n"
          "(2025)鄂0505执1号,2025-01-02,执行一团队,1000,1\n"
          "(2025)鄂0505执2号,2025/1/3,执行二团队,2000,2\n"
          "合计,,,3000,\n")


@pytest.fixture
def court(tmp_path: Path, monkeypatch, engine) -> Path:
    """A court's own (empty) database — SQLite and every test database — and mapping file, in a copy of config.yaml."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    text = text.replace("url: sqlite:///data/sample.db", f"url: '{url}'")
    text = text.replace("sample: true", "sample: false")
    text = text.replace("mapping: mapping.yaml", f"mapping: {tmp_path / 'mapping.yaml'}")
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def open_data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    return at.run()


def case_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar()


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def test_upload_fix_header_validate_import_and_undo(court: Path, engine):
    at = open_data_page()
    assert not at.exception, at.exception
    assert "还没有导入记录" in texts(at, "info")
    at.file_uploader(key="data_upload").set_value(("导出数据_20260601.csv", EXPORT.encode("gb18030"), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    # No 案号 column is recognised, so the table is unknown until the clerk says what 执行字号 is.
    at.selectbox(key="table_0").set_value("cases").run()
    at.selectbox(key="map_0_0").set_value("案号").run()
    at.button(key="save_map_0").click().run()
    assert not at.exception, at.exception
    mapping = load_mapping(court / "mapping.yaml")
    assert mapping.headers == {"cases": {"执行字号": "case_no"}}
    assert any("执行案件" in e.label and "可导入 2 行" in e.label for e in at.expander)
    assert at.button(key="data_import").disabled  # not validated yet
    at.button(key="data_check").click().run()
    assert "校验通过" in texts(at, "success")
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert "导入完成" in texts(at, "success") and case_count(engine) == 2
    history = next(df.value for df in at.dataframe if "编号" in df.value.columns)
    assert list(history["新增"]) == [2] and list(history["状态"]) == ["有效"]
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo").click().run()
    assert "已撤销第 1 次导入" in texts(at, "success") and case_count(engine) == 0


def test_validation_errors_are_listed_and_block_the_import(court: Path, engine):
    at = open_data_page()
    bad = "案号,立案日期\n(2025)鄂0505执1号,2025-02-30\n"
    at.file_uploader(key="data_upload").set_value(("执行案件.csv", bad.encode(), "text/csv")).run()
    at.button(key="data_check").click().run()
    assert "校验发现 1 处错误" in texts(at, "error")
    problems = next(df.value for df in at.dataframe if "原因" in df.value.columns)
    assert problems.iloc[0]["行"] == 2 and problems.iloc[0]["列"] == "立案日期"
    assert at.button(key="data_import").disabled and case_count(engine) == 0


def test_the_sample_database_refuses_imports_on_the_page():
    at = open_data_page()
    assert not at.exception, at.exception
    assert "DATABASE_URL" in texts(at, "warning") and "示例数据库" in texts(at, "warning")
    at.file_uploader(key="data_upload").set_value(("执行案件.csv", "案号,立案日期\n(2025)鄂0505执1号,2025-01-02\n"
                                                  .encode(), "text/csv")).run()
    at.button(key="data_check").click().run()
    assert at.button(key="data_import").disabled
