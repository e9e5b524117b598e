"""The command-line contract of SPEC section 8: JSON shape, exit codes, Chinese messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from metrics.config import DEFAULT_CONFIG_PATH, ROOT
from metrics.engine.indicators import INDICATORS
from tests.conftest import insert
from tests.test_indicators import SCENARIO


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          env=full_env, timeout=300)


def config_file(tmp_path: Path, url: str) -> Path:
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["database"]["url"] = url
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_compute_json_contract(engine, tmp_path):
    insert(engine, "cases", SCENARIO)
    url = engine.url.render_as_string(hide_password=False)
    out = cli("compute", "--db", url, "--config", str(config_file(tmp_path, url)), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["as_of"] == "2025-04-01"  # the latest date in the data (c5 closed 04-01)
    phases = ["baseline", "launch", "implement", "review"]
    assert len(doc["results"]) == len(INDICATORS) * len(phases)
    assert {r["indicator"] for r in doc["results"]} == set(INDICATORS)
    assert {r["phase"] for r in doc["results"]} == set(phases)
    for r in doc["results"]:
        assert set(r) == {"indicator", "phase", "value", "numerator", "denominator"}
    by = {(r["indicator"], r["phase"]): r for r in doc["results"]}
    # implement = 2025-03-01..2025-12-31 clamped to 04-01: the March scenario plus c5 closing on 04-01.
    r = by[("completion_rate", "implement")]
    assert (r["value"], r["numerator"], r["denominator"]) == (0.5, 3, 6)
    assert by[("recovery_rate", "implement")]["numerator"] == 13000.0
    assert by[("filed_count", "review")]["value"] is None  # the review phase starts after the as-of date
    assert by[("auction_deal_rate", "implement")]["value"] is None  # no auctions: null, not an error


def test_compute_as_of_option(engine, tmp_path):
    insert(engine, "cases", SCENARIO)
    url = engine.url.render_as_string(hide_password=False)
    out = cli("compute", "--db", url, "--config", str(config_file(tmp_path, url)), "--as-of", "2025-03-20")
    doc = json.loads(out.stdout)
    by = {(r["indicator"], r["phase"]): r for r in doc["results"]}
    assert doc["as_of"] == "2025-03-20"
    assert by[("closed_count", "implement")]["value"] == 3
    assert by[("pending_end", "implement")]["value"] == 4


def test_compute_builds_sample_database_on_first_use(tmp_path):
    db = tmp_path / "sample.db"
    out = cli("compute", "--config", str(config_file(tmp_path, f"sqlite:///{db}")))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["as_of"] == "2026-10-31"
    by = {(r["indicator"], r["phase"]): r for r in doc["results"]}
    assert by[("filed_count", "baseline")]["value"] > 500
    assert 0 < by[("recovery_rate", "implement")]["value"] < 1
    assert db.exists()


@pytest.mark.parametrize("args, words", [
    (["compute", "--as-of", "2025-02-30"], "不是有效日期"),
    (["compute", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/none"], "无法连接数据库"),
    (["compute", "--config", "/nonexistent.yaml"], "找不到配置文件"),
    (["report", "--db", "sqlite://", "--out", "x.txt"], ".docx"),
])
def test_bad_input_gives_message_not_traceback(args, words):
    out = cli(*args)
    assert out.returncode == 2
    assert words in out.stderr
    assert "Traceback" not in out.stderr


def test_import_rejects_and_reports_row(tmp_path):
    db = tmp_path / "x.db"
    good = tmp_path / "执行案件.csv"
    good.write_text("案号,立案日期\n(2025)鄂0505执1号,2025-01-01\n", encoding="utf-8-sig")
    out = cli("import", "--db", f"sqlite:///{db}", str(good))
    assert out.returncode == 0, out.stderr
    bad = tmp_path / "cases.csv"
    bad.write_text("案号,立案日期\n(2025)鄂0505执2号,2025-01-01\n(2025)鄂0505执3号,20250101x\n", encoding="utf-8-sig")
    out = cli("import", "--db", f"sqlite:///{db}", str(bad))
    assert out.returncode == 1
    assert "cases.csv 第3行 “立案日期”列" in out.stderr and "数据库未作任何改动" in out.stderr
    out = cli("compute", "--db", f"sqlite:///{db}", "--as-of", "2025-12-31")
    doc = json.loads(out.stdout)
    by = {(r["indicator"], r["phase"]): r for r in doc["results"]}
    assert by[("filed_count", "launch")]["value"] == 1  # only the first file's case


def test_import_into_the_sample_database_is_refused_and_dry_run_and_undo_work(engine, tmp_path):
    data = tmp_path / "导出数据_20260601.csv"
    data.write_text("执行案号,立案时间,申请执行标的额（万元）\n(2025)鄂0505执1号,2025年3月5日,1.5\n合计,,1.5\n",
                    encoding="gb18030")
    refused = cli("import", str(data))  # the default config names the sample database
    assert refused.returncode == 2 and "示例数据库" in refused.stderr and "DATABASE_URL" in refused.stderr
    assert "Traceback" not in refused.stderr
    url = engine.url.render_as_string(hide_password=False)
    dry = cli("import", "--db", url, "--dry-run", str(data))
    assert dry.returncode == 0, dry.stderr
    assert "识别" in dry.stdout and "执行案件" in dry.stdout and "校验通过 1 行" in dry.stdout
    assert "第3行" in dry.stdout and "表尾" in dry.stdout
    done = cli("import", "--db", url, str(data))
    assert done.returncode == 0 and "新增 1 行" in done.stdout, done.stderr
    listed = cli("imports", "--db", url)
    assert "#1" in listed.stdout and "导出数据_20260601.csv" in listed.stdout
    undone = cli("undo", "--db", url)
    assert undone.returncode == 0 and "已撤销第 1 次导入" in undone.stdout
    again = cli("undo", "--db", url)
    assert again.returncode == 2 and "没有可以撤销的导入" in again.stderr


def test_import_errors_name_sheet_row_column_and_exit_1(engine, tmp_path):
    data = tmp_path / "执行案件.csv"
    data.write_text("案号,立案日期\n(2025)鄂0505执1号,2025-13-01\n", encoding="utf-8")
    out = cli("import", "--db", engine.url.render_as_string(hide_password=False), str(data))
    assert out.returncode == 1 and "第2行 “立案日期”列" in out.stderr and "数据库未作任何改动" in out.stderr


@pytest.mark.parametrize("old, new, key", [
    ("  as_of:\n", "  as_of: 2025-13-01\n", "display.as_of"),
    ("    start: 2025-01-01\n", "    start: 0001-01-01\n", "phases[2].start"),
])
def test_bad_config_date_exits_2_naming_the_key(tmp_path, old, new, key):
    """D9: the CLI names the key and exits 2 (it said 内部错误（ValueError）/OverflowError with exit 3)."""
    path = tmp_path / "config.yaml"
    path.write_text(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    out = cli("compute", "--config", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert out.returncode == 2, out.stderr
    assert key in out.stderr and "内部错误" not in out.stderr and "Traceback" not in out.stderr
