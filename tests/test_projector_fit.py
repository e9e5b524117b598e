"""Browser test: every slide of every page in 投影模式 fits 1024×768 and 1920×1080, and nothing covers 上一页/下一页.

For each page and each slide, at both sizes: the main content ends inside the viewport (no vertical scrolling),
nothing sticks out to the right (no column cut off), and document.elementFromPoint at the centre of 上一页 and
下一页 is the button itself (no toolbar or chart over it). Screenshots go to artifacts/screenshots/projector/.
Set PROJECTOR_BASE_URL to walk a server that is already running instead of starting one.
"""

from __future__ import annotations

import os

import pytest

from metrics.config import ROOT
from tests.test_browser import LAUNCH_ARGS, SIZES, SLIDE_PAGES, _slug, browser, sample_url, server, settle  # noqa: F401
from tests.test_browser_courts import courts_server  # noqa: F401

SHOTS = ROOT / "artifacts" / "screenshots" / "projector"
pytestmark = [pytest.mark.browser]

MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const vw = window.innerWidth, vh = window.innerHeight;
  let bottom = 0, right = 0, worst = '';
  // A long list (案件明细, 数据检查) scrolls inside its own box under the page controls: the box must fit, what
  // it holds may run on inside it.
  const SCROLL = '[class*="st-key-proj_scroll"]';
  for (const el of block.querySelectorAll('[data-testid="stElementContainer"], [data-testid="stHorizontalBlock"], '
                                          + SCROLL)) {
    if (el.parentElement && el.parentElement.closest(SCROLL)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (r.bottom > bottom) { bottom = r.bottom; worst = el.innerText.slice(0, 40); }
    right = Math.max(right, r.right);
  }
  // Wide content scrolls inside its own box (a table, a chart): that box's scrollWidth says it is cut off.
  let cut = '';
  for (const el of block.querySelectorAll('table, .vega-embed, [data-testid="stDataFrame"], .kpi-grid')) {
    const name = el.className || el.tagName;
    // A data grid reserves the width of its scrollbar (at most 16 px) beyond its client width: not a cut column.
    const slack = el.matches('[data-testid="stDataFrame"]') ? 16 : 2;
    if (el.scrollWidth > el.clientWidth + slack) { cut = name + ' ' + el.scrollWidth + '>' + el.clientWidth; }
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1) { cut = name + ' right ' + Math.round(r.right); }
  }
  const cover = {};
  for (const key of ['prev_slide', 'next_slide']) {
    const btn = document.querySelector('.st-key-' + key + ' button');
    if (!btn) { cover[key] = 'missing'; continue; }
    const r = btn.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const who = hit ? (hit.getAttribute('data-testid') || hit.className || hit.tagName) : 'none';
    cover[key] = hit && btn.contains(hit) ? 'ok' : who;
  }
  const count = (document.querySelector('.slide-count') || {}).innerText || '';
  return {vh, vw, bottom, right, worst, cut, cover, count,
          scroll: main ? main.scrollHeight - main.clientHeight : 0};
}"""


def walk(browser, base: str, path: str) -> list[dict]:  # noqa: F811
    """Every slide of the page, each measured at every size of SIZES: the slide is shown once and the window
    resized, as when a laptop is plugged into a projector, so a slide costs one run instead of one per size. The
    boxes measured here (slide height, right edge, the page buttons) are laid out by CSS and come out as in a fresh
    load at that size; a chart's inner margins do not (Vega keeps those of its first draw: a title can lose a few
    pixels at its top until the slide is drawn again), which this walk does not measure."""
    slug = _slug(path)
    route = "/" if path == "app.py" else f"/{slug}"
    width, height = SIZES[0]
    page = browser.new_page(viewport={"width": width, "height": height})
    out = []
    try:
        page.goto(base + route + "?projector=true")
        page.wait_for_selector(".proj-head", timeout=90_000)
        settle(page)
        for i in range(40):
            for n, (width, height) in enumerate(SIZES):
                if n:
                    page.set_viewport_size({"width": width, "height": height})
                    settle(page, 400)  # charts redraw for the new room
                m = page.evaluate(MEASURE)
                m["slide"], m["width"] = i + 1, width
                out.append(m)
                page.screenshot(path=str(SHOTS / f"{slug}_{width}_s{i + 1:02d}.png"))
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            nxt = page.locator(".st-key-next_slide button")
            if nxt.count() == 0 or nxt.is_disabled():
                break
            before = m["count"]
            nxt.click()
            page.wait_for_function(f"(document.querySelector('.slide-count')||{{}}).innerText !== {before!r}",
                                   timeout=60_000)
            settle(page, 400)  # the new slide's run has drawn its count: a shorter quiet time suffices
    finally:
        page.close()
    return out


@pytest.fixture(scope="module")
def base(request):
    url = os.environ.get("PROJECTOR_BASE_URL")
    if url:
        return url
    return request.getfixturevalue("server")


def problems_of(browser, base: str, path: str) -> list[str]:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for m in walk(browser, base, path):
        where = f"{_slug(path)} {m['width']}×{m['vh']} slide {m['slide']} ({m['count']})"
        if m["bottom"] > m["vh"] + 1 or m["scroll"] > 1:
            problems.append(f"{where}: content ends at {m['bottom']:.0f}px > {m['vh']} ({m['worst']!r})")
        if m["right"] > m["vw"] + 1 or m["cut"]:
            problems.append(f"{where}: cut off at the right ({m['right']:.0f}px, {m['cut']})")
        for key, state in m["cover"].items():
            if state not in ("ok", "missing"):
                problems.append(f"{where}: {key} covered by {state}")
    return problems


@pytest.mark.parametrize("path", SLIDE_PAGES, ids=[_slug(p) for p in SLIDE_PAGES])
def test_every_slide_fits_both_projectors(base, browser, path):  # noqa: F811
    problems = problems_of(browser, base, path)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def courts_base(request):
    url = os.environ.get("PROJECTOR_COURTS_BASE_URL")
    if url:
        return url
    return request.getfixturevalue("courts_server")


def test_courts_slides_fit_on_the_multi_court_sample(courts_base, browser):  # noqa: F811
    """法院对比 with 13 courts: the heatmap, the small multiples and the tables fit a slide at both sizes."""
    problems = problems_of(browser, courts_base, "pages/courts.py")
    assert not problems, "\n".join(problems)


def _goto(browser, url: str, width: int = 1024, height: int = 768):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    settle(page)
    page.wait_for_selector(".proj-head", timeout=60_000)
    settle(page)
    return page


def _next(page) -> None:
    before = page.locator(".slide-count").inner_text()
    page.locator(".st-key-next_slide button").click()
    page.wait_for_function(f"document.querySelector('.slide-count').innerText !== {before!r}", timeout=60_000)
    settle(page)


def test_a_meeting_runs_without_leaving_projector_mode(base, browser):  # noqa: F811
    page = _goto(browser, base + "/phases?projector=true&team=执行一团队")
    try:
        head = page.locator(".st-key-proj_head").inner_text()
        assert "执行一团队" in head and "统计日" in head  # every active filter in the header (F-6)
        _next(page)
        _next(page)
        assert page.locator(".slide-count").inner_text().startswith("第 3 /")
        # No element toolbar in 投影模式, even over a hovered chart or table (F-7, F-18).
        assert page.evaluate("[...document.querySelectorAll('[data-testid=stElementToolbar]')]"
                             ".every(e => getComputedStyle(e).display === 'none')")
        # Leave and come back: the slide is kept (F-5).
        page.locator(".st-key-proj_exit button").click()
        page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=60_000)
        settle(page)
        page.locator('[data-testid="stSidebar"] label', has_text="投影模式").click()
        page.wait_for_selector(".slide-count", timeout=90_000)
        settle(page)
        assert page.locator(".slide-count").inner_text().startswith("第 3 /")
        # The phase picker inside 投影模式 (F-5).
        page.locator(".st-key-proj_filters button").first.click()
        page.get_by_role("combobox", name="阶段").first.click()
        page.get_by_role("option", name="启动部署阶段").click()
        settle(page)
        assert "启动部署阶段" in page.locator(".st-key-proj_head").inner_text()
        page.keyboard.press("Escape")
        # The page menu: another page, still in 投影模式 with the team filter.
        page.locator(".st-key-proj_pages button").first.click()
        page.get_by_role("link", name="交叉执行").first.click()
        page.wait_for_function("location.pathname.endsWith('/cross')", timeout=60_000)
        settle(page)
        page.wait_for_selector(".proj-head", timeout=60_000)
        head = page.locator(".st-key-proj_head").inner_text()
        assert "交叉执行" in head and "执行一团队" in head and "启动部署阶段" in head
    finally:
        page.close()


def test_leaving_projector_mode_keeps_the_drill_through_choice(base, browser):  # noqa: F811
    page = _goto(browser, base + "/cases?projector=true&ind=pending_over_12m&win=implement")
    try:
        page.locator(".st-key-proj_exit button").click()
        page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=60_000)
        settle(page)
        assert "超12个月未结数" in page.locator(".st-key-drill_ind input").input_value()
        assert "ind=pending_over_12m" in page.url
    finally:
        page.close()


def test_case_list_is_readable_on_a_projector(base, browser):  # noqa: F811
    """案件明细's list in 投影模式 is a table in projector type (at least 16 px at 1024×768, 20 px at 1920×1080),
    not a data grid of 14 px cells; its box fits under the page controls."""
    for (width, height), least in zip(SIZES, (20, 16), strict=True):
        page = _goto(browser, base + "/cases?projector=true&ind=completion_rate&win=implement", width, height)
        try:
            _next(page)
            assert page.locator('[data-testid="stDataFrame"]').count() == 0
            cells = page.locator(".proj-cases td")
            assert cells.count() > 10
            size = float(cells.first.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
            assert size >= least, (width, size)
            box = page.locator(".st-key-proj_scroll").bounding_box()
            assert box["y"] + box["height"] <= height and box["height"] > height / 3  # rows to read, not a sliver
        finally:
            page.close()
