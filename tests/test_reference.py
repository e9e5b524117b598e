"""An independent, row-by-row Python reading of SPEC section 4, checked against the SQL engine on the sample data.

Nothing here reuses the engine's conditions: the rows are read as they are and every definition is written out
again from the specification text. Values must agree exactly (same float operations in the same order).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from statistics import median

from sqlalchemy import select

from metrics.config import load_config
from metrics.engine.compute import compute_many
from metrics.engine.db import build_sample
from metrics.engine.schema import auctions, cases, entrustments, judgments, measures
from metrics.engine.windows import phase_windows

ANALYTICS_BACKENDS = True  # also on a DuckDB store and with analytics: duckdb (tests/conftest.py)

AS_OF_DATES = [dt.date(2026, 10, 31), dt.date(2025, 7, 15)]
MEASURE_TYPES = {"measure_search": "搜查", "measure_summons": "拘传", "measure_fine": "罚款",
                 "measure_detention": "司法拘留", "measure_crime_referral": "移送拒执罪",
                 "measure_blacklist": "纳入失信", "measure_consumption_ban": "限制消费"}


def ratio(n, d):
    return None if not d else float(n) / float(d)


def km_median(cohort, as_of, is_T) -> float | None:
    """Kaplan–Meier median of the filing cohort, written out naively (the issue's definition)."""
    obs = []
    for c in cohort:
        closed = c.closing_date is not None and c.closing_date <= as_of
        end = c.closing_date if closed else as_of
        obs.append((max((end - c.filing_date).days - c.suspended_days, 0), closed and not is_T(c)))
    s = 1.0
    for t in sorted({t for t, _ in obs}):
        n = sum(1 for u, _ in obs if u >= t)
        deaths = sum(1 for u, e in obs if u == t and e)
        s *= 1 - deaths / n
        if s <= 0.5 + 1e-12:
            return float(t)
    return None


def reference(rows, config, start, end, as_of) -> dict[str, float | int | None]:
    """SPEC section 4 for the window [start, end] (already clamped to as_of), written out naively."""
    p = config.parameters
    cs, js, aus, ms, es = rows
    e = end
    in_w = lambda day: day is not None and start <= day <= e  # noqa: E731
    S = [c for c in cs if c.case_type in p.scope_case_types and c.filing_date <= as_of]

    def closed_by(c, day):
        return c.closing_date is not None and c.closing_date <= day

    def is_T(c):
        return c.closing_method == "终结执行" and c.closing_reason in p.transfer_reasons

    def pending_at(day):
        return [c for c in S if c.filing_date <= day and not closed_by(c, day)]

    def days(c):
        return max((c.closing_date - c.filing_date).days - c.suspended_days, 0)

    C = [c for c in S if not is_T(c) and in_w(c.closing_date)]
    T = [c for c in S if is_T(c) and in_w(c.closing_date)]
    filed = [c for c in S if in_w(c.filing_date)]
    money = [c for c in C if c.applied_amount > 0]
    zb = [c for c in C if c.closing_method == "终结本次执行程序"]
    zb_rev = [c for c in zb if c.zhongben_review in ("合格", "不合格")]
    actual = [c for c in C if c.closing_method in p.actual_closure_methods]
    before = pending_at(start - dt.timedelta(days=1))
    pend = pending_at(e)
    old = [c for c in pend if (e - c.filing_date).days > 365]
    d = [days(c) for c in C]
    cross = [c for c in C if c.cross_role == "承接"]
    cross_money = [c for c in cross if c.applied_amount > 0]
    out = {
        "filed_count": len(filed), "closed_count": len(C), "transferred_out_count": len(T),
        "completion_rate": ratio(sum(c.closing_method == "执行完毕" for c in C), len(C)),
        "recovery_rate": ratio(sum((c.recovered_amount for c in money), Decimal(0)),
                               sum((c.applied_amount for c in money), Decimal(0))),
        "actual_closure_share": ratio(len(actual), len(C)),
        "actual_closure_rate": ratio(len(actual), len(before) + len(filed)),
        "zhongben_rate": ratio(len(zb), len(C)),
        "zhongben_qualified_rate": ratio(sum(c.zhongben_review == "合格" for c in zb_rev), len(zb_rev)),
        "cycle_days_mean": ratio(sum(d), len(d)),
        "cycle_days_median": float(median(d)) if d else None,
        "on_time_rate": ratio(sum(x <= p.statutory_days for x in d), len(C)),
        "clearance_rate": ratio(len(C) + len(T), len(filed)),
        "pending_end": len(pend), "pending_over_12m": len(old),
        "pending_over_12m_share": ratio(len(old), len(pend)),
        "disposition_days": None if not (len(C) + len(T)) else len(pend) / (len(C) + len(T)) * ((e - start).days + 1),
        "cross_received_count": sum(c.cross_role == "承接" and in_w(c.filing_date) for c in S),
        "cross_sent_count": sum(c.cross_role == "交出" and in_w(c.closing_date) for c in S),
        "cross_completion_rate": ratio(sum(c.closing_method == "执行完毕" for c in cross), len(cross)),
        "cross_recovery_rate": ratio(sum((c.recovered_amount for c in cross_money), Decimal(0)),
                                     sum((c.applied_amount for c in cross_money), Decimal(0))),
    }
    out["cycle_km_median"] = km_median(filed, as_of, is_T)
    J = [j for j in js if j.has_payment and in_w(j.effective_date)]
    first = {}
    for c in cs:
        if c.case_type == "首次执行" and c.basis_doc_no and c.filing_date <= as_of:
            first.setdefault(c.basis_doc_no, []).append(c.filing_date)
    applied = [j for j in J if any(f <= j.effective_date + dt.timedelta(days=p.judgment_observation_days)
                                   for f in first.get(j.doc_no, []))]
    out["voluntary_compliance_rate"] = None if not J else 1 - len(applied) / len(J)
    R = [a for a in aus if in_w(a.end_date) and a.result in ("成交", "流拍")]
    deals = [a for a in R if a.result == "成交"]
    appraised = [a for a in deals if a.appraisal_price is not None and a.appraisal_price > 0]
    out["auction_deal_rate"] = ratio(len(deals), len(R))
    out["auction_premium_rate"] = ratio(sum((a.deal_price - a.start_price for a in deals), Decimal(0)),
                                        sum((a.start_price for a in deals), Decimal(0)))
    out["auction_realization_rate"] = ratio(sum((a.deal_price for a in appraised), Decimal(0)),
                                            sum((a.appraisal_price for a in appraised), Decimal(0)))
    for key, kind in MEASURE_TYPES.items():
        out[key] = sum(m.persons for m in ms if m.measure_type == kind and in_w(m.measure_date))
    out["measure_fine_amount"] = float(sum((m.amount or 0 for m in ms if m.measure_type == "罚款"
                                            and in_w(m.measure_date)), Decimal(0)))
    E = [x for x in es if x.direction == "收到" and in_w(x.sent_date)
         and x.sent_date + dt.timedelta(days=x.due_days) <= as_of]
    on_time = [x for x in E if x.feedback_date is not None and x.feedback_date <= as_of
               and (x.feedback_date - x.sent_date).days <= x.due_days]
    out["entrust_on_time_rate"] = ratio(len(on_time), len(E))
    return out


def test_engine_agrees_with_reference_on_sample(engine):
    """On SQLite and on every server in TEST_DATABASE_URLS: the same numbers, to the last digit."""
    config = load_config()
    build_sample(engine, config)
    with engine.connect() as conn:
        rows = tuple(list(conn.execute(select(t))) for t in (cases, judgments, auctions, measures, entrustments))
        checked = 0
        for as_of in AS_OF_DATES:
            windows = phase_windows(config, as_of)
            for w, r in zip(windows, compute_many(conn, config, windows), strict=True):
                if w.empty:
                    assert all(v.value is None for v in r.values.values())
                    continue
                expected = reference(rows, config, w.start, w.end, as_of)
                assert set(expected) == set(r.values)
                for key, value in expected.items():
                    assert r.values[key].value == value, (as_of, w.key, key)
                    checked += 1
    assert checked >= 5 * 34
