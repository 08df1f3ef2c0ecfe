"""Corrections replace, mistakes can be withdrawn: the history of returns, progress logs, ledgers.

The command line runs in-process (``campaignkit.cli.main``) on CSV files written in tmp_path
and a real SQLite store, with the Shandong spec of ``tests/data`` (济南市 SD01, 青岛市 SD02,
省就业服务中心 SD_JOB; m_plan due 6-05; plan row p01 of SD01, 2场 in 6月). The as-of rules
are checked on the store itself, where the day each row was received is set exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from campaignkit.cli import main
from campaignkit.store import DeliverableIn, FileIn, LedgerRowIn, Store

SPEC = Path(__file__).resolve().parent / "data" / "shandong_jobs_2025" / "campaign.yaml"
CAMPAIGN = "shandong_jobs_2025"
TODAY = dt.date.today().isoformat()
ID = re.compile(r"^[SPL][1-9][0-9]*$")

RETURN_HEAD = "单位,举办政策宣讲活动场次,参加活动人次,发放宣传资料份数,覆盖乡镇（街道）数\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, _ = run(capsys, *argv, "--json")
    return code, json.loads(out)  # one document, nothing else on stdout


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 9, 0, tzinfo=dt.UTC)


def item(doc: dict[str, Any], milestone: str, unit: str) -> dict[str, Any]:
    found = [i for i in doc["items"] if (i["milestone"], i["unit"]) == (milestone, unit)]
    assert len(found) == 1, found
    return found[0]


def held(doc: dict[str, Any], plan: str) -> int:
    return int(next(p["held"] for p in doc["plan"] if p["plan"] == plan))


# --------------------------------------------------------------------------- corrections


def test_a_corrected_progress_row_replaces_the_earlier_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "campaignkit.db"
    first = write(tmp_path / "progress.csv",
                  "单位,事项,完成日期,佐证材料\n济南市,m_plan,2025-06-03,方案.pdf\n"
                  "青岛市,m_plan,2025-06-04,方案.pdf\n")
    code, doc = run_json(capsys, "ingest", SPEC, first, "--db", db)
    assert code == 0 and doc["files"][0]["deliverables"]["new"] == 2
    # 济南 sends its row again: the plan was in fact filed on 6-08, three days late
    fix = write(tmp_path / "progress-fix.csv",
                "单位,事项,完成日期,佐证材料\n济南市,m_plan,2025-06-08,方案（修订）.pdf\n")
    code, doc = run_json(capsys, "ingest", SPEC, fix, "--db", db)
    f = doc["files"][0]
    assert code == 0 and f["status"] == "accepted"
    assert f["deliverables"] == {"new": 0, "revised": 1, "unchanged": 0}
    assert [(r["unit"], r["milestone"], r["status"], r["row"]) for r in f["rows"]] == [
        ("SD01", "m_plan", "revised", 2)]
    assert ID.match(f["rows"][0]["id"]) and f["rows"][0]["id"].startswith("P")
    # the same correction sent twice changes nothing
    code, doc = run_json(capsys, "ingest", SPEC, fix, "--db", db)
    assert doc["files"][0]["status"] == "unchanged"
    assert doc["files"][0]["deliverables"] == {"new": 0, "revised": 0, "unchanged": 1}
    assert doc["files"][0]["rows"][0]["status"] == "unchanged"

    code, doc = run_json(capsys, "status", SPEC, "--db", db, "--as-of", TODAY)
    assert code == 0
    jinan = item(doc, "m_plan", "SD01")
    assert (jinan["status"], jinan["done_on"], jinan["days_late"]) == ("late", "2025-06-08", 3)
    qingdao = item(doc, "m_plan", "SD02")
    assert (qingdao["status"], qingdao["done_on"]) == ("on_time", "2025-06-04")

    # history keeps both rows of 济南: the first superseded, the correction current
    code, doc = run_json(capsys, "history", SPEC, "--db", db, "--unit", "济南市")
    assert code == 0
    rows = [(r["milestone"], r["done_on"], r["revision"], r["status"]) for r in doc["progress"]]
    assert rows == [("m_plan", "2025-06-03", 1, "superseded"),
                    ("m_plan", "2025-06-08", 2, "current")]
    assert {r["unit"] for r in doc["progress"]} == {"SD01"}


def test_a_corrected_ledger_row_replaces_so_the_month_total_is_the_new_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "campaignkit.db"
    head = "日期,单位,场次,计划项,场所,乡镇,参加人数\n"
    ledger = write(tmp_path / "ledger.csv", head
                   + "2025-06-10,济南市,1,p01,企业,历城区,40\n"
                   + "2025-06-18,济南市,1,p01,企业,港沟街道,35\n")
    assert run(capsys, "ingest", SPEC, ledger, "--db", db)[0] == 0
    code, doc = run_json(capsys, "stats", SPEC, "--db", db, "--as-of", TODAY)
    assert held(doc, "p01") == 2
    # the 6-10 event was three sessions, not one: the row is sent again, corrected
    fix = write(tmp_path / "ledger-fix.csv", head + "2025-06-10,济南市,3,p01,企业,历城区,120\n")
    code, doc = run_json(capsys, "ingest", SPEC, fix, "--db", db)
    f = doc["files"][0]
    assert code == 0 and f["status"] == "accepted"
    assert f["ledger_rows"] == {"new": 0, "revised": 1, "unchanged": 0}
    assert [(r["unit"], r["date"], r["status"]) for r in f["rows"]] == [
        ("SD01", "2025-06-10", "revised")]
    code, doc = run_json(capsys, "stats", SPEC, "--db", db, "--as-of", TODAY)
    assert held(doc, "p01") == 4  # 3 + 1, not 1 + 1 + 3
    code, doc = run_json(capsys, "history", SPEC, "--db", db)
    assert [(r["date"], r["sessions"], r["status"]) for r in doc["ledger"]] == [
        ("2025-06-10", 1, "superseded"), ("2025-06-10", 3, "current"),
        ("2025-06-18", 1, "current")]


def test_two_events_of_one_day_in_one_ledger_both_count_and_each_can_be_corrected(
    tmp_path: Path,
) -> None:
    twin = LedgerRowIn("SD01", dt.date(2025, 6, 10), 1, "p01", "企业", "历城区", row=2)
    with Store.open(tmp_path / "s.db") as store:
        r = store.write_file(CAMPAIGN, FileIn("l.csv", sha("l"), 1, "ledger",
                                              ledger=(twin, twin)), now=at(6, 11))
        assert (r.ledger_new, r.ledger_revised, r.ledger_unchanged) == (2, 0, 0)
        # the whole ledger re-exported with the second event corrected to 2 sessions
        second = LedgerRowIn("SD01", dt.date(2025, 6, 10), 2, "p01", "企业", "历城区", row=3)
        r = store.write_file(CAMPAIGN, FileIn("l2.csv", sha("l2"), 1, "ledger",
                                              ledger=(twin, second)), now=at(6, 12))
        assert [x.status for x in r.rows] == ["unchanged", "revised"]
        assert int(store.ledger(CAMPAIGN)["sessions"].sum()) == 3


def test_figures_as_of_a_date_use_the_latest_row_received_by_then(tmp_path: Path) -> None:
    def progress(name: str, done: dt.date) -> FileIn:
        return FileIn(name, sha(name), 1, "progress",
                      deliverables=(DeliverableIn("SD01", "m_plan", done, None, 2),))

    def ledger(name: str, sessions: int) -> FileIn:
        return FileIn(name, sha(name), 1, "ledger", ledger=(
            LedgerRowIn("SD01", dt.date(2025, 6, 10), sessions, "p01", "企业", "历城区"),))

    with Store.open(tmp_path / "s.db") as store:
        store.write_file(CAMPAIGN, progress("p1.csv", dt.date(2025, 6, 3)), now=at(6, 4))
        store.write_file(CAMPAIGN, ledger("l1.csv", 1), now=at(6, 11))
        store.write_file(CAMPAIGN, progress("p2.csv", dt.date(2025, 6, 8)), now=at(6, 20))
        store.write_file(CAMPAIGN, ledger("l2.csv", 3), now=at(6, 20))

        def done_on(day: dt.date | None) -> list[dt.date]:
            return store.deliverables(CAMPAIGN, as_of=day)["done_on"].tolist()

        def sessions(day: dt.date | None) -> list[int]:
            return store.ledger(CAMPAIGN, as_of=day)["sessions"].tolist()

        assert done_on(dt.date(2025, 6, 19)) == [dt.date(2025, 6, 3)]
        assert done_on(dt.date(2025, 6, 20)) == [dt.date(2025, 6, 8)]
        assert done_on(None) == [dt.date(2025, 6, 8)]
        assert sessions(dt.date(2025, 6, 19)) == [1] and sessions(dt.date(2025, 6, 20)) == [3]
        # before anything was received the first row stands for the row (its own date
        # decides from when it counts, as before)
        assert done_on(dt.date(2025, 6, 1)) == [dt.date(2025, 6, 3)]
        assert sessions(dt.date(2025, 6, 1)) == [1]
        assert len(store.deliverables(CAMPAIGN, history=True)) == 2


# --------------------------------------------------------------------------- history, withdraw


def _three_returns(tmp_path: Path, capsys: pytest.CaptureFixture[str], db: Path) -> None:
    r1 = write(tmp_path / "sd01_mid.csv", RETURN_HEAD + "济南市,5,300,1000,6\n")
    r2 = write(tmp_path / "sd01_mid_v2.csv", RETURN_HEAD + "济南市,7,420,1300,6\n")
    r3 = write(tmp_path / "sd02_mid.csv", RETURN_HEAD + "青岛市,4,200,800,5\n")
    for path, day in ((r1, "2025-06-16"), (r3, "2025-06-16"), (r2, "2025-06-17")):
        code, _, err = run(capsys, "ingest", SPEC, path, "--db", db, "--period", "mid",
                           "--received", day)
        assert code == 0, err


def _mid(capsys: pytest.CaptureFixture[str], db: Path, day: str) -> dict[str, Any]:
    code, doc = run_json(capsys, "stats", SPEC, "--db", db, "--period", "mid", "--as-of", day)
    assert code == 0
    return doc  # type: ignore[no-any-return]


def test_history_lists_every_row_with_a_stable_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "campaignkit.db"
    _three_returns(tmp_path, capsys, db)
    write(tmp_path / "p.csv", "单位,事项,完成日期\n济南市,m_plan,2025-06-03\n")
    write(tmp_path / "l.csv", "日期,单位,场次,计划项\n2025-06-10,省就业服务中心,1,p02\n")
    assert run(capsys, "ingest", SPEC, tmp_path / "p.csv", tmp_path / "l.csv", "--db", db)[0] == 0

    code, doc = run_json(capsys, "history", SPEC, "--db", db)
    assert code == 0 and doc["campaign"] == CAMPAIGN
    subs = [(s["unit"], s["round"], s["revision"], s["received_on"], s["file"], s["status"])
            for s in doc["submissions"]]
    assert subs == [
        ("SD01", "mid", 1, "2025-06-16", str(tmp_path / "sd01_mid.csv"), "superseded"),
        ("SD01", "mid", 2, "2025-06-17", str(tmp_path / "sd01_mid_v2.csv"), "current"),
        ("SD02", "mid", 1, "2025-06-16", str(tmp_path / "sd02_mid.csv"), "current"),
    ]
    ids = [r["id"] for part in ("submissions", "progress", "ledger") for r in doc[part]]
    assert len(ids) == 5 and len(set(ids)) == 5 and all(ID.match(i) for i in ids)
    assert [i[0] for i in ids] == ["S", "S", "S", "P", "L"]
    assert doc["ledger"][0]["unit"] == "SD_JOB" and doc["ledger"][0]["plan"] == "p02"
    # the ids stay what they were after more is ingested
    write(tmp_path / "l2.csv", "日期,单位,场次,计划项\n2025-06-11,济南市,1,p01\n")
    assert run(capsys, "ingest", SPEC, tmp_path / "l2.csv", "--db", db)[0] == 0
    code, again = run_json(capsys, "history", SPEC, "--db", db)
    assert [r["id"] for r in again["submissions"]] == ids[:3]

    # the table for people names every id too, and --unit narrows it
    code, text, _ = run(capsys, "history", SPEC, "--db", db)
    assert code == 0 and all(i in text for i in ids)
    code, doc = run_json(capsys, "history", SPEC, "--db", db, "--unit", "SD02")
    assert [s["unit"] for s in doc["submissions"]] == ["SD02"]
    assert doc["progress"] == [] and doc["ledger"] == []


def test_withdrawing_a_return_leaves_it_out_from_that_day_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "campaignkit.db"
    _three_returns(tmp_path, capsys, db)
    code, doc = run_json(capsys, "history", SPEC, "--db", db, "--unit", "SD01")
    first, second = (s["id"] for s in doc["submissions"])

    code, out, err = run(capsys, "withdraw", SPEC, second, "--db", db, "--on", "2025-06-20",
                         "--reason", "报表数据填错，以第1版为准", "--by", "省厅统计员")
    assert code == 0, err
    assert second in out and "2025-06-20" in out

    # before the withdrawal the second version counts; from that day on the first again
    assert _mid(capsys, db, "2025-06-19")["children"]["SD01"]["sessions"] == 7
    assert _mid(capsys, db, "2025-06-19")["values"]["sessions"] == 11
    doc = _mid(capsys, db, "2025-06-20")
    assert doc["children"]["SD01"]["sessions"] == 5 and doc["values"]["sessions"] == 9
    assert doc["reported"] == 2

    # withdrawing the first too: 济南 has no return from 6-22 on
    assert run(capsys, "withdraw", SPEC, first, "--db", db, "--on", "2025-06-22",
               "--reason", "重复报送")[0] == 0
    assert _mid(capsys, db, "2025-06-21")["children"]["SD01"]["sessions"] == 5
    doc = _mid(capsys, db, "2025-06-22")
    assert doc["children"]["SD01"]["sessions"] is None and doc["reported"] == 1
    assert doc["values"]["sessions"] == 4

    # the reason, the day and who withdrew it stay in the history
    code, doc = run_json(capsys, "history", SPEC, "--db", db, "--unit", "SD01")
    w = {s["id"]: (s["status"], s["withdrawal"]) for s in doc["submissions"]}
    assert w[second][0] == "withdrawn"
    assert (w[second][1]["on"], w[second][1]["reason"], w[second][1]["by"]) == (
        "2025-06-20", "报表数据填错，以第1版为准", "省厅统计员")
    assert w[first][0] == "withdrawn" and w[first][1]["reason"] == "重复报送"
    code, text, _ = run(capsys, "history", SPEC, "--db", db)
    assert "报表数据填错，以第1版为准" in text

    # twice, or an id that is not there: exit 1 and one clear sentence
    code, out, err = run(capsys, "withdraw", SPEC, second, "--db", db, "--reason", "again")
    assert code == 1 and out == ""
    assert f"{second} was already withdrawn on 2025-06-20" in err
    code, out, err = run(capsys, "withdraw", SPEC, "S999", "--db", db, "--reason", "x")
    assert code == 1 and "no row S999" in err and "campaignkit history" in err
    code, out, err = run(capsys, "withdraw", SPEC, "Q1", "--db", db, "--reason", "x")
    assert code == 1 and "Q1" in err
    code, doc = run_json(capsys, "withdraw", SPEC, "S999", "--db", db, "--reason", "x")
    assert code == 1 and doc["error"]["reason"] == "unknown_id"


def test_withdrawing_a_correction_brings_back_the_row_it_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "campaignkit.db"
    write(tmp_path / "p1.csv", "单位,事项,完成日期\n济南市,m_plan,2025-06-03\n")
    write(tmp_path / "p2.csv", "单位,事项,完成日期\n济南市,m_plan,2025-06-08\n")
    write(tmp_path / "l.csv", "日期,单位,场次,计划项\n2025-06-10,济南市,2,p01\n"
          "2025-06-12,济南市,1,p01\n")
    for name in ("p1.csv", "p2.csv", "l.csv"):
        assert run(capsys, "ingest", SPEC, tmp_path / name, "--db", db)[0] == 0
    code, doc = run_json(capsys, "history", SPEC, "--db", db)
    assert code == 0
    correction = doc["progress"][1]["id"]
    event = doc["ledger"][1]["id"]
    for ident in (correction, event):
        assert run(capsys, "withdraw", SPEC, ident, "--db", db, "--reason", "误报")[0] == 0
    code, doc = run_json(capsys, "status", SPEC, "--db", db, "--as-of", TODAY)
    jinan = item(doc, "m_plan", "SD01")
    assert code == 0 and (jinan["status"], jinan["done_on"]) == ("on_time", "2025-06-03")
    code, doc = run_json(capsys, "stats", SPEC, "--db", db, "--as-of", TODAY)
    assert code == 0 and held(doc, "p01") == 2
    code, doc = run_json(capsys, "history", SPEC, "--db", db)
    assert code == 0
    assert [r["status"] for r in doc["progress"]] == ["current", "withdrawn"]
    assert [r["status"] for r in doc["ledger"]] == ["current", "withdrawn"]
    assert doc["ledger"][1]["withdrawal"]["reason"] == "误报"
