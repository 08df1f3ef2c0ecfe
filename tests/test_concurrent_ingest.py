"""Two `campaignkit ingest` processes on one store at once lose nothing and duplicate nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import HUBEI


def _ingest(db: Path) -> subprocess.Popen[bytes]:
    code = ("import sys; from campaignkit.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.Popen(
        [sys.executable, "-c", code, "ingest", str(HUBEI), str(HUBEI.parent / "returns"),
         str(HUBEI.parent / "progress.csv"), str(HUBEI.parent / "ledger.xlsx"), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _content(db: Path) -> tuple[list[tuple[object, ...]], int, int, int]:
    con = sqlite3.connect(db)
    try:
        subs = con.execute("SELECT unit, round, revision, is_current, content_hash FROM "
                           "submissions ORDER BY unit, round, revision").fetchall()
        values = con.execute("SELECT count(*) FROM submission_values").fetchone()[0]
        deliverables = con.execute("SELECT count(*) FROM deliverables").fetchone()[0]
        ledger = con.execute("SELECT count(*) FROM ledger").fetchone()[0]
    finally:
        con.close()
    return subs, values, deliverables, ledger


def test_two_ingests_at_once_equal_one(tmp_path: Path) -> None:
    alone = tmp_path / "alone.db"
    assert _ingest(alone).wait(timeout=300) == 1  # one sample return is rejected on purpose
    both = tmp_path / "both.db"
    procs = [_ingest(both), _ingest(both)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [1, 1]
    assert _content(both) == _content(alone)
    subs = _content(both)[0]
    assert len(subs) == len(set((u, r, rev) for u, r, rev, _, _ in subs))
    current = [(u, r) for u, r, _, cur, _ in subs if cur]
    assert len(current) == len(set(current))  # exactly one current return per unit × round
