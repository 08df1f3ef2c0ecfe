"""Exact figures on the Shandong spec: what counts, how it rounds, and what it is compared with.

山东省 (SD) has 16 cities SD01..SD16 and one provincial division SD_JOB (省就业服务中心); the
county 历城区 SD0101 sits under 济南市 SD01. Both rounds are returned by cities and the division
only (``reporters: [city, dept]``): `mid` (period_end 6-15, due 6-18) and `final` (due 7-05).
Cities' townships: 10 12 9 8 7 14 13 15 9 6 7 16 11 12 9 14 (Σ 172); 历城区 3 of 济南's 10.

Every expected figure is worked out by hand next to it. Variants of the spec (other
reporters, other township counts, ``decimals``) are built here from its text; the committed
spec is never changed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from campaignkit import Campaign, load_campaign
from campaignkit.cli import main
from campaignkit.errors import SpecError
from campaignkit.forms import build_form, build_rollup, input_cells, rollup_cells, workbook_bytes
from campaignkit.milestones import STATUS_LABELS, behind, status_json, status_text
from campaignkit.rounding import round_half_up
from campaignkit.spec import load_campaign_text
from campaignkit.stats import (
    Frames,
    children_table,
    frames_from_lists,
    frames_from_store,
    reporter_status,
    reporting,
    rollup,
    rollup_rows,
    stats_json,
    stats_text,
)

from .conftest import ROOT
from .test_stats import write_store

SHANDONG = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
TEXT = SHANDONG.read_text(encoding="utf-8")
CITIES = [f"SD{i:02d}" for i in range(1, 17)]
TOWNSHIPS = dict(zip(CITIES, [10, 12, 9, 8, 7, 14, 13, 15, 9, 6, 7, 16, 11, 12, 9, 14],
                     strict=True))
JUN12, JUN14, JUN16, JUN17, JUN18, JUN19, JUN20 = (date(2025, 6, d)
                                                   for d in (12, 14, 16, 17, 18, 19, 20))


@pytest.fixture(scope="module")
def sd() -> Campaign:
    return load_campaign(SHANDONG)


def variant(*edits: tuple[str, str]) -> tuple[Campaign, str]:
    """The Shandong spec with text edits (each ``old`` must occur), loaded, and its text."""
    text = TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return load_campaign_text(text, "variant"), text


def ret(unit: str, values: dict[str, Any], on: str = "2025-06-16", *, ident: int,
        rnd: str = "mid", kind: str = "consolidated") -> dict[str, Any]:
    return {"id": ident, "unit": unit, "round": rnd, "received_on": on, "return_type": kind,
            "values": values}


def without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in keys}


# ---------------------------------------------------------------------------------------
# 1. Only reporters count
# ---------------------------------------------------------------------------------------
def _reporters_only() -> list[dict[str, Any]]:
    return [
        # 济南市's consolidated mid return, received 6-16 (on time)
        ret("SD01", {"sessions": 20, "attendees": 600, "materials": 1000, "avg_attendance": 30,
                     "townships_covered": 5}, ident=1),
        # 青岛市 (6-13) and the division (6-16)
        ret("SD02", {"sessions": 10, "attendees": 200, "materials": 500, "avg_attendance": 20,
                     "townships_covered": 6}, "2025-06-13", ident=2),
        ret("SD_JOB", {"sessions": 4, "attendees": 80, "avg_attendance": 20}, ident=3),
        ret("SD03", {"sessions": 2, "attendees": 30, "avg_attendance": 15,
                     "townships_covered": 1}, ident=4),
    ]


# 历城区 (a county: not a reporter of `mid`) sends its own table on 6-12, before 济南市
COUNTY = ret("SD0101", {"sessions": 7, "attendees": 350, "materials": 90, "avg_attendance": 50,
                        "townships_covered": 3}, "2025-06-12", ident=9)


@pytest.mark.parametrize("kind", ["consolidated", "own"])
@pytest.mark.parametrize("day", [JUN14, JUN20], ids=["before-jinan", "after-jinan"])
def test_a_county_return_never_changes_any_figure(sd: Campaign, kind: str, day: date) -> None:
    clean = frames_from_lists(submissions=_reporters_only())
    noisy = frames_from_lists(submissions=[*_reporters_only(), dict(COUNTY, return_type=kind)])
    for unit in ("SD", "SD01"):
        a = stats_json(sd, clean, unit, day, "mid")
        b = stats_json(sd, noisy, unit, day, "mid")
        # every figure is the same: values, children, rankings, shares, outliers, coverage,
        # reporting rates, consolidated differences, sources — only the listing differs
        assert without(b, "received_not_used") == without(a, "received_not_used"), unit
        assert a["received_not_used"] == []
        assert b["received_not_used"] == [{"unit": "SD0101", "name": "历城区", "round": "mid",
                                           "received_on": "2025-06-12",
                                           "reason": "not_a_reporter"}]
        assert status_json(sd, noisy, day, unit=unit)["reporting"] == status_json(
            sd, clean, day, unit=unit)["reporting"]
    r = rollup(sd, noisy, "SD", day, "mid")
    if day == JUN14:
        # 济南市 has sent nothing yet: it has no figure (not 历城区's 7), and SD has only
        # 青岛市's 10 (not 17)
        assert r.value("sessions", "SD01") is None and r.basis["SD01"] == "none"
        assert r.value("sessions") == 10
    else:
        # 济南市's consolidated 20 stands, with no difference to a county that does not report
        assert r.value("sessions", "SD01") == 20 and r.basis["SD01"] == "consolidated"
        assert r.value("sessions") == 36
        assert r.differences.empty
    assert r.value("sessions", "SD0101") is None
    assert 9 not in r.sources(indicator="sessions")
    # coverage of 济南市 counts none of 历城区's townships (3 covered of 3)
    assert rollup(sd, noisy, "SD01", JUN14, "mid").value("township_coverage") is None


def test_received_not_used_through_the_real_ingest_path(sd: Campaign, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from campaignkit.ingest import ingest_paths
    from campaignkit.store import Store

    def form(code: str, values: dict[str, int]) -> Path:
        wb = build_form(sd, code, "mid")
        cells = input_cells(wb)
        for ind, v in values.items():
            sheet, ref = cells[ind]
            wb[sheet][ref] = v
        path = tmp_path / f"{code}_mid.xlsx"
        path.write_bytes(workbook_bytes(wb))
        return path

    county = form("SD0101", {"sessions": 7, "townships_covered": 3})
    jinan = form("SD01", {"sessions": 20, "townships_covered": 5})
    db = tmp_path / "campaignkit.db"
    with Store.open(db) as store:
        store.sync_units(sd)
        first = ingest_paths(sd, [county], store, round_id="mid", received=JUN12).to_json()
        ingest_paths(sd, [jinan], store, round_id="mid", received=JUN16)
        frames = frames_from_store(store, sd.id)
    (f,) = first["files"]
    assert f["status"] == "accepted"
    assert [w["reason"] for w in f["warnings"]] == ["not_a_reporter"]
    doc = stats_json(sd, frames, "SD", JUN20, "mid")
    assert doc["values"]["sessions"] == 20 and doc["consolidated_differences"] == []
    assert doc["received_not_used"][0]["unit"] == "SD0101"
    assert doc["received_not_used"][0]["reason"] == "not_a_reporter"
    # the command line says it too, in JSON and in words
    assert main(["stats", str(SHANDONG), "--db", str(db), "--as-of", "2025-06-20",
                 "--period", "mid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["received_not_used"] == doc["received_not_used"]
    assert main(["stats", str(SHANDONG), "--db", str(db), "--as-of", "2025-06-20",
                 "--period", "mid"]) == 0
    text = capsys.readouterr().out
    assert "收到但未计入" in text and "历城区" in text


# ---------------------------------------------------------------------------------------
# 2. Rounded as officials round (四舍五入)
# ---------------------------------------------------------------------------------------
def test_half_cases_round_up_everywhere(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    # only the 16 cities report `mid`: 济南市 alone returns, on time → 1/16 = 6.25%
    c, text = variant(("reporters: [city, dept]", "reporters: [city]"))
    frames = frames_from_lists(submissions=[ret("SD01", {"sessions": 3}, ident=1)])
    assert round(6.25, 1) == 6.2  # what Python would print
    st = status_json(c, frames, JUN20, unit="SD")
    mid = next(r for r in st["reporting"] if r["round"] == "mid")
    assert (mid["expected"], mid["received"], mid["on_time"]) == (16, 1, 1)
    assert mid["rate"] == 6.3 and mid["on_time_rate"] == 6.3
    doc = stats_json(c, frames, "SD", JUN20, "mid")
    assert doc["rate"] == 6.3 and doc["on_time_rate"] == 6.3
    # … and in the text the commands print
    spec = tmp_path / "campaign.yaml"
    spec.write_text(text, encoding="utf-8")
    db = tmp_path / "campaignkit.db"
    write_store(db, c, frames)
    assert main(["status", str(spec), "--db", str(db), "--as-of", "2025-06-20"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "（mid）" in line)
    assert row.split()[-2:] == ["6.3", "6.3"], row
    assert main(["status", str(spec), "--db", str(db), "--as-of", "2025-06-20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reporting"][0]["rate"] == 6.3
    assert main(["stats", str(spec), "--db", str(db), "--as-of", "2025-06-20",
                 "--period", "mid"]) == 0
    out = capsys.readouterr().out
    assert "已报 1（6.3%）" in out and "按时 1（6.3%）" in out


def test_coverage_and_shares_round_half_up(sd: Campaign) -> None:
    # 临沂市 SD12 covers 1 of its 16 townships: 6.25% → 6.3; it holds 1 of 16 sessions: 6.25%
    frames = frames_from_lists(submissions=[
        ret("SD12", {"sessions": 1, "townships_covered": 1}, ident=1),
        ret("SD13", {"sessions": 15, "townships_covered": 11}, ident=2)])
    doc = stats_json(sd, frames, "SD", JUN20, "mid")
    assert doc["children"]["SD12"]["township_coverage"] == 6.3
    cov = {e["unit"]: e for e in doc["ranking"]["township_coverage"]}
    assert cov["SD12"]["value"] == 6.3
    shares = {e["unit"]: e["share"] for e in doc["ranking"]["sessions"]}
    assert shares["SD12"] == 6.3 and shares["SD13"] == 93.8  # 15/16 = 93.75
    # SD: (1 + 11) / (16 + 11) = 44.444… → 44.4
    assert doc["values"]["township_coverage"] == 44.4
    text = stats_text(sd, doc)
    overview = next(line for line in text.splitlines() if line.startswith("临沂市"))
    assert "6.3" in overview.split() and "6.2" not in overview.split()


def test_rates_round_on_the_clerks_figure_not_on_binary_noise(sd: Campaign) -> None:
    # 41 of 80 sessions is 51.25% to a clerk: 51.3, though 41 / 80 * 100 = 51.24999999999999
    assert 41 / 80 * 100 != 51.25
    frames = frames_from_lists(submissions=[
        ret("SD12", {"sessions": 41}, ident=1), ret("SD13", {"sessions": 39}, ident=2)])
    shares = {e["unit"]: e["share"] for e in
              stats_json(sd, frames, "SD", JUN20, "mid")["ranking"]["sessions"]}
    assert shares == {"SD12": 51.3, "SD13": 48.8}  # 48.75 → 48.8


def test_completion_rate_and_time_progress_round_half_up() -> None:
    # 济南市's (synthetic) target raised to 80 sessions: 5 held → 完成率 6.25% → 6.3
    c, _ = variant(("{unit: SD01, indicator: sessions, value: 40",
                    "{unit: SD01, indicator: sessions, value: 80"))
    frames = frames_from_lists(submissions=[ret("SD01", {"sessions": 5}, "2025-06-04",
                                                ident=1)])
    doc = stats_json(c, frames, "SD", date(2025, 6, 5), "mid")
    row = next(p for p in doc["progress"] if (p["unit"], p["indicator"]) == ("SD01", "sessions"))
    assert row["completion_rate"] == 6.3
    # 序时进度 on 6-05: 5 of the 40 days 6-01…7-10 = 12.5
    assert doc["time_progress"] == 12.5 and row["time_progress"] == 12.5
    # the gap is the difference of the printed figures, 6.3 − 12.5 = −6.2 points (not the
    # raw −6.25 rounded to −6.3, which would not match the two figures printed beside it)
    assert row["gap"] == -6.2
    # status says the same in words
    b = behind(c, frames, date(2025, 6, 5), unit="SD", round_id="mid").set_index("unit")
    assert "完成率 6.3%，低于序时进度 12.5%（差 6.2 个百分点" in b.loc["SD01", "detail"]


def test_text_rounds_half_up_whatever_it_is_given(sd: Campaign) -> None:
    from campaignkit.stats import format_table

    # a figure that reaches the text unrounded is printed as officials round it
    assert format_table(["率"], [[6.25]]).splitlines()[-1].strip() == "6.3"
    doc = stats_json(sd, frames_from_lists(), "SD", JUN20, "mid")
    text = stats_text(sd, {**doc, "rate": 6.25, "on_time_rate": 0.05})
    assert "（6.3%）" in text and "（0.1%）" in text


def test_tied_rates_rank_on_the_printed_figure() -> None:
    # 青岛市 with 63 townships covers 4: 6.349…% → 6.3; 临沂市 covers 1 of 16: 6.25% → 6.3.
    # Both print 6.3, so they share first place (half-even would print 6.2 and rank it 2nd)
    c, _ = variant(("{code: SD02, name: 青岛市, parent: SD, level: city, townships: 12",
                    "{code: SD02, name: 青岛市, parent: SD, level: city, townships: 63"))
    frames = frames_from_lists(submissions=[
        ret("SD02", {"townships_covered": 4}, ident=1),
        ret("SD12", {"townships_covered": 1}, ident=2),
        ret("SD13", {"townships_covered": 0}, ident=3)])
    t = children_table(c, frames, "SD", JUN20, "mid",
                       indicators=["township_coverage"]).set_index("unit")
    assert t.loc["SD02", "rank_label"] == "并列第1" and t.loc["SD12", "rank_label"] == "并列第1"
    assert t.loc["SD13", "rank_label"] == "第3"
    # the raw values are kept: only the rank is taken on the printed figure
    assert t.loc["SD12", "value"] == 6.25
    doc = stats_json(c, frames, "SD", JUN20, "mid")
    entries = {e["unit"]: e for e in doc["ranking"]["township_coverage"]}
    assert entries["SD02"]["value"] == entries["SD12"]["value"] == 6.3
    assert entries["SD02"]["rank"] == entries["SD12"]["rank"] == 1


# ---------------------------------------------------------------------------------------
# 3. Comparisons at the form's precision
# ---------------------------------------------------------------------------------------
def _precision_variant(decimals: str) -> Campaign:
    # 历城区 reports too (so 济南市's consolidated return has a child to compare with)
    return variant(("reporters: [city, dept]", "reporters: [city, dept, county]"),
                   ("    weight: sessions\n", f"    weight: sessions\n{decimals}"))[0]


def _precision_frames() -> Frames:
    return frames_from_lists(submissions=[
        # 济南市 types 12.34 into the one-decimal field; 历城区 (its only child) 12.3
        ret("SD01", {"sessions": 10, "avg_attendance": 12.34}, ident=1),
        ret("SD0101", {"sessions": 10, "avg_attendance": 12.3}, ident=2, kind="own")])


def test_decimals_default_by_type(sd: Campaign) -> None:
    assert sd.indicator("sessions").digits == 0
    assert sd.indicator("avg_attendance").digits == 2
    assert sd.indicator("township_coverage").digits == 1
    assert _precision_variant("    decimals: 1\n").indicator("avg_attendance").digits == 1
    with pytest.raises(SpecError, match=r"indicators\[3\]\.decimals"):
        _precision_variant("    decimals: -1\n")


def test_consolidated_is_compared_at_the_forms_precision() -> None:
    one = _precision_variant("    decimals: 1\n")
    two = _precision_variant("")
    frames = _precision_frames()
    # at one decimal 12.34 is 12.3: no difference; sessions 10 = 10: none either
    d1 = rollup(one, frames, "SD01", JUN20, "mid").differences.set_index("indicator")
    assert d1.loc["avg_attendance", "difference"] == 0
    assert stats_json(one, frames, "SD01", JUN20, "mid")["consolidated_differences"] == []
    # at the default two decimals 12.34 ≠ 12.30: a difference of 0.04
    d2 = rollup(two, frames, "SD01", JUN20, "mid").differences.set_index("indicator")
    assert d2.loc["avg_attendance", "difference"] == pytest.approx(0.04)
    diffs = stats_json(two, frames, "SD01", JUN20, "mid")["consolidated_differences"]
    assert [(d["indicator"], d["difference"]) for d in diffs] == [("avg_attendance", 0.04)]
    # 12.35 against 12.3 at one decimal: 12.4 − 12.3 (四舍五入), a difference of 0.1
    f = frames_from_lists(submissions=[
        ret("SD01", {"sessions": 10, "avg_attendance": 12.35}, ident=1),
        ret("SD0101", {"sessions": 10, "avg_attendance": 12.3}, ident=2, kind="own")])
    d = stats_json(one, f, "SD01", JUN20, "mid")["consolidated_differences"]
    assert [(x["indicator"], x["difference"]) for x in d] == [("avg_attendance", 0.1)]


# ---------------------------------------------------------------------------------------
# 4. Levels kept apart
# ---------------------------------------------------------------------------------------
def test_ranking_is_per_level_and_says_its_level(sd: Campaign) -> None:
    frames = frames_from_lists(submissions=[
        ret("SD_JOB", {"sessions": 30}, ident=1),
        ret("SD01", {"sessions": 20}, ident=2),
        ret("SD02", {"sessions": 20}, ident=3),
        ret("SD03", {"sessions": 10}, ident=4)])
    doc = stats_json(sd, frames, "SD", JUN20, "mid")
    got = [(e["level"], e["unit"], e["rank_label"]) for e in doc["ranking"]["sessions"]]
    # 市州 among themselves, then the division alone: it neither takes 第1 from 济南/青岛
    # nor pushes 淄博 down to 第4
    assert got == [("city", "SD01", "并列第1"), ("city", "SD02", "并列第1"),
                   ("city", "SD03", "第3"), ("dept", "SD_JOB", "第1")]
    # "first among children" names the first of each level, each under its level's name
    text = stats_text(sd, doc)
    row = next(line for line in text.splitlines() if line.startswith("举办政策宣讲活动场次"))
    assert "市州：济南市、青岛市" in row and "省直单位：省就业服务中心" in row
    assert row.index("市州") < row.index("省直单位")


# ---------------------------------------------------------------------------------------
# 5. Not due is not missing
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", [JUN17, JUN18])
def test_before_the_deadline_no_return_is_not_yet_due(sd: Campaign, day: date) -> None:
    frames = frames_from_lists(submissions=[ret("SD01", {"sessions": 20}, ident=1)])
    rs = reporter_status(sd, frames, day, "mid")
    assert rs.loc["SD02", "status"] == "not_yet_due" and rs.loc["SD_JOB", "status"] == (
        "not_yet_due")
    assert rs.loc["SD01", "status"] == "on_time"
    rep = reporting(sd, frames, day, "mid").loc["SD"]
    # 17 expected, 1 returned; 16 not yet due: the rate is over the 1 due, not lowered to 5.9
    assert (rep["expected"], rep["received"], rep["due"], rep["not_yet_due"],
            rep["missing"]) == (17, 1, 1, 16, 0)
    assert rep["rate"] == 100.0 and rep["on_time_rate"] == 100.0
    st = status_json(sd, frames, day, unit="SD")
    mid = next(r for r in st["reporting"] if r["round"] == "mid")
    assert {k: mid[k] for k in ("expected", "received", "due", "not_yet_due", "missing",
                                "rate", "on_time_rate")} == {
        "expected": 17, "received": 1, "due": 1, "not_yet_due": 16, "missing": 0,
        "rate": 100.0, "on_time_rate": 100.0}
    # the final round (due 7-05): nothing is due yet, so there is no rate at all
    final = next(r for r in st["reporting"] if r["round"] == "final")
    assert (final["due"], final["not_yet_due"], final["rate"]) == (0, 17, None)
    # no milestone item is overdue before its deadline either
    items = [i for i in st["items"] if i["milestone"] == "m_mid_report"]
    assert {i["status"] for i in items if i["unit"] != "SD01"} <= {"due_soon", "pending",
                                                                   "not_applicable"}
    doc = stats_json(sd, frames, "SD", day, "mid")
    assert doc["missing"] == [] and len(doc["not_yet_due"]) == 16
    assert (doc["due"], doc["rate"]) == (1, 100.0)
    text = stats_text(sd, doc)
    assert "未报送：" not in text and "16 个单位未到报送时限" in text
    assert STATUS_LABELS["not_yet_due"] in status_text(sd, st)


def test_after_the_deadline_no_return_is_missing(sd: Campaign) -> None:
    frames = frames_from_lists(submissions=[ret("SD01", {"sessions": 20}, ident=1)])
    rep = reporting(sd, frames, JUN19, "mid").loc["SD"]
    # 1 of 17: 5.882… → 5.9
    assert (rep["due"], rep["not_yet_due"], rep["missing"]) == (17, 0, 16)
    assert round_half_up(float(rep["rate"])) == 5.9
    assert reporter_status(sd, frames, JUN19, "mid").loc["SD02", "status"] == "missing"
    assert len(stats_json(sd, frames, "SD", JUN19, "mid")["missing"]) == 16


# ---------------------------------------------------------------------------------------
# 6. Coverage says its basis
# ---------------------------------------------------------------------------------------
COVERED = {"SD01": 5, "SD02": 6, "SD03": 9, "SD04": 4, "SD05": 7, "SD06": 7, "SD07": 13,
           "SD08": 5, "SD09": 3, "SD10": 6}  # Σ 65; their townships Σ 103


def _ten_cities() -> Frames:
    rows = [ret(u, {"sessions": 1, "townships_covered": n}, ident=i)
            for i, (u, n) in enumerate(COVERED.items(), start=1)]
    rows.append(ret("SD_JOB", {"sessions": 2}, ident=20))  # no townships: not in coverage
    return frames_from_lists(submissions=rows)


def test_coverage_over_reporting_units_and_over_all_units(sd: Campaign) -> None:
    assert sum(COVERED.values()) == 65
    assert sum(TOWNSHIPS[u] for u in COVERED) == 103 and sum(TOWNSHIPS.values()) == 172
    doc = stats_json(sd, _ten_cities(), "SD", JUN20, "mid")
    # 65 / 103 = 63.106… → 63.1 over the 10 cities that reported; 65 / 172 = 37.79… → 37.8
    assert doc["values"]["township_coverage"] == 63.1
    assert doc["coverage_basis"]["township_coverage"] == {
        "reporting_units": 63.1, "all_units": 37.8, "units_reported": 10,
        "units_expected": 16}
    text = stats_text(sd, doc)
    assert "乡镇（街道）覆盖率（已报送单位）" in text and "乡镇（街道）覆盖率（全部单位）" in text
    line = next(x for x in text.splitlines() if "覆盖率（全部单位）" in x)
    assert "37.8" in line and "10/16" in line
    # a city that reported: both bases are its own figure
    jinan = stats_json(sd, _ten_cities(), "SD01", JUN20, "mid")["coverage_basis"]
    assert jinan["township_coverage"] == {"reporting_units": 50.0, "all_units": 50.0,
                                          "units_reported": 1, "units_expected": 1}


def test_rollup_workbook_labels_both_coverage_figures(sd: Campaign, tmp_path: Path) -> None:
    from .test_forms import libreoffice_convert

    rows = rollup_rows(sd, _ten_cities(), "SD", JUN20, "mid")
    wb = build_rollup(sd, "SD", rows, "mid")
    ws = wb["统计表"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert "乡镇（街道）覆盖率（已报送单位）" in labels
    assert "乡镇（街道）覆盖率（全部单位）" in labels
    total_row = ws[rollup_cells(wb)["townships_covered"][1]].row
    assert total_row < labels["乡镇（街道）覆盖率（已报送单位）"] < labels[
        "乡镇（街道）覆盖率（全部单位）"]
    path = tmp_path / "rollup.xlsx"
    path.write_bytes(workbook_bytes(wb))
    out, _ = libreoffice_convert(path, tmp_path / "lo", "xlsx")
    calc = load_workbook(out, data_only=True)["统计表"]
    col = ws[rollup_cells(wb)["townships_covered"][1]].column
    values = {lab: [calc.cell(r, k).value for k in range(2, col + 3)]
              for lab, r in labels.items() if isinstance(lab, str) and "覆盖率（" in lab}
    reporting_row = values["乡镇（街道）覆盖率（已报送单位）"]
    all_row = values["乡镇（街道）覆盖率（全部单位）"]
    assert pytest.approx(65 / 103 * 100) in reporting_row and 103 in reporting_row
    assert pytest.approx(65 / 172 * 100) in all_row and 172 in all_row
    # the 总计 row is unchanged: 65 townships covered
    assert calc[rollup_cells(wb)["townships_covered"][1]].value == 65
