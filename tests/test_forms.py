"""Excel return forms and roll-ups: real .xlsx files written, reloaded and (for roll-ups)
recalculated by LibreOffice."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import random
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from campaignkit import Campaign, load_campaign
from campaignkit.cli import main
from campaignkit.forms import (
    DATE_FORMAT,
    FORM_META_SHEET,
    FormError,
    build_form,
    build_rollup,
    defined_cells,
    form_filename,
    input_cells,
    put_text,
    read_identity,
    rollup_cells,
    safe_text,
    workbook_bytes,
    write_forms,
    write_rollup,
)
from campaignkit.formula import Formula
from campaignkit.spec import Indicator

from .conftest import FUJIAN, HUBEI

HOSTILE = '=HYPERLINK("http://x")'
IDENTITY_KEYS = {"campaign", "unit", "unit_name", "round", "form_version", "kind", "generator",
                 "layout"}
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8
DV_TYPE = {"count": "whole", "number": "decimal", "percent": "decimal", "yes_no": "list",
           "text": "textLength", "url": "textLength"}


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def cases() -> Iterator[tuple[Path, str]]:
    """(spec, round) for every round of both samples."""
    for spec in (FUJIAN, HUBEI):
        for rnd in load_campaign(spec).rounds:
            yield spec, rnd.id


def validations(ws: Any) -> dict[str, Any]:
    """Cell coordinate → its data validation."""
    out: dict[str, Any] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row,
                                    min_col=rng.min_col, max_col=rng.max_col):
                for cell in row:
                    out[cell.coordinate] = dv
    return out


def texts(ws: Any) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def sample_value(ind: Indicator, k: int) -> object:
    """A value a clerk could type for an indicator (distinct per indicator)."""
    return {
        "count": 10 + k,
        "number": 2.5 + k,
        "percent": 87.5,
        "yes_no": "是",
        "text": f"政策宣传专栏{k}",
        "url": f"https://rst.hubei.gov.cn/zfxxgk/{k}.html",
    }[ind.type]


def soffice() -> str | None:
    """Path of LibreOffice's soffice, or skip (fail when CI=true)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI to recalculate roll-ups")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


def libreoffice_convert(src: Path, out_dir: Path, target: str) -> tuple[Path, float]:
    """Open ``src`` in headless LibreOffice and save it as ``target`` (recalculating)."""
    exe = soffice()
    assert exe is not None
    profile = out_dir / "lo-profile"
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", target, "--outdir", str(out_dir), str(src)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    elapsed = time.perf_counter() - start
    ext = target.split(":")[0]
    result = out_dir / f"{src.stem}.{ext}"
    assert result.exists(), f"LibreOffice failed: {proc.stdout}\n{proc.stderr}"
    return result, elapsed


def hostile_campaign(c: Campaign, code: str) -> Campaign:
    units = tuple(dataclasses.replace(u, name=HOSTILE) if u.code == code else u
                  for u in c.units)
    return c.replace(units=units)


# ---------------------------------------------------------------------------------------
# every form of every reporting unit
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("spec", "round_id"), list(cases()),
                         ids=lambda x: x.parent.name if isinstance(x, Path) else str(x))
def test_every_reporting_unit_gets_a_working_form(spec: Path, round_id: str,
                                                  tmp_path: Path) -> None:
    c = load_campaign(spec)
    reporters = c.reporters(round_id)
    paths = write_forms(c, tmp_path, round_id=round_id)
    assert [p.name for p in paths] == [form_filename(c, u.code, round_id) for u in reporters]
    sheet_name = c.forms.get("sheet", "统计表")
    label = c.round(round_id).label
    for unit, path in zip(reporters, paths, strict=True):
        assert path.name == f"{unit.name}_{label}统计表.xlsx"  # as an office names it
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [sheet_name, FORM_META_SHEET]
        assert wb[FORM_META_SHEET].sheet_state == "hidden"
        ident = read_identity(wb)
        assert ident is not None and set(ident) >= IDENTITY_KEYS
        assert ident["campaign"] == c.id and ident["unit"] == unit.code
        assert ident["unit_name"] == unit.name and ident["round"] == round_id
        assert ident["form_version"] == str(c.form_version) and ident["kind"] == "return"
        assert ident["generator"].startswith("campaignkit ")
        assert ident["layout"] == c.forms["layout"]

        ws = wb[sheet_name]
        assert ws.protection.sheet is True and not ws.protection.password
        cells = input_cells(wb)
        assert set(cells) == {i.id for i in c.input_indicators}
        dvs = validations(ws)
        for ind in c.input_indicators:
            sheet, coord = cells[ind.id]
            assert sheet == sheet_name
            cell = ws[coord]
            assert cell.protection.locked is False, (unit.code, ind.id)
            assert cell.value is None
            dv = dvs[coord]
            assert dv.type == DV_TYPE[ind.type], ind.id
            assert dv.showInputMessage and dv.promptTitle and dv.prompt
            assert dv.showErrorMessage and dv.error
            if ind.type == "count":
                assert dv.formula1 == "0"
            if ind.type == "percent":
                assert (dv.formula1, dv.formula2) == ("0", "100")
            if ind.type == "yes_no":
                assert dv.formula1 == '"是,否"'
            if ind.type in ("text", "url"):
                assert dv.formula1 == "2000" and cell.number_format == "@"

        names = defined_cells(wb)
        for name, (sheet, ref) in names.items():
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)
            assert wb.defined_names[name].attr_text == f"'{sheet}'!{absolute}"
        unit_cell = names["ck_unit"][1]
        assert ws[unit_cell].value == unit.name and ws[unit_cell].protection.locked
        round_cell = ws[names["ck_round"][1]]
        assert round_cell.value == ident["round_line"] and round_cell.protection.locked
        assert label in round_cell.value
        date_cell = ws[names["ck_date"][1]]
        assert date_cell.protection.locked is False
        assert date_cell.number_format == DATE_FORMAT
        assert dvs[date_cell.coordinate].type == "date"

        found = texts(ws)
        for ind in c.input_indicators:
            assert ind.label in found, ind.label
        # locked everywhere else: every unlocked cell is an input, the date or a remark cell
        remark = names.get("ck_remarks")
        allowed = {coord for _, coord in cells.values()} | {date_cell.coordinate}
        owner = {coord: rng.start_cell.coordinate for rng in ws.merged_cells.ranges
                 for coord in (f"{openpyxl.utils.get_column_letter(c_)}{r_}"
                               for r_, c_ in rng.cells)}
        for row in ws.iter_rows():
            for cell in row:
                top_left = owner.get(cell.coordinate, cell.coordinate)
                if cell.protection.locked is False and top_left not in allowed:
                    assert remark is not None, cell.coordinate
                    lo, hi = remark[1].split(":")
                    assert ws[lo].row <= cell.row <= ws[hi].row, cell.coordinate
        assert ws.page_setup.paperSize in (9, "9")
        assert ws.page_setup.fitToWidth in (1, "1")
        assert ws.print_title_rows


def test_fujian_layout_follows_the_annex(fujian: Campaign) -> None:
    wb = build_form(fujian, "FJ04")
    ws = wb["统计表"]
    assert ws["A1"].value == "附件"
    assert ws["A2"].value == "港澳居民内地参保专项宣传季开展情况统计表"
    assert ws["A3"].value == "(截至1月底)"
    # the round line: the unit (no 填报单位 line above the table), the round, the deadline
    assert ws["A4"].value == "泉州市\u3000截至1月底统计（2022年1月31日）"
    assert ws["D4"].value == "请于2022年1月20日前报送"
    assert ws["A5"].value == "单位：场、份、人次、人"
    assert [ws.cell(6, k).value for k in range(1, 6)] == [
        "项目", "召开小型座谈会和宣讲会场数", "发放宣传资料份数", "开展政策咨询人次",
        "新增参保人数"]
    assert ws["A7"].value == "总计"
    assert input_cells(wb) == {"sessions": ("统计表", "B7"), "materials": ("统计表", "C7"),
                               "consultations": ("统计表", "D7"),
                               "new_insured": ("统计表", "E7")}
    assert (ws["A9"].value, ws["B9"].value) == ("填表单位：", "泉州市")
    assert ws["A10"].value == "填表日期："
    names = defined_cells(wb)
    assert names["ck_unit"] == ("统计表", "B9") and names["ck_date"] == ("统计表", "B10")
    assert names["ck_round"] == ("统计表", "A4") and names["ck_band"] == ("统计表", "A1:E5")
    assert "ck_remarks" not in names  # the Fujian annex prints no 备注 row
    assert wb.defined_names["ck_sessions"].attr_text == "'统计表'!$B$7"
    assert ws.print_title_rows == "$6:$6"


def test_hubei_layout_puts_each_blank_in_its_own_cell(hubei: Campaign) -> None:
    wb = build_form(hubei, "HB05")
    ws = wb["统计表"]
    assert ws["A1"].value == "“人社惠民政策进万家”活动情况统计表"
    assert ws["A2"].value == "(2024 年)"
    # the round line (the unit is on the 填报单位 line below it) and the deadline
    assert (ws["A3"].value, ws["F3"].value) == ("年度统计（截至2024年12月31日）",
                                                "请于2024年12月20日前报送")
    assert (ws["A4"].value, ws["B4"].value) == ("填报单位（盖章）：", "襄阳市")
    assert ws["A5"].value == "填报时间："
    assert (ws["A6"].value, ws["B6"].value, ws["C6"].value) == ("项 目", "内 容", "开展情况")
    cells = input_cells(wb)
    # 开展政策宣讲进村居活动: [C]场，覆盖乡镇 [E]个，覆盖率 [G]%
    row = ws[cells["village_sessions"][1]].row
    assert ws.cell(row, 2).value == "开展政策宣讲进村居活动"
    assert [cells[i][1] for i in ("village_sessions", "townships_covered",
                                  "township_coverage")] == [f"C{row}", f"E{row}", f"G{row}"]
    assert [ws.cell(row, k).value for k in (4, 6, 8)] == ["场，覆盖乡镇", "个，覆盖率", "%"]
    # 人； 场/人
    row = ws[cells["lecturers"][1]].row
    assert cells["sessions_per_lecturer"][1] == f"E{row}"
    assert [ws.cell(row, k).value for k in (4, 6)] == ["人", "场/人"]
    # the yes/no + text pair 是否…是什么？
    row = ws[cells["column_set_up"][1]].row
    assert cells["column_name"][1] == f"E{row}"
    assert ws.cell(row, 2).value == "是否在门户网站及微信公众号设立宣传栏目，是什么？"
    assert f"E{row}:H{row}" in {str(r) for r in ws.merged_cells.ranges}
    # groups merged down column A, in the annex's order
    groups = [ws.cell(r.min_row, 1).value for r in sorted(ws.merged_cells.ranges,
                                                           key=lambda r: r.min_row)
              if r.min_col == r.max_col == 1 and r.min_row > 6]
    assert groups == ["政策公开", "政策解读", "政策宣讲", "窗口宣传", "备 注"]
    # 备注 row with its printed text, then the unlocked extra-item rows
    names = defined_cells(wb)
    lo, hi = names["ck_remarks"][1].split(":")
    first = ws[lo].row
    assert ws.cell(first - 1, 1).value == "备 注"
    assert ws.cell(first - 1, 2).value == "各地结合实际开展的其它活动，可自行列项补充。"
    assert ws[hi].row - first + 1 == 5
    for r in range(first, ws[hi].row + 1):
        assert ws.cell(r, 2).protection.locked is False
        assert ws.cell(r, 3).protection.locked is False


@pytest.mark.parametrize("spec", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_round_trip_reads_back_what_was_written(spec: Path, tmp_path: Path) -> None:
    c = load_campaign(spec)
    unit = c.reporters()[0]
    path = write_forms(c, tmp_path, units=[unit.code])[0]
    wb = openpyxl.load_workbook(path)
    written: dict[str, object] = {}
    for k, ind in enumerate(c.input_indicators):
        sheet, coord = input_cells(wb)[ind.id]
        written[ind.id] = wb[sheet][coord].value = sample_value(ind, k)
    sheet, coord = defined_cells(wb)["ck_date"]
    wb[sheet][coord].value = datetime(2022, 1, 18)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    back = openpyxl.load_workbook(filled, data_only=True)
    assert read_identity(back) == read_identity(wb)
    read = {ident: back[s][c_].value for ident, (s, c_) in input_cells(back).items()}
    assert read == written
    sheet, coord = defined_cells(back)["ck_date"]
    assert back[sheet][coord].value == datetime(2022, 1, 18)


def test_a_form_saved_by_libreoffice_keeps_its_identity(hubei: Campaign,
                                                        tmp_path: Path) -> None:
    path = write_forms(hubei, tmp_path, units=["HB03"])[0]
    out, _ = libreoffice_convert(path, tmp_path / "lo", "xlsx")
    wb = openpyxl.load_workbook(out)
    assert read_identity(wb) == read_identity(openpyxl.load_workbook(path))
    assert input_cells(wb) == input_cells(openpyxl.load_workbook(path))
    assert wb[FORM_META_SHEET].sheet_state == "hidden" and wb["统计表"].protection.sheet
    assert defined_cells(wb)["ck_remarks"][1] == defined_cells(
        openpyxl.load_workbook(path))["ck_remarks"][1]


def test_forms_are_deterministic_apart_from_timestamps(hubei: Campaign) -> None:
    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    one = parts(workbook_bytes(build_form(hubei, "HB01")))
    two = parts(workbook_bytes(build_form(hubei, "HB01")))
    assert one == two


def test_purely_derived_indicators_are_not_input_cells(hubei: Campaign) -> None:
    derived = Indicator(id="covered_share", label="乡镇覆盖率（派生）", type="percent",
                        aggregate="none", unit="%", group="政策宣讲",
                        formula=Formula.parse("townships_covered / townships * 100"),
                        input=False)
    c = hubei.replace(indicators=(*hubei.indicators, derived))
    wb = build_form(c, "HB01")
    assert "covered_share" not in input_cells(wb)
    assert "乡镇覆盖率（派生）" not in texts(wb["统计表"])


def test_unknown_unit_or_round_is_a_form_error(fujian: Campaign, tmp_path: Path) -> None:
    with pytest.raises(FormError, match="XX"):
        build_form(fujian, "XX")
    with pytest.raises(FormError, match="midyear"):
        build_form(fujian, "FJ01", "midyear")
    with pytest.raises(ValueError, match="XX"):
        write_forms(fujian, tmp_path, units=["FJ01", "XX"])
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------------------
# text never becomes a formula
# ---------------------------------------------------------------------------------------
def test_safe_text_and_put_text() -> None:
    assert safe_text(HOSTILE) == HOSTILE
    assert safe_text("福州\x00市\x1b") == "福州市"
    assert safe_text(None) == ""
    ws = openpyxl.Workbook().active
    for k, text in enumerate([HOSTILE, "+1+2", "-3", "@SUM(A1)", "#N/A", "福州市"], start=1):
        cell = ws.cell(k, 1)
        put_text(cell, text)
        assert cell.value == text and cell.data_type == "s"
        assert bool(cell.quotePrefix) == (text[0] in "=+-@")


def test_hostile_unit_name_never_becomes_a_formula(fujian: Campaign, tmp_path: Path) -> None:
    c = hostile_campaign(fujian, "FJ01")
    path = write_forms(c, tmp_path, units=["FJ01"])[0]
    assert path.name == "=HYPERLINK(_http___x_)_截至1月底统计表.xlsx"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = openpyxl.load_workbook(path)
    assert read_identity(wb)["unit_name"] == HOSTILE  # type: ignore[index]
    sheet, coord = defined_cells(wb)["ck_unit"]
    cell = wb[sheet][coord]
    assert cell.value == HOSTILE and cell.data_type == "s" and cell.quotePrefix
    # a roll-up lists the child by name: still text
    rollup = build_rollup(c, "FJ", {"FJ01": {"sessions": 1}})
    names = [r[0].value for r in rollup["统计表"].iter_rows(min_col=1, max_col=1)]
    assert HOSTILE in names
    hostile_cell = next(r[0] for r in rollup["统计表"].iter_rows(min_col=1, max_col=1)
                        if r[0].value == HOSTILE)
    assert hostile_cell.data_type == "s"
    # and a spreadsheet application shows the text itself, not a link
    if shutil.which("soffice"):
        out, _ = libreoffice_convert(path, tmp_path / "lo", CSV_FILTER)
        table = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
        assert table[8][:2] == ["填表单位：", HOSTILE]
        assert table[3][0] == HOSTILE + "\u3000截至1月底统计（2022年1月31日）"


# ---------------------------------------------------------------------------------------
# roll-ups
# ---------------------------------------------------------------------------------------
def wuhan_rows(c: Campaign) -> dict[str, dict[str, float | int | None]]:
    """Made-up returns of 武汉市's 13 districts (some blanks, one coverage reported)."""
    rnd = random.Random(20241220)
    rows: dict[str, dict[str, float | int | None]] = {}
    for k, unit in enumerate(c.children("HB01")):
        values: dict[str, float | int | None] = {}
        for ind in c.input_indicators:
            if ind.type == "count":
                values[ind.id] = rnd.randint(0, 40)
        values["townships_covered"] = rnd.randint(0, int(unit.townships or 0))
        values["sessions_per_lecturer"] = round(rnd.uniform(0.5, 6), 2)
        values["township_coverage"] = None
        if k == 2:
            values["brochures"] = None  # not reported
            values["sessions_per_lecturer"] = None
        rows[unit.code] = values
    for values in rows.values():
        values["press_qa"] = None  # nobody reported it: the total stays empty
    return rows


def expected_totals(c: Campaign, rows: Mapping[str, Mapping[str, float | int | None]]
                    ) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for ind in c.input_indicators:
        if ind.type != "count":
            continue
        got = [v[ind.id] for v in rows.values() if v.get(ind.id) is not None]
        out[ind.id] = float(sum(got)) if got else None  # type: ignore[arg-type]
    covered = sum(v["townships_covered"] or 0 for v in rows.values())
    townships = sum(c.unit(code).townships or 0 for code in rows)
    out["township_coverage"] = covered / townships * 100
    pairs = [(v["lecturers"], v["sessions_per_lecturer"]) for v in rows.values()
             if v["lecturers"] is not None and v["sessions_per_lecturer"] is not None]
    weight = sum(w for w, _ in pairs)
    out["sessions_per_lecturer"] = sum(w * x for w, x in pairs) / weight if weight else None
    return out


def test_rollup_layout_and_formulas(hubei: Campaign) -> None:
    rows = wuhan_rows(hubei)
    wb = build_rollup(hubei, "HB01", rows)
    ident = read_identity(wb)
    assert ident is not None and ident["kind"] == "rollup" and ident["unit"] == "HB01"
    assert ident["children"].split(",") == [u.code for u in hubei.children("HB01")]
    ws = wb["统计表"]
    totals = rollup_cells(wb)
    numeric = [i.id for i in hubei.input_indicators if i.numeric]
    assert list(totals) == numeric
    total_row = ws[totals["brochures"][1]].row
    assert ws.cell(total_row, 1).value == "总计"
    names = [ws.cell(r, 1).value for r in range(total_row - 13, total_row)]
    assert names == [u.name for u in hubei.children("HB01")]
    for ident_, (_, coord) in totals.items():
        assert str(ws[coord].value).startswith("="), ident_
    letter = totals["brochures"][1].rstrip("0123456789")
    first = total_row - 13
    assert ws[totals["brochures"][1]].value == (
        f'=IF(COUNT({letter}{first}:{letter}{total_row - 1})=0,"",'
        f'SUM({letter}{first}:{letter}{total_row - 1}))')
    assert "/" in ws[totals["township_coverage"][1]].value
    assert "SUMPRODUCT" in ws[totals["sessions_per_lecturer"][1]].value
    # the labels and units head the columns
    head = texts(ws)
    assert "开展政策宣讲进村居活动" in head and "覆盖率（%）" in head
    assert "政策文件公开数量（个）" in head
    with pytest.raises(FormError, match="HB0201"):
        build_rollup(hubei, "HB01", {"HB0201": {"brochures": 1}})
    with pytest.raises(FormError, match="not a number"):
        build_rollup(hubei, "HB01", {"HB0101": {"brochures": "12份"}})  # type: ignore[dict-item]


def test_rollup_recalculates_in_libreoffice(hubei: Campaign, tmp_path: Path) -> None:
    soffice()
    rows = wuhan_rows(hubei)
    path = write_rollup(hubei, "HB01", rows, tmp_path)
    assert path.name == "武汉市_年度统计表_汇总.xlsx"
    out, elapsed = libreoffice_convert(path, tmp_path / "recalc", "xlsx")
    print(f"LibreOffice recalculation took {elapsed:.2f} s")
    wb = openpyxl.load_workbook(out, data_only=True)
    totals = rollup_cells(wb)
    assert totals, "defined names survive LibreOffice"
    expected = expected_totals(hubei, rows)
    ws = wb["统计表"]
    for ident, want in expected.items():
        got = ws[totals[ident][1]].value
        if want is None:
            assert got in (None, ""), ident
        else:
            assert got == pytest.approx(want, rel=1e-9), ident
    assert expected["press_qa"] is None
    assert ws[totals["township_coverage"][1]].value == pytest.approx(
        sum(v["townships_covered"] or 0 for v in rows.values()) / 8 * 100)
    # the same through CSV, as a user exporting the sheet would see it
    csv_out, _ = libreoffice_convert(path, tmp_path / "csv", CSV_FILTER)
    table = list(csv.reader(csv_out.read_text(encoding="utf-8").splitlines()))
    total = next(r for r in table if r and r[0] == "总计")
    col = openpyxl.utils.column_index_from_string(totals["brochures"][1].rstrip("0123456789"))
    assert float(total[col - 1]) == expected["brochures"]


# ---------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------
def test_cli_writes_one_form_per_reporting_unit(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", str(FUJIAN), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    files = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert len(files) == 10 and len(out) == 11
    assert "平潭综合实验区_截至1月底统计表.xlsx" in files
    assert out[-1].startswith("10 form(s) for fujian_hkmacao_2021, round final")

    assert main(["forms", str(HUBEI), "--out", str(tmp_path / "hb"), "--unit", "HB01",
                 "--unit", "HB_D02", "--period", "midyear"]) == 0
    assert sorted(p.name for p in (tmp_path / "hb").iterdir()) == [
        "就业促进和失业保险处_上半年统计表.xlsx", "武汉市_上半年统计表.xlsx"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--unit", "XX99"], "unknown unit"),
    (["--period", "q3"], "unknown round"),
])
def test_cli_usage_errors_exit_2(argv: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", str(HUBEI), "--out", str(tmp_path), *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert not list(tmp_path.glob("*.xlsx"))


def test_cli_spec_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "campaign.yaml"
    bad.write_text("id: Not Valid\n", encoding="utf-8")
    assert main(["forms", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "problem(s) in the campaign spec" in capsys.readouterr().err
