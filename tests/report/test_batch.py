"""A batch over every unit: parallel, warm kernels, a failing unit does not stop the others,
a rerun skips what did not change, and no kernel or worker outlives the batch."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from campaignkit import load_campaign
from campaignkit.cli import main
from campaignkit.ingest import ingest_paths
from campaignkit.report.batch import run_batch
from campaignkit.store import Store

from ..conftest import FUJIAN, ROOT

AS_OF = "2022-01-31"


@pytest.fixture(scope="module")
def fujian_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    c = load_campaign(FUJIAN)
    db = tmp_path_factory.mktemp("batch") / "campaignkit.db"
    root = FUJIAN.parent
    with Store.open(db) as store:
        store.sync_units(c)
        ingest_paths(c, [root / "returns", root / "progress.csv"], store)
    return db


@pytest.fixture()
def failing_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of the notebooks in which 漳州市 (FJ03)'s data makes a cell fail."""
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    path = folder / "year_end_summary.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    first_code = next(i for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(
        "if unit == 'FJ03':\n    raise ValueError('漳州市的数据无法汇总')"))
    nbformat.write(nb, str(path))
    monkeypatch.setenv("CAMPAIGNKIT_NOTEBOOKS", str(folder))
    return folder


def _processes_marked(mark: str) -> list[int]:
    """Process ids whose environment carries ``mark`` (our workers and their kernels)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            env = (d / "environ").read_bytes()
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        try:
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        # multiprocessing's resource tracker belongs to this (the parent) process, not the batch
        if mark.encode() in env and state != "Z" and b"resource_tracker" not in cmd:
            found.append(int(d.name))
    return found


def test_a_failing_unit_does_not_stop_the_batch(fujian_db: Path, tmp_path: Path,
                                                failing_notebooks: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    mark = f"ck-batch-{uuid.uuid4().hex}"
    monkeypatch.setenv("CAMPAIGNKIT_TEST_MARK", mark)
    out = tmp_path / "reports"
    code = main(["report", "year-end", str(FUJIAN), "--db", str(fujian_db), "--unit", "all",
                 "--as-of", AS_OF, "--out", str(out), "-j", "2", "--format", "html,docx",
                 "--json"])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    status = {u["unit"]: u["status"] for u in doc["units"]}
    assert status["FJ03"] == "failed"
    assert all(s == "ok" for u, s in status.items() if u != "FJ03"), status
    assert len(status) == 12
    failed = next(u for u in doc["units"] if u["unit"] == "FJ03")
    assert "漳州市的数据无法汇总" in failed["error"]
    nb = nbformat.read(str(out / "FJ03_year-end.failed.ipynb"), as_version=4)
    assert any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))  # papermill's error cell is kept
    assert (out / "FJ01_year-end.html").is_file() and (out / "FJ01_year-end.docx").is_file()
    assert not (out / "FJ03_year-end.html").exists()
    index = (out / "index.html").read_text("utf-8")
    assert 'class="failed"' in index and "漳州市的数据无法汇总" in index
    assert "FJ03_year-end.failed.ipynb" in index and "FJ01_year-end.html" in index
    deadline = time.monotonic() + 15
    while _processes_marked(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
            for pid in _processes_marked(mark)}
    assert left == {}  # no worker, no kernel survives the batch


def test_a_rerun_skips_what_did_not_change(fujian_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = run_batch("briefing", FUJIAN, db=fujian_db, unit="all", level="city",
                      as_of=AS_OF, out_dir=out, formats="html", jobs=2)
    assert first.exit_code == 0 and first.counts["ok"] == 10
    page = out / "FJ01_briefing.html"
    made = page.stat().st_mtime_ns
    second = run_batch("briefing", FUJIAN, db=fujian_db, unit="all", level="city",
                       as_of=AS_OF, out_dir=out, formats="html", jobs=2)
    assert second.counts == {"ok": 0, "failed": 0, "skipped": 10}
    assert page.stat().st_mtime_ns == made
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "FJ02.md").write_text("## 典型做法\n厦门市开展“社保服务进社区”。\n", "utf-8")
    third = run_batch("briefing", FUJIAN, db=fujian_db, unit="all", level="city",
                      as_of=AS_OF, out_dir=out, formats="html", jobs=2, notes_dir=notes)
    assert {o.unit for o in third.outcomes if o.status == "ok"} == {"FJ02"}
    forced = run_batch("briefing", FUJIAN, db=fujian_db, unit="FJ01", as_of=AS_OF,
                       out_dir=out, formats="html", jobs=1, force=True)
    assert forced.counts["ok"] == 1 and page.stat().st_mtime_ns > made


def test_a_unit_remade_is_not_complete_until_it_is(fujian_db: Path, tmp_path: Path) -> None:
    """A fingerprint is written last: a unit whose outputs were lost is made again."""
    out = tmp_path / "reports"
    run_batch("briefing", FUJIAN, db=fujian_db, unit="FJ01", as_of=AS_OF, out_dir=out,
              formats="html,docx", jobs=1)
    (out / "FJ01_briefing.docx").unlink()
    again = run_batch("briefing", FUJIAN, db=fujian_db, unit="FJ01", as_of=AS_OF,
                      out_dir=out, formats="html,docx", jobs=1)
    assert again.counts["ok"] == 1 and (out / "FJ01_briefing.docx").is_file()
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
