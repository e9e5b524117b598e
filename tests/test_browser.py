"""Browser tests: every page deep-linked on a freshly started server, in headless Chromium, both sizes and modes.

Screenshots go to artifacts/screenshots/ (PAGE_WIDTH_MODE.png) for people to look at.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from metrics.config import ROOT, load_config
from metrics.engine.db import build_sample
from metrics.engine.indicators import HEADLINE
from metrics.engine.schema import metadata
from metrics.engine.service import Dashboard
from metrics.present.format import format_number
from ui.frame import PAGES

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
SIZES = [(1920, 1080), (1024, 768)]
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


def _free_port() -> int:
    if os.environ.get("BROWSER_TEST_PORT"):  # a shared machine may assign each person a port
        return int(os.environ["BROWSER_TEST_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'sample.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    build_sample(engine, load_config())
    engine.dispose()
    return url


def start_streamlit(env: dict, port: int | None = None, args: tuple[str, ...] = ()):
    """A freshly started streamlit server (bound to 127.0.0.1, on `port` or a free one): yields its base URL."""
    import tempfile

    port = port or _free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a server that logs a lot must never block on a full pipe
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), *args],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            log.seek(0)
            pytest.fail("streamlit did not start: " + log.read().decode(errors="replace")[-2000:])
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(sample_url):
    """A freshly started streamlit server on a free port, on a sample database of its own."""
    yield from start_streamlit({"DATABASE_URL": sample_url})


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


# True once the page has been at rest for `quiet` ms: the script not running, no element of an older run left
# (data-stale) and no skeleton, the webfonts loaded, every chart drawn, and the charts' sizes unchanged (a chart
# redraws for the room it has after a resize). Waiting for rest instead of a fixed time is faster on a quiet machine
# and waits longer on a loaded one.
AT_REST = """([quiet, token]) => {
  if (window.__xtToken !== token) { window.__xtToken = token; window.__xtRest = null; }  // a new wait starts
  const app = document.querySelector('[data-testid="stApp"]');
  const charts = [...document.querySelectorAll('.vega-embed')];
  const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
    || document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
    || document.fonts.status !== 'loaded' || charts.some(c => !c.querySelector('canvas, svg'));
  const sizes = charts.map(c => { const r = (c.querySelector('canvas, svg') || c).getBoundingClientRect();
                                  return Math.round(r.width) + 'x' + Math.round(r.height); }).join(',');
  const now = performance.now();
  if (busy || window.__xtSizes !== sizes || window.__xtRest == null) {
    window.__xtSizes = sizes;
    window.__xtRest = busy ? null : now;
    return false;
  }
  return now - window.__xtRest >= quiet;
}"""


_WAITS = itertools.count()


def settle(page, quiet: int = 700, timeout: int = 90_000) -> None:
    """Wait until the page is at rest (AT_REST) for `quiet` ms. The quiet time also covers the moment after a click
    or a page load when no run has started yet ("notRunning" holds then too). The wait goes on in a page that
    navigates meanwhile (a sign-in reloads it)."""
    page.wait_for_function(AT_REST, arg=[quiet, next(_WAITS)], polling=100, timeout=timeout)


def open_page(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    # "notRunning" also holds before the first run has started on a busy machine: wait for the frame's header.
    page.wait_for_selector(".page-head, .proj-head", state="attached", timeout=90_000)
    settle(page)
    return page


def _slug(path: str) -> str:
    return "overview" if path == "app.py" else Path(path).stem


@pytest.fixture(scope="module", autouse=True)
def clean_shots():
    # Not emptied: under pytest-xdist another worker may already have written its screenshots (projector/, access_…)
    # here; each file is overwritten by name.
    SHOTS.mkdir(parents=True, exist_ok=True)


# 投影模式 of these pages is opened, slide by slide and at both sizes, by tests/test_projector_fit.py. 用户管理 and
# 审计日志 are an administrator's desk pages, never projected; 法院对比 needs several courts (its slides are walked on
# the multi-court sample there).
SLIDE_PAGES = [p for p, _ in PAGES if p not in ("pages/users.py", "pages/audit.py", "pages/courts.py")]


@pytest.mark.parametrize("path, label", PAGES, ids=[_slug(p) for p, _ in PAGES])
def test_every_page_deep_links_in_both_sizes_and_modes(server, browser, path, label):
    """Each page opened by its address at 1920×1080, checked, then the window resized to 1024×768 and checked
    again (the layout is CSS: no second load needed); 投影模式 likewise for the pages the slide walk skips."""
    slug = _slug(path)
    route = "/" if path == "app.py" else f"/{slug}"
    modes = [("normal", "")] + ([] if path in SLIDE_PAGES else [("projector", "?projector=true")])
    for mode, query in modes:
        width, height = SIZES[0]
        page = open_page(browser, server + route + query, width, height)
        try:
            assert page.locator('[data-testid="stException"]').count() == 0, f"{slug} {mode}"
            text = page.inner_text("body")
            assert label in text, f"the shared frame did not render {label}"
            assert "示例数据" in text
            assert "Traceback" not in text
            # The bundled webfont is what draws the Chinese (the machine has no Chinese fonts of its own).
            assert page.evaluate("document.fonts.check('16px \"Noto Sans SC\"', '执行')")
            if mode == "projector":
                # Wait for the projector frame itself: a loaded machine may still be on the first rerun.
                page.wait_for_selector(".proj-head", timeout=60_000)
                settle(page, 300)
                assert not page.locator('[data-testid="stSidebar"]').is_visible()
            for n, (width, height) in enumerate(SIZES):
                if n:
                    page.set_viewport_size({"width": width, "height": height})
                    settle(page, 400)  # charts redraw for the new room
                page.screenshot(path=str(SHOTS / f"{slug}_{width}_{mode}.png"), full_page=True)
        finally:
            page.close()


def test_metrics_endpoint_is_closed_and_health_open(server):
    """D11: Streamlit's counters are not served (serve.py's middleware); the health check and the pages are."""
    import urllib.error
    import urllib.request

    for path in ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore/metrics?families=session_events"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server + path, timeout=30)
        assert err.value.code == 404, path
    assert urllib.request.urlopen(server + "/_stcore/health", timeout=30).status == 200
    assert urllib.request.urlopen(server + "/phases", timeout=30).status == 200


def test_overview_kpis_equal_the_engine(server, browser, sample_url):
    config = load_config(env={"DATABASE_URL": sample_url})
    board = Dashboard(create_engine(sample_url), config)
    as_of = board.default_as_of()
    phase = config.default_phase
    values = board.phase_results(as_of)[phase].values
    page = open_page(browser, server + "/", 1920, 1080)
    try:
        for key in HEADLINE:
            shown = page.locator(f".kpi[data-indicator='{key}'] .kpi-value").first.inner_text().strip()
            assert shown.startswith(format_number(key, values[key].value)), (key, shown)
    finally:
        page.close()


def test_filter_in_url_changes_the_numbers(server, browser, sample_url):
    page = open_page(browser, server + "/?team=快执团队", 1920, 1080)
    try:
        filtered = page.locator(".kpi[data-indicator='completion_rate'] .kpi-value").first.inner_text()
        assert "快执团队" in page.inner_text("body")
    finally:
        page.close()
    page = open_page(browser, server + "/", 1920, 1080)
    try:
        everything = page.locator(".kpi[data-indicator='completion_rate'] .kpi-value").first.inner_text()
    finally:
        page.close()
    assert filtered != everything


def test_filters_follow_the_navigation(server, browser):
    """A filter set on one page is still in force (and in the URL) after clicking to another page."""
    page = open_page(browser, server + "/?team=快执团队&tag=涉企", 1920, 1080)
    try:
        page.locator('[data-testid="stSidebar"] a', has_text="阶段对比").first.click()
        # Streamlit switches pages without a reload; the frame puts the filters back into the address bar.
        try:
            page.wait_for_function("location.pathname.endsWith('/phases') && location.search.includes('team=')"
                                   " && location.search.includes('tag=')", timeout=90_000)
        except Exception:
            page.screenshot(path=str(SHOTS / "filters_follow_FAILED.png"), full_page=True)
            raise AssertionError(f"address after the page switch: {page.url}") from None
        settle(page)
        meta = page.locator(".page-meta").inner_text()
        assert "快执团队" in meta and "涉企" in meta
    finally:
        page.close()
