"""Review of the statistics engine: reporting rates count complete returns only.

DHIS2 (docs/design-notes.md): Actual (A) = units × periods with a *complete* return, reporting
rate = A / E × 100. A unit whose only return is incomplete has been received (it shows in
``received`` and ``incomplete``) but does not count towards the rate — otherwise a county
whose milestone is still overdue would show a 100% reporting rate.
"""

from __future__ import annotations

from datetime import date

import pytest

from campaignkit.milestones import milestone_status, reporting_summary, status_json
from campaignkit.spec import load_campaign_text
from campaignkit.stats import frames_from_lists, reporting, stats_json

from .test_stats import SPEC

D31 = date(2024, 12, 31)


@pytest.fixture(scope="module")
def three():
    return load_campaign_text(SPEC, "three_levels")


def _only_incomplete():
    # 甲一县 sends one return for the final round, marked incomplete; nobody else sends
    return frames_from_lists(submissions=[
        {"unit": "C1a", "round": "final", "received_on": "2024-12-10", "complete": False,
         "values": {"sessions": 3}}])


def test_only_incomplete_return_does_not_count_in_rate(three):
    rep = reporting(three, _only_incomplete(), D31, "final")
    row = rep.loc["C1a"]
    # received (1) and incomplete (1), but A = 0 complete returns of E = 1: rate 0, not 100
    assert (row["expected"], row["received"], row["incomplete"]) == (1, 1, 1)
    assert row["rate"] == 0.0
    assert row["on_time_rate"] == 0.0
    # 甲市: E = 4 (itself and its three counties), A = 0
    assert rep.loc["C1", "rate"] == 0.0
    # the milestone agrees: nothing complete, so the duty is overdue
    st = milestone_status(three, _only_incomplete(), D31, unit="C1a").set_index("milestone")
    assert st.loc["m_final", "status"] == "overdue"


def test_incomplete_then_complete_counts_once(three):
    f = frames_from_lists(submissions=[
        {"unit": "C1a", "round": "final", "received_on": "2024-12-10", "complete": False},
        {"unit": "C1a", "round": "final", "received_on": "2024-12-22", "complete": True},
        {"unit": "C1b", "round": "final", "received_on": "2024-12-12", "complete": False}])
    rep = reporting(three, f, D31, "final")
    # C1: E = 4; C1a complete (late), C1b incomplete: A = 1 → 25%, on time 0
    assert rep.loc["C1", "rate"] == pytest.approx(25.0)
    assert rep.loc["C1", "on_time_rate"] == 0.0
    assert rep.loc["C1a", "rate"] == 100.0


def test_json_rates_follow_complete_returns(three):
    f = _only_incomplete()
    d = stats_json(three, f, unit="C1a", as_of=D31)
    assert (d["reported"], d["expected"], d["rate"]) == (1, 1, 0.0)
    s = status_json(three, f, D31, unit="C1a")
    final = next(r for r in s["reporting"] if r["round"] == "final")
    assert final["rate"] == 0 and final["on_time_rate"] == 0
    assert reporting_summary(three, f, D31, unit="C1a").set_index("round").loc[
        "final", "rate"] == 0.0
