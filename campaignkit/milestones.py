"""Judge every milestone for every unit as of a date, and the reporting rates of each round.

Statuses (docs/vocabulary.md): ``on_time`` (done by its deadline), ``late`` (done after it),
``overdue`` (not done, deadline passed), ``due_soon`` (not done, deadline within
``due_soon_days``), ``pending`` (not due yet, or a window not begun), ``in_progress`` (inside
its window, or a continuous task during the campaign — never overdue), ``not_applicable``
(the unit lacks the duty: ``milestone.responsible.applies(unit)`` is false).

A round's returns have their own words (``REPORTING_STATUSES``, from
``stats.reporter_status``): ``on_time``, ``late``, ``incomplete``, ``missing`` (nothing sent,
deadline passed) and ``not_yet_due`` (nothing sent, deadline not passed: not missing, and it
does not lower a rate — rates are over the returns due, see ``reporting_summary``).

When a milestone was done (``done_on``): the first recorded deliverable (the progress log's
``milestone`` column holds the milestone id; its deliverable name is accepted too), the day
the unit completed the round by its rule (``completed_by``: its first complete return, its
first consolidated one, or the day the last of its reporting units below completed it — see
``stats.round_completion``; revisions never move it), or the first return whose own figures
meet the condition (``township_coverage >= 100``). Items say the rule (``completed_by``) and
what completed them (``done_by``, ``DONE_BY``). Only what happened on or
before ``as_of`` counts, and only returns of the round's reporters (``stats.returns_used``).
Vectorised per milestone over all units; no per-unit loop.

>>> from campaignkit import load_campaign
>>> from campaignkit.stats import frames_from_lists
>>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
>>> f = frames_from_lists(deliverables=[
...     {"unit": "HB01", "milestone": "m01", "done_on": "2024-03-20"},
...     {"unit": "HB02", "milestone": "m01", "done_on": "2024-04-02"}])
>>> s = milestone_status(c, f, "2024-07-15").set_index(["milestone", "unit"])
>>> s.loc[("m01", "HB01"), "status"], s.loc[("m01", "HB02"), "status"]
('on_time', 'late')
>>> s.loc[("m01", "HB03"), "status"], int(s.loc[("m01", "HB03"), "days_late"])
('overdue', 112)
>>> s.loc[("m01", "HB0101"), "status"]
'not_applicable'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

from .rounding import RATE_DECIMALS, round_half_up
from .spec import Campaign, Milestone
from .stats import (
    DateLike,
    Frames,
    _as_date,
    _first_day_by_unit,
    _json_number,
    evaluate_returns,
    format_table,
    hierarchy,
    reporting,
    rollup,
    round_completion,
    time_progress,
)

__all__ = [
    "REPORTING_STATUSES",
    "STATUSES",
    "STATUS_LABELS",
    "StatusItem",
    "behind",
    "milestone_status",
    "reporting_summary",
    "status_items",
    "status_json",
    "status_text",
]

STATUSES = ("on_time", "late", "overdue", "due_soon", "pending", "in_progress",
            "not_applicable")
REPORTING_STATUSES = ("on_time", "late", "incomplete", "missing", "not_yet_due")
"""Where a reporter's return of a round stands (``stats.reporter_status``)."""
STATUS_LABELS: Mapping[str, str] = {
    "on_time": "按时完成", "late": "逾期完成", "overdue": "逾期未完成", "due_soon": "即将到期",
    "pending": "未到期", "in_progress": "进行中", "not_applicable": "不适用",
    "incomplete": "未报全", "missing": "未报送", "not_yet_due": "未到报送时限",
}
COMPLETED_BY_LABELS: Mapping[str, str] = {
    "own": "本单位报送", "consolidated": "本单位报送汇总表", "children": "下级单位报齐",
}
"""How a unit completed a round (``completed_by``), in the words of the text output."""
COLUMNS = ("milestone", "kind", "round", "unit", "name", "level", "deadline", "window_start",
           "status", "done_on", "done_by", "completed_by", "days_late", "shortfall", "reason")
DONE_BY = ("deliverable", "return", "children", "condition")
"""What completed a milestone × unit (``done_by``): a recorded deliverable, the unit's own
return of the round, its reporting units below (``completed_by: children``), or the first
return meeting the condition."""


@dataclass(frozen=True)
class StatusItem:
    """One milestone × unit as of a date (one item of ``status --json``)."""

    milestone: str
    kind: str
    round: str | None
    unit: str
    deadline: date | None
    status: str
    done_on: date | None
    days_late: int | None
    shortfall: float | None
    reason: str = ""
    completed_by: str | None = None
    """A round milestone: the rule that applied to the unit (own, consolidated, children)."""
    done_by: str | None = None
    """What completed it (``DONE_BY``); None while not done."""

    def as_dict(self) -> dict[str, Any]:
        """Return the item as a JSON-ready dict (dates as ISO text)."""
        out = asdict(self)
        for key in ("deadline", "done_on"):
            out[key] = None if out[key] is None else out[key].isoformat()
        return out


def _round_of(campaign: Campaign, m: Milestone) -> str | None:
    """The round a milestone belongs to: its completion's round or the round it closes."""
    if m.completion.round is not None:
        return m.completion.round
    for r in campaign.rounds:
        if r.deadline_milestone == m.id:
            return r.id
    return None


def _applies(campaign: Campaign, m: Milestone, levels: np.ndarray,
             codes: np.ndarray) -> np.ndarray:
    """Vectorised ``m.responsible.applies(unit)`` over all units."""
    resp = m.responsible
    if resp.levels or resp.units:
        mask = np.isin(levels, list(resp.levels)) | np.isin(codes, list(resp.units))
    else:
        mask = np.ones(len(codes), dtype=bool)
    if resp.tags:
        mask &= np.array([bool(resp.tags & u.tags) for u in campaign.units], dtype=bool)
    return np.asarray(mask, dtype=bool)


def _responsible_text(m: Milestone) -> str:
    r = m.responsible
    parts = sorted(r.levels) + sorted(r.units)
    text = ", ".join(parts) if parts else "every unit"
    if r.tags:
        text += f" tagged {', '.join(sorted(r.tags))}"
    if r.condition:
        text += f" ({r.condition})"
    return text


def _shortfall(m: Milestone, env: pd.DataFrame) -> pd.Series:
    """How far each return is from meeting a condition ``a >= b`` (0 when met)."""
    cond = m.completion.condition
    if cond is None:
        return pd.Series(np.nan, index=env.index)
    left, op, right = cond.split_comparison()
    lv = left.evaluate_frame(env).to_numpy(dtype="float64")
    rv = right.evaluate_frame(env).to_numpy(dtype="float64")
    if op in (">=", ">"):
        gap = rv - lv
    elif op in ("<=", "<"):
        gap = lv - rv
    else:
        gap = np.full(len(env), np.nan)
    return pd.Series(np.where(np.isnan(gap), np.nan, np.maximum(gap, 0.0)), index=env.index)


def milestone_status(campaign: Campaign, frames: Frames, as_of: DateLike, *,
                     due_soon_days: int = 7, unit: str | None = None) -> pd.DataFrame:
    """Judge every milestone for every unit (or the units at and below ``unit``) as of a date.

    Columns: milestone, kind, round, unit, name, level, deadline (the deadline or the end of
    the window; None for continuous tasks), window_start, status, done_on, done_by
    (``deliverable``, ``return`` or ``condition``), days_late (late: done − deadline;
    overdue: as_of − deadline), shortfall (condition milestones: how far below, e.g.
    100 − coverage on the latest return; 0 once met) and reason (why, in words).

    ``due_soon`` applies to ``deadline`` milestones only: a window milestone is
    ``in_progress`` for the whole of its window (our reading of the two rules together).

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> s = milestone_status(c, frames_from_lists(), "2024-03-20", unit="HB01")
    >>> s.set_index(["milestone", "unit"]).loc[("m01", "HB01"), ["status", "reason"]].tolist()
    ['due_soon', 'not done; due 2024-03-25, in 5 day(s)']
    """
    day = _as_date(as_of)
    today = day.toordinal()
    ts = pd.Timestamp(day)
    tree = hierarchy(campaign)
    n = len(tree.codes)
    codes = np.array(tree.codes, dtype=object)
    levels = tree.levels
    names = np.array([u.name for u in campaign.units], dtype=object)
    scope = tree.subtree(unit) if unit is not None else np.ones(n, dtype=bool)

    dl = frames.deliverables
    dl = dl.loc[(dl["done_on"] <= ts).to_numpy()]
    env: pd.DataFrame | None = None
    if any(m.completion.kind == "condition" for m in campaign.milestones):
        env = evaluate_returns(campaign, frames, day)

    parts: list[pd.DataFrame] = []
    for m in campaign.milestones:
        applies = _applies(campaign, m, levels, codes)
        done = np.full(n, np.nan)
        done_by = np.full(n, None, dtype=object)
        rule = np.full(n, None, dtype=object)
        how = np.full(n, "", dtype=object)
        gaps = np.full(n, "", dtype=object)
        short = np.full(n, np.nan)
        comp = m.completion
        if comp.kind == "deliverable":
            keys = {m.id} | ({comp.deliverable} if comp.deliverable else set())
            done = _first_day_by_unit(dl.loc[dl["milestone"].isin(list(keys)).to_numpy()],
                                      "done_on", tree.pos, n)
            done_by[:], how[:] = "deliverable", "recorded deliverable"
        elif comp.kind == "round" and comp.round is not None:
            rc = round_completion(campaign, frames, day, comp.round, rule=comp.by)
            done = np.array([np.nan if d is None else float(d.toordinal())
                             for d in rc["done_on"]])
            done_by, rule = rc["done_by"].to_numpy(dtype=object), \
                rc["completed_by"].to_numpy(dtype=object)
            how, gaps = _round_words(campaign, rc)
        elif comp.kind == "condition" and env is not None and comp.condition is not None:
            e = env if comp.round is None else env.loc[(env["round"] == comp.round).to_numpy()]
            met = comp.condition.evaluate_frame(e)
            ok = met.map(lambda v: v is True).to_numpy(dtype=bool)
            done = _first_day_by_unit(e.loc[ok], "received_on", tree.pos, n)
            # a completion recorded in the progress log (with its evidence) counts too
            logged = _first_day_by_unit(dl.loc[(dl["milestone"] == m.id).to_numpy()],
                                        "done_on", tree.pos, n)
            done = np.fmin(done, logged)
            done_by[:] = "condition"
            how[:] = "first return meeting " + (comp.condition.text if comp.condition else "")
            if len(e):
                latest = e.assign(_gap=_shortfall(m, e)).sort_values(
                    ["received_on", "revision"], kind="stable").drop_duplicates(
                    "unit", keep="last")
                idx = np.array([tree.pos.get(str(u), -1) for u in latest["unit"]],
                               dtype="int64")
                good = idx >= 0
                short[idx[good]] = latest["_gap"].to_numpy(dtype="float64")[good]
            short = np.where(~np.isnan(done), 0.0, short)
        parts.append(_judge(campaign, m, today, due_soon_days, applies, done, short,
                            _Words(done_by, rule, how, gaps), codes, names, levels, scope))
    if not parts:
        return pd.DataFrame(columns=list(COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out["days_late"] = out["days_late"].astype("Int64")
    return out


@dataclass(frozen=True)
class _Words:
    """Per unit (arrays in spec order): what completed it, the rule, and how to say so."""

    done_by: np.ndarray
    rule: np.ndarray
    how: np.ndarray
    gaps: np.ndarray


def _round_words(campaign: Campaign, rc: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Say how each unit completed a round (or what it still waits for), by its rule."""
    names = {u.code: u.name for u in campaign.units}
    how = np.full(len(rc), "", dtype=object)
    gaps = np.full(len(rc), "", dtype=object)
    for i, (rule, done_by, below, waiting) in enumerate(zip(
            rc["completed_by"], rc["done_by"], rc["below"], rc["waiting_for"], strict=True)):
        units = [names[c] for c in str(below).split(",") if c]
        if done_by == "children":
            how[i] = f"the last of its reporting units below to complete it: {'、'.join(units)}"
        elif rule == "own":
            how[i] = "first complete return"
        else:
            how[i] = "first complete consolidated return"
        if rule == "children" and waiting:
            wait = [names[c] for c in str(waiting).split(",") if c]
            gaps[i] = (f"; waiting for {'、'.join(wait)} ({len(wait)} of {len(units)} "
                       "reporting units below)")
        elif rule == "consolidated":
            gaps[i] = "; a consolidated return is needed"
    return how, gaps


def _judge(campaign: Campaign, m: Milestone, today: int, soon: int, applies: np.ndarray,
           done: np.ndarray, short: np.ndarray, words: _Words, codes: np.ndarray,
           names: np.ndarray, levels: np.ndarray, scope: np.ndarray) -> pd.DataFrame:
    """Status, days late and reason for one milestone over all units (vectorised)."""
    n = len(codes)
    due = m.due.toordinal() if m.due is not None else math.nan
    start = m.window.start.toordinal() if m.window is not None else math.nan
    is_done = ~np.isnan(done)
    days_late = np.full(n, np.nan)
    if m.kind == "continuous":
        before = today < campaign.period_start.toordinal()
        status = np.full(n, "pending" if before else "in_progress", dtype=object)
        is_done = np.zeros(n, dtype=bool)
    else:
        late = is_done & (done > due)
        overdue = ~is_done & (today > due)
        open_ = ~is_done & ~overdue
        if m.kind == "window":
            waiting = open_ & (today < start)
            running = open_ & ~waiting
            status = np.select([is_done & ~late, late, overdue, waiting, running],
                               ["on_time", "late", "overdue", "pending", "in_progress"],
                               "pending").astype(object)
        else:
            soon_mask = open_ & (due - today <= soon)
            status = np.select([is_done & ~late, late, overdue, soon_mask],
                               ["on_time", "late", "overdue", "due_soon"],
                               "pending").astype(object)
        days_late = np.where(late, done - due, np.where(overdue, today - due, np.nan))
    status[~applies] = "not_applicable"
    done = np.where(applies, done, np.nan)
    days_late = np.where(applies, days_late, np.nan)
    short = np.where(applies, short, np.nan)

    keep = np.flatnonzero(scope)
    due_d = m.due
    win = m.window
    reasons = [_reason(m, str(status[i]), done[i], days_late[i], short[i], today, due_d,
                       str(words.how[i]), str(words.gaps[i])) for i in keep]
    return pd.DataFrame({
        "milestone": m.id, "kind": m.kind, "round": _round_of(campaign, m),
        "unit": codes[keep], "name": names[keep], "level": levels[keep],
        "deadline": due_d, "window_start": None if win is None else win.start,
        "status": status[keep],
        "done_on": [None if math.isnan(d) else date.fromordinal(int(d)) for d in done[keep]],
        "done_by": [words.done_by[i] if not math.isnan(done[i]) else None for i in keep],
        "completed_by": [words.rule[i] if applies[i] else None for i in keep],
        "days_late": days_late[keep], "shortfall": short[keep], "reason": reasons,
    }, columns=list(COLUMNS))


def _reason(m: Milestone, status: str, done: float, days_late: float, short: float,
            today: int, due: date | None, how: str, gap: str) -> str:
    """Say in words why a milestone × unit has its status (``how`` it was done, the ``gap``)."""
    if not math.isnan(short) and short > 0:
        gap += f"; latest return is {short:g} short of the condition"
    if status == "not_applicable":
        return f"not a duty of this unit (responsible: {_responsible_text(m)})"
    if m.kind == "continuous":
        return ("continuous task (贯穿活动全过程): never overdue"
                if status == "in_progress" else "the campaign has not begun")
    done_d = None if math.isnan(done) else date.fromordinal(int(done))
    if status == "on_time":
        return f"done {done_d} ({how}); due {due}"
    if status == "late":
        return f"done {done_d} ({how}), {int(days_late)} day(s) after {due}"
    if status == "overdue":
        what = "window ended" if m.kind == "window" else "due"
        return f"not done; {what} {due}, {int(days_late)} day(s) ago{gap}"
    if status == "due_soon":
        return f"not done; due {due}, in {due.toordinal() - today if due else 0} day(s){gap}"
    if status == "in_progress":
        assert m.window is not None
        return f"inside the window {m.window.start}–{m.window.end}, not done yet{gap}"
    if m.kind == "window" and m.window is not None and today < m.window.start.toordinal():
        return f"the window {m.window.start}–{m.window.end} has not begun"
    return f"not done; due {due}{gap}"


def status_items(campaign: Campaign, frames: Frames, as_of: DateLike, *,
                 due_soon_days: int = 7, unit: str | None = None) -> list[StatusItem]:
    """Return ``milestone_status`` as a list of ``StatusItem``.

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> items = status_items(c, frames_from_lists(), "2022-01-21", unit="FJ01")
    >>> [(i.milestone, i.status) for i in items if i.milestone == "m_stats_table"]
    [('m_stats_table', 'overdue')]
    """
    df = milestone_status(campaign, frames, as_of, due_soon_days=due_soon_days, unit=unit)
    out: list[StatusItem] = []
    for rec in df.to_dict("records"):
        dl = rec["days_late"]
        sf = rec["shortfall"]
        out.append(StatusItem(
            milestone=str(rec["milestone"]), kind=str(rec["kind"]),
            round=None if rec["round"] is None or pd.isna(rec["round"]) else str(rec["round"]),
            unit=str(rec["unit"]), deadline=rec["deadline"] if isinstance(rec["deadline"], date)
            else None, status=str(rec["status"]),
            done_on=rec["done_on"] if isinstance(rec["done_on"], date) else None,
            days_late=None if dl is None or pd.isna(dl) else int(dl),
            shortfall=None if sf is None or pd.isna(sf) else float(sf),
            reason=str(rec["reason"]),
            completed_by=_word(rec["completed_by"]), done_by=_word(rec["done_by"])))
    return out


def _word(value: object) -> str | None:
    """A word of the status frame, or None where it holds none (None, NaN, NA)."""
    return None if value is None or bool(pd.isna(cast(Any, value))) else str(value)


def reporting_summary(campaign: Campaign, frames: Frames, as_of: DateLike, *,
                      unit: str | None = None) -> pd.DataFrame:
    """Count, per round, returns expected, received and on time under a unit.

    Columns: round, label, deadline, expected, received, on_time, late, incomplete, missing,
    rate, on_time_rate, due, not_yet_due, completed_by (the round's rule: how a parent
    completes it, see ``stats.round_completion``). ``due`` counts the returns due as of the date
    (all expected once the deadline has passed; before it, those received complete) and
    ``not_yet_due`` the units with nothing sent before the deadline; rate (complete ÷ due)
    and on_time_rate (on time ÷ due) are 0–100, None when nothing is due, and never above
    100: a unit counts once however many revisions.

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> f = frames_from_lists(submissions=[
    ...     {"unit": "HB01", "round": "midyear", "received_on": "2024-06-28"},
    ...     {"unit": "HB01", "round": "midyear", "received_on": "2024-07-03"}])
    >>> row = reporting_summary(c, f, "2024-07-15").iloc[0]
    >>> [int(row[k]) for k in ("expected", "received", "on_time")], round_half_up(row["rate"])
    ([23, 1, 1], 4.3)
    """
    code = unit or campaign.top.code
    rows = []
    for r in campaign.rounds:
        rep = reporting(campaign, frames, as_of, r.id).loc[code]
        rows.append({"round": r.id, "label": r.label, "deadline": r.deadline,
                     **{k: int(cast(Any, rep[k])) for k in
                        ("expected", "received", "on_time", "late", "incomplete", "missing")},
                     "rate": _num(rep["rate"]), "on_time_rate": _num(rep["on_time_rate"]),
                     "due": int(cast(Any, rep["due"])),
                     "not_yet_due": int(cast(Any, rep["not_yet_due"])),
                     "completed_by": r.completed_by})
    return pd.DataFrame(rows, columns=["round", "label", "deadline", "expected", "received",
                                       "on_time", "late", "incomplete", "missing", "rate",
                                       "on_time_rate", "due", "not_yet_due", "completed_by"])


def _rate_text(value: object) -> str | None:
    """Write a rate at one decimal, rounded half up (``100.0``, ``6.3``; None when missing)."""
    v = round_half_up(_num(value), RATE_DECIMALS)
    return None if v is None else f"{v:.1f}"


def _int(value: object) -> int | None:
    v = _num(value)
    return None if v is None else int(v)


def _num(value: object) -> float | None:
    try:
        v = float(cast(Any, value))
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def behind(campaign: Campaign, frames: Frames, as_of: DateLike, *, unit: str | None = None,
           due_soon_days: int = 7, round_id: str | None = None) -> pd.DataFrame:
    """List what each unit is behind on: milestones late or overdue, targets behind 序时进度.

    One row per problem: unit, name, what (``milestone`` or ``target``), item (milestone id
    or indicator id), status (``overdue``, ``late`` or ``below_time_progress``), days_late,
    shortfall (condition: how far below; target: how many units short of target × 序时进度)
    and detail. Targets use the round ``round_id`` (default: the final round) and only
    units with a value; a missing return shows up in the reporting rates instead. 完成率 and
    序时进度 are compared as printed, at one decimal rounded half up (四舍五入).

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> b = behind(c, frames_from_lists(), "2024-04-01", unit="HB01")
    >>> [(r.unit, r.item, r.status, int(r.days_late)) for r in b.head(2).itertuples()]
    [('HB01', 'm01', 'overdue', 7), ('HB0101', 'm03', 'overdue', 1)]
    """
    day = _as_date(as_of)
    st = milestone_status(campaign, frames, day, due_soon_days=due_soon_days, unit=unit)
    bad = st[st["status"].isin(["overdue", "late"])]
    rows: list[dict[str, Any]] = [
        {"unit": r.unit, "name": r.name, "what": "milestone", "item": r.milestone,
         "status": r.status, "days_late": _int(r.days_late), "shortfall": _num(r.shortfall),
         "detail": f"{campaign.milestone(str(r.milestone)).row or ''}: {r.reason}"}
        for r in bad.itertuples()]
    code = unit or campaign.top.code
    scope = {u.code for u in campaign.iter_units(code)}
    targets = [t for t in campaign.targets if t.unit in scope]
    if targets:
        roll = rollup(campaign, frames, code, day, round_id)
        tp = time_progress(campaign, day)
        for t in targets:
            v = roll.value(t.indicator, t.unit)
            if v is None or t.value == 0:
                continue
            # compared as printed: 完成率 and 序时进度 at one decimal, rounded half up
            rate = round_half_up(v / t.value * 100, RATE_DECIMALS)
            shown_tp = round_half_up(tp, RATE_DECIMALS)
            if rate < shown_tp:
                gap = round_half_up(shown_tp - rate, RATE_DECIMALS)
                rows.append({
                    "unit": t.unit, "name": campaign.unit(t.unit).name, "what": "target",
                    "item": t.indicator, "status": "below_time_progress", "days_late": None,
                    "shortfall": t.value * tp / 100 - v,
                    "detail": (f"完成率 {rate:.1f}%，低于序时进度 {shown_tp:.1f}%"
                               f"（差 {gap:.1f} 个百分点；目标 {t.value:g}，完成 {v:g}"
                               f"{'，目标为示例' if t.synthetic else ''}）")})
    order = {u.code: i for i, u in enumerate(campaign.units)}
    out = pd.DataFrame(rows, columns=["unit", "name", "what", "item", "status", "days_late",
                                      "shortfall", "detail"])
    if len(out):
        out = out.assign(_o=out["unit"].map(order)).sort_values(
            ["_o", "what", "item"], kind="stable").drop(columns="_o").reset_index(drop=True)
    out["days_late"] = out["days_late"].astype("Int64")
    return out


def status_json(campaign: Campaign, frames: Frames, as_of: DateLike | None = None, *,
                unit: str | None = None, due_soon_days: int = 7) -> dict[str, Any]:
    """Build the ``status --json`` document (docs/json.md).

    ``{"campaign", "as_of", "items": [{"milestone", "kind", "round", "unit", "deadline",
    "status", "done_on", "days_late", "shortfall"}], "reporting": [{"round", "expected",
    "received", "on_time", "rate", "on_time_rate"}]}`` — one reporting entry per round,
    also with ``due`` and ``not_yet_due`` (rates are over the returns due, at one decimal,
    rounded half up) — plus ``unit``, ``due_soon_days``, ``reason`` on each item, ``counts``
    and ``behind``.

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> d = status_json(c, frames_from_lists(), "2022-01-15", unit="FJ02")
    >>> sorted(d), d["reporting"][0]["expected"]
    (['as_of', 'behind', 'campaign', 'counts', 'due_soon_days', 'items', 'reporting', 'unit'], 1)
    """
    day = _as_date(as_of) if as_of is not None else date.today()
    code = unit or campaign.top.code
    items = status_items(campaign, frames, day, due_soon_days=due_soon_days, unit=code)
    rep = reporting_summary(campaign, frames, day, unit=code)
    counts = {s: 0 for s in STATUSES}
    for it in items:
        counts[it.status] += 1
    late = behind(campaign, frames, day, unit=code, due_soon_days=due_soon_days)
    return {
        "campaign": campaign.id,
        "as_of": day.isoformat(),
        "unit": code,
        "due_soon_days": due_soon_days,
        "items": [it.as_dict() for it in items],
        # rates to one decimal, half up (四舍五入), as in ``stats --json`` and official tables
        "reporting": [{str(k): (round_half_up(_num(v), RATE_DECIMALS) if str(k).endswith("rate")
                                else _json_number(v)) for k, v in rec.items()}
                      for rec in rep.to_dict("records")],
        "counts": counts,
        "behind": [{k: _json_number(v) for k, v in rec.items()}
                   for rec in late.to_dict("records")],
    }


def _rule_lines(campaign: Campaign, doc: Mapping[str, Any]) -> list[str]:
    """Say which units complete a round milestone other than by their own return."""
    names = {u.code: u.name for u in campaign.units}
    labels = {r.id: r.label for r in campaign.rounds}
    found: dict[tuple[str, str], list[str]] = {}
    for it in doc["items"]:
        rule = it.get("completed_by")
        if rule and rule != "own":
            found.setdefault((it["milestone"], rule), []).append(names.get(it["unit"], it["unit"]))
    if not found:
        return []
    lines = ["完成方式（其余单位以本单位报送为准）："]
    for m in campaign.milestones:
        rnd = m.completion.round
        for rule, label in COMPLETED_BY_LABELS.items():
            units = found.get((m.id, rule))
            if units:
                lines.append(f"  {m.id}（{labels.get(rnd or '', rnd)}）completed_by: {rule}，"
                             f"{label}即完成：{'、'.join(units)}")
    return lines


def status_text(campaign: Campaign, doc: Mapping[str, Any], *, limit: int = 60) -> str:
    """Render a ``status_json`` document as readable text tables (Chinese labels).

    >>> from campaignkit import load_campaign
    >>> from campaignkit.stats import frames_from_lists
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> text = status_text(c, status_json(c, frames_from_lists(), "2022-01-15"))
    >>> text.splitlines()[0]
    '福建省 · 港澳居民内地参保政策专项宣传季活动 · 截至 2022-01-15'
    """
    names = {u.code: u.name for u in campaign.units}
    lines = [f"{names.get(doc['unit'], doc['unit'])} · {campaign.title} · 截至 {doc['as_of']}",
             ""]
    lines.append(format_table(
        ["轮次", "报送时限", "应报", STATUS_LABELS["not_yet_due"], "已到期", "已报", "按时",
         "报送率%", "按时率%"],
        [[f"{r['label']}（{r['round']}）", r["deadline"], r["expected"],
          r.get("not_yet_due", 0), r.get("due", r["expected"]), r["received"], r["on_time"],
          _rate_text(r["rate"]), _rate_text(r["on_time_rate"])] for r in doc["reporting"]],
        "llrrrrrrr"))
    lines.append("（报送率、按时率按已到期的单位计；未到报送时限的单位不计入）")
    lines.extend(_rule_lines(campaign, doc))
    lines.append("")
    by_ms: dict[str, dict[str, int]] = {}
    for it in doc["items"]:
        by_ms.setdefault(it["milestone"], {s: 0 for s in STATUSES})[it["status"]] += 1
    heads = ["事项", "时限", *(STATUS_LABELS[s] for s in STATUSES[:-1])]
    rows = []
    for m in campaign.milestones:
        c = by_ms.get(m.id)
        if c is None or sum(v for k, v in c.items() if k != "not_applicable") == 0:
            continue
        rows.append([m.id, m.row or "", *(c[s] for s in STATUSES[:-1])])
    lines.append(format_table(heads, rows, "ll" + "r" * (len(heads) - 2)))
    problems = [it for it in doc["items"] if it["status"] in ("overdue", "late", "due_soon")]
    if problems:
        lines.append("")
        lines.append("需关注：")
        order = {"overdue": 0, "due_soon": 1, "late": 2}
        problems.sort(key=lambda it: (order[it["status"]], -(it["days_late"] or 0)))
        lines.append(format_table(
            ["单位", "事项", "状态", "时限", "完成日期", "逾期天数", "差距"],
            [[names.get(it["unit"], it["unit"]), it["milestone"], STATUS_LABELS[it["status"]],
              it["deadline"], it["done_on"], it["days_late"], it["shortfall"]]
             for it in problems[:limit]], "lllllrr"))
        if len(problems) > limit:
            lines.append(f"…… 另有 {len(problems) - limit} 项（--json 可见全部）")
    targets = [b for b in doc["behind"] if b["what"] == "target"]
    if targets:
        lines.append("")
        lines.append("低于序时进度：")
        lines.extend(f"  {b['name']} {b['item']}: {b['detail']}" for b in targets)
    return "\n".join(lines)
