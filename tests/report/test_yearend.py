"""The year-end summary built in-process from the demo's real SQLite stores.

Expected figures are computed here from the stored submissions (``Store.values``, current
revisions, summed per the roll-up rule), never copied from the report or hard-coded.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

from campaignkit import load_campaign
from campaignkit.milestones import milestone_status
from campaignkit.report import render_html
from campaignkit.report.model import Figure, Paragraph, Report, Table, figures, numbered, plain_text
from campaignkit.report.notes import NotesError, read_notes
from campaignkit.report.numbers import fmt_count, fmt_rate
from campaignkit.report.snapshot import Snapshot, open_snapshot
from campaignkit.report.yearend import build_year_end, report_round
from campaignkit.store import Store

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "data_samples" / "hubei_huimin_2024" / "campaign.yaml"
FUJIAN = ROOT / "data_samples" / "fujian_hkmacao_2021" / "campaign.yaml"


# ---------------------------------------------------------------------------------------
# The demo stores (built once per test process, shared by the report test modules)
# ---------------------------------------------------------------------------------------
@functools.cache
def demo_root() -> Path:
    """Run ``campaignkit demo`` once into a temporary folder and return it."""
    from campaignkit.demo import run_demo

    out = Path(tempfile.mkdtemp(prefix="ck-report-demo-"))
    atexit.register(shutil.rmtree, out, True)
    run_demo(out, ROOT / "data_samples")
    return out


def store_path(campaign_id: str) -> Path:
    """The demo's store of a campaign."""
    return demo_root() / campaign_id / "campaignkit.db"


def stored_value(spec: Path, unit: str, indicator: str, round_id: str = "final") -> float:
    """A unit's figure per the roll-up rule, from the store's current revisions.

    A unit with a consolidated return (a reporter of the round) stands on it; a unit without
    one is the sum of its children's figures (the rule for a sum indicator).
    """
    c = load_campaign(spec)
    with Store.open(store_path(c.id)) as s:
        vals = s.values(c.id, current_only=True)
    vals = vals[(vals["round"] == round_id) & (vals["indicator"] == indicator)]
    reporters = {u.code for u in c.reporters(round_id)}

    def value(code: str) -> float:
        if code in reporters:
            mine = vals[vals["unit"] == code]["value"]
            return float(sum(float(v) for v in mine if v is not None))
        return sum(value(k.code) for k in c.children(code))

    return value(unit)


def overdue_names(snap: Snapshot) -> set[str]:
    """Names of the units with a milestone overdue as of the snapshot's date (the engine)."""
    st = milestone_status(snap.campaign, snap.frames, snap.as_of, unit=snap.unit)
    return {str(n) for n in st.loc[st["status"] == "overdue", "name"]}


def body_text(r: Report) -> str:
    """Every paragraph and table cell of a report, joined."""
    out = [r.title, *(plain_text(b) for b in r.opening if isinstance(b, Paragraph))]
    for label, _lvl, s in numbered(r.sections):
        out.append(label + s.heading)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                out.append(plain_text(b))
            elif isinstance(b, Table):
                out += [c.text for row in b.rows for c in row]
    for a in r.annexes:
        out += [c.text for row in a.table.rows for c in row]
    return "\n".join(out)


@functools.cache
def hubei(unit: str | None = None, as_of: str = "2024-12-31") -> Snapshot:
    return open_snapshot(HUBEI, store_path("hubei_huimin_2024"), unit=unit, as_of=as_of)


@functools.cache
def year_end(unit: str | None = None) -> Report:
    return build_year_end(hubei(unit), None)


# ---------------------------------------------------------------------------------------
# Figures, against the store
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["HB", "HB01", "HB_D03"])
def test_totals_match_the_stored_submissions(unit: str) -> None:
    text = body_text(year_end(unit))
    for ind, label, measure in (("enterprise_sessions", "开展政策宣讲进企业活动", "场"),
                                ("brochures", "发放宣传册（宣传活页等资料）", "份")):
        total = stored_value(HUBEI, unit, ind)
        assert f"{label}{fmt_count(total)}{measure}" in text


def test_the_earlier_round_is_compared() -> None:
    final = stored_value(HUBEI, "HB", "enterprise_sessions", "final")
    mid = stored_value(HUBEI, "HB", "enterprise_sessions", "midyear")
    assert final > mid
    assert (f"开展政策宣讲进企业活动{fmt_count(final)}场（较上半年增加{fmt_count(final - mid)}场）"
            in body_text(year_end("HB")))


def test_fujian_totals_and_its_document_number() -> None:
    snap = open_snapshot(FUJIAN, store_path("fujian_hkmacao_2021"))
    r = build_year_end(snap, None)
    total = stored_value(FUJIAN, "FJ", "sessions")
    assert r.title == "福建省港澳居民内地参保政策专项宣传季活动工作总结"
    assert f"召开小型座谈会和宣讲会{fmt_count(total)}场" in body_text(r)
    assert "闽人社办〔2021〕194号" in plain_text(r.opening[0])  # type: ignore[arg-type]


def test_no_document_number_is_invented() -> None:
    r = year_end("HB")
    assert r.title == "湖北省“人社惠民政策进万家”活动2024年度工作总结"
    assert r.doc_number is None
    assert "〔" not in body_text(r) and "号）" not in plain_text(r.opening[0])  # type: ignore[arg-type]


def test_every_sentence_figure_has_sources_and_the_page_links_them() -> None:
    r = year_end("HB")
    runs = [run for _l, _d, s in numbered(r.sections) for b in s.blocks
            if isinstance(b, Paragraph) for run in b.runs if isinstance(run, Figure)]
    assert runs and all(run.sources for run in runs)
    known = {s.id for s in r.sources}
    assert all(i in known for _p, _t, ids in figures(r) for i in ids)
    cells = [s for s in r.sources if s.cell and s.sheet]
    assert cells and all(not Path(s.file).is_absolute() for s in r.sources)
    page = render_html(r)
    assert 'href="#src-v' in page and 'id="src-v' in page


def test_targets_only_where_the_spec_sets_them() -> None:
    text = body_text(year_end("HB01"))
    c = load_campaign(HUBEI)
    t = c.target("HB01", "enterprise_sessions")
    assert t is not None
    done = stored_value(HUBEI, "HB01", "enterprise_sessions")
    assert (f"开展政策宣讲进企业活动目标任务{fmt_count(t.value)}场，完成{fmt_count(done)}场，"
            f"完成率{fmt_rate(done / t.value * 100)}" in text)
    assert "目标任务" not in body_text(year_end("HB_D03"))  # a division without targets


# ---------------------------------------------------------------------------------------
# Milestones and problems (facts only)
# ---------------------------------------------------------------------------------------
def test_overdue_units_are_named_with_the_reason() -> None:
    r = year_end("HB")
    problems = next(s for s in r.sections if s.heading == "存在的问题和不足")
    text = "\n".join(plain_text(b) for s in problems.subsections for b in s.blocks
                     if isinstance(b, Paragraph))
    names = overdue_names(hubei("HB"))
    assert names and all(n in text for n in names)
    assert "神农架林区未报送年度统计表" in text  # a missing return
    assert "恩施土家族苗族自治州于2024年12月24日报送年度统计表，晚于" in text  # a late one


def test_windows_and_continuous_tasks_are_never_overdue() -> None:
    r = year_end("HB")
    t = next(b for _l, _d, s in numbered(r.sections) for b in s.blocks
             if isinstance(b, Table) and "重点任务" in b.caption)
    header = [c.text for c in t.header[0]]
    overdue = header.index("逾期未完成")
    for row in t.body:
        kind = row[3].text
        if kind == "贯穿全程":
            assert row[overdue].text == "—" and row[-1].text == "贯穿全程"
    c = load_campaign(HUBEI)
    windows = {m.id for m in c.milestones if m.kind == "window"}
    snap = hubei("HB", "2024-07-15")
    st = milestone_status(c, snap.frames, snap.as_of)
    assert not st[st["milestone"].isin(windows) & (st["status"] == "overdue")].shape[0]
    mid = build_year_end(snap, None)
    assert all("3—12月应完成" not in plain_text(b) for s in mid.sections
               for sub in s.subsections for b in sub.blocks if isinstance(b, Paragraph))


def test_a_county_is_not_blamed_for_figures_it_does_not_report() -> None:
    r = year_end("HB0201")
    text = body_text(r)
    assert r.title == "黄石市黄石港区“人社惠民政策进万家”活动2024年度工作总结"
    assert "汇总在黄石市报表中" in text and "尚无数据" not in text
    assert "黄石港区尚未完成" in text  # its own overdue milestone
    assert not r.annexes


def test_the_statistics_annex_has_a_total_row() -> None:
    r = year_end("HB")
    (annex,) = r.annexes
    t = annex.table
    assert t.total is not None and t.total[0].text == "全省合计"
    c = load_campaign(HUBEI)
    assert len(t.body) == len(c.children("HB"))
    labels = [x.text for x in t.header[1]]
    col = 2 + labels.index("开展政策宣讲进企业活动（场）")
    assert t.total[col - 1].text == fmt_count(stored_value(HUBEI, "HB", "enterprise_sessions"))


def test_report_round_is_the_one_due() -> None:
    assert report_round(hubei("HB", "2024-07-15")).id == "midyear"
    assert report_round(hubei("HB")).id == "final"


# ---------------------------------------------------------------------------------------
# The analyst's notes
# ---------------------------------------------------------------------------------------
NOTES = """写给自己：这一段不进报告。

## 典型做法
武汉市开设“政策直播间”，
每周一期。

- <script>alert('x')</script>=cmd|' /C calc'!A0

## 下一步打算
持续推进政策宣讲进村居。

## 存在问题补充
部分县区台账登记不及时。
"""


def test_notes_fill_their_sections_escaped_and_are_never_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "HB01.md"
    path.write_text(NOTES, encoding="utf-8")
    before = path.read_bytes(), path.stat().st_mtime_ns
    r = build_year_end(hubei("HB01"), read_notes(path))
    headings = [s.heading for s in r.sections]
    assert headings == ["工作开展情况及成效", "存在的问题和不足", "下一年工作打算"]
    text = body_text(r)
    assert "武汉市开设“政策直播间”，每周一期。" in text and "持续推进政策宣讲进村居。" in text
    assert "部分县区台账登记不及时。" in text and "这一段不进报告" not in text
    page = render_html(r)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_without_notes_there_is_no_placeholder(tmp_path: Path) -> None:
    missing = tmp_path / "none.md"
    assert read_notes(missing) is None and not missing.exists()
    r = year_end("HB01")
    assert [s.heading for s in r.sections] == ["工作开展情况及成效", "存在的问题和不足"]
    assert all(s.heading != "典型做法" for _l, _d, s in numbered(r.sections))


def test_an_unknown_notes_heading_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("## 典型经验汇报\n文字\n", encoding="utf-8")
    with pytest.raises(NotesError, match="line 1: unknown heading"):
        read_notes(path)


def test_the_report_date_is_the_snapshot_date() -> None:
    assert year_end("HB").date == date(2024, 12, 31)
