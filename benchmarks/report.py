"""Time one report made the naive way (papermill + nbconvert CLIs) against campaignkit report.

The report is Hubei's province year-end summary (``notebooks/year_end_summary.ipynb``) on the
demo's SQLite store, built first in a temporary folder (not timed). In one run, each way makes
the same report from the same parameters, ``--repeat`` times (the best time kept):

* **naive**: ``papermill`` (the plain CLI) executes the notebook, whose last cell writes the
  HTML page, the Word file and the Excel annex; then ``jupyter nbconvert --to html`` exports
  the executed notebook (the stock template: code, prompts and all) — two subprocesses, each
  with its own interpreter and imports;
* **campaignkit report**: the CLI in a subprocess (papermill in-process, the nbconvert export
  through ``report_templates/campaignkit``: the HTML report, with the same files beside it);
* **run_report**: the same call in this process, imports already paid (as from a notebook
  server or a script that makes several reports).

Each way's page must carry the province's total of 开展政策宣讲进企业活动 as stored; the
exit status is 1 when one does not. Ratios are against the naive way, measured in this run.

Run: ``python benchmarks/report.py [--repeat 1] [--unit HB] [--kind year-end]``
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "data_samples" / "hubei_huimin_2024" / "campaign.yaml"
NOTEBOOKS = {"year-end": "year_end_summary.ipynb", "briefing": "inspection_briefing.ipynb"}
AS_OF = "2024-12-31"


def _bin(name: str) -> str:
    """A program of this interpreter's environment (papermill, jupyter), else the PATH's."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (pip install -e '.[test]')")
    return found


def _run(argv: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(f"{Path(argv[0]).name} failed ({done.returncode}):\n"
                         f"{done.stderr.strip()[-2000:]}")


def _best(repeat: int, make: Callable[[Path], Path], root: Path, name: str
          ) -> tuple[float, Path]:
    times, page = [], root
    for i in range(repeat):
        out = root / f"{name}-{i}"
        out.mkdir()
        t0 = time.perf_counter()
        page = make(out)
        times.append(time.perf_counter() - t0)
    return min(times), page


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=sorted(NOTEBOOKS), default="year-end")
    ap.add_argument("--unit", default="HB", help="unit code (default: the province, HB)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each way (best kept)")
    args = ap.parse_args(argv)

    from campaignkit import load_campaign
    from campaignkit.demo import run_demo
    from campaignkit.report.numbers import fmt_count
    from campaignkit.report.run import run_report
    from campaignkit.store import Store

    c = load_campaign(SPEC)
    with tempfile.TemporaryDirectory(prefix="ck-bench-report-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        with open(os.devnull, "w") as quiet:  # the demo reports what it writes
            stdout, sys.stdout = sys.stdout, quiet
            try:
                run_demo(root / "demo", ROOT / "data_samples")
            finally:
                sys.stdout = stdout
        db = root / "demo" / c.id / "campaignkit.db"
        print(f"demo store built in {time.perf_counter() - t0:.1f} s ({os.cpu_count()} CPU(s)); "
              f"report: {args.kind} of {args.unit} as of {AS_OF}, best of {args.repeat}")
        with Store.open(db) as store:
            vals = store.values(c.id, current_only=True)
        vals = vals[(vals["round"] == "final") & (vals["indicator"] == "enterprise_sessions")]
        reporters = {u.code for u in c.reporters("final")}
        inside = {u.code for u in c.iter_units(args.unit)} & reporters
        want = fmt_count(sum(float(v) for v, u in zip(vals["value"], vals["unit"], strict=True)
                             if u in inside and v is not None))

        notebook = ROOT / "notebooks" / NOTEBOOKS[args.kind]
        stem = f"{args.unit}_{args.kind}"
        split: dict[str, list[float]] = {"papermill": [], "nbconvert": []}

        def naive(out: Path) -> Path:
            t = time.perf_counter()
            _run([_bin("papermill"), str(notebook), str(out / "executed.ipynb"),
                  "-p", "campaign", str(SPEC), "-p", "db", str(db), "-p", "unit", args.unit,
                  "-p", "as_of", AS_OF, "-p", "out_dir", str(out), "--no-progress-bar"], out)
            split["papermill"].append(time.perf_counter() - t)
            t = time.perf_counter()
            _run([_bin("jupyter"), "nbconvert", "--to", "html", str(out / "executed.ipynb")], out)
            split["nbconvert"].append(time.perf_counter() - t)
            return out / "executed.html"

        def cli(out: Path) -> Path:
            _run([sys.executable, "-m", "campaignkit", "report", args.kind, str(SPEC),
                  "--db", str(db), "--unit", args.unit, "--as-of", AS_OF, "--out", str(out)],
                 out)
            return out / f"{stem}.html"

        def in_process(out: Path) -> Path:
            paths = run_report(args.kind, SPEC, db=db, unit=args.unit, as_of=AS_OF,
                               out_dir=out)
            return next(p for p in paths if p.name == f"{stem}.html")

        rows = []
        for name, make in (("naive: papermill CLI + jupyter nbconvert CLI", naive),
                           ("campaignkit report (CLI)", cli),
                           ("run_report (in-process)", in_process)):
            seconds, page = _best(args.repeat, make, root, name.split(":")[0].split(" ")[0])
            rows.append((name, seconds, page))

        naive_s = rows[0][1]
        width = max(len(r[0]) for r in rows)
        print(f"\n{'way':<{width}}  {'seconds':>8}  {'vs naive':>9}  page")
        for name, seconds, page in rows:
            size = page.stat().st_size / 1e6 if page.is_file() else 0.0
            print(f"{name:<{width}}  {seconds:8.2f}  {naive_s / seconds:8.2f}x  "
                  f"{page.name} ({size:.1f} MB)")
        print(f"  naive split: papermill CLI {min(split['papermill']):.2f} s, "
              f"nbconvert CLI {min(split['nbconvert']):.2f} s")

        failed = 0
        sentence = f"开展政策宣讲进企业活动{want}场"
        for name, _seconds, page in rows:
            raw = page.read_text(encoding="utf-8") if page.is_file() else ""
            text = html.unescape(re.sub(r"<[^>]+>", "", raw))  # what a reader sees
            if sentence not in text:
                print(f"MISSING in {name}: {sentence!r}")
                failed += 1
        code = "code cells shown" if "jp-InputArea" in rows[0][2].read_text(encoding="utf-8") \
            else "no code"
        print(f"figures: every page carries {sentence!r}; the naive page: {code}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
