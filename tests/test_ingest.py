"""Tests of ingest: the messy-returns corpus, round trips through our forms, hostile files, CLI.

The corpus under ``tests/corpus/<campaign>/`` holds real files (written by openpyxl and
LibreOffice, see ``tests/make_corpus.py``), each with its expected outcome written by hand in
``<name>.expected.json``; a file whose outcome differs fails the test. Hostile files are made
at run time in ``tmp_path`` and read in a child process with a memory limit and a timeout.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignkit import load_campaign
from campaignkit.cli import main
from campaignkit.forms import build_form, defined_cells, input_cells, workbook_bytes
from campaignkit.ingest import FileOutcome, ingest_paths, read_return
from campaignkit.readers import (
    MAX_ROWS,
    IngestError,
    read_book,
)
from campaignkit.store import Store

from .conftest import FUJIAN, HUBEI, ROOT

CORPUS = ROOT / "tests" / "corpus"
SPECS = {"fujian": FUJIAN, "hubei": HUBEI}
CORPUS_FILES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and not p.name.endswith(".expected.json")
)


# --------------------------------------------------------------------------- helpers


def _value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _actual(out: FileOutcome) -> dict[str, Any]:
    """Put an outcome in the shape of an expectation file."""
    subs = []
    for s in out.submissions:
        values = {v.indicator: (v.text if v.text is not None else _value(v.value))
                  for v in s.values if not v.indicator.startswith("extra:")}
        extras = {v.indicator[len("extra:"):]: v.text for v in s.values
                  if v.indicator.startswith("extra:")}
        subs.append({"unit": s.unit, "round": s.round, "return_type": s.return_type,
                     "received_on": s.received_on.isoformat(),
                     "received_from": s.received_from, "values": values, "extras": extras})
    doc: dict[str, Any] = {"status": out.status, "kind": out.kind, "submissions": subs,
                           "errors": [p.to_json() for p in out.errors],
                           "warnings": [p.to_json() for p in out.warnings]}
    if out.file is not None:
        doc["deliverables"] = [{"unit": d.unit, "milestone": d.milestone,
                                "done_on": d.done_on.isoformat(), "evidence": d.evidence}
                               for d in out.file.deliverables]
        doc["ledger"] = [{"unit": r.unit, "date": r.date.isoformat(), "sessions": r.sessions,
                          "plan": r.plan, "venue": r.venue, "township": r.township,
                          "materials": r.materials, "consultations": r.consultations,
                          "attendees": r.attendees} for r in out.file.ledger]
    return doc


def _problems_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> bool:
    """Tell whether the problems are the same multiset, on the keys each expectation names."""
    want = Counter(json.dumps(e, sort_keys=True, ensure_ascii=False) for e in expected)
    got = Counter(
        json.dumps({k: a.get(k) for k in e}, sort_keys=True, ensure_ascii=False)
        for a, e in _pairing(expected, actual)
    )
    return len(expected) == len(actual) and want == got


def _pairing(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[Any]:
    """Pair each actual problem with the expectation whose keys it matches best."""
    out = []
    pool = list(expected)
    for a in actual:
        best = max(pool, key=lambda e: sum(a.get(k) == v for k, v in e.items()), default={})
        if best in pool:
            pool.remove(best)
        out.append((a, best))
    return out


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS_FILES) >= 25
    for p in CORPUS_FILES:
        assert p.with_name(p.name + ".expected.json").is_file(), f"{p} has no expectation"
    suffixes = {p.suffix for p in CORPUS_FILES}
    assert {".xlsx", ".xls", ".ods", ".csv"} <= suffixes


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(path: Path) -> None:
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
    campaign = load_campaign(SPECS[path.parent.name])
    out = read_return(campaign, path, name=path.name, round_id=expected.get("round"),
                      today=dt.date.fromisoformat(expected["today"]))
    actual = _actual(out)
    report = json.dumps(actual, ensure_ascii=False, indent=1, default=str)
    assert actual["status"] == expected["status"], report
    assert actual["kind"] == expected["kind"], report
    assert actual["submissions"] == expected["submissions"], report
    for key in ("deliverables", "ledger"):
        if key in expected:
            assert actual.get(key) == expected[key], report
    assert _problems_match(expected["errors"], actual["errors"]), report
    assert _problems_match(expected["warnings"], actual["warnings"]), report
    for p in out.errors:  # every error is located and explains itself
        assert p.message and p.reason
        located = p.located(path.name)
        assert located.startswith(path.name) and located.endswith(f"[{p.reason}]")


def test_corpus_through_the_store(tmp_path: Path) -> None:
    """Ingest the Hubei corpus folder into a real store: rejected files leave nothing."""
    c = load_campaign(HUBEI)
    with Store.open(tmp_path / "ck.db") as store:
        # the year-end tables name no round: ingested as with --period final
        report = ingest_paths(c, [CORPUS / "hubei"], store, today=dt.date(2024, 12, 25),
                              quarantine=tmp_path / "q", round_id="final")
        stored = store.submissions(c.id)
        values = store.values(c.id)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["hb_percent_bare.xlsx"].status == "rejected"
    assert by_name["hb_rule_broken.xlsx"].status == "accepted"  # a synthetic-figure rule warns
    assert by_name["hb_vertical_full.xlsx"].status == "accepted"
    assert by_name["hb_vertical_full.xlsx.expected.json"].status == "skipped"
    assert not any(stored.file_name.str.contains("hb_percent_bare"))
    assert (tmp_path / "q" / "hb_percent_bare.xlsx").is_file()
    err = (tmp_path / "q" / "hb_percent_bare.xlsx.errors.txt").read_text("utf-8")
    assert "hb_percent_bare.xlsx › Sheet1 › E7:" in err and "[ambiguous_percent]" in err
    extra = values[values.indicator.str.startswith("extra:")]
    assert "extra:直播带岗宣讲" in set(extra.indicator)
    assert report.exit_code == 1


# --------------------------------------------------------------------------- round trip


def _fill_values(c: Any, code: str, k: int) -> dict[str, Any]:
    """Deterministic valid values for one unit (k varies them between rounds)."""
    towns = int(c.unit(code).townships or 0)
    out: dict[str, Any] = {}
    for n, ind in enumerate(c.input_indicators):
        if ind.type == "count":
            out[ind.id] = (len(code) * 7 + n * 13 + k * 5) % 500
        elif ind.type == "number":
            out[ind.id] = round(1.5 + (n + k) % 7 * 0.5, 1)
        elif ind.type == "yes_no":
            out[ind.id] = (n + k + len(code)) % 2 == 0
        elif ind.type == "url":
            out[ind.id] = f"https://rsj.example.gov.cn/{code.lower()}/{k}"
        elif ind.type == "text":
            out[ind.id] = f"{c.unit(code).name}专栏{k}"
    if "townships_covered" in out:
        out["townships_covered"] = towns // 2
        out["township_coverage"] = round(towns // 2 / towns * 100, 1) if towns else None
    return out


@pytest.mark.parametrize("spec", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_round_trip_every_reporting_unit(spec: Path, tmp_path: Path) -> None:
    c = load_campaign(spec)
    folder = tmp_path / "returns"
    folder.mkdir()
    filled: dict[tuple[str, str], dict[str, Any]] = {}
    for k, rnd in enumerate(c.rounds):
        for unit in c.reporters(rnd.id):
            wb = build_form(c, unit.code, rnd.id)
            cells = input_cells(wb)
            values = _fill_values(c, unit.code, k)
            for ind_id, v in values.items():
                if v is None:
                    continue
                sheet, ref = cells[ind_id]
                wb[sheet][ref] = ("是" if v else "否") if isinstance(v, bool) else v
            date_cell = defined_cells(wb)["ck_date"]
            wb[date_cell[0]][date_cell[1]] = rnd.period_end.date - dt.timedelta(days=3)
            wb.save(folder / f"{unit.code}_{rnd.id}.xlsx")
            filled[(unit.code, rnd.id)] = {i: v for i, v in values.items() if v is not None}
    with Store.open(tmp_path / "ck.db") as store:
        report = ingest_paths(c, [folder], store, today=dt.date(2030, 1, 1))
        assert report.exit_code == 0, report.render()
        assert {f.status for f in report.files} == {"accepted"}
        got: dict[tuple[str, str], dict[str, Any]] = {}
        for row in store.values(c.id, current_only=True).itertuples():
            value = row.text if isinstance(row.text, str) else row.value
            got.setdefault((str(row.unit), str(row.round)), {})[str(row.indicator)] = value
        subs = store.submissions(c.id)
        again = ingest_paths(c, [folder], store, today=dt.date(2030, 1, 1))
    assert got == filled
    assert set(subs.received_from) == {"form"}
    assert all(s.received_on == c.round(str(s.round)).period_end.date - dt.timedelta(days=3)
               for s in subs.itertuples())
    assert {f.status for f in again.files} == {"unchanged"}


def test_revised_return_and_received_option(tmp_path: Path) -> None:
    c = load_campaign(FUJIAN)
    wb = build_form(c, "FJ02")
    cells = input_cells(wb)
    for ind_id, v in {"sessions": 5, "materials": 100, "consultations": 10}.items():
        wb[cells[ind_id][0]][cells[ind_id][1]] = v
    first = tmp_path / "a.xlsx"
    wb.save(first)
    wb[cells["consultations"][0]][cells["consultations"][1]] = 47
    second = tmp_path / "b.xlsx"
    wb.save(second)
    with Store.open(tmp_path / "ck.db") as store:
        r1 = ingest_paths(c, [first], store, received=dt.date(2022, 1, 18))
        r2 = ingest_paths(c, [second], store, received=dt.date(2022, 1, 19))
        hist = store.history(c.id, "FJ02", "final")
    s1, s2 = r1.files[0].submissions[0], r2.files[0].submissions[0]
    assert (s1.status, s1.received_from, s1.received_on) == ("new", "option", dt.date(2022, 1, 18))
    assert (s2.status, s2.revision) == ("revised", 2)
    assert list(hist.revision) == [1, 2]
    assert r2.to_json()["files"][0]["submissions"][0]["values"]["consultations"] == 47
    assert r2.to_json()["files"][0]["submissions"][0]["values"]["new_insured"] is None


def test_uncalculated_formula_is_an_error(tmp_path: Path) -> None:
    c = load_campaign(FUJIAN)
    wb = build_form(c, "FJ01")
    cells = input_cells(wb)
    wb[cells["sessions"][0]][cells["sessions"][1]] = "=2+3"
    out = read_return(c, workbook_bytes(wb), name="f.xlsx")
    assert out.status == "rejected"
    assert [(p.reason, p.cell) for p in out.errors] == [("uncalculated_formula",
                                                          cells["sessions"][1])]


def test_wrong_round_against_period() -> None:
    c = load_campaign(HUBEI)
    wb = build_form(c, "HB01", "midyear")
    out = read_return(c, workbook_bytes(wb), name="f.xlsx", round_id="final")
    assert [p.reason for p in out.errors] == ["wrong_round"]


# --------------------------------------------------------------------------- hostile files


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       b'package/2006/content-types"/>')
_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         b"</Relationships>")
_WB = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def _xlsx(sheet_xml: bytes) -> bytes:
    return _zip({"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "xl/workbook.xml": _WB,
                 "xl/_rels/workbook.xml.rels": _WB_RELS, "xl/worksheets/sheet1.xml": sheet_xml})


def _bomb_xlsx(path: Path, size: int) -> None:
    """A valid-looking xlsx whose sheet XML expands to ``size`` bytes (written in chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in {"[Content_Types].xml": _CT, "_rels/.rels": _RELS,
                           "xl/workbook.xml": _WB, "xl/_rels/workbook.xml.rels": _WB_RELS}.items():
            zf.writestr(name, data)
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        chunk = row * (1 << 20 // len(row))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD)
            written = 0
            while written < size:
                fh.write(chunk)
                written += len(chunk)
            fh.write(_SHEET_TAIL)


def _billion_laughs() -> bytes:
    """The classic entity-expansion attack: 10^11 copies of 'ha' if entities were expanded."""
    ents = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 12))
    xml = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{ents}]>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l11;</t></is></c></row>'
           "</sheetData></worksheet>")
    return _xlsx(xml.encode())


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file holding the given streams (4096 bytes or more each)."""
    sector = 512
    data_sectors: list[bytes] = []
    entries = [("Root Entry", 5, 0xFFFFFFFE, 0)]
    fat: list[int] = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: FAT, sector 1: directory
    for name, payload in streams.items():
        payload = payload.ljust(max(4096, len(payload)), b"\0")
        n = -(-len(payload) // sector)
        start = 2 + len(data_sectors)
        for i in range(n):
            data_sectors.append(payload[i * sector:(i + 1) * sector].ljust(sector, b"\0"))
            fat.append(start + i + 1 if i < n - 1 else 0xFFFFFFFE)
        entries.append((name, 2, start, len(payload)))
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # FAT sectors
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    directory = bytearray()
    for i, (name, kind, start, size) in enumerate(entries):
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        left, right, child = 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
        if i == 0:
            child = 1
        elif i + 1 < len(entries):
            right = i + 1
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<II", e, 116, start, size)
        directory += e
    directory = directory.ljust(sector, b"\0")
    return bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + bytes(directory) + b"".join(
        data_sectors)


_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from campaignkit import load_campaign
from campaignkit.ingest import read_return
c = load_campaign({spec!r})
t = time.perf_counter()
out = read_return(c, {path!r}, name={name!r})
print(json.dumps({{"status": out.status, "reasons": [p.reason for p in out.errors],
                  "messages": [p.located(out.path) for p in out.errors],
                  "seconds": time.perf_counter() - t}}))
"""


def _bounded(path: Path, *, limit_mb: int = 1024, timeout: int = 60) -> dict[str, Any]:
    """Read a file in a child process with a memory limit and a timeout; return the outcome."""
    code = _CHILD.format(limit=limit_mb << 20, spec=str(FUJIAN), path=str(path), name=path.name)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


HOSTILE: dict[str, tuple[Callable[[Path], Any], str]] = {
    "not_zip.xlsx": (lambda p: p.write_bytes(b"unit,sessions\nFJ01,3\n"), "not_a_workbook"),
    "page.xls": (lambda p: p.write_bytes(b"<html><body><table><tr><td>1</td></tr></table>"),
                 "not_a_workbook"),
    "empty.xlsx": (lambda p: p.write_bytes(b""), "not_a_workbook"),
    "truncated.xlsx": (lambda p: p.write_bytes(
        workbook_bytes(build_form(load_campaign(FUJIAN), "FJ01"))[:3000]), "damaged_file"),
    "bomb_total.xlsx": (lambda p: _bomb_xlsx(p, 210 << 20), "zip_bomb"),
    "bomb_ratio.xlsx": (lambda p: _bomb_xlsx(p, 40 << 20), "zip_bomb"),
    "laughs.xlsx": (lambda p: p.write_bytes(_billion_laughs()), "xml_entities"),
    "encrypted.xlsx": (lambda p: p.write_bytes(_cfb({"EncryptionInfo": b"\x04\x00\x04\x00",
                                                     "EncryptedPackage": os.urandom(5000)})),
                       "encrypted"),
    "word.xls": (lambda p: p.write_bytes(_cfb({"WordDocument": b"x"})), "not_a_workbook"),
    "wps.et": (lambda p: p.write_bytes(_cfb({"ETDocument": b"x"})), "unsupported_format"),
    "rows.xlsx": (lambda p: p.write_bytes(_xlsx(_SHEET_HEAD + b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 100_001))
        + _SHEET_TAIL)), "too_many_rows"),
    "cols.xlsx": (lambda p: p.write_bytes(_xlsx(
        _SHEET_HEAD + b'<row r="1"><c r="ZZ1"><v>1</v></c></row>' + _SHEET_TAIL)),
        "too_many_columns"),
    "rows.csv": (lambda p: p.write_bytes(b"unit,sessions\n" + b"FJ01,1\n" * 100_000),
                 "too_many_rows"),
    "binary.csv": (lambda p: p.write_bytes(b"a,b\n" + b"\x81\x30\xff\xff,1\n" * 10),
                   "bad_encoding"),
    "cells.csv": (lambda p: p.write_bytes(b"unit,sessions\n" + (b"1," * 39 + b"1\n") * 15_000),
                  "too_large"),
    "bad_xml.xlsx": (lambda p: p.write_bytes(_xlsx(_SHEET_HEAD + b"<row><c>")),
                     "damaged_file"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_ends_in_a_clear_message(name: str, tmp_path: Path) -> None:
    make, reason = HOSTILE[name]
    path = tmp_path / name
    make(path)
    start = time.perf_counter()
    result = _bounded(path)
    assert time.perf_counter() - start < 60
    assert result["status"] == "rejected"
    assert result["reasons"] == [reason], result
    assert result["seconds"] < 10, result
    assert result["messages"][0].startswith(f"{name}: "), result


def test_hostile_errors_from_read_book_directly(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        read_book(_billion_laughs(), name="x.xlsx")
    assert err.value.reason == "xml_entities"
    assert str(err.value).startswith("x.xlsx: ") and "[xml_entities]" in str(err.value)
    with pytest.raises(IngestError, match="encrypted workbook, save it without a password"):
        read_book(_cfb({"EncryptionInfo": b"1", "EncryptedPackage": b"2"}), name="e.xlsx")


def test_xml_part_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignkit.readers as readers

    monkeypatch.setattr(readers, "MAX_XML_PART", 1 << 20)
    strings = b"".join(b"<si><t>%s</t></si>" % os.urandom(24).hex().encode()
                       for _ in range(40_000))
    data = _zip({
        "[Content_Types].xml": _CT, "_rels/.rels": _RELS, "xl/workbook.xml": _WB,
        "xl/_rels/workbook.xml.rels": _WB_RELS.replace(
            b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.'
            b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>"),
        "xl/sharedStrings.xml": b"<sst>" + strings + b"</sst>",
        "xl/worksheets/sheet1.xml": _SHEET_HEAD + _SHEET_TAIL})
    with pytest.raises(IngestError) as err:
        read_book(data, name="s.xlsx")
    assert err.value.reason == "too_large" and "sharedStrings.xml" in err.value.message


def test_row_limit_is_stated() -> None:
    assert MAX_ROWS == 20_000
    import campaignkit.readers as readers

    assert "20,000" in (readers.__doc__ or "") and "200 MB" in (readers.__doc__ or "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from([".xlsx", ".xls", ".ods", ".csv", ".et"]))
def test_random_bytes_never_raise(data: bytes, suffix: str) -> None:
    c = load_campaign(FUJIAN)
    out = read_return(c, data, name=f"f{suffix}")
    assert out.status in ("rejected", "ok")
    assert all(p.reason != "internal_error" for p in out.errors), out.errors


_TEMPLATE = workbook_bytes(build_form(load_campaign(FUJIAN), "FJ01"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_TEMPLATE) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_damaged_templates_never_raise(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_TEMPLATE)
    for pos, byte in flips:
        data[pos] = byte
    out = read_return(load_campaign(FUJIAN), bytes(data), name="f.xlsx")
    assert out.status in ("rejected", "ok")
    assert all(p.reason != "internal_error" for p in out.errors), out.errors


# --------------------------------------------------------------------------- readers


def test_csv_encodings_and_separators() -> None:
    text = "单位\t场次\n福州市\t3\n"
    for enc in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        book = read_book(text.encode(enc), name="t.csv")
        assert book.sheets[0].value(2, 1) == "福州市", enc
        assert book.encoding in (enc, "utf-8-sig", "utf-16")


def test_xlsx_formats_dates_and_names(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统 计'表"
    ws["A1"], ws["B1"], ws["C1"] = 0.85, dt.date(2024, 12, 20), 45646
    ws["A1"].number_format = "0%"
    ws["B1"].number_format = 'yyyy"年"m"月"d"日"'
    ws.merge_cells("A3:B4")
    wb.defined_names["ck_x"] = DefinedName("ck_x", attr_text="'统 计''表'!$C$1")
    wb.defined_names["ck_r"] = DefinedName("ck_r", attr_text="'统 计''表'!$A$3:$B$4")
    wb.save(tmp_path / "f.xlsx")
    book = read_book(tmp_path / "f.xlsx")
    sheet = book.sheets[0]
    assert sheet.cell(1, 1).number_format == "0%" and sheet.value(1, 1) == 0.85
    assert sheet.value(1, 2) == dt.date(2024, 12, 20)
    assert sheet.value(1, 3) == 45646 and sheet.number_format(1, 3) is None
    assert sheet.merged == ((3, 1, 4, 2),) and sheet.merged_anchor(4, 2) == (3, 1)
    assert book.defined_names["ck_x"] == ("统 计'表", "C1")
    assert book.named_range("ck_r") == (sheet, (3, 1, 4, 2))


# --------------------------------------------------------------------------- CLI


def test_cli_json_shape_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("fj_gb18030.csv", "fj_wrong_unit_in_sessions.xlsx"):
        (folder / name).write_bytes((CORPUS / "fujian" / name).read_bytes())
    (folder / "notes.txt").write_text("hello", "utf-8")
    db = tmp_path / "ck.db"
    code = main(["ingest", str(FUJIAN), str(folder), "--db", str(db), "--json",
                 "--quarantine", str(tmp_path / "q")])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    files = {Path(f["path"]).name: f for f in doc["files"]}
    assert files["notes.txt"]["status"] == "skipped"
    bad = files["fj_wrong_unit_in_sessions.xlsx"]
    assert bad["status"] == "rejected" and bad["submissions"] == []
    assert set(bad["errors"][0]) >= {"sheet", "cell", "row", "column", "indicator", "unit",
                                     "raw", "reason", "message"}
    assert (bad["errors"][0]["sheet"], bad["errors"][0]["cell"], bad["errors"][0]["row"],
            bad["errors"][0]["column"]) == ("统计表", "B6", 6, "B")
    good = files["fj_gb18030.csv"]
    assert good["status"] == "accepted" and good["kind"] == "return"
    sub = good["submissions"][0]
    assert set(sub) >= {"unit", "round", "period_end", "received_on", "received_from", "status",
                        "values"}
    assert sub["period_end"] == "2022-01-31" and sub["values"]["sessions"] == 10
    assert good["warnings"][0]["sheet"] is None and good["warnings"][0]["row"] == 3
    assert (tmp_path / "q" / "fj_wrong_unit_in_sessions.xlsx.errors.txt").is_file()

    code = main(["ingest", str(FUJIAN), str(folder / "fj_gb18030.csv"), "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0 and "unchanged" in out
    assert main(["ingest", str(FUJIAN), str(folder), "--db", str(db), "--period", "x"]) == 2
    assert main(["ingest", str(FUJIAN), str(tmp_path / "missing"), "--db", str(db)]) == 2
    assert main(["ingest", str(tmp_path / "nospec.yaml"), str(folder), "--db", str(db)]) == 2


def test_resource_module_available() -> None:
    """The hostile-file tests rely on RLIMIT_AS (Linux)."""
    assert hasattr(resource, "RLIMIT_AS")


def test_rollup_saved_without_calculated_totals() -> None:
    from campaignkit.forms import build_rollup

    c = load_campaign(FUJIAN)
    wb = build_rollup(c, "FJ", {"FJ": {"sessions": 2, "materials": 40},
                                "FJ01": {"sessions": 3, "materials": 100},
                                "FJ02": {"sessions": 4, "materials": None}})
    out = read_return(c, workbook_bytes(wb), name="rollup.xlsx", today=dt.date(2022, 1, 25))
    assert out.status == "ok", out.errors
    assert [w.reason for w in out.warnings] == ["total_not_calculated"]
    got = {(s.unit, s.return_type): {v.indicator: v.value for v in s.values}
           for s in out.submissions}
    assert got == {("FJ", "own"): {"sessions": 2, "materials": 40},
                   ("FJ01", "consolidated"): {"sessions": 3, "materials": 100},
                   ("FJ02", "consolidated"): {"sessions": 4}}


def test_xlsm_with_a_macro_part_is_read_and_never_run(tmp_path: Path) -> None:
    """A macro-enabled copy of our form is read by its names; the VBA part is never run."""
    c = load_campaign(FUJIAN)
    wb = build_form(c, "FJ03", "final")
    cells = input_cells(wb)
    for ind_id, v in {"sessions": 6, "materials": 900, "consultations": 120,
                      "new_insured": 4}.items():
        sheet, ref = cells[ind_id]
        wb[sheet][ref] = v
    src = io.BytesIO(workbook_bytes(wb))
    out = io.BytesIO()
    marker = tmp_path / "macro_ran"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        # a VBA project part that would touch a file if anything ever executed it
        zout.writestr("xl/vbaProject.bin", f"Sub Auto_Open(): Open \"{marker}\"".encode())
    path = tmp_path / "漳州市_统计表.xlsm"
    path.write_bytes(out.getvalue())
    got = read_return(c, path, name=path.name, today=dt.date(2030, 1, 1))
    assert got.status == "ok", [p.message for p in got.errors]
    (sub,) = got.submissions
    assert {v.indicator: v.value for v in sub.values} == {
        "sessions": 6, "materials": 900, "consultations": 120, "new_insured": 4}
    assert not marker.exists()


def test_wps_et_saved_in_the_xls_format_is_read(tmp_path: Path) -> None:
    """A WPS .et file that is xls inside reads like the .xls it is."""
    c = load_campaign(HUBEI)
    xls = CORPUS / "hubei" / "hb_vertical.xls"
    et = tmp_path / "hb_vertical.et"
    et.write_bytes(xls.read_bytes())
    today = dt.date(2030, 1, 1)
    from_xls = _actual(read_return(c, xls, name=xls.name, round_id="final", today=today))
    from_et = _actual(read_return(c, et, name=et.name, round_id="final", today=today))
    assert from_et["status"] == "ok"
    assert from_et["submissions"] == from_xls["submissions"]
