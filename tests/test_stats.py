"""Statistics as of a date on a hand-built three-level hierarchy, Fujian and Hubei.

Every expected number below is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from datetime import date
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import Campaign, load_campaign
from campaignkit.spec import (
    Completion,
    Indicator,
    Milestone,
    Responsible,
    Round,
    Unit,
    load_campaign_text,
)
from campaignkit.stats import (
    Frames,
    children_table,
    evaluate_returns,
    frames_from_lists,
    frames_from_store,
    outliers,
    plan_vs_actual,
    progress,
    rank_labels,
    reporter_status,
    reporting,
    rollup,
    stats_json,
    stats_text,
    time_progress,
    trace,
    values_as_of,
)

from .conftest import FUJIAN, HUBEI

# ---------------------------------------------------------------------------------------
# The three-level campaign: 测试省 → 甲市 (3 counties), 乙市 (2 counties)
# ---------------------------------------------------------------------------------------
SPEC = """
id: three_levels
title: 三级测试活动
issuer: 测试省人社厅
doc_number: null
period: {start: 2024-01-01, end: 2024-12-31}
units:
  - {code: P, name: 测试省, parent: null, level: province, townships: 28}
  - {code: C1, name: 甲市, parent: P, level: city, townships: 16}
  - {code: C1a, name: 甲一县, parent: C1, level: county, townships: 10}
  - {code: C1b, name: 甲二区, parent: C1, level: county, townships: 0}
  - {code: C1c, name: 甲三县, parent: C1, level: county, townships: 6}
  - {code: C2, name: 乙市, parent: P, level: city, townships: 12}
  - {code: C2a, name: 乙一县, parent: C2, level: county, townships: 8}
  - {code: C2b, name: 乙二县, parent: C2, level: county, townships: 4}
indicators:
  - {id: sessions, label: 宣讲场次, unit: 场, type: count, aggregate: sum}
  - {id: covered, label: 覆盖乡镇数, unit: 个, type: count, aggregate: sum}
  - {id: coverage, label: 乡镇覆盖率, unit: "%", type: percent, aggregate: none,
     formula: "covered / townships * 100", input: false}
  - {id: lecturers, label: 宣讲骨干, unit: 人, type: count, aggregate: sum}
  - {id: per_lecturer, label: 平均每人宣讲场次, unit: 场/人, type: number,
     aggregate: weighted_mean, weight: lecturers}
  - {id: has_column, label: 是否设立专栏, type: yes_no, aggregate: none}
  - {id: best_day, label: 单日最多场次, unit: 场, type: count, aggregate: max}
  - {id: column_name, label: 专栏名称, type: text, aggregate: none}
measures:
  - {id: per_township, label: 每乡镇场次, formula: "sessions / townships", reading: ours,
     note: test measure}
rounds:
  - {id: midyear, label: 上半年, period_end: 2024-06-30, deadline: m_mid,
     reporters: [city, county], return_type: own}
  - {id: final, label: 年度, period_end: 2024-12-31, deadline: m_final,
     reporters: [city, county], return_type: own}
milestones:
  - {id: m_mid, kind: deadline, deadline: 6月30日前, task: 报送上半年统计表,
     responsible: [city, county], completion: {round: midyear}}
  - {id: m_final, kind: deadline, deadline: 12月20日前, task: 报送年度统计表,
     responsible: [city, county], completion: {round: final}}
targets:
  - {unit: C1, indicator: sessions, value: 20, synthetic: true}
"""

D20 = date(2024, 12, 20)  # the final round's deadline
D31 = date(2024, 12, 31)


@pytest.fixture(scope="module")
def three() -> Campaign:
    return load_campaign_text(SPEC, "three_levels")


def _returns() -> Frames:
    # Each row is one situation; ids are the submission ids the tests trace back to.
    return frames_from_lists(submissions=[
        # 1 甲一县: on time (12-10)
        {"id": 1, "unit": "C1a", "round": "final", "received_on": "2024-12-10",
         "values": {"sessions": 7, "covered": 5, "lecturers": 4, "per_lecturer": 3.0,
                    "has_column": True, "best_day": 3, "column_name": "甲一县惠民专栏"}},
        # 2 甲二区 (0 townships): on time (12-18) …
        {"id": 2, "unit": "C1b", "round": "final", "received_on": "2024-12-18",
         "values": {"sessions": 5, "covered": 0, "lecturers": 1, "per_lecturer": 6.0,
                    "has_column": False, "best_day": 2}},
        # 3 … then revised on 12-26: sessions 5 → 7 (values change, timeliness does not)
        {"id": 3, "unit": "C1b", "round": "final", "received_on": "2024-12-26",
         "values": {"sessions": 7, "covered": 0, "lecturers": 1, "per_lecturer": 6.0,
                    "has_column": False, "best_day": 2}},
        # 4 乙一县: late (12-22, after the 12-20 deadline)
        {"id": 4, "unit": "C2a", "round": "final", "received_on": "2024-12-22",
         "values": {"sessions": 12, "covered": 6, "lecturers": 2, "per_lecturer": 2.5,
                    "best_day": 5}},
        # 5 乙二县: on time (12-15)
        {"id": 5, "unit": "C2b", "round": "final", "received_on": "2024-12-15",
         "values": {"sessions": 7, "covered": 3, "lecturers": 2, "per_lecturer": 4.0,
                    "best_day": 2}},
        # 6 乙市: consolidated return on time (12-19), 20 sessions where its counties add to 19
        {"id": 6, "unit": "C2", "round": "final", "received_on": "2024-12-19",
         "return_type": "consolidated",
         "values": {"sessions": 20, "covered": 9, "lecturers": 4, "per_lecturer": 3.5,
                    "has_column": True, "best_day": 5}},
        # 甲三县 (C1c) and 甲市 (C1) never return the final round: missing
        # midyear round, for changes against an earlier round
        {"id": 7, "unit": "C1a", "round": "midyear", "received_on": "2024-06-25",
         "values": {"sessions": 3, "covered": 2}},
        {"id": 8, "unit": "C2", "round": "midyear", "received_on": "2024-06-28",
         "return_type": "consolidated", "values": {"sessions": 8, "covered": 4}},
        {"id": 9, "unit": "C1b", "round": "midyear", "received_on": "2024-07-02",
         "values": {"sessions": 1, "covered": 0}},
    ])


@pytest.fixture(scope="module")
def returns() -> Frames:
    return _returns()


def approx(x: float | None) -> Any:
    return pytest.approx(x, abs=1e-9)


# ---------------------------------------------------------------------------------------
# values as of a date
# ---------------------------------------------------------------------------------------
def test_values_as_of_takes_latest_revision_received_by_the_date(three, returns):
    before = values_as_of(three, returns, D20)
    after = values_as_of(three, returns, D31)
    # 甲二区: revision 1 (5 sessions, received 12-18) on 12-20, revision 2 (7) on 12-31
    assert before.loc["C1b", "sessions"] == 5 and before.loc["C1b", "_submission_id"] == 2
    assert after.loc["C1b", "sessions"] == 7 and after.loc["C1b", "_revision"] == 2
    # 乙一县's return arrives 12-22: absent on 12-20
    assert "C2a" not in before.index and after.loc["C2a", "sessions"] == 12
    # units in spec order, only those with a return; metadata next to the values
    assert list(after.index) == ["C1a", "C1b", "C2", "C2a", "C2b"]
    assert after.loc["C2", "_return_type"] == "consolidated"
    assert after.loc["C1a", "_received_on"] == date(2024, 12, 10)
    assert after.loc["C1a", "column_name"] == "甲一县惠民专栏"
    assert after.loc["C1a", "has_column"] == 1.0 and after.loc["C1b", "has_column"] == 0.0
    # the midyear round is separate
    mid = values_as_of(three, returns, D31, "midyear")
    assert mid.loc["C1a", "sessions"] == 3


def test_rollup_on_the_deadline(three, returns):
    r = rollup(three, returns, None, D20)
    # 甲市 has no return of its own: its counties add up. 甲一县 7 + 甲二区 5 = 12
    assert r.value("sessions", "C1") == 12 and r.basis["C1"] == "children"
    # coverage recomputed from parts with the townships of the same units:
    # 甲一县 5/10 = 50%; 甲二区 0 covered of 0 townships → N/A (zero denominator)
    assert r.value("coverage", "C1a") == approx(50.0)
    assert r.value("coverage", "C1b") is None
    # 甲市 = (5 + 0) / (10 + 0) = 50% — 甲三县 (6 townships) sent nothing, so it is not in
    assert r.value("coverage", "C1") == approx(50.0)
    assert r.figures.loc["C1", "townships"] == 10
    # weighted mean by lecturers: (4·3.0 + 1·6.0) / (4 + 1) = 18 / 5 = 3.6 (plain mean: 4.5)
    assert r.value("per_lecturer", "C1") == approx(3.6)
    # max: max(3, 2) = 3
    assert r.value("best_day", "C1") == 3
    # 乙市 uses its consolidated return (20), its own 12 townships: 9 / 12 = 75%
    assert r.value("sessions", "C2") == 20 and r.basis["C2"] == "consolidated"
    assert r.value("coverage", "C2") == approx(75.0)
    # the province: 12 + 20 = 32 sessions; coverage (5 + 9) / (10 + 12) = 14 / 22
    assert r.value("sessions") == 32
    assert r.value("coverage") == approx(14 / 22 * 100)  # 63.6363…
    # … which is not the mean of its children's ratios (50 + 75) / 2 = 62.5
    assert r.value("coverage") != approx(62.5)
    # weighted mean at the top: (18 + 4·3.5) / (5 + 4) = 32 / 9
    assert r.value("per_lecturer") == approx(32 / 9)
    # a measure is recomputed the same way: 32 sessions / 22 townships
    assert r.value("per_township") == approx(32 / 22)
    # yes/no (aggregate none) is never rolled up: the province has no return
    assert r.value("has_column") is None and r.value("has_column", "C2") == 1.0
    # difference of the consolidated return: on 12-20 only 乙二县 (7) is in: 20 − 7 = 13
    d = r.differences.set_index(["unit", "indicator"])
    assert d.loc[("C2", "sessions"), "difference"] == 13


def test_rollup_after_the_revision_and_the_late_return(three, returns):
    r = rollup(three, returns, "P", D31)
    # 甲二区 revised to 7: 甲市 7 + 7 = 14; province 14 + 20 = 34
    assert r.value("sessions", "C1") == 14 and r.value("sessions") == 34
    # 乙市 still uses its consolidated 20; its counties now add to 12 + 7 = 19: difference 1
    d = r.differences.set_index(["unit", "indicator"])
    row = d.loc[("C2", "sessions")]
    assert (row["consolidated"], row["children_sum"], row["difference"]) == (20, 19, 1)
    # covered: 9 against 6 + 3 = 9 → difference 0 (reported, not hidden)
    assert d.loc[("C2", "covered"), "difference"] == 0
    # weighted mean of the counties: (2·2.5 + 2·4.0) / 4 = 3.25 against 3.5 → 0.25
    assert d.loc[("C2", "per_lecturer"), "children_sum"] == approx(3.25)
    assert d.loc[("C2", "per_lecturer"), "difference"] == approx(0.25)
    # the difference is never added: the province still counts 乙市 as 20
    assert r.value("sessions", "C2") == 20
    # the late county's own value is there for its own row
    assert r.value("coverage", "C2a") == approx(75.0)  # 6 / 8


def test_rollup_traces_every_value_to_its_submissions(three, returns):
    r = rollup(three, returns, "P", D31)
    # 34 = 甲一县 (1) + 甲二区 revision 2 (3) + 乙市 consolidated (6); 乙市's counties are
    # not sources because the consolidated return stands for them
    assert r.sources(indicator="sessions") == (1, 3, 6)
    assert r.sources("C2a", "sessions") == (4,)
    # a derived value lists the sources of its parts
    assert r.sources(indicator="coverage") == (1, 3, 6)
    # yes/no is the unit's own only: the province has none
    assert r.sources(indicator="has_column") == ()
    t = trace(returns, r.sources(indicator="sessions"), "sessions")
    assert t["value"].sum() == 34 and set(t["unit"]) == {"C1a", "C1b", "C2"}


def test_reporting_rates(three, returns):
    on_deadline = reporting(three, returns, D20)
    # expected under the province: 2 cities + 5 counties = 7
    # received by 12-20: 甲一县, 甲二区, 乙二县, 乙市 = 4, all on time; on the deadline day
    # the other 3 are not yet due (not missing): the rate is over the 4 due, 100%
    row = on_deadline.loc["P"]
    assert (row["expected"], row["received"], row["on_time"]) == (7, 4, 4)
    assert (row["due"], row["not_yet_due"], row["missing"]) == (4, 3, 0)
    assert row["rate"] == approx(100.0) and row["on_time_rate"] == approx(100.0)
    end = reporting(three, returns, D31)
    row = end.loc["P"]
    # + 乙一县 (late); 甲二区's revision is not a second return; 甲市 and 甲三县 missing
    assert (row["expected"], row["received"], row["on_time"], row["late"],
            row["missing"], row["due"], row["not_yet_due"]) == (7, 5, 4, 1, 2, 7, 0)
    assert row["rate"] == approx(5 / 7 * 100)  # 71.4
    assert row["on_time_rate"] == approx(4 / 7 * 100)  # 57.1
    # every level: 甲市 expects itself and its 3 counties, 2 received on time → 50%
    assert end.loc["C1", ["expected", "received", "on_time"]].tolist() == [4, 2, 2]
    assert end.loc["C2", ["expected", "received", "on_time"]].tolist() == [3, 3, 2]
    assert (end["rate"].dropna() <= 100).all()
    rs = reporter_status(three, returns, D31)
    # revised after the deadline but first complete on 12-18: still on time
    assert rs.loc["C1b", "status"] == "on_time" and rs.loc["C1b", "revisions"] == 2
    assert rs.loc["C1b", "latest_received"] == date(2024, 12, 26)
    assert rs.loc["C2a", "status"] == "late" and rs.loc["C1c", "status"] == "missing"


def test_duplicates_never_push_a_rate_past_100(three):
    many = frames_from_lists(submissions=[
        {"unit": "C1a", "round": "final", "received_on": f"2024-12-{d:02d}",
         "values": {"sessions": d}} for d in range(1, 11)])
    row = reporting(three, many, D31).loc["C1a"]
    assert (row["expected"], row["received"], row["rate"]) == (1, 1, 100.0)


def test_incomplete_return_is_received_but_not_on_time(three):
    f = frames_from_lists(submissions=[
        {"unit": "C1a", "round": "final", "received_on": "2024-12-10", "complete": False},
        {"unit": "C1a", "round": "final", "received_on": "2024-12-21", "complete": True}])
    rs = reporter_status(three, f, D31)
    assert rs.loc["C1a", "first_complete"] == date(2024, 12, 21)
    assert rs.loc["C1a", "status"] == "late"
    assert reporter_status(three, f, D20).loc["C1a", "status"] == "incomplete"


# ---------------------------------------------------------------------------------------
# rankings, shares, changes
# ---------------------------------------------------------------------------------------
def test_rank_labels_write_ties_as_bingliedi():
    # two units share third place; the next one is fifth (docs/reports.md: 并列第3)
    assert rank_labels([90.0, 88.0, 85.0, 85.0, 70.0]) == [
        (1, "第1"), (2, "第2"), (3, "并列第3"), (3, "并列第3"), (5, "第5")]
    assert rank_labels([90.0, 85.0, 85.0, 85.0, None]) == [
        (1, "第1"), (2, "并列第2"), (2, "并列第2"), (2, "并列第2"), (None, "")]


def test_children_table_ranks_shares_and_changes(three, returns):
    t = children_table(three, returns, "C1", D31, indicators=["sessions"]).set_index("unit")
    # 甲一县 7, 甲二区 7 (revised): a tie, both 并列第1; 甲三县 has no value, no rank
    assert t.loc["C1a", "rank_label"] == "并列第1" and t.loc["C1b", "rank_label"] == "并列第1"
    assert pd.isna(t.loc["C1c", "rank"]) and t.loc["C1c", "rank_label"] == ""
    # share of 甲市's 14: 7 / 14 = 50%
    assert t.loc["C1a", "share"] == approx(50.0)
    t20 = children_table(three, returns, "C1", D20, indicators=["sessions"]).set_index("unit")
    assert t20.loc["C1a", "rank_label"] == "第1" and t20.loc["C1b", "rank_label"] == "第2"
    # change against the midyear round: 甲市 midyear 3 + 1 = 4 → final 14: +10;
    # 乙市 midyear 8 (consolidated) → 20: +12
    ch = children_table(three, returns, "P", D31, compare_round="midyear",
                        indicators=["sessions"]).set_index("unit")
    assert ch.loc["C1", ["previous", "change"]].tolist() == [4, 10]
    assert ch.loc["C2", ["previous", "change"]].tolist() == [8, 12]
    # change against an earlier date: 甲市 12 on 12-20 → 14 on 12-31
    cd = children_table(three, returns, "P", D31, compare_as_of=D20,
                        indicators=["sessions"]).set_index("unit")
    assert cd.loc["C1", "change"] == 2
    # rates rank at one decimal; coverage is not a share of the parent
    cov = children_table(three, returns, "P", D31, indicators=["coverage"]).set_index("unit")
    assert cov.loc["C2", "rank_label"] == "第1" and pd.isna(cov.loc["C2", "share"])


def test_rates_tied_at_one_decimal_share_a_rank():
    # the engine, not the test, rounds: 甲市 covers 1 of its 16 townships (6.25%) and 乙市,
    # here with 63 townships, 4 (6.349…%). Both print as 6.3 (四舍五入), so the ranking
    # table shows a tie; half-even rounding would print 6.2 and rank 甲市 second
    c = load_campaign_text(SPEC.replace("level: city, townships: 12}",
                                        "level: city, townships: 63}"), "three_levels")
    f = frames_from_lists(submissions=[
        {"unit": u, "round": "final", "received_on": "2024-12-10",
         "return_type": "consolidated", "values": {"covered": n}}
        for u, n in (("C1", 1), ("C2", 4))])
    t = children_table(c, f, "P", D31, indicators=["coverage"]).set_index("unit")
    assert t.loc["C1", "value"] == 6.25 and t.loc["C2", "value"] == approx(400 / 63)
    assert t["rank_label"].tolist() == ["并列第1", "并列第1"]


# ---------------------------------------------------------------------------------------
# targets, time-elapsed progress
# ---------------------------------------------------------------------------------------
def test_completion_rate_only_where_a_target_exists(three, returns):
    p = progress(three, returns, "P", D31).set_index(["unit", "indicator"])
    # 甲市 target 20, value 14 → 70%; 序时进度 on 12-31 is 100 → 30 points behind
    assert p.loc[("C1", "sessions"), "completion_rate"] == approx(70.0)
    assert p.loc[("C1", "sessions"), "gap"] == approx(-30.0)
    # 乙市 and the province have no target: no 完成率
    assert pd.isna(p.loc[("C2", "sessions"), "completion_rate"])
    assert pd.isna(p.loc[("P", "sessions"), "target"])


def test_time_progress(three):
    # 2024 has 366 days; 6-30 is day 182: 182 / 366 = 49.73%
    assert time_progress(three, date(2024, 6, 30)) == approx(182 / 366 * 100)
    assert time_progress(three, date(2024, 12, 31)) == 100.0
    assert time_progress(three, date(2023, 12, 1)) == 0.0


# ---------------------------------------------------------------------------------------
# Fujian: a round due (1-20) before its period ends (截至1月底)
# ---------------------------------------------------------------------------------------
def test_fujian_round_due_before_its_period_end():
    c = load_campaign(FUJIAN)
    rnd = c.round("final")
    assert rnd.deadline == date(2022, 1, 20) and rnd.period_end.date == date(2022, 1, 31)
    f = frames_from_lists(submissions=[
        # 福州: received 1-18, before the deadline and before the period ends
        {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
         "return_type": "consolidated", "values": {"sessions": 30, "materials": 5000}},
        # 厦门: received 1-25, after the deadline, before 1月底
        {"unit": "FJ02", "round": "final", "received_on": "2022-01-25",
         "return_type": "consolidated", "values": {"sessions": 10, "materials": 800}},
    ])
    # on the deadline the 1-18 return counts although the period runs to 1-31
    on_deadline = rollup(c, f, None, date(2022, 1, 20))
    assert on_deadline.value("sessions") == 30
    rep = reporting(c, f, date(2022, 1, 20)).loc["FJ"]
    assert (rep["expected"], rep["received"], rep["on_time"]) == (10, 1, 1)
    # at the end of January both are in; 厦门 is late
    end = rollup(c, f, None, date(2022, 1, 31))
    assert end.value("sessions") == 40 and end.value("materials") == 5800
    rep = reporting(c, f, date(2022, 1, 31)).loc["FJ"]
    assert (rep["received"], rep["on_time"], rep["late"]) == (2, 1, 1)
    # the provincial social-insurance centre (a dept) is not a reporter
    assert rep["expected"] == 10


# ---------------------------------------------------------------------------------------
# plan vs actual (Hubei 附件2)
# ---------------------------------------------------------------------------------------
def test_plan_vs_actual_hubei():
    c = load_campaign(HUBEI)
    f = frames_from_lists(ledger=[
        # p12 就业创业政策宣讲 (5月, 1场) by 就业促进处 HB_D02, held 5-20: met
        {"unit": "HB_D02", "date": "2024-05-20", "sessions": 1, "plan": "p12"},
        # p11 稳岗返还政策宣传 (5-6月, 1场), named by its theme
        {"unit": "HB_D02", "date": "2024-06-03", "sessions": 1, "plan": "稳岗返还政策宣传"},
        # p17 就业政策宣讲（三） (9-11月, 3场): one session by 10-15
        {"unit": "HB_D02", "date": "2024-10-10", "sessions": 1, "plan": "p17"},
        # p01 (全年, 多场次) by 政策法规处: one session so far
        {"unit": "HB_D01", "date": "2024-04-01", "sessions": 1, "plan": "p01"},
        # p23 (10月, 场次 全年): one session in October
        {"unit": "HB_D03", "date": "2024-10-08", "sessions": 1, "plan": "p23"},
        # p26 (5-10月, 1-2场) by 劳动关系处: three sessions
        {"unit": "HB_D06", "date": "2024-06-01", "sessions": 2, "plan": "p26"},
        {"unit": "HB_D06", "date": "2024-07-01", "sessions": 1, "plan": "p26"},
        # not counted: another unit, and a date outside p12's window
        {"unit": "HB01", "date": "2024-05-21", "sessions": 5, "plan": "p12"},
        {"unit": "HB_D02", "date": "2024-07-01", "sessions": 4, "plan": "p12"},
    ])
    mid = plan_vs_actual(c, f, date(2024, 10, 15)).set_index("plan")
    assert mid.loc["p12", ["held", "status"]].tolist() == [1, "met"]
    assert mid.loc["p11", ["held", "status"]].tolist() == [1, "met"]
    assert mid.loc["p17", ["held", "status"]].tolist() == [1, "in_progress"]
    assert mid.loc["p01", "status"] == "in_progress"  # 多场次: at least 2, year not over
    assert "at least 2" in mid.loc["p01", "note"]
    assert mid.loc["p23", ["held", "status"]].tolist() == [1, "met"]
    assert "at least one session" in mid.loc["p23", "note"]
    assert mid.loc["p26", ["held", "status"]].tolist() == [3, "above"]
    assert mid.loc["p29", "status"] == "below"  # 9月, 1场, nothing held, window over
    end = plan_vs_actual(c, f, date(2024, 12, 31)).set_index("plan")
    assert end.loc["p17", "status"] == "below" and end.loc["p01", "status"] == "below"
    early = plan_vs_actual(c, f, date(2024, 9, 1)).set_index("plan")
    assert early.loc["p23", "status"] == "not_started"
    # only the rows of 劳动关系和调解仲裁处: p06, p09, p10, p26
    assert list(plan_vs_actual(c, f, D31, unit="HB_D06")["plan"]) == ["p06", "p09", "p10", "p26"]


# ---------------------------------------------------------------------------------------
# outliers
# ---------------------------------------------------------------------------------------
def test_outliers_modified_z_score():
    c = load_campaign(FUJIAN)

    def frames(values: list[int]) -> Frames:
        return frames_from_lists(submissions=[
            {"unit": f"FJ{i:02d}", "round": "final", "received_on": "2022-01-18",
             "return_type": "consolidated", "values": {"sessions": n}}
            for i, n in enumerate(values, start=1)])

    # 9,10,10,11,12,13,400: median 11; |x − 11| = 1,1,0,2,2,1,389 → MAD 1;
    # 南平市: 0.6745 · 389 / 1 = 262.4 > 3; the next largest, 0.6745 · 2 = 1.3, is not
    found = outliers(c, frames([10, 12, 11, 9, 13, 10, 400]), date(2022, 1, 31))
    assert [(o.unit, o.indicator) for o in found] == [("FJ07", "sessions")]
    assert found[0].score == approx(0.6745 * 389) and found[0].mad == 1
    assert found[0].median == 11 and found[0].peers == 7
    assert "warning" in found[0].message and "南平市" in found[0].message
    # an even count: 9,10,10,11,12,12,13,400 → median 11.5, MAD 1.5: 0.6745·388.5/1.5
    found = outliers(c, frames([10, 12, 11, 9, 13, 10, 12, 400]), date(2022, 1, 31))
    assert found[0].unit == "FJ08" and found[0].score == approx(0.6745 * 388.5 / 1.5)
    # MAD 0 (most values equal) never flags
    assert outliers(c, frames([5, 5, 5, 5, 100]), date(2022, 1, 31)) == []
    # ordinary spread: 8,9,10,10,11,12,13 → median 10, MAD 1; the largest score is
    # 0.6745 · 3 = 2.0 < 3: nothing flagged
    assert outliers(c, frames([8, 10, 12, 9, 11, 10, 13]), date(2022, 1, 31)) == []


# ---------------------------------------------------------------------------------------
# stats --json
# ---------------------------------------------------------------------------------------
def test_stats_json_shape(three, returns):
    doc = stats_json(three, returns, "P", D31)
    json.dumps(doc, allow_nan=False)  # plain JSON, no NaN
    for key in ("campaign", "unit", "as_of", "values", "reported", "expected", "children",
                "ranking", "plan", "outliers"):
        assert key in doc
    assert doc["campaign"] == "three_levels" and doc["unit"] == "P"
    assert doc["as_of"] == "2024-12-31"
    assert doc["values"]["sessions"] == 34 and isinstance(doc["values"]["sessions"], int)
    # a percentage at one decimal, rounded half up: 14 / 22 = 63.636… → 63.6
    assert doc["values"]["coverage"] == 63.6
    assert doc["values"]["has_column"] is None  # missing is null, never 0
    assert (doc["reported"], doc["expected"]) == (5, 7)
    assert doc["children"]["C2"]["has_column"] is True  # yes/no as true/false
    assert doc["children"]["C1"]["sessions"] == 14
    # 20 of 34 = 58.82…% → 58.8
    assert doc["ranking"]["sessions"][0] == {"unit": "C2", "name": "乙市", "level": "city",
                                            "value": 20, "rank": 1, "rank_label": "第1",
                                            "share": 58.8}
    assert doc["consolidated_differences"][0]["difference"] == 1
    assert doc["sources"]["sessions"] == [1, 3, 6]
    assert doc["missing"] == ["C1", "C1c"] and doc["late"] == ["C2a"]
    text = stats_text(three, doc)
    assert "测试省" in text and "乙市" in text and "并列" not in text.splitlines()[0]


def test_json_of_an_empty_store_is_all_null(three):
    doc = stats_json(three, frames_from_lists(), None, D31)
    assert doc["values"]["sessions"] is None and doc["reported"] == 0
    assert doc["ranking"] == {} and doc["rate"] == 0.0


# ---------------------------------------------------------------------------------------
# evaluate each return on its own (for milestone conditions)
# ---------------------------------------------------------------------------------------
def test_evaluate_returns_uses_the_units_own_figures(three, returns):
    e = evaluate_returns(three, returns, D31, "final")
    # 乙市's consolidated return: 9 covered of its own 12 townships
    assert e.loc[6, "coverage"] == approx(75.0) and e.loc[6, "townships"] == 12
    assert math.isnan(e.loc[2, "coverage"])  # 甲二区: 0 townships
    assert set(e.index) == {1, 2, 3, 4, 5, 6}


# ---------------------------------------------------------------------------------------
# the store adapter gives the same figures
# ---------------------------------------------------------------------------------------
def write_store(path: Any, campaign: Campaign, frames: Frames) -> None:
    """Write frames built in a test into a real SQLite store (one file per submission)."""
    from campaignkit.store import DeliverableIn, FileIn, Store, SubmissionIn, ValueIn

    stamp = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with Store.open(path) as store:
        store.sync_units(campaign)
        for row in frames.submissions.itertuples():
            vals = frames.values[frames.values["submission_id"] == row.id]
            values = tuple(
                ValueIn(v.indicator, None if pd.isna(v.value) else
                        (int(v.value) if float(v.value).is_integer() else float(v.value)),
                        None if pd.isna(v.text) else v.text, v.raw, "统计表", None)
                for v in vals.itertuples())
            sub = SubmissionIn(unit=row.unit, round=row.round, return_type=row.return_type,
                               received_on=row.received_on.date(), received_from="form",
                               values=values, complete=bool(row.complete))
            digest = hashlib.sha256(f"{campaign.id}:{row.id}".encode()).hexdigest()
            store.write_file(campaign.id, FileIn(f"r{row.id}.xlsx", digest, 1, "return",
                                                 submissions=(sub,)), now=stamp)
        dels = tuple(DeliverableIn(d.unit, d.milestone, d.done_on.date())
                     for d in frames.deliverables.itertuples())
        if dels:
            digest = hashlib.sha256(f"{campaign.id}:progress".encode()).hexdigest()
            store.write_file(campaign.id, FileIn("progress.xlsx", digest, 1, "progress",
                                                 deliverables=dels), now=stamp)


def test_frames_from_store_match_frames_from_lists(three, returns, tmp_path):
    from campaignkit.store import Store

    path = tmp_path / "campaignkit.db"
    write_store(path, three, returns)
    with Store.open(path) as store:
        from_store = frames_from_store(store, "three_levels")
    a = rollup(three, from_store, None, D31)
    b = rollup(three, returns, None, D31)
    pd.testing.assert_frame_equal(a.values, b.values)
    assert a.sources(indicator="sessions") == (1, 3, 6)  # ids kept by the store
    assert reporting(three, from_store, D31).equals(reporting(three, returns, D31))


def _write_mixed_store(path: Any, campaign: Campaign) -> None:
    """A store with ints, floats, yes/no, texts, dates, missing figures and revisions."""
    from campaignkit.store import DeliverableIn, FileIn, Store, SubmissionIn, ValueIn

    def v(ind: str, value: Any, text: str | None = None, cell: str | None = None) -> ValueIn:
        raw = text if text is not None else ("" if value is None else str(value))
        return ValueIn(ind, value, text, raw, "统计表" if cell else None, cell)

    returns = [  # unit, round, received on, return type, values
        ("C1a", "final", "2024-12-10", "own",
         [v("sessions", 7, cell="C7"), v("covered", 5), v("lecturers", 4),
          v("per_lecturer", 2.75, cell="C9"), v("has_column", True),
          v("best_day", 3), v("column_name", None, "甲一县惠民专栏", "C12"),
          v("started_on", dt.date(2024, 3, 5)), v("spare", None)]),
        ("C1b", "final", "2024-12-18", "own",
         [v("sessions", 5), v("covered", 0), v("lecturers", 1), v("per_lecturer", 6.0),
          v("has_column", False), v("best_day", None)]),
        # revised after the deadline: values change, timeliness does not
        ("C1b", "final", "2024-12-26", "own",
         [v("sessions", 7), v("covered", 0), v("lecturers", 1), v("per_lecturer", 6.0),
          v("has_column", False), v("best_day", 2), v("column_name", None, "")]),
        ("C2a", "final", "2024-12-22", "own",
         [v("sessions", 12), v("covered", 6), v("lecturers", 3), v("per_lecturer", 1 / 3),
          v("best_day", 5), v("started_on", dt.date(2024, 4, 1))]),
        ("C2b", "final", "2024-12-15", "own",
         [v("sessions", 7), v("covered", 3), v("lecturers", 2), v("per_lecturer", 0.1),
          v("best_day", 2)]),
        # received before C2b's current return: kept, but not current
        ("C2b", "final", "2024-12-12", "own", [v("sessions", 6), v("covered", 3)]),
        ("C2", "final", "2024-12-19", "consolidated",
         [v("sessions", 20), v("covered", 9), v("lecturers", 4), v("per_lecturer", 3.5),
          v("has_column", True), v("best_day", 5)]),
        ("C1a", "midyear", "2024-06-25", "own", [v("sessions", 3), v("covered", 2)]),
        ("C2", "midyear", "2024-06-28", "consolidated",
         [v("sessions", 8), v("covered", 4), v("has_column", None)]),
    ]  # fmt: skip
    stamp = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with Store.open(path) as store:
        store.sync_units(campaign)
        for n, (unit, rnd, day, kind, values) in enumerate(returns):
            sub = SubmissionIn(unit, rnd, kind, date.fromisoformat(day), "form", tuple(values))
            name = f"returns/{unit}_{rnd}_{n}.xlsx"
            digest = hashlib.sha256(name.encode()).hexdigest()
            store.write_file(campaign.id, FileIn(name, digest, 1, "return", submissions=(sub,)),
                             now=stamp)
        dels = (DeliverableIn("C1a", "m_mid", date(2024, 6, 25)),)
        digest = hashlib.sha256(b"progress").hexdigest()
        store.write_file(campaign.id, FileIn("progress.xlsx", digest, 1, "progress",
                                             deliverables=dels), now=stamp)


def test_frames_from_store_give_the_results_of_frames_from_store_values(three, tmp_path):
    from campaignkit.milestones import milestone_status
    from campaignkit.store import Store

    path = tmp_path / "campaignkit.db"
    _write_mixed_store(path, three)
    with Store.open(path) as store:
        fast = frames_from_store(store, "three_levels")
        exact = Frames(submissions=store.submissions("three_levels"),
                       values=store.values("three_levels"),
                       deliverables=store.deliverables("three_levels"),
                       ledger=store.ledger("three_levels"))
    columns = ["submission_id", "indicator", "value", "text", "raw", "sheet", "cell"]
    pd.testing.assert_frame_equal(fast.values[columns], exact.values[columns])
    assert fast.values["value"].isna().sum() == 7  # 2 dates, 2 texts, 3 missing
    ids = [i.id for i in three.indicators]
    for day in (D20, D31):
        a, b = rollup(three, fast, None, day), rollup(three, exact, None, day)
        for part in ("values", "texts", "measures", "figures", "returns", "differences"):
            pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))
        pd.testing.assert_series_equal(a.basis, b.basis)
        for unit in ("P", "C1", "C1b", "C2"):
            for ind in ids:
                assert a.sources(unit, ind) == b.sources(unit, ind)
        for rnd in ("midyear", "final"):
            pd.testing.assert_frame_equal(values_as_of(three, fast, day, rnd),
                                          values_as_of(three, exact, day, rnd))
            pd.testing.assert_frame_equal(evaluate_returns(three, fast, day, rnd),
                                          evaluate_returns(three, exact, day, rnd))
        pd.testing.assert_frame_equal(reporting(three, fast, day), reporting(three, exact, day))
        pd.testing.assert_frame_equal(milestone_status(three, fast, day),
                                      milestone_status(three, exact, day))
        assert json.dumps(stats_json(three, fast, None, day), sort_keys=True) == json.dumps(
            stats_json(three, exact, None, day), sort_keys=True)
    # the figures really came through, exactly
    r = rollup(three, fast, None, D31)
    assert r.value("sessions") == 34 and r.value("per_lecturer", "C1") == approx(3.4)
    assert r.value("per_lecturer", "C2a") == 1 / 3
    assert r.text("column_name", "C1a") == "甲一县惠民专栏"
    assert r.value("has_column", "C1a") == 1.0 and r.value("has_column", "C1b") == 0.0
    # provenance: trace finds the file, sheet, cell and raw text of every source
    for ind in ("sessions", "per_lecturer", "column_name", "has_column"):
        sources = r.sources(indicator=ind) or tuple(fast.submissions["id"])
        pd.testing.assert_frame_equal(trace(fast, sources, ind), trace(exact, sources, ind))
    t = trace(fast, r.sources(indicator="sessions"), "sessions").set_index("unit")
    assert t.loc["C1a", ["value", "raw", "sheet", "cell"]].tolist() == [7.0, "7", "统计表", "C7"]
    assert t.loc["C1a", "file_name"] == "returns/C1a_final_0.xlsx"
    assert t.loc["C1b", "revision"] == 2 and pd.isna(t.loc["C1b", "sheet"])


# ---------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------
def test_cli_stats(three, returns, tmp_path, capsys):
    from campaignkit.cli import main

    spec = tmp_path / "campaign.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    db = tmp_path / "campaignkit.db"
    write_store(db, three, returns)
    assert main(["stats", str(spec), "--db", str(db), "--as-of", "2024-12-31", "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # one document, nothing else on stdout
    assert doc["values"]["sessions"] == 34 and doc["unit"] == "P" and doc["round"] == "final"
    assert (doc["reported"], doc["expected"]) == (5, 7)
    assert main(["stats", str(spec), "--db", str(db), "--as-of", "2024-12-31",
                 "--unit", "乙市", "--period", "midyear", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unit"] == "C2" and doc["values"]["sessions"] == 8
    assert main(["stats", str(spec), "--db", str(db), "--as-of", "2024-12-31"]) == 0
    text = capsys.readouterr().out
    assert "测试省" in text and "应报 7，已报 5" in text and "汇总表与下级合计不一致" in text
    # a missing store, an unknown unit or round: a clear message and exit 2
    assert main(["stats", str(spec), "--db", str(tmp_path / "nope.db")]) == 2
    err = capsys.readouterr()
    assert "no store at" in err.err and err.out == ""
    assert not (tmp_path / "nope.db").exists()
    assert main(["stats", str(spec), "--db", str(db), "--unit", "XX"]) == 2
    assert main(["stats", str(spec), "--db", str(db), "--period", "q3"]) == 2
    assert main(["stats", str(spec), "--db", str(db), "--as-of", "2024-13-01"]) == 2


# ---------------------------------------------------------------------------------------
# property: sums add up at every level; consolidated differences are exact
# ---------------------------------------------------------------------------------------
_IND = (Indicator("a", "甲", "count", "sum"), Indicator("b", "乙", "count", "sum"))
_MS = Milestone("m", "deadline", "t", Responsible(frozenset({"county"})),
                Completion("round", round="r"))


def _campaign(parents: list[int]) -> Campaign:
    units = [Unit("U0", "U0", None, "province")]
    for i, p in enumerate(parents, start=1):
        units.append(Unit(f"U{i}", f"U{i}", f"U{p}", "county"))
    from campaignkit.dates import DateSpec
    return Campaign(
        id="prop", title="prop", issuer="x", doc_number=None,
        period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), units=tuple(units),
        indicators=_IND,
        rounds=(Round("r", "r", DateSpec("2024-12-31", D31), "m", D20,
                      ("province", "county")),),
        milestones=(_MS,))


@st.composite
def _trees(draw: st.DrawFn) -> tuple[list[int], list[dict[str, Any]]]:
    n = draw(st.integers(1, 12))
    parents = [draw(st.integers(0, i)) for i in range(n)]  # unit i+1 hangs under 0..i
    value = st.one_of(st.none(), st.integers(0, 500))
    rows = []
    for code in range(n + 1):
        if draw(st.booleans()):
            rows.append({"unit": f"U{code}", "round": "r", "received_on": "2024-12-01",
                         "return_type": draw(st.sampled_from(["own", "consolidated"])),
                         "values": {"a": draw(value), "b": draw(value)}})
    return parents, rows


def _nsum(values: list[float]) -> float:
    present = [v for v in values if not math.isnan(v)]
    return float(sum(present)) if present else math.nan


@given(_trees())
def test_property_sums_add_up_at_every_level(tree: tuple[list[int], list[dict[str, Any]]]):
    parents, rows = tree
    c = _campaign(parents)
    own_only = [dict(r, return_type="own") for r in rows]
    for data, consolidated in ((own_only, False), (rows, True)):
        f = frames_from_lists(submissions=data)
        r = rollup(c, f, None, D31)
        kinds = {d["unit"]: d["return_type"] for d in data}
        own = {d["unit"]: d["values"] for d in data}
        diffs = {(d.unit, d.indicator): (d.children_sum, d.difference)
                 for d in r.differences.itertuples()}
        rolled = r.values[["a", "b"]].to_dict("index")
        for u in c.units:
            for ind in ("a", "b"):
                mine = own.get(u.code, {}).get(ind)
                mine_f = math.nan if mine is None else float(mine)
                kids = [rolled[k.code][ind] for k in c.children(u.code)]
                got = rolled[u.code][ind]
                if kinds.get(u.code) == "consolidated":
                    assert consolidated
                    # the consolidated figure stands; the difference is to its children
                    assert (math.isnan(got) and math.isnan(mine_f)) or got == mine_f
                    below = _nsum(kids)
                    if not math.isnan(mine_f) and not math.isnan(below):
                        assert diffs[(u.code, ind)] == (below, mine_f - below)
                    else:
                        assert (u.code, ind) not in diffs
                else:
                    want = _nsum([mine_f, *kids])
                    assert (math.isnan(got) and math.isnan(want)) or got == want
