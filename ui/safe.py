"""Escaping for every value from the database, the config or the URL that goes into st.html or Markdown.

esc(): HTML text and attribute values. md(): Markdown (st.caption, st.warning, st.info, st.markdown …), where a
value could otherwise become a link, an image or emphasis. script_json(): JSON inside a <script> element, where
`</script>` (or `<!--`) in a value would end the element.
"""

from __future__ import annotations

import html
import json
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


def esc(value) -> str:
    """HTML-escaped text, quotes included (safe in text and in quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def md(value) -> str:
    """A value shown literally inside Markdown: every Markdown and HTML character backslash-escaped."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def script_json(value) -> str:
    """JSON for inside <script>…</script>: <, > and & as \\u escapes (still the same JSON value)."""
    text = json.dumps(value, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
