"""Named milestone cases on the bundled Hubei sample data, written from the plan's text.

Each case was written from 附件1 of the Hubei notice and the sample scenario
(data_samples/hubei_huimin_2024/SAMPLES.md) before the engine was run on the samples: which
unit, which milestone, which date, which status, and why. The sample returns, progress log
and ledger are ingested into a real SQLite store first, as an analyst would.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from campaignkit import load_campaign
from campaignkit.ingest import ingest_paths
from campaignkit.milestones import milestone_status, reporting_summary
from campaignkit.stats import Frames, frames_from_store, rollup
from campaignkit.store import Store

from .conftest import HUBEI

MAR20, JUL15, OCT31, DEC25 = (date(2024, 3, 20), date(2024, 7, 15), date(2024, 10, 31),
                              date(2024, 12, 25))

# unit, milestone, as of, status, days late, why (from the plan's text and the scenario)
CASES = [
    # 3月25日前 各市州人社部门制定出台工作方案 (m01, a deadline; completed by the progress log)
    ("HB01", "m01", MAR20, "on_time", None, "武汉市 recorded its work plan on 3-20"),
    ("HB09", "m01", MAR20, "due_soon", None, "荆州市 not yet; 3-25 is 5 days away"),
    ("HB09", "m01", JUL15, "late", 3, "荆州市 recorded it on 3-28: a deadline missed"),
    ("HB17", "m01", JUL15, "overdue", 112, "神农架林区 never recorded it: 3-25 → 7-15"),
    ("HB0101", "m01", JUL15, "not_applicable", None, "a duty of 各市州, not of 江岸区"),
    ("HB_D01", "m01", JUL15, "not_applicable", None, "not a duty of a lead division"),
    # 6月30日前 …按要求报送活动进展情况及统计表 (m11: the mid-year round)
    ("HB01", "m11", JUL15, "on_time", None, "武汉市's mid-year return dated 6-22"),
    ("HB09", "m11", JUL15, "late", 5, "荆州市's mid-year return dated 7-05"),
    ("HB17", "m11", JUL15, "overdue", 15, "神农架林区 sent none"),
    # 3—12月 五进五促政策宣讲活动 (m04: a window, never overdue while it runs)
    ("HB05", "m04", JUL15, "in_progress", None, "inside 3—12月"),
    ("HB05", "m04", DEC25, "in_progress", None, "the window runs to 12-31"),
    # 7—11月 省厅对各地活动落实情况进行检查 (m12: the province's window)
    ("HB", "m12", MAR20, "pending", None, "7—11月 has not begun"),
    ("HB", "m12", OCT31, "in_progress", None, "inside 7—11月, not yet recorded"),
    ("HB", "m12", DEC25, "on_time", None, "window ended; inspection recorded 11-20"),
    # 贯穿活动全过程 (m22: continuous, never overdue)
    ("HB05", "m22", MAR20, "in_progress", None, "continuous task"),
    ("HB05", "m22", DEC25, "in_progress", None, "continuous task, still never overdue"),
    # 10月31日前 五进完成率应为100% (m16: a condition on the returns; our reading of 五进)
    ("HB01", "m16", OCT31, "on_time", None, "all five venues in the mid-year return"),
    ("HB03", "m16", DEC25, "overdue", 55, "十堰市 held no 进工地 session: 五进 80%"),
    # 11月30日前 乡镇全覆盖 (m17: condition, or coverage recorded in the progress log)
    ("HB10", "m17", DEC25, "overdue", 25, "黄冈市 covered 92% of its townships"),
    ("HB", "m17", DEC25, "not_applicable", None, "each 市州's duty, not the province's"),
    # 12月20日前 报送总结报告、统计表 (m20: the year-end round)
    ("HB05", "m20", DEC25, "on_time", None, "襄阳市 first returned 12-15; its 12-23 revision "
     "changes values, not timeliness"),
    ("HB13", "m20", DEC25, "late", 4, "恩施州's year-end return dated 12-24"),
    ("HB17", "m20", DEC25, "overdue", 5, "神农架林区 sent none"),
    ("HB01", "m20", OCT31, "pending", None, "due 12-20"),
]


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> Frames:
    c = load_campaign(HUBEI)
    root = HUBEI.parent
    db = tmp_path_factory.mktemp("cases") / "campaignkit.db"
    with Store.open(db) as store:
        store.sync_units(c)
        report = ingest_paths(c, [root / "returns", root / "progress.csv",
                                  root / "ledger.xlsx"], store)
        statuses = [f["status"] for f in report.to_json()["files"]]
        assert statuses.count("rejected") == 1  # 随州市's first return: 份 in a 场 field
        return frames_from_store(store, c.id)


@pytest.fixture(scope="module")
def statuses(frames: Frames) -> dict[date, pd.DataFrame]:
    c = load_campaign(HUBEI)
    return {d: milestone_status(c, frames, d).set_index(["milestone", "unit"])
            for d in (MAR20, JUL15, OCT31, DEC25)}


@pytest.mark.parametrize(("unit", "milestone", "as_of", "status", "days_late", "why"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]:%m%d}" for c in CASES])
def test_sample_case(statuses: dict[date, pd.DataFrame], unit: str, milestone: str,
                     as_of: date, status: str, days_late: int | None, why: str) -> None:
    row = statuses[as_of].loc[(milestone, unit)]
    assert row["status"] == status, f"{why}: {row['reason']}"
    if days_late is None:
        assert pd.isna(row["days_late"]), why
    else:
        assert row["days_late"] == days_late, why


def test_shortfalls(statuses: dict[date, pd.DataFrame]) -> None:
    s = statuses[DEC25]
    assert s.loc[("m16", "HB03"), "shortfall"] == pytest.approx(20.0)  # 4 of 5 venues
    # 黄冈市 covered 104 of its 113 townships; coverage is recomputed from the parts
    assert s.loc[("m17", "HB10"), "shortfall"] == pytest.approx(100 - 104 / 113 * 100)


def test_reporting_rates_on_the_samples(frames: Frames) -> None:
    c = load_campaign(HUBEI)
    rep = {r["round"]: r for r in reporting_summary(c, frames, DEC25).to_dict("records")}
    assert (rep["final"]["expected"], rep["final"]["received"], rep["final"]["on_time"]) == (
        23, 22, 21)
    mid = {r["round"]: r for r in
           reporting_summary(c, frames, JUL15).to_dict("records")}["midyear"]
    assert (mid["received"], mid["on_time"]) == (22, 21)


def test_counties_that_do_not_report_are_received_and_not_used(frames: Frames) -> None:
    """黄石市's counties sent final returns although only cities report: never added."""
    from campaignkit.stats import received_not_used

    c = load_campaign(HUBEI)
    r = rollup(c, frames, "HB02", DEC25)
    assert r.basis["HB02"] == "consolidated"
    assert not len(r.differences)  # the counties' returns are not compared with the city's
    county_codes = {u.code for u in c.children("HB02")}
    unused = received_not_used(c, frames, DEC25, "final")
    assert set(unused["unit"]) == county_codes
    assert set(unused["reason"]) == {"not_a_reporter"}
    top = rollup(c, frames, None, DEC25)
    for code in county_codes:
        assert top.value("village_sessions", code) is None


def test_every_top_figure_traces_to_files(frames: Frames) -> None:
    c = load_campaign(HUBEI)
    r = rollup(c, frames, None, DEC25)
    ids = r.sources(None, "village_sessions")
    assert ids
    subs = frames.submissions.set_index("id").loc[list(ids)]
    assert set(subs["file_name"].map(lambda n: Path(str(n)).suffix)) <= {".xlsx"}


def test_rollup_workbook_from_the_store_recalculates_to_the_stored_totals(
        frames: Frames, tmp_path: Path) -> None:
    """The province's roll-up, opened and recalculated by LibreOffice, gives stored totals."""
    from openpyxl import load_workbook

    from campaignkit.forms import rollup_cells, write_rollup
    from campaignkit.stats import rollup_rows

    from .test_forms import libreoffice_convert

    c = load_campaign(HUBEI)
    path = write_rollup(c, "HB", rollup_rows(c, frames, None, DEC25), tmp_path)
    recalculated, _ = libreoffice_convert(path, tmp_path / "lo", "xlsx")
    wb = load_workbook(recalculated, data_only=True)
    top = rollup(c, frames, None, DEC25)
    checked = 0
    for ident, (sheet, cell) in rollup_cells(load_workbook(path)).items():
        got = wb[sheet][cell].value
        want = top.value(ident)
        if want is None:
            assert got in (None, ""), ident
        else:
            assert got == pytest.approx(want, rel=1e-9), ident
            checked += 1
    assert checked >= 20  # every summed count, the coverage and the weighted mean
