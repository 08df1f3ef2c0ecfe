"""Write ``tests/data/store_v1.db``: a store of schema 1, for the migration test.

Run it with campaignkit as of commit 3037087 (store schema 1), for instance::

    git archive 3037087 campaignkit | tar -x -C /tmp/ck_v1
    cd /tmp/ck_v1 && python /path/to/tests/data/make_store_v1.py /path/to/tests/data/store_v1.db

济南's m_plan row and its first ledger event are each sent again, corrected: schema 1
stored the corrections beside the first rows, doubling the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace as NS


def main(out: Path) -> None:
    """Write the schema 1 store to ``out`` (with the campaignkit of schema 1 importable)."""
    from campaignkit.store import (
        SCHEMA_VERSION,
        DeliverableIn,
        FileIn,
        LedgerRowIn,
        Store,
        SubmissionIn,
        ValueIn,
    )

    if SCHEMA_VERSION != 1:
        raise SystemExit(f"run this with campaignkit of store schema 1, not {SCHEMA_VERSION}")
    out.unlink(missing_ok=True)
    c = "shandong_jobs_2025"

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def at(day: int) -> dt.datetime:
        return dt.datetime(2025, 6, day, 9, 0, tzinfo=dt.UTC)

    def ret(unit: str, day: int, sessions: int) -> SubmissionIn:
        value = ValueIn("sessions", sessions, None, str(sessions), "统计表", "B5")
        return SubmissionIn(unit, "mid", "consolidated", dt.date(2025, 6, day), "form",
                            (value,))

    units = [NS(code="SD", name="山东省", parent=None, level="province"),
             NS(code="SD_JOB", name="省就业服务中心", parent="SD", level="dept"),
             NS(code="SD01", name="济南市", parent="SD", level="city"),
             NS(code="SD02", name="青岛市", parent="SD", level="city")]
    with Store.open(out) as s:
        s.sync_units(NS(id=c, units=units))
        s.write_file(c, FileIn("mid/sd01.xlsx", sha("r1"), 10, "return",
                               submissions=(ret("SD01", 16, 5),)), now=at(16))
        s.write_file(c, FileIn("mid/sd01-v2.xlsx", sha("r2"), 10, "return",
                               submissions=(ret("SD01", 17, 7),)), now=at(17))
        s.write_file(c, FileIn("mid/sd02.xlsx", sha("r3"), 10, "return",
                               submissions=(ret("SD02", 17, 4),)), now=at(17))
        s.write_file(c, FileIn("progress.csv", sha("p1"), 10, "progress", deliverables=(
            DeliverableIn("SD01", "m_plan", dt.date(2025, 6, 3), "方案.pdf", 2),
            DeliverableIn("SD02", "m_plan", dt.date(2025, 6, 4), None, 3))), now=at(20))
        # the correction of 济南's row: schema 1 adds it beside the first one
        s.write_file(c, FileIn("progress-fix.csv", sha("p2"), 10, "progress", deliverables=(
            DeliverableIn("SD01", "m_plan", dt.date(2025, 6, 8), "方案.pdf", 2),)), now=at(25))
        event = LedgerRowIn("SD01", dt.date(2025, 6, 10), 1, "p01", "企业", "历城区", 100, 10, 30,
                            2)
        job = LedgerRowIn("SD_JOB", dt.date(2025, 6, 12), 1, "p02", "校园", None, 50, 5, 80, 4)
        s.write_file(c, FileIn("ledger.csv", sha("l1"), 10, "ledger",
                               ledger=(event, event, job)), now=at(20))
        # 济南's first event corrected to 2 sessions: schema 1 adds it again (1 + 1 + 2 = 4)
        fixed = LedgerRowIn("SD01", dt.date(2025, 6, 10), 2, "p01", "企业", "历城区", 100, 10, 30,
                            2)
        s.write_file(c, FileIn("ledger-fix.csv", sha("l2"), 10, "ledger",
                               ledger=(fixed, job)), now=at(25))
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
