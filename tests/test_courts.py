"""Several courts: config courts:, the court from a 案号, partner spellings, the court table with its ranking, the
交出 → 承接 flow matrix and 对账 — on a hand-built database of three courts with known flows and mismatches."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from metrics.config import ConfigError, Phase, Target, load_config
from metrics.courts import Court, canonical_court, case_no_code, court_from_case_no, short_name
from metrics.engine import courts as C
from metrics.engine.windows import phase_window
from tests.conftest import d, insert, make_config
from tests.test_config import variant

XL, XT, YA = "宜昌市西陵区人民法院", "宜昌市猇亭区人民法院", "远安县人民法院"
COURTS = (Court(XL, "鄂0502", "西陵"), Court(XT, "鄂0505", "猇亭"), Court(YA, "鄂0525", "远安"))


# ---- pure functions ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case_no, code", [("(2025)鄂0505执123号", "鄂0505"), ("（2024）鄂0502执恢7号", "鄂0502"),
                                           ("(2025)鄂05执1号", "鄂05"), ("鄂0505执1号", None), ("", None)])
def test_case_no_code(case_no, code):
    assert case_no_code(case_no) == code


def test_court_from_case_no():
    assert court_from_case_no("(2025)鄂0525执3号", COURTS) == YA
    assert court_from_case_no("（2025）鄂0502执保3号", COURTS) == XL
    assert court_from_case_no("(2025)鄂0506执3号", COURTS) is None  # 夷陵 is not configured
    assert court_from_case_no("(2025)鄂0505执3号", ()) is None


@pytest.mark.parametrize("spelling, meant", [
    (XT, XT), ("猇亭区法院", XT), ("宜昌市猇亭区法院", XT), ("猇亭区人民法院", XT), ("猇亭法院", XT),
    (" 远安县法院 ", YA),
    ("西陵", XL), ("宜昌市中级人民法院", None), ("", None),
])
def test_canonical_court(spelling, meant):
    assert canonical_court(spelling, [XL, XT, YA], COURTS) == meant


def test_canonical_court_without_configured_courts():
    assert canonical_court("西陵区法院", [XL, XT]) == XL
    assert canonical_court("猇亭法院", [XL, XT]) == XT


def test_short_name():
    assert [short_name(n) for n in (XT, YA, "五峰土家族自治县人民法院", "宜都市人民法院")] == \
        ["猇亭区", "远安县", "五峰县", "宜都市"]


# ---- config --------------------------------------------------------------------------------------------------------

def _courts(raw):
    raw["courts"] = [{"name": XL, "code": "鄂0502", "short": "西陵", "targets": {"recovery_rate": {"target": 0.6}}},
                     {"name": XT, "code": "鄂0505"}]


def test_courts_in_config(tmp_path):
    config = load_config(variant(tmp_path, _courts), env={})
    assert [(c.name, c.code, c.short) for c in config.courts] == [(XL, "鄂0502", "西陵"), (XT, "鄂0505", "猇亭区")]
    own = config.for_court(XL)
    assert own.targets["recovery_rate"] == Target("higher", 0.6)  # the shared direction, the court's target
    assert own.targets["completion_rate"] == config.targets["completion_rate"]
    assert config.for_court(XT) is config and config.for_court("别的法院") is config


def test_single_court_config_has_no_courts():
    assert load_config(env={}).courts == ()


@pytest.mark.parametrize("courts, key, words", [
    ({"name": XL}, "courts", "法院列表"),
    ([{"code": "鄂0502"}], "courts[1].name", "缺少"),
    ([{"name": XL, "code": "0502"}], "courts[1].code", "鄂0505"),
    ([{"name": XL, "code": "鄂0502", "colour": 1}], "courts[1].colour", "未知设置"),
    ([{"name": XL, "code": "鄂0502", "targets": {"speed": {"target": 1}}}], "courts[1].targets.speed", "未知指标"),
    ([{"name": XL, "code": "鄂0502", "targets": {"recovery_rate": {"target": "高"}}}],
     "courts[1].targets.recovery_rate.target", "数字"),
    ([{"name": XL, "code": "鄂0502"}, {"name": XT, "code": "鄂0502"}], "courts", "重复"),
])
def test_court_mistakes_are_named(tmp_path, courts, key, words):
    with pytest.raises(ConfigError) as info:
        load_config(variant(tmp_path, lambda raw: raw.update({"courts": courts})), env={})
    assert info.value.key == key
    assert words in str(info.value)


# ---- a database of three courts ------------------------------------------------------------------------------------

AS_OF = d("2025-12-31")
PHASES = (Phase("baseline", "基线期", d("2024-01-01"), d("2024-12-31"), True),
          Phase("p1", "一阶段", d("2025-01-01"), d("2025-12-31")))


def _config(**params):
    config = make_config(PHASES, **params)
    return replace(config, courts=(replace(COURTS[0], targets={"recovery_rate": Target("higher", 0.7)}),
                                   *COURTS[1:]))


def _handed(no, court, partner, closing, reason="指定执行"):
    return dict(case_no=no, court=court, filing_date=d("2024-03-01"), closing_date=d(closing),
                closing_method="终结执行", closing_reason=reason, cross_role="交出", partner_court=partner,
                applied_amount=300)


def _taken(no, court, partner, filing, **kw):
    return dict(case_no=no, court=court, filing_date=d(filing), cross_role="承接", partner_court=partner, **kw)


FLOW_CASES = [
    # 西陵 hands two cases to 猇亭; 猇亭 registers both, one with the partner spelled 西陵区法院.
    _handed("(2024)鄂0502执1号", XL, XT, "2025-03-10"),
    _handed("(2024)鄂0502执2号", XL, XT, "2025-04-01"),
    _taken("(2025)鄂0505执1号", XT, XL, "2025-03-15", closing_date=d("2025-05-01"), closing_method="执行完毕",
           applied_amount=1000, recovered_amount=1000),
    _taken("(2025)鄂0505执2号", XT, "西陵区法院", "2025-04-10", applied_amount=500, recovered_amount=100),
    # 西陵 hands one case to 远安, which never registers it.
    _handed("(2024)鄂0502执3号", XL, YA, "2025-05-01"),
    # 猇亭 hands two to 远安, which registers one.
    _handed("(2024)鄂0505执3号", XT, YA, "2025-06-20"),
    _handed("(2024)鄂0505执4号", XT, YA, "2025-12-20"),
    _taken("(2025)鄂0525执1号", YA, XT, "2025-06-25", closing_date=d("2025-09-10"),
           closing_method="终结本次执行程序", applied_amount=2000, recovered_amount=500),
    # 猇亭 registers a case taken over from 远安, which recorded no 交出.
    _taken("(2025)鄂0505执5号", XT, YA, "2025-07-01"),
    # 西陵 sends one case up to the 中院: a partner outside the database, not reconciled.
    _handed("(2024)鄂0502执4号", XL, "宜昌市中级人民法院", "2025-05-05", reason="提级执行"),
    # Ordinary cases: 西陵 closes two in 2025 (one 执行完毕) and one in 2024.
    dict(case_no="(2025)鄂0502执10号", court=XL, filing_date=d("2025-03-05"), closing_date=d("2025-04-01"),
         closing_method="执行完毕", applied_amount=100, recovered_amount=100),
    dict(case_no="(2025)鄂0502执11号", court=XL, filing_date=d("2025-03-05"), closing_date=d("2025-04-01"),
         closing_method="终结本次执行程序", applied_amount=100, recovered_amount=20),
    dict(case_no="(2024)鄂0502执12号", court=XL, filing_date=d("2024-02-01"), closing_date=d("2024-05-01"),
         closing_method="执行完毕", applied_amount=100, recovered_amount=100),
]


@pytest.fixture
def three_courts(engine):
    insert(engine, "cases", FLOW_CASES)
    return engine


def test_court_names_in_configured_order(three_courts):
    with three_courts.connect() as conn:
        assert C.court_names(conn, _config()) == [XL, XT, YA]
        # Without a courts: list, in the order of the codes in their 案号.
        assert C.court_names(conn, make_config(PHASES)) == [XL, XT, YA]
    assert C.is_multi_court(three_courts, _config())


def test_single_court_database_is_not_multi_court(engine):
    insert(engine, "cases", [FLOW_CASES[-1]])
    assert not C.is_multi_court(engine, _config())


def test_court_table_values_yoy_and_own_targets(three_courts):
    config = _config()
    window = phase_window(config.phase("p1"), AS_OF)
    rows = {r.court: r for r in C.court_table(three_courts, config, window, C.last_year_window(config, window))}
    assert list(rows) == [XL, XT, YA]
    assert rows[XL].short == "西陵"
    # 西陵 2025: closed 执10 (执行完毕, 100/100) and 执11 (终本, 20/100); its 交出 cases are transfers, not closures.
    xl = rows[XL].values
    assert (xl["completion_rate"].numerator, xl["completion_rate"].denominator) == (1, 2)
    assert xl["recovery_rate"].value == pytest.approx(0.6)
    # 同比 against 2024 (执12, 执行完毕): 50 % − 100 % = −50 百分点, on two cases: 样本较小.
    yoy = rows[XL].vs_last_year["completion_rate"]
    assert yoy.delta == pytest.approx(-50) and yoy.uncertain
    # 西陵's own target (0.7) is missed; 猇亭 meets the shared 0.5 (1000/1000); 远安 misses it (500/2000).
    assert [rows[c].status["recovery_rate"] for c in (XL, XT, YA)] == ["missed", "met", "missed"]
    assert rows[YA].values["recovery_rate"].value == pytest.approx(0.25)
    assert rows[XT].last_year["completion_rate"].value is None


def test_court_table_ignores_the_court_filter(three_courts):
    from metrics.engine.filters import Filters

    config = _config()
    window = phase_window(config.phase("p1"), AS_OF)
    rows = C.court_table(three_courts, config, window, C.last_year_window(config, window), Filters(court=XL))
    assert [r.court for r in rows] == [XL, XT, YA]


def test_ranks_claim_only_differences_beyond_noise(engine):
    # Three courts of 30 closed cases: 30, 15 and 14 执行完毕. 100 % vs 50 % is clear; 50 % vs 46.7 % is noise.
    rows = []
    for court, completed in (("甲法院", 30), ("乙法院", 15), ("丙法院", 14)):
        for i in range(30):
            rows.append(dict(case_no=f"{court}{i}", court=court, filing_date=d("2025-02-01"),
                             closing_date=d("2025-03-01"),
                             closing_method="执行完毕" if i < completed else "终结本次执行程序"))
    insert(engine, "cases", rows)
    config = make_config(PHASES, small_denominator=10)
    window = phase_window(config.phase("p1"), AS_OF)
    table = C.court_table(engine, config, window, C.last_year_window(config, window))
    ranks = C.ranks(config, table, "completion_rate")
    assert ranks["甲法院"] == C.Rank(1, 1) and ranks["甲法院"].text() == "第1名"
    assert ranks["乙法院"] == C.Rank(2, 3) == ranks["丙法院"]
    assert ranks["乙法院"].text() == "第2–3名"
    # Counts, durations and ratios of money have no noise rule: no ranking is claimed for them.
    assert C.ranks(config, table, "pending_over_12m") == {} == C.ranks(config, table, "recovery_rate")
    assert C.rankable("completion_rate") and C.rankable("voluntary_compliance_rate")
    assert not C.rankable("recovery_rate") and not C.rankable("cycle_days_median")
    # The rule is compare.change's: where it calls a difference uncertain, no order is claimed.
    by_court = {r.court: r.result for r in table}
    assert C.distinguishable(config, "completion_rate", by_court["甲法院"], by_court["乙法院"])
    assert not C.distinguishable(config, "completion_rate", by_court["乙法院"], by_court["丙法院"])


def test_flow_matrix(three_courts):
    flows = {(f.source, f.target): f for f in C.flows(three_courts, _config(), AS_OF)}
    assert set(flows) == {(XL, XT), (XT, YA), (YA, XT)}
    xl_xt = flows[XL, XT]  # both spellings of 西陵 count for 西陵
    assert (xl_xt.taken, xl_xt.closed, xl_xt.completed) == (2, 1, 1)
    assert (xl_xt.applied, xl_xt.recovered, xl_xt.completion_rate, xl_xt.recovery_rate) == (1000, 1000, 1.0, 1.0)
    xt_ya = flows[XT, YA]
    assert (xt_ya.taken, xt_ya.closed, xt_ya.completed, xt_ya.recovery_rate) == (1, 1, 0, 0.25)
    assert (flows[YA, XT].taken, flows[YA, XT].closed, flows[YA, XT].completion_rate) == (1, 0, None)
    # A window: only cases taken over from 2025-04-01 on.
    later = {(f.source, f.target): f.taken for f in C.flows(three_courts, _config(), AS_OF, d("2025-04-01"))}
    assert later == {(XL, XT): 1, (XT, YA): 1, (YA, XT): 1}
    assert C.flows(three_courts, _config(), d("2025-03-31")) == [C.Flow(XL, XT, 1, 0, 0, 0, 0)]


def test_reconciliation(three_courts):
    found = {(m.source, m.target, m.kind): m for m in C.reconciliation(three_courts, _config(), AS_OF)}
    assert set(found) == {(XL, YA, "承接方未登记"), (XT, YA, "件数不一致"), (YA, XT, "交出方未登记"),
                          (XL, XT, "对方法院名称写法不一致")}
    m = found[XL, YA, "承接方未登记"]
    assert (m.handed, m.taken, m.handed_cases, m.taken_cases) == (1, 0, ("(2024)鄂0502执3号",), ())
    m = found[XT, YA, "件数不一致"]
    assert (m.handed, m.taken) == (2, 1)
    assert m.handed_cases == ("(2024)鄂0505执3号", "(2024)鄂0505执4号") and m.taken_cases == ("(2025)鄂0525执1号",)
    assert m.in_transit == 1 and "尚在移送途中" in m.text()  # 执4 was handed over 11 days before the as-of date
    m = found[YA, XT, "交出方未登记"]
    assert (m.handed, m.taken, m.taken_cases) == (0, 1, ("(2025)鄂0505执5号",))
    m = found[XL, XT, "对方法院名称写法不一致"]
    assert m.spellings == ("西陵区法院",) and (m.handed, m.taken) == (2, 2)
    assert "西陵区法院" in m.text()


def test_reconciliation_up_to_the_as_of_date(three_courts):
    # On 2025-04-05 猇亭 had registered the first of 西陵's two cases; both were handed over within 30 days.
    found = {(m.source, m.target, m.kind): m for m in C.reconciliation(three_courts, _config(), d("2025-04-05"))}
    assert set(found) == {(XL, XT, "件数不一致")}
    assert found[XL, XT, "件数不一致"].in_transit == 2


def test_as_date_reads_sqlite_text():
    assert C._as_date("2025-03-01") == dt.date(2025, 3, 1)
