"""Write numbers as officials write them: 12,345 场, 85.3%, 提高2.5个百分点, 并列第2, 一、（一）.

Every rounding is 四舍五入 on the digits shown (:func:`campaignkit.rounding.round_half_up`),
and a missing figure is written ``—``, never ``0``.

>>> fmt_count(12345), fmt_rate(85.25), fmt_points(85.3, 82.8), fmt_rank(2, tied=True)
('12,345', '85.3%', '提高2.5个百分点', '并列第2')
>>> fmt_date("2024-12-20"), heading_label(1, 11), heading_label(2, 3), fmt_count(None)
('2024年12月20日', '十一、', '（三）', '—')
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Final

from ..rounding import RATE_DECIMALS, round_half_up

__all__ = [
    "MISSING",
    "annex_label",
    "cn_number",
    "fmt_count",
    "fmt_date",
    "fmt_number",
    "fmt_points",
    "fmt_points_diff",
    "fmt_rank",
    "fmt_rate",
    "heading_label",
    "is_missing",
]

MISSING: Final = "—"
"""What a missing figure is written as (an em dash; never 0)."""

_DIGITS: Final = "零一二三四五六七八九"

Number = int | float | Decimal


def is_missing(value: object) -> bool:
    """Tell whether a value is a missing figure (None, NaN, pandas NA).

    >>> is_missing(None), is_missing(float("nan")), is_missing(0)
    (True, True, False)
    """
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA-like values are not equal to themselves
    except (TypeError, ValueError):  # pd.NA raises on bool()
        return True


def _finite(value: Number | None) -> float | None:
    if is_missing(value):
        return None
    f = float(value)  # type: ignore[arg-type]
    return f if math.isfinite(f) else None


def fmt_number(value: Number | None, digits: int = RATE_DECIMALS, *, grouping: bool = True) -> str:
    """Format a number half up to ``digits`` decimals, with thousands separators.

    >>> fmt_number(1234.25), fmt_number(-0.04), fmt_number(2.675, 2), fmt_number(None)
    ('1,234.3', '0.0', '2.68', '—')
    """
    f = _finite(value)
    if f is None:
        return MISSING
    r = round_half_up(f, digits)
    if r == 0:
        r = 0.0  # never print -0.0
    return f"{r:,.{digits}f}" if grouping else f"{r:.{digits}f}"


def fmt_count(value: Number | None) -> str:
    """Format a count with thousands separators; a fraction is rounded half up to a whole.

    >>> fmt_count(12345), fmt_count(7), fmt_count(2.5), fmt_count(-1234), fmt_count(float("nan"))
    ('12,345', '7', '3', '-1,234', '—')
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    f = _finite(value)
    if f is None:
        return MISSING
    return f"{int(round_half_up(f, 0)):,}"


def fmt_rate(value: Number | None, *, sign: bool = True, digits: int = RATE_DECIMALS) -> str:
    """Format a rate (0–100 scale) half up to one decimal: ``85.3%``, or ``85.3`` under （%）.

    >>> fmt_rate(85.25), fmt_rate(100), fmt_rate(6.25, sign=False), fmt_rate(None)
    ('85.3%', '100.0%', '6.3', '—')
    """
    text = fmt_number(value, digits, grouping=False)
    return text + "%" if sign and text != MISSING else text


def fmt_points_diff(diff: Number | None, digits: int = RATE_DECIMALS) -> str:
    """Write a difference of rates in 个百分点: 提高2.5个百分点, 下降1.0个百分点, or 持平.

    >>> fmt_points_diff(2.45), fmt_points_diff(-1), fmt_points_diff(0.04), fmt_points_diff(None)
    ('提高2.5个百分点', '下降1.0个百分点', '持平', '—')
    """
    f = _finite(diff)
    if f is None:
        return MISSING
    r = round_half_up(f, digits)
    if r == 0:
        return "持平"
    word = "提高" if r > 0 else "下降"
    return f"{word}{abs(r):.{digits}f}个百分点"


def fmt_points(current: Number | None, previous: Number | None,
               digits: int = RATE_DECIMALS) -> str:
    """Compare two rates as shown (each rounded first, so the reader's sum agrees).

    >>> fmt_points(85.34, 82.76), fmt_points(80, 80.04), fmt_points(None, 80)
    ('提高2.5个百分点', '持平', '—')
    """
    a, b = _finite(current), _finite(previous)
    if a is None or b is None:
        return MISSING
    shown = Decimal(repr(round_half_up(a, digits))) - Decimal(repr(round_half_up(b, digits)))
    return fmt_points_diff(float(shown), digits)


def fmt_rank(rank: int | None, *, tied: bool = False) -> str:
    """Write a rank as 第1, or 并列第2 when shared; no rank is ``—``.

    >>> fmt_rank(1), fmt_rank(2, tied=True), fmt_rank(None)
    ('第1', '并列第2', '—')
    """
    if rank is None:
        return MISSING
    if rank < 1:
        raise ValueError(f"a rank starts at 1, got {rank}")
    return f"并列第{rank}" if tied else f"第{rank}"


def fmt_date(value: date | str | None) -> str:
    """Write a date as 2024年12月20日 (no zero padding); accepts a date or an ISO string.

    >>> from datetime import datetime
    >>> fmt_date(date(2024, 1, 5)), fmt_date(datetime(2022, 1, 18, 9, 30)), fmt_date(None)
    ('2024年1月5日', '2022年1月18日', '—')
    """
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def cn_number(n: int) -> str:
    """Write 1–99 in Chinese numerals as in headings: 一, 十, 十一, 二十, 九十九.

    >>> [cn_number(i) for i in (1, 9, 10, 11, 20, 21, 99)]
    ['一', '九', '十', '十一', '二十', '二十一', '九十九']
    """
    if not 1 <= n <= 99:
        raise ValueError(f"heading numbers run from 1 to 99, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """Number a heading as GB/T 9704 does: 一、 (level 1), （一）, 1., （1）.

    >>> [heading_label(level, 2) for level in (1, 2, 3, 4)]
    ['二、', '（二）', '2.', '（2）']
    """
    if n < 1:
        raise ValueError(f"headings are numbered from 1, got {n}")
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"official documents have heading levels 1 to 4, got {level}")


def annex_label(n: int, of: int | None = None) -> str:
    """Name the n-th annex as on its first page: 附件1 (a lone annex, ``of=1``, is 附件).

    >>> annex_label(2), annex_label(1, of=1)
    ('附件2', '附件')
    """
    if n < 1:
        raise ValueError(f"annexes are numbered from 1, got {n}")
    return "附件" if of == 1 else f"附件{n}"
