"""Time the year-end batch of the Hubei sample for every unit, three ways, in one run.

(a) the naive way: for each unit the ``papermill`` CLI, then the ``jupyter nbconvert`` CLI,
    one after another (sampled on ``--naive-units`` units and scaled to all; said so);
(b) ``campaignkit report year-end SPEC --unit all -j N`` (warm kernels, parallel);
(c) the floor: the same library calls in one process without notebooks
    (``open_report(...).build()`` and ``publish`` per unit).

Peak memory: the largest total resident memory of the batch's process tree, sampled every
0.2 s — bounded by ``-j`` (worker processes and their kernels), not by the number of units.

    python benchmarks/batch.py                   # a store is built from data_samples/
    python benchmarks/batch.py --jobs 2 --naive-units 20 --kind year-end
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "data_samples" / "hubei_huimin_2024" / "campaign.yaml"
AS_OF = "2024-12-25"


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def _tree_rss(root: int) -> int:
    """Total resident memory (bytes) of ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(d.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Run ``cmd``; return seconds, exit code and the peak memory of its process tree."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    code = proc.wait()
    done.set()
    t.join()
    return time.perf_counter() - started, code, peak


def build_store(work: Path) -> Path:
    """Ingest the Hubei sample into a fresh store under ``work``."""
    from campaignkit import load_campaign
    from campaignkit.ingest import ingest_paths
    from campaignkit.store import Store

    c = load_campaign(SPEC)
    db = work / "campaignkit.db"
    root = SPEC.parent
    with Store.open(db) as store:
        store.sync_units(c)
        ingest_paths(c, [root / "returns", root / "progress.csv", root / "ledger.xlsx"], store)
    return db


def naive(db: Path, units: list[str], out: Path, kind: str) -> float:
    """Seconds per unit the naive way (papermill CLI, then jupyter nbconvert CLI)."""
    nb = ROOT / "notebooks" / ("year_end_summary.ipynb" if kind == "year-end"
                               else "inspection_briefing.ipynb")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for code in units:
        executed = out / f"{code}.ipynb"
        subprocess.run([_bin("papermill"), str(nb), str(executed), "-p", "campaign", str(SPEC),
                        "-p", "db", str(db), "-p", "unit", code, "-p", "as_of", AS_OF,
                        "-p", "out_dir", str(out), "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([_bin("jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(executed)], check=True, capture_output=True)
    return (time.perf_counter() - started) / len(units)


def floor(db: Path, units: list[str], out: Path, kind: str) -> float:
    """Seconds for every unit: the library calls in this process, no notebook."""
    from campaignkit.report.run import open_report

    started = time.perf_counter()
    for code in units:
        job = open_report(kind, SPEC, db, unit=code, as_of=AS_OF, out_dir=out)
        job.publish(job.build())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the three ways and print a table with ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--naive-units", type=int, default=20,
                    help="units the naive way runs (scaled to all; 0 skips it)")
    ap.add_argument("--kind", default="year-end", choices=("year-end", "briefing"))
    args = ap.parse_args(argv)

    from campaignkit import load_campaign

    c = load_campaign(SPEC)
    units = [u.code for u in c.units]
    work = Path(tempfile.mkdtemp(prefix="ck-batch-bench-"))
    try:
        db = build_store(work)
        print(f"Hubei sample, {args.kind}, {len(units)} units "
              f"({', '.join(sorted({c.unit(u).level for u in units}))}), as of {AS_OF}, "
              f"{os.cpu_count()} cores")

        cmd = [_bin("campaignkit"), "report", args.kind, str(SPEC), "--db", str(db),
               "--as-of", AS_OF, "--out", str(work / "b"), "-j", str(args.jobs), "--force",
               "--unit", "all"]
        b, code, b_peak = _timed(cmd)
        if code not in (0, 1):
            print(f"campaignkit report exited {code}", file=sys.stderr)
            return 2

        c_total = floor(db, units, work / "c", args.kind)

        rows = [(f"(b) campaignkit report --unit all -j {args.jobs}", b, b_peak),
                ("(c) floor: library calls, one process", c_total, None)]
        if args.naive_units:
            sample = units[: args.naive_units]
            per_unit = naive(db, sample, work / "a", args.kind)
            rows.insert(0, (f"(a) papermill + nbconvert CLIs, sampled on {len(sample)} "
                            f"units, scaled ×{len(units) / len(sample):.2f}",
                            per_unit * len(units), None))
        print(f"{'way':<62} {'seconds':>9} {'per unit':>9} {'peak MB':>8}")
        for name, secs, peak in rows:
            shown = f"{peak / 2**20:8.0f}" if peak else f"{'':>8}"
            print(f"{name:<62} {secs:9.1f} {secs / len(units):9.2f} {shown}")
        if args.naive_units:
            print(f"a/b = {rows[0][1] / b:.1f} (target ≥ 8)")
        print(f"b/c = {b / c_total:.2f} (target ≤ 2)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
