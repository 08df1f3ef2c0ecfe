"""Milestone status on the Hubei plan (附件1 推进落实工作计划表) at four dates of 2024.

The frames are built here from explicit rows, each commented with the situation it stands
for; the cases table says which unit, which milestone, which date, which status and why.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from campaignkit import load_campaign
from campaignkit.milestones import (
    STATUSES,
    behind,
    milestone_status,
    reporting_summary,
    status_items,
    status_json,
    status_text,
)
from campaignkit.stats import Frames, frames_from_lists

from .conftest import FUJIAN, HUBEI

MAR20, JUL15, OCT31, DEC25 = date(2024, 3, 20), date(2024, 7, 15), date(2024, 10, 31), \
    date(2024, 12, 25)

FIVE = {"enterprise_sessions": 3, "campus_sessions": 2, "village_sessions": 4,
        "worksite_sessions": 1, "system_sessions": 1}


def _frames() -> Frames:
    return frames_from_lists(
        deliverables=[
            # 武汉 files its work plan (m01, 3月25日前) on 3-20: on time
            {"unit": "HB01", "milestone": "m01", "done_on": "2024-03-20", "evidence": "方案.pdf"},
            # 黄石 files it on 4-02: 8 days late
            {"unit": "HB02", "milestone": "m01", "done_on": "2024-04-02"},
            # (十堰 HB03 never files it: overdue)
            # 黄石港区 files the county work plan (m03, 3月31日前) on 3-28, logged under the
            # deliverable name rather than the milestone id
            {"unit": "HB0201", "milestone": "work_plan", "done_on": "2024-03-28"},
            # the province publishes the provincial schedule (m02, 3月31日前) on 3-29
            {"unit": "HB", "milestone": "m02", "done_on": "2024-03-29"},
            # 宜昌 records its 五进五促 sessions (m04, window 3—12月) on 5-10
            {"unit": "HB04", "milestone": "m04", "done_on": "2024-05-10"},
            # the province holds the experience exchange (m13, window 7—11月) on 9-10
            {"unit": "HB", "milestone": "m13", "done_on": "2024-09-10"},
            # (the province never records the m12 inspection: overdue once 11-30 has passed)
        ],
        submissions=[
            # midyear round (m11, 6月30日前)
            {"id": 1, "unit": "HB01", "round": "midyear", "received_on": "2024-06-28",
             "return_type": "consolidated", "values": {**FIVE, "townships_covered": 4}},
            {"id": 2, "unit": "HB02", "round": "midyear", "received_on": "2024-07-05",
             "return_type": "consolidated", "values": {**FIVE, "townships_covered": 10}},
            # 鄂州: all 17 townships covered and all five venues by the midyear return
            {"id": 3, "unit": "HB06", "round": "midyear", "received_on": "2024-06-29",
             "return_type": "consolidated", "values": {**FIVE, "townships_covered": 17}},
            # 荆门: 40 of 51 townships (78.4%) and no worksite session (五进 4/5 = 80%)
            {"id": 4, "unit": "HB07", "round": "midyear", "received_on": "2024-06-27",
             "return_type": "consolidated",
             "values": {**FIVE, "worksite_sessions": 0, "townships_covered": 40}},
            # 政策法规处 (a lead division) returns the midyear table on the deadline
            {"id": 5, "unit": "HB_D01", "round": "midyear", "received_on": "2024-06-30",
             "values": {"system_sessions": 2}},
            # (十堰 HB03 never returns the midyear table: overdue)
            # final round (m20, 12月20日前)
            {"id": 6, "unit": "HB01", "round": "final", "received_on": "2024-12-18",
             "return_type": "consolidated",
             "values": {**FIVE, "enterprise_sessions": 30, "townships_covered": 8}},
            # 武汉 revises its final return on 12-24: values change, timeliness does not
            {"id": 7, "unit": "HB01", "round": "final", "received_on": "2024-12-24",
             "return_type": "consolidated",
             "values": {**FIVE, "enterprise_sessions": 31, "townships_covered": 8}},
            # 黄石: final return 3 days late
            {"id": 8, "unit": "HB02", "round": "final", "received_on": "2024-12-23",
             "return_type": "consolidated", "values": {**FIVE, "townships_covered": 29}},
            # 荆门: final return on time; now 51/51 townships and worksite sessions
            {"id": 9, "unit": "HB07", "round": "final", "received_on": "2024-12-15",
             "return_type": "consolidated",
             "values": {**FIVE, "worksite_sessions": 3, "townships_covered": 51}},
        ])


@pytest.fixture(scope="module")
def hubei_frames() -> Frames:
    return _frames()


@pytest.fixture(scope="module")
def statuses(hubei, hubei_frames) -> dict[date, pd.DataFrame]:
    return {d: milestone_status(hubei, hubei_frames, d).set_index(["milestone", "unit"])
            for d in (MAR20, JUL15, OCT31, DEC25)}


# unit, milestone, date, status, days_late, why
CASES = [
    # -- deadlines met and missed (3月25日前: 各市州制定出台工作方案) --
    ("HB01", "m01", MAR20, "on_time", None, "plan filed 3-20, due 3-25"),
    ("HB02", "m01", MAR20, "due_soon", None, "not filed, due in 5 days (≤ 7)"),
    ("HB02", "m01", JUL15, "late", 8, "filed 4-02, 8 days after 3-25"),
    ("HB03", "m01", MAR20, "due_soon", None, "not filed, due in 5 days"),
    ("HB03", "m01", JUL15, "overdue", 112, "never filed: 3-25 → 7-15 is 112 days"),
    ("HB0101", "m01", JUL15, "not_applicable", None, "m01 is for 各市州; 江岸区 is a county"),
    # -- 3月31日前: county plans, the provincial schedule --
    ("HB0201", "m03", MAR20, "pending", None, "due 3-31, 11 days away (> 7)"),
    ("HB0201", "m03", JUL15, "on_time", None, "filed 3-28 under the name work_plan"),
    ("HB0202", "m03", JUL15, "overdue", 106, "never filed: 3-31 → 7-15"),
    ("HB", "m02", MAR20, "pending", None, "the 3-29 record is after 3-20: not done yet"),
    ("HB", "m02", JUL15, "on_time", None, "published 3-29"),
    # -- windows: 3—12月 (m04) and 7—11月 (m12, m13) --
    ("HB05", "m04", MAR20, "in_progress", None, "inside 3—12月, not done"),
    ("HB05", "m04", DEC25, "in_progress", None, "the window runs to 12-31: never overdue before"),
    ("HB04", "m04", JUL15, "on_time", None, "done 5-10, inside the window"),
    ("HB", "m12", MAR20, "pending", None, "7—11月 has not begun"),
    ("HB", "m12", JUL15, "in_progress", None, "inside 7—11月"),
    ("HB", "m12", OCT31, "in_progress", None, "still inside 7—11月"),
    ("HB", "m12", DEC25, "overdue", 25, "window ended 11-30, not done: 25 days"),
    ("HB", "m13", OCT31, "on_time", None, "exchange held 9-10, inside 7—11月"),
    # -- continuous tasks (贯穿活动全过程) --
    ("HB05", "m22", MAR20, "in_progress", None, "continuous: never overdue"),
    ("HB05", "m22", DEC25, "in_progress", None, "continuous: never overdue"),
    ("HB_D01", "m22", JUL15, "not_applicable", None, "m22 falls to 各级服务大厅, not a division"),
    # -- mid-year round (m11, 6月30日前: 上半年 统计表) --
    ("HB01", "m11", MAR20, "pending", None, "due 6-30"),
    ("HB01", "m11", JUL15, "on_time", None, "midyear return received 6-28"),
    ("HB02", "m11", JUL15, "late", 5, "received 7-05"),
    ("HB03", "m11", JUL15, "overdue", 15, "nothing received by 7-15"),
    ("HB_D01", "m11", JUL15, "on_time", None, "a lead division returns on 6-30"),
    # -- year-end round (m20, 12月20日前) --
    ("HB03", "m20", OCT31, "pending", None, "due 12-20"),
    ("HB01", "m20", DEC25, "on_time", None, "first return 12-18; the 12-24 revision: no change"),
    ("HB02", "m20", DEC25, "late", 3, "received 12-23"),
    ("HB03", "m20", DEC25, "overdue", 5, "nothing by 12-25"),
    # -- conditions: 五进 100% by 10-31 (m16), 乡镇全覆盖 by 11-30 (m17) --
    ("HB06", "m16", JUL15, "on_time", None, "midyear return has all five venues"),
    ("HB06", "m17", JUL15, "on_time", None, "17 of 17 townships on 6-29"),
    ("HB07", "m16", OCT31, "due_soon", None, "due today; 五进 80% (no worksite session)"),
    ("HB07", "m17", OCT31, "pending", None, "due 11-30; coverage 78.4%"),
    ("HB07", "m16", DEC25, "late", 45, "five venues first met by the 12-15 return"),
    ("HB07", "m17", DEC25, "late", 15, "51/51 townships first on 12-15"),
    ("HB", "m17", OCT31, "not_applicable", None, "乡镇全覆盖 is each 市州's duty"),
]


@pytest.mark.parametrize(("unit", "milestone", "as_of", "status", "days_late", "why"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]:%m%d}-{c[3]}" for c in CASES])
def test_hubei_cases(statuses, unit, milestone, as_of, status, days_late, why):
    row = statuses[as_of].loc[(milestone, unit)]
    assert row["status"] == status, f"{why}: {row['reason']}"
    if days_late is None:
        assert pd.isna(row["days_late"])
    else:
        assert row["days_late"] == days_late, why


def test_done_on_and_shortfall(statuses):
    s = statuses
    # revisions never move done_on: 武汉's final is done on 12-18, not 12-24
    assert s[DEC25].loc[("m20", "HB01"), "done_on"] == date(2024, 12, 18)
    assert s[DEC25].loc[("m20", "HB01"), "done_by"] == "return"
    assert s[JUL15].loc[("m03", "HB0201"), "done_by"] == "deliverable"
    # shortfall of a condition: 100 − five_venues_rate 80 = 20; 100 − 40/51·100 = 21.57
    assert s[OCT31].loc[("m16", "HB07"), "shortfall"] == pytest.approx(20.0)
    assert s[OCT31].loc[("m17", "HB07"), "shortfall"] == pytest.approx(100 - 40 / 51 * 100)
    # met: no shortfall left
    assert s[JUL15].loc[("m17", "HB06"), "shortfall"] == 0
    assert s[DEC25].loc[("m17", "HB07"), "shortfall"] == 0
    # a city with no return at all: nothing to measure
    assert pd.isna(s[OCT31].loc[("m17", "HB03"), "shortfall"])
    # deadlines: a window's end, none for a continuous task
    assert s[JUL15].loc[("m12", "HB"), "deadline"] == date(2024, 11, 30)
    assert s[JUL15].loc[("m12", "HB"), "window_start"] == date(2024, 7, 1)
    assert s[JUL15].loc[("m22", "HB01"), "deadline"] is None
    assert s[JUL15].loc[("m11", "HB01"), "round"] == "midyear"


def test_due_soon_window_is_configurable(hubei, hubei_frames):
    # 十堰's final return is due 12-20; on 12-15 that is 5 days away
    default = milestone_status(hubei, hubei_frames, date(2024, 12, 15)).set_index(
        ["milestone", "unit"])
    narrow = milestone_status(hubei, hubei_frames, date(2024, 12, 15),
                              due_soon_days=3).set_index(["milestone", "unit"])
    assert default.loc[("m20", "HB03"), "status"] == "due_soon"
    assert narrow.loc[("m20", "HB03"), "status"] == "pending"


def test_every_milestone_and_unit_is_judged(hubei, statuses):
    s = statuses[JUL15]
    assert len(s) == len(hubei.milestones) * len(hubei.units)  # 25 × 123
    assert set(s["status"]) <= set(STATUSES)
    for m in hubei.milestones:
        for u in (hubei.unit("HB"), hubei.unit("HB05"), hubei.unit("HB0501"),
                  hubei.unit("HB_D03")):
            applicable = s.loc[(m.id, u.code), "status"] != "not_applicable"
            assert applicable == m.responsible.applies(u), (m.id, u.code)


def test_reporting_summary_per_round(hubei, hubei_frames):
    mid = reporting_summary(hubei, hubei_frames, JUL15).set_index("round")
    # expected: 17 市州 + 6 lead divisions = 23; received 武汉, 黄石, 鄂州, 荆门, 政策法规处 = 5;
    # on time all but 黄石 = 4 → 5/23 = 21.7%, 4/23 = 17.4%
    assert mid.loc["midyear", ["expected", "received", "on_time"]].tolist() == [23, 5, 4]
    assert mid.loc["midyear", "rate"] == pytest.approx(5 / 23 * 100)
    assert mid.loc["midyear", "on_time_rate"] == pytest.approx(4 / 23 * 100)
    assert mid.loc["final", "received"] == 0
    end = reporting_summary(hubei, hubei_frames, DEC25).set_index("round")
    # final: 武汉 (twice, counted once), 黄石 (late), 荆门 → 3 received, 2 on time
    assert end.loc["final", ["received", "on_time", "late"]].tolist() == [3, 2, 1]
    assert (end["rate"] <= 100).all()
    city = reporting_summary(hubei, hubei_frames, JUL15, unit="HB01").set_index("round")
    assert city.loc["midyear", ["expected", "received"]].tolist() == [1, 1]


def test_behind_lists_milestones_and_targets(hubei, hubei_frames):
    b = behind(hubei, hubei_frames, DEC25)
    m = b[b["what"] == "milestone"].set_index(["unit", "item"])
    assert m.loc[("HB03", "m01"), "status"] == "overdue"
    assert m.loc[("HB07", "m16"), "days_late"] == 45
    assert ("HB01", "m01") not in m.index  # on time: not behind
    t = b[b["what"] == "target"].set_index(["unit", "item"])
    # 武汉 enterprise_sessions: target 60 (synthetic), 31 done → 51.7%; 序时进度 on 12-25 is
    # 360/366 = 98.4% → behind by 46.7 points; short by 60 × 0.9836 − 31 = 28.0
    row = t.loc[("HB01", "enterprise_sessions")]
    assert row["shortfall"] == pytest.approx(60 * 360 / 366 - 31)
    assert "51.7%" in row["detail"] and "98.4%" in row["detail"]
    # 黄石 enterprise target 20, value 3 (FIVE) → behind too; units without a return: not listed
    assert ("HB02", "enterprise_sessions") in t.index
    assert ("HB13", "enterprise_sessions") not in t.index
    # sorted by unit in spec order
    order = {u.code: i for i, u in enumerate(hubei.units)}
    assert list(b["unit"].map(order)) == sorted(b["unit"].map(order))
    # the lead divisions that never returned the midyear table are behind too
    assert m.loc[("HB_D02", "m11"), "status"] == "overdue"


def test_status_json_shape(hubei, hubei_frames):
    doc = status_json(hubei, hubei_frames, JUL15, unit="HB02")
    json.dumps(doc, allow_nan=False)
    assert doc["campaign"] == "hubei_huimin_2024" and doc["as_of"] == "2024-07-15"
    # 黄石 and its 6 counties × 25 milestones
    assert len(doc["items"]) == 7 * 25
    item = next(i for i in doc["items"] if i["milestone"] == "m11" and i["unit"] == "HB02")
    assert {k: item[k] for k in ("milestone", "kind", "round", "unit", "deadline", "status",
                                 "done_on", "days_late", "shortfall")} == {
        "milestone": "m11", "kind": "deadline", "round": "midyear", "unit": "HB02",
        "deadline": "2024-06-30", "status": "late", "done_on": "2024-07-05", "days_late": 5,
        "shortfall": None}
    assert [r["round"] for r in doc["reporting"]] == ["midyear", "final"]
    assert set(doc["reporting"][0]) >= {"round", "expected", "received", "on_time", "rate",
                                        "on_time_rate"}
    assert doc["reporting"][0]["expected"] == 1 and doc["reporting"][0]["on_time_rate"] == 0
    assert sum(doc["counts"].values()) == len(doc["items"])
    text = status_text(hubei, doc)
    assert "黄石市" in text and "逾期完成" in text


def test_status_items_and_fujian_deadline():
    c = load_campaign(FUJIAN)
    f = frames_from_lists(
        submissions=[
            {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
             "return_type": "consolidated", "values": {"sessions": 30}},
            {"unit": "FJ02", "round": "final", "received_on": "2022-01-25",
             "return_type": "consolidated", "values": {"sessions": 10}}],
        deliverables=[{"unit": "FJ01", "milestone": "m_publicity_started",
                       "done_on": "2021-12-08"}])
    items = {(i.milestone, i.unit): i for i in status_items(c, f, date(2022, 1, 31))}
    # 统计表 due 1-20 though the table runs 截至1月底
    assert items[("m_stats_table", "FJ01")].status == "on_time"
    assert items[("m_stats_table", "FJ02")].status == "late"
    assert items[("m_stats_table", "FJ02")].days_late == 5
    assert items[("m_stats_table", "FJ03")].status == "overdue"
    assert items[("m_stats_table", "FJ03")].days_late == 11
    # 12月中旬前 = 12-20
    assert items[("m_publicity_started", "FJ01")].status == "on_time"
    # the task force falls only to the hkmo_concentrated cities (福州, 厦门, 泉州)
    # its window 11—1月 runs to 1-31 (2022): still in progress on 1-31 …
    assert items[("m_task_force", "FJ01")].status == "in_progress"
    feb = {(i.milestone, i.unit): i for i in status_items(c, f, date(2022, 2, 1))}
    # … and overdue the day after
    assert feb[("m_task_force", "FJ01")].status == "overdue"
    assert items[("m_task_force", "FJ03")].status == "not_applicable"
    # the leaflet falls to 省社保中心 alone
    assert items[("m_products", "FJ_SI")].status == "overdue"
    assert items[("m_products", "FJ01")].status == "not_applicable"
    assert items[("m_consultation", "FJ")].status == "in_progress"
    assert items[("m_stats_table", "FJ01")].as_dict()["done_on"] == "2022-01-18"


def test_cli_status(hubei, hubei_frames, tmp_path, capsys):
    from campaignkit.cli import main

    from .test_stats import write_store

    db = tmp_path / "campaignkit.db"
    write_store(db, hubei, hubei_frames)
    assert main(["status", str(HUBEI), "--db", str(db), "--as-of", "2024-07-15",
                 "--unit", "HB02", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # figures known from the rows of _frames and the plan, not from status_json itself
    assert (doc["campaign"], doc["as_of"], doc["unit"]) == ("hubei_huimin_2024", "2024-07-15",
                                                           "HB02")
    items = {(i["milestone"], i["unit"]): i for i in doc["items"]}
    assert {u for _, u in items} == {"HB02", *(f"HB020{n}" for n in range(1, 7))}  # 黄石 + 6
    assert len(doc["items"]) == 7 * 25  # each unit, each of the 25 milestones, once

    def row(milestone: str, unit: str) -> tuple[object, ...]:
        i = items[(milestone, unit)]
        return (i["status"], i["done_on"], i["days_late"])

    assert row("m01", "HB02") == ("late", "2024-04-02", 8)  # plan filed 4-02, due 3-25
    assert row("m11", "HB02") == ("late", "2024-07-05", 5)  # midyear return 7-05, due 6-30
    assert row("m03", "HB0201") == ("on_time", "2024-03-28", None)  # as work_plan
    assert row("m03", "HB0202") == ("overdue", None, 106)  # never filed: 3-31 → 7-15
    assert row("m02", "HB02") == ("not_applicable", None, None)  # the province's task
    assert row("m20", "HB02") == ("pending", None, None)  # due 12-20
    midyear, final = doc["reporting"]
    assert (midyear["round"], midyear["expected"], midyear["received"], midyear["on_time"],
            midyear["rate"], midyear["on_time_rate"]) == ("midyear", 1, 1, 0, 100.0, 0.0)
    assert (final["round"], final["expected"], final["received"]) == ("final", 1, 0)
    assert main(["status", str(HUBEI), "--db", str(db), "--as-of", "2024-12-25"]) == 0
    text = capsys.readouterr().out
    assert "湖北省" in text and "逾期未完成" in text and "十堰市" in text
    assert main(["status", str(HUBEI), "--db", str(tmp_path / "none.db"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["reason"] == "no_store"
