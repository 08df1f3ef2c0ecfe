"""Answer "where do we stand as of date D": values, roll-ups, reporting rates, rankings, plans.

Pure functions over pandas DataFrames held in one frozen ``Frames`` (returns, their values,
recorded deliverables and the activity ledger); nothing here touches the disk. The rules
(docs/design-notes.md, Statistics; DHIS2's definitions):

* the value of a unit × round as of D comes from the latest revision **received** on or before
  D (never filtered on the round's period end: Fujian's table runs 截至1月底 and is due 1-20);
* a parent with a consolidated return uses it, and the difference to what its children add up
  to is reported, never silently added; otherwise its own return plus its children, by each
  indicator's aggregation (sum, mean, weighted_mean, min, max; none is never rolled up);
* derived indicators (formulas) and named measures are recomputed from the rolled-up parts at
  every level, with the unit figures (``townships``) of the same units; a zero denominator
  gives N/A (None), never 0;
* only returns of a round's reporters count: a return from a unit the round does not expect
  (ingest keeps it, with a ``not_a_reporter`` warning) is listed by ``received_not_used`` and
  used in no figure (``returns_used`` is the one filter every figure goes through);
* a return is on time when the unit completed the round on or before its deadline — by its
  first complete return, or as its round's ``completed_by`` says (a city completed by its
  districts: the day the last of them did; ``round_completion``); revisions change values,
  never timeliness; each expected reporter counts once, so a rate never exceeds 100%; up to
  the deadline a unit with nothing in is ``not_yet_due`` and does not lower a rate;
* figures are rounded as officials round (四舍五入, ``rounding.round_half_up``): rates to one
  decimal, ranked on the printed figure; a consolidated figure is compared with its children
  at the precision its form asks for (the indicator's ``decimals``).

>>> from datetime import date
>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> f = frames_from_lists(submissions=[
...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
...      "return_type": "consolidated", "values": {"sessions": 12, "materials": 3000}},
...     {"unit": "FJ02", "round": "final", "received_on": "2022-01-25",
...      "return_type": "consolidated", "values": {"sessions": 8, "materials": 1500}}])
>>> rollup(c, f, "FJ", date(2022, 1, 31)).value("sessions")
20.0
>>> reporting(c, f, date(2022, 1, 31)).loc["FJ", ["expected", "received", "on_time"]].tolist()
[10, 2, 1]
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .rounding import RATE_DECIMALS, round_half_up
from .spec import Campaign, Indicator, fold_name

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "DELIVERABLE_COLUMNS",
    "LEDGER_COLUMNS",
    "META_COLUMNS",
    "PLAN_STATUSES",
    "SUBMISSION_COLUMNS",
    "VALUE_COLUMNS",
    "Frames",
    "Hierarchy",
    "Outlier",
    "Rollup",
    "children_table",
    "coverage_basis",
    "evaluate_returns",
    "format_table",
    "frames_from_lists",
    "frames_from_store",
    "hierarchy",
    "indicator_label",
    "outliers",
    "plan_vs_actual",
    "progress",
    "rank_labels",
    "received_not_used",
    "reporter_status",
    "reporting",
    "returns_used",
    "rollup",
    "rollup_rows",
    "rollups",
    "round_completion",
    "stats_json",
    "stats_text",
    "time_progress",
    "trace",
    "values_as_of",
]

DateLike = date | datetime | str | pd.Timestamp

SUBMISSION_COLUMNS = (
    "id", "unit", "round", "return_type", "revision", "received_on", "received_from",
    "ingested_at", "file_name", "file_sha256", "complete", "is_current",
)
VALUE_COLUMNS = ("submission_id", "indicator", "value", "text", "sheet", "cell", "raw",
                 "file_name")
DELIVERABLE_COLUMNS = ("unit", "milestone", "done_on", "evidence", "file_name")
LEDGER_COLUMNS = ("unit", "date", "sessions", "plan", "venue", "township", "materials",
                  "consultations", "attendees")
META_COLUMNS = ("_submission_id", "_revision", "_received_on", "_return_type", "_complete",
                "_file_name")
"""Columns ``values_as_of`` adds next to the indicators (ids never start with ``_``)."""

_TEXT_TYPES = frozenset({"text", "url"})


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------
def _as_date(value: DateLike) -> date:
    """Turn a date, a datetime, a Timestamp or ISO text into a ``datetime.date``."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _ordinals(series: pd.Series) -> np.ndarray:
    """Day numbers (``date.toordinal``) of a datetime64 column, NaN where missing."""
    values = pd.to_datetime(series, errors="coerce")
    out = np.full(len(values), np.nan)
    ok = values.notna().to_numpy()
    if ok.any():
        days = values.to_numpy()[ok].astype("datetime64[D]").astype("int64")
        out[ok] = days + _EPOCH
    return out


_EPOCH = date(1970, 1, 1).toordinal()


def _num(value: object) -> float | None:
    """Read a table cell as a float (None when missing, N/A or not a number)."""
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(cast(Any, value))
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _text(value: object) -> str | None:
    """Read a table cell as text (None when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _from_ordinal(day: float) -> date | None:
    """Turn a day number back into a date (None for NaN)."""
    return None if day is None or math.isnan(day) else date.fromordinal(int(day))


# ---------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------
def _datetime_column(series: pd.Series) -> pd.Series:
    out = pd.to_datetime(series, errors="coerce")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize(None)
    return out.dt.normalize()


def _float_column(series: pd.Series) -> pd.Series:
    if series.dtype.kind in "fiub":
        return series.astype("float64")
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _with_columns(frame: pd.DataFrame, columns: Sequence[str],
                  defaults: Mapping[str, Any]) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            out[col] = defaults.get(col)
    return out


@dataclass(frozen=True)
class Frames:
    """Hold the four input tables of the engine, normalised once on construction.

    * ``submissions``: one row per revision of a return — id, unit, round, return_type
      (``consolidated``/``own``), revision, received_on, received_from, ingested_at,
      file_name, file_sha256, complete, is_current;
    * ``values``: long format — submission_id, indicator, value (float, NaN when missing;
      yes/no as 1.0/0.0), text, and sheet, cell, raw, file_name for provenance;
    * ``deliverables``: unit, milestone (the milestone id or its deliverable name), done_on,
      evidence, file_name;
    * ``ledger``: unit, date, sessions, plan (plan row id or theme), venue, township,
      materials, consultations, attendees.

    Dates become ``datetime64`` columns, values floats; missing columns are added empty.
    Extra columns (such as the store's ``unit``/``round`` on values) are kept.

    >>> f = frames_from_lists(submissions=[{"unit": "FJ01", "round": "final",
    ...     "received_on": "2022-01-18", "values": {"sessions": 12}}])
    >>> f.values[["submission_id", "indicator", "value"]].values.tolist()
    [[1, 'sessions', 12.0]]
    """

    submissions: pd.DataFrame
    values: pd.DataFrame
    deliverables: pd.DataFrame
    ledger: pd.DataFrame
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        subs = _with_columns(self.submissions, SUBMISSION_COLUMNS,
                             {"return_type": "own", "revision": 1, "complete": True,
                              "received_from": "ingest", "is_current": True})
        subs["id"] = pd.to_numeric(subs["id"]).astype("int64")
        subs["revision"] = pd.to_numeric(subs["revision"]).fillna(1).astype("int64")
        subs["received_on"] = _datetime_column(subs["received_on"])
        subs["complete"] = subs["complete"].fillna(True).astype(bool)
        subs["is_current"] = subs["is_current"].fillna(True).astype(bool)
        subs["unit"] = subs["unit"].astype(str)
        subs["round"] = subs["round"].astype(str)
        subs["return_type"] = subs["return_type"].fillna("own").astype(str)

        vals = _with_columns(self.values, VALUE_COLUMNS, {})
        vals["submission_id"] = pd.to_numeric(vals["submission_id"]).astype("int64")
        vals["value"] = _float_column(vals["value"])
        vals["indicator"] = vals["indicator"].astype(str)

        dels = _with_columns(self.deliverables, DELIVERABLE_COLUMNS, {})
        dels["done_on"] = _datetime_column(dels["done_on"])
        dels["unit"] = dels["unit"].astype(str)
        dels["milestone"] = dels["milestone"].astype(str)

        led = _with_columns(self.ledger, LEDGER_COLUMNS, {})
        led["date"] = _datetime_column(led["date"])
        led["sessions"] = _float_column(led["sessions"]).fillna(0.0)
        led["unit"] = led["unit"].astype(str)
        for name, frame in (("submissions", subs), ("values", vals), ("deliverables", dels),
                            ("ledger", led)):
            object.__setattr__(self, name, frame.reset_index(drop=True))

    def indicator_codes(self, ids: Sequence[str]) -> np.ndarray:
        """Return, per row of ``values``, the position of its indicator in ``ids`` (or -1)."""
        if "factorized" not in self._cache:
            self._cache["factorized"] = pd.factorize(self.values["indicator"])
        codes, uniques = self._cache["factorized"]
        where = pd.Index(list(ids)).get_indexer(pd.Index(uniques))
        where = np.append(where, -1)  # code -1 (missing indicator) maps to -1
        return np.asarray(where[codes], dtype="int64")


def frames_from_lists(
    submissions: Iterable[Mapping[str, Any]] = (),
    values: Iterable[Mapping[str, Any]] = (),
    deliverables: Iterable[Mapping[str, Any]] = (),
    ledger: Iterable[Mapping[str, Any]] = (),
) -> Frames:
    """Build ``Frames`` from plain lists of dicts (tests, notebooks, examples).

    A submission may carry its figures inline as ``"values": {indicator: value}`` (a str
    value goes to ``text``, a bool to 1.0/0.0). Defaults: ``id`` counts from 1,
    ``revision`` counts the unit × round's earlier entries (+1), ``return_type`` ``own``,
    ``complete`` True; ``is_current`` marks the latest revision.

    >>> f = frames_from_lists(
    ...     submissions=[{"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
    ...                   "values": {"sessions": 12}},
    ...                  {"unit": "FJ01", "round": "final", "received_on": "2022-01-26",
    ...                   "values": {"sessions": 14}}],
    ...     deliverables=[{"unit": "FJ01", "milestone": "m_summary_report",
    ...                    "done_on": "2022-01-19"}])
    >>> f.submissions[["id", "revision", "is_current"]].values.tolist()
    [[1, 1, False], [2, 2, True]]
    """
    sub_rows: list[dict[str, Any]] = []
    val_rows: list[dict[str, Any]] = list(dict(v) for v in values)
    seen: dict[tuple[str, str], int] = {}
    for n, raw in enumerate(submissions, start=1):
        row = {k: v for k, v in raw.items() if k != "values"}
        row.setdefault("id", n)
        key = (str(row["unit"]), str(row["round"]))
        seen[key] = seen.get(key, 0) + 1
        row.setdefault("revision", seen[key])
        row.setdefault("return_type", "own")
        row.setdefault("complete", True)
        row.setdefault("received_from", "form")
        row.setdefault("file_name", f"{row['unit']}_{row['round']}_r{row['revision']}.xlsx")
        sub_rows.append(row)
        for ind, v in (raw.get("values") or {}).items():
            text = v if isinstance(v, str) else None
            number = None if isinstance(v, str) or v is None else float(v)
            val_rows.append({"submission_id": row["id"], "indicator": ind, "value": number,
                             "text": text, "raw": "" if v is None else str(v),
                             "file_name": row["file_name"]})
    subs = pd.DataFrame(sub_rows, columns=list(dict.fromkeys([*SUBMISSION_COLUMNS,
                                                             *(k for r in sub_rows for k in r)])))
    if "is_current" not in {k for r in sub_rows for k in r} and len(subs):
        top = subs.groupby(["unit", "round"])["revision"].transform("max")
        subs["is_current"] = subs["revision"] == top
    return Frames(
        submissions=subs,
        values=pd.DataFrame(val_rows, columns=list(dict.fromkeys(
            [*VALUE_COLUMNS, *(k for r in val_rows for k in r)]))),
        deliverables=pd.DataFrame([dict(d) for d in deliverables],
                                  columns=list(DELIVERABLE_COLUMNS)),
        ledger=pd.DataFrame([dict(r) for r in ledger], columns=list(LEDGER_COLUMNS)),
    )


def frames_from_store(store: Store, campaign_id: str, as_of: date | None = None) -> Frames:
    """Read a campaign's returns, values, deliverables and ledger from an open store.

    All four tables come from one consistent state of the store (``Store.snapshot``).
    The values are read with ``Store.value_table`` (numbers as floats, built column by
    column) with their provenance — raw, sheet, cell, file_name — for ``trace``. With
    ``as_of``, the tables stand as they did that day: returns withdrawn on or before it are
    left out, and of progress-log and ledger rows the revision of each key that counted.

    >>> from campaignkit.store import Store
    >>> with Store.open(":memory:") as s:
    ...     len(frames_from_store(s, "hubei_huimin_2024").submissions)
    0
    """
    with store.snapshot():
        submissions = store.submissions(campaign_id, as_of=as_of)
        values = store.value_table(campaign_id, provenance=True, as_of=as_of)
        deliverables = store.deliverables(campaign_id, as_of=as_of)
        ledger = store.ledger(campaign_id, as_of=as_of)
    return Frames(submissions=submissions, values=values, deliverables=deliverables,
                  ledger=ledger)


# ---------------------------------------------------------------------------------------
# The hierarchy and the indicators, as arrays
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hierarchy:
    """The campaign's units as arrays: position, parent position (-1 at the top), depth."""

    codes: tuple[str, ...]
    pos: Mapping[str, int]
    parent: np.ndarray
    depth: np.ndarray
    levels: np.ndarray
    by_depth: tuple[np.ndarray, ...]
    is_leaf: np.ndarray
    figures: Mapping[str, np.ndarray]

    def subtree(self, code: str) -> np.ndarray:
        """Return a boolean mask of ``code`` and every unit below it."""
        mask = np.zeros(len(self.codes), dtype=bool)
        start = self.pos[code]
        mask[start] = True
        for d in range(int(self.depth[start]) + 1, len(self.by_depth)):
            idx = self.by_depth[d]
            mask[idx] = mask[self.parent[idx]]
        return mask

    def fold_up(self, counts: np.ndarray) -> np.ndarray:
        """Add every unit's count into all its ancestors (a subtree total per unit)."""
        out = np.asarray(counts, dtype="float64").copy()
        for d in range(len(self.by_depth) - 1, 0, -1):
            idx = self.by_depth[d]
            np.add.at(out, self.parent[idx], out[idx])
        return out


def hierarchy(campaign: Campaign, figure_names: Iterable[str] = ("townships",)) -> Hierarchy:
    """Index the campaign's units for vectorised roll-ups.

    >>> from campaignkit import load_campaign
    >>> h = hierarchy(load_campaign("data_samples/hubei_huimin_2024/campaign.yaml"))
    >>> len(h.codes), len(h.by_depth), int(h.subtree("HB01").sum())
    (123, 3, 14)
    """
    codes = tuple(u.code for u in campaign.units)
    pos = {c: i for i, c in enumerate(codes)}
    parent = np.array([pos.get(u.parent, -1) if u.parent is not None else -1
                       for u in campaign.units], dtype="int64")
    depth = np.full(len(codes), -1, dtype="int64")
    for i in range(len(codes)):
        chain: list[int] = []
        j = i
        while j >= 0 and depth[j] < 0 and len(chain) <= len(codes):
            chain.append(j)
            j = int(parent[j])
        base = int(depth[j]) if j >= 0 else -1
        for node in reversed(chain):
            base += 1
            depth[node] = base
    max_depth = int(depth.max()) if len(codes) else 0
    by_depth = tuple(np.flatnonzero(depth == d) for d in range(max_depth + 1))
    has_child = np.zeros(len(codes), dtype=bool)
    has_child[parent[parent >= 0]] = True
    figs = {name: np.array([u.figures.get(name, np.nan) for u in campaign.units], dtype="float64")
            for name in figure_names}
    return Hierarchy(codes, pos, parent, depth, np.array([u.level for u in campaign.units]),
                     by_depth, ~has_child, figs)


_SUM, _MEAN, _WMEAN, _MIN, _MAX, _NONE = range(6)
_AGG_CODE = {"sum": _SUM, "mean": _MEAN, "weighted_mean": _WMEAN, "min": _MIN, "max": _MAX,
             "none": _NONE}


@dataclass(frozen=True)
class _Spec:
    """What the engine needs from the campaign, computed once per call."""

    numeric: tuple[str, ...]          # input indicators read as numbers (incl. yes_no)
    texts: tuple[str, ...]            # input text/url indicators
    agg: tuple[str, ...]              # numeric input indicators rolled by aggregation
    derived: tuple[Indicator, ...]    # indicators with a formula, in evaluation order
    figures: tuple[str, ...]          # unit figures read by formulas (townships …)
    order: tuple[str, ...]            # numeric indicators (inputs and derived) in spec order
    # columns of the roll-up matrix (agg ids, then figures) grouped by how they fold
    col_ids: tuple[str, ...]
    col_kind: np.ndarray
    weight_of: Mapping[int, int]      # roll-up column → column of ``numeric`` holding the weight
    n_add: int
    n_min: int
    n_max: int


def _spec(campaign: Campaign) -> _Spec:
    numeric = tuple(i.id for i in campaign.indicators if i.input and i.type not in _TEXT_TYPES)
    texts = tuple(i.id for i in campaign.indicators if i.input and i.type in _TEXT_TYPES)
    agg = tuple(i.id for i in campaign.indicators
                if i.input and i.type not in _TEXT_TYPES and i.formula is None)
    ind_ids = {i.id for i in campaign.indicators}
    measure_ids = {m.id for m in campaign.measures}
    names: set[str] = set()
    for i in campaign.indicators:
        if i.formula is not None:
            names |= i.formula.names
    for m in campaign.measures:
        names |= m.formula.names
    for ms in campaign.milestones:
        if ms.completion.condition is not None:
            names |= ms.completion.condition.names
    figures = tuple(sorted((names - ind_ids - measure_ids) | {"townships"}))
    # derived indicators in an order where each one's derived inputs come first
    pending = [i for i in campaign.indicators if i.formula is not None]
    derived: list[Indicator] = []
    done: set[str] = set()
    derived_ids = {i.id for i in pending}
    while pending:
        ready = [i for i in pending
                 if i.formula is not None and (i.formula.names & derived_ids) <= done]
        if not ready:  # a cycle: evaluate the rest in spec order (missing inputs → N/A)
            ready = pending[:1]
        for i in ready:
            derived.append(i)
            done.add(i.id)
            pending.remove(i)
    order = tuple(i.id for i in campaign.indicators if i.type not in _TEXT_TYPES
                  and (i.input or i.formula is not None))
    kinds = [_AGG_CODE[campaign.indicator(a).aggregate] for a in agg] + [_SUM] * len(figures)
    ids = [*agg, *figures]
    # group the columns: additive (sum, mean, weighted_mean), then min, then max, then none
    group = {_SUM: 0, _MEAN: 0, _WMEAN: 0, _MIN: 1, _MAX: 2, _NONE: 3}
    perm = sorted(range(len(ids)), key=lambda j: (group[kinds[j]], j))
    col_ids = tuple(ids[j] for j in perm)
    col_kind = np.array([kinds[j] for j in perm], dtype="int64")
    num_pos = {n: k for k, n in enumerate(numeric)}
    weight_of: dict[int, int] = {}
    for j, cid in enumerate(col_ids):
        if col_kind[j] == _WMEAN:
            w = campaign.indicator(cid).weight
            if w is not None and w in num_pos:
                weight_of[j] = num_pos[w]
    counts = [sum(1 for k in col_kind if group[int(k)] == g) for g in range(3)]
    return _Spec(numeric, texts, agg, tuple(derived), figures, order, col_ids, col_kind,
                 weight_of, counts[0], counts[1], counts[2])


def _derive(campaign: Campaign, spec: _Spec, env: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                           pd.DataFrame]:
    """Add derived indicators to ``env`` (in place) and return (env, measures)."""
    for ind in spec.derived:
        assert ind.formula is not None
        env[ind.id] = ind.formula.evaluate_frame(env).astype("float64")
    measures = pd.DataFrame(index=env.index)
    for m in campaign.measures:
        measures[m.id] = m.formula.evaluate_frame(env).astype("float64")
    return env, measures


# ---------------------------------------------------------------------------------------
# Selecting returns as of a date
# ---------------------------------------------------------------------------------------
def returns_used(campaign: Campaign, submissions: pd.DataFrame) -> np.ndarray:
    """Mark the returns figures may use: those of a unit that is a reporter of their round.

    A return from any other unit (a county sending a round only cities and divisions return)
    is kept in the store but counts nowhere: not in its parent's roll-up, a consolidated
    difference, a share, a ranking, an outlier, a coverage or a reporting rate.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": "HB01", "round": "final", "received_on": "2024-12-10"},
    ...     {"unit": "HB0101", "round": "final", "received_on": "2024-12-10"}])
    >>> returns_used(c, f.submissions).tolist()
    [True, False]
    """
    keep = np.zeros(len(submissions), dtype=bool)
    if not len(submissions):
        return keep
    rounds = submissions["round"].to_numpy()
    units = submissions["unit"]
    for r in campaign.rounds:
        codes = [u.code for u in campaign.reporters(r.id)]
        keep |= (rounds == r.id) & units.isin(codes).to_numpy()
    return keep


def _select(campaign: Campaign, frames: Frames, as_of: date,
            round_id: str | None = None) -> pd.DataFrame:
    """One row per unit × round: the latest used revision received on or before ``as_of``."""
    subs = frames.submissions
    keep: np.ndarray = (subs["received_on"] <= pd.Timestamp(as_of)).to_numpy()
    keep = keep & returns_used(campaign, subs)
    if round_id is not None:
        keep = keep & (subs["round"] == round_id).to_numpy()
    s: pd.DataFrame = subs.loc[keep]
    s = s.sort_values(["unit", "round", "received_on", "revision", "id"], kind="stable")
    return s.drop_duplicates(["unit", "round"], keep="last")


def _wide(frames: Frames, sub_ids: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Matrix of values: one row per submission id, one column per indicator id."""
    out = np.full((len(sub_ids), len(ids)), np.nan)
    if not len(sub_ids) or not len(ids) or not len(frames.values):
        return out
    vals = frames.values
    rows = pd.Index(np.asarray(sub_ids, dtype="int64")).get_indexer(
        vals["submission_id"].to_numpy())
    cols = frames.indicator_codes(ids)
    ok = (rows >= 0) & (cols >= 0)
    out[rows[ok], cols[ok]] = vals["value"].to_numpy()[ok]
    return out


def _texts(frames: Frames, sub_ids: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Like ``_wide`` for text indicators (object matrix, None when missing)."""
    out = np.full((len(sub_ids), len(ids)), None, dtype=object)
    if not len(sub_ids) or not len(ids) or not len(frames.values):
        return out
    vals = frames.values
    pick = vals["indicator"].isin(list(ids)).to_numpy()
    if not pick.any():
        return out
    sub = vals.loc[pick]
    rows = pd.Index(np.asarray(sub_ids, dtype="int64")).get_indexer(
        sub["submission_id"].to_numpy())
    cols = pd.Index(list(ids)).get_indexer(pd.Index(sub["indicator"]))
    ok = (rows >= 0) & (cols >= 0)
    texts = sub["text"].to_numpy(dtype=object)
    clean = np.array([None if (t is None or (isinstance(t, float) and math.isnan(t)))
                      else str(t) for t in texts[ok]], dtype=object)
    out[rows[ok], cols[ok]] = clean
    return out


def values_as_of(campaign: Campaign, frames: Frames, as_of: DateLike,
                 round_id: str | None = None) -> pd.DataFrame:
    """Return each unit's own figures of a round as of a date (unit × indicator, wide).

    One row per reporter of the round that has a return received on or before ``as_of``: the
    latest such revision (by received date, then revision); other units' returns are not
    used (``received_not_used``). Columns: the input indicators as
    reported (numbers as floats, yes/no as 1.0/0.0, text as str), then ``_submission_id``,
    ``_revision``, ``_received_on``, ``_return_type``, ``_complete`` and ``_file_name`` —
    the submission every value of the row came from. ``round_id`` defaults to the final
    round. Derived figures are not recomputed here: see ``rollup``.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
    ...      "values": {"sessions": 12}},
    ...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-26",
    ...      "values": {"sessions": 14}}])
    >>> row = values_as_of(c, f, "2022-01-20").loc["FJ01"]
    >>> float(row["sessions"]), int(row["_revision"]), row["_received_on"].isoformat()
    (12.0, 1, '2022-01-18')
    """
    day = _as_date(as_of)
    rnd = campaign.round(round_id)
    spec = _spec(campaign)
    sel = _select(campaign, frames, day, rnd.id)
    order = {u.code: i for i, u in enumerate(campaign.units)}
    sel = sel.assign(_pos=sel["unit"].map(order))
    sel = sel[sel["_pos"].notna()].sort_values("_pos", kind="stable")
    ids = sel["id"].to_numpy()
    return _returns_frame(campaign, spec, sel, _wide(frames, ids, spec.numeric),
                          _texts(frames, ids, spec.texts))


def evaluate_returns(campaign: Campaign, frames: Frames, as_of: DateLike,
                     round_id: str | None = None, *,
                     units: Iterable[str] | None = None) -> pd.DataFrame:
    """Evaluate every used return (each revision) received by ``as_of`` on its own figures.

    One row per submission (index: submission id) with unit, round, revision,
    received_on, return_type, complete, the numeric input indicators, the unit's figures
    (its own ``townships`` …), derived indicators recomputed from that return alone, and
    the named measures. ``round_id`` None keeps every round. Milestone conditions
    (``township_coverage >= 100``) are judged on these rows.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "HB06", "round": "midyear",
    ...     "received_on": "2024-06-29", "return_type": "consolidated",
    ...     "values": {"townships_covered": 17, "village_sessions": 5}}])
    >>> e = evaluate_returns(c, f, "2024-07-01")
    >>> e.loc[1, ["townships", "township_coverage", "five_venues_rate"]].tolist()
    [17.0, 100.0, 20.0]
    """
    day = _as_date(as_of)
    spec = _spec(campaign)
    tree = hierarchy(campaign, spec.figures)
    subs = frames.submissions
    keep = (subs["received_on"] <= pd.Timestamp(day)).to_numpy() & returns_used(campaign, subs)
    if round_id is not None:
        keep = keep & (subs["round"] == campaign.round(round_id).id).to_numpy()
    if units is not None:
        keep = keep & subs["unit"].isin(list(units)).to_numpy()
    s = subs.loc[keep]
    s = s.assign(_pos=s["unit"].map(tree.pos))
    s = s[s["_pos"].notna()]
    pos = s["_pos"].to_numpy(dtype="int64")
    ids = s["id"].to_numpy()
    env = pd.DataFrame(_wide(frames, ids, spec.numeric), columns=list(spec.numeric),
                       index=pd.Index(ids, name="submission_id"))
    for name in spec.figures:
        env[name] = tree.figures[name][pos]
    env, measures = _derive(campaign, spec, env)
    head = pd.DataFrame({"unit": s["unit"].to_numpy(), "round": s["round"].to_numpy(),
                         "revision": s["revision"].to_numpy(),
                         "received_on": s["received_on"].to_numpy(),
                         "return_type": s["return_type"].to_numpy(),
                         "complete": s["complete"].to_numpy()}, index=env.index)
    return pd.concat([head, env, measures], axis=1)


# ---------------------------------------------------------------------------------------
# Roll-ups
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rollup:
    """Values of a unit and every unit below it for one round as of a date.

    ``values``: unit × numeric indicator (inputs rolled up, derived ones recomputed);
    ``texts``: unit × text indicator (the unit's own return only); ``measures``: unit ×
    named measure; ``figures``: the unit figures the values stand on (townships of the
    units that contribute); ``basis``: ``consolidated``, ``own``, ``own+children``,
    ``children`` or ``none``; ``returns``: the returns used (as ``values_as_of``);
    ``differences``: per consolidated parent and indicator, ``consolidated``,
    ``children_sum`` (what its children add up to, by the indicator's aggregation) and
    ``difference`` (the two compared at the indicator's ``decimals``, rounded half up: 0
    when they agree as the form would show them). The first row of every frame is ``unit``.
    """

    campaign: str
    unit: str
    round: str
    as_of: date
    values: pd.DataFrame
    texts: pd.DataFrame
    measures: pd.DataFrame
    figures: pd.DataFrame
    basis: pd.Series
    returns: pd.DataFrame
    differences: pd.DataFrame
    children: Mapping[str, tuple[str, ...]]
    aggregate: Mapping[str, str]
    formula_names: Mapping[str, frozenset[str]]

    def value(self, indicator: str, unit: str | None = None) -> float | None:
        """Return one value (None when missing or N/A)."""
        code = unit or self.unit
        for frame in (self.values, self.measures):
            if indicator in frame.columns:
                return _num(frame.at[code, indicator])
        raise KeyError(f"unknown numeric indicator or measure {indicator!r}")

    def text(self, indicator: str, unit: str | None = None) -> str | None:
        """Return a text indicator of a unit's own return (None when missing)."""
        return _text(self.texts.at[unit or self.unit, indicator])

    def sources(self, unit: str | None = None, indicator: str | None = None) -> tuple[int, ...]:
        """List the submission ids a unit's value (of one indicator, or any) came from.

        A consolidated return stands alone; otherwise the unit's own return (if any) and,
        for an indicator that rolls up, everything its children used. A derived indicator
        or measure lists the sources of its parts.
        """
        code = unit or self.unit
        out: set[int] = set()
        self._collect(code, indicator, out)
        return tuple(sorted(out))

    def _collect(self, code: str, indicator: str | None, out: set[int]) -> None:
        if indicator is not None and indicator in self.formula_names:
            for name in self.formula_names[indicator]:
                if name in self.aggregate or name in self.formula_names:
                    self._collect(code, name, out)
            return
        basis = self.basis.get(code, "none")
        if code in self.returns.index:
            row = self.returns.loc[code]
            present = indicator is None or (indicator in row.index and not pd.isna(row[indicator]))
            if present:
                out.add(int(cast(Any, row["_submission_id"])))
            if basis == "consolidated":
                return
        if indicator is not None and self.aggregate.get(indicator, "none") == "none":
            return
        for child in self.children.get(code, ()):
            self._collect(child, indicator, out)


@dataclass
class _Rolled:
    """Roll-up of one round for every unit of the campaign (arrays by unit position)."""

    values: pd.DataFrame
    texts: pd.DataFrame
    measures: pd.DataFrame
    figures: pd.DataFrame
    basis: np.ndarray
    returns: pd.DataFrame
    differences: pd.DataFrame


def _contributions(x: np.ndarray, weights: np.ndarray, spec: _Spec) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Accumulators (s, c) of returns' values, ready to be folded up the tree."""
    present = ~np.isnan(x)
    s = np.where(present, x, 0.0)
    c = present.astype("float64")
    for j, wk in spec.weight_of.items():
        w = weights[:, wk]
        both = present[:, j] & ~np.isnan(w)
        s[:, j] = np.where(both, x[:, j] * np.where(both, w, 0.0), 0.0)
        c[:, j] = np.where(both, w, 0.0)
    a0, a1, a2 = spec.n_add, spec.n_add + spec.n_min, spec.n_add + spec.n_min + spec.n_max
    s[:, a0:a1] = np.where(present[:, a0:a1], x[:, a0:a1], np.inf)
    s[:, a1:a2] = np.where(present[:, a1:a2], x[:, a1:a2], -np.inf)
    s[:, a2:] = x[:, a2:]
    return s, c


def _identity(n: int, spec: _Spec) -> np.ndarray:
    a0, a1, a2 = spec.n_add, spec.n_add + spec.n_min, spec.n_add + spec.n_min + spec.n_max
    s = np.zeros((n, len(spec.col_ids)))
    s[:, a0:a1] = np.inf
    s[:, a1:a2] = -np.inf
    s[:, a2:] = np.nan
    return s


def _combine(a: np.ndarray, b: np.ndarray, spec: _Spec) -> np.ndarray:
    a0, a1, a2 = spec.n_add, spec.n_add + spec.n_min, spec.n_add + spec.n_min + spec.n_max
    out = a.copy()
    out[:, :a0] += b[:, :a0]
    out[:, a0:a1] = np.minimum(a[:, a0:a1], b[:, a0:a1])
    out[:, a1:a2] = np.maximum(a[:, a1:a2], b[:, a1:a2])
    return out


def _finalize(s: np.ndarray, c: np.ndarray, spec: _Spec) -> np.ndarray:
    out = np.where(c > 0, s, np.nan)
    for j, kind in enumerate(spec.col_kind):
        if kind in (_MEAN, _WMEAN):
            ok = c[:, j] > 0
            col = np.full(len(s), np.nan)
            np.divide(s[:, j], c[:, j], out=col, where=ok)
            out[:, j] = col
        elif kind == _NONE:
            out[:, j] = s[:, j]
    return out


def _roll_round(campaign: Campaign, spec: _Spec, tree: Hierarchy, sel: pd.DataFrame,
                wide: np.ndarray, texts: np.ndarray) -> _Rolled:
    """Roll one round up the whole tree, bottom-up, level by level (no per-unit loop)."""
    n = len(tree.codes)
    k = len(spec.col_ids)
    upos = sel["_pos"].to_numpy()
    is_cons = (sel["return_type"] == "consolidated").to_numpy()
    num_idx = {name: j for j, name in enumerate(spec.numeric)}
    agg_cols = [j for j, cid in enumerate(spec.col_ids) if cid in num_idx]
    raw = np.full((n, len(spec.numeric)), np.nan)
    raw[upos] = wide
    has_ret = np.zeros(n, dtype=bool)
    has_ret[upos] = True
    has_cons = np.zeros(n, dtype=bool)
    has_cons[upos[is_cons]] = True
    has_own = has_ret & ~has_cons
    x = np.full((n, k), np.nan)
    for j in agg_cols:
        x[:, j] = raw[:, num_idx[spec.col_ids[j]]]
    # unit figures: a consolidated return (or an own return of a unit with nothing below)
    # brings the unit's whole figure; an own return of a parent only the part its children
    # do not hold; a unit without a return brings nothing
    for j, cid in enumerate(spec.col_ids):
        if cid in num_idx:
            continue
        fig = tree.figures.get(cid, np.full(n, np.nan))
        below = np.zeros(n)
        kids = tree.parent >= 0
        np.add.at(below, tree.parent[kids], np.nan_to_num(fig[kids]))
        own_part = np.where(tree.is_leaf, fig, np.maximum(fig - below, 0.0))
        x[:, j] = np.where(has_cons, fig, np.where(has_own, own_part, np.nan))
    s0, c0 = _contributions(x, raw, spec)
    ident = _identity(n, spec)
    own_s = np.where(has_own[:, None], s0, ident)
    own_c = np.where(has_own[:, None], c0, 0.0)
    child_s = ident.copy()
    child_c = np.zeros((n, k))
    fin_s = ident.copy()
    fin_c = np.zeros((n, k))
    has_data = has_ret.copy()
    a0, a1, a2 = spec.n_add, spec.n_add + spec.n_min, spec.n_add + spec.n_min + spec.n_max
    for d in range(len(tree.by_depth) - 1, -1, -1):
        idx = tree.by_depth[d]
        comb_s = _combine(own_s[idx], child_s[idx], spec)
        comb_c = own_c[idx] + child_c[idx]
        comb_s[:, a2:] = own_s[idx][:, a2:]
        comb_c[:, a2:] = own_c[idx][:, a2:]
        cons = has_cons[idx][:, None]
        fin_s[idx] = np.where(cons, s0[idx], comb_s)
        fin_c[idx] = np.where(cons, c0[idx], comb_c)
        if d == 0:
            break
        dst = tree.parent[idx]
        src_s, src_c = fin_s[idx], fin_c[idx]
        if a0:
            np.add.at(child_s[:, :a0], dst, src_s[:, :a0])
        if a1 > a0:
            np.minimum.at(child_s[:, a0:a1], dst, src_s[:, a0:a1])
        if a2 > a1:
            np.maximum.at(child_s[:, a1:a2], dst, src_s[:, a1:a2])
        np.add.at(child_c, dst, src_c)
        np.logical_or.at(has_data, dst, has_data[idx])
    rolled = _finalize(fin_s, fin_c, spec)
    from_children = _finalize(child_s, child_c, spec)

    index = pd.Index(tree.codes, name="unit")
    env = pd.DataFrame(rolled, columns=list(spec.col_ids), index=index)
    # indicators without aggregation (yes/no …) are already the unit's own value
    env, measures = _derive(campaign, spec, env)
    values = env[[i for i in spec.order if i in env.columns]].copy()
    figures = env[list(spec.figures)].copy()
    text_frame = pd.DataFrame(np.full((n, len(spec.texts)), None, dtype=object),
                              columns=list(spec.texts), index=index)
    if spec.texts:
        text_frame.iloc[upos, :] = texts

    child_any = np.zeros(n, dtype=bool)
    kids = tree.parent >= 0
    np.logical_or.at(child_any, tree.parent[kids], has_data[kids])
    basis = np.where(has_cons, "consolidated",
                     np.where(has_own & child_any, "own+children",
                              np.where(has_own, "own", np.where(child_any, "children", "none"))))
    # consolidated returns against what their children add up to, at the precision the
    # form asks for (``decimals``): 12.34 in a one-decimal field is 12.3, no difference
    diff_rows: list[dict[str, Any]] = []
    cons_pos = np.flatnonzero(has_cons & child_any)
    if len(cons_pos):
        for j in agg_cols:
            if spec.col_kind[j] == _NONE:
                continue
            places = campaign.indicator(spec.col_ids[j]).digits
            cv, kv = rolled[cons_pos, j], from_children[cons_pos, j]
            ok = ~np.isnan(cv) & ~np.isnan(kv) & (child_c[cons_pos, j] > 0)
            for p, a, b in zip(cons_pos[ok], cv[ok], kv[ok], strict=True):
                gap = round_half_up(round_half_up(float(a), places)
                                    - round_half_up(float(b), places), places)
                diff_rows.append({"unit": tree.codes[p], "indicator": spec.col_ids[j],
                                  "consolidated": float(a), "children_sum": float(b),
                                  "difference": gap + 0.0})
    differences = pd.DataFrame(diff_rows, columns=["unit", "indicator", "consolidated",
                                                   "children_sum", "difference"])
    return _Rolled(values, text_frame, measures, figures, basis,
                   _returns_frame(campaign, spec, sel, wide, texts), differences)


def _returns_frame(campaign: Campaign, spec: _Spec, sel: pd.DataFrame, wide: np.ndarray,
                   texts: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame(wide, columns=list(spec.numeric),
                       index=pd.Index(sel["unit"].to_numpy(), name="unit"))
    for k, tid in enumerate(spec.texts):
        out[tid] = texts[:, k]
    out = out[[i.id for i in campaign.indicators if i.input]]
    out["_submission_id"] = sel["id"].to_numpy()
    out["_revision"] = sel["revision"].to_numpy()
    out["_received_on"] = [d.date() for d in sel["received_on"]]
    out["_return_type"] = sel["return_type"].to_numpy()
    out["_complete"] = sel["complete"].to_numpy()
    out["_file_name"] = sel["file_name"].to_numpy()
    return out


def _roll_all(campaign: Campaign, frames: Frames, as_of: date,
              round_ids: Sequence[str]) -> dict[str, _Rolled]:
    spec = _spec(campaign)
    tree = hierarchy(campaign, spec.figures)
    sel = _select(campaign, frames, as_of)
    sel = sel[sel["round"].isin(list(round_ids))]
    sel = sel.assign(_pos=sel["unit"].map(tree.pos))
    sel = sel[sel["_pos"].notna()]
    sel = sel.assign(_pos=sel["_pos"].astype("int64")).sort_values("_pos", kind="stable")
    ids = sel["id"].to_numpy()
    wide = _wide(frames, ids, spec.numeric)
    texts = _texts(frames, ids, spec.texts)
    rnd = sel["round"].to_numpy()
    out: dict[str, _Rolled] = {}
    for rid in round_ids:
        m = rnd == rid
        part = sel.loc[m]
        out[rid] = _roll_round(campaign, spec, tree, part, wide[m], texts[m])
    return out


def _formula_names(campaign: Campaign) -> dict[str, frozenset[str]]:
    out = {i.id: i.formula.names for i in campaign.indicators if i.formula is not None}
    out.update({m.id: m.formula.names for m in campaign.measures})
    return out


def _to_rollup(campaign: Campaign, rolled: _Rolled, unit: str, round_id: str,
               as_of: date) -> Rollup:
    sub = list(campaign.iter_units(unit))
    tree_codes = [u.code for u in sub]
    children = {u.code: tuple(c.code for c in campaign.children(u.code)) for u in sub}
    codes = set(tree_codes)
    take = rolled.values.index.get_indexer(pd.Index(tree_codes))
    diffs = rolled.differences
    return Rollup(
        campaign=campaign.id, unit=unit, round=round_id, as_of=as_of,
        values=rolled.values.iloc[take], texts=rolled.texts.iloc[take],
        measures=rolled.measures.iloc[take], figures=rolled.figures.iloc[take],
        basis=pd.Series(rolled.basis[take], index=pd.Index(tree_codes, name="unit")),
        returns=rolled.returns[rolled.returns.index.isin(codes)],
        differences=diffs[diffs["unit"].isin(codes)].reset_index(drop=True),
        children=children,
        aggregate={i.id: i.aggregate for i in campaign.indicators if i.formula is None},
        formula_names=_formula_names(campaign),
    )


def rollups(campaign: Campaign, frames: Frames, as_of: DateLike,
            round_ids: Sequence[str] | None = None, unit: str | None = None) -> dict[str, Rollup]:
    """Roll every round (or the given ones) up the whole tree at once; one ``Rollup`` each.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> sorted(rollups(c, frames_from_lists(), "2024-12-31"))
    ['final', 'midyear']
    """
    day = _as_date(as_of)
    rids = list(round_ids) if round_ids is not None else [r.id for r in campaign.rounds]
    for rid in rids:
        campaign.round(rid)
    code = unit or campaign.top.code
    campaign.unit(code)
    rolled = _roll_all(campaign, frames, day, rids)
    return {rid: _to_rollup(campaign, rolled[rid], code, rid, day) for rid in rids}


def rollup(campaign: Campaign, frames: Frames, unit: str | None, as_of: DateLike,
           round_id: str | None = None) -> Rollup:
    """Roll a round's values up to ``unit`` (default: the top unit) as of a date.

    A parent with a consolidated return uses it (the difference to its children is in
    ``differences``); otherwise its own return plus its children by each indicator's
    aggregation; derived indicators and measures are recomputed at every level from the
    rolled-up parts and the figures of the units that contribute.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": "HB01", "round": "final", "received_on": "2024-12-10",
    ...      "return_type": "consolidated",
    ...      "values": {"village_sessions": 4, "townships_covered": 8}},
    ...     {"unit": "HB06", "round": "final", "received_on": "2024-12-12",
    ...      "return_type": "consolidated",
    ...      "values": {"village_sessions": 6, "townships_covered": 10}},
    ...     {"unit": "HB0113", "round": "final", "received_on": "2024-12-12",
    ...      "values": {"village_sessions": 9, "townships_covered": 3}}])
    >>> r = rollup(c, f, "HB", "2024-12-31")
    >>> r.value("village_sessions"), round_half_up(r.value("township_coverage"))  # 18 / 25
    (10.0, 72.0)
    >>> r.value("village_sessions", "HB0113") is None  # a county does not report: not used
    True
    >>> r.sources(indicator="village_sessions")
    (1, 2)
    """
    day = _as_date(as_of)
    rid = campaign.round(round_id).id
    return rollups(campaign, frames, day, [rid], unit)[rid]


def rollup_rows(campaign: Campaign, frames: Frames, unit: str | None, as_of: DateLike,
                round_id: str | None = None) -> dict[str, dict[str, float | None]]:
    """Figures of each direct child (and the unit's own return, if it has one) for a roll-up.

    Feeds ``forms.build_rollup``: the 总计 row of that workbook then recomputes to the
    unit's rolled-up value of every summed indicator.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "FJ01", "round": "final",
    ...     "received_on": "2022-01-10", "values": {"sessions": 3}}])
    >>> rollup_rows(c, f, None, "2022-01-31")["FJ01"]["sessions"]
    3.0
    """
    code = unit or campaign.top.code
    r = rollup(campaign, frames, code, as_of, round_id)
    numeric = [i.id for i in campaign.input_indicators if i.numeric]
    rows: dict[str, dict[str, float | None]] = {}
    own = values_as_of(campaign, frames, as_of, round_id)
    if code in own.index and own.loc[code, "_return_type"] == "own":
        rows[code] = {i: _num(own.loc[code, i]) if i in own.columns else None for i in numeric}
    for child in campaign.children(code):
        row = {i: r.value(i, child.code) for i in numeric}
        # the reference figures the roll-up's derived columns stand on: those of the units
        # that contributed (a unit that sent nothing adds no townships), as in ``rollup``
        for name in r.figures.columns:
            row[name] = _num(r.figures.at[child.code, name])
        rows[child.code] = row
    return rows


# ---------------------------------------------------------------------------------------
# Reporting rates
# ---------------------------------------------------------------------------------------
def _first_day_by_unit(frame: pd.DataFrame, column: str, pos: Mapping[str, int],
                      n: int) -> np.ndarray:
    """Earliest ``column`` date per unit as day numbers (``date.toordinal``; NaN where none).

    >>> f = frames_from_lists(submissions=[{"unit": "B", "round": "r", "received_on": "2025-06-02"},
    ...     {"unit": "B", "round": "r", "received_on": "2025-06-01"}])
    >>> days = _first_day_by_unit(f.submissions, "received_on", {"A": 0, "B": 1}, 2)
    >>> [None if math.isnan(d) else date.fromordinal(int(d)).isoformat() for d in days]
    [None, '2025-06-01']
    """
    out = np.full(n, np.nan)
    if not len(frame):
        return out
    first = frame.groupby("unit")[column].min()
    idx = np.array([pos.get(str(u), -1) for u in first.index], dtype="int64")
    days = first.to_numpy().astype("datetime64[D]").astype("int64") + _EPOCH
    ok = idx >= 0
    out[idx[ok]] = days[ok]
    return out


def round_completion(campaign: Campaign, frames: Frames, as_of: DateLike,
                     round_id: str | None = None, rule: str | None = None) -> pd.DataFrame:
    """Say when each unit completed a round as of a date, and by which rule.

    The rule is the round's ``completed_by`` (or ``rule``, a round milestone's
    ``completion.by``): ``own`` — the unit's first complete return; ``consolidated`` — its
    first complete consolidated return; ``children`` — the day the last of its reporting
    units below (its nearest units below that report the round, each judged by the same
    rule) completed it, or its own consolidated return if that came first. A unit with no
    units below it (``consolidated``) or no reporting units below it (``children``)
    completes by its own return, and its row says ``own``. Only returns of the round's
    reporters received on or before ``as_of`` count (``returns_used``); revisions never
    move the day.

    One row per unit (index ``unit``, spec order): ``completed_by`` (the rule that applied),
    ``done_on`` (date or None), ``done_by`` (``return`` or ``children``; None while not
    done), ``received`` (its own return has come in, complete or not — under ``children``
    also a return of any reporting unit below), ``below`` (its reporting units below, codes
    joined by ``,``; ``children`` only) and ``waiting_for`` (those of them not done yet).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "FJ01", "round": "final",
    ...     "received_on": "2022-01-18"}])
    >>> done = round_completion(c, f, "2022-01-31")
    >>> done.loc["FJ01", ["completed_by", "done_on", "done_by"]].tolist()
    ['own', datetime.date(2022, 1, 18), 'return']
    """
    day = _as_date(as_of)
    rnd = campaign.round(round_id)
    how = rule or rnd.completed_by
    tree = hierarchy(campaign)
    n = len(tree.codes)
    subs = frames.submissions
    keep = ((subs["round"] == rnd.id) & (subs["received_on"] <= pd.Timestamp(day))).to_numpy()
    s = subs.loc[keep & returns_used(campaign, subs)]
    got = _first_day_by_unit(s, "received_on", tree.pos, n)
    own = _first_day_by_unit(s.loc[s["complete"].to_numpy(dtype=bool)], "received_on",
                            tree.pos, n)
    cons = _first_day_by_unit(
        s.loc[(s["complete"] & (s["return_type"] == "consolidated")).to_numpy(dtype=bool)],
        "received_on", tree.pos, n)
    reporter = np.isin(np.array(tree.codes, dtype=object),
                       [u.code for u in campaign.reporters(rnd.id)])
    below_n, below_done, below_got = np.zeros(n), np.zeros(n), np.zeros(n)
    below_last = np.full(n, np.nan)
    done, received = np.full(n, np.nan), np.zeros(n, dtype=bool)
    by_children = np.zeros(n, dtype=bool)
    applied = np.full(n, "own", dtype=object)
    for d in range(len(tree.by_depth) - 1, -1, -1):  # bottom-up, one level at a time
        idx = tree.by_depth[d]
        recv = ~np.isnan(got[idx])
        if how == "children":
            kids = below_n[idx] > 0
            last = np.where(kids & (below_done[idx] == below_n[idx]), below_last[idx], np.nan)
            mine = np.where(kids, cons[idx], own[idx])
            dd = np.fmin(mine, last)
            by_children[idx] = ~np.isnan(last) & (np.isnan(mine) | (last < mine))
            applied[idx] = np.where(kids, "children", "own")
            recv = recv | (kids & (below_got[idx] > 0))
        elif how == "consolidated":
            parent = ~tree.is_leaf[idx]
            dd = np.where(parent, cons[idx], own[idx])
            applied[idx] = np.where(parent, "consolidated", "own")
        else:
            dd = own[idx]
        done[idx], received[idx] = dd, recv
        if d == 0:
            break
        up, rep = tree.parent[idx], reporter[idx]
        np.add.at(below_n, up, np.where(rep, 1.0, below_n[idx]))
        np.add.at(below_done, up, np.where(rep, (~np.isnan(dd)).astype(float), below_done[idx]))
        np.add.at(below_got, up, np.where(rep, recv.astype(float), below_got[idx]))
        np.fmax.at(below_last, up, np.where(rep, dd, below_last[idx]))
    below, waiting = [""] * n, [""] * n
    if how == "children":
        reporting_codes = {c for c, r in zip(tree.codes, reporter, strict=True) if r}
        for i in np.flatnonzero(applied == "children"):
            units = _reporting_below(campaign, tree.codes[i], reporting_codes)
            below[i] = ",".join(units)
            waiting[i] = ",".join(u for u in units if np.isnan(done[tree.pos[u]]))
    is_done = ~np.isnan(done)
    return pd.DataFrame({
        "completed_by": applied,
        "done_on": [_from_ordinal(v) for v in done],
        "done_by": [("children" if c else "return") if d else None
                    for c, d in zip(by_children, is_done, strict=True)],
        "received": received | is_done,
        "below": below,
        "waiting_for": waiting,
    }, index=pd.Index(tree.codes, name="unit"))


def _reporting_below(campaign: Campaign, code: str, reporters: set[str]) -> list[str]:
    """The nearest units below ``code`` that report (a child, else its own nearest ones)."""
    out: list[str] = []
    for child in campaign.children(code):
        if child.code in reporters:
            out.append(child.code)
        else:
            out.extend(_reporting_below(campaign, child.code, reporters))
    return out


def reporter_status(campaign: Campaign, frames: Frames, as_of: DateLike,
                    round_id: str | None = None) -> pd.DataFrame:
    """List every unit expected to return the round and where its return stands.

    Columns: unit (index), name, level, parent, first_received, first_complete,
    latest_received, revisions (its own returns received by ``as_of``), completed_by (the
    rule that applied, see ``round_completion``), done_on (the day it completed the round by
    that rule), waiting_for (``children``: the reporting units below it not done yet), status
    (``on_time``, ``late``, ``incomplete``, ``missing`` or ``not_yet_due``), on_time (bool)
    and due (bool). On time means it completed the round on or before the deadline — by its
    first complete return, or (``completed_by: children``) when the last of its reporting
    units below did; later revisions never change it. ``incomplete``: something came in
    (its return, or one of its units' below) but it has not completed the round. Up to the
    deadline (``as_of`` ≤ deadline) a unit with nothing in is ``not_yet_due``, not
    ``missing``. A return is *due* once the deadline has passed or once the unit has
    completed the round: the rates of ``reporting`` are over due returns.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "FJ03", "round": "final",
    ...     "received_on": "2022-01-22", "values": {"sessions": 3}}])
    >>> reporter_status(c, f, "2022-01-31").loc["FJ03", "status"]
    'late'
    >>> reporter_status(c, f, "2022-01-20").loc["FJ04", "status"]
    'not_yet_due'
    """
    day = _as_date(as_of)
    rnd = campaign.round(round_id)
    reporters = campaign.reporters(rnd.id)
    codes = [u.code for u in reporters]
    subs = frames.submissions
    m = ((subs["round"] == rnd.id) & (subs["received_on"] <= pd.Timestamp(day))
         & subs["unit"].isin(codes))
    s = subs.loc[m]
    g = s.groupby("unit")["received_on"]
    first = g.min()
    latest = g.max()
    count = g.size()
    first_complete = s.loc[s["complete"]].groupby("unit")["received_on"].min()
    comp = round_completion(campaign, frames, day, rnd.id).loc[codes]
    out = pd.DataFrame(index=pd.Index(codes, name="unit"))
    out["name"] = [u.name for u in reporters]
    out["level"] = [u.level for u in reporters]
    out["parent"] = [u.parent for u in reporters]
    out["first_received"] = [_ts_date(first.get(c)) for c in codes]
    out["first_complete"] = [_ts_date(first_complete.get(c)) for c in codes]
    out["latest_received"] = [_ts_date(latest.get(c)) for c in codes]
    out["revisions"] = [int(count.get(c, 0)) for c in codes]
    out["completed_by"] = comp["completed_by"].to_numpy()
    out["done_on"] = comp["done_on"].to_numpy()
    out["waiting_for"] = comp["waiting_for"].to_numpy()
    on_time = [d is not None and d <= rnd.deadline for d in out["done_on"]]
    out["on_time"] = on_time
    passed = day > rnd.deadline
    status = []
    for done_on, got, ok in zip(out["done_on"], comp["received"], on_time, strict=True):
        if done_on is not None:
            status.append("on_time" if ok else "late")
        elif got:
            status.append("incomplete")
        else:
            status.append("missing" if passed else "not_yet_due")
    out["status"] = status
    out["due"] = [passed or d is not None for d in out["done_on"]]
    return out


def received_not_used(campaign: Campaign, frames: Frames, as_of: DateLike,
                      round_id: str | None = None, *,
                      unit: str | None = None) -> pd.DataFrame:
    """List the returns received by ``as_of`` that no figure uses, and why.

    One row per unit × round (of ``round_id``, or of every round when None; of the units at
    and below ``unit``): unit, name, level, round, received_on (the latest revision),
    revisions and reason — ``not_a_reporter`` for a unit the round does not expect (ingest
    keeps such a return with a warning of the same name).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": "HB0101", "round": "final", "received_on": "2024-12-10"}])
    >>> received_not_used(c, f, "2024-12-31")[["unit", "round", "reason"]].values.tolist()
    [['HB0101', 'final', 'not_a_reporter']]
    """
    day = _as_date(as_of)
    subs = frames.submissions
    keep = (subs["received_on"] <= pd.Timestamp(day)).to_numpy() & ~returns_used(campaign, subs)
    if round_id is not None:
        keep = keep & (subs["round"] == campaign.round(round_id).id).to_numpy()
    scope = [u.code for u in campaign.iter_units(unit)]
    keep = keep & subs["unit"].isin(scope).to_numpy()
    cols = ["unit", "name", "level", "round", "received_on", "revisions", "reason"]
    s = subs.loc[keep]
    if not len(s):
        return pd.DataFrame(columns=cols)
    g = s.groupby(["unit", "round"], sort=False)["received_on"]
    latest, count = g.max(), g.size()
    order = {u.code: i for i, u in enumerate(campaign.units)}
    rounds = {r.id: i for i, r in enumerate(campaign.rounds)}
    rows = [{"unit": u, "name": campaign.unit(u).name, "level": campaign.unit(u).level,
             "round": r, "received_on": _ts_date(latest[(u, r)]),
             "revisions": int(count[(u, r)]), "reason": "not_a_reporter"}
            for u, r in sorted(latest.index, key=lambda k: (order[k[0]],
                                                            rounds.get(k[1], len(rounds))))]
    return pd.DataFrame(rows, columns=cols)


def _ts_date(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def reporting(campaign: Campaign, frames: Frames, as_of: DateLike,
              round_id: str | None = None) -> pd.DataFrame:
    """Count returns expected, received and on time under every unit (DHIS2 rates).

    One row per unit: ``expected`` (units expected to return the round at or below it),
    ``received`` (of those, with a return received by ``as_of``), ``on_time``, ``late``,
    ``incomplete``, ``missing``, ``not_yet_due`` (nothing sent, deadline not passed), ``due``
    (returns due: every expected one once the deadline has passed, before it only those in
    complete), ``rate`` (complete returns ÷ due, DHIS2's A/E over the returns due) and
    ``on_time_rate`` (on time ÷ due; 0–100, None when nothing is due). A unit without a
    return before the deadline therefore never lowers a rate. A unit counts once whatever
    its number of revisions, so no rate exceeds 100%; returns from units the round does
    not expect are not counted.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> int(reporting(c, frames_from_lists(), "2024-07-01", "midyear").loc["HB", "expected"])
    23
    """
    rs = reporter_status(campaign, frames, as_of, round_id)
    tree = hierarchy(campaign)
    n = len(tree.codes)
    out = pd.DataFrame(index=pd.Index(tree.codes, name="unit"))
    out["name"] = [u.name for u in campaign.units]
    out["level"] = [u.level for u in campaign.units]
    pos = np.array([tree.pos[c] for c in rs.index], dtype="int64")
    status = rs["status"].to_numpy()
    for col, flag in (("expected", np.ones(len(rs), dtype=bool)),
                      ("received", ~np.isin(status, ["missing", "not_yet_due"])),
                      ("on_time", status == "on_time"),
                      ("late", status == "late"),
                      ("incomplete", status == "incomplete"),
                      ("missing", status == "missing"),
                      ("not_yet_due", status == "not_yet_due"),
                      ("due", rs["due"].to_numpy(dtype=bool))):
        base = np.zeros(n)
        np.add.at(base, pos, flag.astype("float64"))
        out[col] = tree.fold_up(base).astype("int64")
    due = out["due"].to_numpy(dtype="float64")
    # DHIS2: A counts complete returns; an incomplete one is received
    # but not counted in the rate; E counts the returns due as of the date
    complete = (out["on_time"] + out["late"]).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(due > 0, complete / due * 100, np.nan)
        out["on_time_rate"] = np.where(due > 0, out["on_time"] / due * 100, np.nan)
    return out


# ---------------------------------------------------------------------------------------
# Rankings, shares, changes
# ---------------------------------------------------------------------------------------
def rank_labels(values: Sequence[float | None]) -> list[tuple[int | None, str]]:
    """Rank values, highest first; ties share a rank and are written 并列第N.

    >>> rank_labels([5, 3, 3, 1, None])
    [(1, '第1'), (2, '并列第2'), (2, '并列第2'), (4, '第4'), (None, '')]
    """
    s = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    ranks = s.rank(method="min", ascending=False)
    counts = ranks.value_counts()
    out: list[tuple[int | None, str]] = []
    for r in ranks:
        if pd.isna(r):
            out.append((None, ""))
        else:
            n = int(r)
            out.append((n, f"并列第{n}" if counts[r] > 1 else f"第{n}"))
    return out


def _is_rate(campaign: Campaign, ident: str) -> bool:
    """Tell whether an indicator or measure is a percentage (ranked at one decimal)."""
    for m in campaign.measures:
        if m.id == ident:
            return True
    ind = campaign.indicator(ident)
    return ind.type == "percent" or ind.unit == "%"


def _digits(campaign: Campaign, ident: str) -> int:
    """Decimal places a figure is printed, ranked and compared at.

    Rates and named measures at one decimal (a percent indicator at its ``decimals``,
    one by default); a number at its ``decimals`` (two by default); a count's fractions
    (a mean) at two.
    """
    if any(m.id == ident for m in campaign.measures):
        return RATE_DECIMALS
    ind = campaign.indicator(ident)
    if ind.type == "percent" or ind.unit == "%":
        return ind.digits
    if ind.type == "number":
        return ind.digits
    return max(ind.digits, 2)


def _shown_value(campaign: Campaign, ident: str, value: float | None) -> float | None:
    """Round a figure half up (四舍五入) at the places it is printed at (None stays None)."""
    return round_half_up(value, _digits(campaign, ident))


def indicator_label(campaign: Campaign, ident: str) -> str:
    """Return the label the engine prints: a measure's label, or an indicator's form label
    followed by its blank (（覆盖乡镇）) unless the blank is only the measure or 是否."""
    for m in campaign.measures:
        if m.id == ident:
            return m.label
    ind = campaign.indicator(ident)
    if ind.blank and ind.blank not in (ind.unit or ""):
        blank = ind.blank.replace(" ", "").replace(ind.unit or "\x00", "").strip()
        if blank and blank != "是否":
            return f"{ind.label}（{blank}）"
    return ind.label


def children_table(campaign: Campaign, frames: Frames, unit: str | None, as_of: DateLike,
                   round_id: str | None = None, *, compare_round: str | None = None,
                   compare_as_of: DateLike | None = None,
                   indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare the children of a unit: value, rank, share of the parent, change.

    Long format, one row per child × indicator (numeric indicators and measures): unit,
    name, level, indicator, label, value, rank, rank_label (``第1``, ``并列第3``; among the
    children of the same level, as outliers compare peers), share (% of the
    parent's value, sum indicators only), previous (the same child in ``compare_round``
    and/or as of ``compare_as_of``) and change (value − previous; percentage points for
    rates). Values are ranked on the figure as printed, rounded half up (四舍五入): rates
    at one decimal, so 6.25 and 6.3 are 并列; the value column keeps the exact figure.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": u, "round": "final", "received_on": "2022-01-18",
    ...      "return_type": "consolidated", "values": {"sessions": n}}
    ...     for u, n in (("FJ01", 12), ("FJ02", 8), ("FJ03", 8))])
    >>> t = children_table(c, f, "FJ", "2022-01-31", indicators=["sessions"])
    >>> [(row.unit, row.rank_label, round_half_up(row.share)) for row in t.head(4).itertuples()
    ...  if row.rank_label]
    [('FJ01', '第1', 42.9), ('FJ02', '并列第2', 28.6), ('FJ03', '并列第2', 28.6)]
    """
    day = _as_date(as_of)
    code = unit or campaign.top.code
    rid = campaign.round(round_id).id
    current = rollup(campaign, frames, code, day, rid)
    previous: Rollup | None = None
    if compare_round is not None or compare_as_of is not None:
        previous = rollup(campaign, frames, code,
                          _as_date(compare_as_of) if compare_as_of is not None else day,
                          compare_round or rid)
    kids = [c.code for c in campaign.children(code)]
    kid_level: list[str] = [c.level for c in campaign.children(code)]
    names = {u.code: u.name for u in campaign.units}
    ids = list(indicators) if indicators is not None else (
        [i for i in current.values.columns if campaign.indicator(i).type != "yes_no"]
        + list(current.measures.columns))
    rows: list[dict[str, Any]] = []
    for ident in ids:
        frame = current.values if ident in current.values.columns else current.measures
        vals = [_num(frame.at[k, ident]) for k in kids]
        keyed = [_shown_value(campaign, ident, v) for v in vals]
        # peers are children of one level (市州 among 市州, not with the 厅 divisions)
        ranked: list[tuple[int | None, str]] = [(None, "")] * len(kids)
        for level in dict.fromkeys(kid_level):
            at = [j for j, lv in enumerate(kid_level) if lv == level]
            for j, got in zip(at, rank_labels([keyed[j] for j in at]), strict=True):
                ranked[j] = got
        parent_v = _num(frame.at[code, ident])
        summed = (ident in current.values.columns
                  and campaign.indicator(ident).formula is None
                  and campaign.indicator(ident).aggregate == "sum")
        for k, lv, v, (rk, lab) in zip(kids, kid_level, vals, ranked, strict=True):
            share = None
            if summed and v is not None and parent_v:
                share = v / parent_v * 100
            prev = None
            if previous is not None:
                pframe = previous.values if ident in previous.values.columns \
                    else previous.measures
                prev = _num(pframe.at[k, ident])
            rows.append({"unit": k, "name": names[k], "level": lv, "indicator": ident,
                         "label": indicator_label(campaign, ident), "value": v, "rank": rk,
                         "rank_label": lab, "share": share, "previous": prev,
                         "change": None if v is None or prev is None else v - prev})
    cols = ["unit", "name", "level", "indicator", "label", "value", "rank", "rank_label",
            "share", "previous", "change"]
    out = pd.DataFrame(rows, columns=cols)
    out["rank"] = out["rank"].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------
# Plan vs actual, targets and time-elapsed progress
# ---------------------------------------------------------------------------------------
PLAN_STATUSES = ("not_started", "in_progress", "met", "below", "above")
"""Where an activity-plan row stands (``plan_vs_actual``; ``stats --json`` ``plan[].status``)."""
_PLAN_NOTES = {
    "many": "多场次: read as at least 2 sessions, no upper bound",
    "ongoing": "全年 as a count: judged only by activity in the window (at least one session)",
}


def plan_vs_actual(campaign: Campaign, frames: Frames, as_of: DateLike,
                   unit: str | None = None) -> pd.DataFrame:
    """Compare every activity-plan row with the sessions the ledger records.

    Held sessions: ledger rows of the row's responsible unit whose ``plan`` is the row id or
    its theme, dated inside the row's window and on or before ``as_of``. ``status``:
    ``not_started`` (window not begun), ``in_progress`` (window running, fewer than
    planned), ``met``, ``below``, ``above``. ``note`` explains 多场次 and 全年.
    ``unit`` keeps the rows whose responsible unit is at or below it.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(ledger=[{"unit": "HB_D02", "date": "2024-05-20",
    ...                                "sessions": 1, "plan": "p12"}])
    >>> row = plan_vs_actual(c, f, "2024-06-01").set_index("plan").loc["p12"]
    >>> int(row["held"]), row["status"], row["planned"]
    (1, 'met', '1场')
    """
    day = _as_date(as_of)
    ts = pd.Timestamp(day)
    led = frames.ledger
    plan_key = led["plan"].map(lambda v: None if v is None or pd.isna(v) else fold_name(str(v)))
    scope: set[str] | None = None
    if unit is not None:
        scope = {u.code for u in campaign.iter_units(unit)}
    rows: list[dict[str, Any]] = []
    for row in campaign.plan:
        if scope is not None and row.responsible not in scope:
            continue
        keys = {fold_name(row.id), fold_name(row.theme)}
        m = ((led["unit"] == row.responsible) & plan_key.isin(keys)
             & (led["date"] >= pd.Timestamp(row.window.start))
             & (led["date"] <= pd.Timestamp(row.window.end)) & (led["date"] <= ts))
        held = int(led.loc[m, "sessions"].sum())
        plan = row.sessions
        if day < row.window.start:
            status = "not_started"
        else:
            status = plan.judge(held)
            if status == "below" and day < row.window.end:
                status = "in_progress"
        rows.append({
            "plan": row.id, "theme": row.theme, "responsible": row.responsible,
            "window": row.window.text, "window_start": row.window.start,
            "window_end": row.window.end, "planned": plan.text, "planned_min": plan.min,
            "planned_max": plan.max, "held": held, "status": status,
            "note": _PLAN_NOTES.get(plan.kind),
        })
    return pd.DataFrame(rows, columns=["plan", "theme", "responsible", "window",
                                       "window_start", "window_end", "planned", "planned_min",
                                       "planned_max", "held", "status", "note"])


def time_progress(campaign: Campaign, as_of: DateLike) -> float:
    """Return 序时进度: days elapsed in the campaign period ÷ its days × 100 (0–100).

    Both ends count: the first day is 1/366 of 2024, the last day 100.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> round_half_up(time_progress(c, "2024-06-30"))
    49.7
    """
    day = _as_date(as_of)
    total = (campaign.period_end - campaign.period_start).days + 1
    elapsed = (day - campaign.period_start).days + 1
    return max(0.0, min(100.0, elapsed / total * 100))


def progress(campaign: Campaign, frames: Frames, unit: str | None, as_of: DateLike,
             round_id: str | None = None) -> pd.DataFrame:
    """Compare values with targets: 完成率 and 序时进度, only where a target exists.

    One row per unit (the unit and its children) × indicator that has a target for any of
    them: target (None where the unit has none), value, completion_rate (value ÷ target ×
    100; None without a target or a value), time_progress (序时进度; None without a target)
    and gap (completion rate − time progress, in percentage points).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "HB02", "round": "final",
    ...     "received_on": "2024-12-18", "return_type": "consolidated",
    ...     "values": {"enterprise_sessions": 15}}])
    >>> p = progress(c, f, "HB", "2024-12-31").set_index(["unit", "indicator"])
    >>> float(p.loc[("HB02", "enterprise_sessions"), "completion_rate"])
    75.0
    >>> pd.isna(p.loc[("HB03", "enterprise_sessions"), "completion_rate"])  # no target
    True
    """
    day = _as_date(as_of)
    code = unit or campaign.top.code
    r = rollup(campaign, frames, code, day, round_id)
    units = [code, *(c.code for c in campaign.children(code))]
    targets = {(t.unit, t.indicator): t for t in campaign.targets if t.unit in units}
    inds = list(dict.fromkeys(t.indicator for t in campaign.targets if t.unit in units))
    tp = time_progress(campaign, day)
    names = {u.code: u.name for u in campaign.units}
    rows: list[dict[str, Any]] = []
    for ind in inds:
        for u in units:
            t = targets.get((u, ind))
            v = r.value(ind, u)
            rate = None
            if t is not None and v is not None and t.value != 0:
                rate = float(v) / t.value * 100
            rows.append({"unit": u, "name": names[u], "indicator": ind,
                         "label": indicator_label(campaign, ind),
                         "target": None if t is None else t.value,
                         "synthetic": None if t is None else t.synthetic, "value": v,
                         "completion_rate": rate,
                         "time_progress": None if t is None else tp,
                         "gap": None if rate is None else rate - tp})
    return pd.DataFrame(rows, columns=["unit", "name", "indicator", "label", "target",
                                       "synthetic", "value", "completion_rate",
                                       "time_progress", "gap"])


# ---------------------------------------------------------------------------------------
# Outliers
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outlier:
    """A value far from its peers by the modified z-score (a warning, never an error)."""

    unit: str
    name: str
    indicator: str
    value: float
    median: float
    mad: float
    score: float
    threshold: float
    peers: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return the outlier as a JSON-ready dict."""
        return {"unit": self.unit, "name": self.name, "indicator": self.indicator,
                "value": self.value, "median": self.median, "mad": self.mad,
                "score": round_half_up(self.score, 2), "threshold": self.threshold,
                "peers": self.peers, "message": self.message}


def outliers(campaign: Campaign, frames: Frames, as_of: DateLike, round_id: str | None = None,
             *, unit: str | None = None, threshold: float = 3.0,
             min_peers: int = 3) -> list[Outlier]:
    """Flag children of ``unit`` whose values are far from their peers'.

    Peers are the children of the same level; for each numeric indicator the modified
    z-score 0.6745·|x − median| / MAD (MAD: median absolute deviation) above ``threshold``
    (3, as DHIS2 uses it) is flagged; a MAD of 0 never flags, nor do fewer than
    ``min_peers`` values. Campaign counts are small and seasonal: these are warnings.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": f"FJ{i:02d}", "round": "final", "received_on": "2022-01-18",
    ...      "return_type": "consolidated", "values": {"sessions": n}}
    ...     for i, n in enumerate([10, 12, 11, 9, 13, 10, 400], start=1)])
    >>> [(o.unit, round_half_up(o.score)) for o in outliers(c, f, "2022-01-31")]
    [('FJ07', 262.4)]
    """
    day = _as_date(as_of)
    code = unit or campaign.top.code
    r = rollup(campaign, frames, code, day, round_id)
    kids = campaign.children(code)
    out: list[Outlier] = []
    levels = list(dict.fromkeys(k.level for k in kids))
    for ident in r.values.columns:
        ind = campaign.indicator(ident)
        if ind.type == "yes_no":
            continue
        for level in levels:
            peers = [k for k in kids if k.level == level]
            vals = pd.Series([r.values.at[k.code, ident] for k in peers],
                             index=[k.code for k in peers], dtype="float64").dropna()
            if len(vals) < max(min_peers, 1):
                continue
            med = float(vals.median())
            mad = float((vals - med).abs().median())
            if mad == 0:
                continue
            arr = vals.to_numpy(dtype="float64")
            scores = 0.6745 * np.abs(arr - med) / mad
            for k, v, score in zip(vals.index, arr, scores, strict=True):
                if score > threshold:
                    v = float(v)
                    name = campaign.unit(str(k)).name
                    label = indicator_label(campaign, ident)
                    msg = (f"{name}（{k}）{label} = {v:g}: modified z-score "
                           f"{_fixed(float(score), 1)} > {threshold:g} against {len(vals)} "
                           f"{level} peers "
                           f"(median {med:g}, MAD {mad:g}); a warning, not an error — check "
                           f"the figure against the return")
                    out.append(Outlier(str(k), name, ident, v, med, mad, float(score),
                                       threshold, len(vals), msg))
    return out


# ---------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------
def trace(frames: Frames, submission_ids: Iterable[int], indicator: str) -> pd.DataFrame:
    """List where the figures of an indicator in some submissions came from.

    Columns: submission_id, unit, round, revision, received_on, value, text, raw, sheet,
    cell, file_name — pass ``Rollup.sources(unit, indicator)`` to trace a rolled-up value.

    >>> f = frames_from_lists(submissions=[{"unit": "FJ01", "round": "final",
    ...     "received_on": "2022-01-18", "values": {"sessions": 12}}])
    >>> trace(f, [1], "sessions")[["unit", "value", "raw"]].values.tolist()
    [['FJ01', 12.0, '12']]
    """
    ids = list(submission_ids)
    vals = frames.values
    v = vals.loc[vals["submission_id"].isin(ids) & (vals["indicator"] == indicator),
                 ["submission_id", "value", "text", "raw", "sheet", "cell"]]
    subs = frames.submissions[["id", "unit", "round", "revision", "received_on", "file_name"]]
    out = v.merge(subs, left_on="submission_id", right_on="id", how="left")
    return out[["submission_id", "unit", "round", "revision", "received_on", "value", "text",
                "raw", "sheet", "cell", "file_name"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# JSON and text
# ---------------------------------------------------------------------------------------
def _json_number(value: Any, ind: Indicator | None = None) -> Any:
    """A JSON value: None for missing, bool for yes/no, int for whole numbers.

    Fractions are rounded half up (四舍五入): a percentage at its ``decimals`` (one by
    default), anything else at four places.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return None
    if ind is not None and ind.type == "yes_no":
        return bool(v)
    if ind is not None and (ind.type == "percent" or ind.unit == "%"):
        return round_half_up(v, ind.digits)
    if v.is_integer() and abs(v) < 2**53:
        return int(v)
    return round_half_up(v, 4)


def _figure(campaign: Campaign, ident: str, value: Any) -> Any:
    """A JSON figure of an indicator or a named measure (a measure is a rate: one decimal)."""
    if any(m.id == ident for m in campaign.measures):
        return _rate(value)
    return _json_number(value, campaign.indicator(ident))


def _unit_values(campaign: Campaign, r: Rollup, code: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ind in campaign.indicators:
        if ind.id in r.values.columns:
            out[ind.id] = _json_number(r.values.at[code, ind.id], ind)
        elif ind.id in r.texts.columns:
            out[ind.id] = _text(r.texts.at[code, ind.id])
    return out


def _rate(value: object) -> float | None:
    """A rate or percentage for JSON: one decimal, half up (None when missing)."""
    return round_half_up(_num(value), RATE_DECIMALS)


def _fixed(value: float, places: int = RATE_DECIMALS) -> str:
    """Write a number with ``places`` decimals, rounded half up (四舍五入): 6.25 → ``6.3``."""
    return f"{round_half_up(value, places):.{places}f}"


LEVEL_LABELS = {"province": "省级", "city": "市州", "county": "县（市、区）", "dept": "省直单位"}
"""How the text output names the level of units ranked apart (``下级第一``)."""

_LEVEL_ORDER = {lv: i for i, lv in enumerate(LEVEL_LABELS)}


def _ranking_json(campaign: Campaign, table: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Ranking entries per indicator, level by level (市州 apart from 省直单位)."""
    ranking: dict[str, list[dict[str, Any]]] = {}
    for ident, grp in table.groupby("indicator", sort=False):
        grp = grp[grp["rank"].notna()]
        if not len(grp):
            continue
        grp = grp.assign(_lv=grp["level"].map(lambda lv: _LEVEL_ORDER.get(str(lv), 99)))
        grp = grp.sort_values(["_lv", "rank", "unit"], kind="stable")
        ranking[str(ident)] = [
            {"unit": row.unit, "name": row.name, "level": row.level,
             "value": _figure(campaign, str(ident), row.value),
             "rank": int(cast(Any, row.rank)), "rank_label": row.rank_label,
             "share": _rate(row.share)}
            for row in grp.itertuples()]
    return ranking


def _progress_json(prog: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``progress`` for JSON: rates at one decimal, the gap between printed rates."""
    out: list[dict[str, Any]] = []
    for rec in prog.to_dict("records"):
        row = {str(k): _json_number(v) for k, v in rec.items()}
        for key in ("completion_rate", "time_progress"):
            row[key] = _rate(rec[key])
        rate, tp = row["completion_rate"], row["time_progress"]
        row["gap"] = None if rate is None or tp is None else round_half_up(rate - tp)
        out.append(row)
    return out


def _all_units_figure(tree: Hierarchy, fig: np.ndarray) -> np.ndarray:
    """A unit figure over all units of each subtree (as if every unit had reported).

    A unit's own figure stands for its whole area; where its units add up to more (or it
    has none), their sum does. NaN where no unit of the subtree has the figure.
    """
    tot = np.asarray(fig, dtype="float64").copy()
    below = np.zeros(len(tot))
    known = np.zeros(len(tot), dtype=bool)
    for d in range(len(tree.by_depth) - 1, 0, -1):
        idx = tree.by_depth[d]
        np.add.at(below, tree.parent[idx], np.nan_to_num(tot[idx]))
        np.logical_or.at(known, tree.parent[idx], ~np.isnan(tot[idx]))
        par = tree.by_depth[d - 1]
        tot[par] = np.where(known[par], np.fmax(fig[par], below[par]), fig[par])
    return tot


def _coverage_basis(campaign: Campaign, r: Rollup,
                    status: pd.DataFrame) -> dict[str, dict[str, Any]]:
    spec = _spec(campaign)
    figs = set(spec.figures)
    idents = [(i.id, i.formula.names & figs) for i in spec.derived
              if i.formula is not None and i.formula.names & figs]
    idents += [(m.id, m.formula.names & figs) for m in campaign.measures
               if m.formula.names & figs]
    if not idents:
        return {}
    tree = hierarchy(campaign, spec.figures)
    code = r.unit
    p = tree.pos[code]
    totals = {name: _all_units_figure(tree, tree.figures[name]) for name in spec.figures}
    env = pd.DataFrame({a: [_num(r.values.at[code, a]) if a in r.values.columns else None]
                        for a in spec.agg}, index=[code], dtype="float64")
    for name in spec.figures:
        env[name] = totals[name][p]
    env, measures = _derive(campaign, spec, env)
    inside = tree.subtree(code)
    out: dict[str, dict[str, Any]] = {}
    for ident, names in idents:
        held = [c for c in status.index if inside[tree.pos[c]]
                and all(not math.isnan(totals[n][tree.pos[c]]) for n in names)]
        reported = [c for c in held
                    if status.at[c, "status"] not in ("missing", "not_yet_due")]
        frame = env if ident in env.columns else measures
        out[ident] = {"reporting_units": _figure(campaign, ident, r.value(ident, code)),
                      "all_units": _figure(campaign, ident, frame.at[code, ident]),
                      "units_reported": len(reported), "units_expected": len(held)}
    return out


def coverage_basis(campaign: Campaign, frames: Frames, unit: str | None, as_of: DateLike,
                   round_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Give each coverage-like figure of a unit over two bases, for when units have not reported.

    For every derived indicator or measure whose formula reads a unit figure (township
    coverage = Σ covered ÷ Σ townships): ``reporting_units`` (the figure as rolled up: the
    townships of the units that reported), ``all_units`` (the same numerator over the
    townships of all the unit's units in the spec), ``units_reported`` and
    ``units_expected`` (reporters at or below the unit that hold the figure, and of those
    the ones whose return is used as of the date). Rates at one decimal, half up.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> coverage_basis(c, frames_from_lists(), None, "2022-01-31")
    {}
    """
    day = _as_date(as_of)
    code = unit or campaign.top.code
    rid = campaign.round(round_id).id
    return _coverage_basis(campaign, rollup(campaign, frames, code, day, rid),
                           reporter_status(campaign, frames, day, rid))


def stats_json(campaign: Campaign, frames: Frames, unit: str | None = None,
               as_of: DateLike | None = None, round_id: str | None = None) -> dict[str, Any]:
    """Build the ``stats --json`` document (docs/json.md) for a unit, round and date.

    Keys: campaign, unit, as_of, values {id: value}, reported, expected, children
    {code: {id: value}}, ranking {id: [{unit, name, level, value, rank, rank_label, share}]}
    (level by level: 市州 ranked apart from 省直单位), plan [...], outliers [...]; and also
    round, on_time, due, rate, on_time_rate (over the returns due), missing, not_yet_due,
    late, received_not_used [{unit, name, round, received_on, reason}], basis, measures,
    children_measures, consolidated_differences (only those beyond the form's precision),
    coverage_basis {id: {reporting_units, all_units, units_reported, units_expected}},
    sources {id: [submission ids]}, progress, time_progress. Missing values are null,
    yes/no true/false, rates 0–100 at one decimal, rounded half up (四舍五入).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> f = frames_from_lists(submissions=[{"unit": "FJ01", "round": "final",
    ...     "received_on": "2022-01-18", "return_type": "consolidated",
    ...     "values": {"sessions": 12}}])
    >>> d = stats_json(c, f, as_of="2022-01-31")
    >>> d["values"]["sessions"], d["reported"], d["expected"], d["children"]["FJ02"]["sessions"]
    (12, 1, 10, None)
    """
    day = _as_date(as_of) if as_of is not None else date.today()
    code = unit or campaign.top.code
    rnd = campaign.round(round_id)
    r = rollup(campaign, frames, code, day, rnd.id)
    rep = reporting(campaign, frames, day, rnd.id)
    rs = reporter_status(campaign, frames, day, rnd.id)
    scope = set(r.values.index)
    kids = [c.code for c in campaign.children(code)]
    table = children_table(campaign, frames, code, day, rnd.id)
    plan = plan_vs_actual(campaign, frames, day, code)
    prog = progress(campaign, frames, code, day, rnd.id)
    diffs = r.differences[r.differences["difference"] != 0]
    unused = received_not_used(campaign, frames, day, rnd.id, unit=code)
    row = rep.loc[code]

    def listed(status: str) -> list[str]:
        return [c for c in rs.index[rs["status"] == status] if c in scope]

    return {
        "campaign": campaign.id,
        "unit": code,
        "name": campaign.unit(code).name,
        "as_of": day.isoformat(),
        "round": rnd.id,
        "round_label": rnd.label,
        "deadline": rnd.deadline.isoformat(),
        "values": _unit_values(campaign, r, code),
        "measures": {m: _rate(r.measures.at[code, m]) for m in r.measures.columns},
        "basis": str(r.basis[code]),
        "reported": int(cast(Any, row["received"])),
        "expected": int(cast(Any, row["expected"])),
        "due": int(cast(Any, row["due"])),
        "on_time": int(cast(Any, row["on_time"])),
        "rate": _rate(row["rate"]),
        "on_time_rate": _rate(row["on_time_rate"]),
        "missing": listed("missing"),
        "not_yet_due": listed("not_yet_due"),
        "late": listed("late"),
        "received_not_used": [
            {"unit": u.unit, "name": u.name, "round": u.round,
             "received_on": _json_number(u.received_on), "reason": u.reason}
            for u in unused.itertuples()],
        "children": {k: _unit_values(campaign, r, k) for k in kids},
        "children_measures": {k: {m: _rate(r.measures.at[k, m]) for m in r.measures.columns}
                              for k in kids},
        "ranking": _ranking_json(campaign, table),
        "plan": [{k: _json_number(v) for k, v in rec.items()}
                 for rec in plan.to_dict("records")],
        "outliers": [o.as_dict() for o in outliers(campaign, frames, day, rnd.id, unit=code)],
        "consolidated_differences": [
            {"unit": d.unit, "indicator": d.indicator,
             "consolidated": _json_number(d.consolidated),
             "children_sum": _json_number(d.children_sum),
             "difference": _json_number(d.difference)} for d in diffs.itertuples()],
        "coverage_basis": _coverage_basis(campaign, r, rs),
        "sources": {i: list(r.sources(code, i)) for i in
                    [*r.values.columns, *r.texts.columns, *r.measures.columns]},
        "time_progress": _rate(time_progress(campaign, day)),
        "progress": _progress_json(prog),
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                 align: str | None = None) -> str:
    """Lay out a text table with aligned columns (Chinese characters count double).

    ``align`` gives one letter per column, ``l`` or ``r`` (numbers right by default).

    >>> print(format_table(["单位", "场次"], [["福州市", 12], ["厦门市", 8]]))
    单位    场次
    ------  ----
    福州市    12
    厦门市     8
    """
    cells = [[_cell(v) for v in row] for row in rows]
    ncol = len(headers)
    if align is None:
        align = "".join("r" if rows and all(isinstance(r[j], int | float) or r[j] is None
                                             for r in rows) else "l" for j in range(ncol))
    widths = [max([_width(h) for h in [headers[j]]] + [_width(r[j]) for r in cells])
              for j in range(ncol)]

    def line(vals: Sequence[str]) -> str:
        parts = []
        for j, v in enumerate(vals):
            pad = " " * (widths[j] - _width(v))
            parts.append(pad + v if align[j] == "r" else v + pad)
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:g}" if value.is_integer() else _fixed(value)
    return str(value)


def stats_text(campaign: Campaign, doc: Mapping[str, Any]) -> str:
    """Render a ``stats_json`` document as readable text tables (Chinese labels).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> doc = stats_json(c, frames_from_lists(), as_of="2022-01-31")
    >>> stats_text(c, doc).splitlines()[0]
    '福建省 · 港澳居民内地参保政策专项宣传季活动 · 截至1月底（final） · 截至 2022-01-31'
    """
    lines = [f"{doc['name']} · {campaign.title} · {doc['round_label']}（{doc['round']}） · "
             f"截至 {doc['as_of']}"]
    rate = "—" if doc["rate"] is None else f"{_fixed(doc['rate'])}%"
    on_rate = "—" if doc["on_time_rate"] is None else f"{_fixed(doc['on_time_rate'])}%"
    lines.append(f"报送情况：应报 {doc['expected']}，已报 {doc['reported']}（{rate}），"
                 f"按时 {doc['on_time']}（{on_rate}），报送时限 {doc['deadline']}")
    names = {u.code: u.name for u in campaign.units}
    waiting = doc.get("not_yet_due") or []
    if waiting:
        lines.append(f"另有 {len(waiting)} 个单位未到报送时限，不计入报送率"
                     f"（报送率按已到期的 {doc.get('due', 0)} 个单位计）")
    if doc["missing"]:
        lines.append("未报送：" + "、".join(names.get(c, c) for c in doc["missing"]))
    if doc["late"]:
        lines.append("逾期报送：" + "、".join(names.get(c, c) for c in doc["late"]))
    unused = doc.get("received_not_used") or []
    if unused:
        lines.append("收到但未计入（非本轮报送单位，不计入任何数据）：" + "、".join(
            f"{names.get(u['unit'], u['unit'])}（{u['round']}，{u['received_on']}）"
            for u in unused))
    lines.append("")
    rows: list[list[Any]] = []
    for ind in campaign.indicators:
        if ind.id not in doc["values"]:
            continue
        first = _firsts(doc["ranking"].get(ind.id, []))
        rows.append([indicator_label(campaign, ind.id), ind.unit or "",
                     _shown(campaign, ind.id, doc["values"][ind.id]), first])
    for mid, v in doc["measures"].items():
        rows.append([campaign.measure(mid).label, campaign.measure(mid).unit or "",
                     _shown(campaign, mid, v), _firsts(doc["ranking"].get(mid, []))])
    lines.append(format_table(["指标", "单位", "数值", "下级第一"], rows, "llrl"))
    for ident, basis in (doc.get("coverage_basis") or {}).items():
        if basis["units_reported"] >= basis["units_expected"]:
            continue
        unit = "%" if _is_rate(campaign, ident) else ""
        count = f"已报送 {basis['units_reported']}/{basis['units_expected']} 个单位"
        label = indicator_label(campaign, ident)
        lines.append(f"{label}（已报送单位）：{_shown(campaign, ident, basis['reporting_units'])}"
                     f"{unit}（{count}，按已报送单位的基数计）")
        lines.append(f"{label}（全部单位）：{_shown(campaign, ident, basis['all_units'])}"
                     f"{unit}（{count}，按全部单位的基数计，未报送单位按未覆盖计）")
    if doc["children"]:
        lines.append("")
        cols = _overview_columns(campaign)
        heads = ["单位", *(h for _, h in cols)]
        crow = []
        for k, vals in doc["children"].items():
            mvals = doc["children_measures"].get(k, {})
            crow.append([names.get(k, k),
                         *(_shown(campaign, i, vals.get(i) if i in vals else mvals.get(i))
                           for i, _ in cols)])
        lines.append(format_table(heads, crow, "l" + "r" * len(cols)))
    if doc["consolidated_differences"]:
        lines.append("")
        lines.append("汇总表与下级合计不一致（汇总表为准，差额如下）：")
        lines.append(format_table(
            ["单位", "指标", "汇总表", "下级合计", "差额"],
            [[names.get(d["unit"], d["unit"]), indicator_label(campaign, d["indicator"]),
              *(_shown(campaign, d["indicator"], d[k])
                for k in ("consolidated", "children_sum", "difference"))]
             for d in doc["consolidated_differences"]], "llrrr"))
    if doc["plan"]:
        lines.append("")
        lines.append("活动计划完成情况：")
        lines.append(format_table(
            ["计划", "主题", "时间", "计划场次", "已开展", "状态"],
            [[p["plan"], str(p["theme"])[:18], p["window"], p["planned"], p["held"],
              _PLAN_LABELS.get(p["status"], p["status"])] for p in doc["plan"]], "lllrrl"))
    if doc["outliers"]:
        lines.append("")
        lines.append("异常值提示（仅提示）：")
        lines.extend("  " + o["message"] for o in doc["outliers"])
    return "\n".join(lines)


def _firsts(ranking: Sequence[Mapping[str, Any]], limit: int = 3) -> str:
    """Name the units ranked first, level by level (``市州：A、B；省直单位：C``).

    ``A、B、C等5个`` when many share first place; the level is named only when the
    children of several levels are ranked (each level apart).
    """
    by_level: dict[str, list[str]] = {}
    for e in ranking:
        if e["rank"] == 1:
            by_level.setdefault(str(e.get("level", "")), []).append(str(e["name"]))
    parts = []
    for level, names in by_level.items():
        text = "、".join(names[:limit]) + (f"等{len(names)}个" if len(names) > limit else "")
        parts.append(f"{LEVEL_LABELS.get(level, level)}：{text}" if len(by_level) > 1
                     else text)
    return "；".join(parts)


def _shown(campaign: Campaign, ident: str, value: Any) -> Any:
    """Round a figure for display, half up: rates always to one decimal (``50.0``), a number
    at its decimals (trailing zeros dropped), whole numbers as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if _is_rate(campaign, ident):
        return _fixed(float(value), _digits(campaign, ident))
    if isinstance(value, int) or float(value).is_integer():
        return int(value)
    text = _fixed(float(value), _digits(campaign, ident))
    return text.rstrip("0").rstrip(".") if "." in text else text


_PLAN_LABELS = {"met": "完成", "below": "未完成", "above": "超额", "in_progress": "进行中",
                "not_started": "未开始"}


def _overview_columns(campaign: Campaign, limit: int = 8) -> list[tuple[str, str]]:
    """Columns of the children overview: rates first, then the main counts."""
    cols: list[tuple[str, str]] = []
    for ind in campaign.indicators:
        if ind.formula is not None:
            cols.append((ind.id, _short(ind.blank or ind.label)))
    cols.extend((m.id, m.label) for m in campaign.measures)
    counts = [i for i in campaign.indicators if i.aggregate == "sum" and i.formula is None]
    counts.sort(key=lambda i: i.venue is None)
    for ind in counts:
        if len(cols) >= limit:
            break
        head = f"进{ind.venue}" if ind.venue else _short(ind.label)
        cols.append((ind.id, head))
    return cols


def _short(text: str, n: int = 8) -> str:
    text = text.replace(" ", "").replace("%", "").strip()
    return text if len(text) <= n else text[:n] + "…"
