"""Review of ingest against messy returns as offices really fill them (real files in tmp_path)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from campaignkit import load_campaign
from campaignkit.ingest import read_return

from .conftest import FUJIAN, HUBEI
from .test_forms import libreoffice_convert

TODAY = dt.date(2030, 1, 1)
FUJIAN_HEADER = ("项目", "召开小型座谈会和宣讲会场数", "发放宣传资料份数", "开展政策咨询人次",
                 "新增参保人数")


def _fuzhou_table(path: Path, rows: list[list[object]]) -> Path:
    """Write 福州市's own 统计表: the 填表单位 line, then ``rows`` from row 2 on."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统计表"
    ws["A1"] = "填表单位：福州市"
    for r, row in enumerate(rows, start=2):
        for col, v in enumerate(row, start=1):
            ws.cell(r, col, v)
    wb.save(path)
    return path


def _two_row_header_return(path: Path) -> None:
    """A Fujian return whose header spans two rows: a group over two columns, others merged."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统计表"
    ws["A1"] = "港澳居民内地参保专项宣传季开展情况统计表"
    ws.merge_cells("A1:E1")
    ws["A2"] = "填表单位：福州市人社局"
    ws["D2"] = "填表日期：2022年1月18日"
    ws["A3"] = "地 区"
    ws.merge_cells("A3:A4")
    ws["B3"] = "宣传活动"
    ws.merge_cells("B3:C3")
    ws["B4"] = "召开小型座谈会\n和宣讲会场数"
    ws["C4"] = "发放宣传\n资料份数"
    ws["D3"] = "开展政策咨询人次"
    ws.merge_cells("D3:D4")
    ws["E3"] = "新增参保人数"
    ws.merge_cells("E3:E4")
    for col, v in enumerate(["福州市", "12 ", "1 200", "１２０", "30人"], start=1):
        ws.cell(5, col, v)
    wb.save(path)


def test_two_row_header_in_ods_keeps_every_column(tmp_path: Path) -> None:
    """An .ods (no merged-cell information through calamine) still finds all four columns.

    Before the fix the header row was taken as row 3 (D3, E3) and the two columns under the
    group 宣传活动 were dropped: the file was accepted with sessions and materials missing.
    """
    c = load_campaign(FUJIAN)
    src = tmp_path / "福州市_two_rows.xlsx"
    _two_row_header_return(src)
    ods, _ = libreoffice_convert(src, tmp_path, "ods")
    want = {"sessions": 12, "materials": 1200, "consultations": 120, "new_insured": 30}
    for path in (src, ods):
        out = read_return(c, path, today=TODAY)
        assert out.status == "ok", (path.suffix, out.errors)
        (sub,) = out.submissions
        got = {v.indicator: v.value for v in sub.values}
        assert got == want, path.suffix


def test_missing_indicator_column_is_a_located_warning(tmp_path: Path) -> None:
    """A horizontal return without the 新增参保人数 column is read, with a warning naming it.

    Before the fix the column was silently absent: a revision dropping it would erase the
    unit's figure with no word to the analyst.
    """
    c = load_campaign(FUJIAN)
    path = _fuzhou_table(tmp_path / "福州市.xlsx", [
        ["项目", "召开小型座谈会和宣讲会场数", "发放宣传资料份数", "开展政策咨询人次"],
        ["福州市", 12, 1200, 120]])
    out = read_return(c, path, today=TODAY)
    assert out.status == "ok", out.errors
    (sub,) = out.submissions
    assert {v.indicator: v.value for v in sub.values if v.value is not None} == {
        "sessions": 12, "materials": 1200, "consultations": 120}
    missing = [w for w in out.warnings if w.reason == "missing_column"]
    assert len(missing) == 1, out.warnings
    assert missing[0].indicator == "new_insured"
    assert missing[0].sheet == "统计表" and "新增参保人数" in missing[0].message


def test_error_cell_in_ods_is_rejected_like_in_xlsx(tmp_path: Path) -> None:
    """A formula showing #DIV/0! in an .ods return is an error at its cell, not an empty value.

    Before the fix calamine handed the error over as an empty cell: the file was accepted with
    sessions and consultations silently missing (the .xlsx of the same table was rejected).
    """
    c = load_campaign(FUJIAN)
    src = _fuzhou_table(tmp_path / "福州市_errors.xlsx", [
        [*FUJIAN_HEADER], ["福州市", "=1/0", 1200, "=C3/0", 30]])
    ods, _ = libreoffice_convert(src, tmp_path, "ods")
    out = read_return(c, ods, today=TODAY)
    assert out.status == "rejected"
    got = sorted((p.sheet, p.cell, p.reason, p.raw) for p in out.errors)
    assert got == [("统计表", "B3", "not_a_number", "#DIV/0!"),
                   ("统计表", "D3", "not_a_number", "#DIV/0!")]


def test_merged_cells_in_ods_are_known(tmp_path: Path) -> None:
    """Merged ranges of an .ods are read (calamine gives none for .ods)."""
    from campaignkit.readers import read_book

    src = tmp_path / "merged.xlsx"
    _two_row_header_return(src)
    ods, _ = libreoffice_convert(src, tmp_path, "ods")
    (sheet,) = read_book(ods).sheets
    assert set(sheet.merged) == {(1, 1, 1, 5), (3, 1, 4, 1), (3, 2, 3, 3), (3, 4, 4, 4),
                                 (3, 5, 4, 5)}


def _hubei_vertical(path: Path, village: str) -> None:
    """A Hubei return in the notice's vertical layout, made by the office itself."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws["A1"] = "“人社惠民政策进万家”活动情况统计表"
    ws["A2"] = "填报单位（盖章）：武汉市人力资源和社会保障局    填报时间：2024年12月16日"
    ws["A3"], ws["B3"], ws["C3"] = "项  目", "内  容", "开展情况"
    rows = [("政策宣讲", "开展政策宣讲进企业活动", "59场"),
            (None, "开展政策宣讲进村居活动", village),
            (None, "培养人社政策宣讲骨干，平均每人开展或者参与政策宣讲场（次）", "45人，4.2场/人")]
    for r, row in enumerate(rows, start=4):
        for col, v in enumerate(row, start=1):
            ws.cell(r, col, v)
    ws.merge_cells("A4:A6")
    wb.save(path)


def test_unplaced_figure_in_a_multi_blank_cell_is_an_error(tmp_path: Path) -> None:
    """`73场,覆盖8个乡镇,覆盖率85%` does not drop the 8 silently.

    Before the fix the cell was read as 73 场 and 85 %, the 8 townships vanished and the file
    was accepted (the coverage check then had nothing to compare).
    """
    c = load_campaign(HUBEI)
    ok = tmp_path / "武汉市_ok.xlsx"
    _hubei_vertical(ok, "73场，覆盖乡镇8个，覆盖率85.0 %")
    out = read_return(c, ok, round_id="final", today=TODAY)  # the table names no round
    assert out.status == "ok", out.errors
    got = {v.indicator: v.value for v in out.submissions[0].values}
    assert (got["village_sessions"], got["townships_covered"], got["township_coverage"]) == (
        73, 8, 85.0)
    bad = tmp_path / "武汉市_bad.xlsx"
    _hubei_vertical(bad, "73场,覆盖8个乡镇,覆盖率85%")
    out = read_return(c, bad, round_id="final", today=TODAY)
    assert out.status == "rejected"
    (err,) = out.errors
    assert (err.sheet, err.cell, err.reason) == ("Sheet1", "C5", "unplaced_figure")
    assert "figure 8 in" in err.message and err.raw == "73场,覆盖8个乡镇,覆盖率85%"


def test_value_error_names_the_unit_of_its_row(tmp_path: Path) -> None:
    """In a horizontal table, an error in 厦门市's row says unit FJ02 (it said '', not a code).

    docs/json.md's error shape has ``"unit": "CODE"`` (or null when no unit is known).
    """
    c = load_campaign(FUJIAN)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统计表"
    for col, v in enumerate(["项目", "召开小型座谈会和宣讲会场数", "发放宣传资料份数",
                             "开展政策咨询人次", "新增参保人数"], start=1):
        ws.cell(1, col, v)
    for r, row in enumerate([["福州市", 1, 2, 3, 4], ["厦门市", "abc", 2, 3, 4],
                             ["合计", 1, 4, 6, "x"]], start=2):
        for col, v in enumerate(row, start=1):
            ws.cell(r, col, v)
    path = tmp_path / "两市.xlsx"
    wb.save(path)
    out = read_return(c, path, today=TODAY)
    assert out.status == "rejected"
    got = sorted((p.cell, p.unit) for p in out.errors)
    assert got == [("B3", "FJ02"), ("E4", None)], out.errors
    assert all(p.to_json()["unit"] != "" for p in out.errors)


def test_rollup_reference_figure_text_never_becomes_a_formula() -> None:
    """A reference figure given as text in ``rows`` is refused like an indicator value.

    Before the fix ``{"townships": '=HYPERLINK("http://x")'}`` was written as a live formula
    (indicator values were checked, reference figures were not).
    """
    import pytest

    from campaignkit.forms import FormError, build_rollup

    c = load_campaign(HUBEI)
    with pytest.raises(FormError, match="townships"):
        build_rollup(c, "HB", {"HB01": {"townships": '=HYPERLINK("http://x")',
                                        "enterprise_sessions": 3}})
    wb = build_rollup(c, "HB", {"HB01": {"townships": 7, "enterprise_sessions": 3}})
    assert not any(cell.data_type == "f" and "HYPERLINK" in str(cell.value)
                   for ws in wb.worksheets for row in ws.iter_rows() for cell in row)


def test_unit_caption_row_under_the_header_is_part_of_the_header(tmp_path: Path) -> None:
    """A second header row of unit captions （场）（份）… is header, not a data row.

    Before the fix the captions were read as values: four not_a_number errors and an
    unknown_unit on the caption row, the return rejected.
    """
    c = load_campaign(FUJIAN)
    path = _fuzhou_table(tmp_path / "福州市.xlsx", [
        ["地区", *FUJIAN_HEADER[1:]],
        [None, "（场）", "（份）", "（人次）", "（人）"],
        ["福州市", 12, 1200, 120, 30]])
    out = read_return(c, path, today=TODAY)
    assert out.status == "ok", out.errors
    (sub,) = out.submissions
    assert {v.indicator: v.value for v in sub.values} == {
        "sessions": 12, "materials": 1200, "consultations": 120, "new_insured": 30}


def test_huge_count_is_a_located_error(tmp_path: Path) -> None:
    """1e20 in a count cell is rejected at its cell, every such cell listed, nothing stored.

    Before the fix the parse passed and the store refused the file with one unlocated
    message (no sheet, no cell) naming only the first oversized value.
    """
    import sqlite3

    from campaignkit.ingest import ingest_paths
    from campaignkit.store import Store

    c = load_campaign(FUJIAN)
    path = _fuzhou_table(tmp_path / "福州市.xlsx", [
        [*FUJIAN_HEADER], ["福州市", 1e20, "100000000000000000000", 3, 4]])
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        report = ingest_paths(c, [path], store, today=TODAY)
    (f,) = report.files
    assert f.status == "rejected"
    assert sorted((p.sheet, p.cell, p.reason) for p in f.errors) == [
        ("统计表", "B3", "too_large"), ("统计表", "C3", "too_large")]
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from submission_values").fetchone() == (0,)


def test_ledger_total_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """An activity ledger ending in a 合计 row keeps its events and skips the total.

    Before the fix the 合计 row was read as an event: 'the unit is missing' and
    'not a date' errors, and the whole ledger was rejected.
    """
    c = load_campaign(HUBEI)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in (["日期", "单位", "场次", "场所", "发放资料份数"],
                ["2024-05-06", "武汉市", "2场", "企业", "1,200份"],
                ["2024年5月7日", "武汉市人社局", "１", "校园", None],
                ["合计", None, 3, None, 1200]):
        ws.append(row)
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    out = read_return(c, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert out.file is not None
    assert [(r.unit, r.date, r.sessions) for r in out.file.ledger] == [
        ("HB01", dt.date(2024, 5, 6), 2), ("HB01", dt.date(2024, 5, 7), 1)]
    (w,) = [w for w in out.warnings if w.reason == "total_row"]
    assert (w.sheet, w.cell) == ("Sheet", "A4")
