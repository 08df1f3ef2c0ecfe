"""Parse the values clerks type into returns: counts, numbers, percentages, dates, text.

Pure functions, no I/O. Every parser takes a cell value as openpyxl gives it
(``None``, ``str``, ``int``, ``float``, ``bool``, ``datetime.date`` or ``datetime.datetime``)
and returns a :class:`Parsed` that keeps the raw text next to the value, or raises
:class:`ValueProblem` with a machine reason code and a message a clerk can act on.

>>> parse_count("约300份", unit="份")
Parsed(value=300, raw='约300份', flags=('approximate',))
>>> parse_percent(0.85, number_format="0%")
Parsed(value=85.0, raw='0.85', flags=('percent_from_format',))
>>> split_blanks("12场，覆盖乡镇30个，覆盖率85%", ["场", "覆盖乡镇 个", "覆盖率 %"])
['12', '30', '85%']
"""

from __future__ import annotations

import datetime
import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, cast
from urllib.parse import urlsplit

import cn2an

from .errors import CampaignkitError

__all__ = [
    "KINDS",
    "MAX_TEXT_LENGTH",
    "UNIT_WORDS",
    "Parsed",
    "Value",
    "ValueProblem",
    "fold",
    "parse_count",
    "parse_date",
    "parse_number",
    "parse_percent",
    "parse_text",
    "parse_url",
    "parse_value",
    "parse_yes_no",
    "split_blanks",
    "written_unit",
]

Value = float | int | bool | str | datetime.date | None

MAX_TEXT_LENGTH: Final = 2000
"""Longest text (after folding) that :func:`parse_text` and :func:`parse_url` accept."""

KINDS: Final = ("count", "number", "percent", "yes_no", "text", "url", "date")
"""Value kinds :func:`parse_value` dispatches on."""

UNIT_WORDS: Final = frozenset(
    {
        "场", "场次", "次", "人次", "万人次", "人", "万人", "名", "位", "个", "份", "册", "本",
        "张", "条", "篇", "期", "家", "户", "所", "天", "小时", "个月", "项", "件", "批", "处",
        "幅", "部", "台", "元", "万元", "%",
    }
)  # fmt: skip
"""Unit words recognised after a number; another unit than the field's is ``wrong_unit``."""

# Units a field accepts besides its own name, silently: the same count by another word.
_UNIT_ALIASES: Final[dict[str, frozenset[str]]] = {
    "人": frozenset({"名", "位"}),
}
# Near-synonyms: read, flagged ``unit_differs`` (1,200人 in a 人次 field, 12场次 in a 场 field);
# the caller warns, since 人 and 人次 (or 场 and 场次) are not always the same count.
_NEAR_UNITS: Final[dict[str, frozenset[str]]] = {
    "人次": frozenset({"人", "名", "位"}),
    "人": frozenset({"人次"}),
    "场": frozenset({"场次"}),
    "次": frozenset({"场次"}),
    "场次": frozenset({"场", "次"}),
}

_APPROXIMATE: Final = "approximate"
_UNIT_DIFFERS: Final = "unit_differs"
_PLACEHOLDER: Final = "placeholder"
_PERCENT_FROM_FORMAT: Final = "percent_from_format"


@dataclass(frozen=True, slots=True)
class Parsed:
    """Hold a parsed value with the raw text it came from.

    ``value`` is None for an empty cell or a placeholder (then ``flags`` holds
    ``"placeholder"``). ``flags`` may also hold ``"approximate"`` (约, 近, 余, 多, 左右),
    ``"percent_from_format"`` (a cell formatted as a percentage read as shown) and
    ``"unit_differs"`` (written with a near-synonym of the field's unit: 1,200人 in a 人次
    field; see :func:`written_unit`).
    """

    value: Value
    raw: str
    flags: tuple[str, ...] = ()


class ValueProblem(CampaignkitError, ValueError):
    """Report a value that cannot be parsed, with a reason code and a message.

    ``str()`` gives ``"<message> [<reason>]"``; callers add the place (file, sheet, cell).
    """

    reason: str
    message: str
    raw: str

    def __init__(self, reason: str, message: str, raw: str) -> None:
        """Store the reason code, the human message and the raw text."""
        super().__init__(reason, message, raw)
        self.reason = reason
        self.message = message
        self.raw = raw

    def __str__(self) -> str:
        """Return the message followed by the reason code."""
        return f"{self.message} [{self.reason}]"


# ---------------------------------------------------------------------------
# Folding and shared helpers

_ZERO_WIDTH: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_WHITESPACE: Final = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold text to one canonical form: NFKC, no zero-width marks, single spaces, stripped.

    >>> fold("１，２００\\u3000场\\n")
    '1,200 场'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return _WHITESPACE.sub(" ", folded).strip()


def _raw_text(raw: object) -> str:
    """Return the raw text as seen: '' for None, the string itself, else ``str(raw)``."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return str(raw)


def _shown(raw_text: str) -> str:
    """Return raw text fit for a one-line message."""
    shown = raw_text.replace("\r", "\\r").replace("\n", "\\n")
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _problem(reason: str, message: str, raw_text: str) -> ValueProblem:
    """Build a ValueProblem whose message quotes the raw text."""
    return ValueProblem(reason, message.replace("{raw}", f"'{_shown(raw_text)}'"), raw_text)


_PLACEHOLDER_RE: Final = re.compile(r"[-—–―─]+|[/\\]+|无|暂无|空|n/?a|不适用")


def _is_placeholder(folded: str) -> bool:
    """Tell whether folded text is a placeholder such as —, /, 无 or 暂无."""
    return _PLACEHOLDER_RE.fullmatch(folded.lower()) is not None


def _is_nan(raw: object) -> bool:
    """Tell whether raw is a float NaN (pandas' empty cell)."""
    return isinstance(raw, float) and math.isnan(raw)


def _is_number(raw: object) -> bool:
    """Tell whether raw is a numeric cell value (not a bool)."""
    return isinstance(raw, numbers.Real | Decimal) and not isinstance(raw, bool)


def _to_decimal(raw: numbers.Real | Decimal) -> Decimal:
    """Convert a finite numeric cell value to Decimal using its shortest repr."""
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, numbers.Integral):
        return Decimal(int(raw))
    return Decimal(repr(float(raw)))


def _strip_format(number_format: str) -> str:
    """Drop quoted literals, escaped characters and [..] sections from an Excel format."""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].', "", number_format)


def _format_is_percent(number_format: str | None) -> bool:
    """Tell whether an Excel number format shows the value as a percentage."""
    return number_format is not None and "%" in _strip_format(number_format)


def _format_is_date(number_format: str | None) -> bool:
    """Tell whether an Excel number format shows the value as a date."""
    if number_format is None:
        return False
    return re.search(r"[dDyY]", _strip_format(number_format)) is not None


# ---------------------------------------------------------------------------
# Numerals

_ARABIC: Final = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_MULTIPLIERS: Final = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ARABIC_PART: Final = re.compile(r"([0-9]+(?:\.[0-9]+)?)([百千万亿])")

_CN_VARIANTS: Final = str.maketrans(
    "壹贰叁肆伍陆柒捌玖拾佰仟〇○萬億兩", "一二三四五六七八九十百千零零万亿两"
)
_CN_DIGITS: Final = "零一二三四五六七八九"

# Grammar of a written Chinese integer; cn2an converts what it accepts. It refuses
# ranges such as 三四 (3 or 4) and 一两 (1 or 2), which cn2an would read as 34 and 12,
# and forms cn2an silently repairs (一百零, 两两).
_D: Final = "[一二三四五六七八九]"
_D2: Final = "[一二三四五六七八九两]"  # 两 only before 百 千 万 亿
_TENS: Final = f"{_D}?十{_D}?"
_HUNDREDS: Final = f"{_D2}百(?:{_D}?十{_D}?|零{_D}|{_D})?"
_THOUSANDS: Final = f"{_D2}千(?:{_HUNDREDS}|零{_TENS}|零{_D}|{_D})?"
_SECTION: Final = f"(?:{_THOUSANDS}|{_HUNDREDS}|{_TENS}|{_D})"
_SECTION_LOW: Final = f"(?:零?{_SECTION})"
_WAN: Final = f"(?:{_SECTION}|两)万{_SECTION_LOW}?"
_YI: Final = f"(?:{_SECTION}|两)亿(?:零?{_WAN}|{_SECTION_LOW})?"
_CN_INTEGER: Final = re.compile(f"零|两|{_YI}|{_WAN}|{_SECTION}")  # 两 alone: 两场 is 2
_CN_FRACTION: Final = re.compile(f"[{_CN_DIGITS}]+")


def _read_arabic_multiplied(text: str) -> Decimal | None:
    """Read Arabic digits with 百/千/万/亿 multipliers: 1.2万, 3万, 1万2千, 1亿2000万."""
    total = Decimal(0)
    previous: int | None = None
    pos = 0
    while (match := _ARABIC_PART.match(text, pos)) is not None:
        number = Decimal(match[1])
        multiplier = _MULTIPLIERS[match[2]]
        if previous is not None and (
            multiplier >= previous or "." in match[1] or number * multiplier >= previous
        ):
            return None
        total += number * multiplier
        previous = multiplier
        pos = match.end()
    if previous is None:
        return None
    rest = text[pos:]
    if rest:
        # 1万2000 is 12000; 1万2 (colloquial 12000, literally 10002) is refused.
        if not re.fullmatch(r"[0-9]+", rest) or len(rest) != len(str(previous)) - 1:
            return None
        total += int(rest)
    return total


def _read_chinese(text: str) -> Decimal | None:
    """Read a Chinese numeral (一百二十, 两千, 十万零一, 八十五点五) or return None."""
    text = text.translate(_CN_VARIANTS)
    integer, dot, fraction = text.partition("点")
    if _CN_INTEGER.fullmatch(integer) is None:
        return None
    if dot and _CN_FRACTION.fullmatch(fraction) is None:
        return None
    try:
        whole = 2 if integer == "两" else int(cn2an.cn2an(integer, "normal"))
    except ValueError:
        return None
    digits = "".join(str(_CN_DIGITS.index(c)) for c in fraction)
    return Decimal(f"{whole}.{digits}") if digits else Decimal(whole)


def _read_decimal(text: str) -> Decimal | None:
    """Read an unsigned number in Arabic digits, with multipliers, or in Chinese."""
    if not text:
        return None
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    if text[0] in "0123456789":
        return _read_arabic_multiplied(text)
    return _read_chinese(text)


def _read_year(text: str) -> int | None:
    """Read a four-digit year written digit by digit: 2024, 二〇二四, 二零二四."""
    if re.fullmatch(r"[0-9]{4}", text):
        return int(text)
    digits = text.translate(_CN_VARIANTS)
    if len(digits) == 4 and all(c in _CN_DIGITS for c in digits):
        return int("".join(str(_CN_DIGITS.index(c)) for c in digits))
    return None


# ---------------------------------------------------------------------------
# Numbers in text

_THOUSANDS_COMMA: Final = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9,])")
_THOUSANDS_SPACE: Final = re.compile(r"(?<![0-9. ])[0-9]{1,3}(?: [0-9]{3})+(?! ?[0-9])")
_APPROX_PREFIX: Final = re.compile(r"^(?:大约|约|将近|近)")
_APPROX_SUFFIX: Final = re.compile(r"(?:左右|上下)$")
_MORE_THAN: Final = re.compile(r"[余多]$")


def _compact_number_text(folded: str) -> str | None:
    """Drop thousands separators and spaces; None if spaces split digits (1 2)."""
    text = folded.replace("\u2212", "-")
    text = _THOUSANDS_COMMA.sub(lambda m: m[0].replace(",", ""), text)
    text = _THOUSANDS_SPACE.sub(lambda m: m[0].replace(" ", ""), text)
    if re.search(r"[0-9] +[0-9.]|[0-9.] +[0-9]", text):
        return None
    return text.replace(" ", "")


def _strip_approximation(text: str) -> tuple[str, bool]:
    """Strip 约/近 before and 左右/上下 after a number; tell whether any was there."""
    stripped = _APPROX_SUFFIX.sub("", _APPROX_PREFIX.sub("", text))
    return stripped, stripped != text


def _strip_sign(text: str) -> tuple[str, int]:
    """Strip a leading -, + or 负 and return the sign."""
    if text[:1] in ("-", "负"):
        return text[1:], -1
    if text[:1] == "+":
        return text[1:], 1
    return text, 1


def _accepted_units(unit: str) -> frozenset[str]:
    """Return the unit words a field with this unit accepts."""
    return frozenset({unit}) | _UNIT_ALIASES.get(unit, frozenset())


def _near_units(unit: str) -> frozenset[str]:
    """Return the near-synonyms a field with this unit reads with a warning."""
    return _NEAR_UNITS.get(unit, frozenset())


@functools.lru_cache(maxsize=64)
def _unit_suffix(unit: str | None) -> re.Pattern[str]:
    """Compile the pattern of a unit word (or a unit/unit pair) ending a text."""
    words = set(UNIT_WORDS) | (
        {unit} | _accepted_units(unit) | _near_units(unit) if unit else set())
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?:{alternatives})(?:/(?:{alternatives}))?$")


class _WrongUnit(Exception):
    """Signal a unit word that is not the field's."""

    def __init__(self, found: str) -> None:
        super().__init__(found)
        self.found = found


def _strip_unit(text: str, unit: str | None) -> tuple[str, bool]:
    """Strip the field's unit word from the end of text; raise _WrongUnit for another unit.

    Return the text and whether the word was a near-synonym of the field's unit (人 for
    人次). A 万-unit (万人次) keeps its 万 as a multiplier unless it is the field's own unit.
    """
    match = _unit_suffix(unit).search(text)
    if match is None:
        return text, False
    found = match[0]
    if unit is None:
        return text[: match.start() + (1 if found.startswith("万") else 0)], False
    if found in _accepted_units(unit) or found in _near_units(unit):
        return text[: match.start()], found not in _accepted_units(unit)
    bare = found[1:]
    if found.startswith("万") and (bare in _accepted_units(unit) or bare in _near_units(unit)):
        return text[: match.start() + 1], bare not in _accepted_units(unit)
    raise _WrongUnit(found)


def written_unit(text: str, unit: str | None = None) -> str | None:
    """Return the unit word a written value ends with, or None.

    >>> written_unit("约1,200人左右", "人次"), written_unit("12")
    ('人', None)
    """
    bare, _ = _strip_approximation(fold(text).replace(" ", ""))
    match = _unit_suffix(unit).search(_MORE_THAN.sub("", bare))
    return match[0] if match is not None else None


# ---------------------------------------------------------------------------
# Counts, numbers, percentages

_EXPECTED: Final = {
    "count": "expected a whole number",
    "number": "expected a number",
    "percent": "expected a percentage",
}


def _numeric_cell(
    raw: object, raw_text: str, kind: str, number_format: str | None
) -> tuple[Decimal, list[str]]:
    """Read a numeric cell, turning a percent-formatted cell into its shown percentage."""
    value = _to_decimal(cast("numbers.Real | Decimal", raw))
    if not value.is_finite():
        raise _problem("not_a_number", _EXPECTED[kind] + ", got {raw}", raw_text)
    if _format_is_date(number_format):
        raise _problem(
            "not_a_number",
            _EXPECTED[kind] + f", got {{raw}} (the cell is formatted as a date: {number_format})",
            raw_text,
        )
    if _format_is_percent(number_format):
        return value * 100, [_PERCENT_FROM_FORMAT]
    return value, []


def _numeric_text(
    folded: str, raw_text: str, kind: str, unit: str | None
) -> tuple[Decimal, list[str], bool]:
    """Read a number from folded text; return value, flags and whether it had a % sign."""
    not_a_number = _problem("not_a_number", _EXPECTED[kind] + ", got {raw}", raw_text)
    text = _compact_number_text(folded)
    if text is None:
        raise not_a_number
    text, approximate = _strip_approximation(text)
    percent_sign = near = False
    if kind == "percent":
        if text.startswith("百分之"):
            text, percent_sign = text[3:], True
        if text.endswith("%"):
            text, percent_sign = text[:-1], True
    else:
        try:
            text, near = _strip_unit(text, unit)
        except _WrongUnit as wrong:
            in_unit = f" in {unit}" if unit else ""
            raise _problem(
                "wrong_unit",
                f"{_EXPECTED[kind]}{in_unit}, got {{raw}} (unit {wrong.found})",
                raw_text,
            ) from None
    stripped = _MORE_THAN.sub("", text)
    approximate = approximate or stripped != text
    text, sign = _strip_sign(stripped)
    value = _read_decimal(text)
    if value is None:
        raise not_a_number
    flags = [_APPROXIMATE] if approximate else []
    if near:
        flags.append(_UNIT_DIFFERS)
    return sign * value, flags, percent_sign


def _parse_numeric(raw: object, kind: str, unit: str | None, number_format: str | None) -> Parsed:
    """Parse a count, number or percentage from any cell value."""
    raw_text = _raw_text(raw)
    if raw is None or _is_nan(raw):
        return Parsed(None, raw_text)
    ambiguous: bool
    if _is_number(raw):
        value, flags = _numeric_cell(raw, raw_text, kind, number_format)
        ambiguous = not flags and (0 < value < 1 or (value == 1 and isinstance(raw, float)))
    elif isinstance(raw, bool | datetime.date | datetime.time):
        raise _problem("not_a_number", _EXPECTED[kind] + ", got {raw}", raw_text)
    else:
        folded = fold(raw_text)
        if not folded:
            return Parsed(None, raw_text)
        if _is_placeholder(folded):
            return Parsed(None, raw_text, (_PLACEHOLDER,))
        value, flags, percent_sign = _numeric_text(folded, raw_text, kind, unit)
        ambiguous = not percent_sign and (0 < value < 1 or (value == 1 and "." in folded))
    if kind == "count":
        return Parsed(_whole(value, raw, raw_text), raw_text, tuple(flags))
    if kind == "percent":
        if ambiguous:
            raise _problem(
                "ambiguous_percent",
                "ambiguous percentage {raw}: write 85% (or 85) for eighty-five per cent,"
                " or format the cell as a percentage",
                raw_text,
            )
        if not 0 <= value <= 100:
            raise _problem(
                "out_of_range", "expected a percentage between 0 and 100, got {raw}", raw_text
            )
    return Parsed(float(value), raw_text, tuple(flags))


def _whole(value: Decimal, raw: object, raw_text: str) -> int:
    """Check that a count is whole and not negative; return it as int."""
    if value < 0:
        raise _problem("negative", "expected a whole number ≥ 0, got {raw}", raw_text)
    nearest = value.to_integral_value()
    # A float cell may carry binary noise from a formula (3.0000000000000004).
    tolerance = Decimal("1e-9") * max(Decimal(1), abs(value)) if isinstance(raw, float) else 0
    if abs(value - nearest) > tolerance:
        raise _problem(
            "not_whole", "expected a whole number, got {raw} (it has a fraction)", raw_text
        )
    return int(nearest)


def parse_count(
    raw: object, *, unit: str | None = None, number_format: str | None = None
) -> Parsed:
    """Parse a whole number ≥ 0: 12, 12场, 约300份, 1.2万, １，２００, 一百二十.

    ``unit`` is the field's unit word; another known unit in the cell raises
    ``wrong_unit``. With ``unit=None`` any known unit word is accepted.

    >>> parse_count("300余份", unit="份")
    Parsed(value=300, raw='300余份', flags=('approximate',))
    >>> parse_count("3万人次", unit="人次").value
    30000
    """
    return _parse_numeric(raw, "count", unit, number_format)


def parse_number(
    raw: object, *, unit: str | None = None, number_format: str | None = None
) -> Parsed:
    """Parse a real number (a float): 2.5, 2.5场/人, -3, 1.2万, 八十五点五.

    >>> parse_number("2.5场/人", unit="场/人").value
    2.5
    """
    return _parse_numeric(raw, "number", unit, number_format)


def parse_percent(raw: object, *, number_format: str | None = None) -> Parsed:
    """Parse a percentage on the 0–100 scale (a float): 85%, 85％, 百分之八十五, 85.

    A number cell formatted as a percentage is read as shown (0.85 → 85). A bare
    value strictly between 0 and 1, or 1.0 written as a decimal, is ambiguous and raises
    ``ambiguous_percent``: it is never multiplied silently.

    >>> parse_percent("百分之八十五").value
    85.0
    """
    return _parse_numeric(raw, "percent", None, number_format)


# ---------------------------------------------------------------------------
# Yes / no

_YES: Final = frozenset({"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "已"})
_NO: Final = frozenset(
    {"否", "无", "没有", "暂无", "×", "✗", "✘", "✕", "n", "no", "false", "0", "未"}
)


def parse_yes_no(raw: object) -> Parsed:
    """Parse yes or no: 是 有 √ Y yes true 1 已 → True; 否 无 × N no false 0 未 → False.

    Here 无 and 暂无 mean False; other placeholders (—, /, 空) give None.

    >>> parse_yes_no("√").value
    True
    """
    raw_text = _raw_text(raw)
    if raw is None or _is_nan(raw):
        return Parsed(None, raw_text)
    if isinstance(raw, bool):
        return Parsed(raw, raw_text)
    if _is_number(raw):
        if raw == 1 or raw == 0:
            return Parsed(raw == 1, raw_text)
    elif isinstance(raw, str):
        folded = fold(raw).lower()
        if not folded:
            return Parsed(None, raw_text)
        if folded in _YES or folded in _NO:
            return Parsed(folded in _YES, raw_text)
        if _is_placeholder(folded):
            return Parsed(None, raw_text, (_PLACEHOLDER,))
    raise _problem("not_yes_no", "expected yes or no (是/否), got {raw}", raw_text)


# ---------------------------------------------------------------------------
# Dates

_EXCEL_EPOCH: Final = datetime.date(1899, 12, 30)
_SERIAL_RANGE: Final = (30000, 60000)  # 1982-02-18 … 2064-04-08
_DATE_DASHED: Final = re.compile(
    r"([0-9]{4})([-./])([0-9]{1,2})\2([0-9]{1,2})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?)?"  # a time part is ignored
)
_DATE_COMPACT: Final = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DATE_CHINESE: Final = re.compile(r"(.{4})年(.{1,3})月(.{1,4}?)[日号]?")


def _from_serial(serial: float) -> datetime.date | None:
    """Convert an Excel (1900 system) serial day number to a date, or None."""
    day = math.floor(serial)
    if day < 1 or day > 2_958_465 or day == 60:  # 60 is Excel's phantom 1900-02-29
        return None
    if day < 60:
        return datetime.date(1899, 12, 31) + datetime.timedelta(days=day)
    return _EXCEL_EPOCH + datetime.timedelta(days=day)


def _make_date(year: int | None, month: int | None, day: int | None) -> datetime.date | None:
    """Build a date from parts, or None when a part is missing or the date does not exist."""
    if year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _small_int(text: str) -> int | None:
    """Read a month or day in Arabic digits or Chinese numerals."""
    if re.fullmatch(r"[0-9]{1,2}", text):
        return int(text)
    value = _read_chinese(text)
    return int(value) if value is not None and value == value.to_integral_value() else None


def _date_from_text(folded: str) -> datetime.date | None:
    """Read 2024-12-20, 2024.12.20, 2024/12/20, 20241220, 2024年12月20日, 二〇二四年十二月二十日."""
    if match := _DATE_DASHED.fullmatch(folded):
        return _make_date(int(match[1]), int(match[3]), int(match[4]))
    compact = folded.replace(" ", "")
    if match := _DATE_COMPACT.fullmatch(compact):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DATE_CHINESE.fullmatch(compact):
        return _make_date(_read_year(match[1]), _small_int(match[2]), _small_int(match[3]))
    return None


def parse_date(raw: object, *, number_format: str | None = None) -> Parsed:
    """Parse a date: a date cell, an Excel serial number, or text such as 2024年12月20日.

    A number is read as an Excel serial day (1900 system) when ``number_format`` is a
    date format or when it lies in 30000–60000; an 8-digit number is read as YYYYMMDD.
    A datetime gives its date. A date without a day (2024.12) is ``not_a_date``.

    >>> parse_date(45646).value
    datetime.date(2024, 12, 20)
    >>> parse_date("二〇二四年十二月二十日").value
    datetime.date(2024, 12, 20)
    """
    raw_text = _raw_text(raw)
    if raw is None or _is_nan(raw):
        return Parsed(None, raw_text)
    if isinstance(raw, datetime.datetime):
        return Parsed(raw.date(), raw_text)
    if isinstance(raw, datetime.date):
        return Parsed(raw, raw_text)
    found: datetime.date | None = None
    if _is_number(raw):
        number = float(cast("numbers.Real | Decimal", raw))
        low, high = _SERIAL_RANGE
        if math.isfinite(number):
            if _format_is_date(number_format) or low <= number <= high:
                found = _from_serial(number)
            elif number.is_integer():
                found = _date_from_text(str(int(number)))
    elif isinstance(raw, str):
        folded = fold(raw)
        if not folded:
            return Parsed(None, raw_text)
        if _is_placeholder(folded):
            return Parsed(None, raw_text, (_PLACEHOLDER,))
        found = _date_from_text(folded)
    if found is None:
        raise _problem(
            "not_a_date",
            "expected a date such as 2024-12-20 or 2024年12月20日, got {raw}",
            raw_text,
        )
    return Parsed(found, raw_text)


# ---------------------------------------------------------------------------
# Text and URLs


def _cell_text(raw: object) -> str:
    """Return a non-empty cell as text: whole floats without '.0', dates in ISO form."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return _raw_text(raw)


def _folded_or_empty(raw: object, raw_text: str) -> Parsed | str:
    """Return the folded text of a cell, or the Parsed for an empty cell or placeholder."""
    if raw is None or _is_nan(raw):
        return Parsed(None, raw_text)
    folded = fold(_cell_text(raw))
    if not folded:
        return Parsed(None, raw_text)
    if _is_placeholder(folded):
        return Parsed(None, raw_text, (_PLACEHOLDER,))
    if len(folded) > MAX_TEXT_LENGTH:
        raise _problem(
            "too_long",
            f"text is {len(folded)} characters long, at most {MAX_TEXT_LENGTH} allowed: {{raw}}",
            raw_text,
        )
    return folded


def parse_text(raw: object) -> Parsed:
    """Parse free text: folded (NFKC, single spaces), at most 2000 characters.

    >>> parse_text(" 已完成\\u3000宣讲 ").value
    '已完成 宣讲'
    """
    raw_text = _raw_text(raw)
    folded = _folded_or_empty(raw, raw_text)
    if isinstance(folded, Parsed):
        return folded
    return Parsed(folded, raw_text)


def parse_url(raw: object) -> Parsed:
    """Parse a web address: http://…, https://… or www.… (kept as written, folded).

    >>> parse_url("www.hubei.gov.cn").value
    'www.hubei.gov.cn'
    """
    raw_text = _raw_text(raw)
    folded = _folded_or_empty(raw, raw_text)
    if isinstance(folded, Parsed):
        return folded
    url = folded.rstrip("。,;、")
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")):
        candidate = url
    elif lowered.startswith("www."):
        candidate = "http://" + url
    else:
        candidate = ""
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        host = ""
    if " " in url or "." not in host.strip(".") or host.startswith("."):
        raise _problem(
            "not_a_url",
            "expected a web address (http://…, https://… or www.…), got {raw}",
            raw_text,
        )
    return Parsed(url, raw_text)


# ---------------------------------------------------------------------------
# Dispatch


_PARSERS: Final[dict[str, Callable[[object, str | None, str | None], Parsed]]] = {
    "count": lambda raw, unit, fmt: parse_count(raw, unit=unit, number_format=fmt),
    "number": lambda raw, unit, fmt: parse_number(raw, unit=unit, number_format=fmt),
    "percent": lambda raw, unit, fmt: parse_percent(raw, number_format=fmt),
    "yes_no": lambda raw, unit, fmt: parse_yes_no(raw),
    "text": lambda raw, unit, fmt: parse_text(raw),
    "url": lambda raw, unit, fmt: parse_url(raw),
    "date": lambda raw, unit, fmt: parse_date(raw, number_format=fmt),
}


def parse_value(
    kind: str, raw: object, *, unit: str | None = None, number_format: str | None = None
) -> Parsed:
    """Parse a cell value as the given kind: count, number, percent, yes_no, text, url, date.

    ``unit`` matters for count and number, ``number_format`` for count, number, percent
    and date; both are ignored elsewhere. An unknown kind raises ValueError listing KINDS.

    >>> parse_value("count", "12场", unit="场").value
    12
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown value kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return parser(raw, unit, number_format)


# ---------------------------------------------------------------------------
# Cells with several blanks

_SEPARATORS: Final = ",;:、。!?"
_BLANK_MARK: Final = re.compile(r" +|_+|\( *\)")
_NUMERAL_CHARS: Final = "0-9零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_VALUE_CHARS: Final = _NUMERAL_CHARS + r".%+\-点约近余多左右上下大将分之—–―/\\无暂空"
_VALUE: Final = rf"(?:[{_VALUE_CHARS}]|(?<=[0-9]),(?=[0-9]{{3}}))"
_HAS_NUMERAL: Final = re.compile(f"[{_NUMERAL_CHARS}]")
_LEADING: Final = rf"[\s{re.escape(_SEPARATORS)}]*"
_TRAILING_APPROX: Final = r"(?P<tail> ?(?:左右|上下))?"


def _is_piece(value: str, *, placeholder: bool) -> bool:
    """Tell whether matched text can be a blank's value: a numeral, or a placeholder."""
    if _HAS_NUMERAL.search(value):
        return True
    return placeholder and _is_placeholder(value.strip(_SEPARATORS + " "))


@functools.lru_cache(maxsize=256)
def _blank_pattern(prefix: str, suffix: str, anchored: bool) -> re.Pattern[str]:
    """Compile the pattern of a blank's value between its prefix and its suffix."""

    def flexible(part: str) -> str:
        return r"\s*".join(re.escape(c) for c in part if not c.isspace())

    value = rf"(?P<v>{_VALUE}+?)" if suffix else rf"(?P<v>{_VALUE}+)"
    body = rf"{flexible(prefix)}\s*{value}\s*{flexible(suffix)}{_TRAILING_APPROX}"
    return re.compile(_LEADING + body if anchored else body)


@dataclass(frozen=True, slots=True)
class _Blank:
    """A blank template split around its gap: 覆盖乡镇 个 → prefix 覆盖乡镇, suffix 个."""

    prefix: str
    suffix: str

    @classmethod
    def read(cls, template: str) -> _Blank:
        """Split a template at its gap (spaces, underscores or empty brackets)."""
        folded = fold(template).strip(_SEPARATORS + " ")
        if gap := _BLANK_MARK.search(folded):
            return cls(folded[: gap.start()].strip(), folded[gap.end() :].strip())
        return cls("", folded)

    def find(
        self, text: str, pos: int, taken: Sequence[tuple[int, int]]
    ) -> tuple[str, tuple[int, int]] | None:
        """Find this blank's piece and its span at pos, after pos, or anywhere not yet taken."""
        suffixes = [self.suffix]
        if self.suffix.startswith("%"):  # 覆盖率百分之八十五, 覆盖率85 (the % left out)
            suffixes.append("")
        for suffix in suffixes:
            match = self._match(text, pos, taken, suffix)
            if match is not None:
                piece = match["v"].strip(_SEPARATORS + " ")
                if suffix.startswith("%") and not _is_placeholder(piece):
                    piece += "%"
                return piece + (match["tail"] or "").strip(), match.span()
        return None

    def _match(
        self, text: str, pos: int, taken: Sequence[tuple[int, int]], suffix: str
    ) -> re.Match[str] | None:
        """Return the first acceptable match of this blank with the given suffix."""
        if not self.prefix:
            anchored = _blank_pattern(self.prefix, suffix, True).match(text, pos)
            if anchored is not None and _is_piece(anchored["v"], placeholder=True):
                return anchored
        pattern = _blank_pattern(self.prefix, suffix, False)
        # Without a prefix to place it, a placeholder is not taken: in 2.5场/人 the '/'
        # before 人 is no value of a blank "人".
        placeholder = bool(self.prefix)
        for match in pattern.finditer(text, pos):
            if _is_piece(match["v"], placeholder=placeholder):
                return match
        for match in pattern.finditer(text):
            if _is_piece(match["v"], placeholder=placeholder) and all(
                match.end() <= start or match.start() >= end for start, end in taken
            ):
                return match
        return None


def split_blanks(text: str, blanks: Sequence[str]) -> list[str | None]:
    """Split a cell that fills several blanks into one raw piece per blank (None if missing).

    Each blank is the template text around its gap, e.g. ``"场"`` (number then 场),
    ``"覆盖乡镇 个"`` (prefix 覆盖乡镇, suffix 个). Blanks are matched in order, then
    anywhere not yet used. Pieces are folded and lose their suffix, except that a ``%``
    suffix the cell wrote is kept (``"85%"``) so the percentage stays unambiguous. A cell of
    bare values (``"12，30，85%"``) with as many values as blanks is split by position.

    >>> split_blanks("30人；2.5场/人", ["人", "场/人"])
    ['30', '2.5']
    """
    folded = fold(text)
    pieces: list[str | None] = []
    taken: list[tuple[int, int]] = []
    pos = 0
    for blank in map(_Blank.read, blanks):
        found = blank.find(folded, pos, taken)
        if found is None or not found[0]:
            pieces.append(None)
            continue
        piece, span = found
        pieces.append(piece)
        taken.append(span)
        pos = max(pos, span[1])
    if folded and not taken:
        bare = [p for p in re.split(rf"[\s{re.escape(_SEPARATORS)}]+", folded) if p]
        if len(bare) == len(pieces) and all(re.fullmatch(f"{_VALUE}+", p) for p in bare):
            return list(bare)
    return pieces
