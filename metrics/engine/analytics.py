"""The analytics engine: where the indicators are computed (config `analytics:`).

- `database`: in the store itself (SQLite, PostgreSQL, MariaDB or a DuckDB file), as written.
- `duckdb`: in a DuckDB copy of the five tables, one per store and server process, shared by every session and
  thread. Before each computation the store's data version (metrics.engine.db.data_version, changed by every
  import and undo inside its transaction, also by another process) is compared with the copy's; a copy of an
  older version is rebuilt first, so it never serves stale numbers.
- `auto` (default): `duckdb` when the store holds more than AUTO_THRESHOLD cases, else `database`.

The copy is a DuckDB file in the configured cache folder (default: beside a SQLite store, else the system's
temporary folder), written under a new name per version, so a reader of the old copy is never disturbed.
The store stays the system of record; nothing is ever written back.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Boolean, Date, Integer, Numeric, create_engine, func, select
from sqlalchemy.engine import Engine, make_url

from metrics.engine.db import data_version, quiet
from metrics.engine.schema import cases, dataset_info, metadata

MODES = ("database", "duckdb", "auto")
AUTO_THRESHOLD = 100_000
COPIED_TABLES = ("cases", "judgments", "auctions", "measures", "entrustments", "dataset_info")
CHUNK = 100_000
BATCH_ROWS = 65_536  # rows per Arrow batch read from SQLite


@dataclass
class Copy:
    version: str
    engine: Engine
    path: Path
    seconds: float  # how long the last rebuild took


_COPIES: dict[str, Copy] = {}
_COUNTS: dict[tuple[str, str], int] = {}
_LOCK = threading.Lock()


def _store_key(store: Engine) -> str:
    return store.url.render_as_string(hide_password=False)


def cache_folder(store: Engine, configured: str | Path | None = None) -> Path:
    if configured:
        return Path(configured)
    url = make_url(_store_key(store))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent
    return Path(tempfile.gettempdir())


def mode_for(store: Engine, mode: str) -> str:
    """`database` or `duckdb`: the configured mode, `auto` resolved by the number of cases."""
    if mode not in MODES:
        raise ValueError(mode)
    if store.dialect.name == "duckdb":
        return "database"  # already DuckDB
    if mode != "auto":
        return mode
    key = (_store_key(store), data_version(store))
    if key not in _COUNTS:
        try:
            with store.connect() as conn:
                _COUNTS[key] = conn.execute(select(func.count()).select_from(cases)).scalar() or 0
        except Exception:  # no schema yet: nothing to copy
            _COUNTS[key] = 0
    return "duckdb" if _COUNTS[key] > AUTO_THRESHOLD else "database"


def compute_engine(store: Engine, mode: str = "auto", cache: str | Path | None = None) -> Engine:
    """The engine to compute on: the store, or its DuckDB copy brought up to the store's data version."""
    if mode_for(store, mode) == "database":
        return store
    return analytics_copy(store, cache).engine


def analytics_copy(store: Engine, cache: str | Path | None = None) -> Copy:
    """The store's DuckDB copy at the store's current data version (rebuilt first when the store changed)."""
    key = _store_key(store)
    with _LOCK:
        for _ in range(3):
            version = data_version(store)
            copy = _COPIES.get(key)
            if copy is not None and copy.version == version:
                return copy
            fresh = _build(store, version, cache_folder(store, cache))
            _COPIES[key] = fresh
            if copy is not None:
                _retire(copy)
            if data_version(store) == version:  # no write while copying: the copy is that version exactly
                return fresh
        return _COPIES[key]


def _retire(copy: Copy) -> None:
    copy.engine.dispose()
    for suffix in ("", ".wal"):
        Path(str(copy.path) + suffix).unlink(missing_ok=True)


def drop_copies() -> None:
    """Forget every copy (tests; a server shutting down)."""
    with _LOCK:
        for copy in _COPIES.values():
            _retire(copy)
        _COPIES.clear()
        _COUNTS.clear()


def _build(store: Engine, version: str, folder: Path) -> Copy:
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(_store_key(store).encode()).hexdigest()[:10]
    path = folder / f"analytics-{digest}-{hashlib.sha1(version.encode()).hexdigest()[:10]}-{time.time_ns()}.duckdb"
    engine = quiet(create_engine(f"duckdb:///{path}"))
    with engine.begin() as conn:  # bare tables (no keys, checks or indexes): DuckDB scans, inserts stay fast
        for table in metadata.sorted_tables:
            columns = ", ".join(f'"{c.name}" {c.type.compile(dialect=engine.dialect)}' for c in table.columns)
            conn.exec_driver_sql(f"CREATE TABLE {table.name} ({columns})")
    arrow = _arrow_reader(store)
    with store.connect() as src:
        for name in COPIED_TABLES:  # one transaction per table: the copy is private until it is returned
            table = metadata.tables[name]
            columns = [c.name for c in table.columns]
            if arrow is not None and _copied_through_arrow(engine, arrow, table):
                continue
            casts = [_cast(c) for c in table.columns]
            with engine.begin() as dst:
                raw = dst.connection.dbapi_connection
                cursor = _stream(src, store.dialect.name)
                cursor.execute(f"SELECT {', '.join(columns)} FROM {name}")
                while rows := cursor.fetchmany(CHUNK):
                    _insert(raw, name, columns, casts, rows)
                cursor.close()
    with engine.begin() as dst:
        dst.execute(dataset_info.delete().where(dataset_info.c.key == "data_version"))
        dst.execute(dataset_info.insert(), [{"key": "data_version", "value": version}])
    return Copy(version, engine, path, time.perf_counter() - started)


def _copied_through_arrow(engine: Engine, read, table) -> bool:
    """The whole table as one text stream through Arrow, read in C (ADBC); False, with nothing of it kept, when
    the driver could not read it (the caller then reads it through Python)."""
    columns = [c.name for c in table.columns]
    casts = [_cast(c, NULL_MARK) for c in table.columns]
    with engine.connect() as dst, dst.begin() as transaction:
        raw = dst.connection.dbapi_connection
        if read(table.name, columns, functools.partial(_insert_arrow, raw, table.name, columns, casts)):
            return True
        transaction.rollback()  # a failed INSERT has aborted DuckDB's transaction
    return False


# What the Arrow reader sends for NULL: text in every row, so the driver never guesses a column's type from a first
# batch of NULLs (ADBC's SQLite driver then calls it an integer and fails on the first text that follows).
NULL_MARK = "\x01"


def _cast(column, null_mark: str | None = None) -> str:
    """The SELECT expression that turns a fetched value (text from ADBC; ISO text dates, 0/1 booleans and
    floating-point money from SQLite) into the DuckDB column's type; `null_mark` is the text standing for NULL."""
    value = column.name if null_mark is None else f"NULLIF({column.name}, chr({ord(null_mark)}))"
    if isinstance(column.type, Date):
        return f"CAST({value} AS DATE)"
    if isinstance(column.type, Numeric):
        return f"CAST({value} AS DECIMAL({column.type.precision}, {column.type.scale}))"
    if isinstance(column.type, Boolean):
        return f"CAST({value} AS BOOLEAN)"
    if isinstance(column.type, Integer):
        return f"CAST({value} AS INTEGER)"
    return f"CAST({value} AS VARCHAR)"


def _arrow_reader(store: Engine):
    """A function (table, columns, consume) that feeds the table to consume as Arrow record batches, every column
    as text, read by an ADBC driver (SQLite file or PostgreSQL); None where no driver fits (rows go through
    Python then)."""
    url = make_url(_store_key(store))
    backend = url.get_backend_name()
    try:
        if backend == "sqlite" and url.database not in (None, "", ":memory:"):
            import adbc_driver_sqlite.dbapi as driver

            target, text = url.database, f"COALESCE(CAST({{}} AS TEXT), char({ord(NULL_MARK)}))"
        elif backend == "postgresql":
            import adbc_driver_postgresql.dbapi as driver

            target = url.set(drivername="postgresql").render_as_string(hide_password=False)
            text = f"COALESCE({{}}::text, chr({ord(NULL_MARK)}))"
        else:
            return None
    except ImportError:
        return None

    def read(name: str, columns: list[str], consume) -> bool:
        """Hand consume one Arrow stream of the whole table; False when the driver could not read the table
        (then use Python)."""
        try:
            conn = driver.connect(target)
        except Exception:
            return False
        try:
            cursor = conn.cursor()
            if backend == "sqlite":  # big batches: a few dozen hand-overs instead of one per 1,024 rows
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            cursor.execute(f"SELECT {', '.join(text.format(c) + ' AS ' + c for c in columns)} FROM {name}")
            consume(_as_text(cursor.fetch_record_batch(), columns))
            return True
        except Exception:  # the driver failed: read through Python
            return False
        finally:
            conn.close()

    return read


def _as_text(reader: pa.RecordBatchReader, columns: list[str]) -> pa.RecordBatchReader:
    """The stream with every column as text: the driver types the columns of an empty table as integers."""
    schema = pa.schema([(c, pa.string()) for c in columns])

    def batches():
        for batch in reader:
            yield pa.record_batch([batch.column(c).cast(pa.string()) for c in columns], schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _insert_arrow(raw, name: str, columns: list[str], casts: list[str], stream) -> None:
    """A whole table, streamed, in one INSERT: DuckDB scans the Arrow stream and casts the text in parallel."""
    raw.register("copy_batch", stream)
    raw.execute(f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(casts)} FROM copy_batch")
    raw.unregister("copy_batch")


def _stream(conn, dialect: str):
    """A DBAPI cursor that streams rows instead of loading the whole table into memory."""
    raw = conn.connection.dbapi_connection
    if dialect == "postgresql":
        return raw.cursor(name="analytics_copy")
    if dialect == "mysql":
        import pymysql.cursors

        return raw.cursor(pymysql.cursors.SSCursor)
    return raw.cursor()


def _insert(raw, name: str, columns: list[str], casts: list[str], rows) -> None:
    """Rows fetched from the store into a DuckDB table, column-wise through Arrow."""
    arrays = {}
    for i, column in enumerate(columns):
        values = [r[i] for r in rows]
        try:
            arrays[column] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[column] = pa.array([None if v is None else str(v) for v in values], pa.string())
    raw.register("copy_batch", pa.table(arrays))
    raw.execute(f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(casts)} FROM copy_batch")
    raw.unregister("copy_batch")
