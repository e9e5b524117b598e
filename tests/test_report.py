"""The report sentences (hand-made rows) and the whole DOCX / PPTX built from the sample database."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from metrics.config import Target, load_config
from metrics.engine.compare import Change, Row
from metrics.engine.compute import Value
from metrics.engine.db import open_database
from metrics.engine.indicators import HEADLINE, INDICATORS
from metrics.present.format import format_value
from metrics.present.report import build_report, collect, progress_fraction, render_report
from metrics.present.sentences import indicator_sentence, overview_sentence
from tests.conftest import insert, make_config
from tests.test_cli import config_file
from tests.test_indicators import SCENARIO

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
PHASE = "组织实施阶段"


# ---- sentences ------------------------------------------------------------------------------------------------

def ch(delta, unit="百分点", verdict=None, uncertain=False) -> Change:
    if verdict is None and delta is not None:
        verdict = "same" if delta == 0 else "better" if delta > 0 else "worse"
    return Change(delta, unit, verdict, uncertain)


def row(key, value, vs_base, vs_year, status=None, small=False, provisional=False) -> Row:
    v = Value(key, value, None, None, provisional)
    return Row(key, "implement", v, Value(key, None, None, None), Value(key, None, None, None), vs_base, vs_year,
               status, small)


def say(r: Row, target: Target | None = None, **kw) -> str:
    return indicator_sentence(r, PHASE, target or Target(INDICATORS[r.key].direction), **kw)


def test_increase_reads_like_the_plan():
    r = row("recovery_rate", 0.523, ch(4.1), ch(3.2), status="met")
    assert say(r, Target("higher", 0.5)) == (
        "组织实施阶段执行到位率为52.3%，较基线期提高4.1个百分点，较上年同期提高3.2个百分点，达到目标（50%）。")


def test_decrease_and_missed_target():
    r = row("completion_rate", 0.352, ch(-3.0), ch(-1.3), status="missed")
    assert say(r, Target("higher", 0.4)) == (
        "组织实施阶段执行完毕率为35.2%，较基线期下降3个百分点，较上年同期下降1.3个百分点，"
        "未达到目标（40%），尚差4.8个百分点。")


def test_no_change():
    r = row("completion_rate", 0.40, ch(0.0), ch(0.02))
    assert say(r) == "组织实施阶段执行完毕率为40.0%，与基线期持平，与上年同期基本持平。"


def test_missing_value_and_missing_comparisons():
    assert say(row("recovery_rate", None, ch(None), ch(None))) == "组织实施阶段执行到位率暂无数据。"
    assert say(row("recovery_rate", 0.5, ch(None), ch(None))) == (
        "组织实施阶段执行到位率为50.0%，基线期与上年同期均无可比数据。")
    assert say(row("recovery_rate", 0.5, ch(1.5), ch(None))) == (
        "组织实施阶段执行到位率为50.0%，较基线期提高1.5个百分点，上年同期无可比数据。")


def test_lower_is_better_durations_and_backlog():
    r = row("cycle_days_median", 57.0, ch(-43.0, "天"), ch(5.5, "天"), status="met")
    assert say(r, Target("lower", 90)) == (
        "组织实施阶段执行用时中位数为57天，较基线期缩短43天，较上年同期延长5.5天，达到目标（不超过90天）。")
    r = row("pending_over_12m", 17, ch(-12, "件"), ch(3, "件"), status="missed")
    assert say(r, Target("lower", 0)) == (
        "组织实施阶段超12个月未结数为17件，较基线期减少12件，较上年同期增加3件，未达到目标（清零），尚超出17件。")
    r = row("zhongben_rate", 0.312, ch(-1.2), ch(0.5), status="missed")
    assert say(r, Target("lower", 0.3)) == (
        "组织实施阶段首执终本率为31.2%，较基线期下降1.2个百分点，较上年同期提高0.5个百分点，"
        "未达到目标（不超过30%），尚超出1.2个百分点。")


def test_flows_are_compared_per_month():
    r = row("filed_count", 635, ch(4.8, "件/月"), ch(-0.25, "件/月"))
    assert say(r) == "组织实施阶段新收案件数为635件，月均较基线期增加4.8件，月均较上年同期减少0.2件。"
    r = row("measure_fine_amount", 460000.0, ch(3.0, "万元/月"), ch(-0.5, "万元/月"))
    assert say(r) == "组织实施阶段罚款金额为46.00万元，月均较基线期增加3.00万元，月均较上年同期减少0.50万元。"


def test_provisional_value_says_so():
    r = row("voluntary_compliance_rate", 0.645, ch(6.2), ch(5.9), status="met", provisional=True)
    assert say(r, Target("higher", 0.6)) == (
        "组织实施阶段裁判自动履行率为64.5%（暂定值，观察期未满），较基线期提高6.2个百分点，"
        "较上年同期提高5.9个百分点，达到目标（60%）。")


def test_small_sample_and_noise():
    small = row("auction_deal_rate", 0.889, ch(30.8, uncertain=True), ch(13.9, uncertain=True), small=True)
    assert say(small) == ("组织实施阶段拍卖成交率为88.9%，较基线期提高30.8个百分点，较上年同期提高13.9个百分点。"
                          "样本较小，变化仅供参考。")
    one = row("completion_rate", 0.45, ch(7.6), ch(0.2, uncertain=True))
    assert say(one) == ("组织实施阶段执行完毕率为45.0%，较基线期提高7.6个百分点，"
                        "较上年同期提高0.2个百分点（差异可能源于随机波动，仅供参考）。")
    both = row("completion_rate", 0.45, ch(1.1, uncertain=True), ch(0.2, uncertain=True))
    assert say(both) == ("组织实施阶段执行完毕率为45.0%，较基线期提高1.1个百分点，较上年同期提高0.2个百分点。"
                         "上述变化可能源于随机波动，仅供参考。")


def test_intake_rate_is_compared_only_with_last_year():
    r = row("actual_closure_rate", 0.127, ch(-39.1), ch(3.5))
    assert say(r) == ("组织实施阶段实际执结率为12.7%，较上年同期提高3.5个百分点"
                      "（受理口径随阶段长短变化，只与上年同期比较）。")


def test_baseline_is_the_yardstick():
    r = row("recovery_rate", 0.451, ch(0.0), ch(None))
    sentence = indicator_sentence(r, "基线期", Target("higher", 0.5), baseline=True)
    assert sentence == "基线期执行到位率为45.1%，作为比较基准。"


def test_overview_counts_better_worse_and_targets():
    rows = [row("recovery_rate", 0.52, ch(4.0), ch(1.0), status="met"),
            row("completion_rate", 0.35, ch(-2.0), ch(1.0), status="missed"),
            row("cycle_days_median", 80.0, ch(-10.0, "天", "better"), ch(None, "天"), status="met"),
            row("actual_closure_rate", 0.2, ch(-30.0), ch(2.0)),
            row("zhongben_qualified_rate", None, ch(None), ch(None))]
    assert overview_sentence(PHASE, rows) == (
        "组织实施阶段5项核心指标中，向好3项、变差1项，1项暂无可比数据，设有目标且有数据的3项中2项达到目标。"
        "向好、变差均与基线期比较，实际执结率为受理口径，与上年同期比较。"
        "向好的有执行到位率、执行用时中位数、实际执结率。需关注的有执行完毕率。")
    assert overview_sentence(PHASE, rows, detail=False).endswith("与上年同期比较。")


# ---- the whole report from the sample database -------------------------------------------------------------

@pytest.fixture
def quick_charts(monkeypatch):
    """A blank PNG for every chart: rendering is tested by the fixtures below and in test_export."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (760, 320), "white").save(buf, "PNG")
    monkeypatch.setattr("metrics.present.report.render_chart", lambda spec, fmt: buf.getvalue())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    path = config_file(tmp, f"sqlite:///{tmp / 'sample.db'}")
    config = load_config(path, env={})
    engine = open_database(config)  # builds the sample database there on first use
    return config, engine, path, tmp


@pytest.fixture(scope="module")
def report_data(sample):
    config, engine, _, _ = sample
    return collect(engine, config)


@pytest.fixture(scope="module")
def docx_file(sample):
    config, engine, _, tmp = sample
    messages: list[str] = []
    out = build_report(engine, config, tmp / "报告.docx", progress=messages.append)
    return out, messages


@pytest.fixture(scope="module")
def pptx_file(sample):
    config, engine, _, tmp = sample
    return build_report(engine, config, tmp / "会议.pptx")


def content_types(path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("[Content_Types].xml").decode("utf-8")


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_docx_is_a_word_document_with_progress(docx_file):
    path, messages = docx_file
    assert zipfile.is_zipfile(path) and DOCX_TYPE in content_types(path)
    total = 2 * len(HEADLINE) + 2
    assert messages[0].startswith(f"[1/{total}] ") and messages[-1].startswith(f"[{total}/{total}] ")
    fractions = [progress_fraction(m) for m in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_docx_cover_footer_and_sample_marks(docx_file, report_data):
    doc = Document(str(docx_file[0]))
    cover = "\n".join(p.text for p in doc.paragraphs[:14])
    config = report_data.config
    assert config.court_name in cover and "总结报告（初稿）" in cover
    assert f"{report_data.as_of.year}年{report_data.as_of.month}月{report_data.as_of.day}日" in cover
    assert "数据来源：示例数据" in cover and "【示例数据：" in cover
    footer = doc.sections[0].footer
    assert "示例数据" in "".join(p.text for p in footer.paragraphs)
    assert 'w:instr="PAGE"' in footer._element.xml  # page numbers
    assert footer.paragraphs[0].text == "—  —"  # “— 2 —” once Word fills in the PAGE field between the dashes


def test_docx_is_a_gongwen_draft(docx_file):
    """公文 typography, 一、（一）1. numbering, Chinese dates, 交叉执行 and the narrative sections marked 待修改."""
    doc = Document(str(docx_file[0]))
    for style, font, size in (("Title", "方正小标宋简体", 22), ("Normal", "仿宋_GB2312", 16),
                              ("Heading 1", "黑体", 16), ("Heading 2", "楷体_GB2312", 16)):
        st = doc.styles[style]
        assert st.element.rPr.rFonts.get(qn("w:eastAsia")) == font, style
        assert st.element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None
        assert st.font.size == Pt(size), style
    with zipfile.ZipFile(docx_file[0]) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)  # the fallback is named
    assert re.search(r'<w:themeFontLang [^>]*w:eastAsia="zh-CN"', settings)
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1[:6] == ["一、基本情况", "二、主要做法", "三、取得成效", "四、交叉执行工作情况", "五、存在问题",
                      "六、下一步打算"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert h2[0] == "（一）加强组织领导，压实工作责任"
    body = "\n".join(p.text for p in doc.paragraphs[:80])
    assert "2025年3月1日至12月31日" in body and "2025-03-01" not in body  # Chinese dates in prose
    assert body.count("【待修改】") >= 5
    assert re.search(r"^1\.针对", body, re.M)  # 1. numbering in 下一步打算
    assert "承接交叉执行案件" in body and "交叉执行对方法院情况" in body
    assert "附件" in body  # the numbers annex is kept


def test_docx_content_matches_the_dashboard(docx_file, report_data):
    doc = Document(str(docx_file[0]))
    text = docx_text(doc)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for key in HEADLINE:
        assert any(INDICATORS[key].name.removesuffix("(天)") in h for h in headings), key
        for phase in report_data.begun:
            assert report_data.sentence(key, phase) in text
    assert len(doc.inline_shapes) == 2 * len(HEADLINE)  # a phase chart and a monthly chart per indicator
    for shape in doc.inline_shapes:
        assert shape.width > Emu(Inches(5.5))
    # 附表1: headline indicator × phase, the same formatted values the pages show.
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "目标")
    header = [c.text for c in table.rows[0].cells]
    assert header[0] == "指标" and [p.name for p in report_data.config.phases] == header[1:-1]
    first = table.rows[1].cells
    assert first[0].text == INDICATORS[HEADLINE[0]].name
    for i, p in enumerate(report_data.config.phases):
        assert first[i + 1].text.rstrip("*") == format_value(report_data.rows[HEADLINE[0], p.key].value)
    # Table 2 (first action phase): a 受理口径 rate is compared with last year only, as the sentences do.
    second = next(t for t in doc.tables if t.rows[0].cells[-1].text == "达标情况")
    by_name = {r.cells[0].text: [c.text for c in r.cells] for r in second.rows}
    assert by_name[INDICATORS["actual_closure_rate"].name][3] == "只比上年同期"
    assert by_name[INDICATORS["completion_rate"].name][3].endswith("百分点")
    # The 口径 appendix: every definition and the parameters.
    for ind in INDICATORS.values():
        assert ind.definition() in text, ind.key
    assert f"法定执行期限：{report_data.config.parameters.statutory_days}天" in text
    assert "、".join(report_data.config.parameters.transfer_reasons) in text


def test_pptx_is_a_16_9_deck_with_one_chart_per_slide(pptx_file, report_data):
    assert zipfile.is_zipfile(pptx_file) and PPTX_TYPE in content_types(pptx_file)
    prs = Presentation(str(pptx_file))
    assert abs(prs.slide_width / Inches(1) - 13.333) < 0.01 and abs(prs.slide_height / Inches(1) - 7.5) < 0.01
    slides = list(prs.slides)
    assert len(slides) == 2 + len(HEADLINE)
    title = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert report_data.config.court_name in title and "示例数据" in title
    for slide in slides:  # the sample mark on every slide, the East Asian font on every run (tables too)
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert any("示例数据" in t for t in texts)
        frames = [s.text_frame for s in slide.shapes if s.has_text_frame]
        frames += [c.text_frame for s in slide.shapes if s.has_table for r in s.table.rows for c in r.cells]
        for run in (r for f in frames for p in f.paragraphs for r in p.runs):
            assert run._r.rPr.find(qn("a:ea")).get("typeface") == "微软雅黑"
    assert any(s.has_table for s in slides[1].shapes)  # the overview slide
    for key, slide in zip(HEADLINE, slides[2:], strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1 and pictures[0].width >= Inches(10)  # sized to the room under the conclusion
        assert pictures[0].top + pictures[0].height <= prs.slide_height
        runs = [(r.font.size, r.text) for s in slide.shapes if s.has_text_frame
                for p in s.text_frame.paragraphs for r in p.runs]
        size, text = max(runs, key=lambda x: x[0] or 0)
        assert size >= Pt(32) and text == INDICATORS[key].name.removesuffix("(天)")
        # The conclusion at least 28 pt (F-17).
        assert any(t == report_data.sentence(key, report_data.focus) and s >= Pt(28) for s, t in runs)
    # 实际执结率 against 上年同期 only: the overview table says so instead of a change against the baseline.
    table = next(s for s in slides[1].shapes if s.has_table).table
    row = next(r for r in table.rows if r.cells[0].text == INDICATORS["actual_closure_rate"].name)
    assert row.cells[2].text == "只比上年同期"


def test_cli_report_prints_progress(sample, quick_charts, capsys):
    from metrics.__main__ import main

    _, _, path, tmp = sample
    assert main(["report", "--config", str(path), "--out", str(tmp / "cli.pptx")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\[1/\d+\] 计算", out, re.M) and re.search(r"^\[\d+/\d+\] 绘制幻灯片：执行到位率", out, re.M)
    assert f"已生成：{tmp / 'cli.pptx'}" in out
    assert zipfile.is_zipfile(tmp / "cli.pptx")


# ---- a real (non-sample) database, charts stubbed --------------------------------------------------------------

def test_real_data_is_not_marked_sample_and_missing_data_is_said(engine, quick_charts):
    insert(engine, "cases", SCENARIO)
    config = make_config()
    doc = Document(io.BytesIO(render_report(engine, config, "docx")))
    text = docx_text(doc) + "".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert "示例数据" not in text
    assert "一阶段裁判自动履行率暂无数据。" in text  # no judgments in this database
    assert "一阶段执行到位率为" in text
    prs = Presentation(io.BytesIO(render_report(engine, config, "pptx")))
    deck = " ".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "示例数据" not in deck and config.court_name in deck


def test_unknown_format_is_refused(engine):
    with pytest.raises(ValueError, match="docx 或 pptx"):
        render_report(engine, make_config(), "pdf")


# ---- the 报告导出 page ------------------------------------------------------------------------------------------

def test_export_page_generates_and_offers_the_download(sample, quick_charts, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    config, engine, _, _ = sample
    monkeypatch.setenv("DATABASE_URL", config.database_url)
    st.cache_data.clear()  # the app caches its config and database per process: start from, and leave, none
    st.cache_resource.clear()
    try:
        at = AppTest.from_file("../app.py", default_timeout=120)
        at.switch_page("pages/export.py")
        at.run()
        assert not at.exception
        assert not [b for b in at.get("download_button") if b.key == "download_pptx"]
        at.button(key="make_pptx").click().run()
        assert not at.exception and not at.error
        downloads = [b for b in at.get("download_button") if b.key == "download_pptx"]
        assert len(downloads) == 1 and "示例数据" in downloads[0].proto.label
        labels = [s.label for s in at.get("status")]
        assert labels and all("已生成" in label for label in labels)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_docx_carries_the_forecast_only_while_a_phase_runs(sample, docx_file, quick_charts):
    """预判 is in the draft for a phase still running (统计日 2025-10-31: 组织实施 ends 12-31), never after it ended."""
    from docx import Document

    config, engine, _, tmp = sample
    assert "阶段末预判" not in docx_text(Document(docx_file[0]))  # default 统计日 2026-10-31: every phase ended
    running = build_report(engine, config, tmp / "进行中.docx", as_of=dt.date(2025, 10, 31))
    text = docx_text(Document(running))
    assert "、阶段末预判" in text and "组织实施阶段截至2025年10月31日尚余61天" in text
    assert "可望达标" in text or "存在风险" in text or "难以达标" in text
    for name in ("超12个月未结数", "超12个月未结案件比", "裁判自动履行率", "事项委托按期反馈率"):
        assert name in text.split("阶段末预判", 1)[1], name
    assert "逐件按最近90天同案龄段" in text
