"""List what the store holds of a campaign, row by row, and read its figures as of a day.

Every stored row has a stable id: ``S12`` a return (a submission revision), ``P3`` a
progress-log row, ``L40`` an activity-ledger row. Each is ``current`` (the revision that
counts now), ``superseded`` (an earlier or replaced revision, kept) or ``withdrawn``
(``campaignkit withdraw``: from its withdrawal day on it no longer counts; the reason, the
day and who withdrew it stay here).

:func:`read_history` reads the store (the I/O edge); :func:`history_json` and
:func:`history_text` only shape what was read. :func:`frames_as_of` gives the statistics
and milestone engines the rows that counted on a day, withdrawals included.

Example (``data_samples/fujian_hkmacao_2021``)::

    >>> from campaignkit import load_campaign
    >>> from campaignkit.store import Store
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> with Store.open(":memory:") as store:
    ...     doc = history_json(c, read_history(store, c.id))
    >>> doc["submissions"], doc["progress"], doc["ledger"]
    ([], [], [])
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from .spec import Campaign
from .stats import Frames, frames_from_store
from .store import Store

__all__ = ["STATUSES", "History", "frames_as_of", "history_json", "history_text",
           "read_history"]

STATUSES: Final = ("current", "superseded", "withdrawn")
"""The status of a stored row in ``history``."""


@dataclass(frozen=True)
class History:
    """Hold every stored row of a campaign: revisions, withdrawn ones and the withdrawals."""

    campaign: str
    submissions: pd.DataFrame
    deliverables: pd.DataFrame
    ledger: pd.DataFrame
    withdrawals: pd.DataFrame


def read_history(store: Store, campaign_id: str) -> History:
    """Read every revision of every row of the campaign, and its withdrawals, at one moment."""
    with store.snapshot():
        return History(
            campaign=campaign_id,
            submissions=store.submissions(campaign_id, history=True),
            deliverables=store.deliverables(campaign_id, history=True),
            ledger=store.ledger(campaign_id, history=True),
            withdrawals=store.withdrawals(campaign_id),
        )


def frames_as_of(store: Store, campaign_id: str, as_of: dt.date | None) -> Frames:
    """Read the engine's tables as they stood on ``as_of`` (``None``: every withdrawal).

    Returns withdrawn on or before ``as_of`` are left out (the engine then takes the latest
    revision received by the day among the others); of progress-log and ledger rows, the
    revision of each key that counted that day. Like ``stats.frames_from_store``, from one
    consistent state of the file.
    """
    return frames_from_store(store, campaign_id, as_of)


def history_json(campaign: Campaign, history: History, unit: str | None = None) -> dict[str, Any]:
    """Build the ``history --json`` document: every row with its id, status and withdrawal.

    Keys: campaign, unit (the ``--unit`` asked for, else null: the unit and the units
    under it are listed), counts {submissions, progress, ledger: {status: n}}, and the
    lists submissions (id, unit, round, revision, received_on, received_from, file,
    ingested_at, complete, status, withdrawal), progress (id, unit, milestone, done_on,
    evidence, revision, received_on, file, row, status, withdrawal) and ledger (id, unit,
    date, sessions, plan, venue, township, materials, consultations, attendees, revision,
    received_on, file, row, status, withdrawal). ``withdrawal`` is null or {on, reason,
    by, recorded_at}.
    """
    scope = None if unit is None else {u.code for u in campaign.iter_units(unit)}
    withdrawn = {
        str(w["id"]): {"on": _iso(w["on"]), "reason": w["reason"], "by": w["by"],
                       "recorded_at": _iso(w["recorded_at"])}
        for w in history.withdrawals.to_dict("records")
    }
    parts = {
        "submissions": _entries(history.submissions, "S", withdrawn, scope, (
            "unit", "round", "revision", "received_on", "received_from", ("file", "file_name"),
            "ingested_at", "complete")),
        "progress": _entries(history.deliverables, "P", withdrawn, scope, (
            "unit", "milestone", "done_on", "evidence", "revision", "received_on",
            ("file", "file_name"), "row")),
        "ledger": _entries(history.ledger, "L", withdrawn, scope, (
            "unit", "date", "sessions", "plan", "venue", "township", "materials",
            "consultations", "attendees", "revision", "received_on", ("file", "file_name"),
            "row")),
    }
    counts = {name: {s: sum(e["status"] == s for e in rows) for s in STATUSES}
              for name, rows in parts.items()}
    return {"campaign": campaign.id, "unit": unit, "counts": counts, **parts}


def history_text(campaign: Campaign, doc: Mapping[str, Any]) -> str:
    """Render the ``history`` document as three tables for a terminal, withdrawals below."""
    where = f" — {campaign.unit(doc['unit']).name} ({doc['unit']}) and below" if doc["unit"] else ""
    lines = [f"{campaign.title} ({campaign.id}): stored rows{where}"]
    tables = (
        ("returns", "submissions",
         ("id", "unit", "round", "revision", "received_on", "status", "file")),
        ("progress-log rows", "progress",
         ("id", "unit", "milestone", "done_on", "revision", "received_on", "status", "file")),
        ("ledger rows", "ledger",
         ("id", "unit", "date", "sessions", "plan", "venue", "township", "revision",
          "received_on", "status", "file")),
    )
    for title, key, columns in tables:
        rows: Sequence[Mapping[str, Any]] = doc[key]
        counts = ", ".join(f"{n} {s}" for s, n in doc["counts"][key].items() if n)
        lines += ["", f"{title}: {len(rows)}" + (f" ({counts})" if counts else "")]
        if rows:
            lines += _table(columns, rows)
        for r in rows:
            w = r["withdrawal"]
            if w is not None:
                lines.append(f"  {r['id']} withdrawn from {w['on']} by {w['by']}: {w['reason']}")
    return "\n".join(lines)


def _entries(frame: pd.DataFrame, prefix: str, withdrawn: Mapping[str, Any],
             scope: set[str] | None, columns: Iterable[str | tuple[str, str]]
             ) -> list[dict[str, Any]]:
    """Turn the rows of a store frame into history entries, in the frame's order."""
    out = []
    for rec in frame.to_dict("records"):
        if scope is not None and rec["unit"] not in scope:
            continue
        ident = f"{prefix}{int(rec['id'])}"
        entry: dict[str, Any] = {"id": ident}
        for col in columns:
            name, source = col if isinstance(col, tuple) else (col, col)
            entry[name] = _plain(rec[source])
        w = withdrawn.get(ident)
        entry["status"] = ("withdrawn" if w is not None
                           else "current" if rec["is_current"] else "superseded")
        entry["withdrawal"] = w
        out.append(entry)
    return out


def _plain(value: Any) -> Any:
    """Turn a frame cell into a JSON value: dates as ISO text, missing as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return _iso(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value.isoformat())


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cells = [list(columns)] + [["" if r[c] is None else str(r[c]) for c in columns] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    return ["  " + "  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
            for row in cells]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
