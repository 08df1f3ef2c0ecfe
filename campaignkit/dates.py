"""Read dates, windows and planned session counts the way the notices write them.

Pure functions. A date without a year (``3月25日前``) resolves inside the campaign period, so
Fujian's ``1月20日前`` in a campaign running 2021-11-01…2022-01-31 is 2022-01-20; a window
without a year (``9月4日—25日``, ``6月中旬—7月上旬``, ``3—12月``) must overlap it. 上旬 is the
1st–10th, 中旬 the 11th–20th, 下旬 the 21st to the last day: a deadline at a part of a month
is its last day, a window or a phase starting at one begins on its first. Words that name no
fixed day (``国庆节前``, ``春节前``, ``左右``; :data:`NO_FIXED_DAY`) are refused with a hint to
write the day.

>>> from datetime import date
>>> resolve_date("12月中旬前", date(2021, 11, 1), date(2022, 1, 31)).date
datetime.date(2021, 12, 20)
>>> resolve_window("3—12月", date(2024, 1, 1), date(2024, 12, 31)).end
datetime.date(2024, 12, 31)
>>> parse_sessions("1-2场")
SessionsPlan(text='1-2场', kind='range', min=1, max=2)
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal, cast

__all__ = [
    "DateSpec",
    "SessionsPlan",
    "Window",
    "parse_sessions",
    "resolve_date",
    "resolve_window",
]

_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "~": "-", "～": "-", "至": "-", "到": "-"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class DateSpec:
    """A resolved date with the text it was written as."""

    text: str
    date: date

    def __str__(self) -> str:
        return self.date.isoformat()


@dataclass(frozen=True)
class Window:
    """A span of days (``6月中旬—7月上旬``, ``9月4日—25日``, ``3—12月``, ``全年``), both ends
    included, with the text it was written as."""

    text: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        """Tell whether ``day`` falls inside the window, both ends included."""
        return self.start <= day <= self.end

    @property
    def months(self) -> int:
        """Number of calendar months the window covers."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


SessionsKind = Literal["exact", "range", "many", "ongoing"]


@dataclass(frozen=True)
class SessionsPlan:
    """Planned sessions of an activity-plan row.

    ``exact`` and ``range`` carry bounds; ``many`` (多场次) means at least two with no upper
    bound; ``ongoing`` (全年 written as a count) carries no count at all.
    """

    text: str
    kind: SessionsKind
    min: int | None
    max: int | None

    def judge(self, held: int) -> str:
        """Compare held sessions with the plan: ``met``, ``below``, ``above`` or ``no_count``."""
        if self.kind == "ongoing":
            return "met" if held > 0 else "below"
        assert self.min is not None
        if held < self.min:
            return "below"
        if self.max is not None and held > self.max:
            return "above"
        return "met"


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?(?:前|之前|止|以前)?$")
_PART = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(上旬|中旬|下旬|底|末|初)(?:前|之前|止|以前)?$")
_MONTH_END = re.compile(r"^(?:截至|截止)?(?:(\d{4})年)?(\d{1,2})月(?:底|末)?(?:前|之前|止)?$")
_YEAR_END = re.compile(r"^(?:截至|截止)?(?:(\d{4})年年?|今年年?|年)(?:底|末)(?:前|之前|止|以前)?$")

XUN_FIRST: Mapping[str, int] = MappingProxyType({"上旬": 1, "中旬": 11, "下旬": 21, "初": 1})
"""First day of a part of a month, when it starts a window or a phase (中旬 starts on the 11th)."""
XUN_LAST: Mapping[str, int] = MappingProxyType({"上旬": 10, "中旬": 20, "初": 10})
"""Last day of a part of a month, when it ends a window or is a deadline (下旬, 底, 末: the
last day of the month)."""

NO_FIXED_DAY: tuple[str, ...] = (
    "国庆", "春节", "元旦", "中秋", "端午", "清明", "五一", "劳动节", "节前", "节后", "节日",
    "假期", "年初", "年中", "前后", "左右", "期间", "尽快", "近期", "适时", "择机",
)
"""Words of a notice that name no fixed day in our reading: holidays (whether 国庆节前 means
9月30日 or the last working day before the holiday is the office's call; 春节 moves every
year) and approximate times. A spec must write the day the office means."""


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day_of(part: str, year: int, month: int, *, first: bool = False) -> int:
    if first and part in XUN_FIRST:
        return XUN_FIRST[part]
    return XUN_LAST.get(part) or _last_day(year, month)


def _pick_year(month: int, day_fn: object, start: date, end: date) -> date:
    """Choose the year that puts (month, day) inside [start, end].

    A date written without a year belongs to the campaign; one that falls inside it in no
    year is a mistake in the spec (``5月25日前`` in a June campaign), never moved to next year.
    """
    assert callable(day_fn)
    candidates: list[date] = []
    for year in range(start.year - 1, end.year + 2):
        candidates.append(date(year, month, day_fn(year)))
    inside = [c for c in candidates if start <= c <= end]
    if inside:
        return inside[0]
    raise OutsidePeriod(start, end)


class OutsidePeriod(ValueError):
    """A date written without a year falls on no day of the campaign period."""

    def __init__(self, start: date, end: date) -> None:
        super().__init__(f"{start.isoformat()}…{end.isoformat()}")
        self.start, self.end = start, end


def _no_fixed_day(raw: str, s: str, example: str) -> str | None:
    """Say why a text naming a holiday or an approximate time is not a date (None if not)."""
    word = next((w for w in NO_FIXED_DAY if w in s), None)
    if word is None:
        return None
    return (f"{raw!r} names no fixed day in our reading ({word}: a holiday or an approximate "
            f"time, not a date): write the day the office means, e.g. {example}, and keep "
            "the notice's words in the milestone's row or note")


def resolve_date(text: str | date, start: date, end: date, *, first: bool = False) -> DateSpec:
    """Resolve a date written as ISO or as a notice writes it, inside the period ``start..end``.

    ``3月25日前``, ``12月中旬前`` (上旬/中旬/下旬 end on the 10th/20th/last day), ``1月底``,
    ``年底`` (12-31), ``2022年1月20日前``. With ``first`` (the start of a phase) a part of a
    month gives its first day: ``6月中旬`` is the 11th. Raises ``ValueError`` with a message
    naming the text when it is not a date (``国庆节前``: no fixed day; write the day).

    >>> resolve_date("年底前", date(2025, 6, 1), date(2025, 12, 31)).date
    datetime.date(2025, 12, 31)
    >>> resolve_date("6月中旬", date(2025, 6, 1), date(2025, 7, 10), first=True).date
    datetime.date(2025, 6, 11)
    """
    if isinstance(text, date):
        return DateSpec(text.isoformat(), text)
    raw = str(text)
    s = _fold(raw)
    try:
        if m := _ISO.match(s):
            return DateSpec(raw, date(int(m[1]), int(m[2]), int(m[3])))
        if m := _DAY.match(s):
            month, day = int(m[2]), int(m[3])
            if m[1]:
                return DateSpec(raw, date(int(m[1]), month, day))
            date(2000, month, day)  # validates month/day (2000 is a leap year)
            return DateSpec(raw, _pick_year(month, lambda y: min(day, _last_day(y, month)),
                                            start, end))
        if m := _PART.match(s):
            month, part = int(m[2]), m[3]
            if m[1]:
                year = int(m[1])
                return DateSpec(raw, date(year, month, _day_of(part, year, month, first=first)))
            date(2000, month, 1)
            return DateSpec(raw, _pick_year(month, lambda y: _day_of(part, y, month,
                                                                     first=first), start, end))
        if (m := _MONTH_END.match(s)) and ("底" in s or "末" in s or "截" in s):
            month = int(m[2])
            if m[1]:
                year = int(m[1])
                return DateSpec(raw, date(year, month, _last_day(year, month)))
            date(2000, month, 1)
            return DateSpec(raw, _pick_year(month, lambda y: _last_day(y, month), start, end))
        if m := _YEAR_END.match(s):
            if m[1]:
                return DateSpec(raw, date(int(m[1]), 12, 31))
            return DateSpec(raw, _pick_year(12, lambda y: 31, start, end))
    except OutsidePeriod as exc:
        raise ValueError(_outside(raw, exc)) from None
    except ValueError:
        pass
    vague = _no_fixed_day(raw, s, "9月30日前 or 2025-09-30")
    if vague:
        raise ValueError(vague)
    raise ValueError(f"{raw!r} is not a date (expected 2024-03-25, 3月25日前, 12月中旬前 or 1月底)")


def _outside(raw: str, exc: OutsidePeriod) -> str:
    return (f"{raw!r} lies outside the campaign period ({exc.start.isoformat()} to "
            f"{exc.end.isoformat()}) in every year; correct it, or write the year in full "
            f"({exc.start.year}年…) if it really lies outside the period")


_WHOLE = {"全年", "全年度", "全过程", "贯穿活动全过程", "全程"}
_HALVES = {"上半年": (1, 6), "下半年": (7, 12)}
_ISO_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-(\d{4}-\d{1,2}-\d{1,2})$")
_SIDE = re.compile(r"^(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月份?)?"
                   r"(?:(?P<n>\d{1,2})(?P<u>[日号])?|(?P<p>上旬|中旬|下旬|初|底|末))?$")
_YEAR_END_SIDE = {"年底", "年末"}
WINDOW_EXAMPLES = "9月4日—25日, 6月1日—6月30日, 6月中旬—7月上旬, 3—12月, 5月 or 全年"


@dataclass(frozen=True)
class _Point:
    """One end of a window as written: year, month, and a day or a part of the month."""

    year: int | None
    month: int | None
    day: int | None = None
    part: str | None = None
    bare: int | None = None  # a number with neither 月 nor 日 (the 3 of 3—12月)
    year_end: bool = False  # 年底 / 年末


def _side(text: str) -> _Point | None:
    """Read one end of a window; None when it is not one."""
    if text in _YEAR_END_SIDE:
        return _Point(None, 12, year_end=True)
    if text.endswith(("年底", "年末")) and (m := re.match(r"^(\d{4})年(?:底|末|年底|年末)$", text)):
        return _Point(int(m[1]), 12, year_end=True)
    m = _SIDE.match(text)
    if m is None or not text:
        return None
    year = int(m["y"]) if m["y"] else None
    month = int(m["m"]) if m["m"] else None
    if m["n"] is not None:
        n = int(m["n"])
        if month is None and not m["u"]:
            return _Point(year, None, bare=n)
        return _Point(year, month, day=n)
    if m["p"] is not None and month is None:
        return _Point(year, None, part=m["p"]) if m["p"] in XUN_FIRST else None
    if year is None and month is None:
        return None
    return _Point(year, month, part=m["p"])


def _first_day(p: _Point, year: int) -> date:
    assert p.month is not None
    if p.day is not None:
        return date(year, p.month, p.day)
    if p.part is not None:
        return date(year, p.month, _day_of(p.part, year, p.month, first=True))
    return date(year, p.month, 1)


def _last_of(p: _Point, year: int) -> date:
    assert p.month is not None
    if p.year_end:
        return date(year, 12, 31)
    if p.day is not None:
        return date(year, p.month, p.day)
    if p.part is not None:
        return date(year, p.month, _day_of(p.part, year, p.month))
    return date(year, p.month, _last_day(year, p.month))


def _span(a: _Point, b: _Point, start: date, end: date) -> tuple[date, date]:
    """The days from the first day of ``a`` to the last day of ``b``, inside the period.

    Raises ``OutsidePeriod`` when, written without a year, the span overlaps the period in
    no year; ``ValueError`` when it is not a window.
    """
    if a.year_end or (b.bare is not None):
        raise ValueError("not a window")
    if a.bare is not None:  # 3—12月: the bare number is a month
        if b.month is None or b.day is not None or b.part is not None:
            raise ValueError("not a window")
        a = _Point(a.year, a.bare)
    if a.month is None and a.part is None and a.day is None and a.year is not None:
        a = _Point(a.year, 1)  # 2025年—…: from January
    if a.month is None:
        raise ValueError("not a window")
    if b.month is None:  # 9月4日—25日, 6月上旬—中旬: the end's month is the start's
        if b.day is None and b.part is None:
            if b.year is None:
                raise ValueError("not a window")
            b = _Point(b.year, 12)
        else:
            b = _Point(b.year, a.month, b.day, b.part)

    later = b.year_end or (b.month or 0) >= (a.month or 0)  # else it crosses the new year

    def years(y1: int) -> tuple[int, int]:
        if b.year is not None:
            return y1, b.year
        return y1, y1 if later else y1 + 1

    if a.year is not None:
        y1, y2 = years(a.year)
        return _first_day(a, y1), _last_of(b, y2)
    if b.year is not None:
        y2 = b.year
        return _first_day(a, y2 if later else y2 - 1), _last_of(b, y2)
    _first_day(a, 2000), _last_of(b, 2000)  # validates month and day (2000 is a leap year)
    for y1 in range(start.year - 1, end.year + 2):
        y1, y2 = years(y1)
        first, last = _first_day(a, y1), _last_of(b, y2)
        if first <= end and last >= start:
            return first, last
    raise OutsidePeriod(start, end)


def resolve_window(text: str, start: date, end: date) -> Window:
    """Resolve a window written as a notice writes it, inside the period ``start..end``.

    Months (``3—12月``, ``5-6月``, ``5月``), days (``9月4日—25日``, ``6月1日—6月30日``), parts
    of months (``6月中旬—7月上旬``: 上旬 is the 1st–10th, 中旬 the 11th–20th, 下旬 the 21st to
    the last day), ``全年``, ``上半年``/``下半年``, an end at ``年底``, or ISO days
    (``2025-06-04至2025-06-25``). A window runs from the first day of its start to the last
    day of its end; written without a year it must overlap the period.

    >>> w = resolve_window("6月中旬—7月上旬", date(2025, 6, 1), date(2025, 7, 10))
    >>> w.start, w.end
    (datetime.date(2025, 6, 11), datetime.date(2025, 7, 10))
    """
    raw = str(text)
    s = _fold(raw)
    if s in _WHOLE:
        return Window(raw, start, end)
    try:
        if s in _HALVES:
            m1, m2 = _HALVES[s]
            first, last = _span(_Point(None, m1), _Point(None, m2), start, end)
            return Window(raw, first, last)
        if m := _ISO_RANGE.match(s):
            first, last = date.fromisoformat(_iso(m[1])), date.fromisoformat(_iso(m[2]))
        else:
            sides = re.sub("-+", "-", s).split("-")
            points = [_side(x) for x in sides]
            if len(points) > 2 or None in points:
                raise ValueError("not a window")
            a, b = cast(_Point, points[0]), cast(_Point, points[-1])
            if len(points) == 1:
                if a.bare is not None or a.year_end:
                    raise ValueError("not a window")
                if a.month is None and a.day is None and a.part is None:  # 2025年: the year
                    a, b = _Point(a.year, 1), _Point(a.year, 12)
            first, last = _span(a, b, start, end)
    except OutsidePeriod as exc:
        raise ValueError(_outside(raw, exc)) from None
    except ValueError:
        vague = _no_fixed_day(raw, s, "9月25日—10月8日")
        if vague:
            raise ValueError(vague) from None
        raise ValueError(f"{raw!r} is not a window (expected {WINDOW_EXAMPLES})") from None
    if last < first:
        raise ValueError(f"{raw!r} ends before it starts ({first.isoformat()} to "
                         f"{last.isoformat()})")
    return Window(raw, first, last)


def _iso(text: str) -> str:
    y, m, d = text.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


_N_SESS = re.compile(r"^(\d+)(?:场|场次|次|期)?$")
_R_SESS = re.compile(r"^(\d+)-(\d+)(?:场|场次|次|期)?$")


def parse_sessions(text: str | int) -> SessionsPlan:
    """Parse planned sessions: ``3场``, ``1-2场``, ``多场次``, ``全年``."""
    raw = str(text)
    s = _fold(raw)
    if m := _N_SESS.match(s):
        n = int(m[1])
        return SessionsPlan(raw, "exact", n, n)
    if m := _R_SESS.match(s):
        lo, hi = int(m[1]), int(m[2])
        if lo <= hi:
            return SessionsPlan(raw, "range", lo, hi)
    if s in {"多场次", "多场", "若干场", "多次"}:
        return SessionsPlan(raw, "many", 2, None)
    if s in {"全年", "常态化", "持续开展"}:
        return SessionsPlan(raw, "ongoing", None, None)
    raise ValueError(
        f"{raw!r} is not a planned session count (expected 3场, 1-2场, 多场次 or 全年)"
    )
