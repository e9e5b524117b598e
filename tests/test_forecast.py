"""预判 on constructed data with a known answer (phase 2025-03-01 … 03-31, 统计日 03-21: 10 days left)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from metrics.config import Target
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


def test_only_additive_indicators_with_targets_are_projected():
    config = config_with(completion_rate=("higher", 0.5), pending_over_12m=("lower", 0),
                         entrust_on_time_rate=("higher", 0.9), cycle_km_median=("lower", 90),
                         filed_count=("none", None))
    assert targeted_keys(config) == ("completion_rate",)


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
