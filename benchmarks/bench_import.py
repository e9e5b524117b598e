"""Benchmark the import of court exports: validation of a 50,000-row .xls and a 200,000-row CSV, and a full import.

Prints seconds and the peak resident memory of a fresh process per measurement (figures, not a test):

    python benchmarks/bench_import.py [--rows-xls 50000] [--rows-csv 200000] [--db sqlite:///tmp/bench.db]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["序号", "案号", "立案时间", "结案时间", "结案方式", "申请执行标的额（万元）", "到位金额（万元）", "承办部门",
          "承办法官", "被执行人", "案由"]


def rows(n: int, seed: int = 7):
    rnd = random.Random(seed)
    methods = ["执行完毕", "终本", "终结执行", None]
    for i in range(1, n + 1):
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        method = rnd.choice(methods)
        closing = f"2025年{min(month + 3, 12)}月{day}日" if method else None
        applied = round(rnd.lognormvariate(1.2, 1.0), 4)
        yield [i, f"（2025）鄂0505执{i}号", f"2025-{month:02d}-{day:02d}", closing, method, applied,
               round(applied * rnd.random(), 4), rnd.choice(["执行一团队", "执行二团队", "快执团队"]),
               rnd.choice(["张法官", "李法官", "王法官"]), "某某有限公司", "民间借贷纠纷"]


def write_xls(path: Path, n: int) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("执行案件")
    ws.write(0, 0, "执行案件明细表")
    for c, h in enumerate(HEADER):
        ws.write(1, c, h)
    for r, row in enumerate(rows(n), start=2):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    ws.write(n + 2, 0, "合计")
    wb.save(str(path))


def write_csv(path: Path, n: int) -> None:
    import csv

    with path.open("w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in rows(n):
            w.writerow(["" if v is None else v for v in row])


CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from metrics.ingest.importer import import_files, validate_files
from sqlalchemy import create_engine
t = time.perf_counter()
if {db!r}:
    engine = create_engine({db!r})
    report = import_files(engine, [Path({path!r})], "本院")
    n = sum(report.inserted.values()) + sum(report.updated.values()) + sum(report.unchanged.values())
else:
    report = validate_files([Path({path!r})], "本院")
    n = sum(len(r) for r in report.records.values())
    assert not report.errors, [str(e) for e in report.errors[:3]]
print(json.dumps({{"seconds": time.perf_counter() - t, "rows": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(path: Path, db: str | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path), db=db or "")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows-xls", type=int, default=50_000)
    parser.add_argument("--rows-csv", type=int, default=200_000)
    parser.add_argument("--db", help="also import the CSV into this (empty) database, e.g. sqlite:////tmp/b.db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xls, csv_ = Path(tmp) / "导出数据.xls", Path(tmp) / "导出数据.csv"
        t = time.perf_counter()
        write_xls(xls, args.rows_xls)
        write_csv(csv_, args.rows_csv)
        print(f"files written in {time.perf_counter() - t:.1f} s: {xls.stat().st_size / 1e6:.1f} MB xls, "
              f"{csv_.stat().st_size / 1e6:.1f} MB csv")
        r = measure(xls)
        print(f"validate {args.rows_xls:,}-row .xls: {r['seconds']:.1f} s, {r['rows']:,} rows, "
              f"peak {r['peak_mb']:.0f} MB (target < 30 s)")
        r = measure(csv_)
        print(f"validate {args.rows_csv:,}-row GBK CSV: {r['seconds']:.1f} s, {r['rows']:,} rows, "
              f"peak {r['peak_mb']:.0f} MB (target < 1 GB)")
        if args.db:
            r = measure(csv_, args.db)
            print(f"import {args.rows_csv:,}-row CSV into {args.db.split(':')[0]}: {r['seconds']:.1f} s, "
                  f"peak {r['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
