"""AppTest: the numbers never mislead (issue 8) — badges, notes, 受理口径 rates, impossible values, 全院口径."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from metrics.config import ROOT
from metrics.engine.schema import metadata
from tests.conftest import insert

APP = str(ROOT / "app.py")


def run(path: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    if path:
        at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def page_html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def card(html: str, key: str) -> str:
    found = re.search(rf"<div class='kpi' [^>]*data-indicator='{key}'>(.*?)</details></div></div>", html, re.S)
    assert found, key
    return found.group(1)


def test_court_wide_indicator_under_a_team_filter_says_so_and_has_no_target_badge():
    html = page_html(run(team=["执行一团队"]))
    wide = card(html, "voluntary_compliance_rate")
    assert "status-wide'" in wide and ">全院口径<" in wide
    assert "达标" not in wide  # neither 达标 nor 未达标 for a figure the team filter does not reach
    assert "status-wide" not in card(html, "completion_rate")
    plain = card(page_html(run()), "voluntary_compliance_rate")
    assert "status-wide" not in plain and "达标" in plain


def test_reception_rate_card_only_against_last_year_with_the_reason():
    html = page_html(run(phase="launch"))
    c = card(html, "actual_closure_rate")
    assert "较基线期" not in c
    assert "较上年同期" in c and "只与上年同期比较" in c


def test_stock_card_says_the_day_it_is_counted_at():
    c = card(page_html(run()), "pending_over_12m")
    assert "截至2025-12-31" in c  # the end of 组织实施阶段, not the as-of date


def test_uncertain_change_is_neutral_with_a_note_as_large_as_the_change():
    html = page_html(run())
    notes = re.findall(r"<span class='([^']*)'>[^<]*</span><span class='uncertain-note'>（(误差内|样本小)）</span>",
                       html)
    assert notes, "the sample has changes within noise"
    assert all(css == "neutral uncertain" for css, _ in notes)  # not green/red
    css = (ROOT / "ui" / "style.css").read_text(encoding="utf-8")
    assert re.search(r"\.uncertain-note \{[^}]*font-size: 1em", css)


def test_missing_value_badge_says_no_data():
    html = page_html(run(asof="2023-06-30"))
    c = card(html, "recovery_rate")
    assert "暂无数据" in c and "未设目标" not in c


@pytest.fixture
def impossible_db(tmp_path, monkeypatch):
    """Five cases closed in 组织实施阶段 whose 到位 (in 元) exceeds 申请 (in 万元, the F-2 unit mix-up)."""
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    insert(engine, "cases", [dict(case_no=f"c{i}", filing_date="2025-04-01", closing_date="2025-06-01",
                                  closing_method="执行完毕", applied_amount=Decimal("12.5"),
                                  recovered_amount=Decimal("125000")) for i in range(5)]
           + [dict(case_no=f"b{i}", filing_date="2024-02-01", closing_date="2024-05-01", closing_method="执行完毕",
                   applied_amount=Decimal("1000"), recovered_amount=Decimal("600")) for i in range(5)])
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_impossible_value_is_a_data_error_with_a_link_never_met(impossible_db):
    at = run(asof="2025-12-31")
    html = page_html(at)
    c = card(html, "recovery_rate")
    assert "数据异常" in c and "达标" not in c
    badge = re.search(r"status-anomaly' href='(cases\?[^']*)'", c)
    assert badge and "ind=recovery_rate" in badge.group(1)  # the badge opens the records
    assert "+" not in re.sub(r"<[^>]+>", "", c).split("较基线期")[1].split("较上年同期")[0]  # no change drawn
    phases = page_html(run("pages/phases.py", asof="2025-12-31"))
    row = phases[phases.index(">执行到位率<"):]
    row = row[:row.index("</tr>")]
    implement = row.split("<td")[3]  # 基线期, 启动部署, 组织实施
    assert "数据异常" in implement and "pm-met" not in implement and "pm-missed" not in implement


def _closed_cases(url: str, n: int) -> None:
    """`n` cases filed 2025-04-01 and closed 执行完毕 on 2025-06-01, in 组织实施阶段: 执行完毕率 n/n = 100 %."""
    engine = create_engine(url)
    metadata.create_all(engine)
    insert(engine, "cases", [dict(case_no=f"c{i}", filing_date="2025-04-01", closing_date="2025-06-01",
                                  closing_method="执行完毕", applied_amount=Decimal("10"),
                                  recovered_amount=Decimal("10")) for i in range(n)])
    engine.dispose()


@pytest.mark.parametrize("n, small", [(4, True), (29, True), (30, False)])
def test_target_badge_on_a_small_sample_says_so(tmp_path, monkeypatch, n, small):
    """100 % on 4 cases is 达标 (target 40 %), but the badge itself says 样本较小 (below 30 cases), also in
    投影模式 where the card's foot is hidden; 30 cases are not small."""
    url = f"sqlite:///{tmp_path / 'few.db'}"
    _closed_cases(url, n)
    monkeypatch.setenv("DATABASE_URL", url)
    for query in ({}, {"projector": "true"}):
        c = card(page_html(run(asof="2025-12-31", **query)), "completion_rate")
        assert "status-met'>达标（目标40.0%）<" in c
        assert ("status-small" in c) is small
        assert (">样本较小<" in c) is small
    phases = page_html(run("pages/phases.py", asof="2025-12-31"))
    row = phases[phases.index(">执行完毕率<"):]
    implement = row[:row.index("</tr>")].split("<td")[3]  # 基线期, 启动部署, 组织实施
    assert "pm-met" in implement and ("样本较小" in implement) is small
