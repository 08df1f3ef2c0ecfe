"""The Excel annex: merged headers, real numbers with formats, no formula from user text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from campaignkit.report import Report, annex_xlsx_bytes, cell, sheet_title, table, write_annex_xlsx
from campaignkit.report.xlsx import is_formula_like

from .conftest import FORMULA_UNIT, SCRIPT_UNIT


@pytest.fixture(scope="module")
def book_path(example: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_annex_xlsx(example.annexes, tmp_path_factory.mktemp("xlsx") / "annex.xlsx")


@pytest.fixture(scope="module")
def book(book_path: Path):  # type: ignore[no-untyped-def]
    return load_workbook(book_path)


def test_one_sheet_per_annex_with_safe_titles(book) -> None:  # type: ignore[no-untyped-def]
    assert book.sheetnames == ["附件1 各市州活动开展情况统计表", "附件2 单位备注"]


def test_title_row_and_two_row_merged_header(book) -> None:  # type: ignore[no-untyped-def]
    ws = book["附件1 各市州活动开展情况统计表"]
    assert ws["A1"].value == "附件1　各市州活动开展情况统计表" and ws["A1"].font.b
    assert ws["A2"].value == "单位：场"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "A9:B9"} <= merged
    assert [ws.cell(3, c).value for c in range(1, 7)] == [
        "序号", "地区", "活动场次", None, "乡镇覆盖率（%）", "排名"]
    assert ws["C4"].value == "计划" and ws["D4"].value == "完成"
    assert ws["A9"].value == "全省合计" and ws["A9"].font.b
    assert ws.freeze_panes == "A5"
    assert ws["A10"].value is None and ws["A11"].value == "注：覆盖率按乡镇数计算。"


def test_numbers_are_numbers_with_official_formats(book) -> None:  # type: ignore[no-untyped-def]
    ws = book["附件1 各市州活动开展情况统计表"]
    wuhan = [ws.cell(5, c) for c in range(1, 7)]
    assert [c.value for c in wuhan] == [1, "武汉市", 1000, 1200, 100.0, "第1"]
    assert wuhan[2].data_type == "n" and wuhan[2].number_format == "#,##0"
    assert wuhan[4].data_type == "n" and wuhan[4].number_format == "0.0"
    assert ws["E6"].value == 85.3 and ws["E6"].number_format == "0.0"
    total = [ws.cell(9, c).value for c in range(3, 6)]
    assert total == [1060, 1246, 91.7]
    missing = ws["D8"]
    assert missing.value == "—" and missing.data_type == "s"  # never 0


def test_user_text_can_never_become_a_formula(book, book_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = book["附件1 各市州活动开展情况统计表"]
    evil = ws["B8"]
    assert evil.value == FORMULA_UNIT and evil.data_type == "s" and evil.quotePrefix
    assert ws["B7"].value == SCRIPT_UNIT and not ws["B7"].quotePrefix
    notes = book["附件2 单位备注"]
    for ref, text in (("A3", FORMULA_UNIT), ("B3", "+86 027 1234"), ("B4", "@所有人 -已完成")):
        assert notes[ref].value == text and notes[ref].data_type == "s" and notes[ref].quotePrefix
    with zipfile.ZipFile(book_path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()
        styles = z.read("xl/styles.xml").decode()
        assert re.search(r'quotePrefix="1"', styles)


def test_sheet_titles_are_sanitised() -> None:
    assert sheet_title("a[b]c:d*e?f/g\\h") == "abcdefgh"
    assert len(sheet_title("统计" * 30)) == 31
    assert sheet_title("表", ["表", "表(2)"]) == "表(3)"
    assert sheet_title("History") == "History_" and sheet_title("  ") == "Sheet"
    long = "很长的表名" * 10
    second = sheet_title(long, [sheet_title(long)])
    assert len(second) == 31 and second.endswith("(2)")


@given(st.text(min_size=0, max_size=60))
def test_any_title_is_a_valid_excel_sheet_title(text: str) -> None:
    title = sheet_title(text)
    assert 1 <= len(title) <= 31
    assert not set(title) & set("[]:*?/\\")
    assert not title.startswith("'") and not title.endswith("'")


@pytest.mark.parametrize(("text", "formula"), [
    ("=1+1", True), ("  =A1", True), ("+86", True), ("-x", True), ("@SUM(A1)", True),
    ("\tX", True), ("\rX", True), ("武汉市", False), ("a=b", False), ("", False),
])
def test_formula_like_text(text: str, formula: bool) -> None:
    assert is_formula_like(text) is formula


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_every_text_cell_reads_back_as_the_same_string(tmp_path_factory: pytest.TempPathFactory,
                                                       text: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text).replace("\r", "") or "x"
    data = annex_xlsx_bytes([table("t", [["值"]], [[cell(text)]])])
    out = tmp_path_factory.mktemp("prop") / "t.xlsx"
    out.write_bytes(data)
    value = load_workbook(out)["t"]["A3"]
    if value.data_type == "n":  # a display that is a plain number is stored as a number
        assert float(text.replace(",", "").rstrip("%")) == value.value
    else:
        assert value.value == text and value.data_type == "s"


def test_tables_without_annex_and_many_columns_print_landscape(tmp_path: Path) -> None:
    wide = table("宽表", [[f"列{i}" for i in range(10)]], [["1"] * 10])
    out = write_annex_xlsx([wide], tmp_path / "w.xlsx")
    ws = load_workbook(out)["宽表"]
    assert ws.page_setup.orientation == "landscape" and ws["A1"].value == "附件　宽表"
