"""Test the SQLite store on real database files in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from campaignkit.store import (
    SCHEMA_VERSION,
    VALUE_TYPES,
    DeliverableIn,
    FileIn,
    LedgerRowIn,
    Store,
    StoreError,
    StoreInputError,
    StoreLookupError,
    SubmissionIn,
    ValueIn,
)

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGN = "hubei_huimin_2024"
NOW = dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC)
MIDYEAR_DUE = dt.date(2024, 6, 30)


# --------------------------------------------------------------------------- helpers


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def val(indicator: str, value: object, text: str | None = None, cell: str = "C7") -> ValueIn:
    raw = text if text is not None else ("" if value is None else str(value))
    return ValueIn(indicator, value, text, raw, "统计表", cell)  # type: ignore[arg-type]


def ret(
    unit: str = "wuhan",
    round_: str = "midyear",
    received: dt.date = dt.date(2024, 6, 28),
    *values: ValueIn,
    return_type: str = "consolidated",
) -> SubmissionIn:
    return SubmissionIn(unit, round_, return_type, received, "form", tuple(values))


def return_file(name: str, *subs: SubmissionIn) -> FileIn:
    return FileIn(name, sha(name), 1000 + len(name), "return", submissions=subs)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def counts(path: Path) -> dict[str, int]:
    tables = ("units", "files", "submissions", "submission_values", "deliverables", "ledger")
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "campaignkit.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store.open(db) as s:
        yield s


# --------------------------------------------------------------------------- opening


def test_open_creates_file_schema_and_pragmas(db: Path) -> None:
    assert not db.exists()
    with Store.open(db) as store:
        conn = store._connection()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.is_file()
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    conn.close()
    assert tables == {
        "meta", "units", "files", "submissions", "submission_values", "deliverables", "ledger",
        "withdrawals",
    }  # fmt: skip
    assert version == str(SCHEMA_VERSION)
    with Store.open(str(db)) as again:  # reopening an existing store is fine
        assert again.path == db


def test_other_schema_version_is_refused_with_both_versions(db: Path) -> None:
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(db)
    message = str(info.value)
    assert str(db) in message
    assert "schema version 99" in message
    assert f"schema version {SCHEMA_VERSION}" in message


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库\n", encoding="utf-8")
    with pytest.raises(StoreError, match="not a SQLite database") as info:
        Store.open(text)
    assert str(text) in str(info.value)
    assert text.read_text(encoding="utf-8") == "这不是数据库\n"  # left untouched

    workbook = tmp_path / "wuhan.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(StoreError, match="ZIP/xlsx"):
        Store.open(workbook)


def test_sqlite_file_of_another_program_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a campaignkit store"):
        Store.open(other)


def test_closed_store_says_so(db: Path) -> None:
    store = Store.open(db)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.submissions(CAMPAIGN)


# --------------------------------------------------------------------------- revisions


def test_new_unchanged_revised_and_history_kept(store: Store) -> None:
    first = ret(
        "wuhan", "midyear", dt.date(2024, 6, 28), val("sessions", 12), val("materials", 300)
    )
    r1 = store.write_file(CAMPAIGN, return_file("returns/wuhan.xlsx", first), now=NOW)
    assert [(s.status, s.revision, s.is_current) for s in r1.submissions] == [("new", 1, True)]
    assert r1.status == "accepted"

    # the same figures sent again in another file (another order of values) change nothing
    again = ret(
        "wuhan", "midyear", dt.date(2024, 6, 29), val("materials", 300), val("sessions", 12)
    )
    r2 = store.write_file(CAMPAIGN, return_file("returns/wuhan (1).xlsx", again), now=NOW)
    assert [(s.status, s.revision, s.id) for s in r2.submissions] == [
        ("unchanged", 1, r1.submissions[0].id)
    ]
    assert r2.status == "unchanged"

    fixed = ret("wuhan", "midyear", dt.date(2024, 7, 2), val("sessions", 13), val("materials", 300))
    r3 = store.write_file(CAMPAIGN, return_file("returns/wuhan-v2.xlsx", fixed), now=NOW)
    assert [(s.status, s.revision, s.is_current) for s in r3.submissions] == [("revised", 2, True)]

    history = store.history(CAMPAIGN, "wuhan", "midyear")
    assert history["revision"].tolist() == [1, 2]
    assert history["is_current"].tolist() == [False, True]
    assert history["file_name"].tolist() == ["returns/wuhan.xlsx", "returns/wuhan-v2.xlsx"]
    assert history["received_on"].tolist() == [dt.date(2024, 6, 28), dt.date(2024, 7, 2)]

    everything = store.values(CAMPAIGN)
    assert len(everything) == 4  # both revisions keep their figures
    current = store.values(CAMPAIGN, current_only=True)
    assert dict(zip(current["indicator"], current["value"], strict=True)) == {
        "materials": 300,
        "sessions": 13,
    }
    assert set(current["revision"]) == {2}


def test_return_type_change_is_a_revision(store: Store) -> None:
    values = (val("sessions", 5),)
    store.write_file(CAMPAIGN, return_file("a.xlsx", ret("xiaogan", "final", MIDYEAR_DUE, *values)))
    own = ret("xiaogan", "final", MIDYEAR_DUE, *values, return_type="own")
    result = store.write_file(CAMPAIGN, return_file("b.xlsx", own))
    assert result.submissions[0].status == "revised"


def test_reingesting_old_and_new_versions_changes_nothing(store: Store) -> None:
    old = return_file("wuhan-0618.xlsx", ret("wuhan", "midyear", dt.date(2024, 6, 18), val("s", 1)))
    new = return_file("wuhan-0625.xlsx", ret("wuhan", "midyear", dt.date(2024, 6, 25), val("s", 2)))
    store.write_file(CAMPAIGN, old, now=NOW)
    store.write_file(CAMPAIGN, new, now=NOW)
    before = store.submissions(CAMPAIGN)
    # a second run over the same folder: the old file is not a third revision
    results = [store.write_file(CAMPAIGN, f, now=NOW) for f in (old, new)]
    assert [r.submissions[0].status for r in results] == ["unchanged", "unchanged"]
    assert [r.submissions[0].revision for r in results] == [1, 2]
    pd.testing.assert_frame_equal(store.submissions(CAMPAIGN), before)


def test_revision_received_before_current_is_kept_but_not_current(store: Store) -> None:
    late = return_file("v2.xlsx", ret("wuhan", "midyear", dt.date(2024, 6, 25), val("s", 2)))
    early = return_file("v1.xlsx", ret("wuhan", "midyear", dt.date(2024, 6, 18), val("s", 1)))
    store.write_file(CAMPAIGN, late, now=NOW)
    result = store.write_file(CAMPAIGN, early, now=NOW)
    assert [(s.status, s.revision, s.is_current) for s in result.submissions] == [
        ("revised", 2, False)
    ]
    history = store.history(CAMPAIGN, "wuhan", "midyear")
    assert history["is_current"].tolist() == [True, False]


def test_several_units_and_rounds_in_one_file(store: Store) -> None:
    f = return_file(
        "hubei-all.xlsx",
        ret("wuhan", "midyear", MIDYEAR_DUE, val("s", 1)),
        ret("xiaogan", "midyear", MIDYEAR_DUE, val("s", 2)),
        ret("wuhan", "final", MIDYEAR_DUE, val("s", 3)),
    )
    result = store.write_file(CAMPAIGN, f, now=NOW)
    assert [(s.unit, s.round, s.status) for s in result.submissions] == [
        ("wuhan", "midyear", "new"),
        ("xiaogan", "midyear", "new"),
        ("wuhan", "final", "new"),
    ]
    assert store.submissions("another_campaign").empty


# --------------------------------------------------------------------------- types


def test_exact_types_round_trip(store: Store) -> None:
    sub = ret(
        "wuhan",
        "midyear",
        MIDYEAR_DUE,
        val("count", 12),
        val("ratio", 87.5),
        val("whole_float", 3.0),
        val("has_site", True),
        val("no_site", False),
        val("missing", None),
        val("url", None, "https://rst.hubei.gov.cn/"),
        val("started", dt.date(2024, 3, 25)),
        val("numpy_int", np.int64(7)),
        val("big", 2**52 + 1),
        ValueIn("flagged", 1, None, "1", None, None, ("derived", "checked")),
    )
    store.write_file(CAMPAIGN, return_file("types.xlsx", sub), now=NOW)
    df = store.values(CAMPAIGN).set_index("indicator")
    expected: dict[str, tuple[object, type]] = {
        "count": (12, int),
        "ratio": (87.5, float),
        "whole_float": (3.0, float),
        "has_site": (True, bool),
        "no_site": (False, bool),
        "started": (dt.date(2024, 3, 25), dt.date),
        "numpy_int": (7, int),
        "big": (2**52 + 1, int),
        "flagged": (1, int),
    }
    for indicator, (value, kind) in expected.items():
        got = df.at[indicator, "value"]
        assert type(got) is kind, indicator
        assert got == value, indicator
    assert df.at["missing", "value"] is None
    assert df.at["url", "value"] is None
    assert df.at["url", "text"] == "https://rst.hubei.gov.cn/"
    assert df["text"].isna()["count"]
    assert df.at["flagged", "flags"] == ("derived", "checked")
    assert df.at["count", "flags"] == ()
    assert df["sheet"].isna()["flagged"]
    vtypes = df["vtype"].to_dict()
    assert vtypes["count"] == "int" and vtypes["ratio"] == "float"
    assert vtypes["has_site"] == "bool" and vtypes["started"] == "date"
    assert vtypes["missing"] == "null" and vtypes["url"] == "text"

    # SQL users see plain numbers: bool as 1/0, a date as a julian day
    conn = store._connection()
    assert conn.execute(
        "SELECT date(value) FROM submission_values WHERE indicator = 'started'"
    ).fetchone() == ("2024-03-25",)


def test_int_and_equal_float_are_the_same_content(store: Store) -> None:
    store.write_file(CAMPAIGN, return_file("a.xlsx", ret("w", "final", MIDYEAR_DUE, val("s", 12))))
    same = store.write_file(
        CAMPAIGN, return_file("b.xlsx", ret("w", "final", MIDYEAR_DUE, val("s", 12.0)))
    )
    assert same.submissions[0].status == "unchanged"
    as_bool = store.write_file(
        CAMPAIGN, return_file("c.xlsx", ret("w", "final", MIDYEAR_DUE, val("s", True)))
    )
    assert as_bool.submissions[0].status == "revised"  # yes is not the number 1


def test_frames_have_fixed_dtypes_even_when_empty(store: Store) -> None:
    for df in (store.submissions(CAMPAIGN), store.values(CAMPAIGN)):
        assert df.empty
    subs = store.submissions(CAMPAIGN)
    assert str(subs["id"].dtype) == "int64"
    assert str(subs["ingested_at"].dtype) == "datetime64[us, UTC]"
    assert str(subs["is_current"].dtype) == "bool"
    assert str(subs["unit"].dtype) == "str"
    store.write_file(
        CAMPAIGN, return_file("a.xlsx", ret("w", "final", MIDYEAR_DUE, val("s", 1))), now=NOW
    )
    full = store.submissions(CAMPAIGN)
    pd.testing.assert_series_equal(full.dtypes, subs.dtypes)
    assert full.at[0, "ingested_at"] == pd.Timestamp(NOW)
    assert full.at[0, "received_on"] == MIDYEAR_DUE
    assert list(store.values(CAMPAIGN).columns) == [
        "submission_id", "unit", "round", "return_type", "revision", "received_on",
        "received_from", "complete", "is_current", "indicator", "vtype", "value", "text",
        "raw", "sheet", "cell", "flags", "file_name", "file_sha256",
    ]  # fmt: skip
    ledger = store.ledger(CAMPAIGN)
    assert str(ledger["materials"].dtype) == "Int64"
    assert str(store.deliverables(CAMPAIGN)["row"].dtype) == "Int64"


# --------------------------------------------------------------------------- fast readers


def mixed_store(store: Store, *, raw_extra: str = "") -> None:
    """Fill a store with every kind of value, NULL texts, flags, revisions and two campaigns."""
    first = ret(
        "wuhan",
        "midyear",
        MIDYEAR_DUE,
        val("count", 12),
        val("ratio", 87.3),
        val("whole_float", 3.0),
        val("negative", -5),
        val("has_site", True),
        val("no_site", False),
        val("missing", None),
        val("url", None, "https://rst.hubei.gov.cn/"),
        val("empty_text", None, ""),
        val("started", dt.date(2024, 3, 25)),
        val("ancient", dt.date(1, 1, 1)),
        val("big", 2**53),
        val("tiny", 1e-300),
        ValueIn("flagged", 1, None, "1", None, None, ("derived", "checked")),
        ValueIn("县名", 7, None, f"七{raw_extra}", "统计表", "D9", ("thousands_sep",)),
    )
    store.write_file(CAMPAIGN, return_file("returns/武汉市.xlsx", first), now=NOW)
    revised = ret("wuhan", "midyear", dt.date(2024, 7, 2), val("count", 13), val("ratio", 0.1))
    store.write_file(CAMPAIGN, return_file("returns/武汉市-v2.xlsx", revised), now=NOW)
    store.write_file(
        CAMPAIGN,
        return_file(
            "returns/all.xlsx",
            ret("xiaogan", "midyear", MIDYEAR_DUE, val("count", 4), return_type="own"),
            ret("xiaogan", "final", MIDYEAR_DUE),  # a return without figures
        ),
        now=NOW,
    )
    store.write_file("other", return_file("other.xlsx", ret("wuhan", "midyear", MIDYEAR_DUE)))


def no_grouping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the readers fetch one row per value, as they do when grouping is refused."""
    monkeypatch.setattr(Store, "_grouped_value_columns", lambda *args: None)


def assert_same_values(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert [type(x) for x in a["value"]] == [type(x) for x in b["value"]]


@pytest.mark.parametrize("current_only", [False, True])
def test_values_are_decoded_as_provenance_decodes_them(store: Store, current_only: bool) -> None:
    mixed_store(store)
    df = store.values(CAMPAIGN, current_only=current_only)
    assert len(df) == (18 if not current_only else 3)
    for row in df.itertuples():
        p = store.provenance(int(row.submission_id), str(row.indicator))  # one row at a time
        assert type(row.value) is type(p.value) and row.value == p.value, row.indicator
        assert row.flags == p.flags and row.raw == p.raw, row.indicator
        assert (row.unit, row.revision, row.file_name) == (p.unit, p.revision, p.file_name)
        assert (row.received_on, row.is_current) == (p.received_on, p.is_current)
    ordered = df.sort_values(["unit", "round", "revision", "indicator"], kind="stable")
    assert df.index.equals(ordered.index)


@pytest.mark.parametrize("current_only", [False, True])
def test_one_row_per_value_gives_the_same_frames(
    store: Store, monkeypatch: pytest.MonkeyPatch, current_only: bool
) -> None:
    mixed_store(store)
    grouped = (
        store.values(CAMPAIGN, current_only=current_only),
        store.value_table(CAMPAIGN, current_only=current_only, provenance=True),
        store.value_table(CAMPAIGN, current_only=current_only),
    )
    no_grouping(monkeypatch)
    by_row = (
        store.values(CAMPAIGN, current_only=current_only),
        store.value_table(CAMPAIGN, current_only=current_only, provenance=True),
        store.value_table(CAMPAIGN, current_only=current_only),
    )
    for a, b in zip(grouped, by_row, strict=True):
        assert_same_values(a, b)


def test_a_separator_in_a_text_falls_back_to_a_row_per_value(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    mixed_store(store, raw_extra="\x1f")
    assert store._grouped_value_columns(CAMPAIGN, "", ("indicator", "raw")) is None
    assert store._grouped_value_columns(CAMPAIGN, "", ("indicator", "value")) is not None
    df = store.values(CAMPAIGN)
    assert df.set_index("indicator").at["县名", "raw"] == "七\x1f"
    table = store.value_table(CAMPAIGN, provenance=True)
    no_grouping(monkeypatch)
    assert_same_values(df, store.values(CAMPAIGN))
    assert_same_values(table, store.value_table(CAMPAIGN, provenance=True))


def test_value_table_columns(store: Store) -> None:
    mixed_store(store)
    df = store.value_table(CAMPAIGN, provenance=True)
    exact = store.values(CAMPAIGN)
    assert df["submission_id"].tolist() == exact["submission_id"].tolist()
    assert df["indicator"].tolist() == exact["indicator"].tolist()  # the same order
    first = df[df["submission_id"] == df["submission_id"].iloc[0]].set_index("indicator")
    assert first["value"].to_dict() == pytest.approx(
        {
            "count": 12.0,
            "ratio": 87.3,
            "whole_float": 3.0,
            "negative": -5.0,
            "has_site": 1.0,
            "no_site": 0.0,
            "missing": math.nan,
            "url": math.nan,
            "empty_text": math.nan,
            "started": math.nan,
            "ancient": math.nan,
            "big": 2.0**53,
            "tiny": 1e-300,
            "flagged": 1.0,
            "县名": 7.0,
        },
        nan_ok=True,
    )
    assert first.at["ratio", "value"] == 87.3  # exactly, not rounded to 15 digits
    assert first.at["started", "date"] == pd.Timestamp("2024-03-25")
    assert first.at["ancient", "date"] == pd.Timestamp("0001-01-01")
    assert first["date"].notna().sum() == 2
    assert first.at["has_site", "vtype"] == "bool" and first.at["ancient", "vtype"] == "date"
    assert first.at["url", "text"] == "https://rst.hubei.gov.cn/"
    assert first.at["empty_text", "text"] == "" and pd.isna(first.at["count", "text"])
    assert (first.at["县名", "sheet"], first.at["县名", "cell"], first.at["县名", "raw"]) == (
        "统计表",
        "D9",
        "七",
    )
    assert pd.isna(first.at["flagged", "sheet"]) and pd.isna(first.at["flagged", "cell"])
    assert first["file_name"].astype(str).unique().tolist() == ["returns/武汉市.xlsx"]
    # every value comes back exactly from vtype, value and date
    for got, want, vtype, day in zip(
        df["value"], exact["value"], df["vtype"], df["date"], strict=True
    ):
        if vtype == "int":
            assert int(got) == want
        elif vtype == "bool":
            assert (got == 1.0) is want
        elif vtype == "date":
            assert day.date() == want
        elif vtype == "float":
            assert got == want
        else:
            assert want is None and math.isnan(got)


def test_value_table_has_fixed_dtypes_even_when_empty(store: Store) -> None:
    empty = store.value_table(CAMPAIGN, provenance=True)
    assert empty.empty
    mixed_store(store)
    full = store.value_table(CAMPAIGN, provenance=True)
    pd.testing.assert_series_equal(empty.dtypes.astype(str), full.dtypes.astype(str))
    assert full.dtypes.astype(str).to_dict() == {
        "submission_id": "int64", "indicator": "str", "vtype": "category", "value": "float64",
        "date": "datetime64[s]", "text": "str", "raw": "str", "sheet": "str", "cell": "str",
        "file_name": "category",
    }  # fmt: skip
    assert list(full["vtype"].cat.categories) == list(VALUE_TYPES)
    for df in (empty, full):
        assert str(df["file_name"].cat.categories.dtype) == "str"
    assert list(store.value_table(CAMPAIGN).columns) == [
        "submission_id", "indicator", "vtype", "value", "date", "text",
    ]  # fmt: skip
    assert len(store.value_table(CAMPAIGN, current_only=True)) == 3
    assert store.value_table("no such campaign").empty
    assert store.values("no such campaign").empty


def tamper(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("grouping", [True, False])
def test_values_refuse_what_cannot_be_decoded_as_before(
    store: Store, db: Path, monkeypatch: pytest.MonkeyPatch, grouping: bool
) -> None:
    if not grouping:
        no_grouping(monkeypatch)
    mixed_store(store)
    # numbers the store never writes: still decoded as int() and bool() decode them
    tamper(db, "UPDATE submission_values SET value = 2.5 WHERE indicator = 'negative'")
    tamper(db, "UPDATE submission_values SET value = 0.5 WHERE indicator = 'no_site'")
    df = store.values(CAMPAIGN).set_index("indicator")
    assert df.at["negative", "value"] == 2 and df.at["no_site", "value"] is True
    table = store.value_table(CAMPAIGN).set_index("indicator")
    assert table.at["negative", "value"] == 2.5 and table.at["no_site", "value"] == 0.5

    tamper(db, "UPDATE submission_values SET value = NULL WHERE indicator = 'big'")
    with pytest.raises(StoreError, match=r"› big: vtype 'int' but no value stored"):
        store.values(CAMPAIGN)
    assert math.isnan(store.value_table(CAMPAIGN).set_index("indicator").at["big", "value"])
    tamper(db, "UPDATE submission_values SET vtype = 'decimal' WHERE indicator = 'tiny'")
    with pytest.raises(StoreError, match=r"› big: vtype 'int' but no value stored"):
        store.values(CAMPAIGN)  # the first refused row in order
    tamper(db, "UPDATE submission_values SET value = 1 WHERE indicator = 'big'")
    with pytest.raises(StoreError, match=r"› tiny: unknown vtype 'decimal'"):
        store.values(CAMPAIGN)
    assert store.value_table(CAMPAIGN).set_index("indicator")["vtype"].isna().sum() == 1


def test_snapshot_reads_one_state_of_the_file(store: Store, db: Path) -> None:
    mixed_store(store)
    with Store.open(db) as other, store.snapshot():
        before = len(store.values(CAMPAIGN))
        late = ret("huanggang", "midyear", MIDYEAR_DUE, val("count", 1))
        other.write_file(CAMPAIGN, return_file("late.xlsx", late), now=NOW)
        with store.snapshot():  # joins the outer one
            assert len(store.value_table(CAMPAIGN)) == before
        assert "huanggang" not in set(store.submissions(CAMPAIGN)["unit"])
    assert len(store.values(CAMPAIGN)) == before + 1
    assert not store._connection().in_transaction


# --------------------------------------------------------------------------- all or nothing


def test_failure_mid_file_leaves_the_database_exactly_as_before(store: Store, db: Path) -> None:
    store.write_file(
        CAMPAIGN,
        FileIn(
            "returns/wuhan.xlsx",
            sha("wuhan"),
            10,
            "return",
            submissions=(ret("wuhan", "midyear", MIDYEAR_DUE, val("s", 1)),),
            deliverables=(DeliverableIn("wuhan", "m1", dt.date(2024, 3, 20), None, 2),),
            ledger=(LedgerRowIn("wuhan", dt.date(2024, 5, 1), 2, row=2),),
        ),
        now=NOW,
    )
    # a real SQLite failure while the last value rows are inserted, after the file row,
    # the submissions and a revision flip have been written
    store._connection().execute(
        "CREATE TRIGGER boom BEFORE INSERT ON submission_values WHEN NEW.indicator = 'boom'"
        " BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    before, before_counts = dump(db), counts(db)
    bad = FileIn(
        "returns/mixed.xlsx",
        sha("mixed"),
        20,
        "return",
        submissions=(
            ret("wuhan", "midyear", MIDYEAR_DUE, val("s", 2)),  # would be a revision
            ret("xiaogan", "midyear", MIDYEAR_DUE, val("s", 3)),
            ret("xianning", "midyear", MIDYEAR_DUE, val("boom", 4)),
        ),
        deliverables=(DeliverableIn("xiaogan", "m1", dt.date(2024, 3, 21)),),
        ledger=(LedgerRowIn("xiaogan", dt.date(2024, 5, 2), 1),),
    )
    with pytest.raises(sqlite3.IntegrityError, match="boom"):
        store.write_file(CAMPAIGN, bad, now=NOW)
    assert counts(db) == before_counts
    assert dump(db) == before
    assert not store._connection().in_transaction

    # the store stays usable, and an error raised in Python rolls back just the same
    store._connection().execute("DROP TRIGGER boom")
    before = dump(db)

    class Bomb(Exception):
        pass

    def explode(rows: object) -> list[str]:
        raise Bomb("ledger hashing failed")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("campaignkit.store._ledger_hashes", explode)
        with pytest.raises(Bomb):
            store.write_file(CAMPAIGN, bad, now=NOW)
    assert dump(db) == before
    result = store.write_file(CAMPAIGN, bad, now=NOW)
    assert [s.status for s in result.submissions] == ["revised", "new", "new"]


def test_invalid_input_is_refused_before_writing_with_its_place(store: Store, db: Path) -> None:
    before = dump(db)
    cases = {
        "given twice": ret("w", "final", MIDYEAR_DUE, val("s", 1), val("s", 2)),
        "not a finite number": ret("w", "final", MIDYEAR_DUE, val("s", float("nan"))),
        "return_type must be one of": ret("w", "final", MIDYEAR_DUE, return_type="mixed"),
        "value must be int, float": ret("w", "final", MIDYEAR_DUE, val("s", "12")),
        "received_on must be a datetime.date": ret("w", "final", dt.datetime(2024, 1, 1)),
    }
    for reason, sub in cases.items():
        with pytest.raises(StoreInputError, match=reason) as info:
            store.write_file(CAMPAIGN, return_file("bad.xlsx", sub))
        assert "bad.xlsx › submission 1 (w/final)" in str(info.value)
        assert isinstance(info.value, ValueError)
    with pytest.raises(StoreInputError, match="timezone-aware"):
        store.write_file(CAMPAIGN, return_file("x.xlsx"), now=dt.datetime(2024, 1, 1))
    with pytest.raises(StoreInputError, match="sha256"):
        store.write_file(CAMPAIGN, FileIn("x.xlsx", "abc", 1, "return"))
    assert dump(db) == before


def test_write_files_rolls_back_only_the_failing_file(store: Store, db: Path) -> None:
    store._connection().execute(
        "CREATE TRIGGER boom BEFORE INSERT ON submission_values WHEN NEW.indicator = 'boom'"
        " BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    files = [
        return_file("1.xlsx", ret("u1", "final", MIDYEAR_DUE, val("s", 1))),
        return_file(
            "2.xlsx",
            ret("u2", "final", MIDYEAR_DUE, val("s", 2)),
            ret("u3", "final", MIDYEAR_DUE, val("boom", 3)),
        ),
        return_file("3.xlsx", ret("u4", "final", MIDYEAR_DUE, return_type="bogus")),
        return_file("4.xlsx", ret("u1", "final", MIDYEAR_DUE, val("s", 5))),
    ]
    results = store.write_files(CAMPAIGN, iter(files), now=NOW)
    assert [r.status for r in results] == ["accepted", "rejected", "rejected", "accepted"]
    assert isinstance(results[1].error, sqlite3.IntegrityError)
    assert isinstance(results[2].error, StoreInputError)
    assert results[1].submissions == () and not results[1].ok
    assert [s.status for s in results[3].submissions] == ["revised"]
    subs = store.submissions(CAMPAIGN)
    assert sorted(zip(subs["unit"], subs["revision"], strict=True)) == [("u1", 1), ("u1", 2)]
    assert set(subs["file_name"]) == {"1.xlsx", "4.xlsx"}
    seen = store.files()
    assert sorted(seen["name"]) == ["1.xlsx", "4.xlsx"]
    assert (seen["first_seen"] == pd.Timestamp(NOW)).all()
    assert str(seen["size"].dtype) == "int64"
    conn = store._connection()
    assert not conn.in_transaction


# --------------------------------------------------------------------------- progress, ledger


def test_progress_rows_of_one_unit_and_milestone_form_a_revision_chain(store: Store) -> None:
    def progress(name: str, *rows: DeliverableIn) -> FileIn:
        return FileIn(name, sha(name), 100, "progress", deliverables=rows)

    def day(n: int) -> dt.datetime:
        return NOW + dt.timedelta(days=n)

    done = DeliverableIn("wuhan", "publicity_launch", dt.date(2024, 3, 20), None, 2)
    other = DeliverableIn("wuhan", "m02", dt.date(2024, 3, 22), None, 3)
    r1 = store.write_file(CAMPAIGN, progress("progress.xlsx", done, other), now=NOW)
    assert (r1.deliverables_new, r1.deliverables_revised, r1.deliverables_unchanged) == (2, 0, 0)
    r2 = store.write_file(CAMPAIGN, progress("progress.xlsx", done, other), now=day(1))
    assert (r2.deliverables_new, r2.deliverables_revised, r2.deliverables_unchanged) == (0, 0, 2)
    assert r2.status == "unchanged"
    # the same row sent again with its evidence, then with another date: each replaces
    with_evidence = DeliverableIn("wuhan", "publicity_launch", dt.date(2024, 3, 20), "照片.zip", 2)
    r3 = store.write_file(CAMPAIGN, progress("progress-v2.csv", with_evidence), now=day(2))
    assert [(r.status, r.revision) for r in r3.rows] == [("revised", 2)]
    assert r3.status == "accepted"
    moved = DeliverableIn("wuhan", "publicity_launch", dt.date(2024, 3, 21), "照片.zip", 2)
    r4 = store.write_file(CAMPAIGN, progress("progress-v3.csv", moved), now=day(3))
    assert [(r.status, r.revision, r.is_current) for r in r4.rows] == [("revised", 3, True)]
    # re-reading an older file changes nothing: its row is an older revision from that file
    r5 = store.write_file(CAMPAIGN, progress("progress-v2.csv", with_evidence), now=day(4))
    assert [(r.status, r.revision, r.is_current) for r in r5.rows] == [("unchanged", 2, False)]

    df = store.deliverables(CAMPAIGN)
    assert df[["milestone", "done_on", "revision"]].values.tolist() == [
        ["m02", dt.date(2024, 3, 22), 1], ["publicity_launch", dt.date(2024, 3, 21), 3]]
    assert df["file_name"].tolist() == ["progress.xlsx", "progress-v3.csv"]
    hist = store.deliverables(CAMPAIGN, history=True)
    assert len(hist) == 4 and hist["is_current"].sum() == 2
    chain = hist[hist["milestone"] == "publicity_launch"]
    assert chain["revision"].tolist() == [1, 2, 3]
    assert chain["evidence"].isna().tolist() == [True, False, False]
    assert chain["received_on"].tolist() == [NOW.date(), day(2).date(), day(3).date()]
    assert str(df["row"].dtype) == "Int64" and df["is_current"].dtype == bool


def test_ledger_rows_are_deduplicated_but_repeated_events_kept(store: Store) -> None:
    def ledger(name: str, *rows: LedgerRowIn) -> FileIn:
        return FileIn(name, sha(name), 100, "ledger", ledger=rows)

    one, two = np.int64(1), np.int64(2)  # numpy integers, as pandas reads them, are accepted
    event = LedgerRowIn("wuhan", dt.date(2024, 5, 1), one, "p1", "企业", "江岸区", 200, 30, 80, two)  # type: ignore[arg-type]
    twin = LedgerRowIn("wuhan", dt.date(2024, 5, 1), 1, "p1", "企业", "江岸区", 200, 30, 80, 3)
    other = LedgerRowIn("wuhan", dt.date(2024, 5, 2), 2, row=4)
    r1 = store.write_file(CAMPAIGN, ledger("ledger.xlsx", event, twin, other), now=NOW)
    assert (r1.ledger_new, r1.ledger_unchanged) == (3, 0)  # two identical events both count
    r2 = store.write_file(CAMPAIGN, ledger("ledger-copy.csv", other, event, twin), now=NOW)
    assert (r2.ledger_new, r2.ledger_unchanged) == (0, 3)
    third = LedgerRowIn("wuhan", dt.date(2024, 5, 1), 1, "p1", "企业", "江岸区", 200, 30, 80, 5)
    r3 = store.write_file(CAMPAIGN, ledger("ledger-v2.xlsx", event, twin, third), now=NOW)
    assert (r3.ledger_new, r3.ledger_unchanged) == (1, 2)
    df = store.ledger(CAMPAIGN)
    assert len(df) == 4
    assert int(df["sessions"].sum()) == 5
    assert df["materials"].tolist()[-1] is pd.NA
    assert df["date"].tolist()[0] == dt.date(2024, 5, 1)
    assert df["row_hash"].is_unique


# --------------------------------------------------------------------------- withdrawals


def test_withdrawing_keeps_the_row_and_dates_its_absence(store: Store) -> None:
    first = ret("wuhan", "midyear", dt.date(2024, 6, 28), val("s", 1))
    second = ret("wuhan", "midyear", dt.date(2024, 6, 29), val("s", 2))
    ids = [
        store.write_file(CAMPAIGN, return_file(name, sub), now=NOW).submissions[0].id
        for name, sub in (("a.xlsx", first), ("b.xlsx", second))
    ]
    w = store.withdraw(CAMPAIGN, f"S{ids[1]}", reason="wrong unit", on=dt.date(2024, 7, 1),
                       by="tester", now=NOW)
    assert (w.id, w.unit, w.on, w.reason, w.by, w.current_again) == (
        f"S{ids[1]}", "wuhan", dt.date(2024, 7, 1), "wrong unit", "tester", f"S{ids[0]}")
    assert store.submissions(CAMPAIGN, as_of=dt.date(2024, 6, 30))["id"].tolist() == ids
    assert store.submissions(CAMPAIGN, as_of=dt.date(2024, 7, 1))["id"].tolist() == ids[:1]
    assert store.submissions(CAMPAIGN)["id"].tolist() == ids[:1]
    assert store.submissions(CAMPAIGN, history=True)["id"].tolist() == ids  # never deleted
    assert store.history(CAMPAIGN, "wuhan", "midyear")["is_current"].tolist() == [True, False]
    values = store.value_table(CAMPAIGN, as_of=dt.date(2024, 7, 1))
    assert values["submission_id"].tolist() == ids[:1]
    assert store.values(CAMPAIGN, as_of=dt.date(2024, 6, 30))["value"].tolist() == [1, 2]
    table = store.withdrawals(CAMPAIGN)
    assert table[["id", "on", "reason", "by"]].values.tolist() == [
        [f"S{ids[1]}", dt.date(2024, 7, 1), "wrong unit", "tester"]]

    with pytest.raises(StoreError, match=f"S{ids[1]} was already withdrawn on 2024-07-01"):
        store.withdraw(CAMPAIGN, f"S{ids[1]}", reason="again", on=NOW.date(), now=NOW)
    for ref in ("S999", "P1", "x1", "S"):
        with pytest.raises(StoreLookupError, match=f"no row {ref}"):
            store.withdraw(CAMPAIGN, ref, reason="x", on=NOW.date(), now=NOW)
    with pytest.raises(StoreInputError, match="after"):
        store.withdraw(CAMPAIGN, f"S{ids[0]}", reason="x", on=dt.date(2024, 7, 2), now=NOW)
    with pytest.raises(StoreInputError, match="reason"):
        store.withdraw(CAMPAIGN, f"S{ids[0]}", reason=" ", on=NOW.date(), now=NOW)
    # a resend of the withdrawn file does not bring it back; a new revision becomes current
    again = store.write_file(CAMPAIGN, return_file("b.xlsx", second), now=NOW)
    assert again.submissions[0].status == "unchanged"
    third = ret("wuhan", "midyear", dt.date(2024, 6, 30), val("s", 3))
    r = store.write_file(CAMPAIGN, return_file("c.xlsx", third), now=NOW).submissions[0]
    assert (r.status, r.revision, r.is_current) == ("revised", 3, True)


# --------------------------------------------------------------------------- migration

V1_STORE = ROOT / "tests" / "data" / "store_v1.db"
"""A store written by campaignkit at commit 3037087 (schema 1) with
``tests/data/make_store_v1.py``: 济南's m_plan row and its first ledger event were each sent
again corrected, and schema 1 kept both rows beside each other (figures doubled)."""


def test_a_schema_1_store_is_migrated_keeping_its_ids_and_history(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.write_bytes(V1_STORE.read_bytes())
    c = "shandong_jobs_2025"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    conn.close()
    with Store.open(db) as store:
        subs = store.submissions(c)
        assert subs[["id", "unit", "revision", "is_current"]].values.tolist() == [
            [1, "SD01", 1, False], [2, "SD01", 2, True], [3, "SD02", 1, True]]
        assert store.values(c)["value"].tolist() == [5, 7, 4]
        dels = store.deliverables(c)
        assert dels[["id", "unit", "done_on", "revision"]].values.tolist() == [
            [3, "SD01", dt.date(2025, 6, 8), 2], [2, "SD02", dt.date(2025, 6, 4), 1]]
        hist = store.deliverables(c, history=True)
        assert hist["id"].tolist() == [1, 3, 2]
        assert hist["received_on"].tolist() == [dt.date(2025, 6, d) for d in (20, 25, 20)]
        # before the correction was received, the first row counted
        early = store.deliverables(c, as_of=dt.date(2025, 6, 21))
        assert early["done_on"].tolist() == [dt.date(2025, 6, 3), dt.date(2025, 6, 4)]
        led = store.ledger(c)
        # 济南 p01: the corrected first event (2) and the second event (1), not 1 + 1 + 2
        assert sorted(led["id"].tolist()) == [2, 3, 4]
        assert led.groupby("unit")["sessions"].sum().to_dict() == {"SD01": 3, "SD_JOB": 1}
        assert led["row_hash"].is_unique
        assert len(store.ledger(c, history=True)) == 4
        # the migrated store takes corrections like a new one
        fix = FileIn("p3.csv", sha("p3"), 1, "progress",
                     deliverables=(DeliverableIn("SD01", "m_plan", dt.date(2025, 6, 9)),))
        r = store.write_file(c, fix, now=NOW)
        assert [(x.status, x.revision) for x in r.rows] == [("revised", 3)]
    conn = sqlite3.connect(db)
    version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    conn.close()
    assert version == str(SCHEMA_VERSION) and SCHEMA_VERSION == 2
    with Store.open(db) as store:  # opening it again finds nothing more to do
        assert len(store.deliverables(c, history=True)) == 4


def test_a_half_written_schema_1_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.write_bytes(V1_STORE.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE ledger")
    conn.commit()
    conn.close()
    before = dump(db)
    with pytest.raises(StoreError, match=r"cannot migrate .* from schema version 1"):
        Store.open(db)
    assert dump(db) == before


# --------------------------------------------------------------------------- provenance


def test_provenance_traces_a_figure_to_its_cell(store: Store) -> None:
    sub = SubmissionIn(
        "wuhan",
        "midyear",
        "consolidated",
        dt.date(2024, 6, 28),
        "option",
        (ValueIn("consultations", 1520, None, "1,520", "统计表", "E9", ("thousands_sep",)),),
    )
    store.write_file(CAMPAIGN, return_file("returns/武汉市.xlsx", sub), now=NOW)
    row = store.values(CAMPAIGN).iloc[0]
    p = store.provenance(int(row["submission_id"]), "consultations")
    assert (p.file_name, p.file_sha256) == ("returns/武汉市.xlsx", sha("returns/武汉市.xlsx"))
    assert (p.sheet, p.cell, p.raw, p.value) == ("统计表", "E9", "1,520", 1520)
    assert (p.received_on, p.received_from) == (dt.date(2024, 6, 28), "option")
    assert p.ingested_at == NOW
    assert (p.unit, p.round, p.revision, p.is_current) == ("wuhan", "midyear", 1, True)
    assert p.flags == ("thousands_sep",)
    with pytest.raises(StoreLookupError, match="'sessions'"):
        store.provenance(p.submission_id, "sessions")


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    parent: str | None
    level: str


@dataclass(frozen=True)
class _Campaign:
    id: str
    units: tuple[_Unit, ...]


def test_sync_units_upserts(store: Store) -> None:
    units = (_Unit("hubei", "湖北省", None, "province"), _Unit("wuhan", "武汉", "hubei", "city"))
    assert store.sync_units(_Campaign(CAMPAIGN, units)) == 2
    renamed = (units[0], _Unit("wuhan", "武汉市", "hubei", "city"))
    store.sync_units(_Campaign(CAMPAIGN, renamed))
    df = store.units(CAMPAIGN)
    assert df.to_dict("records")[1] == {
        "code": "wuhan",
        "name": "武汉市",
        "parent": "hubei",
        "level": "city",
    }
    assert len(df) == 2 and df["parent"].isna().tolist() == [True, False]


def test_sync_units_of_the_hubei_sample(store: Store, hubei: object) -> None:
    n = store.sync_units(hubei)  # type: ignore[arg-type]
    df = store.units("hubei_huimin_2024")
    assert len(df) == n > 100
    top = df[df["parent"].isna()]
    assert top["name"].tolist() == ["湖北省"]
    assert set(df["level"]) >= {"province", "city"}
    assert set(df["parent"].dropna()) <= set(df["code"])


# --------------------------------------------------------------------------- two processes

WORKER = r"""
import datetime as dt, hashlib, sys, time
from pathlib import Path
from campaignkit.store import FileIn, Store, SubmissionIn, ValueIn

db, tag, mode, n, offset, go = sys.argv[1:7]
n, offset, go = int(n), int(offset), Path(go)
Path(f"{go}.{tag}.ready").touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no start signal")
    time.sleep(0.002)
with Store.open(db) as store:
    for i in range(n):
        unit = f"{tag}-{i:03d}" if mode == "distinct" else "wuhan"
        value = offset + i
        sub = SubmissionIn(unit, "final", "own", dt.date(2024, 12, 20), "form",
                           (ValueIn("sessions", value, None, str(value), "统计表", "C7"),))
        name = f"{tag}/{i:03d}.xlsx"
        f = FileIn(name, hashlib.sha256(name.encode()).hexdigest(), 100, "return", (sub,))
        status = store.write_file("race", f).submissions[0].status
        if status == "unchanged":
            sys.exit(f"{name}: unexpectedly unchanged")
        time.sleep(0.002)  # as if reading the next workbook
"""


def run_two_writers(db: Path, tmp_path: Path, mode: str, n: int) -> None:
    go = tmp_path / "go"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), tag, mode, str(n), str(offset), str(go)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag, offset in (("a", 0), ("b", 100_000))
    ]
    deadline = time.monotonic() + 120
    while not all(Path(f"{go}.{tag}.ready").exists() for tag in "ab"):
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    go.touch()  # both start writing at the same moment
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err


def interleavings(tags: list[str]) -> int:
    return sum(a != b for a, b in itertools.pairwise(tags))


def test_two_processes_writing_distinct_units_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "race.db"  # not created beforehand: both processes create it at once
    run_two_writers(db, tmp_path, "distinct", 200)
    with Store.open(db) as store:
        subs = store.submissions("race")
        assert len(subs) == 400
        assert not subs.duplicated(["unit", "round", "revision"]).any()
        assert set(subs["unit"]) == {f"{t}-{i:03d}" for t in "ab" for i in range(200)}
        assert (subs["revision"] == 1).all() and subs["is_current"].all()
        assert len(store.values("race")) == 400
        order = subs.sort_values("id")["unit"].str[0].tolist()
    assert interleavings(order) >= 2  # the writers really took turns


def test_two_processes_revising_the_same_return_number_revisions_without_gaps(
    tmp_path: Path,
) -> None:
    db = tmp_path / "race.db"
    Store.open(db).close()
    n = 100
    run_two_writers(db, tmp_path, "same", n)
    with Store.open(db) as store:
        history = store.history("race", "wuhan", "final")
        assert history["revision"].tolist() == list(range(1, 2 * n + 1))
        assert int(history["is_current"].sum()) == 1
        assert bool(history["is_current"].iloc[-1])
        values = store.values("race").sort_values("revision")
        assert sorted(values["value"]) == sorted([*range(n), *range(100_000, 100_000 + n)])
        assert interleavings(history["file_name"].str[0].tolist()) >= 2
        # each writer's own revisions appear in the order it wrote them
        for tag in "ab":
            mine = values[values["file_name"].str.startswith(f"{tag}/")]
            assert mine["file_name"].is_monotonic_increasing


def test_module_example_runs() -> None:
    import doctest

    import campaignkit.store

    assert doctest.testmod(campaignkit.store).failed == 0
