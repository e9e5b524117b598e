"""metrics.access: masking, roles and scope in the query layer, users with lockout, the audit log, the users CLI,
the auth config — on SQLite and every database in TEST_DATABASE_URLS."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from metrics.__main__ import main
from metrics.access import audit
from metrics.access import users as accounts
from metrics.access.masking import mask_name, mask_text
from metrics.access.roles import PERMISSIONS, may, scope_for
from metrics.access.scope import Scope, ScopeDenied
from metrics.config import ConfigError, load_config
from metrics.engine.drill import members
from metrics.engine.filters import Filters
from metrics.engine.schema import audit_log, users
from metrics.engine.service import Dashboard
from metrics.engine.windows import Window
from tests.access_fixtures import PASSWORD, seed
from tests.conftest import d, make_config

WINDOW = Window("p1", "一阶段", d("2025-03-01"), d("2025-03-31"), d("2025-03-31"))


def audit_rows(engine, action=None):
    stmt = select(audit_log).order_by(audit_log.c.id)
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    with engine.connect() as conn:
        return list(conn.execute(stmt))


# --- masking ---------------------------------------------------------------------------------------------------

def test_mask_name_person_and_company():
    assert mask_name("张伟明") == "张**" and mask_name("李四") == "李**" and mask_name("欧阳") == "欧**"
    assert mask_name("宜昌某某建材有限公司") == "宜昌****有限公司"
    assert mask_name("宜昌恒通劳务有限公司") == "宜昌****有限公司"
    assert mask_name("华兴有限公司") == "华**有限公司"
    assert mask_name("湖北华兴股份有限公司") == "湖北**股份有限公司"
    assert mask_name(None) == "" and mask_name("  ") == ""


def test_mask_text_masks_names_inside_lot_names():
    # D15: the sample data's lot names that name a debtor
    assert mask_text("被执行人持有的宜昌恒通劳务有限公司30%股权") == "被执行人持有的宜昌****有限公司30%股权"
    assert mask_text("被执行人王测试名下位于猇亭区的住宅") == "被执行人王**名下位于猇亭区的住宅"
    assert mask_text("车辆一辆（张伟明所有）", ["张伟明"]) == "车辆一辆（张**所有）"
    assert mask_text("宜昌市猇亭区紫阳苑9栋1-16号商业用房") == "宜昌市猇亭区紫阳苑9栋1-16号商业用房"
    assert mask_text("挖掘机1台") == "挖掘机1台" and mask_text(None) == ""


# --- roles and scope in the query layer -----------------------------------------------------------------------

def test_role_rights():
    assert may("team", "cases") and not may("team", "report") and not may("team", "data")
    assert may("clerk", "data") and may("clerk", "report") and not may("clerk", "cases")
    assert may("admin", "audit") and may("admin", "users") and not may("admin", "aggregates")
    assert not may("nobody", "aggregates") and not may(None, "aggregates")
    assert all(not may(r, "users") for r in PERMISSIONS if r != "admin")


def test_team_scope_limits_lists_but_not_aggregates(engine):
    seed(engine)
    config = make_config()
    board = Dashboard(engine, config)
    team = Filters(scope=scope_for("team", None, "一队"))
    everyone = Filters()
    # Aggregates: the whole court for a team lead (3 cases filed in March)
    with engine.connect() as conn:
        from metrics.engine.compute import compute_window

        assert compute_window(conn, config, WINDOW, team)["filed_count"].value == 3
        assert compute_window(conn, config, WINDOW, everyone)["filed_count"].value == 3
        # Lists: own team only, whatever the filters say (a URL's ?team=二队 cannot widen it)
        _, rows = members(conn, config, WINDOW, "filed_count", team)
        assert [r["案号"] for r in rows] == ["c1"]
        _, rows = members(conn, config, WINDOW, "filed_count", Filters(teams=("二队",), scope=team.scope))
        assert rows == []
        _, rows = members(conn, config, WINDOW, "filed_count", everyone)
        assert [r["案号"] for r in rows] == ["c1", "c2", "c3"]
        # Auctions follow the team through the case: a2 belongs to c1 (一队), a1 to c2 (二队)
        _, rows = members(conn, config, WINDOW, "auction_deal_rate", team)
        assert [r["拍卖编号"] for r in rows] == ["a2"]
        # Judgments have no team: a team lead may not list them; a clerk may not list anything
        with pytest.raises(ScopeDenied):
            members(conn, config, WINDOW, "voluntary_compliance_rate", team)
        with pytest.raises(ScopeDenied):
            members(conn, config, WINDOW, "filed_count", Filters(scope=scope_for("clerk", None, None)))
    assert board.default_as_of() is not None


def test_court_scope_applies_to_aggregates_and_lists(engine):
    seed(engine)
    config = make_config()
    other = Filters(scope=Scope(courts=("别的法院",)))
    with engine.connect() as conn:
        from metrics.engine.compute import compute_window

        assert compute_window(conn, config, WINDOW, other)["filed_count"].value == 0
        # a court chosen in the filters cannot widen the scope either
        assert compute_window(conn, config, WINDOW, Filters(court="测试法院", scope=other.scope)
                              )["filed_count"].value == 0
        assert compute_window(conn, config, WINDOW, Filters(scope=Scope(courts=("测试法院",)))
                              )["filed_count"].value == 3


def test_lists_mask_debtors_and_lot_names_unless_unmasked(engine):
    seed(engine)
    config = make_config()
    with engine.connect() as conn:
        _, rows = members(conn, config, WINDOW, "filed_count")
        assert {r["被执行人"] for r in rows} == {"张**", "宜昌****有限公司", "<**"}
        _, lots = members(conn, config, WINDOW, "auction_deal_rate")
        assert [r["标的物"] for r in lots] == ["被执行人宜昌****有限公司名下挖掘机", "被执行人张**名下住宅"]
        bureau = Filters(scope=scope_for("bureau", None, None, bureau_unmasked=True))
        _, lots = members(conn, config, WINDOW, "auction_deal_rate", bureau)
        assert lots[1]["标的物"] == "被执行人张伟明名下住宅"
        masked_bureau = Filters(scope=scope_for("bureau", None, None, bureau_unmasked=False))
        _, rows = members(conn, config, WINDOW, "filed_count", masked_bureau)
        assert "张伟明" not in repr(rows)


# --- users, lockout, audit ------------------------------------------------------------------------------------

def test_password_is_hashed_with_argon2id(engine):
    accounts.add_user(engine, "wang", "team", password="s3cret-pass", team="一队")
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    assert accounts.authenticate(engine, "wang", "s3cret-pass").ok
    assert not accounts.authenticate(engine, "wang", "wrong-pass").ok
    with pytest.raises(accounts.UserError):
        accounts.add_user(engine, "wang", "team", password="s3cret-pass", team="一队")  # exists
    with pytest.raises(accounts.UserError):
        accounts.add_user(engine, "li", "team", password="s3cret-pass")  # a team lead needs a team
    with pytest.raises(accounts.UserError):
        accounts.add_user(engine, "li", "clerk", password="short")


def test_five_wrong_passwords_lock_for_15_minutes(engine):
    accounts.add_user(engine, "wang", "clerk", password=PASSWORD)
    t0 = dt.datetime(2026, 1, 5, 9, 0)
    for i in range(4):
        result = accounts.authenticate(engine, "wang", "wrong", now=t0 + dt.timedelta(seconds=i))
        assert not result.ok and result.message == accounts.WRONG
    assert accounts.get_user(engine, "wang").failed_attempts == 4
    fifth = accounts.authenticate(engine, "wang", "wrong", now=t0 + dt.timedelta(seconds=5))
    assert not fifth.ok and "锁定 15 分钟" in fifth.message
    # locked: even the right password is refused, until 15 minutes have passed
    locked = accounts.authenticate(engine, "wang", PASSWORD, now=t0 + dt.timedelta(minutes=14))
    assert not locked.ok and "已被锁定" in locked.message
    assert accounts.authenticate(engine, "wang", PASSWORD, now=t0 + dt.timedelta(minutes=15, seconds=6)).ok
    assert accounts.get_user(engine, "wang").failed_attempts == 0
    actions = [r.action for r in audit_rows(engine)]
    assert actions == ["user_add"] + ["login_failed"] * 5 + ["lockout", "login_failed", "login"]


def test_disabled_and_unknown_users_cannot_sign_in(engine):
    accounts.add_user(engine, "wang", "clerk", password=PASSWORD)
    accounts.set_active(engine, "wang", False, actor="admin1")
    assert not accounts.authenticate(engine, "wang", PASSWORD).ok
    unknown = accounts.authenticate(engine, "nobody", PASSWORD)
    assert not unknown.ok and unknown.message == accounts.WRONG  # same words as a wrong password
    accounts.set_active(engine, "wang", True, actor="admin1")
    assert accounts.authenticate(engine, "wang", PASSWORD).ok
    rows = audit_rows(engine)
    assert [(r.username, r.action, r.target) for r in rows if r.action.startswith("user_")] == [
        (None, "user_add", "wang"), ("admin1", "user_disable", "wang"), ("admin1", "user_enable", "wang")]


def test_audit_entries_filter_and_keep_details(engine):
    audit.record(engine, "team1", "drill", "closed_count", 7, window="p1", filters="全部案件")
    audit.record(engine, "clerk1", "export", "表.xlsx", 3, kind="XLSX")
    got = audit.entries(engine, username="team1")
    assert len(got) == 1 and got[0].row_count == 7 and got[0].detail == {"filters": "全部案件", "window": "p1"}
    assert [e.action for e in audit.entries(engine, actions=("export",))] == ["export"]
    assert audit.entries(engine, start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 2)) == []
    with pytest.raises(ValueError):
        audit.record(engine, "x", "delete_everything")


# --- CLI ------------------------------------------------------------------------------------------------------

def test_cli_users_add_passwd_disable_list(engine, monkeypatch, capsys):
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password\n"))
    assert main(["users", "add", "wang", "--role", "team", "--team", "执行一团队", "--password-stdin",
                 "--db", url]) == 0
    assert accounts.authenticate(engine, "wang", "first-password").ok
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password\n"))
    assert main(["users", "passwd", "wang", "--password-stdin", "--db", url]) == 0
    assert accounts.authenticate(engine, "wang", "second-password").ok
    assert main(["users", "disable", "wang", "--db", url]) == 0
    assert not accounts.authenticate(engine, "wang", "second-password").ok
    capsys.readouterr()
    assert main(["users", "list", "--db", url]) == 0
    listed = capsys.readouterr().out
    assert "wang" in listed and "执行一团队" in listed and "已停用" in listed and "password" not in listed
    # typed without echo: getpass, twice
    typed = iter(["typed-password", "typed-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["users", "add", "li", "--role", "clerk", "--db", url]) == 0
    assert accounts.authenticate(engine, "li", "typed-password").ok
    # never from the command line; mistakes are Chinese messages with status 2
    with pytest.raises(SystemExit):
        main(["users", "add", "zhao", "--role", "clerk", "--password", "x", "--db", url])
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-for-team\n"))
    assert main(["users", "add", "zhao", "--role", "team", "--password-stdin", "--db", url]) == 2
    assert "--team" in capsys.readouterr().err
    actions = [(r.username, r.action) for r in audit_rows(engine) if r.action.startswith("user_")]
    assert [a for _, a in actions] == ["user_add", "user_passwd", "user_disable", "user_add"]
    assert all(u.startswith("cli:") for u, _ in actions)


# --- config -----------------------------------------------------------------------------------------------------

def _config(tmp_path, auth: str):
    from metrics.config import ROOT

    text = (ROOT / "config.yaml").read_text(encoding="utf-8").split("\nauth:")[0] + "\n" + auth
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={})


@pytest.mark.parametrize("auth, key", [
    ("auth:\n  mode: ldap\n", "auth.mode"),
    ("auth:\n  mode: password\n  idle_hours: 0\n", "auth.idle_hours"),
    ("auth:\n  idle_hours: acht\n", "auth.idle_hours"),
    ("auth:\n  bureau_unmasked: ja\n", "auth.bureau_unmasked"),
    ("auth:\n  timeout: 3\n", "auth.timeout"),
])
def test_auth_config_mistakes_name_the_key(tmp_path, auth, key):
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, auth)
    assert err.value.key == key and "配置错误" in str(err.value)


def test_auth_config_defaults(tmp_path):
    c = _config(tmp_path, "")
    assert (c.auth.mode, c.auth.idle_hours, c.auth.bureau_unmasked) == ("none", 8.0, False)
    c = _config(tmp_path, "auth:\n  mode: password\n  idle_hours: 0.5\n")
    assert (c.auth.mode, c.auth.idle_hours) == ("password", 0.5)
    assert json.dumps(c.auth.mode) == '"password"'


def test_a_bad_database_url_is_reported_without_its_password(tmp_path):
    from metrics.config import ROOT

    with pytest.raises(ConfigError) as err:
        load_config(ROOT / "config.yaml", env={"DATABASE_URL": "post gres://court:top@secret@db:5432/x"})
    assert "top" not in str(err.value) and "secret" not in str(err.value) and "court:***@db" in str(err.value)
