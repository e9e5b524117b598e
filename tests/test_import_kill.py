"""An import killed (kill -9) while it writes leaves the database exactly as before, on every test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from metrics.config import ROOT
from metrics.engine.db import DATA_VERSION
from metrics.engine.schema import dataset_info
from tests.test_ingest import dump

ROWS = 30_000


def _blocked(engine) -> bool:
    """Is the importing process waiting, inside its write transaction, for the row lock this test holds?"""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )).scalar())
        # The import's DELETE of the data-version row cannot finish while the test holds its lock: seeing that
        # statement running is seeing the import wait (innodb_trx's LOCK WAIT state proved unreliable to poll).
        return bool(conn.execute(text(
            "SELECT count(*) FROM information_schema.processlist WHERE id <> CONNECTION_ID() "
            "AND info LIKE 'DELETE FROM dataset_info%'")).scalar())


def _sqlite_writing(db_file: Path) -> bool:
    return Path(str(db_file) + "-journal").exists() or Path(str(db_file) + "-wal").exists()


def test_killed_import_leaves_the_database_unchanged(engine, tmp_path):
    base = tmp_path / "执行案件.csv"
    base.write_text("案号,立案日期,申请执行标的金额(元)\n(2025)鄂0505执1号,2025-01-01,100\n", encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": ""}
    subprocess.run([sys.executable, "-m", "metrics", "import", "--db", url, str(base)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    before = dump(engine)
    big = tmp_path / "cases_big.csv"
    lines = ["案号,立案日期,申请执行标的金额(元),执行团队"]
    lines += [f"(2025)鄂0505执{i}号,2025-01-{i % 28 + 1:02d},{i}.5,执行一团队" for i in range(1, ROWS + 1)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    server = engine.dialect.name != "sqlite"
    # On a server the test holds the lock on the data-version row, which the import rewrites last inside its one
    # transaction: the import then waits with every case row written but not committed, however fast the server.
    # SQLite has only a database lock, so there the test watches for the rollback journal instead.
    holder = engine.connect() if server else None
    if holder is not None:
        holder.begin()
        locked = holder.execute(select(dataset_info.c.value).where(dataset_info.c.key == DATA_VERSION)
                                .with_for_update()).all()
        assert locked, "the first import left no data version to lock"
    log = tmp_path / "import.log"
    proc = subprocess.Popen([sys.executable, "-m", "metrics", "import", "--db", url, str(big)], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while not (_blocked(engine) if server else _sqlite_writing(Path(engine.url.database))):
            assert proc.poll() is None, ("the import finished before its write could be interrupted: "
                                         + log.read_text(encoding="utf-8", errors="replace")[-1500:])
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        if not server:
            time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        if holder is not None:
            holder.rollback()
            holder.close()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the server notices the dropped connection and rolls back
    engine.dispose()
    assert dump(engine) == before
