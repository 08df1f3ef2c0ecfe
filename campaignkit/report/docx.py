"""Write a :class:`~.model.Report` as a Word file in the official layout (GB/T 9704-2012).

A4, margins 37/35/28/26 mm (top/bottom/left/right); title 22 pt 方正小标宋简体 centred; body
16 pt 仿宋_GB2312, first-line indent 32 pt, exact line spacing 28.95 pt; headings 一、 黑体,
（一） 楷体_GB2312, 1. and （1） 仿宋_GB2312; real Word tables (borders, header rows repeated);
charts as pictures; page numbers ``— 1 —`` 14 pt 宋体, odd pages right, even pages left; the
date right-indented four characters; each annex on a new page under 附件N in 黑体.

python-docx writes only ``w:ascii``/``w:hAnsi``; every run here also gets ``w:eastAsia`` and
``w:cs`` and loses the ``*Theme`` attributes, which would otherwise win over the names. A .docx
stores only font names: the reader's machine substitutes what it has.

>>> from .model import para, report, section
>>> data = docx_bytes(report("示例", date="2024-12-20", sections=[section("概况", para("正文"))]))
>>> data[:2]
b'PK'
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section as DocxSection
from docx.shared import Length, Mm, Pt, Twips
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from .model import (
    Block,
    Cell,
    Chart,
    Paragraph,
    Report,
    Table,
    annex_layout,
    column_widths,
    grid,
    numbered,
    text_width,
    title_lines,
)
from .numbers import annex_label, fmt_date

__all__ = ["BODY_FONT", "HEI_FONT", "KAI_FONT", "PAGE_FONT", "TITLE_FONT", "build_document",
           "docx_bytes", "set_run_font", "write_docx"]

TITLE_FONT: Final = "方正小标宋简体"
BODY_FONT: Final = "仿宋_GB2312"
HEI_FONT: Final = "黑体"
KAI_FONT: Final = "楷体_GB2312"
PAGE_FONT: Final = "宋体"

BODY_PT: Final = 16.0
TITLE_PT: Final = 22.0
TABLE_PT: Final = 12.0
PAGE_PT: Final = 14.0
LINE_PT: Final = 28.95
INDENT_PT: Final = 2 * BODY_PT
TEXT_WIDTH_MM: Final = 210 - 28 - 26
_HEADING_FONTS: Final = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}
_ALIGN: Final = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                 "right": WD_ALIGN_PARAGRAPH.RIGHT}
_THEME_ATTRS: Final = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# schema order (ECMA-376): a new child goes before the first of these that is present
_RPR_AFTER_FONTS: Final = ("w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
                           "w:color", "w:sz", "w:szCs", "w:u", "w:vertAlign", "w:lang",
                           "w:eastAsianLayout", "w:rPrChange")
_PPR_AFTER_OUTLINE: Final = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_PPR_AFTER_SNAP: Final = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                          "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                          "w:textboxTightWrap", "w:outlineLvl", *_PPR_AFTER_OUTLINE)
_TBLPR_AFTER_W: Final = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                         "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                         "w:tblDescription", "w:tblPrChange")
_TBLPR_AFTER_BORDERS: Final = _TBLPR_AFTER_W[4:]
_TRPR_AFTER: Final = {"w:cantSplit": ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc",
                                      "w:hidden", "w:ins", "w:del", "w:trPrChange"),
                      "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                                      "w:trPrChange")}


# ---------------------------------------------------------------------------------------
# Fonts and paragraphs
# ---------------------------------------------------------------------------------------
def _fonts(rpr: BaseOxmlElement, name: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert_element_before(rfonts, *_RPR_AFTER_FONTS)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)


def set_run_font(run: DocxRun, name: str, size_pt: float, *, bold: bool = False) -> DocxRun:
    """Set a run's font on every script (``w:eastAsia`` included, no theme fonts) and size."""
    run.font.size = Pt(size_pt)
    run.font.bold = True if bold else None
    _fonts(run._r.get_or_add_rPr(), name)
    return run


def _format(p: DocxParagraph, *, align: str = "justify", indent: float | None = INDENT_PT,
            line: float | None = LINE_PT, left: float = 0.0, right: float = 0.0,
            keep_next: bool = False) -> DocxParagraph:
    pf = p.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if align == "justify" else _ALIGN[align]
    pf.first_line_indent = Pt(indent) if indent else None
    pf.left_indent = Pt(left) if left else None
    pf.right_indent = Pt(right) if right else None
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = Pt(line)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.keep_with_next = keep_next or None
    pf.widow_control = True
    return p


def _text(p: DocxParagraph, text: str, font: str, size: float, *, bold: bool = False) -> None:
    set_run_font(p.add_run(text), font, size, bold=bold)


def _line(doc: DocumentObject | _Cell, text: str, font: str = BODY_FONT,
          size: float = BODY_PT, **fmt: object) -> DocxParagraph:
    p = _format(doc.add_paragraph(), **fmt)  # type: ignore[arg-type]
    if text:
        _text(p, text, font, size)
    return p


def _outline(p: DocxParagraph, level: int) -> None:
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), str(level - 1))
    p._p.get_or_add_pPr().insert_element_before(lvl, *_PPR_AFTER_OUTLINE)


# ---------------------------------------------------------------------------------------
# Page set-up, defaults and footers
# ---------------------------------------------------------------------------------------
def _page(section: DocxSection, *, landscape: bool = False) -> None:
    width, height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(23)
    grid_el = section._sectPr.find(qn("w:docGrid"))
    if grid_el is None:
        grid_el = OxmlElement("w:docGrid")
        section._sectPr.append(grid_el)
    grid_el.set(qn("w:type"), "lines")
    grid_el.set(qn("w:linePitch"), str(round(LINE_PT * 20)))


def _defaults(doc: DocumentObject) -> None:
    styles = doc.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        _fonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing, pf.line_spacing_rule = Pt(LINE_PT), WD_LINE_SPACING.EXACTLY


def _field(p: DocxParagraph, instr: str, shown: str) -> None:
    for kind in ("begin", None, "separate", "shown", "end"):
        run = set_run_font(p.add_run(), PAGE_FONT, PAGE_PT)
        if kind is None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)
        elif kind == "shown":
            run.text = shown
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)


def _footers(doc: DocumentObject, section: DocxSection) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        _format(p, align=align, indent=None, line=None,
                left=PAGE_PT if align == "left" else 0.0,
                right=PAGE_PT if align == "right" else 0.0)
        set_run_font(p.add_run("— "), PAGE_FONT, PAGE_PT)
        _field(p, " PAGE ", "1")
        set_run_font(p.add_run(" —"), PAGE_FONT, PAGE_PT)


# ---------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------
def _borders(t: DocxTable, total_twips: int) -> None:
    tblpr = t._tbl.tblPr
    tblpr.remove_all("w:tblW", "w:tblBorders")
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(total_twips))
    width.set(qn("w:type"), "dxa")
    tblpr.insert_element_before(width, *_TBLPR_AFTER_W)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                           ("w:color", "000000")):
            el.set(qn(key), value)
        borders.append(el)
    tblpr.insert_element_before(borders, *_TBLPR_AFTER_BORDERS)


def _cell_margins(t: DocxTable, side_twips: int) -> None:
    """Narrow the space inside cells (a dense annex: 1.5 pt a side instead of Word's 0.19 cm)."""
    mar = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 0), ("left", side_twips), ("bottom", 0), ("right", side_twips)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    t._tbl.tblPr.insert_element_before(mar, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                       "w:tblPrChange")


def _row_flag(row: _Row, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    trpr.insert_element_before(el, *_TRPR_AFTER[tag])


def _column_twips(t: Table, total: int, size: float = TABLE_PT) -> list[int]:
    """Share the text width among columns (:func:`~.model.column_widths`), in whole twips."""
    em = size * 20
    out = [int(w * em) for w in column_widths(t, total / em)]
    out[-1] += total - sum(out)
    return out


def _off_grid(p: DocxParagraph) -> DocxParagraph:
    """Keep a paragraph off the page's line grid (28.95 pt a line), which is for body text:
    a table cell or a caption snapped to it would take a body line for each of its lines."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().insert_element_before(snap, *_PPR_AFTER_SNAP)
    return p


def _fill(target: _Cell, c: Cell, *, header: bool, total: bool, size: float = TABLE_PT) -> None:
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    line = size * (1.5 if size >= TABLE_PT else 1.25)
    p = _off_grid(_format(target.paragraphs[0], align=c.align, indent=None, line=line))
    _text(p, c.text, HEI_FONT if header else BODY_FONT, size, bold=total)


def _table(doc: DocumentObject, t: Table, *, caption: bool = True,
           width_mm: float = TEXT_WIDTH_MM, size: float = TABLE_PT) -> DocxTable:
    if caption and t.caption:
        _line(doc, t.caption, HEI_FONT, BODY_PT, align="center", indent=None, keep_next=True)
    if t.note:
        _off_grid(_line(doc, t.note, BODY_FONT, TABLE_PT, align="right", indent=None,
                        line=None, keep_next=True))
    slots = grid(t)
    out: DocxTable = doc.add_table(rows=len(slots), cols=len(slots[0]))
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    total = int(width_mm / 25.4 * 1440)
    _borders(out, total)
    if size < TABLE_PT:
        _cell_margins(out, 30)
    widths = [Twips(w) for w in _column_twips(t, total, size)]
    for column, width in zip(out.columns, widths, strict=True):
        column.width = width
    # Each row's cells are read once, before any merge (one <w:tc> per grid slot);
    # python-docx's Table.cell(r, c) would rescan the whole table on every call.
    rows = list(out.rows)
    cells = [row.cells for row in rows]
    for line in cells:
        for target, width in zip(line, widths, strict=True):
            target.width = width
    n_header, n_body = len(t.header), len(t.body)
    for r, line in enumerate(slots):
        for slot in line:
            if slot is None:
                continue
            _, c, item = slot
            target = cells[r][c]
            if item.colspan > 1 or item.rowspan > 1:
                target = target.merge(cells[r + item.rowspan - 1][c + item.colspan - 1])
            _fill(target, item, header=r < n_header, total=r >= n_header + n_body, size=size)
        _row_flag(rows[r], "w:cantSplit")
        if r < n_header:
            _row_flag(rows[r], "w:tblHeader")
    return out


def _chart(doc: DocumentObject, c: Chart) -> None:
    p = _format(doc.add_paragraph(), align="center", indent=None, line=None, keep_next=True)
    run = p.add_run()
    set_run_font(run, BODY_FONT, BODY_PT)
    width: Length = Mm(min(c.width_mm, TEXT_WIDTH_MM))
    shape = run.add_picture(io.BytesIO(c.png), width=width)
    shape._inline.docPr.set("descr", c.alt)
    shape._inline.docPr.set("title", c.caption)
    _line(doc, c.caption, HEI_FONT, 14.0, align="center", indent=None)


def _paragraph(doc: DocumentObject, para: Paragraph) -> None:
    p = _format(doc.add_paragraph())
    for run in para.runs:  # a Figure's sources are listed in sources.json and the HTML page
        _text(p, run.text, BODY_FONT, BODY_PT)


def _block(doc: DocumentObject, b: Block) -> None:
    if isinstance(b, Paragraph):
        _paragraph(doc, b)
    elif isinstance(b, Table):
        _table(doc, b)
    else:
        _chart(doc, b)


def _title(doc: DocumentObject, text: str, *, line: float | None,
           keep_next: bool = False) -> None:
    """A 22 pt title, centred, broken where officials break it (:func:`~.model.title_lines`)."""
    p = _line(doc, "", align="center", indent=None, line=line, keep_next=keep_next)
    for i, part in enumerate(title_lines(text)):
        if i:
            set_run_font(p.add_run(), TITLE_FONT, TITLE_PT).add_break()
        set_run_font(p.add_run(part), TITLE_FONT, TITLE_PT)


def _signature(doc: DocumentObject, r: Report) -> None:
    if not (r.issuer or r.date):
        return
    _line(doc, "", keep_next=True)
    date_text = fmt_date(r.date) if r.date else ""
    if r.issuer:
        shift = (text_width(date_text) - text_width(r.issuer)) / 2 if date_text else 0.0
        right = max(0.0, 4 + shift) * BODY_PT
        _line(doc, r.issuer, align="right", indent=None, right=right, keep_next=bool(date_text))
    if date_text:
        _line(doc, date_text, align="right", indent=None, right=4 * BODY_PT)


def _annexes(doc: DocumentObject, r: Report) -> None:
    for i, a in enumerate(r.annexes, start=1):
        landscape, size = annex_layout(a.table)
        width = (297 if landscape else 210) - 28 - 26
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=landscape)
        _line(doc, annex_label(i, len(r.annexes)), HEI_FONT, align="left", indent=None)
        _title(doc, a.title, line=LINE_PT, keep_next=True)
        _line(doc, "", keep_next=True)
        _table(doc, a.table, caption=a.table.caption not in ("", a.title), width_mm=width,
               size=size)
        for note in a.notes:
            _line(doc, note, BODY_FONT, TABLE_PT, indent=2 * TABLE_PT, line=TABLE_PT * 1.5)


def build_document(r: Report) -> DocumentObject:
    """Lay the report out in a python-docx ``Document`` (not yet saved)."""
    doc = Document()
    _defaults(doc)
    first = doc.sections[0]
    _page(first)
    _footers(doc, first)
    doc.core_properties.title = r.title
    doc.core_properties.author = r.issuer or ""
    doc.core_properties.language = "zh-CN"
    if r.doc_number:
        _line(doc, r.doc_number, align="center", indent=None)
        _line(doc, "")
    _title(doc, r.title, line=LINE_PT * 1.2)
    _line(doc, "")
    if r.addressee:
        _line(doc, r.addressee, indent=None, align="left")
    for b in r.opening:
        _block(doc, b)
    for label, level, s in numbered(r.sections):
        p = _line(doc, label + s.heading, _HEADING_FONTS[level], keep_next=True)
        _outline(p, level)
        for b in s.blocks:
            _block(doc, b)
    if r.annexes:  # the annex note stays on the page of the signature (keep with next)
        _line(doc, "")
        many = len(r.annexes) > 1
        for i, a in enumerate(r.annexes, start=1):
            title = f"{i}．{a.title}" if many else a.title
            if i == 1:
                _line(doc, f"附件：{title}", align="left", keep_next=True)
            else:
                _line(doc, title, align="left", indent=None, left=5 * BODY_PT, keep_next=True)
    _signature(doc, r)
    _annexes(doc, r)
    return doc


def docx_bytes(r: Report) -> bytes:
    """Render the report as the bytes of a .docx file."""
    buf = io.BytesIO()
    build_document(r).save(buf)
    return buf.getvalue()


def write_docx(r: Report, path: str | Path) -> Path:
    """Write the report as a .docx file at ``path``."""
    out = Path(path)
    out.write_bytes(docx_bytes(r))
    return out
