"""The inspection briefing (通报) built in-process from the demo's real SQLite stores."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from campaignkit import load_campaign
from campaignkit.report.briefing import build_briefing, commended
from campaignkit.report.model import Paragraph, Report, Table, numbered, plain_text
from campaignkit.report.numbers import fmt_count, fmt_rate
from campaignkit.report.snapshot import Snapshot, open_snapshot
from campaignkit.report.yearend import Facts
from campaignkit.spotcheck import spot_check
from campaignkit.stats import reporter_status

from .test_yearend import FUJIAN, HUBEI, body_text, overdue_names, store_path, stored_value


@functools.cache
def snap(unit: str | None = None, as_of: str = "2024-12-31") -> Snapshot:
    return open_snapshot(HUBEI, store_path("hubei_huimin_2024"), unit=unit, as_of=as_of)


@functools.cache
def briefing(unit: str | None = None, as_of: str = "2024-12-31") -> Report:
    return build_briefing(snap(unit, as_of), seed=2024)


def section_text(r: Report, heading: str) -> str:
    s = next(x for x in r.sections if x.heading == heading)
    out = [plain_text(b) for b in s.blocks if isinstance(b, Paragraph)]
    out += [plain_text(b) for sub in s.subsections for b in sub.blocks
            if isinstance(b, Paragraph)]
    return "\n".join(out)


def tables(r: Report) -> list[Table]:
    return [b for _l, _d, s in numbered(r.sections) for b in s.blocks if isinstance(b, Table)]


def test_shape_of_a_bulletin() -> None:
    r = briefing()
    assert r.title == "关于全省“人社惠民政策进万家”活动进展情况的通报"
    assert [s.heading for s in r.sections] == ["总体情况", "主要成效", "存在问题", "下一步工作要求"]
    assert r.addressee == "各有关单位：" and r.doc_number is None
    assert plain_text(r.opening[0]).endswith("通报如下：")  # type: ignore[arg-type]


def test_reporting_rates_per_round_from_the_store() -> None:
    c = load_campaign(HUBEI)
    text = section_text(briefing(), "总体情况")
    for r in c.rounds:
        st = reporter_status(c, snap().frames, snap().as_of, r.id)
        expected, received = len(st), int(st["first_received"].notna().sum())
        on_time = int((st["status"] == "on_time").sum())
        assert (f"{r.label}统计表（报送时限{r.deadline.year}年{r.deadline.month}月"
                f"{r.deadline.day}日）应报{expected}个单位，已报{received}个，报送率"
                f"{fmt_rate(received / expected * 100)}；按时报送{on_time}个，按时报送率"
                f"{fmt_rate(on_time / expected * 100)}。") in text


def test_ranking_table_ranks_within_levels_with_ties_and_a_total() -> None:
    t = tables(briefing())[0]
    assert [c.text for c in t.header[0]] == ["序号", "地区", "目标任务数", "完成数",
                                             "完成率（%）", "排名"]
    rows = [[c.text for c in row] for row in t.body]
    groups = [r[0] for r in rows if len(r) == 1]
    assert groups == ["市州", "省直单位"]  # each level ranked on its own
    ranks = [r[-1] for r in rows if len(r) > 1]
    assert ranks.count("第1") == 2 and any(x.startswith("并列第") for x in ranks)
    assert t.total is not None and t.total[0].text == "全省合计"
    total = stored_value(HUBEI, "HB", "enterprise_sessions")
    assert t.total[2].text == fmt_count(total)
    wuhan = next(r for r in rows if len(r) > 1 and r[1] == "武汉市")
    done = stored_value(HUBEI, "HB01", "enterprise_sessions")
    assert wuhan[3] == fmt_count(done) and wuhan[4] == fmt_rate(done / 60 * 100, sign=False)


def test_fujian_has_no_targets_so_no_target_columns() -> None:
    r = build_briefing(open_snapshot(FUJIAN, store_path("fujian_hkmacao_2021")), seed=1)
    t = tables(r)[0]
    assert [c.text for c in t.header[0]] == ["序号", "地区", "完成数", "排名"]
    assert t.total is not None and t.total[1].text == fmt_count(stored_value(FUJIAN, "FJ",
                                                                              "sessions"))
    assert "闽人社办〔2021〕194号" in plain_text(r.opening[0])  # type: ignore[arg-type]
    assert "目标任务" not in section_text(r, "总体情况")


def test_units_named_for_problems_and_rectification_date() -> None:
    r = briefing()
    problems = section_text(r, "存在问题")
    assert all(n in problems for n in overdue_names(snap()))
    assert "神农架林区未报送上半年统计表" in problems
    assert "襄阳市开展政策宣讲进企业活动完成" in problems  # below 序时进度
    asks = section_text(r, "下一步工作要求")
    assert "于2025年1月10日前完成整改" in asks  # as_of + 10 days by default
    later = build_briefing(snap(), seed=2024, rectify_by=date(2024, 12, 30))
    assert "于2024年12月30日前完成整改" in section_text(later, "下一步工作要求")


def test_spot_check_states_its_seed_and_reproduces() -> None:
    text = section_text(briefing(), "下一步工作要求")
    assert "随机数种子2024" in text
    c = load_campaign(HUBEI)
    drawn = spot_check(c, n=5, seed=2024, level="county")
    assert all(c.unit(u).name in text for u in drawn.units)
    again = build_briefing(snap(), seed=2024)
    assert section_text(again, "下一步工作要求") == text
    default = build_briefing(snap())
    assert "随机数种子20241231" in section_text(default, "下一步工作要求")


def test_commended_units_follow_the_stated_rule() -> None:
    f = Facts(snap())
    good = commended(f)
    assert good
    named = overdue_names(snap())
    late = set()
    for r in f.rounds_due():
        st = reporter_status(f.c, f.snap.frames, f.snap.as_of, r.id)
        late |= {str(n) for n in st.loc[st["status"] != "on_time", "name"]}
    st = f.milestone_status()
    behind = {str(n) for n in st.loc[st["status"].isin(["late", "overdue"]), "name"]}
    for k in good:
        assert k.name not in named | late | behind
    text = section_text(briefing(), "主要成效")
    assert "予以通报表扬" in text and "按时报送统计表" in text
    assert all(k.name in text for k in good)


def test_before_a_deadline_the_round_is_not_yet_due() -> None:
    r = briefing("HB", "2024-07-15")
    text = section_text(r, "总体情况")
    assert "年度统计表（报送时限2024年12月20日）应报23个单位，尚未到报送时限" in text
    mid = stored_value(HUBEI, "HB", "enterprise_sessions", "midyear")
    assert f"开展政策宣讲进企业活动{fmt_count(mid)}场" in text


@pytest.mark.parametrize("unit", ["HB01", "HB0201", "HB_D03"])
def test_every_level_builds(unit: str) -> None:
    r = briefing(unit)
    text = body_text(r)
    assert "None" not in text and "nan" not in text
    for n in overdue_names(snap(unit)):
        assert n in text
