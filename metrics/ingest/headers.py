"""Understand a court export's header: find the header row, flatten two-row headers, map names to columns.

SPEC section 2b: headers are compared after NFKC with all whitespace removed and a unit in brackets split off;
each column has its canonical Chinese header, its English name and the synonyms real exports use. A court's own
spellings come from its mapping file (metrics.ingest.mapping) and win over the built-in table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from metrics.engine.schema import TABLES, TableSpec

# Synonyms of SPEC section 2b, besides each column's canonical header and its English name.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "cases": {
        "case_no": ("执行案号", "案件编号"),
        "court": ("承办法院",),
        "case_type": ("案件类别",),
        "filing_date": ("立案时间", "收案日期", "受理日期"),
        "closing_date": ("结案时间",),
        "closing_reason": ("结案事由", "结案原因", "终结原因"),
        "applied_amount": ("申请执行标的额", "申请执行标的", "申请标的额", "执行标的", "执行标的额", "标的金额"),
        "recovered_amount": ("实际到位金额", "实际到位标的额", "执行到位标的额", "到位金额", "已执行标的金额"),
        "team": ("承办部门", "承办团队", "所属团队"),
        "handler": ("承办法官", "承办人员"),
        "basis_doc_no": ("执行依据文号", "执行依据文书编号", "执行依据案号"),
        "suspended_days": ("扣除天数", "中止暂缓天数"),
        "zhongben_review": ("终本案件评查结果", "评查结果"),
        "debtor_name": ("被执行人名称", "被执行人姓名/名称"),
        "last_check_date": ("最后查控日期",),
    },
    "judgments": {
        "doc_no": ("案号", "裁判文书案号"),
        "court": ("审理法院", "作出法院"),
        "effective_date": ("生效时间", "裁判生效日期"),
        "has_payment": ("有无给付内容", "是否有给付内容"),
        "doc_kind": ("文书种类",),
    },
    "auctions": {
        "auction_id": ("拍品编号", "标的物编号"),
        "case_no": ("执行案号",),
        "lot_name": ("标的物名称", "拍品名称"),
        "asset_type": ("标的物类型", "拍品类型"),
        "round": ("拍卖阶段",),
        "appraisal_price": ("评估价", "评估价格", "评估价值"),
        "start_price": ("起拍价", "起拍价格"),
        "deal_price": ("成交价", "成交价格", "成交金额"),
        "end_date": ("结束时间", "拍卖结束时间"),
        "result": ("拍卖状态",),
        "seizure_date": ("查封时间",),
    },
    "measures": {
        "measure_id": ("决定书编号", "编号"),
        "case_no": ("执行案号",),
        "measure_type": ("措施种类",),
        "measure_date": ("决定时间", "发布日期"),
        "amount": ("罚款金额", "金额"),
        "persons": ("人数",),
    },
    "entrustments": {
        "entrust_id": ("委托编号",),
        "direction": ("委托方向",),
        "item_type": ("委托事项",),
        "sent_date": ("委托时间", "发起日期"),
        "due_days": ("办理期限", "期限"),
        "feedback_date": ("反馈时间", "办结日期"),
    },
}

# Units a header may carry in brackets, and what a value in that unit is multiplied by to give the stored unit.
MONEY_UNITS = {"元": 1, "万元": 10_000, "千元": 1_000}
OTHER_UNITS = ("天", "日", "件", "人次", "人", "次", "%")
UNITS = (*MONEY_UNITS, *OTHER_UNITS)

# Words that open a footer row (SPEC 2b): such rows are dropped and reported, never imported.
FOOTER_WORDS = ("合计", "总计", "小计", "共计", "累计", "制表人", "制表", "审核人", "审核", "打印日期", "打印时间",
                "填报人", "填表人", "负责人", "统计人", "导出时间", "导出日期")

_FOOTER_FIRST = {w[0] for w in FOOTER_WORDS}
IGNORE = "ignore"  # a mapping target: the court says this column is not needed
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]+")
_UNIT = re.compile(r"^(?P<name>.+?)[(\[](?P<unit>[^()\[\]]+)[)\]]$")


def clean_text(value: object) -> str:
    """NFKC, all whitespace and invisible characters removed: the form in which header names are compared."""
    if value is None:
        return ""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(value)))


def split_unit(text: str) -> tuple[str, str | None]:
    """`申请执行标的额(万元)` → (申请执行标的额, 万元); a bracket that is not a unit stays part of the name."""
    m = _UNIT.match(text)
    if m and clean_text(m.group("unit")) in UNITS:
        return m.group("name"), clean_text(m.group("unit"))
    return text, None


def header_key(value: object) -> tuple[str, str | None]:
    """The comparable name of a header cell and its unit."""
    return split_unit(clean_text(value))


def table_names(spec: TableSpec) -> dict[str, str]:
    """Every accepted name (compared form) of every column of a table → column name."""
    out: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.header, f.name, *SYNONYMS.get(spec.name, {}).get(f.name, ())):
            out.setdefault(header_key(name)[0], f.name)
    return out


NAMES: dict[str, dict[str, str]] = {name: table_names(spec) for name, spec in TABLES.items()}


@dataclass
class Column:
    """One column of a sheet: where it is, what the file calls it, and how it was understood."""

    index: int
    original: str  # the header as the file writes it (two-row headers joined with " / ")
    name: str  # compared form, unit split off
    unit: str | None
    target: str | None = None  # column name in the table, or None (ignored)
    source: str = ""  # 标准表头 / 同义表头 / 本院对照表 / 未识别 / 忽略


@dataclass
class Header:
    row: int  # spreadsheet row number of the (lower) header row
    rows_used: int  # 1 or 2
    columns: list[Column] = field(default_factory=list)
    title_rows: list[str] = field(default_factory=list)


def _texts(cells: list) -> list[str]:
    return ["" if c is None else str(c).strip() for c in cells]


def _score(names: list[str], known: set[str]) -> int:
    return sum(1 for n in dict.fromkeys(names) if n and n in known)


def _flatten(upper: list[str], lower: list[str]) -> list[tuple[str, str]]:
    """Two header rows → (original text, compared text with the group's unit applied) per column.

    The lower cell names the column; a vertically merged cell leaves it blank (or repeats the upper one). A unit
    written in the group cell (价格（元）) applies to every column under it. Readers fill merged ranges; where a
    format does not say which cells are merged, a blank group cell continues the group to its left.
    """
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    out: list[tuple[str, str]] = []
    group = ""
    for i in range(width):
        up, low = upper[i], lower[i]
        if up:
            group = up
        elif not low or i == 0:
            group = ""
        if not low or clean_text(low) == clean_text(up):
            out.append((up, clean_text(up)))
            continue
        name, unit = header_key(low)
        g_name, g_unit = header_key(group) if group else ("", None)
        text = f"{group} / {low}" if group else low
        if unit is None and g_unit is not None:
            out.append((text, f"{name}({g_unit})"))
        else:
            out.append((text, clean_text(low)))
    return out


def find_header(rows: list[tuple[int, list]], known: set[str], scan: int = 30) -> Header | None:
    """The header among the first rows: the row (or pair of rows) naming the most known columns (at least 2)."""
    head = rows[:scan]
    best: tuple[int, int, int] | None = None  # (score, -position, rows used)
    for pos, (_number, cells) in enumerate(head):
        single = [header_key(t)[0] for t in _texts(cells)]
        s1 = _score(single, known)
        if s1 >= 2 and (best is None or (s1, -pos) > best[:2]):
            best = (s1, -pos, 1)
        if pos + 1 < len(head):
            pair = [header_key(t)[0] for _o, t in _flatten(_texts(cells), _texts(head[pos + 1][1]))]
            s2 = _score(pair, known)
            lower_keys = [header_key(t) for t in _texts(head[pos + 1][1])]
            lower_alone = _score([name for name, _unit in lower_keys], known)
            # A reader that fills merged ranges repeats vertically merged names in the lower row, so the lower row
            # alone scores as high as the pair; the pair still wins when its group cells add units (标的（万元）).
            pair_units = sum(1 for _o, t in _flatten(_texts(cells), _texts(head[pos + 1][1])) if header_key(t)[1])
            adds_units = pair_units > sum(1 for _name, unit in lower_keys if unit)
            pair_better = s2 > lower_alone or (s2 == lower_alone and adds_units)
            if s2 >= 2 and s2 > s1 and pair_better and (best is None or (s2, -pos) > best[:2]):
                best = (s2, -pos, 2)
    if best is None:
        return None
    pos, used = -best[1], best[2]
    number, cells = head[pos]
    if used == 2:
        pairs = _flatten(_texts(cells), _texts(head[pos + 1][1]))
        number = head[pos + 1][0]
    else:
        pairs = [(t, clean_text(t)) for t in _texts(cells)]
    columns = []
    for i, (original, compared) in enumerate(pairs):
        if not compared:
            continue
        name, unit = split_unit(compared)
        columns.append(Column(i, original, name, unit))
    titles = [" ".join(t for t in dict.fromkeys(_texts(c)) if t) for _n, c in head[:pos]]
    return Header(number, used, columns, [t for t in titles if t])


def is_footer(cells: list) -> bool:
    """A 合计/制表人/打印日期 … row at the bottom of an export (judged by its first two filled cells)."""
    seen = 0
    for cell in cells:
        if cell is None or not isinstance(cell, str):
            if cell is not None:
                seen += 1
            if seen == 2:
                return False
            continue
        text = cell.strip()
        if not text:
            continue
        if text[0] in _FOOTER_FIRST or text[0].isspace() or not text[0].isprintable():
            if clean_text(text).startswith(FOOTER_WORDS):
                return True
        seen += 1
        if seen == 2:
            return False
    return False


def all_known_names(mapping_headers: dict[str, dict[str, str]] | None = None) -> set[str]:
    known = {n for names in NAMES.values() for n in names}
    for table in (mapping_headers or {}).values():
        known.update(header_key(h)[0] for h in table)
    return known


def resolve(header: Header, table: str, mapping_headers: dict[str, dict[str, str]] | None = None) -> None:
    """Set each column's target in `table`: the court's mapping first, then canonical names and synonyms."""
    spec = TABLES[table]
    canonical = {header_key(f.header)[0] for f in spec.fields} | {f.name for f in spec.fields}
    court = {header_key(h)[0]: target for h, target in ((mapping_headers or {}).get(table) or {}).items()}
    for col in header.columns:
        if col.name in court:
            target = court[col.name]
            col.target = None if target == IGNORE else target
            col.source = "忽略（本院对照表）" if target == IGNORE else "本院对照表"
        elif col.name in NAMES[table]:
            col.target = NAMES[table][col.name]
            col.source = "标准表头" if col.name in canonical else "同义表头"
        else:
            col.target, col.source = None, "未识别（忽略）"


def recognise(header: Header, mapping_headers: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The tables whose key and required columns all appear in the header."""
    out = []
    for name, spec in TABLES.items():
        court = {header_key(h)[0]: t for h, t in ((mapping_headers or {}).get(name) or {}).items()}
        present = set()
        for col in header.columns:
            target = court.get(col.name) or NAMES[name].get(col.name)
            if target and target != IGNORE:
                present.add(target)
        if all(f.name in present for f in spec.fields if f.required):
            out.append(name)
    # A judgments export names its 文书 "案号"; a cases file has 立案日期 and so is never read as judgments.
    if "cases" in out and "judgments" in out:
        out.remove("judgments")
    return out


def table_from_name(text: str) -> str | None:
    """The table a file or sheet name names (执行案件明细表.xlsx → cases), if exactly one."""
    words = {
        "cases": ("执行案件", "cases"),
        "judgments": ("生效裁判", "裁判文书", "judgments"),
        "auctions": ("网络司法拍卖", "司法拍卖", "拍卖", "auctions"),
        "measures": ("强制措施", "信用惩戒", "measures"),
        "entrustments": ("事项委托", "委托事项", "entrustments"),
    }
    t = clean_text(text).lower()
    hits = [name for name, ws in words.items() if any(w in t for w in ws)]
    return hits[0] if len(hits) == 1 else None
