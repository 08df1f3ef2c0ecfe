"""Build the 年度工作总结 (year-end summary) of a unit at any level, as a document model.

:func:`build_year_end` reads a :class:`~.snapshot.Snapshot` and returns a
:class:`~.model.Report`: facts only, every figure linked to the cells it came from. Its shape
follows the shape of a 工作总结 (docs/reports.md):

- 一、工作开展情况及成效 — what the figures rest on; the unit's totals, one subsection and one table
  per indicator group (with the earlier round: 较上半年增加…; a field without a figure in either
  round is left to the annex); targets (完成率, 序时进度) only where the spec sets them; the
  units below compared, level by level (the first three named, coverage, charts); activity
  by month from the ledger and the plan against what was held (a sentence, a chart, a table);
  the milestones (a window is a 时段, a continuous task 贯穿全程 — never overdue); 典型做法 from
  the notes file;
- 二、存在的问题和不足 — units behind and why (returns missing or late, milestones overdue or done
  late, targets behind 序时进度), figures not yet reported; the notes' 存在问题补充 after them;
- 三、下一年工作打算 — only from the notes file (left out without one: never placeholder text);
- 附件1 — the statistics table (units below × indicators, with a 合计 row).

The round reported on is :func:`report_round`. Named measures (our reading of the notice) are
left out of the totals. The helpers here (sources, sentences, problems) are shared with
:mod:`.briefing`. Every number a reader sees is a :class:`~.model.Figure` or a cell with
sources: cells of returns, ledger and progress-log rows, and — for targets, deadlines, the
plan, who reports and 序时进度 — the entry of the campaign spec it comes from
(:meth:`SourceBook.spec`).

>>> from campaignkit import load_campaign
>>> from campaignkit.stats import frames_from_lists
>>> from campaignkit.report.snapshot import Snapshot
>>> from campaignkit.report.model import plain_text
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> f = frames_from_lists(submissions=[
...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
...      "return_type": "consolidated", "values": {"sessions": 1200, "materials": 3000}},
...     {"unit": "FJ02", "round": "final", "received_on": "2022-01-25",
...      "return_type": "consolidated", "values": {"sessions": 8, "materials": 1500}}])
>>> r = build_year_end(Snapshot.from_frames(c, f, as_of="2022-01-31"), None)
>>> r.title
'福建省港澳居民内地参保政策专项宣传季活动工作总结'
>>> plain_text(r.sections[0].subsections[0].blocks[0])
'全省召开小型座谈会和宣讲会1,208场，发放宣传资料4,500份。'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeAlias

import pandas as pd

from ..milestones import behind, milestone_status
from ..rounding import round_half_up
from ..spec import Campaign, Indicator, Round, Unit
from ..stats import Rollup, plan_vs_actual, reporter_status
from .charts import bar_children, bars_by_month, coverage_bars
from .charts import plan_vs_actual as plan_chart
from .model import (
    Annex,
    Block,
    Cell,
    Chart,
    Figure,
    Paragraph,
    Report,
    Section,
    Source,
    Table,
    cell,
    fig,
    para,
    report,
    section,
    table,
)
from .notes import NotesFile
from .numbers import MISSING, fmt_count, fmt_date, fmt_number, fmt_points, fmt_rate
from .snapshot import LEVEL_LABELS, STATUS_LABELS, Snapshot

__all__ = ["build_year_end", "report_round"]

KIND_LABELS: Final = {"deadline": "限时", "window": "时段", "continuous": "贯穿全程"}
_OFFICE: Final = ("人力资源和社会保障局", "人力资源和社会保障厅")


# ---------------------------------------------------------------------------------------
# Which round, whose names
# ---------------------------------------------------------------------------------------
def report_round(snap: Snapshot) -> Round:
    """Pick the round a report speaks of as of the snapshot's date.

    The latest round (in spec order) whose deadline has passed or for which a return of a
    unit at or below the snapshot's unit has come in by the date; the first round otherwise.
    """
    c = snap.campaign
    scope = {u.code for u in c.iter_units(snap.unit)}
    subs = snap.frames.submissions
    got = subs[subs["unit"].isin(scope) & (subs["received_on"] <= pd.Timestamp(snap.as_of))]
    seen = set(got["round"])
    chosen = c.rounds[0]
    for r in c.rounds:
        if r.deadline <= snap.as_of or r.id in seen:
            chosen = r
    return chosen


def scope_word(unit: Unit) -> str:
    """Say "the whole unit" as officials do: 全省, 全市, 全州, 全区, 全县 (else the name)."""
    last = unit.name[-1:]
    if unit.level != "dept" and last in "省市州区县盟旗":
        return "全" + last
    return unit.name


def full_name(c: Campaign, unit: Unit) -> str:
    """Name a unit for a title: a county with its city (黄石市黄石港区), others as named."""
    if unit.level == "county" and unit.parent:
        parent = c.unit(unit.parent)
        if parent.level == "city" and not unit.name.startswith(parent.name):
            return parent.name + unit.name
    return unit.name


def activity_name(c: Campaign) -> str:
    """Name the campaign as a document does: “人社惠民政策进万家”活动, or the title as is."""
    t = c.title.strip()
    return t if t.endswith("活动") else f"“{t}”活动"


def office_name(c: Campaign, unit: Unit) -> str | None:
    """Name the office that signs for the unit: the issuer at the top, else its 人社局 alias."""
    if unit.parent is None:
        return c.issuer
    for alias in unit.aliases:
        if alias.endswith(_OFFICE) and alias.startswith(unit.name):
            return alias
    return None


def opening_basis(c: Campaign) -> str:
    """Say what the work follows; quotes the document number only where the spec has one.

    The spec does not hold the notice's title, so no 《title》 is written (never invented).
    """
    if c.doc_number:
        return f"按照{c.issuer}（{c.doc_number}）部署要求"
    return f"按照{c.issuer}工作部署"


# ---------------------------------------------------------------------------------------
# Labels and numbers
# ---------------------------------------------------------------------------------------
def _sharers(c: Campaign, ind: Indicator) -> list[Indicator]:
    return [i for i in c.indicators if i.label == ind.label]


def _clause(c: Campaign, ind: Indicator) -> str | None:
    """The part of a shared form label that is this field's own, when the label has one clause
    per field: 培养人社政策宣讲骨干 人，平均每人开展或者参与政策宣讲 场（次）."""
    sharers = _sharers(c, ind)
    parts = [p.strip() for p in re.split(r"[，,]", ind.label) if p.strip()]
    if len(sharers) > 1 and len(parts) == len(sharers):
        return parts[sharers.index(ind)]
    return None


def indicator_label(c: Campaign, ind: Indicator) -> str:
    """Label an indicator in a table, telling apart fields that share a form label: by their
    own clause of it, else by their blank (（覆盖乡镇）), else by their measure (（场）).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> [indicator_label(c, c.indicator(i)) for i in ("townships_covered", "lecturers")]
    ['开展政策宣讲进村居活动（覆盖乡镇）', '培养人社政策宣讲骨干']
    """
    clause = _clause(c, ind)
    if clause is not None:
        return clause
    if len(_sharers(c, ind)) > 1 and ind.blank:
        blank = ind.blank.replace(" ", "").replace(ind.unit or "\x00", "").strip()
        if blank and blank != "是否":
            return f"{ind.label}（{blank}）"
        if ind.unit:
            return f"{ind.label}（{ind.unit}）"
    return ind.label


def _blank_prefix(ind: Indicator) -> str:
    blank = (ind.blank or "").replace(ind.unit or "\x00", "").replace(" ", "").strip()
    return "" if blank == "是否" else blank


def phrase(c: Campaign, ind: Indicator, *, with_label: bool = True) -> tuple[str, str]:
    """Return the words before a figure and the measure after it, as a sentence writes them.

    Fields that share a form label read as the form does: 开展政策宣讲进村居活动 ·520· 场,
    覆盖乡镇 ·903· 个, 覆盖率 ·99.0· % (``with_label=False`` leaves the shared label out, for
    the second and later fields of one sentence); a field with a clause of its own reads
    培养人社政策宣讲骨干 ·337· 人, 平均每人开展或者参与政策宣讲 ·3.79· 场次; a label that ends
    in its own measure drops it: 召开小型座谈会和宣讲会场数 reads 召开小型座谈会和宣讲会 ·85· 场.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> phrase(c, c.indicator("sessions_per_lecturer"))
    ('平均每人开展或者参与政策宣讲', '场次')
    >>> phrase(c, c.indicator("township_coverage"), with_label=False)
    ('覆盖率', '%')
    """
    unit = unit_text(ind)
    clause = _clause(c, ind)
    if clause is None and len(_sharers(c, ind)) == 1 and ind.unit and not is_rate(ind):
        for tail in (f"{ind.unit}数", ind.unit, "数量"):  # 会场数 85 场, 咨询人次 → 咨询 3 人次
            if ind.label.endswith(tail) and len(ind.label) - len(tail) >= 2:
                return ind.label[:-len(tail)], unit
    if clause is not None:
        measure = (ind.unit or "").split("/")[0]
        m = re.search(rf"{re.escape(measure)}(（[^）]*）)?$", clause) if measure else None
        if m is not None and m.start() > 0:
            return clause[:m.start()], re.sub(r"[（）]", "", clause[m.start():])
        return clause, unit
    if len(_sharers(c, ind)) > 1:
        return (ind.label if with_label else "") + _blank_prefix(ind), unit
    return ind.label, unit


def is_rate(ind: Indicator) -> bool:
    """Tell whether an indicator is a percentage (0–100)."""
    return ind.type == "percent" or ind.unit == "%"


def number_text(ind: Indicator, value: float | None) -> str:
    """Write a figure of an indicator without its unit: 1,234 / 85.3 / 3.79 / —."""
    if value is None:
        return MISSING
    if is_rate(ind):
        return fmt_rate(value, sign=False, digits=ind.digits)
    if ind.type == "count" and ind.aggregate in ("sum", "min", "max", "none"):
        return fmt_count(value)
    return fmt_number(value, ind.digits)


def unit_text(ind: Indicator) -> str:
    """The measurement unit written after a figure (``%`` for rates)."""
    return "%" if is_rate(ind) else (ind.unit or "")


def value_cell(ind: Indicator, value: float | None, ids: Sequence[str] = ()) -> Cell:
    """Build a right-aligned table cell for a figure (missing is —, never 0)."""
    text = number_text(ind, value)
    number = None if text == MISSING else float(text.replace(",", ""))
    kind = "rate" if is_rate(ind) else ("count" if ind.type == "count" else "number")
    return Cell(text, tuple(ids), "right", number, kind)  # type: ignore[arg-type]


def plain_count_cell(value: float | int | None, ids: Sequence[str] = ()) -> Cell:
    """Build a count cell (sources optional)."""
    text = fmt_count(value)
    return Cell(text, tuple(ids), "right", None if text == MISSING else float(value or 0),
                "count")


def rate_value_cell(value: float | None, ids: Sequence[str] = ()) -> Cell:
    """Build a rate cell at one decimal for a （%） column."""
    text = fmt_rate(value, sign=False)
    return Cell(text, tuple(ids), "right", None if text == MISSING else float(text), "rate")


def _shown(ind: Indicator, value: float) -> Decimal:
    digits = 0 if ind.type == "count" and not is_rate(ind) else ind.digits
    return Decimal(repr(round_half_up(value, digits)))


def change_words(ind: Indicator, current: float | None, previous: float | None) -> \
        tuple[str, str, str] | None:
    """Compare two figures as shown: (word, number, unit) e.g. ("增加", "212", "场").

    Rates compare in 个百分点; equal figures give ("持平", "", ""). None when one is missing.
    """
    if current is None or previous is None:
        return None
    if is_rate(ind):
        words = fmt_points(current, previous)
        if words == "持平":
            return ("持平", "", "")
        m = re.match(r"(提高|下降)(.*)个百分点", words)
        assert m is not None
        return (m.group(1), m.group(2), "个百分点")
    diff = _shown(ind, current) - _shown(ind, previous)
    if diff == 0:
        return ("持平", "", "")
    word = "增加" if diff > 0 else "减少"
    return (word, number_text(ind, float(abs(diff))), ind.unit or "")


def short_task(task: str, limit: int = 40, clauses: int = 1) -> str:
    """Cut a milestone task to its first clause(s) (quotes inside become ‘’)."""
    parts = [p for p in re.split(r"[，。；：]", task) if p]
    text = "，".join(parts[:clauses])
    if len(text) < 8 and len(parts) > clauses:
        text = text + "，" + parts[clauses]
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.replace("“", "‘").replace("”", "’")


def names_list(names: Sequence[str]) -> str:
    """Join unit names with 、 (the official enumeration comma)."""
    return "、".join(names)


# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    """Tell whether a cell of a frame holds nothing (None, NaN, NaT)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another value pandas cannot judge
        return False


def _clean(value: Any) -> str | None:
    return None if _missing(value) else (str(value) or None)


def _day(value: Any) -> date | None:
    return None if _missing(value) else pd.Timestamp(value).date()


class SourceBook:
    """Register the sources behind a report's figures: return cells, returns, ledger rows."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.c = snap.campaign
        self._registered: dict[str, Source] = {}
        base = self.c.path.parent.resolve() if self.c.path is not None else None
        self._base = base
        subs = snap.frames.submissions
        self._subs: dict[int, dict[str, Any]] = {
            int(r["id"]): {str(k): v for k, v in r.items()} for r in subs.to_dict("records")}
        vals = snap.frames.values
        self._vals: dict[tuple[int, str], dict[str, Any]] = {
            (int(r["submission_id"]), str(r["indicator"])): {str(k): v for k, v in r.items()}
            for r in vals.to_dict("records")}
        self._inputs: dict[str, tuple[str, ...]] = {}
        self._files: dict[str, str] = {}
        self._memo: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def _file(self, name: Any) -> str:
        text = _clean(name) or "—"
        if text not in self._files:
            p = Path(text)
            shown = text
            if self._base is not None and p.is_absolute():
                try:
                    shown = p.resolve().relative_to(self._base).as_posix()
                except ValueError:
                    shown = p.name
            self._files[text] = shown
        return self._files[text]

    def _unit_name(self, code: str) -> str:
        return self.c.unit(code).name if self.c.has_unit(code) else code

    def _names(self, roll: Rollup, ident: str) -> tuple[str, ...]:
        if ident not in self._inputs:
            out: list[str] = []
            todo = [ident]
            seen: set[str] = set()
            while todo:
                name = todo.pop()
                if name in seen:
                    continue
                seen.add(name)
                if name in roll.formula_names:
                    todo.extend(sorted(roll.formula_names[name]))
                    if name in roll.aggregate:
                        out.append(name)  # a reported derived field: its own cell too
                elif name in roll.aggregate:
                    out.append(name)
            self._inputs[ident] = tuple(sorted(set(out)))
        return self._inputs[ident]

    def figure(self, roll: Rollup, unit: str, ident: str) -> tuple[str, ...]:
        """Register and return the sources of one figure of a roll-up (cells of returns)."""
        memo = (roll.round, unit, ident)
        if memo in self._memo:
            return self._memo[memo]
        ids: list[str] = []
        names = self._names(roll, ident)
        for sid in roll.sources(unit, ident):
            for name in names:
                row = self._vals.get((sid, name))
                if row is None:
                    continue
                key = f"v{sid}.{name}"
                if key not in self._registered:
                    sub = self._subs.get(sid, {})
                    code = str(sub.get("unit", ""))
                    self._registered[key] = Source(
                        key, code, self._unit_name(code), self._file(sub.get("file_name")),
                        _clean(row.get("sheet")), _clean(row.get("cell")),
                        _day(sub.get("received_on")), _clean(sub.get("round")), name,
                        _clean(row.get("raw")))
                ids.append(key)
        self._memo[memo] = tuple(ids)
        return self._memo[memo]

    def submission(self, sid: int) -> str:
        """Register a whole return (file and received date) and return its id."""
        key = f"r{sid}"
        if key not in self._registered:
            sub = self._subs.get(sid, {})
            code = str(sub.get("unit", ""))
            self._registered[key] = Source(
                key, code, self._unit_name(code), self._file(sub.get("file_name")), None, None,
                _day(sub.get("received_on")), _clean(sub.get("round")))
        return key

    def returns(self, round_id: str, units: Iterable[str]) -> tuple[str, ...]:
        """Register the first return of a round of each unit received by the date."""
        subs = self.snap.frames.submissions
        m = ((subs["round"] == round_id) & subs["unit"].isin(set(units))
             & (subs["received_on"] <= pd.Timestamp(self.snap.as_of)))
        first = subs.loc[m].sort_values(["received_on", "id"]).groupby("unit").head(1)
        return tuple(self.submission(int(i)) for i in first["id"])

    def ledger(self, rows: pd.DataFrame) -> tuple[str, ...]:
        """Register activity-ledger rows (file and row number) and return their ids."""
        ids = []
        for r in rows.to_dict("records"):
            key = f"l{int(r['id'])}" if "id" in r and _clean(r.get("id")) else None
            if key is None:
                continue
            if key not in self._registered:
                code = str(r.get("unit", ""))
                row = _clean(r.get("row"))
                self._registered[key] = Source(
                    key, code, self._unit_name(code), self._file(r.get("file_name")), None,
                    f"第{row}行" if row else None, None, None, "sessions",
                    _clean(r.get("sessions")))
            ids.append(key)
        return tuple(ids)

    def deliverables(self, rows: pd.DataFrame) -> tuple[str, ...]:
        """Register progress-log rows (a milestone done) and return their ids."""
        ids = []
        for r in rows.to_dict("records"):
            if not _clean(r.get("id")):
                continue
            key = f"d{int(r['id'])}"
            if key not in self._registered:
                code = str(r.get("unit", ""))
                row = _clean(r.get("row"))
                done = _day(r.get("done_on"))
                self._registered[key] = Source(
                    key, code, self._unit_name(code), self._file(r.get("file_name")), None,
                    f"第{row}行" if row else None, done, None, str(r.get("milestone")),
                    done.isoformat() if done else None)
            ids.append(key)
        return tuple(ids)

    def spec(self, part: str, index: int, *, unit: str | None = None,
             indicator: str | None = None, text: str | None = None) -> str:
        """Register an entry of the campaign spec (a target, a milestone, a plan row, a round,
        the period) behind a figure and return its id: ``campaign.yaml › targets › [3]``."""
        key = f"s.{part}.{index}"
        if key not in self._registered:
            code = unit or self.c.top.code
            where = self._file(self.c.path) if self.c.path is not None else "campaign.yaml"
            self._registered[key] = Source(
                key, code, self._unit_name(code), where, part, f"[{index}]", None, None,
                indicator, text)
        return key

    def all(self) -> list[Source]:
        """Every source registered so far, in the order first used."""
        return list(self._registered.values())


# ---------------------------------------------------------------------------------------
# Facts about a unit
# ---------------------------------------------------------------------------------------
@dataclass
class Facts:
    """What both documents read: the snapshot, the round, roll-ups and the source book."""

    snap: Snapshot
    book: SourceBook = field(init=False)
    round: Round = field(init=False)
    prev: Round | None = field(init=False)
    roll: Rollup = field(init=False)
    prev_roll: Rollup | None = field(init=False)
    _status: pd.DataFrame | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.book = SourceBook(self.snap)
        self.round = report_round(self.snap)
        ids = [r.id for r in self.c.rounds]
        i = ids.index(self.round.id)
        self.prev = self.c.rounds[i - 1] if i > 0 else None
        self.roll = self.snap.rollup(self.round.id)
        self.prev_roll = self.snap.rollup(self.prev.id) if self.prev else None

    @property
    def c(self) -> Campaign:
        return self.snap.campaign

    @property
    def unit(self) -> Unit:
        return self.c.unit(self.snap.unit)

    @property
    def scope(self) -> str:
        return scope_word(self.unit)

    @property
    def children(self) -> tuple[Unit, ...]:
        return self.c.children(self.unit.code)

    def indicators(self) -> list[Indicator]:
        """The numeric indicators of the form (named measures left out)."""
        return [i for i in self.c.indicators if i.numeric]

    def value(self, ind: Indicator, unit: str | None = None, *,
              previous: bool = False) -> float | None:
        roll = self.prev_roll if previous else self.roll
        if roll is None:
            return None
        return roll.value(ind.id, unit or self.unit.code)

    def ids(self, ind: Indicator, unit: str | None = None, *,
            previous: bool = False) -> tuple[str, ...]:
        roll = self.prev_roll if previous else self.roll
        if roll is None:
            return ()
        return self.book.figure(roll, unit or self.unit.code, ind.id)

    # -- the spec entries behind a figure ------------------------------------------------
    def target_ids(self, unit: str, ind: Indicator) -> tuple[str, ...]:
        """The spec's target of a unit × indicator (empty when there is none)."""
        for i, t in enumerate(self.c.targets):
            if t.unit == unit and t.indicator == ind.id:
                return (self.book.spec("targets", i, unit=unit, indicator=ind.id,
                                       text=number_text(ind, t.value)),)
        return ()

    def period_ids(self) -> tuple[str, ...]:
        """The campaign period, behind 序时进度 (the share of it elapsed by the date)."""
        c = self.c
        return (self.book.spec("period", 0, text=f"{c.period_start.isoformat()}—"
                               f"{c.period_end.isoformat()}"),)

    def milestone_ids(self, mid: str) -> tuple[str, ...]:
        """A milestone of the spec (its deadline or window and who is responsible)."""
        i = [m.id for m in self.c.milestones].index(mid)
        m = self.c.milestones[i]
        return (self.book.spec("milestones", i, text=m.row or m.task[:40]),)

    def plan_ids(self, pid: str) -> tuple[str, ...]:
        """A row of the activity plan in the spec."""
        i = [r.id for r in self.c.plan].index(pid)
        row = self.c.plan[i]
        return (self.book.spec("plan", i, unit=row.responsible, text=row.theme),)

    def round_ids(self, rid: str) -> tuple[str, ...]:
        """A round of the spec (who reports it, its deadline)."""
        i = [r.id for r in self.c.rounds].index(rid)
        return (self.book.spec("rounds", i, text=self.c.rounds[i].label),)

    def groups(self) -> list[tuple[str, list[Indicator]]]:
        out: dict[str, list[Indicator]] = {}
        for ind in self.indicators():
            out.setdefault(ind.group or "主要指标", []).append(ind)
        return list(out.items())

    def main_indicator(self) -> Indicator | None:
        """The indicator compared across units: the first count of sessions (场) at a venue
        (进企业…), else the first count in 场, else the first count."""
        counts = [i for i in self.indicators() if i.type == "count" and not i.derived]
        for i in counts:
            if i.unit == "场" and i.venue:
                return i
        for i in counts:
            if i.unit == "场":
                return i
        return counts[0] if counts else None

    def coverage_indicator(self) -> Indicator | None:
        """The first percentage of the form (乡镇覆盖率), if any."""
        return next((i for i in self.indicators() if is_rate(i)), None)

    def targeted(self) -> list[Indicator]:
        """Indicators with a target for the unit or a unit below it."""
        scope = {u.code for u in self.c.iter_units(self.unit.code)}
        ids = {t.indicator for t in self.c.targets if t.unit in scope}
        return [i for i in self.indicators() if i.id in ids]

    def milestone_status(self) -> pd.DataFrame:
        """The engine's milestone × unit statuses at or below the unit (computed once)."""
        if self._status is None:
            self._status = milestone_status(self.c, self.snap.frames, self.snap.as_of,
                                            unit=self.unit.code)
        return self._status

    def task_name(self, mid: str) -> str:
        """Name a milestone in a sentence: its first clause, or more where that is shared."""
        m = self.c.milestone(mid)
        short = short_task(m.task)
        twins = [o for o in self.c.milestones if o.id != mid and short_task(o.task) == short]
        if twins:
            short = short_task(m.task, limit=80, clauses=9)
        return short

    def has_figures(self, round_id: str | None = None) -> bool:
        """Tell whether the unit or a unit below it is a reporter of the round."""
        reporters = {u.code for u in self.c.reporters(round_id or self.round.id)}
        return any(u.code in reporters for u in self.c.iter_units(self.unit.code))

    def not_reporting(self) -> str:
        """Say that the unit sends no return of the round (its figures are its parent's)."""
        parent = self.c.unit(self.unit.parent).name if self.unit.parent else ""
        return (f"{self.round.label}统计表由{self.reporters_text()}报送，"
                f"{self.unit.name}的统计数据汇总在{parent}报表中")

    def reporters_text(self) -> str:
        """Say who sends the round's return: 市州、省直单位."""
        levels = list(dict.fromkeys(u.level for u in self.c.reporters(self.round.id)))
        return "、".join(LEVEL_LABELS.get(lv, lv) for lv in levels)

    def rounds_due(self) -> list[Round]:
        return [r for r in self.c.rounds if r.deadline <= self.snap.as_of]


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------
def _value_runs(f: Facts, ind: Indicator, value: float, ids: tuple[str, ...], *,
                first: bool, compare: bool) -> list[str | Any]:
    head, measure = phrase(f.c, ind, with_label=first)
    runs: list[str | Any] = [head, fig(number_text(ind, value), *ids), measure]
    if compare and f.prev is not None:
        prev = f.value(ind, previous=True)
        words = change_words(ind, value, prev)
        if words is not None:
            word, number, unit = words
            both = ids + f.ids(ind, previous=True)
            if word == "持平":
                runs.append(f"（与{f.prev.label}持平）")
            else:
                unit = unit if is_rate(ind) else measure
                runs += [f"（较{f.prev.label}{word}", fig(number, *both), f"{unit}）"]
    return runs


def group_sentence(f: Facts, inds: Sequence[Indicator], *, compare: bool = True,
                   unit: str | None = None, who: str | None = None) -> Paragraph | None:
    """Write one sentence of a group's figures: 全省开展政策宣讲进企业活动446场（较上半年…）…"""
    code = unit or f.unit.code
    runs: list[str | Any] = [who if who is not None else f.scope]
    shown = 0
    last_label = None
    for ind in inds:
        v = f.value(ind, code)
        if v is None:
            continue
        first = ind.label != last_label
        if shown:
            runs.append("，")
        runs += _value_runs(f, ind, v, f.ids(ind, code), first=first,
                            compare=compare and code == f.unit.code)
        last_label = ind.label
        shown += 1
    if not shown:
        return None
    runs.append("。")
    return para(*runs)


def data_basis(f: Facts) -> Paragraph:
    """Say what the figures rest on: the date, the round, how many returns, the ledger."""
    used = f.roll.sources(f.unit.code)
    ids = tuple(f.book.submission(int(s)) for s in used)
    runs: list[str | Any] = [f"本文所列数据截至{fmt_date(f.snap.as_of)}，"]
    if not f.has_figures():
        runs.append(f.not_reporting() + "，本文不单列")
    elif used:
        runs += ["来源于", fig(fmt_count(len(used)), *ids), f"份{f.round.label}统计表"]
    else:
        runs.append(f"{f.round.label}统计表尚无数据")
    led = _ledger(f)
    if len(led):
        runs += ["和活动台账", fig(fmt_count(len(led)), *f.book.ledger(led)), "条记录"]
    runs.append("。")
    return para(*runs)


def _ledger(f: Facts) -> pd.DataFrame:
    scope = {u.code for u in f.c.iter_units(f.unit.code)}
    led = f.snap.frames.ledger
    return led[led["unit"].isin(scope) & (led["date"] <= pd.Timestamp(f.snap.as_of))]


def target_sentences(f: Facts) -> list[Paragraph]:
    """Say how the unit stands against its own targets (完成率, 序时进度); none without one."""
    out = []
    tp = f.snap.time_progress()
    for ind in f.targeted():
        t = f.c.target(f.unit.code, ind.id)
        if t is None:
            continue
        v = f.value(ind)
        u = ind.unit or ""
        tids = f.target_ids(f.unit.code, ind)
        runs: list[str | Any] = [f"{ind.label}目标任务", fig(number_text(ind, t.value), *tids),
                                 f"{u}，"]
        if v is None:
            runs.append("尚无完成数据。")
        else:
            ids = f.ids(ind)
            runs += ["完成", fig(number_text(ind, v), *ids), f"{u}，完成率",
                     fig(fmt_rate(v / t.value * 100 if t.value else None), *ids, *tids),
                     "，序时进度", fig(fmt_rate(tp), *f.period_ids()), "。"]
        out.append(para(*runs))
    return out


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------
def group_table(f: Facts, name: str, inds: Sequence[Indicator], n: int) -> Table:
    """Tabulate a group's figures: 指标, 计量单位, the earlier round, this round, change."""
    header: list[str | Cell] = ["序号", "指标", "计量单位"]
    if f.prev is not None:
        header += [f.prev.label, f.round.label, f"较{f.prev.label}增减"]
    else:
        header += [f.round.label]
    body = []
    for i, ind in enumerate(inds, start=1):
        v = f.value(ind)
        row: list[str | Cell] = [str(i), cell(indicator_label(f.c, ind), align="left"),
                                 "%" if is_rate(ind) else (ind.unit or "")]
        if f.prev is not None:
            p = f.value(ind, previous=True)
            pids = f.ids(ind, previous=True)
            row.append(value_cell(ind, p, pids))
            ids = f.ids(ind)
            row.append(value_cell(ind, v, ids))
            words = change_words(ind, v, p)
            if words is None:
                row.append(cell(MISSING, align="right"))
            else:
                word, number, _unit = words
                sign = "" if word == "持平" else ("+" if word in ("增加", "提高") else "-")
                text = "持平" if word == "持平" else f"{sign}{number}"
                row.append(cell(text, *(ids + pids), align="right"))
        else:
            row.append(value_cell(ind, v, f.ids(ind)))
        body.append(row)
    return table(f"表{n}　{name}情况", [header], body)


def statistics_annex(f: Facts) -> Annex:
    """The statistics table: units below × indicators with a 合计 row (a leaf: one column)."""
    inds = f.indicators()
    kids = f.children
    title = f"{full_name(f.c, f.unit)}{activity_name(f.c)}统计表"
    note = (f"数据截至{fmt_date(f.snap.as_of)}（{f.round.label}）。“—”表示尚无数据。")
    if not kids:
        body: list[list[str | Cell]] = [[str(i), cell(ind.group or "", align="left"),
                 cell(indicator_label(f.c, ind), align="left"), unit_text(ind) or "",
                 value_cell(ind, f.value(ind), f.ids(ind))]
                for i, ind in enumerate(inds, start=1)]
        t = table(title, [["序号", "类别", "指标", "计量单位", f.unit.name]], body)
        return Annex(title, t, (note,))
    groups: list[tuple[str, list[Indicator]]] = []
    for ind in inds:
        g = ind.group or ""
        if groups and groups[-1][0] == g:
            groups[-1][1].append(ind)
        else:
            groups.append((g, [ind]))
    top: list[Cell] = [cell("序号", rowspan=2), cell("地区", rowspan=2)]
    second: list[Cell] = []
    for g, members in groups:
        top.append(cell(g or "指标", colspan=len(members)))
        second += [cell(_with_unit(indicator_label(f.c, i), unit_text(i))) for i in members]
    body = []
    for n, kid in enumerate(kids, start=1):
        body.append([str(n), cell(kid.name, align="left"),
                     *(value_cell(i, f.value(i, kid.code), f.ids(i, kid.code)) for i in inds)])
    total: list[str | Cell] = [cell(f"{f.scope}合计", colspan=2),
                               *(value_cell(i, f.value(i), f.ids(i)) for i in inds)]
    notes = [note]
    if f.roll.basis.get(f.unit.code) == "consolidated":
        notes.append(f"合计为{f.unit.name}报送的汇总数，不是所列各单位数据之和。")
    return Annex(title, table(title, [top, second], body, total), tuple(notes))


def _with_unit(label: str, unit: str) -> str:
    """Head a column with the label and its measure: 专家访谈（次） (never （场）（场）)."""
    shown = f"（{unit or '—'}）"
    return label if label.endswith(shown) else label + shown


def milestone_table(f: Facts, n: int) -> Table | None:
    """Tabulate the milestones at or below the unit: counts by status, or one unit's status."""
    st = f.milestone_status()
    st = st[st["status"] != "not_applicable"]
    if st.empty:
        return None
    dels = f.snap.frames.deliverables
    leaf = st["unit"].nunique() == 1
    body: list[list[str | Cell]] = []
    for i, (mid, g) in enumerate(st.groupby("milestone", sort=False), start=1):
        m = f.c.milestone(str(mid))
        kind = KIND_LABELS.get(m.kind, m.kind)
        row: list[str | Cell] = [str(i), cell(m.row or "", align="left"),
                                 cell(m.task, align="left"), kind]
        mids = f.milestone_ids(m.id)  # the deadline or window every status is judged by
        if leaf:
            status = str(g["status"].iloc[0])
            done = g["done_on"].iloc[0]
            ids = _done_ids(f, m.id, m.completion.deliverable, g, dels)
            row += [cell(STATUS_LABELS.get(status, status), *ids, *mids),
                    cell(fmt_date(done), *ids) if isinstance(done, date) else cell(MISSING)]
        else:
            counts = g["status"].value_counts()
            row.append(plain_count_cell(len(g), mids))
            if m.kind == "continuous":
                row += [cell(MISSING), cell(MISSING), cell(MISSING), cell("贯穿全程")]
            else:
                for s in ("on_time", "late"):
                    part = g[g["status"] == s]
                    row.append(plain_count_cell(int(counts.get(s, 0)), _done_ids(
                        f, m.id, m.completion.deliverable, part, dels) + mids))
                row.append(plain_count_cell(int(counts.get("overdue", 0)), mids))
                row.append(plain_count_cell(int(sum(counts.get(s, 0) for s in
                                                    ("in_progress", "pending", "due_soon"))),
                                            mids))
        body.append(row)
    if leaf:
        header: list[str | Cell] = ["序号", "时间要求", "任务", "类型", "完成情况", "完成日期"]
    else:
        header = ["序号", "时间要求", "任务", "类型", "责任单位数", "按时完成", "逾期完成",
                  "逾期未完成", "进行中或未到期"]
    return table(f"表{n}　重点任务推进情况", [header], body,
                 note="时段任务在时段结束后才判定逾期；贯穿全程的任务不判定逾期。")


def _done_ids(f: Facts, mid: str, deliverable: str | None, g: pd.DataFrame,
              dels: pd.DataFrame) -> tuple[str, ...]:
    done = g[g["done_on"].notna()]
    if done.empty:
        return ()
    if str(g["done_by"].dropna().iloc[0] if g["done_by"].notna().any() else "") == "deliverable":
        keys = {mid} | ({deliverable} if deliverable else set())
        rows = dels[dels["unit"].isin(set(done["unit"])) & dels["milestone"].isin(keys)]
        rows = rows.sort_values("done_on").groupby("unit").head(1)
        return f.book.deliverables(rows)
    rnd = f.c.milestone(mid).completion.round
    if rnd:
        return f.book.returns(rnd, set(done["unit"]))
    # a condition on figures: the return, received on the day it was met, that met it
    subs = f.snap.frames.submissions
    ids: list[str] = []
    for code, day in zip(done["unit"], done["done_on"], strict=True):
        hit = subs[(subs["unit"] == code) & (subs["received_on"] == pd.Timestamp(day))]
        ids += [f.book.submission(int(i)) for i in hit["id"]]
    return tuple(ids)


PlanRows: TypeAlias = list[tuple[str, tuple[str, ...]]]


def plan_table(f: Facts, n: int) -> tuple[Table | None, Chart | None, PlanRows]:
    """Set the activity plan against the sessions held (ledger), with a chart by unit.

    Also returns each plan row's status code and the ids of its sources (for the summary).
    """
    p = plan_vs_actual(f.c, f.snap.frames, f.snap.as_of, f.unit.code)
    if p.empty:
        return None, None, []
    led = _ledger(f)
    labels = {"not_started": "未开始", "in_progress": "进行中", "met": "已完成",
              "below": "未完成", "above": "超额完成"}
    body: list[list[str | Cell]] = []
    all_ids: list[str] = []
    statuses: PlanRows = []
    by_unit: dict[str, list[float]] = {}
    for i, rec in enumerate(p.to_dict("records"), start=1):
        row = next(r for r in f.c.plan if r.id == rec["plan"])
        keys = {row.id, row.theme}
        rows = led[(led["unit"] == row.responsible) & led["plan"].isin(keys)
                   & (led["date"] >= pd.Timestamp(row.window.start))
                   & (led["date"] <= pd.Timestamp(row.window.end))]
        held = int(rec["held"])
        lids = f.book.ledger(rows)
        pids = f.plan_ids(row.id)
        body.append([str(i), cell(row.theme, align="left"), row.window.text,
                     cell(f.c.unit(row.responsible).name, align="left"),
                     cell(str(rec["planned"]), *pids), plain_count_cell(held, lids),
                     labels.get(str(rec["status"]), str(rec["status"]))])
        all_ids += [*lids, *pids]
        statuses.append((str(rec["status"]), (*pids, *lids)))
        name = f.c.unit(row.responsible).name
        lo = rec.get("planned_min")
        acc = by_unit.setdefault(name, [0.0, 0.0])
        acc[0] += float(lo) if lo is not None and not pd.isna(lo) else 0.0
        acc[1] += held
    t = table(f"表{n}　活动计划执行情况", [["序号", "主题", "时间", "责任单位", "计划场次",
                                             "已开展场次", "状态"]], body,
              note="“多场次”按至少2场计；已开展场次来自活动台账。")
    chart = None
    if len(by_unit) > 1:
        frame = pd.DataFrame({"plan": [v[0] for v in by_unit.values()],
                              "actual": [v[1] for v in by_unit.values()]},
                             index=list(by_unit))
        chart = plan_chart(frame, caption="图　各责任单位计划与实际开展场次（计划按下限计）",
                           labels=("计划（下限）", "实际"), sources=tuple(dict.fromkeys(all_ids)))
    return t, chart, statuses


# ---------------------------------------------------------------------------------------
# Problems (facts only)
# ---------------------------------------------------------------------------------------
def return_problems(f: Facts) -> list[Paragraph]:
    """Name the units whose returns of a round due by the date are missing or late."""
    out = []
    scope = {u.code for u in f.c.iter_units(f.unit.code)}
    for r in f.rounds_due():
        st = reporter_status(f.c, f.snap.frames, f.snap.as_of, r.id)
        st = st[st.index.isin(scope)]
        missing = [str(n) for n in st.loc[st["status"] == "missing", "name"]]
        incomplete = [str(n) for n in st.loc[st["status"] == "incomplete", "name"]]
        if missing:
            out.append(para(f"{names_list(missing)}未报送{r.label}统计表"
                            f"（报送时限为{fmt_date(r.deadline)}）。"))
        if incomplete:
            out.append(para(f"{names_list(incomplete)}报送的{r.label}统计表不完整。"))
        for code, row in st[st["status"] == "late"].iterrows():
            ids = f.book.returns(r.id, [str(code)])
            out.append(para(f"{row['name']}于", fig(fmt_date(row["done_on"]), *ids),
                            f"报送{r.label}统计表，晚于{fmt_date(r.deadline)}的报送时限。"))
    return out


def milestone_problems(f: Facts) -> list[Paragraph]:
    """Name the units with milestones overdue (not done) or done late, per milestone."""
    st = f.milestone_status()
    out = []
    dels = f.snap.frames.deliverables
    for mid, g in st.groupby("milestone", sort=False):
        m = f.c.milestone(str(mid))
        what = f"{m.row or fmt_date(m.due)}应完成的“{f.task_name(m.id)}”任务"
        over = g[g["status"] == "overdue"]
        late = g[g["status"] == "late"]
        if len(over):
            days = [int(d) for d in over["days_late"].dropna()]
            runs: list[str | Figure] = [f"{what}，{names_list([str(n) for n in over['name']])}"
                                        "尚未完成"]
            if days:
                span = (f"{min(days)}" if min(days) == max(days)
                        else f"{min(days)}至{max(days)}")
                runs += ["，已逾期", fig(span, *f.milestone_ids(m.id)), "天"]
            out.append(para(*runs, "。"))
        if len(late):
            ids = _done_ids(f, m.id, m.completion.deliverable, late, dels)
            days = [int(d) for d in late["days_late"].dropna()]
            span = (f"{min(days)}天" if min(days) == max(days) else f"{min(days)}至{max(days)}天"
                    ) if days else ""
            runs = [f"{what}，{names_list([str(n) for n in late['name']])}逾期完成"]
            if span:
                runs += ["（", fig(f"逾期{span}", *ids, *f.milestone_ids(m.id)), "）"]
            out.append(para(*runs, "。"))
    return out


def target_problems(f: Facts) -> list[Paragraph]:
    """Name the units whose completion of a target is behind 序时进度 (as printed)."""
    b = behind(f.c, f.snap.frames, f.snap.as_of, unit=f.unit.code, round_id=f.round.id)
    b = b[b["what"] == "target"]
    out = []
    tp = f.snap.time_progress()
    for r in b.itertuples():
        ind = f.c.indicator(str(r.item))
        t = f.c.target(str(r.unit), ind.id)
        v = f.value(ind, str(r.unit))
        if t is None or v is None or not t.value:
            continue
        ids = f.ids(ind, str(r.unit))
        tids = f.target_ids(str(r.unit), ind)
        rate = v / t.value * 100
        u = ind.unit or ""
        gap = fmt_points(tp, rate).replace("提高", "").removesuffix("个百分点")
        out.append(para(f"{r.name}{ind.label}完成", fig(number_text(ind, v), *ids),
                        f"{u}，为目标任务", fig(number_text(ind, t.value), *tids), f"{u}的",
                        fig(fmt_rate(rate), *ids, *tids), "，低于序时进度（",
                        fig(fmt_rate(tp), *f.period_ids()), "）",
                        fig(gap, *ids, *tids, *f.period_ids()), "个百分点。"))
    return out


def missing_figures(f: Facts) -> list[Paragraph]:
    """List the figures the unit has no value for, and reporters below that sent no figures."""
    if not f.has_figures():
        return []
    out = []
    none = [indicator_label(f.c, i) for i in f.indicators()
            if i.input and f.value(i) is None]
    if none:
        out.append(para(f"{f.unit.name}以下指标尚无数据："
                        f"{names_list([f'“{n}”' for n in none])}。"))
    sent = set(f.roll.returns.index)
    blank = [k.name for k in f.children if k.code in sent
             and all(f.value(i, k.code) is None for i in f.indicators())]
    if blank:
        out.append(para(f"{names_list(blank)}报送的{f.round.label}统计表没有数据。"))
    return out


def problem_sections(f: Facts, notes: NotesFile | None) -> list[Section]:
    """The facts of 存在问题 as subsections (only those with something to say)."""
    parts = [("统计表报送", return_problems(f)), ("重点任务推进", milestone_problems(f)),
             ("目标任务完成", target_problems(f)), ("数据报送完整性", missing_figures(f))]
    subs = [section(name, *blocks) for name, blocks in parts if blocks]
    extra = notes.paragraphs("存在问题补充") if notes else ()
    if extra:
        subs.append(section("其他问题", *(para(t) for t in extra)))
    return subs


def no_problems(f: Facts) -> Paragraph:
    """Say, as a fact, that nothing was found behind."""
    return para(f"截至{fmt_date(f.snap.as_of)}，未发现统计表未报或迟报、任务逾期、"
                "目标任务落后于序时进度的情况。")


# ---------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------
def children_charts(f: Facts, first: int) -> list[Chart]:
    """Compare the units below on the main indicator, level by level (市州 with 市州, 省直单位
    with 省直单位, as the rankings do), and on coverage (where they report it)."""

    charts = []
    n = first
    main = f.main_indicator()
    groups = by_level(f.children)
    for level, kids in groups if main is not None else []:
        assert main is not None
        vals = {k.name: f.value(main, k.code) for k in kids}
        if sum(v is not None for v in vals.values()) < 2:
            continue
        ids = tuple(i for k in kids for i in f.ids(main, k.code))
        who = "单位" if len(groups) == 1 else LEVEL_LABELS.get(level, level)
        charts.append(bar_children(vals, caption=f"图{n}　各{who}{main.label}（{main.unit}）",
                                   unit=main.unit or "", sources=ids))
        n += 1
    cov = f.coverage_indicator()
    if cov is not None:
        kids = [k for k in f.children if f.value(cov, k.code) is not None]
        if len(kids) >= 2:
            vals = {k.name: f.value(cov, k.code) for k in kids}
            ids = tuple(i for k in kids for i in f.ids(cov, k.code))
            label = indicator_label(f.c, cov)
            charts.append(coverage_bars(vals, caption=f"图{n}　各单位{label}", sources=ids))
    return charts


def by_level(kids: Sequence[Unit]) -> list[tuple[str, list[Unit]]]:
    """Group units by level: 市州, then 县（市、区）, then 省直单位 (the order of rankings)."""
    out: dict[str, list[Unit]] = {}
    for k in kids:
        out.setdefault(k.level, []).append(k)
    order = {"city": 0, "county": 1, "dept": 2, "province": 3}
    return sorted(out.items(), key=lambda kv: order.get(kv[0], 9))


def month_chart(f: Facts, n: int) -> Chart | None:
    """Chart the sessions held by month from the activity ledger."""
    by_month = f.snap.ledger_by_month()
    if by_month.empty:
        return None
    vals = {f"{m[:4]}年{int(m[5:7])}月": (None if pd.isna(v) else float(v))
            for m, v in zip(by_month["月份"], by_month["场次"], strict=True)}
    return bars_by_month(vals, caption=f"图{n}　活动台账记录的各月开展场次", unit="场",
                         sources=f.book.ledger(_ledger(f)))


def leaders(f: Facts, ind: Indicator) -> Paragraph | None:
    """Name the first three of each level on an indicator, with their figures."""

    _head, measure = phrase(f.c, ind)
    runs: list[str | Any] = []
    for level, members in by_level(list(f.children)):
        vals = [(k, f.value(ind, k.code)) for k in members]
        vals = [(k, v) for k, v in vals if v is not None]
        if len(vals) < 2:
            continue
        vals.sort(key=lambda kv: -(kv[1] or 0.0))
        parts: list[str | Any] = []
        for i, (k, v) in enumerate(vals[:3]):
            parts += ["、" if i else "", f"{k.name}（",
                      fig(number_text(ind, v), *f.ids(ind, k.code)), f"{measure}）"]
        runs += [f"{'；' if runs else ''}{LEVEL_LABELS.get(level, level)}中居前的是", *parts]
    if not runs:
        return None
    return para(f"从{ind.label}完成数看，", *runs, "。")


def coverage_sentence(f: Facts, ind: Indicator, target: float = 100.0) -> Paragraph | None:
    """Say how many units below reach full coverage and name those short of it."""
    kids = [(k, v) for k in f.children if (v := f.value(ind, k.code)) is not None]
    if len(kids) < 2:
        return None
    full = [(k, v) for k, v in kids if (round_half_up(v, 1) or 0.0) >= target]
    short = [(k, v) for k, v in kids if (round_half_up(v, 1) or 0.0) < target]
    head, _measure = phrase(f.c, ind)
    all_ids = tuple(i for k, _v in kids for i in f.ids(ind, k.code))
    runs: list[str | Any] = [f"从{head}看，", fig(fmt_count(len(kids)), *all_ids), "个单位中有",
                             fig(fmt_count(len(full)), *(i for k, _v in full
                                                         for i in f.ids(ind, k.code))),
                             "个实现全覆盖" if target == 100.0 else f"个达到{fmt_rate(target)}"]
    for k, v in sorted(short, key=lambda kv: -kv[1]):
        runs += [f"，{k.name}为", fig(fmt_rate(v), *f.ids(ind, k.code))]
    return para(*runs, "。")


def activity_sentence(f: Facts, plan: Sequence[tuple[str, tuple[str, ...]]]) -> Paragraph | None:
    """Sum up the activity ledger (sessions, the busiest month) and the plan's progress.

    ``plan``: each plan row's status and the ids of its sources (from :func:`plan_table`).
    """
    led = _ledger(f)
    runs: list[str | Any] = []
    if len(led):
        ids = f.book.ledger(led)
        total = float(pd.to_numeric(led["sessions"], errors="coerce").sum())
        runs += ["活动台账记录开展活动", fig(fmt_count(total), *ids), "场"]
        by_month = f.snap.ledger_by_month().dropna(subset=["场次"])
        if len(by_month) > 1:
            top = by_month.iloc[int(by_month["场次"].to_numpy().argmax())]
            month = str(top["月份"])
            rows = led[led["date"].dt.strftime("%Y-%m") == month]
            when = (f"{int(month[5:7])}月" if f.c.period_start.year == f.c.period_end.year
                    else f"{month[:4]}年{int(month[5:7])}月")
            runs += [f"，其中{when}最多，为", fig(fmt_count(top["场次"]), *f.book.ledger(rows)),
                     "场"]
    if plan:
        every = tuple(i for _s, ids in plan for i in ids)
        runs += ["；" if runs else "", "活动计划共", fig(fmt_count(len(plan)), *every), "项"]
        words = (("已完成", ("met", "above")), ("进行中", ("in_progress",)),
                 ("未完成", ("below",)), ("未开始", ("not_started",)))
        for word, codes in words:
            hit = [ids for status, ids in plan if status in codes]
            if hit:
                runs += [f"，{word}", fig(fmt_count(len(hit)), *(i for ids in hit for i in ids)),
                         "项"]
    if not runs:
        return None
    return para(*runs, "。")


# ---------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------
def year_label(c: Campaign) -> str:
    """2024年度 when the campaign lies in one year, else nothing."""
    return f"{c.period_start.year}年度" if c.period_start.year == c.period_end.year else ""


def build_year_end(snap: Snapshot, notes: NotesFile | None = None) -> Report:
    """Build the year-end summary (年度工作总结) of the snapshot's unit as a report.

    ``notes`` (from :func:`.notes.read_notes`) supplies 典型做法, 存在问题补充 and 下一步打算;
    without it those parts are left out. Every figure carries the ids of its sources.
    """
    f = Facts(snap)
    c, u = f.c, f.unit
    title = f"{full_name(c, u)}{activity_name(c)}{year_label(c)}工作总结"
    who = full_name(c, u) if u.parent else f.scope
    opening = para(f"{opening_basis(c)}，{who}开展{activity_name(c)}各项工作。"
                   "现将有关情况总结如下：")
    n_table, n_chart = 1, 1
    first_blocks: list[Block] = [data_basis(f)]
    first_blocks += target_sentences(f)
    subs: list[Section] = []
    for name, group in (f.groups() if f.has_figures() else []):
        # a field with no figure in either round is left out here (the annex lists them all)
        inds = [i for i in group if f.value(i) is not None
                or f.value(i, previous=True) is not None]
        if not inds:
            continue
        blocks: list[Block] = []
        s = group_sentence(f, inds)
        if s is not None:
            blocks.append(s)
        blocks.append(group_table(f, name, inds, n_table))
        n_table += 1
        subs.append(section(name, *blocks))
    prog = target_table(f, n_table)
    if prog is not None:
        subs.append(section("目标任务完成情况", prog))
        n_table += 1
    charts = children_charts(f, n_chart)
    if charts:
        n_chart += len(charts)
        main, cov = f.main_indicator(), f.coverage_indicator()
        lead = [p for p in (leaders(f, main) if main else None,
                            coverage_sentence(f, cov) if cov else None) if p is not None]
        subs.append(section("各地开展情况", *lead, *charts))
    activity: list[Block] = []
    pt, pc, plan_rows = plan_table(f, n_table)
    summary = activity_sentence(f, plan_rows)
    if summary is not None:
        activity.append(summary)
    mc = month_chart(f, n_chart)
    if mc is not None:
        activity.append(mc)
        n_chart += 1
    if pt is not None:
        activity.append(pt)
        n_table += 1
    if pc is not None:
        activity.append(_renumber(pc, n_chart))
        n_chart += 1
    if activity:
        subs.append(section("活动开展情况", *activity))
    mt = milestone_table(f, n_table)
    if mt is not None:
        subs.append(section("重点任务推进情况", mt))
        n_table += 1
    practice = notes.paragraphs("典型做法") if notes else ()
    if practice:
        subs.append(section("典型做法", *(para(t) for t in practice)))
    sections = [section("工作开展情况及成效", *first_blocks, subsections=subs)]
    problems = problem_sections(f, notes)
    sections.append(section("存在的问题和不足", *([] if problems else [no_problems(f)]),
                            subsections=problems))
    plans = notes.paragraphs("下一步打算") if notes else ()
    if plans:
        sections.append(section("下一年工作打算", *(para(t) for t in plans)))
    annexes = [statistics_annex(f)] if f.has_figures() else []
    return report(title, date=snap.as_of, issuer=office_name(c, u), opening=[opening],
                  sections=sections, annexes=annexes, sources=f.book.all())


def _renumber(chart: Chart, n: int) -> Chart:
    from dataclasses import replace

    return replace(chart, caption=chart.caption.replace("图　", f"图{n}　", 1))


def target_table(f: Facts, n: int) -> Table | None:
    """Tabulate targets at or below the unit: 目标任务数, 完成数, 完成率, 序时进度."""
    inds = f.targeted()
    if not inds:
        return None
    tp = f.snap.time_progress()
    body = []
    units = [f.unit, *f.children]
    for ind in inds:
        for unit in units:
            t = f.c.target(unit.code, ind.id)
            if t is None:
                continue
            v = f.value(ind, unit.code)
            ids = f.ids(ind, unit.code)
            rate = v / t.value * 100 if v is not None and t.value else None
            tids = f.target_ids(unit.code, ind)
            body.append([cell(unit.name, align="left"), cell(ind.label, align="left"),
                         value_cell(ind, t.value, tids), value_cell(ind, v, ids),
                         rate_value_cell(rate, ids + tids),
                         rate_value_cell(tp, f.period_ids())])
    if not body:
        return None
    synthetic = any(t.synthetic for t in f.c.targets)
    return table(f"表{n}　目标任务完成情况", [["地区", "指标", "目标任务数", "完成数",
                                              "完成率（%）", "序时进度（%）"]], body,
                 note="目标任务数为示例数据，不是通知设定的任务。" if synthetic else None)
