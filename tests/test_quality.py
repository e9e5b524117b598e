"""数据质量: table profiles and the data checks on hand-built databases (every backend), the section and ?dq= drill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Date, event, literal, select

from metrics.engine.sqlfuncs import add_months
from metrics.ingest.quality import CHECK_BY_KEY, CHECKS, check_members, profile, run_checks
from tests.conftest import d, insert, make_config
from tests.test_browser import CHROMIUM, SHOTS, SIZES, browser, open_page, sample_url, server  # noqa: F401

TODAY = d("2026-01-01")


# ---- add_months ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2025-01-15", 3, "2025-04-15"),
    ("2024-11-30", 3, "2025-02-28"),  # clamped to the month's end, not rolled into March
    ("2023-11-30", 3, "2024-02-29"),  # leap year
    ("2025-01-31", 3, "2025-04-30"),
    ("2025-12-15", 3, "2026-03-15"),  # across the year
    ("2025-10-31", 1, "2025-11-30"),
])
def test_add_months(engine, day, months, expected):
    with engine.connect() as conn:
        value = conn.execute(select(add_months(literal(d(day), Date), months))).scalar()
    assert str(value)[:10] == expected


# ---- profile -------------------------------------------------------------------------------------------------

def test_profile_counts_rows_dates_and_filled_columns(engine):
    insert(engine, "cases", [
        dict(case_no="(2025)鄂0505执1号", filing_date="2025-01-10", closing_date="2025-06-30",
             closing_method="执行完毕", team="一队", handler=""),
        dict(case_no="(2024)鄂0505执2号", filing_date="2024-03-01", team=None, handler="   ", debtor_name=None),
        dict(case_no="(2025)鄂0505执3号", filing_date="2025-05-05", team="二队", handler="乙"),
    ])
    insert(engine, "entrustments", [dict(entrust_id="W1", direction="发出", sent_date="2025-01-01",
                                         feedback_date="2025-02-01")])
    by_name = {p.name: p for p in profile(engine)}
    assert list(by_name) == ["cases", "judgments", "auctions", "measures", "entrustments"]
    c = by_name["cases"]
    assert (c.rows, c.chinese, c.date_column) == (3, "执行案件", "立案日期")
    assert (c.first, c.last) == (d("2024-03-01"), d("2025-05-05"))
    assert c.data_until == d("2025-06-30")  # a closing date later than every filing date
    fill = {col.name: (col.filled, col.share) for col in c.columns}
    assert fill["case_no"] == (3, 1.0)
    assert fill["closing_date"] == (1, pytest.approx(1 / 3))
    assert fill["team"] == (2, pytest.approx(2 / 3))
    assert fill["handler"] == (1, pytest.approx(1 / 3))  # "" and blanks are not data
    assert fill["debtor_name"] == (2, pytest.approx(2 / 3))
    assert fill["applied_amount"] == (3, 1.0)
    assert fill["basis_doc_no"] == (0, 0.0)
    assert c.summary() == "执行案件：3 行，数据截至 2025-06-30，立案日期 2024-03-01 至 2025-05-05"
    e = by_name["entrustments"]
    assert (e.rows, e.first, e.last, e.data_until) == (1, d("2025-01-01"), d("2025-01-01"), d("2025-02-01"))
    j = by_name["judgments"]  # empty: no rows, no dates, no rates — and no division by zero
    assert (j.rows, j.first, j.last, j.data_until) == (0, None, None, None)
    assert all(col.filled == 0 and col.share is None for col in j.columns)
    assert j.summary() == "生效裁判：暂无数据"


def test_profile_is_one_query_per_table(engine):
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    profile(engine)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5


# ---- checks --------------------------------------------------------------------------------------------------

def quality_db(engine) -> None:
    """Cases, judgments, auctions, measures and entrustments, each row built to hit (or just miss) one check."""
    zb = "终结本次执行程序"
    insert(engine, "cases", [
        # 终本 one day short of three months; not reviewed
        dict(case_no="(2025)鄂0505执1号", filing_date="2025-01-15", closing_date="2025-04-14", closing_method=zb,
             debtor_name="张伟明"),
        # 终本 exactly three months; reviewed; its basis judgment exists
        dict(case_no="(2025)鄂0505执2号", filing_date="2025-01-15", closing_date="2025-04-15", closing_method=zb,
             zhongben_review="合格", basis_doc_no="(2024)鄂0505民初1号"),
        # 30 Nov + 3 months = 28 Feb (clamped): not short; review "" is not a review; blank basis is not unknown
        dict(case_no="(2024)鄂0505执3号", filing_date="2024-11-30", closing_date="2025-02-28", closing_method=zb,
             zhongben_review="", basis_doc_no=" ", debtor_name="宜昌华兴建材有限公司"),
        # 案号 year 2024, filed 2025; recovered more than applied
        dict(case_no="(2024)鄂0505执4号", filing_date="2025-02-01", applied_amount=100, recovered_amount=150),
        # applied 0: any recovery is not "more than applied"
        dict(case_no="(2025)鄂0505执5号", filing_date="2025-03-01", applied_amount=0, recovered_amount=50),
        # 交出, closed as a transfer: fine
        dict(case_no="(2025)鄂0505执6号", filing_date="2025-03-01", cross_role="交出", closing_date="2025-05-01",
             closing_method="终结执行", closing_reason="指定执行"),
        # 交出, 终结执行 without a reason; 交出 closed as 执行完毕; 交出 still pending (not counted)
        dict(case_no="(2025)鄂0505执7号", filing_date="2025-03-01", cross_role="交出", closing_date="2025-05-01",
             closing_method="终结执行", closing_reason=None),
        dict(case_no="(2025)鄂0505执8号", filing_date="2025-03-01", cross_role="交出", closing_date="2025-05-01",
             closing_method="执行完毕"),
        dict(case_no="(2025)鄂0505执9号", filing_date="2025-03-01", cross_role="交出"),
        # a 案号 without "(year)": no year to compare
        dict(case_no="鄂0505执10号", filing_date="2025-03-01"),
        # 执恢 filed as 首次执行; 3651 days suspended
        dict(case_no="(2025)鄂0505执恢11号", filing_date="2025-03-01", suspended_days=3651),
        # 执 filed as 恢复执行; exactly 3650 days (not counted)
        dict(case_no="(2025)鄂0505执12号", filing_date="2025-03-01", case_type="恢复执行", suspended_days=3650),
        # nonstandard 结案方式 "终本"; basis not among the judgments
        dict(case_no="(2025)鄂0505执13号", filing_date="2025-03-01", closing_date="2025-09-01",
             closing_method="终本", basis_doc_no="(2024)鄂0505民初99号"),
        # filed after "today"; filed before 2000
        dict(case_no="(2026)鄂0505执14号", filing_date="2026-02-01"),
        dict(case_no="(1999)鄂0505执17号", filing_date="1999-12-31"),
        # 执保 filed as 财产保全, 执异 as 执行异议: consistent
        dict(case_no="(2025)鄂0505执保15号", filing_date="2025-03-01", case_type="财产保全"),
        dict(case_no="(2025)鄂0505执异16号", filing_date="2025-03-01", case_type="执行异议"),
    ])
    insert(engine, "judgments", [
        dict(doc_no="(2024)鄂0505民初1号", effective_date="2024-10-01", has_payment=True),  # linked by 执2号
        dict(doc_no="(2024)鄂0505民初2号", effective_date="2024-10-01", has_payment=True),  # never linked
        dict(doc_no="(2024)鄂0505民初3号", effective_date="2024-10-01", has_payment=False),  # no payment
    ])
    insert(engine, "auctions", [
        dict(auction_id="A1", case_no="(2025)鄂0505执1号", round="一拍", appraisal_price=100, start_price=69.99,
             end_date="2025-03-01", result="流拍"),
        dict(auction_id="A2", case_no="(2025)鄂0505执99号", round="一拍", appraisal_price=100, start_price=70,
             end_date="2025-03-01", result="成交", deal_price=70),
        dict(auction_id="A3", case_no=None, round="二拍", appraisal_price=100, start_price=50,
             end_date="2025-03-01", result="成交", deal_price=49),
        dict(auction_id="A4", case_no="", round="一拍", appraisal_price=None, start_price=10,
             end_date="2025-03-01", result="已成交"),
    ])
    insert(engine, "measures", [
        dict(measure_id="M1", case_no="(2025)鄂0505执1号", measure_type="司法拘留", measure_date="2025-03-01"),
        dict(measure_id="M2", case_no="(2025)鄂0505执98号", measure_type="罚款", measure_date="2025-03-01"),
        dict(measure_id="M3", case_no=None, measure_type="拘留", measure_date="2025-03-01"),
    ])
    insert(engine, "entrustments", [
        dict(entrust_id="W1", direction="发出", sent_date="2025-03-10", feedback_date="2025-03-09"),
        dict(entrust_id="W2", direction="发出", sent_date="2025-03-10", feedback_date="2025-03-10"),
        dict(entrust_id="W3", direction="收到", sent_date="2025-03-10", feedback_date=None),
        dict(entrust_id="W4", direction="其他", sent_date="2025-03-10", feedback_date=None),
    ])


# check key → (count, base or None, the keys of the rows behind it)
EXPECTED = {
    "zhongben_short": (1, None, ["(2025)鄂0505执1号"]),
    "recovered_over_applied": (1, None, ["(2024)鄂0505执4号"]),
    "case_no_year": (1, None, ["(2024)鄂0505执4号"]),
    "handover_not_transfer": (2, None, ["(2025)鄂0505执7号", "(2025)鄂0505执8号"]),
    "zhongben_unreviewed": (2, 3, ["(2024)鄂0505执3号", "(2025)鄂0505执1号"]),
    "suspended_days_large": (1, None, ["(2025)鄂0505执恢11号"]),
    "case_type_mismatch": (2, None, ["(2025)鄂0505执12号", "(2025)鄂0505执恢11号"]),
    "case_nonstandard": (1, None, ["(2025)鄂0505执13号"]),
    "basis_unknown": (1, None, ["(2025)鄂0505执13号"]),
    "implausible_dates": (2, None, ["(1999)鄂0505执17号", "(2026)鄂0505执14号"]),
    "judgment_unlinked": (1, 2, ["(2024)鄂0505民初2号"]),
    "auction_orphan": (1, None, ["A2"]),
    "auction_nonstandard": (1, None, ["A4"]),
    "auction_low_start": (1, None, ["A1"]),
    "auction_deal_below_start": (1, None, ["A3"]),
    "measure_orphan": (1, None, ["M2"]),
    "measure_nonstandard": (1, None, ["M3"]),
    "entrust_nonstandard": (1, None, ["W4"]),
    "feedback_before_sent": (1, None, ["W1"]),
}


def test_every_check_has_a_hand_worked_case():
    assert set(EXPECTED) == set(CHECK_BY_KEY)


def test_check_counts(engine):
    quality_db(engine)
    results = run_checks(engine, make_config(), today=TODAY)
    assert [r.key for r in results] == [c.key for c in CHECKS]
    got = {r.key: (r.count, r.base) for r in results}
    assert got == {k: (count, base) for k, (count, base, _) in EXPECTED.items()}
    unreviewed = next(r for r in results if r.key == "zhongben_unreviewed")
    assert unreviewed.share == pytest.approx(2 / 3) and unreviewed.table_chinese == "执行案件"


@pytest.mark.parametrize("key", list(EXPECTED))
def test_check_members_are_the_rows_counted(engine, key):
    quality_db(engine)
    headers, rows = check_members(engine, make_config(), key, today=TODAY)
    spec_key = headers[0]
    assert [r[spec_key] for r in rows] == sorted(EXPECTED[key][2])


def test_check_members_mask_debtors_and_convert_values(engine):
    quality_db(engine)
    config = make_config()
    _, rows = check_members(engine, config, "zhongben_unreviewed", today=TODAY)
    assert [r["被执行人"] for r in rows] == ["宜昌****有限公司", "张**"]
    assert rows[0]["立案日期"] == dt.date(2024, 11, 30)
    _, judged = check_members(engine, config, "judgment_unlinked", today=TODAY)
    assert judged[0]["是否具有给付内容"] == "是"
    _, limited = check_members(engine, config, "handover_not_transfer", limit=1, today=TODAY)
    assert len(limited) == 1
    with pytest.raises(KeyError):
        check_members(engine, config, "no_such_check")


def test_transfer_reasons_come_from_the_configuration(engine):
    quality_db(engine)
    # With 指定执行 no longer a transfer reason, the 交出 case closed as 终结执行/指定执行 is flagged too.
    config = make_config(transfer_reasons=("提级执行", "委托执行"))
    result = {r.key: r.count for r in run_checks(engine, config, today=TODAY)}
    assert result["handover_not_transfer"] == 3


def test_implausible_dates_follow_today(engine):
    quality_db(engine)
    later = {r.key: r.count for r in run_checks(engine, make_config(), today=d("2026-02-01"))}
    assert later["implausible_dates"] == 1  # 2026-02-01 itself is not after today; 1999 stays implausible


def test_empty_database_gives_zero_everywhere(engine):
    results = run_checks(engine, make_config(), today=TODAY)
    assert all(r.count == 0 for r in results)
    assert [r.base for r in results if r.base is not None] == [0, 0]
    assert all(r.share is None for r in results)
    assert all(p.rows == 0 and p.data_until is None for p in profile(engine))
    assert check_members(engine, make_config(), "zhongben_short", today=TODAY)[1] == []


# ---- the section and the ?dq= drill (AppTest) -----------------------------------------------------------------

def _section(url: str, projector: bool) -> None:
    import datetime as dt

    from metrics.config import load_config
    from metrics.engine.db import get_engine
    from metrics.engine.filters import Filters
    from metrics.engine.service import Dashboard
    from ui.frame import Frame
    from ui.quality import render_quality

    config = load_config()
    board = Dashboard(get_engine(url), config)
    render_quality(Frame(config, board, Filters(), dt.date(2025, 12, 31), config.default_phase, projector, False))


@pytest.fixture
def quality_url(tmp_path) -> str:
    from sqlalchemy import create_engine

    from metrics.engine.schema import metadata

    url = f"sqlite:///{tmp_path / 'quality.db'}"
    eng = create_engine(url)
    metadata.create_all(eng)
    quality_db(eng)
    eng.dispose()
    return url


def _html(at) -> str:
    return "\n".join(h.value for h in at.get("html"))


def _shown_counts(page: str) -> dict[str, int]:
    import re

    return {k: int(v) for k, v in re.findall(r"data-check='(\w+)' data-count='(\d+)'", page)}


def _expected_counts_today() -> dict[str, int]:
    counts = {k: count for k, (count, _, _) in EXPECTED.items()}
    counts["implausible_dates"] = 1 + (dt.date.today() < d("2026-02-01"))  # the app checks against today
    return counts


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_section_renders_profiles_checks_and_links(quality_url, projector):
    import re

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_section, args=(quality_url, projector), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    page = _html(at)
    assert _shown_counts(page) == _expected_counts_today()
    assert "data-count='2'>2<div class='dq-of'>/ 3（66.7%）</div>" in page  # 未评查 among 已结终本
    assert re.search(r"data-table='cases'.*?data-rows='17'.*?data-until='2026-02-01'", page)
    assert "data-table='judgments'" in page and "data-rows='3'" in page
    links = re.findall(r"href='cases\?dq=(\w+)'", page)
    assert links == [k for k, n in _expected_counts_today().items() if n]  # a link only where there is something
    if projector:
        assert "dq-proj" in page and not at.dataframe  # large HTML tables instead of the canvas grid
        assert "已填写" in page
    else:
        fill = at.dataframe[0].value  # 执行案件, least filled first, rates as numbers
        assert list(fill.columns) == ["字段", "已填写行数", "填写率"]
        assert list(fill["填写率"]) == sorted(fill["填写率"])
        assert fill.loc[fill["字段"] == "执行依据文书号", "填写率"].item() == pytest.approx(11.8)  # 2 of 17
        assert fill.loc[fill["字段"] == "案号", "填写率"].item() == 100.0


def _drill(url: str, **params):
    from streamlit.testing.v1 import AppTest

    from metrics.config import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/cases.py")
    return at.run()


def test_drill_lists_the_rows_behind_a_check(quality_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", quality_url)
    at = _drill(quality_url, dq="zhongben_unreviewed")
    assert not at.exception, [e.value for e in at.exception]
    rows = at.dataframe[0].value
    assert list(rows["案号"]) == ["(2024)鄂0505执3号", "(2025)鄂0505执1号"]
    assert list(rows["被执行人"]) == ["宜昌****有限公司", "张**"]
    assert "已结终本案件未填终本评查结果" in _html(at)
    assert any("共 2 条（已结终本案件 3 条）" in c.value for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["CSV", "XLSX"]
    assert not [s for s in at.selectbox if s.key == "drill_ind"]  # the indicator drill is not drawn


def test_drill_of_other_tables_and_an_unknown_key(quality_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", quality_url)
    at = _drill(quality_url, dq="auction_orphan")
    assert not at.exception
    assert list(at.dataframe[0].value["拍卖编号"]) == ["A2"]
    at = _drill(quality_url, dq="no_such_check")
    assert not at.exception
    assert at.warning and "无法识别" in at.warning[0].value
    assert not at.dataframe
    assert _html(at).count("href='cases?dq=") == len(CHECKS)


# ---- browser ---------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width, height", SIZES)
def test_drill_in_the_browser(server, browser, sample_url, width, height):  # noqa: F811
    from sqlalchemy import create_engine

    from metrics.config import load_config

    config = load_config(env={"DATABASE_URL": sample_url})
    expected = run_checks(create_engine(sample_url), config)
    count = next(r.count for r in expected if r.key == "zhongben_unreviewed")
    page = open_page(browser, server + "/cases?dq=zhongben_unreviewed", width, height)
    try:
        page.wait_for_selector("text=已结终本案件未填终本评查结果", timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        text = page.inner_text("body")
        assert f"执行案件中共 {count:,} 条" in text and "被执行人姓名已脱敏" in text
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)  # drawn after the text on a busy machine
        assert page.locator('[data-testid="stDataFrame"]').count() == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"quality_drill_{width}.png"), full_page=True)
    finally:
        page.close()
