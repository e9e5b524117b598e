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
