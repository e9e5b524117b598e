"""config.yaml validation: every mistake is named by its key, in Chinese, without a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from metrics.config import DEFAULT_CONFIG_PATH, ConfigError, load_config


def test_default_config_loads():
    config = load_config()
    assert [p.key for p in config.phases] == ["baseline", "launch", "implement", "review"]
    assert config.baseline.key == "baseline"
    assert config.phase("implement").start == dt.date(2025, 3, 1)
    assert config.parameters.statutory_days == 180
    assert (config.parameters.entrust_warn_days, config.parameters.check_interval_days) == (5, 182)
    assert config.targets["recovery_rate"].direction == "higher"
    assert config.sample and not config.database_url_from_env


def variant(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _set_phase(i, key, value):
    def change(raw):
        raw["phases"][i][key] = value
    return change


@pytest.mark.parametrize("change, key, words", [
    (_set_phase(2, "start", "2025-02-01"), "phases", "重叠"),
    (_set_phase(0, "baseline", False), "phases", "baseline"),
    (_set_phase(1, "baseline", True), "phases", "恰好有一个"),
    (_set_phase(1, "end", "2025-02-30"), "phases[2].end", "不是有效日期"),
    (_set_phase(1, "end", "2024-12-01"), "phases[2].end", "早于"),
    (lambda raw: raw["targets"].update({"speed": {"target": 1}}), "targets.speed", "未知指标"),
    (lambda raw: raw["targets"]["recovery_rate"].update({"direction": "up"}), "targets.recovery_rate.direction",
     "higher"),
    (lambda raw: raw["targets"]["recovery_rate"].update({"target": "五成"}), "targets.recovery_rate.target", "数字"),
    (lambda raw: raw["database"].update({"url": "not a url"}), "database.url", "不是有效的数据库地址"),
    (lambda raw: raw["parameters"].update({"statutory_days": -3}), "parameters.statutory_days", "正整数"),
    (lambda raw: raw["parameters"].update({"colour": 1}), "parameters.colour", "未知参数"),
    (lambda raw: raw["parameters"].update({"entrust_warn_days": -1}), "parameters.entrust_warn_days", "0或正整数"),
    (lambda raw: raw["parameters"].update({"entrust_warn_days": "五天"}), "parameters.entrust_warn_days",
     "0或正整数"),
    (lambda raw: raw["parameters"].update({"check_interval_days": 0}), "parameters.check_interval_days", "正整数"),
    (lambda raw: raw["parameters"].update({"check_interval_days": 1.5}), "parameters.check_interval_days",
     "正整数"),
    (lambda raw: raw.update({"phase": []}), "phase", "未知配置项"),
])
def test_mistakes_are_named(tmp_path, change, key, words):
    with pytest.raises(ConfigError) as info:
        load_config(variant(tmp_path, change), env={})
    assert info.value.key == key
    assert words in str(info.value)


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("court:\n  name: x\n phases: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "YAML" in str(info.value)


def test_database_url_from_environment(tmp_path):
    config = load_config(env={"DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert config.database_url == "postgresql+psycopg://u@h/db"
    assert config.database_url_from_env
    with pytest.raises(ConfigError) as info:
        load_config(env={"DATABASE_URL": "::"})
    assert "DATABASE_URL" in info.value.key


def test_missing_file():
    with pytest.raises(ConfigError) as info:
        load_config("/nonexistent/config.yaml", env={})
    assert "找不到" in str(info.value)


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """config.yaml with one piece of text replaced: the mistakes below are typed, not built by a YAML dumper."""
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, key, words", [
    ("  as_of:\n", "  as_of: 2025-13-01\n", "display.as_of", "不是有效日期"),
    ("  as_of:\n", "  as_of: 2025-02-30\n", "display.as_of", "不是有效日期"),
    ("    start: 2025-01-01\n", "    start: 0001-01-01\n", "phases[2].start", "超出可用范围"),
    ("    end: 2026-04-30\n", "    end: 9999-12-31\n", "phases[4].end", "超出可用范围"),
    ("data_complete_from: 2024-01-01", "data_complete_from: 1900-01-01", "parameters.data_complete_from",
     "超出可用范围"),
])
def test_impossible_dates_are_named(tmp_path, old, new, key, words):
    """D9: a typo in a date is a config error naming its key, not a ValueError from inside the YAML reader."""
    with pytest.raises(ConfigError) as info:
        load_config(edited(tmp_path, old, new), env={})
    assert info.value.key == key
    assert words in str(info.value)


def test_as_of_in_the_future_is_an_error(tmp_path):
    """D2: a future 统计日 would count every case as pending until then and stretch the month series."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ConfigError) as info:
        load_config(edited(tmp_path, "  as_of:\n", f"  as_of: {tomorrow}\n"), env={})
    assert info.value.key == "display.as_of" and "晚于今天" in str(info.value)
    today = load_config(edited(tmp_path, "  as_of:\n", f"  as_of: {dt.date.today()}\n"), env={})
    assert today.as_of == dt.date.today()


def test_yaml_aliases_are_refused(tmp_path):
    """D10: aliases are refused before they expand, so a "billion laughs" file costs nothing."""
    small = edited(tmp_path, "  name: 宜昌市猇亭区人民法院\n", "  name: &n 宜昌市猇亭区人民法院\n  action_name: *n\n")
    with pytest.raises(ConfigError) as info:
        load_config(small, env={})
    assert "别名" in str(info.value) and "第" in info.value.key
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("court:\n  name: x\n" + "\n".join(laughs) + "\n", encoding="utf-8")
    import time

    started = time.monotonic()
    with pytest.raises(ConfigError):
        load_config(bomb, env={})
    assert time.monotonic() - started < 2


def test_oversized_file_is_refused(tmp_path):
    big = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8") + ("# padding\n" * 40_000)
    path = tmp_path / "config.yaml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "文件过大" in str(info.value)


def test_dates_still_load_as_dates():
    config = load_config(env={})
    assert isinstance(config.phase("review").end, dt.date) and config.parameters.data_complete_from == dt.date(
        2024, 1, 1)


def test_watch_thresholds_are_read(tmp_path):
    def change(raw):
        raw["parameters"].update({"entrust_warn_days": 0, "check_interval_days": 90})
    config = load_config(variant(tmp_path, change), env={})
    assert (config.parameters.entrust_warn_days, config.parameters.check_interval_days) == (0, 90)
