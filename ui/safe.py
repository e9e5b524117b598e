"""Escaping for every value from the database, the config or the URL that goes into st.html or Markdown.

esc(): HTML text and attribute values. md(): Markdown (st.caption, st.warning, st.info, st.markdown …), where a
value could otherwise become a link, an image or emphasis. script_json(): JSON inside a <script> element, where
`</script>` (or `<!--`) in a value would end the element.
"""

from __future__ import annotations

import html
import json
import re

# Every character Markdown (or Streamlit's extensions: :red[…], :material/…:, $math$) gives a meaning to, and the
# ones that make a bare URL or e-mail address into a link (: / . @): written as numeric character references, which
# Markdown shows as the character itself and never parses. (A backslash escape is not enough: GFM still turns
# http\:\/\/… into a link.)
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:&@/=\"']")

_LINKISH = re.compile(r"[:.@]")


def esc(value) -> str:
    """HTML-escaped text, quotes included (safe in text and in quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def md(value) -> str:
    """A value shown literally inside Markdown (st.caption, st.warning, st.error, expander labels …)."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    # Streamlit also turns URL-like text into links after parsing (http://…, www.…, a@b.cn), escaped or not:
    # a zero-width space after : . @ breaks that and shows nothing.
    text = _LINKISH.sub(lambda m: m.group(0) + "\u200b", text)
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)


def script_json(value) -> str:
    """JSON for inside <script>…</script>: <, > and & as \\u escapes (still the same JSON value)."""
    text = json.dumps(value, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
