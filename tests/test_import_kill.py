"""An import killed (kill -9) while it writes leaves the database exactly as before, on every test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from metrics.config import ROOT
from tests.test_ingest import dump

ROWS = 30_000


def _writing(engine, url: str, db_file: Path | None) -> bool:
    """Has the importing process opened its write transaction?"""
    if db_file is not None:
        return Path(str(db_file) + "-journal").exists() or Path(str(db_file) + "-wal").exists()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend'"
            )).scalar())
        return bool(conn.execute(text("SELECT count(*) FROM information_schema.innodb_trx")).scalar())


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
    db_file = Path(engine.url.database) if engine.dialect.name == "sqlite" else None
    proc = subprocess.Popen([sys.executable, "-m", "metrics", "import", "--db", url, str(big)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not _writing(engine, url, db_file):
            assert proc.poll() is None, "the import finished before its write could be interrupted"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the server notices the dropped connection and rolls back
    engine.dispose()
    assert dump(engine) == before
