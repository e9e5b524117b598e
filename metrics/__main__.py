"""Command line: `python -m metrics import|compute|report` (SPEC section 8)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

from metrics.config import ConfigError, load_config
from metrics.engine.db import DatabaseUnavailable, get_engine, open_database
from metrics.engine.filters import Filters
from metrics.ingest.importer import ImportRejected, import_files


class CliError(Exception):
    """A user mistake: printed as one Chinese line, exit status 2."""


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of “{text}”不是有效日期，应写成 YYYY-MM-DD") from None


def _json_number(value):
    return float(value) if isinstance(value, Decimal) else value


def _filters(args) -> Filters:
    return Filters(court=args.court, teams=tuple(args.team or ()), handlers=tuple(args.handler or ()),
                   tags=tuple(args.tag or ()), cross_roles=tuple(args.cross_role or ()))


def cmd_import(args) -> int:
    config = load_config(args.config)
    url = args.db or config.database_url
    engine = get_engine(url)
    try:
        report = import_files(engine, [Path(f) for f in args.files], config.court_name,
                              config.parameters.transfer_reasons)
    except ImportRejected as exc:
        for problem in exc.report.errors:
            print(f"错误  {problem}", file=sys.stderr)
        print(f"导入被拒绝：{len(exc.report.errors)} 处错误，数据库未作任何改动。", file=sys.stderr)
        return 1
    for problem in report.warnings:
        print(f"提示  {problem}")
    for table, n in report.inserted.items():
        print(f"{table}：新增 {n} 行，更新 {report.updated[table]} 行")
    print(f"导入完成（数据质量提示 {len(report.warnings)} 条）。")
    return 0


def cmd_compute(args) -> int:
    from metrics.engine.service import Dashboard

    config = load_config(args.config)
    engine = open_database(config, args.db)
    board = Dashboard(engine, config)
    as_of = _as_of(args.as_of) or board.default_as_of()
    if as_of is None:
        raise CliError("数据库中没有任何数据，无法确定统计日；请先导入数据或用 --as-of 指定")
    phases = board.phase_results(as_of, _filters(args))
    records, provisional = [], []
    for phase in config.phases:
        result = phases[phase.key]
        for key, v in result.values.items():
            records.append({"indicator": key, "phase": phase.key, "value": v.value,
                            "numerator": _json_number(v.numerator), "denominator": _json_number(v.denominator)})
            if v.provisional:
                provisional.append({"indicator": key, "phase": phase.key})
    if args.format == "json":
        print(json.dumps({"as_of": as_of.isoformat(), "results": records, "provisional": provisional},
                         ensure_ascii=False, indent=1))
    else:
        from metrics.engine.indicators import INDICATORS
        from metrics.present.format import format_value

        print(f"统计日：{as_of}")
        for phase in config.phases:
            print(f"\n[{phase.name}]")
            for key, v in phases[phase.key].values.items():
                print(f"  {INDICATORS[key].name:<16} {format_value(v)}")
    return 0


def cmd_report(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".pptx"):
        raise CliError(f"--out “{out}”的扩展名应为 .docx 或 .pptx")
    from metrics.present.report import build_report

    config = load_config(args.config)
    engine = open_database(config, args.db)
    build_report(engine, config, out, as_of=_as_of(args.as_of), progress=lambda msg: print(msg, flush=True))
    print(f"已生成：{out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="交叉执行专项行动 指标计算（命令行）")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--db", help="数据库地址（SQLAlchemy URL），默认取配置文件")
        p.add_argument("--config", help="配置文件路径，默认 config.yaml")

    p = sub.add_parser("import", help="导入 CSV/XLSX 文件（全部成功或全部不写入）")
    common(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("compute", help="计算各阶段全部指标")
    common(p)
    p.add_argument("--as-of", help="统计日 YYYY-MM-DD，默认为数据中的最新日期")
    p.add_argument("--format", choices=("json", "table"), default="json")
    p.add_argument("--court")
    p.add_argument("--team", action="append")
    p.add_argument("--handler", action="append")
    p.add_argument("--tag", action="append")
    p.add_argument("--cross-role", action="append", choices=("承接", "交出", "无"))
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("report", help="生成总结报告初稿（DOCX）或会议PPT（PPTX）")
    common(p)
    p.add_argument("--as-of", help="统计日 YYYY-MM-DD")
    p.add_argument("--out", required=True, help="输出文件 .docx 或 .pptx")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, DatabaseUnavailable, CliError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the user; the type helps a maintainer
        print(f"内部错误（{type(exc).__name__}）：{exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
