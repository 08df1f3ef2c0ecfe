"""Forms that say their round, and visible identity that must agree with the hidden one (issue 15).

On the Shandong test campaign (``tests/data/shandong_jobs_2025``, written from the docs; rounds
``mid`` 截至6月15日, due 6月18日, and ``final`` 截至6月30日, due 7月5日):

- every form prints its round (label and 截至 date), its unit and its deadline in the lines
  above the table and in the print header; ``forms.rounds.<id>`` changes the text per round;
- forms are named as an office names them (``济南市_中期统计表.xlsx``), safely;
- a form whose visible round text or 截至 date was edited to another round is rejected
  (``round_mismatch``), and a file name naming another round is a warning
  (``round_name_differs``) — the same rule as issue 8's ``unit_mismatch``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from campaignkit import SpecError, load_campaign
from campaignkit.cli import main
from campaignkit.forms import (
    FormError,
    build_form,
    build_rollup,
    defined_cells,
    form_filename,
    input_cells,
    read_identity,
    rollup_filename,
    workbook_bytes,
    write_forms,
)
from campaignkit.ingest import FileOutcome, read_return
from campaignkit.spec import Campaign, load_campaign_text

from .conftest import FUJIAN, HUBEI, ROOT

SHANDONG = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
TODAY = dt.date(2025, 7, 20)
MID_LINE = "中期统计（截至2025年6月15日）"
FINAL_LINE = "总结统计（截至2025年6月30日）"


@pytest.fixture(scope="module")
def sd() -> Campaign:
    return load_campaign(SHANDONG)


def _variant(tmp_path: Path, forms: dict[str, Any]) -> Path:
    """Write the Shandong spec with its ``forms:`` block updated by ``forms``."""
    doc = yaml.safe_load(SHANDONG.read_text(encoding="utf-8"))
    doc["forms"] = {**doc["forms"], **forms}
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _band(ws: Any, wb: Any) -> list[str]:
    """Texts of the rows a clerk reads above the figures (everything above the first input)."""
    first = min(ws[ref].row for _, ref in input_cells(wb).values())
    return [str(c.value) for row in ws.iter_rows(max_row=first - 1) for c in row
            if isinstance(c.value, str)]


def _reasons(problems: Any) -> list[str]:
    return [p.reason for p in problems]


def _units(out: FileOutcome) -> list[tuple[str, str]]:
    return [(s.unit, s.round) for s in out.submissions]


def _filled(c: Campaign, code: str, round_id: str) -> Any:
    wb = build_form(c, code, round_id)
    cells = input_cells(wb)
    for ind, v in (("sessions", 8), ("attendees", 900), ("materials", 200)):
        sheet, ref = cells[ind]
        wb[sheet][ref] = v
    return wb


def _set(wb: Any, name: str, text: str) -> None:
    sheet, ref = defined_cells(wb)[name]
    wb[sheet][ref] = text


# --------------------------------------------------------------------------- item 1: visibly


@pytest.mark.parametrize(("round_id", "line", "deadline"), [
    ("mid", MID_LINE, "请于2025年6月18日前报送"),
    ("final", FINAL_LINE, "请于2025年7月5日前报送"),
])
def test_every_form_prints_its_round_unit_and_deadline(sd: Campaign, round_id: str, line: str,
                                                       deadline: str) -> None:
    """Before: the mid and final forms of a unit were identical on screen and on paper."""
    for unit in sd.reporters(round_id):
        wb = build_form(sd, unit.code, round_id)
        ws = wb["统计表"]
        band = _band(ws, wb)
        assert any(line in t for t in band), (unit.code, band)
        assert any(deadline in t for t in band), (unit.code, band)
        # the unit is named above the figures, not only in the 填报单位 line below them
        assert any(unit.name in t for t in band), (unit.code, band)
        # and on every printed page
        header = " ".join(part.text or "" for part in (ws.oddHeader.left, ws.oddHeader.center,
                                                        ws.oddHeader.right))
        assert line in header and deadline in header and unit.name in header
        # the round line carries a name of its own, and the identity says what was printed
        _, ref = defined_cells(wb)["ck_round"]
        assert line in ws[ref].value and ws[ref].protection.locked
        ident = read_identity(wb)
        assert ident is not None and ident["round"] == round_id
        assert ident["round_line"] == ws[ref].value


@pytest.mark.parametrize("spec", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_the_samples_forms_say_their_round_too(spec: Path) -> None:
    c = load_campaign(spec)
    for rnd in c.rounds:
        unit = c.reporters(rnd.id)[0]
        wb = build_form(c, unit.code, rnd.id)
        band = " ".join(_band(wb[c.forms.get("sheet", "统计表")], wb))
        end, due = rnd.period_end.date, rnd.deadline
        assert f"{end.year}年{end.month}月{end.day}日" in band, band
        assert f"请于{due.year}年{due.month}月{due.day}日前报送" in band, band
        assert rnd.label in band and unit.name in band


def test_forms_text_can_differ_per_round(sd: Campaign, tmp_path: Path) -> None:
    spec = _variant(tmp_path, {"rounds": {"mid": {
        "title": "稳就业政策集中宣传月活动中期进展统计表", "subtitle": "（截至6月15日）",
        "deadline_line": "请于{deadline}前报省厅就业促进处"}}})
    c = load_campaign(spec)
    mid, final = build_form(c, "SD01", "mid")["统计表"], build_form(c, "SD01", "final")["统计表"]
    assert mid["A2"].value == "稳就业政策集中宣传月活动中期进展统计表"
    assert mid["A3"].value == "（截至6月15日）"
    assert any(str(c_.value) == "请于2025年6月18日前报省厅就业促进处"
               for row in mid.iter_rows(max_row=6) for c_ in row)
    assert final["A2"].value == "稳就业政策集中宣传月活动情况统计表"  # the shared title
    assert final["A3"].value != "（截至6月15日）"


def test_a_round_line_that_does_not_say_its_round_is_refused(tmp_path: Path) -> None:
    c = load_campaign(_variant(tmp_path, {"round_line": "{unit}统计表"}))
    with pytest.raises(FormError, match=r"forms\.round_line"):
        build_form(c, "SD01", "mid")
    ok = load_campaign(_variant(tmp_path, {"round_line": "{unit}（截至{period_end}）"}))
    assert read_identity(build_form(ok, "SD01", "mid"))["round_line"] == (  # type: ignore[index]
        "济南市（截至2025年6月15日）")


def test_a_rollup_says_its_round_too(sd: Campaign) -> None:
    wb = build_rollup(sd, "SD", {"SD01": {"sessions": 3}}, "mid")
    ws = wb["统计表"]
    texts = [str(c.value) for row in ws.iter_rows(max_row=6) for c in row if c.value]
    assert any(MID_LINE in t for t in texts) and any("山东省" in t for t in texts)


# --------------------------------------------------------------------------- file names


def test_forms_have_office_style_names(sd: Campaign, tmp_path: Path) -> None:
    """Before: sd_jobs_2025_mid_SD01_济南市.xlsx — English ids first, the round only as an id."""
    paths = write_forms(sd, tmp_path, round_id="mid")
    names = [p.name for p in paths]
    assert "济南市_中期统计表.xlsx" in names and "省就业服务中心_中期统计表.xlsx" in names
    assert len(names) == len(set(names)) == len(sd.reporters("mid"))
    assert form_filename(sd, "SD01", "final") == "济南市_总结统计表.xlsx"
    assert rollup_filename(sd, "SD", "mid") == "山东省_中期统计表_汇总.xlsx"
    # each name says its unit and round to ingest as well
    assert sd.units_in_name("济南市_中期统计表") == ("SD01",)


def test_file_name_pattern_is_configurable(tmp_path: Path) -> None:
    c = load_campaign(_variant(tmp_path, {
        "file_name": "{unit_code}_{unit}_{round_label}统计表（截至{period_end}）",
        "rounds": {"final": {"file_name": "{unit}_{round_label}报表"}}}))
    assert form_filename(c, "SD01", "mid") == "SD01_济南市_中期统计表（截至2025年6月15日）.xlsx"
    assert form_filename(c, "SD01", "final") == "济南市_总结报表.xlsx"


def test_file_names_are_safe_and_bounded(sd: Campaign) -> None:
    long_name = "青岛/市:人社*局?" + "很长的单位名称" * 40
    units = tuple(dataclasses.replace(u, name=long_name) if u.code == "SD02" else u
                  for u in sd.units)
    c = sd.replace(units=units,
                   forms={**sd.forms, "file_name": "{title}" * 10 + "_{unit}_{round_label}"})
    name = form_filename(c, "SD02", "mid")
    assert "/" not in name and ":" not in name and "*" not in name and "?" not in name
    assert len(name.encode("utf-8")) <= 180
    assert name.endswith(".xlsx") and "中期" in name and name.startswith("青岛_市_人社_局_")
    long = form_filename(c, "SD01", "mid")  # a long pattern falls back to unit and round
    assert len(long.encode("utf-8")) <= 180 and "济南市" in long and "中期" in long


def test_two_units_of_one_name_get_distinct_files(sd: Campaign, tmp_path: Path) -> None:
    units = tuple(dataclasses.replace(u, name="济南市", aliases=()) if u.code == "SD02" else u
                  for u in sd.units)
    c = sd.replace(units=units)
    one, two = form_filename(c, "SD01", "mid"), form_filename(c, "SD02", "mid")
    assert one != two and "SD01" in one and "SD02" in two
    assert len(write_forms(c, tmp_path, units=["SD01", "SD02"], round_id="mid")) == 2
    assert len(list(tmp_path.glob("*.xlsx"))) == 2


def test_cli_forms_prints_office_style_names(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", str(SHANDONG), "--out", str(tmp_path), "--period", "mid",
                 "--unit", "SD01"]) == 0
    out = capsys.readouterr().out
    assert "济南市_中期统计表.xlsx" in out
    assert (tmp_path / "济南市_中期统计表.xlsx").is_file()


# --------------------------------------------------------------------------- spec keys


def _spec_issues(tmp_path: Path, forms: dict[str, Any]) -> dict[str, str]:
    text = _variant(tmp_path, forms).read_text(encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_campaign_text(text, "spec.yaml")
    return {i.path: i.message for i in info.value.issues}


def test_forms_rounds_must_name_rounds(tmp_path: Path) -> None:
    issues = _spec_issues(tmp_path, {"rounds": {"q3": {"title": "三季度统计表"}}})
    assert "forms.rounds.q3" in issues and "mid" in issues["forms.rounds.q3"]


@pytest.mark.parametrize("pattern", ["{unit}_{bogus}", "forms/{unit}", "{unit.name}"])
def test_file_name_pattern_is_checked(tmp_path: Path, pattern: str) -> None:
    issues = _spec_issues(tmp_path, {"file_name": pattern})
    assert any(path.startswith("forms") for path in issues), issues


# --------------------------------------------------------------------------- item 2: agreement


@pytest.mark.parametrize(("where", "text"), [
    ("ck_round", "济南市　" + FINAL_LINE),             # the round line rewritten for the final
    ("ck_round", "济南市　中期统计（截至2025年6月30日）"),  # only its 截至 date changed
    ("ck_round", "济南市　总结统计"),                     # only its label changed
    ("title", "稳就业政策集中宣传月活动总结统计表"),       # the title rewritten
])
def test_a_mid_form_edited_to_say_final_is_rejected(sd: Campaign, tmp_path: Path, where: str,
                                                    text: str) -> None:
    """Before: a mid form edited for the final round was stored as mid without a word."""
    wb = _filled(sd, "SD01", "mid")
    if where == "ck_round":
        _set(wb, "ck_round", text)
    else:
        wb["统计表"]["A2"] = text
    out = read_return(sd, workbook_bytes(wb), name="济南市_中期统计表.xlsx", today=TODAY)
    assert out.status == "rejected", _units(out)
    assert _reasons(out.errors) == ["round_mismatch"]
    err = out.errors[0]
    assert err.sheet == "统计表" and err.cell is not None
    assert "mid" in err.message and "final" in err.message  # both rounds named
    assert "--period final" in err.message  # how to get the right form
    assert err.raw == text


def test_a_date_of_no_round_on_the_round_line_is_a_mismatch(sd: Campaign) -> None:
    wb = _filled(sd, "SD01", "mid")
    _set(wb, "ck_round", "济南市　中期统计（截至2025年6月20日）")
    out = read_return(sd, workbook_bytes(wb), name="f.xlsx", today=TODAY)
    assert _reasons(out.errors) == ["round_mismatch"]
    assert "2025-06-20" in out.errors[0].message


def test_an_untouched_form_and_a_harmless_edit_are_accepted(sd: Campaign) -> None:
    for text in (None, "", "济南市人社局　中期统计（截至6月15日）"):
        wb = _filled(sd, "SD01", "mid")
        if text is not None:
            _set(wb, "ck_round", text)
        out = read_return(sd, workbook_bytes(wb), name="济南市_中期统计表.xlsx", today=TODAY)
        assert out.status == "ok", out.errors
        assert _units(out) == [("SD01", "mid")] and not out.warnings


def test_the_specs_own_text_is_never_held_against_its_form(tmp_path: Path) -> None:
    """A title shared by both rounds that happens to say 中期 does not reject final forms."""
    c = load_campaign(_variant(tmp_path, {"title": "稳就业政策集中宣传月活动中期统计表"}))
    out = read_return(c, workbook_bytes(_filled(c, "SD01", "final")), name="f.xlsx",
                      today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "final")]


def test_a_form_made_before_forms_said_their_round_is_read_as_before(sd: Campaign) -> None:
    wb = _filled(sd, "SD01", "mid")
    for name in ("ck_round", "ck_band"):
        del wb.defined_names[name]
    _set_cell = wb["统计表"]["A3"]
    _set_cell.value = "截至2025年6月30日"  # no band any more: nothing is compared
    out = read_return(sd, workbook_bytes(wb), name="f.xlsx", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]


def test_a_file_name_naming_another_round_is_a_warning(sd: Campaign) -> None:
    out = read_return(sd, workbook_bytes(_filled(sd, "SD01", "mid")),
                      name="济南市_总结统计表.xlsx", today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "mid")]
    assert _reasons(out.warnings) == ["round_name_differs"]
    msg = out.warnings[0].message
    assert "mid" in msg and "final" in msg and "济南市_总结统计表.xlsx" in msg


def test_a_rollup_edited_to_another_round_is_rejected(sd: Campaign) -> None:
    wb = build_rollup(sd, "SD", {"SD01": {"sessions": 3}, "SD02": {"sessions": 4}}, "mid")
    _set(wb, "ck_round", "山东省　" + FINAL_LINE)
    out = read_return(sd, workbook_bytes(wb), name="r.xlsx", today=TODAY)
    assert _reasons(out.errors) == ["round_mismatch"]


def test_a_handmade_table_whose_name_names_another_round_warns(sd: Campaign,
                                                               tmp_path: Path) -> None:
    """The table's own title wins over its file name, as 填报单位 wins for the unit.

    Before: the file name and the title were two statements of equal weight (round_unknown).
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["稳就业政策集中宣传月活动情况统计表（截至2025年6月30日）"])
    ws.append(["单位", "举办政策宣讲活动场次", "参加活动人次", "发放宣传资料份数"])
    ws.append(["济南市", 10, 1200, 300])
    path = tmp_path / "济南市_中期统计表.xlsx"
    wb.save(path)
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert _units(out) == [("SD01", "final")]
    assert "round_name_differs" in _reasons(out.warnings)
