"""Benchmark ingest of template returns against a naive openpyxl loop, in the same run.

Generates N filled return forms (``forms.build_form``, filled and saved with openpyxl) for
every unit × round of a sample campaign in a temporary folder, then times

* **ours**: ``ingest_paths`` — worker processes parse (``readers`` reads the zip directly),
  one writer stores everything with ``Store.write_files`` into a SQLite store;
* **naive**: for each file ``openpyxl.load_workbook``, the identity sheet and every input
  cell read cell by cell through the defined names, each value parsed with the same
  ``values.parse_value``, one ``INSERT`` per value and one commit per file, into a separate
  SQLite file;

checks that both give the same values for every file, and prints files/s and the ratio.
Exit status 1 when the values differ, or when ``--check`` is given and a target is missed
(ratio ≥ 10, ours under 15 s).

Run: ``python benchmarks/ingest.py [--files 3000] [--spec hubei|fujian] [--workers 2]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = {
    "hubei": ROOT / "data_samples" / "hubei_huimin_2024" / "campaign.yaml",
    "fujian": ROOT / "data_samples" / "fujian_hkmacao_2021" / "campaign.yaml",
}

_GEN: dict[str, Any] = {}


def _values(c: Any, code: str, rng: random.Random) -> dict[str, Any]:
    """Draw plausible values for one unit that pass the spec's validation rules."""
    towns = int(c.unit(code).townships or 0)
    out: dict[str, Any] = {}
    for ind in c.input_indicators:
        if ind.type == "count":
            out[ind.id] = rng.randint(0, 400)
        elif ind.type == "number":
            out[ind.id] = round(rng.uniform(0.5, 6), 1)
        elif ind.type == "yes_no":
            out[ind.id] = rng.random() < 0.8
        elif ind.type == "url":
            out[ind.id] = f"https://rsj.example.gov.cn/{code.lower()}/{rng.randint(1, 999)}"
        elif ind.type == "text":
            out[ind.id] = f"{c.unit(code).name}专栏{rng.randint(1, 99)}"
        elif ind.type == "percent":
            out[ind.id] = None
    if "townships_covered" in out:
        out["townships_covered"] = rng.randint(0, towns)
        if towns:
            out["township_coverage"] = round(out["townships_covered"] / towns * 100, 1)
    return out


def _generate_one(job: tuple[int, str, str, str, int]) -> str:
    """Write one filled form (worker process); return its path."""
    from campaignkit.forms import defined_cells, input_cells, workbook_bytes

    i, code, round_id, out_dir, seed = job
    c = _GEN["campaign"]
    key = (code, round_id)
    cache: dict[Any, Any] = _GEN.setdefault("forms", {})
    if key not in cache:
        from campaignkit.forms import build_form

        wb = build_form(c, code, round_id)
        cache[key] = (wb, input_cells(wb), defined_cells(wb).get("ck_date"))
    wb, cells, date_cell = cache[key]
    rng = random.Random(seed * 100_003 + i)
    for ind_id, value in _values(c, code, rng).items():
        sheet, ref = cells[ind_id]
        if isinstance(value, bool):
            value = "是" if value else "否"
        wb[sheet][ref].value = value
    if date_cell is not None:
        end = c.round(round_id).period_end.date
        wb[date_cell[0]][date_cell[1]].value = end - dt.timedelta(days=rng.randint(0, 60))
    path = Path(out_dir) / f"{i:05d}_{code}_{round_id}.xlsx"
    path.write_bytes(workbook_bytes(wb))
    return str(path)


def generate(c: Any, out_dir: Path, n: int, workers: int, seed: int = 7) -> list[str]:
    """Write n filled return forms for every unit × round in turn (in worker processes)."""
    combos = [(u.code, r.id) for r in c.rounds for u in c.units]
    jobs = [(i, *combos[i % len(combos)], str(out_dir), seed) for i in range(n)]
    _GEN["campaign"] = c
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        return pool.map(_generate_one, jobs, chunksize=50)


def naive(c: Any, files: Sequence[str], db: Path) -> dict[str, dict[str, Any]]:
    """Ingest the way a first script would: openpyxl, cell by cell, one INSERT per value."""
    import openpyxl

    from campaignkit.values import parse_value

    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS submissions (id INTEGER PRIMARY KEY, file TEXT,"
                 " campaign TEXT, unit TEXT, round TEXT, received TEXT)")
    conn.execute("CREATE TABLE IF NOT EXISTS submission_values (submission INTEGER,"
                 " indicator TEXT, value, text TEXT, raw TEXT)")
    conn.commit()
    out: dict[str, dict[str, Any]] = {}
    for path in files:
        wb = openpyxl.load_workbook(path)
        meta_ws = wb["_campaignkit"]
        meta = {}
        for row in range(1, meta_ws.max_row + 1):
            meta[meta_ws.cell(row=row, column=1).value] = meta_ws.cell(row=row, column=2).value
        date_value = None
        dn = wb.defined_names.get("ck_date")
        if dn is not None:
            for sheet, ref in dn.destinations:
                date_value = wb[sheet][ref.replace("$", "")].value
        cur = conn.execute(
            "INSERT INTO submissions (file, campaign, unit, round, received) VALUES (?,?,?,?,?)",
            (path, meta["campaign"], meta["unit"], meta["round"], str(date_value)),
        )
        sub = cur.lastrowid
        values: dict[str, Any] = {}
        for ind in c.input_indicators:
            dn = wb.defined_names.get(f"ck_{ind.id}")
            if dn is None:
                continue
            for sheet, ref in dn.destinations:
                cell = wb[sheet][ref.replace("$", "")]
                parsed = parse_value(ind.type, cell.value, unit=ind.unit,
                                     number_format=cell.number_format)
                if parsed.value is None:
                    continue
                values[ind.id] = parsed.value
                text = parsed.value if isinstance(parsed.value, str) else None
                conn.execute(
                    "INSERT INTO submission_values VALUES (?,?,?,?,?)",
                    (sub, ind.id, None if text else parsed.value, text, parsed.raw),
                )
        conn.commit()
        out[path] = values
    conn.close()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print figures; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--spec", choices=sorted(SPECS), default="hubei")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)

    from campaignkit import load_campaign
    from campaignkit.ingest import ingest_paths
    from campaignkit.store import Store

    c = load_campaign(SPECS[args.spec])
    with tempfile.TemporaryDirectory(prefix="ck-bench-") as tmp:
        root = Path(tmp)
        returns = root / "returns"
        returns.mkdir()
        t0 = time.perf_counter()
        files = generate(c, returns, args.files, args.workers)
        gen_s = time.perf_counter() - t0
        print(f"generated {len(files)} {args.spec} template returns in {gen_s:.1f} s "
              f"({os.cpu_count()} CPU(s))")
        os.sync()  # both runs start with the files written out and in the page cache
        for path in files:
            Path(path).read_bytes()

        t0 = time.perf_counter()
        with Store.open(root / "ours.db") as store:
            report = ingest_paths(c, [returns], store, workers=args.workers,
                                  today=dt.date(2030, 1, 1))
        ours_s = time.perf_counter() - t0
        print(f"ours : {ours_s:7.2f} s  {len(files) / ours_s:8.1f} files/s  "
              f"({report.counts()})")

        t0 = time.perf_counter()
        theirs = naive(c, files, root / "naive.db")
        naive_s = time.perf_counter() - t0
        print(f"naive: {naive_s:7.2f} s  {len(files) / naive_s:8.1f} files/s")

        ratio = naive_s / ours_s
        print(f"ratio: {ratio:.1f}x faster than the naive loop")

        mismatches = 0
        by_path = {f.path: f for f in report.files}
        for path in files:
            f = by_path.get(path)
            mine = ({k: v for k, v in f.submissions[0].values.items() if v is not None}
                    if f and f.submissions else None)
            if mine != theirs[path]:
                mismatches += 1
                if mismatches <= 5:
                    print(f"values differ for {path}:\n  ours  {mine}\n  naive {theirs[path]}")
        print(f"values: {len(files) - mismatches}/{len(files)} files identical")
        if mismatches:
            return 1
        if args.check and (ratio < 10 or ours_s >= 15):
            print("target missed: want ≥10x the naive loop and under 15 s")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
