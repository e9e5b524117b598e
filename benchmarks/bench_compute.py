"""Benchmark: how long the indicators take at district and province scale. Prints figures; asserts nothing.

    python benchmarks/bench_compute.py                      # 5,000 cases on a temporary SQLite file
    python benchmarks/bench_compute.py --cases 1000000      # province scale (building the data takes minutes)
    python benchmarks/bench_compute.py --db postgresql+psycopg://postgres@127.0.0.1/bench --cases 200000

The data are random but shaped like the sample (filing 2022–2026, 60 % closed within a year); the database is
dropped and rebuilt on every run, so never point --db at a database you want to keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from metrics.config import load_config  # noqa: E402
from metrics.engine.filters import Filters  # noqa: E402
from metrics.engine.schema import cases, judgments, metadata  # noqa: E402
from metrics.engine.service import Dashboard  # noqa: E402

METHODS = ["执行完毕"] * 38 + ["终结本次执行程序"] * 32 + ["终结执行"] * 25 + ["销案"] * 5
TEAMS = ["执行一团队", "执行二团队", "执行三团队", "快执团队"]


def build(engine, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    start = dt.date(2022, 1, 1)
    batch, jbatch = [], []
    with engine.begin() as conn:
        for i in range(n):
            filing = start + dt.timedelta(days=rng.randrange(0, 1765))
            closed = rng.random() < 0.8
            closing = filing + dt.timedelta(days=int(rng.expovariate(1 / 120))) if closed else None
            if closing and closing > dt.date(2026, 10, 31):
                closing = None
            method = rng.choice(METHODS) if closing else None
            applied = Decimal(int(rng.lognormvariate(10.4, 1.2)))
            batch.append(dict(
                case_no=f"({filing.year})鄂0505执{i}号", court="宜昌市猇亭区人民法院",
                case_type=rng.choice(["首次执行"] * 7 + ["恢复执行", "财产保全", "执行异议"]),
                filing_date=filing, closing_date=closing, closing_method=method,
                closing_reason=rng.choice(["指定执行", None, None]) if method == "终结执行" else None,
                applied_amount=applied, recovered_amount=(applied * Decimal(rng.random())).quantize(Decimal("0.01")),
                team=rng.choice(TEAMS), handler=f"承办人{rng.randrange(40)}", basis_doc_no=f"J{i}",
                tags=rng.choice([None, None, "涉企", "涉民生"]), cross_role=rng.choice([None] * 20 + ["承接", "交出"]),
                suspended_days=0,
                zhongben_review=rng.choice(["合格", "不合格", None]) if method == "终结本次执行程序" else None,
            ))
            jbatch.append(dict(doc_no=f"J{i}", court="宜昌市猇亭区人民法院",
                               effective_date=filing - dt.timedelta(days=rng.randrange(1, 200)),
                               has_payment=True, doc_kind="判决"))
            if len(batch) == 20000:
                conn.execute(cases.insert(), batch)
                conn.execute(judgments.insert(), jbatch)
                batch, jbatch = [], []
        if batch:
            conn.execute(cases.insert(), batch)
            conn.execute(judgments.insert(), jbatch)


def timed(label: str, fn) -> None:
    t = time.perf_counter()
    fn()
    print(f"{label:<40} {time.perf_counter() - t:8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--db", help="SQLAlchemy URL of a scratch database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = create_engine(url)
    t = time.perf_counter()
    build(engine, args.cases)
    print(f"built {args.cases:,} cases on {engine.dialect.name} in {time.perf_counter() - t:.1f} s")
    config = load_config()
    board = Dashboard(engine, config)
    as_of = dt.date(2026, 10, 31)
    timed("4 phases, all indicators", lambda: board.phase_results(as_of))
    timed("4 same-period-last-year windows", lambda: board.last_year_results(as_of))
    timed("34 months, all indicators", lambda: board.monthly_results(as_of))
    timed("34 months, one indicator (a trend chart)",
          lambda: board.monthly_results(as_of, keys=("completion_rate",)))
    timed("4 phases, one team filtered", lambda: board.phase_results(as_of, Filters(teams=("执行一团队",))))
    timed("overview page (phases + 同比 + months)", lambda: (board.phase_results(as_of), board.last_year_results(as_of),
                                                           board.monthly_results(as_of, keys=("completion_rate",))))


if __name__ == "__main__":
    main()
