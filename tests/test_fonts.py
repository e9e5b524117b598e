"""The bundled Noto Sans SC subset: files, coverage, Streamlit theme wiring, and vl-convert exports."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from metrics.present import fonts

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = "宜昌市猇亭区人民法院执行到位率示例数据"
# 猇 is not in GB2312 (it is in the court's name); 鄂 is the Hubei prefix of every case number.
MUST_HAVE = SAMPLE + "鄂" + "，。、：；！？（）《》“”‘’【】—…·％" + "0123456789%ABCabc."
ALL_FILES = list(fonts.FONT_FILES.values()) + list(fonts.WEBFONT_FILES.values())


def gb2312_hanzi() -> list[str]:
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


@pytest.fixture(scope="module", params=ALL_FILES, ids=lambda p: p.name)
def font(request) -> TTFont:
    if request.param.suffix == ".woff2":
        pytest.importorskip("brotli", reason="fontTools reads .woff2 only with brotli installed")
    return TTFont(str(request.param), lazy=True)


def test_files_exist_and_stay_small():
    for path in ALL_FILES + [fonts.FONT_DIR / "OFL.txt", fonts.FONT_DIR / "README.md"]:
        assert path.is_file(), path
    total = sum(p.stat().st_size for p in fonts.FONT_DIR.iterdir())
    assert total < 12_000_000, f"static/fonts/ is {total / 1e6:.1f} MB"
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts.FONT_DIR / "OFL.txt").read_text(encoding="utf-8")


def test_font_has_the_needed_characters(font):
    cmap = font.getBestCmap()
    missing = [c for c in MUST_HAVE if ord(c) not in cmap]
    assert not missing, f"no glyph for {''.join(missing)}"
    missing_gb = [c for c in gb2312_hanzi() if ord(c) not in cmap]
    assert len(gb2312_hanzi()) == 6763
    assert not missing_gb, f"{len(missing_gb)} GB2312 hanzi missing: {''.join(missing_gb[:20])}"


def test_font_names_and_weights(font):
    name = font["name"]
    assert name.getDebugName(1) == fonts.FONT_FAMILY
    bold = "Bold" in font.reader.file.name
    assert name.getDebugName(2) == ("Bold" if bold else "Regular")
    assert font["OS/2"].usWeightClass == (700 if bold else 400)
    assert font.sfntVersion == "\x00\x01\x00\x00"  # TrueType outlines, usable by vl-convert/ReportLab


def test_font_stack_names_the_family_first():
    assert fonts.FONT_STACK.startswith(f'"{fonts.FONT_FAMILY}"')
    assert fonts.FONT_STACK.rstrip().endswith("sans-serif")


def test_fonts_module_does_not_import_streamlit():
    tree = ast.parse(Path(fonts.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "streamlit" not in imported


def test_streamlit_theme_serves_the_bundled_font():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    theme = config["theme"]
    assert theme["font"].startswith(f'"{fonts.FONT_FAMILY}"')
    faces = theme["fontFaces"]
    assert {face["family"] for face in faces} == {fonts.FONT_FAMILY}
    assert {int(face["weight"]) for face in faces} == {400, 700}
    for face in faces:
        # Streamlit serves <main script folder>/static/ at app/static/ and declares format("woff2").
        assert face["url"].startswith("app/static/") and face["url"].endswith(".woff2")
        assert (ROOT / face["url"].removeprefix("app/")).is_file(), face["url"]


# --- vl-convert -----------------------------------------------------------------------------------


def chart_spec(font_stack: str) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "宜昌市猇亭区人民法院 执行到位率（示例数据）",
        "data": {"values": [{"阶段": "基线期", "执行到位率": 0.42}, {"阶段": "组织实施", "执行到位率": 0.52}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "阶段", "type": "nominal", "title": "阶段"},
            "y": {"field": "执行到位率", "type": "quantitative", "title": "执行到位率"},
        },
        "width": 160,
        "height": 80,
        "config": {"font": font_stack},
    }


@pytest.fixture(scope="module")
def vlc():
    vl_convert = pytest.importorskip("vl_convert")
    fonts.register_vl_convert_fonts()
    return vl_convert


def test_register_is_idempotent(vlc):
    assert fonts.register_vl_convert_fonts() is False
    assert fonts.register_vl_convert_fonts(str(fonts.FONT_DIR)) is False


def test_pdf_export_embeds_the_bundled_font(vlc):
    pdf = vlc.vegalite_to_pdf(chart_spec(fonts.FONT_STACK))
    assert pdf.startswith(b"%PDF-")
    embedded = {name.split(b"+")[-1] for name in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", pdf)}
    # Regular for axis text, Bold for the title; no system fallback (e.g. DroidSansFallback) is used.
    assert embedded == {b"NotoSansSC-Regular", b"NotoSansSC-Bold"}
    # The ToUnicode map ties a real glyph (not .notdef) to 猇 (U+7307): the character is drawn.
    assert re.search(rb"<[0-9A-F]{4}> <7307>", pdf)


def test_png_and_svg_exports_draw_the_chinese_text(vlc):
    png = vlc.vegalite_to_png(chart_spec(fonts.FONT_STACK), scale=2)
    assert png.startswith(b"\x89PNG")
    # With a family that exists nowhere vl-convert draws no text at all; ours must draw something.
    assert png != vlc.vegalite_to_png(chart_spec("NoSuchFont-ForTesting"), scale=2)
    svg = vlc.vegalite_to_svg(chart_spec(fonts.FONT_STACK))
    assert svg.lstrip().startswith("<svg") and "猇" in svg
    assert fonts.FONT_FAMILY in svg
