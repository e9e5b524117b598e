"""Synthetic sample data (示例数据) for 宜昌市猇亭区人民法院 (鄂0505): writes the five CSV tables of SPEC section 2.

Every name, case number, amount and date here is invented. The figures follow the realism targets of SPEC
section 9 (volumes of a small district court, a 2024 baseline and a modest, noisy improvement during the
2025-2026 交叉执行 action) so that every indicator on the dashboard has something meaningful to show.

Rerun from the repository root (standard library only; the output is byte-identical on every run):

    python sample_data/generate.py

It rewrites, next to this file, UTF-8-with-BOM CSVs named by the Chinese table names: 执行案件.csv,
生效裁判.csv, 网络司法拍卖.csv, 强制措施.csv and 事项委托.csv. Coverage is 2024-01-01 to 2026-10-31, plus the
older cases (filed 2022-2023) still pending on 2024-01-01 and the judgments of 2023H2 that early-2024 cases
rest on.
"""

from __future__ import annotations

import bisect
import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 20250304  # the date of the court's action plan
COURT = "宜昌市猇亭区人民法院"
CODE = "鄂0505"
SIM_START = date(2022, 1, 1)  # the 2022-2023 run-in only produces the backlog still pending on 2024-01-01
DATA_START = date(2024, 1, 1)
JUDGMENT_START = date(2023, 7, 1)
CUTOFF = date(2026, 10, 31)  # nothing in the files happens after this day
OUT_DIR = Path(__file__).resolve().parent
# Volume relative to 猇亭 (1 = this court). yichang.py reruns the generator for the other basic courts of 宜昌 with
# their own court, code, seed and scale; 1 leaves every draw, and so the CSVs here, exactly as they were.
SCALE = 1

HEADERS = {
    "执行案件": (
        "案号",
        "执行法院",
        "案件类型",
        "立案日期",
        "结案日期",
        "结案方式",
        "结案情形",
        "申请执行标的金额(元)",
        "执行到位金额(元)",
        "执行团队",
        "承办人",
        "执行依据文书号",
        "案件标签",
        "交叉执行角色",
        "交叉执行方式",
        "交叉执行对方法院",
        "扣除审限天数",
        "终本评查结果",
        "被执行人",
        "最近查控日期",
    ),
    "生效裁判": ("文书案号", "法院", "生效日期", "是否具有给付内容", "文书类型"),
    "网络司法拍卖": (
        "拍卖编号",
        "案号",
        "标的物",
        "财产类型",
        "拍卖轮次",
        "评估价(元)",
        "起拍价(元)",
        "结束日期",
        "拍卖结果",
        "成交价(元)",
        "查封日期",
    ),
    "强制措施": ("措施编号", "案号", "措施类型", "决定日期", "金额(元)", "人次"),
    "事项委托": ("事项编号", "方向", "对方法院", "事项类型", "委托日期", "办理期限(天)", "反馈日期"),
}

TYPE_CODE = {"首次执行": "执", "恢复执行": "执恢", "财产保全": "执保", "执行异议": "执异"}
TEAMS = {
    "执行一团队": ("刘俊峰", "陈思远", "王晓琳", "周建平"),
    "执行二团队": ("李文博", "胡晓燕", "杨志刚", "郑一帆"),
    "执行三团队": ("黄德明", "吴雪梅", "孙浩然"),
    "快执团队": ("马丽君", "何嘉诚", "罗佳怡"),
}
TEAM_SKILL = {"执行一团队": 0.0, "执行二团队": 0.03, "执行三团队": -0.03, "快执团队": 0.04}
NEIGHBOUR_COURTS = (  # district/county courts of 宜昌 (code) — partners in 交叉执行 and 委托
    ("宜昌市西陵区人民法院", "鄂0502"),
    ("宜昌市伍家岗区人民法院", "鄂0503"),
    ("宜昌市点军区人民法院", "鄂0504"),
    ("宜昌市夷陵区人民法院", "鄂0506"),
    ("远安县人民法院", "鄂0525"),
    ("兴山县人民法院", "鄂0526"),
    ("秭归县人民法院", "鄂0527"),
    ("宜都市人民法院", "鄂0581"),
    ("当阳市人民法院", "鄂0582"),
    ("枝江市人民法院", "鄂0583"),
)
INTERMEDIATE = ("宜昌市中级人民法院", "鄂05")
FAR_COURTS = (
    "武汉市江岸区人民法院",
    "武汉市洪山区人民法院",
    "荆州市沙市区人民法院",
    "荆门市东宝区人民法院",
    "襄阳市樊城区人民法院",
    "恩施市人民法院",
    "长沙市岳麓区人民法院",
    "重庆市万州区人民法院",
    "深圳市宝安区人民法院",
    "东莞市第一人民法院",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢向"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰文辉斌波宇浩凯鹏飞俊峰林春梅海燕小雪晓东亮成"
FIRM_WORDS = "鑫达恒通宏盛瑞丰华泰兴隆远航金桥汇源永昌博创三峡江城天润楚源锦程顺发众合宜和嘉信联创"
FIRM_TRADES = (
    "建材",
    "物流",
    "机械制造",
    "化工",
    "置业",
    "商贸",
    "建筑工程",
    "电子科技",
    "食品",
    "汽车销售服务",
    "装饰工程",
    "新材料",
    "劳务",
    "农业开发",
    "包装",
)
ESTATES = ("金岭花园", "云池新苑", "江景苑", "福善家园", "滨江丽都", "猇亭小区", "紫阳苑", "惠民佳园", "金港名都")
CAR_BRANDS = ("大众", "丰田", "本田", "别克", "比亚迪", "吉利", "东风", "长城", "宝马", "奥迪")


# ----------------------------------------------------------------------------------------------- helpers


def keyed(purpose: str, key: str) -> random.Random:
    """A random stream of its own for one purpose and one item: tuning one parameter (or adding a case) leaves
    the draws of every other item unchanged. String seeds are hashed with SHA-512, so this is stable across runs."""
    return random.Random(f"{SEED}|{purpose}|{key}")


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def ramp(d: date, start: date, end: date) -> float:
    """0 before start, 1 after end, linear in between: how far the action's effect has arrived by day d."""
    if d <= start:
        return 0.0
    if d >= end:
        return 1.0
    return (d - start).days / (end - start).days


def action_effect(d: date) -> float:
    # The plan is dated 2025-03-04; effects on closures build up over the first months of implementation.
    return ramp(d, date(2025, 2, 1), date(2025, 7, 1))


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def months(first: date, last: date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def rand_date(rng: random.Random, a: date, b: date) -> date:
    return a + timedelta(days=rng.randint(0, max(0, (b - a).days)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def pick(rng: random.Random, weighted: dict):
    r, acc = rng.random() * sum(weighted.values()), 0.0
    for key, w in weighted.items():
        acc += w
        if r < acc:
            return key
    return key


# Statutory public holidays (approximate; make-up working weekends are ignored): courts do not file or close.
HOLIDAY_RANGES = (
    ("2022-01-01", "2022-01-03"),
    ("2022-01-31", "2022-02-06"),
    ("2022-04-03", "2022-04-05"),
    ("2022-04-30", "2022-05-04"),
    ("2022-06-03", "2022-06-05"),
    ("2022-09-10", "2022-09-12"),
    ("2022-10-01", "2022-10-07"),
    ("2023-01-01", "2023-01-02"),
    ("2023-01-21", "2023-01-27"),
    ("2023-04-05", "2023-04-05"),
    ("2023-04-29", "2023-05-03"),
    ("2023-06-22", "2023-06-24"),
    ("2023-09-29", "2023-10-06"),
    ("2024-01-01", "2024-01-01"),
    ("2024-02-10", "2024-02-17"),
    ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"),
    ("2024-06-10", "2024-06-10"),
    ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
)
HOLIDAYS = frozenset(
    date.fromisoformat(a) + timedelta(days=i)
    for a, b in HOLIDAY_RANGES
    for i in range((date.fromisoformat(b) - date.fromisoformat(a)).days + 1)
)


def is_workday(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def workday_forward(d: date) -> date:
    while not is_workday(d):
        d += timedelta(days=1)
    return d


def workday_back(d: date) -> date:
    while not is_workday(d):
        d -= timedelta(days=1)
    return d


def filing_day(d: date) -> date:
    """Cases are filed on workdays, and never after the end of the data."""
    d = workday_forward(d)
    return workday_back(CUTOFF) if d > CUTOFF else d


def money(x: float | None) -> str:
    return "" if x is None else f"{round(x + 1e-9, 2):.2f}"


def iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.25 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def company_name(rng: random.Random) -> str:
    prefix = pick(rng, {"宜昌": 5, "湖北": 3, "宜昌市猇亭区": 2})
    i = rng.randrange(0, len(FIRM_WORDS) - 1, 2)
    return f"{prefix}{FIRM_WORDS[i : i + 2]}{rng.choice(FIRM_TRADES)}有限公司"


def lognormal_amount(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    x = min(hi, max(lo, rng.lognormvariate(math.log(median), sigma)))
    style = rng.random()
    if style < 0.25:
        return float(round(x, -2))
    if style < 0.85:
        return float(round(x))
    return round(x, 2)


# ----------------------------------------------------------------------------------------------- judgments


def make_judgments(rng: random.Random) -> list[dict]:
    """Effective judgments from 2023H2 on: ~1,300 a year with payment content, ~200 without."""
    seq: dict[tuple[int, str, str], int] = {}  # (year, court code, 类型代字) -> last number used
    out = []
    for y, m in months(JUDGMENT_START, CUTOFF):
        season = {1: 1.05, 2: 0.7, 12: 1.2, 7: 0.95, 8: 0.9}.get(m, 1.0)
        for _ in range(poisson(rng, 1500 / 12 * season * SCALE)):
            out.append({"effective_date": rand_date(rng, month_start(y, m), min(month_end(y, m), CUTOFF))})
    out.sort(key=lambda j: j["effective_date"])
    for j in out:
        eff = j["effective_date"]
        if rng.random() < 0.08:
            court, code, word = INTERMEDIATE[0], INTERMEDIATE[1], "民终"
        else:
            court, code = COURT, CODE
            word = pick(rng, {"民初": 0.9, "民特": 0.05, "刑初": 0.03, "行初": 0.02})
        year = eff.year - 1 if eff.month <= 4 and rng.random() < 0.3 else eff.year
        key = (year, code, word)
        if key not in seq:  # the numbering of 2023 was already under way when the extract starts
            seq[key] = (1500 if year == 2023 else 0) // (1 if word == "民初" else 20)
        seq[key] += rng.choice((1, 1, 1, 2, 2, 3))
        j["doc_no"] = f"({year}){code}{word}{seq[key]}号"
        j["court"] = court
        if word == "民特":
            j["doc_kind"], j["has_payment"] = "裁定", rng.random() < 0.9
        elif word == "刑初":
            j["doc_kind"], j["has_payment"] = "判决", rng.random() < 0.6
        else:
            j["doc_kind"] = pick(rng, {"调解": 0.45, "判决": 0.5, "裁定": 0.05})
            j["has_payment"] = rng.random() < (0.05 if j["doc_kind"] == "裁定" else 0.88)
    return out


# ----------------------------------------------------------------------------------------------- cases


def new_case(key: str, case_type: str, filing: date, **extra) -> dict:
    rng = keyed("case", key)
    c = {
        "key": key,
        "case_type": case_type,
        "filing_date": filing,
        "closing_date": None,
        "closing_method": None,
        "closing_reason": None,
        "basis_doc_no": None,
        "cross_role": None,
        "cross_mode": None,
        "partner_court": None,
        "suspended_days": 0,
        "zhongben_review": None,
        "recovered_amount": 0.0,
    }
    c.update(extra)
    company = rng.random() < (0.55 if c.get("cross_role") == "承接" else 0.33)
    if company:
        c["debtor_name"] = company_name(rng)
    elif rng.random() < 0.08:
        c["debtor_name"] = f"{person_name(rng)}、{person_name(rng)}"
    else:
        c["debtor_name"] = person_name(rng)
    if case_type == "首次执行":
        if c.get("cross_role") == "承接":
            amount = lognormal_amount(rng, 150000, 1.1, 5000, 8_000_000)
        elif rng.random() < 0.04:
            amount = 0.0  # 腾房、交付、行为履行: no money to recover
        else:
            amount = lognormal_amount(rng, 35000, 1.2, 500, 6_000_000)
    elif case_type == "恢复执行":
        amount = lognormal_amount(rng, 50000, 1.1, 1000, 5_000_000)
    elif case_type == "财产保全":
        amount = lognormal_amount(rng, 100000, 1.1, 5000, 20_000_000)
    else:
        amount = 0.0
    c["applied_amount"] = amount
    tags = []
    if not company and amount < 60000 and rng.random() < 0.35:
        tags.append("涉民生")
    if company and rng.random() < 0.7 or not company and rng.random() < 0.08:
        tags.append("涉企")
    if rng.random() < (0.25 if amount > 100000 else 0.08):
        tags.append("涉金融")
    c["tags"] = "、".join(tags) or None
    if case_type == "财产保全":
        team = pick(rng, {"快执团队": 0.7, "执行一团队": 0.1, "执行二团队": 0.1, "执行三团队": 0.1})
    elif case_type == "执行异议":
        team = pick(rng, {"执行一团队": 0.5, "执行二团队": 0.5})
    elif 0 < amount < 15000 and rng.random() < 0.6:
        team = "快执团队"
    else:
        team = pick(rng, {"执行一团队": 0.36, "执行二团队": 0.34, "执行三团队": 0.22, "快执团队": 0.08})
    c["team"], c["handler"] = team, rng.choice(TEAMS[team])
    return c


MIN_AGE = {"终结本次执行程序": 92}  # 终本 needs at least 3 months of execution (SPC 终本 rules)


def first_execution_outcome(rng: random.Random, c: dict) -> None:
    """Closing method, reason and (natural) closing date of a 首次执行/恢复执行 case."""
    q = action_effect(c["filing_date"] + timedelta(days=75))
    amount = c["applied_amount"]
    if c["case_type"] == "恢复执行":
        mix = {"执行完毕": 0.40, "终结本次执行程序": 0.35, "终结执行": 0.20, "销案": 0.03, "驳回申请": 0.02}
    else:
        mix = {
            "执行完毕": lerp(0.38, 0.45, q),
            "终结本次执行程序": lerp(0.33, 0.275, q),
            "终结执行": 0.255,
            "销案": 0.012,
            "不予执行": 0.008,
            "驳回申请": 0.01,
        }
    boost = TEAM_SKILL[c["team"]] + (0.15 if c.get("cross_role") == "承接" else 0.0)
    size = 0.55 if amount > 1_000_000 else 0.72 if amount > 300_000 else 1.12 if 0 < amount < 10000 else 1.0
    if amount == 0:
        size = 1.3
    mix["执行完毕"] = mix["执行完毕"] * size + boost
    mix["终结本次执行程序"] = max(0.05, mix["终结本次执行程序"] * (2 - size) - boost)
    method = pick(rng, mix)
    stuck = rng.random() < lerp(0.065, 0.015, q) * (1.6 if amount > 300_000 else 1.0)
    if stuck:  # the hard cases that make up the backlog
        method = pick(rng, {"终结本次执行程序": 0.45, "执行完毕": 0.3, "终结执行": 0.25})
        days = rng.triangular(366, 1100, 420)
    elif method == "执行完毕":
        days = rng.lognormvariate(math.log(lerp(66, 38, q) * (0.7 if c["team"] == "快执团队" else 1.0)), 0.8)
    elif method == "终结本次执行程序":
        days = 92 + rng.lognormvariate(math.log(lerp(55, 25, q)), 0.75)
    elif method == "终结执行":
        days = rng.lognormvariate(math.log(lerp(80, 48, q)), 0.85)
    else:
        days = rng.lognormvariate(math.log(20), 0.7)
    c["closing_method"] = method
    c["closing_date"] = c["filing_date"] + timedelta(days=max(2, int(days)))
    c["closing_reason"] = closing_reason(rng, method)


def closing_reason(rng: random.Random, method: str) -> str | None:
    if method == "执行完毕":
        return pick(rng, {"和解履行完毕": 0.25, "被执行人自动履行": 0.1, None: 0.65})
    if method == "终结执行":
        return pick(
            rng,
            {
                "申请人撤回申请": 0.55,
                "被执行人死亡无遗产": 0.06,
                "据以执行的法律文书被撤销": 0.03,
                "被执行人无收入来源又丧失劳动能力": 0.03,
                "其他": 0.08,
                "委托执行": 0.02,
                None: 0.23,
            },
        )
    if method == "终结本次执行程序":
        return pick(rng, {"无可供执行财产": 0.2, None: 0.8})
    if method == "销案":
        return pick(rng, {"重复立案": 0.4, None: 0.6})
    return None


def other_outcome(rng: random.Random, c: dict) -> None:
    if c["case_type"] == "财产保全":  # 保全 is carried out within days
        c["closing_method"] = pick(rng, {"保全完毕": 0.82, "部分保全": 0.1, "无标的物可实施保全": 0.08})
        days = rng.randint(1, 25)
    else:  # 执行异议: decided within the 15-day limit, sometimes longer with hearings
        c["closing_method"] = pick(rng, {"驳回申请": 0.65, "销案": 0.25, "不予执行": 0.10})
        reasons = {"驳回申请": "驳回异议", "销案": "准予撤回异议", "不予执行": "异议成立"}
        c["closing_reason"] = reasons[c["closing_method"]]
        days = rng.randint(8, 60)
    c["closing_date"] = c["filing_date"] + timedelta(days=days)


def settle_closing_date(rng: random.Random, c: dict) -> None:
    """Year-end push (closures pulled into December) and no closures on weekends."""
    d, method = c["closing_date"], c["closing_method"]
    earliest = c["filing_date"] + timedelta(days=MIN_AGE.get(method, 0))
    if (d.month <= 3 or d.month == 4 and d.day <= 15) and rng.random() < (0.6 if d.month <= 2 else 0.4):
        december = date(d.year - 1, 12, 1)
        if earliest <= date(d.year - 1, 12, 31):
            d = rand_date(rng, max(december, earliest), date(d.year - 1, 12, 31))
    if not is_workday(d):  # a weekend closure moves to the Friday, a long holiday's to the day after it
        before = workday_back(d)
        d = before if before >= earliest and (d - before).days <= 2 else workday_forward(d)
    c["closing_date"] = d


def recovered(rng: random.Random, c: dict) -> float:
    amount, method, reason = c["applied_amount"], c["closing_method"], c["closing_reason"]
    if amount <= 0 or c["case_type"] in ("财产保全", "执行异议"):
        return 0.0
    q = action_effect(c["closing_date"] or CUTOFF)
    if c["closing_date"] is None:
        return amount * rng.uniform(0.01, 0.4) if rng.random() < 0.35 else 0.0
    if method == "执行完毕":
        if reason == "和解履行完毕":
            return amount * rng.uniform(0.7, 1.0)
        return amount * (rng.uniform(1.0, 1.06) if rng.random() < 0.008 else 1.0)  # 迟延履行利息
    if method == "终结本次执行程序":
        # Large claims are mostly against firms with some seizable assets: partly realised before 终本.
        p_nothing = lerp(0.38, 0.25, q) * (0.5 if amount > 500_000 else 1.0)
        return 0.0 if rng.random() < p_nothing else amount * rng.uniform(0.1, lerp(0.58, 0.7, q))
    if method == "终结执行":
        if reason in ("指定执行", "提级执行", "委托执行"):
            return 0.0 if rng.random() < 0.7 else amount * rng.uniform(0.0, 0.2)
        if reason == "申请人撤回申请":
            return 0.0 if rng.random() < 0.4 else amount * rng.uniform(0.2, 0.95)
    return 0.0


def make_cases(judgments: list[dict]) -> list[dict]:
    cases = []
    # 首次执行 cases that rest on a judgment of this court (or of the 中院 on appeal): the 裁判自动履行率 link.
    linked_by_month: dict[tuple[int, int], int] = {}
    for j in judgments:
        if not j["has_payment"]:
            continue
        rng = keyed("applied", j["doc_no"])
        q = ramp(j["effective_date"], date(2025, 1, 1), date(2025, 5, 1))
        r, lag = rng.random(), min(177, 3 + int(rng.lognormvariate(math.log(40), 0.8)))
        if lerp(0.425, 0.37, q) <= r < lerp(0.425, 0.37, q) + 0.02:
            lag = rng.randint(185, 420)  # applied for, but after the observation period
        elif r >= lerp(0.425, 0.37, q):
            continue
        filing = workday_forward(j["effective_date"] + timedelta(days=lag))
        if filing > CUTOFF:
            continue
        cases.append(new_case(j["doc_no"], "首次执行", filing, basis_doc_no=j["doc_no"]))
        key = (filing.year, filing.month)
        linked_by_month[key] = linked_by_month.get(key, 0) + 1

    season = {1: 1.0, 2: 0.65, 3: 1.1, 4: 1.05, 5: 1.0, 6: 1.05, 7: 1.0, 8: 0.95, 9: 1.0, 10: 0.85, 11: 1.1, 12: 1.2}
    norm = sum(season.values())
    year_level = {2022: 690, 2023: 700, 2024: 690, 2025: 680, 2026: 680}
    for y, m in months(SIM_START, CUTOFF):
        rng = keyed("month", f"{y}-{m}")
        target = year_level[y] * season[m] / norm * rng.uniform(0.92, 1.08) * SCALE
        # Cases not resting on a judgment in the file fill the month up to its usual intake.
        n = max(round(target * 0.06), round(target) - linked_by_month.get((y, m), 0))
        for i in range(n):
            filing = filing_day(rand_date(rng, month_start(y, m), month_end(y, m)))
            cases.append(new_case(f"执-{y}-{m}-{i}", "首次执行", filing, basis_doc_no=other_basis(rng, filing)))
        for case_type, per_year in (("恢复执行", 120), ("财产保全", 200), ("执行异议", 20)):
            for i in range(poisson(rng, per_year / 12 * season[m] * 12 / norm * SCALE)):
                filing = filing_day(rand_date(rng, month_start(y, m), month_end(y, m)))
                basis = protective_basis(rng, filing) if case_type == "财产保全" else None
                cases.append(new_case(f"{case_type}-{y}-{m}-{i}", case_type, filing, basis_doc_no=basis))

    # 承接: cases of other courts taken over by this court (a few before the action, most in 2025).
    for year, count, first_month in ((2024, 3, 1), (2025, 46, 3), (2026, 17, 1)):
        rng = keyed("taken-over", str(year))
        last = date(year, 12, 31) if year < 2026 else CUTOFF
        for i in range(round(count * SCALE)):
            filing = filing_day(rand_date(rng, date(year, first_month, 1), last))
            partner = rng.choice(NEIGHBOUR_COURTS)
            mode = pick(rng, {"指令执行": 0.6, "协同执行": 0.15, "集中执行": 0.15, "督促执行": 0.1})
            basis = f"({filing.year - rng.randint(1, 3)}){partner[1]}民初{rng.randint(100, 3000)}号"
            cases.append(
                new_case(
                    f"承接-{year}-{i}",
                    "首次执行",
                    filing,
                    cross_role="承接",
                    cross_mode=mode,
                    partner_court=partner[0],
                    basis_doc_no=basis,
                )
            )

    for c in cases:
        own = keyed("outcome", c["key"])
        if c["case_type"] in ("首次执行", "恢复执行"):
            first_execution_outcome(own, c)
        else:
            other_outcome(own, c)
        settle_closing_date(own, c)
        if own.random() < 0.1:  # 中止/暂缓 deducted from the time limit
            age = (c["closing_date"] - c["filing_date"]).days
            c["suspended_days"] = min(own.randint(10, 90), age // 2)

    clear_backlog(keyed("backlog", ""), cases)
    for c in cases:
        if c["closing_date"] and c["closing_date"] > CUTOFF:
            c["closing_date"] = c["closing_method"] = c["closing_reason"] = None
            c["suspended_days"] = min(c["suspended_days"], (CUTOFF - c["filing_date"]).days // 2)
        own = keyed("recovery", c["key"])
        c["recovered_amount"] = round(recovered(own, c), 2)
        reviewed, passed = own.random() < 0.85, own.random()
        if c["closing_method"] == "终结本次执行程序" and reviewed:
            # 终本 review is an administrative measure of the plan: it bites within weeks.
            q = ramp(c["closing_date"], date(2025, 1, 15), date(2025, 4, 1))
            c["zhongben_review"] = "合格" if passed < lerp(0.9, 0.97, q) else "不合格"
    number_cases(cases)
    # The extract holds cases pending on 2024-01-01 and everything filed since; the run-in years keep the gaps
    # in their numbering left by the cases closed before 2024.
    return [c for c in cases if c["closing_date"] is None or c["closing_date"] >= DATA_START]


def other_basis(rng: random.Random, filing: date) -> str | None:
    """Basis of a 首执 case that is not among the judgments in the file: arbitration, other courts, older docs."""
    kind = pick(rng, {None: 0.5, "court": 0.25, "arbitration": 0.15, "old": 0.1})
    year = filing.year - pick(rng, {0: 0.5, 1: 0.4, 2: 0.1})
    if kind == "court":
        court = rng.choice(NEIGHBOUR_COURTS)
        return f"({year}){court[1]}民初{rng.randint(50, 3000)}号"
    if kind == "arbitration":
        return f"({year})宜仲字第{rng.randint(10, 900)}号"
    if kind == "old":  # this court's judgments older than the judgments file
        return f"({min(year, 2022)}){CODE}民初{rng.randint(1, 2500)}号"
    return None


def protective_basis(rng: random.Random, filing: date) -> str | None:
    if rng.random() < 0.5:
        return None
    if rng.random() < 0.5:
        return f"({filing.year}){CODE}财保{rng.randint(1, 150)}号"
    return f"({filing.year}){CODE}民初{rng.randint(1, 2800)}号之一"


def reclose(c: dict, new_date: date, method: str, reason: str | None) -> None:
    c["closing_date"], c["closing_method"], c["closing_reason"] = new_date, method, reason
    age = (new_date - c["filing_date"]).days
    c["suspended_days"] = min(c["suspended_days"], age // 2)


def clear_backlog(rng: random.Random, cases: list[dict]) -> None:
    """The action hands hard old cases to other courts (交出) and clears part of the long-pending stock."""
    rounds = (
        # (stock date, minimum age, handed over, share of the rest cleared, window)
        (date(2024, 6, 1), 300, 2, 0.0, (date(2024, 6, 10), date(2024, 12, 31))),
        (date(2025, 3, 1), 270, 24, 0.4, (date(2025, 3, 10), date(2025, 12, 31))),
        (date(2025, 9, 1), 300, 0, 0.5, (date(2025, 9, 10), date(2025, 12, 31))),
        (date(2026, 1, 1), 300, 8, 0.35, (date(2026, 1, 10), date(2026, 6, 30))),
    )
    for stock_date, min_age, handed, share, (lo, hi) in rounds:
        handed = round(handed * SCALE)
        stock = [
            c
            for c in cases
            if c["case_type"] == "首次执行"
            and c["cross_role"] is None
            and (stock_date - c["filing_date"]).days >= min_age
            and (c["closing_date"] is None or c["closing_date"] > stock_date)
        ]
        rng.shuffle(stock)
        for c in stock:
            last = min(hi, c["closing_date"] - timedelta(days=1)) if c["closing_date"] else hi
            if last < lo:
                continue
            new_date = rand_date(rng, lo, last)
            if rng.random() < 0.5 and last >= date(last.year, 12, 1) >= lo:  # the year-end push
                new_date = rand_date(rng, date(last.year, 12, 1), last)
            new_date = workday_forward(new_date)
            if handed > 0:
                handed -= 1
                up = rng.random() < 0.25
                reclose(c, new_date, "终结执行", "提级执行" if up else "指定执行")
                c["cross_role"], c["cross_mode"] = "交出", "提级执行" if up else "指令执行"
                c["partner_court"] = INTERMEDIATE[0] if up else rng.choice(NEIGHBOUR_COURTS)[0]
            elif rng.random() < share:
                method = pick(rng, {"终结本次执行程序": 0.5, "执行完毕": 0.22, "终结执行": 0.28})
                reclose(c, new_date, method, closing_reason(rng, method))


def number_cases(cases: list[dict]) -> None:
    """案号 numbered in filing order within year and 类型代字."""
    cases.sort(key=lambda c: (c["filing_date"], TYPE_CODE[c["case_type"]], c["key"]))
    counters: dict[tuple[int, str], int] = {}
    for c in cases:
        rng = keyed("number", c["key"])
        code = TYPE_CODE[c["case_type"]]
        key = (c["filing_date"].year, code)
        counters[key] = counters.get(key, 0) + 1
        c["seq"] = counters[key]
        left, right = ("（", "）") if rng.random() < 0.07 else ("(", ")")
        c["case_no"] = f"{left}{c['filing_date'].year}{right}{CODE}{code}{c['seq']}号"
        c["court"] = "" if rng.random() < 0.005 else COURT  # blank = the configured court
        c["case_type_out"] = "" if rng.random() < 0.05 else c["case_type"]


# ----------------------------------------------------------------------------------------------- auctions


class ActiveCases:
    """首执/恢复 cases indexed by filing date, to find a case that is open on a given day."""

    def __init__(self, cases: list[dict]):
        self.cases = sorted(
            (c for c in cases if c["case_type"] in ("首次执行", "恢复执行")),
            key=lambda c: (c["filing_date"], c["case_no"]),
        )
        self.filed = [c["filing_date"] for c in self.cases]

    def pick(self, rng: random.Random, day: date, min_age: int, max_age: int, accept=None) -> dict | None:
        lo = bisect.bisect_left(self.filed, day - timedelta(days=max_age))
        hi = bisect.bisect_right(self.filed, day - timedelta(days=min_age))
        open_cases = [
            c
            for c in self.cases[lo:hi]
            if (c["closing_date"] is None or c["closing_date"] >= day) and (accept is None or accept(c))
        ]
        return rng.choice(open_cases) if open_cases else None


def lot(rng: random.Random, asset: str, debtor: str) -> tuple[str, int]:
    """Name and 评估价 (元) of an invented lot."""
    if asset == "住宅":
        name = (
            f"宜昌市猇亭区{rng.choice(ESTATES)}{rng.randint(1, 18)}栋{rng.randint(1, 4)}单元"
            f"{rng.randint(2, 26)}0{rng.randint(1, 4)}室住宅"
        )
        value = lognormal_amount(rng, 550000, 0.35, 200000, 2_000_000)
    elif asset == "商业用房":
        name = f"宜昌市猇亭区{rng.choice(ESTATES)}{rng.randint(1, 12)}栋1-{rng.randint(1, 30)}号商业用房"
        value = lognormal_amount(rng, 1_100_000, 0.5, 300000, 6_000_000)
    elif asset == "车辆":
        plate = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
        name = f"{rng.choice(CAR_BRANDS)}牌小型轿车（鄂E·{plate}***）"
        value = lognormal_amount(rng, 70000, 0.6, 15000, 400000)
    elif asset == "股权":
        firm = debtor if debtor.endswith("有限公司") else company_name(rng)
        name = f"被执行人持有的{firm}{rng.choice((10, 20, 30, 35, 51, 60))}%股权"
        value = lognormal_amount(rng, 900000, 0.8, 100000, 8_000_000)
    elif asset == "机器设备":
        name = rng.choice(("数控车床等生产设备一批", "注塑机4台", "叉车2台", "挖掘机1台", "发电机组1套"))
        value = lognormal_amount(rng, 180000, 0.7, 30000, 1_500_000)
    else:
        name = rng.choice(("地下车位1个", "办公家具一批", "工业用地使用权", "库存钢材一批", "字画2幅"))
        value = lognormal_amount(rng, 90000, 0.8, 10000, 2_000_000)
    return name, int(round(value, -2))


def make_auctions(cases: list[dict]) -> list[dict]:
    """Lots go 一拍 → 二拍 (start price exactly 80 % of the previous) → 变卖 until sold or stopped."""
    active = ActiveCases(cases)
    rows = []
    for year, lots in ((2024, 21), (2025, 22), (2026, 20)):
        q = 0.0 if year == 2024 else 1.0
        last_day = date(year, 12, 31) if year < 2026 else CUTOFF
        span = (last_day - date(year, 1, 10)).days
        lots = max(1, round(lots * SCALE))
        for i in range(lots):
            rng = keyed("lot", f"{year}-{i}")
            # spread over the year (stratified), so a short phase is not left without auctions by chance
            slot_start = date(year, 1, 10) + timedelta(days=span * i // lots)
            first_end = rand_date(rng, slot_start, slot_start + timedelta(days=span // lots))
            asset = pick(
                rng, {"住宅": 0.4, "车辆": 0.25, "商业用房": 0.12, "机器设备": 0.1, "股权": 0.05, "其他": 0.08}
            )
            # The case, the lot's name and value come from streams of their own, so the auction rounds of a
            # lot stay the same when the cases change.
            case_rng = keyed("lot-case", f"{year}-{i}")
            case = active.pick(case_rng, first_end, 150, 1200, lambda c: c["applied_amount"] >= 30000)
            if case is None:
                continue
            name, appraisal = lot(keyed("lot-name", f"{year}-{i}"), asset, case["debtor_name"])
            seizure = None
            if case_rng.random() < 0.85:
                seizure = rand_date(
                    case_rng,
                    case["filing_date"] + timedelta(days=5),
                    min(case["filing_date"] + timedelta(days=90), first_end - timedelta(days=60)),
                )
            start = math.ceil(appraisal * rng.choice((0.7, 0.7, 0.75, 0.8, 0.8, 0.9, 1.0)) / 100) * 100
            end, rnd = first_end, "一拍"
            p_deal = {"一拍": lerp(0.62, 0.66, q), "二拍": lerp(0.71, 0.74, q), "变卖": lerp(0.73, 0.78, q)}
            while end <= CUTOFF:
                r = rng.random()
                stop = rng.random()
                if stop < 0.04:
                    result = "撤回"
                elif stop < 0.07:
                    result = "中止"
                elif r < p_deal[rnd]:
                    result = "悔拍" if rng.random() < 0.03 else "成交"
                else:
                    result = "流拍"
                deal = None
                if result in ("成交", "悔拍"):
                    premium = 0.0 if rng.random() < 0.45 else rng.lognormvariate(math.log(0.12), 0.9)
                    deal = int(round(start * (1 + min(premium, 0.9)), -2)) if result == "成交" else None
                    deal = max(deal, start) if deal is not None else None
                rows.append(
                    {
                        "case_no": case["case_no"],
                        "lot_name": name,
                        "asset_type": asset,
                        "round": rnd,
                        "appraisal_price": appraisal,
                        "start_price": start,
                        "end_date": end,
                        "result": result,
                        "deal_price": deal,
                        "seizure_date": seizure,
                    }
                )
                if result == "悔拍":  # re-auctioned in the same round at the same price
                    end += timedelta(days=rng.randint(35, 60))
                elif result == "流拍" and rnd != "变卖":
                    rnd, end = (
                        ("二拍", end + timedelta(days=rng.randint(30, 50)))
                        if rnd == "一拍"
                        else ("变卖", end + timedelta(days=rng.randint(40, 75)))
                    )
                    if rnd == "二拍":
                        start = start * 4 // 5  # by law at most 20 % below the previous start price
                else:
                    break
    rows.sort(key=lambda a: (a["end_date"], a["case_no"], a["round"]))
    counters: dict[int, int] = {}
    for a in rows:
        counters[a["end_date"].year] = counters.get(a["end_date"].year, 0) + 1
        a["auction_id"] = f"PM{a['end_date'].year}{counters[a['end_date'].year]:04d}"
    return rows


# ----------------------------------------------------------------------------------------------- measures

MEASURES = {  # type: (per year before the action, per year in the action, min age, max age of the case)
    "限制消费": (560, 700, 3, 90),
    "纳入失信": (240, 320, 25, 500),
    "拘传": (36, 58, 20, 600),
    "司法拘留": (16, 30, 30, 600),
    "搜查": (11, 24, 30, 600),
    "罚款": (8, 14, 30, 600),
    "悬赏公告": (4, 9, 60, 900),
    "移送拒执罪": (1, 3.5, 90, 900),
}


def make_measures(cases: list[dict]) -> list[dict]:
    active = ActiveCases(cases)
    rows = []
    for y, m in months(DATA_START, CUTOFF):
        q = action_effect(month_start(y, m))
        busy = {2: 0.7, 12: 1.15}.get(m, 1.0)
        for kind, (before, during, min_age, max_age) in MEASURES.items():
            rng = keyed("measures", f"{kind}-{y}-{m}")
            for _ in range(poisson(rng, lerp(before, during, q) / 12 * busy * SCALE)):
                day = workday_forward(rand_date(rng, month_start(y, m), month_end(y, m)))
                if day > CUTOFF:
                    continue
                case = active.pick(rng, day, min_age, max_age)
                if case is None:
                    continue
                amount, persons = None, 1
                if kind == "罚款":
                    company = case["debtor_name"].endswith("公司")
                    amount = rng.choice(
                        (50000, 100000, 200000) if company else (1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000)
                    )
                elif kind in ("纳入失信", "限制消费") and rng.random() < 0.12:
                    persons = rng.choice((2, 2, 3))
                elif kind == "拘传" and rng.random() < 0.1:
                    persons = 2
                rows.append(
                    {
                        "case_no": case["case_no"],
                        "measure_type": kind,
                        "measure_date": day,
                        "amount": amount,
                        "persons": persons,
                    }
                )
    rows.sort(key=lambda r: (r["measure_date"], r["case_no"], r["measure_type"]))
    counters: dict[int, int] = {}
    for r in rows:
        counters[r["measure_date"].year] = counters.get(r["measure_date"].year, 0) + 1
        r["measure_id"] = f"CS{r['measure_date'].year}{counters[r['measure_date'].year]:05d}"
    return rows


# ----------------------------------------------------------------------------------------------- entrustments


def make_entrustments(rng: random.Random) -> list[dict]:
    """Requests between courts; this court answers 收到 requests on time more often during the action."""
    rows = []
    partners = [c[0] for c in NEIGHBOUR_COURTS] + list(FAR_COURTS)
    weights = [3] * len(NEIGHBOUR_COURTS) + [1] * len(FAR_COURTS)
    for y, m in months(DATA_START, CUTOFF):
        q = ramp(month_start(y, m), date(2025, 2, 1), date(2025, 6, 1))
        for direction, per_year in (("收到", lerp(190, 215, q)), ("发出", 160)):
            for _ in range(poisson(rng, per_year / 12 * SCALE)):
                sent = workday_forward(rand_date(rng, month_start(y, m), month_end(y, m)))
                if sent > CUTOFF:
                    continue
                due = pick(rng, {30: 0.85, 15: 0.05, 60: 0.05, None: 0.05})
                limit = due or 30
                if direction == "收到":
                    on_time, late = lerp(0.80, 0.955, q), lerp(0.15, 0.035, q)
                else:
                    on_time, late = 0.76, 0.17
                r = rng.random()
                if r < on_time:
                    feedback = sent + timedelta(days=min(limit, 1 + int(rng.triangular(0, limit, limit * 0.4))))
                elif r < on_time + late:
                    feedback = sent + timedelta(days=limit + rng.randint(1, 45))
                else:
                    feedback = None
                if feedback is not None:
                    feedback = workday_forward(feedback)
                if feedback is not None and feedback > CUTOFF:
                    feedback = None
                rows.append(
                    {
                        "direction": direction,
                        "partner_court": rng.choices(partners, weights)[0],
                        "item_type": pick(
                            rng,
                            {
                                "查询": 0.3,
                                "冻结": 0.15,
                                "扣划": 0.1,
                                "查封": 0.12,
                                "送达": 0.2,
                                "调查": 0.08,
                                "其他": 0.05,
                            },
                        ),
                        "sent_date": sent,
                        "due_days": due,
                        "feedback_date": feedback,
                    }
                )
    rows.sort(key=lambda r: (r["sent_date"], r["direction"]))
    counters: dict[int, int] = {}
    for r in rows:
        counters[r["sent_date"].year] = counters.get(r["sent_date"].year, 0) + 1
        r["entrust_id"] = f"WT{r['sent_date'].year}{counters[r['sent_date'].year]:04d}"
    return rows


# ----------------------------------------------------------------------------------------------- output


def last_check(c: dict) -> str:
    """最近查控日期 of a 终本 case: checks every 150–210 days after closing; about a third never checked (blank).

    Its own random stream per case, so adding the column left every other value of the files unchanged.
    """
    if c["closing_method"] != "终结本次执行程序" or c["closing_date"] is None:
        return ""
    rng = keyed("last-check", c["case_no"])
    if rng.random() < 0.35:
        return ""
    day, last = c["closing_date"], None
    while True:
        day += timedelta(days=rng.randint(150, 210))
        if day > CUTOFF:
            return iso(last)
        last = day


def write(table: str, rows: list[tuple]) -> None:
    with open(OUT_DIR / f"{table}.csv", "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADERS[table])
        out.writerows(rows)


def main() -> None:
    judgments = make_judgments(keyed("judgments", ""))
    cases = make_cases(judgments)
    auctions = make_auctions(cases)
    measures = make_measures(cases)
    entrustments = make_entrustments(keyed("entrustments", ""))

    write(
        "执行案件",
        [
            (
                c["case_no"],
                c["court"],
                c["case_type_out"],
                iso(c["filing_date"]),
                iso(c["closing_date"]),
                c["closing_method"] or "",
                c["closing_reason"] or "",
                money(c["applied_amount"]),
                money(c["recovered_amount"]),
                c["team"],
                c["handler"],
                c["basis_doc_no"] or "",
                c["tags"] or "",
                c["cross_role"] or "",
                c["cross_mode"] or "",
                c["partner_court"] or "",
                c["suspended_days"],
                c["zhongben_review"] or "",
                c["debtor_name"],
                last_check(c),
            )
            for c in cases
        ],
    )
    write(
        "生效裁判",
        [
            (j["doc_no"], j["court"], iso(j["effective_date"]), "是" if j["has_payment"] else "否", j["doc_kind"])
            for j in judgments
        ],
    )
    write(
        "网络司法拍卖",
        [
            (
                a["auction_id"],
                a["case_no"],
                a["lot_name"],
                a["asset_type"],
                a["round"],
                money(a["appraisal_price"]),
                money(a["start_price"]),
                iso(a["end_date"]),
                a["result"],
                money(a["deal_price"]),
                iso(a["seizure_date"]),
            )
            for a in auctions
        ],
    )
    write(
        "强制措施",
        [
            (r["measure_id"], r["case_no"], r["measure_type"], iso(r["measure_date"]), money(r["amount"]), r["persons"])
            for r in measures
        ],
    )
    write(
        "事项委托",
        [
            (
                r["entrust_id"],
                r["direction"],
                r["partner_court"],
                r["item_type"],
                iso(r["sent_date"]),
                "" if r["due_days"] is None else r["due_days"],
                iso(r["feedback_date"]),
            )
            for r in entrustments
        ],
    )
    counts = {
        "执行案件": len(cases),
        "生效裁判": len(judgments),
        "网络司法拍卖": len(auctions),
        "强制措施": len(measures),
        "事项委托": len(entrustments),
    }
    print("示例数据 written to", OUT_DIR, counts)


if __name__ == "__main__":
    main()
