"""The notebook-facing API: one call opens a campaign and its store as of a date.

Figures are checked against numbers written in the test (the Shandong spec was written from the
docs, not generated), and the parameter checks against the one sentence an analyst sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import campaignkit
from campaignkit import load_campaign
from campaignkit.ingest import ingest_paths
from campaignkit.report.snapshot import ParameterError, Snapshot, open_snapshot
from campaignkit.stats import frames_from_lists
from campaignkit.store import Store

SHANDONG = Path(__file__).resolve().parent.parent / "data" / "shandong_jobs_2025" / \
    "campaign.yaml"


def _snap(as_of: str = "2025-06-30", unit: str | None = None) -> Snapshot:
    c = load_campaign(SHANDONG)
    subs = [
        {"unit": "SD01", "round": "mid", "received_on": "2025-06-16",
         "return_type": "consolidated", "values": {"sessions": 10, "townships_covered": 5}},
        {"unit": "SD01", "round": "final", "received_on": "2025-07-01",
         "return_type": "consolidated", "values": {"sessions": 25, "townships_covered": 10}},
        {"unit": "SD02", "round": "final", "received_on": "2025-07-02",
         "return_type": "consolidated", "values": {"sessions": 25, "townships_covered": 6}},
        {"unit": "SD03", "round": "final", "received_on": "2025-07-08",
         "return_type": "consolidated", "values": {"sessions": 5}},
        {"unit": "SD_JOB", "round": "final", "received_on": "2025-07-03",
         "return_type": "own", "values": {"sessions": 7}},
        # a county does not report: kept in the store, never added
        {"unit": "SD0101", "round": "final", "received_on": "2025-07-01",
         "return_type": "own", "values": {"sessions": 100}},
    ]
    ledger = [{"unit": "SD01", "date": "2025-06-03", "sessions": 2, "plan": "p01"},
              {"unit": "SD01", "date": "2025-06-20", "sessions": 1, "plan": "p01"},
              {"unit": "SD_JOB", "date": "2025-06-10", "sessions": 1, "plan": "p02"}]
    return Snapshot.from_frames(c, frames_from_lists(submissions=subs, ledger=ledger),
                                as_of="2025-07-10" if as_of == "end" else as_of, unit=unit)


def test_totals_add_reporters_only_and_compare_with_the_earlier_round() -> None:
    t = _snap("end").totals().set_index("指标编号")
    assert t.loc["sessions", "数值"] == 25 + 25 + 5 + 7  # never the county's 100
    assert t.loc["sessions", "上一轮"] == 10
    assert t.loc["sessions", "计量单位"] == "场"
    assert pd.isna(t.loc["sessions", "目标"])  # the province has no target


def test_targets_appear_only_where_the_spec_sets_them() -> None:
    t = _snap("end", unit="SD01").totals().set_index("指标编号")
    assert t.loc["sessions", "目标"] == 40
    assert t.loc["sessions", "完成率（%）"] == pytest.approx(62.5)
    assert pd.isna(t.loc["attendees", "目标"])
    p = _snap("end").progress()
    assert set(p.loc[p["目标任务数"].notna(), "单位编号"]) == {"SD01", "SD02", "SD03"}
    assert p.loc[p["单位编号"] == "SD04", "完成率（%）"].isna().all()


def test_children_and_ranking_keep_levels_apart() -> None:
    snap = _snap("end")
    ch = snap.children(indicators=["sessions"]).set_index("单位编号")
    assert ch.loc["SD_JOB", "层级"] == "省直单位" and ch.loc["SD01", "层级"] == "市州"
    r = snap.ranking("sessions")
    cities = r[r["层级"] == "市州"]
    assert cities["名次"].head(2).tolist() == ["并列第1", "并列第1"]
    assert cities["名次"].iloc[2] == "第3"
    dept = r[r["层级"] == "省直单位"]
    assert dept["名次"].tolist() == ["第1"]  # ranked among divisions, not after the cities


def test_reporting_and_returns_say_who_is_late_and_missing() -> None:
    snap = _snap("end")
    rep = snap.reporting().set_index("轮次")
    assert rep.loc["final", "应报"] == 17 and rep.loc["final", "已报"] == 4
    assert rep.loc["final", "逾期"] == 1  # 淄博市 on 07-08, after the 07-05 deadline
    ret = snap.returns("final").set_index("单位编号")
    assert ret.loc["SD03", "状态"] == "逾期完成"
    assert ret.loc["SD04", "状态"] == "未报送"
    early = _snap("2025-07-03").returns("final").set_index("单位编号")
    assert early.loc["SD04", "状态"] == "未到报送时限"


def test_milestones_show_windows_and_continuous_tasks_as_such() -> None:
    m = _snap("end", unit="SD01").milestones()
    kinds = dict(zip(m["事项编号"], m["类型"], strict=False))
    assert kinds["m_drive"] == "时段" and kinds["m_hotline"] == "贯穿全程"
    hotline = m[m["事项编号"] == "m_hotline"]
    assert "逾期未完成" not in set(hotline["状态"])
    assert "不适用" not in set(m["状态"])


def test_plan_and_ledger_by_month() -> None:
    snap = _snap("end")
    months = snap.ledger_by_month().set_index("月份")
    assert months.loc["2025-06", "场次"] == 4
    plan = snap.plan().set_index("计划编号")
    assert plan.loc["p01", "已开展场次"] == 3 and plan.loc["p01", "状态"] == "超额完成"
    early = _snap("2025-06-05").ledger_by_month().set_index("月份")
    assert early.loc["2025-06", "场次"] == 2


def test_parameters_fail_with_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "ck.db"
    with Store.open(db):
        pass
    with pytest.raises(ParameterError, match="not a unit of shandong_jobs_2025"):
        open_snapshot(SHANDONG, db, unit="XX")
    with pytest.raises(ParameterError, match="outside the campaign period"):
        open_snapshot(SHANDONG, db, as_of="2024-06-30")
    with pytest.raises(ParameterError, match="written as 2024-12-20"):
        open_snapshot(SHANDONG, db, as_of="2025-13-01")
    with pytest.raises(ParameterError, match="no store at"):
        open_snapshot(SHANDONG, tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()  # never created by a report
    snap = campaignkit.open(SHANDONG, db, as_of=dt.date(2025, 6, 20), unit="济南市")
    assert snap.unit == "SD01" and snap.totals()["数值"].isna().all()


def test_sources_name_file_sheet_cell_and_received_date(tmp_path: Path) -> None:
    c = load_campaign(SHANDONG)
    csv = tmp_path / "济南市_总结.csv"
    csv.write_text("单位,举办政策宣讲活动场次,参加活动人次\n济南市,12场,300\n", "utf-8")
    db = tmp_path / "ck.db"
    with Store.open(db) as store:
        store.sync_units(c)
        report = ingest_paths(c, [csv], store, round_id="final",
                              received=dt.date(2025, 7, 1))
    assert report.exit_code == 0, report.render()
    snap = campaignkit.open(SHANDONG, db, as_of="2025-07-10")
    src = snap.sources("sessions")
    assert src[["单位", "数值", "原文", "接收日期", "轮次"]].values.tolist() == [
        ["济南市", 12.0, "12场", "2025-07-01", "final"]]
    assert Path(str(src["文件"].iloc[0])).name == "济南市_总结.csv"


HUBEI = Path(__file__).resolve().parents[2] / "data_samples" / "hubei_huimin_2024" / \
    "campaign.yaml"


def _hubei() -> Snapshot:
    """Hubei's three blanks of one form cell (场, 覆盖乡镇 个, 覆盖率 %), sent by two cities."""
    c = load_campaign(HUBEI)
    subs = [{"unit": "HB01", "round": "final", "received_on": "2024-12-16",
             "return_type": "consolidated",
             "values": {"village_sessions": 73, "townships_covered": 80, "lecturers": 45,
                        "sessions_per_lecturer": 4.2}},
            {"unit": "HB02", "round": "final", "received_on": "2024-12-11",
             "return_type": "consolidated",
             "values": {"village_sessions": 38, "townships_covered": 29}}]
    return Snapshot.from_frames(c, frames_from_lists(submissions=subs), as_of="2024-12-31")


def test_fields_sharing_a_form_label_get_columns_of_their_own() -> None:
    snap = _hubei()
    c = snap.campaign
    shared = [i for i in c.indicators if i.label == c.indicator("village_sessions").label]
    assert len(shared) == 3  # the collision this guards against
    children = snap.children()
    assert children.columns.is_unique
    row = children.set_index("单位编号").loc["HB01"]
    assert row["开展政策宣讲进村居活动"] == 73
    assert row["开展政策宣讲进村居活动（覆盖乡镇）"] == 80
    assert "开展政策宣讲进村居活动（覆盖率）" in children.columns
    lecturer = c.indicator("lecturers").label  # 人 and 场/人: alike even with their blanks
    assert row[f"{lecturer}（人）"] == 45 and row[f"{lecturer}（场/人）"] == 4.2
    totals = snap.totals()
    assert totals["指标"].is_unique
    assert totals.set_index("指标").loc["开展政策宣讲进村居活动（覆盖乡镇）", "数值"] == 80 + 29


def test_sources_keep_the_submission_and_tell_shared_fields_apart() -> None:
    snap = _hubei()
    src = snap.sources("townships_covered")
    assert list(src.columns[:5]) == ["提交编号", "单位编号", "单位", "指标编号", "指标"]
    assert src[["提交编号", "单位", "指标", "数值"]].values.tolist() == [
        [1, "武汉市", "开展政策宣讲进村居活动（覆盖乡镇）", 80.0],
        [2, "黄石市", "开展政策宣讲进村居活动（覆盖乡镇）", 29.0]]
    village = snap.sources("village_sessions")
    assert set(village["指标"]) == {"开展政策宣讲进村居活动"}
    assert snap.sources("village_sessions", unit="HB03").empty  # a city that sent nothing
