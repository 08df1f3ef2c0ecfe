"""The campaign spec: one frozen, typed ``Campaign`` loaded and validated once.

``load_campaign(path)`` reads ``campaign.yaml``, checks it against the JSON Schema in
``campaignkit/schema/campaign.schema.json`` and then against the meaning of every key
(dates, references between units, indicators, rounds and milestones, formulas). Every
mistake is reported at once in a ``SpecError``, each with its key path::

    milestones[2].deadline: '2024-13-01' is not a date (...)

>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> c.doc_number, len(c.indicators), c.round("final").deadline.isoformat()
('闽人社办〔2021〕194号', 4, '2022-01-20')
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import yaml

from .dates import DateSpec, SessionsPlan, Window, parse_sessions, resolve_date, resolve_window
from .errors import FormulaError, SpecError, SpecIssue
from .formula import Formula

__all__ = [
    "COMPLETED_BY",
    "LEVELS",
    "Campaign",
    "CompletedBy",
    "Completion",
    "DateReading",
    "Indicator",
    "Measure",
    "Milestone",
    "Phase",
    "PlanRow",
    "Responsible",
    "Round",
    "Rule",
    "Target",
    "Unit",
    "default_decimals",
    "load_campaign",
    "load_campaign_text",
    "parse_campaign",
]

Level = Literal["province", "city", "county", "dept"]
LEVELS: tuple[Level, ...] = ("province", "city", "county", "dept")
IndicatorType = Literal["count", "number", "percent", "yes_no", "text", "url"]
Aggregate = Literal["sum", "mean", "weighted_mean", "min", "max", "none"]
NUMERIC_TYPES = frozenset({"count", "number", "percent"})
FIVE_VENUES = ("企业", "校园", "村居", "工地", "系统")


DEFAULT_DECIMALS: Mapping[str, int] = MappingProxyType({"count": 0, "percent": 1, "number": 2})


def default_decimals(indicator_type: str) -> int:
    """Return the decimal places of a type's form field: count 0, percent 1, number 2.

    >>> default_decimals("percent"), default_decimals("yes_no")
    (1, 0)
    """
    return DEFAULT_DECIMALS.get(indicator_type, 0)


def fold_name(text: str) -> str:
    """Fold a unit or label text for matching: NFKC, no whitespace, no full-width forms."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


OFFICE_SUFFIXES: tuple[str, ...] = (
    "人力资源和社会保障局", "人力资源和社会保障厅", "人力资源社会保障局", "人力资源社会保障厅",
    "人社局", "人社厅",
)
"""Office suffixes stripped from a unit text and from every name and alias before matching
(``济南市人社局`` is ``济南市``); see ``docs/matching.md``."""
_SEAL_MARK = re.compile(r"[(【\[]\s*(?:盖章|公章|签章|印章|章)\s*[)】\]]")

DOCUMENT_WORDS: tuple[str, ...] = (
    "统计表", "统计", "报表", "附表", "附件", "情况", "汇总", "中期", "总结", "年度", "全年",
    "上半年", "下半年", "活动", "工作", "报告", "报送", "填报", "进展", "数据", "更正", "修订",
    "修改", "有误", "最终", "终稿", "定稿", "表", "版", "稿",
)
"""Words of document names a file name is split on (``济南市中期统计表`` → 济南市, 中期, 统计表)."""
_NAME_TOKEN = re.compile(r"[^\s_\-—–·.,，、;；:：()（）\[\]【】《》<>“”\"'‘’+&#~～!！?？/\\|]+")
_DATE_OR_DIGITS = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]?|\d{4}年度?|\d{1,2}月份?|\d+"
)


def unit_key(text: str) -> str:
    """Fold a unit text for exact matching: NFKC, no spaces or seal marks, no office suffix.

    Latin letters are compared in any case when the text holds a digit (``sd01`` = SD01);
    letters alone (the province's ``FJ``) must match in case, since short letter groups
    such as ``fj_`` or ``sd_`` are common file-name prefixes.

    >>> unit_key("济南市人力资源和社会保障局（盖章）"), unit_key("sd01"), unit_key("fj")
    ('济南市', 'sd01', 'fj')
    """
    key = _SEAL_MARK.sub("", fold_name(text)).strip(":：")
    if any(ch.isdigit() for ch in key):
        key = key.lower()
    for suffix in OFFICE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


# ---------------------------------------------------------------------------------------
# The typed, frozen model
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    """A reporting unit: the province, a city, a county or a provincial lead division."""

    code: str
    name: str
    parent: str | None
    level: Level
    aliases: tuple[str, ...] = ()
    figures: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    tags: frozenset[str] = frozenset()
    illustrative: bool = False
    synthetic_figures: bool = False

    @property
    def townships(self) -> float | None:
        """Number of townships (乡镇) the unit counts for coverage, if known."""
        return self.figures.get("townships")


@dataclass(frozen=True)
class Indicator:
    """One figure of the statistics form (or derived from others by ``formula``)."""

    id: str
    label: str
    type: IndicatorType
    aggregate: Aggregate
    group: str | None = None
    blank: str | None = None
    unit: str | None = None
    weight: str | None = None
    min: float | None = None
    max: float | None = None
    formula: Formula | None = None
    input: bool = True
    required: bool = False
    aliases: tuple[str, ...] = ()
    venue: str | None = None
    note: str | None = None
    decimals: int | None = None
    """Decimal places the form asks for; None: the type's default (``default_decimals``)."""

    @property
    def derived(self) -> bool:
        """Tell whether the value is computed from other indicators at every level."""
        return self.formula is not None

    @property
    def digits(self) -> int:
        """Return the decimal places figures are compared at: ``decimals`` or the default."""
        return default_decimals(self.type) if self.decimals is None else self.decimals

    @property
    def numeric(self) -> bool:
        """Tell whether values are numbers (count, number, percent)."""
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Measure:
    """A named measure the notice uses but leaves open (五进完成率), with our reading."""

    id: str
    label: str
    formula: Formula
    unit: str | None = None
    reading: str = "ours"
    note: str | None = None


@dataclass(frozen=True)
class Responsible:
    """Who a milestone falls to: levels, unit codes, and optionally units with given tags."""

    levels: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    condition: str | None = None

    def applies(self, unit: Unit) -> bool:
        """Tell whether ``unit`` has this duty."""
        in_scope = unit.level in self.levels or unit.code in self.units
        if not in_scope and not self.levels and not self.units:
            in_scope = True
        return in_scope and (not self.tags or bool(self.tags & unit.tags))


CompletionKind = Literal["deliverable", "round", "condition", "none"]
CompletedBy = Literal["own", "consolidated", "children"]
COMPLETED_BY: tuple[CompletedBy, ...] = ("own", "consolidated", "children")
"""How a parent completes a round (``rounds[i].completed_by``, ``completion.by``):

* ``own`` (the default): its own complete return of the round, of either type;
* ``consolidated``: a complete consolidated return of its own (a unit with no units below
  it completes by its own return);
* ``children``: every reporting unit below it (its nearest units below that report the
  round) has completed the round — on the day the last did — or it sends a complete
  consolidated return itself, whichever comes first (a unit with no reporting units below it
  completes by its own return).
"""


@dataclass(frozen=True)
class Completion:
    """What completes a milestone."""

    kind: CompletionKind
    deliverable: str | None = None
    round: str | None = None
    condition: Formula | None = None
    by: CompletedBy | None = None
    """For a round completion: how a parent completes it (None: the round's ``completed_by``)."""


MilestoneKind = Literal["deadline", "window", "continuous"]


@dataclass(frozen=True)
class Milestone:
    """One numbered sub-task of the work plan, with its deadline or window."""

    id: str
    kind: MilestoneKind
    task: str
    responsible: Responsible
    completion: Completion
    row: str | None = None
    deadline: DateSpec | None = None
    window: Window | None = None
    note: str | None = None

    @property
    def due(self) -> date | None:
        """Last day to complete it: the deadline, the end of the window, or None."""
        if self.deadline is not None:
            return self.deadline.date
        if self.window is not None:
            return self.window.end
        return None


@dataclass(frozen=True)
class Round:
    """A reporting round (``midyear``, ``final``) with its period end and deadline."""

    id: str
    label: str
    period_end: DateSpec
    deadline_milestone: str
    deadline: date
    reporters: tuple[str, ...]
    return_type: Literal["consolidated", "own"] = "consolidated"
    completed_by: CompletedBy = "own"
    """How a parent completes the round (``COMPLETED_BY``); also its round milestones' rule."""


@dataclass(frozen=True)
class Target:
    """A numeric target for a unit × indicator; the seeds set none, so samples are synthetic."""

    unit: str
    indicator: str
    value: float
    synthetic: bool = True


@dataclass(frozen=True)
class PlanRow:
    """A row of the activity plan (活动计划表)."""

    id: str
    theme: str
    window: Window
    sessions: SessionsPlan
    responsible: str
    category: str | None = None
    content: str | None = None
    venue: str | None = None
    audience: str | None = None
    five_venue: str | None = None


@dataclass(frozen=True)
class Rule:
    """A validation rule ``left op right`` (or a pair rule), checked on returns and roll-ups."""

    text: str
    op: str
    left: Formula
    right: Formula
    message: str | None = None
    skip_missing: bool = True
    severity: Literal["error", "warning"] = "error"
    synthetic: tuple[str, ...] = ()
    """Reference figures the rule uses that are marked synthetic (it then only warns)."""

    def check(self, env: Mapping[str, Any]) -> bool | None:
        """Return False when the rule is broken, True when it holds, None when it cannot tell."""
        lv, rv = self.left.evaluate(env), self.right.evaluate(env)
        if self.op == "compulsory_pair":
            return (lv is None) == (rv is None)
        if self.op == "exclusive_pair":
            return not (lv is not None and rv is not None)
        if lv is None or rv is None:
            if self.skip_missing:
                return None
            lv = 0.0 if lv is None else lv
            rv = 0.0 if rv is None else rv
        cond = Formula.parse(f"a {self.op} b")
        return bool(cond.evaluate({"a": lv, "b": rv}))


@dataclass(frozen=True)
class Phase:
    """A phase of the campaign as the notice names it."""

    id: str
    name: str
    start: DateSpec
    end: DateSpec
    text: str | None = None


@dataclass(frozen=True)
class DateReading:
    """A date of the spec as written (``text``) and as read: one day, or a span of days."""

    key: str
    text: str
    start: date | None
    end: date | None = None

    def __str__(self) -> str:
        if self.start is None:
            read = "no date (never overdue)"
        elif self.end is None:
            read = self.start.isoformat()
        else:
            read = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"{self.key}: {self.text} → {read}"

    def to_json(self) -> dict[str, str | None]:
        """Return ``{key, text, date}``, or ``{key, text, start, end}`` for a span."""
        if self.end is None:
            return {"key": self.key, "text": self.text,
                    "date": self.start.isoformat() if self.start else None}
        return {"key": self.key, "text": self.text,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat()}


@dataclass(frozen=True)
class Campaign:
    """A campaign spec, frozen; look-ups by code or id go through its methods."""

    id: str
    title: str
    issuer: str
    doc_number: str | None
    period_start: date
    period_end: date
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    rounds: tuple[Round, ...]
    milestones: tuple[Milestone, ...]
    measures: tuple[Measure, ...] = ()
    phases: tuple[Phase, ...] = ()
    targets: tuple[Target, ...] = ()
    plan: tuple[PlanRow, ...] = ()
    validation: tuple[Rule, ...] = ()
    notes: tuple[str, ...] = ()
    source: str | None = None
    form_version: int = 1
    forms: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = field(default=None, compare=False)

    # indexes, built once
    _units: Mapping[str, Unit] = field(init=False, repr=False, compare=False)
    _children: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _indicators: Mapping[str, Indicator] = field(init=False, repr=False, compare=False)
    _names: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        units = {u.code: u for u in self.units}
        children: dict[str, list[str]] = {u.code: [] for u in self.units}
        for u in self.units:
            if u.parent is not None and u.parent in children:
                children[u.parent].append(u.code)
        names: dict[str, set[str]] = {}
        for u in self.units:
            for n in (u.code, u.name, *u.aliases):
                names.setdefault(unit_key(n), set()).add(u.code)
        object.__setattr__(self, "_units", MappingProxyType(units))
        object.__setattr__(
            self, "_children", MappingProxyType({k: tuple(v) for k, v in children.items()})
        )
        object.__setattr__(
            self, "_indicators", MappingProxyType({i.id: i for i in self.indicators})
        )
        object.__setattr__(
            self, "_names", MappingProxyType({k: tuple(sorted(v)) for k, v in names.items()})
        )

    # -- units ---------------------------------------------------------------------------
    @property
    def top(self) -> Unit:
        """The unit with no parent (the province)."""
        return next(u for u in self.units if u.parent is None)

    def unit(self, code: str) -> Unit:
        """Return the unit with this code; ``KeyError`` lists close names when unknown."""
        try:
            return self._units[code]
        except KeyError:
            raise KeyError(f"unknown unit {code!r} in campaign {self.id}") from None

    def has_unit(self, code: str) -> bool:
        """Tell whether the code names a unit of this campaign."""
        return code in self._units

    def children(self, code: str) -> tuple[Unit, ...]:
        """Direct children of a unit, in spec order."""
        return tuple(self._units[c] for c in self._children.get(code, ()))

    def descendants(self, code: str) -> tuple[Unit, ...]:
        """Every unit below ``code``, depth first, in spec order."""
        out: list[Unit] = []
        for child in self.children(code):
            out.append(child)
            out.extend(self.descendants(child.code))
        return tuple(out)

    def ancestors(self, code: str) -> tuple[Unit, ...]:
        """Parent, grandparent, … up to the top unit."""
        out: list[Unit] = []
        parent = self._units[code].parent
        while parent is not None:
            out.append(self._units[parent])
            parent = self._units[parent].parent
        return tuple(out)

    def match_units(self, text: str) -> tuple[str, ...]:
        """Codes of every unit whose code, name or alias equals ``text`` exactly.

        Both sides are folded by :func:`unit_key` (NFKC, no spaces or seal marks, lower case,
        no office suffix such as 人社局); never by containment: ``山东省技师学院`` is not
        ``山东省`` and ``济南市历城区`` is 历城区 only when a unit lists it as an alias.
        """
        return self._names.get(unit_key(text), ())

    def units_in_name(self, text: str) -> tuple[str, ...]:
        """Codes of the units a file name names, token by token; never by containment.

        The name is split on separators (``_ - . 、 () （）`` and spaces); a run of tokens that
        equals a unit's code, name or alias (:meth:`match_units`) names that unit, the
        longest run first (``HB_D01``). A token naming no unit is split further on digits,
        dates and document words (:data:`DOCUMENT_WORDS`, the rounds' labels) and each piece
        must again match exactly: ``02青岛市人社局统计表（6月15日）`` → 青岛市, but
        ``山东省技师学院统计表`` → nothing (not 山东省).
        """
        folded = unicodedata.normalize("NFKC", str(text))
        spans = [m.span() for m in _NAME_TOKEN.finditer(folded)]
        words = sorted({*DOCUMENT_WORDS, *(fold_name(r.label) for r in self.rounds if r.label)},
                       key=len, reverse=True)
        split = re.compile("|".join(re.escape(w) for w in words if w))
        found: set[str] = set()
        i = 0
        while i < len(spans):
            for j in range(min(len(spans), i + 4), i, -1):  # the longest run of tokens first
                codes = self.match_units(folded[spans[i][0]:spans[j - 1][1]])
                if codes:
                    found.update(codes)
                    i = j
                    break
            else:
                token = _DATE_OR_DIGITS.sub(" ", folded[spans[i][0]:spans[i][1]])
                for piece in split.sub(" ", token).split():
                    found.update(self.match_units(piece))
                i += 1
        return tuple(sorted(found))

    def units_at(self, level: str) -> tuple[Unit, ...]:
        """Every unit of a level, in spec order."""
        return tuple(u for u in self.units if u.level == level)

    # -- indicators, rounds, milestones -------------------------------------------------
    def indicator(self, ident: str) -> Indicator:
        """Return the indicator with this id."""
        try:
            return self._indicators[ident]
        except KeyError:
            known = ", ".join(self._indicators)
            raise KeyError(f"unknown indicator {ident!r} (known: {known})") from None

    @property
    def input_indicators(self) -> tuple[Indicator, ...]:
        """Indicators a unit fills in on the form."""
        return tuple(i for i in self.indicators if i.input)

    def round(self, ident: str | None = None) -> Round:
        """Return a round by id; without an id, the final (last) round."""
        if ident is None:
            return self.rounds[-1]
        for r in self.rounds:
            if r.id == ident:
                return r
        raise KeyError(f"unknown round {ident!r} (known: {', '.join(r.id for r in self.rounds)})")

    def milestone(self, ident: str) -> Milestone:
        """Return a milestone by id."""
        for m in self.milestones:
            if m.id == ident:
                return m
        raise KeyError(f"unknown milestone {ident!r}")

    def measure(self, ident: str) -> Measure:
        """Return a named measure by id."""
        for m in self.measures:
            if m.id == ident:
                return m
        raise KeyError(f"unknown measure {ident!r}")

    def reporters(self, round_id: str | None = None) -> tuple[Unit, ...]:
        """Units expected to return the round (by level or code), in spec order."""
        r = self.round(round_id)
        wanted = set(r.reporters)
        return tuple(u for u in self.units if u.level in wanted or u.code in wanted)

    def target(self, unit: str, indicator: str) -> Target | None:
        """The target for a unit × indicator, if the spec sets one."""
        for t in self.targets:
            if t.unit == unit and t.indicator == indicator:
                return t
        return None

    def date_readings(self) -> tuple[DateReading, ...]:
        """List every date of the spec as written and as read, so the reading can be checked.

        >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
        >>> [str(d) for d in c.date_readings() if d.key.startswith("rounds")]
        ['rounds[0].period_end: 1月底 → 2022-01-31', 'rounds[0].deadline: 1月20日前 → 2022-01-20']
        """
        out: list[DateReading] = []
        for i, ph in enumerate(self.phases):
            out.append(DateReading(f"phases[{i}].start", ph.start.text, ph.start.date))
            out.append(DateReading(f"phases[{i}].end", ph.end.text, ph.end.date))
        for i, r in enumerate(self.rounds):
            out.append(DateReading(f"rounds[{i}].period_end", r.period_end.text,
                                   r.period_end.date))
            ms = self.milestone(r.deadline_milestone)
            text = ms.deadline.text if ms.deadline else ms.window.text if ms.window else ""
            out.append(DateReading(f"rounds[{i}].deadline", text, r.deadline))
        for i, m in enumerate(self.milestones):
            if m.deadline is not None:
                out.append(DateReading(f"milestones[{i}].deadline", m.deadline.text,
                                       m.deadline.date))
            elif m.window is not None:
                out.append(DateReading(f"milestones[{i}].window", m.window.text, m.window.start,
                                       m.window.end))
            else:
                out.append(DateReading(f"milestones[{i}]", m.row or m.kind, None))
        for i, row in enumerate(self.plan):
            out.append(DateReading(f"plan[{i}].window", row.window.text, row.window.start,
                                   row.window.end))
        return tuple(out)

    def replace(self, **changes: Any) -> Campaign:
        """Return a copy with some fields changed; the original is untouched."""
        return dataclasses.replace(self, **changes)

    def iter_units(self, code: str | None = None) -> Iterator[Unit]:
        """Yield a unit and every unit below it (the top unit by default)."""
        root = self.unit(code) if code else self.top
        yield root
        yield from self.descendants(root.code)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------
@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema every campaign.yaml passes (``campaignkit/schema/campaign.schema.json``)."""
    text = resources.files("campaignkit").joinpath("schema/campaign.schema.json").read_text(
        encoding="utf-8"
    )
    return cast(dict[str, Any], json.loads(text))


def _plain(obj: Any) -> Any:
    """Turn YAML's dates into ISO text so the schema and the date reader see one form."""
    if isinstance(obj, datetime):
        return obj.date().isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _schema_issues(doc: Any) -> list[SpecIssue]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json_schema())
    issues = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path]):
        msg = err.message
        if err.validator == "additionalProperties":
            msg = f"unknown key ({msg})"
        elif err.validator == "enum":
            msg = f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
        elif err.validator == "type":
            msg = f"expected {err.validator_value}, got {err.instance!r}"
        elif err.validator == "required":
            msg = f"missing key: {msg}"
        issues.append(SpecIssue(_path(list(err.absolute_path)), msg))
    return issues


class _Builder:
    """Build the frozen model from a schema-checked document, collecting every issue."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.issues: list[SpecIssue] = []
        self.start = date(1970, 1, 1)
        self.end = date(2999, 12, 31)

    def fail(self, path: str, message: str) -> None:
        self.issues.append(SpecIssue(path, message))

    def date_at(self, path: str, value: Any, *, first: bool = False) -> DateSpec | None:
        if value is None:
            return None
        try:
            return resolve_date(str(value), self.start, self.end, first=first)
        except ValueError as exc:
            self.fail(path, str(exc))
            return None

    def window_at(self, path: str, value: Any) -> Window | None:
        try:
            return resolve_window(str(value), self.start, self.end)
        except ValueError as exc:
            self.fail(path, str(exc))
            return None

    def formula_at(self, path: str, text: Any, known: set[str]) -> Formula | None:
        try:
            f = Formula.parse(str(text))
        except FormulaError as exc:
            self.fail(path, str(exc))
            return None
        unknown = sorted(f.names - known)
        if unknown:
            self.fail(path, f"{text!r} uses unknown name(s): {', '.join(unknown)}")
        return f

    def items(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        seq = self.doc.get(key) or []
        return [(f"{key}[{i}]", x) for i, x in enumerate(seq) if isinstance(x, dict)]

    def unique(self, key: str, field_name: str = "id") -> None:
        seen: dict[str, str] = {}
        for path, item in self.items(key):
            ident = item.get(field_name)
            if not isinstance(ident, str):
                continue
            if ident in seen:
                self.fail(f"{path}.{field_name}", f"duplicate {field_name} {ident!r} "
                          f"(first at {seen[ident]})")
            else:
                seen[ident] = path

    # -- the parts -------------------------------------------------------------------------
    def build(self, source_path: Path | None) -> Campaign | None:
        d = self.doc
        period = d.get("period") or {}
        bounds: list[date] = []
        for key in ("start", "end"):
            value = period.get(key) if isinstance(period, dict) else None
            try:
                bounds.append(date.fromisoformat(str(value)))
            except ValueError:
                self.fail(f"period.{key}", f"{value!r} is not a date (expected an ISO date "
                          "such as 2024-03-01)")
        if len(bounds) == 2:
            self.start, self.end = bounds
            if self.end < self.start:
                self.fail("period", "end is before start")

        for key, fname in (("units", "code"), ("indicators", "id"), ("rounds", "id"),
                           ("milestones", "id"), ("plan", "id"), ("measures", "id"),
                           ("phases", "id")):
            self.unique(key, fname)

        units = self.units()
        codes = {u.code for u in units}
        indicators = self.indicators(units)
        ind_ids = {i.id for i in indicators}
        measures = self.measures(ind_ids, units)
        milestones = self.milestones(codes, ind_ids | {m.id for m in measures}, units)
        rounds = self.rounds(codes, milestones, units)
        round_ids = {r.id for r in rounds}
        for path, item in self.items("milestones"):
            comp = item.get("completion") or {}
            if isinstance(comp, dict) and comp.get("round") and comp["round"] not in round_ids:
                self.fail(f"{path}.completion.round", f"unknown round {comp['round']!r}")
        for rid in (d.get("forms") or {}).get("rounds") or {}:  # forms' per-round texts
            if rid not in round_ids:
                self.fail(f"forms.rounds.{rid}", f"unknown round {rid!r} (rounds: "
                          f"{', '.join(r.id for r in rounds)})")
        targets = self.targets(codes, ind_ids)
        plan = self.plan(codes)
        rules = self.rules(ind_ids, units)
        phases = self.phases()
        if self.issues:
            return None
        return Campaign(
            id=d["id"], title=d["title"], issuer=d["issuer"], doc_number=d.get("doc_number"),
            period_start=self.start, period_end=self.end, units=tuple(units),
            indicators=tuple(indicators), rounds=tuple(rounds), milestones=tuple(milestones),
            measures=tuple(measures), phases=tuple(phases), targets=tuple(targets),
            plan=tuple(plan), validation=tuple(rules), notes=tuple(d.get("notes") or ()),
            source=d.get("source"), form_version=int(d.get("form_version", 1)),
            forms=MappingProxyType(dict(d.get("forms") or {})), path=source_path,
        )

    def units(self) -> list[Unit]:
        out: list[Unit] = []
        raw = self.items("units")
        codes = {x.get("code") for _, x in raw}
        tops = []
        for path, x in raw:
            if not isinstance(x.get("code"), str) or not isinstance(x.get("name"), str):
                continue
            parent = x.get("parent")
            if parent is None:
                tops.append(path)
            elif parent not in codes:
                self.fail(f"{path}.parent", f"unknown unit {parent!r}")
            figures = {str(k): float(v) for k, v in (x.get("figures") or {}).items()
                       if isinstance(v, int | float)}
            if isinstance(x.get("townships"), int | float):
                figures["townships"] = float(x["townships"])
            out.append(Unit(
                code=x["code"], name=x["name"], parent=parent,
                level=cast(Level, x.get("level", "county")),
                aliases=tuple(x.get("aliases") or ()),
                figures=MappingProxyType(figures), tags=frozenset(x.get("tags") or ()),
                illustrative=bool(x.get("illustrative", False)),
                synthetic_figures=bool(x.get("synthetic_figures", False)),
            ))
        if raw and len(tops) != 1:
            self.fail("units", f"exactly one unit must have parent null, found {len(tops)}")
        # cycles
        parents = {u.code: u.parent for u in out}
        for u in out:
            seen = {u.code}
            p = u.parent
            while p is not None and p in parents:
                if p in seen:
                    self.fail("units", f"unit {u.code!r} is its own ancestor")
                    break
                seen.add(p)
                p = parents[p]
        # an alias shared by two units makes ingest ambiguous
        owners: dict[str, str] = {}
        for i, (path, x) in enumerate(raw):
            for j, alias in enumerate(x.get("aliases") or ()):
                key = fold_name(alias)
                if key in owners and owners[key] != x.get("code"):
                    self.fail(f"{path}.aliases[{j}]",
                              f"alias {alias!r} also names unit {owners[key]!r}")
                owners.setdefault(key, str(x.get("code")))
            del i
        return out

    def figure_names(self, units: Sequence[Unit]) -> set[str]:
        return {k for u in units for k in u.figures} | {"townships"}

    def indicators(self, units: Sequence[Unit]) -> list[Indicator]:
        raw = self.items("indicators")
        ids: set[str] = {str(x["id"]) for _, x in raw if isinstance(x.get("id"), str)}
        figures = self.figure_names(units)
        clash = sorted(ids & figures)
        if clash:
            self.fail("indicators", f"ids also used as unit figures: {', '.join(clash)}")
        out: list[Indicator] = []
        for path, x in raw:
            if not isinstance(x.get("id"), str):
                continue
            typ = x.get("type", "count")
            agg = x.get("aggregate", "sum" if typ in ("count", "number") else "none")
            weight = x.get("weight")
            if agg == "weighted_mean":
                if weight is None:
                    self.fail(f"{path}.weight", "weighted_mean needs a weight (an indicator id)")
                elif weight not in ids:
                    self.fail(f"{path}.weight", f"unknown indicator {weight!r}")
                elif not any(x2.get("id") == weight and x2.get("type", "count") in NUMERIC_TYPES
                             and x2.get("formula") is None for _, x2 in raw):
                    self.fail(f"{path}.weight", f"the weight {weight!r} must be a numeric "
                              "indicator that units report (not derived)")
            if agg in ("sum", "mean", "weighted_mean", "min", "max") and typ not in NUMERIC_TYPES:
                self.fail(f"{path}.aggregate", f"{agg!r} needs a numeric type, not {typ!r}")
            if typ == "percent" and agg == "sum":
                self.fail(f"{path}.aggregate", "a percentage is never summed: use a formula "
                          "or none")
            formula = None
            if x.get("formula") is not None:
                formula = self.formula_at(f"{path}.formula", x["formula"],
                                          (ids | figures) - {x["id"]})
            lo, hi = x.get("min"), x.get("max")
            if typ == "percent":
                lo = 0 if lo is None else lo
                hi = 100 if hi is None else hi
            if typ == "count" and lo is None:
                lo = 0
            if lo is not None and hi is not None and lo > hi:
                self.fail(f"{path}.min", f"min {lo} is above max {hi}")
            venue = x.get("venue")
            if venue is not None and venue not in FIVE_VENUES:
                self.fail(f"{path}.venue", f"{venue!r} is not one of {', '.join(FIVE_VENUES)}")
            decimals = x.get("decimals", default_decimals(typ))
            if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
                self.fail(f"{path}.decimals", f"{decimals!r} is not a whole number ≥ 0")
                decimals = default_decimals(typ)
            out.append(Indicator(
                id=x["id"], label=str(x.get("label", "")), type=typ, aggregate=agg,
                group=x.get("group"), blank=x.get("blank"), unit=x.get("unit"), weight=weight,
                min=None if lo is None else float(lo), max=None if hi is None else float(hi),
                formula=formula, input=bool(x.get("input", formula is None)),
                required=bool(x.get("required", False)), aliases=tuple(x.get("aliases") or ()),
                venue=venue, note=x.get("note"), decimals=decimals,
            ))
        return out

    def measures(self, ind_ids: set[str], units: Sequence[Unit]) -> list[Measure]:
        out = []
        known = ind_ids | self.figure_names(units)
        for path, x in self.items("measures"):
            f = self.formula_at(f"{path}.formula", x.get("formula", ""), known)
            if f is None or not isinstance(x.get("id"), str):
                continue
            if x["id"] in ind_ids:
                self.fail(f"{path}.id", f"{x['id']!r} is already an indicator id")
            out.append(Measure(id=x["id"], label=str(x.get("label", x["id"])), formula=f,
                               unit=x.get("unit"), reading=str(x.get("reading", "ours")),
                               note=x.get("note")))
        return out

    def responsible(self, path: str, value: Any, codes: set[str]) -> Responsible:
        levels: set[str] = set()
        units: set[str] = set()
        tags: set[str] = set()
        condition = None

        def one(p: str, v: Any) -> None:
            if v in LEVELS:
                levels.add(v)
            elif v in codes:
                units.add(v)
            else:
                self.fail(p, f"{v!r} is neither a level ({', '.join(LEVELS)}) nor a unit code")

        if isinstance(value, str):
            one(path, value)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                one(f"{path}[{i}]", v)
        elif isinstance(value, dict):
            for i, v in enumerate(value.get("levels") or ()):
                one(f"{path}.levels[{i}]", v)
            if value.get("level"):
                one(f"{path}.level", value["level"])
            for i, v in enumerate(value.get("units") or ()):
                one(f"{path}.units[{i}]", v)
            tags = set(value.get("tags") or ())
            condition = value.get("condition")
        return Responsible(frozenset(levels), frozenset(units), frozenset(tags), condition)

    def milestones(self, codes: set[str], names: set[str],
                   units: Sequence[Unit]) -> list[Milestone]:
        out = []
        for path, x in self.items("milestones"):
            if not isinstance(x.get("id"), str):
                continue
            kind = x.get("kind", "deadline")
            deadline = window = None
            if kind == "deadline":
                if x.get("deadline") is None:
                    self.fail(f"{path}.deadline", "a deadline milestone needs a deadline")
                deadline = self.date_at(f"{path}.deadline", x.get("deadline"))
            elif kind == "window":
                if x.get("window") is None:
                    self.fail(f"{path}.window", "a window milestone needs a window (3—12月)")
                else:
                    window = self.window_at(f"{path}.window", x["window"])
            comp_raw = x.get("completion") or {}
            comp = Completion("none")
            if isinstance(comp_raw, dict) and comp_raw:
                if comp_raw.get("deliverable"):
                    comp = Completion("deliverable", deliverable=str(comp_raw["deliverable"]))
                elif comp_raw.get("round"):
                    comp = Completion("round", round=str(comp_raw["round"]),
                                      by=comp_raw.get("by"))
                elif comp_raw.get("condition"):
                    f = self.formula_at(f"{path}.completion.condition", comp_raw["condition"],
                                        names | self.figure_names(units))
                    if f is not None and not f.is_comparison:
                        self.fail(f"{path}.completion.condition",
                                  f"{f.text!r} is not a condition (expected a >= b)")
                    comp = Completion("condition", condition=f,
                                      round=comp_raw.get("round"))
            if isinstance(comp_raw, dict) and comp_raw.get("by") and comp.kind != "round":
                self.fail(f"{path}.completion.by", "by says how a parent completes a round: "
                          "it goes with completion.round only")
            if kind == "continuous" and comp.kind != "none":
                self.fail(f"{path}.completion", "a continuous task is never complete: "
                          "leave completion out")
            out.append(Milestone(
                id=x["id"], kind=kind, task=str(x.get("task", "")),
                responsible=self.responsible(f"{path}.responsible", x.get("responsible"), codes),
                completion=comp, row=x.get("row"), deadline=deadline, window=window,
                note=x.get("note"),
            ))
        return out

    def children_report(self, key: str, round_id: str, reporters: Sequence[str],
                        units: Sequence[Unit], milestones: Sequence[Milestone]) -> None:
        """Fail ``key`` when no unit that owes the round has a reporting unit below it."""
        reports = {u.code for u in units if u.level in reporters or u.code in reporters}
        parent = {u.code: u.parent for u in units}
        above: set[str] = set()  # units with a reporting unit below them
        for code in reports:
            p = parent.get(code)
            while p is not None and p not in above:
                above.add(p)
                p = parent.get(p)
        owing = set(reports)
        for m in milestones:
            if m.completion.kind == "round" and m.completion.round == round_id:
                owing |= {u.code for u in units if m.responsible.applies(u)}
        if not above & owing:
            self.fail(key, f"children, but no unit that owes round {round_id!r} has a unit "
                      f"below it that reports (reporters: {', '.join(reporters)}): add the "
                      "units that send the returns (e.g. county) to reporters, or write own")

    def rounds(self, codes: set[str], milestones: Sequence[Milestone],
               units: Sequence[Unit] = ()) -> list[Round]:
        by_id = {m.id: m for m in milestones}
        out = []
        for path, x in self.items("rounds"):
            if not isinstance(x.get("id"), str):
                continue
            period_end = self.date_at(f"{path}.period_end", x.get("period_end"))
            mid = x.get("deadline")
            ms = by_id.get(str(mid))
            if ms is None:
                self.fail(f"{path}.deadline", f"unknown milestone {mid!r} (the round's deadline "
                          "is the deadline of a milestone)")
            elif ms.due is None and ms.kind != "deadline":
                self.fail(f"{path}.deadline", f"milestone {mid!r} has no deadline")
            reporters = tuple(x.get("reporters") or ())
            for i, r in enumerate(reporters):
                if r not in LEVELS and r not in codes:
                    self.fail(f"{path}.reporters[{i}]", f"{r!r} is neither a level nor a unit")
            rule = x.get("completed_by", "own")
            return_type = x.get("return_type", "consolidated")
            if rule == "consolidated" and return_type == "own":
                self.fail(f"{path}.completed_by", "consolidated needs consolidated returns, "
                          "but the round's return_type is own: write return_type: "
                          "consolidated, or completed_by: own")
            if rule == "children" or any(
                    m.completion.by == "children" and m.completion.round == x["id"]
                    for m in milestones):
                key = f"{path}.completed_by" if rule == "children" else next(
                    f"milestones[{i}].completion.by" for i, m in enumerate(milestones)
                    if m.completion.by == "children" and m.completion.round == x["id"])
                self.children_report(key, x["id"], reporters, units, milestones)
            if period_end is None or ms is None or ms.due is None:
                continue
            out.append(Round(id=x["id"], label=str(x.get("label", x["id"])),
                             period_end=period_end, deadline_milestone=str(mid),
                             deadline=ms.due, reporters=reporters,
                             return_type=return_type, completed_by=rule))
        if not self.items("rounds"):
            self.fail("rounds", "at least one reporting round is needed")
        return out

    def targets(self, codes: set[str], ind_ids: set[str]) -> list[Target]:
        out = []
        for path, x in self.items("targets"):
            ok = True
            if x.get("unit") not in codes:
                self.fail(f"{path}.unit", f"unknown unit {x.get('unit')!r}")
                ok = False
            if x.get("indicator") not in ind_ids:
                self.fail(f"{path}.indicator", f"unknown indicator {x.get('indicator')!r}")
                ok = False
            if ok and isinstance(x.get("value"), int | float):
                out.append(Target(x["unit"], x["indicator"], float(x["value"]),
                                  bool(x.get("synthetic", True))))
        return out

    def plan(self, codes: set[str]) -> list[PlanRow]:
        out = []
        for path, x in self.items("plan"):
            window = self.window_at(f"{path}.window", x.get("window", ""))
            try:
                sessions = parse_sessions(str(x.get("sessions", "")))
            except ValueError as exc:
                self.fail(f"{path}.sessions", str(exc))
                continue
            resp = x.get("responsible")
            if resp not in codes:
                self.fail(f"{path}.responsible", f"unknown unit {resp!r}")
                continue
            if x.get("five_venue") is not None and x["five_venue"] not in FIVE_VENUES:
                self.fail(f"{path}.five_venue", f"{x['five_venue']!r} is not one of "
                          f"{', '.join(FIVE_VENUES)}")
            if window is None or not isinstance(x.get("id"), str):
                continue
            out.append(PlanRow(id=x["id"], theme=str(x.get("theme", "")), window=window,
                               sessions=sessions, responsible=str(resp),
                               category=x.get("category"), content=x.get("content"),
                               venue=x.get("venue"), audience=x.get("audience"),
                               five_venue=x.get("five_venue")))
        return out

    def rules(self, ind_ids: set[str], units: Sequence[Unit]) -> list[Rule]:
        out = []
        figures = self.figure_names(units)
        known = ind_ids | figures
        synthetic_figures = {name for u in units if u.synthetic_figures for name in u.figures}
        for path, x in self.items("validation"):
            message = x.get("message")
            skip = bool(x.get("skip_missing", True))
            if "rule" in x:
                f = self.formula_at(f"{path}.rule", x["rule"], known)
                if f is None:
                    continue
                if not f.is_comparison:
                    self.fail(f"{path}.rule", f"{x['rule']!r} is not 'left op right'")
                    continue
                text, (left, op, right) = str(x["rule"]), f.split_comparison()
            else:
                op = str(x.get("op", ""))
                lf = self.formula_at(f"{path}.left", x.get("left", ""), known)
                rf = self.formula_at(f"{path}.right", x.get("right", ""), known)
                if lf is None or rf is None:
                    continue
                text = f"{op}({lf.text}, {rf.text})" if "pair" in op else \
                    f"{lf.text} {op} {rf.text}"
                left, right = lf, rf
            synthetic = tuple(sorted((left.names | right.names) & synthetic_figures))
            severity = x.get("severity")
            if severity == "error" and synthetic:
                self.fail(f"{path}.severity", f"the rule uses {', '.join(synthetic)}, a "
                          "reference figure marked synthetic (synthetic_figures: true), so it "
                          "cannot reject a return: write severity: warning")
                continue
            out.append(Rule(text, op, left, right, message, skip,
                            severity="warning" if synthetic or severity == "warning"
                            else "error", synthetic=synthetic))
        return out

    def phases(self) -> list[Phase]:
        out = []
        for path, x in self.items("phases"):
            s = self.date_at(f"{path}.start", x.get("start"), first=True)
            e = self.date_at(f"{path}.end", x.get("end"))
            if s and e and isinstance(x.get("id"), str):
                if e.date < s.date:
                    self.fail(f"{path}.end", "phase ends before it starts")
                out.append(Phase(x["id"], str(x.get("name", "")), s, e, x.get("text")))
        return out


def parse_campaign(doc: Any, source: str = "<campaign>", path: Path | None = None) -> Campaign:
    """Validate a campaign document (parsed YAML) and build the frozen ``Campaign``.

    Raises ``SpecError`` listing every problem, each with its key path.
    """
    doc = _plain(doc)
    if not isinstance(doc, dict):
        raise SpecError(source, [SpecIssue("", "a campaign spec is a mapping of keys")])
    issues = _schema_issues(doc)
    builder = _Builder(doc)
    campaign = builder.build(path)
    # schema issues first, then the ones about meaning; a key reported by both is said once
    merged: list[SpecIssue] = list(issues)
    schema_paths = {i.path for i in issues}
    merged.extend(i for i in builder.issues if i.path not in schema_paths)
    if merged or campaign is None:
        raise SpecError(source, merged or [SpecIssue("", "invalid campaign spec")])
    return campaign


MAX_YAML_ALIASES = 100
"""A spec is untrusted input: more aliases (``*name``) than this is refused (alias bombs)."""
MAX_YAML_NODES = 200_000
"""Nor may its values, with every alias expanded, hold more nodes than this (Hubei: ~7,000)."""


class _SpecLoader(yaml.SafeLoader):
    """YAML's safe loader, with dates left as text and a bound on aliases.

    Dates stay text so that ``2021-12-32`` reaches the date reader and gets a located message
    instead of a traceback from YAML's timestamp constructor; every alias is counted so that a
    few hundred bytes cannot expand into gigabytes (nine levels of nine aliases).
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class attribute
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(
                    f"more than {MAX_YAML_ALIASES} aliases (*name): a campaign spec needs few "
                    "or none, so it is refused (an alias bomb expands a small file into "
                    "gigabytes)")
        return super().compose_node(parent, index)

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        sizes: dict[int, int] = {}

        def size(n: yaml.Node) -> int:
            known = sizes.get(id(n))
            if known is not None:
                return known
            sizes[id(n)] = 1  # a recursive alias counts once; the constructor refuses it
            total = 1
            if isinstance(n, yaml.SequenceNode):
                total += sum(size(c) for c in n.value)
            elif isinstance(n, yaml.MappingNode):
                total += sum(size(k) + size(v) for k, v in n.value)
            if total > MAX_YAML_NODES:
                raise yaml.YAMLError(
                    f"its aliases (*name) expand to more than {MAX_YAML_NODES:,} values, far "
                    "beyond any campaign spec, so it is refused (an alias bomb)")
            sizes[id(n)] = total
            return total

        size(node)
        return self.construct_document(node)


def load_campaign_text(text: str, source: str = "<campaign>") -> Campaign:
    """Parse campaign YAML text; see ``parse_campaign``."""
    try:
        doc = yaml.load(text, Loader=_SpecLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(source, [SpecIssue(where, f"not valid YAML: {problem}")]) from None
    except RecursionError:
        raise SpecError(source, [SpecIssue("", "nested too deeply to be a campaign spec")]) \
            from None
    return parse_campaign(doc, source)


def load_campaign(path: str | Path) -> Campaign:
    """Load and validate ``campaign.yaml``; raise ``SpecError`` listing every mistake.

    >>> load_campaign("data_samples/hubei_huimin_2024/campaign.yaml").top.name
    '湖北省'
    """
    p = Path(path)
    if p.is_dir():
        p = p / "campaign.yaml"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(str(p), [SpecIssue("", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise SpecError(str(p), [SpecIssue("", f"not UTF-8 text ({exc.reason})")]) from None
    campaign = load_campaign_text(text, str(p))
    return campaign.replace(path=p)
