"""Exact unit identity, no silent round, near-synonym units and our own bugs (issue 8).

Every test reads real files (xlsx written with openpyxl or ``campaignkit.forms``, CSV bytes)
against the third campaign written from the docs alone, ``tests/data/shandong_jobs_2025``
(山东省 SD, 16 cities SD01…SD16, one dept SD_JOB, one county SD0101 历城区 under 济南市;
rounds ``mid`` 截至6月15日 and ``final`` 截至6月30日, both returned by cities and the dept).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from campaignkit import load_campaign
from campaignkit.cli import main
from campaignkit.errors import CampaignkitError, InternalError
from campaignkit.forms import build_form, defined_cells, input_cells, workbook_bytes
from campaignkit.ingest import FileOutcome, ingest_paths, read_return
from campaignkit.spec import Campaign, load_campaign_text, unit_key
from campaignkit.store import Store

from .conftest import ROOT

SHANDONG = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
TODAY = dt.date(2025, 7, 20)
HEADER = ["单位", "举办政策宣讲活动场次", "参加活动人次", "发放宣传资料份数", "场均参加人次",
          "覆盖乡镇（街道）数"]
TITLE = "稳就业政策集中宣传月活动情况统计表"


@pytest.fixture(scope="module")
def sd() -> Campaign:
    return load_campaign(SHANDONG)


def _official(path: Path, rows: list[list[object]], *, unit: str | None = None,
              title: str = TITLE, subtitle: str | None = None) -> Path:
    """Write a return in the notice's horizontal layout, as an office retypes it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统计表"
    ws["A1"] = "附件"
    ws["A2"] = title
    ws["A3"] = subtitle or "单位：场、人次、份、个"
    for col, text in enumerate(HEADER, start=1):
        ws.cell(4, col, text)
    r = 5
    for row in rows:
        for col, v in enumerate(row, start=1):
            ws.cell(r, col, v)
        r += 1
    if unit is not None:
        ws.cell(r + 1, 1, f"填报单位：{unit}")
    ws.cell(r + 2, 1, "填报日期：2025年6月16日")
    wb.save(path)
    return path


def _csv(rows: list[list[object]], *, title: str | None = None,
         header: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    if title is not None:
        out.writerow([title])
    out.writerow(header or HEADER)
    out.writerows(["" if v is None else str(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def _reasons(problems: Any) -> list[str]:
    return [p.reason for p in problems]


def _units(out: FileOutcome) -> list[tuple[str, str]]:
    return [(s.unit, s.round) for s in out.submissions]


JINAN = ["济南市", 10, 1200, 300, 120, 5]


# --------------------------------------------------------------------------- exact units


def test_unit_key_folds_spaces_seals_case_and_office_suffixes() -> None:
    assert unit_key("济南市人社局") == unit_key("济南市") == unit_key(" 济南市 （盖章）")
    assert unit_key("济南市人力资源和社会保障局") == unit_key("济南市")
    assert unit_key("山东省人力资源社会保障厅") == unit_key("山东省")
    assert unit_key("sd01") == unit_key("SD01")
    assert unit_key("fj") != unit_key("FJ")  # letters alone: a file-name prefix, not a code
    assert unit_key("山东省技师学院") != unit_key("山东省")
    assert unit_key("人社局") == unit_key("人社局")  # nothing left: the suffix stays


def test_units_match_exactly_never_by_containment(sd: Campaign) -> None:
    assert sd.match_units("济南市人社局") == ("SD01",)
    assert sd.match_units("济南市历城区") == ("SD0101",)  # only because the spec lists it
    assert sd.match_units("历城区人社局") == ("SD0101",)
    assert sd.match_units("山东省技师学院") == ()
    assert sd.match_units("济南市历城区人社局") == ("SD0101",)
    assert sd.match_units("济南市槐荫区") == ()  # not 济南市: no alias says so
    assert not hasattr(sd, "find_units_in")


@pytest.mark.parametrize(("name", "codes"), [
    ("济南市_中期统计表", ("SD01",)),
    ("02青岛市人社局统计表（6月15日）", ("SD02",)),
    ("sd01_mid", ("SD01",)),
    ("SD01-济南市-总结", ("SD01",)),
    ("济南市历城区统计表", ("SD0101",)),
    ("山东省技师学院统计表", ()),
    ("山东省技师学院", ()),
    ("附件1 统计表 2025.6.15", ()),
    ("济南市、青岛市汇总", ("SD01", "SD02")),
])
def test_file_names_are_read_token_by_token(sd: Campaign, name: str,
                                            codes: tuple[str, ...]) -> None:
    assert sd.units_in_name(name) == codes


def test_school_is_not_the_province_on_a_horizontal_table(sd: Campaign, tmp_path: Path) -> None:
    """填报单位 山东省技师学院 (a school whose name begins with 山东省) is no unit at all.

    Before the fix it was read as 山东省's consolidated return (longest-substring matching).
    """
    path = _official(tmp_path / "技师学院报表.xlsx", [["山东省技师学院", 4, 300, 50, 75, 0]],
                     unit="山东省技师学院")
    out = read_return(sd, path, round_id="mid", today=TODAY)
    assert out.status == "rejected", _units(out)
    assert "unknown_unit" in _reasons(out.errors)
    (err,) = [p for p in out.errors if p.reason == "unknown_unit"][:1]
    assert "山东省技师学院" in err.message
    assert "units:" in err.message and "units[i].aliases" in err.message


def test_school_is_not_the_province_in_a_csv(sd: Campaign) -> None:
    data = _csv([["山东省技师学院", 4, 300, 50, 75, 0]])
    out = read_return(sd, data, name="returns.csv", round_id="mid", today=TODAY)
    assert out.status == "rejected", _units(out)
    assert _reasons(out.errors) == ["unknown_unit"]
    assert out.errors[0].row == 2 and out.errors[0].column == "单位"
    assert "units[i].aliases" in out.errors[0].message


def test_school_file_name_without_unit_line_is_no_unit(sd: Campaign, tmp_path: Path) -> None:
    """A file named 山东省技师学院统计表 with no 填报单位 and no unit row: unit_not_found."""
    path = _official(tmp_path / "山东省技师学院统计表.xlsx", [["本单位", 4, 300, 50, 75, 0]])
    out = read_return(sd, path, round_id="mid", today=TODAY)
    assert out.status == "rejected", _units(out)
    assert "SD" not in {p.unit for p in out.errors}
    assert "unit_not_found" in _reasons(out.errors) or "unknown_unit" in _reasons(out.errors)


def test_district_name_on_a_horizontal_table_is_the_district(sd: Campaign,
                                                             tmp_path: Path) -> None:
    """济南市历城区 is 历城区 (SD0101) because the spec lists that alias, never 济南市."""
    path = _official(tmp_path / "济南市_中期统计表.xlsx",
                     [["济南市历城区人社局", 3, 200, 40, 66.7, 2]], unit="济南市历城区")
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD0101", "mid")]
    assert "SD01" not in {p.unit for p in out.warnings}
    assert {"unit_name_differs", "not_a_reporter"} <= set(_reasons(out.warnings))


def test_district_row_in_a_city_table_is_kept_as_not_a_reporter(sd: Campaign,
                                                                tmp_path: Path) -> None:
    path = _official(tmp_path / "济南市统计表（截至6月15日）.xlsx",
                     [JINAN, ["历城区", 3, 200, 40, 66.7, 2]], unit="济南市人力资源和社会保障局")
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid"), ("SD0101", "mid")]
    (warn,) = [w for w in out.warnings if w.reason == "not_a_reporter"]
    assert warn.unit == "SD0101"


def test_progress_log_units_are_exact(sd: Campaign) -> None:
    data = ("单位,事项,完成日期\n济南市人社局,m_plan,2025-06-03\n"
            "山东省技师学院,m_plan,2025-06-04\n").encode()
    out = read_return(sd, data, name="progress.csv", today=TODAY)
    assert out.kind == "progress"
    assert [(p.reason, p.row) for p in out.errors] == [("unknown_unit", 3)]


def test_unit_not_in_the_spec_names_the_key_to_add_on_a_row(sd: Campaign) -> None:
    data = _csv([["济南市槐荫区", 3, 200, 40, 66.7, 2]])
    out = read_return(sd, data, name="济南市_mid.csv", today=TODAY)
    assert out.status == "rejected"
    assert "unknown_unit" in _reasons(out.errors)


# --------------------------------------------------------------------------- our template


def _template(sd: Campaign, code: str, round_id: str, unit_text: str | None = None,
              values: dict[str, Any] | None = None) -> openpyxl.Workbook:
    wb = build_form(sd, code, round_id)
    cells = input_cells(wb)
    for ind_id, v in (values or {"sessions": 8, "attendees": 900, "materials": 200}).items():
        sheet, ref = cells[ind_id]
        wb[sheet][ref] = v
    if unit_text is not None:
        sheet, ref = defined_cells(wb)["ck_unit"]
        wb[sheet][ref] = unit_text
    return wb


def test_template_for_city_with_district_unit_line_is_a_mismatch(sd: Campaign,
                                                                 tmp_path: Path) -> None:
    """Our form made for 济南市 whose 填报单位 says 济南市历城区: rejected, nothing stored.

    Before the fix the district's figures were stored as 济南市's return (a descendant was
    accepted on its ancestor's form).
    """
    path = tmp_path / "SD01_mid.xlsx"
    _template(sd, "SD01", "mid", "济南市历城区").save(path)
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(sd, [path], store, today=TODAY)
        subs = store.submissions(sd.id)
    (f,) = report.files
    assert f.status == "rejected"
    assert _reasons(f.errors) == ["unit_mismatch"]
    msg = f.errors[0].message
    assert "济南市 (SD01)" in msg and "济南市历城区" in msg and "(SD0101)" in msg
    assert f.errors[0].cell is not None
    assert subs.empty


@pytest.mark.parametrize(("text", "ok"), [
    ("济南市人社局", True), ("济南市", True), ("", True), (None, True),
    ("山东省技师学院", False), ("青岛市", False), ("山东省", False)])
def test_template_unit_line(sd: Campaign, text: str | None, ok: bool) -> None:
    wb = _template(sd, "SD01", "mid", text)
    if text is None:
        sheet, ref = defined_cells(wb)["ck_unit"]
        wb[sheet][ref] = None
    out = read_return(sd, workbook_bytes(wb), name="form.xlsx", today=TODAY)
    assert (out.status == "ok") is ok, out.errors
    if ok:
        assert _units(out) == [("SD01", "mid")]
    elif text == "山东省技师学院":
        assert _reasons(out.errors) == ["unknown_unit"]
    else:
        assert _reasons(out.errors) == ["unit_mismatch"]


def test_template_made_for_a_county_is_kept_as_not_a_reporter(sd: Campaign) -> None:
    wb = _template(sd, "SD0101", "mid")
    out = read_return(sd, workbook_bytes(wb), name="SD0101_mid.xlsx", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD0101", "mid")]
    assert _reasons(out.warnings) == ["not_a_reporter"]


def test_template_file_named_after_another_unit_warns(sd: Campaign) -> None:
    wb = _template(sd, "SD01", "mid")
    out = read_return(sd, workbook_bytes(wb), name="青岛市_中期.xlsx", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]
    assert _reasons(out.warnings) == ["unit_name_differs"]


def test_file_named_after_another_city_is_stored_under_its_unit_line(sd: Campaign,
                                                                     tmp_path: Path) -> None:
    path = _official(tmp_path / "02青岛市人社局统计表（6月15日）.xlsx", [JINAN], unit="济南市")
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(sd, [path], store, today=TODAY)
        subs = store.submissions(sd.id)
    (f,) = report.files
    assert f.status == "accepted", f.errors
    assert [(s.unit, s.round) for s in f.submissions] == [("SD01", "mid")]
    (warn,) = [w for w in f.warnings if w.reason == "unit_name_differs"]
    assert "济南市" in warn.message and "青岛市" in warn.message
    assert list(subs.unit) == ["SD01"]


def test_csv_named_after_another_city_keeps_its_rows(sd: Campaign) -> None:
    """A CSV named 青岛市 whose only row is 济南市: stored under 济南市, with a warning."""
    out = read_return(sd, _csv([JINAN]), name="青岛市_mid.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]
    assert _reasons(out.warnings) == ["unit_name_differs"]


# --------------------------------------------------------------------------- rounds


def test_roundless_csv_is_rejected(sd: Campaign) -> None:
    """A CSV stating no round was stored under the final round before the fix."""
    out = read_return(sd, _csv([JINAN]), name="returns.csv", today=TODAY)
    assert out.status == "rejected", _units(out)
    assert _reasons(out.errors) == ["round_unknown"]
    msg = out.errors[0].message
    assert "mid 截至2025-06-15" in msg and "final 截至2025-06-30" in msg
    assert "--period" in msg


@pytest.mark.parametrize("title", [
    "稳就业政策集中宣传月活动情况统计表（截至6月15日）",
    "截至2025年6月15日",
    "稳就业政策集中宣传月活动情况统计表（6月15日）",
    "统计时点：6月15日",
    "稳就业政策集中宣传月活动情况统计表（中期）",
])
def test_roundless_csv_takes_the_round_of_its_period_end(sd: Campaign, title: str) -> None:
    out = read_return(sd, _csv([JINAN], title=title), name="returns.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]


def test_period_end_cell_names_the_round(sd: Campaign, tmp_path: Path) -> None:
    path = _official(tmp_path / "济南市.xlsx", [JINAN], unit="济南市")
    wb = openpyxl.load_workbook(path)
    ws = wb["统计表"]
    ws["E3"], ws["F3"] = "统计截止日期", dt.datetime(2025, 6, 15)
    wb.save(path)
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]
    ws["F3"] = "6月30日"
    wb.save(path)
    assert _units(read_return(sd, path, today=TODAY)) == [("SD01", "final")]


def test_date_of_no_round_is_named(sd: Campaign) -> None:
    out = read_return(sd, _csv([JINAN], title="截至6月20日"), name="returns.csv", today=TODAY)
    assert out.status == "rejected"
    assert _reasons(out.errors) == ["round_unknown"]
    assert "2025-06-20" in out.errors[0].message


def test_two_rounds_stated_is_round_unknown(sd: Campaign) -> None:
    out = read_return(sd, _csv([JINAN], title="活动情况统计表（中期）截至6月30日"),
                      name="returns.csv", today=TODAY)
    assert _reasons(out.errors) == ["round_unknown"]
    assert "(mid)" in out.errors[0].message and "(final)" in out.errors[0].message


def test_hubei_year_end_table_names_no_round(hubei: Campaign) -> None:
    """A Hubei table titled only （2024 年） went to the final round silently; now it says so.

    The corpus expectations of such tables now ingest them with --period final.
    """
    year_end = ROOT / "tests" / "corpus" / "hubei" / "hb_vertical.xls"
    out = read_return(hubei, year_end, name=year_end.name, today=dt.date(2024, 12, 25))
    assert _reasons(out.errors) == ["round_unknown"]
    half = ROOT / "tests" / "corpus" / "hubei" / "hb_halfyear_title.xlsx"
    out = read_return(hubei, half, name=half.name, today=dt.date(2024, 12, 25))
    assert [(s.unit, s.round) for s in out.submissions] == [("HB01", "midyear")]


def test_deadline_is_not_a_period_end(sd: Campaign) -> None:
    """截止6月30日前报送 is a deadline, not the period end (6-30 is also final's period end)."""
    title = "稳就业政策集中宣传月活动情况统计表（截至6月15日，截止6月30日前报送）"
    out = read_return(sd, _csv([JINAN], title=title), name="r.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]
    out = read_return(sd, _csv([JINAN], title="截止7月5日前报送"), name="r.csv", today=TODAY)
    assert _reasons(out.errors) == ["round_unknown"]
    assert "does not say which round" in out.errors[0].message


@pytest.mark.parametrize("title", ["集中期间宣传情况统计表", "年度统计表"])
def test_round_label_counts_only_as_a_word(sd: Campaign, title: str) -> None:
    """中期 inside 集中期间 is no round label; 年度 is generic (and no label here)."""
    out = read_return(sd, _csv([JINAN], title=title), name="returns.csv", today=TODAY)
    assert _reasons(out.errors) == ["round_unknown"]


@pytest.mark.parametrize(("name", "round_id"), [
    ("sd01_mid.csv", "mid"), ("SD01_final.csv", "final"), ("济南市_中期统计表.csv", "mid"),
    ("济南市总结.csv", "final")])
def test_round_from_the_file_name(sd: Campaign, name: str, round_id: str) -> None:
    out = read_return(sd, _csv([JINAN]), name=name, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", round_id)]


def test_round_id_inside_another_word_does_not_count(sd: Campaign) -> None:
    out = read_return(sd, _csv([JINAN]), name="sd01_midterm_finalised.csv", today=TODAY)
    assert _reasons(out.errors) == ["round_unknown"]


@pytest.mark.parametrize("round_id", ["mid", "final"])
def test_period_option_names_the_round(sd: Campaign, round_id: str) -> None:
    out = read_return(sd, _csv([JINAN]), name="returns.csv", round_id=round_id, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", round_id)]


def test_period_option_against_the_file_is_wrong_round(sd: Campaign) -> None:
    out = read_return(sd, _csv([JINAN], title="截至6月15日"), name="r.csv", round_id="final",
                      today=TODAY)
    assert _reasons(out.errors) == ["wrong_round"]


def test_cli_period_option(sd: Campaign, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "returns.csv"
    path.write_bytes(_csv([JINAN]))
    db = str(tmp_path / "ck.db")
    assert main(["ingest", str(SHANDONG), str(path), "--db", db, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [e["reason"] for e in doc["files"][0]["errors"]] == ["round_unknown"]
    assert main(["ingest", str(SHANDONG), str(path), "--db", db, "--json",
                 "--period", "mid"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"][0]["submissions"][0]["round"] == "mid"


def test_single_round_campaign_keeps_its_round(tmp_path: Path) -> None:
    doc = yaml.safe_load(SHANDONG.read_text("utf-8"))
    doc["rounds"] = [r for r in doc["rounds"] if r["id"] == "final"]
    doc["milestones"] = [m for m in doc["milestones"] if m["id"] != "m_mid_report"]
    one = load_campaign_text(yaml.safe_dump(doc, allow_unicode=True))
    out = read_return(one, _csv([JINAN]), name="returns.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "final")]


# --------------------------------------------------------------------------- values


def test_near_synonym_unit_is_read_with_a_warning(sd: Campaign) -> None:
    out = read_return(sd, _csv([["济南市", "10场次", "1,200人", 300, 120, 5]]),
                      name="sd01_mid.csv", today=TODAY)
    assert out.status == "ok", out.errors
    values = {v.indicator: v.value for v in out.submissions[0].values}
    assert values["attendees"] == 1200 and values["sessions"] == 10
    warned = {(w.reason, w.indicator) for w in out.warnings}
    assert {("unit_differs", "attendees"), ("unit_differs", "sessions")} <= warned
    (w,) = [w for w in out.warnings if w.indicator == "attendees"]
    assert "人次" in w.message and "'1,200人'" in w.message and w.column == "参加活动人次"


def test_other_quantity_is_an_error(sd: Campaign) -> None:
    out = read_return(sd, _csv([["济南市", "12份", "3个", 300, 120, 5]]),
                      name="sd01_mid.csv", today=TODAY)
    assert out.status == "rejected"
    assert sorted((p.reason, p.indicator) for p in out.errors) == [
        ("wrong_unit", "attendees"), ("wrong_unit", "sessions")]


# --------------------------------------------------------------------------- our bugs


def _two_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    for code in ("sd01", "sd02"):
        (folder / f"{code}_mid.csv").write_bytes(_csv([JINAN if code == "sd01" else
                                                       ["青岛市", 1, 2, 3, 2, 1]]))
    return [folder]


def test_bug_in_ingest_is_an_internal_error(sd: Campaign, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignkit.ingest as ingest

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(ingest, "_read_official", boom)
    with Store.open(tmp_path / "ck.db") as store, pytest.raises(InternalError) as info:
        ingest_paths(sd, _two_files(tmp_path), store, today=TODAY)
    err = info.value
    assert isinstance(err, CampaignkitError)
    assert err.path.endswith("sd01_mid.csv")
    assert "RuntimeError: a bug of ours" in err.traceback and "Traceback" in err.traceback
    assert "damaged" not in str(err)


def test_bug_in_a_reader_is_not_a_damaged_file(sd: Campaign, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignkit.readers as readers

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a reader bug")

    monkeypatch.setattr(readers, "_read_csv", boom)
    with pytest.raises(InternalError) as info:
        read_return(sd, _csv([JINAN]), name="sd01_mid.csv", today=TODAY)
    assert "RuntimeError: a reader bug" in info.value.traceback


def test_bug_in_a_worker_process_is_an_internal_error(sd: Campaign, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignkit.ingest as ingest

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a worker")

    monkeypatch.setattr(ingest, "_read_official", boom)
    with Store.open(tmp_path / "ck.db") as store, pytest.raises(InternalError) as info:
        ingest_paths(sd, _two_files(tmp_path), store, today=TODAY, workers=2)
    assert "RuntimeError: a bug in a worker" in info.value.traceback
    assert info.value.path.endswith("_mid.csv")


def test_damaged_file_stays_damaged_file(sd: Campaign) -> None:
    data = workbook_bytes(_template(sd, "SD01", "mid"))[:3000]
    out = read_return(sd, data, name="sd01_mid.xlsx", today=TODAY)
    assert _reasons(out.errors) == ["damaged_file"]


def test_calamine_panic_is_a_damaged_file(sd: Campaign) -> None:
    """A Rust panic of calamine on bad .xls bytes is the file's fault, not a crash.

    Before the fix the panic (a BaseException) escaped every handler and ended the run.
    """
    path = ROOT / "tests" / "data" / "exact_ingest" / "calamine_panic.xls"
    out = read_return(sd, path, name=path.name, today=TODAY)
    assert _reasons(out.errors) == ["damaged_file"]


def test_damaged_row_number_is_a_damaged_file(sd: Campaign) -> None:
    """A <row r="A0"> (found by fuzzing) is a damaged sheet, not an internal error."""
    src = io.BytesIO(workbook_bytes(_template(sd, "SD01", "mid")))
    out_buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out_buf, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="1"', b'<row r="A0"', 1).replace(
                    b'<c r="A1"', b"<c", 1)  # the cell's place falls back on its row
            zout.writestr(item, data)
    out = read_return(sd, out_buf.getvalue(), name="sd01_mid.xlsx", today=TODAY)
    assert _reasons(out.errors) == ["damaged_file"]
    assert "row numbered 'A0'" in out.errors[0].message


def test_quarantine_failure_is_reported_and_leaves_nothing(
        sd: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "in" / "returns.csv"
    bad.parent.mkdir()
    bad.write_bytes(_csv([JINAN]))  # round_unknown: rejected
    qdir = tmp_path / "q"

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copy2", fail)
    monkeypatch.setattr(shutil, "copyfile", fail)
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(sd, [bad], store, quarantine=qdir, today=TODAY)
    (f,) = report.files
    assert f.status == "rejected" and f.quarantined is None
    assert _reasons(f.errors) == ["round_unknown", "quarantine_failed"]
    assert "No space left on device" in f.errors[-1].message
    assert str(qdir) in f.errors[-1].message
    assert list(qdir.iterdir()) == [] if qdir.exists() else True


def test_read_only_quarantine_folder(sd: Campaign, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "in" / "returns.csv"
    bad.parent.mkdir()
    bad.write_bytes(_csv([JINAN]))
    qdir = tmp_path / "q"
    qdir.mkdir()
    qdir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root ignores directory permissions: refuse as the kernel would

        def denied(*args: Any, **kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied", str(qdir))

        monkeypatch.setattr(shutil, "copy2", denied)
        monkeypatch.setattr(shutil, "copyfile", denied)
    try:
        with Store.open(tmp_path / "ck.db") as store:
            report = ingest_paths(sd, [bad], store, quarantine=qdir, today=TODAY)
    finally:
        qdir.chmod(stat.S_IRWXU)
    (f,) = report.files
    assert "quarantine_failed" in _reasons(f.errors)
    assert list(qdir.iterdir()) == []


def test_quarantine_copy_is_complete(sd: Campaign, tmp_path: Path) -> None:
    bad = tmp_path / "in" / "returns.csv"
    bad.parent.mkdir()
    bad.write_bytes(_csv([JINAN]))
    qdir = tmp_path / "q"
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(sd, [bad], store, quarantine=qdir, today=TODAY)
    (f,) = report.files
    assert f.quarantined == str(qdir / "returns.csv")
    assert (qdir / "returns.csv").read_bytes() == bad.read_bytes()
    assert "[round_unknown]" in (qdir / "returns.csv.errors.txt").read_text("utf-8")
    assert sorted(p.name for p in qdir.iterdir()) == ["returns.csv", "returns.csv.errors.txt"]


# --------------------------------------------------------------------------- stretch


@pytest.mark.parametrize("head", ["填报单位", "填表单位", "地区", "市州"])
def test_csv_unit_column_headed_like_the_forms(sd: Campaign, head: str) -> None:
    data = _csv([JINAN, ["青岛市", 1, 2, 3, 2, 1]], header=[head, *HEADER[1:]])
    out = read_return(sd, data, name="汇总_mid.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid"), ("SD02", "mid")]
