"""Hand-made tables as clerks write them (issue 15, item 3).

On the Shandong test campaign (``tests/data/shandong_jobs_2025``): the unit column headed 单位,
填报单位, 填表单位, 地区 or 市州 in every kind of table; a header row never read as data; UTF-8
(with or without BOM), GB18030/GBK and UTF-16 (Excel's "Unicode text", tab-separated, ``.txt``)
detected; a 统计时点/截至… column or cell giving the round. And the example files of
``docs/examples/`` — one per kind, documented in ``docs/tables.md`` — each ingested with the
outcome its ``<name>.expected.json`` states.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from campaignkit import load_campaign
from campaignkit.ingest import FileOutcome, ingest_paths, read_return
from campaignkit.spec import Campaign
from campaignkit.store import Store

from .conftest import ROOT

SHANDONG = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
EXAMPLES = ROOT / "docs" / "examples"
TABLES_DOC = ROOT / "docs" / "tables.md"
TODAY = dt.date(2025, 7, 20)
LABELS = ["举办政策宣讲活动场次", "参加活动人次", "发放宣传资料份数"]
UNIT_HEADERS = ["单位", "填报单位", "填表单位", "地区", "市州"]
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]


@pytest.fixture(scope="module")
def sd() -> Campaign:
    return load_campaign(SHANDONG)


def _reasons(problems: Any) -> list[str]:
    return [p.reason for p in problems]


def _subs(out: FileOutcome) -> list[tuple[str, str, dict[str, Any]]]:
    """(unit, round, values) of each submission; an extra item by its text."""
    return [(s.unit, s.round, {v.indicator: v.value if v.text is None else v.text
                               for v in s.values}) for s in out.submissions]


def _unicode_text(rows: list[list[str]]) -> bytes:
    """What Excel writes for "Unicode text (*.txt)": UTF-16LE with a BOM, tabs, CRLF."""
    lines = []
    for row in rows:
        cells = [f'"{c}"' if any(x in c for x in '\t"\n') else c for c in row]
        lines.append("\t".join(cells))
    return "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le") + b"\r\x00\n\x00"


# --------------------------------------------------------------------------- the must-shows


def test_a_gbk_csv_headed_填报单位_is_read(sd: Campaign) -> None:
    """The issue's CSV: 填报单位 heads the unit column of a long table (unit | item | figure).

    Before: "填报单位 '项目' is not a unit" — the header row was read as a 填报单位 line.
    """
    text = ("稳就业政策集中宣传月活动情况统计表（截至2025年6月15日）\n"
            "填报单位,项目,开展情况\n"
            "济南市,举办政策宣讲活动场次,12\n"
            "济南市,参加活动人次,1500\n"
            "青岛市,举办政策宣讲活动场次,9\n"
            "青岛市,参加活动人次,1100\n")
    out = read_return(sd, text.encode("gbk"), name="宣传月统计.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _subs(out) == [("SD01", "mid", {"sessions": 12, "attendees": 1500}),
                          ("SD02", "mid", {"sessions": 9, "attendees": 1100})]


def test_a_gbk_csv_with_a_统计时点_column_takes_its_round(sd: Campaign) -> None:
    """Before: round_unknown — a 统计时点 column heading dates was not read at all."""
    text = ("填报单位,统计时点," + ",".join(LABELS) + "\n"
            "济南市,2025年6月15日,12,1500,300\n"
            "青岛市,2025-06-15,9,1100,250\n")
    out = read_return(sd, text.encode("gbk"), name="宣传月统计.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid"), ("SD02", "mid")]


def test_a_utf16_tab_text_file_is_read(sd: Campaign) -> None:
    """Excel's "Unicode text" export (a .txt file). Before: skipped as not a spreadsheet."""
    data = _unicode_text([
        ["稳就业政策集中宣传月活动情况统计表", "", "", "", ""],
        ["市州", "统计时点", *LABELS],
        ["济南市", "6月30日", "20", "2,400", "600"],
        ["淄博市", "6月30日", "7", "800", "150"],
    ])
    assert data[:2] == b"\xff\xfe"
    out = read_return(sd, data, name="宣传月统计.txt", today=TODAY)
    assert out.status == "ok", out.errors
    assert _subs(out) == [("SD01", "final", {"sessions": 20, "attendees": 2400, "materials": 600}),
                          ("SD03", "final", {"sessions": 7, "attendees": 800, "materials": 150})]


def test_utf16_without_a_bom_is_read(sd: Campaign) -> None:
    """Some exporters write UTF-16 with no BOM: told by the zero in every other byte."""
    text = "市州\t统计时点\t" + "\t".join(LABELS) + "\r\n济南市\t6月15日\t12\t1500\t300\r\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        out = read_return(sd, text.encode(encoding), name="export.csv", today=TODAY)
        assert out.status == "ok", (encoding, out.errors)
        assert _subs(out) == [("SD01", "mid", {"sessions": 12, "attendees": 1500,
                                               "materials": 300})]


@pytest.mark.parametrize("head", ["地区", "市州"])
def test_progress_logs_and_ledgers_take_every_unit_header(sd: Campaign, head: str) -> None:
    """Before: a progress log or ledger headed 地区/市州 was 'unrecognised'."""
    log = f"{head},事项,完成日期\n济南市,m_plan,2025-06-03\n".encode("gbk")
    out = read_return(sd, log, name="progress.csv", today=TODAY)
    assert (out.status, out.kind) == ("ok", "progress"), out.errors
    ledger = f"活动日期,{head},举办场次\n2025-06-03,济南市,2\n".encode("utf-16")
    out = read_return(sd, ledger, name="ledger.csv", today=TODAY)
    assert (out.status, out.kind) == ("ok", "ledger"), out.errors
    assert out.file is not None and [r.unit for r in out.file.ledger] == ["SD01"]


def test_a_progress_log_may_name_the_deliverable(sd: Campaign) -> None:
    """docs/tables.md always said so. Before: 'work_plan' is not a milestone [unknown_milestone]."""
    log = "单位,事项,完成日期\n济南市,work_plan,2025-06-04\n".encode()
    out = read_return(sd, log, name="progress.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert out.file is not None
    assert [(d.unit, d.milestone) for d in out.file.deliverables] == [("SD01", "m_plan")]


# --------------------------------------------------------------------------- header words


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("head", UNIT_HEADERS)
def test_the_header_row_is_never_data(sd: Campaign, head: str, encoding: str) -> None:
    sep = "\t" if encoding == "utf-16" else ","
    rows = [["稳就业政策集中宣传月活动情况统计表（截至2025年6月15日）"], [head, *LABELS],
            ["济南市", "10", "1200", "300"], ["青岛市", "8", "900", "200"]]
    data = "\n".join(sep.join(r) for r in rows).encode(encoding)
    out = read_return(sd, data, name="table.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid"), ("SD02", "mid")]
    # one unit alone, the unit named by the file name: still no header read as a unit
    single = "\n".join(sep.join(r) for r in rows[1:3]).encode(encoding)
    out = read_return(sd, single, name="济南市_中期.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid")]


@pytest.mark.parametrize("head", UNIT_HEADERS)
def test_a_handmade_sheet_headed_with_a_unit_word(sd: Campaign, head: str,
                                                  tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["稳就业政策集中宣传月活动情况统计表"])
    ws.append([head, "统计时点", *LABELS])
    ws.append(["济南市", dt.datetime(2025, 6, 15), 10, 1200, 300])
    path = tmp_path / "宣传月.xlsx"
    wb.save(path)
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid")]


def test_a_填报单位_merged_down_a_three_row_header_heads_a_column(sd: Campaign,
                                                                 tmp_path: Path) -> None:
    """A header band of three rows: 填报单位 merged down A2:A4 beside a group header.

    Before: "填报单位 '宣讲活动情况' is not a unit" — the group header was read as its value.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "稳就业政策集中宣传月活动情况统计表（截至2025年6月15日）"
    ws["A2"], ws["B2"] = "填报单位", "宣讲活动情况"
    ws.merge_cells("A2:A4")
    ws.merge_cells("B2:D2")
    for col, text in enumerate(LABELS, start=2):
        ws.cell(3, col, text)
    for col, text in enumerate(["（场）", "（人次）", "（份）"], start=2):
        ws.cell(4, col, text)
    ws.append(["济南市", 10, 1200, 300])
    ws.append(["青岛市", 8, 900, 200])
    path = tmp_path / "宣传月.xlsx"
    wb.save(path)
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid"), ("SD02", "mid")]


def test_a_long_table_with_a_header_word_of_its_own(sd: Campaign) -> None:
    """填报单位 | 项目 | 本期数: a value column headed with no word we know."""
    text = ("截至2025年6月15日\n填报单位,项目,本期数\n"
            "济南市,举办政策宣讲活动场次,12\n济南市,参加活动人次,1500\n")
    out = read_return(sd, text.encode("gbk"), name="t.csv", today=TODAY)
    assert out.status == "ok", out.errors
    assert _subs(out) == [("SD01", "mid", {"sessions": 12, "attendees": 1500})]


def test_one_table_may_hold_both_rounds_by_its_统计时点_column(sd: Campaign,
                                                             tmp_path: Path) -> None:
    text = ("单位,统计时点," + ",".join(LABELS) + "\n"
            "济南市,2025-06-15,12,1500,300\n"
            "济南市,2025-06-30,25,3100,640\n")
    path = tmp_path / "济南市进展.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    out = read_return(sd, path, today=TODAY)
    assert out.status == "ok", out.errors
    assert [(u, r) for u, r, _ in _subs(out)] == [("SD01", "mid"), ("SD01", "final")]
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(sd, [path], store, today=TODAY)
        stored = store.submissions(sd.id)
    assert report.files[0].status == "accepted"
    assert sorted(zip(stored.unit, stored["round"], strict=True)) == [("SD01", "final"),
                                                                      ("SD01", "mid")]


def test_a_统计时点_of_no_round_is_named_where_it_is(sd: Campaign) -> None:
    text = "单位,统计时点," + ",".join(LABELS) + "\n济南市,2025-06-20,12,1500,300\n"
    out = read_return(sd, text.encode(), name="t.csv", today=TODAY)
    assert _reasons(out.errors) == ["round_unknown"]
    assert out.errors[0].row == 2 and out.errors[0].column == "统计时点"
    assert "2025-06-20" in out.errors[0].message


def test_a_统计时点_column_against_period_is_wrong_round(sd: Campaign) -> None:
    text = "单位,统计时点," + ",".join(LABELS) + "\n济南市,2025-06-15,12,1500,300\n"
    out = read_return(sd, text.encode(), name="t.csv", today=TODAY, round_id="final")
    assert _reasons(out.errors) == ["wrong_round"]


def test_a_text_file_that_is_no_table_is_skipped(sd: Campaign) -> None:
    out = read_return(sd, "请各市于6月18日前报送。\n".encode(), name="说明.txt", today=TODAY)
    assert out.status == "skipped"
    out = read_return(sd, b"\x00\x01\x02binary", name="x.txt", today=TODAY)
    assert out.status == "skipped"


# --------------------------------------------------------------------------- docs/examples


EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir()
                       if p.is_file() and not p.name.endswith(".expected.json")
                       and p.suffix != ".md") if EXAMPLES.is_dir() else []


def test_there_is_one_example_per_kind_and_the_doc_names_each() -> None:
    names = {p.name for p in EXAMPLE_FILES}
    assert {"progress_log.csv", "ledger.csv", "handmade_horizontal_gbk.csv",
            "handmade_utf16.txt", "handmade_vertical.xlsx", "handmade_long.csv"} <= names
    doc = TABLES_DOC.read_text(encoding="utf-8")
    for name in names:
        assert f"examples/{name}" in doc, f"docs/tables.md does not show {name}"
    for named in set(re.findall(r"examples/([\w.]+\.(?:csv|txt|xlsx))", doc)):
        assert named in names, f"docs/tables.md names {named}, which is not in docs/examples"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_each_example_is_ingested_as_documented(sd: Campaign, path: Path) -> None:
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
    out = read_return(sd, path, name=path.name, today=TODAY)
    got: dict[str, Any] = {
        "status": out.status, "kind": out.kind,
        "submissions": [{"unit": u, "round": r, "values": v} for u, r, v in _subs(out)],
        "errors": _reasons(out.errors), "warnings": _reasons(out.warnings)}
    if out.file is not None:
        got["deliverables"] = [[d.unit, d.milestone, d.done_on.isoformat()]
                               for d in out.file.deliverables]
        got["ledger"] = [[r.unit, r.date.isoformat(), r.sessions] for r in out.file.ledger]
    for key, want in expected.items():
        if key != "note":
            assert got.get(key) == want, (key, json.dumps(got, ensure_ascii=False, indent=1))
