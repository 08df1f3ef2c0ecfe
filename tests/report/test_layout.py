"""Layout a leadership reader sees: titles broken where officials break them, tables that fit
the page (a statistics annex of every indicator on a landscape page, in a smaller font), table
cells off the body's line grid, and no source list on paper."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from campaignkit.report import (
    Annex,
    Report,
    Source,
    cell,
    count_cell,
    docx_bytes,
    fig,
    para,
    render_html,
    report,
    section,
    table,
)
from campaignkit.report.html import PRINT_CSS
from campaignkit.report.model import annex_layout, column_widths, title_lines

LONG_TITLE = "湖北省“人社惠民政策进万家”活动2024年度工作总结"


def wide_report() -> Report:
    head = ["序号", "地区", *(f"开展政策宣讲进企业活动{i}（场）" for i in range(18))]
    rows = [[str(n), cell(name, align="left"), *(count_cell(12345 * n) for _ in range(18))]
            for n, name in enumerate(("武汉市", "恩施土家族苗族自治州"), start=1)]
    stats = table("统计表", [head], rows)
    return report(LONG_TITLE, date="2024-12-31",
                  sections=[section("工作开展情况及成效", para("共", fig("12", "s1"), "场。"))],
                  annexes=[Annex("湖北省“人社惠民政策进万家”活动统计表", stats)],
                  sources=[Source("s1", "HB01", "武汉市", "wuhan.xlsx", "统计表", "C7")])


def test_a_long_title_breaks_after_the_activity_not_inside_a_word() -> None:
    assert title_lines(LONG_TITLE) == ["湖北省“人社惠民政策进万家”活动", "2024年度工作总结"]
    page = render_html(wide_report())
    assert '<h1 class="title">湖北省“人社惠民政策进万家”活动<br>2024年度工作总结</h1>' in page
    doc = Document(io.BytesIO(docx_bytes(wide_report())))
    title = next(p for p in doc.paragraphs if p.text.startswith("湖北省"))
    assert title.text == "湖北省“人社惠民政策进万家”活动\n2024年度工作总结"
    assert {r.font.size for r in title.runs} == {Pt(22)}


def test_a_statistics_annex_of_every_indicator_prints_landscape_in_a_small_font() -> None:
    r = wide_report()
    assert annex_layout(r.annexes[0].table) == (True, 8.0)
    page = render_html(r)
    assert '<section class="annex wide" id="annex-1" style="--ck-table-pt: 8pt">' in page
    assert "@page wide { size: A4 landscape;" in PRINT_CSS and "page: wide;" in PRINT_CSS
    doc = Document(io.BytesIO(docx_bytes(r)))
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    annex = doc.tables[-1]
    sizes = {run.font.size for row in annex.rows for c in row.cells for p in c.paragraphs
             for run in p.runs}
    assert sizes == {Pt(8)}
    margins = annex._tbl.tblPr.find(qn("w:tblCellMar"))
    assert margins is not None and margins.find(qn("w:left")).get(qn("w:w")) == "30"


def test_numbers_and_names_keep_their_width_when_columns_must_shrink() -> None:
    t = wide_report().annexes[0].table
    widths = column_widths(t, 86.0)  # a landscape page in 8 pt ems
    assert abs(sum(widths) - 86.0) < 1e-6
    assert widths[1] >= 5.0  # 恩施土家族苗族自治州: at least five characters a line
    assert min(widths[2:]) >= len("24,690") * 0.55 + 0.5  # 24,690 on one line, with padding


def test_table_cells_stay_off_the_body_line_grid() -> None:
    doc = Document(io.BytesIO(docx_bytes(wide_report())))
    for t in doc.tables:
        for row in t.rows:
            for c in row.cells:
                ppr = c.paragraphs[0]._p.pPr
                snap = ppr.find(qn("w:snapToGrid"))
                assert snap is not None and snap.get(qn("w:val")) == "0"


def test_on_paper_the_source_list_is_left_out_but_the_page_keeps_it() -> None:
    assert ".ck-report .chart-sources, .ck-report section.sources { display: none; }" in \
        PRINT_CSS.split("@media print")[1]
    page = render_html(wide_report())
    assert '<section class="sources" id="sources">' in page and 'href="#src-s1"' in page
