"""Dates and windows as notices write them (issue 15, item 4), on the Shandong test spec.

Windows at day precision (``9月4日—25日``, ``6月1日—6月30日``, ``6月中旬—7月上旬``) as well as
months; deadlines at 旬 and 月底 and 年底; words with no fixed day (``国庆节前``) rejected with
their key and a hint to write the date. A date or window without a year must fall inside
(a window: overlap) the campaign period. ``validate`` prints what each was read as.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from campaignkit import SpecError
from campaignkit.cli import main
from campaignkit.dates import resolve_date, resolve_window
from campaignkit.milestones import milestone_status
from campaignkit.spec import Campaign, load_campaign_text
from campaignkit.stats import frames_from_lists, plan_vs_actual

SHANDONG = Path(__file__).parent / "data" / "shandong_jobs_2025" / "campaign.yaml"
JUNE = (date(2025, 6, 1), date(2025, 7, 10))  # the Shandong period
DRIVE = "    window: 6月\n    task: 各级"  # milestones[2] (m_drive) of the Shandong spec
P01 = "    window: 6月\n    venue: 企业"  # plan[0] (p01)


def _with(*changes: tuple[str, str]) -> str:
    text = SHANDONG.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _load(*changes: tuple[str, str]) -> Campaign:
    return load_campaign_text(_with(*changes), "campaign.yaml")


def _issues(*changes: tuple[str, str]) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        _load(*changes)
    return {i.path: i.message for i in info.value.issues}


# --------------------------------------------------------------------------- windows by day


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("9月4日—25日", date(2025, 9, 4), date(2025, 9, 25)),
        ("6月1日—6月30日", date(2025, 6, 1), date(2025, 6, 30)),
        ("6月中旬—7月上旬", date(2025, 6, 11), date(2025, 7, 10)),
        ("6月上旬—中旬", date(2025, 6, 1), date(2025, 6, 20)),
        ("6月下旬—7月", date(2025, 6, 21), date(2025, 7, 31)),
        ("6月—7月上旬", date(2025, 6, 1), date(2025, 7, 10)),
        ("6月上旬", date(2025, 6, 1), date(2025, 6, 10)),
        ("6月中旬", date(2025, 6, 11), date(2025, 6, 20)),
        ("6月下旬", date(2025, 6, 21), date(2025, 6, 30)),
        ("2月下旬", date(2025, 2, 21), date(2025, 2, 28)),
        ("6月15日", date(2025, 6, 15), date(2025, 6, 15)),
        ("6月1日至7月10日", date(2025, 6, 1), date(2025, 7, 10)),
        ("2025年6月4日—25日", date(2025, 6, 4), date(2025, 6, 25)),
        ("2025-06-04至2025-06-25", date(2025, 6, 4), date(2025, 6, 25)),
        ("９月４日－２５日", date(2025, 9, 4), date(2025, 9, 25)),
        ("6月-年底", date(2025, 6, 1), date(2025, 12, 31)),
        ("下半年", date(2025, 7, 1), date(2025, 12, 31)),
        # month windows keep working
        ("3—12月", date(2025, 3, 1), date(2025, 12, 31)),
        ("5-6月份", date(2025, 5, 1), date(2025, 6, 30)),
        ("5月", date(2025, 5, 1), date(2025, 5, 31)),
        ("全年", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_day_and_xun_windows_resolve(text: str, first: date, last: date) -> None:
    """上旬 is the 1st–10th, 中旬 the 11th–20th, 下旬 the 21st–end; a day is a day."""
    w = resolve_window(text, date(2025, 1, 1), date(2025, 12, 31))
    assert (w.start, w.end, w.text) == (first, last, text)


def test_a_day_window_across_the_new_year() -> None:
    w = resolve_window("12月中旬—1月上旬", date(2024, 11, 1), date(2025, 1, 31))
    assert (w.start, w.end) == (date(2024, 12, 11), date(2025, 1, 10))


@pytest.mark.parametrize("text", ["9月31日—10月5日", "6月25日—6月4日", "6月—", "—6月",
                                  "6月32日", "13月上旬"])
def test_impossible_windows_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a window|ends before it starts"):
        resolve_window(text, date(2025, 1, 1), date(2025, 12, 31))


def test_a_day_window_in_the_spec_resolves_and_validate_prints_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "campaign.yaml"
    spec.write_text(_with((DRIVE, "    window: 6月中旬—7月上旬\n    task: 各级"),
                          (P01, "    window: 6月4日—25日\n    venue: 企业")), "utf-8")
    assert main(["validate", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "milestones[2].window: 6月中旬—7月上旬 → 2025-06-11 to 2025-07-10" in out
    assert "plan[0].window: 6月4日—25日 → 2025-06-04 to 2025-06-25" in out
    assert main(["validate", str(spec), "--json"]) == 0
    dates = {d["key"]: d for d in json.loads(capsys.readouterr().out)["dates"]}
    assert dates["milestones[2].window"] == {"key": "milestones[2].window",
                                             "text": "6月中旬—7月上旬",
                                             "start": "2025-06-11", "end": "2025-07-10"}


def test_a_day_window_without_year_must_overlap_the_period() -> None:
    issues = _issues((DRIVE, "    window: 9月4日—25日\n    task: 各级"))
    assert "milestones[2].window" in issues
    assert "9月4日—25日" in issues["milestones[2].window"]
    assert "outside the campaign period" in issues["milestones[2].window"]
    # a window reaching into the period reads (the preparation before it starts)
    c = _load((DRIVE, "    window: 5月20日—6月10日\n    task: 各级"))
    w = c.milestone("m_drive").window
    assert w is not None and (w.start, w.end) == (date(2025, 5, 20), date(2025, 6, 10))


def test_a_window_that_ends_before_it_starts_names_its_key() -> None:
    issues = _issues((P01, "    window: 6月25日—6月4日\n    venue: 企业"))
    assert "ends before it starts" in issues["plan[0].window"]


def test_the_engine_judges_a_day_window_by_its_days() -> None:
    """A 6月中旬—7月上旬 window is pending on 6-10, running on 6-11, overdue from 7-11."""
    c = _load((DRIVE, "    window: 6月中旬—7月上旬\n    task: 各级"))
    f = frames_from_lists()

    def status(day: str) -> str:
        s = milestone_status(c, f, day, unit="SD02").set_index(["milestone", "unit"])
        return str(s.loc[("m_drive", "SD02"), "status"])

    assert [status(d) for d in ("2025-06-10", "2025-06-11", "2025-07-10", "2025-07-11")] == \
        ["pending", "in_progress", "in_progress", "overdue"]


def test_plan_rows_count_sessions_inside_a_day_window_only() -> None:
    c = _load((P01, "    window: 6月4日—25日\n    venue: 企业"))
    f = frames_from_lists(ledger=[
        {"unit": "SD01", "date": "2025-06-03", "sessions": 1, "plan": "p01"},  # before it
        {"unit": "SD01", "date": "2025-06-04", "sessions": 1, "plan": "p01"},
        {"unit": "SD01", "date": "2025-06-25", "sessions": 1, "plan": "p01"},
        {"unit": "SD01", "date": "2025-06-26", "sessions": 1, "plan": "p01"}])  # after it
    row = plan_vs_actual(c, f, "2025-06-30").set_index("plan").loc["p01"]
    assert int(row["held"]) == 2 and row["status"] == "met"
    assert plan_vs_actual(c, f, "2025-06-03").set_index("plan").loc["p01", "status"] == \
        "not_started"


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底", date(2025, 6, 30)),
        ("6月底前", date(2025, 6, 30)),
        ("6月下旬", date(2025, 6, 30)),
        ("6月中旬前", date(2025, 6, 20)),
        ("7月上旬前", date(2025, 7, 10)),
        ("6月末", date(2025, 6, 30)),
        ("年底前", date(2025, 12, 31)),
        ("年底", date(2025, 12, 31)),
        ("2025年底", date(2025, 12, 31)),
        ("2025年年底前", date(2025, 12, 31)),
    ],
)
def test_deadlines_as_notices_write_them(text: str, expected: date) -> None:
    assert resolve_date(text, date(2025, 6, 1), date(2025, 12, 31)).date == expected


def test_a_phase_starting_at_a_xun_starts_on_its_first_day() -> None:
    """As a start, 中旬 is the 11th; as an end, the 20th."""
    c = _load(("{id: drive, name: 集中宣传阶段, start: 2025-06-01, end: 2025-06-30}",
               "{id: drive, name: 集中宣传阶段, start: 6月中旬, end: 6月下旬}"))
    phase = c.phases[0]
    assert (phase.start.date, phase.end.date) == (date(2025, 6, 11), date(2025, 6, 30))


def test_year_end_outside_the_period_names_its_key() -> None:
    """年底 is 12-31, a fixed day: in a campaign ending 7-10 it lies outside the period."""
    issues = _issues(("deadline: 6月5日前", "deadline: 年底前"))
    assert "outside the campaign period" in issues["milestones[0].deadline"]


@pytest.mark.parametrize("words", ["国庆节前", "春节前", "元旦前", "中秋节前后", "7月初左右"])
def test_words_with_no_fixed_day_are_rejected_with_the_key_and_a_hint(words: str) -> None:
    issues = _issues(("deadline: 6月5日前", f"deadline: {words}"))
    message = issues["milestones[0].deadline"]
    assert words in message
    assert "no fixed day" in message and "write the day" in message


def test_a_window_with_no_fixed_day_is_rejected_with_the_key() -> None:
    issues = _issues((P01, "    window: 国庆节前后\n    venue: 企业"))
    assert "no fixed day" in issues["plan[0].window"]


@pytest.mark.parametrize("text", ["底前", "中旬前", "月底", "年", "上旬—中旬"])
def test_a_part_without_its_month_or_year_is_no_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        resolve_date(text, *JUNE)
    with pytest.raises(ValueError, match="is not a"):
        resolve_window(text, *JUNE)
