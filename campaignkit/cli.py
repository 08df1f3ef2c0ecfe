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


# @@ stats and status commands @@


# @@ report and demo commands @@


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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
