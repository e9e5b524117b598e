"""The numbers a report states, collected once and shared by the 总结报告 draft (report_docx) and the meeting
deck (report_pptx); the entry points `render_report` / `build_report` used by 报告导出 and `python -m metrics report`.

The numbers come from metrics.engine.service.Dashboard, the charts from metrics.present.charts (rendered by
metrics.present.export with the bundled font), the sentences from metrics.present.sentences; nothing is computed
in the document modules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from metrics.config import Config
from metrics.engine.compare import Row, compare_phase, target_of
from metrics.engine.compute import WindowResult
from metrics.engine.db import DatabaseUnavailable, describe_url, is_sample
from metrics.engine.filters import Filters
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.engine.windows import Window
from metrics.present.charts import SAMPLE_MARK
from metrics.present.export import render_chart
from metrics.present.format import NONE, format_change, format_number, format_value
from metrics.present.sentences import indicator_sentence

Progress = Callable[[str], None]
FORMATS = ("docx", "pptx")
SMALL_MARK = "*"
_STEP = re.compile(r"^\[(\d+)/(\d+)\]")


def progress_fraction(message: str) -> float | None:
    """0..1 from a progress message “[3/21] …”, for a progress bar; None for a message without a count."""
    m = _STEP.match(message)
    return int(m.group(1)) / int(m.group(2)) if m else None


class Steps:
    """Numbers the progress messages “[i/n] …” so a page can draw a bar and the CLI a readable log."""

    def __init__(self, total: int, callback: Progress | None):
        self.total, self.done, self.callback = total, 0, callback

    def __call__(self, message: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self.callback:
            self.callback(f"[{self.done}/{self.total}] {message}")


@dataclass
class ReportData:
    """Everything a report states: one computation, shared by the DOCX and the PPTX."""

    config: Config
    as_of: dt.date
    filters: Filters
    sample: bool
    source: str
    focus: str  # the phase the takeaways speak of
    windows: dict[str, Window]
    phases: dict[str, WindowResult]
    monthly: list[WindowResult]
    rows: dict[tuple[str, str], Row]
    last_year: dict[str, WindowResult] | None = None
    partners: dict[str, dict[str, WindowResult]] | None = None  # phase → 交叉执行对方法院 → cases' indicators
    forecasts: dict | None = None  # phase key → 预判 projections, for phases begun and not ended (else empty)

    @property
    def begun(self) -> list[str]:
        return begun_phases(self.config, self.windows)

    def sentence(self, key: str, phase: str) -> str:
        p = self.config.phase(phase)
        return indicator_sentence(self.rows[key, phase], p.name, target_of(self.config, key), baseline=p.baseline)

    def footer(self) -> str:
        text = f"{self.config.court_name} · {self.config.action_name} · 统计日 {self.as_of:%Y-%m-%d}"
        return text + (f" · {SAMPLE_MARK}" if self.sample else "")


def begun_phases(config: Config, windows: dict[str, Window]) -> list[str]:
    """Action phases that have begun by the as-of date, in order."""
    return [p.key for p in config.action_phases if not windows[p.key].empty]


def collect(engine: Engine, config: Config, as_of: dt.date | None = None, filters: Filters = Filters(),
            phase: str | None = None, *, monthly: bool = True, partners: bool = False) -> ReportData:
    """The numbers of a report; `phase` (default: the configured default phase, else the latest begun) is the
    one the takeaways speak of. Monthly series only when a monthly chart is drawn."""
    from metrics.engine.courts import for_scope
    from metrics.engine.service import Dashboard

    config = for_scope(engine, config, filters)  # several courts: the title says which
    board = Dashboard(engine, config)
    as_of = as_of or board.default_as_of()
    if as_of is None:
        raise DatabaseUnavailable("数据库中没有任何数据，无法生成报告；请先导入数据或指定统计日（--as-of）")
    windows = {w.key: w for w in board.phase_windows(as_of)}
    phases = board.phase_results(as_of, filters)
    last_year = board.last_year_results(as_of, filters)
    rows = {(key, p.key): compare_phase(config, key, p.key, phases, last_year, filters)
            for p in config.phases for key in INDICATORS}
    begun = begun_phases(config, windows)
    if phase not in begun:
        phase = config.default_phase if config.default_phase in begun else (begun[-1] if begun else
                                                                           config.baseline.key)
    sample = is_sample(engine)
    source = ("示例数据（程序生成的合成数据，见 sample_data/）" if sample
              else describe_url(engine.url.render_as_string(hide_password=False)))
    by_partner = None
    if partners:
        from metrics.engine.breakdowns import phase_breakdowns
        from metrics.engine.schema import cases

        by_partner = phase_breakdowns(engine, config, as_of, cases.c.partner_court, filters)
    from metrics.present.forecast_docx import forecasts

    return ReportData(config, as_of, filters, sample, source, phase, windows, phases,
                      board.monthly_results(as_of, filters) if monthly else [], rows, last_year, by_partner,
                      forecasts(engine, config, as_of, filters) if monthly else {})


def png(chart, *, width: int | None = None, height: int | None = None) -> bytes:
    spec = chart.to_dict()
    if width:
        spec["width"] = width
    if height:
        spec["height"] = height
    return render_chart(spec, "png")


def cn_date(day: dt.date) -> str:
    """2026年10月31日, as dates are written in prose."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_span(start: dt.date, end: dt.date) -> str:
    """2025年3月1日至12月31日 (the year is not repeated within one year)."""
    tail = f"{end.month}月{end.day}日" if end.year == start.year else cn_date(end)
    return f"{cn_date(start)}至{tail}"


def phase_span(config: Config, key: str, data: ReportData | None = None) -> str:
    p = config.phase(key)
    text = cn_span(p.start, p.end)
    if data is not None:
        w = data.windows[key]
        if w.empty:
            text += "，截至统计日尚未开始"
        elif w.clamped:
            text += f"，统计截至{cn_date(w.end)}"
    return text


def small_verdict(row: Row) -> bool:
    """A value to mark 样本较小: too few cases for a change no rule can judge, or for its 达标/未达标 verdict."""
    return row.value.value is not None and (row.small or (row.few and row.status in ("met", "missed")))


def cell_value(row: Row) -> str:
    return format_value(row.value) + (SMALL_MARK if small_verdict(row) else "")


def vs_baseline(row: Row) -> str:
    """Δ vs baseline as the tables state it; a 受理口径 rate is not compared with a baseline of another length."""
    return change_cell(row.vs_baseline)


def change_cell(ch) -> str:
    """A change in a table cell; within noise it says so (误差内 / 样本小) instead of standing bare."""
    text = format_change(ch)
    if ch.delta is not None and ch.uncertain:
        text += "（误差内）" if ch.reason == "差异在统计误差内" else "（样本小）"
    return text


def target_text(config: Config, key: str) -> str:
    """不低于50.0% / 不超过90.0天 (words, not ≥ ≤)."""
    t = target_of(config, key)
    if t.target is None:
        return NONE
    return ("不超过" if t.direction == "lower" else "不低于") + format_number(key, t.target)


# ---- entry points ----------------------------------------------------------------------------------------------

def render_report(engine: Engine, config: Config, fmt: str, as_of: dt.date | None = None,
                  progress: Progress | None = None, *, filters: Filters = Filters(),
                  phase: str | None = None) -> bytes:
    """The report as bytes: "docx" (draft 总结报告) or "pptx" (meeting deck)."""
    if fmt not in FORMATS:
        raise ValueError(f"未知报告格式：{fmt}（应为 docx 或 pptx）")
    charts = 2 * len(HEADLINE) if fmt == "docx" else len(HEADLINE)
    steps = Steps(charts + 2, progress)
    steps("计算各阶段、上年同期与月度指标")
    data = collect(engine, config, as_of, filters, phase, monthly=fmt == "docx", partners=fmt == "docx")
    if fmt == "docx":
        from metrics.present.report_docx import build_docx

        return build_docx(data, steps)
    from metrics.present.report_pptx import build_pptx

    return build_pptx(data, steps)


def build_report(engine: Engine, config: Config, out_path: str | Path, as_of: dt.date | None = None,
                 progress: Progress | None = None, *, filters: Filters = Filters(), phase: str | None = None
                 ) -> Path:
    """Write the DOCX or PPTX named by out_path's suffix; used by the page and `python -m metrics report`."""
    out = Path(out_path)
    content = render_report(engine, config, out.suffix.lower().lstrip("."), as_of, progress, filters=filters,
                            phase=phase)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return out
