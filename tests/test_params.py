"""URL parameters (ui/params.py): one parser per parameter; bad values are ignored with a visible note (D6, D14)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from metrics.config import ROOT, load_config
from ui import params

CONFIG = load_config(env={})
CHOICES = ["launch", "implement", "review"]


def test_phase_by_key_or_name():
    assert params.parse_phase(["review"], CONFIG, CHOICES) == "review"
    assert params.parse_phase(["总结提升阶段"], CONFIG, CHOICES) == "review"
    assert params.parse_phase(["launch", "implement"], CONFIG, CHOICES) == "implement"  # the last one counts
    for bad in ("baseline", "<script>", "' OR '1'='1", ""):
        with pytest.raises(params.Ignored):
            params.parse_phase([bad], CONFIG, CHOICES)


def test_as_of_must_be_a_real_date_in_range():
    latest = dt.date(2026, 10, 31)
    assert params.parse_as_of(["2025-12-31"], latest) == dt.date(2025, 12, 31)
    for bad in ("2025-02-30", "9999-99-99", "1900-01-01", "2026-11-01", "20251231", "2025-1-1", "x" * 10_000):
        with pytest.raises(params.Ignored):
            params.parse_as_of([bad], latest)


def test_choices_keep_the_known_ones_and_say_so():
    assert params.parse_choices(["一队", "二队"], ["一队", "二队"], "执行团队", "team") == ("一队", "二队")
    with pytest.raises(params.Ignored) as info:
        params.parse_choices(["一队", "<img src=x>"], ["一队", "二队"], "执行团队", "team")
    assert info.value.args[1] == ("一队",) and "1 个执行团队" in info.value.args[0]
    assert "<img" not in info.value.args[0]  # a note never repeats the raw value


def test_drill_parameters():
    as_of = dt.date(2026, 10, 31)
    assert params.parse_indicator(["recovery_rate"]) == "recovery_rate"
    assert params.parse_window(["review_yoy"], CONFIG, as_of) == "review_yoy"
    assert params.parse_window(["2025-03"], CONFIG, as_of) == "2025-03"
    for bad in ("0001-01", "2027-01", "2025-13", "[x](http://127.0.0.1:9/)"):
        with pytest.raises(params.Ignored):
            params.parse_window([bad], CONFIG, as_of)
    with pytest.raises(params.Ignored):
        params.parse_indicator(["__proto__"])
    assert params.parse_part(["num"], ["all", "num", "den"]) == "num"
    assert params.parse_flag(["TRUE"], "投影模式", "projector") is True
    with pytest.raises(params.Ignored):
        params.parse_flag(["yes please"], "投影模式", "projector")


def run(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page:
        at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def notes(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_phase_key_in_the_url_selects_the_phase():
    """D14: `?phase=review` (the key that `win=` uses) was ignored; only the name worked."""
    at = run(phase="review")
    assert at.selectbox(key="phase").value == "review" and not notes(at)
    assert "当前阶段 总结提升阶段" in "".join(str(h.proto.body) for h in at.get("html"))


def test_bad_values_are_ignored_with_a_note():
    """D14: bad asof/phase/team values fell back to defaults silently."""
    at = run(phase="nonsense", asof="2025-02-30", team="没有这个团队")
    text = notes(at)
    assert "阶段（phase）" in text and "统计日（asof）" in text and "执行团队（team）" in text
    assert at.selectbox(key="phase").value == CONFIG.default_phase
    assert "没有这个团队" not in text and "nonsense" not in text


def test_a_month_off_the_calendar_is_a_note_not_a_traceback():
    """D6: `/cases?ind=recovery_rate&win=0001-01` raised OverflowError on the page."""
    at = run("pages/cases.py", ind="recovery_rate", win="0001-01")
    assert "窗口（win）" in notes(at)
    assert at.selectbox(key="drill_ind").value == "recovery_rate"
    assert at.selectbox(key="drill_win").value == CONFIG.default_phase
