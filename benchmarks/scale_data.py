"""Benchmark data: N synthetic cases (and one judgment each), generated once and cached as Parquet.

Shaped like bench_compute.py's data (filing 2022-01-01 … 2026-10-31, 80 % closed after an exponential 120-day
mean, 70 % 首次执行), but vectorised, so a million cases take seconds. Loaders put the cached data into a SQLite
file, a DuckDB file or a PostgreSQL database (marked in dataset_info, so a loaded store is reused).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import inspect, select

from metrics.engine.db import bump_data_version
from metrics.engine.schema import cases, dataset_info, judgments, metadata

CACHE = Path(__file__).resolve().parent / ".cache"
AS_OF = dt.date(2026, 10, 31)
START = dt.date(2022, 1, 1)
METHODS = ["执行完毕"] * 38 + ["终结本次执行程序"] * 32 + ["终结执行"] * 25 + ["销案"] * 5
TYPES = ["首次执行"] * 7 + ["恢复执行", "财产保全", "执行异议"]
TEAMS = ["执行一团队", "执行二团队", "执行三团队", "快执团队"]
COURT = "宜昌市猇亭区人民法院"
# last_check_date (最近查控日期) stays NULL: no 终本 case has been checked since its closing.
CASE_COLUMNS = [c.name for c in cases.columns if c.name != "last_check_date"]
JUDGMENT_COLUMNS = [c.name for c in judgments.columns]


def _pick(rng, options, n, null_share=0.0):
    values = np.array(options, dtype=object)[rng.integers(0, len(options), n)]
    if null_share:
        values[rng.random(n) < null_share] = None
    return values


def generate(n: int, seed: int = 7) -> tuple[Path, Path]:
    """(cases.parquet, judgments.parquet) for n cases, generated on first use."""
    folder = CACHE / f"{n}-{seed}"
    paths = folder / "cases.parquet", folder / "judgments.parquet"
    if all(p.exists() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    start = np.datetime64(START.isoformat())
    as_of = np.datetime64(AS_OF.isoformat())
    filing = start + rng.integers(0, 1765, n).astype("timedelta64[D]")
    closing = filing + rng.exponential(120, n).astype(int).astype("timedelta64[D]")
    open_ = (rng.random(n) >= 0.8) | (closing > as_of)
    method = _pick(rng, METHODS, n)
    method[open_] = None
    reason = _pick(rng, ["指定执行", None, None], n)
    reason[method != "终结执行"] = None
    review = _pick(rng, ["合格", "不合格", None], n)
    review[method != "终结本次执行程序"] = None
    applied = np.floor(rng.lognormal(10.4, 1.2, n))
    recovered = np.floor(applied * rng.random(n) * 100) / 100
    numbers = np.arange(n)
    years = filing.astype("datetime64[Y]").astype(int) + 1970
    case_no = np.char.add(np.char.add(np.char.add("(", years.astype(str)), ")鄂0505执"),
                          np.char.add(numbers.astype(str), "号"))
    doc_no = np.char.add("J", numbers.astype(str))
    closing_values = pa.array(closing, pa.date32()).to_pylist()
    closing_col = pa.array([None if o else c for c, o in zip(closing_values, open_, strict=True)], pa.date32())
    table = pa.table({
        "case_no": case_no.astype(object), "court": np.full(n, COURT, dtype=object),
        "case_type": _pick(rng, TYPES, n), "filing_date": pa.array(filing, pa.date32()),
        "closing_date": closing_col, "closing_method": method, "closing_reason": reason,
        "applied_amount": pa.array(applied, pa.float64()), "recovered_amount": pa.array(recovered, pa.float64()),
        "team": _pick(rng, TEAMS, n),
        "handler": np.char.add("承办人", rng.integers(0, 40, n).astype(str)).astype(object),
        "basis_doc_no": doc_no.astype(object), "tags": _pick(rng, [None, None, "涉企", "涉民生"], n),
        "cross_role": _pick(rng, [None] * 20 + ["承接", "交出"], n), "cross_mode": np.full(n, None, dtype=object),
        "partner_court": np.full(n, None, dtype=object), "suspended_days": np.zeros(n, dtype=np.int64),
        "zhongben_review": review, "debtor_name": np.full(n, "某某", dtype=object),
    })
    pq.write_table(table, paths[0])
    effective = filing - rng.integers(1, 200, n).astype("timedelta64[D]")
    pq.write_table(pa.table({
        "doc_no": doc_no.astype(object), "court": np.full(n, COURT, dtype=object),
        "effective_date": pa.array(effective, pa.date32()), "has_payment": np.ones(n, dtype=bool),
        "doc_kind": np.full(n, "判决", dtype=object)}), paths[1])
    return paths


def _mark(n: int, seed: int) -> str:
    return f"bench-{n}-{seed}"


def loaded(engine, n: int, seed: int = 7) -> bool:
    if not inspect(engine).has_table("dataset_info"):
        return False
    with engine.connect() as conn:
        value = conn.execute(select(dataset_info.c.value).where(dataset_info.c.key == "bench")).scalar()
    return value == _mark(n, seed)


def load(engine, n: int, seed: int = 7) -> None:
    """Put the cached data into an empty schema on engine (SQLite, PostgreSQL or DuckDB), unless already there."""
    if loaded(engine, n, seed):
        return
    case_path, judgment_path = generate(n, seed)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    con = duckdb.connect()
    sources = {"cases": (case_path, CASE_COLUMNS), "judgments": (judgment_path, JUDGMENT_COLUMNS)}
    name = engine.dialect.name
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        for table, (path, columns) in sources.items():
            if name == "postgresql":
                csv_path = CACHE / f"{table}-{n}-{seed}.csv"
                names = ", ".join(columns)
                if not csv_path.exists():
                    con.execute(f"COPY (SELECT {names} FROM '{path}') TO '{csv_path}' (FORMAT csv, HEADER false)")
                with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as cp:
                    with open(csv_path, "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            cp.write(chunk)
            elif name == "duckdb":
                raw.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM '{path}'")
            else:  # SQLite: dates as ISO text, money as numbers, as SQLAlchemy stores them
                reader = con.execute(
                    f"SELECT {', '.join(f'CAST({c} AS VARCHAR)' if c.endswith('_date') else c for c in columns)}"
                    f" FROM '{path}'")
                placeholders = ", ".join("?" * len(columns))
                cur = raw.cursor()
                while batch := reader.fetchmany(100_000):
                    cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)
        bump_data_version(conn)
        conn.execute(dataset_info.insert(), [{"key": "bench", "value": _mark(n, seed)}])
    if name == "postgresql":
        with engine.connect() as conn:
            conn.connection.dbapi_connection.autocommit = True
            conn.exec_driver_sql("VACUUM ANALYZE cases")
            conn.exec_driver_sql("VACUUM ANALYZE judgments")
    elif name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
