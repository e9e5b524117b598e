"""Windows under bad luck: a future date in the data, a far as-of date, a month token off the calendar (D2, D6)."""

from __future__ import annotations

import datetime as dt

from metrics.engine.service import Dashboard
from metrics.engine.windows import MAX_MONTHS, resolve_window, series_months
from tests.conftest import d, insert, make_config


def test_default_as_of_is_never_after_today(engine):
    """D2: one case filed in 2099 (a typo) must not move the default 统计日 into the future."""
    insert(engine, "cases", [dict(case_no="c1", filing_date="2025-03-02", closing_date="2025-03-20",
                                  closing_method="执行完毕"),
                             dict(case_no="c2", filing_date="2099-01-01")])
    board = Dashboard(engine, make_config())
    assert board.default_as_of() == dt.date.today()


def test_default_as_of_is_the_latest_date_when_it_is_past(engine):
    insert(engine, "cases", [dict(case_no="c1", filing_date="2025-03-02", closing_date="2025-03-20",
                                  closing_method="执行完毕")])
    assert Dashboard(engine, make_config()).default_as_of() == d("2025-03-20")


def test_monthly_series_is_bounded(engine):
    """D2: a far as-of date gives at most MAX_MONTHS months, and SQLite computes them (it refused 902)."""
    insert(engine, "cases", [dict(case_no="c1", filing_date="2025-03-02", closing_date="2025-03-20",
                                  closing_method="执行完毕")])
    config = make_config()
    months = series_months(config, d("2099-01-01"))
    assert len(months) == MAX_MONTHS
    assert months[-1].key == "2099-01" and months[0].key == "2089-02"
    results = Dashboard(engine, config).monthly_results(d("2099-01-01"), keys=("filed_count",))
    assert len(results) == MAX_MONTHS
    assert all(r["filed_count"].value == 0 for r in results)


def test_monthly_series_from_the_first_phase_to_the_as_of_month():
    config = make_config()  # first phase starts 2024-01-01
    assert [w.key for w in series_months(config, d("2024-03-10"))] == ["2024-01", "2024-02", "2024-03"]
    assert series_months(config, d("2023-12-31")) == []
    assert series_months(config, d("2024-03-10"))[-1].end == d("2024-03-10")


def test_month_tokens_off_the_calendar_resolve_to_nothing():
    """D6: `win=0001-01` raised OverflowError further down (the year before year 1); now it is simply unknown."""
    config = make_config()
    as_of = d("2025-04-30")
    for token in ("0001-01", "9999-12", "2025-13", "2025-00", "2025-1-1", "２０２５-03", "-2025-03", "2025-+3", ""):
        assert resolve_window(config, as_of, token) is None, token
    assert resolve_window(config, as_of, "2025-03").start == d("2025-03-01")
    assert resolve_window(config, as_of, "p1_yoy").start == d("2024-03-01")
