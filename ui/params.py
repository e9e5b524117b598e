"""URL parameters: one parse function per parameter, so no link can break a page, and a value that is ignored
is said to be ignored (in Chinese, on the page), never dropped silently.

Each `parse_*` takes the raw values of its parameter (a parameter may be repeated: the last one counts for a
single choice) and returns the value the page uses, or raises Ignored with the note to show. The notes never
repeat the raw value: it comes from a link anyone can write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from metrics.config import DATE_MIN, Config
from metrics.engine.indicators import INDICATORS
from metrics.engine.windows import resolve_window

NOTES = "_param_notes"


class Ignored(ValueError):
    """A URL parameter whose value cannot be used; the message is the note shown on the page."""


def _last(values: Sequence[str]) -> str:
    return values[-1].strip() if values else ""


def parse_phase(values: Sequence[str], config: Config, choices: Sequence[str]) -> str:
    """`phase`: a phase key (review) or its name (总结提升阶段), among the phases one can pick."""
    text = _last(values)
    by_name = {config.phase(k).name: k for k in choices}
    if text in choices:
        return text
    if text in by_name:
        return by_name[text]
    names = "、".join(f"{config.phase(k).name}（{k}）" for k in choices)
    raise Ignored(f"链接中的阶段（phase）无法识别，已忽略，显示默认阶段。可用的阶段：{names}。")


def parse_as_of(values: Sequence[str], latest: dt.date) -> dt.date:
    """`asof`: a real YYYY-MM-DD date from DATE_MIN to `latest` (the later of today and the default 统计日)."""
    text = _last(values)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != 10:
        raise Ignored("链接中的统计日（asof）不是有效日期（应写成 YYYY-MM-DD），已忽略，改用默认统计日。")
    if not DATE_MIN <= day <= latest:
        raise Ignored(f"链接中的统计日（asof）超出可选范围（{DATE_MIN} 至 {latest}），已忽略，改用默认统计日。")
    return day


def parse_choice(values: Sequence[str], options: Sequence[str], label: str, param: str) -> str:
    """A single choice among known options (`court`)."""
    text = _last(values)
    if text in options:
        return text
    raise Ignored(f"链接中的{label}（{param}）不在可选范围内，已忽略。")


def parse_choices(values: Sequence[str], options: Sequence[str], label: str, param: str) -> tuple[str, ...]:
    """Several choices among known options (`team`, `handler`, `tag`, `role`): unknown ones are left out."""
    known = tuple(dict.fromkeys(v for v in values if v in options))
    unknown = len({v for v in values if v not in options})
    if unknown:
        kept = f"其余 {len(known)} 个照常使用" if known else "未按此筛选"
        raise Ignored(f"链接中有 {unknown} 个{label}（{param}）不在当前数据中，已忽略，{kept}。", known)
    return known


def parse_flag(values: Sequence[str], label: str, param: str) -> bool:
    """`projector`: true or false."""
    text = _last(values).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0", ""):
        return False
    raise Ignored(f"链接中的{label}（{param}）应为 true 或 false，已忽略。")


def parse_indicator(values: Sequence[str]) -> str:
    """`ind`: an indicator key (recovery_rate …)."""
    text = _last(values)
    if text in INDICATORS:
        return text
    raise Ignored("链接中的指标（ind）无法识别，已忽略，显示默认指标。指标 key 见“指标口径”页。")


def parse_window(values: Sequence[str], config: Config, as_of: dt.date) -> str:
    """`win`: a phase key, a phase key + "_yoy" (同比) or a month YYYY-MM from 2000 to the 统计日's month."""
    text = _last(values)
    window = resolve_window(config, as_of, text)
    if window is None or (window.start > as_of and not text.endswith("_yoy") and text not in
                          {p.key for p in config.phases}):
        raise Ignored("链接中的窗口（win）无法识别（应为阶段 key、阶段 key_yoy 或 2000 年以后、不晚于统计日的"
                      "月份 YYYY-MM），已改为当前阶段。")
    return text


def parse_part(values: Sequence[str], parts: Sequence[str]) -> str:
    """`part`: all, num (分子) or den (分母)."""
    text = _last(values)
    if text in parts:
        return text
    raise Ignored("链接中的显示范围（part）应为 all、num 或 den，已忽略，显示全部记录。")


def read(param: str, parse, *args):
    """The parsed value of a URL parameter, or None when it is absent or ignored (the note is kept for show())."""
    if param not in st.query_params:
        return None
    try:
        return parse(st.query_params.get_all(param), *args)
    except Ignored as exc:
        note(str(exc.args[0]))
        return exc.args[1] if len(exc.args) > 1 else None


def note(text: str) -> None:
    notes = st.session_state.setdefault(NOTES, [])
    if text not in notes:
        notes.append(text)


def show() -> None:
    """The notes of this run, once, where the page puts them (below the header)."""
    for text in st.session_state.pop(NOTES, []):
        st.warning(text, icon=":material/link_off:")
