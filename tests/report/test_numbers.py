"""Numbers as officials write them: counts, rates, 个百分点, ranks, dates, heading numbers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit.report.numbers import (
    MISSING,
    annex_label,
    cn_number,
    fmt_count,
    fmt_date,
    fmt_number,
    fmt_points,
    fmt_points_diff,
    fmt_rank,
    fmt_rate,
    heading_label,
    is_missing,
)


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (12345, "12,345"),
    (1234567, "1,234,567"), (-1234, "-1,234"), (12345.0, "12,345"), (2.5, "3"), (3.5, "4"),
    (-2.5, "-3"), (0.4999, "0"), (Decimal("1234.5"), "1,235"),
])
def test_counts_have_thousands_separators_and_round_half_up(value: float, shown: str) -> None:
    assert fmt_count(value) == shown


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf")])
def test_missing_values_are_a_dash_never_zero(missing: float | None) -> None:
    for text in (fmt_count(missing), fmt_rate(missing), fmt_number(missing),
                 fmt_points_diff(missing), fmt_points(missing, 50), fmt_points(50, missing)):
        assert text == MISSING == "—"


def test_is_missing_knows_pandas_na() -> None:
    import pandas as pd

    assert is_missing(pd.NA) and is_missing(float("nan")) and is_missing(None)
    assert not is_missing(0) and not is_missing("")


@pytest.mark.parametrize(("value", "sign", "shown"), [
    (85.25, True, "85.3%"), (85.25, False, "85.3"), (6.25, True, "6.3%"), (0.05, True, "0.1%"),
    (100, True, "100.0%"), (0, False, "0.0"), (-0.04, False, "0.0"), (-6.25, False, "-6.3"),
    (99.95, True, "100.0%"), (33.333333, False, "33.3"), (1234.56, False, "1234.6"),
])
def test_rates_show_one_decimal_half_up(value: float, sign: bool, shown: str) -> None:
    assert fmt_rate(value, sign=sign) == shown


def test_python_round_would_be_wrong_here() -> None:
    assert round(6.25, 1) == 6.2  # banker's rounding on the binary value
    assert fmt_rate(6.25) == "6.3%" and fmt_number(2.675, 2) == "2.68"


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False))
def test_rate_formatting_agrees_with_decimal_half_up(x: float) -> None:
    expected = Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    shown = fmt_rate(x, sign=False)
    assert re.fullmatch(r"-?\d+\.\d", shown)
    assert Decimal(shown) == expected
    assert fmt_rate(x) == shown + "%"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_count_formatting_round_trips(n: int) -> None:
    shown = fmt_count(n)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*", shown)
    assert int(shown.replace(",", "")) == n


@pytest.mark.parametrize(("diff", "shown"), [
    (2.5, "提高2.5个百分点"), (2.45, "提高2.5个百分点"), (-1, "下降1.0个百分点"),
    (-0.05, "下降0.1个百分点"), (0.04, "持平"), (-0.04, "持平"), (0, "持平"),
    (12.0, "提高12.0个百分点"),
])
def test_differences_of_rates_are_in_percentage_points(diff: float, shown: str) -> None:
    assert fmt_points_diff(diff) == shown


def test_compared_rates_use_the_shown_values() -> None:
    # 85.34 and 82.76 are shown as 85.3 and 82.8: the reader's 85.3 − 82.8 is 2.5, not 2.6
    assert fmt_points(85.34, 82.76) == "提高2.5个百分点"
    assert fmt_points(80.0, 80.04) == "持平"
    assert fmt_points(70.05, 80) == "下降9.9个百分点"


@given(st.floats(0, 100), st.floats(0, 100))
def test_compared_rates_agree_with_the_difference_of_the_shown_values(a: float, b: float) -> None:
    shown = Decimal(fmt_rate(a, sign=False)) - Decimal(fmt_rate(b, sign=False))
    text = fmt_points(a, b)
    if shown == 0:
        assert text == "持平"
    else:
        word = "提高" if shown > 0 else "下降"
        assert text == f"{word}{abs(shown)}个百分点"


def test_ranks() -> None:
    assert fmt_rank(1) == "第1"
    assert fmt_rank(2, tied=True) == "并列第2"
    assert fmt_rank(None) == "—"
    with pytest.raises(ValueError, match="starts at 1"):
        fmt_rank(0)


@pytest.mark.parametrize(("value", "shown"), [
    (date(2024, 12, 20), "2024年12月20日"), (date(2024, 1, 5), "2024年1月5日"),
    (datetime(2022, 1, 18, 23, 59), "2022年1月18日"), ("2024-06-30", "2024年6月30日"),
    ("2022-01-18T09:00:00", "2022年1月18日"), (None, "—"),
])
def test_dates_are_written_without_padding(value: date | str | None, shown: str) -> None:
    assert fmt_date(value) == shown


def test_chinese_numbers_one_to_ninety_nine() -> None:
    expected = {1: "一", 2: "二", 9: "九", 10: "十", 11: "十一", 12: "十二", 19: "十九",
                20: "二十", 21: "二十一", 30: "三十", 55: "五十五", 90: "九十", 99: "九十九"}
    for n, text in expected.items():
        assert cn_number(n) == text
    assert len({cn_number(n) for n in range(1, 100)}) == 99
    for bad in (0, 100, -1):
        with pytest.raises(ValueError):
            cn_number(bad)


def test_heading_labels_follow_gb_t_9704() -> None:
    assert [heading_label(1, n) for n in (1, 2, 10, 11)] == ["一、", "二、", "十、", "十一、"]
    assert [heading_label(2, n) for n in (1, 3, 11)] == ["（一）", "（三）", "（十一）"]
    assert heading_label(3, 4) == "4." and heading_label(4, 12) == "（12）"
    with pytest.raises(ValueError, match="levels 1 to 4"):
        heading_label(5, 1)
    with pytest.raises(ValueError):
        heading_label(1, 0)


def test_annex_labels() -> None:
    assert annex_label(1) == "附件1" and annex_label(3, of=3) == "附件3"
    assert annex_label(1, of=1) == "附件"
    with pytest.raises(ValueError):
        annex_label(0)
