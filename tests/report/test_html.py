"""The HTML page: standalone, escaped, offline, official typography, every figure sourced."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from campaignkit.report import (
    Report,
    Source,
    count_cell,
    fig,
    para,
    render_fragment,
    render_html,
    report,
    section,
    sources_json,
    table,
    write_html,
)
from campaignkit.report.html import PRINT_CSS, REPORT_CSS

from .conftest import ISSUER, SCRIPT_UNIT, TITLE

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source"}


class _Page(HTMLParser):
    """Collect tags, attributes and text; check that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    return p


@pytest.fixture(scope="module")
def page(example: Report) -> str:
    return render_html(example)


def test_a_complete_standalone_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert '<meta charset="utf-8">' in page and f"<title>{TITLE}</title>" in page
    parsed = parse(page)
    assert parsed.errors == [] and parsed.stack == []
    assert [t for t, _ in parsed.tags].count("html") == 1


def test_user_text_is_escaped_everywhere(page: str) -> None:
    parsed = parse(page)
    assert "script" not in {t for t, _ in parsed.tags}
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;县" in page
    assert SCRIPT_UNIT in "".join(parsed.text)  # shown to the reader as text
    assert "<b>12</b>" not in page and "&lt;b&gt;12&lt;/b&gt;" in page  # raw text of a source
    for _, attrs in parsed.tags:
        for name in attrs:
            assert not name.startswith("on"), name


def test_nothing_is_fetched_from_a_network(page: str) -> None:
    parsed = parse(page)
    assert {t for t, _ in parsed.tags}.isdisjoint({"script", "link", "iframe", "object"})
    for tag, attrs in parsed.tags:
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")
            assert attrs["alt"]
        if tag == "a":
            assert attrs["href"].startswith("#")
    css = "".join(re.findall(r"<style>(.*?)</style>", page, flags=re.S))
    assert "@import" not in css and "url(" not in css and "http" not in css


def test_print_css_sets_the_official_page(page: str) -> None:
    assert "size: A4" in PRINT_CSS and "margin: 37mm 26mm 35mm 28mm" in PRINT_CSS
    assert 'content: "— " counter(page) " —"' in PRINT_CSS
    assert "section.annex { break-before: page;" in REPORT_CSS
    assert PRINT_CSS in page and REPORT_CSS in page


def test_chinese_typography(page: str) -> None:
    css = REPORT_CSS
    body = re.search(r"\.ck-report \{ font-family: ([^;]+);", css)
    assert body is not None
    assert body.group(1).index('"FangSong"') < body.group(1).index('"Noto Serif CJK SC"')
    assert '"仿宋"' in body.group(1) and '"STFangsong"' in body.group(1)
    assert body.group(1).endswith("serif")
    assert re.search(r"\.h1 \{ font-family: \"SimHei\", \"黑体\", \"Noto Sans CJK SC\"", css)
    assert re.search(r'\.h2 \{ font-family: [^}]*"KaiTi", "楷体"', css)
    assert re.search(r"h1\.title \{[^}]*font-size: 22pt;[^}]*text-align: center", css)
    assert "font-size: 16pt" in css and "text-indent: 2em" in css
    assert "border: 1px solid #000" in css


def test_headings_are_numbered_by_position(page: str) -> None:
    for text in ("一、工作开展情况及成效", "（一）政策宣讲", "（二）覆盖情况",
                 "二、存在的问题和不足", "三、下一年工作打算"):
        assert text in page
    assert '<h2 class="h1">一、工作开展情况及成效</h2>' in page
    assert '<h3 class="h2">（一）政策宣讲</h3>' in page


def test_tables_signature_and_annexes(page: str) -> None:
    assert page.count('<table class="data">') == 3
    assert '<th class="center" colspan="2">活动场次</th>' in page
    assert '<th class="center" rowspan="2">序号</th>' in page
    assert '<tr class="total"><td class="center" colspan="2">全省合计</td>' in page
    assert '<p class="annex-note">附件：1．各市州活动开展情况统计表</p>' in page
    assert '<p class="annex-note more">2．单位备注</p>' in page
    assert f'<p class="issuer">{ISSUER}</p>' in page
    assert '<p class="date">2024年12月20日</p>' in page
    assert page.index('class="date"') < page.index('<section class="annex" id="annex-1">')
    assert '<p class="annex-label">附件1</p>' in page and '<p class="annex-label">附件2</p>' in page


def test_every_sourced_figure_links_to_its_source(page: str) -> None:
    parsed = parse(page)
    ids = {a["id"] for _, a in parsed.tags if "id" in a}
    links = [a for t, a in parsed.tags if t == "a" and a.get("class") == "src"]
    assert len(links) == len(sources_json_of(page))
    for a in links:
        assert a["href"].removeprefix("#") in ids
        assert a["href"] == "#src-" + a["data-sources"].split()[0]
    first = next(a for a in links if a["data-sources"] == "wh-c7")
    assert first["title"] == "武汉市 › 统计表 › C7 › 2024-12-18"
    assert '<li id="src-wh-c7">武汉市（420100） › returns/wuhan.xlsx › 统计表 › C7' in page
    assert "2024年12月18日收到" in page and "<h2>数据来源</h2>" in page


def sources_json_of(page: str) -> list[str]:
    return re.findall(r'<a class="src" id="(fig-\d+)"', page)


def test_sources_json_matches_the_page(example: Report, page: str) -> None:
    doc = sources_json(example)
    assert [f["id"] for f in doc["figures"]] == sources_json_of(page)
    assert doc["figures"][0] == {"id": "fig-1", "place": "一、工作开展情况及成效",
                                 "text": "1,246", "sources": ["wh-c7", "hs-c7", "evil-c7"]}
    assert set(doc["sources"]) == {"wh-c7", "hs-c7", "evil-c7", "dde-c7"}
    assert doc["sources"]["hs-c7"]["raw"] == "约34场" and doc["date"] == "2024-12-20"
    json.dumps(doc)  # serialisable as is


def test_write_html_writes_the_page_and_sources_json(example: Report, tmp_path: Path) -> None:
    out = write_html(example, tmp_path / "report.html")
    assert out.read_text(encoding="utf-8") == render_html(example)
    doc = json.loads((tmp_path / "sources.json").read_text(encoding="utf-8"))
    assert doc == sources_json(example)


def test_fragment_is_the_body_only(example: Report) -> None:
    frag = render_fragment(example)
    assert frag.startswith("<style>") and "<html" not in frag and "<body" not in frag
    assert '<article class="ck-report">' in frag and "@page" not in frag
    for line in REPORT_CSS.splitlines():  # scoped: safe beside a notebook's own styles
        if "{" in line:
            assert line.startswith(".ck-report"), line
    assert render_fragment(example, css=False).startswith('<article class="ck-report">')


def test_a_report_without_issuer_date_or_sources_invents_nothing() -> None:
    r = report("关于情况的通报", sections=[section("总体情况", para("无。"))])
    page = render_html(r)
    assert "signature" not in page.split("</style>")[1] and "数据来源" not in page
    assert "doc-number" not in page.split("</style>")[1]


def test_a_document_number_is_shown_only_when_given() -> None:
    r = report("通报", doc_number="闽人社办〔2021〕194号",
               annexes=[], sections=[section("总体情况", para("共", fig("3", "a"), "场"))],
               sources=[Source("a", "1", "甲", "f.xlsx")])
    assert '<p class="doc-number">闽人社办〔2021〕194号</p>' in render_html(r)


def test_a_single_annex_is_not_numbered() -> None:
    from campaignkit.report import Annex

    r = report("t", annexes=[Annex("统计表", table("统计表", [["地区"]], [[count_cell(1)]]))])
    page = render_html(r)
    assert '<p class="annex-note">附件：统计表</p>' in page
    assert '<p class="annex-label">附件</p>' in page
