"""How a parent completes a round (issue 15, item 5), on a variant of the Shandong test spec.

济南市 (SD01) sends no return of its own: its districts 历城区 (SD0101) and 历下区 (SD0102)
send theirs. With ``rounds[i].completed_by: children`` the city has completed the round when
both districts have, on the day the last came in: ``on_time`` or ``late``, never ``overdue``.
Status and reporting say which rule applied; reporting rates count each expected reporter once.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from campaignkit import SpecError
from campaignkit.cli import main
from campaignkit.milestones import milestone_status, status_json, status_text
from campaignkit.spec import Campaign, load_campaign_text
from campaignkit.stats import (
    Frames,
    frames_from_lists,
    reporter_status,
    reporting,
    round_completion,
)

SHANDONG = Path(__file__).parent / "data" / "shandong_jobs_2025" / "campaign.yaml"
LIXIA = ("  - {code: SD0102, name: 历下区, parent: SD01, level: county, townships: 2, "
         "synthetic_figures: true}\n")
MID = ("    period_end: 6月15日\n    deadline: m_mid_report\n    reporters: [city, dept]\n")
FINAL = ("    period_end: 6月30日\n    deadline: m_final_report\n    reporters: [city, dept]\n")


def _text(mid_rule: str | None = "children", *more: tuple[str, str]) -> str:
    text = SHANDONG.read_text(encoding="utf-8")
    # a second district under 济南市, and districts report both rounds
    text = text.replace("\nindicators:\n", "\n" + LIXIA + "\nindicators:\n", 1)
    rule = "" if mid_rule is None else f"    completed_by: {mid_rule}\n"
    text = text.replace(MID, MID.replace("[city, dept]", "[city, dept, county]") + rule, 1)
    text = text.replace(FINAL, FINAL.replace("[city, dept]", "[city, dept, county]"), 1)
    for old, new in more:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _campaign(mid_rule: str | None = "children", *more: tuple[str, str]) -> Campaign:
    return load_campaign_text(_text(mid_rule, *more), "campaign.yaml")


def _ret(unit: str, day: str, kind: str = "own", **extra: Any) -> dict[str, Any]:
    return {"unit": unit, "round": "mid", "received_on": day, "return_type": kind,
            "values": {"sessions": 3}, **extra}


def _item(c: Campaign, f: Frames, day: str, unit: str = "SD01",
          milestone: str = "m_mid_report") -> dict[str, Any]:
    doc = status_json(c, f, day)
    return next(i for i in doc["items"] if i["unit"] == unit and i["milestone"] == milestone)


# --------------------------------------------------------------------------- the city's status


def test_a_city_completed_by_its_districts_is_on_time_not_overdue() -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16"),
                                       _ret("SD0102", "2025-06-17")])
    item = _item(c, f, "2025-06-25")
    assert item["status"] == "on_time"
    assert item["done_on"] == "2025-06-17"  # the last district's return
    assert item["completed_by"] == "children" and item["done_by"] == "children"
    assert "历城区" in item["reason"] and "历下区" in item["reason"]
    rs = reporter_status(c, f, "2025-06-25", "mid")
    assert rs.loc["SD01", "status"] == "on_time"
    assert rs.loc["SD01", "completed_by"] == "children"
    assert rs.loc["SD01", "done_on"] == date(2025, 6, 17)


def test_a_city_whose_last_district_is_late_is_late_by_that_return() -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16"),
                                       _ret("SD0102", "2025-06-20")])
    item = _item(c, f, "2025-06-25")
    assert (item["status"], item["done_on"], item["days_late"]) == ("late", "2025-06-20", 2)
    assert reporter_status(c, f, "2025-06-25", "mid").loc["SD01", "status"] == "late"


def test_a_city_waiting_for_a_district_is_overdue_and_says_which() -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16")])
    item = _item(c, f, "2025-06-25")
    assert item["status"] == "overdue" and item["completed_by"] == "children"
    assert "历下区" in item["reason"] and "历城区" not in item["reason"]
    rs = reporter_status(c, f, "2025-06-25", "mid")
    assert rs.loc["SD01", "status"] == "incomplete"  # one of its districts has returned
    assert rs.loc["SD01", "waiting_for"] == "SD0102"
    # before the deadline the city still has time
    assert reporter_status(c, frames_from_lists(), "2025-06-10", "mid").loc[
        "SD01", "status"] == "not_yet_due"


def test_by_default_a_parent_completes_a_round_by_its_own_return() -> None:
    """Without ``completed_by`` (``own``, today's rule) the districts' returns do not count."""
    c = _campaign(None)
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16"),
                                       _ret("SD0102", "2025-06-17")])
    item = _item(c, f, "2025-06-25")
    assert item["status"] == "overdue" and item["completed_by"] == "own"
    assert reporter_status(c, f, "2025-06-25", "mid").loc["SD01", "status"] == "missing"


def test_a_consolidated_return_of_its_own_completes_it_too() -> None:
    """Under ``children`` the city's own consolidated return stands for its districts."""
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD01", "2025-06-15", "consolidated"),
                                       _ret("SD0101", "2025-06-22")])
    item = _item(c, f, "2025-06-25")
    assert (item["status"], item["done_on"], item["done_by"]) == ("on_time", "2025-06-15",
                                                                   "return")
    # a return of its own figures only (本级) does not: the districts are still awaited
    f = frames_from_lists(submissions=[_ret("SD01", "2025-06-15", "own"),
                                       _ret("SD0101", "2025-06-16")])
    assert _item(c, f, "2025-06-25")["status"] == "overdue"


def test_cities_without_reporting_districts_complete_by_their_own_return() -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD02", "2025-06-16")])
    item = _item(c, f, "2025-06-25", unit="SD02")
    assert (item["status"], item["completed_by"], item["done_by"]) == ("on_time", "own",
                                                                       "return")
    # a district is a reporter with no units below: its own return completes it
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16")])
    assert reporter_status(c, f, "2025-06-25", "mid").loc["SD0101", "completed_by"] == "own"


def test_a_round_milestone_may_say_its_own_rule() -> None:
    """``completion: {round: mid, by: consolidated}``: only a consolidated return completes."""
    c = _campaign("own", ("completion: {round: mid}", "completion: {round: mid, by: consolidated}"))
    own_only = frames_from_lists(submissions=[_ret("SD01", "2025-06-15", "own")])
    item = _item(c, own_only, "2025-06-25")
    assert item["status"] == "overdue" and item["completed_by"] == "consolidated"
    # the round's own rule (own) still judges its reporting
    assert reporter_status(c, own_only, "2025-06-25", "mid").loc["SD01", "status"] == "on_time"
    cons = frames_from_lists(submissions=[_ret("SD01", "2025-06-17", "consolidated")])
    assert _item(c, cons, "2025-06-25")["status"] == "on_time"


def test_status_frame_says_the_rule_for_round_milestones_only() -> None:
    c = _campaign()
    s = milestone_status(c, frames_from_lists(), "2025-06-25").set_index(["milestone", "unit"])
    assert s.loc[("m_mid_report", "SD01"), "completed_by"] == "children"
    assert s.loc[("m_final_report", "SD01"), "completed_by"] == "own"
    assert s.loc[("m_plan", "SD01"), "completed_by"] is None
    items = status_json(c, frames_from_lists(), "2025-06-25")["items"]
    plan = next(i for i in items if (i["milestone"], i["unit"]) == ("m_plan", "SD01"))
    assert (plan["completed_by"], plan["done_by"]) == (None, None)  # never "nan"
    # the province owes no return: not applicable, and no rule is said for it
    top = next(i for i in items if (i["milestone"], i["unit"]) == ("m_mid_report", "SD"))
    assert (top["status"], top["completed_by"], top["done_by"]) == ("not_applicable", None,
                                                                    None)


# --------------------------------------------------------------------------- reporting rates


def test_reporting_rates_count_each_expected_reporter_once() -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[
        _ret("SD0101", "2025-06-16"), _ret("SD0101", "2025-06-17", revision=2),
        _ret("SD0102", "2025-06-17"), _ret("SD02", "2025-06-16"), _ret("SD03", "2025-06-20")])
    rep = reporting(c, f, "2025-06-25", "mid")
    # 16 cities, 1 division and 2 districts: each expected once
    assert int(rep.loc["SD", "expected"]) == 19
    # SD0101, SD0102, SD01 (by its districts), SD02 on time; SD03 late
    assert [int(rep.loc["SD", k]) for k in ("received", "on_time", "late")] == [5, 4, 1]
    assert [int(rep.loc["SD01", k]) for k in ("expected", "received", "on_time")] == [3, 3, 3]
    assert float(rep.loc["SD01", "rate"]) == 100.0


# --------------------------------------------------------------------------- what is said


def test_status_text_and_json_say_which_rule_applied(tmp_path: Path) -> None:
    c = _campaign()
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16"),
                                       _ret("SD0102", "2025-06-20")])
    doc = status_json(c, f, "2025-06-25")
    assert {r["round"]: r["completed_by"] for r in doc["reporting"]} == {"mid": "children",
                                                                        "final": "own"}
    text = status_text(c, doc)
    assert "济南市" in text and "completed_by: children" in text
    assert "下级单位" in text


def test_validate_prints_how_each_round_is_completed(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "campaign.yaml"
    spec.write_text(_text(), "utf-8")
    assert main(["validate", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "mid (due 2025-06-18, completed_by: children)" in out
    assert main(["validate", str(spec), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["completed_by"] == {"mid": "children", "final": "own"}


# --------------------------------------------------------------------------- the spec


def _issues(text: str) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        load_campaign_text(text, "campaign.yaml")
    return {i.path: i.message for i in info.value.issues}


def test_an_unknown_rule_names_its_key_and_the_choices() -> None:
    issues = _issues(_text("districts"))
    assert "rounds[0].completed_by" in issues
    assert all(w in issues["rounds[0].completed_by"] for w in ("own", "consolidated",
                                                                "children"))


def test_children_with_no_reporting_units_below_is_a_spec_error() -> None:
    text = SHANDONG.read_text(encoding="utf-8").replace(MID, MID + "    completed_by: children\n")
    issues = _issues(text)
    assert "has a unit below it that reports" in issues["rounds[0].completed_by"]


def test_by_belongs_to_a_round_completion_only() -> None:
    issues = _issues(_text("own", ("completion: {deliverable: work_plan}",
                                   "completion: {deliverable: work_plan, by: children}")))
    assert "milestones[0].completion.by" in issues


def test_consolidated_needs_consolidated_returns() -> None:
    issues = _issues(_text("consolidated", (
        "    completed_by: consolidated\n    return_type: consolidated\n",
        "    completed_by: consolidated\n    return_type: own\n")))
    assert "return_type" in issues["rounds[0].completed_by"]


def test_a_parent_that_does_not_report_is_looked_through() -> None:
    """Only districts report: the province's reporting units below are the districts."""
    c = _campaign("children", ("reporters: [city, dept, county]\n    completed_by",
                               "reporters: [county]\n    completed_by"))
    f = frames_from_lists(submissions=[_ret("SD0101", "2025-06-16"),
                                       _ret("SD0102", "2025-06-19")])
    done = round_completion(c, f, "2025-06-25", "mid")
    assert done.loc["SD", "below"] == "SD0101,SD0102"  # looked through 济南市
    assert done.loc["SD", "done_on"] == date(2025, 6, 19)
    assert done.loc["SD01", "completed_by"] == "children"
    assert done.loc["SD02", "completed_by"] == "own" and done.loc["SD02", "done_on"] is None
    assert _item(c, f, "2025-06-25")["status"] == "late"  # 济南市, by 历下区 on 6-19
