"""Keep returns, progress logs and activity ledgers of campaigns in one SQLite file.

The store is the only module that touches the database. Everything goes in through
:meth:`Store.write_file` (one file, one transaction, all or nothing) or
:meth:`Store.write_files` (a batch, one savepoint per file), and comes out as pandas
DataFrames of plain data. History is never overwritten: a changed return becomes a new
revision, an identical resend changes nothing, and every stored figure keeps the file,
sheet, cell and raw text it was read from (:meth:`Store.provenance`).

Progress-log and ledger rows keep revision chains too. A progress-log row is keyed by unit
× milestone; a ledger row by unit × date × plan × venue × township and its occurrence among
the rows of its file with that key (two events of one day in one ledger are two rows; the
same ledger re-exported matches them one to one). A row sent again with other content is a
new revision of its key, which replaces the earlier one; an identical resend changes nothing.

Nothing is deleted: :meth:`Store.withdraw` records that a row (``S12``, ``P3``, ``L40``:
submission, progress-log row, ledger row) is withdrawn from a date on, with who and why.
The readers take ``as_of``: what counted on that day.

* a return counts from the day it was received (the engine picks, per unit × round, the
  latest revision received by the day); a withdrawn one no longer counts from the day of its
  withdrawal, and the revision before it is then the latest again;
* a progress-log or ledger row counts from its own date (``done_on``, ``date``), as decided
  by the engine; which revision of a key counts as of a day is the latest received on or
  before it, or the first one while none had been received yet; withdrawn revisions count
  until the day of their withdrawal. Rows are received on ``FileIn.received_on``
  (``--received``), else on the day of ingest.

Example (``data_samples/fujian_hkmacao_2021``)::

    >>> import datetime as dt
    >>> from campaignkit.store import FileIn, Store, SubmissionIn, ValueIn
    >>> ret = SubmissionIn(unit="fuzhou", round="final", return_type="consolidated",
    ...                    received_on=dt.date(2022, 1, 18), received_from="form",
    ...                    values=(ValueIn("sessions", 12, None, "12", "统计表", "C7"),))
    >>> f = FileIn(name="returns/fuzhou.xlsx", sha256="0" * 64, size=9120, kind="return",
    ...            submissions=(ret,))
    >>> with Store.open(":memory:") as store:
    ...     store.write_file("fujian_hkmacao_2021", f).submissions[0].status
    'new'

Column types of the readers (the same on empty results):

* text: pandas ``str`` dtype, a missing text is ``NaN`` (test with ``pd.isna``);
* whole numbers: ``int64``; whole numbers that may be missing: ``Int64`` (``pd.NA``);
* flags such as ``is_current`` and ``complete``: ``bool``;
* calendar dates (``received_on``, ``done_on``, ``date``): ``object`` columns holding
  :class:`datetime.date` objects;
* moments (``ingested_at``, ``first_seen``): ``datetime64[us, UTC]``;
* ``value``: ``object`` holding the exact Python value written (``int``, ``float``,
  ``bool``, :class:`datetime.date` or ``None``); ``flags``: ``object`` holding tuples of str.

For millions of figures (the statistics engine) :meth:`Store.value_table` reads the same
values as flat ``float64``/``category`` columns several times faster than
:meth:`Store.values`; :meth:`Store.snapshot` makes several reads see one state of the file.

Concurrency: the file is in WAL mode, writers take the write lock up front
(``BEGIN IMMEDIATE``) and wait up to 30 s for each other, so several processes may ingest
into one file at once; revision numbers stay gapless and exactly one revision of a
unit × round is current (a partial unique index enforces it).

Schema versions: a file written with schema 1 (before revision chains of rows) is migrated
in place when opened, in one transaction: each unit × milestone's progress-log rows, and
each ledger row key's rows, become a chain in the order they were stored, received on the
day they were ingested; ids are kept. A file of any other version is refused.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import itertools
import json
import math
import numbers
import re
import sqlite3
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Protocol

import numpy as np
import pandas as pd

from .errors import CampaignkitError

__all__ = [
    "BUSY_TIMEOUT_S",
    "FILE_KINDS",
    "RECEIVED_FROM",
    "RETURN_TYPES",
    "ROW_PREFIXES",
    "SCHEMA_VERSION",
    "VALUE_TYPES",
    "CampaignLike",
    "DeliverableIn",
    "FileIn",
    "FileResult",
    "LedgerRowIn",
    "Provenance",
    "RowResult",
    "Store",
    "StoreError",
    "StoreInputError",
    "StoreLookupError",
    "SubmissionIn",
    "SubmissionResult",
    "UnitLike",
    "ValueIn",
    "Withdrawal",
    "WithdrawnError",
]

SCHEMA_VERSION: Final = 2
"""Version of the table layout; a schema 1 file is migrated, any other version refused."""

BUSY_TIMEOUT_S: Final = 30.0
"""Seconds a writer waits for another writer before giving up."""

FILE_KINDS: Final = ("return", "progress", "ledger")
RETURN_TYPES: Final = ("consolidated", "own")
RECEIVED_FROM: Final = ("option", "form", "ingest")
VALUE_TYPES: Final = ("int", "float", "bool", "text", "date", "null")
"""Values of ``submission_values.vtype``: the Python type a value is read back as."""
ROW_PREFIXES: Final = {"S": "submissions", "P": "deliverables", "L": "ledger"}
"""Letters of the stable ids (``S12``, ``P3``, ``L40``) and the tables they name."""

SubmissionStatus = Literal["new", "revised", "unchanged"]
RowKind = Literal["progress", "ledger"]
FileStatus = Literal["accepted", "unchanged", "rejected"]
Scalar = float | int | bool | dt.date | None

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_MAX_EXACT_INT: Final = 2**53
_JULIAN_OFFSET: Final = 1721424.5  # julianday(d) == d.toordinal() + offset, as SQLite counts
_EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()
_FETCH_ROWS: Final = 4096
"""Rows fetched at a time when reading a row per value (small batches stay in the CPU cache)."""
_END_OF_TIME: Final = "9999-12-31"
"""The as-of day of readers given no ``as_of``: everything received, every withdrawal."""
_WITHDRAWAL_KINDS: Final = {"submissions": "S", "deliverables": "P", "ledger": "L"}
_REF: Final = re.compile(r"\s*([A-Za-z])\s*([0-9]{1,18})\s*")


# --------------------------------------------------------------------------- errors


class StoreError(CampaignkitError, RuntimeError):
    """Signal that the store file cannot be used or a write was refused."""


class StoreInputError(StoreError, ValueError):
    """Signal that data handed to the store is malformed; the message names the place."""


class StoreLookupError(StoreError, LookupError):
    """Signal that a requested row is not in the store."""


class WithdrawnError(StoreError, ValueError):
    """Signal that a row to withdraw was withdrawn already; the message says when and why."""


# --------------------------------------------------------------------------- inputs


class UnitLike(Protocol):
    """Describe what the store reads from a unit of the campaign spec."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def parent(self) -> str | None: ...

    @property
    def level(self) -> str: ...


class CampaignLike(Protocol):
    """Describe what the store reads from the campaign spec."""

    @property
    def id(self) -> str: ...

    @property
    def units(self) -> Sequence[UnitLike]: ...


@dataclass(frozen=True, slots=True)
class ValueIn:
    """Hold one figure of a return as read from its cell.

    ``value`` is the parsed value (``int``, ``float``, ``bool``, ``datetime.date`` or
    ``None``), ``text`` the parsed text of text/url indicators, ``raw`` the cell as the
    unit wrote it, ``sheet``/``cell`` its place (``None`` for CSV), ``flags`` free-form
    reason codes attached by ingest (e.g. ``("derived",)``).
    """

    indicator: str
    value: Scalar
    text: str | None
    raw: str
    sheet: str | None
    cell: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubmissionIn:
    """Hold one return of one unit for one round.

    ``return_type`` is ``'consolidated'`` or ``'own'``; ``received_from`` says where
    ``received_on`` came from: ``'option'`` (``--received``), ``'form'`` (the date written
    on the return) or ``'ingest'`` (the day of ingest).
    """

    unit: str
    round: str
    return_type: str
    received_on: dt.date
    received_from: str
    values: tuple[ValueIn, ...]
    complete: bool = True


@dataclass(frozen=True, slots=True)
class DeliverableIn:
    """Hold one row of a progress log: a milestone a unit completed."""

    unit: str
    milestone: str
    done_on: dt.date
    evidence: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerRowIn:
    """Hold one row of an activity ledger: one event."""

    unit: str
    date: dt.date
    sessions: int
    plan: str | None = None
    venue: str | None = None
    township: str | None = None
    materials: int | None = None
    consultations: int | None = None
    attendees: int | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class FileIn:
    """Hold everything read from one input file, to be written in one transaction.

    ``kind`` is ``'return'``, ``'progress'`` or ``'ledger'``; ``sha256`` the lowercase hex
    digest of the file's bytes; ``name`` the path as the user gave it. ``received_on`` is the
    day its progress-log and ledger rows were received (``--received``; default: the day of
    ingest, from ``now``); returns carry their own.
    """

    name: str
    sha256: str
    size: int
    kind: str
    submissions: tuple[SubmissionIn, ...] = ()
    deliverables: tuple[DeliverableIn, ...] = ()
    ledger: tuple[LedgerRowIn, ...] = ()
    received_on: dt.date | None = None


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """Report what became of one submission.

    ``status`` is ``'new'`` (first revision), ``'revised'`` (a new revision) or
    ``'unchanged'`` (nothing written; ``revision``/``id`` then name the stored revision
    it equals). ``is_current`` tells whether that revision is the current one.
    """

    unit: str
    round: str
    status: SubmissionStatus
    revision: int
    id: int
    is_current: bool


@dataclass(frozen=True, slots=True)
class RowResult:
    """Report what became of one progress-log or ledger row, in the order of the file.

    ``status`` is ``'new'`` (first revision of its key), ``'revised'`` (a new revision that
    replaces the earlier one) or ``'unchanged'`` (nothing written; ``id``/``revision`` name
    the stored revision it equals). ``row`` is the row of the file it came from.
    """

    kind: RowKind
    row: int | None
    unit: str
    status: SubmissionStatus
    revision: int
    id: int
    is_current: bool

    @property
    def ref(self) -> str:
        """Return the stable id of the stored row, as ``history`` lists it (``P3``, ``L40``)."""
        return ("P" if self.kind == "progress" else "L") + str(self.id)


@dataclass(frozen=True, slots=True)
class FileResult:
    """Report what became of one file; ``error`` is set when it was rolled back.

    ``deliverables_new``/``ledger_new`` count rows of a key not stored before,
    ``*_revised`` rows replacing an earlier revision, ``*_unchanged`` identical resends;
    ``rows`` has the result of each row.
    """

    submissions: tuple[SubmissionResult, ...]
    deliverables_new: int
    deliverables_unchanged: int
    ledger_new: int
    ledger_unchanged: int
    error: Exception | None = None
    deliverables_revised: int = 0
    ledger_revised: int = 0
    rows: tuple[RowResult, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the file was written."""
        return self.error is None

    @property
    def status(self) -> FileStatus:
        """Return the file status of ``ingest --json``: accepted, unchanged or rejected."""
        if self.error is not None:
            return "rejected"
        changed = (
            self.deliverables_new
            + self.deliverables_revised
            + self.ledger_new
            + self.ledger_revised
            + sum(s.status != "unchanged" for s in self.submissions)
        )
        return "accepted" if changed else "unchanged"


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Record one withdrawal: which row (``id`` such as ``S12``), from when, why, by whom.

    ``current_again`` is the id of the revision that became current again when the
    withdrawn row was the current one (``None`` otherwise, or when no other is left).
    """

    id: str
    campaign: str
    unit: str
    on: dt.date
    reason: str
    by: str
    recorded_at: dt.datetime
    current_again: str | None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Trace one stored figure back to the file, sheet, cell and text it came from."""

    submission_id: int
    campaign: str
    unit: str
    round: str
    revision: int
    is_current: bool
    indicator: str
    value: Scalar
    text: str | None
    raw: str
    sheet: str | None
    cell: str | None
    flags: tuple[str, ...]
    file_name: str
    file_sha256: str
    received_on: dt.date
    received_from: str
    ingested_at: dt.datetime


# --------------------------------------------------------------------------- schema

_SCHEMA: Final = (
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE units (
        campaign TEXT NOT NULL,
        code     TEXT NOT NULL,
        name     TEXT NOT NULL,
        parent   TEXT,
        level    TEXT NOT NULL,
        PRIMARY KEY (campaign, code)
    )""",
    """CREATE TABLE files (
        sha256     TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('return', 'progress', 'ledger'))
    )""",
    """CREATE TABLE submissions (
        id            INTEGER PRIMARY KEY,
        campaign      TEXT NOT NULL,
        unit          TEXT NOT NULL,
        round         TEXT NOT NULL,
        return_type   TEXT NOT NULL CHECK (return_type IN ('consolidated', 'own')),
        revision      INTEGER NOT NULL CHECK (revision >= 1),
        received_on   TEXT NOT NULL,
        received_from TEXT NOT NULL CHECK (received_from IN ('option', 'form', 'ingest')),
        ingested_at   TEXT NOT NULL,
        file_name     TEXT NOT NULL,
        file_sha256   TEXT NOT NULL REFERENCES files (sha256),
        complete      INTEGER NOT NULL CHECK (complete IN (0, 1)),
        content_hash  TEXT NOT NULL,
        is_current    INTEGER NOT NULL CHECK (is_current IN (0, 1)),
        UNIQUE (campaign, unit, round, revision)
    )""",
    """CREATE UNIQUE INDEX submissions_one_current
        ON submissions (campaign, unit, round) WHERE is_current = 1""",
    """CREATE TABLE submission_values (
        submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        indicator     TEXT NOT NULL,
        vtype         TEXT NOT NULL
                      CHECK (vtype IN ('int', 'float', 'bool', 'text', 'date', 'null')),
        value         REAL,
        text          TEXT,
        raw           TEXT NOT NULL,
        sheet         TEXT,
        cell          TEXT,
        flags         TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (submission_id, indicator)
    ) WITHOUT ROWID""",
)

_DELIVERABLES_SCHEMA: Final = (
    """CREATE TABLE deliverables (
        id            INTEGER PRIMARY KEY,
        campaign      TEXT NOT NULL,
        unit          TEXT NOT NULL,
        milestone     TEXT NOT NULL,
        revision      INTEGER NOT NULL CHECK (revision >= 1),
        done_on       TEXT NOT NULL,
        evidence      TEXT,
        received_on   TEXT NOT NULL,
        received_from TEXT NOT NULL CHECK (received_from IN ('option', 'form', 'ingest')),
        file_name     TEXT NOT NULL,
        file_sha256   TEXT NOT NULL REFERENCES files (sha256),
        "row"         INTEGER,
        ingested_at   TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        is_current    INTEGER NOT NULL CHECK (is_current IN (0, 1)),
        UNIQUE (campaign, unit, milestone, revision)
    )""",
    """CREATE UNIQUE INDEX deliverables_one_current
        ON deliverables (campaign, unit, milestone) WHERE is_current = 1""",
)

_LEDGER_SCHEMA: Final = (
    """CREATE TABLE ledger (
        id            INTEGER PRIMARY KEY,
        campaign      TEXT NOT NULL,
        unit          TEXT NOT NULL,
        "date"        TEXT NOT NULL,
        sessions      INTEGER NOT NULL,
        "plan"        TEXT,
        venue         TEXT,
        township      TEXT,
        materials     INTEGER,
        consultations INTEGER,
        attendees     INTEGER,
        occurrence    INTEGER NOT NULL CHECK (occurrence >= 1),
        row_key       TEXT NOT NULL,
        revision      INTEGER NOT NULL CHECK (revision >= 1),
        received_on   TEXT NOT NULL,
        received_from TEXT NOT NULL CHECK (received_from IN ('option', 'form', 'ingest')),
        file_name     TEXT NOT NULL,
        file_sha256   TEXT NOT NULL REFERENCES files (sha256),
        "row"         INTEGER,
        ingested_at   TEXT NOT NULL,
        row_hash      TEXT NOT NULL,
        is_current    INTEGER NOT NULL CHECK (is_current IN (0, 1)),
        UNIQUE (campaign, row_key, revision)
    )""",
    """CREATE UNIQUE INDEX ledger_one_current
        ON ledger (campaign, row_key) WHERE is_current = 1""",
)
"""``row_key``: digest of unit, date, plan, venue, township and ``occurrence`` (the n-th row
with that key in its file); ``row_hash``: digest of the row's content and occurrence."""

_WITHDRAWALS_SCHEMA: Final = (
    """CREATE TABLE withdrawals (
        id           INTEGER PRIMARY KEY,
        campaign     TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('submissions', 'deliverables', 'ledger')),
        row_id       INTEGER NOT NULL,
        unit         TEXT NOT NULL,
        withdrawn_on TEXT NOT NULL,
        reason       TEXT NOT NULL,
        withdrawn_by TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        UNIQUE (kind, row_id)
    )""",
)
"""One row per withdrawal: ``kind`` is the table of the withdrawn row, ``row_id`` its id."""

_SCHEMA_2: Final = (*_SCHEMA, *_DELIVERABLES_SCHEMA, *_LEDGER_SCHEMA, *_WITHDRAWALS_SCHEMA)

_SUBMISSION_COLUMNS: Final = (
    "id, campaign, unit, round, return_type, revision, received_on, received_from,"
    " ingested_at, file_name, file_sha256, complete, content_hash, is_current"
)

_ColumnKind = Literal["int", "Int", "str", "bool", "date", "ts", "obj"]

_SUBMISSION_FRAME: Final[tuple[tuple[str, _ColumnKind], ...]] = (
    ("id", "int"),
    ("campaign", "str"),
    ("unit", "str"),
    ("round", "str"),
    ("return_type", "str"),
    ("revision", "int"),
    ("received_on", "date"),
    ("received_from", "str"),
    ("ingested_at", "ts"),
    ("file_name", "str"),
    ("file_sha256", "str"),
    ("complete", "bool"),
    ("content_hash", "str"),
    ("is_current", "bool"),
)


_DELIVERABLE_SELECT: Final = (
    'id, unit, milestone, done_on, evidence, file_name, file_sha256, "row", ingested_at,'
    " revision, received_on, received_from, is_current"
)
_DELIVERABLE_FRAME: Final[tuple[tuple[str, _ColumnKind], ...]] = (
    ("id", "int"),
    ("unit", "str"),
    ("milestone", "str"),
    ("done_on", "date"),
    ("evidence", "str"),
    ("file_name", "str"),
    ("file_sha256", "str"),
    ("row", "Int"),
    ("ingested_at", "ts"),
    ("revision", "int"),
    ("received_on", "date"),
    ("received_from", "str"),
    ("is_current", "bool"),
)
_LEDGER_SELECT: Final = (
    'id, unit, "date", sessions, "plan", venue, township, materials, consultations, attendees,'
    ' file_name, file_sha256, "row", ingested_at, row_hash, revision, received_on,'
    " received_from, is_current, occurrence"
)
_LEDGER_FRAME: Final[tuple[tuple[str, _ColumnKind], ...]] = (
    ("id", "int"),
    ("unit", "str"),
    ("date", "date"),
    ("sessions", "int"),
    ("plan", "str"),
    ("venue", "str"),
    ("township", "str"),
    ("materials", "Int"),
    ("consultations", "Int"),
    ("attendees", "Int"),
    ("file_name", "str"),
    ("file_sha256", "str"),
    ("row", "Int"),
    ("ingested_at", "ts"),
    ("row_hash", "str"),
    ("revision", "int"),
    ("received_on", "date"),
    ("received_from", "str"),
    ("is_current", "bool"),
    ("occurrence", "int"),
)
_CHAIN_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "submissions": ("unit", "round"),
    "deliverables": ("unit", "milestone"),
    "ledger": ("row_key",),
}
"""The columns (besides campaign) naming the revision chain a row belongs to, per table."""


# Reading values in bulk: one row per value costs about a microsecond in the sqlite3
# module, so the readers fetch columns (see Store._value_columns).

_VTYPE_DTYPE: Final = pd.CategoricalDtype(list(VALUE_TYPES))
_VTYPE_NAMES: Final = np.array(VALUE_TYPES, dtype=object)
_INT_CODE, _FLOAT_CODE, _BOOL_CODE, _TEXT_CODE, _DATE_CODE, _NULL_CODE = (
    VALUE_TYPES.index(name) for name in ("int", "float", "bool", "text", "date", "null")
)
_FIGURE_CODES: Final = (_INT_CODE, _FLOAT_CODE, _BOOL_CODE)


def _vtype_code_sql(unknown: int) -> str:
    """Return SQL giving the position of ``v.vtype`` in VALUE_TYPES (``unknown`` if none)."""
    whens = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(VALUE_TYPES))
    return f"(CASE v.vtype {whens} ELSE {unknown} END)"


_VALUE_SELECT: Final[dict[str, tuple[str, str]]] = {
    "submission_id": ("v.submission_id", "int64"),
    "indicator": ("v.indicator", "object"),
    "vtype": (_vtype_code_sql(-1), "int8"),
    "value": ("v.value", "float64"),
    "text": ("v.text", "object"),
    "raw": ("v.raw", "object"),
    "sheet": ("v.sheet", "object"),
    "cell": ("v.cell", "object"),
    "flags": ("v.flags", "object"),
}
"""Columns of the value readers, one row per value: SQL and the dtype of the array."""
_ENGINE_VALUE_COLUMNS: Final = ("submission_id", "indicator", "vtype", "value", "text")
_PROVENANCE_VALUE_COLUMNS: Final = ("raw", "sheet", "cell")
_ALL_VALUE_COLUMNS: Final = (*_ENGINE_VALUE_COLUMNS, *_PROVENANCE_VALUE_COLUMNS, "flags")
_VALUES_FROM: Final = (
    " FROM submissions AS s JOIN submission_values AS v ON v.submission_id = s.id"
    " WHERE s.campaign = ?{where}"
)

# One row per submission (Store._grouped_value_columns): a code per value, its number as
# integer text, each text column concatenated.
_GROUPED_VTYPE_SQL: Final = _vtype_code_sql(7)
_NULL_BITS: Final = {"value": 8, "text": 16, "sheet": 32, "cell": 64}
"""Bits added to the vtype position (7 if unknown) in a value's code when a column is NULL."""
_GROUPED_NUMBER_SQL: Final = (
    "CASE WHEN v.vtype = 'date' AND v.value IS NOT NULL"
    f" THEN CAST(v.value - {_JULIAN_OFFSET} AS INTEGER)"
    " WHEN v.vtype <> 'float' AND v.value = CAST(v.value AS INTEGER)"
    " THEN CAST(v.value AS INTEGER) ELSE 'nan' END"
)
"""A value as exact integer text (a date as its day number), else 'nan'."""
_EXACT_SQL: Final = (
    "(v.value IS NOT NULL AND v.vtype <> 'date'"
    " AND (v.vtype = 'float' OR v.value <> CAST(v.value AS INTEGER)))"
)
"""The values ``_GROUPED_NUMBER_SQL`` leaves out: floats and non-integral numbers."""
_GROUPED_TEXTS: Final = ("indicator", "text", "raw", "sheet", "cell", "flags")


# --------------------------------------------------------------------------- the store


class Store:
    """Read and write one campaignkit SQLite file; open it with :meth:`Store.open`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        """Wrap an already configured connection; use :meth:`Store.open` instead."""
        self._conn: sqlite3.Connection | None = connection
        self._path = path

    # -- opening and closing ------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path = "campaignkit.db") -> Store:
        """Open the store at ``path``, creating the file and its tables when new.

        ``":memory:"`` opens a private in-memory store (for tests). Raises
        :class:`StoreError` when the file is not SQLite, is SQLite but not a campaignkit
        store, or was written with another schema version.
        """
        memory = str(path) == ":memory:"
        file = Path(path)
        label = ":memory:" if memory else str(file)
        if not memory:
            _check_header(file)
        try:
            conn = sqlite3.connect(
                ":memory:" if memory else file,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{label}: cannot open the store: {exc}") from exc
        try:
            _prepare(conn, label)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_busy(exc):
                raise StoreError(
                    f"{label}: still locked by another process after {BUSY_TIMEOUT_S:g} s"
                ) from exc
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
                raise StoreError(
                    f"{label}: not a SQLite database ({exc}); "
                    "give the path of a campaignkit store or of a new file"
                ) from exc
            raise StoreError(f"{label}: cannot open the store: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, None if memory else file)

    @property
    def path(self) -> Path | None:
        """Return the path of the store file (``None`` for an in-memory store)."""
        return self._path

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        """Return the store itself for a ``with`` block."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store at the end of a ``with`` block."""
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self._label()}: the store is closed")
        return self._conn

    def _label(self) -> str:
        return ":memory:" if self._path is None else str(self._path)

    # -- writing ------------------------------------------------------------------

    def sync_units(self, campaign: CampaignLike) -> int:
        """Insert or update the campaign's units; return how many the spec has.

        Units no longer in the spec are kept (stored returns may refer to them).
        """
        _check_text("campaign id", campaign.id)
        rows = [
            (campaign.id, u.code, u.name, u.parent, str(getattr(u.level, "value", u.level)))
            for u in campaign.units
        ]
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO units (campaign, code, name, parent, level) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (campaign, code) DO UPDATE SET"
                " name = excluded.name, parent = excluded.parent, level = excluded.level",
                rows,
            )
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return len(rows)

    def write_file(
        self, campaign_id: str, f: FileIn, *, now: dt.datetime | None = None
    ) -> FileResult:
        """Write everything read from one file in one transaction, all or nothing.

        Each submission is compared with the current revision of its unit × round: equal
        content (values, texts and return type) is ``'unchanged'`` and writes nothing; no
        revision yet is ``'new'`` (revision 1); otherwise it is ``'revised'`` and stored as
        revision max + 1, which becomes current unless it was received before the current
        one. A resend equal to an older revision from the same file or received the same
        day is also ``'unchanged'``, so re-ingesting a folder of old and new versions
        changes nothing. Progress-log and ledger rows follow the same rules per key (unit ×
        milestone; unit × date × plan × venue × township × occurrence in the file), received
        on ``f.received_on`` or else the day of ``now``. ``now`` (timezone-aware, default:
        the current time) is recorded as ``ingested_at``. Any exception rolls the whole file
        back and is re-raised.
        """
        stamp, day = _stamp(now), _day(now)
        _check_text("campaign id", campaign_id)
        _check_file(f)
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = self._write(conn, campaign_id, f, stamp, day)
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return result

    def write_files(
        self, campaign_id: str, files: Iterable[FileIn], *, now: dt.datetime | None = None
    ) -> tuple[FileResult, ...]:
        """Write many files in one transaction, each inside its own savepoint.

        A file that fails is rolled back alone; its result carries the exception in
        ``error`` (and no counts), and the other files are kept. Results are in input
        order. The write lock is held while ``files`` is iterated, so pass files that are
        already parsed. An exception raised by ``files`` itself, or one that ends the whole
        transaction (such as a full disk), rolls everything back and is raised.
        """
        stamp, day = _stamp(now), _day(now)
        _check_text("campaign id", campaign_id)
        conn = self._connection()
        results: list[FileResult] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for f in files:
                conn.execute("SAVEPOINT campaignkit_file")
                try:
                    _check_file(f)
                    result = self._write(conn, campaign_id, f, stamp, day)
                except Exception as exc:
                    if not conn.in_transaction:
                        raise
                    conn.execute("ROLLBACK TO campaignkit_file")
                    conn.execute("RELEASE campaignkit_file")
                    results.append(FileResult((), 0, 0, 0, 0, error=exc))
                else:
                    conn.execute("RELEASE campaignkit_file")
                    results.append(result)
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return tuple(results)

    def _write(
        self, conn: sqlite3.Connection, campaign_id: str, f: FileIn, stamp: str, day: str
    ) -> FileResult:
        cur = conn.cursor()
        cur.execute(
            "INSERT INTO files (sha256, name, size, first_seen, kind) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (sha256) DO NOTHING",
            (f.sha256, f.name, int(f.size), stamp, f.kind),
        )
        results: list[SubmissionResult] = []
        value_rows: list[tuple[Any, ...]] = []
        for s in f.submissions:
            result = _write_submission(cur, campaign_id, f, s, stamp)
            results.append(result)
            if result.status != "unchanged":
                value_rows.extend(_value_row(result.id, v) for v in s.values)
        if value_rows:
            cur.executemany(
                "INSERT INTO submission_values"
                " (submission_id, indicator, vtype, value, text, raw, sheet, cell, flags)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                value_rows,
            )
        received, source = (
            (f.received_on.isoformat(), "option") if f.received_on is not None else (day, "ingest")
        )
        rows = [
            _write_deliverable(cur, campaign_id, f, d, stamp, received, source)
            for d in f.deliverables
        ]
        if f.ledger:
            rows.extend(
                _write_ledger_row(cur, campaign_id, f, r, keys, stamp, received, source)
                for r, keys in zip(f.ledger, _ledger_hashes(f.ledger), strict=True)
            )
        tally = Counter((r.kind, r.status) for r in rows)
        return FileResult(
            submissions=tuple(results),
            deliverables_new=tally["progress", "new"],
            deliverables_unchanged=tally["progress", "unchanged"],
            ledger_new=tally["ledger", "new"],
            ledger_unchanged=tally["ledger", "unchanged"],
            deliverables_revised=tally["progress", "revised"],
            ledger_revised=tally["ledger", "revised"],
            rows=tuple(rows),
        )

    # -- reading ------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Read several times from one consistent state of the file (a read transaction).

        Inside the block every reader sees the store as it was at its first read, even
        while other processes write to it; a nested block joins the outer one. Do not
        write inside the block.

        >>> with Store.open(":memory:") as store, store.snapshot():
        ...     len(store.submissions("c")) == len(store.values("c"))
        True
        """
        conn = self._connection()
        if conn.in_transaction:
            yield self
            return
        conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            _rollback(conn)
            raise
        conn.execute("COMMIT")

    def units(self, campaign_id: str) -> pd.DataFrame:
        """Return the campaign's units as synced: code, name, parent, level (all str)."""
        rows = self._rows(
            "SELECT code, name, parent, level FROM units WHERE campaign = ? ORDER BY code",
            (campaign_id,),
        )
        return _frame(rows, (("code", "str"), ("name", "str"), ("parent", "str"), ("level", "str")))

    def files(self) -> pd.DataFrame:
        """Return every file ever written: sha256, name, size, first_seen, kind.

        ``name`` is the name the file had when first seen; ordered by first_seen.
        """
        rows = self._rows(
            "SELECT sha256, name, size, first_seen, kind FROM files ORDER BY first_seen, name",
            (),
        )
        return _frame(
            rows,
            (
                ("sha256", "str"),
                ("name", "str"),
                ("size", "int"),
                ("first_seen", "ts"),
                ("kind", "str"),
            ),
        )

    def submissions(
        self, campaign_id: str, *, as_of: dt.date | None = None, history: bool = False
    ) -> pd.DataFrame:
        """Return every revision of every submission of the campaign, oldest first.

        Columns: id, campaign, unit, round, return_type, revision, received_on,
        received_from, ingested_at, file_name, file_sha256, complete, content_hash,
        is_current; ordered by unit, round, revision. Revisions withdrawn on or before
        ``as_of`` (default: every withdrawn one) are left out, unless ``history``. Which
        revision counts as of a day is the engine's choice (the latest received by then).
        """
        where, params = self._not_withdrawn("submissions", "s", campaign_id, as_of, history)
        rows = self._rows(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions AS s WHERE campaign = ?{where}"
            " ORDER BY unit, round, revision",
            (campaign_id, *params),
        )
        return _frame(rows, _SUBMISSION_FRAME)

    def history(self, campaign_id: str, unit: str, round: str) -> pd.DataFrame:
        """Return the revisions of one unit × round in revision order (columns as submissions)."""
        rows = self._rows(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions"
            " WHERE campaign = ? AND unit = ? AND round = ? ORDER BY revision",
            (campaign_id, unit, round),
        )
        return _frame(rows, _SUBMISSION_FRAME)

    def values(
        self, campaign_id: str, *, current_only: bool = False, as_of: dt.date | None = None
    ) -> pd.DataFrame:
        """Return stored figures in long format, one row per submission × indicator.

        Columns: submission_id, unit, round, return_type, revision, received_on,
        received_from, complete, is_current, indicator, vtype, value, text, raw, sheet,
        cell, flags, file_name, file_sha256; ordered by unit, round, revision, indicator.
        ``value`` holds the exact Python value written. With ``current_only`` only the
        current revision of each unit × round is returned. To feed numbers to the
        statistics engine use :meth:`value_table`, which is several times faster. Values
        of revisions withdrawn on or before ``as_of`` (default: any) are left out.
        """
        with self.snapshot():
            col = self._value_columns(campaign_id, current_only, _ALL_VALUE_COLUMNS, as_of)
            value = self._decode_value_column(
                col["submission_id"], col["indicator"], col["vtype"], col["value"]
            )
            subs = self.submissions(campaign_id, history=True)
        at = _positions(subs["id"].to_numpy(), col["submission_id"])

        def from_submission(name: str) -> Any:
            return subs[name].array.take(at)

        return pd.DataFrame(
            {
                "submission_id": pd.Series(col["submission_id"], dtype="int64"),
                "unit": from_submission("unit"),
                "round": from_submission("round"),
                "return_type": from_submission("return_type"),
                "revision": from_submission("revision"),
                "received_on": from_submission("received_on"),
                "received_from": from_submission("received_from"),
                "complete": from_submission("complete"),
                "is_current": from_submission("is_current"),
                "indicator": pd.Series(col["indicator"], dtype="str"),
                "vtype": pd.Series(_VTYPE_NAMES[col["vtype"]], dtype="str"),
                "value": pd.Series(value, dtype="object"),
                "text": pd.Series(col["text"], dtype="str"),
                "raw": pd.Series(col["raw"], dtype="str"),
                "sheet": pd.Series(col["sheet"], dtype="str"),
                "cell": pd.Series(col["cell"], dtype="str"),
                "flags": pd.Series(_decode_flag_column(col["flags"]), dtype="object"),
                "file_name": from_submission("file_name"),
                "file_sha256": from_submission("file_sha256"),
            }
        )

    def value_table(
        self,
        campaign_id: str,
        *,
        current_only: bool = False,
        provenance: bool = False,
        as_of: dt.date | None = None,
    ) -> pd.DataFrame:
        """Return stored figures as flat columns, fast enough for millions of values.

        The rows and their order are those of :meth:`values` (unit, round, revision,
        indicator), but the frame is built column by column instead of value by value:

        * ``submission_id``: ``int64``; ``indicator``: ``str``;
        * ``vtype``: ``category`` with the categories :data:`VALUE_TYPES`;
        * ``value``: ``float64`` — numbers as written, yes/no as 1.0/0.0, ``NaN`` when
          missing and for texts and dates (they are not figures);
        * ``date``: ``datetime64[s]``, the day of a ``date`` value, ``NaT`` otherwise;
        * ``text``: ``str``, ``NaN`` when missing;
        * with ``provenance`` also ``raw``, ``sheet``, ``cell`` (``str``) and
          ``file_name`` (``category``).

        Nothing is lost: ``vtype`` with ``value`` and ``date`` give back the exact value
        of :meth:`values` (``int(value)`` for ``int``, ``value == 1.0`` for ``bool``). The
        reason codes (``flags``) are left to :meth:`values` and :meth:`provenance`. With
        ``current_only`` only the current revision of each unit × round is returned. Values
        of revisions withdrawn on or before ``as_of`` (default: any) are left out.
        """
        names = _ENGINE_VALUE_COLUMNS + (_PROVENANCE_VALUE_COLUMNS if provenance else ())
        with self.snapshot():
            col = self._value_columns(campaign_id, current_only, names, as_of)
            files = (
                self._rows(
                    "SELECT id, file_name FROM submissions WHERE campaign = ?", (campaign_id,)
                )
                if provenance
                else []
            )
        kind, number = col["vtype"], col["value"]
        frame: dict[str, Any] = {
            "submission_id": pd.Series(col["submission_id"], dtype="int64"),
            "indicator": pd.Series(col["indicator"], dtype="str"),
            "vtype": pd.Series(pd.Categorical.from_codes(kind, dtype=_VTYPE_DTYPE)),
            "value": pd.Series(np.where(np.isin(kind, _FIGURE_CODES), number, np.nan)),
            "date": pd.Series(_julian_days(number, kind == _DATE_CODE)),
            "text": pd.Series(col["text"], dtype="str"),
        }
        if provenance:
            for name in _PROVENANCE_VALUE_COLUMNS:
                frame[name] = pd.Series(col[name], dtype="str")
            frame["file_name"] = _file_name_column(files, col["submission_id"])
        return pd.DataFrame(frame)

    def _value_columns(
        self,
        campaign_id: str,
        current_only: bool,
        names: Sequence[str],
        as_of: dt.date | None = None,
    ) -> dict[str, np.ndarray]:
        """Fetch columns of the stored figures as arrays, in the order of :meth:`values`.

        ``names`` are keys of ``_VALUE_SELECT``. ``submission_id`` comes back as
        ``int64``, ``vtype`` as ``int8`` codes (the position in VALUE_TYPES, -1 if
        unknown), ``value`` as ``float64`` (the stored number, NaN for NULL), the texts as
        object arrays (None for NULL). Reads one row per submission when it can
        (``_grouped_value_columns``), else one row per value.
        """
        where, extra = self._not_withdrawn("submissions", "s", campaign_id, as_of, False)
        if current_only:
            where += " AND s.is_current = 1"
        params = (campaign_id, *extra)
        grouped = self._grouped_value_columns(campaign_id, where, names, extra)
        if grouped is not None:
            return grouped
        select = ", ".join(_VALUE_SELECT[name][0] for name in names)
        cur = self._connection().execute(
            f"SELECT {select}{_VALUES_FROM.format(where=where)}"
            " ORDER BY s.unit, s.round, s.revision, v.indicator",
            params,
        )
        arrays = _fetch_columns(cur, [_VALUE_SELECT[name][1] for name in names])
        return dict(zip(names, arrays, strict=True))

    def _grouped_value_columns(
        self, campaign_id: str, where: str, names: Sequence[str], extra: tuple[Any, ...] = ()
    ) -> dict[str, np.ndarray] | None:
        """Fetch value columns with one row per submission, or None if the data do not allow.

        Fetching a row per value costs about a microsecond in the sqlite3 module, most of
        the time of a large read. Here SQLite concatenates each column of a submission
        (``group_concat``): numbers with commas, parsed by numpy, and texts with U+001F.
        Every column of a row comes from the same aggregation step, so they stay aligned.
        A code per value gives its vtype and which of its columns are NULL (NULL texts are
        skipped by ``group_concat``). Whole numbers travel as exact integer text and dates
        as their day; the other numbers are fetched one by one in the same order, so no
        value is rounded.

        Returns None — the caller then fetches a row per value — when a text contains
        U+001F or the values of a submission do not come in indicator order. ``extra``
        are the parameters of ``where``.
        """
        params = (campaign_id, *extra)
        # the indicators always come, to check the order the numbers are matched in
        texts = [name for name in _GROUPED_TEXTS if name in names or name == "indicator"]
        nullable = {k: bit for k, bit in _NULL_BITS.items() if k == "value" or k in texts}
        code_sql = _GROUPED_VTYPE_SQL + "".join(
            f" + {bit} * (v.{name} IS NULL)" for name, bit in nullable.items()
        )
        select = ", ".join(
            [
                "s.id",
                "count(*)",
                f"group_concat({code_sql}, ',')",
                f"group_concat({_GROUPED_NUMBER_SQL}, ',')",
                *(f"group_concat(v.{name}, char(31))" for name in texts),
            ]
        )
        rows = self._rows(
            f"SELECT {select}{_VALUES_FROM.format(where=where)}"
            " GROUP BY s.unit, s.round, s.revision ORDER BY s.unit, s.round, s.revision",
            params,
        )
        columns = list(zip(*rows, strict=True)) if rows else [()] * (4 + len(texts))
        counts = np.array(columns[1], dtype=np.int64)
        n = int(counts.sum())
        sid = np.repeat(np.array(columns[0], dtype=np.int64), counts)
        code = _parse_numbers(columns[2], n, np.int64)
        number = _parse_numbers(columns[3], n, np.float64)
        if code is None or number is None:
            return None
        out: dict[str, np.ndarray] = {"submission_id": sid}
        for name, parts in zip(texts, columns[4:], strict=True):
            present = (code & nullable[name]) == 0 if name in nullable else None
            split = _split_texts(
                [p for p in parts if p is not None],
                n if present is None else int(np.count_nonzero(present)),
            )
            if split is None:
                return None
            if present is None:
                out[name] = split
            else:
                out[name] = np.full(n, None, dtype=object)
                out[name][present] = split
        if not _in_indicator_order(sid, out["indicator"]):
            return None
        kind = code & 7
        out["vtype"] = np.where(kind == 7, -1, kind).astype(np.int8)
        number[kind == _DATE_CODE] += _JULIAN_OFFSET
        exact = np.isnan(number) & ((code & nullable["value"]) == 0)
        if exact.any():
            cur = self._connection().execute(
                f"SELECT v.submission_id, v.value{_VALUES_FROM.format(where=where)}"
                f" AND {_EXACT_SQL} ORDER BY s.unit, s.round, s.revision, v.indicator",
                params,
            )
            exact_sid, exact_number = _fetch_columns(cur, ("int64", "float64"))
            if not np.array_equal(exact_sid, sid[exact]):
                return None
            number[exact] = exact_number
        out["value"] = number
        return {name: out[name] for name in names}

    def _decode_value_column(
        self, sid: np.ndarray, indicator: np.ndarray, kind: np.ndarray, number: np.ndarray
    ) -> np.ndarray:
        """Turn vtype codes and stored numbers into the exact Python values (object array).

        Gives what ``_decode_value`` gives row by row, and raises its error for the first
        row it would refuse.
        """
        refused = (kind != _TEXT_CODE) & (kind != _NULL_CODE) & (np.isnan(number) | (kind < 0))
        if refused.any():
            i = int(np.argmax(refused))
            vtype = self._rows(
                "SELECT vtype FROM submission_values WHERE submission_id = ? AND indicator = ?",
                (int(sid[i]), indicator[i]),
            )[0][0]
            x = float(number[i])
            _decode_value(vtype, None if math.isnan(x) else x, int(sid[i]), indicator[i])
            raise AssertionError("unreachable: _decode_value accepted a refused value")
        out = np.full(len(kind), None, dtype=object)
        pick = kind == _INT_CODE
        out[pick] = _exact_ints(number[pick])
        pick = kind == _FLOAT_CODE
        out[pick] = number[pick].astype(object)
        pick = kind == _BOOL_CODE
        out[pick] = (number[pick] != 0).astype(object)
        pick = kind == _DATE_CODE
        if pick.any():
            days, where = np.unique(number[pick], return_inverse=True)
            dates = np.empty(len(days), dtype=object)
            dates[:] = [_decode_value("date", d, 0, "") for d in days.tolist()]
            out[pick] = dates[where]
        return out

    def deliverables(
        self, campaign_id: str, *, as_of: dt.date | None = None, history: bool = False
    ) -> pd.DataFrame:
        """Return the campaign's recorded milestone completions that count as of a day.

        One row per unit × milestone: the revision received last on or before ``as_of``
        (the first one while none had been received), leaving out revisions withdrawn on or
        before ``as_of``; without ``as_of``, the current revision. With ``history`` every
        revision, withdrawn ones included. Columns: id, unit, milestone, done_on, evidence,
        file_name, file_sha256, row, ingested_at, revision, received_on, received_from,
        is_current; ordered by unit, milestone, done_on (with ``history``: revision), id.
        """
        order = "unit, milestone, revision" if history else "unit, milestone, done_on, id"
        rows = self._chain_rows("deliverables", _DELIVERABLE_SELECT, campaign_id, as_of,
                                history, order)
        return _frame(rows, _DELIVERABLE_FRAME)

    def ledger(
        self, campaign_id: str, *, as_of: dt.date | None = None, history: bool = False
    ) -> pd.DataFrame:
        """Return the campaign's activity-ledger rows that count as of a day.

        One row per ledger row key (unit, date, plan, venue, township, occurrence), chosen
        as :meth:`deliverables` chooses; with ``history`` every revision. Columns: id,
        unit, date, sessions, plan, venue, township, materials, consultations, attendees,
        file_name, file_sha256, row, ingested_at, row_hash, revision, received_on,
        received_from, is_current, occurrence; ordered by date, unit, then the key's first
        id (and revision), so the revisions of one key stay together.
        """
        rows = self._chain_rows("ledger", _LEDGER_SELECT, campaign_id, as_of, history,
                                '"date", unit, first_id, revision')
        return _frame(rows, _LEDGER_FRAME)

    def _chain_rows(
        self, table: str, select: str, campaign_id: str, as_of: dt.date | None,
        history: bool, order: str,
    ) -> list[tuple[Any, ...]]:
        """Fetch the rows of a revision-chain table that count as of a day (see deliverables).

        Per key, rows received on or before the day come first, latest received (then
        highest revision) first; when none was, the earliest received comes first.
        """
        day = _END_OF_TIME if as_of is None else as_of.isoformat()
        where, params = self._not_withdrawn(table, "t", campaign_id, as_of, history)
        key = ", ".join(f"t.{name}" for name in _CHAIN_KEYS[table])
        sql = (
            f"SELECT {select} FROM (SELECT t.*, min(t.id) OVER (PARTITION BY {key}) AS first_id,"
            f" row_number() OVER (PARTITION BY {key} ORDER BY t.received_on <= ? DESC,"
            " CASE WHEN t.received_on <= ? THEN t.received_on END DESC,"
            " CASE WHEN t.received_on <= ? THEN t.revision END DESC,"
            " t.received_on, t.revision) AS pick"
            f" FROM {table} AS t WHERE t.campaign = ?{where})"
            f"{'' if history else ' WHERE pick = 1'} ORDER BY {order}"
        )
        return self._rows(sql, (day, day, day, campaign_id, *params))

    def _not_withdrawn(
        self, table: str, alias: str, campaign_id: str, as_of: dt.date | None, history: bool
    ) -> tuple[str, tuple[Any, ...]]:
        """Return SQL (and its parameters) leaving out rows withdrawn on or before ``as_of``.

        Empty when ``history`` or when nothing of the kind was ever withdrawn (the fast
        paths stay as they were).
        """
        if history or not self._rows(
            "SELECT 1 FROM withdrawals WHERE campaign = ? AND kind = ? LIMIT 1",
            (campaign_id, table),
        ):
            return "", ()
        day = _END_OF_TIME if as_of is None else as_of.isoformat()
        return (
            " AND NOT EXISTS (SELECT 1 FROM withdrawals AS w WHERE w.kind = ?"
            f" AND w.row_id = {alias}.id AND w.withdrawn_on <= ?)",
            (table, day),
        )

    def withdrawals(self, campaign_id: str) -> pd.DataFrame:
        """Return every withdrawal recorded in the campaign, in the order they were made.

        Columns: id (the withdrawn row: ``S12``, ``P3``, ``L40``), unit, on (the day from
        which it no longer counts), reason, by, recorded_at.
        """
        rows = self._rows(
            "SELECT kind, row_id, unit, withdrawn_on, reason, withdrawn_by, recorded_at"
            " FROM withdrawals WHERE campaign = ? ORDER BY recorded_at, id",
            (campaign_id,),
        )
        refs = [(_WITHDRAWAL_KINDS[r[0]] + str(r[1]), *r[2:]) for r in rows]
        return _frame(
            refs,
            (("id", "str"), ("unit", "str"), ("on", "date"), ("reason", "str"), ("by", "str"),
             ("recorded_at", "ts")),
        )

    def withdraw(
        self,
        campaign_id: str,
        ref: str,
        *,
        reason: str,
        on: dt.date,
        by: str | None = None,
        now: dt.datetime | None = None,
    ) -> Withdrawal:
        """Withdraw one stored row (``S12``, ``P3``, ``L40``) from ``on`` on; never delete it.

        From ``on`` on the row no longer counts; earlier days still show it. When it was
        the current revision of its unit × round (or row key), the latest other revision
        not withdrawn becomes current again. The withdrawal is recorded with ``reason``,
        ``by`` (default: the login name) and ``now``. Raises :class:`StoreLookupError` for
        an id not in the campaign, :class:`WithdrawnError` when it was withdrawn already,
        :class:`StoreInputError` for an empty reason or a day after today (of ``now``).
        """
        stamp, today = _stamp(now), _day(now)
        _check_text("campaign id", campaign_id)
        _check_date("the withdrawal date", on, "withdraw")
        if not isinstance(reason, str) or not reason.strip():
            raise StoreInputError("withdraw: give a reason (it stays in the history)")
        if on.isoformat() > today:
            raise StoreInputError(
                f"withdraw: {on.isoformat()} is after today ({today}); a withdrawal takes"
                " effect on a day that has come"
            )
        who = by if by and by.strip() else _login()
        table, row_id = _parse_ref(ref, campaign_id)
        key_columns = _CHAIN_KEYS[table]
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute(
                f"SELECT unit, is_current, {', '.join(key_columns)} FROM {table}"
                " WHERE campaign = ? AND id = ?",
                (campaign_id, row_id),
            ).fetchone()
            if found is None:
                raise StoreLookupError(_no_row(ref, campaign_id))
            label = _WITHDRAWAL_KINDS[table] + str(row_id)
            prior = conn.execute(
                "SELECT withdrawn_on, reason, withdrawn_by FROM withdrawals"
                " WHERE kind = ? AND row_id = ?",
                (table, row_id),
            ).fetchone()
            if prior is not None:
                raise WithdrawnError(
                    f"{label} was already withdrawn on {prior[0]} by {prior[2]}"
                    f" (reason: {prior[1]}); a withdrawal stands once made"
                )
            conn.execute(
                "INSERT INTO withdrawals (campaign, kind, row_id, unit, withdrawn_on, reason,"
                " withdrawn_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (campaign_id, table, row_id, found[0], on.isoformat(), reason.strip(), who,
                 stamp),
            )
            again = None
            if found[1]:
                again = _make_current_again(conn, table, campaign_id, key_columns, found[2:])
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return Withdrawal(
            id=label,
            campaign=campaign_id,
            unit=found[0],
            on=on,
            reason=reason.strip(),
            by=who,
            recorded_at=dt.datetime.fromisoformat(stamp),
            current_again=None if again is None else _WITHDRAWAL_KINDS[table] + str(again),
        )

    def provenance(self, submission_id: int, indicator: str) -> Provenance:
        """Return where one stored figure came from; raise StoreLookupError if unknown."""
        rows = self._rows(
            "SELECT s.id, s.campaign, s.unit, s.round, s.revision, s.is_current,"
            " v.indicator, v.vtype, v.value, v.text, v.raw, v.sheet, v.cell, v.flags,"
            " s.file_name, s.file_sha256, s.received_on, s.received_from, s.ingested_at"
            " FROM submission_values AS v JOIN submissions AS s ON s.id = v.submission_id"
            " WHERE v.submission_id = ? AND v.indicator = ?",
            (submission_id, indicator),
        )
        if not rows:
            raise StoreLookupError(
                f"{self._label()}: no value of indicator {indicator!r}"
                f" in submission {submission_id}"
            )
        r = rows[0]
        return Provenance(
            submission_id=r[0],
            campaign=r[1],
            unit=r[2],
            round=r[3],
            revision=r[4],
            is_current=bool(r[5]),
            indicator=r[6],
            value=_decode_value(r[7], r[8], r[0], r[6]),
            text=r[9],
            raw=r[10],
            sheet=r[11],
            cell=r[12],
            flags=_decode_flags(r[13]),
            file_name=r[14],
            file_sha256=r[15],
            received_on=dt.date.fromisoformat(r[16]),
            received_from=r[17],
            ingested_at=dt.datetime.fromisoformat(r[18]),
        )

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, params).fetchall()


# --------------------------------------------------------------------------- withdrawing


def _parse_ref(ref: object, campaign_id: str) -> tuple[str, int]:
    """Read a stable id (``S12``, ``p3``) as (table, id); StoreLookupError if it is none."""
    m = _REF.fullmatch(ref) if isinstance(ref, str) else None
    if m is None or m[1].upper() not in ROW_PREFIXES:
        raise StoreLookupError(_no_row(ref, campaign_id))
    return ROW_PREFIXES[m[1].upper()], int(m[2])


def _no_row(ref: object, campaign_id: str) -> str:
    shown = ref.strip() if isinstance(ref, str) else repr(ref)
    return (
        f"no row {shown} in campaign {campaign_id}: an id is S (a return), P (a progress-log"
        " row) or L (a ledger row) followed by its number"
    )


def _make_current_again(
    conn: sqlite3.Connection, table: str, campaign_id: str, key_columns: Sequence[str],
    key: Sequence[Any],
) -> int | None:
    """Unmark the current revision of a chain and mark the latest one not withdrawn."""
    where = " AND ".join(f"t.{name} = ?" for name in ("campaign", *key_columns))
    params = (campaign_id, *key)
    conn.execute(
        f"UPDATE {table} SET is_current = 0 WHERE id IN"
        f" (SELECT t.id FROM {table} AS t WHERE {where} AND t.is_current = 1)",
        params,
    )
    row = conn.execute(
        f"SELECT t.id FROM {table} AS t WHERE {where} AND NOT EXISTS (SELECT 1 FROM"
        " withdrawals AS w WHERE w.kind = ? AND w.row_id = t.id)"
        " ORDER BY t.received_on DESC, t.revision DESC LIMIT 1",
        (*params, table),
    ).fetchone()
    if row is None:
        return None
    conn.execute(f"UPDATE {table} SET is_current = 1 WHERE id = ?", (row[0],))
    return int(row[0])


def _login() -> str:
    """Return the login name of whoever runs campaignkit ('unknown' if there is none)."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


# --------------------------------------------------------------------------- opening


def _check_header(file: Path) -> None:
    if file.is_dir():
        raise StoreError(f"{file}: is a folder, not a store file")
    if not file.is_file() or file.stat().st_size == 0:
        return
    with file.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        hint = " (it looks like a ZIP/xlsx file)" if head.startswith(b"PK") else ""
        raise StoreError(
            f"{file}: not a SQLite database{hint}, it starts with {head[:8]!r}; "
            "give the path of a campaignkit store or of a new file"
        )


def _prepare(conn: sqlite3.Connection, label: str) -> None:
    """Set the pragmas and make sure the schema is there, retrying while another opens it.

    SQLite does not wait on its busy handler when two processes create a file at once
    (switching a new file to WAL needs an exclusive lock), so retry here, up to the same
    timeout. Both steps are idempotent.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.001
    while True:
        try:
            _configure(conn)
            _ensure_schema(conn, label)
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _is_busy(exc: sqlite3.Error) -> bool:
    name = str(getattr(exc, "sqlite_errorname", ""))
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode not in ("wal", "memory"):
        conn.execute("PRAGMA journal_mode = WAL").fetchone()


def _read_version(conn: sqlite3.Connection, label: str) -> int | None:
    has_meta = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0])
    except (TypeError, ValueError):
        found = "missing" if row is None else repr(row[0])
        raise StoreError(
            f"{label}: schema_version in table meta is {found}, expected {SCHEMA_VERSION}"
        ) from None


def _ensure_schema(conn: sqlite3.Connection, label: str) -> None:
    version = _read_version(conn, label)
    if version is None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _read_version(conn, label)
            if version is None:
                others = conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                ).fetchone()[0]
                if others:
                    raise StoreError(
                        f"{label}: a SQLite database but not a campaignkit store"
                        " (it has tables but no meta table); give another --db file"
                    )
                for statement in _SCHEMA_2:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                version = SCHEMA_VERSION
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
    if version == 1:
        version = _migrate_from_1(conn, label)
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{label}: store schema version {version}, but this campaignkit reads schema"
            f" version {SCHEMA_VERSION}; open it with the campaignkit release that wrote it"
            " or use a new file"
        )


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _migrate_from_1(conn: sqlite3.Connection, label: str) -> int:
    """Migrate a schema 1 store in place, in one transaction; return the version then found.

    Schema 1 kept every progress-log and ledger row side by side. Each unit × milestone's
    rows, and each ledger row key's rows, become one revision chain in the order they were
    stored (ids kept), received on the day they were ingested; the latest is current. A
    ledger row's occurrence in its file is read back from its schema 1 digest.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _read_version(conn, label)
        if version == 1:
            _migrate_rows_from_1(conn)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                         (str(SCHEMA_VERSION),))
            version = SCHEMA_VERSION
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        _rollback(conn)
        if _is_busy(exc):
            raise
        raise StoreError(
            f"{label}: cannot migrate the store from schema version 1 to {SCHEMA_VERSION}"
            f" ({exc}); the file is left as it was — open it with the campaignkit release"
            " that wrote it, or use a new file"
        ) from exc
    except BaseException:
        _rollback(conn)
        raise
    return SCHEMA_VERSION if version is None else version


def _migrate_rows_from_1(conn: sqlite3.Connection) -> None:
    """Rebuild the deliverables and ledger tables of schema 1 as revision chains."""
    conn.execute("ALTER TABLE deliverables RENAME TO deliverables_v1")
    conn.execute("ALTER TABLE ledger RENAME TO ledger_v1")
    for statement in (*_DELIVERABLES_SCHEMA, *_LEDGER_SCHEMA, *_WITHDRAWALS_SCHEMA):
        conn.execute(statement)

    rows = conn.execute(
        'SELECT id, campaign, unit, milestone, done_on, evidence, file_name, file_sha256, "row",'
        " ingested_at FROM deliverables_v1 ORDER BY id"
    ).fetchall()
    chains: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for r in rows:
        chains.setdefault((r[1], r[2], r[3]), []).append(r)
    out: list[tuple[Any, ...]] = []
    for chain in chains.values():
        current = _latest(chain, received=lambda r: _ingest_day(r[9]))
        for revision, r in enumerate(chain, 1):
            received = _ingest_day(r[9])
            digest = _deliverable_hash(dt.date.fromisoformat(r[4]), r[5])
            out.append((r[0], r[1], r[2], r[3], revision, r[4], r[5], received, "ingest",
                        r[6], r[7], r[8], r[9], digest, int(r is current)))
    conn.executemany(
        "INSERT INTO deliverables (id, campaign, unit, milestone, revision, done_on, evidence,"
        ' received_on, received_from, file_name, file_sha256, "row", ingested_at, content_hash,'
        " is_current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        out,
    )

    rows = conn.execute(
        'SELECT id, campaign, unit, "date", sessions, "plan", venue, township, materials,'
        ' consultations, attendees, file_name, file_sha256, "row", ingested_at, row_hash'
        " FROM ledger_v1 ORDER BY id"
    ).fetchall()
    keyed: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    occurrences: dict[int, int] = {}
    in_file: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        content = _ledger_content(tuple(r[2:11]))
        found = _v1_occurrence(content, r[15])
        in_file[(r[12], r[1], r[2:11])] += 1
        n = found if found is not None else in_file[(r[12], r[1], r[2:11])]
        occurrences[r[0]] = n
        keyed.setdefault((r[1], _ledger_row_key(_ledger_key(tuple(r[2:11])), n)), []).append(r)
    out = []
    for (_, row_key), chain in keyed.items():
        current = _latest(chain, received=lambda r: _ingest_day(r[14]))
        for revision, r in enumerate(chain, 1):
            n = occurrences[r[0]]
            out.append((r[0], r[1], *r[2:11], n, row_key, revision, _ingest_day(r[14]),
                        "ingest", r[11], r[12], r[13], r[14],
                        _ledger_row_hash(_ledger_content(tuple(r[2:11])), n),
                        int(r is current)))
    conn.executemany(
        'INSERT INTO ledger (id, campaign, unit, "date", sessions, "plan", venue, township,'
        " materials, consultations, attendees, occurrence, row_key, revision, received_on,"
        ' received_from, file_name, file_sha256, "row", ingested_at, row_hash, is_current)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        out,
    )
    conn.execute("DROP TABLE deliverables_v1")
    conn.execute("DROP TABLE ledger_v1")


def _latest(chain: Sequence[tuple[Any, ...]], received: Any) -> tuple[Any, ...]:
    """Return the row of a chain that is current: the latest received, then the last stored."""
    return max(enumerate(chain), key=lambda pair: (received(pair[1]), pair[0]))[1]


def _ingest_day(stamp: str) -> str:
    """Return the UTC day (ISO text) of an ``ingested_at`` moment."""
    return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).date().isoformat()


def _v1_occurrence(content: str, row_hash: str, limit: int = 10_000) -> int | None:
    """Return n such that schema 1 hashed this ledger row as ``content#n`` (None if none)."""
    for n in range(1, limit + 1):
        if hashlib.sha256(f"{content}#{n}".encode()).hexdigest() == row_hash:
            return n
    return None


# --------------------------------------------------------------------------- writing


def _write_submission(
    cur: sqlite3.Cursor, campaign_id: str, f: FileIn, s: SubmissionIn, stamp: str
) -> SubmissionResult:
    key = (campaign_id, s.unit, s.round)
    digest = _content_hash(s)
    received = s.received_on.isoformat()
    current = cur.execute(
        "SELECT id, revision, content_hash, received_on FROM submissions"
        " WHERE campaign = ? AND unit = ? AND round = ? AND is_current = 1",
        key,
    ).fetchone()
    if current is not None and current[2] == digest:
        return SubmissionResult(s.unit, s.round, "unchanged", current[1], current[0], True)
    if current is not None:
        resend = cur.execute(
            "SELECT id, revision FROM submissions"
            " WHERE campaign = ? AND unit = ? AND round = ? AND content_hash = ?"
            " AND (file_sha256 = ? OR received_on = ?) ORDER BY revision DESC LIMIT 1",
            (*key, digest, f.sha256, received),
        ).fetchone()
        if resend is not None:
            return SubmissionResult(s.unit, s.round, "unchanged", resend[1], resend[0], False)
    top = cur.execute(
        "SELECT max(revision) FROM submissions WHERE campaign = ? AND unit = ? AND round = ?",
        key,
    ).fetchone()[0]
    revision = (top or 0) + 1
    becomes_current = current is None or received >= current[3]
    if current is not None and becomes_current:
        cur.execute("UPDATE submissions SET is_current = 0 WHERE id = ?", (current[0],))
    cur.execute(
        "INSERT INTO submissions (campaign, unit, round, return_type, revision, received_on,"
        " received_from, ingested_at, file_name, file_sha256, complete, content_hash,"
        " is_current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *key,
            s.return_type,
            revision,
            received,
            s.received_from,
            stamp,
            f.name,
            f.sha256,
            int(s.complete),
            digest,
            int(becomes_current),
        ),
    )
    new_id = cur.lastrowid
    assert new_id is not None
    status: SubmissionStatus = "new" if top is None else "revised"
    return SubmissionResult(s.unit, s.round, status, revision, new_id, becomes_current)


def _write_deliverable(
    cur: sqlite3.Cursor, campaign_id: str, f: FileIn, d: DeliverableIn, stamp: str,
    received: str, source: str,
) -> RowResult:
    key = {"unit": d.unit, "milestone": d.milestone}
    digest = _deliverable_hash(d.done_on, d.evidence)

    def insert(revision: int, current: bool) -> int:
        cur.execute(
            "INSERT INTO deliverables (campaign, unit, milestone, revision, done_on, evidence,"
            ' received_on, received_from, file_name, file_sha256, "row", ingested_at,'
            " content_hash, is_current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, d.unit, d.milestone, revision, d.done_on.isoformat(), d.evidence,
             received, source, f.name, f.sha256, _opt_int(d.row), stamp, digest, int(current)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    status, revision, row_id, current = _write_chain(
        cur, "deliverables", "content_hash", campaign_id, key, digest, f.sha256, received, insert
    )
    return RowResult("progress", _opt_int(d.row), d.unit, status, revision, row_id, current)


def _write_ledger_row(
    cur: sqlite3.Cursor, campaign_id: str, f: FileIn, r: LedgerRowIn,
    keys: tuple[str, int, str], stamp: str, received: str, source: str,
) -> RowResult:
    row_key, occurrence, digest = keys

    def insert(revision: int, current: bool) -> int:
        cur.execute(
            'INSERT INTO ledger (campaign, unit, "date", sessions, "plan", venue, township,'
            " materials, consultations, attendees, occurrence, row_key, revision, received_on,"
            ' received_from, file_name, file_sha256, "row", ingested_at, row_hash, is_current)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, *_ledger_fields(r), occurrence, row_key, revision, received, source,
             f.name, f.sha256, _opt_int(r.row), stamp, digest, int(current)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    status, revision, row_id, current = _write_chain(
        cur, "ledger", "row_hash", campaign_id, {"row_key": row_key}, digest, f.sha256,
        received, insert,
    )
    return RowResult("ledger", _opt_int(r.row), r.unit, status, revision, row_id, current)


def _write_chain(
    cur: sqlite3.Cursor, table: str, hash_column: str, campaign_id: str, key: dict[str, str],
    digest: str, file_sha256: str, received: str, insert: Callable[[int, bool], int],
) -> tuple[SubmissionStatus, int, int, bool]:
    """Write one row of a revision chain as ``_write_submission`` writes a return.

    Equal to the current revision of its key: unchanged. Equal to an older revision from
    the same file or received the same day (withdrawn ones included): unchanged, so
    re-reading a folder never brings back what was replaced or withdrawn. Otherwise a new
    revision (max + 1), current unless received before the current one. Returns status,
    revision, id and whether that revision is current.
    """
    where = " AND ".join(f"{name} = ?" for name in ("campaign", *key))
    params = (campaign_id, *key.values())
    current = cur.execute(
        f"SELECT id, revision, {hash_column}, received_on FROM {table}"
        f" WHERE {where} AND is_current = 1",
        params,
    ).fetchone()
    if current is not None and current[2] == digest:
        return "unchanged", current[1], current[0], True
    resend = cur.execute(
        f"SELECT id, revision FROM {table} WHERE {where} AND {hash_column} = ?"
        " AND (file_sha256 = ? OR received_on = ?) ORDER BY revision DESC LIMIT 1",
        (*params, digest, file_sha256, received),
    ).fetchone()
    if resend is not None:
        return "unchanged", resend[1], resend[0], False
    top = cur.execute(f"SELECT max(revision) FROM {table} WHERE {where}", params).fetchone()[0]
    revision = (top or 0) + 1
    becomes_current = current is None or received >= current[3]
    if current is not None and becomes_current:
        cur.execute(f"UPDATE {table} SET is_current = 0 WHERE id = ?", (current[0],))
    new_id = insert(revision, becomes_current)
    return ("new" if top is None else "revised"), revision, new_id, becomes_current


def _normalize(value: object) -> Scalar:
    """Turn numpy scalars into Python ones; leave the accepted Python types alone."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise TypeError(type(value).__name__)


def _encode_value(v: ValueIn) -> tuple[str, float | None]:
    value = _normalize(v.value)
    if value is None:
        return ("text" if v.text is not None else "null"), None
    if isinstance(value, bool):
        return "bool", 1.0 if value else 0.0
    if isinstance(value, int):
        return "int", float(value)
    if isinstance(value, float):
        return "float", value
    return "date", value.toordinal() + _JULIAN_OFFSET


def _decode_value(vtype: str, value: float | None, submission_id: int, indicator: str) -> Scalar:
    if vtype in ("null", "text"):
        return None
    if value is None:
        raise StoreError(
            f"submission {submission_id} › {indicator}: vtype {vtype!r} but no value stored"
        )
    if vtype == "int":
        return int(value)
    if vtype == "float":
        return float(value)
    if vtype == "bool":
        return bool(value)
    if vtype == "date":
        return dt.date.fromordinal(int(value - _JULIAN_OFFSET))
    raise StoreError(f"submission {submission_id} › {indicator}: unknown vtype {vtype!r}")


def _decode_flags(flags: str) -> tuple[str, ...]:
    return tuple(json.loads(flags))


def _value_row(submission_id: int, v: ValueIn) -> tuple[Any, ...]:
    vtype, number = _encode_value(v)
    flags = json.dumps(list(v.flags), ensure_ascii=False)
    return (submission_id, v.indicator, vtype, number, v.text, v.raw, v.sheet, v.cell, flags)


def _canonical(value: Scalar) -> list[str]:
    """Return a type-tagged token of a value; 12 and 12.0 give the same token."""
    if value is None:
        return ["z"]
    if isinstance(value, bool):
        return ["b", "1" if value else "0"]
    if isinstance(value, int):
        return ["n", str(value)]
    if isinstance(value, float):
        return ["n", str(int(value)) if value.is_integer() else repr(value)]
    return ["d", value.isoformat()]


def _content_hash(s: SubmissionIn) -> str:
    """Return a stable digest of the return type and the sorted (indicator, value, text)."""
    items = sorted([v.indicator, *_canonical(_normalize(v.value)), v.text] for v in s.values)
    payload = json.dumps([s.return_type, items], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _ledger_hashes(rows: Sequence[LedgerRowIn]) -> list[tuple[str, int, str]]:
    """Key ledger rows: (row_key, occurrence, row_hash) of each row, in the file's order.

    The n-th row of a file with a given unit, date, plan, venue and township has occurrence
    n: so two events of one day listed in one file are two keys, and a re-ingested (or
    re-exported) ledger matches its rows one to one — an equal row changes nothing, a
    changed one is a new revision of its key.
    """
    seen: Counter[str] = Counter()
    out = []
    for r in rows:
        fields = _ledger_fields(r)
        key = _ledger_key(fields)
        token = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
        seen[token] += 1
        n = seen[token]
        out.append((_ledger_row_key(key, n), n, _ledger_row_hash(_ledger_content(fields), n)))
    return out


def _ledger_fields(r: LedgerRowIn) -> tuple[Any, ...]:
    """The stored content of a ledger row (unit … attendees), as written and as hashed."""
    return (r.unit, r.date.isoformat(), int(r.sessions), r.plan, r.venue, r.township,
            _opt_int(r.materials), _opt_int(r.consultations), _opt_int(r.attendees))


def _ledger_key(fields: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pick the key of a ledger row from its fields: unit, date, plan, venue, township."""
    return (fields[0], fields[1], fields[3], fields[4], fields[5])


def _ledger_content(fields: tuple[Any, ...]) -> str:
    """Return the JSON text of a ledger row's fields (hashed as schema 1 hashed them)."""
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _ledger_row_key(key: tuple[Any, ...], occurrence: int) -> str:
    """Return the digest naming one ledger row key and its occurrence in a file."""
    token = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{token}#{occurrence}".encode()).hexdigest()


def _ledger_row_hash(content: str, occurrence: int) -> str:
    """Return the digest of a ledger row's content and occurrence (``row_hash``)."""
    return hashlib.sha256(f"{content}#{occurrence}".encode()).hexdigest()


def _deliverable_hash(done_on: dt.date, evidence: str | None) -> str:
    """Return the digest of a progress-log row's content: its date and evidence."""
    payload = json.dumps([done_on.isoformat(), evidence], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _opt_int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _day(now: dt.datetime | None) -> str:
    """Return the day of ingest (ISO text): the local date, or the date of ``now`` as given."""
    if now is None:
        return dt.date.today().isoformat()
    return now.date().isoformat()


def _stamp(now: dt.datetime | None) -> str:
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise StoreInputError(f"now must be timezone-aware, got naive {now.isoformat()}")
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------- input checks


def _check_text(what: str, value: object, where: str = "") -> None:
    if not isinstance(value, str) or not value.strip():
        prefix = f"{where}: " if where else ""
        raise StoreInputError(f"{prefix}{what} must be a non-empty string, got {value!r}")


def _check_opt_text(what: str, value: object, where: str) -> None:
    if value is not None and not isinstance(value, str):
        raise StoreInputError(f"{where}: {what} must be a string or None, got {value!r}")


def _check_choice(what: str, value: object, choices: tuple[str, ...], where: str) -> None:
    if value not in choices:
        raise StoreInputError(f"{where}: {what} must be one of {', '.join(choices)}; got {value!r}")


def _check_date(what: str, value: object, where: str) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise StoreInputError(f"{where}: {what} must be a datetime.date, got {value!r}")


def _check_int(what: str, value: object, where: str, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise StoreInputError(f"{where}: {what} must be a whole number, got {value!r}")


def _check_value(v: ValueIn, where: str) -> None:
    _check_text("indicator", v.indicator, where)
    here = f"{where} › {v.indicator}"
    try:
        value = _normalize(v.value)
    except TypeError:
        raise StoreInputError(
            f"{here}: value must be int, float, bool, datetime.date or None,"
            f" got {type(v.value).__name__} {v.value!r}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise StoreInputError(f"{here}: value {value!r} is not a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_EXACT_INT:
        raise StoreInputError(f"{here}: whole number {value} too large to store exactly")
    _check_opt_text("text", v.text, here)
    if not isinstance(v.raw, str):
        raise StoreInputError(f"{here}: raw must be the cell text as a string, got {v.raw!r}")
    _check_opt_text("sheet", v.sheet, here)
    _check_opt_text("cell", v.cell, here)
    if not isinstance(v.flags, tuple) or not all(isinstance(x, str) for x in v.flags):
        raise StoreInputError(f"{here}: flags must be a tuple of strings, got {v.flags!r}")


def _check_submission(s: SubmissionIn, where: str) -> None:
    _check_text("unit", s.unit, where)
    _check_text("round", s.round, where)
    _check_choice("return_type", s.return_type, RETURN_TYPES, where)
    _check_date("received_on", s.received_on, where)
    _check_choice("received_from", s.received_from, RECEIVED_FROM, where)
    if not isinstance(s.complete, bool):
        raise StoreInputError(f"{where}: complete must be True or False, got {s.complete!r}")
    seen: set[str] = set()
    for v in s.values:
        _check_value(v, where)
        if v.indicator in seen:
            raise StoreInputError(f"{where}: indicator {v.indicator!r} given twice")
        seen.add(v.indicator)


def _check_file(f: FileIn) -> None:
    _check_text("file name", f.name)
    where = f.name
    if not isinstance(f.sha256, str) or not _SHA256.fullmatch(f.sha256):
        raise StoreInputError(f"{where}: sha256 must be 64 lowercase hex digits, got {f.sha256!r}")
    _check_int("size", f.size, where)
    _check_choice("kind", f.kind, FILE_KINDS, where)
    if f.received_on is not None:
        _check_date("received_on", f.received_on, where)
    for i, s in enumerate(f.submissions, 1):
        _check_submission(s, f"{where} › submission {i} ({s.unit}/{s.round})")
    for i, d in enumerate(f.deliverables, 1):
        here = f"{where} › row {d.row}" if d.row is not None else f"{where} › deliverable {i}"
        _check_text("unit", d.unit, here)
        _check_text("milestone", d.milestone, here)
        _check_date("done_on", d.done_on, here)
        _check_opt_text("evidence", d.evidence, here)
        _check_int("row", d.row, here, optional=True)
    for i, r in enumerate(f.ledger, 1):
        here = f"{where} › row {r.row}" if r.row is not None else f"{where} › ledger row {i}"
        _check_text("unit", r.unit, here)
        _check_date("date", r.date, here)
        _check_int("sessions", r.sessions, here)
        for name in ("plan", "venue", "township"):
            _check_opt_text(name, getattr(r, name), here)
        for name in ("materials", "consultations", "attendees", "row"):
            _check_int(name, getattr(r, name), here, optional=True)


# --------------------------------------------------------------------------- frames


def _frame(
    rows: Sequence[Sequence[Any]], columns: Sequence[tuple[str, _ColumnKind]]
) -> pd.DataFrame:
    """Build a DataFrame with fixed dtypes, the same whether or not there are rows."""
    return pd.DataFrame(
        {name: _series([r[i] for r in rows], kind) for i, (name, kind) in enumerate(columns)}
    )


def _series(values: list[Any], kind: _ColumnKind) -> pd.Series:
    if kind == "int":
        return pd.Series(values, dtype="int64")
    if kind == "Int":
        return pd.Series(values, dtype="Int64")
    if kind == "str":
        return pd.Series(values, dtype="str")
    if kind == "bool":
        return pd.Series([bool(x) for x in values], dtype="bool")
    if kind == "date":
        dates = [None if x is None else dt.date.fromisoformat(x) for x in values]
        return pd.Series(dates, dtype="object")
    if kind == "ts":
        stamps = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")
        return stamps.astype("datetime64[us, UTC]")
    return pd.Series(values, dtype="object")


def _fetch_columns(cur: sqlite3.Cursor, dtypes: Sequence[str]) -> list[np.ndarray]:
    """Fetch the rows of a query in batches and return its columns as arrays of ``dtypes``.

    ``float64`` columns read NULL as NaN; ``object`` columns keep the Python objects. Only
    one batch of row tuples is alive at a time.
    """
    parts: list[list[np.ndarray]] = [[] for _ in dtypes]
    while rows := cur.fetchmany(_FETCH_ROWS):
        for i, dtype in enumerate(dtypes):
            column = [r[i] for r in rows]
            if dtype == "object":
                array = np.empty(len(column), dtype=object)
                array[:] = column
            else:
                array = np.array(column, dtype=dtype)
            parts[i].append(array)
    return [
        np.concatenate(p) if p else np.empty(0, dtype=dtype)
        for p, dtype in zip(parts, dtypes, strict=True)
    ]


def _positions(ids: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """Return the position in ``ids`` of every submission id in ``sid`` (all must be there)."""
    at = pd.Index(ids).get_indexer(sid)
    if len(at) and at.min() < 0:
        missing = int(sid[int(np.argmin(at))])
        raise StoreError(f"submission {missing} has stored values but is not in the store")
    return np.asarray(at, dtype=np.intp)


def _exact_ints(numbers: np.ndarray) -> np.ndarray:
    """Return ``int(x)`` of every stored number, as an object array of Python ints."""
    if bool(np.all(np.abs(numbers) < 2.0**63)):
        return numbers.astype(np.int64).astype(object)
    out = np.empty(len(numbers), dtype=object)
    out[:] = [int(x) for x in numbers.tolist()]
    return out


def _julian_days(numbers: np.ndarray, is_date: np.ndarray) -> np.ndarray:
    """Turn the julian day numbers of date values into ``datetime64[s]`` (NaT elsewhere)."""
    out = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[s]")
    pick = is_date & ~np.isnan(numbers)
    ordinals = np.trunc(numbers[pick] - _JULIAN_OFFSET).astype(np.int64)
    out[pick] = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
    return out


def _decode_flag_column(flags: np.ndarray) -> np.ndarray:
    """Decode a column of JSON flags into tuples, each distinct text once."""
    codes, texts = pd.factorize(flags)
    decoded = np.empty(len(texts), dtype=object)
    for i, text in enumerate(texts):
        decoded[i] = _decode_flags(text)
    return decoded[codes]


def _file_name_column(files: Sequence[tuple[Any, ...]], sid: np.ndarray) -> pd.Series:
    """Return the file name of every submission id in ``sid`` as a categorical column."""
    ids = np.array([r[0] for r in files], dtype=np.int64)
    codes, names = pd.factorize(np.array([r[1] for r in files], dtype=object), sort=True)
    return pd.Series(
        pd.Categorical.from_codes(
            codes[_positions(ids, sid)], categories=pd.Index(names, dtype="str")
        )
    )


def _parse_numbers(parts: Sequence[str], n: int, dtype: type[np.generic]) -> np.ndarray | None:
    """Parse comma-separated numbers of several groups; None unless exactly ``n`` come out."""
    if n == 0:
        return np.empty(0, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy's note on a short read
        try:
            numbers = np.fromstring(",".join(parts), dtype=dtype, sep=",")
        except ValueError:  # what that note announces
            return None
    return numbers if len(numbers) == n else None


def _split_texts(parts: Sequence[str], n: int) -> np.ndarray | None:
    """Split U+001F-separated texts of several groups; None unless exactly ``n`` come out.

    Groups with the same text (the indicators or the sheet of most returns) are split
    once and share their strings.
    """
    split: dict[str, list[str]] = {}
    groups = [split.get(p) or split.setdefault(p, p.split("\x1f")) for p in parts]
    if sum(map(len, groups)) != n:
        return None
    return np.fromiter(itertools.chain.from_iterable(groups), dtype=object, count=n)


def _in_indicator_order(sid: np.ndarray, indicator: np.ndarray) -> bool:
    """Tell whether the values of each submission come in increasing indicator order."""
    same = sid[1:] == sid[:-1]
    return bool(np.all(indicator[1:][same] > indicator[:-1][same]))
