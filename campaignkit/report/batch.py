"""Make a report for every unit of a campaign in one run: parallel, warm, resumable.

``run_batch`` runs the report notebook of every unit asked for (``all``, a level, or codes)
in ``jobs`` worker processes. Each worker keeps one kernel warm across its notebooks
(:mod:`campaignkit.report.engine`; ``fresh_kernels=True`` starts a kernel per notebook
instead). A unit whose notebook fails does not stop the others: its executed notebook is
kept as ``<unit>_<kind>.failed.ipynb`` (with papermill's error cell) and the batch summary
names the unit and the error. A rerun skips every unit whose notebook, parameters and data
are unchanged — a fingerprint written beside its outputs once they are all complete —
unless ``force``. ``index.html`` lists every unit with its status and links to its files.

Each output file is written to a temporary name and moved into place, and the fingerprint is
written last, so a batch killed midway leaves no file that looks complete and no unit that a
rerun would skip.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import html
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from .. import __version__
from ..spec import LEVELS, Campaign
from .run import DEFAULT_FORMATS, ReportParameterError, ReportRunError, notebook_path, run_report
from .snapshot import LEVEL_LABELS, ParameterError, open_snapshot

__all__ = ["BatchResult", "UnitOutcome", "run_batch", "select_units"]

Kind = Literal["year-end", "briefing"]
Status = Literal["ok", "failed", "skipped"]
STATUS_LABELS: Final = {"ok": "已生成", "failed": "失败", "skipped": "未变化，沿用上次结果"}


@dataclass(frozen=True)
class UnitOutcome:
    """What the batch did for one unit."""

    unit: str
    name: str
    level: str
    status: Status
    seconds: float = 0.0
    files: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as a JSON-ready dict."""
        out = asdict(self)
        out["files"] = list(self.files)
        return out


@dataclass(frozen=True)
class BatchResult:
    """Every unit's outcome, the index page and the time the batch took."""

    kind: Kind
    outcomes: tuple[UnitOutcome, ...]
    index: Path
    seconds: float
    jobs: int
    warm: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every unit has its report, 1 when any failed."""
        return 1 if any(o.status == "failed" for o in self.outcomes) else 0

    def to_json(self) -> dict[str, Any]:
        """Return the ``report --unit all --json`` document."""
        return {"kind": self.kind, "index": str(self.index), "seconds": round(self.seconds, 2),
                "jobs": self.jobs, "warm_kernels": self.warm, "counts": self.counts,
                "units": [o.to_json() for o in self.outcomes]}


def select_units(campaign: Campaign, unit: str | None = "all",
                 level: str | None = None) -> list[str]:
    """Return the unit codes a batch covers: ``all``, the units of a level, or one unit's tree.

    ``unit`` is ``all`` (every unit) or a code/name (that unit and every unit under it);
    ``level`` keeps the units of one level (``province``, ``city``, ``county``, ``dept``).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> select_units(c, "all", "city")[:3]
    ['FJ01', 'FJ02', 'FJ03']
    >>> len(select_units(c)), select_units(c, "FJ02")
    (12, ['FJ02'])
    """
    if level is not None and level not in LEVELS:
        raise ReportParameterError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    if unit in (None, "", "all"):
        codes = [u.code for u in campaign.units]
    else:
        if campaign.has_unit(str(unit)):
            top = str(unit)
        else:
            hits = campaign.match_units(str(unit))
            if len(hits) != 1:
                raise ReportParameterError(f"unit {unit!r} is not a unit of {campaign.id}")
            top = hits[0]
        codes = [u.code for u in campaign.iter_units(top)]
    if level is not None:
        codes = [c for c in codes if campaign.unit(c).level == level]
    if not codes:
        raise ReportParameterError(f"no unit of level {level!r} under {unit!r}")
    return codes


# --------------------------------------------------------------------------- fingerprints


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_fingerprint(campaign: Campaign, db: Path, as_of: dt.date) -> str:
    """Hash what every report of the batch reads: the spec, the notebooks and the store's data.

    The store is hashed by content as of the date (returns, values, progress log, ledger),
    so ingesting an unrelated campaign or reopening the file changes nothing.
    """
    from ..stats import frames_from_store
    from ..store import Store

    h = hashlib.sha256()
    h.update(__version__.encode())
    if campaign.path is not None:
        h.update(Path(campaign.path).read_bytes())
    for kind in ("year-end", "briefing"):
        h.update(notebook_path(kind).read_bytes())
    with Store.open(db) as store:
        frames = frames_from_store(store, campaign.id, as_of)
    for frame in (frames.submissions, frames.values, frames.deliverables, frames.ledger):
        h.update(frame.to_csv(index=False).encode("utf-8"))
    h.update(as_of.isoformat().encode())
    return h.hexdigest()


def _unit_fingerprint(base: str, kind: str, unit: str, formats: Sequence[str],
                      notes: Path | None) -> str:
    note = notes.read_bytes() if notes is not None and notes.is_file() else b""
    text = json.dumps([base, kind, unit, list(formats), _sha(note)])
    return _sha(text.encode())


def _stem(unit: str, kind: str) -> str:
    return f"{unit}_{kind}"


def _fingerprint_path(out_dir: Path, unit: str, kind: str) -> Path:
    return out_dir / f".{_stem(unit, kind)}.fingerprint"


def _expected_files(out_dir: Path, unit: str, kind: str, formats: Sequence[str]) -> list[Path]:
    stem = _stem(unit, kind)
    files = [out_dir / f"{stem}.{fmt}" for fmt in formats]
    return [*files, out_dir / f"{stem}.sources.json", out_dir / f"{stem}.ipynb"]


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- workers


def _worker_init(warm: bool) -> None:
    if warm:
        from . import engine  # registers the engine and the kernels' finalizer

        del engine


def _run_one(task: dict[str, Any]) -> dict[str, Any]:
    """Make one unit's report in a worker; never raise (the outcome says what failed)."""
    started = time.perf_counter()
    unit = task["unit"]
    try:
        paths = run_report(task["kind"], task["spec"], db=task["db"], unit=unit,
                           as_of=task["as_of"], out_dir=task["out_dir"],
                           formats=task["formats"], notes=task["notes"],
                           engine_name=task["engine"])
    except (ReportRunError, ReportParameterError, ParameterError) as exc:
        return {"unit": unit, "status": "failed", "error": str(exc),
                "seconds": time.perf_counter() - started, "files": []}
    except Exception as exc:  # a bug of ours or the machine's: say it, keep going
        return {"unit": unit, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                "seconds": time.perf_counter() - started, "files": []}
    out_dir = Path(task["out_dir"])
    _atomic_text(_fingerprint_path(out_dir, unit, task["kind"]), task["fingerprint"])
    return {"unit": unit, "status": "ok", "error": None,
            "seconds": time.perf_counter() - started,
            "files": [str(p) for p in paths]}


# --------------------------------------------------------------------------- the batch


def run_batch(kind: Kind, spec: str | Path, *, db: str | Path = "campaignkit.db",
              unit: str | None = "all", level: str | None = None,
              as_of: str | dt.date | None = None, out_dir: str | Path = "reports",
              formats: Sequence[str] | str = DEFAULT_FORMATS, notes_dir: str | Path | None = None,
              jobs: int = 2, force: bool = False, fresh_kernels: bool = False,
              progress: Callable[[int, int, UnitOutcome], None] | None = None) -> BatchResult:
    """Make the ``kind`` report of every unit asked for, ``jobs`` at a time; write index.html.

    ``notes_dir`` holds the analysts' notes files, one per unit (``<code>.md``; a unit
    without one gets the facts only). Parameters shared by every unit are checked once,
    here, before any kernel starts (:class:`~campaignkit.report.run.ReportParameterError`).
    """
    started = time.perf_counter()
    snap = open_snapshot(spec, db, as_of=as_of)  # checks spec, store and date once
    c = snap.campaign
    codes = select_units(c, unit, level)
    fmts = tuple(f.strip() for f in formats.split(",")) if isinstance(formats, str) \
        else tuple(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = data_fingerprint(c, Path(db), snap.as_of)
    notes_root = Path(notes_dir) if notes_dir is not None else None
    tasks: list[dict[str, Any]] = []
    outcomes: dict[str, UnitOutcome] = {}
    for code in codes:
        notes = notes_root / f"{code}.md" if notes_root is not None else None
        notes = notes if notes is not None and notes.is_file() else None
        fp = _unit_fingerprint(base, kind, code, fmts, notes)
        fp_file = _fingerprint_path(out, code, kind)
        files = _expected_files(out, code, kind, fmts)
        if not force and fp_file.is_file() and fp_file.read_text("utf-8") == fp and \
                all(p.is_file() for p in files):
            outcomes[code] = _outcome(c, code, "skipped", files=tuple(map(str, files)))
            continue
        fp_file.unlink(missing_ok=True)  # a unit being remade is not complete until it is
        tasks.append({"kind": kind, "spec": str(Path(c.path or spec).resolve()),
                      "db": str(Path(db).resolve()), "unit": code,
                      "as_of": snap.as_of.isoformat(), "out_dir": str(out.resolve()),
                      "formats": ",".join(fmts), "notes": str(notes) if notes else None,
                      "engine": None if fresh_kernels else "campaignkit", "fingerprint": fp})
    done = len(outcomes)
    total = len(codes)
    if progress is not None:
        for o in outcomes.values():
            progress(done, total, o)
    for raw in _execute(tasks, jobs, not fresh_kernels):
        o = _outcome(c, raw["unit"], raw["status"], seconds=raw["seconds"],
                     files=tuple(raw["files"]), error=raw["error"])
        outcomes[o.unit] = o
        done += 1
        if progress is not None:
            progress(done, total, o)
    ordered = tuple(outcomes[code] for code in codes)
    counts = {s: sum(1 for o in ordered if o.status == s) for s in ("ok", "failed", "skipped")}
    index = out / "index.html"
    result = BatchResult(kind, ordered, index, time.perf_counter() - started, jobs,
                         not fresh_kernels, counts)
    _atomic_text(index, render_index(c, result, snap.as_of))
    return result


def _outcome(c: Campaign, code: str, status: Status, *, seconds: float = 0.0,
             files: tuple[str, ...] = (), error: str | None = None) -> UnitOutcome:
    u = c.unit(code)
    return UnitOutcome(code, u.name, u.level, status, seconds, files, error)


def _execute(tasks: Sequence[dict[str, Any]], jobs: int, warm: bool) -> Iterable[dict[str, Any]]:
    """Run the tasks in ``jobs`` worker processes; yield each outcome as it arrives."""
    if not tasks:
        return
    workers = max(1, min(jobs, len(tasks)))
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                  initializer=_worker_init, initargs=(warm,))
    futures: list[cf.Future[dict[str, Any]]] = []
    try:
        futures = [pool.submit(_run_one, t) for t in tasks]
        for fut in cf.as_completed(futures):
            yield fut.result()
    except BaseException:
        for fut in futures:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)  # workers stop their kernels on exit
        raise
    pool.shutdown(wait=True)


# --------------------------------------------------------------------------- index page


def _link(path: str, out_dir: Path) -> str:
    p = Path(path)
    try:
        rel = p.resolve().relative_to(out_dir.resolve())
    except ValueError:
        rel = Path(p.name)
    return (f'<a href="{html.escape(rel.as_posix(), quote=True)}">'
            f'{html.escape(p.suffix.lstrip(".") or p.name)}</a>')


def render_index(c: Campaign, result: BatchResult, as_of: dt.date) -> str:
    """Return the batch's ``index.html``: every unit, its status and links to its files."""
    out_dir = result.index.parent
    title = {"year-end": "年度工作总结", "briefing": "督查通报"}[result.kind]
    rows = []
    for i, o in enumerate(result.outcomes, start=1):
        files = [f for f in o.files if not f.endswith(".sources.json")]
        links = " ".join(_link(f, out_dir) for f in files)
        if o.status == "failed":
            failed = out_dir / f"{_stem(o.unit, result.kind)}.failed.ipynb"
            if failed.is_file():
                links = _link(str(failed), out_dir)
        err = f'<div class="err">{html.escape(o.error or "")}</div>' if o.error else ""
        rows.append(
            f'<tr class="{o.status}"><td>{i}</td><td>{html.escape(o.unit)}</td>'
            f"<td>{html.escape(o.name)}</td><td>{html.escape(LEVEL_LABELS.get(o.level, o.level))}"
            f"</td><td>{html.escape(STATUS_LABELS[o.status])}{err}</td>"
            f"<td>{o.seconds:.1f}</td><td>{links}</td></tr>")
    counts = result.counts
    summary = (f"共{len(result.outcomes)}个单位：已生成{counts.get('ok', 0)}个，"
               f"沿用上次结果{counts.get('skipped', 0)}个，失败{counts.get('failed', 0)}个。")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(c.title)}·{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 70em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: .3em .6em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
tr.failed td {{ background: #fde8e8; }}
tr.skipped td {{ color: #555; }}
.err {{ font-size: .85em; color: #a00; white-space: pre-wrap; }}
</style></head><body>
<h1>{html.escape(c.title)}·{title}</h1>
<p>数据截至{as_of.year}年{as_of.month}月{as_of.day}日。{summary}用时{result.seconds:.1f}秒。</p>
<table><thead><tr><th>序号</th><th>单位编码</th><th>单位</th><th>层级</th><th>状态</th>
<th>用时（秒）</th><th>文件</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def print_progress(done: int, total: int, outcome: UnitOutcome) -> None:
    """Show progress over units on stderr: a bar on a terminal, a line each tenth otherwise."""
    if not sys.stderr.isatty():
        step = max(1, total // 10)
        if done % step == 0 or done == total or outcome.status == "failed":
            sys.stderr.write(f"  {done}/{total} units ({outcome.unit} {outcome.status})\n")
            sys.stderr.flush()
        return
    width = 24
    filled = int(width * done / total) if total else width
    bar = "█" * filled + "·" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {done}/{total} {outcome.unit} {outcome.status:<7}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
