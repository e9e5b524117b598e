"""Format values and changes the way a court's report writes them: %, 百分点, 天, 万元, "—" for no data."""

from __future__ import annotations

from decimal import Decimal

from metrics.engine.compare import ANOMALY, NOT_COMPARABLE, Change, Row
from metrics.engine.compute import Value
from metrics.engine.indicators import INDICATORS, MEASURES

NONE = "—"


def wan(yuan) -> str:
    """元 → 万元 with two decimals."""
    return f"{float(yuan) / 10000:,.2f}万元"


def format_number(key: str, number) -> str:
    """A bare indicator value (no 暂定 mark)."""
    if number is None:
        return NONE
    ind = INDICATORS[key]
    if ind.unit in ("rate", "ratio"):
        return f"{float(number) * 100:.1f}%"
    if ind.unit == "days":
        return f"{float(number):.1f}天"
    if ind.unit == "money":
        return wan(number)
    if ind.unit == "persons":
        return f"{int(number)}人次"
    return f"{int(number)}件"


def format_value(value: Value) -> str:
    text = format_number(value.key, value.value)
    return text + "（暂定）" if value.provisional and value.value is not None else text


def format_part(key: str, part, which: str) -> str:
    """Numerator or denominator with its unit (amounts in 万元)."""
    if part is None:
        return NONE
    ind = INDICATORS[key]
    keys = ind.numerator if which == "numerator" else ind.denominator
    unit = MEASURES[keys[0]].unit if keys else "件"
    if unit == "元":
        return wan(part)
    if isinstance(part, Decimal):
        part = float(part)
    if isinstance(part, float) and part.is_integer():
        part = int(part)
    return f"{part}{unit}"


NOT_COMPARABLE_TEXT = "只比上年同期"


def format_change(ch: Change) -> str:
    if ch.delta is None:
        if ch.reason == NOT_COMPARABLE:
            return NOT_COMPARABLE_TEXT
        if ch.reason == ANOMALY:
            return ANOMALY
        return NONE
    digits = 1 if ch.unit in ("百分点", "天") else 2 if ch.unit == "万元/月" else 1
    if ch.unit == "件":
        digits = 0
    sign = "+" if ch.delta > 0 else "−" if ch.delta < 0 else "±"
    return f"{sign}{abs(ch.delta):.{digits}f}{ch.unit}"


def format_target(key: str, target: float | None) -> str:
    return NONE if target is None else format_number(key, target)


STATUS_TEXT = {"met": "达标", "missed": "未达标", "anomaly": ANOMALY, None: "未设目标"}
COURT_WIDE_TEXT = "全院口径"
NO_DATA_TEXT = "暂无数据"


def status_text(row: Row, has_target: bool) -> str:
    """The badge of a value: 达标/未达标 only for a possible value of the view it is shown in."""
    if row.status == "anomaly":
        return ANOMALY
    if row.court_wide:
        return COURT_WIDE_TEXT
    if row.value.value is None:
        return NO_DATA_TEXT
    if row.status is None:
        return STATUS_TEXT[None] if not has_target else NONE
    return STATUS_TEXT[row.status]

VERDICT_TEXT = {"better": "向好", "worse": "变差", "same": "持平", None: ""}
