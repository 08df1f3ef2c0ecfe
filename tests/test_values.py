"""Tests of campaignkit.values: every reading rule, table-driven, plus a numeral property."""

from __future__ import annotations

import datetime as dt
import doctest
import math
import pickle
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import values
from campaignkit.errors import CampaignkitError
from campaignkit.values import (
    KINDS,
    MAX_TEXT_LENGTH,
    Parsed,
    ValueProblem,
    fold,
    parse_count,
    parse_date,
    parse_number,
    parse_percent,
    parse_text,
    parse_url,
    parse_value,
    parse_yes_no,
    split_blanks,
    written_unit,
)

APPROX = ("approximate",)
PLACEHOLDER = ("placeholder",)
FROM_FORMAT = ("percent_from_format",)
DIFFERS = ("unit_differs",)


def _reason(call: Callable[[], Parsed]) -> str:
    """Run a parser expected to fail and return its reason code."""
    with pytest.raises(ValueProblem) as info:
        call()
    return info.value.reason


# --------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("１，２００", "1,200"),
        ("８５％", "85%"),
        ("  12\u3000场 ", "12 场"),
        ("第一行\r\n第二行\n\n第三行", "第一行 第二行 第三行"),
        ("ＡＢＣ\u200babc", "ABCabc"),
        ("\t\u00a0", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


# --------------------------------------------------------------------------- counts

COUNTS_OK: list[tuple[object, str | None, str | None, int, tuple[str, ...]]] = [
    # raw, field unit, number_format, value, flags
    ("12", None, None, 12, ()),
    (12, None, None, 12, ()),
    (12.0, None, None, 12, ()),
    (0, None, None, 0, ()),
    ("0", "场", None, 0, ()),
    ("12场", "场", None, 12, ()),
    ("12 场", "场", None, 12, ()),
    ("12场次", "场", None, 12, DIFFERS),  # a near-synonym: read, flagged (issue 8)
    ("12次", "场次", None, 12, DIFFERS),
    ("12场", "场次", None, 12, DIFFERS),
    ("12场次", "次", None, 12, DIFFERS),
    ("1,200人", "人次", None, 1200, DIFFERS),
    ("1200人次", "人", None, 1200, DIFFERS),
    ("30名", "人次", None, 30, DIFFERS),
    ("3万人次", "人", None, 30000, DIFFERS),
    ("约1,200人", "人次", None, 1200, (*APPROX, *DIFFERS)),
    ("12场", None, None, 12, ()),
    ("30人", "人", None, 30, ()),
    ("30名", "人", None, 30, ()),
    ("30人次", "人次", None, 30, ()),
    ("3万人次", "人次", None, 30000, ()),
    ("3万人次", "万人次", None, 3, ()),
    ("3万人次", None, None, 30000, ()),
    ("1.2万人次", "人次", None, 12000, ()),
    ("１２", None, None, 12, ()),
    ("１２场", "场", None, 12, ()),
    ("1,200", None, None, 1200, ()),
    ("1,200,000", None, None, 1200000, ()),
    ("１，２００", None, None, 1200, ()),
    ("1 200", None, None, 1200, ()),
    ("1,200份", "份", None, 1200, ()),
    ("约300份", "份", None, 300, APPROX),
    ("大约300份", "份", None, 300, APPROX),
    ("300余份", "份", None, 300, APPROX),
    ("300多", None, None, 300, APPROX),
    ("300多人", "人", None, 300, APPROX),
    ("近300", None, None, 300, APPROX),
    ("300左右", None, None, 300, APPROX),
    ("300份左右", "份", None, 300, APPROX),
    ("约三百份", "份", None, 300, APPROX),
    ("三百余份", "份", None, 300, APPROX),
    ("3万余人次", "人次", None, 30000, APPROX),
    ("一百二十", None, None, 120, ()),
    ("三百", None, None, 300, ()),
    ("两千", None, None, 2000, ()),
    ("两百", None, None, 200, ()),
    ("两场", "场", None, 2, ()),
    ("两", None, None, 2, ()),
    ("十", None, None, 10, ()),
    ("一十", None, None, 10, ()),
    ("十五", None, None, 15, ()),
    ("零", None, None, 0, ()),
    ("一千零五", None, None, 1005, ()),
    ("十万零一", None, None, 100001, ()),
    ("一亿零五百万", None, None, 105000000, ()),
    ("三百五", None, None, 350, ()),
    ("壹佰贰拾", None, None, 120, ()),
    ("一百二十场", "场", None, 120, ()),
    ("1.2万", None, None, 12000, ()),
    ("3万", None, None, 30000, ()),
    ("3千", None, None, 3000, ()),
    ("1万2千", None, None, 12000, ()),
    ("1万2000", None, None, 12000, ()),
    ("1亿2000万", None, None, 120000000, ()),
    ("12.0", None, None, 12, ()),
    (3.0000000000000004, None, None, 3, ()),  # formula noise in a float cell
    (Decimal("7"), None, None, 7, ()),
    (0.3, None, "0%", 30, FROM_FORMAT),
]


@pytest.mark.parametrize(("raw", "unit", "fmt", "value", "flags"), COUNTS_OK)
def test_count_ok(
    raw: object, unit: str | None, fmt: str | None, value: int, flags: tuple[str, ...]
) -> None:
    parsed = parse_count(raw, unit=unit, number_format=fmt)
    assert parsed.value == value
    assert type(parsed.value) is int
    assert parsed.flags == flags
    assert parsed.raw == (raw if isinstance(raw, str) else str(raw))


COUNTS_BAD: list[tuple[object, str | None, str | None, str]] = [
    ("12份", "场", None, "wrong_unit"),
    ("3个", "人次", None, "wrong_unit"),  # another quantity stays an error (issue 8)
    ("12份", "场次", None, "wrong_unit"),
    ("30人次", "次", None, "wrong_unit"),
    ("12次", "场", None, "wrong_unit"),
    ("30000人次", "万人次", None, "wrong_unit"),
    ("约300份", "场", None, "wrong_unit"),
    ("2.5场/人", "场", None, "wrong_unit"),
    ("12.5", None, None, "not_whole"),
    (12.5, None, None, "not_whole"),
    ("1.23456万", None, None, "not_whole"),
    ("-3", None, None, "negative"),
    (-3, None, None, "negative"),
    ("负五", None, None, "negative"),
    ("约三百x", None, None, "not_a_number"),
    ("abc", None, None, "not_a_number"),
    ("三四场", "场", None, "not_a_number"),  # 3 or 4, not 34 (cn2an.transform gives 34)
    ("一两场", "场", None, "not_a_number"),  # 1 or 2, not 12
    ("十几场", "场", None, "not_a_number"),
    ("多场次", "场", None, "not_a_number"),
    ("二〇二四", None, None, "not_a_number"),  # digit-by-digit only for years
    ("一百零", None, None, "not_a_number"),
    ("两两", None, None, "not_a_number"),
    ("万", None, None, "not_a_number"),
    ("场", "场", None, "not_a_number"),
    ("1万2", None, None, "not_a_number"),  # 12000 or 10002: refused
    ("1 2", None, None, "not_a_number"),
    ("1,2", None, None, "not_a_number"),
    ("300人以上", "人", None, "not_a_number"),
    (True, None, None, "not_a_number"),
    (dt.date(2024, 1, 1), None, None, "not_a_number"),
    (math.inf, None, None, "not_a_number"),
    (Decimal("NaN"), None, None, "not_a_number"),
    (45646, None, "yyyy-mm-dd", "not_a_number"),  # the cell shows a date
]


@pytest.mark.parametrize(("raw", "unit", "fmt", "reason"), COUNTS_BAD)
def test_count_bad(raw: object, unit: str | None, fmt: str | None, reason: str) -> None:
    assert _reason(lambda: parse_count(raw, unit=unit, number_format=fmt)) == reason


def test_problem_carries_reason_message_and_raw() -> None:
    with pytest.raises(ValueProblem) as info:
        parse_count("约三百x")
    problem = info.value
    assert problem.reason == "not_a_number"
    assert problem.raw == "约三百x"
    assert problem.message == "expected a whole number, got '约三百x'"
    assert str(problem) == "expected a whole number, got '约三百x' [not_a_number]"
    assert isinstance(problem, ValueError)
    assert isinstance(problem, CampaignkitError)
    again = pickle.loads(pickle.dumps(problem))
    assert (again.reason, again.message, again.raw) == (problem.reason, problem.message, "约三百x")


def test_date_formatted_number_message_keeps_braces() -> None:
    with pytest.raises(ValueProblem) as info:
        parse_count(45646, number_format='yyyy"{x}"-mm-dd')
    assert info.value.message == (
        "expected a whole number, got '45646' (the cell is formatted as a date: yyyy\"{x}\"-mm-dd)"
    )


def test_parsed_is_frozen_and_picklable() -> None:
    parsed = parse_count("约300份", unit="份")
    with pytest.raises(AttributeError):
        parsed.value = 1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(parsed)) == parsed


def test_written_unit_names_the_word_the_clerk_wrote() -> None:
    assert written_unit("约1,200人左右", "人次") == "人"
    assert written_unit("300余份", "份") == "份"
    assert written_unit("3万人次") == "万人次"
    assert written_unit("12") is None


def test_wrong_unit_message_names_both_units() -> None:
    with pytest.raises(ValueProblem) as info:
        parse_count("12份", unit="场")
    assert "场" in info.value.message
    assert "份" in info.value.message


# --------------------------------------------------------------------------- numbers

NUMBERS_OK: list[tuple[object, str | None, str | None, float, tuple[str, ...]]] = [
    ("2.5", None, None, 2.5, ()),
    ("2.5场/人", "场/人", None, 2.5, ()),
    ("2.5场/人", None, None, 2.5, ()),
    ("-3", None, None, -3.0, ()),
    ("负三点五", None, None, -3.5, ()),
    ("八十五点五", None, None, 85.5, ()),
    ("1.5万", None, None, 15000.0, ()),
    ("约2.5", None, None, 2.5, APPROX),
    ("１２．５", None, None, 12.5, ()),
    ("1,234.5", None, None, 1234.5, ()),
    (2.5, None, None, 2.5, ()),
    (7, None, None, 7.0, ()),
    (0.855, "%", "0.0%", 85.5, FROM_FORMAT),
    ("85%", "%", None, 85.0, ()),
]


@pytest.mark.parametrize(("raw", "unit", "fmt", "value", "flags"), NUMBERS_OK)
def test_number_ok(
    raw: object, unit: str | None, fmt: str | None, value: float, flags: tuple[str, ...]
) -> None:
    parsed = parse_number(raw, unit=unit, number_format=fmt)
    assert parsed.value == value
    assert type(parsed.value) is float
    assert parsed.flags == flags


@pytest.mark.parametrize(
    ("raw", "unit", "reason"),
    [
        ("2.5场", "场/人", "wrong_unit"),
        ("二点", None, "not_a_number"),
        ("1.2.3", None, "not_a_number"),
        ("1e5", None, "not_a_number"),
    ],
)
def test_number_bad(raw: object, unit: str | None, reason: str) -> None:
    assert _reason(lambda: parse_number(raw, unit=unit)) == reason


# --------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize("raw", ["—", "——", "--", "-", "－", "/", "／", "无", "暂无", "空", " — "])
@pytest.mark.parametrize(
    "parser", [parse_count, parse_number, parse_percent, parse_text, parse_url, parse_date]
)
def test_placeholders(raw: str, parser: Callable[[object], Parsed]) -> None:
    assert parser(raw) == Parsed(None, raw, PLACEHOLDER)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\n", math.nan])
@pytest.mark.parametrize(
    "parser",
    [parse_count, parse_number, parse_percent, parse_text, parse_url, parse_date, parse_yes_no],
)
def test_empty(raw: object, parser: Callable[[object], Parsed]) -> None:
    parsed = parser(raw)
    assert parsed.value is None
    assert parsed.flags == ()
    assert parsed.raw == ("" if raw is None else str(raw))


# --------------------------------------------------------------------------- percentages

PERCENTS_OK: list[tuple[object, str | None, float, tuple[str, ...]]] = [
    ("85%", None, 85.0, ()),
    ("85％", None, 85.0, ()),
    ("85 %", None, 85.0, ()),
    ("８５％", None, 85.0, ()),
    ("85.5%", None, 85.5, ()),
    ("百分之八十五", None, 85.0, ()),
    ("百分之85", None, 85.0, ()),
    ("百分之八十五点五", None, 85.5, ()),
    ("85", None, 85.0, ()),
    (85, None, 85.0, ()),
    (85.5, None, 85.5, ()),
    ("0.5%", None, 0.5, ()),
    ("100%", None, 100.0, ()),
    ("约85%", None, 85.0, APPROX),
    (0, None, 0.0, ()),
    ("0", None, 0.0, ()),
    (1, None, 1.0, ()),  # an int 1 is one per cent
    ("1", None, 1.0, ()),
    (0.85, "0%", 85.0, FROM_FORMAT),
    (0.855, "0.0%", 85.5, FROM_FORMAT),
    (1.0, "0%", 100.0, FROM_FORMAT),
    (1, "0.00%", 100.0, FROM_FORMAT),
    (0.0, "0%", 0.0, FROM_FORMAT),
    ("85%", "0%", 85.0, ()),  # text ignores the format
]


@pytest.mark.parametrize(("raw", "fmt", "value", "flags"), PERCENTS_OK)
def test_percent_ok(raw: object, fmt: str | None, value: float, flags: tuple[str, ...]) -> None:
    parsed = parse_percent(raw, number_format=fmt)
    assert parsed.value == value
    assert type(parsed.value) is float
    assert parsed.flags == flags


PERCENTS_BAD: list[tuple[object, str | None, str]] = [
    (0.85, None, "ambiguous_percent"),
    ("0.85", None, "ambiguous_percent"),
    (0.5, "General", "ambiguous_percent"),
    (1.0, None, "ambiguous_percent"),
    ("1.0", None, "ambiguous_percent"),
    ("零点八五", None, "ambiguous_percent"),
    (120, None, "out_of_range"),
    ("120%", None, "out_of_range"),
    (85, "0%", "out_of_range"),  # shown as 8500%
    ("-5%", None, "out_of_range"),
    ("85个", None, "not_a_number"),
    ("很高", None, "not_a_number"),
    (True, None, "not_a_number"),
]


@pytest.mark.parametrize(("raw", "fmt", "reason"), PERCENTS_BAD)
def test_percent_bad(raw: object, fmt: str | None, reason: str) -> None:
    assert _reason(lambda: parse_percent(raw, number_format=fmt)) == reason


# --------------------------------------------------------------------------- yes / no

YES_NO: list[tuple[object, bool | None]] = [
    *((x, True) for x in ["是", "有", "√", "✓", "Y", "y", "yes", "YES", "true", "TRUE", "1", "已"]),
    *((x, False) for x in ["否", "无", "×", "✗", "N", "n", "no", "No", "false", "0", "未"]),
    (" 是 ", True),
    ("ｙｅｓ", True),
    ("暂无", False),
    (True, True),
    (False, False),
    (1, True),
    (0, False),
    (1.0, True),
    ("—", None),
    ("/", None),
]


@pytest.mark.parametrize(("raw", "value"), YES_NO)
def test_yes_no(raw: object, value: bool | None) -> None:
    assert parse_yes_no(raw).value is value


def test_yes_no_placeholder_is_flagged_but_wu_is_false() -> None:
    assert parse_yes_no("—").flags == PLACEHOLDER
    assert parse_yes_no("无") == Parsed(False, "无")


@pytest.mark.parametrize("raw", ["maybe", "是否", "待定", 2, -1, 0.5, "10", dt.date(2024, 1, 1)])
def test_yes_no_bad(raw: object) -> None:
    assert _reason(lambda: parse_yes_no(raw)) == "not_yes_no"


# --------------------------------------------------------------------------- dates

DEC20 = dt.date(2024, 12, 20)

DATES_OK: list[tuple[object, str | None, dt.date]] = [
    (DEC20, None, DEC20),
    (dt.datetime(2024, 12, 20, 9, 30), None, DEC20),
    (45646, None, DEC20),
    (45646.75, None, DEC20),
    (45646, "yyyy-mm-dd", DEC20),
    (45646, 'yyyy"年"m"月"d"日"', DEC20),
    (100, "yyyy/m/d", dt.date(1900, 4, 9)),
    (1, "m/d/yy", dt.date(1900, 1, 1)),
    (61, "yyyy-mm-dd", dt.date(1900, 3, 1)),
    (20241220, None, DEC20),
    ("2024.12.20", None, DEC20),
    ("2024-12-20", None, DEC20),
    ("2024/12/20", None, DEC20),
    ("2024-12-20 00:00:00", None, DEC20),
    ("20241220", None, DEC20),
    ("2024年12月20日", None, DEC20),
    ("2024年12月20号", None, DEC20),
    ("2024年12月20", None, DEC20),
    ("2024 年 12 月 20 日", None, DEC20),
    ("２０２４年１２月２０日", None, DEC20),
    ("二〇二四年十二月二十日", None, DEC20),
    ("二零二四年十二月二十日", None, DEC20),
    ("２０２４年十二月二十日", None, DEC20),
    ("二〇二四年一月三十一日", None, dt.date(2024, 1, 31)),
    ("2024.1.5", None, dt.date(2024, 1, 5)),
    ("2024-02-29", None, dt.date(2024, 2, 29)),
]


@pytest.mark.parametrize(("raw", "fmt", "value"), DATES_OK)
def test_date_ok(raw: object, fmt: str | None, value: dt.date) -> None:
    parsed = parse_date(raw, number_format=fmt)
    assert parsed.value == value
    assert type(parsed.value) is dt.date


DATES_BAD: list[tuple[object, str | None]] = [
    ("2024.12", None),  # no day
    ("2024年12月", None),
    ("2024-13-01", None),
    ("2024-02-30", None),
    ("2023-02-29", None),
    ("20241320", None),
    ("2024-12/20", None),
    ("24.12.20", None),
    ("12月20日", None),
    ("明天", None),
    ("45646", None),  # a serial only as a number
    (100, None),  # outside 30000–60000 and not a date format
    (60, "yyyy-mm-dd"),  # Excel's phantom 1900-02-29
    (True, None),
]


@pytest.mark.parametrize(("raw", "fmt"), DATES_BAD)
def test_date_bad(raw: object, fmt: str | None) -> None:
    assert _reason(lambda: parse_date(raw, number_format=fmt)) == "not_a_date"


# --------------------------------------------------------------------------- text and URLs


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  已完成\u3000宣讲 ", "已完成 宣讲"),
        ("第一段\n第二段", "第一段 第二段"),
        ("ＡＢＣ", "ABC"),
        (13800138000.0, "13800138000"),
        (12, "12"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        ("x" * MAX_TEXT_LENGTH, "x" * MAX_TEXT_LENGTH),
    ],
)
def test_text_ok(raw: object, value: str) -> None:
    assert parse_text(raw).value == value


def test_text_too_long() -> None:
    assert _reason(lambda: parse_text("宣" * (MAX_TEXT_LENGTH + 1))) == "too_long"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("https://www.hubei.gov.cn/zwgk/x.html?a=1", "https://www.hubei.gov.cn/zwgk/x.html?a=1"),
        ("http://rst.fujian.gov.cn", "http://rst.fujian.gov.cn"),
        ("HTTPS://Example.COM/A", "HTTPS://Example.COM/A"),
        ("www.gov.cn", "www.gov.cn"),
        (" www.gov.cn/zhengce ", "www.gov.cn/zhengce"),
        ("ｈｔｔｐｓ：／／ｗｗｗ．ｇｏｖ．ｃｎ", "https://www.gov.cn"),
        ("https://www.gov.cn。", "https://www.gov.cn"),
    ],
)
def test_url_ok(raw: str, value: str) -> None:
    assert parse_url(raw).value == value


@pytest.mark.parametrize(
    "raw", ["gov.cn", "http://", "https://x", "www.", "ftp://a.cn", "见附件", "http://a b.cn", 12]
)
def test_url_bad(raw: object) -> None:
    assert _reason(lambda: parse_url(raw)) == "not_a_url"


def test_url_too_long() -> None:
    assert _reason(lambda: parse_url("https://a.cn/" + "x" * MAX_TEXT_LENGTH)) == "too_long"


# --------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    ("kind", "raw", "unit", "fmt", "value"),
    [
        ("count", "12场", "场", None, 12),
        ("number", "2.5场/人", "场/人", None, 2.5),
        ("percent", 0.85, "%", "0%", 85.0),
        ("yes_no", "是", None, None, True),
        ("text", " 说明 ", None, None, "说明"),
        ("url", "www.gov.cn", None, None, "www.gov.cn"),
        ("date", 45646, None, "yyyy-mm-dd", DEC20),
    ],
)
def test_parse_value_dispatch(
    kind: str, raw: object, unit: str | None, fmt: str | None, value: object
) -> None:
    assert parse_value(kind, raw, unit=unit, number_format=fmt).value == value


def test_parse_value_covers_every_kind() -> None:
    assert set(KINDS) == {"count", "number", "percent", "yes_no", "text", "url", "date"}
    for kind in KINDS:
        assert parse_value(kind, None) == Parsed(None, "")


def test_parse_value_unknown_kind_lists_known() -> None:
    with pytest.raises(ValueError, match="known kinds: count"):
        parse_value("money", "12")


def test_parse_value_passes_unit() -> None:
    assert _reason(lambda: parse_value("count", "12份", unit="场")) == "wrong_unit"


# --------------------------------------------------------------------------- split_blanks

B3 = ["场", "覆盖乡镇 个", "覆盖率 %"]

SPLITS: list[tuple[str, list[str], list[str | None]]] = [
    ("12场，覆盖乡镇30个，覆盖率85%", B3, ["12", "30", "85%"]),
    ("12场覆盖乡镇30个覆盖率85%", B3, ["12", "30", "85%"]),
    ("12 场 ， 覆盖乡镇 30 个 ，覆盖率 85 ％", B3, ["12", "30", "85%"]),
    ("１２场；覆盖乡镇３０个、覆盖率８５．５％", B3, ["12", "30", "85.5%"]),
    ("12场\n覆盖乡镇30个\n覆盖率85%", B3, ["12", "30", "85%"]),
    ("12场，覆盖率85%", B3, ["12", None, "85%"]),
    ("12场，覆盖乡镇个，覆盖率%", B3, ["12", None, None]),
    ("场，覆盖乡镇 个，覆盖率 %", B3, [None, None, None]),
    ("", B3, [None, None, None]),
    ("十二场，覆盖乡镇三十个，覆盖率百分之八十五", B3, ["十二", "三十", "百分之八十五"]),
    ("约12场，覆盖乡镇30余个，覆盖率85%左右", B3, ["约12", "30余", "85%左右"]),
    ("/场，覆盖乡镇—个，覆盖率无%", B3, ["/", "—", "无"]),
    ("覆盖率0.85", ["覆盖率 %"], ["0.85"]),  # no % written: left ambiguous for the parser
    ("12，30，85%", B3, ["12", "30", "85%"]),  # bare values, by position
    ("12", ["场"], ["12"]),
    ("30人；2.5场/人", ["人", "场/人"], ["30", "2.5"]),
    ("30人,2.5场/人", ["人", "场/人"], ["30", "2.5"]),
    ("2.5场/人；30人", ["人", "场/人"], ["30", "2.5"]),
    ("覆盖率85%，12场", ["场", "覆盖率 %"], ["12", "85%"]),
    ("开展12场、覆盖乡镇约30个", ["场", "覆盖乡镇 个"], ["12", "约30"]),
    ("共12场，其中村居5场", ["共 场", "其中村居 场"], ["12", "5"]),
    ("宣讲1,200人次", ["宣讲 人次"], ["1,200"]),
]


@pytest.mark.parametrize(("text", "blanks", "pieces"), SPLITS)
def test_split_blanks(text: str, blanks: list[str], pieces: list[str | None]) -> None:
    assert split_blanks(text, blanks) == pieces


def test_split_blanks_pieces_parse() -> None:
    count, townships, rate = split_blanks("12场，覆盖乡镇30个，覆盖率85%", B3)
    assert parse_count(count, unit="场").value == 12
    assert parse_count(townships, unit="个").value == 30
    assert parse_percent(rate).value == 85.0
    per_person = split_blanks("30人；2.5场/人", ["人", "场/人"])[1]
    assert parse_number(per_person, unit="场/人").value == 2.5


# --------------------------------------------------------------------------- documentation


def test_docstring_examples() -> None:
    assert doctest.testmod(values).failed == 0


def test_public_functions_have_imperative_one_line_summaries() -> None:
    for name in values.__all__:
        obj = getattr(values, name)
        if callable(obj) and getattr(obj, "__module__", None) == values.__name__:
            summary = (obj.__doc__ or "").strip().splitlines()[0]
            assert summary.endswith("."), name
            assert not summary.split()[0].endswith("s"), name  # "Parse …", not "Parses …"


# --------------------------------------------------------------------------- numeral property

_DIGITS = "零一二三四五六七八九"


def _section(n: int, *, first: bool, yishi: bool) -> str:
    """Write 1..9999 in Chinese; a leading 1x is 十x unless yishi (一十x) or not first."""
    out: list[str] = []
    zero = started = False
    for digit, unit in zip(
        (n // 1000, n // 100 % 10, n // 10 % 10, n % 10), "千百十 ", strict=True
    ):
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        if unit == "十" and digit == 1 and first and not started and not yishi:
            out.append("十")
        else:
            out.append(_DIGITS[digit] + unit.strip())
        started = True
    return "".join(out)


def chinese(n: int, *, yishi: bool = False, liang: bool = False) -> str:
    """Write 0..10**12-1 in Chinese numerals, independently of cn2an and the library.

    A zero inside a section or a lower section below 1000 is written 零 once (一千零五,
    十万零一, 一亿零五百万). ``yishi`` writes a leading ten as 一十; ``liang`` writes a
    standalone 二 before 百, 千, 万 or 亿 as 两.
    """
    if n == 0:
        return "零"
    sections = []
    while n:
        sections.append(n % 10000)
        n //= 10000
    out: list[str] = []
    pending_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        first = not out
        if section == 0:
            pending_zero = not first
            continue
        if not first and (pending_zero or section < 1000):
            out.append("零")
        pending_zero = False
        out.append(_section(section, first=first, yishi=yishi) + ("", "万", "亿")[index])
    text = "".join(out)
    return re.sub(r"(?<![十零])二(?=[百千万亿])", "两", text) if liang else text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (5, "五"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (10010, "一万零一十"),
        (100001, "十万零一"),
        (101000, "十万一千"),
        (200000, "二十万"),
        (10000001, "一千万零一"),
        (12030405, "一千二百零三万零四百零五"),
        (100000000, "一亿"),
        (100050000, "一亿零五万"),
        (105000000, "一亿零五百万"),
        (100000010, "一亿零一十"),
    ],
)
def test_test_encoder(n: int, text: str) -> None:
    assert chinese(n) == text


def test_test_encoder_variants() -> None:
    assert chinese(15, yishi=True) == "一十五"
    assert chinese(100001, yishi=True) == "一十万零一"
    assert chinese(2200, liang=True) == "两千两百"
    assert chinese(220000, liang=True) == "二十二万"
    assert chinese(1020000, liang=True) == "一百零二万"


_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")

_WRITINGS: dict[str, Callable[[int], str]] = {
    "arabic": str,
    "full_width": lambda n: str(n).translate(_FULL_WIDTH),
    "thousands": lambda n: f"{n:,}",
    "full_width_thousands": lambda n: f"{n:,}".translate(_FULL_WIDTH),
    "unit": lambda n: f"{n}场",
    "thousands_unit": lambda n: f"{n:,} 场",
    "chinese": chinese,
    "chinese_yishi": lambda n: chinese(n, yishi=True),
    "chinese_liang": lambda n: chinese(n, liang=True),
    "chinese_unit": lambda n: chinese(n) + "场",
}

_NUMBERS = st.one_of(
    st.integers(0, 10**8),
    st.integers(0, 10**4).map(lambda n: n * 10**4),
    st.integers(0, 10**3).map(lambda n: n * 10**5 + 1),
    st.sampled_from([0, 10, 15, 1005, 100001, 105000000, 10**8, 10**8 - 1, 10010, 100000010]),
)


@given(n=_NUMBERS, writing=st.sampled_from(sorted(_WRITINGS)))
def test_whole_numbers_parse_to_themselves(n: int, writing: str) -> None:
    text = _WRITINGS[writing](n)
    parsed = parse_count(text, unit="场")
    assert parsed == Parsed(n, text), text


@given(n=_NUMBERS)
def test_whole_numbers_as_cells(n: int) -> None:
    assert parse_count(n).value == n
    assert parse_count(float(n)).value == n
    assert parse_number(str(n)).value == float(n)
