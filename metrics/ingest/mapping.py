"""A court's own header spellings, units and value spellings, saved once and used for every later file.

The mapping is a YAML file next to config.yaml (named in config.yaml under `import.mapping`), written by the
数据管理 page and read by the page and by `python -m metrics import --mapping FILE`:

    headers:            # per table: the court's header → column (or ignore)
      cases: {承办庭室: team, 案件状态: ignore}
    units:              # per table: a money header without a unit in brackets → 元 or 万元
      cases: {标的额: 万元}
    values:             # per column: the court's spelling → the canonical value
      closing_method: {终本结案: 终结本次执行程序}
    dates:              # dates outside these bounds are errors (defaults: 2000-01-01, not after today)
      earliest: 2000-01-01
      allow_future: false
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from metrics.engine.schema import TABLES
from metrics.ingest.headers import IGNORE, MONEY_UNITS, header_key
from metrics.ingest.values import EARLIEST, DateRule

MAX_BYTES = 1_000_000


class MappingError(ValueError):
    def __init__(self, where: str, reason: str):
        super().__init__(f"对照表有误：{where} — {reason}")


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a hostile file cannot expand itself (security review D10)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "不允许使用 YAML 别名（*）", event.start_mark)
        return super().compose_node(parent, index)


@dataclass
class Mapping:
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    earliest: dt.date = EARLIEST
    allow_future: bool = False
    path: Path | None = None

    @property
    def date_rule(self) -> DateRule:
        return DateRule(self.earliest, dt.date.max if self.allow_future else None)

    def unit_for(self, table: str, header_name: str) -> str | None:
        units = {header_key(h)[0]: u for h, u in (self.units.get(table) or {}).items()}
        return units.get(header_name)

    def set_header(self, table: str, original: str, target: str) -> None:
        self.headers.setdefault(table, {})[header_key(original)[0] if original else original] = target

    def set_unit(self, table: str, original: str, unit: str) -> None:
        self.units.setdefault(table, {})[header_key(original)[0]] = unit

    def to_yaml(self) -> str:
        body = {"headers": self.headers, "units": self.units, "values": self.values,
                "dates": {"earliest": self.earliest, "allow_future": self.allow_future}}
        return ("# 本院导出文件的表头、单位与取值对照表（由“数据管理”页面保存，也可手工编辑）\n"
                + yaml.safe_dump(body, allow_unicode=True, sort_keys=False))


def _section(raw: dict, key: str) -> dict:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise MappingError(key, "应为“键: 值”形式")
    return value


def parse_mapping(raw: object, where: str = "对照表") -> Mapping:
    if raw is None:
        return Mapping()
    if not isinstance(raw, dict):
        raise MappingError(where, "应为“键: 值”形式（headers、units、values、dates）")
    for k in raw:
        if k not in ("headers", "units", "values", "dates"):
            raise MappingError(str(k), "未知项，可用：headers、units、values、dates")
    mapping = Mapping()
    for table, cols in _section(raw, "headers").items():
        if table not in TABLES:
            raise MappingError(f"headers.{table}", "未知数据表，可用：" + "、".join(TABLES))
        if not isinstance(cols, dict):
            raise MappingError(f"headers.{table}", "应为“原表头: 字段”形式")
        names = {f.name for f in TABLES[table].fields}
        for header, target in cols.items():
            if target not in names and target != IGNORE:
                raise MappingError(f"headers.{table}.{header}", f"“{target}”不是{TABLES[table].chinese}表的字段")
            mapping.headers.setdefault(table, {})[str(header)] = str(target)
    for table, cols in _section(raw, "units").items():
        if table not in TABLES or not isinstance(cols, dict):
            raise MappingError(f"units.{table}", "应为“数据表: {原表头: 单位}”形式")
        for header, unit in cols.items():
            if unit not in MONEY_UNITS:
                raise MappingError(f"units.{table}.{header}", "单位只能是 " + "、".join(MONEY_UNITS))
            mapping.units.setdefault(table, {})[str(header)] = str(unit)
    for column, spellings in _section(raw, "values").items():
        if not isinstance(spellings, dict):
            raise MappingError(f"values.{column}", "应为“原取值: 标准取值”形式")
        mapping.values[str(column)] = {str(a): str(b) for a, b in spellings.items()}
    dates = _section(raw, "dates")
    earliest = dates.get("earliest", EARLIEST)
    if isinstance(earliest, str):
        try:
            earliest = dt.date.fromisoformat(earliest)
        except ValueError:
            raise MappingError("dates.earliest", f"“{earliest}”不是有效日期（YYYY-MM-DD）") from None
    if not isinstance(earliest, dt.date) or earliest.year < 1900:
        raise MappingError("dates.earliest", "应为 1900 年以后的日期（YYYY-MM-DD）")
    allow_future = dates.get("allow_future", False)
    if not isinstance(allow_future, bool):
        raise MappingError("dates.allow_future", "应为 true 或 false")
    mapping.earliest, mapping.allow_future = earliest, allow_future
    return mapping


def load_mapping(path: Path | str | None) -> Mapping:
    """The mapping in `path`; a missing file is an empty mapping (a court without its own spellings)."""
    if not path:
        return Mapping()
    path = Path(path)
    if not path.exists():
        return Mapping(path=path)
    if path.is_dir():
        raise MappingError(str(path), "这是一个文件夹，不是对照表文件")
    if path.stat().st_size > MAX_BYTES:
        raise MappingError(path.name, "文件过大（超过 1 MB），不像是对照表")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)  # noqa: S506 - safe, no aliases
    except UnicodeDecodeError:
        raise MappingError(path.name, "文件不是 UTF-8 编码") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else "文件"
        raise MappingError(f"{path.name} {where}", "YAML 格式错误（检查缩进与冒号；不允许别名）") from None
    mapping = parse_mapping(raw, path.name)
    mapping.path = path
    return mapping


def save_mapping(mapping: Mapping, path: Path | str | None = None) -> Path:
    """Write the mapping atomically (a half-written file never replaces a good one)."""
    path = Path(path or mapping.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(mapping.to_yaml(), encoding="utf-8")
    tmp.replace(path)
    mapping.path = path
    return path
