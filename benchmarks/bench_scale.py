"""Benchmark at province scale: the engine's figures beside a hand-written single-pass DuckDB query. Asserts equal
numbers; prints timings (minimum of --repeat interleaved runs) and their ratio to the reference. Not a test.

    python benchmarks/bench_scale.py                                   # 1,000,000 cases: SQLite, DuckDB, analytics
    python benchmarks/bench_scale.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale --import
    python benchmarks/bench_scale.py --cases 5000                      # district scale

The data (benchmarks/scale_data.py) are generated once and cached in benchmarks/.cache/ with the SQLite and
DuckDB stores; a --pg database is emptied and loaded once (marked, then reused), so never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
import scale_data  # noqa: E402

from metrics.config import load_config  # noqa: E402
from metrics.engine.analytics import analytics_copy, drop_copies  # noqa: E402
from metrics.engine.db import get_engine  # noqa: E402
from metrics.engine.filters import Filters  # noqa: E402
from metrics.engine.service import Dashboard  # noqa: E402
from metrics.engine.windows import month_windows, phase_windows, same_period_last_year  # noqa: E402

AS_OF = scale_data.AS_OF
TEAM = Filters(teams=("执行一团队",))
# The measures the reference computes (the case and judgment measures: the benchmark data have no others).
REFERENCE_MEASURES = ("filed", "closed", "transferred", "completed", "actual", "zhongben", "zhongben_qualified",
                      "zhongben_reviewed", "monetary_closed", "recovered_sum", "applied_sum", "days_sum", "on_time",
                      "pending_start", "pending_end", "pending_over_12m", "cross_received", "cross_sent",
                      "cross_closed", "cross_completed", "judgments_total", "judgments_applied")


# ---- the reference: hand-written DuckDB SQL, one pass per window set --------------------------------------

def _window_values(windows) -> str:
    return ", ".join(f"({i}, DATE '{w.start}', DATE '{w.end}')" for i, w in enumerate(windows))


def reference_set(con, config, windows) -> dict[int, dict]:
    """All REFERENCE_MEASURES and the median for a set of non-overlapping windows, in one statement.

    Rows are put in windows by joining their dates to a day → window calendar; pending counts come from a
    (filing day ≤ point?, closing day > point?) grid of the points each window needs; medians from DuckDB's
    median() (the mean of the middle pair for an even count); the judgment link is a join to each judgment's
    earliest 首次执行 basis case.
    """
    p = config.parameters
    scope = ", ".join(f"'{t}'" for t in p.scope_case_types)
    reasons = ", ".join(f"'{r}'" for r in p.transfer_reasons)
    actual = ", ".join(f"'{m}'" for m in p.actual_closure_methods)
    sql = f"""
    WITH w(wid, ws, we) AS (VALUES {_window_values(windows)}),
    cal AS (SELECT CAST(g AS DATE) AS day, wid FROM w, generate_series(ws, we, INTERVAL 1 DAY) t(g)),
    c AS (SELECT filing_date, closing_date, closing_method, cross_role, zhongben_review, applied_amount,
                 recovered_amount,
                 GREATEST(date_diff('day', filing_date, closing_date) - suspended_days, 0) AS days,
                 COALESCE(closing_method = '终结执行' AND COALESCE(closing_reason, '') IN ({reasons}), FALSE) AS t
          FROM cases WHERE case_type IN ({scope})),
    closing AS (
      SELECT k.wid,
        count(*) FILTER (WHERE NOT t) AS closed, count(*) FILTER (WHERE t) AS transferred,
        count(*) FILTER (WHERE NOT t AND closing_method = '执行完毕') AS completed,
        count(*) FILTER (WHERE NOT t AND closing_method IN ({actual})) AS actual,
        count(*) FILTER (WHERE NOT t AND closing_method = '终结本次执行程序') AS zhongben,
        count(*) FILTER (WHERE NOT t AND closing_method = '终结本次执行程序' AND zhongben_review = '合格')
          AS zhongben_qualified,
        count(*) FILTER (WHERE NOT t AND closing_method = '终结本次执行程序' AND zhongben_review IN ('合格', '不合格'))
          AS zhongben_reviewed,
        count(*) FILTER (WHERE NOT t AND applied_amount > 0) AS monetary_closed,
        COALESCE(sum(recovered_amount) FILTER (WHERE NOT t AND applied_amount > 0), 0) AS recovered_sum,
        COALESCE(sum(applied_amount) FILTER (WHERE NOT t AND applied_amount > 0), 0) AS applied_sum,
        COALESCE(sum(days) FILTER (WHERE NOT t), 0) AS days_sum,
        count(*) FILTER (WHERE NOT t AND days <= {p.statutory_days}) AS on_time,
        count(*) FILTER (WHERE cross_role = '交出') AS cross_sent,
        count(*) FILTER (WHERE NOT t AND cross_role = '承接') AS cross_closed,
        count(*) FILTER (WHERE NOT t AND cross_role = '承接' AND closing_method = '执行完毕') AS cross_completed,
        median(days) FILTER (WHERE NOT t) AS median_days
      FROM c JOIN cal k ON k.day = c.closing_date GROUP BY k.wid),
    filing AS (
      SELECT k.wid, count(*) AS filed, count(*) FILTER (WHERE cross_role = '承接') AS cross_received
      FROM c JOIN cal k ON k.day = c.filing_date GROUP BY k.wid),
    points AS (  -- the days whose pending counts are needed: before each window, its end, its end − 366
      SELECT wid, ws - 1 AS f_day, ws - 1 AS c_day, 'pending_start' AS what FROM w
      UNION ALL SELECT wid, we, we, 'pending_end' FROM w
      UNION ALL SELECT wid, we - 366, we, 'pending_over_12m' FROM w),
    cuts AS (SELECT DISTINCT d FROM (SELECT f_day AS d FROM points UNION SELECT c_day FROM points)),
    ranked AS (SELECT d, row_number() OVER (ORDER BY d) AS r FROM cuts),
    grid AS (  -- cases by (first cut day ≥ filing, first cut day ≥ closing); 10**9 = never closed
      SELECT f.r AS fr, COALESCE(k.r, 1000000000) AS cr, count(*) AS n
      FROM c ASOF JOIN ranked f ON c.filing_date <= f.d
             ASOF LEFT JOIN ranked k ON c.closing_date <= k.d
      GROUP BY ALL),
    pending AS (
      SELECT p.wid, p.what, COALESCE(sum(g.n), 0) AS n
      FROM points p JOIN ranked rf ON rf.d = p.f_day JOIN ranked rc ON rc.d = p.c_day
      LEFT JOIN grid g ON g.fr <= rf.r AND g.cr > rc.r
      GROUP BY ALL),
    link AS (SELECT basis_doc_no AS doc_no, min(filing_date) AS first_filing FROM cases
             WHERE case_type = '首次执行' AND filing_date <= DATE '{AS_OF}' GROUP BY basis_doc_no),
    judged AS (
      SELECT k.wid, count(*) AS judgments_total,
             count(*) FILTER (WHERE date_diff('day', j.effective_date, l.first_filing)
                              <= {p.judgment_observation_days}) AS judgments_applied
      FROM judgments j JOIN cal k ON k.day = j.effective_date LEFT JOIN link l ON l.doc_no = j.doc_no
      WHERE j.has_payment GROUP BY k.wid)
    SELECT w.wid, closing.*, filing.*, judged.*,
           (SELECT n FROM pending q WHERE q.wid = w.wid AND q.what = 'pending_start') AS pending_start,
           (SELECT n FROM pending q WHERE q.wid = w.wid AND q.what = 'pending_end') AS pending_end,
           (SELECT n FROM pending q WHERE q.wid = w.wid AND q.what = 'pending_over_12m') AS pending_over_12m
    FROM w LEFT JOIN closing USING (wid) LEFT JOIN filing USING (wid) LEFT JOIN judged USING (wid)
    """
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    out = {}
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        out[rec["wid"]] = {k: (rec.get(k) or 0) for k in REFERENCE_MEASURES} | {"median": rec["median_days"]}
    return out


def reference_months(con, config, windows) -> dict[int, tuple[int, int]]:
    """completion_rate per month (completed, closed): one GROUP BY month."""
    p = config.parameters
    scope = ", ".join(f"'{t}'" for t in p.scope_case_types)
    reasons = ", ".join(f"'{r}'" for r in p.transfer_reasons)
    rows = con.execute(f"""
        SELECT date_trunc('month', closing_date) AS m, count(*) FILTER (WHERE closing_method = '执行完毕'),
               count(*)
        FROM cases WHERE case_type IN ({scope}) AND closing_date BETWEEN DATE '{windows[0].start}'
              AND DATE '{windows[-1].end}'
              AND NOT COALESCE(closing_method = '终结执行' AND COALESCE(closing_reason, '') IN ({reasons}), FALSE)
        GROUP BY 1""").fetchall()
    by_month = {(m.year, m.month): (int(a), int(b)) for m, a, b in rows}
    return {i: by_month.get((w.start.year, w.start.month), (0, 0)) for i, w in enumerate(windows)}


def reference_overview(con, config):
    phases = [w for w in phase_windows(config, AS_OF) if not w.empty]
    last_year = [y for y in (same_period_last_year(w) for w in phases)  # as Dashboard.last_year_results
                 if not y.empty and y.start >= config.data_complete_from]
    months = month_windows(min(p.start for p in config.phases), AS_OF, AS_OF)
    return (reference_set(con, config, phases), reference_set(con, config, last_year),
            reference_months(con, config, months))


# ---- the engine ------------------------------------------------------------------------------------------

def overview(board: Dashboard):
    return (board.phase_results(AS_OF), board.last_year_results(AS_OF),
            board.monthly_results(AS_OF, keys=("completion_rate",)))


def check(engine_overview, reference) -> None:
    """The engine's numbers equal the reference's (phases, 同比 windows, the monthly trend)."""
    phases, last_year, months = engine_overview
    ref_phases, ref_last_year, ref_months = reference
    for results, ref in ((list(phases.values()), ref_phases), (list(last_year.values()), ref_last_year)):
        live = [r for r in results if not r.window.empty]
        for i, r in enumerate(live):
            for key in REFERENCE_MEASURES:
                mine, theirs = r.measures[key], ref[i][key]
                theirs = Decimal(str(theirs)).quantize(Decimal("0.01")) if isinstance(mine, Decimal) else theirs
                assert mine == theirs, (r.window.key, key, mine, theirs)
            median = r["cycle_days_median"].value
            assert (median is None and ref[i]["median"] is None) or float(median) == float(ref[i]["median"]), \
                (r.window.key, median, ref[i]["median"])
    for i, r in enumerate(months):
        assert (r.measures["completed"], r.measures["closed"]) == ref_months[i], (r.window.key, ref_months[i])


def timed(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--pg", help="SQLAlchemy URL of a scratch PostgreSQL database (emptied and loaded once)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated store labels to run (default: all)")
    parser.add_argument("--import", dest="do_import", action="store_true",
                        help="also time the import of a cases CSV of --cases rows (slow)")
    args = parser.parse_args()

    config = load_config()
    t = time.perf_counter()
    scale_data.generate(args.cases)
    stores = {"SQLite": f"sqlite:///{scale_data.CACHE}/bench-{args.cases}.db",
              "DuckDB store": f"duckdb:///{scale_data.CACHE}/bench-{args.cases}.duckdb"}
    if args.pg:
        stores["PostgreSQL"] = args.pg
    engines = {}
    for label, url in stores.items():
        engines[label] = get_engine(url)  # as the app opens it (PostgreSQL without JIT, DuckDB quiet)
        scale_data.load(engines[label], args.cases)
    print(f"{args.cases:,} cases ready in {time.perf_counter() - t:.1f} s; load average {os.getloadavg()[0]:.1f}")

    runs = {}  # label → Dashboard
    for label, engine in engines.items():
        runs[label] = Dashboard(engine, replace(config, analytics="database"))
    cache = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    for label in ("SQLite", "PostgreSQL"):
        if label in engines:
            runs[f"{label} + analytics duckdb"] = Dashboard(engines[label],
                                                            replace(config, analytics="duckdb", analytics_cache=cache))
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        runs = {k: v for k, v in runs.items() if k in wanted}

    # The analytics copies: first build timed, with the process's peak memory so far.
    for label, board in runs.items():
        if board.config.analytics == "duckdb":
            drop_copies()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            copy = analytics_copy(board.engine, cache)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(f"{label:<34} analytics copy refresh {copy.seconds:7.2f} s   peak RSS {peak / 1024:.0f} MB"
                  f" (before {before / 1024:.0f} MB)")

    # The reference reads its own copy of the DuckDB store (one process cannot open a file twice differently).
    ref_path = scale_data.CACHE / f"bench-{args.cases}-reference.duckdb"
    if not ref_path.exists():
        engines["DuckDB store"].dispose()
        shutil.copyfile(scale_data.CACHE / f"bench-{args.cases}.duckdb", ref_path)
    ref_con = duckdb.connect(str(ref_path), read_only=True)
    tasks = {
        "overview set": (overview, lambda: reference_overview(ref_con, config)),
        "all indicators x 34 months": (lambda b: b.monthly_results(AS_OF), None),
        "4 phases, one team": (lambda b: b.phase_results(AS_OF, TEAM), None),
    }
    ref_time, reference = timed(lambda: reference_overview(ref_con, config), args.repeat)
    print(f"{'reference (hand-written DuckDB)':<34} overview set {ref_time:7.3f} s")
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeat):  # interleaved: every store once per round
        for task, (fn, _ref) in tasks.items():
            for label, board in runs.items():
                t = time.perf_counter()
                result = fn(board)
                elapsed = time.perf_counter() - t
                best[(task, label)] = min(best.get((task, label), float("inf")), elapsed)
                if task == "overview set":
                    check(result, reference)
    print(f"\n{'task':<28} {'store':<34} {'seconds':>8} {'× reference':>12}")
    for (task, label), seconds in best.items():
        ratio = f"{seconds / ref_time:10.1f}×" if task == "overview set" else ""
        print(f"{task:<28} {label:<34} {seconds:8.3f} {ratio:>12}")
    print("overview numbers equal to the reference on every store: yes")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores, shared)")

    if args.do_import:
        from metrics.ingest.importer import import_files

        csv_path = write_cases_csv(args.cases)
        for label in ("SQLite", "PostgreSQL"):
            if label not in stores:
                continue
            url = stores[label] if label == "PostgreSQL" else f"sqlite:///{tempfile.mkdtemp()}/import.db"
            target = get_engine(url)
            from metrics.engine.schema import metadata

            metadata.drop_all(target)
            metadata.create_all(target)
            t = time.perf_counter()
            import_files(target, [csv_path], config.court_name, config.parameters.transfer_reasons)
            print(f"import of {args.cases:,} cases (CSV, validated) into {label}: {time.perf_counter() - t:.1f} s")
            if label == "PostgreSQL":
                scale_data.load(target, args.cases)  # put the benchmark data back


def write_cases_csv(n: int) -> Path:
    """The cached cases as 执行案件.csv with the Chinese headers of SPEC section 2b."""
    from metrics.engine.schema import TABLES

    path = scale_data.CACHE / f"{n}-7" / "执行案件.csv"
    if not path.exists():
        case_path, _ = scale_data.generate(n)
        fields = [f for f in TABLES["cases"].fields if f.name in scale_data.CASE_COLUMNS]
        select_list = ", ".join(f'{f.name} AS "{f.header}"' for f in fields)
        duckdb.connect().execute(f"COPY (SELECT {select_list} FROM '{case_path}') TO '{path}' (HEADER, DELIMITER ',')")
    return path


if __name__ == "__main__":
    main()
