"""Import history: record what each import wrote, list the imports, undo the latest one exactly.

An import stores, per row it touched, whether it inserted or updated it and the row as it was before an update.
Undo deletes the inserted rows and writes the before-images back, in one transaction with a new data version.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from metrics.engine.db import bump_data_version
from metrics.engine.schema import TABLES, import_batch_rows, import_batches, metadata


@dataclass(frozen=True)
class Batch:
    batch_id: int
    created_at: dt.datetime
    user_name: str | None
    files: list[dict]
    counts: dict[str, dict[str, int]]
    warnings: int
    status: str
    undone_at: dt.datetime | None

    @property
    def file_names(self) -> str:
        return "、".join(f["name"] for f in self.files)

    def total(self, what: str) -> int:
        return sum(c.get(what, 0) for c in self.counts.values())


class UndoError(Exception):
    """Nothing to undo, or the undo failed; the message is Chinese."""


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(kind: str, value):
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "money":
        return Decimal(value)
    if kind == "bool":
        return bool(value)
    return value


def before_image(row: dict) -> str:
    return json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)


def record_batch(conn: Connection, *, files: list[dict], counts: dict, warnings: int, user: str | None,
                 rows: list[dict]) -> int:
    """Write the batch and its row log inside the import's transaction; returns the batch id."""
    now = dt.datetime.now().replace(microsecond=0)
    result = conn.execute(insert(import_batches).values(
        created_at=now, user_name=user, files=json.dumps(files, ensure_ascii=False),
        counts=json.dumps(counts, ensure_ascii=False), warnings=warnings, status="imported"))
    batch_id = result.inserted_primary_key[0]
    for i in range(0, len(rows), 5000):
        conn.execute(import_batch_rows.insert(), [{**r, "batch_id": batch_id} for r in rows[i:i + 5000]])
    return batch_id


def list_batches(engine: Engine, limit: int = 50) -> list[Batch]:
    metadata.create_all(engine, tables=[import_batches, import_batch_rows])
    with engine.connect() as conn:
        rows = conn.execute(select(import_batches).order_by(import_batches.c.batch_id.desc()).limit(limit)).all()
    return [Batch(r.batch_id, r.created_at, r.user_name, json.loads(r.files), json.loads(r.counts), r.warnings,
                  r.status, r.undone_at) for r in rows]


def latest_undoable(engine: Engine) -> Batch | None:
    return next((b for b in list_batches(engine, 200) if b.status == "imported"), None)


def undo_latest(engine: Engine) -> Batch:
    """Undo the newest import that is not undone yet; all or nothing. Returns the batch undone."""
    batch = latest_undoable(engine)
    if batch is None:
        raise UndoError("没有可以撤销的导入")
    with engine.begin() as conn:
        rows = conn.execute(select(import_batch_rows).where(import_batch_rows.c.batch_id == batch.batch_id)
                            .order_by(import_batch_rows.c.id)).all()
        for name in reversed(list(TABLES)):  # dependants first, cases last
            spec = TABLES[name]
            key = spec.table.c[spec.key]
            inserted = [r.row_key for r in rows if r.table_name == name and r.action == "insert"]
            for i in range(0, len(inserted), 500):
                conn.execute(delete(spec.table).where(key.in_(inserted[i:i + 500])))
            kinds = {f.name: f.kind for f in spec.fields}
            for r in rows:
                if r.table_name != name or r.action != "update":
                    continue
                before = {k: _from_json(kinds.get(k, "text"), v) for k, v in json.loads(r.before).items()
                          if k in kinds}
                conn.execute(update(spec.table).where(key == r.row_key)
                             .values({k: v for k, v in before.items() if k != spec.key}))
        changed = conn.execute(update(import_batches)
                               .where(import_batches.c.batch_id == batch.batch_id,
                                      import_batches.c.status == "imported")
                               .values(status="undone", undone_at=dt.datetime.now().replace(microsecond=0)))
        if changed.rowcount != 1:  # another session undid it meanwhile: roll everything back
            raise UndoError("该次导入已被撤销")
        bump_data_version(conn)
    return batch


def batch_count(engine: Engine) -> int:
    metadata.create_all(engine, tables=[import_batches, import_batch_rows])
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(import_batches)).scalar()
