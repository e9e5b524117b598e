"""Build a sample database (示例数据): the 猇亭 sample or the 13 courts of 宜昌 (sample_data/yichang.py)."""

from __future__ import annotations

import importlib
import sys

from sqlalchemy.engine import Engine

from metrics.config import Config
from metrics.engine.db import SAMPLE_DIR, build_sample, bump_data_version, ensure_schema, is_empty
from metrics.engine.schema import dataset_info, metadata

SAMPLE_SETS = ("xiaoting", "yichang")
CHUNK = 2000


class SampleExists(RuntimeError):
    """The target database already holds data; a sample is only ever written into an empty one."""


def _yichang_module():
    # sample_data/ is a folder of scripts, not a package: yichang.py imports generate.py as its neighbour.
    if str(SAMPLE_DIR) not in sys.path:
        sys.path.insert(0, str(SAMPLE_DIR))
    return importlib.import_module("yichang")


def yichang_courts():
    """The 13 basic courts of 宜昌 as metrics.courts.Court (name, 案号 code, short name)."""
    return _yichang_module().COURTS


def build_courts_sample(engine: Engine, scale: float = 1.0) -> dict[str, int]:
    """Write the multi-court sample into an empty database in one transaction; rows written per table."""
    ensure_schema(engine)
    if not is_empty(engine):
        raise SampleExists("目标数据库中已有数据；示例数据只写入空数据库")
    rows = _yichang_module().build(scale)
    with engine.begin() as conn:
        for table in ("cases", "judgments", "auctions", "measures", "entrustments"):
            data = rows[table]
            for i in range(0, len(data), CHUNK):
                conn.execute(metadata.tables[table].insert(), data[i:i + CHUNK])
        conn.execute(dataset_info.delete().where(dataset_info.c.key.in_(("source", "sample_set"))))
        conn.execute(dataset_info.insert(), [{"key": "source", "value": "sample"},
                                             {"key": "sample_set", "value": "yichang"}])
        bump_data_version(conn)
    return {t: len(v) for t, v in rows.items()}


def build_default_sample(engine: Engine, config: Config) -> None:
    """The 猇亭 sample from sample_data/*.csv into an empty database."""
    ensure_schema(engine)
    if not is_empty(engine):
        raise SampleExists("目标数据库中已有数据；示例数据只写入空数据库")
    build_sample(engine, config)
