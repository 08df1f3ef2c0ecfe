"""The Word file, read back with python-docx: official page, fonts on every run, real tables."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from campaignkit.report import Report, docx_bytes, to_pdf, write_docx

from .conftest import FORMULA_UNIT, ISSUER, SCRIPT_UNIT, TITLE

THEMES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@pytest.fixture(scope="module")
def path(example: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docx(example, tmp_path_factory.mktemp("docx") / "report.docx")


@pytest.fixture(scope="module")
def doc(path: Path):  # type: ignore[no-untyped-def]
    return Document(str(path))


def paragraph(doc, text: str):  # type: ignore[no-untyped-def]
    return next(p for p in doc.paragraphs if p.text == text)


def east_asia(run) -> str | None:  # type: ignore[no-untyped-def]
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def test_a4_page_with_official_margins(doc) -> None:  # type: ignore[no-untyped-def]
    first = doc.sections[0]
    assert first.page_width.mm == pytest.approx(210, abs=0.1)
    assert first.page_height.mm == pytest.approx(297, abs=0.1)
    assert first.top_margin.mm == pytest.approx(37, abs=0.1)
    assert first.bottom_margin.mm == pytest.approx(35, abs=0.1)
    assert first.left_margin.mm == pytest.approx(28, abs=0.1)
    assert first.right_margin.mm == pytest.approx(26, abs=0.1)
    grid = first._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_title_is_22pt_xiaobiaosong_centred(doc) -> None:  # type: ignore[no-untyped-def]
    title = paragraph(doc, TITLE)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [r.font.size for r in title.runs] == [Pt(22)]
    assert east_asia(title.runs[0]) == "方正小标宋简体"
    assert doc.core_properties.title == TITLE


def test_body_is_16pt_fangsong_indented_with_exact_spacing(doc) -> None:  # type: ignore[no-untyped-def]
    body = paragraph(doc, "全年全省共开展活动1,246场，其中武汉市1,200场。")
    assert all(r.font.size == Pt(16) for r in body.runs)
    assert {east_asia(r) for r in body.runs} == {"仿宋_GB2312"}
    pf = body.paragraph_format
    assert pf.first_line_indent == Pt(32)
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert pf.line_spacing.pt == pytest.approx(28.95, abs=0.01)
    assert pf.space_after == 0


def test_headings_use_hei_and_kai(doc) -> None:  # type: ignore[no-untyped-def]
    h1 = paragraph(doc, "一、工作开展情况及成效")
    h2 = paragraph(doc, "（一）政策宣讲")
    assert east_asia(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    assert east_asia(h2.runs[0]) == "楷体_GB2312"
    assert h1.paragraph_format.keep_with_next
    assert paragraph(doc, "三、下一年工作打算") is not None


def _all_runs(doc):  # type: ignore[no-untyped-def]
    parts = [doc.element.body]
    for s in doc.sections:
        parts += [s.footer._element, s.even_page_footer._element]
    for part in parts:
        yield from part.iter(qn("w:r"))


def test_every_run_names_an_east_asian_font_and_no_theme_font(doc) -> None:  # type: ignore[no-untyped-def]
    runs = list(_all_runs(doc))
    assert len(runs) > 80
    for r in runs:
        rfonts = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        assert rfonts is not None, r.xml
        assert rfonts.get(qn("w:eastAsia")), r.xml
        assert rfonts.get(qn("w:ascii")) == rfonts.get(qn("w:eastAsia"))
        assert not [a for a in THEMES if rfonts.get(qn(a)) is not None]
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert not [a for a in THEMES if defaults.get(qn(a)) is not None]


def test_real_tables_with_borders_repeated_headers_and_totals(doc) -> None:  # type: ignore[no-untyped-def]
    assert len(doc.tables) == 3
    t = doc.tables[0]
    assert len(t.rows) == 7 and len(t.columns) == 6
    assert t.cell(0, 2).text == "活动场次" and t.cell(1, 2).text == "计划"
    assert t.cell(0, 0).text == t.cell(1, 0).text == "序号"  # merged down
    assert t.cell(6, 0).text == t.cell(6, 1).text == "全省合计"  # merged across
    assert t.cell(4, 1).text == SCRIPT_UNIT and t.cell(5, 1).text == FORMULA_UNIT
    assert t.cell(5, 3).text == "—"
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"single"} and len(borders) == 6
    for i, row in enumerate(t.rows):
        header = row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
        assert header == (i < 2)
    sizes = {r.font.size for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs}
    assert sizes == {Pt(12)}
    cols = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert sum(cols) == 8844  # the 156 mm text block, in twips
    assert min(cols[2], cols[3]) >= 4.2 * 240  # "1,200" at 12 pt never wraps
    assert cols[1] == max(cols)  # the room left goes to the names
    total = t.rows[6].cells[3].paragraphs[0].runs[0]
    assert total.font.bold and total.text == "1,246"
    assert t.rows[2].cells[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_chart_is_a_picture_with_alt_text(doc, example: Report) -> None:  # type: ignore[no-untyped-def]
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert shape.width.mm == pytest.approx(150, abs=0.5)
    descr = shape._inline.docPr.get("descr")
    chart = example.sections[0].subsections[0].blocks[1]
    assert descr == chart.alt and "武汉市 1,200场" in descr  # type: ignore[union-attr]


def test_page_numbers_between_em_dashes_odd_right_even_left(doc) -> None:  # type: ignore[no-untyped-def]
    assert doc.settings.odd_and_even_pages_header_footer
    odd = doc.sections[0].footer.paragraphs[0]
    even = doc.sections[0].even_page_footer.paragraphs[0]
    for p, align in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        assert p.alignment == align
        assert re.fullmatch(r"— 1 —", p.text)
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert {r.font.size for r in p.runs} == {Pt(14)}
        assert [f.get(qn("w:fldCharType")) for f in p._p.iter(qn("w:fldChar"))] == [
            "begin", "separate", "end"]


def test_signature_and_date_line(doc) -> None:  # type: ignore[no-untyped-def]
    date_line = paragraph(doc, "2024年12月20日")
    assert date_line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date_line.paragraph_format.right_indent == Pt(64)
    issuer = paragraph(doc, ISSUER)
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(ISSUER) + 1 == texts.index("2024年12月20日")
    assert "附件：1．各市州活动开展情况统计表" in texts and "2．单位备注" in texts
    assert texts.index("2．单位备注") < texts.index(ISSUER)


def test_annexes_start_on_new_pages_under_fujian_in_hei(doc) -> None:  # type: ignore[no-untyped-def]
    assert len(doc.sections) == 3
    assert all(s.start_type == WD_SECTION.NEW_PAGE for s in doc.sections[1:])
    assert all(s.orientation == WD_ORIENT.PORTRAIT for s in doc.sections)
    assert all(s.top_margin.mm == pytest.approx(37, abs=0.1) for s in doc.sections)
    label = paragraph(doc, "附件1")
    assert east_asia(label.runs[0]) == "黑体" and label.paragraph_format.first_line_indent is None
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("附件1") < texts.index("附件2")
    # the first annex paragraph is the first of the second section
    body = list(doc.element.body)
    first_break = next(i for i, el in enumerate(body)
                       if el.find(".//" + qn("w:sectPr")) is not None)
    assert "附件1" in "".join(t.text or "" for t in body[first_break + 1].iter(qn("w:t")))


def test_bytes_and_file_agree(example: Report, tmp_path: Path) -> None:
    data = docx_bytes(example)
    assert data[:2] == b"PK"
    out = write_docx(example, tmp_path / "x.docx")
    assert Document(str(out)).paragraphs[0].text == TITLE


def test_libreoffice_converts_it_to_pdf(path: Path, tmp_path: Path) -> None:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required on CI")
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf = to_pdf(path, tmp_path / "report.pdf", engine="soffice")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 3  # body, then each annex on a page of its own
