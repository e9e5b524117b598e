"""Several courts in one database: the configured court list, a case's court from its 案号, partner-name spellings.

Pure functions over plain data (no database, no config loading), so the importer, the engine and the sample
generator can share them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# (2025)鄂0505执123号 — half- or full-width parentheses; the court code is a province character and digits.
_CODE_IN_CASE_NO = re.compile(r"^\s*[（(]\s*\d{4}\s*[)）]\s*(?P<code>[\u4e00-\u9fff]\d+)")


@dataclass(frozen=True)
class Court:
    """One court of a multi-court database (config.yaml `courts:`)."""

    name: str  # as in 执行法院, e.g. 宜昌市猇亭区人民法院
    code: str  # the 案号 court code, e.g. 鄂0505
    short: str  # for tables and charts, e.g. 猇亭
    targets: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)  # key → config.Target


def case_no_code(case_no: str | None) -> str | None:
    """The court code of a 案号: '(2025)鄂0505执123号' → '鄂0505'; None when the text is no 案号."""
    if not case_no:
        return None
    m = _CODE_IN_CASE_NO.match(case_no)
    return m.group("code") if m else None


def court_from_case_no(case_no: str | None, courts: Iterable[Court]) -> str | None:
    """The configured court whose code the 案号 carries (for a blank 执行法院); None when none matches."""
    code = case_no_code(case_no)
    if code is None:
        return None
    for court in courts:
        if court.code == code:
            return court.name
    return None


def _core(name: str) -> str:
    """A court name without spaces and without the 人民法院/法院 ending: 宜昌市猇亭区人民法院 → 宜昌市猇亭区."""
    text = re.sub(r"\s+", "", name or "")
    for ending in ("人民法院", "法院"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _without_city(core: str) -> str:
    """宜昌市猇亭区 → 猇亭区 (a district is often written without its city); 宜都市 stays 宜都市."""
    m = re.match(r"^[\u4e00-\u9fff]{2,3}市(?P<rest>[\u4e00-\u9fff]+[区县])$", core)
    return m.group("rest") if m else core


def short_name(name: str) -> str:
    """A short label for a court: 宜昌市猇亭区人民法院 → 猇亭区, 远安县人民法院 → 远安县, 五峰土家族自治县 → 五峰县."""
    core = _without_city(_core(name))
    core = re.sub(r"^(?P<place>[\u4e00-\u9fff]{2}?)(?:[\u4e00-\u9fff]+族)+自治县$", r"\g<place>县", core)
    return core or name


def canonical_court(spelling: str | None, names: Iterable[str], courts: Iterable[Court] = ()) -> str | None:
    """The court of `names` a partner-court spelling means, or None.

    Clerks write the same court in several ways (宜昌市猇亭区人民法院, 猇亭区法院, 猇亭法院); an exact name
    wins, then the configured short name or code, then the name without 人民法院/法院 and without its city.
    """
    if not spelling or not spelling.strip():
        return None
    text = re.sub(r"\s+", "", spelling)
    names = list(dict.fromkeys(names))
    if text in names:
        return text
    for court in courts:
        if text in (court.short, court.code, court.short + "法院", court.short + "人民法院"):
            return court.name
    core = _core(text)
    for name in names:
        if core in (_core(name), _without_city(_core(name))):
            return name
    # 猇亭法院 for 宜昌市猇亭区人民法院: the district name without 区/县 as a last resort, when unambiguous.
    hits = [n for n in names if len(core) >= 2 and _without_city(_core(n)).rstrip("区县") == core]
    return hits[0] if len(hits) == 1 else None


def scope_title(court_name: str, names: list[str], court_filter: str | None = None,
                shorts: dict[str, str] | None = None) -> str:
    """Which courts a report or page speaks of: the configured court for a single-court database; otherwise the
    filtered court, or e.g. 宜昌市中级人民法院（西陵区、伍家岗区等13家法院）."""
    if len(names) <= 1:
        return court_name
    if court_filter:
        return court_filter
    shorts = shorts or {}
    labels = [shorts.get(n) or short_name(n) for n in names]
    listed = "、".join(labels) + f"共{len(labels)}家法院" if len(labels) <= 4 else \
        "、".join(labels[:2]) + f"等{len(labels)}家法院"
    return listed if court_name in names else f"{court_name}（{listed}）"
