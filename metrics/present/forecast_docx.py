"""预判 in the DOCX report: one table per phase begun and not ended at the 统计日, then the method in one sentence.

A separate function so the report builder (metrics/present/report.py or its DOCX module) calls it where it wants:

    from metrics.present.forecast_docx import add_forecast_docx
    add_forecast_docx(doc, engine, config, as_of, filters, number="四")

It writes nothing and returns False when every phase has ended (or none has begun): a report on an ended phase
never carries a projection.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from metrics.config import Config
from metrics.engine.filters import Filters
from metrics.engine.forecast import METHOD, METHOD_RECORDS, Projection, notes, open_phases, project_phase
from metrics.engine.indicators import INDICATORS
from metrics.present.format import NONE, format_number

HEADER = ["指标", "截至统计日", "预计阶段末", "区间(95%)", "目标", "预判"]


def forecasts(engine: Engine, config: Config, as_of: dt.date, filters: Filters = Filters()
              ) -> dict[str, list[Projection]]:
    """Phase key → projections, for the phases begun and not ended at the 统计日."""
    with engine.connect() as conn:
        return {p: rows for p in open_phases(config, as_of)
                if (rows := project_phase(conn, config, p, as_of, filters))}


def forecast_table_rows(projections: list[Projection]) -> list[list[str]]:
    out = []
    for p in projections:
        span = NONE if p.low is None else f"{format_number(p.key, p.low)}～{format_number(p.key, p.high)}"
        out.append([INDICATORS[p.key].name, format_number(p.key, p.so_far), format_number(p.key, p.projected), span,
                    format_number(p.key, p.target) if p.target is not None else NONE, p.status_text])
    return out


def add_forecast_docx(doc, engine: Engine, config: Config, as_of: dt.date, filters: Filters = Filters(), *,
                      number: str = "四", level: int = 1) -> bool:
    """Append the 预判 section to a python-docx Document; False (nothing written) when no phase is open."""
    found = forecasts(engine, config, as_of, filters)
    if not found:
        return False
    doc.add_heading(f"{number}、阶段末预判", level=level)
    write_forecasts(doc, found, config, as_of)
    return True


def write_forecasts(doc, found: dict[str, list[Projection]], config: Config, as_of: dt.date, *, table=None,
                    note=None) -> None:
    """The body of the 预判 section (under a heading the caller writes): a sentence and a table per open phase.

    table(doc, header, rows) and note(doc, text) let the report draw them in its own table and note styles."""
    for key, projections in found.items():
        p0 = projections[0]
        doc.add_paragraph(
            f"{config.phase(key).name}截至{as_of:%Y年%m月%d日}尚余{p0.days_left}天（阶段末{p0.phase_end:%Y年%m月%d日}）。"
            + _summary(projections))
        rows = forecast_table_rows(projections)
        if table is not None:
            table(doc, HEADER, rows)
        else:
            _plain_table(doc, rows)
        for reason in notes(projections):
            (note or _paragraph)(doc, reason + "。")
    (note or _paragraph)(doc, "注：" + METHOD + METHOD_RECORDS)


def _paragraph(doc, text: str) -> None:
    doc.add_paragraph(text)


def _plain_table(doc, rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(HEADER))
    table.style = "Table Grid"
    for j, text in enumerate(HEADER):
        cell = table.rows[0].cells[j]
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            table.rows[i].cells[j].text = text


def _summary(projections: list[Projection]) -> str:
    groups = {}
    for p in projections:
        if p.status:
            groups.setdefault(p.status_text, []).append(INDICATORS[p.key].name)
    parts = [f"{label}{len(names)}项（{'、'.join(names)}）" for label, names in groups.items()]
    return ("按最近的进度预判，" + "；".join(parts) + "。") if parts else ""
