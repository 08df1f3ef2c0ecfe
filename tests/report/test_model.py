"""The document model: frozen values, builders that return new values, numbering, spans."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from campaignkit.report import (
    Annex,
    Report,
    Source,
    add_section,
    add_sources,
    cell,
    count_cell,
    fig,
    figures,
    grid,
    numbered,
    para,
    rate_cell,
    report,
    section,
    table,
    with_annex,
)

from .conftest import TITLE


def test_everything_is_frozen(example: Report) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        example.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        example.sections[0].heading = "x"  # type: ignore[misc]
    assert isinstance(example.sections, tuple) and isinstance(example.sources, tuple)
    assert all(isinstance(s.blocks, tuple) for _, _, s in numbered(example.sections))
    hash(example.sources[0])  # hashable value


def test_builders_return_new_values_and_leave_the_old_one_alone(example: Report) -> None:
    before = dataclasses.astuple(example)
    more = add_sources(example, [Source("new", "1", "新单位", "n.xlsx")])
    bigger = add_section(more, section("附加", para("共", fig("1", "new"), "场")))
    annexed = with_annex(bigger, Annex("另表", table("另表", [["甲"]], [["1"]])))
    assert dataclasses.astuple(example) == before
    assert len(annexed.sections) == len(example.sections) + 1
    assert len(annexed.annexes) == len(example.annexes) + 1
    assert annexed.title == TITLE and annexed.date == date(2024, 12, 20)


def test_sections_are_numbered_by_position() -> None:
    tree = [section(f"第{i}节", subsections=[section("甲"), section("乙")]) for i in range(11)]
    labels = [(label, level) for label, level, _ in numbered(tree)]
    assert labels[:4] == [("一、", 1), ("（一）", 2), ("（二）", 2), ("二、", 1)]
    assert labels[-3:] == [("十一、", 1), ("（一）", 2), ("（二）", 2)]
    deep = section("一", subsections=[section("二", subsections=[
        section("三", subsections=[section("四")])])])
    assert [label for label, _, _ in numbered([deep])] == ["一、", "（一）", "1.", "（1）"]


def test_more_than_four_levels_is_refused() -> None:
    five = section("1", subsections=[section("2", subsections=[section("3", subsections=[
        section("4", subsections=[section("5")])])])])
    with pytest.raises(ValueError, match="4 levels"):
        report("t", sections=[five])


def test_unknown_or_duplicate_sources_are_refused() -> None:
    src = Source("a", "1", "甲", "f.xlsx")
    with pytest.raises(ValueError, match="unknown source id 'b'"):
        report("t", sections=[section("s", para(fig("1", "b")))], sources=[src])
    with pytest.raises(ValueError, match="unknown source id 'zz'"):
        report("t", annexes=[Annex("x", table("x", [["a"]], [[count_cell(1, "zz")]]))])
    with pytest.raises(ValueError, match="used twice: a"):
        report("t", sources=[src, src])
    with pytest.raises(ValueError, match="source id"):
        Source("bad id\"><script>", "1", "甲", "f.xlsx")


def test_source_trail() -> None:
    s = Source("fz", "350100", "福州市", "f.xlsx", "统计表", "C7", date(2022, 1, 18))
    assert s.trail() == "福州市 › 统计表 › C7 › 2022-01-18"
    assert Source("x", "1", "甲", "f.csv").trail() == "甲 › f.csv"
    assert s.as_json()["received_on"] == "2022-01-18"


def test_two_row_header_with_spans_fills_the_grid() -> None:
    t = table("t", [[cell("地区", rowspan=2), cell("场次", colspan=2), cell("率", rowspan=2)],
                    [cell("计划"), cell("完成")]],
              [["甲", count_cell(1200), count_cell(3), rate_cell(85.25)]],
              [cell("合计"), "1,200", "3", "85.3"])
    slots = grid(t)
    assert t.columns == 4 and len(slots) == 4
    assert [None if s is None else s[2].text for s in slots[1]] == [None, "计划", "完成", None]
    assert slots[3][0] is not None and slots[3][0][2].text == "合计"
    assert t.body[0][3].text == "85.3" and t.body[0][3].value == 85.3
    assert t.body[0][1].text == "1,200" and t.body[0][1].align == "right"


def test_ragged_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 columns"):
        table("t", [["a", "b"]], [["1"]])
    with pytest.raises(ValueError, match="past the last row"):
        table("t", [[cell("a", rowspan=3), "b"]], [["1"]])
    with pytest.raises(ValueError, match="spans"):
        cell("a", colspan=0)


def test_figures_walk_the_report_in_reading_order(example: Report) -> None:
    found = list(figures(example))
    assert found[0] == ("一、工作开展情况及成效", "1,246", ("wh-c7", "hs-c7", "evil-c7"))
    assert ("（一）政策宣讲", "91.7%", ("wh-c7",)) in found
    assert any(place == "（一）政策宣讲" and text.startswith("图1") for place, text, _ in found)
    assert any(place == "附件1" and text == "1,200" for place, text, _ in found)
    places = [p for p, _, _ in found]
    assert places.index("（二）覆盖情况") < places.index("附件1")
