"""Describe a report as pure, frozen values that every renderer (HTML, Word, Excel) reads.

A :class:`Report` has a title, an optional issuer and document number (never invented: ``None``
when the notice has none), a date, an opening, numbered :class:`Section` s, :class:`Annex` es and
a registry of :class:`Source` s. Blocks are :class:`Paragraph` (runs of :class:`Text` and
:class:`Figure`), :class:`Table` and :class:`Chart`. Headings are numbered by the renderers from
their position (一、 （一） 1. （1）), never typed by the caller. Builders return new values.

>>> r = report("湖北省人社惠民政策进万家活动年度工作总结", date="2024-12-20",
...            sections=[section("工作开展情况及成效",
...                              para("全省开展活动", fig("1,234", "s1"), "场。"))],
...            sources=[Source("s1", "420100", "武汉市", "wuhan.xlsx", "统计表", "C7")])
>>> [(label, s.heading) for label, _, s in numbered(r.sections)]
[('一、', '工作开展情况及成效')]
>>> plain_text(r.sections[0].blocks[0])
'全省开展活动1,234场。'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final, Literal, TypeAlias

from .numbers import MISSING, fmt_count, fmt_rate, heading_label

__all__ = [
    "Align",
    "Annex",
    "Block",
    "Cell",
    "Chart",
    "Figure",
    "NumberKind",
    "Paragraph",
    "Report",
    "Run",
    "Section",
    "Source",
    "Table",
    "Text",
    "add_section",
    "add_sources",
    "annex_layout",
    "cell",
    "column_widths",
    "count_cell",
    "fig",
    "figures",
    "grid",
    "numbered",
    "para",
    "plain_text",
    "rate_cell",
    "report",
    "section",
    "table",
    "text_width",
    "title_lines",
    "with_annex",
]

Align = Literal["left", "center", "right"]
NumberKind = Literal["count", "rate", "number"]
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]*\Z")
MAX_DEPTH = 4


@dataclass(frozen=True)
class Source:
    """Where one figure came from: the unit, file, sheet, cell, received date, round, raw text."""

    id: str
    unit_code: str
    unit_name: str
    file: str
    sheet: str | None = None
    cell: str | None = None
    received_on: date | None = None
    round: str | None = None
    indicator: str | None = None
    raw: str | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"source id {self.id!r}: use letters, digits and _ . : / - only")

    def trail(self) -> str:
        """Write the place as a breadcrumb: 福州市 › 统计表 › C7 › 2022-01-18.

        >>> Source("a", "350100", "福州市", "f.xlsx", "统计表", "C7", date(2022, 1, 18)).trail()
        '福州市 › 统计表 › C7 › 2022-01-18'
        """
        parts = [self.unit_name, self.sheet or self.file, self.cell,
                 self.received_on.isoformat() if self.received_on else None]
        return " › ".join(p for p in parts if p)

    def as_json(self) -> dict[str, str | None]:
        """Return the source as a JSON object (dates as ISO strings, missing as null)."""
        return {"id": self.id, "unit": self.unit_code, "unit_name": self.unit_name,
                "file": self.file, "sheet": self.sheet, "cell": self.cell,
                "received_on": self.received_on.isoformat() if self.received_on else None,
                "round": self.round, "indicator": self.indicator, "raw": self.raw}


@dataclass(frozen=True)
class Text:
    """A run of plain text."""

    text: str


@dataclass(frozen=True)
class Figure:
    """A run showing a figure (already formatted) and the ids of the sources behind it."""

    text: str
    sources: tuple[str, ...] = ()


Run: TypeAlias = Text | Figure


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: a sequence of runs."""

    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Cell:
    """A table cell: display text, optional number behind it, sources, alignment and spans."""

    text: str
    sources: tuple[str, ...] = ()
    align: Align = "center"
    value: float | None = None
    kind: NumberKind | None = None
    colspan: int = 1
    rowspan: int = 1

    def __post_init__(self) -> None:
        if self.colspan < 1 or self.rowspan < 1:
            raise ValueError(f"cell {self.text!r}: spans must be at least 1")


@dataclass(frozen=True)
class Table:
    """A table: caption, one or two header rows (with spans), body rows, an optional total row."""

    caption: str
    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        grid(self)  # raises when the rows do not form a rectangle

    @property
    def columns(self) -> int:
        """Count the table's columns."""
        return len(grid(self)[0]) if self.rows else 0

    @property
    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        """Return every row: header, body, then the total row."""
        return self.header + self.body + ((self.total,) if self.total else ())


@dataclass(frozen=True)
class Chart:
    """A chart already drawn: PNG bytes, optional SVG text, caption, alt text and sources."""

    png: bytes
    caption: str
    alt: str
    svg: str | None = None
    sources: tuple[str, ...] = ()
    width_mm: float = 150.0


Block: TypeAlias = Paragraph | Table | Chart


@dataclass(frozen=True)
class Section:
    """A numbered section: heading text, blocks, then subsections (one level deeper)."""

    heading: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Annex:
    """An attachment (附件N, numbered by position): a title, a table and notes under it."""

    title: str
    table: Table
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole report: title, issuer, document number, date, opening, sections, annexes, sources."""

    title: str
    date: date | None = None
    issuer: str | None = None
    doc_number: str | None = None
    addressee: str | None = None
    opening: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    annexes: tuple[Annex, ...] = ()
    sources: tuple[Source, ...] = field(default=())

    def __post_init__(self) -> None:
        ids = [s.id for s in self.sources]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"source ids used twice: {', '.join(dupes)}")
        known = set(ids)
        for place, ref in _references(self):
            if ref not in known:
                raise ValueError(f"{place}: unknown source id {ref!r}")
        for _, depth, _s in numbered(self.sections):
            if depth > MAX_DEPTH:
                raise ValueError(f"sections nest at most {MAX_DEPTH} levels deep")

    def source_map(self) -> dict[str, Source]:
        """Map each source id to its source."""
        return {s.id: s for s in self.sources}


# ---------------------------------------------------------------------------------------
# Walking the model
# ---------------------------------------------------------------------------------------
def numbered(sections: Sequence[Section], depth: int = 1) -> Iterator[tuple[str, int, Section]]:
    """Yield (label, level, section) in reading order, numbering 一、 （一） 1. （1） by position.

    >>> tree = (section("甲", subsections=[section("乙"), section("丙")]), section("丁"))
    >>> [(label, level) for label, level, _ in numbered(tree)]
    [('一、', 1), ('（一）', 2), ('（二）', 2), ('二、', 1)]
    """
    for i, s in enumerate(sections, start=1):
        yield (heading_label(depth, i) if depth <= MAX_DEPTH else ""), depth, s
        yield from numbered(s.subsections, depth + 1)


def plain_text(block: Paragraph) -> str:
    """Join a paragraph's runs into its text."""
    return "".join(r.text for r in block.runs)


def _blocks(r: Report) -> Iterator[tuple[str, Block]]:
    for b in r.opening:
        yield "opening", b
    for label, _, s in numbered(r.sections):
        for b in s.blocks:
            yield f"{label}{s.heading}", b
    for i, a in enumerate(r.annexes, start=1):
        yield f"附件{i}", a.table


def figures(r: Report) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Yield (place, shown text, source ids) for every figure, cell and chart with sources.

    >>> r = report("t", sections=[section("s", para("共", fig("3", "a"), "场"))],
    ...            sources=[Source("a", "1", "甲", "f.xlsx")])
    >>> list(figures(r))
    [('一、s', '3', ('a',))]
    """
    for place, b in _blocks(r):
        if isinstance(b, Paragraph):
            for run in b.runs:
                if isinstance(run, Figure) and run.sources:
                    yield place, run.text, run.sources
        elif isinstance(b, Table):
            for row in b.rows:
                for c in row:
                    if c.sources:
                        yield place, c.text, c.sources
        elif b.sources:
            yield place, b.caption, b.sources


def _references(r: Report) -> Iterator[tuple[str, str]]:
    for place, _text, ids in figures(r):
        for i in ids:
            yield place, i


def grid(t: Table) -> list[list[tuple[int, int, Cell] | None]]:
    """Place every cell on the table's grid; a slot covered by a span holds None.

    Spans are read as in HTML: each row lists only the cells that start in it.

    >>> t = table("t", [[cell("地区", rowspan=2), cell("活动", colspan=2)],
    ...                 [cell("计划"), cell("实际")]], [["甲", "1", "2"]])
    >>> [[None if s is None else s[2].text for s in row] for row in grid(t)]
    [['地区', '活动', None], [None, '计划', '实际'], ['甲', '1', '2']]
    """
    rows = t.header + t.body + ((t.total,) if t.total else ())
    taken: dict[tuple[int, int], bool] = {}
    out: list[list[tuple[int, int, Cell] | None]] = []
    width = None
    for r, row in enumerate(rows):
        line: list[tuple[int, int, Cell] | None] = []
        c = 0
        for item in row:
            while taken.get((r, c)):
                line.append(None)
                c += 1
            line.append((r, c, item))
            for dr in range(item.rowspan):
                for dc in range(item.colspan):
                    taken[(r + dr, c + dc)] = True
            line.extend([None] * (item.colspan - 1))
            c += item.colspan
        while taken.get((r, c)):
            line.append(None)
            c += 1
        if width is None:
            width = c
        elif c != width:
            raise ValueError(f"table {t.caption!r}: row {r + 1} has {c} columns, "
                             f"the first row {width}")
        out.append(line)
    if any(r >= len(rows) for r, _c in taken):
        raise ValueError(f"table {t.caption!r}: a rowspan runs past the last row")
    return out


def text_width(text: str, ascii_em: float = 0.5) -> float:
    """Measure text in ems: a CJK character is 1, an ASCII one ``ascii_em``.

    >>> text_width("武汉市"), text_width("12,345", ascii_em=0.6)
    (3.0, 3.6)
    """
    return sum(ascii_em if ord(ch) < 0x2E80 else 1.0 for ch in text)


def annex_layout(t: Table) -> tuple[bool, float]:
    """Say how an annex table is printed: (landscape, font size in pt).

    Up to 8 columns: portrait at 12 pt, like the body's tables; up to 16: landscape at 10 pt;
    more (a statistics table of every indicator): landscape at 8 pt.

    >>> annex_layout(table("t", [["地区", "场次"]], [["武汉市", "3"]]))
    (False, 12.0)
    """
    n = t.columns
    return (n > 8, 12.0 if n <= 8 else 10.0 if n <= 16 else 8.0)


TITLE_CHARS: Final = 20
"""Characters of a 22 pt title on one line of the 156 mm text block."""
_TITLE_CUTS: Final = (
    re.compile(r"(?<=活动)(?=.)"),  # …“人社惠民政策进万家”活动 | 2024年度工作总结
    re.compile(r"(?=\d{4}年)"),
    re.compile(r"(?=工作总结|进展情况|情况的通报|统计表)"),
    re.compile(r"(?<=[”》])(?=.)"),
)


def title_lines(title: str, per_line: int = TITLE_CHARS) -> list[str]:
    """Break a title too long for one line where officials break it: after 活动, before the
    year, before 工作总结 or 进展情况, after a closing quote (in that order of preference;
    the most even cut of the first kind that fits), else near the middle.

    >>> title_lines("湖北省“人社惠民政策进万家”活动2024年度工作总结")
    ['湖北省“人社惠民政策进万家”活动', '2024年度工作总结']
    >>> title_lines("关于全省“人社惠民政策进万家”活动进展情况的通报")
    ['关于全省“人社惠民政策进万家”活动', '进展情况的通报']
    >>> title_lines("关于全省港澳居民内地参保政策专项宣传季活动进展情况的通报")
    ['关于全省港澳居民内地参保政策', '专项宣传季活动进展情况的通报']
    >>> title_lines("示例总结")
    ['示例总结']
    """
    if len(title) <= per_line:
        return [title]
    for cut in _TITLE_CUTS:
        places = [m.start() for m in cut.finditer(title)
                  if 0 < m.start() < len(title) and m.start() <= per_line
                  and len(title) - m.start() <= per_line]
        if places:
            at = min(places, key=lambda i: abs(len(title) - 2 * i))
            return [title[:at], title[at:]]
    if len(title) > 2 * per_line:
        return [title]
    middle = (len(title) + 1) // 2  # near the middle, after a unit or a noun if one is there
    near = [i for i in range(middle - 3, middle + 4)
            if max(i, len(title) - i) <= per_line and title[i - 1] in "省市县区州策动会"]
    at = min(near, key=lambda i: abs(len(title) - 2 * i)) if near else middle
    return [title[:at], title[at:]]


def column_widths(t: Table, total: float) -> list[float]:
    """Share ``total`` ems of width among a table's columns (Word, and HTML's wide tables).

    Every column asks for what its widest cell needs (a header may take three lines; a long
    text at most 20 ems); the room left over goes to the text columns (those needing 6 ems or
    more). When the asks exceed the width, all shrink in proportion, except that a column of
    numbers or of short words (限时, 已完成, 并列第2) keeps the width of its widest one (they never
    wrap), and a column of names keeps five characters a line: what that costs is taken from
    the other columns, in proportion to their width above two characters.

    >>> t = table("t", [["序号", "地区", "完成数"]], [["1", "恩施土家族苗族自治州", "1,234"]])
    >>> [round(w, 1) for w in column_widths(t, 30)]
    [3.2, 22.6, 4.2]
    >>> t = table("t", [["地区", "完成数"]], [["恩施土家族苗族自治州", count_cell(12345)]])
    >>> [round(w, 1) for w in column_widths(t, 8)]
    [3.2, 4.8]
    """
    slots = grid(t)
    need = [2.5] * len(slots[0])
    floor = [0.0] * len(slots[0])
    for r, line in enumerate(slots):
        for slot in line:
            if slot is None or slot[2].colspan > 1:
                continue
            c, col = slot[2], slot[1]
            w = text_width(c.text, ascii_em=0.6)
            if r < len(t.header):
                w = min(w, max(4.0, math.ceil(w / 3)))  # a header may take three lines
            need[col] = max(need[col], min(w, 20.0) + 1.2)
            brief = c.align == "center" and text_width(c.text, ascii_em=0.55) <= 3.6
            if r >= len(t.header) and (c.kind is not None or brief):
                floor[col] = max(floor[col], w + 1.2)
            elif r >= len(t.header) and c.align == "left":  # names: five characters a line
                floor[col] = max(floor[col], min(w, 5.0) + 1.2)
            elif r < len(t.header):  # a measure in brackets, （场/人）, is never broken
                bracket = max((text_width(m, 0.55) for m in re.findall(r"（[^）]*）", c.text)),
                              default=2.0)
                floor[col] = max(floor[col], bracket + 0.8)
    spare = total - sum(need)
    wide = [i for i, n in enumerate(need) if n >= 6.0] or list(range(len(need)))
    if spare > 0:  # the room left goes to the text columns
        share = sum(need[j] for j in wide)
        return [n + (spare * n / share if i in wide else 0.0) for i, n in enumerate(need)]
    floor = [min(f, n) for f, n in zip(floor, need, strict=True)]
    if sum(floor) >= total:  # not even the floors fit: they shrink alike
        return [f * total / sum(floor) for f in floor]
    out = [n * total / sum(need) for n in need]
    short = sum(max(0.0, f - w) for f, w in zip(floor, out, strict=True))
    keep = [max(f, 2.0) for f in floor]
    slack = [max(0.0, w - k) if w >= f else 0.0 for w, k, f in zip(out, keep, floor, strict=True)]
    if short and sum(slack) >= short:
        out = [f if w < f else w - short * sl / sum(slack)
               for w, f, sl in zip(out, floor, slack, strict=True)]
    return out


# ---------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------
def fig(text: str, *sources: str) -> Figure:
    """Build a figure run from its shown text and source ids."""
    return Figure(text, tuple(sources))


def para(*runs: str | Run) -> Paragraph:
    """Build a paragraph from strings (plain text) and runs.

    >>> para("共", fig("12", "s1"), "场").runs[1]
    Figure(text='12', sources=('s1',))
    """
    return Paragraph(tuple(Text(r) if isinstance(r, str) else r for r in runs))


def cell(text: str, *sources: str, align: Align = "center", colspan: int = 1,
         rowspan: int = 1) -> Cell:
    """Build a text cell."""
    return Cell(text, tuple(sources), align, None, None, colspan, rowspan)


def count_cell(value: float | None, *sources: str) -> Cell:
    """Build a right-aligned count cell (12,345; missing is —).

    >>> count_cell(12345, "s1").text, count_cell(None).value
    ('12,345', None)
    """
    text = fmt_count(value)
    number = None if text == MISSING else float(text.replace(",", ""))
    return Cell(text, tuple(sources), "right", number, "count")


def rate_cell(value: float | None, *sources: str, sign: bool = False) -> Cell:
    """Build a right-aligned rate cell at one decimal (85.3 under a （%） heading).

    >>> rate_cell(85.25).text, rate_cell(85.25).value, rate_cell(85.25, sign=True).text
    ('85.3', 85.3, '85.3%')
    """
    text = fmt_rate(value, sign=sign)
    number = None if text == MISSING else float(text.rstrip("%"))
    return Cell(text, tuple(sources), "right", number, "rate")


def _row(row: Iterable[str | Cell]) -> tuple[Cell, ...]:
    return tuple(cell(c) if isinstance(c, str) else c for c in row)


def table(caption: str, header: Sequence[Sequence[str | Cell]],
          body: Sequence[Sequence[str | Cell]], total: Sequence[str | Cell] | None = None,
          *, note: str | None = None) -> Table:
    """Build a table; strings become centred text cells."""
    return Table(caption, tuple(_row(r) for r in header), tuple(_row(r) for r in body),
                 None if total is None else _row(total), note)


def section(heading: str, *blocks: Block, subsections: Sequence[Section] = ()) -> Section:
    """Build a section from its heading (without number), blocks and subsections."""
    return Section(heading, tuple(blocks), tuple(subsections))


def report(title: str, *, date: date | str | None = None, issuer: str | None = None,
           doc_number: str | None = None, addressee: str | None = None,
           opening: Sequence[Block] = (), sections: Sequence[Section] = (),
           annexes: Sequence[Annex] = (), sources: Sequence[Source] = ()) -> Report:
    """Build a report; ``date`` may be an ISO string."""
    when = _date(date)
    return Report(title, when, issuer, doc_number, addressee, tuple(opening), tuple(sections),
                  tuple(annexes), tuple(sources))


def _date(value: date | str | None) -> date | None:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def add_section(r: Report, s: Section) -> Report:
    """Return the report with one more top-level section."""
    return replace(r, sections=(*r.sections, s))


def with_annex(r: Report, a: Annex) -> Report:
    """Return the report with one more annex."""
    return replace(r, annexes=(*r.annexes, a))


def add_sources(r: Report, sources: Iterable[Source] | Mapping[str, Source]) -> Report:
    """Return the report with more sources registered (ids must stay unique)."""
    items = sources.values() if isinstance(sources, Mapping) else sources
    return replace(r, sources=(*r.sources, *items))
