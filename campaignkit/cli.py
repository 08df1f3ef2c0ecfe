"""The ``campaignkit`` command line: thin wrappers over the library.

Every command is a function ``cmd_<name>(args) -> int`` registered with ``@command``; its
options are declared by a ``configure`` function. ``main(argv)`` takes a list so tests call it
directly. Exit codes: 0 success, 1 some input rejected or some unit failed, 2 usage or spec
error. With ``--json`` exactly one JSON document goes to stdout and nothing else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from . import __version__
from .errors import CampaignkitError, SpecError

__all__ = ["command", "main"]

Handler = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]

COMMANDS: dict[str, tuple[str, Configure, Handler]] = {}


def command(name: str, help_text: str, configure: Configure) -> Callable[[Handler], Handler]:
    """Register a sub-command: its name, one line of help, and a function adding its options."""

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, configure, fn)
        return fn

    return deco


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
        emit_json({"spec": err.source, "valid": False,
                   "errors": [{"path": i.path, "message": i.message} for i in err.issues]})
    else:
        print(str(err), file=sys.stderr)
    return 2


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
    }
    if args.json:
        emit_json(summary)
    else:
        print(f"ok: {c.id} — {c.title}")
        print(f"    {len(c.units)} units, {len(c.indicators)} indicators, "
              f"{len(c.milestones)} milestones, {len(c.plan)} plan rows, "
              f"rounds: " + ", ".join(f"{r.id} (due {r.deadline})" for r in c.rounds))
    return 0


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
    known = [r.id for r in c.rounds]
    if args.period is not None and args.period not in known:
        print(f"campaignkit forms: unknown round {args.period!r} (known: {', '.join(known)})",
              file=sys.stderr)
        return 2
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
            print(f"campaignkit forms: unknown unit(s) {', '.join(map(repr, unknown))} in "
                  f"campaign {c.id} (see the codes under units: in {args.spec})", file=sys.stderr)
            return 2
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
    from pathlib import Path

    from .forms import write_rollup
    from .stats import frames_from_lists, frames_from_store, rollup_rows
    from .store import Store, StoreError

    day = args.as_of or date.today()
    if Path(args.db).exists():
        try:
            with Store.open(args.db) as store:
                frames = frames_from_store(store, c.id)
        except StoreError as err:
            print(f"campaignkit forms: {err}", file=sys.stderr)
            return 2
        source = f"figures from {args.db} as of {day}"
    else:
        frames = frames_from_lists()
        source = "empty (no store to prefill from)"
    for code in codes:
        if not c.children(code):
            print(f"campaignkit forms: {code} has no units below it to roll up", file=sys.stderr)
            return 2
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
    from .store import Store

    c = load_campaign(args.spec)
    known = [r.id for r in c.rounds]
    if args.period is not None and args.period not in known:
        print(f"campaignkit ingest: unknown round {args.period!r} (known: {', '.join(known)})",
              file=sys.stderr)
        return 2
    with Store.open(args.db) as store:
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


def _where(args: argparse.Namespace, name: str) -> tuple[Any, Any, str, date] | int:
    """Load the spec and the store for stats/status; an exit code when they cannot be used."""
    from pathlib import Path

    from .spec import load_campaign
    from .stats import frames_from_store
    from .store import Store, StoreError

    c = load_campaign(args.spec)
    code = c.top.code
    if args.unit:
        found = (args.unit,) if c.has_unit(args.unit) else c.match_units(args.unit)
        if len(found) != 1:
            print(f"campaignkit {name}: unknown unit {args.unit!r} in campaign {c.id}",
                  file=sys.stderr)
            return 2
        code = found[0]
    period = getattr(args, "period", None)
    known = [r.id for r in c.rounds]
    if period is not None and period not in known:
        print(f"campaignkit {name}: unknown round {period!r} (known: {', '.join(known)})",
              file=sys.stderr)
        return 2
    if not Path(args.db).is_file():
        print(f"campaignkit {name}: no store at {args.db} — ingest returns first "
              f"(campaignkit ingest {args.spec} PATH --db {args.db})", file=sys.stderr)
        return 2
    try:
        with Store.open(args.db) as store:
            frames = frames_from_store(store, c.id)
    except StoreError as err:
        print(f"campaignkit {name}: {err}", file=sys.stderr)
        return 2
    return c, frames, code, args.as_of or date.today()


@command("stats", "figures as of a date: roll-ups, rates, rankings, plan vs actual",
         lambda p: _configure_where(p, period=True))
def cmd_stats(args: argparse.Namespace) -> int:
    """Print where a unit stands for a round as of a date (tables, or one JSON document)."""
    from .stats import stats_json, stats_text

    ctx = _where(args, "stats")
    if isinstance(ctx, int):
        return ctx
    c, frames, code, day = ctx
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

    ctx = _where(args, "status")
    if isinstance(ctx, int):
        return ctx
    c, frames, code, day = ctx
    doc = status_json(c, frames, day, unit=code)
    if args.json:
        emit_json(doc)
    else:
        print(status_text(c, doc))
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
def _configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="demo_out", help="output folder (default: demo_out)")
    p.add_argument("--samples", default=None,
                   help="folder of sample campaigns (default: ./data_samples)")


@command("demo", "run the main job on data_samples/ and write DIR/index.html", _configure_demo)
def cmd_demo(args: argparse.Namespace) -> int:
    """Run forms, ingest, stats and status on the bundled samples; exit 0 when it all ran."""
    from pathlib import Path

    from .demo import run_demo, summary_lines

    try:
        results = run_demo(args.out, args.samples)
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
    parser = argparse.ArgumentParser(
        prog="campaignkit",
        description="Campaign specs, Excel return forms, ingest, statistics, milestones, reports.",
    )
    parser.add_argument("--version", action="version", version=f"campaignkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, _) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    handler = COMMANDS[args.command][2]
    try:
        return handler(args)
    except SpecError as err:
        return spec_failure(err, bool(getattr(args, "json", False)))
    except CampaignkitError as err:
        print(f"campaignkit {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `campaignkit status … | head`: the reader left, say nothing
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
