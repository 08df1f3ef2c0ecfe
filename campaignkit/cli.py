"""The ``campaignkit`` command line: thin wrappers over the library.

Every command is a function ``cmd_<name>(args) -> int`` registered with ``@command``; its
options are declared by a ``configure`` function. ``main(argv)`` takes a list so tests call it
directly. Exit codes: 0 success, 1 some input rejected or some unit failed (or a withdrawal
refused), 2 usage or spec error, 130 interrupted (Ctrl-C). With ``--json`` exactly one JSON
document goes to stdout and nothing else — a failure included, as
``{"error": {"reason": "...", "message": "..."}}`` (see ``docs/cli.md``).

An unexpected exception inside campaignkit (a bug of ours, or ``errors.InternalError``) is
reported as one sentence naming a log file that holds the traceback, and exits 2: the log is
``campaignkit-error-<timestamp>-<pid>.log`` in ``$CAMPAIGNKIT_LOG_DIR`` if set, else in the
current directory, else in the temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .errors import CampaignkitError, InternalError, SpecError

if TYPE_CHECKING:
    from .spec import Campaign
    from .store import Store

__all__ = ["UsageError", "command", "main"]

INTERNAL: str = "internal error in campaignkit (not a problem with your files): details in {log}"
"""The one sentence shown for a bug of ours; the traceback goes to the log file."""

Handler = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]

COMMANDS: dict[str, tuple[str, Configure, Handler]] = {}


def command(name: str, help_text: str, configure: Configure) -> Callable[[Handler], Handler]:
    """Register a sub-command: its name, one line of help, and a function adding its options."""

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, configure, fn)
        return fn

    return deco


class UsageError(CampaignkitError, ValueError):
    """Signal a command line that cannot be run as given; ``reason`` is a code for --json."""

    def __init__(self, reason: str, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.exit_code = exit_code


class _ArgvError(Exception):
    """Carry an argparse usage error out of the parser (instead of its SystemExit)."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """Raise usage errors instead of exiting, so that ``main`` can print them as --json asks."""

    def error(self, message: str) -> NoReturn:
        """Raise the usage error for ``main`` to report."""
        raise _ArgvError(self, message)


def iso_date(text: str) -> date:
    """Read a command-line date (``2024-12-20``) or fail with a usage error."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def emit_json(doc: Any) -> None:
    """Print one JSON document on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")


def spec_failure(err: SpecError, as_json: bool) -> int:
    """Report a spec error (every issue) and return exit code 2."""
    if as_json:
        issues = [{"path": i.path, "message": i.message} for i in err.issues]
        emit_json({"spec": err.source, "valid": False, "errors": issues,
                   "error": {"reason": "spec_error", "message": str(err), "issues": issues}})
    else:
        print(str(err), file=sys.stderr)
    return 2


def emit_error(reason: str, message: str, **extra: Any) -> None:
    """Print the --json document of a failure: ``{"error": {"reason", "message", …}}``."""
    emit_json({"error": {"reason": reason, "message": message, **extra}})


def unit_code(c: Campaign, text: str) -> str:
    """Return the code of the unit named by ``text`` (code or name); UsageError if none."""
    found = (text,) if c.has_unit(text) else c.match_units(text)
    if len(found) != 1:
        raise UsageError("unknown_unit", f"unknown unit {text!r} in campaign {c.id}"
                         f" (see the codes under units: in {c.path or 'the spec'})")
    return found[0]


def known_round(c: Campaign, round_id: str | None) -> None:
    """Refuse a ``--period`` naming no round of the campaign (UsageError)."""
    known = [r.id for r in c.rounds]
    if round_id is not None and round_id not in known:
        raise UsageError("unknown_round",
                         f"unknown round {round_id!r} (known: {', '.join(known)})")


@contextlib.contextmanager
def open_store(db: str, spec: str, *, must_exist: bool = True) -> Iterator[Store]:
    """Open the ``--db`` store; UsageError when there is none to read (StoreError if unusable)."""
    from .store import Store

    if must_exist and not Path(db).exists():
        raise UsageError("no_store", f"no store at {db} — ingest returns first "
                         f"(campaignkit ingest {spec} PATH --db {db})")
    with Store.open(db) as store:
        yield store


# -- validate -------------------------------------------------------------------------------
def _configure_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("validate", "check a campaign spec and list every mistake", _configure_validate)
def cmd_validate(args: argparse.Namespace) -> int:
    """Validate SPEC; exit 0, or 2 with every located error."""
    from .spec import load_campaign

    try:
        c = load_campaign(args.spec)
    except SpecError as err:
        return spec_failure(err, args.json)
    summary = {
        "spec": str(args.spec), "valid": True, "campaign": c.id, "title": c.title,
        "doc_number": c.doc_number, "units": len(c.units),
        "reporting_units": {r.id: len(c.reporters(r.id)) for r in c.rounds},
        "indicators": len(c.indicators), "milestones": len(c.milestones),
        "plan_rows": len(c.plan), "rounds": [r.id for r in c.rounds],
        "completed_by": {r.id: r.completed_by for r in c.rounds},
        "dates": [d.to_json() for d in c.date_readings()],
        "notes": _validate_notes(c),
    }
    if args.json:
        emit_json(summary)
    else:
        print(f"ok: {c.id} — {c.title}")
        print(f"    {len(c.units)} units, {len(c.indicators)} indicators, "
              f"{len(c.milestones)} milestones, {len(c.plan)} plan rows, "
              f"rounds: " + ", ".join(f"{r.id} (due {r.deadline}, completed_by: "
                                      f"{r.completed_by})" for r in c.rounds))
        print(f"dates as read (period {c.period_start} to {c.period_end}):")
        for d in c.date_readings():
            print(f"    {d}")
        for note in _validate_notes(c):
            print(f"note: {note}")
    return 0


def _validate_notes(c: Campaign) -> list[str]:
    """Say what a reader of the spec may not expect: rules that can only warn."""
    out = []
    for i, rule in enumerate(c.validation):
        if rule.synthetic:
            out.append(f"validation[{i}] ({rule.text}) uses {', '.join(rule.synthetic)}, a "
                       "synthetic reference figure: it warns and never rejects a return")
        elif rule.severity == "warning":
            out.append(f"validation[{i}] ({rule.text}) is a warning: it never rejects a return")
    return out


# @@ forms and ingest commands @@
# -- forms ----------------------------------------------------------------------------------
def _configure_forms(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the .xlsx forms")
    p.add_argument("--unit", action="append", metavar="CODE",
                   help="only this unit (code or name; repeatable); default: every reporter")
    p.add_argument("--period", metavar="ROUND", help="reporting round (default: the final one)")
    p.add_argument("--rollup", action="store_true",
                   help="write the roll-up workbook of each --unit (default: the top unit): "
                        "one row per child and a 总计 row of formulas, prefilled from --db")
    p.add_argument("--db", default="campaignkit.db",
                   help="store to prefill a roll-up from (default: %(default)s, if present)")
    p.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="roll-up figures as of this date (default: today)")


@command("forms", "write one official-layout .xlsx return form per reporting unit",
         _configure_forms)
def cmd_forms(args: argparse.Namespace) -> int:
    """Write the forms of a round; exit 2 on an unknown unit or round or a bad spec."""
    from .forms import write_forms
    from .spec import load_campaign

    try:
        c = load_campaign(args.spec)
    except SpecError as err:
        return spec_failure(err, False)
    known_round(c, args.period)
    rnd = c.round(args.period)
    codes: list[str] | None = None
    if args.unit:
        codes, unknown = [], []
        for text in args.unit:
            found = (text,) if c.has_unit(text) else c.match_units(text)
            if len(found) == 1:
                codes.append(found[0])
            else:
                unknown.append(text)
        if unknown:
            raise UsageError("unknown_unit",
                             f"unknown unit(s) {', '.join(map(repr, unknown))} in "
                             f"campaign {c.id} (see the codes under units: in {args.spec})")
        reporters = {u.code for u in c.reporters(rnd.id)}
        for code in [] if args.rollup else codes:
            if code not in reporters:
                print(f"campaignkit forms: note: {code} does not report round {rnd.id}; "
                      "writing its form anyway", file=sys.stderr)
    if args.rollup:
        return _write_rollups(c, args, codes or [c.top.code], rnd.id)
    paths = write_forms(c, args.out, units=codes, round_id=rnd.id)
    for path in paths:
        print(path)
    print(f"{len(paths)} form(s) for {c.id}, round {rnd.id} (due {rnd.deadline}), in {args.out}")
    return 0


def _write_rollups(c: Any, args: argparse.Namespace, codes: list[str], round_id: str) -> int:
    """Write one roll-up workbook per unit, prefilled from the store when there is one."""
    from .forms import write_rollup
    from .history import frames_as_of
    from .stats import frames_from_lists, rollup_rows

    day = args.as_of or date.today()
    if Path(args.db).exists():
        with open_store(args.db, args.spec) as store:
            frames = frames_as_of(store, c.id, day)
        source = f"figures from {args.db} as of {day}"
    else:
        frames = frames_from_lists()
        source = "empty (no store to prefill from)"
    for code in codes:
        if not c.children(code):
            raise UsageError("no_children", f"{code} has no units below it to roll up")
        rows = rollup_rows(c, frames, code, day, round_id)
        print(write_rollup(c, code, rows, args.out, round_id=round_id))
    print(f"{len(codes)} roll-up workbook(s) for {c.id}, round {round_id}, {source}")
    return 0


# -- ingest ---------------------------------------------------------------------------------
def _configure_ingest(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="return files or folders (searched recursively for "
                        ".xlsx/.xlsm/.xls/.et/.ods/.csv)")
    p.add_argument("--db", default="campaignkit.db", help="store file (default: %(default)s)")
    p.add_argument("--period", metavar="ROUND",
                   help="round of returns that do not say (default: the form's, else the final)")
    p.add_argument("--received", type=iso_date, metavar="DATE",
                   help="date the returns were received (default: the date written on each)")
    p.add_argument("--quarantine", metavar="DIR",
                   help="copy rejected files here, each with <name>.errors.txt")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("ingest", "read returns, progress logs and ledgers into the store", _configure_ingest)
def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files and folders; exit 0, 1 when a file was rejected, 2 on usage errors."""
    from .ingest import ingest_paths
    from .spec import load_campaign

    c = load_campaign(args.spec)
    known_round(c, args.period)
    for path in args.paths:
        if not Path(path).exists():
            raise UsageError("not_found", f"{path}: no such file or folder")
    with open_store(args.db, args.spec, must_exist=False) as store:
        report = ingest_paths(c, args.paths, store, round_id=args.period,
                              received=args.received, quarantine=args.quarantine)
    if args.json:
        emit_json(report.to_json())
    else:
        print(report.render())
    return report.exit_code



# @@ stats and status commands @@
# -- stats, status, spotcheck ---------------------------------------------------------------
def _configure_where(p: argparse.ArgumentParser, *, period: bool) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("--db", default="campaignkit.db", help="store file (default: %(default)s)")
    p.add_argument("--unit", metavar="CODE", help="unit code or name (default: the top unit)")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", dest="as_of",
                   help="date to judge at, YYYY-MM-DD (default: today)")
    if period:
        p.add_argument("--period", metavar="ROUND",
                       help="reporting round (default: the final one)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _where(args: argparse.Namespace) -> tuple[Any, Any, str, date]:
    """Load the spec and the store for stats/status as of the day asked (UsageError if not)."""
    from .history import frames_as_of
    from .spec import load_campaign

    c = load_campaign(args.spec)
    code = unit_code(c, args.unit) if args.unit else c.top.code
    known_round(c, getattr(args, "period", None))
    day = args.as_of or date.today()
    with open_store(args.db, args.spec) as store:
        frames = frames_as_of(store, c.id, day)
    return c, frames, code, day


@command("stats", "figures as of a date: roll-ups, rates, rankings, plan vs actual",
         lambda p: _configure_where(p, period=True))
def cmd_stats(args: argparse.Namespace) -> int:
    """Print where a unit stands for a round as of a date (tables, or one JSON document)."""
    from .stats import stats_json, stats_text

    c, frames, code, day = _where(args)
    doc = stats_json(c, frames, code, day, args.period)
    if args.json:
        emit_json(doc)
    else:
        print(stats_text(c, doc))
    return 0


@command("status", "milestones and reporting rates as of a date",
         lambda p: _configure_where(p, period=False))
def cmd_status(args: argparse.Namespace) -> int:
    """Print every milestone's status per unit and the reporting rates of each round."""
    from .milestones import status_json, status_text

    c, frames, code, day = _where(args)
    doc = status_json(c, frames, day, unit=code)
    if args.json:
        emit_json(doc)
    else:
        print(status_text(c, doc))
    return 0


# -- history, withdraw -----------------------------------------------------------------------
def _configure_history(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("--db", default="campaignkit.db", help="store file (default: %(default)s)")
    p.add_argument("--unit", metavar="CODE",
                   help="only this unit and the units under it (code or name; default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("history", "list every stored return, progress-log and ledger row with its id",
         _configure_history)
def cmd_history(args: argparse.Namespace) -> int:
    """List each row (S12, P3, L40) as current, superseded or withdrawn, with its file."""
    from .history import history_json, history_text, read_history
    from .spec import load_campaign

    c = load_campaign(args.spec)
    code = unit_code(c, args.unit) if args.unit else None
    with open_store(args.db, args.spec) as store:
        doc = history_json(c, read_history(store, c.id), code)
    if args.json:
        emit_json(doc)
    else:
        print(history_text(c, doc))
    return 0


def _configure_withdraw(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("id", metavar="ID",
                   help="the row to withdraw, as `campaignkit history` lists it (S12, P3, L40)")
    p.add_argument("--reason", required=True, help="why (kept in the history)")
    p.add_argument("--db", default="campaignkit.db", help="store file (default: %(default)s)")
    p.add_argument("--on", type=iso_date, metavar="DATE",
                   help="first day it no longer counts, YYYY-MM-DD (default: today)")
    p.add_argument("--by", metavar="NAME", help="who withdraws it (default: the login name)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("withdraw", "withdraw a return or row from a date on (kept in the history)",
         _configure_withdraw)
def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw one row; exit 1 when it is unknown or withdrawn already, nothing changed."""
    from .spec import load_campaign
    from .store import StoreLookupError, WithdrawnError

    c = load_campaign(args.spec)
    today = date.today()
    day = args.on or today
    if day > today:
        raise UsageError("bad_date", f"--on {day} is after today ({today}); a withdrawal "
                         "takes effect on a day that has come")
    if not args.reason.strip():
        raise UsageError("missing_reason", "give a --reason: it stays in the history")
    with open_store(args.db, args.spec) as store:
        try:
            w = store.withdraw(c.id, args.id, reason=args.reason, on=day, by=args.by)
        except StoreLookupError as err:
            raise UsageError("unknown_id", f"{err} — `campaignkit history {args.spec}` lists "
                             "the ids", exit_code=1) from None
        except WithdrawnError as err:
            raise UsageError("already_withdrawn", str(err), exit_code=1) from None
    doc = {"campaign": c.id, "withdrawn": {
        "id": w.id, "unit": w.unit, "on": w.on.isoformat(), "reason": w.reason, "by": w.by,
        "recorded_at": w.recorded_at.isoformat(), "current_again": w.current_again}}
    if args.json:
        emit_json(doc)
        return 0
    name = c.unit(w.unit).name if c.has_unit(w.unit) else w.unit
    print(f"withdrew {w.id} ({name}, {w.unit}) from {w.on} on: {w.reason} (by {w.by})")
    if w.current_again is not None:
        print(f"from {w.on} on, {w.current_again} counts again in its place")
    print("figures as of an earlier day still show it; `campaignkit history` keeps the reason")
    return 0


def _configure_spotcheck(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("-n", type=int, required=True, help="how many units to draw")
    p.add_argument("--seed", type=int, help="seed of the draw (default: a fresh one, printed)")
    p.add_argument("--level", default="county", help="level to draw from (default: county)")
    p.add_argument("--by-city", action="store_true", dest="by_city",
                   help="at least one unit per city when -n allows")
    p.add_argument("--exclude", action="append", default=[], metavar="CODE",
                   help="a unit already checked (code or name; repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("spotcheck", "draw units for a spot check, reproducibly (the seed is printed)",
         _configure_spotcheck)
def cmd_spotcheck(args: argparse.Namespace) -> int:
    """Draw units at random; the seed printed with them reproduces the draw."""
    from .spec import load_campaign
    from .spotcheck import spot_check

    c = load_campaign(args.spec)
    s = spot_check(c, n=args.n, seed=args.seed, level=args.level,
                   stratify_by_parent=args.by_city, exclude=args.exclude)
    if args.json:
        emit_json({"campaign": c.id, "seed": s.seed, "level": s.level, "pool": s.pool,
                   "units": [{"unit": u, "name": c.unit(u).name, "parent": c.unit(u).parent}
                             for u in s.units]})
        return 0
    print(f"seed {s.seed} — {len(s.units)} of {s.pool} {s.level} unit(s) of {c.id} "
          f"(repeat with --seed {s.seed})")
    for u in s.units:
        unit = c.unit(u)
        parent = c.unit(unit.parent).name if unit.parent else ""
        print(f"{u}\t{unit.name}\t{parent}")
    return 0


# @@ report and demo commands @@
def _configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("year-end", "briefing"),
                   help="year-end: 年度工作总结; briefing: 督查通报 as of a date")
    p.add_argument("spec", help="campaign.yaml (or the folder holding it)")
    p.add_argument("--db", default="campaignkit.db", help="store file (default: %(default)s)")
    p.add_argument("--unit", metavar="CODE", help="unit code or name (default: the top unit)")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", dest="as_of",
                   help="date the report looks from, YYYY-MM-DD (default: today, or the "
                        "campaign's last day once it is over)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder (default: %(default)s)")
    p.add_argument("--format", default="html,docx,xlsx", metavar="LIST",
                   help="comma-separated: html, docx, xlsx, pdf (default: %(default)s)")
    p.add_argument("--notes", metavar="FILE",
                   help="the analyst's own text for the unit (## 典型做法, ## 下一步打算)")
    p.add_argument("--level", choices=("province", "city", "county", "dept"),
                   help="a batch: every unit of this level (under --unit, default all)")
    p.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                   help="a batch: reports made at once (default: %(default)s)")
    p.add_argument("--notes-dir", metavar="DIR",
                   help="a batch: the analysts' notes files, one per unit (<code>.md)")
    p.add_argument("--force", action="store_true",
                   help="a batch: remake units whose notebook, parameters and data are "
                        "unchanged (skipped by default)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="a batch: a new kernel for every notebook (strict isolation; slower)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


@command("report", "write the year-end summary or the inspection briefing of a unit",
         _configure_report)
def cmd_report(args: argparse.Namespace) -> int:
    """Run the report's notebook for one unit and write HTML, Word, Excel (and PDF)."""
    from .report.run import ReportRunError, run_report

    if args.unit == "all" or args.level is not None:
        return _report_batch(args)
    try:
        paths = run_report(args.kind, args.spec, db=args.db, unit=args.unit, as_of=args.as_of,
                           out_dir=args.out, formats=args.format, notes=args.notes)
    except ReportRunError as err:
        if args.json:
            emit_json({"kind": args.kind, "unit": args.unit, "status": "failed",
                       "error": str(err), "files": []})
        print(f"campaignkit report: {err}", file=sys.stderr)
        return 1
    if args.json:
        emit_json({"kind": args.kind, "unit": args.unit, "status": "ok",
                   "files": [str(p) for p in paths]})
    else:
        for path in paths:
            print(f"wrote {path}")
    return 0


def _report_batch(args: argparse.Namespace) -> int:
    """Make the report of every unit asked for (``--unit all``, ``--level``), -j at a time."""
    from .report.batch import print_progress, run_batch

    if args.jobs < 1:
        raise UsageError("bad_jobs", f"-j must be at least 1, not {args.jobs}")
    result = run_batch(args.kind, args.spec, db=args.db, unit=args.unit or "all",
                       level=args.level, as_of=args.as_of, out_dir=args.out,
                       formats=args.format, notes_dir=args.notes_dir, jobs=args.jobs,
                       force=args.force, fresh_kernels=args.fresh_kernels,
                       progress=None if args.json else print_progress)
    if args.json:
        emit_json(result.to_json())
    else:
        for o in result.outcomes:
            if o.status == "failed":
                print(f"failed: {o.unit} {o.name}: {o.error}", file=sys.stderr)
        c = result.counts
        print(f"{c.get('ok', 0)} made, {c.get('skipped', 0)} unchanged, {c.get('failed', 0)} "
              f"failed in {result.seconds:.1f} s; wrote {result.index}")
    return result.exit_code


def _configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="demo_out", help="output folder (default: demo_out)")
    p.add_argument("--samples", default=None,
                   help="folder of sample campaigns (default: ./data_samples)")
    p.add_argument("--reports", default="all", metavar="WHICH",
                   help="reports to make: all (every unit, the default), a level such as "
                        "city, or none")
    p.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                   help="reports made at once (default: %(default)s)")


@command("demo", "run the main job on data_samples/ and write DIR/index.html", _configure_demo)
def cmd_demo(args: argparse.Namespace) -> int:
    """Run forms, ingest, stats and status on the bundled samples; exit 0 when it all ran."""
    from pathlib import Path

    from .demo import run_demo, summary_lines

    try:
        results = run_demo(args.out, args.samples,
                           reports=None if args.reports == "none" else args.reports,
                           jobs=args.jobs, say=lambda text: print(text, file=sys.stderr))
    except FileNotFoundError as exc:
        print(f"campaignkit demo: {exc}", file=sys.stderr)
        return 2
    for line in summary_lines(results):
        print(line)
    print(f"wrote {Path(args.out) / 'index.html'}")
    return 0


def _configure_samples(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="campaign.yaml of a sample campaign")
    p.add_argument("--out", default=None, help="folder (default: the spec's folder)")
    p.add_argument("--seed", type=int, default=None, help="generator seed")


@command("samples", "regenerate the synthetic sample returns, progress log and ledger",
         _configure_samples)
def cmd_samples(args: argparse.Namespace) -> int:
    """Write the seeded sample files of a sample campaign."""
    from pathlib import Path

    from .samples import SEED, generate
    from .spec import load_campaign

    c = load_campaign(args.spec)
    folder = c.path.parent if c.path is not None else Path(args.spec).resolve().parent
    out = Path(args.out) if args.out else folder
    paths = generate(c, out, SEED if args.seed is None else args.seed)
    print(f"wrote {len(paths)} files under {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered command."""
    parser = _Parser(
        prog="campaignkit",
        description="Campaign specs, Excel return forms, ingest, statistics, milestones, reports.",
    )
    parser.add_argument("--version", action="version", version=f"campaignkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, _) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (a bug of ours is logged and exits 2)."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except _ArgvError as err:
        return _argv_failure(err, "--json" in words)
    except SystemExit as exc:  # --help and --version print and exit 0
        return int(exc.code or 0)
    if not args.command:
        if "--json" in words:
            emit_error("usage", f"give a command: {', '.join(COMMANDS)}")
        parser.print_help(sys.stderr)
        return 2
    name = args.command
    as_json = bool(getattr(args, "json", False))
    try:
        return _run(COMMANDS[name][2], args, as_json)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `campaignkit status … | head`: the reader left, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except InternalError as err:
        return _internal_failure(name, err, words, as_json)
    except SpecError as err:
        return spec_failure(err, as_json)
    except UsageError as err:
        return _failure(name, err.reason, err.message, as_json, err.exit_code)
    except CampaignkitError as err:
        return _failure(name, _reason(err), str(err), as_json, 2)
    except Exception as err:
        if isinstance(err, OSError) and err.filename is not None:  # a path the user gave
            return _failure(name, "os_error", f"cannot use {err.filename}: "
                            f"{err.strerror or err}", as_json, 2)
        return _internal_failure(name, err, words, as_json)


def _run(handler: Handler, args: argparse.Namespace, as_json: bool) -> int:
    """Run a command; with --json hold its stdout back, so a failure prints only the error."""
    if not as_json:
        return handler(args)
    held = io.StringIO()
    with contextlib.redirect_stdout(held):
        code = handler(args)
    sys.stdout.write(held.getvalue())
    return code


def _failure(name: str, reason: str, message: str, as_json: bool, code: int) -> int:
    """Report a failure as one sentence on stderr (and the --json error document)."""
    if as_json:
        emit_error(reason, message)
    print(f"campaignkit {name}: {message}", file=sys.stderr)
    return code


def _reason(err: CampaignkitError) -> str:
    """Return the --json reason code of an error campaignkit raised on purpose."""
    from .store import StoreError

    reason = getattr(err, "reason", None)
    if isinstance(reason, str) and reason:
        return reason
    return "bad_store" if isinstance(err, StoreError) else "error"


def _argv_failure(err: _ArgvError, as_json: bool) -> int:
    """Report an argparse usage error as argparse does (and as a --json error document)."""
    reason = "bad_date" if "is not a date" in err.message else "usage"
    if as_json:
        emit_error(reason, f"{err.parser.prog}: {err.message}",
                   usage=err.parser.format_usage().strip())
    err.parser.print_usage(sys.stderr)
    print(f"{err.parser.prog}: error: {err.message}", file=sys.stderr)
    return 2


def _internal_failure(name: str, err: BaseException, words: Sequence[str], as_json: bool) -> int:
    """Report a bug of ours: one sentence naming the log that holds the traceback; exit 2."""
    log = _write_log(err, words)
    if log is not None:
        message = INTERNAL.format(log=log)
    else:
        message = ("internal error in campaignkit (not a problem with your files): no log file "
                   f"could be written; {type(err).__name__}: {err}")
    print(f"campaignkit {name}: {message}", file=sys.stderr)
    if as_json:
        extra: dict[str, Any] = {"log": None if log is None else str(log)}
        if isinstance(err, InternalError):
            extra["file"] = err.path
        emit_error("internal_error", message, **extra)
    return 2


def _write_log(err: BaseException, words: Sequence[str]) -> Path | None:
    """Write the traceback of ``err`` to a new log file; return its path (None if none could be).

    The folder is ``$CAMPAIGNKIT_LOG_DIR`` when set, else the current directory; when it
    cannot be written, the temporary directory.
    """
    import shlex

    now = datetime.now()
    parts = [
        f"campaignkit {__version__}: internal error (a bug of campaignkit, not of the files)",
        f"when: {now.isoformat(timespec='seconds')}",
        f"command: campaignkit {shlex.join(words)}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        "",
        "".join(traceback.format_exception(err)),
    ]
    if isinstance(err, InternalError) and err.traceback:
        parts += [f"while reading {err.path}, in the process that read it:", err.traceback]
    text = "\n".join(parts)
    name = f"campaignkit-error-{now:%Y%m%d-%H%M%S}-{os.getpid()}"
    env = os.environ.get("CAMPAIGNKIT_LOG_DIR")
    for folder in (env, None) if env else (".", None):
        try:
            where = Path(folder if folder is not None else tempfile.gettempdir()).absolute()
            where.mkdir(parents=True, exist_ok=True)
            for n in range(1, 100):
                path = where / (f"{name}.log" if n == 1 else f"{name}-{n}.log")
                try:
                    with path.open("x", encoding="utf-8") as fh:
                        fh.write(text)
                    return path
                except FileExistsError:
                    continue
        except OSError:
            continue
    return None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
