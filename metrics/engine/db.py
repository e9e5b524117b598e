"""Open the configured database: engines, schema on demand, the sample database built on first use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from metrics.config import ROOT, Config
from metrics.engine.schema import TABLES, cases, dataset_info, metadata

SAMPLE_DIR = ROOT / "sample_data"
_ENGINES: dict[str, Engine] = {}


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is for the user, in Chinese."""


def describe_url(url: str) -> str:
    """The URL without its password, for messages and the page footer."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "（无法解析的数据库地址）"


def get_engine(url: str) -> Engine:
    if url in _ENGINES:
        return _ENGINES[url]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    connect_args = {}
    if parsed.get_backend_name() == "postgresql" and "options" not in parsed.query:
        # The dashboard's statements are short aggregates: compiling them (JIT, on by default) costs more than it
        # saves (benchmarks/bench_scale.py, overview at 1,000,000 cases: 3.64 s with JIT, 3.43 s without). A URL's
        # own options win.
        connect_args["options"] = "-c jit=off"
    try:
        _ENGINES[url] = quiet(create_engine(parsed, pool_pre_ping=True, connect_args=connect_args))
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise DatabaseUnavailable(f"无法创建数据库连接（{describe_url(url)}）：{exc}") from None
    return _ENGINES[url]


def quiet(engine: Engine) -> Engine:
    """DuckDB draws a progress bar on the terminal for a long statement: not in a server's log or a benchmark's."""
    if engine.dialect.name == "duckdb":
        event.listen(engine, "connect", lambda dbapi_connection, _record: dbapi_connection.execute(
            "SET enable_progress_bar = false"))
    return engine


def ensure_schema(engine: Engine) -> None:
    """Create missing tables; upgrade tables an older version made: add the optional columns and the indexes
    a newer version defines (create_all only indexes new tables). Only nullable columns are ever added, so a
    court's existing database upgrades in place.
    """
    metadata.create_all(engine)
    if engine.dialect.name == "duckdb":  # new in this version (nothing older to upgrade), and no reflection there
        return
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing = [c for c in table.columns if c.name not in present and c.nullable]
        if not missing:
            continue
        with engine.begin() as conn:
            for column in missing:
                kind = column.type.compile(dialect=engine.dialect)
                name = engine.dialect.identifier_preparer.quote(column.name)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def analyze(conn) -> None:
    """Refresh the planner's statistics after a large import (where the engine wants it asked)."""
    name = conn.dialect.name
    if name == "sqlite":
        conn.exec_driver_sql("ANALYZE")
    elif name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(t.name for t in metadata.sorted_tables))
    elif name == "mysql":
        conn.exec_driver_sql("ANALYZE TABLE " + ", ".join(t.name for t in metadata.sorted_tables))
    # DuckDB keeps its statistics up to date itself.


def is_empty(engine: Engine) -> bool:
    if not inspect(engine).has_table("cases"):
        return True
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar() == 0


def is_sample(engine: Engine) -> bool:
    """True when the data was built from sample_data/ (示例数据)."""
    if not inspect(engine).has_table("dataset_info"):
        return False
    with engine.connect() as conn:
        value = conn.execute(select(dataset_info.c.value).where(dataset_info.c.key == "source")).scalar()
    return value == "sample"


DATA_VERSION = "data_version"


def data_version(engine: Engine) -> str:
    """A token that changes with every write to the case data (import, undo), also by another process.

    Caches of computed numbers and the analytics copy key on it, so the next page run after a change sees the
    new rows. An unversioned database (written before versions existed) reads as "0".
    """
    # Read on every page run, so one connection and one query; the catalog is asked only when the query fails.
    with engine.connect() as conn:
        try:
            value = conn.execute(select(dataset_info.c.value).where(dataset_info.c.key == DATA_VERSION)).scalar()
        except (ProgrammingError, OperationalError):
            conn.rollback()
            if inspect(conn).has_table("dataset_info"):
                raise
            return "0"
    return value or "0"


def bump_data_version(conn) -> str:
    """Give the data a new version inside the writing transaction (so it commits or rolls back with the rows)."""
    import uuid

    version = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
    conn.execute(dataset_info.delete().where(dataset_info.c.key == DATA_VERSION))
    conn.execute(dataset_info.insert(), [{"key": DATA_VERSION, "value": version}])
    return version


def sample_files() -> list[Path]:
    return [SAMPLE_DIR / f"{spec.chinese}.csv" for spec in TABLES.values()]


def build_sample(engine: Engine, config: Config) -> None:
    from metrics.ingest.importer import import_files

    import_files(engine, sample_files(), config.court_name, config.parameters.transfer_reasons, mark_sample=True)


def open_database(config: Config, url: str | None = None) -> Engine:
    """An engine on the configured (or given) database, with the schema in place.

    With the default configuration a missing or empty database is built from sample_data/ first.
    """
    url = url or config.database_url
    engine = get_engine(url)
    try:
        with engine.connect():
            pass
        ensure_schema(engine)
        if config.sample and url == config.database_url and not config.database_url_from_env and is_empty(engine):
            build_sample(engine, config)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise DatabaseUnavailable(f"无法连接数据库（{describe_url(url)}）：{reason}") from None
    return engine
