"""Browser test of 法院对比 on the multi-court sample: both sizes, normal and 投影模式, screenshots to look at."""

from __future__ import annotations

import pytest

from metrics.__main__ import main as cli
from metrics.config import ROOT
from tests.test_browser import SHOTS, SIZES, browser, open_page, pytestmark, start_streamlit  # noqa: F401

EXAMPLE = ROOT / "examples" / "config.yichang.yaml"


@pytest.fixture(scope="module")
def courts_server(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_courts") / "yichang.db"
    assert cli(["sample", "--out", str(out), "--courts", "yichang", "--scale", "0.1"]) == 0
    yield from start_streamlit({"DATABASE_URL": f"sqlite:///{out}", "DASHBOARD_CONFIG": str(EXAMPLE)})


def test_courts_page_in_both_sizes_and_modes(courts_server, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for mode, query in (("normal", ""), ("projector", "?projector=true")):
        for width, height in SIZES:
            page = open_page(browser, courts_server + "/courts" + query, width, height)
            try:
                # A loaded machine may still be on the first run: wait for the frame's heading itself.
                page.wait_for_selector(".page-head, .proj-head", timeout=120_000)
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
                assert page.locator('[data-testid="stException"]').count() == 0, f"{mode} {width}"
                text = page.inner_text("body")
                assert "法院对比" in text and "示例数据" in text and "Traceback" not in text
                if mode == "normal":
                    assert "宜昌市中级人民法院" in text and "交叉执行对账" in text
                    # The navigation lists the page, since the database holds 13 courts.
                    assert page.locator('[data-testid="stSidebar"] a', has_text="法院对比").count() == 1
                    # Small multiples and the heatmap are drawn.
                    page.wait_for_selector(".vega-embed", timeout=120_000)
                    assert page.locator(".vega-embed").count() == 2
                else:
                    page.wait_for_selector(".proj-head", timeout=60_000)
                    assert not page.locator('[data-testid="stSidebar"]').is_visible()
                page.screenshot(path=str(SHOTS / f"courts_{width}_{mode}.png"), full_page=True)
            finally:
                page.close()
