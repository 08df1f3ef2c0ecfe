r"""Official-layout Excel return forms: one protected workbook per reporting unit, and roll-ups.

Layout is pure (``build_form`` and ``build_rollup`` return an openpyxl ``Workbook``,
``workbook_bytes`` turns one into bytes); ``write_forms`` and ``write_rollup`` are the thin
edges that write files.

>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> wb = build_form(c, "FJ01")
>>> read_identity(wb)["unit_name"], input_cells(wb)["sessions"]
('福州市', ('统计表', 'B7'))
>>> read_identity(wb)["round_line"]
'福州市\u3000截至1月底统计（2022年1月31日）'

Every form carries its identity and the place of every figure, so a return is read by name,
never by guessing where a clerk typed:

- a hidden sheet ``_campaignkit`` (``FORM_META_SHEET``) with key/value rows in columns A/B:
  ``campaign``, ``unit``, ``unit_name``, ``round``, ``round_label``, ``period_end``,
  ``deadline``, ``form_version``, ``kind`` (``return`` or ``rollup``), ``generator``
  (``campaignkit <version>``), ``layout``, ``sheet``; then the texts printed above the
  table as printed (``annex``, ``title``, ``subtitle``, ``round_line``, ``deadline_line``,
  ``unit_line``; ingest holds only edited texts against the round); in a roll-up also
  ``children``: the codes of its rows, comma-separated (the parent's own code first when it
  has a 本级 row);
- workbook-level defined names: ``ck_<indicator id>`` on each input cell (absolute, e.g.
  ``'统计表'!$B$7``), ``ck_unit`` on the 填报单位/填表单位 value cell, ``ck_date`` on the
  填报时间/填表日期 value cell, ``ck_round`` on the round line, ``ck_band`` on the rows above
  the table, ``ck_remarks`` on the 备注 extra-items area (a range; only where the annex prints
  a 备注 row); in a roll-up ``ck_rollup_<indicator id>`` on each 总计 cell.
  ``read_identity``, ``input_cells``, ``rollup_cells`` and ``defined_cells`` resolve them.

Every form says what it is where a clerk reads it: the round line under the title names the
round and its 截至 date (``中期统计（截至2025年6月15日）``, after the unit's name when no
填报单位 line is printed above the table) and, on the right, the deadline
(``请于2025年6月18日前报送``); the print header repeats the unit, the round line and the
deadline on every page. ``form_text`` resolves these texts (``forms.rounds.<id>`` overrides
per round, ``{placeholders}`` filled); ``form_filename`` names the file as an office does
(``济南市_中期统计表.xlsx``).

Horizontal layout (``forms.layout: horizontal``, Fujian's 统计表; one column per indicator)::

    A1        附件 line (forms.annex)
    A2:E2     title (merged)               A3:E3  (截至1月底)
    A4:C4     round line, locked (ck_round): 福州市　截至1月底统计（2022年1月31日）
              | D4:E4 the deadline: 请于2022年1月20日前报送
    A5:E5     单位：场、份、人次、人          (ck_band is A1:E5, everything above the table)
    A6        项目 | B6:E6 the indicator labels, exactly as in the spec
    A7        总计 | B7:E7 input cells, one per input indicator (ck_<id>)
    A9        填表单位： | B9:C9 unit name, prefilled, locked (ck_unit)
    A10       填表日期： | B10 date, unlocked (ck_date)

Vertical layout (``forms.layout: vertical``, Hubei's 附件3; one row per printed label)::

    A1:H1     title                        A2:H2  (2024 年)
    A3:E3     round line (ck_round): 年度统计（截至2024年12月31日） | F3:H3 the deadline
    A4        填报单位（盖章）： | B4 unit name, prefilled, locked (ck_unit)
    A5        填报时间：         | B5 date, unlocked (ck_date)
    A6        项 目 | B6 内 容 | C6:H6 开展情况 (merged)
    A7..      项目 groups merged down column A; B the label as printed; the 开展情况 cell is
              columns C..H: three slots of (value cell, caption cell). A label with several
              blanks puts each blank in its own value cell on the same row, C, E, G, and the
              printed text between the blanks in the caption cells D, F, H, e.g.
              ``[C]场，覆盖乡镇 [E]个，覆盖率 [G]%``, ``[C]人 [E]场/人``,
              ``[C]是/否 是什么：[E:H text]``. A single numeric blank is C with its unit in D;
              a single yes/no is C; a text or URL value is merged to the end of the row (C:H).
    A28       备 注 (merged down over the remark rows) | B28:H28 the printed 备注 text
    A29..A33  five rows for 可自行列项补充: B label cell and C:H value cell, both unlocked
              (ck_remarks is B29:H33)

Roll-up (``build_rollup``; unprotected, landscape when wide)::

    title, subtitle, round line (ck_round) and 单位 lines as on the form (the parent's name
    on the round line when no 填报单位 line is above the table); 填报单位 (the parent,
    ck_unit) and 填报时间 (ck_date) lines where the form has them above the table,
    填表单位/填表日期 below it
    A         单位: one row per direct child in spec order (``<name>本级`` first when the rows
              include the parent's own figures), then the 总计 row
    B..       one column per numeric input indicator; header rows: 项目 group (merged), the
              label (merged over the blanks that share it; ``label（unit）`` when alone), and
              the blank (``场``, ``覆盖乡镇（个）``, ``覆盖率（%）``) where a label has several;
              then the reference figures derived indicators need (``乡镇数（参考）``)
    last + 1  hidden helper column with each row's unit code
    总计       formulas: ``=IF(COUNT(r)=0,"",SUM(r))``; a derived indicator recomputed from the
              总计 cells of its parts; a weighted mean by SUMPRODUCT (ck_rollup_<id>)
    below     for each derived indicator that reads a unit figure (coverage = covered ÷
              townships), after a blank row: 口径 | 数值 | 乡镇数 | 单位数 headers, then two
              labelled rows, ``<label>（已报送单位）`` (the 总计 parts over the townships of the
              units that sent figures) and ``<label>（全部单位）`` (over the townships of all
              its units in the spec), each a formula on the 总计 cells and its own 乡镇数 cell

Input cells are unlocked and lightly tinted; everything else is locked (sheet protection on,
no password; the workbook structure is locked too, so the identity sheet stays hidden). Each
input cell has a data validation with a Chinese input prompt and error message: whole numbers
≥ 0 (count, up to the indicator's max), decimals ≥ 0 (number), 0–100 (percent), a 是/否 list
(yes_no), at most 2000 characters (text, url; formatted as text so nothing typed becomes a
formula), and a date within the campaign (date cell, shown as ``yyyy"年"m"月"d"日"``).

Text that comes from a spec or a user (unit names, labels) goes through ``put_text``: it is
stored as a string, never a formula, and text starting with ``= + - @`` gets Excel's quote
prefix (the stored form of a leading apostrophe).
"""

from __future__ import annotations

import ast
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from . import __version__
from .errors import CampaignkitError
from .spec import Campaign, Indicator, Round, Unit

__all__ = [
    "DATE_FORMAT",
    "FILE_NAME_MAX_BYTES",
    "FORM_META_SHEET",
    "FORM_PLACEHOLDERS",
    "NAME_PREFIX",
    "ROLLUP_PREFIX",
    "ROUND_TEXT_KEYS",
    "FormError",
    "FormText",
    "blank_parts",
    "build_form",
    "build_rollup",
    "cn_date",
    "defined_cells",
    "form_filename",
    "form_text",
    "indicator_validation",
    "input_cells",
    "needs_quote",
    "put_text",
    "read_identity",
    "rollup_cells",
    "rollup_filename",
    "round_settings",
    "safe_text",
    "workbook_bytes",
    "write_forms",
    "write_rollup",
]

FORM_META_SHEET: Final = "_campaignkit"
NAME_PREFIX: Final = "ck_"
ROLLUP_PREFIX: Final = "ck_rollup_"
RESERVED_NAMES: Final = frozenset({"unit", "date", "remarks", "round", "band"})
DATE_FORMAT: Final = 'yyyy"年"m"月"d"日"'
TEXT_MAX: Final = 2000
REMARK_ROWS: Final = 5
GENERATOR: Final = f"campaignkit {__version__}"


class FormError(CampaignkitError, ValueError):
    """A form or roll-up that cannot be built as asked (unknown unit or round, bad rows)."""


# ---------------------------------------------------------------------------------------
# Text that never becomes a formula
# ---------------------------------------------------------------------------------------
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> str:
    """Return ``value`` as cell text: characters XML cannot hold removed, nothing else changed.

    The text itself is kept exact; whether it needs Excel's quote prefix is told by
    ``needs_quote``, and ``put_text`` writes it so that it can never become a formula.

    >>> safe_text('=HYPERLINK("http://x")')
    '=HYPERLINK("http://x")'
    >>> safe_text("a\\x07b")
    'ab'
    """
    return _ILLEGAL.sub("", "" if value is None else str(value))


def needs_quote(text: str) -> bool:
    """Tell whether Excel or a CSV reader could take ``text`` for a formula."""
    return text.startswith(_TRIGGERS)


def put_text(cell: Any, value: object) -> None:
    """Write ``value`` into ``cell`` as a string that is never a formula.

    openpyxl turns a string starting with ``=`` into a formula and ``#N/A`` into an error
    value: the data type is forced back to a string, and text starting with ``= + - @``
    (tablib's list) gets the quote prefix, so Excel keeps it as text when the cell is edited.
    """
    text = safe_text(value)
    cell.value = text
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True


# ---------------------------------------------------------------------------------------
# Styles (names only: the reader's machine substitutes fonts it lacks)
# ---------------------------------------------------------------------------------------
_GB = 134  # GB2312 charset, so Excel picks a Chinese font for the name
F_ANNEX = Font(name="黑体", size=14, charset=_GB)
F_TITLE = Font(name="宋体", size=18, bold=True, charset=_GB)
F_LINE = Font(name="仿宋", size=12, charset=_GB)
F_HEAD = Font(name="宋体", size=11, bold=True, charset=_GB)
F_BODY = Font(name="仿宋", size=11, charset=_GB)
F_BOLD = Font(name="仿宋", size=11, bold=True, charset=_GB)
F_SMALL = Font(name="仿宋", size=10, charset=_GB)
F_META = Font(name="宋体", size=10, charset=_GB)
THIN = Side(style="thin", color="FF000000")
FILL_INPUT = PatternFill(fill_type="solid", start_color="FFFFFBE6", end_color="FFFFFBE6")
UNLOCKED = Protection(locked=False)
A_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
A_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
A_LEFT_ONE = Alignment(horizontal="left", vertical="center")
A_RIGHT = Alignment(horizontal="right", vertical="center")
# GB/T 9704 page margins (37/35/28/26 mm) in inches
MARGINS = PageMargins(left=1.10, right=1.02, top=1.46, bottom=1.38, header=0.5, footer=0.5)
LINE_HEIGHT = 15.0  # points per wrapped line of 11 pt text


def display_width(text: str) -> int:
    """Count columns the way Excel sizes them: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _height(text: str, width: float, minimum: float = 20.0) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width`` wide."""
    usable = max(width * 0.9 - 1.0, 1.0)  # bold CJK text runs wider than its count
    lines = max(1, math.ceil(display_width(text) / usable))
    return max(minimum, lines * LINE_HEIGHT + 5)


# ---------------------------------------------------------------------------------------
# Small sheet-building helpers
# ---------------------------------------------------------------------------------------
@dataclass
class _Names:
    """Defined names gathered while a sheet is laid out: name → cell or range (relative)."""

    sheet: str
    refs: dict[str, str]

    def add(self, name: str, ref: str) -> None:
        self.refs[name] = ref


def _abs(ref: str) -> str:
    """Make ``B6`` or ``B6:H9`` absolute (``$B$6``, ``$B$6:$H$9``)."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _define_names(wb: Any, names: _Names) -> None:
    for name, ref in names.refs.items():
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{_quote_sheet(names.sheet)}!{_abs(ref)}"
        )


def _cell(ws: Any, row: int, col: int, value: object = None, *, font: Any = F_BODY,
          align: Any = A_CENTER) -> Any:
    """Style one cell and write spec or user text into it safely."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value)
    elif value is not None:
        cell.value = value
    cell.font = font
    cell.alignment = align
    return cell


def _merge(ws: Any, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _grid(ws: Any, r1: int, c1: int, r2: int, c2: int,
          joined: tuple[int, int] | None = None) -> None:
    """Draw thin borders round every cell of a table; ``joined`` columns (first, last) share
    one box per row, like the 开展情况 cell of a printed form."""
    lo, hi = joined if joined is not None else (0, -1)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            left = None if lo < c <= hi else THIN
            right = None if lo <= c < hi else THIN
            ws.cell(row=r, column=c).border = Border(left=left, right=right, top=THIN,
                                                     bottom=THIN)


def _unlock(cell: Any, number_format: str | None = None) -> None:
    cell.protection = UNLOCKED
    cell.fill = FILL_INPUT
    if number_format is not None:
        cell.number_format = number_format


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dv(kind: str, *, operator: str | None = None, formula1: str | None = None,
        formula2: str | None = None, title: str, prompt: str, error: str,
        ime: str | None = None) -> DataValidation:
    """A data validation with a Chinese input prompt and error message (Excel's length limits)."""
    return DataValidation(
        type=kind, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True,
        showInputMessage=True, showErrorMessage=True, errorStyle="stop",
        promptTitle=_clip(title, 32), prompt=_clip(prompt, 255),
        errorTitle="填写有误", error=_clip(error, 225), imeMode=ime,
    )


def _what(ind: Indicator) -> str:
    """The unit text shown in prompts: ``场``, ``覆盖乡镇 个`` → ``个``, or the blank."""
    return ind.unit or (ind.blank or "")


def indicator_validation(ind: Indicator) -> DataValidation:
    """Build the data validation of one input indicator, by its type and bounds."""
    unit = _what(ind)
    paren = f"（{unit}）" if unit else ""
    where = ind.label + (f"：{ind.blank}" if ind.blank and ind.blank != unit else "")
    lo = 0.0 if ind.min is None else ind.min
    if ind.type == "count":
        if ind.max is not None:
            return _dv("whole", operator="between", formula1=_num(lo), formula2=_num(ind.max),
                       title=f"请填写整数{paren}", ime="off",
                       prompt=f"{where}\n填写{_num(lo)}至{_num(ind.max)}之间的整数{paren}。",
                       error=f"请填写{_num(lo)}至{_num(ind.max)}之间的整数{paren}，不要填写文字。")
        return _dv("whole", operator="greaterThanOrEqual", formula1=_num(lo),
                   title=f"请填写整数{paren}", ime="off",
                   prompt=f"{where}\n填写不小于{_num(lo)}的整数{paren}，没有开展填0。",
                   error=f"请填写不小于{_num(lo)}的整数{paren}，不要填写文字或单位。")
    if ind.type in ("number", "percent"):
        hi = ind.max
        if ind.type == "percent":
            hi = 100.0 if hi is None else hi
            note = "按百分数填写，如 85 表示 85%。"
            title = "请填写0—100之间的数字（%）"
        else:
            note = "可填写小数。"
            title = f"请填写数字{paren}"
        if hi is not None:
            return _dv("decimal", operator="between", formula1=_num(lo), formula2=_num(hi),
                       title=title, ime="off",
                       prompt=f"{where}\n填写{_num(lo)}至{_num(hi)}之间的数字{paren}，{note}",
                       error=f"请填写{_num(lo)}至{_num(hi)}之间的数字{paren}。")
        return _dv("decimal", operator="greaterThanOrEqual", formula1=_num(lo), title=title,
                   ime="off", prompt=f"{where}\n填写不小于{_num(lo)}的数字{paren}，{note}",
                   error=f"请填写不小于{_num(lo)}的数字{paren}。")
    if ind.type == "yes_no":
        return _dv("list", formula1='"是,否"', title="请选择“是”或“否”",
                   prompt=f"{where}\n从下拉列表选择“是”或“否”。", error="只能填写“是”或“否”。")
    noun = "网址" if ind.type == "url" else "文字"
    return _dv("textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX),
               title=f"请填写{noun}（不超过{TEXT_MAX}字）", ime="on" if noun == "文字" else "off",
               prompt=f"{where}\n填写{noun}，不超过{TEXT_MAX}字。",
               error=f"内容过长：请不超过{TEXT_MAX}字。")


def _date_validation(c: Campaign) -> DataValidation:
    lo, hi = c.period_start, c.period_end + timedelta(days=366)
    return _dv("date", operator="between", formula1=f"DATE({lo.year},{lo.month},{lo.day})",
               formula2=f"DATE({hi.year},{hi.month},{hi.day})", title="请填写日期",
               prompt="填写日期，如 2024-12-20 或 2024/12/20。", ime="off",
               error=f"请填写{lo.year}年{lo.month}月{lo.day}日至{hi.year}年{hi.month}月"
                     f"{hi.day}日之间的日期。")


def _text_validation(what: str) -> DataValidation:
    return _dv("textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX),
               title=f"请填写{what}", prompt=f"填写{what}，不超过{TEXT_MAX}字。", ime="on",
               error=f"内容过长：请不超过{TEXT_MAX}字。")


def _add_dv(ws: Any, dv: DataValidation, *refs: str) -> None:
    for ref in refs:
        dv.add(ref)
    ws.add_data_validation(dv)


# ---------------------------------------------------------------------------------------
# Blanks: where the printed text goes round each value
# ---------------------------------------------------------------------------------------
def blank_parts(ind: Indicator) -> tuple[str, str]:
    """Split an indicator's blank into the printed text before and after the value.

    ``覆盖乡镇 个`` → (``覆盖乡镇``, ``个``); ``场`` → (``""``, ``场``); a yes/no or text
    blank such as ``是什么`` is a prompt before the value.
    """
    blank = " ".join((ind.blank or "").split())
    if not blank:
        return "", ""
    if " " in blank:
        before, after = blank.rsplit(" ", 1)
        return before, after
    return ("", blank) if ind.numeric else (blank, "")


def _captions(inds: Sequence[Indicator]) -> list[str]:
    """Caption after each value of a row: its own suffix, then the next blank's prefix."""
    parts = [blank_parts(i) for i in inds]
    out = []
    for k, (_, after) in enumerate(parts):
        nxt = parts[k + 1][0] if k + 1 < len(parts) else ""
        sep = "，" if after and nxt else ""
        out.append(after + sep + (nxt + ("：" if not inds[k + 1].numeric else "") if nxt else ""))
    return out


@dataclass(frozen=True)
class _Row:
    """One printed row of a vertical form: its group, label and the indicators it holds."""

    group: str
    label: str
    indicators: tuple[Indicator, ...]


def _rows(inds: Sequence[Indicator]) -> list[_Row]:
    """Rows of a vertical form in spec order, grouped by 项目 in order of first appearance."""
    by_label: dict[tuple[str, str], list[Indicator]] = {}
    for ind in inds:
        by_label.setdefault((ind.group or "", ind.label), []).append(ind)
    groups: list[str] = []
    for g, _ in by_label:
        if g not in groups:
            groups.append(g)
    return [_Row(g, label, tuple(v)) for g in groups
            for (gg, label), v in by_label.items() if gg == g]


# ---------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------
def _lookup(c: Campaign, unit_code: str, round_id: str | None) -> tuple[Unit, Round]:
    if not c.has_unit(unit_code):
        raise FormError(f"unknown unit {unit_code!r} in campaign {c.id}")
    try:
        rnd = c.round(round_id)
    except KeyError as exc:
        raise FormError(str(exc.args[0])) from None
    return c.unit(unit_code), rnd


def _sheet_title(c: Campaign) -> str:
    raw = safe_text(c.forms.get("sheet") or "统计表")
    title = re.sub(r"[\[\]:*?/\\]", "_", raw).strip("'")[:31]
    if not title or title == FORM_META_SHEET:
        raise FormError(f"forms.sheet {raw!r} cannot be a sheet name")
    return title


def _layout(c: Campaign) -> str:
    layout = c.forms.get("layout")
    if layout is None:
        layout = "vertical" if any(i.group for i in c.input_indicators) else "horizontal"
    if layout not in ("vertical", "horizontal"):
        raise FormError(f"forms.layout {layout!r} is neither 'vertical' nor 'horizontal'")
    return str(layout)


# ---------------------------------------------------------------------------------------
# The texts a form prints: per round, with placeholders
# ---------------------------------------------------------------------------------------
FORM_PLACEHOLDERS: Final = ("unit", "unit_code", "round", "round_label", "period_end",
                            "deadline", "year", "title", "campaign")
"""Names a ``forms:`` text may use as ``{name}`` (the schema's ``forms`` property lists them)."""
ROUND_TEXT_KEYS: Final = ("annex", "title", "subtitle", "unit_line", "round_line",
                          "deadline_line", "header_lines", "footer_lines", "remark_label",
                          "remark_text", "file_name")
"""Keys of ``forms:`` that ``forms.rounds.<round id>`` may set for one round."""
_PATTERN_KEYS: Final = ("annex", "title", "subtitle", "unit_line", "round_line",
                        "deadline_line", "remark_text", "file_name")
DEFAULT_DEADLINE_LINE: Final = "请于{deadline}前报送"
DEFAULT_FILE_NAME: Final = "{unit}_{round_label}统计表"
FILE_NAME_MAX_BYTES: Final = 180
"""A generated file name (roll-ups included) is at most this many UTF-8 bytes, leaving room
for the `` (2)`` and ``.errors.txt`` a quarantine folder adds within the 255 bytes a file
system allows."""
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PERIOD_LABEL = re.compile(r"^(截至|截止)")


def cn_date(day: date) -> str:
    """Write a date as a notice does: ``2025年6月15日``.

    >>> cn_date(date(2025, 6, 5))
    '2025年6月5日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class FormText:
    """Every text a form (or roll-up) of one unit for one round prints, resolved.

    ``round_line`` says the round and its 截至 date (``中期统计（截至2025年6月15日）``, after
    the unit's name when no 填报单位 line is printed above the table); ``deadline_line`` says
    when it is due (``请于2025年6月18日前报送``); ``header_lines``/``footer_lines`` are the
    填报单位/填报日期 lines (the layout's defaults applied).
    """

    annex: str | None
    title: str
    subtitle: str | None
    unit_line: str | None
    round_line: str
    deadline_line: str
    header_lines: tuple[str, ...]
    footer_lines: tuple[str, ...]
    remark_label: str | None
    remark_text: str | None

    def band(self) -> dict[str, str]:
        """The texts printed above the table, by key (what the identity sheet records)."""
        out = {"annex": self.annex, "title": self.title, "subtitle": self.subtitle,
               "unit_line": self.unit_line, "round_line": self.round_line,
               "deadline_line": self.deadline_line}
        return {k: safe_text(v) for k, v in out.items() if v}


def round_settings(campaign: Campaign, round_id: str | None = None) -> dict[str, Any]:
    """Return the ``forms:`` settings of one round: ``forms.rounds.<id>`` over the rest.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> round_settings(c, "midyear")["subtitle"]
    '(2024 年)'
    """
    rnd = _lookup(campaign, campaign.top.code, round_id)[1]
    base = {k: v for k, v in campaign.forms.items() if k != "rounds"}
    own = (campaign.forms.get("rounds") or {}).get(rnd.id) or {}
    bad = sorted(k for k in own if k not in ROUND_TEXT_KEYS)
    if bad:
        raise FormError(f"forms.rounds.{rnd.id}: {', '.join(bad)} cannot differ per round "
                        f"(these can: {', '.join(ROUND_TEXT_KEYS)})")
    return {**base, **own}


def _values(c: Campaign, unit: Unit, rnd: Round) -> dict[str, str]:
    return {"unit": unit.name, "unit_code": unit.code, "round": rnd.id,
            "round_label": rnd.label, "period_end": cn_date(rnd.period_end.date),
            "deadline": cn_date(rnd.deadline), "year": str(rnd.period_end.date.year),
            "title": c.title, "campaign": c.id}


def _render(pattern: object, values: Mapping[str, str], key: str) -> str:
    """Fill ``{unit}``-style placeholders; an unknown one is a FormError naming the key."""
    text = str(pattern)

    def fill(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise FormError(f"forms.{key}: unknown placeholder {m.group(0)} in {text!r} "
                            f"(known: {', '.join('{' + n + '}' for n in FORM_PLACEHOLDERS)})")
        return values[m.group(1)]

    return _PLACEHOLDER.sub(fill, text)


def _default_round_line(rnd: Round, unit_above: bool) -> str:
    line = ("{round_label}统计（{period_end}）" if _PERIOD_LABEL.match(rnd.label)
            else "{round_label}统计（截至{period_end}）")
    return line if unit_above else "{unit}\u3000" + line


def form_text(campaign: Campaign, unit_code: str, round_id: str | None = None) -> FormText:
    r"""Resolve the texts of one unit's form for a round (pure; see docs/forms.md).

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("tests/data/shandong_jobs_2025/campaign.yaml")
    >>> t = form_text(c, "SD01", "mid")
    >>> t.round_line, t.deadline_line
    ('济南市\u3000中期统计（截至2025年6月15日）', '请于2025年6月18日前报送')
    """
    unit, rnd = _lookup(campaign, unit_code, round_id)
    f = round_settings(campaign, rnd.id)
    values = _values(campaign, unit, rnd)
    layout = _layout(campaign)

    def text(key: str, default: str | None = None) -> str | None:
        raw = f.get(key)
        if raw is None or raw == "":
            return None if default is None else _render(default, values, key)
        return _render(raw, values, key)

    header = tuple(str(x) for x in f.get("header_lines") or (
        ("填报单位：", "填报时间：") if layout == "vertical" else ()))
    footer = tuple(str(x) for x in f.get("footer_lines") or ())
    if layout == "horizontal" and not header and not footer:
        footer = ("填表单位：", "填表日期：")
    unit_above = any("单位" in line for line in header)
    round_line = text("round_line", _default_round_line(rnd, unit_above))
    assert round_line is not None
    end = rnd.period_end.date
    if rnd.label not in round_line and f"{end.month}月{end.day}日" not in round_line:
        raise FormError(f"forms.round_line {round_line!r} of round {rnd.id} states neither "
                        f"its label {rnd.label!r} nor its period end {cn_date(end)}")
    deadline_line = text("deadline_line", DEFAULT_DEADLINE_LINE)
    assert deadline_line is not None
    return FormText(
        annex=text("annex"), title=text("title", "{title}情况统计表") or "",
        subtitle=text("subtitle"), unit_line=text("unit_line"), round_line=round_line,
        deadline_line=deadline_line, header_lines=header, footer_lines=footer,
        remark_label=None if f.get("remark_label") is None else str(f["remark_label"]),
        remark_text=text("remark_text"),
    )


def _check_ids(inds: Iterable[Indicator]) -> None:
    bad = [i.id for i in inds if i.id in RESERVED_NAMES or i.id.startswith("rollup_")]
    if bad:
        raise FormError(f"indicator ids {', '.join(bad)} clash with the form's own names "
                        f"(ck_unit, ck_date, ck_remarks, ck_round, ck_band, ck_rollup_*)")


def _identity(wb: Any, pairs: Sequence[tuple[str, str]]) -> None:
    ws = wb.create_sheet(FORM_META_SHEET)
    for r, (key, value) in enumerate(pairs, start=1):
        _cell(ws, r, 1, key, font=F_META, align=A_LEFT_ONE)
        _cell(ws, r, 2, value, font=F_META, align=A_LEFT_ONE)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _identity_pairs(c: Campaign, unit: Unit, rnd: Round, kind: str, layout: str,
                    sheet: str, text: FormText) -> list[tuple[str, str]]:
    """The identity rows: who, which round, which form; then the texts printed above the
    table as the form printed them (ingest holds only edited texts against the round)."""
    return [
        ("campaign", c.id), ("unit", unit.code), ("unit_name", unit.name), ("round", rnd.id),
        ("round_label", rnd.label), ("period_end", rnd.period_end.date.isoformat()),
        ("deadline", rnd.deadline.isoformat()),
        ("form_version", str(c.form_version)), ("kind", kind), ("generator", GENERATOR),
        ("layout", layout), ("sheet", sheet), *text.band().items(),
    ]


def _lines(ws: Any, row: int, lines: Sequence[object], unit: Unit, names: _Names,
           value_end: int, c: Campaign) -> int:
    """Write 填报单位/填报时间-style lines from ``row``; return the next free row.

    A line naming 单位 gets the unit name (locked, ``ck_unit``); a line naming 日期 or 时间
    gets an unlocked date cell (``ck_date``); any other line gets an unlocked text cell.
    """
    for text in lines:
        label = safe_text(text)
        _cell(ws, row, 1, label, font=F_LINE, align=A_LEFT_ONE)
        value = _cell(ws, row, 2, font=F_LINE, align=A_LEFT_ONE)
        if "单位" in label:
            put_text(value, unit.name)
            _merge(ws, row, 2, row, value_end)
            names.add("ck_unit", value.coordinate)
        elif "日期" in label or "时间" in label:
            _unlock(value, DATE_FORMAT)
            _add_dv(ws, _date_validation(c), value.coordinate)
            names.add("ck_date", value.coordinate)
        else:
            _unlock(value, "@")
            _merge(ws, row, 2, row, value_end)
            _add_dv(ws, _text_validation(label.rstrip("：:") or "内容"), value.coordinate)
        ws.row_dimensions[row].height = 24
        row += 1
    return row


def _head(ws: Any, text: FormText, last_col: int, names: _Names, *,
          annex: bool = True) -> int:
    """Write the annex line, title, subtitle, round line and 单位 line; return the next row.

    The round line (``ck_round``) says the round and its 截至 date on the left and the
    deadline on the right, locked like every printed text.
    """
    row = 1
    if annex and text.annex:
        _cell(ws, row, 1, text.annex, font=F_ANNEX, align=A_LEFT_ONE)
        ws.row_dimensions[row].height = 24
        row += 1
    _cell(ws, row, 1, text.title, font=F_TITLE)
    _merge(ws, row, 1, row, last_col)
    ws.row_dimensions[row].height = 36
    row += 1
    if text.subtitle:
        _cell(ws, row, 1, text.subtitle, font=F_LINE)
        _merge(ws, row, 1, row, last_col)
        ws.row_dimensions[row].height = 22
        row += 1
    split = max(1, last_col - max(1, (last_col - 1) // 2))
    left = _cell(ws, row, 1, text.round_line, font=F_LINE, align=A_LEFT)
    _merge(ws, row, 1, row, split)
    names.add("ck_round", left.coordinate)
    right_col = min(split + 1, last_col)
    if right_col > split:
        _cell(ws, row, right_col, text.deadline_line, font=F_LINE,
              align=Alignment(horizontal="right", vertical="center", wrap_text=True))
        _merge(ws, row, right_col, row, last_col)
    ws.row_dimensions[row].height = max(
        _height(text.round_line, _cols_width(ws, 1, split), 22),
        _height(text.deadline_line, _cols_width(ws, right_col, last_col), 22))
    row += 1
    if text.unit_line:
        _cell(ws, row, 1, text.unit_line, font=F_LINE, align=A_LEFT_ONE)
        _merge(ws, row, 1, row, last_col)
        ws.row_dimensions[row].height = 22
        row += 1
    return row


def _cols_width(ws: Any, first: int, last: int) -> float:
    return float(sum(ws.column_dimensions[get_column_letter(k)].width or 9
                     for k in range(first, last + 1)))


def _band(names: _Names, last_col: int, header_row: int) -> None:
    """Name the rows above the table (``ck_band``): what a clerk reads before the figures."""
    if header_row > 1:
        names.add("ck_band", f"A1:{get_column_letter(last_col)}{header_row - 1}")


def _print_header(ws: Any, unit: Unit, text: FormText) -> None:
    """Print the unit, the round line and the deadline at the top of every page."""
    def part(value: str) -> str:
        return _clip(safe_text(value).replace("&", "&&"), 80)

    if unit.name not in text.round_line:
        ws.oddHeader.left.text = part(unit.name)
    ws.oddHeader.center.text = part(text.round_line)
    ws.oddHeader.right.text = part(text.deadline_line)


def _page(ws: Any, *, landscape: bool, title_rows: str, area: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows
    ws.print_area = area
    ws.oddFooter.center.text = "— &P —"
    ws.sheet_view.showGridLines = False


def _protect(ws: Any) -> None:
    ws.protection.sheet = True
    ws.protection.formatRows = False  # rows and columns may still be resized
    ws.protection.formatColumns = False


def _input(ws: Any, row: int, col: int, ind: Indicator, names: _Names) -> Any:
    cell = ws.cell(row=row, column=col)
    cell.font = F_BODY
    cell.alignment = A_LEFT if ind.type in ("text", "url") else A_CENTER
    _unlock(cell, "@" if ind.type in ("text", "url") else "General")
    _add_dv(ws, indicator_validation(ind), cell.coordinate)
    names.add(NAME_PREFIX + ind.id, cell.coordinate)
    return cell


def _build_vertical(wb: Any, c: Campaign, unit: Unit, text: FormText, names: _Names) -> None:
    ws = wb.active
    rows = _rows(c.input_indicators)
    slots = max([1, *(len(r.indicators) for r in rows)])
    last = 2 + 2 * slots
    cols = [str(x) for x in c.forms.get("columns") or ("项 目", "内 容", "开展情况")]
    header_lines = list(text.header_lines)
    width_a = max(display_width(str(s)) for s in
                  [*cols[:1], *header_lines, *(r.group for r in rows),
                   text.remark_label or ""]) + 2
    width_b = 44.0
    ws.column_dimensions["A"].width = max(12, width_a)
    ws.column_dimensions["B"].width = width_b
    caption_width = [0] * slots
    for r in rows:
        for k, cap in enumerate(_captions(r.indicators)):
            caption_width[k] = max(caption_width[k], display_width(cap))
    for k in range(slots):
        ws.column_dimensions[get_column_letter(3 + 2 * k)].width = 10
        ws.column_dimensions[get_column_letter(4 + 2 * k)].width = max(5, caption_width[k] + 2)

    row = _head(ws, text, last, names)
    row = _lines(ws, row, header_lines, unit, names, 2, c)
    header = row
    _band(names, last, header)
    for col, head in zip((1, 2, 3), cols, strict=False):
        _cell(ws, row, col, head, font=F_HEAD)
    _merge(ws, row, 3, row, last)
    ws.row_dimensions[row].height = 28
    row += 1
    first = row
    group_start: dict[str, int] = {}
    for r in rows:
        group_start.setdefault(r.group, row)
        _cell(ws, row, 1, r.group, font=F_BOLD)
        _cell(ws, row, 2, r.label, align=A_LEFT)
        ws.row_dimensions[row].height = _height(r.label, width_b, 24)
        captions = _captions(r.indicators)
        for k, ind in enumerate(r.indicators):
            _input(ws, row, 3 + 2 * k, ind, names)
            if ind.type in ("text", "url") and k == len(r.indicators) - 1:
                for col in range(4 + 2 * k, last + 1):
                    ws.cell(row=row, column=col).protection = UNLOCKED
                _merge(ws, row, 3 + 2 * k, row, last)
                break
            _cell(ws, row, 4 + 2 * k, captions[k] or None, font=F_SMALL, align=A_LEFT_ONE)
        row += 1
    for g, start in group_start.items():
        end = max(i for i, r in enumerate(rows, start=first) if r.group == g)
        _merge(ws, start, 1, end, 1)
    end_table = row - 1
    remark = text.remark_label
    if remark:
        _cell(ws, row, 1, remark, font=F_BOLD)
        _merge(ws, row, 1, row + REMARK_ROWS, 1)
        remark_text = text.remark_text or ""
        _cell(ws, row, 2, remark_text, align=A_LEFT)
        _merge(ws, row, 2, row, last)
        ws.row_dimensions[row].height = _height(remark_text, width_b + 40, 24)
        labels: list[str] = []
        values: list[str] = []
        for k in range(1, REMARK_ROWS + 1):
            lab = ws.cell(row=row + k, column=2)
            val = ws.cell(row=row + k, column=3)
            for cell in (lab, val):
                cell.font = F_BODY
                cell.alignment = A_LEFT
                _unlock(cell, "@")
            for col in range(4, last + 1):
                ws.cell(row=row + k, column=col).protection = UNLOCKED
            _merge(ws, row + k, 3, row + k, last)
            ws.row_dimensions[row + k].height = 24
            labels.append(lab.coordinate)
            values.append(val.coordinate)
        _add_dv(ws, _text_validation("补充项目名称"), *labels)
        _add_dv(ws, _text_validation("补充项目开展情况"), *values)
        names.add("ck_remarks", f"B{row + 1}:{get_column_letter(last)}{row + REMARK_ROWS}")
        end_table = row + REMARK_ROWS
    _grid(ws, header, 1, end_table, last, joined=(3, last))
    row = end_table + 1
    footer = list(text.footer_lines)
    if footer:
        row = _lines(ws, row + 1, footer, unit, names, 2, c)
    total_width = sum(ws.column_dimensions[get_column_letter(k)].width
                      for k in range(1, last + 1))
    _page(ws, landscape=total_width > 150, title_rows=f"{header}:{header}",
          area=f"A1:{get_column_letter(last)}{row - 1}")


def _build_horizontal(wb: Any, c: Campaign, unit: Unit, text: FormText,
                      names: _Names) -> None:
    ws = wb.active
    inds = c.input_indicators
    last = 1 + len(inds)
    labels = [i.label for i in inds]
    heads = [i.label if labels.count(i.label) == 1 else f"{i.label}（{i.blank or i.id}）"
             for i in inds]
    first_col = str(c.forms.get("first_column") or "项目")
    total = str(c.forms.get("total_label") or "总计")
    header_lines = list(text.header_lines)
    footer = list(text.footer_lines)
    width_a = max(12, max(display_width(s) for s in
                          [first_col, total, *map(str, header_lines), *map(str, footer)]) + 2)
    ws.column_dimensions["A"].width = width_a
    width = 16.0
    for k in range(2, last + 1):
        ws.column_dimensions[get_column_letter(k)].width = width
    value_end = min(3, last)
    row = _head(ws, text, last, names)
    row = _lines(ws, row, header_lines, unit, names, value_end, c)
    header = row
    _band(names, last, header)
    _cell(ws, row, 1, first_col, font=F_HEAD)
    for k, head in enumerate(heads, start=2):
        _cell(ws, row, k, head, font=F_HEAD)
    ws.row_dimensions[row].height = max(_height(h, width, 30) for h in heads)
    row += 1
    _cell(ws, row, 1, total, font=F_BOLD)
    for k, ind in enumerate(inds, start=2):
        _input(ws, row, k, ind, names)
    ws.row_dimensions[row].height = 30
    _grid(ws, header, 1, row, last)
    row += 1
    if footer:
        row = _lines(ws, row + 1, footer, unit, names, value_end, c)
    total_width = width_a + width * len(inds)
    _page(ws, landscape=total_width > 110, title_rows=f"{header}:{header}",
          area=f"A1:{get_column_letter(last)}{row - 1}")


def build_form(campaign: Campaign, unit_code: str, round_id: str | None = None) -> Any:
    """Build the return form of one unit for a round (default: the final round).

    Returns an openpyxl ``Workbook`` in the layout of the notice's own annex (see the module
    docstring for the cells), protected, with validations, identity sheet and defined names.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> wb = build_form(c, "HB01")
    >>> wb["统计表"]["B4"].value, input_cells(wb)["township_coverage"]
    ('武汉市', ('统计表', 'G18'))
    >>> wb["统计表"]["A3"].value, wb["统计表"]["F3"].value
    ('年度统计（截至2024年12月31日）', '请于2024年12月20日前报送')
    """
    unit, rnd = _lookup(campaign, unit_code, round_id)
    _check_ids(campaign.input_indicators)
    layout = _layout(campaign)
    sheet = _sheet_title(campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    names = _Names(sheet, {})
    text = form_text(campaign, unit.code, rnd.id)
    if layout == "vertical":
        _build_vertical(wb, campaign, unit, text, names)
    else:
        _build_horizontal(wb, campaign, unit, text, names)
    _print_header(ws, unit, text)
    _protect(ws)
    _identity(wb, _identity_pairs(campaign, unit, rnd, "return", layout, sheet, text))
    _define_names(wb, names)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = GENERATOR
    wb.properties.title = safe_text(f"{text.title} — {unit.name} — {text.round_line}")
    return wb


# ---------------------------------------------------------------------------------------
# Reading identity and names back (used by ingest)
# ---------------------------------------------------------------------------------------
def read_identity(workbook: Any) -> dict[str, str] | None:
    """Return the key/value rows of the ``_campaignkit`` sheet, or None when there is none.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> read_identity(build_form(c, "FJ02"))["unit"]
    'FJ02'
    """
    if FORM_META_SHEET not in workbook.sheetnames:
        return None
    ws = workbook[FORM_META_SHEET]
    out: dict[str, str] = {}
    for key, value, *_ in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if isinstance(key, str) and key.strip():
            out[key.strip()] = "" if value is None else str(value)
    return out


def defined_cells(workbook: Any, prefix: str = NAME_PREFIX) -> dict[str, tuple[str, str]]:
    """Resolve workbook-level defined names starting with ``prefix``.

    Returns full name → (sheet, cell or range without ``$``), e.g.
    ``{"ck_unit": ("统计表", "B8"), "ck_remarks": ("统计表", "B28:H32")}``; names that do
    not point at one range of one sheet (``#REF!``) are left out.
    """
    out: dict[str, tuple[str, str]] = {}
    for name, dn in workbook.defined_names.items():
        if not str(name).startswith(prefix):
            continue
        try:
            dests = list(dn.destinations)
        except (AttributeError, TypeError, ValueError):
            continue
        if len(dests) != 1:
            continue
        sheet, ref = dests[0]
        if sheet is None or sheet not in workbook.sheetnames:
            continue
        out[str(name)] = (str(sheet), str(ref).replace("$", ""))
    return out


def input_cells(workbook: Any) -> dict[str, tuple[str, str]]:
    """Map every indicator id of a return form to its (sheet, cell), from ``ck_<id>`` names.

    ``ck_unit``, ``ck_date``, ``ck_remarks`` and roll-up names are not indicators and are left
    out; look them up with ``defined_cells``.
    """
    out: dict[str, tuple[str, str]] = {}
    for name, place in defined_cells(workbook).items():
        ident = name[len(NAME_PREFIX):]
        if ident in RESERVED_NAMES or name.startswith(ROLLUP_PREFIX) or ":" in place[1]:
            continue
        out[ident] = place
    return out


def rollup_cells(workbook: Any) -> dict[str, tuple[str, str]]:
    """Map every indicator id of a roll-up to its 总计 (sheet, cell), from ``ck_rollup_<id>``."""
    return {name[len(ROLLUP_PREFIX):]: place
            for name, place in defined_cells(workbook, ROLLUP_PREFIX).items()}


# ---------------------------------------------------------------------------------------
# Roll-ups
# ---------------------------------------------------------------------------------------
_FIGURE_LABELS = {"townships": "乡镇数"}
COL_WIDTH: Final = 11.0  # roll-up indicator columns
_NUMBER_FORMATS = {"count": "0", "number": "0.00", "percent": "0.0"}


def _formula_names(text: str) -> list[str]:
    tree = ast.parse(text, mode="eval")
    seen: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in seen:
            seen.append(node.id)
    return seen


class _Excel:
    """Translate a spec formula to an Excel expression over given cell references.

    A missing part gives an empty cell (``""``), a zero denominator too, as in
    ``Formula.evaluate``; ``count_positive``, ``min`` and ``max`` skip missing arguments.
    """

    def __init__(self, refs: Mapping[str, str]) -> None:
        self.refs = refs
        self.required: list[str] = []
        self.denominators: list[str] = []

    def translate(self, text: str) -> str | None:
        try:
            body = self._expr(ast.parse(text, mode="eval").body, guarded=True)
        except KeyError:
            return None
        out = body
        if self.denominators:
            zero = ",".join(f"{d}=0" for d in self.denominators)
            out = f'IF(OR({zero}),"",{out})'
        if self.required:
            empty = ",".join(f'{r}=""' for r in self.required)
            out = f'IF(OR({empty}),"",{out})'
        return "=" + out

    def _expr(self, node: ast.AST, guarded: bool) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return _num(float(node.value))
        if isinstance(node, ast.Name):
            ref = self.refs[node.id]
            if guarded and ref not in self.required:
                self.required.append(ref)
            return ref
        if isinstance(node, ast.UnaryOp):
            inner = self._expr(node.operand, guarded)
            return f"-({inner})" if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            a = self._expr(node.left, guarded)
            b = self._expr(node.right, guarded)
            op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
            if op == "/" and b not in self.denominators:
                self.denominators.append(b)
            return f"({a}{op}{b})"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [self._expr(a, guarded=False) for a in node.args]
            count = f"COUNT({','.join(args)})"
            if node.func.id == "count_positive":
                body = "+".join(f"IF(N({a})>0,1,0)" for a in args)
            else:
                body = f"{node.func.id.upper()}({','.join(args)})"
            return f'IF({count}=0,"",{body})'
        raise KeyError(type(node).__name__)


def _sub_header(ind: Indicator) -> str:
    before, after = blank_parts(ind)
    unit = after or ind.unit or ""
    if before and unit:
        return f"{before}（{unit}）"
    return before or unit or ind.label


@dataclass(frozen=True)
class _Col:
    """A roll-up column: an indicator or a unit reference figure."""

    key: str
    group: str
    label: str
    sub: str
    indicator: Indicator | None


def _rollup_columns(c: Campaign) -> list[_Col]:
    inds = [i for i in c.input_indicators if i.numeric]
    labels = [i.label for i in inds]
    cols = []
    for i in inds:
        single = labels.count(i.label) == 1
        unit = f"（{i.unit}）" if i.unit else ""
        cols.append(_Col(i.id, i.group or "", i.label + unit if single else i.label,
                         "" if single else _sub_header(i), i))
    ids = {i.id for i in inds}
    figures: list[str] = []
    for i in inds:
        if i.formula is not None:
            figures.extend(n for n in _formula_names(i.formula.text)
                           if n not in ids and n not in figures and not _is_indicator(c, n))
    for f in figures:
        cols.append(_Col(f, "参考", f"{_FIGURE_LABELS.get(f, f)}（参考）", "", None))
    return cols


def _is_indicator(c: Campaign, name: str) -> bool:
    try:
        c.indicator(name)
    except KeyError:
        return False
    return True


def _row_units(c: Campaign, parent: Unit,
               rows: Mapping[str, Mapping[str, float | int | None]]) -> list[tuple[Unit, str]]:
    children = list(c.children(parent.code))
    known = {u.code for u in children} | {parent.code}
    bad = sorted(k for k in rows if k not in known)
    if bad:
        raise FormError(f"rows for {', '.join(bad)}: not a direct child of {parent.code} "
                        f"({parent.name}) nor the unit itself")
    out = [(parent, f"{parent.name}本级")] if parent.code in rows else []
    out.extend((u, u.name) for u in children)
    if not out:
        raise FormError(f"{parent.code} ({parent.name}) has no child units to roll up")
    return out


def _value(code: str, key: str, raw: object) -> float | int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise FormError(f"rows[{code!r}][{key!r}]: {raw!r} is not a number")
    return raw


def build_rollup(campaign: Campaign, parent_code: str,
                 rows: Mapping[str, Mapping[str, float | int | None]],
                 round_id: str | None = None) -> Any:
    """Build the roll-up table a city or the province sends upward.

    One row per direct child of ``parent_code`` (and a ``…本级`` row first when ``rows`` has
    the parent's own figures), one column per numeric input indicator (grouped and labelled as
    on the form, with units), reference figures used by derived indicators (乡镇数), and a
    总计 row of Excel formulas: sums for summed indicators, ratios recomputed from the summed
    parts (``=IF(…="","",IF(…=0,"",D19/Z19*100))``), weighted means by SUMPRODUCT. Missing
    values stay empty, so a column nobody reported totals to an empty cell, never 0. A row
    may carry a reference figure by name (``townships``; None leaves it empty, for a unit that
    contributed nothing); otherwise the spec's figure is written.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
    >>> wb = build_rollup(c, "FJ", {"FJ01": {"sessions": 3}, "FJ02": {"sessions": 4}})
    >>> ws = wb["统计表"]; sheet, cell = rollup_cells(wb)["sessions"]; ws[cell].value
    '=IF(COUNT(B6:B16)=0,"",SUM(B6:B16))'
    """
    parent, rnd = _lookup(campaign, parent_code, round_id)
    _check_ids(campaign.input_indicators)
    units = _row_units(campaign, parent, rows)
    cols = _rollup_columns(campaign)
    if not cols:
        raise FormError(f"campaign {campaign.id} has no numeric input indicators to roll up")
    sheet = _sheet_title(campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    names = _Names(sheet, {})
    first_col = 2
    last = first_col + len(cols) - 1
    code_col = last + 1  # hidden helper column: the unit code of each row
    col_of = {col.key: first_col + k for k, col in enumerate(cols)}
    letter = {key: get_column_letter(n) for key, n in col_of.items()}

    ws.column_dimensions["A"].width = max(14, max(display_width(n) for _, n in units) + 2)
    for n in col_of.values():
        ws.column_dimensions[get_column_letter(n)].width = COL_WIDTH
    ws.column_dimensions[get_column_letter(code_col)].width = 10
    ws.column_dimensions[get_column_letter(code_col)].hidden = True
    text = form_text(campaign, parent.code, rnd.id)
    row = _head(ws, text, last, names, annex=False)
    row = _lines(ws, row, list(text.header_lines), parent, names, min(first_col + 2, last),
                 campaign)
    _band(names, last, row)

    has_groups = any(col.group for col in cols)
    has_sub = any(col.sub for col in cols)
    head_top = row
    label_row = row + (1 if has_groups else 0)
    sub_row = label_row + (1 if has_sub else 0)
    head_end = sub_row
    _cell(ws, head_top, 1, "单位", font=F_HEAD)
    _merge(ws, head_top, 1, head_end, 1)
    _cell(ws, head_top, code_col, "代码", font=F_HEAD)
    _merge(ws, head_top, code_col, head_end, code_col)

    def spans(attr: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for k, col in enumerate(cols):
            value = getattr(col, attr)
            if out and out[-1][2] == value and getattr(cols[k - 1], attr) == value:
                out[-1] = (out[-1][0], first_col + k, value)
            else:
                out.append((first_col + k, first_col + k, value))
        return out

    if has_groups:
        for c1, c2, g in spans("group"):
            _cell(ws, head_top, c1, g, font=F_HEAD)
            _merge(ws, head_top, c1, head_top, c2)
    for c1, c2, label in spans("label"):
        _cell(ws, label_row, c1, label, font=F_HEAD)
        single = not any(cols[k - first_col].sub for k in range(c1, c2 + 1))
        _merge(ws, label_row, c1, sub_row if single else label_row, c2)
    if has_sub:
        for k, col in enumerate(cols):
            if col.sub:
                _cell(ws, sub_row, first_col + k, col.sub, font=F_HEAD)
    sub_height = max([_height(col.sub, COL_WIDTH) for col in cols if col.sub] or [0.0])
    if has_sub:
        ws.row_dimensions[sub_row].height = sub_height
    need = [_height(label, COL_WIDTH * (c2 - c1 + 1), 30)
            - (sub_height if not any(cols[k - first_col].sub for k in range(c1, c2 + 1))
               else 0.0)
            for c1, c2, label in spans("label")]
    ws.row_dimensions[label_row].height = min(max([24.0, *need]), 200)
    row = head_end + 1

    first_data = row
    for unit, name in units:
        values = rows.get(unit.code, {})
        _cell(ws, row, 1, name, align=A_LEFT)
        _cell(ws, row, code_col, unit.code)
        for col in cols:
            n = col_of[col.key]
            cell = _cell(ws, row, n)
            if col.indicator is None:
                # a row may carry the figure it stands on (None: the unit contributed none)
                cell.value = (_value(unit.code, col.key, values[col.key]) if col.key in values
                              else unit.figures.get(col.key))
                cell.number_format = "0"
                continue
            cell.number_format = _NUMBER_FORMATS.get(col.indicator.type, "General")
            value = _value(unit.code, col.key, values.get(col.key))
            if value is not None:
                cell.value = value
            elif col.indicator.formula is not None:
                refs = {k: f"{letter[k]}{row}" for k in letter}
                cell.value = _Excel(refs).translate(col.indicator.formula.text)
        ws.row_dimensions[row].height = 20
        row += 1
    last_data = row - 1

    total = row
    _cell(ws, total, 1, str(campaign.forms.get("total_label") or "总计"), font=F_BOLD)
    total_refs = {k: f"{letter[k]}{total}" for k in letter}
    for col in cols:
        n = col_of[col.key]
        rng = f"{letter[col.key]}{first_data}:{letter[col.key]}{last_data}"
        cell = _cell(ws, total, n, font=F_BOLD)
        if col.indicator is None:
            cell.value = f'=IF(COUNT({rng})=0,"",SUM({rng}))'
            cell.number_format = "0"
        else:
            cell.number_format = _NUMBER_FORMATS.get(col.indicator.type, "General")
            cell.value = _total_formula(col.indicator, rng, letter, first_data, last_data,
                                        total_refs)
            names.add(ROLLUP_PREFIX + col.indicator.id, cell.coordinate)
    ws.row_dimensions[total].height = 22
    _grid(ws, head_top, 1, total, last)
    row = _basis_rows(ws, campaign, parent, units, rows, total_refs, total + 2,
                      min(4, code_col - 1))
    footer = list(text.footer_lines)
    if footer:
        row = _lines(ws, row + 1, footer, parent, names, min(first_col + 2, last), campaign)
    _print_header(ws, parent, text)
    ws.freeze_panes = ws.cell(row=first_data, column=first_col)
    width = sum(ws.column_dimensions[get_column_letter(k)].width or 9
                for k in range(1, last + 1))
    _page(ws, landscape=width > 100, title_rows=f"{head_top}:{head_end}",
          area=f"A1:{get_column_letter(last)}{row - 1}")
    pairs = _identity_pairs(campaign, parent, rnd, "rollup", "rollup", sheet, text)
    pairs.append(("children", ",".join(u.code for u, _ in units)))
    _identity(wb, pairs)
    _define_names(wb, names)
    wb.properties.creator = GENERATOR
    wb.properties.title = safe_text(f"{text.title} — {parent.name}汇总 — {text.round_line}")
    return wb


def _basis_rows(ws: Any, c: Campaign, parent: Unit, units: Sequence[tuple[Unit, str]],
                rows: Mapping[str, Mapping[str, float | int | None]],
                total_refs: Mapping[str, str], row: int, last: int) -> int:
    """Write each coverage over two labelled bases below the table; return the next free row.

    ``（已报送单位）``: the 总计 numerator over the figure of the rows that carry one (as the
    reference column and the 总计 row count it); ``（全部单位）``: over the figure of every
    row unit in the spec (a ``本级`` row its own part: the parent's figure less its units').
    Only derived indicators that read exactly one unit figure (``townships``) get the pair.
    """
    kids = [u for u, _ in units if u.code != parent.code]
    next_row = row
    for ind in c.indicators:
        if ind.formula is None or not ind.numeric:
            continue
        figs = [n for n in _formula_names(ind.formula.text) if not _is_indicator(c, n)]
        if len(figs) != 1:
            continue
        key = figs[0]
        given = [_row_figure(rows, u, key) for u, _ in units]
        in_spec = [_spec_figure(u, key, kids if u.code == parent.code else ())
                   for u, _ in units]
        reported = [g for g in given if g is not None]
        expected = [f for f in in_spec if f is not None]
        label = _label_of(ind)
        heads = ["口径", f"{label}（{ind.unit}）" if ind.unit else label,
                 _FIGURE_LABELS.get(key, key), "单位数"][:last]
        r = next_row
        for k, head in enumerate(heads, start=1):
            _cell(ws, r, k, head, font=F_HEAD)
        for basis, figure, count in (
                ("已报送单位", sum(reported) if reported else None, f"已报送 {len(reported)} 个"),
                ("全部单位", sum(expected) if expected else None, f"共 {len(expected)} 个")):
            r += 1
            _cell(ws, r, 1, f"{label}（{basis}）", align=A_LEFT)
            fig_cell = _cell(ws, r, 3, figure)
            fig_cell.number_format = "0"
            value = _cell(ws, r, 2)
            value.value = _Excel({**total_refs, key: fig_cell.coordinate}).translate(
                ind.formula.text)  # a formula we built, never user text
            value.number_format = _NUMBER_FORMATS.get(ind.type, "General")
            if last >= 4:
                _cell(ws, r, 4, count)
        for k in range(next_row, r + 1):
            ws.row_dimensions[k].height = 30
        _grid(ws, next_row, 1, r, min(4, last))
        next_row = r + 2
    return next_row - 1 if next_row > row else row - 1


def _row_figure(rows: Mapping[str, Mapping[str, float | int | None]], unit: Unit,
                key: str) -> float | None:
    """The figure a roll-up row stands on, as its reference column writes it."""
    values = rows.get(unit.code)
    if values is None:
        return None
    raw = values[key] if key in values else unit.figures.get(key)
    return None if raw is None else float(raw)


def _spec_figure(unit: Unit, key: str, kids: Sequence[Unit]) -> float | None:
    """A row unit's figure in the spec; for a ``本级`` row (``kids`` given) its own part."""
    own = unit.figures.get(key)
    if own is None or not kids:
        return own
    return max(own - sum(k.figures.get(key) or 0.0 for k in kids), 0.0)


def _label_of(ind: Indicator) -> str:
    """The printed name of a derived figure: its label, or its blank where labels are shared."""
    blank = (ind.blank or "").replace(" ", "").replace(ind.unit or "\x00", "").strip()
    return blank if blank and blank not in ind.label else ind.label


def _total_formula(ind: Indicator, rng: str, letter: Mapping[str, str], first: int, last: int,
                   total_refs: Mapping[str, str]) -> str | None:
    """The 总计 formula of one indicator column (None: nothing sensible to total)."""
    if ind.formula is not None:
        return _Excel(total_refs).translate(ind.formula.text)
    guard = f'IF(COUNT({rng})=0,"",'
    if ind.aggregate == "sum":
        return f"={guard}SUM({rng}))"
    if ind.aggregate == "mean":
        return f"={guard}AVERAGE({rng}))"
    if ind.aggregate in ("min", "max"):
        return f"={guard}{ind.aggregate.upper()}({rng}))"
    if ind.aggregate == "weighted_mean" and ind.weight is not None and ind.weight in letter:
        w = f"{letter[ind.weight]}{first}:{letter[ind.weight]}{last}"
        den = f'SUMPRODUCT({w},--({rng}<>""))'
        return f'=IF({den}=0,"",SUMPRODUCT({w},{rng})/{den})'
    return None


# ---------------------------------------------------------------------------------------
# Bytes and files
# ---------------------------------------------------------------------------------------
def workbook_bytes(workbook: Any) -> bytes:
    """Serialise a workbook to .xlsx bytes (no file is touched)."""
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


_UNSAFE_FILE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_FILE = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10)),
                            *(f"LPT{k}" for k in range(1, 10))})
_ROLLUP_SUFFIX: Final = "_汇总"


def _file_part(text: str) -> str:
    """Make text safe in a file name: no path separators or characters Windows refuses."""
    out = _UNSAFE_FILE.sub("_", unicodedata.normalize("NFC", text)).strip(" .") or "_"
    return "_" + out if out.upper() in _RESERVED_FILE else out


def _clip_bytes(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` UTF-8 bytes, at a character boundary."""
    data = text.encode("utf-8")[:max(limit, 0)]
    return data.decode("utf-8", "ignore").rstrip(" ._") or "_"


def _fits(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) <= limit


def _stem(c: Campaign, unit: Unit, rnd: Round) -> str:
    """The file name of a form without ``.xlsx``, bounded, before names are told apart."""
    limit = FILE_NAME_MAX_BYTES - len(".xlsx") - len(_ROLLUP_SUFFIX.encode("utf-8"))
    values = _values(c, unit, rnd)
    pattern = round_settings(c, rnd.id).get("file_name") or DEFAULT_FILE_NAME
    full = _file_part(_render(pattern, values, "file_name"))
    if _fits(full, limit):
        return full
    # too long: the unit and the round, the unit's name clipped when it alone is too long
    short = {**values, "unit": _clip_bytes(_file_part(unit.name), limit // 2)}
    return _clip_bytes(_file_part(_render(DEFAULT_FILE_NAME, short, "file_name")), limit)


def _form_stem(c: Campaign, unit: Unit, rnd: Round) -> str:
    """The stem of a form's file name; units whose names would be the same get their code."""
    stem = _stem(c, unit, rnd)
    if any(u.code != unit.code and _stem(c, u, rnd) == stem for u in c.units):
        limit = FILE_NAME_MAX_BYTES - len(".xlsx") - len(_ROLLUP_SUFFIX.encode("utf-8"))
        code = _file_part(unit.code)
        stem = _clip_bytes(stem, limit - len(code.encode("utf-8")) - 1) + "_" + code
    return stem


def form_filename(campaign: Campaign, unit_code: str, round_id: str | None = None) -> str:
    """File name of a unit's form, as an office names it: ``济南市_中期统计表.xlsx``.

    The pattern is ``forms.file_name`` (per round: ``forms.rounds.<id>.file_name``; default
    ``{unit}_{round_label}统计表``). The name is made safe (no path separators, no characters
    Windows refuses) and at most ``FILE_NAME_MAX_BYTES`` bytes: a longer one falls back to
    the unit and the round. Two units whose names would be the same get their codes added.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> form_filename(c, "HB01", "midyear")
    '武汉市_上半年统计表.xlsx'
    """
    unit, rnd = _lookup(campaign, unit_code, round_id)
    return _form_stem(campaign, unit, rnd) + ".xlsx"


def rollup_filename(campaign: Campaign, parent_code: str, round_id: str | None = None) -> str:
    """File name of a roll-up: the form's name with ``_汇总`` (``山东省_中期统计表_汇总.xlsx``)."""
    return form_filename(campaign, parent_code, round_id)[: -len(".xlsx")] + "_汇总.xlsx"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_forms(campaign: Campaign, out_dir: str | Path, units: Iterable[str] | None = None,
                round_id: str | None = None) -> list[Path]:
    """Write one form per unit (default: every reporter of the round) into ``out_dir``.

    Returns the paths written, in spec order of the reporters (or in the order given).
    """
    rnd = _lookup(campaign, campaign.top.code, round_id)[1]
    codes = [u.code for u in campaign.reporters(rnd.id)] if units is None else list(units)
    unknown = [u for u in codes if not campaign.has_unit(u)]
    if unknown:
        raise FormError(f"unknown unit(s) {', '.join(unknown)} in campaign {campaign.id}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for code in dict.fromkeys(codes):
        path = out / form_filename(campaign, code, rnd.id)
        _write(path, workbook_bytes(build_form(campaign, code, rnd.id)))
        paths.append(path)
    return paths


def write_rollup(campaign: Campaign, parent_code: str,
                 rows: Mapping[str, Mapping[str, float | int | None]], out_dir: str | Path,
                 round_id: str | None = None) -> Path:
    """Write the roll-up of ``parent_code`` into ``out_dir`` and return its path."""
    wb = build_rollup(campaign, parent_code, rows, round_id)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / rollup_filename(campaign, parent_code, round_id)
    _write(path, workbook_bytes(wb))
    return path

