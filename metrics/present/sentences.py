"""Report sentences in a court's register, written from a compared row: value, change vs baseline and 同比, target.

Pure functions of metrics.engine.compare.Row and the indicator's target, so every wording rule is unit-testable:
rates change by 百分点 (提高/下降), durations by 天 (缩短/延长), stocks of cases by 件 (减少/增加), flows of
cases per month (月均); a null value is 暂无数据; a provisional value says so; a small sample or a difference
within the noise band is flagged as 仅供参考.
"""

from __future__ import annotations

from collections.abc import Iterable

from metrics.config import Target
from metrics.engine.compare import Change, Row, year_on_year_only
from metrics.engine.compute import Value
from metrics.engine.indicators import INDICATORS
from metrics.present.format import format_number

PROVISIONAL_NOTE = "暂定值，观察期未满"
SMALL_NOTE = "样本较小，变化仅供参考"
ANOMALY_NOTE = "超出可能范围，属数据异常，请核对数据后再使用"
COURT_WIDE_NOTE = "全院口径，不随团队、承办人、标签筛选"
NOISE_NOTE = "差异可能源于随机波动，仅供参考"
NO_DATA = "暂无数据"

# 实际执结率 is a 受理口径 rate (旧存+新收): a two-month phase cannot close what a twelve-month baseline closes, so
# only the same window a year earlier is a fair yardstick (SPEC section 4).
YEAR_ON_YEAR_ONLY = frozenset(k for k in INDICATORS if year_on_year_only(k))
YEAR_ON_YEAR_NOTE = "受理口径随阶段长短变化，只与上年同期比较"

# Verbs for a rise and a fall, by the unit the change is stated in.
_VERBS = {
    "百分点": ("提高", "下降"),
    "天": ("延长", "缩短"),
    "件": ("增加", "减少"),
    "件/月": ("增加", "减少"),
    "人次/月": ("增加", "减少"),
    "万元/月": ("增加", "减少"),
}
_DIGITS = {"百分点": 1, "天": 1, "件": 0, "件/月": 1, "人次/月": 1, "万元/月": 2}


def report_name(key: str) -> str:
    """The indicator's name as it reads inside a sentence: 执行用时中位数, not 执行用时中位数(天)."""
    name = INDICATORS[key].name
    for suffix in ("(天)", "(人次)"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _trim(text: str) -> str:
    """12.0 → 12 (a court report writes 缩短12天, not 缩短12.0天)."""
    return text[:-2] if text.endswith(".0") else text


def _trim_number(text: str) -> str:
    """“90.0天” → “90天”, “50.0%” → “50%”: the number before a one-character unit loses a useless “.0”."""
    return _trim(text[:-1]) + text[-1] if text[-1:] in ("天", "%") else text


def value_text(value: Value) -> str:
    """The value as the sentence states it; days without a useless “.0” (rates keep their one decimal)."""
    text = format_number(value.key, value.value)
    return _trim_number(text) if INDICATORS[value.key].unit == "days" else text


def change_clause(change: Change, against: str, note: str | None = None) -> str | None:
    """“较基线期提高4.1个百分点” / “月均较上年同期减少3.2件” / “与基线期持平”; None when there is nothing to compare.

    `note` and the noise warning of an uncertain change share one parenthesis after the clause.
    """
    if change.delta is None:
        return None
    digits = _DIGITS.get(change.unit, 1)
    size = f"{abs(change.delta):.{digits}f}"
    noisy = change.uncertain and float(size) != 0
    notes = "；".join(n for n in (note, NOISE_NOTE if noisy else None) if n)
    notes = f"（{notes}）" if notes else ""
    if float(size) == 0:
        return (f"与{against}基本持平" if abs(change.delta) > 1e-9 else f"与{against}持平") + notes
    if digits == 1:
        size = _trim(size)
    up, down = _VERBS.get(change.unit, ("增加", "减少"))
    verb = up if change.delta > 0 else down
    per_month = change.unit.endswith("/月")
    unit = change.unit.removesuffix("/月")
    unit = "个百分点" if unit == "百分点" else unit
    return f"{'月均' if per_month else ''}较{against}{verb}{size}{unit}{notes}"


def target_clause(key: str, value: Value, status: str | None, target: Target) -> str | None:
    """“达到目标（50.0%）” / “未达到目标（不超过90天），尚超出5天”; None without a target or a value."""
    if target.target is None or value.value is None or status is None:
        return None
    goal = _trim_number(format_number(key, target.target))
    lower = target.direction == "lower"
    shown = f"不超过{goal}" if lower and target.target > 0 else "清零" if lower else goal
    if status == "met":
        return f"达到目标（{shown}）"
    gap = abs(float(value.value) - target.target)
    ind = INDICATORS[key]
    if ind.unit in ("rate", "ratio"):
        gap_text = f"{_trim(f'{gap * 100:.1f}')}个百分点"
    elif ind.unit == "days":
        gap_text = f"{_trim(f'{gap:.1f}')}天"
    else:
        gap_text = value_text(Value(key, gap, None, None))
    return f"未达到目标（{shown}），{'尚超出' if lower else '尚差'}{gap_text}"


def indicator_sentence(row: Row, phase_name: str, target: Target, *, baseline: bool = False) -> str:
    """One sentence for one indicator in one phase.

    E.g. “组织实施阶段执行到位率为52.3%，较基线期提高4.1个百分点，较上年同期提高3.2个百分点，达到目标（50.0%）。”
    For the baseline phase itself only the value is stated: it is the yardstick, not a result of the action.
    """
    name = report_name(row.key)
    if row.value.value is None:
        return f"{phase_name}{name}{NO_DATA}。"
    head = f"{phase_name}{name}为{value_text(row.value)}"
    if row.anomaly:
        return f"{head}，{ANOMALY_NOTE}。"
    if row.court_wide:
        head += f"（{COURT_WIDE_NOTE}）"
    if row.value.provisional:
        head += f"（{PROVISIONAL_NOTE}）"
    if baseline:
        return head + "，作为比较基准。"
    clauses = [head]
    if row.key in YEAR_ON_YEAR_ONLY:
        vs_year = change_clause(_plain(row.vs_last_year, row.small), "上年同期", YEAR_ON_YEAR_NOTE)
        clauses.append(vs_year or f"上年同期无可比数据（{YEAR_ON_YEAR_NOTE}）")
    else:
        # Both changes within the noise: one closing note instead of the same warning twice.
        both_noisy = row.vs_baseline.uncertain and row.vs_last_year.uncertain and not row.small
        vs_year = change_clause(_plain(row.vs_last_year, row.small or both_noisy), "上年同期")
        vs_base = change_clause(_plain(row.vs_baseline, row.small or both_noisy), "基线期")
        if vs_base is None and vs_year is None:
            clauses.append("基线期与上年同期均无可比数据")
        else:
            clauses.append(vs_base or "基线期无可比数据")
            clauses.append(vs_year or "上年同期无可比数据")
    goal = target_clause(row.key, row.value, row.status, target)
    if goal:
        clauses.append(goal)
    sentence = "，".join(clauses) + "。"
    stated = yardstick(row).delta is not None or row.vs_last_year.delta is not None
    if row.small and stated:
        sentence += f"{SMALL_NOTE}。"
    elif row.key not in YEAR_ON_YEAR_ONLY and both_noisy and stated:
        sentence += f"上述变化{NOISE_NOTE.removeprefix('差异')}。"
    return sentence


def _plain(change: Change, small: bool) -> Change:
    """A change stated without its own noise note (the sentence ends with one note for all of them)."""
    return Change(change.delta, change.unit, change.verdict, False) if small else change


def yardstick(row: Row) -> Change:
    """The comparison that says whether an indicator moved: the baseline, or 同比 where only that is fair."""
    return row.yardstick


def overview_sentence(phase_name: str, rows: Iterable[Row], *, detail: bool = True) -> str:
    """How the headline indicators of a phase stand: better/worse than baseline, targets met; with `detail`,
    which ones."""
    rows = list(rows)
    compared = [r for r in rows if yardstick(r).delta is not None]
    # A change within noise is neither better nor worse: it is counted apart.
    noisy = [r for r in compared if yardstick(r).uncertain and yardstick(r).verdict in ("better", "worse")]
    better = [r for r in compared if yardstick(r).verdict == "better" and r not in noisy]
    worse = [r for r in compared if yardstick(r).verdict == "worse" and r not in noisy]
    with_target = [r for r in rows if r.status in ("met", "missed")]
    met = [r for r in with_target if r.status == "met"]
    anomalies = [r for r in rows if r.anomaly]
    parts = [f"{phase_name}{len(rows)}项核心指标中"]
    if compared:
        other = len(compared) - len(better) - len(worse) - len(noisy)
        parts.append(f"向好{len(better)}项、变差{len(worse)}项"
                     + (f"、变化在统计误差内{len(noisy)}项" if noisy else "") + (f"、持平{other}项" if other else ""))
    missing = len(rows) - len(compared) - len(anomalies)
    if missing:
        parts.append(f"{missing}项暂无可比数据")
    if anomalies:
        parts.append(f"{len(anomalies)}项数据异常（{'、'.join(report_name(r.key) for r in anomalies)}）")
    if with_target:
        parts.append(f"设有目标且有数据的{len(with_target)}项中{len(met)}项达到目标")
    yoy = [report_name(r.key) for r in compared if r.key in YEAR_ON_YEAR_ONLY]
    text = "，".join(parts) + "。"
    if compared:
        text += "向好、变差均与基线期比较" + (f"，{'、'.join(yoy)}为受理口径，与上年同期比较" if yoy else "") + "。"
    if not detail:
        return text
    if better:
        text += "向好的有" + "、".join(report_name(r.key) for r in better) + "。"
    if worse:
        text += "需关注的有" + "、".join(report_name(r.key) for r in worse) + "。"
    return text
