"""Write a report's annex tables to an Excel workbook, one sheet per table.

Each sheet has a title row, the header (a two-row header keeps its merged cells), the body and
the total row. A cell whose display is a number holds the number (12,345 → 12345 with format
``#,##0``; 85.3 → 85.3 with ``0.0``; 85.3% → 85.3 with ``0.0"%"``: rates stay on the 0–100
scale). User text never becomes a formula: a string that begins with ``= + - @`` (after
blanks) or a tab/CR is stored as a string cell with Excel's ``quotePrefix`` style, so even
editing it in Excel keeps it text. Sheet titles are sanitised (31 characters, no ``[]:*?/\\``).

>>> sheet_title("附件1：各市州[统计]表/2024"), sheet_title("'历史'"), sheet_title("")
('附件1各市州统计表2024', '历史', 'Sheet')
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .model import Annex, Cell, Table, grid
from .numbers import annex_label

__all__ = ["annex_xlsx_bytes", "cell_number", "is_formula_like", "sheet_title",
           "write_annex_xlsx"]

_BAD_TITLE: Final = re.compile(r"[\[\]:*?/\\：]")
_NUMBER: Final = re.compile(r"-?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.(\d+))?(%?)\Z")
_THIN: Final = Side(style="thin", color="000000")
_BOX: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BODY_FONT: Final = "宋体"
_HEAD_FONT: Final = "黑体"


def sheet_title(text: str, taken: Sequence[str] = ()) -> str:
    """Make an Excel sheet title: no ``[]:*?/\\``, at most 31 characters, not already taken.

    >>> sheet_title("表", taken=["表"]), len(sheet_title("很长" * 40))
    ('表(2)', 31)
    """
    base = _BAD_TITLE.sub("", text).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base = "History_"
    title, n = base[:31], 1
    lower = {t.lower() for t in taken}
    while title.lower() in lower:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    return title


def is_formula_like(text: str) -> bool:
    """Tell whether a spreadsheet could read this text as a formula (CSV/DDE injection).

    >>> [is_formula_like(t) for t in ("=1+1", "  +86", "-3", "@SUM(A1)", "\\tx", "武汉市")]
    [True, True, True, True, True, False]
    """
    if text[:1] in ("\t", "\r"):
        return True
    return text.lstrip()[:1] in ("=", "+", "-", "@")


def cell_number(c: Cell) -> tuple[float | int, str] | None:
    """Return the number behind a cell and its Excel number format, or None for text.

    >>> from .model import cell, count_cell, rate_cell
    >>> cell_number(count_cell(12345)), cell_number(rate_cell(85.25)), cell_number(cell("85.3%"))
    ((12345, '#,##0'), (85.3, '0.0'), (85.3, '0.0"%"'))
    >>> cell_number(cell("0420")), cell_number(cell("—")), cell_number(cell("第1"))
    (None, None, None)
    """
    m = _NUMBER.match(c.text.strip())
    if c.value is None and m is None:
        return None
    decimals = len(m.group(1) or "") if m else (0 if c.kind == "count" else 1)
    percent = bool(m and m.group(2))
    grouping = "," in c.text or c.kind == "count"
    value: float | int
    if c.value is not None:
        value = c.value
    else:
        assert m is not None
        value = float(c.text.strip().replace(",", "").rstrip("%"))
    if decimals == 0 and float(value).is_integer():
        value = int(value)
    fmt = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    return value, fmt + ('"%"' if percent else "")


def _put(ws: Any, row: int, col: int, c: Cell | str, *, bold: bool = False,
         font: str = _BODY_FONT, size: float = 11, border: bool = True,
         align: str | None = None) -> None:
    item = Cell(c) if isinstance(c, str) else c
    target = ws.cell(row=row, column=col)
    number = cell_number(item)
    if number is not None:
        target.value, target.number_format = number
    else:
        target.value = item.text
        target.data_type = "s"  # never a formula, whatever the text begins with
        if is_formula_like(item.text):
            target.quotePrefix = True
    target.font = Font(name=font, size=size, bold=bold)
    target.alignment = Alignment(horizontal=align or item.align, vertical="center",
                                 wrap_text=True)
    if border:
        target.border = _BOX


def _width(text: str) -> float:
    return sum(1.0 if ord(ch) < 0x2E80 else 2.0 for ch in text)


def _sheet(ws: Any, t: Table, heading: str, notes: Sequence[str]) -> None:
    slots = grid(t)
    ncols = len(slots[0]) if slots else 1
    row = 1
    _put(ws, row, 1, heading, bold=True, font=_HEAD_FONT, size=16, border=False, align="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.row_dimensions[row].height = 30
    if t.note:
        row += 1
        _put(ws, row, 1, t.note, border=False, align="right")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    first = row + 1
    n_header, n_body = len(t.header), len(t.body)
    widths = [6.0] * ncols
    for r, line in enumerate(slots):
        for slot in line:
            if slot is None:
                continue
            _, c, item = slot
            header, total = r < n_header, r >= n_header + n_body
            _put(ws, first + r, c + 1, item, bold=header or total,
                 font=_HEAD_FONT if header else _BODY_FONT)
            for dr in range(item.rowspan):  # borders on every cell a merge covers
                for dc in range(item.colspan):
                    ws.cell(row=first + r + dr, column=c + dc + 1).border = _BOX
            if item.colspan > 1 or item.rowspan > 1:
                ws.merge_cells(start_row=first + r, start_column=c + 1,
                               end_row=first + r + item.rowspan - 1,
                               end_column=c + item.colspan)
            if item.colspan == 1:
                widths[c] = max(widths[c], min(_width(item.text) + 2, 40))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    last = first + len(slots) - 1
    for i, note in enumerate(notes, start=1):
        _put(ws, last + 1 + i, 1, note, border=False, align="left")
        ws.merge_cells(start_row=last + 1 + i, start_column=1, end_row=last + 1 + i,
                       end_column=ncols)
    ws.freeze_panes = ws.cell(row=first + n_header, column=1)
    ws.print_title_rows = f"{first}:{first + n_header - 1}" if n_header else None
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ncols > 8 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def annex_xlsx_bytes(tables: Sequence[Table | Annex]) -> bytes:
    """Render annex tables (or whole annexes) as the bytes of an .xlsx workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    titles: list[str] = []
    for i, item in enumerate(tables, start=1):
        if isinstance(item, Annex):
            t, title, notes = item.table, item.title, item.notes
        else:
            t, title, notes = item, item.caption, ()
        label = annex_label(i, len(tables))
        name = sheet_title(f"{label} {title}" if len(tables) > 1 else title, titles)
        titles.append(name)
        ws = wb.create_sheet(name)
        _sheet(ws, t, f"{label}　{title}" if title else label, notes)
    if not tables:
        wb.create_sheet("Sheet")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_annex_xlsx(tables: Sequence[Table | Annex], path: str | Path) -> Path:
    """Write annex tables (or whole annexes) to an .xlsx file at ``path``, one sheet each."""
    out = Path(path)
    out.write_bytes(annex_xlsx_bytes(tables))
    return out
