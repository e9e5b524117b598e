"""Command line: `python -m metrics import|compute|report|sample` (SPEC section 8)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from metrics.config import DATE_MAX, DATE_MIN, ConfigError, load_config
from metrics.engine.db import DatabaseUnavailable, describe_url, get_engine, is_sample, open_database
from metrics.engine.filters import Filters
from metrics.engine.schema import TABLES
from metrics.ingest.importer import SAMPLE_REFUSAL, ImportRefused, ImportRejected, import_files, validate_files
from metrics.ingest.mapping import MappingError, load_mapping


class CliError(Exception):
    """A user mistake: printed as one Chinese line, exit status 2."""


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of “{text}”不是有效日期，应写成 YYYY-MM-DD") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise CliError(f"--as-of {day} 超出可用范围（{DATE_MIN} 至 {DATE_MAX}）")
    return day


def _json_number(value):
    return float(value) if isinstance(value, Decimal) else value


def _filters(args) -> Filters:
    return Filters(court=args.court, teams=tuple(args.team or ()), handlers=tuple(args.handler or ()),
                   tags=tuple(args.tag or ()), cross_roles=tuple(args.cross_role or ()))


def _import_target(args, config):
    url = args.db or config.database_url
    if config.is_sample_database and url == config.database_url:
        raise CliError(SAMPLE_REFUSAL)
    engine = get_engine(url)
    try:
        if not args.dry_run and is_sample(engine):
            raise CliError(SAMPLE_REFUSAL)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"无法连接数据库（{describe_url(url)}）：{type(exc).__name__}") from None
    return engine


def _print_plans(report) -> None:
    for plan in report.plans:
        where = plan.file + (f" [{plan.sheet}]" if plan.sheet else "")
        if plan.skipped:
            print(f"跳过  {where}：{plan.skipped}")
            continue
        if not plan.table:
            continue
        print(f"识别  {where} → {TABLES[plan.table].chinese}，表头在第{plan.header.row}行，数据 {plan.rows} 行"
              + (f"，表尾 {len(plan.footers)} 行未导入" if plan.footers else ""))
        ignored = [c.original for c in plan.header.columns if not c.target]
        if ignored:
            print("      未使用的列：" + "、".join(ignored))


def cmd_import(args) -> int:
    config = load_config(args.config)
    try:
        mapping = load_mapping(args.mapping or config.mapping_path)
    except MappingError as exc:
        raise CliError(str(exc)) from None
    engine = _import_target(args, config) if not args.dry_run else None
    try:
        if args.dry_run:
            report = validate_files([Path(f) for f in args.files], config.court_name,
                                    config.parameters.transfer_reasons, mapping, accept_amounts=args.accept_amounts,
                                    courts=config.courts)
            if report.errors:
                raise ImportRejected(report)
        else:
            report = import_files(engine, [Path(f) for f in args.files], config.court_name,
                                  config.parameters.transfer_reasons, mapping=mapping,
                                  accept_amounts=args.accept_amounts, user=getpass.getuser(), courts=config.courts)
    except ImportRefused as exc:
        raise CliError(str(exc)) from None
    except ImportRejected as exc:
        _print_plans(exc.report)
        for problem in exc.report.errors[:500]:
            print(f"错误  {problem}", file=sys.stderr)
        if len(exc.report.errors) > 500:
            print(f"……另有 {len(exc.report.errors) - 500} 处错误未列出", file=sys.stderr)
        print(f"导入被拒绝：{len(exc.report.errors)} 处错误，数据库未作任何改动。", file=sys.stderr)
        return 1
    _print_plans(report)
    for problem in report.warnings:
        print(f"提示  {problem}")
    if args.dry_run:
        for table, n in report.rows_read().items():
            print(f"{TABLES[table].chinese}：校验通过 {n} 行")
        print(f"校验完成，未写入数据库（--dry-run；数据质量提示 {len(report.warnings)} 条）。")
        return 0
    for table, n in report.inserted.items():
        print(f"{TABLES[table].chinese}：新增 {n} 行，更新 {report.updated[table]} 行，"
              f"未变 {report.unchanged[table]} 行")
    from metrics.access import audit

    audit.record(engine, f"cli:{getpass.getuser()}", "import", ", ".join(Path(f).name for f in args.files),
                 sum(report.inserted.values()) + sum(report.updated.values()), batch=report.batch_id)
    print(f"导入完成（第 {report.batch_id} 次导入；数据质量提示 {len(report.warnings)} 条）。"
          "如需撤销：python -m metrics undo")
    return 0


def cmd_undo(args) -> int:
    from metrics.ingest.batches import UndoError, undo_latest

    config = load_config(args.config)
    engine = _import_target(argparse.Namespace(db=args.db, dry_run=False), config)
    try:
        batch = undo_latest(engine)
    except UndoError as exc:
        raise CliError(str(exc)) from None
    from metrics.access import audit

    audit.record(engine, f"cli:{getpass.getuser()}", "undo", batch.file_names, batch=batch.batch_id)
    print(f"已撤销第 {batch.batch_id} 次导入（{batch.created_at:%Y-%m-%d %H:%M}，{batch.file_names}）："
          f"删除新增 {batch.total('inserted')} 行，恢复更新 {batch.total('updated')} 行。")
    return 0


def cmd_imports(args) -> int:
    from metrics.ingest.batches import list_batches

    config = load_config(args.config)
    engine = get_engine(args.db or config.database_url)
    for b in list_batches(engine):
        status = "已撤销" if b.status == "undone" else "有效"
        print(f"#{b.batch_id}  {b.created_at:%Y-%m-%d %H:%M}  {status}  {b.file_names}  新增 {b.total('inserted')}"
              f"  更新 {b.total('updated')}  未变 {b.total('unchanged')}  提示 {b.warnings}")
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


def cmd_sample(args) -> int:
    from sqlalchemy import create_engine

    from metrics.engine.samples import SampleExists, build_courts_sample, build_default_sample

    out = Path(args.out)
    if out.suffix.lower() not in (".db", ".sqlite", ".sqlite3"):
        raise CliError(f"--out “{out}”应为 SQLite 文件（扩展名 .db）")
    if not 0 < args.scale <= 4:
        raise CliError(f"--scale “{args.scale}”应在 0 与 4 之间（1 = 实际规模）")
    if out.exists() and out.stat().st_size > 0:
        raise CliError(f"文件“{out}”已存在；示例数据只写入新文件")
    out.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{out.resolve()}")
    try:
        if args.courts == "yichang":
            counts = build_courts_sample(engine, args.scale)
            print("宜昌市13家基层法院示例数据（合成）：" + "，".join(f"{TABLES[t].chinese} {n} 行"
                                                        for t, n in counts.items()))
        else:
            build_default_sample(engine, load_config(args.config))
            print("猇亭区人民法院示例数据（合成）")
    except SampleExists as exc:
        raise CliError(str(exc)) from None
    finally:
        engine.dispose()
    print(f"已生成：{out}")
    return 0


def _read_password(args) -> str:
    """From stdin (--password-stdin: the first line) or typed twice without echo; never from the command line."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            raise CliError("两次输入的密码不一致")
    if not password:
        raise CliError("密码为空")
    return password


def cmd_users(args) -> int:
    from metrics.access import users as accounts

    config = load_config(args.config)
    engine = open_database(config, args.db)
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.action == "list":
            rows = accounts.list_users(engine)
            if not rows:
                print("还没有用户。添加：python -m metrics users add 用户名 --role 角色 [--team 团队]")
            for u in rows:
                state = "有效" if u.active else "已停用"
                if u.locked_until and u.locked_until > accounts.audit.now():
                    state += "（已锁定）"
                last = f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "从未登录"
                print(f"{u.username}\t{u.display_name}\t{u.role}（{u.role_name}）\t{u.describe_scope()}\t{state}"
                      f"\t最近登录 {last}")
            return 0
        if args.action == "add":
            password = None if args.no_password else _read_password(args)
            user = accounts.add_user(engine, args.username, args.role, password=password,
                                     display_name=args.display_name, court=args.court, team=args.team, actor=actor)
            print(f"已添加用户 {user.username}（{user.role_name}，范围：{user.describe_scope()}）")
        elif args.action == "passwd":
            accounts.set_password(engine, args.username, _read_password(args), actor=actor)
            print(f"已修改用户 {args.username} 的密码（锁定已解除）")
        elif args.action in ("disable", "enable"):
            accounts.set_active(engine, args.username, args.action == "enable", actor=actor)
            print(f"已{'启用' if args.action == 'enable' else '停用'}用户 {args.username}")
    except accounts.UserError as exc:
        raise CliError(str(exc)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="交叉执行专项行动 指标计算（命令行）")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--db", help="数据库地址（SQLAlchemy URL），默认取配置文件")
        p.add_argument("--config", help="配置文件路径，默认 config.yaml")

    p = sub.add_parser("import", help="导入法院系统导出的 xls/xlsx/ods/csv 文件（全部成功或全部不写入）")
    common(p)
    p.add_argument("--mapping", help="本院表头对照表（YAML），默认取 config.yaml 的 import.mapping")
    p.add_argument("--dry-run", action="store_true", help="只读取和校验，打印报告，不写入数据库")
    p.add_argument("--accept-amounts", action="store_true",
                   help="确认金额无误：到位金额合计大于申请标的合计时仍然导入")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("undo", help="撤销最近一次导入")
    common(p)
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("imports", help="列出导入记录")
    common(p)
    p.set_defaults(func=cmd_imports)

    p = sub.add_parser("users", help="用户管理（auth.mode: password / oidc）：add、passwd、disable、enable、list")
    users_sub = p.add_subparsers(dest="action", required=True)
    from metrics.access.roles import ROLES

    q = users_sub.add_parser("add", help="添加用户；密码不回显输入，或用 --password-stdin 从标准输入读一行")
    common(q)
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=list(ROLES),
                   help="leader 院领导、bureau 执行局、team 团队、clerk 办公室、admin 管理员")
    q.add_argument("--team", help="团队角色的本团队（与案件数据中的执行团队一致）")
    q.add_argument("--court", help="只看某一法院（省、市级部署时）")
    q.add_argument("--display-name", help="显示名称")
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    q.add_argument("--no-password", action="store_true", help="不设密码（仅通过统一身份认证 oidc 登录）")
    q = users_sub.add_parser("passwd", help="修改密码（同时解除锁定）")
    common(q)
    q.add_argument("username")
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    for action, text in (("disable", "停用用户"), ("enable", "重新启用用户")):
        q = users_sub.add_parser(action, help=text)
        common(q)
        q.add_argument("username")
    q = users_sub.add_parser("list", help="列出用户")
    common(q)
    p.set_defaults(func=cmd_users)

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

    p = sub.add_parser("sample", help="生成示例数据库（合成数据）：默认猇亭一院，--courts yichang 为宜昌13家基层法院")
    p.add_argument("--out", required=True, help="输出的 SQLite 文件（.db），须为新文件")
    p.add_argument("--courts", choices=("xiaoting", "yichang"), default="xiaoting",
                   help="xiaoting：猇亭区人民法院（默认）；yichang：宜昌市13家基层法院及其间的交叉执行")
    p.add_argument("--scale", type=float, default=1.0, help="案件规模倍数（1 = 实际规模；测试可用 0.1）")
    p.add_argument("--config", help="配置文件路径，默认 config.yaml")
    p.set_defaults(func=cmd_sample)

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
