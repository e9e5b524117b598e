"""Parse one cell of a court export into a stored value, or say in Chinese why it cannot be (SPEC section 2b).

Never a guess: a value either has one reading or is an error naming the value. Limits are checked here, the same
on every database, so a value that a column cannot hold never reaches the database (security review D7, D16).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from metrics.engine.schema import TABLES

# Value spellings of court systems → the canonical values of SPEC section 2 (extensible in the mapping file).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "closing_method": {"终本": "终结本次执行程序", "终结本次执行": "终结本次执行程序"},
    "measure_type": {"拘留": "司法拘留", "限高": "限制消费", "限制高消费": "限制消费", "失信": "纳入失信",
                     "失信被执行人": "纳入失信", "纳入失信被执行人名单": "纳入失信"},
    "result": {"已成交": "成交", "已流拍": "流拍", "已撤回": "撤回", "已中止": "中止", "已悔拍": "悔拍"},
    "direction": {"受托": "收到", "委托": "发出"},
}
TRUE_WORDS = ("是", "有", "y", "yes", "true", "1")
FALSE_WORDS = ("否", "无", "n", "no", "false", "0")

MAX_MONEY = Decimal("10000000000000")  # 10 万亿元: far above any case, far below NUMERIC(16,2)
INT_RANGES = {"suspended_days": (0, 3650), "persons": (1, 10_000), "due_days": (0, 3650)}
EARLIEST = dt.date(2000, 1, 1)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MAX = 2_958_465  # 9999-12-31
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\d{1,2}[:时]\d{2}.*)?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is for the clerk and names the value."""


def _show(value: object) -> str:
    text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= 40 else text[:40] + "…"


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalize_case_no(value: object) -> str | None:
    """案号 and 文书号: NFKC, whitespace and invisible characters removed, （）/〔〕/[] → (), one key per case."""
    if value is None:
        return None
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(value)))
    text = re.sub(r"\s+", "", text)
    text = text.replace("〔", "(").replace("〕", ")").replace("[", "(").replace("]", ")")
    text = text.replace("（", "(").replace("）", ")")
    return text or None


@dataclass(frozen=True)
class DateRule:
    """Dates outside [earliest, latest] are errors unless the court's mapping allows them (review D2, D16)."""

    earliest: dt.date = EARLIEST
    latest: dt.date | None = None  # None = today

    def fixed(self) -> DateRule:
        """The same rule with today's date fixed, so a run of 100,000 dates asks the clock once."""
        return self if self.latest else DateRule(self.earliest, dt.date.today())

    def check(self, day: dt.date, raw: object) -> dt.date:
        latest = self.latest or dt.date.today()
        if day < self.earliest:
            raise ValueProblem(f"日期“{_show(raw)}”早于 {self.earliest:%Y年%m月%d日}，多半是录入错误"
                               "（确需导入，请在对照表 dates.earliest 中放宽）")
        if day > latest:
            raise ValueProblem(f"日期“{_show(raw)}”晚于今天（{latest:%Y年%m月%d日}），尚未发生"
                               "（确需导入，请在对照表 dates.allow_future 中允许）")
        return day


def parse_date(value: object, rule: DateRule = DateRule()) -> dt.date:
    if isinstance(value, dt.datetime):
        return rule.check(value.date(), value)
    if isinstance(value, dt.date):
        return rule.check(value, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return rule.check(_serial(value, value), value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value.isascii():
        try:  # the common case, 2025-03-05, without the regular expressions
            return rule.check(dt.date.fromisoformat(value), value)
        except ValueError:
            pass
    text = _nfkc(value)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                raise ValueProblem(f"“{_show(value)}”不是有效日期（没有这一天）") from None
            return rule.check(day, value)
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial number that arrived as text
        return rule.check(_serial(float(text), value), value)
    raise ValueProblem(f"“{_show(value)}”不是有效日期（可写作 2025-03-05、2025/3/5、2025年3月5日 或 20250305）")


def _serial(number: float, raw: object) -> dt.date:
    if number != int(number) and number - int(number) > 0.99999:
        number = round(number)
    if not 1 <= number <= _SERIAL_MAX:
        raise ValueProblem(f"“{_show(raw)}”不是有效日期")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_money(value: object, multiplier: int = 1) -> Decimal:
    """元 or (with multiplier 10,000) 万元 → 元, exact to the fen; thousand separators, ¥ and 元 allowed."""
    if isinstance(value, bool):
        raise ValueProblem(f"“{_show(value)}”不是有效金额")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest decimal that is this float: 1234.56, not 1234.5599999…
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = _nfkc(value).replace("，", ",")
        text = re.sub(r"^[¥￥]|元$", "", text).strip()
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            reason = "负数" if text.startswith("-") else "不是有效金额（只能是数字，可带千位分隔符、¥ 或“元”）"
            raise ValueProblem(f"“{_show(value)}”{'：金额不能为' + reason if reason == '负数' else reason}")
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValueProblem(f"“{_show(value)}”不是有效金额")
    if amount < 0:
        raise ValueProblem(f"“{_show(value)}”：金额不能为负数")
    amount = amount * multiplier
    if amount >= MAX_MONEY:
        raise ValueProblem(f"“{_show(value)}”：金额超过 10 万亿元，多半是录入或单位错误")
    try:
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueProblem(f"“{_show(value)}”不是有效金额") from None


def parse_int(value: object, column: str = "") -> int:
    if isinstance(value, bool):
        raise ValueProblem(f"“{_show(value)}”不是整数")
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = re.sub(r"(天|日|人次|人|次)$", "", _nfkc(value))
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise ValueProblem(f"“{_show(value)}”不是整数")
        number = Decimal(text)
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueProblem(f"“{_show(value)}”不是整数")
    low, high = INT_RANGES.get(column, (0, 1_000_000))
    if not low <= number <= high:
        raise ValueProblem(f"“{_show(value)}”超出合理范围（{low}～{high}）")
    return int(number)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _nfkc(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueProblem(f"“{_show(value)}”应为 是 或 否（也可写 有/无、Y/N、1/0）")


def parse_text(value: object, max_length: int | None, aliases: dict[str, str] | None = None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an Excel number cell holding a code (团队编号 1 → "1", not "1.0")
    text = _INVISIBLE.sub("", str(value)).strip()
    if _CONTROL.search(text):
        raise ValueProblem(f"“{_show(value)}”含有不可见的控制字符（如 NUL），请检查源文件")
    if aliases:
        text = aliases.get(text, aliases.get(_nfkc(text), text))
    if max_length is not None and len(text) > max_length:
        raise ValueProblem(f"长度 {len(text)} 个字符，超过此列上限 {max_length} 个字符")
    return text


def column_lengths(table: str) -> dict[str, int | None]:
    """Text column limits taken from the schema, so validation and database agree on every backend."""
    out: dict[str, int | None] = {}
    for f in TABLES[table].fields:
        out[f.name] = getattr(TABLES[table].table.c[f.name].type, "length", None)
    return out


def parse_cell(kind: str, column: str, value: object, *, multiplier: int = 1, rule: DateRule = DateRule(),
               aliases: dict[str, str] | None = None, max_length: int | None = None):
    if kind == "date":
        return parse_date(value, rule)
    if kind == "money":
        return parse_money(value, multiplier)
    if kind == "int":
        return parse_int(value, column)
    if kind == "bool":
        return parse_bool(value)
    if column in ("case_no", "doc_no", "basis_doc_no"):
        text = normalize_case_no(parse_text(value, None))
        if text and max_length is not None and len(text) > max_length:
            raise ValueProblem(f"长度 {len(text)} 个字符，超过此列上限 {max_length} 个字符")
        return text
    return parse_text(value, max_length, aliases)
