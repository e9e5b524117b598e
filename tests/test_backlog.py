"""Pending cases by age band and closures by duration band, on a tiny hand-built database."""

from __future__ import annotations

from metrics.engine.backlog import AGE_BANDS, duration_bands, duration_histogram, pending_by_age
from metrics.engine.compute import compute_many
from metrics.engine.filters import Filters
from metrics.engine.windows import clamp, phase_windows
from tests.conftest import d, insert, make_config

ANALYTICS_BACKENDS = True  # also on a DuckDB store and with analytics: duckdb (tests/conftest.py)

# Ages on 2025-03-31 (the end of the March window), worked out by hand:
#   a0    filed 2025-03-31                  0 days  ≤3个月 (filed on the day itself)
#   a90   filed 2024-12-31                 90 days  ≤3个月 (upper edge)
#   a91   filed 2024-12-30                 91 days  3–6个月
#   a182  filed 2024-09-30                182 days  3–6个月 (upper edge)
#   a183  filed 2024-09-29 closed 04-01   183 days  6–12个月 (closed after the day: still pending)
#   a365  filed 2024-03-31                365 days  6–12个月 (not yet "over 12 months")
#   a366  filed 2024-03-30 终结执行 指定执行 closed 04-15
#                                         366 days  >12个月 (a transfer still pending on the day counts)
#   x_closed    closed on 2025-03-31 itself           not pending
#   x_later     filed 2025-04-01                      not yet filed
#   x_scope     恢复执行, pending                      outside the scope
CASES = [
    dict(case_no="a0", filing_date="2025-03-31"),
    dict(case_no="a90", filing_date="2024-12-31", team="二队"),
    dict(case_no="a91", filing_date="2024-12-30"),
    dict(case_no="a182", filing_date="2024-09-30", team="二队"),
    dict(case_no="a183", filing_date="2024-09-29", closing_date="2025-04-01", closing_method="执行完毕"),
    dict(case_no="a365", filing_date="2024-03-31"),
    dict(case_no="a366", filing_date="2024-03-30", closing_date="2025-04-15", closing_method="终结执行",
         closing_reason="指定执行"),
    dict(case_no="x_closed", filing_date="2024-01-05", closing_date="2025-03-31", closing_method="执行完毕"),
    dict(case_no="x_later", filing_date="2025-04-01"),
    dict(case_no="x_scope", filing_date="2024-01-01", case_type="恢复执行"),
]
MARCH = clamp("p1", "一阶段", d("2025-03-01"), d("2025-03-31"), d("2025-06-30"))


def counts(engine, windows, filters=Filters(), config=None):
    with engine.connect() as conn:
        return pending_by_age(conn, config or make_config(), windows, filters)


def test_bands_are_contiguous_whole_days():
    assert [(b.low, b.high) for b in AGE_BANDS] == [(0, 90), (91, 182), (183, 365), (366, None)]
    assert [b.label for b in AGE_BANDS] == ["≤3个月", "3–6个月", "6–12个月", ">12个月"]


def test_band_edges(engine):
    insert(engine, "cases", CASES)
    (p,) = counts(engine, [MARCH])
    assert p.day == d("2025-03-31")
    assert p.counts == {"age_le_3m": 2, "age_3_6m": 2, "age_6_12m": 2, "age_gt_12m": 1}
    assert p.total == 7


def test_bands_add_up_to_pending_end_and_last_band_is_pending_over_12m(engine):
    insert(engine, "cases", CASES)
    config = make_config()
    windows = phase_windows(config, d("2025-06-30"))
    with engine.connect() as conn:
        results = compute_many(conn, config, windows)
    for w, r, p in zip(windows, results, counts(engine, windows, config=config), strict=True):
        assert p.total == r["pending_end"].value, w.key
        assert p.counts["age_gt_12m"] == r["pending_over_12m"].value, w.key


def test_several_days_in_one_query_and_as_of(engine):
    insert(engine, "cases", CASES)
    # 2024-12-31: a90 filed that very day (0 days), a91 (1), a182 (92), a183 (93), a365 (275), a366 (276),
    # and x_closed (filed 2024-01-05, 361 days) are pending; x_scope is out of scope.
    year_end = clamp("baseline", "基线期", d("2024-01-01"), d("2024-12-31"), d("2025-06-30"))
    # A window ending after the as-of date is clamped: with D = 2025-03-30, a0 is not filed yet.
    clamped = clamp("p1", "一阶段", d("2025-03-01"), d("2025-03-31"), d("2025-03-30"))
    later = clamp("p2", "二阶段", d("2025-07-01"), d("2025-07-31"), d("2025-06-30"))
    first, second, third = counts(engine, [year_end, clamped, later])
    assert first.counts == {"age_le_3m": 2, "age_3_6m": 2, "age_6_12m": 3, "age_gt_12m": 0}
    # 2025-03-30: a90 89 days, a91 90 days (≤3个月 now), a182 181, a183 182, a365 364, a366 365,
    # x_closed (closed 03-31) 450 days.
    assert second.day == d("2025-03-30")
    assert second.counts == {"age_le_3m": 2, "age_3_6m": 2, "age_6_12m": 2, "age_gt_12m": 1}
    assert third is None  # the window has not begun


def test_filters_and_empty_result(engine):
    insert(engine, "cases", CASES)
    (p,) = counts(engine, [MARCH], Filters(teams=("二队",)))
    assert p.counts == {"age_le_3m": 1, "age_3_6m": 1, "age_6_12m": 0, "age_gt_12m": 0}
    (p,) = counts(engine, [MARCH], Filters(teams=("无此团队",)))
    assert p.total == 0 and set(p.counts) == {b.key for b in AGE_BANDS}
    (p,) = counts(engine, [MARCH], Filters(case_types=("恢复执行",)))
    assert p.counts["age_gt_12m"] == 1 and p.total == 1


def test_duration_bands_put_the_statutory_limit_on_an_edge():
    bands = duration_bands(180)
    assert [(b.low, b.high) for b in bands] == [(0, 30), (31, 90), (91, 180), (181, 365), (366, None)]
    assert [b.label for b in bands] == ["≤30天", "31–90天", "91–180天", "181–365天", ">365天"]
    assert [(b.low, b.high) for b in duration_bands(90)] == [(0, 30), (31, 90), (91, 365), (366, None)]
    assert [(b.low, b.high) for b in duration_bands(400)][-2:] == [(366, 400), (401, None)]


def test_duration_histogram_edges():
    bands = duration_bands(180)
    hist = duration_histogram([0, 30, 31, 90, 91, 180, 181, 365, 366, 1000], bands)
    assert list(hist.values()) == [2, 2, 2, 2, 2]
    assert sum(duration_histogram([], bands).values()) == 0


def test_many_windows_in_one_pass_equal_a_row_by_row_count(engine):
    """24 month-end days over 400 seeded cases: each band equals a plain Python count of the rows."""
    import datetime as dt
    import random

    rng = random.Random(11)
    rows = []
    for n in range(400):
        filed = d("2023-01-01") + dt.timedelta(days=rng.randrange(0, 900))
        closed = filed + dt.timedelta(days=rng.randrange(0, 500)) if rng.random() < 0.7 else None
        rows.append(dict(case_no=f"r{n}", filing_date=filed.isoformat(),
                         closing_date=closed.isoformat() if closed else None,
                         closing_method="执行完毕" if closed else None))
    insert(engine, "cases", rows)
    as_of = d("2025-06-30")
    windows = []
    for k in range(24):
        start = dt.date(2023 + (k + 6) // 12, (k + 6) % 12 + 1, 1)
        end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1) - dt.timedelta(days=1)
        windows.append(clamp(f"m{k}", f"{k}", start, end, as_of))
    got = counts(engine, windows)
    for w, p in zip(windows, got, strict=True):
        expected = {b.key: 0 for b in AGE_BANDS}
        for r in rows:
            filed = d(r["filing_date"])
            closed = d(r["closing_date"]) if r["closing_date"] else None
            if filed <= w.end and (closed is None or closed > w.end):
                age = (w.end - filed).days
                band = next(b for b in AGE_BANDS if age >= b.low and (b.high is None or age <= b.high))
                expected[band.key] += 1
        assert p.counts == expected, w.key
