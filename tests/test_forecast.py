"""预判 on constructed data with a known answer (phase 2025-03-01 … 03-31, 统计日 03-21: 10 days left)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from metrics.config import Phase, Target
from metrics.engine.forecast import _verdict, open_phases, project_phase, targeted_keys
from tests.conftest import d, insert, make_config

D = d("2025-03-21")
PACE_START = D - dt.timedelta(days=89)  # 2024-12-22: the first of the 90 pace days


def config_with(**targets):
    config = make_config()
    return dataclasses.replace(config, targets={k: Target(direction, value) for k, (direction, value)
                                               in targets.items()})


def daily_closures(first: dt.date, last: dt.date, method: str, days: int = 10, prefix: str = "c"):
    """One closure per day from first to last, each taking `days` days."""
    out, day = [], first
    while day <= last:
        out.append(dict(case_no=f"{prefix}{day:%Y%m%d}", filing_date=day - dt.timedelta(days=days),
                        closing_date=day, closing_method=method))
        day += dt.timedelta(days=1)
    return out


def project(engine, config, keys=None, as_of=D):
    with engine.connect() as conn:
        return {p.key: p for p in project_phase(conn, config, "p1", as_of, keys=keys)}


def test_identical_days_give_an_exact_answer(engine):
    # every one of the 90 pace days: one closure of 10 days, 执行完毕
    insert(engine, "cases", daily_closures(PACE_START, D, "执行完毕"))
    config = config_with(closed_count=("higher", 31), cycle_days_median=("lower", 10),
                         completion_rate=("higher", 1.0))
    got = project(engine, config, ("closed_count", "cycle_days_median", "completion_rate"))
    closed = got["closed_count"]
    assert (closed.so_far, closed.projected, closed.low, closed.high) == (21, 31, 31, 31)  # 21 so far + 10 × 1
    assert closed.days_left == 10 and closed.status == "likely"
    assert (got["cycle_days_median"].projected, got["cycle_days_median"].low, got["cycle_days_median"].high) \
        == (10, 10, 10)
    assert got["completion_rate"].projected == 1.0 and got["completion_rate"].status == "likely"


def test_ratio_projection_known_answer_and_verdicts(engine):
    # Dec 22 … Feb 28 (69 days): one 执行完毕 a day; Mar 1 … 21 (21 days, in the phase): one 终本 a day.
    insert(engine, "cases", daily_closures(PACE_START, d("2025-02-28"), "执行完毕", prefix="a")
           + daily_closures(d("2025-03-01"), D, "终结本次执行程序", prefix="z"))
    # so far 0 / 21; pace 69/90 执行完毕 and 1 closure a day; 10 days left:
    # projected = (0 + 69/90 × 10) / (21 + 10) = 0.2473118…; no draw can exceed 10/31.
    for target, status in ((0.4, "unlikely"), (0.2, "risk"), (0.0, "likely")):
        p = project(engine, config_with(completion_rate=("higher", target)), ("completion_rate",))["completion_rate"]
        assert p.so_far == 0.0
        assert p.projected == pytest.approx((69 / 90 * 10) / 31)
        assert 0 <= p.low <= p.projected <= p.high <= 10 / 31
        assert p.status == status, target
    # the same data read as a rate to keep low: 首执终本率 so far 1.0, projected (21 + 21/90 × 10) / 31
    p = project(engine, config_with(zhongben_rate=("lower", 0.75)), ("zhongben_rate",))["zhongben_rate"]
    assert p.so_far == 1.0 and p.projected == pytest.approx((21 + 21 / 90 * 10) / 31)
    assert p.status == "risk"  # between 21/31 (no more 终本) and well above 0.75
    p = project(engine, config_with(zhongben_rate=("lower", 0.9)), ("zhongben_rate",))["zhongben_rate"]
    assert p.high < 0.9 and p.status == "likely"


def test_no_projection_for_ended_or_future_phases(engine):
    insert(engine, "cases", daily_closures(PACE_START, D, "执行完毕"))
    config = config_with(completion_rate=("higher", 0.5))
    assert project(engine, config, as_of=d("2025-03-31")) == {}  # the last day: the phase has ended
    assert project(engine, config, as_of=d("2025-04-15")) == {}
    assert project(engine, config, as_of=d("2025-02-15")) == {}  # not begun
    assert open_phases(config, D) == ["p1"] and open_phases(config, d("2025-03-31")) == []
    assert "completion_rate" in project(engine, config, as_of=d("2025-03-30"))


def test_every_indicator_with_a_target_is_in_the_table():
    config = config_with(completion_rate=("higher", 0.5), pending_over_12m=("lower", 0),
                         entrust_on_time_rate=("higher", 0.9), cycle_km_median=("lower", 90),
                         filed_count=("none", None))
    assert set(targeted_keys(config)) == {"completion_rate", "pending_over_12m", "entrust_on_time_rate",
                                          "cycle_km_median"}


def test_verdict_edges():
    assert _verdict(0.5, 0.6, 0.5, "higher") == "likely"
    assert _verdict(0.49, 0.6, 0.5, "higher") == "risk"
    assert _verdict(0.3, 0.49, 0.5, "higher") == "unlikely"
    assert _verdict(80, 90, 90, "lower") == "likely"
    assert _verdict(80, 91, 90, "lower") == "risk"


def test_docx_section_only_for_open_phases(engine):
    from docx import Document

    from metrics.present.forecast_docx import add_forecast_docx

    insert(engine, "cases", daily_closures(PACE_START, D, "执行完毕"))
    config = config_with(completion_rate=("higher", 0.5))
    doc = Document()
    assert add_forecast_docx(doc, engine, config, D)
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "阶段末预判" in text and "尚余10天" in text and "可望达标1项（执行完毕率）" in text
    assert cells[6:] == ["执行完毕率", "100.0%", "100.0%", "100.0%～100.0%", "50.0%", "可望达标"]
    ended = Document()
    assert not add_forecast_docx(ended, engine, config, d("2025-03-31"))
    assert not ended.paragraphs and not ended.tables


# ---- the indicators projected record by record (metrics.engine.forecast_stock) --------------------------------

def ago(days: int) -> str:
    return (D - dt.timedelta(days=days)).isoformat()


# 10 days left (统计日 03-21, phase end 03-31). In the last 90 days only one case closed: B, aged 450 at closing.
# Case-days at risk at ages 365–730 in those 90 days: A 90 (ages 411…500) + B 80 (ages 371…450) = 170, so the
# daily closing chance at those ages is 1/170; at 180–365 (C and E: 180 case-days, no closing) it is 0.
STOCK_CASES = [
    dict(case_no="A", filing_date=ago(500)),  # 510 at the phase end: over 12 months, 10 days at 1/170
    dict(case_no="B", filing_date=ago(460), closing_date=ago(10), closing_method="执行完毕"),
    dict(case_no="C", filing_date=ago(355)),  # exactly 365 at the phase end: not over; 1 day (age 365) at 1/170
    dict(case_no="E", filing_date=ago(356)),  # 366 at the phase end: over; 2 days (ages 365, 366) at 1/170
    dict(case_no="closed_long_ago", filing_date=ago(900), closing_date=ago(200), closing_method="执行完毕"),
]


def test_long_pending_projection_known_answer(engine):
    insert(engine, "cases", STOCK_CASES)
    config = config_with(pending_over_12m=("lower", 0), pending_over_12m_share=("lower", 0.9),
                         pending_end=("lower", 3))
    got = project(engine, config)
    q = 169 / 170
    over, share, end = got["pending_over_12m"], got["pending_over_12m_share"], got["pending_end"]
    assert over.so_far == 1  # A only: E is 356 days old on the 统计日
    assert over.projected == pytest.approx(q ** 10 + q ** 2)
    assert end.projected == pytest.approx(q ** 10 + q ** 2 + q)  # no case filed in the last 90 days
    assert share.projected == pytest.approx((q ** 10 + q ** 2) / (q ** 10 + q ** 2 + q))
    # the draws settle 3 cases: the count of the over-12-months ones lies in 0 … 2 and is 2 most of the time
    assert 0 <= over.low <= over.projected <= over.high == 2
    assert over.status == "unlikely"  # target 0: every draw keeps at least one
    assert end.status in ("likely", "risk") and end.high <= 3
    assert over.note is None and over.status_text == "难以达标"


def test_closing_chances_by_age_band():
    from metrics.engine.forecast_stock import closing_chances

    # ages at D and ages at closing (−1: pending) of A, B, C, E above
    h = closing_chances(np.array([500, 460, 355, 356]), np.array([-1, 450, -1, -1]))
    # bands without case-days at risk (0–90, 90–180, 730+) take the overall chance: 1 closing in 350 case-days
    assert h.tolist() == pytest.approx([1 / 350, 1 / 350, 0.0, 1 / 170, 1 / 350])
    # a case filed 5 days ago and closed at age 3: 4 case-days at ages 0…3, one closing
    h2 = closing_chances(np.array([5]), np.array([3]))
    assert h2[0] == pytest.approx(1 / 4)


def test_new_filings_enter_the_stock_at_the_pace():
    from metrics.engine.forecast_stock import stock_draws

    # 90 cases filed one a day over the last 90 days, none closed: no closing chance, so all stay, and the
    # 10 days left bring 10 more (one a day) — none of them over 12 months.
    ages = np.arange(90)
    got = stock_draws(ages, np.full(90, -1), 10, np.random.default_rng(1), 200)
    assert got["pending_end"].point == pytest.approx(100)
    assert got["pending_over_12m"].point == 0
    assert got["pending_over_12m_share"].point == 0


def test_compliance_projection_known_answer():
    from metrics.engine.forecast_stock import compliance_draws

    # observation 100 days. Reference (observation ended in the last year): four judgments aged 200, applied
    # after 0, 3 and 5 days and never → F(0…2) = 1/4, F(3…4) = 2/4, F(5…) = 3/4.
    # The phase began 6 days ago: j1 (aged 3) applied after 2 days; j2 (aged 2) and j3 (aged 6) not yet.
    # 2 days left: j2 applied with (F(4) − F(2)) / (1 − F(2)) = 1/3, j3 with (F(8) − F(6)) / (1 − F(6)) = 0.
    # New judgments: 3 in the last 90 days → 3/90 a day; those of D+1 and D+2 are applied with F(1), F(0) = 1/4.
    ages = np.array([200, 200, 200, 200, 3, 2, 6])
    delays = np.array([0, 3, 5, np.nan, 2, np.nan, np.nan])
    got = compliance_draws(ages, delays, since_start=6, n=2, obs=100, rng=np.random.default_rng(1), draws=500)
    new_applied, new_not = 3 / 90 * 0.5, 3 / 90 * 1.5
    assert got.point == pytest.approx(1 - (1 + 1 / 3 + new_applied) / (3 + new_applied + new_not))
    assert got.point == pytest.approx(103 / 184)
    assert set(np.round(got.values, 6)) <= {round(1 - a / t, 6) for t in range(3, 9) for a in range(1, t + 1)}
    # nothing to go by: no judgment whose observation ended in the last year
    assert compliance_draws(np.array([3]), np.array([np.nan]), 6, 2, 100, np.random.default_rng(1), 10) is None


def test_entrust_projection_known_answer():
    from metrics.engine.forecast_stock import entrust_draws

    # Reference (deadline in the last 90 days), 办理期限 30: answered after 10, 29 and 40 days, and never.
    # An open entrustment with 5 days left: of those unanswered 5 days before the deadline (day 25: the ones
    # answered after 29 and 40 days and the unanswered one), 1 of 3 was answered in time → 1/3.
    ages = np.array([60, 60, 60, 60,  # reference, sent 60 days ago (deadline 30 days ago)
                     25,  # in the phase, open, 5 days left
                     5,  # in the phase, open, 25 days left: due on the phase end itself
                     8,  # in the phase, answered after 3 days: on time, due in 22 days
                     4])  # in the phase, open, 26 days left: due after the phase end, not counted
    due = np.array([30] * 8)
    fb = np.array([10, 29, 40, np.nan, np.nan, np.nan, 3, np.nan])
    got = entrust_draws(ages, due, fb, since_start=30, n=25, rng=np.random.default_rng(1), draws=500)
    # Nothing of the phase is due at D. Due in the 25 days left: the answered one (on time), the one with 5 days
    # left (1/3) and the one with 25 days left: of the reference unanswered 25 days before the deadline (day 5:
    # all four), 2 were answered in time → 1/2. New ones (sent after D, due by the phase end) need 办理期限 ≤ 24:
    # none in the last 90 days.
    assert got.point == pytest.approx((1 + 1 / 3 + 1 / 2) / 3)
    assert set(np.round(got.values, 6)) <= {round(1 / 3, 6), round(2 / 3, 6), 1.0}
    # 办理期限 10 for the last three: they come due in the 25 days left (5 days left: 1/3 — of the reference
    # unanswered on day 25 of 30, one of three answered in time; 8: answered, on time; 4: 6 days left: 1/3), and
    # the last 90 days' intake now has 3 entrustments of 10 days: each of the 25 days left sends 3/90 of them,
    # due by the phase end when sent on one of the first 15 days → 15 × 3/90 = 0.5 new ones, on time with the
    # reference share 2/4.
    due10 = np.array([30, 30, 30, 30, 30, 10, 10, 10])
    got10 = entrust_draws(ages, due10, fb, since_start=30, n=25, rng=np.random.default_rng(1), draws=500)
    assert got10.point == pytest.approx((1 / 3 + 1 / 3 + 1 + 1 / 3 + 0.5 * 0.5) / (4 + 0.5))


def test_record_by_record_projections_through_the_database(engine):
    """The same answers from SQL: judgments with their applications, entrustments, on every backend."""
    insert(engine, "judgments", [
        *[dict(doc_no=f"r{i}", court="测试法院", effective_date=ago(200), has_payment=True) for i in range(4)],
        dict(doc_no="j1", court="测试法院", effective_date=ago(3), has_payment=True),
        dict(doc_no="j2", court="测试法院", effective_date=ago(2), has_payment=True),
        dict(doc_no="j3", court="测试法院", effective_date=ago(6), has_payment=True),
    ])
    insert(engine, "cases", [
        dict(case_no="x0", filing_date=ago(200), basis_doc_no="r0"),
        dict(case_no="x1", filing_date=ago(197), basis_doc_no="r1"),
        dict(case_no="x2", filing_date=ago(195), basis_doc_no="r2"),
        dict(case_no="y1", filing_date=ago(1), basis_doc_no="j1"),
    ])
    insert(engine, "entrustments", [
        *[dict(entrust_id=f"e{i}", direction="收到", sent_date=ago(60),
               feedback_date=None if f is None else ago(60 - f)) for i, f in enumerate((10, 29, 40, None))],
        dict(entrust_id="o5", direction="收到", sent_date=ago(5), due_days=10),  # in the phase, 5 days left
        dict(entrust_id="o10", direction="收到", sent_date=ago(2), due_days=12),  # in the phase, 10 days left
        dict(entrust_id="late_fb", direction="收到", sent_date=ago(3), due_days=14,
             feedback_date=ago(-3)),  # its feedback lies after D: open; due after the phase end
        dict(entrust_id="before", direction="收到", sent_date=ago(7), due_days=10),  # sent before the phase
    ])
    phases = (make_config().phases[0], dataclasses.replace(make_config().phases[1], start=d("2025-03-15")))
    config = dataclasses.replace(make_config(phases, judgment_observation_days=100),
                                 targets={"voluntary_compliance_rate": Target("higher", 0.5),
                                          "entrust_on_time_rate": Target("higher", 0.95)})
    with engine.connect() as conn:
        got = {p.key: p for p in project_phase(conn, config, "p1", D)}
    comp = got["voluntary_compliance_rate"]
    # as the pure test (j1 applied after 2 days, j2/j3 open; the phase began 6 days before D) with 10 days left:
    # j2 applied with (F(12) − F(2)) / (1 − F(2)) = 2/3, j3 with 0; new ones 3/90 a day, applied with
    # F(9), …, F(0) = 5 × 3/4 + 2 × 2/4 + 3 × 1/4 = 5.5 of 10
    new_applied, new_not = 3 / 90 * 5.5, 3 / 90 * 4.5
    assert comp.so_far == pytest.approx(2 / 3)
    assert comp.projected == pytest.approx(1 - (1 + 2 / 3 + new_applied) / (3 + new_applied + new_not))
    assert comp.projected == pytest.approx(0.445)
    ent = got["entrust_on_time_rate"]
    assert ent.so_far is None  # nothing due in the phase yet
    # the two open ones due in the 10 days left (5 and 10 days left), each answered in time with 1/3 (of the
    # reference unanswered 5 or 10 days before its deadline: 29, 40 days and never, one in time); late_fb and
    # before are not counted
    assert ent.projected == pytest.approx(1 / 3)
    assert ent.low == 0 and ent.high == 1 and ent.status == "risk"


def test_not_projectable_ones_say_why(engine):
    insert(engine, "cases", STOCK_CASES)
    config = config_with(cycle_km_median=("lower", 90), disposition_days=("lower", 100))
    got = project(engine, config)
    km = got["cycle_km_median"]
    assert km.projected is None and km.status is None and km.status_text == "暂不预判"
    assert km.note.startswith("暂不预判：") and "半数结案用时" in km.note
    assert got["disposition_days"].status_text == "暂不预判"
    # a phase with more than a year left: the 超12个月 projection is not made, and says so
    long = (make_config().phases[0], Phase("p1", "长阶段", d("2025-03-01"), d("2026-06-30")))
    config = dataclasses.replace(make_config(long), targets={"pending_over_12m": Target("lower", 0)})
    with engine.connect() as conn:
        (p,) = project_phase(conn, config, "p1", D)
    assert p.projected is None and "365" in p.note


def test_not_projectable_rows_in_the_table_and_the_docx(engine):
    from docx import Document

    from metrics.present.forecast_docx import add_forecast_docx
    from ui.pace import forecast_frame

    insert(engine, "cases", STOCK_CASES)
    config = config_with(cycle_km_median=("lower", 90), pending_over_12m=("lower", 0))
    with engine.connect() as conn:
        rows = project_phase(conn, config, "p1", D)
    frame = forecast_frame(rows).set_index("指标")
    assert frame.loc["半数结案用时(天)", "预判"] == "暂不预判"
    assert frame.loc["半数结案用时(天)", "预计阶段末"] == "—" and frame.loc["半数结案用时(天)", "区间(95%)"] == "—"
    assert frame.loc["超12个月未结数", "预判"] == "难以达标"
    doc = Document()
    assert add_forecast_docx(doc, engine, config, D)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "半数结案用时(天)：半数结案用时的立案队列在阶段末前仍在增加" in text
    assert "难以达标1项（超12个月未结数）" in text and "逐件按最近90天同案龄段" in text
