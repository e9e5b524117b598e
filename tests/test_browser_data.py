"""Browser test of 数据管理 on a court's own (empty) database: a court export uploaded, understood and imported,
at 1920×1080 and 1024×768; screenshots in artifacts/screenshots/ (data_*.png) for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from metrics.config import ROOT
from metrics.engine.schema import cases
from tests.test_browser import CHROMIUM, SHOTS, SIZES, browser, open_page, settle, start_streamlit  # noqa: F401
from tests.test_ingest import court_export

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def court(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("court")
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("url: sqlite:///data/sample.db", f"url: sqlite:///{folder / 'court.db'}")
    text = text.replace("sample: true", "sample: false").replace("mapping: mapping.yaml",
                                                                 f"mapping: {folder / 'mapping.yaml'}")
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    court_export(folder / "执行案件明细表.xlsx")
    return folder


@pytest.fixture(scope="module")
def court_server(court):
    yield from start_streamlit({"DASHBOARD_CONFIG": str(court / "config.yaml"), "DATABASE_URL": ""})


def test_a_clerk_imports_a_court_export_in_the_browser(court_server, court, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n, (width, height) in enumerate(SIZES):
        page = open_page(browser, court_server + "/data", width, height)
        try:
            page.wait_for_selector(".page-title", timeout=60_000)
            assert "数据管理" in page.locator(".page-title").inner_text()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(court / "执行案件明细表.xlsx"))
            page.get_by_text("可导入 3 行").first.wait_for(timeout=60_000)
            settle(page)
            page.screenshot(path=str(SHOTS / f"data_{width}_preview.png"), full_page=True)
            page.get_by_role("button", name="校验").click()
            page.get_by_text("校验通过").first.wait_for(timeout=60_000)
            settle(page)
            page.screenshot(path=str(SHOTS / f"data_{width}_validated.png"), full_page=True)
            if n == 0:
                page.get_by_role("button", name="导入").click()
                page.get_by_text("导入完成").first.wait_for(timeout=60_000)
                settle(page)
                page.get_by_role("tab", name="导入记录").click()
                settle(page)
                page.screenshot(path=str(SHOTS / f"data_{width}_history.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            page.close()
    engine = create_engine(f"sqlite:///{court / 'court.db'}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar() == 3
