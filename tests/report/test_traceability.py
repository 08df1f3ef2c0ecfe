"""Every figure traceable: each number a reader sees in a sentence or a table links to its sources.

The year-end summary and the briefing are built in-process from the demo's SQLite stores for a
province, a city, a county and a division of Hubei and for Fujian's province, rendered as the
HTML page, and read back as a reader would see them: every run of digits outside a source link
is a failure, except what is not a figure — dates, the 序号 column, the numbers of tables and
figures, quoted task texts and names (left-aligned cells), method notes under a table, and the
seed and size of a spot check (its parameters, stated so that anyone can redraw it). Every link
points at an entry of the 数据来源 list, and ``sources.json`` lists exactly the linked figures.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from campaignkit.report.briefing import build_briefing
from campaignkit.report.html import render_html, sources_json
from campaignkit.report.model import Report
from campaignkit.report.snapshot import Snapshot, open_snapshot
from campaignkit.report.yearend import build_year_end

from .test_notebooks import made
from .test_yearend import FUJIAN, HUBEI, store_path

DATES = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{4}年度"
                   r"|\d{4}年|\d{1,2}(?:[—-]\d{1,2})?月|\d{4}-\d{2}-\d{2}|〔\d{4}〕\d+号")
PARAMETERS = re.compile(r"随机数种子\d+|抽取\d+个单位")  # the spot check's seed and size
NUMBER = re.compile(r"\d")
BLOCKS = {"p", "td", "th", "li", "figcaption", "h1", "h2", "h3", "h4", "h5"}
CASES = [(kind, camp, unit) for kind in ("year-end", "briefing")
         for camp, unit in (("hubei", "HB"), ("hubei", "HB01"), ("hubei", "HB0201"),
                            ("hubei", "HB_D01"), ("fujian", "FJ"))]


@functools.cache
def snapshot(camp: str, unit: str) -> Snapshot:
    if camp == "hubei":
        return open_snapshot(HUBEI, store_path("hubei_huimin_2024"), unit=unit,
                             as_of="2024-12-31")
    return open_snapshot(FUJIAN, store_path("fujian_hkmacao_2021"), unit=unit)


@functools.cache
def built(kind: str, camp: str, unit: str) -> Report:
    snap = snapshot(camp, unit)
    return build_year_end(snap, None) if kind == "year-end" else build_briefing(snap)


@dataclass
class _Block:
    """A paragraph or a cell: its tag, classes, column, and its text runs (linked or not)."""

    tag: str
    classes: set[str]
    column: int
    header: str
    runs: list[tuple[str, bool]] = field(default_factory=list)


class _Reader(HTMLParser):
    """Collect what a reader sees of the article (the 数据来源 list aside), run by run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.links: list[dict[str, str]] = []
        self.anchors: set[str] = set()
        self._open: list[str] = []
        self._link = 0
        self._block: _Block | None = None
        self._col = 0
        self._headers: list[str] = []
        self._in_head = False
        self._sources = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.anchors.add(a["id"])
        if tag == "section" and "sources" in a.get("class", "").split():
            self._sources = True
        if tag in ("img", "br", "meta", "col"):
            return
        self._open.append(tag)
        if tag == "thead":
            self._in_head, self._headers = True, []
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._col = 0
        elif tag == "a" and "src" in a.get("class", "").split():
            self._link += 1
            self.links.append(a)
        if tag in BLOCKS and not self._sources:
            header = (self._headers[self._col] if tag == "td" and self._col < len(self._headers)
                      else "")
            self._block = _Block(tag, set(a.get("class", "").split()), self._col, header)
            self._col += int(a.get("colspan") or 1)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            top = self._open.pop()
            if top == "a" and self._link:
                self._link -= 1
            if top == tag:
                break
        if tag == "section":
            self._sources = False
        if self._block is not None and tag == self._block.tag:
            if tag == "th" and self._in_head:
                self._headers.append("".join(t for t, _ in self._block.runs))
            self.blocks.append(self._block)
            self._block = None

    def handle_data(self, data: str) -> None:
        if self._block is not None:
            self._block.runs.append((data, self._link > 0))


def read(page: str) -> _Reader:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader


def unlinked_numbers(page: str) -> list[str]:
    """The numbers a reader sees that link nowhere (what is not a figure left aside)."""
    found = []
    for b in read(page).blocks:
        if b.tag.startswith("h") or b.tag == "th" or b.tag == "figcaption":
            continue  # headings, column heads, 表1, 图2
        if b.classes & {"table-note", "table-caption", "left", "annex-label"}:
            continue  # method notes, quoted names and task texts
        if b.tag == "td" and b.header == "序号":
            continue
        if b.tag == "li" or (b.tag == "p" and b.classes & {"date", "issuer"}):
            continue
        text = "".join(t if not linked else "\0" for t, linked in b.runs)
        text = PARAMETERS.sub("", DATES.sub("", text))
        for part in text.split("\0"):
            if NUMBER.search(part):
                found.append(f"{b.tag}.{'.'.join(sorted(b.classes))}: {part.strip()[:80]}")
    return found


@pytest.mark.parametrize(("kind", "camp", "unit"), CASES)
def test_every_number_on_the_page_links_to_its_sources(kind: str, camp: str, unit: str) -> None:
    r = built(kind, camp, unit)
    page = render_html(r)
    assert unlinked_numbers(page) == []
    reader = read(page)
    assert reader.links, "a report without a single traced figure"
    for a in reader.links:
        ids = a["data-sources"].split()
        assert ids and a["href"] == f"#src-{ids[0]}"
        assert all(f"src-{i}" in reader.anchors for i in ids)
    doc = sources_json(r)
    assert [f["id"] for f in doc["figures"]] == [a["id"] for a in reader.links]
    assert {i for f in doc["figures"] for i in f["sources"]} <= set(doc["sources"])


def test_spec_entries_behind_targets_deadlines_and_progress_are_sources() -> None:
    doc = sources_json(built("briefing", "hubei", "HB"))
    parts = {s["sheet"] for s in doc["sources"].values() if s["file"] == "campaign.yaml"}
    assert {"targets", "period", "milestones", "rounds"} <= parts
    target = next(s for s in doc["sources"].values() if s["sheet"] == "targets")
    assert target["cell"].startswith("[") and target["raw"]  # which entry, and its value


def test_the_checker_sees_an_unlinked_number() -> None:
    page = ('<article><p>全省开展<a class="src" id="fig-1" href="#src-a" data-sources="a">12</a>'
            "场，其中武汉市3场（2024年12月20日）。</p><table><thead><tr><th>序号</th><th>地区</th>"
            '</tr></thead><tbody><tr><td class="center">1</td><td class="right">7</td></tr>'
            "</tbody></table></article>")
    assert unlinked_numbers(page) == ["p.: 场，其中武汉市3场（）。", "td.right: 7"]


@pytest.mark.parametrize(("kind", "unit"), [("briefing", "HB"), ("year-end", "HB")])
def test_the_exported_report_page_links_every_number(kind: str, unit: str) -> None:
    page = made(kind, "hubei", unit)["html"].read_text(encoding="utf-8")
    assert unlinked_numbers(page) == []
    reader = read(page)
    assert reader.links and all(a["href"][1:] in reader.anchors for a in reader.links)
