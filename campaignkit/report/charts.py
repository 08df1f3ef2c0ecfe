"""Draw the report's charts with Chinese labels, returning :class:`~.model.Chart` values.

The CJK font (Noto Sans CJK SC, shipped inside the ``mplfonts`` wheel) is registered once with
matplotlib's font manager and used only inside :func:`chart_style`, a ``matplotlib.rc_context``:
importing or using campaignkit never changes a user's global ``rcParams``. Figures are
``matplotlib.figure.Figure`` objects drawn on an Agg canvas, never registered with pyplot, so
no figure is left open. Nothing is downloaded at run time.

A report embeds the PNG only, so the SVG is drawn only when asked for (``svg=True``).
Long category names are wrapped inside the chart (:func:`wrap_label`), never by the caller.

>>> c = bar_children({"武汉市": 120, "黄石市": 80}, caption="各市州开展活动场次", unit="场")
>>> c.png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", c.svg, c.alt
(True, None, '各市州开展活动场次：武汉市 120场；黄石市 80场')
>>> "<svg" in (bar_children({"武汉市": 120}, caption="图", svg=True).svg or "")
True
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeAlias

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .model import Chart
from .numbers import MISSING, fmt_count, fmt_number, fmt_rate, is_missing

__all__ = [
    "CJK_FAMILY",
    "bar_children",
    "bars_by_month",
    "chart_style",
    "cjk_font_path",
    "coverage_bars",
    "plan_vs_actual",
    "wrap_label",
]

CJK_FAMILY: Final = "Noto Sans CJK SC"
_FONT_FILE: Final = "NotoSansCJKsc-Regular.otf"
_DARK: Final = "#1f4e79"
_LIGHT: Final = "#9dc3e6"
_GREY: Final = "#a6a6a6"
_RED: Final = "#c00000"
_WIDTH_IN: Final = 6.3  # about the 156 mm text block of an official page
_DPI: Final = 200

Values: TypeAlias = "Mapping[Any, float | None] | pd.Series | Sequence[tuple[Any, float | None]]"


def cjk_font_path() -> Path | None:
    """Find Noto Sans CJK SC inside the installed ``mplfonts`` package, without importing it.

    >>> p = cjk_font_path(); p is None or p.name == "NotoSansCJKsc-Regular.otf"
    True
    """
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / _FONT_FILE
        if path.is_file():
            return path
    return None


@functools.cache
def _register_font() -> str | None:
    """Register the CJK font with matplotlib once; return its family name (None if absent)."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return CJK_FAMILY
    for entry in font_manager.fontManager.ttflist:  # a CJK font the system already has
        if "CJK" in entry.name or "Source Han" in entry.name:
            return str(entry.name)
    return None


@contextmanager
def chart_style() -> Iterator[None]:
    """Use the CJK font and the report's look inside this block only (a ``rc_context``)."""
    family = _register_font()
    sans = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with matplotlib.rc_context({
        "font.family": "sans-serif", "font.sans-serif": sans, "font.size": 10,
        "axes.unicode_minus": False, "axes.spines.top": False, "axes.spines.right": False,
        "svg.fonttype": "path", "svg.hashsalt": "campaignkit",
    }):
        yield


# ---------------------------------------------------------------------------------------
# Data in, figure out
# ---------------------------------------------------------------------------------------
def _pairs(values: Values) -> list[tuple[str, float | None]]:
    if isinstance(values, pd.Series):
        items: list[tuple[Any, Any]] = list(values.items())
    elif isinstance(values, Mapping):
        items = list(values.items())
    else:
        items = [tuple(v) for v in values]
    return [(_label(k), None if is_missing(v) else float(v)) for k, v in items]


def _label(key: Any) -> str:
    if isinstance(key, pd.Period):
        key = key.to_timestamp()
    if isinstance(key, date):
        return f"{key.year}年{key.month}月"
    return str(key)


def _shown(value: float | None, rate: bool, unit: str) -> str:
    if value is None:
        return MISSING
    if rate:
        return fmt_rate(value)
    return (fmt_count(value) if float(value).is_integer() else fmt_number(value)) + unit


def _alt(caption: str, pairs: Sequence[tuple[str, str]], limit: int = 40) -> str:
    parts = [f"{k} {v}" for k, v in pairs[:limit]]
    more = f"；等{len(pairs)}项" if len(pairs) > limit else ""
    return f"{caption}：" + "；".join(parts) + more


_NO_LINE_START: Final = "，。、；：？！）》」』”’%．.,;:)"
_BREAK_AFTER: Final = "，。、；：？！）》」』”’ /-—"


def _char_width(ch: str) -> float:
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def wrap_label(text: str, width: float, max_lines: int = 3) -> str:
    """Break a category name into lines of at most ``width`` characters for a chart axis.

    A CJK character counts 1 and an ASCII one about ½; the lines are about as long as each
    other (no lone character on a last line); a break falls after punctuation when one is near
    the end of a line, and no line starts with closing punctuation. Lines beyond ``max_lines``
    are cut, the last ending in ``…``.

    >>> wrap_label("社会保险事业管理局", 6)
    '社会保险事\\n业管理局'
    >>> wrap_label("职业能力建设处", 6)
    '职业能力\\n建设处'
    >>> wrap_label("关心“养老钱”、守护“保命钱”，社保基金监管伴你同行", 8, max_lines=2)
    '关心“养老钱”、\\n守护“保命钱”…'
    >>> wrap_label("武汉市", 5)
    '武汉市'
    """
    total = sum(_char_width(ch) for ch in text)
    if total > width:  # as many lines as needed, each about as long as the others
        width = math.ceil(total / math.ceil(total / width))
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = _char_width(ch)
        if line and used + w > width and ch not in _NO_LINE_START:
            cut = max((i for i, c in enumerate(line) if c in _BREAK_AFTER), default=-1) + 1
            if cut < len(line) * 0.6:  # no punctuation near the end: break here
                cut = len(line)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            used = sum(_char_width(c) for c in line)
        line += ch
        used += w
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[:max_lines - 1], (last[:-1] if len(last) > 1 else last) + "…"]
    return "\n".join(lines)


def _new_figure(height_in: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _finish(fig: Figure, caption: str, alt: str, sources: Sequence[str], svg: bool) -> Chart:
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=_DPI, metadata={"Software": None})
    text = None
    if svg:
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        text = out.getvalue()
    fig.clear()
    return Chart(png.getvalue(), caption, alt, text, tuple(sources))


def _top(values: Sequence[float | None], floor: float = 0.0) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return max([floor, *finite]) or 1.0


def _sorted(pairs: list[tuple[str, float | None]]) -> list[tuple[str, float | None]]:
    """Largest first, missing values last (a stable sort: ties keep their order)."""
    return sorted(pairs, key=lambda p: (p[1] is None, -(p[1] or 0.0)))


def _hbars(ax: Axes, labels: Sequence[str], nums: Sequence[float | None],
           shown: Sequence[str], colours: Sequence[str], top: float) -> None:
    """Horizontal bars, largest on top, each labelled at its end (no bar for a missing value)."""
    ax.barh(range(len(labels)), [v or 0.0 for v in nums], color=list(colours), height=0.6)
    ax.set_yticks(range(len(labels)), [wrap_label(k, 10, 2) for k in labels])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.18)
    for i, text in enumerate(shown):
        ax.text((nums[i] or 0.0) + top * 0.012, i, text, va="center", fontsize=9, zorder=3,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.spines["left"].set_visible(True)


def bar_children(values: Values, *, caption: str, unit: str = "", rate: bool = False,
                 highlight: str | None = None, alt: str | None = None,
                 sources: Sequence[str] = (), svg: bool = False) -> Chart:
    """Compare children in a horizontal bar chart, largest on top, each bar labelled.

    Missing values (None/NaN) are listed last and labelled ``—``; no bar is drawn for them.
    """
    pairs = _sorted(_pairs(values))
    labels = [k for k, _ in pairs]
    nums = [v for _, v in pairs]
    shown = [_shown(v, rate, unit) for v in nums]
    with chart_style():
        fig, ax = _new_figure(max(2.0, 0.27 * len(pairs) + 0.8))
        colours = [_RED if k == highlight else _DARK for k in labels]
        _hbars(ax, labels, nums, shown, colours, _top(nums))
        ax.set_xlabel("%" if rate else unit)
        return _finish(fig, caption, alt or _alt(caption, list(zip(labels, shown, strict=True))),
                       sources, svg)


def bars_by_month(values: Values, *, caption: str, unit: str = "场", alt: str | None = None,
                  sources: Sequence[str] = (), svg: bool = False) -> Chart:
    """Show activity by month as vertical bars; date or period keys are written 2024年1月."""
    pairs = _pairs(values)
    years = {k[:5] for k, _ in pairs if len(k) > 5 and k[4] == "年"}
    labels = [k[5:] if len(years) == 1 and k[:5] in years else k for k, _ in pairs]
    nums = [v for _, v in pairs]
    shown = [_shown(v, False, unit) for v in nums]
    with chart_style():
        fig, ax = _new_figure(3.2)
        ax.bar(range(len(pairs)), [v or 0.0 for v in nums], color=_DARK, width=0.6)
        ax.set_xticks(range(len(pairs)), labels)
        if len(pairs) > 12:
            for t in ax.get_xticklabels():
                t.set_rotation(45)
                t.set_horizontalalignment("right")
        top = _top(nums)
        ax.set_ylim(0, top * 1.15)
        size = 8 if len(pairs) <= 14 else 6
        for i, v in enumerate(nums):
            ax.text(i, (v or 0.0) + top * 0.01, shown[i].removesuffix(unit), ha="center",
                    va="bottom", fontsize=size)
        ax.set_ylabel(unit, rotation=0, labelpad=12)
        if years and len(years) == 1:
            ax.set_xlabel(next(iter(years)))
        return _finish(fig, caption, alt or _alt(caption, [(k, s) for (k, _), s in
                                                           zip(pairs, shown, strict=True)]),
                       sources, svg)


def plan_vs_actual(data: pd.DataFrame | Mapping[str, tuple[float | None, float | None]], *,
                   caption: str, plan: str = "plan", actual: str = "actual", unit: str = "场",
                   labels: tuple[str, str] = ("计划", "实际"), alt: str | None = None,
                   sources: Sequence[str] = (), svg: bool = False) -> Chart:
    """Set plan against actual as grouped bars (``data``: a frame indexed by name, or a dict).

    Names are wrapped to the width of their group (at most three lines); the alt text keeps
    them whole.
    """
    if isinstance(data, pd.DataFrame):
        names = [_label(k) for k in data.index]
        p = [None if is_missing(v) else float(v) for v in data[plan]]
        a = [None if is_missing(v) else float(v) for v in data[actual]]
    else:
        names = [str(k) for k in data]
        p = [None if is_missing(v[0]) else float(v[0]) for v in data.values()]  # type: ignore[arg-type]
        a = [None if is_missing(v[1]) else float(v[1]) for v in data.values()]  # type: ignore[arg-type]
    per_group_in = _WIDTH_IN * 0.86 / max(len(names), 1)
    width = max(3.0, min(12.0, per_group_in / 0.135))  # 9 pt characters, some air between
    ticks = [wrap_label(n, width) for n in names]
    lines = max((t.count("\n") + 1 for t in ticks), default=1)
    size = 8 if len(names) <= 10 else 6
    with chart_style():
        fig, ax = _new_figure(3.0 + 0.16 * lines)
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], [v or 0.0 for v in p], width=0.38, color=_LIGHT,
               label=labels[0])
        ax.bar([x + 0.2 for x in xs], [v or 0.0 for v in a], width=0.38, color=_DARK,
               label=labels[1])
        top = _top([*p, *a])
        for x, (pv, av) in enumerate(zip(p, a, strict=True)):
            for dx, v in ((-0.2, pv), (0.2, av)):
                ax.text(x + dx, (v or 0.0) + top * 0.01, _shown(v, False, ""), ha="center",
                        va="bottom", fontsize=size)
        ax.set_xticks(list(xs), ticks, fontsize=9)
        ax.set_ylim(0, top * 1.18)
        ax.set_ylabel(unit, rotation=0, labelpad=12)
        fig.legend(loc="outside upper right", frameon=False, ncols=2)
        pairs = [(n, f"{labels[0]}{_shown(pv, False, unit)}，{labels[1]}{_shown(av, False, unit)}")
                 for n, pv, av in zip(names, p, a, strict=True)]
        return _finish(fig, caption, alt or _alt(caption, pairs), sources, svg)


def coverage_bars(values: Values, *, caption: str, target: float = 100.0,
                  alt: str | None = None, sources: Sequence[str] = (),
                  svg: bool = False) -> Chart:
    """Show coverage rates, highest first, with a line at the target (100%); bars below it
    are grey. Up to eight units stand as columns; more lie as horizontal bars, so that every
    name and every value label has room of its own.
    """
    pairs = _sorted(_pairs(values))
    labels = [k for k, _ in pairs]
    nums = [v for _, v in pairs]
    shown = [_shown(v, True, "") for v in nums]
    colours = [_DARK if v is not None and v >= target else _GREY for v in nums]
    top = _top(nums, target)
    line = {"color": _RED, "linewidth": 1.2, "linestyle": "--",
            "label": f"目标{fmt_rate(target)}"}
    with chart_style():
        if len(pairs) > 8:
            fig, ax = _new_figure(max(2.4, 0.26 * len(pairs) + 1.0))
            _hbars(ax, labels, nums, shown, colours, top)
            ax.axvline(target, **line)  # type: ignore[arg-type]
            ax.set_xlabel("%")
        else:
            fig, ax = _new_figure(3.2)
            ax.bar(range(len(pairs)), [v or 0.0 for v in nums], color=colours, width=0.6)
            ax.set_xticks(range(len(pairs)), [wrap_label(k, 5) for k in labels])
            ax.set_ylim(0, top * 1.15)
            ax.axhline(target, **line)  # type: ignore[arg-type]
            for i, v in enumerate(nums):
                ax.text(i, (v or 0.0) + top * 0.01, shown[i], ha="center", va="bottom",
                        fontsize=8)
            ax.set_ylabel("%", rotation=0, labelpad=12)
        fig.legend(loc="outside upper right", frameon=False)
        return _finish(fig, caption, alt or _alt(caption, [(k, s) for (k, _), s in
                                                           zip(pairs, shown, strict=True)]),
                       sources, svg)
