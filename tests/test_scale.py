"""The single-pass computation equals the per-window definitions, on fixtures crowded around window boundaries.

For every window and every measure, the "old" definition is the measure's whole condition for that one window
(Measure.condition: window part and row part, the judgment link as the correlated EXISTS) summed over the rows of
base_conditions — one window at a time, exactly as the indicators were computed before the single pass. The new
path (compute_many) assigns each row to its window once; both must agree exactly, medians' days included.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy import case, func, literal, select

from metrics.engine.compute import _as_number, breakdown, compute_many
from metrics.engine.filters import Filters
from metrics.engine.indicators import MEASURES, SOURCE_TABLES, Ctx, base_conditions, case_days, closed_cohort
from metrics.engine.schema import cases
from metrics.engine.windows import clamp, month_windows
from tests.conftest import d, insert, make_config

ANALYTICS_BACKENDS = True  # also on a DuckDB store and with analytics: duckdb (tests/conftest.py)

AS_OF = d("2025-06-30")
SPANS = [("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-02-28"), ("2025-03-01", "2025-12-31"),
         ("2024-12-15", "2025-01-15"), ("2025-03-01", "2025-03-01"), ("2025-06-30", "2025-07-31"),
         ("2025-08-01", "2025-08-31")]  # overlapping, one day, clamped at the as-of date, not begun


def windows():
    out = [clamp(f"w{i}", f"窗口{i}", d(s), d(e), AS_OF) for i, (s, e) in enumerate(SPANS)]
    return out + month_windows(d("2024-11-01"), AS_OF, AS_OF)


def key_days() -> list[dt.date]:
    days = {d("2022-05-01")}
    for w in windows():
        for base in (w.start, w.end):
            for delta in (-366, -365, -364, -1, 0, 1):
                days.add(base + dt.timedelta(days=delta))
    return sorted(days)


def build(engine, seed: int = 11) -> None:
    rng = random.Random(seed)
    days = key_days()
    methods = ["执行完毕", "终结本次执行程序", "终结执行", "销案", "不予执行"]
    rows = []
    for i in range(260):
        filing = rng.choice(days)
        later = [x for x in days if x >= filing] + [filing + dt.timedelta(days=400), AS_OF + dt.timedelta(days=3)]
        closing = None if rng.random() < 0.3 else rng.choice(later)
        method = rng.choice(methods) if closing else None
        reasons = ["指定执行", "提级执行", "申请人撤回申请", None]
        applied = rng.choice([0, 0, 1000, 2500.5])
        rows.append(dict(
            case_no=f"k{i}", case_type=rng.choice(["首次执行"] * 5 + ["恢复执行"]), filing_date=filing,
            closing_date=closing, closing_method=method,
            closing_reason=rng.choice(reasons) if method == "终结执行" else None,
            applied_amount=Decimal(str(applied)), recovered_amount=Decimal(str(applied)) / 2,
            team=rng.choice(["一队", "二队"]), tags=rng.choice([None, "涉企", "涉民生、涉企"]),
            cross_role=rng.choice([None, None, "承接", "交出"]), suspended_days=rng.choice([0, 0, 5, 400]),
            zhongben_review=rng.choice(["合格", "不合格", None]) if method == "终结本次执行程序" else None))
    judgments, basis = [], []
    for j in range(40):
        effective = rng.choice(days)
        judgments.append(dict(doc_no=f"J{j}", court=rng.choice(["测试法院", "他院"]), effective_date=effective,
                              has_payment=rng.random() < 0.9, doc_kind="判决"))
        for k in range(rng.randrange(0, 3)):
            filing = effective + dt.timedelta(days=rng.choice([-5, 0, 179, 180, 181, 30]))
            basis.append(dict(case_no=f"b{j}-{k}", filing_date=filing, basis_doc_no=f"J{j}",
                              case_type=rng.choice(["首次执行", "首次执行", "恢复执行"]), team="一队"))
    numbers = [r["case_no"] for r in rows]
    auctions = [dict(auction_id=f"a{i}", case_no=rng.choice(numbers), end_date=rng.choice(days),
                     result=(res := rng.choice(["成交", "流拍", "撤回"])), start_price=Decimal("100"),
                     deal_price=Decimal("130") if res == "成交" else None,
                     appraisal_price=rng.choice([None, Decimal("0"), Decimal("150")]), asset_type="房产")
                for i in range(40)]
    measures = [dict(measure_id=f"m{i}", case_no=rng.choice(numbers), measure_date=rng.choice(days),
                     measure_type=rng.choice(["罚款", "司法拘留", "限制消费"]), persons=rng.choice([1, 2]),
                     amount=Decimal("500")) for i in range(40)]
    entrustments = []
    for i in range(40):
        sent = rng.choice(days)
        entrustments.append(dict(
            entrust_id=f"e{i}", direction=rng.choice(["收到", "收到", "发出"]), sent_date=sent, due_days=30,
            feedback_date=rng.choice([None, sent + dt.timedelta(days=30), sent + dt.timedelta(days=31),
                                      AS_OF + dt.timedelta(days=1)])))
    insert(engine, "cases", rows + basis)
    insert(engine, "judgments", judgments)
    insert(engine, "auctions", auctions)
    insert(engine, "measures", measures)
    insert(engine, "entrustments", entrustments)


def old_measures(conn, config, w, filters: Filters) -> dict:
    """Every measure of one window by its whole per-window condition (the definition before the single pass)."""
    ctx = Ctx.for_dates(w.start, w.end, w.as_of, config.parameters)
    out = {}
    for source, table in SOURCE_TABLES.items():
        items = [m for m in MEASURES.values() if m.source == source]
        stmt = (select(*[func.sum(case((m.condition(ctx), literal(1) if m.value is None else m.value(ctx)),
                                       else_=0)) for m in items])
                .select_from(table).where(*base_conditions(source, ctx, filters)))
        row = conn.execute(stmt).one()
        out.update({m.key: _as_number(v, m) for m, v in zip(items, row, strict=True)})
    return out


def old_days(conn, config, w, filters: Filters) -> list[int]:
    ctx = Ctx.for_dates(w.start, w.end, w.as_of, config.parameters)
    stmt = select(case_days()).where(*base_conditions("cases", ctx, filters), closed_cohort(ctx))
    return sorted(int(v) for (v,) in conn.execute(stmt))


FILTERS = [Filters(), Filters(teams=("一队",), tags=("涉企",)), Filters(court="他院")]


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "team_tag", "court"])
def test_single_pass_equals_per_window_definitions(engine, filters):
    build(engine)
    config = make_config()
    ws = windows()
    with engine.connect() as conn:
        results = compute_many(conn, config, ws, filters)
        checked = 0
        for w, r in zip(ws, results, strict=True):
            if w.empty:
                assert all(v is None for v in r.measures.values())
                continue
            assert r.measures == old_measures(conn, config, w, filters), w.key
            assert r.durations == old_days(conn, config, w, filters), w.key
            checked += 1
        assert checked == len(ws) - 1
        # The fixtures do reach every kind of measure (a test that could not fail would prove nothing).
        first = results[0].measures
        for key in ("filed", "closed", "transferred", "pending_start", "pending_end", "pending_over_12m",
                    "judgments_applied", "auction_deals", "entrust_on_time") if filters == Filters() else ():
            assert first[key], key


def test_subsets_of_indicators_equal_the_whole(engine):
    """Asking for one indicator (a trend chart) gives the same numbers as computing everything."""
    build(engine)
    config = make_config()
    ws = windows()
    with engine.connect() as conn:
        whole = compute_many(conn, config, ws)
        for key in ("completion_rate", "pending_over_12m_share", "actual_closure_rate", "cycle_days_median",
                    "voluntary_compliance_rate", "filed_count"):
            part = compute_many(conn, config, ws, keys=(key,))
            assert [p[key] for p in part] == [r[key] for r in whole], key


def test_breakdown_by_team_equals_a_team_filter(engine):
    build(engine)
    config = make_config()
    w = clamp("c", "窗口", d("2025-01-01"), d("2025-12-31"), AS_OF)
    with engine.connect() as conn:
        groups = breakdown(conn, config, w, cases.c.team)
        assert set(groups) == {"一队", "二队"}
        for team, r in groups.items():
            whole = old_measures(conn, config, w, Filters(teams=(team,)))
            asked = {k: v for k, v in r.measures.items() if v is not None}  # the case indicators' measures
            assert asked and all(MEASURES[k].source == "cases" for k in asked)
            assert asked == {k: whole[k] for k in asked}
            assert r.durations == old_days(conn, config, w, Filters(teams=(team,)))
