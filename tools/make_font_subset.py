"""Make the bundled Chinese UI/export font: a Noto Sans SC subset in static/fonts/.

Why a subset: the full Noto Sans CJK SC face has 65,535 glyphs (~16 MB per weight); the dashboard needs
ASCII, punctuation and the GB2312 hanzi plus a few names that GB2312 lacks (猇 in 宜昌市猇亭区人民法院).
The subset keeps the repository small and lets the app serve its own font, so the UI and the chart exports
look the same on a court PC and on a server with no Chinese fonts installed.

Source (SIL Open Font License 1.1): Noto Sans CJK 2.004 as packaged by Debian
(`fonts-noto-cjk`, file NotoSansCJK-Regular.ttc / NotoSansCJK-Bold.ttc, the "Noto Sans CJK SC" face).
Source Han Sans SC or Google's NotoSansSC-*.otf work the same way. Get it without installing it:

    cd /tmp && apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    python tools/make_font_subset.py /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc

Arguments are font files (.ttc/.otc collections, .otf or .ttf) or folders holding them; from a collection
the Simplified Chinese sans face is picked by name. Each source weight gives, in --out-dir:

    NotoSansSC-<Weight>.ttf    TrueType (glyf) outlines: vl-convert, ReportLab, matplotlib, python-docx
    NotoSansSC-<Weight>.woff2  the same font compressed for the browser (Streamlit theme.fontFaces)

The subset is renamed to the family "Noto Sans SC" (the name Google Fonts uses for this design), so CSS,
Vega/Altair and every export name one family. The OFL allows a Modified Version under a new name as long as
it does not use the Reserved Font Name 'Source' (see static/fonts/OFL.txt).
The output is deterministic for a given source: re-running the script gives byte-identical files.

Needs fontTools and brotli (`pip install fonttools brotli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FAMILY = "Noto Sans SC"
PS_FAMILY = "NotoSansSC"
WEIGHTS = {400: "Regular", 700: "Bold"}

# Characters the dashboard needs beyond GB2312. 猇 (宜昌市猇亭区人民法院) is the only one found in
# shared/SPEC.md, the seed plan text and config.yaml; 鄂 (Hubei, in case numbers like 鄂0505执…) is in
# GB2312 and listed only so the test and this list say it outright. The rest are characters outside
# GB2312 that are frequent in Chinese personal and company names: a party's name must not fall back to
# another font in the middle of a table row. Add more with --text-file.
EXTRA_HANZI = (
    "猇鄂"
    "堃喆玥昇珺赟犇旻晞暐瑄璟瑢祎垚燚彧頔珮玹镕沄洺姮嫚崟旸昉曌栢芃鹍翀翃玙瑀淏湉溦烜焜玏珅琤瑧祐禛"
    "竑絜翾衎贇頫飏琍珣璠禤翙镠韡烔燊爔玠璘甦畇皞盺禩纮翚虓谞迺郃锜闿雱霂頠颋颙飔骕鹓鹙婳嬿孖宬寀"
    "弢忞悆惇慜朏枏楙汭浛浥涴渼滉濬炟烺燏玓玘琯瑒瑱璆璱瓘瓛"
)

# Unicode blocks kept whole (only code points the source font really has end up in the subset).
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ¥ ° ± × ÷ ·
    (0x2000, 0x206F),  # general punctuation: — ‘’ “” … ‰ ※
    (0x20AC, 0x20AC),  # €
    (0x2100, 0x214F),  # letterlike: ℃ № ™
    (0x2150, 0x218F),  # number forms: Ⅰ–Ⅻ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # maths: ≤ ≥ ≠ ≈ ∞
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ⑴ ⒈
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes: ■ □ ▲ ▼ ● ○ ◆
    (0x2600, 0x26FF),  # miscellaneous symbols: ★ ☆ ☑
    (0x2713, 0x2718),  # ✓ ✔ ✕ ✖ ✗ ✘
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕
    (0x3200, 0x32FF),  # enclosed CJK: ㈠ ㊣
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and full-width forms: （）：；，！？ ￥
)


def gb2312_chars() -> list[str]:
    """Every character of GB2312: rows 1–9 (symbols, full-width forms) and 16–87 (6,763 hanzi)."""
    chars = []
    for row in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # unassigned cell (e.g. the end of row 55)
    return chars


def gb2312_hanzi() -> list[str]:
    return [c for c in gb2312_chars() if "\u4e00" <= c <= "\u9fff"]


def wanted_codepoints(extra_text: str = "") -> set[int]:
    cps = {cp for lo, hi in RANGES for cp in range(lo, hi + 1)}
    cps.update(ord(c) for c in gb2312_chars())
    cps.update(ord(c) for c in EXTRA_HANZI + extra_text if c.isprintable())
    return cps


def _is_sc_sans(font: TTFont) -> bool:
    family = font["name"].getDebugName(16) or font["name"].getDebugName(1) or ""
    return "Mono" not in family and (
        family.endswith(" SC") or family in ("Source Han Sans SC", "Noto Sans SC", "思源黑体")
    )


def open_source(path: Path) -> TTFont:
    """The Simplified Chinese sans face of a font file (picked by name from a .ttc/.otc collection)."""
    if path.suffix.lower() in (".ttc", ".otc"):
        count = len(TTCollection(str(path), lazy=True).fonts)
        for number in range(count):
            if _is_sc_sans(TTFont(str(path), fontNumber=number, lazy=True)):
                return TTFont(str(path), fontNumber=number, lazy=False, recalcTimestamp=False)
        raise SystemExit(f"{path}: no Simplified Chinese sans face in this collection")
    return TTFont(str(path), lazy=False, recalcTimestamp=False)


def subset_font(font: TTFont, codepoints: set[int]) -> None:
    options = subset.Options()
    options.name_IDs = ["*"]  # copyright (0), licence (13, 14) and the rest
    options.name_languages = ["*"]  # keep the zh-CN (2052) names too; they are renamed below
    # Horizontal Simplified Chinese only. The source's cmap already points at the SC glyph forms;
    # keeping 'locl' would pull in the Japanese, Korean and Traditional forms (≈ 6,000 more glyphs), and
    # the vertical and width-variant features add glyphs that horizontal UI text never shows.
    options.layout_features = ["ccmp", "calt", "liga", "kern", "mark", "palt", "halt"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.drop_tables += ["vhea", "vmtx", "VORG"]  # horizontal text only
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)


def rename(font: TTFont, weight_name: str) -> None:
    full = FAMILY if weight_name == "Regular" else f"{FAMILY} {weight_name}"
    ps = f"{PS_FAMILY}-{weight_name}"
    version = font["head"].fontRevision
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    for lang in (0x0409, 0x0804):  # en-US and zh-CN
        name.setName(FAMILY, 1, 3, 1, lang)
        name.setName(weight_name, 2, 3, 1, lang)
        name.setName(full, 4, 3, 1, lang)
    name.setName(f"{version:.3f};GOOG;{ps};subset", 3, 3, 1, 0x0409)
    name.setName(ps, 6, 3, 1, 0x0409)
    name.setName(name.getDebugName(5) + "; subset of Noto Sans CJK SC by tools/make_font_subset.py", 5, 3, 1, 0x0409)
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        cff.fontNames = [ps]
        top.FamilyName, top.FullName = FAMILY, full


def cff_to_glyf(font: TTFont, max_err: float = 1.0) -> None:
    """Replace the CFF outlines with quadratic TrueType ones (after fontTools' Snippets/otf2ttf.py).

    max_err is in font units (1/1000 em): at 1.0 the difference is below a pixel at any screen size.
    """
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for glyph_name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[glyph_name] = pen.glyph()

    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for glyph_name, glyph in glyf.glyphs.items():
        hmtx[glyph_name] = (hmtx[glyph_name][0], getattr(glyph, "xMin", 0))

    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID names like "cid12345" only add bytes
    font.sfntVersion = "\x00\x01\x00\x00"


def weight_of(font: TTFont) -> str:
    weight_class = font["OS/2"].usWeightClass
    if weight_class not in WEIGHTS:
        raise SystemExit(f"weight class {weight_class} is not one of {sorted(WEIGHTS)} (Regular/Bold)")
    return WEIGHTS[weight_class]


def make(source: Path, out_dir: Path, codepoints: set[int]) -> list[Path]:
    font = open_source(source)
    weight_name = weight_of(font)
    subset_font(font, codepoints)
    rename(font, weight_name)
    if "CFF " in font:
        cff_to_glyf(font)
    out_dir.mkdir(parents=True, exist_ok=True)
    ttf = out_dir / f"{PS_FAMILY}-{weight_name}.ttf"
    font.flavor = None
    font.save(str(ttf), reorderTables=True)
    woff2 = ttf.with_suffix(".woff2")
    web = TTFont(str(ttf), recalcTimestamp=False)  # keep the source dates: same input, same bytes
    web.flavor = "woff2"
    web.save(str(woff2))
    return [ttf, woff2]


def source_files(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in (".ttc", ".otc", ".otf", ".ttf")
                and any(w.lower() in p.stem.lower() for w in WEIGHTS.values())
                and "Sans" in p.name
                and "Mono" not in p.name
            )
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"{arg}: no such file or folder")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sources", nargs="+", help="extracted source font files or folders (Regular, Bold)")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "static" / "fonts",
        help="where to write the subset (default: static/fonts/ of this repository)",
    )
    parser.add_argument(
        "--text-file",
        action="append",
        default=[],
        type=Path,
        help="also keep every character of this UTF-8 text file (repeatable)",
    )
    args = parser.parse_args(argv)

    extra = "".join(p.read_text(encoding="utf-8") for p in args.text_file)
    codepoints = wanted_codepoints(extra)
    sources = source_files(args.sources)
    if not sources:
        raise SystemExit("no source font found")
    for source in sources:
        for out in make(source, args.out_dir, codepoints):
            cmap = TTFont(str(out)).getBestCmap()
            print(f"{out}: {out.stat().st_size / 1e6:.2f} MB, {len(cmap)} characters  (from {source.name})")
            needed = gb2312_hanzi() + [c for c in EXTRA_HANZI + extra if c.isprintable() and ord(c) > 0x7F]
            missing = "".join(sorted({c for c in needed if ord(c) not in cmap}))
            if missing:
                print(f"  not in the source font, left out: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
