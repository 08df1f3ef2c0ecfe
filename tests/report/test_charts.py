"""Charts: Chinese labels render with no warning, PNGs are real, nothing global changes."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from datetime import date

import matplotlib
import matplotlib.image
import pandas as pd
import pytest

from campaignkit.report import Chart, charts

from .conftest import SCRIPT_UNIT

BUILDERS: dict[str, Callable[[], Chart]] = {
    "children": lambda: charts.bar_children(
        pd.Series({"武汉市": 1200, "黄石市": 34.0, "十堰市": None, SCRIPT_UNIT: 12}),
        caption="各市州开展活动场次", unit="场", highlight="黄石市", svg=True),
    "children_rates": lambda: charts.bar_children(
        [("武汉市", 100.0), ("鄂州市", 85.25)], caption="各市州覆盖率", rate=True, svg=True),
    "months": lambda: charts.bars_by_month(
        pd.Series([3, 0, 8], index=pd.period_range("2024-01", periods=3, freq="M")),
        caption="各月开展活动场次（负数−1检验）", svg=True),
    "months_dates": lambda: charts.bars_by_month(
        {date(2023, 12, 1): 5, date(2024, 1, 1): 7}, caption="跨年各月", svg=True),
    "plan": lambda: charts.plan_vs_actual(
        pd.DataFrame({"plan": [3, 4], "actual": [5, None]}, index=["政策宣讲", "进企业"]),
        caption="计划与实际", svg=True),
    "plan_dict": lambda: charts.plan_vs_actual({"进校园": (2, 2)}, caption="计划与实际", svg=True),
    "coverage": lambda: charts.coverage_bars(
        {f"第{i}县": 60.0 + 5 * i for i in range(10)}, caption="乡镇覆盖率", svg=True),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_chart_renders_chinese_without_any_warning(name: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = BUILDERS[name]()
    assert not [r for r in caplog.records if "Glyph" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.png) > 10_000
    pixels = matplotlib.image.imread(io.BytesIO(chart.png))
    height, width = pixels.shape[:2]
    assert width >= 1000 and height >= 400
    assert pixels.std() > 0.05  # not a blank image
    assert chart.svg is not None and chart.svg.lstrip().startswith("<?xml")
    assert "<svg" in chart.svg and "http://www.w3.org/2000/svg" in chart.svg
    assert chart.alt.startswith(chart.caption + "：")
    assert re.findall(r"<!-- (.*?) -->", chart.svg)  # the labels were drawn


def test_the_cjk_font_comes_from_the_mplfonts_wheel() -> None:
    path = charts.cjk_font_path()
    assert path is not None and path.is_file() and path.stat().st_size > 1_000_000
    with charts.chart_style():
        assert matplotlib.rcParams["font.sans-serif"][0] == charts.CJK_FAMILY
        from matplotlib import font_manager

        found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert "NotoSansCJK" in found


def test_using_charts_never_changes_global_rcparams() -> None:
    before = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    for build in BUILDERS.values():
        build()
    after = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    assert after == before
    assert charts.CJK_FAMILY not in matplotlib.rcParams["font.sans-serif"]


def test_no_figure_is_left_open() -> None:
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    for build in BUILDERS.values():
        build()
    assert plt.get_fignums() == open_before


def test_children_are_sorted_and_missing_values_are_a_dash() -> None:
    chart = BUILDERS["children"]()
    assert chart.alt == ("各市州开展活动场次：武汉市 1,200场；黄石市 34场；"
                         f"{SCRIPT_UNIT} 12场；十堰市 —")
    rates = BUILDERS["children_rates"]()
    assert rates.alt == "各市州覆盖率：武汉市 100.0%；鄂州市 85.3%"


def test_month_labels_drop_a_shared_year_and_keep_different_ones() -> None:
    # the axis shows 1月 2月 3月 under 2024年; the alt text keeps the full month names
    months = BUILDERS["months"]()
    assert months.alt == ("各月开展活动场次（负数−1检验）："
                          "2024年1月 3场；2024年2月 0场；2024年3月 8场")
    drawn = re.findall(r"<!-- (.*?) -->", months.svg or "")  # matplotlib names each text
    assert drawn[:4] == ["1月", "2月", "3月", "2024年"]
    assert BUILDERS["months_dates"]().alt == "跨年各月：2023年12月 5场；2024年1月 7场"


def test_plan_and_coverage_alt_text() -> None:
    assert BUILDERS["plan"]().alt == "计划与实际：政策宣讲 计划3场，实际5场；进企业 计划4场，实际—"
    cov = charts.coverage_bars({"甲": 100, "乙": 85.25}, caption="覆盖率", sources=["s1"])
    assert cov.alt == "覆盖率：甲 100.0%；乙 85.3%" and cov.sources == ("s1",)


def _size(chart: Chart) -> tuple[int, int]:
    pixels = matplotlib.image.imread(io.BytesIO(chart.png))
    return pixels.shape[1], pixels.shape[0]


def test_a_report_chart_carries_no_svg_unless_asked() -> None:
    chart = charts.bar_children({"武汉市": 3, "黄石市": 2}, caption="图")
    assert chart.svg is None and chart.png.startswith(b"\x89PNG")


def test_many_coverage_rates_lie_as_bars_with_room_for_every_label() -> None:
    names = [f"第{i}市州" for i in range(16)]
    many = charts.coverage_bars({n: 100.0 - (i % 3) * 4.5 for i, n in enumerate(names)},
                                caption="乡镇覆盖率", svg=True)
    width, height = _size(many)
    assert height > width * 0.8  # one row per unit, not 16 crowded columns
    drawn = re.findall(r"<!-- (.*?) -->", many.svg or "")
    assert all(n in drawn for n in names) and drawn.count("100.0%") == 6
    few = charts.coverage_bars({"甲": 100.0, "乙": 90.0}, caption="覆盖率")
    assert _size(few)[1] < _size(few)[0] * 0.6  # columns while there are few


def test_long_names_are_wrapped_inside_the_plan_chart() -> None:
    long = "关心“养老钱”、守护“保命钱”，社保基金监管伴你同行"
    chart = charts.plan_vs_actual({long: (2, 3), "就业促进和失业保险处": (5, 4)},
                                  caption="计划与实际", svg=True)
    drawn = re.findall(r"<!-- (.*?) -->", chart.svg or "")
    assert long not in drawn  # broken into lines …
    assert long in chart.alt  # … but whole in the alt text
    assert charts.wrap_label(long, 6).count("\n") == 2
    assert all(len(line) <= 9 for line in charts.wrap_label(long, 6).split("\n"))
