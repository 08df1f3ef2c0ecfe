"""Review of the statistics engine: a ranking compares peers of one level.

湖北省's children are 17 市州 and 6 provincial lead divisions (厅处室). A 市州 ranking table
(docs/reports.md: 序号, 地区, …, 排名) ranks the 市州 among themselves; a division must not
take a place in it (nor push a city down). Outliers already compare peers of one level.
"""

from __future__ import annotations

from campaignkit.stats import children_table, frames_from_lists, stats_json

from .conftest import HUBEI


def _frames():
    # hand-made: 武汉 12, 黄石 5, 十堰 5, 宜昌 3; divisions 政策法规处 9, 社保局 5
    vals = {"HB01": 12, "HB02": 5, "HB03": 5, "HB04": 3, "HB_D01": 9, "HB_D03": 5}
    return frames_from_lists(submissions=[
        {"unit": u, "round": "final", "received_on": "2024-12-15",
         "return_type": "consolidated", "values": {"enterprise_sessions": n}}
        for u, n in vals.items()])


def test_children_of_two_levels_are_ranked_among_their_own_level():
    from campaignkit import load_campaign
    c = load_campaign(HUBEI)
    t = children_table(c, _frames(), "HB", "2024-12-31",
                       indicators=["enterprise_sessions"]).set_index("unit")
    # cities: 12 → 第1; 5, 5 → 并列第2; 3 → 第4 (the division with 9 does not count)
    assert t.loc["HB01", "rank_label"] == "第1"
    assert t.loc["HB02", "rank_label"] == "并列第2"
    assert t.loc["HB03", "rank_label"] == "并列第2"
    assert t.loc["HB04", "rank_label"] == "第4"
    # divisions: 9 → 第1, 5 → 第2 (the cities' 5s are not its ties)
    assert t.loc["HB_D01", "rank_label"] == "第1"
    assert t.loc["HB_D03", "rank_label"] == "第2"
    # no value, no rank
    assert t.loc["HB05", "rank_label"] == "" and t.loc["HB_D02", "rank_label"] == ""
    # shares stay of the parent (12+5+5+3+9+5 = 39): 武汉 12/39
    assert abs(t.loc["HB01", "share"] - 12 / 39 * 100) < 1e-9


def test_stats_json_ranking_ranks_within_level():
    from campaignkit import load_campaign
    c = load_campaign(HUBEI)
    d = stats_json(c, _frames(), as_of="2024-12-31")
    entries = d["ranking"]["enterprise_sessions"]
    ranks = {e["unit"]: (e["rank"], e["rank_label"]) for e in entries}
    assert ranks["HB04"] == (4, "第4")
    assert ranks["HB_D01"] == (1, "第1")
    # each entry says its level; the 市州 come first, then the divisions, each ranked apart
    assert [(e["level"], e["unit"]) for e in entries] == [
        ("city", "HB01"), ("city", "HB02"), ("city", "HB03"), ("city", "HB04"),
        ("dept", "HB_D01"), ("dept", "HB_D03")]
