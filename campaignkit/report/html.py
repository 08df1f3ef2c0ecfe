"""Render a :class:`~.model.Report` as one standalone HTML5 page in the official layout.

Everything that comes from users (unit names, notes, evidence) is escaped with
:func:`html.escape`; images are embedded as ``data:`` URIs; nothing is fetched from a network
(no script, no stylesheet link). Print CSS sets A4 with the GB/T 9704 margins, page numbers
``— 1 —`` and a page break before each annex. Every figure that has sources links to its entry
in the 数据来源 section at the end, and :func:`sources_json` lists the same figures for a
``sources.json`` written beside the page.

>>> from .model import Source, fig, para, report, section
>>> r = report("示例<总结>", sections=[section("概况", para("共", fig("12", "s1"), "场"))],
...            sources=[Source("s1", "350100", "福州市", "f.xlsx", "统计表", "C7")])
>>> page = render_html(r)
>>> page.startswith("<!DOCTYPE html>"), "示例&lt;总结&gt;" in page, 'href="#src-s1"' in page
(True, True, True)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from html import escape
from pathlib import Path
from typing import Any, Final

from .model import (
    Block,
    Cell,
    Chart,
    Figure,
    Paragraph,
    Report,
    Source,
    Table,
    annex_layout,
    column_widths,
    figures,
    numbered,
    text_width,
    title_lines,
)
from .numbers import annex_label, fmt_date

__all__ = ["PRINT_CSS", "REPORT_CSS", "render_fragment", "render_html", "sources_json",
           "write_html"]

_BODY_FONTS: Final = ('"FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", '
                      '"Noto Serif CJK SC", serif')
_HEI_FONTS: Final = '"SimHei", "黑体", "Noto Sans CJK SC", sans-serif'
_KAI_FONTS: Final = ('"KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", '
                     '"Noto Serif CJK SC", serif')
_TITLE_FONTS: Final = ('"FZXiaoBiaoSong-B05S", "方正小标宋简体", "方正小标宋_GBK", "SimSun", '
                       '"宋体", "Noto Serif CJK SC", serif')

REPORT_CSS: Final = f"""
.ck-report {{ font-family: {_BODY_FONTS}; font-size: 16pt; line-height: 28.95pt; color: #000;
  max-width: 156mm; margin: 0 auto; }}
.ck-report p {{ margin: 0; text-indent: 2em; text-align: justify; }}
.ck-report .doc-number {{ text-align: center; text-indent: 0; margin-bottom: 14pt; }}
.ck-report h1.title {{ font-family: {_TITLE_FONTS}; font-size: 22pt; font-weight: normal;
  line-height: 1.45; text-align: center; margin: 0 0 28.95pt; }}
.ck-report .addressee {{ text-indent: 0; }}
.ck-report h2, .ck-report h3, .ck-report h4, .ck-report h5 {{ font-size: 16pt;
  font-weight: normal; line-height: 28.95pt; margin: 0; text-indent: 2em;
  break-after: avoid; page-break-after: avoid; }}
.ck-report .h1 {{ font-family: {_HEI_FONTS}; }}
.ck-report .h2 {{ font-family: {_KAI_FONTS}; }}
.ck-report .h3, .ck-report .h4 {{ font-family: {_BODY_FONTS}; }}
.ck-report a.src {{ color: inherit; text-decoration: none; border-bottom: 1px dotted #666; }}
.ck-report figure.chart {{ margin: 8pt 0; text-align: center; break-inside: avoid; }}
.ck-report figure.chart img {{ max-width: 100%; height: auto; }}
.ck-report figcaption, .ck-report .table-caption {{ font-family: {_HEI_FONTS};
  font-size: 14pt; line-height: 1.6; text-align: center; text-indent: 0; }}
.ck-report .table-caption, .ck-report .table-note {{ break-after: avoid;
  page-break-after: avoid; }}
.ck-report .table-note {{ font-size: 12pt; text-align: right; text-indent: 0; line-height: 1.6; }}
.ck-report table.data {{ border-collapse: collapse; margin: 4pt auto 12pt; width: 100%;
  table-layout: fixed;
  font-size: 12pt; line-height: 1.5; }}
.ck-report table.data th, .ck-report table.data td {{ border: 1px solid #000;
  padding: 2pt 4pt; vertical-align: middle; }}
.ck-report table.data th {{ font-family: {_HEI_FONTS}; font-weight: normal; text-align: center; }}
.ck-report table.data thead {{ display: table-header-group; }}
.ck-report table.data tr {{ break-inside: avoid; }}
.ck-report table.data .left {{ text-align: left; }}
.ck-report table.data .center {{ text-align: center; }}
.ck-report table.data .right {{ text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }}
.ck-report table.data .short {{ white-space: nowrap; }}
.ck-report table.data tr.total td {{ font-weight: bold; }}
.ck-report .annex-note {{ margin-top: 28.95pt; }}
.ck-report .annex-note.more {{ margin-top: 0; padding-left: 5em; text-indent: 0; }}
.ck-report .signature {{ width: fit-content; margin: 28.95pt 4em 0 auto; text-align: center;
  break-inside: avoid; break-before: avoid; page-break-inside: avoid; }}
.ck-report .signature p {{ text-indent: 0; text-align: center; }}
.ck-report section.annex {{ break-before: page; margin-top: 28.95pt; }}
.ck-report section.annex.wide table.data {{ font-size: var(--ck-table-pt, 8pt);
  line-height: 1.3; }}
.ck-report section.annex.wide table.data th, .ck-report section.annex.wide table.data td {{
  padding: 1pt 1.5pt; }}
.ck-report section.annex.wide table.data th {{ line-height: 1.15; }}
.ck-report .annex-label {{ font-family: {_HEI_FONTS}; text-indent: 0; }}
.ck-report .annex-title {{ font-family: {_TITLE_FONTS}; font-size: 22pt; font-weight: normal;
  text-align: center; text-indent: 0; line-height: 1.45; margin: 14pt 0; }}
.ck-report .annex-notes p {{ font-size: 12pt; line-height: 1.6; }}
.ck-report section.sources {{ margin-top: 28.95pt; font-size: 10.5pt; line-height: 1.6; }}
.ck-report section.sources h2 {{ font-family: {_HEI_FONTS}; text-indent: 0; }}
.ck-report section.sources li:target {{ background: #fff3bf; }}
"""
"""The report's look, every rule scoped under ``.ck-report`` (safe inside a notebook)."""

PRINT_CSS: Final = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-right { content: "— " counter(page) " —"; font-family: "SimSun", "宋体",
    "Noto Serif CJK SC", serif; font-size: 14pt; margin-right: 1em; vertical-align: top; } }
@page :left { @bottom-right { content: none; }
  @bottom-left { content: "— " counter(page) " —"; font-family: "SimSun", "宋体",
    "Noto Serif CJK SC", serif; font-size: 14pt; margin-left: 1em; vertical-align: top; } }
@page wide { size: A4 landscape; margin: 37mm 26mm 35mm 28mm; }
html, body { margin: 0; padding: 0; background: #fff; }
@media screen { body { padding: 24px 12px; }
  .ck-report section.annex.wide { width: 243mm; max-width: 96vw;
    margin-left: 50%; transform: translateX(-50%); } }
@media print {
  .ck-report { max-width: none; }
  .ck-report a.src { border-bottom: none; }
  .ck-report section.annex.wide { page: wide; }
  .ck-report .chart-sources, .ck-report section.sources { display: none; }
}
"""
"""Page rules for printing: A4, margins 37/35/28/26 mm, page numbers, annex page breaks; an annex
of more than eight columns on a landscape page (as in the Word file); on paper the 数据来源 list
and the chart source links are left out (the page on screen and ``sources.json`` keep them)."""


BODY_TABLE_EM: Final = 156 / 25.4 * 72 / 12  # the 156 mm text block in 12 pt table ems
SHORT_EM: Final = 3.6
"""A centred body cell this wide or narrower (限时, 已完成, 并列第12) is kept on one line."""


def _e(text: str) -> str:
    return escape(text, quote=True)


class _Writer:
    """Walk a report once, numbering figures in the order :func:`~.model.figures` yields."""

    def __init__(self, report: Report) -> None:
        self.sources: Mapping[str, Source] = report.source_map()
        self.count = 0

    def link(self, text: str, ids: tuple[str, ...]) -> str:
        if not ids:
            return _e(text)
        self.count += 1
        title = "；".join(self.sources[i].trail() for i in ids)
        return (f'<a class="src" id="fig-{self.count}" href="#src-{_e(ids[0])}" '
                f'title="{_e(title)}" data-sources="{_e(" ".join(ids))}">{_e(text)}</a>')

    def paragraph(self, p: Paragraph) -> str:
        runs = (self.link(r.text, r.sources) if isinstance(r, Figure) else _e(r.text)
                for r in p.runs)
        return f"<p>{''.join(runs)}</p>"

    def cell(self, c: Cell, tag: str) -> str:
        spans = (f' colspan="{c.colspan}"' if c.colspan > 1 else "") + (
            f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "")
        short = (tag == "td" and c.align == "center" and c.colspan == 1
                 and 0 < text_width(c.text, ascii_em=0.55) <= SHORT_EM)
        align = f"{c.align} short" if short else c.align  # 限时, 已完成, 并列第2: never broken
        return f'<{tag} class="{align}"{spans}>{self.link(c.text, c.sources)}</{tag}>'

    def table(self, t: Table, *, caption: bool = True, width_em: float = BODY_TABLE_EM) -> str:
        """A table whose columns are sized as in the Word file (:func:`~.model.column_widths`
        over ``width_em`` ems of the table's font, a fixed layout)."""
        out = []
        if caption and t.caption:
            out.append(f'<p class="table-caption">{_e(t.caption)}</p>')
        if t.note:
            out.append(f'<p class="table-note">{_e(t.note)}</p>')
        out.append('<table class="data">')
        if t.rows:
            widths = column_widths(t, width_em)
            total = sum(widths)
            out.append("<colgroup>" + "".join(f'<col style="width: {w / total * 100:.2f}%">'
                                              for w in widths) + "</colgroup>")
        if t.header:
            out.append("<thead>")
            out.extend("<tr>" + "".join(self.cell(c, "th") for c in row) + "</tr>"
                       for row in t.header)
            out.append("</thead>")
        out.append("<tbody>")
        out.extend("<tr>" + "".join(self.cell(c, "td") for c in row) + "</tr>" for row in t.body)
        if t.total:
            out.append('<tr class="total">' + "".join(self.cell(c, "td") for c in t.total)
                       + "</tr>")
        out.append("</tbody></table>")
        return "\n".join(out)

    def chart(self, c: Chart) -> str:
        data = base64.b64encode(c.png).decode("ascii")
        caption = _e(c.caption)
        if c.sources:
            link = self.link("〔来源〕", c.sources)
            caption += f' <span class="chart-sources">{link}</span>'
        return (f'<figure class="chart"><img src="data:image/png;base64,{data}" '
                f'alt="{_e(c.alt)}" style="width: {c.width_mm:g}mm">'
                f"<figcaption>{caption}</figcaption></figure>")

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            return self.paragraph(b)
        if isinstance(b, Table):
            return self.table(b)
        return self.chart(b)


def _body(report: Report) -> Iterator[str]:
    w = _Writer(report)
    yield '<article class="ck-report">'
    if report.doc_number:
        yield f'<p class="doc-number">{_e(report.doc_number)}</p>'
    yield f'<h1 class="title">{"<br>".join(_e(t) for t in title_lines(report.title))}</h1>'
    if report.addressee:
        yield f'<p class="addressee">{_e(report.addressee)}</p>'
    yield from (w.block(b) for b in report.opening)
    depth_open = 0
    for label, level, s in numbered(report.sections):
        while depth_open >= level:
            yield "</section>"
            depth_open -= 1
        yield f'<section class="level{level}">'
        depth_open = level
        yield f'<h{level + 1} class="h{level}">{_e(label + s.heading)}</h{level + 1}>'
        yield from (w.block(b) for b in s.blocks)
    yield "</section>" * depth_open
    for i, a in enumerate(report.annexes, start=1):
        head = "附件：" if i == 1 else ""
        more = "" if i == 1 else " more"
        numbered_title = f"{i}．{a.title}" if len(report.annexes) > 1 else a.title
        yield f'<p class="annex-note{more}">{head}{_e(numbered_title)}</p>'
    if report.issuer or report.date:
        yield '<div class="signature">'
        if report.issuer:
            yield f'<p class="issuer">{_e(report.issuer)}</p>'
        if report.date:
            yield f'<p class="date">{_e(fmt_date(report.date))}</p>'
        yield "</div>"
    for i, a in enumerate(report.annexes, start=1):
        wide, size = annex_layout(a.table)
        style = f' style="--ck-table-pt: {size:g}pt"' if wide else ""
        yield f'<section class="annex{" wide" if wide else ""}" id="annex-{i}"{style}>'
        yield f'<p class="annex-label">{annex_label(i, len(report.annexes))}</p>'
        yield f'<h2 class="annex-title">{"<br>".join(_e(t) for t in title_lines(a.title))}</h2>'
        yield w.table(a.table, caption=a.table.caption not in ("", a.title),
                      width_em=(297 - 28 - 26) / 25.4 * 72 / size if wide else BODY_TABLE_EM)
        if a.notes:
            yield '<div class="annex-notes">' + "".join(f"<p>{_e(n)}</p>" for n in a.notes)
            yield "</div>"
        yield "</section>"
    if report.sources:
        yield from _sources(report)
    yield "</article>"


def _sources(report: Report) -> Iterator[str]:
    yield '<section class="sources" id="sources"><h2>数据来源</h2><ol>'
    for s in report.sources:
        parts = [f"{s.unit_name}（{s.unit_code}）", s.file, s.sheet, s.cell]
        place = " › ".join(_e(p) for p in parts if p)
        extra = []
        if s.received_on:
            extra.append(f"{fmt_date(s.received_on)}收到")
        if s.round:
            extra.append(f"轮次 {s.round}")
        if s.indicator:
            extra.append(f"指标 {s.indicator}")
        if s.raw is not None:
            extra.append(f"原文“{s.raw}”")
        tail = "；".join(_e(x) for x in extra)
        yield f'<li id="src-{_e(s.id)}">{place}{"；" + tail if tail else ""}</li>'
    yield "</ol></section>"


def render_fragment(report: Report, *, css: bool = True) -> str:
    """Render the report's body only (with its scoped CSS), for display inside a notebook."""
    style = f"<style>{REPORT_CSS}</style>\n" if css else ""
    return style + "\n".join(_body(report))


def render_html(report: Report) -> str:
    """Render the report as a complete standalone HTML5 document (lang="zh-CN")."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report.title)}</title>",
        f"<style>{REPORT_CSS}{PRINT_CSS}</style>",
        "</head>",
        "<body>",
        render_fragment(report, css=False),
        "</body>",
        "</html>",
        "",
    ])


def sources_json(report: Report) -> dict[str, Any]:
    """List every figure with its sources, as in the ``sources.json`` beside a report.

    Figure ids (``fig-1`` …) are the anchors of the same figures in :func:`render_html`.
    """
    items = [{"id": f"fig-{n}", "place": place, "text": text, "sources": list(ids)}
             for n, (place, text, ids) in enumerate(figures(report), start=1)]
    return {"title": report.title,
            "date": report.date.isoformat() if report.date else None,
            "figures": items,
            "sources": {s.id: s.as_json() for s in report.sources}}


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report's HTML page to ``path`` and its ``sources.json`` beside it."""
    out = Path(path)
    out.write_text(render_html(report), encoding="utf-8")
    doc = json.dumps(sources_json(report), ensure_ascii=False, indent=2)
    out.with_name("sources.json").write_text(doc + "\n", encoding="utf-8")
    return out
