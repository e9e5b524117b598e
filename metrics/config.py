"""Load and validate config.yaml into typed objects; every mistake becomes a ConfigError in Chinese."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from metrics.courts import Court, short_name
from metrics.engine.indicators import INDICATORS
from metrics.parameters import Parameters

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = ROOT / "config.yaml"

DIRECTIONS = {"higher": "越高越好", "lower": "越低越好", "none": "不设方向"}

# Dates a court's data and plans can hold. Outside, a date is a typo (2205 for 2025, 0001 for a blank) and
# would only make the month series or the 同比 arithmetic run off the calendar.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
# config.yaml is a few kilobytes; a file hundreds of times larger is not a config file.
MAX_CONFIG_BYTES = 256 * 1024


class ConfigError(ValueError):
    """A configuration mistake, phrased for the person who edits config.yaml."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"配置错误：{key} — {reason}")


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    start: dt.date
    end: dt.date
    baseline: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Target:
    direction: str  # higher / lower / none
    target: float | None = None


AUTH_MODES = ("none", "password", "oidc")


@dataclass(frozen=True)
class AuthConfig:
    """`auth:` — none (no login: sample database or a server on 127.0.0.1 only), password (users table) or
    oidc (Streamlit's st.login with the provider in .streamlit/secrets.toml, role from the users table)."""

    mode: str = "none"
    idle_hours: float = 8.0
    bureau_unmasked: bool = False  # 执行局 sees debtor names in clear
    provider: str | None = None  # the [auth.<provider>] section of secrets.toml for oidc; None = [auth]


@dataclass(frozen=True)
class Config:
    court_name: str
    court_code: str
    action_name: str
    database_url: str
    database_url_from_env: bool
    sample: bool
    phases: tuple[Phase, ...]
    parameters: Parameters
    targets: dict[str, Target] = field(default_factory=dict)
    as_of: dt.date | None = None
    default_phase: str | None = None
    path: Path | None = None
    # The court's header/unit/value mapping for imports (metrics.ingest.mapping), next to config.yaml by default.
    mapping_path: Path | None = None
    analytics: str = "auto"  # database / duckdb / auto (metrics.engine.analytics)
    analytics_cache: Path | None = None  # folder for the DuckDB copy (None: beside a SQLite store, else temp)
    # Several courts in one database (a 中院's view); empty for a single court.
    courts: tuple[Court, ...] = ()

    def for_court(self, name: str) -> Config:
        """This configuration with the court's own targets (config.yaml courts[].targets) over the shared ones."""
        court = next((c for c in self.courts if c.name == name), None)
        if court is None or not court.targets:
            return self
        return replace(self, targets={**self.targets, **court.targets})
    auth: AuthConfig = field(default_factory=AuthConfig)

    @property
    def is_sample_database(self) -> bool:
        """The configured database is the embedded sample (built from sample_data/), not a court's own."""
        return self.sample and not self.database_url_from_env

    @property
    def baseline(self) -> Phase:
        return next(p for p in self.phases if p.baseline)

    @property
    def data_complete_from(self) -> dt.date:
        """Before this day the data are incomplete (default: the baseline's start)."""
        return self.parameters.data_complete_from or self.baseline.start

    @property
    def action_phases(self) -> tuple[Phase, ...]:
        return tuple(p for p in self.phases if not p.baseline)

    def phase(self, key: str) -> Phase:
        for p in self.phases:
            if p.key == key:
                return p
        raise KeyError(key)


def _as_date(value: Any, key: str) -> dt.date:
    """A YYYY-MM-DD date between DATE_MIN and DATE_MAX (the loader leaves dates as text, so typos land here)."""
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is None:
        raise ConfigError(key, f"“{value}”不是有效日期，应写成 YYYY-MM-DD，例如 2025-03-01")
    if not DATE_MIN <= day <= DATE_MAX:
        raise ConfigError(key, f"日期 {day.isoformat()} 超出可用范围（{DATE_MIN} 至 {DATE_MAX}），请检查年份")
    return day


class _Loader(yaml.SafeLoader):
    """safe_load without timestamps and without aliases.

    Dates stay text, so `2025-13-01` reaches _as_date (and names its key) instead of failing inside PyYAML; and
    aliases are refused, because a few nested ones expand to gigabytes ("billion laughs").
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise ConfigError(f"第{mark.line + 1}行", "配置文件不支持 YAML 别名（*名称），请把内容直接写出")
        return super().compose_node(parent, index)


def _read_yaml(path: Path):
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError(str(path), "找不到配置文件") from None
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(path.name, f"文件过大（{size / 1024:,.0f} KB，上限 {MAX_CONFIG_BYTES // 1024} KB），"
                                     "不像是配置文件")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "找不到配置文件") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "配置文件不是 UTF-8 编码") from None
    except OSError as exc:
        raise ConfigError(str(path), f"无法读取配置文件（{exc.strerror or type(exc).__name__}）") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 — _Loader is a SafeLoader
    except ConfigError as exc:
        raise ConfigError(f"{path.name} {exc.key}", exc.reason) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else "文件"
        raise ConfigError(f"{path.name} {where}", "YAML 格式错误（检查缩进与冒号）") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        raise ConfigError(path.name, f"YAML 内容无法解析（{type(exc).__name__}）") from None


def _str_list(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(key, "应为非空的文字列表，例如 [首次执行]")
    return tuple(v.strip() for v in value)


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(key, f"应为正整数，现在是“{value}”")
    return value


def _nonnegative_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(key, f"应为0或正整数，现在是“{value}”")
    return value


def _mapping(value: Any, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(key, "应为“键: 值”形式的一组设置")
    return value


def _parse_phases(raw: Any) -> tuple[Phase, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("phases", "应为阶段列表，每个阶段包含 key、name、start、end")
    phases: list[Phase] = []
    for i, item in enumerate(raw):
        where = f"phases[{i + 1}]"
        if not isinstance(item, dict):
            raise ConfigError(where, "每个阶段应包含 key、name、start、end")
        for required in ("key", "name", "start", "end"):
            if item.get(required) in (None, ""):
                raise ConfigError(f"{where}.{required}", "缺少此项")
        key = str(item["key"]).strip()
        start = _as_date(item["start"], f"{where}.start")
        end = _as_date(item["end"], f"{where}.end")
        if end < start:
            raise ConfigError(f"{where}.end", f"结束日期 {end} 早于开始日期 {start}")
        baseline = item.get("baseline", False)
        if not isinstance(baseline, bool):
            raise ConfigError(f"{where}.baseline", "应为 true 或 false")
        phases.append(Phase(key, str(item["name"]).strip(), start, end, baseline))
    keys = [p.key for p in phases]
    for k in keys:
        if keys.count(k) > 1:
            raise ConfigError("phases", f"阶段 key “{k}”重复")
    baselines = [p for p in phases if p.baseline]
    if len(baselines) != 1:
        raise ConfigError("phases", f"必须恰好有一个阶段标注 baseline: true，现在有 {len(baselines)} 个")
    ordered = sorted(phases, key=lambda p: p.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start <= a.end:
            raise ConfigError(
                "phases",
                f"阶段“{a.name}”（{a.start}至{a.end}）与“{b.name}”（{b.start}至{b.end}）时间重叠",
            )
    return tuple(phases)


def _parse_parameters(raw: Any) -> Parameters:
    raw = _mapping(raw, "parameters")
    known = set(Parameters.__dataclass_fields__)
    for k in raw:
        if k not in known:
            raise ConfigError(f"parameters.{k}", "未知参数，可用：" + "、".join(sorted(known)))
    d = Parameters()
    return Parameters(
        scope_case_types=_str_list(raw.get("scope_case_types", list(d.scope_case_types)),
                                   "parameters.scope_case_types"),
        actual_closure_methods=_str_list(raw.get("actual_closure_methods", list(d.actual_closure_methods)),
                                         "parameters.actual_closure_methods"),
        transfer_reasons=_str_list(raw.get("transfer_reasons", list(d.transfer_reasons)),
                                   "parameters.transfer_reasons"),
        statutory_days=_positive_int(raw.get("statutory_days", d.statutory_days), "parameters.statutory_days"),
        judgment_observation_days=_positive_int(raw.get("judgment_observation_days", d.judgment_observation_days),
                                                "parameters.judgment_observation_days"),
        small_denominator=_positive_int(raw.get("small_denominator", d.small_denominator),
                                        "parameters.small_denominator"),
        entrust_warn_days=_nonnegative_int(raw.get("entrust_warn_days", d.entrust_warn_days),
                                           "parameters.entrust_warn_days"),
        check_interval_days=_positive_int(raw.get("check_interval_days", d.check_interval_days),
                                          "parameters.check_interval_days"),
        data_complete_from=(None if raw.get("data_complete_from") in (None, "")
                            else _as_date(raw["data_complete_from"], "parameters.data_complete_from")),
    )


def _parse_targets(raw: Any) -> dict[str, Target]:
    raw = _mapping(raw, "targets")
    targets: dict[str, Target] = {}
    for key, spec in raw.items():
        where = f"targets.{key}"
        if key not in INDICATORS:
            raise ConfigError(where, "未知指标，指标 key 见“指标口径”页或 SPEC 第4节")
        spec = _mapping(spec, where)
        for k in spec:
            if k not in ("target", "direction"):
                raise ConfigError(f"{where}.{k}", "未知设置，只能写 target 与 direction")
        direction = spec.get("direction", INDICATORS[key].direction)
        if direction not in DIRECTIONS:
            raise ConfigError(f"{where}.direction", f"应为 higher、lower 或 none，现在是“{direction}”")
        target = spec.get("target")
        if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))):
            raise ConfigError(f"{where}.target", f"应为数字（比率写成小数，如 0.5 表示50%），现在是“{target}”")
        targets[key] = Target(direction=direction, target=None if target is None else float(target))
    return targets


def _parse_courts(raw: Any, shared: dict[str, Target]) -> tuple[Court, ...]:
    """courts: [{name, code, short, targets}] — optional; per-court targets override the shared ones."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("courts", "应为法院列表，每个法院包含 name（名称）、code（案号代字，如 鄂0505）、short")
    courts: list[Court] = []
    for i, item in enumerate(raw):
        where = f"courts[{i + 1}]"
        if not isinstance(item, dict):
            raise ConfigError(where, "每个法院应包含 name、code、short")
        for k in item:
            if k not in ("name", "code", "short", "targets"):
                raise ConfigError(f"{where}.{k}", "未知设置，只能写 name、code、short、targets")
        name, code = str(item.get("name") or "").strip(), str(item.get("code") or "").strip()
        if not name:
            raise ConfigError(f"{where}.name", "缺少法院名称")
        if not re.fullmatch(r"[\u4e00-\u9fff]\d{2,4}", code):
            raise ConfigError(f"{where}.code", f"“{code}”不是案号中的法院代字，应形如 鄂0505")
        targets: dict[str, Target] = {}
        if item.get("targets") is not None:
            try:
                own = _parse_targets(item["targets"])
            except ConfigError as exc:
                raise ConfigError(f"{where}.{exc.key}", exc.reason) from None
            # A court's entry may give only a target; the direction stays the shared one.
            raw_targets = item["targets"]
            targets = {k: Target(t.direction if "direction" in (raw_targets[k] or {}) else
                                 shared.get(k, Target(INDICATORS[k].direction)).direction, t.target)
                       for k, t in own.items()}
        courts.append(Court(name, code, str(item.get("short") or "").strip() or short_name(name), targets))
    for attr, label in (("name", "名称"), ("code", "代字"), ("short", "简称")):
        values = [getattr(c, attr) for c in courts]
        for v in values:
            if values.count(v) > 1:
                raise ConfigError("courts", f"法院{label}“{v}”重复")
    return tuple(courts)


def _parse_auth(raw: Any) -> AuthConfig:
    raw = _mapping(raw, "auth")
    known = ("mode", "idle_hours", "bureau_unmasked", "provider")
    for k in raw:
        if k not in known:
            raise ConfigError(f"auth.{k}", "未知设置，可用：" + "、".join(known))
    mode = raw.get("mode", "none")
    if mode is None or mode is False:  # YAML reads a bare `none`/`no` as null/false
        mode = "none"
    if mode not in AUTH_MODES:
        raise ConfigError("auth.mode", f"应为 none、password 或 oidc，现在是“{mode}”")
    idle = raw.get("idle_hours", 8)
    if isinstance(idle, bool) or not isinstance(idle, (int, float)) or not 0 < idle <= 24 * 30:
        raise ConfigError("auth.idle_hours", f"应为大于 0 的小时数（最多 720），现在是“{idle}”")
    unmasked = raw.get("bureau_unmasked", False)
    if not isinstance(unmasked, bool):
        raise ConfigError("auth.bureau_unmasked", "应为 true 或 false")
    provider = raw.get("provider")
    if provider is not None and (not isinstance(provider, str) or not provider.strip()):
        raise ConfigError("auth.provider", "应为 secrets.toml 中 [auth.名称] 的名称")
    return AuthConfig(mode=mode, idle_hours=float(idle), bureau_unmasked=unmasked,
                      provider=provider.strip() if provider else None)


def _hide_password(url: str) -> str:
    """An unparsable URL for a message: whatever stands between "://user:" and "@" is replaced by ***."""
    import re

    return re.sub(r"(://[^:/@]*:).*@", r"\1***@", url.strip())


def _check_url(url: Any, key: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(url, str) or not url.strip():
        raise ConfigError(key, "缺少数据库地址")
    try:
        make_url(url.strip())
    except ArgumentError:
        raise ConfigError(
            key,
            f"“{_hide_password(url)}”不是有效的数据库地址，应形如 sqlite:///data/court.db 或 "
            "postgresql+psycopg://用户:密码@主机:5432/库名",
        ) from None
    return url.strip()


ANALYTICS_MODES = {"database": "在业务数据库中直接计算", "duckdb": "在 DuckDB 分析副本中计算",
                   "auto": "案件超过10万件时用 DuckDB，否则直接计算"}


def _parse_analytics(raw: Any, env_value: str) -> tuple[str, Path | None]:
    """`analytics: auto` or `analytics: {engine: duckdb, cache: data/analytics}`; DASHBOARD_ANALYTICS wins."""
    cache = None
    if isinstance(raw, dict):
        for k in raw:
            if k not in ("engine", "cache"):
                raise ConfigError(f"analytics.{k}", "未知设置，只能写 engine 与 cache")
        mode, key = raw.get("engine", "auto"), "analytics.engine"
        if raw.get("cache") not in (None, ""):
            if not isinstance(raw["cache"], str):
                raise ConfigError("analytics.cache", "应为文件夹路径，例如 data/analytics")
            cache = Path(raw["cache"])
            cache = cache if cache.is_absolute() else ROOT / cache
    else:
        mode, key = ("auto" if raw in (None, "") else raw), "analytics"
    if env_value:
        mode, key = env_value, "环境变量 DASHBOARD_ANALYTICS"
    if mode not in ANALYTICS_MODES:
        choices = "；".join(f"{k}（{v}）" for k, v in ANALYTICS_MODES.items())
        raise ConfigError(key, f"应为 database、duckdb 或 auto，现在是“{mode}”。可选：{choices}")
    return mode, cache


def load_config(path: str | os.PathLike | None = None, env: dict | None = None) -> Config:
    """Read and validate a config file (default: DASHBOARD_CONFIG, else config.yaml beside app.py).

    DATABASE_URL in the environment overrides the configured database URL.
    """
    env = os.environ if env is None else env
    path = Path(path) if path else Path(env.get("DASHBOARD_CONFIG") or DEFAULT_CONFIG_PATH)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(path.name, "配置文件应为“键: 值”形式")
    known = {"court", "courts", "database", "analytics", "phases", "parameters", "targets", "display",
             "import", "auth"}
    for k in raw:
        if k not in known:
            raise ConfigError(str(k), "未知配置项，可用：" + "、".join(sorted(known)))

    court = _mapping(raw.get("court"), "court")
    if not court.get("name"):
        raise ConfigError("court.name", "缺少法院名称")
    database = _mapping(raw.get("database"), "database")
    env_url = env.get("DATABASE_URL", "").strip()
    if env_url:
        url = _check_url(env_url, "环境变量 DATABASE_URL")
    else:
        url = _check_url(database.get("url"), "database.url")
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        # Relative SQLite paths are relative to the project folder, not to wherever streamlit was started.
        url = "sqlite:///" + str(ROOT / url[len("sqlite:///"):])
    sample = database.get("sample", False)
    if not isinstance(sample, bool):
        raise ConfigError("database.sample", "应为 true 或 false")

    analytics, analytics_cache = _parse_analytics(raw.get("analytics"), env.get("DASHBOARD_ANALYTICS", "").strip())
    display = _mapping(raw.get("display"), "display")
    as_of = None if display.get("as_of") in (None, "") else _as_date(display["as_of"], "display.as_of")
    if as_of is not None and as_of > dt.date.today():
        # A future 统计日 counts every pending case as pending until then and stretches the month series.
        raise ConfigError("display.as_of", f"统计日 {as_of} 晚于今天（{dt.date.today()}），请留空或填写已过去的日期")
    phases = _parse_phases(raw.get("phases"))
    default_phase = display.get("default_phase")
    if default_phase is not None and default_phase not in {p.key for p in phases}:
        raise ConfigError("display.default_phase", f"“{default_phase}”不是已配置的阶段 key")

    imports = _mapping(raw.get("import"), "import")
    for k in imports:
        if k != "mapping":
            raise ConfigError(f"import.{k}", "未知设置，只能写 mapping（本院表头对照表文件）")
    mapping_name = imports.get("mapping") or "mapping.yaml"
    if not isinstance(mapping_name, str):
        raise ConfigError("import.mapping", "应为文件名，例如 mapping.yaml")
    mapping_path = Path(mapping_name)
    if not mapping_path.is_absolute():
        mapping_path = path.resolve().parent / mapping_path

    targets = _parse_targets(raw.get("targets"))
    return Config(
        court_name=str(court["name"]).strip(),
        court_code=str(court.get("code") or "").strip(),
        action_name=str(court.get("action_name") or "专项行动").strip(),
        database_url=url,
        database_url_from_env=bool(env_url),
        sample=sample,
        phases=phases,
        parameters=_parse_parameters(raw.get("parameters")),
        targets=targets,
        as_of=as_of,
        default_phase=default_phase,
        path=path,
        mapping_path=mapping_path,
        analytics=analytics,
        analytics_cache=analytics_cache,
        courts=_parse_courts(raw.get("courts"), targets),
        auth=_parse_auth(raw.get("auth")),
    )
