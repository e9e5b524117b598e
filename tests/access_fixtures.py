"""A small court database with two teams, an auction whose lot names a debtor, and hostile text (HTML, Markdown
links) in every text column that the pages show; a config with `auth.mode: password` and users of every role."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.access import users as accounts
from metrics.config import ROOT
from tests.conftest import insert

XSS = "<img src=x onerror=alert(1)>"
MDLINK = "[请重新登录](http://127.0.0.1:9/phish)"
EVIL_TEAM = f"三队{XSS}"
EVIL_HANDLER = f"丙{MDLINK}"
PASSWORD = "correct-horse-1"
TIMEOUT = 120

CONFIG = """
court:
  name: "猇亭{xss}法院"
  code: 鄂0505
  action_name: "专项行动{md}"
database:
  url: '{url}'
  sample: false
phases:
  - {{key: baseline, name: 基线期, start: 2024-01-01, end: 2024-12-31, baseline: true}}
  - {{key: p1, name: "一阶段{xss}", start: 2025-03-01, end: 2025-12-31}}
display:
  default_phase: p1
auth:
  mode: {mode}
  idle_hours: 8
  bureau_unmasked: {unmasked}
"""


def seed(engine) -> None:
    insert(engine, "cases", [
        {"case_no": "c1", "filing_date": "2025-03-02", "closing_date": "2025-03-10", "closing_method": "执行完毕",
         "team": "一队", "handler": "甲", "debtor_name": "张伟明", "applied_amount": 100, "recovered_amount": 100},
        {"case_no": "c2", "filing_date": "2025-03-03", "closing_date": "2025-03-15", "closing_method": "执行完毕",
         "team": "二队", "handler": "乙", "debtor_name": "宜昌某某建材有限公司", "applied_amount": 200,
         "recovered_amount": 50},
        {"case_no": "c3", "filing_date": "2025-03-04", "team": EVIL_TEAM, "handler": EVIL_HANDLER,
         "debtor_name": XSS, "tags": "涉企", "closing_reason": MDLINK, "partner_court": XSS},
    ])
    insert(engine, "auctions", [
        {"auction_id": "a1", "case_no": "c2", "lot_name": "被执行人宜昌某某建材有限公司名下挖掘机",
         "asset_type": "机器设备", "round": "一拍", "appraisal_price": 100, "start_price": 80,
         "end_date": "2025-03-20", "result": "成交", "deal_price": 90},
        {"auction_id": "a2", "case_no": "c1", "lot_name": "被执行人张伟明名下住宅", "asset_type": "住宅",
         "round": "一拍", "appraisal_price": 100, "start_price": 80, "end_date": "2025-03-21", "result": "流拍"},
    ])
    for name, role, team in (("leader1", "leader", None), ("bureau1", "bureau", None), ("team1", "team", "一队"),
                             ("clerk1", "clerk", None), ("admin1", "admin", None)):
        accounts.add_user(engine, name, role, password=PASSWORD, team=team, display_name=f"{name}显示名")


def write_config(tmp_path: Path, engine, mode: str = "password", unmasked: bool = False) -> Path:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(xss=XSS, md=MDLINK, url=url, mode=mode, unmasked=str(unmasked).lower()),
                    encoding="utf-8")
    return path


def open_page(page: str = "app.py", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def login(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def html_bodies(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def markdown_bodies(at: AppTest) -> str:
    out = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "subheader", "title", "header"):
        out.extend(str(e.value) for e in getattr(at, kind, []))
    return "\n".join(out)


def all_text(at: AppTest) -> str:
    frames = "\n".join(df.value.to_csv() for df in at.dataframe)
    return html_bodies(at) + "\n" + markdown_bodies(at) + "\n" + frames
