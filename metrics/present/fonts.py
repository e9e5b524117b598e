"""The bundled Chinese font (Noto Sans SC subset in static/fonts/) and its registration with vl-convert.

The UI and every chart export use one family, served or registered by the app itself, so a chart looks
the same in the browser, in a PNG/SVG/PDF export and on a server with no Chinese fonts installed.
Pure Python: no streamlit import. The files are made by tools/make_font_subset.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

from metrics.config import ROOT

FONT_DIR: Path = ROOT / "static" / "fonts"

# The family name inside the font files (name ID 1), and the @font-face family in .streamlit/config.toml.
FONT_FAMILY = "Noto Sans SC"

# For CSS and for Vega/Altair `config.font`. The generic fallback only matters for a character the
# subset lacks (it has ASCII, punctuation, all GB2312 and a few name characters such as 猇).
FONT_STACK = f'"{FONT_FAMILY}", sans-serif'

FONT_FILES: dict[str, Path] = {
    "regular": FONT_DIR / "NotoSansSC-Regular.ttf",
    "bold": FONT_DIR / "NotoSansSC-Bold.ttf",
}
WEBFONT_FILES: dict[str, Path] = {
    "regular": FONT_DIR / "NotoSansSC-Regular.woff2",
    "bold": FONT_DIR / "NotoSansSC-Bold.woff2",
}

_registered: set[Path] = set()
_lock = threading.Lock()


def register_vl_convert_fonts(font_dir: Path | str = FONT_DIR) -> bool:
    """Make the bundled font available to vl-convert; safe to call before every export.

    vl-convert keeps one process-wide font database, so registering a folder once is enough; a second
    registration would only add the same faces again. Returns True when this call did the registration.
    """
    path = Path(font_dir).resolve()
    with _lock:
        if path in _registered:
            return False
        if not any(path.glob("*.ttf")):
            raise FileNotFoundError(f"no .ttf font in {path}; run tools/make_font_subset.py")
        import vl_convert

        vl_convert.register_font_directory(str(path))  # wants an absolute path
        _registered.add(path)
        return True


def vega_font_config() -> dict[str, str]:
    """Altair/Vega-Lite `config` entries that put every text mark, title, axis and legend in the font."""
    return {"font": FONT_STACK}
