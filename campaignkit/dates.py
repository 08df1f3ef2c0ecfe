"""Read dates, month windows and planned session counts the way the notices write them.

Pure functions. A date without a year (``3月25日前``) resolves inside the campaign period, so
Fujian's ``1月20日前`` in a campaign running 2021-11-01…2022-01-31 is 2022-01-20.

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
from dataclasses import dataclass
from datetime import date
from typing import Literal

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
    """A span of whole months (``3—12月``, ``全年``) with the text it was written as."""

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


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day_of(part: str, year: int, month: int) -> int:
    return {"上旬": 10, "中旬": 20, "初": 10}.get(part) or _last_day(year, month)


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


def resolve_date(text: str | date, start: date, end: date) -> DateSpec:
    """Resolve a date written as ISO or as a notice writes it, inside the period ``start..end``.

    Raises ``ValueError`` with a message naming the text when it is not a date.
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
                return DateSpec(raw, date(year, month, _day_of(part, year, month)))
            date(2000, month, 1)
            return DateSpec(raw, _pick_year(month, lambda y: _day_of(part, y, month), start, end))
        if (m := _MONTH_END.match(s)) and ("底" in s or "末" in s or "截" in s):
            month = int(m[2])
            if m[1]:
                year = int(m[1])
                return DateSpec(raw, date(year, month, _last_day(year, month)))
            date(2000, month, 1)
            return DateSpec(raw, _pick_year(month, lambda y: _last_day(y, month), start, end))
    except OutsidePeriod as exc:
        raise ValueError(_outside(raw, exc)) from None
    except ValueError:
        pass
    raise ValueError(f"{raw!r} is not a date (expected 2024-03-25, 3月25日前, 12月中旬前 or 1月底)")


def _outside(raw: str, exc: OutsidePeriod) -> str:
    return (f"{raw!r} lies outside the campaign period ({exc.start.isoformat()} to "
            f"{exc.end.isoformat()}) in every year; correct it, or write the year in full "
            f"({exc.start.year}年…) if it really lies outside the period")


_RANGE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月?-(?:(\d{4})年)?(\d{1,2})月(?:份)?$")
_ONE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:份)?$")
_WHOLE = {"全年", "全年度", "全过程", "贯穿活动全过程", "全程"}


def _window_year(m1: int, m2: int, start: date, end: date) -> int:
    """Year of the first month of a window ``m1—m2月`` written without a year.

    The window must overlap the campaign period in that year; otherwise it is a mistake.
    """
    for year in range(start.year - 1, end.year + 2):
        year2 = year if m2 >= m1 else year + 1
        first, last = date(year, m1, 1), date(year2, m2, _last_day(year2, m2))
        if first <= end and last >= start:
            return year
    raise OutsidePeriod(start, end)


def resolve_window(text: str, start: date, end: date) -> Window:
    """Resolve a month window (``3—12月``, ``5-6月``, ``5月``, ``全年``) inside the period."""
    raw = str(text)
    s = _fold(raw)
    if s in _WHOLE:
        return Window(raw, start, end)
    try:
        if m := _RANGE.match(s):
            m1, m2 = int(m[2]), int(m[4])
            first = date(int(m[1]) if m[1] else _window_year(m1, m2, start, end), m1, 1)
            year2 = int(m[3]) if m[3] else first.year if m2 >= m1 else first.year + 1
            return Window(raw, first, date(year2, m2, _last_day(year2, m2)))
        if m := _ONE.match(s):
            m1 = int(m[2])
            first = date(int(m[1]) if m[1] else _window_year(m1, m1, start, end), m1, 1)
            return Window(raw, first, date(first.year, m1, _last_day(first.year, m1)))
    except OutsidePeriod as exc:
        raise ValueError(_outside(raw, exc)) from None
    except ValueError:
        pass
    raise ValueError(f"{raw!r} is not a month window (expected 3—12月, 5-6月, 5月 or 全年)")


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
