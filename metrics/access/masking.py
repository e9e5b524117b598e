"""The one masking function for personal data (debtor names), and its use inside free text (标的物 lot names).

Person: the family name stays, the given name becomes ** (张伟明 → 张**, 李四 → 李**: the length is not shown).
Company: the first characters and the legal-form suffix stay (宜昌某某建材有限公司 → 宜昌****有限公司).
"""

from __future__ import annotations

import re

# Longest first, so 有限责任公司 wins over 公司.
SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "合伙企业", "专业合作社", "合作社", "集团", "公司", "商行",
            "事务所", "工作室", "经营部", "门市部", "中心", "个体户", "商店", "厂", "店", "行", "部", "社")
COMPANY = re.compile("(" + "|".join(SUFFIXES) + r")$")
# A company name inside free text: up to 16 Chinese characters (or brackets) before a legal form, not across
# 的/之/与/和 or words that start the phrase ("被执行人持有的…", "位于…").
COMPANY_IN_TEXT = re.compile(r"[\u4e00-\u9fff（）()]{2,16}(?:" + "|".join(SUFFIXES[:9]) + ")")
STOP_WORDS = re.compile(r"^.*(?:的|之|与|和|及|、|被执行人|申请执行人|持有|名下|位于)")
# "被执行人王测试名下的住宅", "王某某名下", "张三所有的" — a person named before 名下/所有/持有.
PERSON_IN_TEXT = re.compile(r"(被执行人|申请执行人)?([\u4e00-\u9fff]{2,4}?)(名下|所有的|持有的|的房产|的车辆|的股权)")

NOT_NAMES = ("被执行人", "执行人", "申请人", "当事人", "本人", "其")


def mask_name(name: str | None) -> str:
    """Mask one debtor name (person or company); blank stays blank."""
    if name is None:
        return ""
    name = str(name).strip()
    if not name:
        return ""
    m = COMPANY.search(name)
    if m and len(name) > len(m.group(1)):
        stem = name[: -len(m.group(1))]
        keep = 2 if len(stem) >= 4 else 1
        return stem[:keep] + "*" * max(len(stem) - keep, 2) + m.group(1)
    return name[0] + "**"


def mask_text(text: str | None, names: tuple[str, ...] | list[str] = ()) -> str:
    """Free text (an auction lot name) with personal names masked.

    Every name in `names` (the debtors of the record's case) is replaced by its mask, then any company name
    and any person named before 名下/所有的/… that is still in clear.
    """
    if text is None:
        return ""
    out = str(text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = out.replace(name, mask_name(name))

    def company(m: re.Match) -> str:
        found = m.group(0)
        lead = STOP_WORDS.match(found)
        head, body = (found[: lead.end()], found[lead.end():]) if lead else ("", found)
        if "*" in body or not COMPANY.search(body) or len(body) <= len(COMPANY.search(body).group(1)):
            return found
        return head + mask_name(body)

    out = COMPANY_IN_TEXT.sub(company, out)

    def person(m: re.Match) -> str:
        who = m.group(2)
        if "*" in who or who in NOT_NAMES or who.endswith(SUFFIXES) or who[-1] in "司厂店社部行所人":
            return m.group(0)
        return (m.group(1) or "") + mask_name(m.group(2)) + m.group(3)

    return PERSON_IN_TEXT.sub(person, out)
