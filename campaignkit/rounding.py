"""Round figures as officials round them: 四舍五入 (half up, in decimal), never half-even.

Python's :func:`round` rounds half to even and works on the binary value of a float, so
``round(6.25, 1)`` is ``6.2`` and ``round(2.675, 2)`` is ``2.67``. A figure printed for a
province's leadership is rounded the way a clerk does it by hand, on the decimal digits that
are shown: ``6.25`` → ``6.3``, ``2.675`` → ``2.68``, ``-6.25`` → ``-6.3`` (away from zero).
The float is read at 15 significant digits first, so the noise of the arithmetic that made
it goes: 41 of 80 is 51.25% to a clerk, though ``41 / 80 * 100`` is 51.24999999999999.

>>> round_half_up(6.25), round(6.25, 1)
(6.3, 6.2)
>>> round_half_up(2.675, 2), round_half_up(-6.25), round_half_up(None)
(2.68, -6.3, None)
>>> round_half_up(7, 0), round_half_up(0.05)
(7.0, 0.1)
>>> 41 / 80 * 100, round_half_up(41 / 80 * 100)
(51.24999999999999, 51.3)
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, overload

__all__ = ["RATE_DECIMALS", "round_half_up"]

RATE_DECIMALS: Final = 1
"""Every rate and percentage is shown and compared at one decimal."""


@overload
def round_half_up(value: float, digits: int = RATE_DECIMALS) -> float: ...
@overload
def round_half_up(value: None, digits: int = RATE_DECIMALS) -> None: ...


def round_half_up(value: float | None, digits: int = RATE_DECIMALS) -> float | None:
    """Round ``value`` to ``digits`` decimals, half away from zero, on its decimal form.

    ``None`` and NaN stay ``None`` (a missing figure is never 0); infinities are returned as is.
    The number rounded is the float to 15 significant digits — what a person sees, without
    the binary noise of the division that produced it (every float typed with up to 15
    digits reads back exactly).
    """
    if value is None:
        return None
    f = float(value)
    if math.isnan(f):
        return None
    if math.isinf(f):
        return f
    if abs(f) >= 1e15:  # no decimals left to round at this size
        return f
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(f"{f:.15g}").quantize(q, rounding=ROUND_HALF_UP))
