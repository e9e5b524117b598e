"""Time windows: phases clamped to the as-of date, the same period a year earlier, months."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from metrics.config import DATE_MAX, DATE_MIN, Config, Phase

# The longest monthly series a chart or report draws: ten years. A stray date cannot make it longer (each month
# is one row of the windows table, and SQLite refuses more than 500 SELECTs in one compound statement).
MAX_MONTHS = 120


@dataclass(frozen=True)
class Window:
    """An inclusive date range [start, end], already clamped to the as-of date.

    `empty` is True when the window starts after the as-of date: nothing in it has happened yet, so every
    indicator of it is null.
    """

    key: str
    label: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    empty: bool = False
    clamped: bool = False  # the configured end lies after the as-of date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        """Length in months (30.4375-day months), to compare counts of windows of different length (月均)."""
        return self.days / 30.4375

    def describe(self) -> str:
        if self.empty:
            return f"{self.label}（尚未开始）"
        text = f"{self.label}（{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}）"
        return text + ("，截至统计日" if self.clamped else "")


def clamp(key: str, label: str, start: dt.date, end: dt.date, as_of: dt.date) -> Window:
    if start > as_of:
        return Window(key, label, start, end, as_of, empty=True)
    return Window(key, label, start, min(end, as_of), as_of, clamped=end > as_of)


def phase_window(phase: Phase, as_of: dt.date) -> Window:
    return clamp(phase.key, phase.name, phase.start, phase.end, as_of)


def phase_windows(config: Config, as_of: dt.date) -> list[Window]:
    return [phase_window(p, as_of) for p in config.phases]


def shift_year(day: dt.date, years: int = -1) -> dt.date:
    """The same calendar day `years` away; a month's last day maps to that month's last day (28 Feb ↔ 29 Feb)."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return dt.date(year, day.month, last)
    return dt.date(year, day.month, min(day.day, last))


def same_period_last_year(window: Window) -> Window:
    """The window's observed part moved back one year (同比): like is compared with like even mid-phase."""
    if window.empty:
        return Window(window.key + "_yoy", window.label + "·上年同期", shift_year(window.start),
                      shift_year(window.end), window.as_of, empty=True)
    return clamp(window.key + "_yoy", window.label + "·上年同期", shift_year(window.start),
                 shift_year(window.end), window.as_of)


def month_windows(start: dt.date, end: dt.date, as_of: dt.date) -> list[Window]:
    """Calendar months from start's month to end's month, clamped to the as-of date."""
    out = []
    y, m = start.year, start.month
    while dt.date(y, m, 1) <= min(end, as_of):
        first = dt.date(y, m, 1)
        last = dt.date(y, m, calendar.monthrange(y, m)[1])
        out.append(clamp(f"{y:04d}-{m:02d}", f"{y}年{m}月", first, last, as_of))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def series_months(config: Config, as_of: dt.date, start: dt.date | None = None) -> list[Window]:
    """The monthly series: from the first phase's month (or `start`) to the as-of month, at most MAX_MONTHS.

    When the span is longer, the latest MAX_MONTHS months are kept (the ones a trend is read for).
    """
    first = start or min(p.start for p in config.phases)
    end_index = as_of.year * 12 + as_of.month - 1
    start_index = max(first.year * 12 + first.month - 1, end_index - MAX_MONTHS + 1)
    if start_index > end_index:
        return []
    first = dt.date(start_index // 12, start_index % 12 + 1, 1)
    return month_windows(first, as_of, as_of)


def resolve_window(config: Config, as_of: dt.date, token: str) -> Window | None:
    """A window named in a link: a phase key, a phase key + "_yoy" (同比), or a month "YYYY-MM".

    None for anything else, including a month outside DATE_MIN..DATE_MAX (year 0001 has no year before it).
    """
    phases = {p.key: p for p in config.phases}
    if token in phases:
        return phase_window(phases[token], as_of)
    if token.endswith("_yoy") and token[:-4] in phases:
        return same_period_last_year(phase_window(phases[token[:-4]], as_of))
    parts = token.split("-")
    if len(parts) != 2 or not all(x.isascii() and x.isdigit() for x in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or not DATE_MIN <= dt.date(year, month, 1) <= DATE_MAX:
        return None
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return clamp(token, f"{year}年{month}月", first, last, as_of)
