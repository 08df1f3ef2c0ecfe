"""Read returns, progress logs and activity ledgers, check them, and store them per file.

Two layers:

* :func:`read_return` reads one file and checks it, touching no store: it gives a
  :class:`FileOutcome` — the :class:`~campaignkit.store.FileIn` ready to store, or every
  error found, each located (``file › sheet › cell: message [reason]``; row and column for
  CSV), plus warnings.
* :func:`ingest_paths` reads files and folders (in parallel for large batches), writes every
  readable file in one batch with :meth:`Store.write_files` (each file all or nothing) and
  returns an :class:`IngestReport` whose :meth:`~IngestReport.to_json` is the
  ``ingest --json`` document of ``docs/json.md``.

What is read:

* our templates (``forms.build_form``): the hidden ``_campaignkit`` sheet says which
  campaign, unit, round and form version; values come from the workbook's defined names
  ``ck_<indicator>`` (plus ``ck_unit``, ``ck_date``, ``ck_remarks``). A form of another
  campaign is ``wrong_campaign``, an older form version ``outdated_form``. What the form
  shows must agree with what it hides: a 填报单位 or round line naming another unit is
  ``unit_mismatch``; a round line (``ck_round``) or an edited text above the table
  (``ck_band``) naming another round or a period end of no round is ``round_mismatch``; a
  file name naming another unit or round only warns (``unit_name_differs``,
  ``round_name_differs``).
* returns in the notice's own layout, as offices retype it: *horizontal* (indicators as
  columns, one row per unit, a 总计 row — Fujian), *vertical* (项目 | 内容 | 开展情况 with
  several blanks in one cell — Hubei) and *long* (填报单位 | 项目 | 开展情况, one row per unit
  and item). Headers match labels and aliases whatever the spaces, line breaks and
  full-width forms; two-row headers with merged cells are read; a header row is never read
  as a 填报单位 line. The unit comes from a unit column, 填报单位/填表单位, or the file name —
  always exactly, never by containment (``docs/matching.md``); the date from
  填报日期/填表日期/填报时间. The round comes from ``--period``, a 统计时点 column (each row's
  own), what the sheet states (a round label as a word of the title, a period end written on
  it: 截至6月15日), else the file name (a round id or label as a word, a period end); in a
  campaign of several rounds a return stating none is ``round_unknown`` — the final round is
  never a default.
* progress logs and activity ledgers (``docs/tables.md``), English or Chinese headers, as
  workbooks or text files (CSV in UTF-8, GB18030/GBK or UTF-16; Excel's "Unicode text"
  ``.txt``; a ``.txt`` that holds no table of the campaign is skipped, not rejected).

Items a unit adds under 备注 (可自行列项补充), and rows of the vertical table that are no
item of the form, are kept: stored as values with indicator ``extra:<label>`` (``value``
None, ``text`` the cell as folded text, flag ``extra``) and listed as ``extra_item``
warnings. Readers of the store that work per indicator skip ids starting with ``extra:``.

Received date: ``received`` when given (``option``), else the date written on the return
(``form``), else the day of ingest (``ingest``). A written date after the day of ingest is
a ``future_date`` warning and is not used (the day of ingest is).

An exception that is no refusal of the file (a bug of campaignkit) raises
:class:`~campaignkit.errors.InternalError` with the file and the traceback, also from a
worker process; it is never reported as the clerk's ``damaged_file``.

>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> csv = "单位,召开小型座谈会和宣讲会场数,发放宣传资料份数,开展政策咨询人次,新增参保人数\\n"
>>> out = read_return(c, (csv + "福州市,12场,约300份,45,3\\n").encode(), name="fz.csv")
>>> out.status, {v.indicator: v.value for v in out.submissions[0].values}["materials"]
('ok', 300)
>>> print(out.warnings[0].located(out.path))  # doctest: +NORMALIZE_WHITESPACE
fz.csv › row 2, column 发放宣传资料份数: 发放宣传资料份数: '约300份' is approximate;
read as 300 [approximate]
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import traceback
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from .errors import InternalError
from .readers import (
    MAX_FILE_BYTES,
    SPREADSHEET_SUFFIXES,
    Book,
    CellValue,
    IngestError,
    Sheet,
    column_letter,
    coordinate,
    read_book,
)
from .rounding import round_half_up
from .spec import DOCUMENT_WORDS, FIVE_VENUES, Campaign, Indicator, Milestone, Round, fold_name
from .store import (
    DeliverableIn,
    FileIn,
    FileResult,
    LedgerRowIn,
    Store,
    SubmissionIn,
    ValueIn,
)
from .values import (
    Parsed,
    ValueProblem,
    fold,
    parse_date,
    parse_value,
    split_blanks,
    written_unit,
)

__all__ = [
    "EXTRA_PREFIX",
    "FileOutcome",
    "FileReport",
    "IngestError",
    "IngestReport",
    "InternalError",
    "Problem",
    "SubmissionReport",
    "expand_paths",
    "ingest_paths",
    "read_return",
]

FileKind = Literal["return", "progress", "ledger"]
OutcomeStatus = Literal["ok", "rejected", "skipped"]
ReportStatus = Literal["accepted", "rejected", "unchanged", "skipped"]

EXTRA_PREFIX: Final = "extra:"
"""Indicator ids of items a unit added to the form start with this prefix."""
RATE_TOLERANCE: Final = 0.5
"""Percentage points a reported rate may differ from the rate computed from its parts."""
PARALLEL_FROM: Final = 64
"""Batches of at least this many files are parsed by worker processes."""
WRITE_BATCH: Final = 256
"""Files written per store transaction (each file still in its own savepoint)."""
META_SHEET: Final = "_campaignkit"
"""Name of the hidden identity sheet of our templates (``forms.FORM_META_SHEET``)."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, with its place and reason code.

    For workbooks ``sheet``/``cell`` name the place and ``row``/``column`` repeat it (column
    as letters); for CSV ``sheet`` and ``cell`` are None, ``row`` is the line and ``column``
    the header of the column.
    """

    reason: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    indicator: str | None = None
    unit: str | None = None
    raw: str | None = None

    @property
    def place(self) -> str:
        """Return the place in the file: ``统计表 › C7``, ``row 5, column 场次`` or ``''``."""
        if self.sheet is not None and self.cell is not None:
            return f"{self.sheet} › {self.cell}"
        if self.sheet is not None:
            return self.sheet
        if self.row is not None and self.column is not None:
            return f"row {self.row}, column {self.column}"
        if self.row is not None:
            return f"row {self.row}"
        return ""

    def located(self, path: str) -> str:
        """Return ``path › place: message [reason]`` for a terminal or an error report."""
        place = self.place
        return f"{path}{' › ' + place if place else ''}: {self.message} [{self.reason}]"

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form of ``ingest --json`` (every key present, null when unknown)."""
        return {
            "sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
            "indicator": self.indicator, "unit": self.unit, "raw": self.raw,
            "reason": self.reason, "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What :func:`read_return` found in one file, before anything is stored.

    ``status`` is ``ok`` (``file`` is ready to store), ``rejected`` (``errors`` says why,
    ``file`` is None) or ``skipped`` (not a spreadsheet or table).
    """

    path: str
    status: OutcomeStatus
    kind: FileKind | None = None
    file: FileIn | None = None
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    submissions: tuple[SubmissionIn, ...] = ()

@dataclass(frozen=True, slots=True)
class SubmissionReport:
    """One submission of a file as ``ingest --json`` shows it."""

    unit: str
    round: str
    period_end: dt.date
    received_on: dt.date
    received_from: str
    status: str | None
    revision: int | None
    values: Mapping[str, Any]
    extras: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form (dates as ISO text)."""
        return {
            "unit": self.unit, "round": self.round, "period_end": self.period_end.isoformat(),
            "received_on": self.received_on.isoformat(), "received_from": self.received_from,
            "status": self.status, "revision": self.revision, "values": dict(self.values),
            "extras": dict(self.extras),
        }


@dataclass(frozen=True, slots=True)
class FileReport:
    """What became of one file: status, submissions, errors and warnings.

    ``deliverables``/``ledger_rows`` count (new, unchanged) rows; ``rows`` holds each
    progress-log or ledger row as ``ingest --json`` shows it, its ``status`` ``new``,
    ``revised`` (it replaces the row stored for its key) or ``unchanged``, and its ``id``.
    """

    path: str
    kind: FileKind | None
    status: ReportStatus
    submissions: tuple[SubmissionReport, ...] = ()
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    deliverables: tuple[int, int] = (0, 0)
    ledger_rows: tuple[int, int] = (0, 0)
    quarantined: str | None = None
    rows: tuple[Mapping[str, Any], ...] = ()

    @property
    def revised(self) -> int:
        """Return how many progress-log or ledger rows replaced a stored one."""
        return sum(r["status"] == "revised" for r in self.rows)

    def error_report(self) -> str:
        """Return every error and warning, one located line each (the quarantine report)."""
        lines = [f"{self.path}: {self.status}, {len(self.errors)} error(s)"]
        lines += [p.located(self.path) for p in self.errors]
        if self.warnings:
            lines.append("warnings:")
            lines += [p.located(self.path) for p in self.warnings]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form of one file of ``ingest --json``."""
        doc: dict[str, Any] = {
            "path": self.path, "kind": self.kind, "status": self.status,
            "submissions": [s.to_json() for s in self.submissions],
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
        }
        if self.kind == "progress":
            doc["deliverables"] = {"new": self.deliverables[0], "revised": self.revised,
                                   "unchanged": self.deliverables[1]}
        if self.kind == "ledger":
            doc["ledger_rows"] = {"new": self.ledger_rows[0], "revised": self.revised,
                                  "unchanged": self.ledger_rows[1]}
        if self.kind in ("progress", "ledger"):
            doc["rows"] = [dict(r) for r in self.rows]
        if self.quarantined is not None:
            doc["quarantined"] = self.quarantined
        return doc


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of one ingest run, file by file, in the order the files were found."""

    campaign: str
    files: tuple[FileReport, ...]

    @property
    def exit_code(self) -> int:
        """Return 1 when any file was rejected, else 0."""
        return 1 if any(f.status == "rejected" for f in self.files) else 0

    def counts(self) -> dict[str, int]:
        """Return how many files ended in each status."""
        out = {"accepted": 0, "unchanged": 0, "rejected": 0, "skipped": 0}
        for f in self.files:
            out[f.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        """Return the ``ingest --json`` document."""
        return {"campaign": self.campaign, "files": [f.to_json() for f in self.files],
                "counts": self.counts()}

    def render(self) -> str:
        """Return a table for the terminal: one line per file, then located problems."""
        rows = [("status", "kind", "file", "submissions")]
        for f in self.files:
            subs = ", ".join(
                f"{s.unit}/{s.round} {s.status or '-'}" + (
                    f" r{s.revision}" if s.revision and s.status == "revised" else "")
                for s in f.submissions
            )
            if f.kind == "progress":
                subs = (f"{f.deliverables[0]} new, {f.revised} revised, {f.deliverables[1]} "
                        "unchanged deliverables")
            elif f.kind == "ledger":
                subs = (f"{f.ledger_rows[0]} new, {f.revised} revised, {f.ledger_rows[1]} "
                        "unchanged ledger rows")
            if f.status == "rejected":
                subs = f"{len(f.errors)} error(s)"
            rows.append((f.status, f.kind or "-", f.path, subs))
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        lines = [
            "  ".join(_pad(r[i], widths[i]) for i in range(3)) + "  " + r[3] for r in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 11)
        for f in self.files:
            for p in f.errors:
                lines.append("error:   " + p.located(f.path))
            for p in f.warnings:
                lines.append("warning: " + p.located(f.path))
            if f.quarantined:
                lines.append(f"         quarantined as {f.quarantined}")
        c = self.counts()
        lines.append(
            f"{len(self.files)} file(s): {c['accepted']} accepted, {c['unchanged']} unchanged, "
            f"{c['rejected']} rejected, {c['skipped']} skipped"
        )
        return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# --------------------------------------------------------------------------- context


@dataclass
class _Found:
    """Problems found while reading one file."""

    path: str
    csv: bool
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def at(self, sheet: Sheet | None, row: int | None, col: int | None,
           header: str | None = None) -> dict[str, Any]:
        """Return the location keywords of a Problem for a cell (or a row)."""
        if self.csv:
            column = header if header else (str(col) if col else None)
            return {"sheet": None, "cell": None, "row": row, "column": column}
        name = sheet.name if sheet is not None else None
        if row is not None and col is not None:
            return {"sheet": name, "cell": coordinate(row, col), "row": row,
                    "column": column_letter(col)}
        return {"sheet": name, "cell": None, "row": row, "column": None}

    def error(self, reason: str, message: str, **where: Any) -> None:
        """Record an error."""
        self.errors.append(Problem(reason, message, **_no_blank_unit(where)))

    def warn(self, reason: str, message: str, **where: Any) -> None:
        """Record a warning."""
        self.warnings.append(Problem(reason, message, **_no_blank_unit(where)))


def _no_blank_unit(where: dict[str, Any]) -> dict[str, Any]:
    """Name no unit (None) where a row's unit is not known yet (its code is '')."""
    if where.get("unit") == "":
        where["unit"] = None
    return where


@dataclass(frozen=True)
class _Options:
    """Options of one ingest run."""

    round_id: str | None
    received: dt.date | None
    today: dt.date


@dataclass
class _Read:
    """One value read from a cell: the parsed value and where it came from."""

    indicator: Indicator
    parsed: Parsed
    sheet: str | None
    cell: str | None
    loc: dict[str, Any]


@dataclass
class _Unit:
    """Values of one unit read from a file, before checks."""

    code: str
    loc: dict[str, Any]
    values: dict[str, _Read] = field(default_factory=dict)
    extras: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    written: dt.date | None = None
    written_loc: dict[str, Any] = field(default_factory=dict)
    round: str | None = None
    return_type: str | None = None


# --------------------------------------------------------------------------- label index


_PAREN_TAIL = re.compile(r"[(（][^()（）]*[)）]$")
_KEY_STRIP = str.maketrans("", "", "*＊:：")


def _key(text: object) -> str:
    """Fold a label for matching: NFKC, no whitespace or line breaks, lower case."""
    return fold_name(str(text)).lower().translate(_KEY_STRIP)


def _keys(text: object) -> list[str]:
    """Return the keys to try for a text: folded, then without a trailing (unit) part."""
    k = _key(text)
    out = [k]
    bare = _PAREN_TAIL.sub("", k)
    if bare and bare != k:
        out.append(bare)
    return out


@dataclass(frozen=True)
class _Index:
    """Folded labels and aliases → indicator ids."""

    by_key: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, tuple[Indicator, ...]]  # label → indicators sharing it
    ids: tuple[str, ...]  # every input indicator, in spec order

    def match(self, text: object) -> tuple[str, ...]:
        """Return the indicator ids a header or item text names (several: a shared label)."""
        if text is None or not isinstance(text, str):
            return ()
        for k in _keys(text):
            hit = self.by_key.get(k)
            if hit:
                return hit
        return ()


_INDEX_CACHE: dict[int, tuple[Campaign, _Index]] = {}


def _index(c: Campaign) -> _Index:
    """Return the label/alias index of a campaign's input indicators (built once)."""
    hit = _INDEX_CACHE.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    groups: dict[str, list[Indicator]] = {}
    for ind in c.input_indicators:
        groups.setdefault(ind.label, []).append(ind)
    by_key: dict[str, tuple[str, ...]] = {}
    for label, inds in groups.items():
        by_key.setdefault(_key(label), tuple(i.id for i in inds))
    for ind in c.input_indicators:
        for alias in (*ind.aliases, ind.id):
            by_key.setdefault(_key(alias), (ind.id,))
    idx = _Index(by_key, {k: tuple(v) for k, v in groups.items()},
                 tuple(i.id for i in c.input_indicators))
    _INDEX_CACHE[id(c)] = (c, idx)
    return idx


# --------------------------------------------------------------------------- entry points


def read_return(
    campaign: Campaign,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    round_id: str | None = None,
    received: dt.date | None = None,
    today: dt.date | None = None,
) -> FileOutcome:
    """Read and check one file without storing it; never raises for a bad file.

    ``source`` is a path or the file's bytes, ``name`` the path shown in messages (default:
    the path). ``round_id`` is ``--period`` (default: the form's round, else the round the
    return states — see :func:`_round_of`; never a silent default in a campaign of several
    rounds), ``received`` is ``--received``, ``today`` the day of ingest.

    A bug of campaignkit met while reading (an exception that is no refusal of the file)
    raises :class:`~campaignkit.errors.InternalError` with the file and the traceback: it
    is never reported as the clerk's ``damaged_file``.
    """
    label = name if name is not None else (str(source) if not isinstance(source, bytes)
                                           else "<bytes>")
    opts = _Options(round_id, received, today or dt.date.today())
    try:
        return _read_return(campaign, source, label, opts)
    except InternalError:
        raise
    except Exception as exc:
        raise InternalError(label, f"{type(exc).__name__}: {exc}",
                            traceback.format_exc()) from exc


def _read_return(campaign: Campaign, source: str | Path | bytes, label: str,
                 opts: _Options) -> FileOutcome:
    suffix = Path(label).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        return FileOutcome(label, "skipped", warnings=(
            Problem("not_a_spreadsheet",
                    f"not a spreadsheet or table (.{suffix.lstrip('.') or '?'}); skipped"),))
    if Path(label).name.startswith("~$"):
        return FileOutcome(label, "skipped", warnings=(
            Problem("lock_file", "an Office lock file (~$…), not a return; skipped"),))
    try:
        if not isinstance(source, bytes) and Path(source).stat().st_size > MAX_FILE_BYTES:
            return FileOutcome(label, "rejected", errors=(Problem(
                "too_large", f"the file is over {MAX_FILE_BYTES // 2**20} MB; not read"),))
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        return FileOutcome(label, "rejected", errors=(
            Problem("unreadable", f"cannot read the file: {exc.strerror}"),))
    loose = suffix == ".txt"  # any note may be a .txt: only a table of the campaign is read
    try:
        book = read_book(data, name=label)
    except IngestError as exc:
        if loose and exc.reason in ("not_a_table", "bad_encoding"):
            return FileOutcome(label, "skipped", warnings=(
                Problem("not_a_table", f"a text file that is not a table ({exc.message}); "
                        "skipped"),))
        return FileOutcome(label, "rejected", errors=(Problem(exc.reason, exc.message),))
    found = _Found(label, book.format == "csv")
    try:
        kind, units, deliverables, ledger = _read_book(campaign, book, found, opts)
    except ValueProblem as exc:  # a parser refused in a place we did not locate: still located
        found.error(exc.reason, exc.message, raw=exc.raw)
        kind, units, deliverables, ledger = None, [], [], []
    if kind is None and not found.errors and loose:
        return FileOutcome(label, "skipped", warnings=(Problem(
            "not_a_table", "a text file holding no table of this campaign (no header matched); "
            "skipped"),))
    if kind is None and not found.errors:
        found.error("unrecognised",
                    "no sheet holds the return form, the notice's table, a progress log or an "
                    "activity ledger of this campaign (no header matched)")
    if found.errors:
        return FileOutcome(label, "rejected", kind, errors=tuple(found.errors),
                           warnings=tuple(found.warnings))
    assert kind is not None
    submissions = tuple(_submission(campaign, u, found, opts) for u in units)
    if found.errors:
        return FileOutcome(label, "rejected", kind, errors=tuple(found.errors),
                           warnings=tuple(found.warnings))
    file_in = FileIn(
        name=label, sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind=kind,
        submissions=submissions, deliverables=tuple(deliverables), ledger=tuple(ledger),
    )
    return FileOutcome(label, "ok", kind, file_in, (), tuple(found.warnings), submissions)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """List the files under the given files and folders (folders recursively, sorted).

    Raise :class:`IngestError` (reason ``not_found``) for a path that does not exist.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(
                f for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not f.name.endswith(".errors.txt")
            ))
        elif p.is_file():
            out.append(p)
        else:
            raise IngestError(str(p), "not_found", "no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in out:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique


def ingest_paths(
    campaign: Campaign,
    paths: Iterable[str | Path],
    store: Store,
    *,
    round_id: str | None = None,
    received: dt.date | None = None,
    quarantine: str | Path | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Read, check and store every file under ``paths``; return the report of each file.

    Each file is stored all or nothing (one savepoint per file, one transaction for the
    batch). ``quarantine``: rejected files are copied there with ``<name>.errors.txt``
    beside each (a copy that fails is a ``quarantine_failed`` error of that file, nothing
    partial is left). ``workers``: parsing processes (default: 2 for batches of at least
    ``PARALLEL_FROM`` files on a machine with several cores, else 1).

    A bug of campaignkit met while reading a file raises
    :class:`~campaignkit.errors.InternalError` (from a worker too) and stops the run: files
    written before it stay stored, each whole; that file and the ones after it are not.
    """
    if round_id is not None:
        campaign.round(round_id)  # KeyError names the known rounds
    files = expand_paths(paths)
    qdir = Path(quarantine) if quarantine is not None else None
    if qdir is not None:
        qres = qdir.resolve()
        files = [f for f in files if qres not in f.resolve().parents]
    opts = _Options(round_id, received, today or dt.date.today())
    store.sync_units(campaign)
    outcomes: list[FileOutcome] = []
    by_path: dict[int, FileResult] = {}
    batch: list[FileOutcome] = []

    def flush() -> None:
        files_in = [o.file for o in batch if o.file is not None]
        for o, r in zip(batch, store.write_files(campaign.id, files_in), strict=True):
            by_path[id(o)] = r
        batch.clear()

    # workers parse ahead while this process writes batch after batch (a short write lock)
    for o in _iter_read(campaign, files, opts, workers):
        outcomes.append(o)
        if o.status == "ok" and o.file is not None:
            batch.append(o)
            if len(batch) >= WRITE_BATCH:
                flush()
    if batch:
        flush()

    reports: list[FileReport] = []
    for o in outcomes:
        res = by_path.get(id(o))
        report = _report(campaign, o, res)
        if report.status == "rejected" and qdir is not None and o.status != "skipped":
            report = _quarantined(qdir, o, report)
        reports.append(report)
    return IngestReport(campaign.id, tuple(reports))


# --------------------------------------------------------------------------- batch helpers

_WORKER: dict[str, Any] = {}


def _worker_read(item: tuple[str, str]) -> FileOutcome:
    campaign: Campaign = _WORKER["campaign"]
    opts: _Options = _WORKER["opts"]
    path, name = item
    return _safe_read(campaign, path, name, opts)


def _safe_read(campaign: Campaign, path: str, name: str, opts: _Options) -> FileOutcome:
    """Read one file; a bug of ours raises InternalError (never a clerk's damaged_file)."""
    return read_return(campaign, path, name=name, round_id=opts.round_id,
                       received=opts.received, today=opts.today)


def _iter_read(
    campaign: Campaign, files: Sequence[Path], opts: _Options, workers: int | None
) -> Iterator[FileOutcome]:
    """Yield the outcome of each file in order, parsed by worker processes for big batches."""
    items = [(str(f), str(f)) for f in files]
    n = workers if workers is not None else (
        min(2, os.cpu_count() or 1) if len(items) >= PARALLEL_FROM else 1)
    if n > 1 and len(items) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _WORKER["campaign"], _WORKER["opts"] = campaign, opts
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
                chunk = max(1, min(64, len(items) // (n * 8)))
                try:
                    yield from pool.map(_worker_read, items, chunksize=chunk)
                except InternalError:  # raised in a worker, pickled with its traceback
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
        finally:
            _WORKER.clear()
        return
    for p, name in items:
        yield _safe_read(campaign, p, name, opts)


def _report(campaign: Campaign, o: FileOutcome, res: FileResult | None) -> FileReport:
    if o.status == "skipped":
        return FileReport(o.path, None, "skipped", warnings=o.warnings)
    if o.status == "rejected" or res is None:
        return FileReport(o.path, o.kind, "rejected", errors=o.errors, warnings=o.warnings)
    if res.error is not None:
        return FileReport(o.path, o.kind, "rejected", errors=(Problem(
            "store_refused", f"the store refused the file: {res.error}"),), warnings=o.warnings)
    subs = []
    for s, r in zip(o.submissions, res.submissions, strict=True):
        subs.append(_submission_report(campaign, s, r.status, r.revision))
    status: ReportStatus = res.status if res.status != "rejected" else "rejected"
    return FileReport(
        o.path, o.kind, status, tuple(subs), (), o.warnings,
        (res.deliverables_new, res.deliverables_unchanged),
        (res.ledger_new, res.ledger_unchanged),
        rows=_row_reports(o.file, res),
    )


def _row_reports(f: FileIn | None, res: FileResult) -> tuple[dict[str, Any], ...]:
    """Describe each stored progress-log or ledger row: its id, place, key and status."""
    if f is None:
        return ()
    out: list[dict[str, Any]] = []
    sources: list[DeliverableIn | LedgerRowIn] = [*f.deliverables, *f.ledger]
    for r, src in zip(res.rows, sources, strict=True):
        doc: dict[str, Any] = {"id": r.ref, "row": r.row, "unit": r.unit}
        if isinstance(src, DeliverableIn):
            doc |= {"milestone": src.milestone, "done_on": src.done_on.isoformat()}
        else:
            doc |= {"date": src.date.isoformat(), "plan": src.plan, "venue": src.venue,
                    "township": src.township, "sessions": src.sessions}
        out.append(doc | {"status": r.status, "revision": r.revision})
    return tuple(out)


def _submission_report(
    campaign: Campaign, s: SubmissionIn, status: str | None, revision: int | None
) -> SubmissionReport:
    values: dict[str, Any] = dict.fromkeys(_index(campaign).ids)
    extras: dict[str, str] = {}
    for v in s.values:
        if v.indicator.startswith(EXTRA_PREFIX):
            extras[v.indicator[len(EXTRA_PREFIX):]] = v.text or ""
        else:
            values[v.indicator] = v.text if v.text is not None else (
                v.value.isoformat() if isinstance(v.value, dt.date) else v.value)
    return SubmissionReport(s.unit, s.round, campaign.round(s.round).period_end.date,
                            s.received_on, s.received_from, status, revision, values, extras)


def _quarantined(qdir: Path, o: FileOutcome, report: FileReport) -> FileReport:
    """Quarantine a rejected file; a copy that fails is one more error of that file."""
    try:
        target = _quarantine(qdir, o, report)
    except OSError as exc:
        why = exc.strerror or str(exc)
        return replace(report, errors=(*report.errors, Problem(
            "quarantine_failed",
            f"the file could not be copied into the quarantine folder {qdir} ({why}); it was "
            "not quarantined and stays where it is")))
    return replace(report, quarantined=str(target))


def _quarantine(qdir: Path, o: FileOutcome, report: FileReport) -> Path:
    """Copy the file and its ``.errors.txt`` into ``qdir``, each whole or not at all.

    Both are written under hidden temporary names and renamed into place; on ``OSError``
    the temporary files (and a copy whose report could not be written) are removed and the
    error is raised.
    """
    qdir.mkdir(parents=True, exist_ok=True)
    src = Path(o.path)
    target = qdir / src.name
    n = 1
    while target.exists():
        n += 1
        target = qdir / f"{src.stem} ({n}){src.suffix}"
    note = target.with_name(target.name + ".errors.txt")
    temps: list[Path] = []
    placed: list[Path] = []
    try:
        for _ in range(2):
            fd, name = tempfile.mkstemp(dir=qdir, prefix=".campaignkit-", suffix=".part")
            os.close(fd)
            temps.append(Path(name))
        shutil.copy2(src, temps[0])
        temps[1].write_text(report.error_report(), encoding="utf-8")
        for tmp, final in zip(temps, (target, note), strict=True):
            os.replace(tmp, final)
            placed.append(final)
    except OSError:
        for p in (*temps, *placed):
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)
        raise
    return target


# --------------------------------------------------------------------------- dispatch


def _read_book(
    c: Campaign, book: Book, found: _Found, opts: _Options
) -> tuple[FileKind | None, list[_Unit], list[DeliverableIn], list[LedgerRowIn]]:
    meta = book.sheet(META_SHEET)
    if meta is not None:
        return "return", _read_template(c, book, meta, found, opts), [], []
    for sheet in book.sheets:
        table = _table_kind(sheet)
        if table is not None:
            kind, header_row, columns = table
            if kind == "progress":
                return "progress", [], _read_progress(c, sheet, header_row, columns, found,
                                                      opts), []
            return "ledger", [], [], _read_ledger(c, sheet, header_row, columns, found, opts)
    units = _read_official(c, book, found, opts)
    if units is None:
        return None, [], [], []
    return "return", units, [], []


# --------------------------------------------------------------------------- templates


def _meta(sheet: Sheet) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in sheet.grid:
        if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
            out[row[0].strip()] = str(row[1]).strip()
    return out


def _read_template(
    c: Campaign, book: Book, meta_sheet: Sheet, found: _Found, opts: _Options
) -> list[_Unit]:
    meta = _meta(meta_sheet)
    where = {"sheet": META_SHEET}
    campaign_id = meta.get("campaign", "")
    if campaign_id != c.id:
        found.error("wrong_campaign",
                    f"this form belongs to campaign {campaign_id or '(none)'!r}, not {c.id!r}; "
                    "ingest it with that campaign's spec", **where)
        return []
    try:
        version = int(float(meta.get("form_version", "0")))
    except ValueError:
        version = 0
    if version != c.form_version:
        older = version < c.form_version
        found.error("outdated_form" if older else "unknown_form_version",
                    f"{'an outdated' if older else 'a newer'} form (version {version}; the "
                    f"campaign's form is version {c.form_version}); send the return on the "
                    "current form", **where)
        return []
    code = meta.get("unit", "")
    if not c.has_unit(code):
        found.error("unknown_unit", f"the form names unit {code!r}, which is not in the campaign",
                    unit=code or None, **where)
        return []
    form_round = meta.get("round") or None
    if form_round is not None and not any(r.id == form_round for r in c.rounds):
        found.error("wrong_round", f"the form is for round {form_round!r}, unknown to the "
                    "campaign", **where)
        return []
    if opts.round_id is not None and form_round is not None and opts.round_id != form_round:
        found.error("wrong_round",
                    f"the form is for round {form_round!r} but --period says {opts.round_id!r}",
                    **where)
        return []
    round_id = form_round or opts.round_id or _only_round(c)
    if round_id is None:
        _round_unknown(c, found, **where)
        return []
    _check_unit_line(c, book, code, found)
    _name_differs(c, book, code, "the form was made for", found, sheet=META_SHEET)
    if form_round is not None:
        _check_round_text(c, book, meta, code, form_round, found)
        _round_name_differs(c, book, form_round, "the form is for", found, sheet=META_SHEET)
    if meta.get("kind") == "rollup":
        return _read_rollup(c, book, meta, code, round_id, found)
    sheet_name = meta.get("sheet") or (book.sheets[0].name if book.sheets else META_SHEET)
    unit = _Unit(code, {"sheet": sheet_name}, round=round_id)

    cells_by_target: dict[tuple[str, str], list[Indicator]] = {}
    lost = 0
    for ind in c.input_indicators:
        target = book.defined_names.get(f"ck_{ind.id}")
        if target is None or ":" in target[1]:
            lost += 1
            continue
        cells_by_target.setdefault(target, []).append(ind)
    if lost == len(c.input_indicators):
        found.error("damaged_form", "the form has lost its input cells (defined names ck_…); "
                    "send the return on a fresh form", **where)
        return []
    for (name, ref), inds in cells_by_target.items():
        sheet = book.sheet(name)
        if sheet is None:
            found.error("damaged_form", f"sheet {name} of the form is missing", sheet=name)
            continue
        cell = sheet.at(ref)
        loc = found.at(sheet, cell.row, cell.col)
        if cell.value is None and (cell.row, cell.col) in sheet.formulas:
            found.error("uncalculated_formula", _UNCALCULATED, indicator=inds[0].id, **loc)
            continue
        _parse_into(unit, inds, cell.value, cell.number_format, sheet, loc, found)
    _template_extras(book, unit, found)
    date_cell = book.named_cell("ck_date")
    if date_cell is not None and date_cell[1].value is not None:
        sheet, cell = date_cell
        _set_written(unit, cell.value, cell.number_format, found.at(sheet, cell.row, cell.col),
                     found)
    if not unit.values and not unit.extras and not found.errors:
        found.error("empty_return", "the form holds no value; fill it in before sending it",
                    unit=code, **unit.loc)
        return []
    return [unit]


_UNCALCULATED: Final = ("the cell holds a formula Excel never calculated (no saved result); "
                        "open the file in Excel or WPS, save it and send it again")


def _check_unit_line(c: Campaign, book: Book, code: str, found: _Found) -> None:
    """Check that the visible 填报单位 (``ck_unit``) names the unit the form was made for.

    An empty 填报单位 is fine (the identity sheet says who reports); another unit — even one
    under the form's unit — is ``unit_mismatch``, a text naming no unit ``unknown_unit``.
    """
    named_unit = book.named_cell("ck_unit")
    if named_unit is None:
        return
    sheet, cell = named_unit
    text = "" if cell.value is None else str(cell.value)
    if not _SEAL.sub("", text).strip(" :：　"):
        return
    loc = found.at(sheet, cell.row, cell.col)
    made_for = _unit_label(c, code)
    named = _units_named(c, text)
    if not named:
        found.error("unknown_unit",
                    f"the form was made for {made_for} but 填报单位 says {text!r}, which is not "
                    f"a unit of the campaign: write {c.unit(code).name} there (or leave it as "
                    f"printed); if {text!r} is right, {_ADD_HINT}", unit=code, raw=text, **loc)
    elif code not in named:
        said = "、".join(f"{text} ({n})" for n in named)
        found.error("unit_mismatch",
                    f"the form was made for {made_for} but 填报单位 says {said}: if "
                    f"{c.unit(code).name} reports, write {c.unit(code).name} there; if "
                    f"{'、'.join(c.unit(n).name for n in named)} reports, send its figures on "
                    f"its own form (campaignkit forms SPEC --unit {named[0]})",
                    unit=code, raw=text, **loc)


_PRINTED: Final = ("annex", "title", "subtitle", "unit_line", "round_line", "deadline_line")
"""Identity keys holding the texts our form printed above its table."""


def _check_round_text(c: Campaign, book: Book, meta: Mapping[str, str], code: str,
                      round_id: str, found: _Found) -> None:
    """Check that what our form shows agrees with its hidden round (and unit).

    The round line (``ck_round``) and every text above the table (``ck_band``) that differs
    from what the form printed are read like a return's title: a round label as a word, a
    截至 date, a bracketed date. One naming another round, or a period end of no round, is
    ``round_mismatch``; a round line naming another unit is ``unit_mismatch``. Forms made
    before forms said their round (no ``ck_round``) are not checked.
    """
    line = book.named_cell("ck_round")
    band = book.named_range("ck_band")
    if line is None and band is None:
        return
    printed = {fold_name(meta[k]) for k in _PRINTED if meta.get(k)}
    skip = {(place[1].row, place[1].col) for name in ("ck_unit", "ck_date")
            if (place := book.named_cell(name)) is not None}
    texts: list[tuple[str, Sheet, int, int, bool]] = []
    if line is not None:
        sheet, cell = line
        skip.add((cell.row, cell.col))
        if isinstance(cell.value, str) and cell.value.strip():
            texts.append((cell.value, sheet, cell.row, cell.col, True))
    if band is not None:
        sheet, (r1, c1, r2, c2) = band
        for r in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                v = sheet.value(r, col)
                if (isinstance(v, str) and v.strip() and (r, col) not in skip
                        and fold_name(v) not in printed):
                    texts.append((v, sheet, r, col, False))
    rnd = c.round(round_id)
    made_for = (f"round {rnd.id} ({rnd.label}, 截至{rnd.period_end.date.isoformat()})")
    for text, sheet, r, col, is_line in texts:
        loc = found.at(sheet, r, col)
        what = "its round line" if is_line else "the text above its table"
        bad = [x for x in _text_claims(c, text, loc, what) if x.round != round_id]
        if bad:
            said = "; ".join(
                f"{x.raw} ({x.day}) is no round's period end" if x.round is None
                else f"{c.round(x.round).label} is the label of round {x.round}" if x.day is None
                else f"{x.raw} is the period end of round {x.round}" for x in bad)
            other = next((x.round for x in bad if x.round is not None), None)
            fix = (f"if it is the return of round {other}, send it on that round's form "
                   f"(campaignkit forms SPEC --unit {code} --period {other}); " if other else "")
            restore = meta.get("round_line") if is_line else None
            found.error("round_mismatch",
                        f"the form is for {made_for} but {what} says '{text}' ({said}): {fix}"
                        f"if it is the return of round {rnd.id}, "
                        + (f"write '{restore}' there again" if restore else "undo the edit"),
                        unit=code, raw=text, **loc)
            return
        if is_line:
            named = c.units_in_name(text)
            if named and code not in named:
                units = "、".join(_unit_label(c, n) for n in named)
                found.error("unit_mismatch",
                            f"the form was made for {_unit_label(c, code)} but its round line "
                            f"names {units}: send each unit's figures on its own form "
                            f"(campaignkit forms SPEC --unit {named[0]})",
                            unit=code, raw=text, **loc)


def _template_extras(book: Book, unit: _Unit, found: _Found) -> None:
    """Keep the rows a unit added in the 备注 area (``ck_remarks``: label, then value)."""
    area = book.named_range("ck_remarks")
    if area is None:
        return
    sheet, (r1, c1, r2, c2) = area
    for r in range(r1, r2 + 1):
        texts = [(col, sheet.value(r, col)) for col in range(c1, c2 + 1)]
        filled = [(col, v) for col, v in texts if v is not None and str(v).strip()]
        if not filled:
            continue
        if len(filled) == 1 or c1 == c2:
            col, v = filled[0]
            label, text = "备注", fold(str(v))
        else:
            label = fold(str(filled[0][1]))
            col, v = filled[1]
            text = fold(" ".join(str(x) for _, x in filled[1:]))
        unit.extras.append((label, text, sheet.name, coordinate(r, col)))
        found.warn("extra_item", f"{_short(label)} (under 备注) kept as an extra item: "
                   f"{_short(text)}", raw=str(v), unit=unit.code, **found.at(sheet, r, col))


def _read_rollup(c: Campaign, book: Book, meta: Mapping[str, str], parent: str,
                 round_id: str | None, found: _Found) -> list[_Unit]:
    """Read a roll-up (``forms.build_rollup``): one row per child unit and a 总计 row.

    Each child row becomes that unit's submission. The parent's submission is the 总计 row
    when Excel calculated it (then checked against the rows), else its ``本级`` row as an
    ``own`` return (statistics add its children).
    """
    totals: dict[str, tuple[str, str]] = {
        name[len("ck_rollup_"):]: place for name, place in book.defined_names.items()
        if name.startswith("ck_rollup_") and ":" not in place[1]
    }
    if not totals:
        found.error("damaged_form", "the roll-up has lost its 总计 cells (ck_rollup_…)",
                    sheet=META_SHEET)
        return []
    sheet = book.sheet(next(iter(totals.values()))[0])
    if sheet is None:
        found.error("damaged_form", "the roll-up sheet is missing", sheet=META_SHEET)
        return []
    cols: dict[int, _Column] = {}
    total_row = 0
    for ind_id, (_, ref) in totals.items():
        cell = sheet.at(ref)
        total_row = cell.row
        try:
            cols[cell.col] = _Column(cell.col, (c.indicator(ind_id),), c.indicator(ind_id).label)
        except KeyError:
            continue
    code_col = next((col for r in range(1, total_row) for col in range(1, sheet.ncols + 1)
                     if sheet.value(r, col) == "代码"), None)
    children = {x for x in meta.get("children", "").split(",") if x}
    rows: list[tuple[int, _Unit]] = []
    for r in range(1, total_row):
        code = sheet.value(r, code_col) if code_col else None
        if not isinstance(code, str) or code not in children:
            continue
        u = _Unit(code, found.at(sheet, r, 1), round=round_id)
        for col in sorted(cols):
            raw = sheet.value(r, col)
            _parse_into(u, cols[col].indicators, raw, sheet.number_format(r, col), sheet,
                        found.at(sheet, r, col), found)
        rows.append((r, u))
    total = _Unit(parent, found.at(sheet, total_row, 1), round=round_id)
    uncalculated = 0
    for col in sorted(cols):
        raw = sheet.value(total_row, col)
        if raw is None and (total_row, col) in sheet.formulas:
            uncalculated += 1
            continue
        _parse_into(total, cols[col].indicators, raw, sheet.number_format(total_row, col), sheet,
                    found.at(sheet, total_row, col), found)
    date_cell = book.named_cell("ck_date")
    if date_cell is not None and date_cell[1].value is not None:
        dsheet, dcell = date_cell
        for u in [total, *(u for _, u in rows)]:
            _set_written(u, dcell.value, dcell.number_format,
                         found.at(dsheet, dcell.row, dcell.col), found)
    out = [u for _, u in rows if u.code != parent and u.values]
    if total.values:
        if rows:
            _check_total(c, sheet, cols, [u for _, u in rows], total, [r for r, _ in rows],
                         total_row, found)
        out.insert(0, total)
    else:
        own = next((u for _, u in rows if u.code == parent and u.values), None)
        if uncalculated:
            found.warn("total_not_calculated",
                       "the 总计 row holds formulas Excel never calculated; "
                       f"{c.unit(parent).name}'s figures are its 本级 row plus its units",
                       unit=parent, **found.at(sheet, total_row, 1))
        if own is not None:
            own.return_type = "own"
            out.insert(0, own)
    if not out and not found.errors:
        found.error("empty_return", "the roll-up holds no value", unit=parent,
                    **found.at(sheet, total_row, 1))
    return out


# --------------------------------------------------------------------------- value parsing


def _parse_one(ind: Indicator, raw: CellValue, fmt: str | None) -> Parsed:
    return parse_value(ind.type, raw, unit=ind.unit, number_format=fmt)


def _record(unit: _Unit, ind: Indicator, parsed: Parsed, sheet: Sheet | None,
            loc: dict[str, Any], found: _Found) -> None:
    if ind.id in unit.values:
        prev = unit.values[ind.id].loc
        found.error("duplicate_item",
                    f"{ind.label} ({ind.id}) is given twice (also at "
                    f"{Problem('', '', **prev).place or 'another place'})",
                    indicator=ind.id, unit=unit.code, **loc)
        return
    unit.values[ind.id] = _Read(ind, parsed, sheet.name if sheet is not None and not found.csv
                                else None, loc.get("cell"), loc)


_VALUE_LIKE = re.compile(
    r"[0-9零〇○一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾%—–―/]|^(是|否|有|无)$"
)


def _value_like(v: CellValue) -> bool:
    """Tell whether a cell holds a value rather than a caption such as 场 or 覆盖乡镇."""
    if isinstance(v, bool):
        return True
    if isinstance(v, int | float):
        return True
    return isinstance(v, str) and _VALUE_LIKE.search(fold(v)) is not None


_Piece = tuple[CellValue, str | None, dict[str, Any]]  # value, number format, location


def _parse_into(unit: _Unit, inds: Sequence[Indicator], raw: CellValue, fmt: str | None,
                sheet: Sheet | None, loc: dict[str, Any], found: _Found,
                more: Sequence[_Piece] = ()) -> None:
    """Parse a cell filling one or several indicators (several blanks in one cell).

    ``more`` holds the filled cells to the right of the value cell in the same row: an
    office that gave each blank its own column (captions such as 场 or 覆盖乡镇 between
    them are told apart from values).
    """
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if len(inds) == 1:
        if not empty:
            _parse_single(unit, inds[0], raw, fmt, sheet, loc, found)
        return
    cells: list[_Piece] = ([] if empty else [(raw, fmt, loc)]) + [
        m for m in more if m[0] is not None and str(m[0]).strip()]
    if not cells:
        return
    values = [p for p in cells if _value_like(p[0])]
    types = {i.type for i in inds}
    if len(values) == len(inds) > 1 or (len(values) > 1 and not types <= _NUMERIC):
        for ind, (v, f, where) in zip(inds, values, strict=False):
            _parse_single(unit, ind, v, f, sheet, where, found)
        return
    first_raw, first_fmt, first_loc = cells[0]
    whole = (first_raw if len(cells) == 1 else
             "，".join(str(p[0]) for p in cells if not str(p[0]).rstrip().endswith(("：", ":"))))
    if types <= _NUMERIC:
        if not isinstance(whole, str):
            _parse_single(unit, inds[0], whole, first_fmt, sheet, first_loc, found)
            return
        pieces = split_blanks(whole, [i.blank or i.unit or "" for i in inds])
        if all(p is None for p in pieces):
            found.error("not_a_number",
                        f"cannot read {_names(inds)} from {_short(whole)!r}; write it as the "
                        f"form does ({'，'.join((i.blank or '').strip() for i in inds)})",
                        indicator=inds[0].id, unit=unit.code, raw=whole, **first_loc)
            return
        unplaced = _FIGURE.findall(fold(whole)) if None in pieces else []
        for p in pieces:
            for fig in _FIGURE.findall(fold(p)) if p is not None else ():
                if fig in unplaced:
                    unplaced.remove(fig)
        if unplaced:
            found.error("unplaced_figure",
                        f"cannot tell which blank of {_names(inds)} the figure "
                        f"{'、'.join(unplaced)} in {_short(whole)!r} belongs to; write it as "
                        f"the form does ({'，'.join((i.blank or '').strip() for i in inds)})",
                        indicator=inds[0].id, unit=unit.code, raw=whole, **first_loc)
            return
        for ind, piece in zip(inds, pieces, strict=True):
            if piece is not None:
                _parse_single(unit, ind, piece, None, sheet, first_loc, found, raw_override=whole)
        return
    if len(inds) == 2 and inds[0].type == "yes_no" and inds[1].type in ("text", "url"):
        text = fold(str(whole))
        m = re.match(r"^(是|否|有|无|没有|已|未)[,，;；:：、。 ]*(.*)$", text)
        if m:
            _parse_single(unit, inds[0], m.group(1), None, sheet, first_loc, found,
                          raw_override=str(whole))
            if m.group(2).strip():
                _parse_single(unit, inds[1], m.group(2), None, sheet, first_loc, found,
                              raw_override=str(whole))
        elif text:  # only the name of the column: it exists
            _parse_single(unit, inds[0], "是", None, sheet, first_loc, found,
                          raw_override=str(whole))
            _parse_single(unit, inds[1], text, None, sheet, first_loc, found,
                          raw_override=str(whole))
        return
    _parse_single(unit, inds[0], first_raw, first_fmt, sheet, first_loc, found)


MAX_FIGURE: Final = 2**53
"""Largest figure a return may hold (the store keeps whole numbers exact up to 2**53)."""
_NUMERIC: Final = frozenset({"count", "number", "percent"})
_FIGURE: Final = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def _parse_single(unit: _Unit, ind: Indicator, raw: CellValue, fmt: str | None,
                  sheet: Sheet | None, loc: dict[str, Any], found: _Found,
                  raw_override: str | None = None) -> None:
    try:
        parsed = _parse_one(ind, raw, fmt)
    except ValueProblem as exc:
        found.error(exc.reason, f"{ind.label}{_blank_note(ind)}: {exc.message}",
                    indicator=ind.id, unit=unit.code, raw=raw_override or exc.raw, **loc)
        return
    if "unit_differs" in parsed.flags:
        shown = raw_override or parsed.raw
        found.warn("unit_differs",
                   f"{ind.label}{_blank_note(ind)}: {_short(shown)!r} is written in "
                   f"{written_unit(str(raw), ind.unit) or '?'} but the field counts {ind.unit}; "
                   f"read as {parsed.value} — check that it is the same count",
                   indicator=ind.id, unit=unit.code, raw=shown, **loc)
    if raw_override is not None:
        parsed = Parsed(parsed.value, raw_override, parsed.flags)
    if parsed.value is None and not parsed.flags:
        return
    _record(unit, ind, parsed, sheet, loc, found)


def _blank_note(ind: Indicator) -> str:
    blank = (ind.blank or "").strip()
    return f" ({blank})" if blank and blank != ind.unit else ""


def _names(inds: Sequence[Indicator]) -> str:
    return ", ".join(i.id for i in inds)


def _short(text: object, n: int = 40) -> str:
    s = str(text).replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def _set_written(unit: _Unit, raw: CellValue, fmt: str | None, loc: dict[str, Any],
                 found: _Found) -> None:
    if unit.written is not None:
        return
    try:
        parsed = parse_date(raw, number_format=fmt)
    except ValueProblem as exc:
        found.warn("bad_date", f"the date written on the return cannot be read: {exc.message}; "
                   "the day of ingest is used", raw=exc.raw, unit=unit.code, **loc)
        return
    if isinstance(parsed.value, dt.date):
        unit.written = parsed.value
        unit.written_loc = loc


# --------------------------------------------------------------------------- submissions


def _submission(c: Campaign, u: _Unit, found: _Found, opts: _Options) -> SubmissionIn:
    round_id = u.round or opts.round_id or _only_round(c)
    if round_id is None:  # never the final round by default: the file is rejected
        _round_unknown(c, found, unit=u.code, **u.loc)
        round_id = c.rounds[-1].id
    rnd = c.round(round_id)
    _check_unit_values(c, u, found)
    if (c.has_unit(u.code) and c.unit(u.code).parent is not None
            and u.code not in {x.code for x in c.reporters(rnd.id)}):
        found.warn("not_a_reporter", f"{c.unit(u.code).name} is not among the units expected "
                   f"to return round {rnd.id}; the return is kept and rolls up into its "
                   "parent's figures", unit=u.code)
    received_on, source = _received(u, found, opts)
    values: list[ValueIn] = []
    for ind_id in sorted(u.values):
        r = u.values[ind_id]
        ind = r.indicator
        text_like = ind.type in ("text", "url")
        pv = r.parsed.value
        value = None if text_like or isinstance(pv, str) else pv
        text = pv if text_like and isinstance(pv, str) else None
        values.append(ValueIn(ind_id, value, text, r.parsed.raw, r.sheet, r.cell,
                              tuple(r.parsed.flags)))
    seen: dict[str, int] = {}
    for label, text, sheet, cell in u.extras:
        key = _extra_key(label)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key} ({seen[key]})"
        values.append(ValueIn(EXTRA_PREFIX + key, None, text, text, sheet, cell, ("extra",)))
    return SubmissionIn(u.code, rnd.id, u.return_type or rnd.return_type, received_on, source,
                        tuple(values), complete=True)


def _extra_key(label: str) -> str:
    k = fold(label)
    return k if len(k) <= 80 else k[:79] + "…"


def _received(u: _Unit, found: _Found, opts: _Options) -> tuple[dt.date, str]:
    written = u.written
    if written is not None and written > opts.today:
        found.warn("future_date",
                   f"the date written on the return ({written.isoformat()}) is after the day of "
                   f"ingest ({opts.today.isoformat()}); it is not used as the received date",
                   unit=u.code, **u.written_loc)
        written = None
    if opts.received is not None:
        return opts.received, "option"
    if written is not None:
        return written, "form"
    return opts.today, "ingest"


def _check_unit_values(c: Campaign, u: _Unit, found: _Found) -> None:
    unit = c.unit(u.code)
    env: dict[str, Any] = dict(unit.figures)
    for ind_id, r in u.values.items():
        v = r.parsed.value
        ind = r.indicator
        if isinstance(v, bool) or (isinstance(v, int | float) and not isinstance(v, bool)):
            env[ind_id] = v
        if ind.type in ("count", "number", "percent") and isinstance(v, int | float):
            if abs(v) > MAX_FIGURE:
                found.error("too_large", f"{ind.label}: {_short(r.parsed.raw)} is beyond any "
                            f"real figure (at most {MAX_FIGURE:,}); check the cell",
                            indicator=ind_id, unit=u.code, raw=r.parsed.raw, **r.loc)
                continue
            if ind.min is not None and v < ind.min:
                found.error("below_min", f"{ind.label}: {v} is below the minimum {ind.min:g}",
                            indicator=ind_id, unit=u.code, raw=r.parsed.raw, **r.loc)
            if ind.max is not None and v > ind.max:
                found.error("above_max", f"{ind.label}: {v} is above the maximum {ind.max:g}",
                            indicator=ind_id, unit=u.code, raw=r.parsed.raw, **r.loc)
        if "approximate" in r.parsed.flags:
            found.warn("approximate", f"{ind.label}: {_short(r.parsed.raw)!r} is approximate; "
                       f"read as {v}", indicator=ind_id, unit=u.code, raw=r.parsed.raw, **r.loc)
    for ind in c.input_indicators:
        if ind.required and ind.id not in u.values:
            found.error("required", f"{ind.label}{_blank_note(ind)} is required but empty",
                        indicator=ind.id, unit=u.code, **u.loc)
    for rule in c.validation:
        if rule.check(env) is False:
            names = sorted(rule.left.names | rule.right.names)
            shown = ", ".join(f"{n} = {_fmt(env.get(n))}" for n in names)
            where = next((u.values[n].loc for n in names if n in u.values), u.loc)
            first = next((n for n in names if n in u.values), None)
            if rule.severity == "error":
                found.error("rule_broken", f"{rule.message or rule.text} ({rule.text}: {shown})",
                            indicator=first, unit=u.code, **where)
            else:
                why = (f"; a warning only: {', '.join(rule.synthetic)} is a synthetic reference "
                       "figure" if rule.synthetic else "")
                found.warn("rule_warning",
                           f"{rule.message or rule.text} ({rule.text}: {shown}){why}",
                           indicator=first, unit=u.code, **where)
    for ind in c.input_indicators:
        if ind.formula is None or ind.id not in u.values:
            continue
        reported = u.values[ind.id].parsed.value
        if not isinstance(reported, int | float) or isinstance(reported, bool):
            continue
        part_env = {k: v for k, v in env.items() if k != ind.id}
        computed = ind.formula.evaluate(part_env)
        if computed is None or not isinstance(computed, float) or math.isnan(computed):
            continue
        if abs(float(reported) - computed) > RATE_TOLERANCE:
            r = u.values[ind.id]
            parts = ", ".join(f"{n} = {_fmt(part_env.get(n))}" for n in sorted(ind.formula.names))
            found.warn("rate_mismatch",
                       f"{ind.label}{_blank_note(ind)}: reported {_fmt(reported)} but "
                       f"{ind.formula.text} gives {round_half_up(computed)} ({parts}); differs by "
                       f"{round_half_up(abs(float(reported) - computed))} percentage points",
                       indicator=ind.id, unit=u.code, raw=r.parsed.raw, **r.loc)


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:g}"
    return "empty" if v is None else str(v)


# --------------------------------------------------------------------------- unit and date


_UNIT_WORDS: Final = ("填报单位", "填表单位", "报送单位", "单位名称", "报表单位")
_DATE_WORDS: Final = ("填报日期", "填表日期", "填报时间", "填表时间", "报送日期", "报送时间")
_LINE_WORDS = re.compile(
    "(" + "|".join(_UNIT_WORDS + _DATE_WORDS + ("填报人", "填表人", "联系人", "联系电话",
                                                  "审核人", "负责人", "制表人")) + ")"
)
_SEAL = re.compile(r"[(（]\s*(盖章|公章|签章|章)\s*[)）]")


_ADD_HINT: Final = ("add it as a unit under units:, or as an alias of the unit it belongs to "
                    "(units[i].aliases)")
_ADD_UNIT: Final = f"names match exactly (see docs/matching.md): {_ADD_HINT}"


def _units_named(c: Campaign, text: str) -> tuple[str, ...]:
    """Return the units a 填报单位 text or a unit cell names: exactly, never by containment."""
    text = _SEAL.sub("", text).strip(" :：")
    if not text:
        return ()
    return c.match_units(text)


def _unit_label(c: Campaign, code: str) -> str:
    """Return ``济南市 (SD01)`` for messages."""
    return f"{c.unit(code).name} ({code})"


def _name_differs(c: Campaign, book: Book, code: str, said_by: str, found: _Found,
                  **where: Any) -> None:
    """Warn when the file name names units and none of them is ``code`` (every layout)."""
    from_name = c.units_in_name(Path(book.name).stem)
    if from_name and code not in from_name:
        names = "、".join(_unit_label(c, x) for x in from_name)
        found.warn("unit_name_differs",
                   f"{said_by} {_unit_label(c, code)} but the file name "
                   f"{Path(book.name).name!r} points to {names}; {c.unit(code).name} is used",
                   unit=code, raw=Path(book.name).name, **where)


@dataclass
class _Header:
    unit_text: str | None = None
    unit_loc: dict[str, Any] = field(default_factory=dict)
    date_raw: CellValue = None
    date_fmt: str | None = None
    date_loc: dict[str, Any] = field(default_factory=dict)
    rows: set[tuple[str, int]] = field(default_factory=set)


def _heads_column(sheet: Sheet, r: int, col: int, right: CellValue,
                  idx: _Index | None) -> bool:
    """Tell whether a bare 填报单位 (no colon, no value in its cell) heads a column.

    It does when it is merged down over several rows (a header band), or when the next cell
    to its right is a header word (项目, 开展情况, 统计时点, …) or an indicator's label.
    """
    if any(r1 == r < r2 and c1 == col for r1, c1, r2, _ in sheet.merged):
        return True
    if right is None:
        return False
    return _key(right) in _HEADER_WORDS or bool(idx is not None and idx.match(str(right)))


def _header_lines(book: Book, found: _Found,
                  table_header: frozenset[tuple[str, int]] | set[tuple[str, int]] = frozenset(),
                  idx: _Index | None = None) -> _Header:
    """Find the 填报单位 and 填报日期 lines anywhere in the workbook.

    A bare word (``填报单位`` with no colon or value) in a row of ``table_header`` heads a
    column of the table; so does one merged down a header band or followed by a header word
    or an indicator's label (``_heads_column``): a header row is never read as a line.
    """
    h = _Header()
    for sheet in book.sheets:
        for r, row in enumerate(sheet.grid, start=1):
            for ci, v in enumerate(row, start=1):
                if not isinstance(v, str) or not ("填" in v or "报" in v or "单" in v):
                    continue
                compact = fold_name(v)
                if not any(w in compact for w in _UNIT_WORDS + _DATE_WORDS):
                    continue
                if (sheet.name, r) in table_header and compact in _UNIT_WORDS + _DATE_WORDS:
                    continue
                parts = _LINE_WORDS.split(compact)
                # parts: [before, word, value, word, value, ...]
                for i in range(1, len(parts) - 1, 2):
                    word, rest = parts[i], _SEAL.sub("", parts[i + 1]).lstrip(":：").strip()
                    raw: CellValue = rest or None
                    fmt: str | None = None
                    col = ci
                    if raw is None:  # the value sits in the next filled cell to the right
                        for cj in range(ci + 1, len(row) + 1):
                            nv = row[cj - 1]
                            if nv is not None and str(nv).strip():
                                raw, fmt, col = nv, sheet.number_format(r, cj), cj
                                break
                        if compact in _UNIT_WORDS + _DATE_WORDS and _heads_column(
                                sheet, r, ci, raw, idx):
                            break  # 填报单位 | 项目 | …: a header row, not a 填报单位 line
                    loc = found.at(sheet, r, col)
                    if word in _UNIT_WORDS and raw is not None and h.unit_text is None:
                        h.unit_text, h.unit_loc = str(raw), loc
                        h.rows.add((sheet.name, r))
                    elif word in _DATE_WORDS and raw is not None and h.date_raw is None:
                        h.date_raw, h.date_fmt, h.date_loc = raw, fmt, loc
                        h.rows.add((sheet.name, r))
                    elif word in _UNIT_WORDS + _DATE_WORDS:
                        h.rows.add((sheet.name, r))
    return h


def _reporter(c: Campaign, book: Book, h: _Header, found: _Found) -> str | None:
    """Return the unit sending the file, from 填报单位 or the file name; None if unknown.

    Records an error when 填报单位 names no unit or several; a file name naming no unit is
    no evidence (``unit_not_found`` only when nothing else names the unit).
    """
    if h.unit_text is not None:
        named = _units_named(c, h.unit_text)
        if len(named) == 1:
            _name_differs(c, book, named[0], "填报单位 says", found, **h.unit_loc)
            return named[0]
        if len(named) > 1:
            found.error("ambiguous_unit",
                        f"填报单位 {h.unit_text!r} names several units "
                        f"({', '.join(_unit_label(c, n) for n in named)}); write one",
                        raw=h.unit_text, **h.unit_loc)
            return None
        several = c.units_in_name(h.unit_text)
        if len(several) > 1:
            found.error("ambiguous_unit",
                        f"填报单位 {h.unit_text!r} names several units "
                        f"({', '.join(_unit_label(c, n) for n in several)}); write one",
                        raw=h.unit_text, **h.unit_loc)
            return None
        found.error("unknown_unit",
                    f"填报单位 {h.unit_text!r} is not a unit of the campaign; {_ADD_UNIT}",
                    raw=h.unit_text, **h.unit_loc)
        return None
    named = c.units_in_name(Path(book.name).stem)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        found.error("ambiguous_unit",
                    f"the file name names several units "
                    f"({', '.join(_unit_label(c, n) for n in named)}) and no 填报单位 is written; "
                    "write 填报单位 on the return", raw=Path(book.name).name)
    return None


def _no_unit(found: _Found, book: Book | None = None) -> None:
    if not any(p.reason in ("ambiguous_unit", "unknown_unit") for p in found.errors):
        name = f" (the file name {Path(book.name).name!r} names no unit exactly)" if book else ""
        found.error("unit_not_found",
                    "cannot tell which unit sent this return: write 填报单位 (or 填表单位) on "
                    f"it, or name the file after the unit{name}; if the unit is missing from "
                    f"the spec, {_ADD_HINT}")


# --------------------------------------------------------------------------- official layout


@dataclass
class _Column:
    col: int
    indicators: tuple[Indicator, ...]
    header: str


def _cell_text(sheet: Sheet, r: int, c: int) -> str | None:
    ar, ac = sheet.merged_anchor(r, c)
    v = sheet.value(ar, ac)
    return v if isinstance(v, str) and v.strip() else None


def _read_official(c: Campaign, book: Book, found: _Found, opts: _Options) -> list[_Unit] | None:
    idx = _index(c)
    best: tuple[int, str, Sheet, Any] | None = None
    for sheet in book.sheets:
        if sheet.name == META_SHEET:
            continue
        h = _find_horizontal(c, idx, sheet)
        v = _find_vertical(idx, sheet)
        for score, layout, info in ((h[0], "horizontal", h[1]), (v[0], "vertical", v[1])):
            if score and (best is None or score > best[0]):
                best = (score, layout, sheet, info)
    if best is None:
        return None
    if best[0] < min(2, len(idx.groups)) and not _has_table_header(best[2]):
        return None  # one stray label is not a table
    _, layout, sheet, info = best
    skip: frozenset[int] = frozenset()
    if layout == "horizontal":
        band = info[0] - 1  # rows above the header row: the title band
        header = _header_lines(book, found, {(sheet.name, info[0] - 1), (sheet.name, info[0])},
                               idx)
        units, period_col = _read_horizontal(c, book, sheet, info, header, found, opts)
        skip = frozenset({period_col}) if period_col is not None else skip
    else:
        band = info[1][0][0] - 1
        head_row = _vertical_header(sheet, info[0], info[1][0][0])[1]
        header = _header_lines(book, found, {(sheet.name, head_row)} if head_row else set(),
                               idx)
        units = _read_vertical(c, book, sheet, info, header, found)
    need = [u for u in units if u.round is None]  # rows whose 统计时点 cell said nothing
    if need or not units:
        round_id = _round_of(c, book, sheet, band, found, opts, skip)
        for u in need:
            u.round = round_id
    for u in units:
        if u.written is None and header.date_raw is not None:
            _set_written(u, header.date_raw, header.date_fmt, header.date_loc, found)
    if not units and not found.errors:
        found.error("empty_return", "the table holds no value", sheet=None if found.csv
                    else sheet.name)
    return units


_TABLE_WORDS: Final = frozenset(_key(w) for w in ("项目", "内容", "开展情况", "单位", "地区"))


def _has_table_header(sheet: Sheet) -> bool:
    """Tell whether a row of the sheet holds two header words of the notice's tables."""
    for row in sheet.grid[:40]:
        if sum(1 for v in row if isinstance(v, str) and _key(v) in _TABLE_WORDS) >= 2:
            return True
    return False


# --------------------------------------------------------------------------- rounds

_PERIOD_DATE: Final = (r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月"
                       r"(?:(?P<d>\d{1,2})(?!\d)[日号]?|(?P<end>底|末))"
                       r"|(?P<y2>\d{4})[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2})(?!\d)")
_PERIOD_WORDS: Final = ("统计截止日期", "统计截至日期", "统计截止时间", "统计截止",
                        "数据截止日期", "数据截至", "截止日期", "截至日期", "统计时点", "截止到",
                        "截止至", "截至到", "截至", "截止")
_PERIOD_SAID = re.compile("(?:" + "|".join(_PERIOD_WORDS) + ")[:：为]?(?:" + _PERIOD_DATE
                          + ")(?![日号]?(?:以前|之前|前))")
"""截至6月15日, 统计时点：2025年6月15日, 截止2025-06-15 — but not a deadline (截止7月5日前)."""
_PERIOD_BRACKETED = re.compile(r"[(（](?:" + _PERIOD_DATE + r")[)）]")
"""（6月15日） in a title or a file name."""
_PERIOD_CELL_WORDS: Final = frozenset(_PERIOD_WORDS)
_GENERIC_LABELS: Final = ("年度", "全年")


def _only_round(c: Campaign) -> str | None:
    """Return the round of a single-round campaign, else None (never a default)."""
    return c.rounds[0].id if len(c.rounds) == 1 else None


def _rounds_said(c: Campaign) -> str:
    """Return ``mid 截至2025-06-15, final 截至2025-06-30`` for messages."""
    return ", ".join(f"{r.id} 截至{r.period_end.date.isoformat()}" for r in c.rounds)


def _round_unknown(c: Campaign, found: _Found, **where: Any) -> None:
    """Record that the return names no round (several rounds, no --period)."""
    first = c.rounds[0].id
    found.error("round_unknown",
                f"this return does not say which round it is for ({_rounds_said(c)}): write "
                f"截至…日 (its period end) on it, or ingest it with --period {first}", **where)


def _generic_label(r: Round) -> bool:
    """Tell whether a round's label (年度, 全年) says nothing about which round it is."""
    return fold_name(r.label) in _GENERIC_LABELS


def _as_word(text: str, word: str, bounds: tuple[str, ...]) -> bool:
    """Tell whether ``word`` stands in ``text`` as a word, not inside another one.

    A side is a boundary at the start or end, at a separator or a digit (``2024年上半年``),
    or at a document word or unit name of ``bounds`` (``宣传月活动中期情况``, ``济南市总结``).
    """
    start = text.find(word)
    while start >= 0:
        before, after = text[:start], text[start + len(word):]
        left = (not before or not before[-1].isalnum() or before[-1].isdigit()
                or re.search(r"\d年$", before) is not None or before.endswith(bounds))
        right = (not after or not after[0].isalnum() or after[0].isdigit()
                 or after.startswith(bounds))
        if left and right:
            return True
        start = text.find(word, start + 1)
    return False


def _period_date(c: Campaign, m: re.Match[str]) -> dt.date | None:
    """Resolve a matched 截至 date; a date without a year falls inside the campaign period."""
    try:
        if m.group("y2"):
            return dt.date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        month = int(m.group("m"))
        years = [int(m.group("y"))] if m.group("y") else sorted(
            {c.period_start.year, c.period_end.year})
        out: dt.date | None = None
        for year in years:
            day = (calendar.monthrange(year, month)[1] if m.group("end")
                   else int(m.group("d") or 0))
            out = dt.date(year, month, day)
            if c.period_start <= out <= c.period_end:
                return out
        return out
    except (ValueError, TypeError):  # 6月31日: no such day
        return None


@dataclass(frozen=True)
class _Claim:
    """One statement of a round on a return: a round id or label, or a period end.

    ``round`` is None for a period end that is no round's (``day`` says which date).
    """

    round: str | None
    why: str
    raw: str
    loc: Mapping[str, Any]
    day: dt.date | None = None


def _bounds(c: Campaign) -> tuple[str, ...]:
    """Words a round label may touch and still stand as a word (see :func:`_as_word`)."""
    return (*DOCUMENT_WORDS, *(fold_name(r.label) for r in c.rounds if r.label),
            *(fold_name(n) for u in c.units for n in (u.name, *u.aliases)))


def _date_claim(c: Campaign, d: dt.date, text: str, loc: Mapping[str, Any]) -> _Claim:
    hit = [r.id for r in c.rounds if r.period_end.date == d]
    if hit:
        return _Claim(hit[0], f"{text} is its period end {d.isoformat()}", text, loc, d)
    return _Claim(None, f"{text} ({d.isoformat()}) is no round's period end", text, loc, d)


def _text_claims(c: Campaign, text: str, loc: Mapping[str, Any], source: str, *,
                 labels: bool = True, bracketed: bool = True,
                 said: bool = True) -> list[_Claim]:
    """The rounds a text states: labels as words, 截至…日, （6月15日）."""
    folded = fold_name(text)
    out: list[_Claim] = []
    if labels:
        bounds = _bounds(c)
        for r in c.rounds:
            label = fold_name(r.label) if r.label else ""
            if label and not _generic_label(r) and _as_word(folded, label, bounds):
                out.append(_Claim(r.id, f"{source} says {label}", text, loc))
    patterns = ([_PERIOD_SAID] if said else []) + ([_PERIOD_BRACKETED] if bracketed else [])
    for pattern in patterns:
        for m in pattern.finditer(folded):
            d = _period_date(c, m)
            if d is not None:
                out.append(_date_claim(c, d, m.group(0), loc))
    return out


def _name_claims(c: Campaign, book: Book) -> list[_Claim]:
    """The rounds a file name states: a round id or label as a word, a period end."""
    stem = unicodedata.normalize("NFKC", Path(book.name).stem)
    out = [_Claim(r.id, f"the file name says {r.id}", r.id, {}) for r in c.rounds
           if _as_word(stem.lower(), r.id.lower(), ())]
    known = {x.round for x in out}
    out.extend(x for x in _text_claims(c, stem, {}, "the file name")
               if x.round is None or x.round not in known)
    return out


def _cell_claims(c: Campaign, sheet: Sheet, found: _Found,
                 skip_cols: frozenset[int] = frozenset()) -> list[_Claim]:
    """Period ends written in cells: 截至6月15日 anywhere, or a 统计截止日期 cell and its value."""
    out: list[_Claim] = []
    for r, row in enumerate(sheet.grid, start=1):
        for ci, v in enumerate(row, start=1):
            if ci in skip_cols or not isinstance(v, str) or not ("截" in v or "统计" in v):
                continue
            text = fold_name(v)
            out.extend(_text_claims(c, v, found.at(sheet, r, ci), "", labels=False,
                                    bracketed=False))
            if text.strip(":：") in _PERIOD_CELL_WORDS:
                nxt = next(((cj, x) for cj, x in enumerate(row[ci:], start=ci + 1)
                            if x is not None and str(x).strip()), None)
                if nxt is None:
                    continue
                cj, x = nxt
                d = _cell_date(c, x, sheet.number_format(r, cj))
                if d is not None:
                    out.append(_date_claim(c, d, f"{text.strip(':：')} {x}",
                                           found.at(sheet, r, cj)))
    return out


def _cell_date(c: Campaign, raw: CellValue, fmt: str | None) -> dt.date | None:
    """Read the date beside a 统计截止日期 cell: 6月15日, 2025-06-15 or a date cell."""
    if isinstance(raw, str):
        text = fold_name(raw)
        m = re.fullmatch(_PERIOD_DATE, text) or _PERIOD_SAID.fullmatch(text)
        if m is not None:
            return _period_date(c, m)
    try:
        parsed = parse_date(raw, number_format=fmt)
    except ValueProblem:
        return None
    return parsed.value if isinstance(parsed.value, dt.date) else None


def _sheet_claims(c: Campaign, sheet: Sheet, band: int, found: _Found,
                  skip_cols: frozenset[int] = frozenset()) -> list[_Claim]:
    """The rounds the sheet itself states: its title band, and period ends in its cells."""
    where = {"sheet": None if found.csv else sheet.name}
    out: list[_Claim] = []
    for row in sheet.grid[:max(0, min(band, 12))]:
        for v in row:
            if isinstance(v, str) and v.strip():
                out.extend(_text_claims(c, v, where, "the title", said=False))
    return out + _cell_claims(c, sheet, found, skip_cols)


def _decide(c: Campaign, claims: Sequence[_Claim], found: _Found,
            where: Mapping[str, Any]) -> tuple[str | None, bool]:
    """Pick the round a set of claims states: (round, decided); an error when they conflict.

    Several rounds, or a period end of no round, is ``round_unknown``; no claim at all is
    (None, False) with no error.
    """
    order = [r.id for r in c.rounds]
    ids = sorted({x.round for x in claims if x.round is not None}, key=order.index)
    if len(ids) > 1:
        why = "; ".join(f"{x.why} ({x.round})" for x in claims if x.round is not None)
        found.error("round_unknown", f"this return names several rounds: {why}; correct it or "
                    "ingest it with --period ROUND", **where)
        return None, True
    stranger = next((x for x in claims if x.round is None), None)
    if stranger is not None:
        assert stranger.day is not None
        found.error("round_unknown",
                    f"the return says {stranger.raw!r} ({stranger.day.isoformat()}), which is no "
                    f"round's period end ({_rounds_said(c)}): correct the date, or ingest it "
                    "with --period ROUND", raw=stranger.raw, **(stranger.loc or where))
        return None, True
    return (ids[0], True) if ids else (None, False)


def _round_of(c: Campaign, book: Book, sheet: Sheet, band: int, found: _Found,
              opts: _Options, skip_cols: frozenset[int] = frozenset()) -> str | None:
    """Tell the round of a return in the notice's layout; None (and an error) when unknown.

    Evidence, all exact: a round label as a word of the title band (``（中期）``; 年度/全年 are
    generic and do not count) and a period end written on the sheet (截至6月15日,
    统计时点：6月15日, （6月15日） in the title, a 统计截止日期 cell) equal to a round's
    ``period_end``; then the file name (a round id or label as a word, a period end). What the
    sheet states wins; a file name naming another round is a ``round_name_differs`` warning.
    ``--period`` wins but may not contradict the evidence (``wrong_round``); a campaign with
    one round takes it; otherwise no evidence, conflicting evidence or a date of no round is
    ``round_unknown`` — the final round is never a default.
    """
    if len(c.rounds) == 1 and opts.round_id is None:
        return c.rounds[0].id
    where = {"sheet": None if found.csv else sheet.name}
    on_sheet = _sheet_claims(c, sheet, band, found, skip_cols)
    in_name = _name_claims(c, book)
    if opts.round_id is not None:
        other = [x for x in on_sheet + in_name if x.round not in (None, opts.round_id)]
        if other:
            found.error("wrong_round", f"--period says {opts.round_id!r} but {other[0].why} "
                        f"(round {other[0].round!r}); ingest it with the round it states",
                        **where)
            return None
        seen: set[tuple[dt.date | None, str]] = set()
        for x in on_sheet + in_name:
            if x.round is None and (x.day, x.raw) not in seen:
                seen.add((x.day, x.raw))
                assert x.day is not None
                found.warn("period_end_differs",
                           f"the return says {x.raw!r} ({x.day.isoformat()}), which is no "
                           f"round's period end ({_rounds_said(c)}); --period {opts.round_id} "
                           "is used", raw=x.raw, **(x.loc or where))
        return opts.round_id
    round_id, decided = _decide(c, on_sheet, found, where)
    if decided:
        if round_id is not None:
            _round_name_differs(c, book, round_id, "the return says", found, **where)
        return round_id
    round_id, decided = _decide(c, in_name, found, where)
    if decided:
        return round_id
    _round_unknown(c, found, **where)
    return None


def _round_name_differs(c: Campaign, book: Book, round_id: str, said_by: str, found: _Found,
                        **where: Any) -> None:
    """Warn when the file name names another round than the one used (every layout)."""
    other = [x for x in _name_claims(c, book) if x.round != round_id]
    if other:
        x = other[0]
        names = (f"round {x.round} ({c.round(x.round).label})" if x.round is not None
                 else f"{x.raw!r}, which is no round's period end")
        found.warn("round_name_differs",
                   f"{said_by} round {round_id} ({c.round(round_id).label}) but the file name "
                   f"{Path(book.name).name!r} points to {names}; {round_id} is used",
                   raw=Path(book.name).name, **where)


_TOTAL_WORDS: Final = ("总计", "合计", "全市合计", "全省合计", "全市总计", "全省总计", "汇总",
                       "全区合计", "全州合计")
_UNIT_HEADERS: Final = ("项目", "单位", "地区", "填报单位", "填表单位", "单位名称", "地市", "市州",
                        "县(市、区)", "县市区", "区县", "市(州)", "设区市", "unit")
_DATE_HEADERS: Final = ("填报日期", "填表日期", "填报时间", "填表时间", "日期", "报送日期")
_FOOTER = re.compile(r"^(填表|填报|制表|审核|负责人|联系人|联系电话|注[:：]|说明|备注|附注|本文件)")


_HEADER_WORDS: Final = frozenset(_key(w) for w in (
    *_UNIT_HEADERS, *_DATE_HEADERS, *_PERIOD_WORDS, "项目", "内容", "开展情况", "指标", "序号",
    "事项", "完成情况", "情况", "数量", "数值", "完成数", "填报内容", "内容及数量", "统计时点"))
"""Words that head a column: a bare 填报单位 followed by one of them heads a column too."""
_PERIOD_HEADER_KEYS: Final = frozenset(_key(w) for w in (*_PERIOD_WORDS, "截至时间", "统计截至"))
"""Headers of a column giving each row's period end (统计时点, 截至日期, …)."""


def _row_round(c: Campaign, sheet: Sheet, r: int, col: int, head: str, found: _Found,
               opts: _Options) -> str | None:
    """Read a row's 统计时点 cell: its round, or None when the cell is empty.

    A date of no round is ``round_unknown`` and one contradicting ``--period`` is
    ``wrong_round``, both at the cell (the file is rejected: the round returned then is
    only a placeholder so that the file's own round is not asked for again).
    """
    raw = sheet.value(r, col)
    if raw is None or not str(raw).strip():
        return None
    loc = found.at(sheet, r, col, head)
    text = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    d = _cell_date(c, raw, sheet.number_format(r, col))
    if d is None:
        found.error("round_unknown", f"{head} {text!r} is not a date: write the period end of "
                    f"the row's round ({_rounds_said(c)})", raw=text, **loc)
        return opts.round_id or c.rounds[-1].id
    claim = _date_claim(c, d, text, loc)
    if claim.round is None:
        found.error("round_unknown", f"{head} {text!r} ({d.isoformat()}) is no round's period "
                    f"end ({_rounds_said(c)}): correct the date", raw=text, **loc)
        return opts.round_id or c.rounds[-1].id
    if opts.round_id is not None and claim.round != opts.round_id:
        found.error("wrong_round", f"--period says {opts.round_id!r} but {head} {text!r} is "
                    f"the period end of round {claim.round!r}; ingest it with the round it "
                    "states", raw=text, **loc)
        return opts.round_id
    return claim.round


def _is_total(text: str | None) -> bool:
    if text is None:
        return False
    k = _key(text)
    return k in _TOTAL_WORDS or k.startswith(("总计", "合计"))


def _find_horizontal(c: Campaign, idx: _Index, sheet: Sheet) -> tuple[int, Any]:
    best: tuple[int, int, dict[int, _Column]] | None = None
    limit = min(sheet.nrows, 40)
    for r in range(1, limit + 1):
        cols: dict[int, _Column] = {}
        seen: set[str] = set()
        for col in range(1, sheet.ncols + 1):
            col_match = _column_match(idx, sheet, r, col)
            if col_match is None:
                continue
            inds, text = col_match
            ids = tuple(i for i in inds if i not in seen)
            if not ids:
                continue
            seen.update(ids)
            cols[col] = _Column(col, tuple(c.indicator(i) for i in ids), text)
        score = sum(len(x.indicators) for x in cols.values())
        enough = len(cols) >= 2 or (len(cols) == 1 and len(idx.groups) == 1)
        # a row of unit captions under the labels, （场） （份）…, ends the header band
        here = [_cell_text(sheet, r, col) for col in cols]
        captions = (best is not None and r == best[1] + 1 and any(here)
                    and all(t is None or not re.search(r"[0-9]", t) for t in here)
                    and all(t is None or x.header != t for t, x in zip(here, cols.values(),
                                                                         strict=True)))
        if enough and (best is None or score > best[0] or (score == best[0] and captions)):
            best = (score, r, cols)
    if best is None:
        return 0, None
    return best[0], (best[1], best[2])


def _column_match(
    idx: _Index, sheet: Sheet, r: int, col: int
) -> tuple[tuple[str, ...], str] | None:
    """Match the header of a column ending at row r (two-row headers, merged cells)."""
    here = _cell_text(sheet, r, col)
    above = _cell_text(sheet, r - 1, col) if r > 1 else None
    candidates: list[str] = []
    if here:
        candidates.append(here)
    if above and here and above != here:
        candidates.append(above + here)
    if above and not here:
        # a header written in the upper row of a two-row band, the lower cell left empty
        # (a merge the reader cannot see, as in .ods, or no merge at all)
        candidates.append(above)
    for text in candidates:
        hit = idx.match(text)
        if hit:
            return hit, text
    return None


def _read_horizontal(c: Campaign, book: Book, sheet: Sheet, info: Any, h: _Header,
                     found: _Found, opts: _Options) -> tuple[list[_Unit], int | None]:
    """Read a table of one row per unit; return its units and its 统计时点 column, if any.

    A 统计时点/截至日期 column gives each row its own round (rows may be of several rounds);
    a row whose cell is empty takes the round the file states.
    """
    header_row, columns = info
    cols: dict[int, _Column] = columns
    ind_cols = sorted(cols)
    # the header band ends at the lowest row of a merged header cell
    end = header_row
    for r1, c1, r2, c2 in sheet.merged:
        if r1 <= header_row <= r2 and any(c1 <= x <= c2 for x in ind_cols):
            end = max(end, r2)
    label_col: int | None = None
    date_col: int | None = None
    period_col: int | None = None
    for col in range(1, sheet.ncols + 1):
        if col in cols:
            continue
        texts = [t for t in (_cell_text(sheet, r, col) for r in range(max(1, header_row - 2),
                                                                      end + 1)) if t]
        keys = {_key(t) for t in texts}
        if period_col is None and keys & _PERIOD_HEADER_KEYS:
            period_col = col
        elif date_col is None and keys & {_key(w) for w in _DATE_HEADERS}:
            date_col = col
        elif label_col is None and keys & {_key(w) for w in _UNIT_HEADERS}:
            label_col = col
    if label_col is None:
        left = [col for col in range(1, ind_cols[0]) if col not in (date_col, period_col)]
        label_col = left[0] if left else None
    period_head = (_cell_text(sheet, end, period_col) or _cell_text(sheet, header_row, period_col)
                   or "统计时点") if period_col is not None else "统计时点"
    label_head = (_cell_text(sheet, end, label_col) or _cell_text(sheet, header_row, label_col)
                  if label_col else None)

    rows: list[tuple[int, str | None]] = []
    for r in range(end + 1, sheet.nrows + 1):
        label_v = sheet.value(r, label_col) if label_col else None
        label = str(label_v).strip() if label_v is not None and str(label_v).strip() else None
        if label is not None and _FOOTER.match(fold_name(label)):
            break
        if (sheet.name, r) in h.rows:
            break
        filled = any(sheet.value(r, col) is not None and str(sheet.value(r, col)).strip()
                     for col in ind_cols)
        if not filled and label is None:
            continue
        if (not filled and not _is_total(label) and rows
                and all(sheet.value(r, x) is None for x in range(1, sheet.ncols + 1)
                        if x != label_col)):
            continue  # a note line under the table
        rows.append((r, label))
    reporter = _reporter(c, book, h, found)
    present = {i.id for x in cols.values() for i in x.indicators}
    for ind in c.input_indicators:
        if ind.id not in present and not ind.required:  # a required one is an error later
            found.warn("missing_column",
                       f"no column for {ind.label}{_blank_note(ind)} in the table's header "
                       f"(row {end}); it is read as not reported", indicator=ind.id,
                       **found.at(sheet, end, None))
    totals = [(r, lab) for r, lab in rows if _is_total(lab)]
    data = [(r, lab) for r, lab in rows if not _is_total(lab)]
    if len(totals) > 1:
        found.error("duplicate_total", "the table has more than one 总计/合计 row (rows "
                    f"{', '.join(str(r) for r, _ in totals)})", **found.at(sheet, totals[1][0],
                                                                        label_col))
    # which unit is each row?
    row_units: dict[int, str | None] = {}
    for r, lab in data:
        named = _units_named(c, lab) if lab else ()
        if len(named) > 1:
            found.error("ambiguous_unit", f"row label {lab!r} names several units "
                        f"({', '.join(c.unit(n).name for n in named)})", raw=lab,
                        **found.at(sheet, r, label_col, label_head))
        row_units[r] = named[0] if len(named) == 1 else None
    named_rows = sorted({x for x in row_units.values() if x is not None})
    if reporter is not None and h.unit_text is None and any(
            x != reporter and reporter not in (a.code for a in c.ancestors(x))
            for x in named_rows):
        # the unit came from the file name alone; rows naming units outside it win
        units = "、".join(_unit_label(c, x) for x in named_rows)
        found.warn("unit_name_differs",
                   f"the rows name {units} but the file name {Path(book.name).name!r} points to "
                   f"{_unit_label(c, reporter)}; the rows are used",
                   raw=Path(book.name).name, **found.at(sheet, end, None))
        reporter = None
    # read every row
    parsed: dict[int, _Unit] = {}
    for r, _ in rows:
        u = _Unit(row_units.get(r) or "", found.at(sheet, r, label_col or ind_cols[0]))
        for col in ind_cols:
            colinfo = cols[col]
            raw = sheet.value(r, col)
            loc = found.at(sheet, r, col, colinfo.header)
            if raw is None and (r, col) in sheet.formulas:
                found.error("uncalculated_formula", _UNCALCULATED,
                            indicator=colinfo.indicators[0].id, **loc)
                continue
            _parse_into(u, colinfo.indicators, raw, sheet.number_format(r, col), sheet, loc,
                        found)
        if date_col is not None and sheet.value(r, date_col) is not None:
            _set_written(u, sheet.value(r, date_col), sheet.number_format(r, date_col),
                         found.at(sheet, r, date_col, "填表日期"), found)
        if period_col is not None:
            u.round = _row_round(c, sheet, r, period_col, period_head, found, opts)
        parsed[r] = u

    out: list[_Unit] = []
    total = totals[0] if totals else None
    if total is not None and data:
        _check_total(c, sheet, cols, [parsed[r] for r, _ in data], parsed[total[0]],
                     [r for r, _ in data], total[0], found)
    def own_row(r: int, lab: str | None) -> bool:
        """Tell whether a row is the reporter's: it names it, or names no unit (本级, 1)."""
        return row_units[r] == reporter or (row_units[r] is None and _names_nobody(lab))

    if reporter is not None:
        if total is not None:
            own = [r for r, lab in data if own_row(r, lab)]
            main_row: int | None = data[0][0] if len(data) == 1 and own else total[0]
        elif len(data) == 1 and own_row(*data[0]):
            main_row = data[0][0]
        else:
            main_row = next((r for r, _ in data if row_units[r] == reporter), None)
        if main_row is not None:
            u = parsed[main_row]
            u.code = reporter
            out.append(u)
        for r, lab in data:
            if r == main_row:
                continue
            code = row_units[r]
            if code is None:
                if total is not None:
                    found.warn("breakdown_row", f"row {r} ({lab or 'no label'}) is not a unit of "
                               "the campaign; it counts only in the 总计 check", raw=lab,
                               **found.at(sheet, r, label_col, label_head))
                else:
                    found.error("unknown_unit", f"row label {lab!r} is not a unit of the "
                                f"campaign; {_ADD_UNIT}", raw=lab,
                                **found.at(sheet, r, label_col, label_head))
                continue
            if code == reporter and (main_row is None
                                     or parsed[r].round in (None, parsed[main_row].round)):
                continue  # the reporter's own row beside its 总计 (another round: kept)
            if code != reporter and reporter not in (a.code for a in c.ancestors(code)):
                found.error("unit_outside",
                            f"row {r} names {c.unit(code).name}, which is not "
                            f"{c.unit(reporter).name} or a unit under it", raw=lab,
                            unit=code, **found.at(sheet, r, label_col, label_head))
                continue
            u = parsed[r]
            u.code = code
            out.append(u)
    else:
        if not data and total is not None:
            _no_unit(found, book)
            return [], period_col
        for r, lab in data:
            code = row_units[r]
            if code is None:
                if lab is None and len(data) == 1:
                    _no_unit(found, book)
                else:
                    found.error("unknown_unit",
                                f"row label {lab!r} is not a unit of the campaign; {_ADD_UNIT}"
                                if lab else f"row {r} has values but no unit", raw=lab,
                                **found.at(sheet, r, label_col, label_head))
                continue
            u = parsed[r]
            u.code = code
            out.append(u)
        if not out and not found.errors:
            _no_unit(found, book)
    # the same unit twice (for the same round: a table may hold a unit's rounds side by side)
    first: dict[tuple[str, str | None], _Unit] = {}
    for u in out:
        if (u.code, u.round) in first:
            prev = Problem("", "", **first[u.code, u.round].loc).place
            found.error("duplicate_unit",
                        f"{c.unit(u.code).name} ({u.code}) appears twice in the file (also at "
                        f"{prev})", unit=u.code, **u.loc)
        else:
            first[u.code, u.round] = u
    return [u for u in out if u.values or u.extras], period_col


_SELF_LABELS: Final = frozenset(("本级", "本单位", "本部门", "市本级", "省本级", "区本级", "县本级",
                                 "州本级", "全市", "全省", "全区", "全县", "全州", "数量", "数值",
                                 "完成情况", "开展情况"))


def _names_nobody(label: str | None) -> bool:
    """Tell whether a row label names no unit at all (empty, a number, 本级, 全市…)."""
    if label is None:
        return True
    k = _key(label)
    return not k or k.isdigit() or k in _SELF_LABELS


def _check_total(c: Campaign, sheet: Sheet, cols: Mapping[int, _Column], parts: Sequence[_Unit],
                 total: _Unit, part_rows: Sequence[int], total_row: int, found: _Found) -> None:
    for col in sorted(cols):
        for ind in cols[col].indicators:
            if ind.aggregate != "sum" or ind.type not in ("count", "number"):
                continue
            t = total.values.get(ind.id)
            if t is None or not isinstance(t.parsed.value, int | float):
                continue
            vals = [p.values[ind.id].parsed.value for p in parts if ind.id in p.values]
            nums = [v for v in vals if isinstance(v, int | float) and not isinstance(v, bool)]
            if not nums:
                continue
            expected = sum(nums)
            got = t.parsed.value
            if abs(float(got) - float(expected)) > 1e-6:
                span = (f"{column_letter(col)}{part_rows[0]}:{column_letter(col)}{part_rows[-1]}"
                        if not found.csv else f"rows {part_rows[0]}–{part_rows[-1]}")
                where = t.loc.get("cell") or f"row {total_row}"
                found.error("total_mismatch",
                            f"{ind.label}: 总计 {where} = {_fmt(got)} but {span} add up to "
                            f"{_fmt(expected)} (difference {_fmt(float(got) - float(expected))})",
                            indicator=ind.id, raw=t.parsed.raw, **t.loc)


def _find_vertical(idx: _Index, sheet: Sheet) -> tuple[int, Any]:
    best: tuple[int, int, list[tuple[int, tuple[str, ...]]]] | None = None
    for col in range(1, min(sheet.ncols, 10) + 1):
        hits: list[tuple[int, tuple[str, ...]]] = []
        seen: set[str] = set()
        for r in range(1, sheet.nrows + 1):
            v = sheet.value(r, col)
            if not isinstance(v, str):
                continue
            ids = idx.match(v)
            if ids and not (set(ids) & seen):
                hits.append((r, ids))
                seen.update(ids)
            elif ids:
                hits.append((r, ids))  # a repeated item: reported as duplicate later
        score = len({i for _, ids in hits for i in ids})
        if hits and (best is None or score > best[0]):
            best = (score, col, hits)
    if best is None:
        return 0, None
    return best[0], (best[1], best[2])


_VALUE_HEADERS: Final = ("开展情况", "完成情况", "情况", "数量", "数值", "完成数", "填报内容",
                         "内容及数量")
_REMARK_WORDS: Final = ("备注", "其他", "其它")


def _vertical_header(sheet: Sheet, label_col: int, first_row: int) -> tuple[int, int | None]:
    """Find the value column and header row of a vertical table: the nearest row above the
    first item naming the value column (开展情况, 数量, …); (label_col + 1, None) if none."""
    values = {_key(w) for w in _VALUE_HEADERS}
    for r in range(first_row - 1, max(0, first_row - 6), -1):
        for col in range(label_col + 1, sheet.ncols + 1):
            t = _cell_text(sheet, r, col)
            if t and _key(t) in values:
                return col, r
    # a long table whose figure column has a header of its own (本期数): the unit header
    units = {_key(w) for w in _ROW_UNIT_HEADERS}
    if first_row > 1 and any(_key(_cell_text(sheet, first_row - 1, col) or "") in units
                             for col in range(1, sheet.ncols + 1) if col != label_col):
        return label_col + 1, first_row - 1
    return label_col + 1, None


def _vertical_unit_col(sheet: Sheet, header_row: int | None, label_col: int,
                       value_col: int) -> int | None:
    """The unit column of a long table (填报单位 | 项目 | 开展情况): a unit header there."""
    if header_row is None:
        return None
    heads = {_key(w) for w in _UNIT_HEADERS} - {_key("项目")}
    return next((col for col in range(1, sheet.ncols + 1)
                 if col not in (label_col, value_col)
                 and (_key(_cell_text(sheet, header_row, col) or "") in heads)), None)


def _read_vertical(c: Campaign, book: Book, sheet: Sheet, info: Any, h: _Header,
                   found: _Found) -> list[_Unit]:
    """Read a table of one row per item (项目 | 内容 | 开展情况, several blanks in a cell).

    A long table with a unit column (填报单位 | 项目 | 开展情况: one row per unit and item)
    gives each row to the unit it names (a blank cell: the unit above it).
    """
    label_col, hits = info
    first_row = hits[0][0]
    value_col, header_row = _vertical_header(sheet, label_col, first_row)
    unit_col = _vertical_unit_col(sheet, header_row, label_col, value_col)
    idx = _index(c)
    reporter = _reporter(c, book, h, found) if unit_col is None or h.unit_text else None
    where = {"sheet": None if found.csv else sheet.name}
    own = unit = _Unit(reporter or "", where)
    by_code: dict[str, _Unit] = {}
    row_unit_text: str | None = None
    remarks = False
    for r in range(first_row, sheet.nrows + 1):
        if (sheet.name, r) in h.rows:
            continue
        label_v = sheet.value(r, label_col)
        label = label_v.strip() if isinstance(label_v, str) and label_v.strip() else None
        if unit_col is not None:
            here = _cell_text(sheet, r, unit_col) or (
                str(sheet.value(r, unit_col)) if sheet.value(r, unit_col) is not None else None)
            if here is not None and here.strip() and here != row_unit_text:
                row_unit_text = here.strip()
                named = _units_named(c, row_unit_text)
                loc = found.at(sheet, r, unit_col, "填报单位")
                if len(named) != 1:
                    found.error("ambiguous_unit" if named else "unknown_unit",
                                f"{row_unit_text!r} names several units" if named else
                                f"{row_unit_text!r} is not a unit of the campaign; {_ADD_UNIT}",
                                raw=row_unit_text, **loc)
                    unit = _Unit("", where)
                else:
                    unit = by_code.setdefault(named[0], _Unit(named[0], loc))
        group_col = label_col - 1 if label_col > 1 and label_col - 1 != unit_col else None
        group_v = sheet.value(r, group_col) if group_col else None
        group = _cell_text(sheet, r, group_col) if group_col else None
        if group and any(w in _key(group) for w in _REMARK_WORDS):
            remarks = True
        if isinstance(group_v, str) and _FOOTER.match(fold_name(group_v)) and not remarks:
            break
        raw = sheet.value(r, value_col)
        width = 1
        ids = idx.match(label) if label else ()
        if ids:
            inds = tuple(c.indicator(i) for i in ids)
            width = len(inds)
            more = [(sheet.value(r, k), sheet.number_format(r, k), found.at(sheet, r, k))
                    for k in range(value_col + 1, sheet.ncols + 1)] if width > 1 else []
            loc = found.at(sheet, r, value_col)
            if raw is None and (r, value_col) in sheet.formulas:
                found.error("uncalculated_formula", _UNCALCULATED, indicator=ids[0], **loc)
                continue
            _parse_into(unit, inds, raw, sheet.number_format(r, value_col), sheet, loc, found,
                        more)
            continue
        if label is None and raw is None:
            continue
        if label is not None and _FOOTER.match(fold_name(label)) and not remarks:
            break
        template_remark = label is not None and ("可自行列项补充" in fold_name(label))
        if template_remark:
            remarks = True
            if raw is None or not str(raw).strip():
                continue
            item = "备注"
        else:
            item = label or (group or "备注")
        if raw is None or not str(raw).strip():
            if label is not None and remarks:
                text = fold(label)  # an item written in the 内容 column only
                item = "备注"
            else:
                continue
        else:
            text = fold(str(raw))
        loc = found.at(sheet, r, value_col if raw is not None else label_col)
        unit.extras.append((item, text, None if found.csv else sheet.name, loc.get("cell")))
        why = "under 备注" if remarks else "not an item of the form"
        found.warn("extra_item", f"{_short(item)} ({why}) kept as an extra item: {_short(text)}",
                   raw=str(raw) if raw is not None else label, unit=unit.code or reporter,
                   **loc)
    if by_code:
        if own.values or own.extras:  # items above the first unit cell: the reporter's
            if reporter is None:
                _no_unit(found, book)
                return []
            if reporter in by_code:
                found.error("duplicate_unit", f"{_unit_label(c, reporter)} has items both above "
                            "the unit column's first name and under its own name", unit=reporter,
                            **by_code[reporter].loc)
                return []
            by_code = {reporter: own, **by_code}
        return [u for u in by_code.values() if u.values or u.extras]
    if reporter is None:
        _no_unit(found, book)
        return []
    if not own.values and not own.extras:
        return []
    return [own]


# --------------------------------------------------------------------------- table files

_ROW_UNIT_HEADERS: Final = tuple(w for w in _UNIT_HEADERS if w != "项目")
"""Headers of the unit column of a progress log or ledger (项目 names a task there)."""
_PROGRESS: Final[Mapping[str, tuple[str, ...]]] = {
    "unit": _ROW_UNIT_HEADERS,
    "milestone": ("milestone", "事项", "事项编号", "里程碑", "任务"),
    "done_on": ("done_on", "完成日期", "完成时间", "done"),
    "evidence": ("evidence", "佐证材料", "佐证", "证明材料"),
}
_LEDGER: Final[Mapping[str, tuple[str, ...]]] = {
    "date": ("date", "日期", "活动日期", "开展日期"),
    "unit": _ROW_UNIT_HEADERS,
    "sessions": ("sessions", "场次", "场数", "举办场次"),
    "plan": ("plan", "计划项", "计划", "活动计划"),
    "venue": ("venue", "场所", "地点类别"),
    "township": ("township", "乡镇", "乡镇(街道)", "乡镇（街道）"),
    "materials": ("materials", "发放资料份数", "资料份数", "发放资料"),
    "consultations": ("consultations", "咨询人次"),
    "attendees": ("attendees", "参加人数", "参与人数"),
}


def _header_map(sheet: Sheet, r: int, spec: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    keys = {_key(a): name for name, aliases in spec.items() for a in aliases}
    out: dict[str, int] = {}
    for col in range(1, sheet.ncols + 1):
        v = sheet.value(r, col)
        if isinstance(v, str):
            name = keys.get(_key(v)) or keys.get(_PAREN_TAIL.sub("", _key(v)))
            if name and name not in out:
                out[name] = col
    return out


def _table_kind(sheet: Sheet) -> tuple[FileKind, int, dict[str, int]] | None:
    for r in range(1, min(sheet.nrows, 5) + 1):
        prog = _header_map(sheet, r, _PROGRESS)
        if {"unit", "milestone", "done_on"} <= set(prog):
            return "progress", r, prog
        led = _header_map(sheet, r, _LEDGER)
        if {"unit", "date", "sessions"} <= set(led):
            return "ledger", r, led
    return None


def _row_unit(c: Campaign, sheet: Sheet, r: int, col: int, found: _Found,
              header: str) -> str | None:
    v = sheet.value(r, col)
    text = str(v).strip() if v is not None else ""
    loc = found.at(sheet, r, col, header)
    if not text:
        found.error("required", "the unit is missing", **loc)
        return None
    named = _units_named(c, text)
    if len(named) == 1:
        return named[0]
    if named:
        found.error("ambiguous_unit", f"{text!r} names several units "
                    f"({', '.join(_unit_label(c, n) for n in named)})", raw=text, **loc)
    else:
        found.error("unknown_unit", f"{text!r} is not a unit of the campaign; {_ADD_UNIT}",
                    raw=text, **loc)
    return None


def _row_date(sheet: Sheet, r: int, col: int, found: _Found, header: str, opts: _Options,
              unit: str | None) -> dt.date | None:
    v = sheet.value(r, col)
    loc = found.at(sheet, r, col, header)
    try:
        parsed = parse_date(v, number_format=sheet.number_format(r, col))
    except ValueProblem as exc:
        found.error(exc.reason, exc.message, raw=exc.raw, unit=unit, **loc)
        return None
    if not isinstance(parsed.value, dt.date):
        found.error("required", "the date is missing", unit=unit, **loc)
        return None
    if parsed.value > opts.today:
        found.warn("future_date", f"{parsed.value.isoformat()} is after the day of ingest "
                   f"({opts.today.isoformat()})", raw=parsed.raw, unit=unit, **loc)
    return parsed.value


def _data_rows(sheet: Sheet, header_row: int) -> Iterator[int]:
    for r in range(header_row + 1, sheet.nrows + 1):
        if any(v is not None and str(v).strip() for v in sheet.grid[r - 1]):
            yield r


def _headers_text(sheet: Sheet, header_row: int, columns: Mapping[str, int]) -> dict[str, str]:
    return {name: str(sheet.value(header_row, col)) for name, col in columns.items()}


def _read_progress(c: Campaign, sheet: Sheet, header_row: int, columns: dict[str, int],
                   found: _Found, opts: _Options) -> list[DeliverableIn]:
    heads = _headers_text(sheet, header_row, columns)
    milestones = {m.id.lower(): m for m in c.milestones}
    by_deliverable: dict[str, list[Milestone]] = {}
    for ms_ in c.milestones:
        if ms_.completion.kind == "deliverable" and ms_.completion.deliverable:
            by_deliverable.setdefault(ms_.completion.deliverable.lower(), []).append(ms_)
    for name, ms in by_deliverable.items():  # a deliverable's name, when one milestone has it
        if len(ms) == 1:
            milestones.setdefault(name, ms[0])
    out: list[DeliverableIn] = []
    for r in _data_rows(sheet, header_row):
        unit = _row_unit(c, sheet, r, columns["unit"], found, heads["unit"])
        mv = sheet.value(r, columns["milestone"])
        mtext = fold(str(mv)) if mv is not None else ""
        mloc = found.at(sheet, r, columns["milestone"], heads["milestone"])
        m = milestones.get(mtext.lower())
        if not mtext:
            found.error("required", "the milestone is missing", unit=unit, **mloc)
        elif m is None:
            found.error("unknown_milestone", f"{mtext!r} is not a milestone of the campaign "
                        f"(known: {', '.join(x.id for x in c.milestones[:8])}…)", raw=mtext,
                        unit=unit, **mloc)
        done = _row_date(sheet, r, columns["done_on"], found, heads["done_on"], opts, unit)
        evidence = None
        if "evidence" in columns:
            ev = sheet.value(r, columns["evidence"])
            evidence = fold(str(ev)) if ev is not None and str(ev).strip() else None
        if unit is None or m is None or done is None:
            continue
        if m.completion.kind == "round":
            found.warn("not_a_deliverable", f"{m.id} is completed by a return of round "
                       f"{m.completion.round}, not by a progress-log row; the row is kept",
                       unit=unit, **mloc)
        elif m.completion.kind == "none":
            found.warn("not_a_deliverable", f"{m.id} is a continuous task, never completed; "
                       "the row is kept", unit=unit, **mloc)
        elif not m.responsible.applies(c.unit(unit)):
            found.warn("not_responsible", f"{m.id} is not a task of {c.unit(unit).name}; the row "
                       "is kept", unit=unit, **mloc)
        out.append(DeliverableIn(unit, m.id, done, evidence, r))
    if not out and not found.errors:
        found.error("empty_table", "the progress log has no rows",
                    **found.at(sheet, header_row, None))
    return out


def _read_ledger(c: Campaign, sheet: Sheet, header_row: int, columns: dict[str, int],
                 found: _Found, opts: _Options) -> list[LedgerRowIn]:
    heads = _headers_text(sheet, header_row, columns)
    plans = {p.id.lower(): p.id for p in c.plan}
    plans.update({_key(p.theme): p.id for p in c.plan})
    out: list[LedgerRowIn] = []

    def count(r: int, name: str, unit: str | None, required: bool = False) -> int | None:
        if name not in columns:
            return None
        col = columns[name]
        v = sheet.value(r, col)
        loc = found.at(sheet, r, col, heads[name])
        try:
            p = parse_value("count", v)
        except ValueProblem as exc:
            found.error(exc.reason, f"{heads[name]}: {exc.message}", raw=exc.raw, unit=unit,
                        **loc)
            return None
        if p.value is None and required:
            found.error("required", f"{heads[name]} is missing", unit=unit, **loc)
        return p.value if isinstance(p.value, int) else None

    def text(r: int, name: str) -> str | None:
        if name not in columns:
            return None
        v = sheet.value(r, columns[name])
        return fold(str(v)) if v is not None and str(v).strip() else None

    for r in _data_rows(sheet, header_row):
        first = next((k for k in (columns["date"], columns["unit"], 1)
                      if _is_total(_cell_text(sheet, r, k))), None)
        if first is not None:
            found.warn("total_row", f"row {r} is a 合计/总计 row, not an activity; skipped",
                       raw=_cell_text(sheet, r, first), **found.at(sheet, r, first))
            continue
        nerr = len(found.errors)
        unit = _row_unit(c, sheet, r, columns["unit"], found, heads["unit"])
        day = _row_date(sheet, r, columns["date"], found, heads["date"], opts, unit)
        sessions = count(r, "sessions", unit, required=True)
        venue = text(r, "venue")
        if venue is not None and venue not in FIVE_VENUES:
            found.error("bad_venue", f"场所 {venue!r} is not one of {'/'.join(FIVE_VENUES)}",
                        raw=venue, unit=unit, **found.at(sheet, r, columns["venue"],
                                                         heads["venue"]))
        plan = text(r, "plan")
        if plan is not None:
            pid = plans.get(plan.lower()) or plans.get(_key(plan))
            if pid is None:
                found.warn("unknown_plan", f"计划项 {plan!r} is not a plan row id or theme; kept "
                           "as written", raw=plan, unit=unit,
                           **found.at(sheet, r, columns["plan"], heads["plan"]))
            else:
                plan = pid
        materials = count(r, "materials", unit)
        consultations = count(r, "consultations", unit)
        attendees = count(r, "attendees", unit)
        if len(found.errors) > nerr or unit is None or day is None or sessions is None:
            continue
        out.append(LedgerRowIn(unit, day, sessions, plan, venue, text(r, "township"),
                               materials, consultations, attendees, r))
    if not out and not found.errors:
        found.error("empty_table", "the activity ledger has no rows",
                    **found.at(sheet, header_row, None))
    return out

