"""Read spreadsheet and table files into plain grids of cells, safely and within bounds.

``read_book(path_or_bytes, name=...)`` returns a :class:`Book` — sheets of cell values
(``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime`` or ``None``) with the number
format of each cell where the format is known, merged ranges, and the workbook's defined
names. Nothing in a file ever runs (no macros, no formulas, no external links), and every
hostile or broken file ends in an :class:`IngestError` with a reason code and a message a
user can act on — never a traceback.

Formats (told apart by their bytes, not their names):

* ``.xlsx`` / ``.xlsm``: read straight from the zip by this module with lxml (workbook,
  relations, shared strings, styles, worksheets — a worksheet part over ``SMALL_PART``
  (4 MB) is streamed row by row with ``iterparse``); number formats and defined names are
  kept, formulas keep their cached result (a formula never calculated is listed in
  ``Sheet.formulas``). The macros of an ``.xlsm`` are never read.
* ``.xls`` and WPS ``.et`` saved in the Excel 97-2003 format, ``.ods``: python-calamine
  (values only; number formats are not known, merged ranges only for ``.xls``).
* ``.csv``, ``.txt``, ``.tsv`` (text tables): UTF-16 with a BOM (Excel's "Unicode text",
  tab-separated), UTF-8 with a BOM, UTF-8, else GB18030 (which reads GBK and GB2312), else
  UTF-16 without a BOM when every other byte is a zero; comma, tab, semicolon or full-width
  comma separated, told from the lines themselves. Every cell is text.

Bounds, checked before parsing wherever the file lets us:

* ``MAX_FILE_BYTES`` (50 MB) per file on disk;
* zip containers: at most ``MAX_ZIP_MEMBERS`` members, ``MAX_UNCOMPRESSED_BYTES`` (200 MB)
  uncompressed in total (as declared by the zip directory; a member is never inflated past
  its declared size), and ``MAX_COMPRESSION_RATIO`` (200:1) for any member larger than
  ``RATIO_CHECK_FROM`` (1 MB) — a zip bomb is refused before one byte is inflated;
* XML parts: a ``<!DOCTYPE``/``<!ENTITY`` declaration is refused (entity-expansion
  attacks such as "billion laughs"; OOXML never needs one), entities are never resolved,
  no network access, no huge-tree mode; parts parsed whole other than worksheets (shared
  strings, styles, workbook) at most ``MAX_XML_PART`` (64 MB);
* sheets: at most ``MAX_SHEETS`` sheets, ``MAX_ROWS`` (20,000) rows and ``MAX_COLUMNS``
  (200) columns holding data per sheet, ``MAX_CELLS`` (500,000) filled cells per file;
  parsing stops at the first cell past a bound;
* encrypted workbooks (an OLE file holding ``EncryptionInfo``/``EncryptedPackage``, or a
  password-protected ``.xls``) are refused with "save it without a password".

>>> book = read_book(b"unit,sessions\\nFJ01,12\\n", name="log.csv")
>>> book.format, book.sheets[0].value(2, 2)
('csv', '12')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from .errors import CampaignkitError

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_SHEETS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XML_PART",
    "MAX_ZIP_MEMBERS",
    "RATIO_CHECK_FROM",
    "SMALL_PART",
    "SPREADSHEET_SUFFIXES",
    "TEXT_SUFFIXES",
    "Book",
    "Cell",
    "CellValue",
    "IngestError",
    "Sheet",
    "column_index",
    "column_letter",
    "coordinate",
    "read_book",
]

MAX_FILE_BYTES: Final = 50 * 1024 * 1024
"""Largest file read at all (bytes on disk)."""
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
"""Largest total uncompressed size of a zip container (xlsx, xlsm, ods)."""
MAX_COMPRESSION_RATIO: Final = 200
"""Largest uncompressed/compressed ratio of one zip member larger than RATIO_CHECK_FROM."""
RATIO_CHECK_FROM: Final = 1024 * 1024
"""Members smaller than this (uncompressed) are not ratio-checked."""
MAX_ZIP_MEMBERS: Final = 2_000
"""Most members a zip container may hold."""
MAX_SHEETS: Final = 50
"""Most worksheets read from one workbook."""
MAX_ROWS: Final = 20_000
"""Most rows holding data in one sheet (or lines in one CSV file)."""
MAX_COLUMNS: Final = 200
"""Most columns holding data in one sheet (or fields in one CSV line)."""
MAX_XML_PART: Final = 64 * 1024 * 1024
"""Largest non-worksheet XML part (shared strings, styles, workbook) parsed whole."""
MAX_CELLS: Final = 500_000
"""Most filled cells in one workbook or CSV file (for .xls/.ods: cells of each sheet's used
range), so that parsing stays within a few seconds."""
SMALL_PART: Final = 4 * 1024 * 1024
"""Sheet parts up to this size are parsed whole; larger ones are streamed row by row."""
PROLOG_SCAN: Final = 64 * 1024
"""Bytes of an XML part searched for a DTD before its root element must have started."""

TEXT_SUFFIXES: Final = (".csv", ".txt", ".tsv")
"""Text tables: CSV, and Excel's "Unicode text" / "Text (tab delimited)" exports."""
SPREADSHEET_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".et", ".ods", *TEXT_SUFFIXES)
"""File name endings ingest reads; other files are skipped."""

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_R: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PR: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ODS_MIME: Final = b"application/vnd.oasis.opendocument.spreadsheet"


class IngestError(CampaignkitError, ValueError):
    """Signal a file that cannot be read; carries a reason code and the file's name.

    ``str(err)`` is ``"<name>: <message> [<reason>]"``.
    """

    def __init__(self, name: str, reason: str, message: str) -> None:
        self.name = name
        self.reason = reason
        self.message = message
        super().__init__(f"{name}: {message} [{reason}]")


# --------------------------------------------------------------------------- model


@lru_cache(maxsize=512)
def column_letter(col: int) -> str:
    """Return the letters of a 1-based column number (``3`` → ``'C'``)."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """Return the 1-based number of column letters (``'C'`` → ``3``)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def coordinate(row: int, col: int) -> str:
    """Return the A1-style name of a 1-based row and column (``(7, 3)`` → ``'C7'``)."""
    return f"{column_letter(col)}{row}"


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _split_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref)
    if not m:
        return None
    return int(m.group(2)), column_index(m.group(1))


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its place (1-based), value and number format when known."""

    row: int
    col: int
    value: CellValue
    number_format: str | None = None

    @property
    def coordinate(self) -> str:
        """Return the A1-style name of the cell."""
        return coordinate(self.row, self.col)


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet as a dense grid of values, anchored at A1.

    ``formats`` maps (row, col) to a number format other than ``General`` (xlsx only);
    ``merged`` holds (min_row, min_col, max_row, max_col) of merged ranges; ``formulas``
    the cells holding a formula Excel never calculated (no cached value).
    """

    name: str
    grid: tuple[tuple[CellValue, ...], ...]
    formats: Mapping[tuple[int, int], str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    merged: tuple[tuple[int, int, int, int], ...] = ()
    formulas: frozenset[tuple[int, int]] = frozenset()
    hidden: bool = False

    @property
    def nrows(self) -> int:
        """Return the number of rows in the grid."""
        return len(self.grid)

    @property
    def ncols(self) -> int:
        """Return the number of columns in the grid."""
        return max((len(r) for r in self.grid), default=0)

    def value(self, row: int, col: int) -> CellValue:
        """Return the value at a 1-based row and column (``None`` outside the grid)."""
        if 1 <= row <= len(self.grid):
            r = self.grid[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    def number_format(self, row: int, col: int) -> str | None:
        """Return the number format of a cell, or ``None`` when General or unknown."""
        return self.formats.get((row, col))

    def cell(self, row: int, col: int) -> Cell:
        """Return the cell at a 1-based row and column."""
        return Cell(row, col, self.value(row, col), self.formats.get((row, col)))

    def at(self, ref: str) -> Cell:
        """Return the cell named in A1 style (``'C7'``)."""
        rc = _split_ref(ref)
        if rc is None:
            raise ValueError(f"{ref!r} is not a cell reference")
        return self.cell(*rc)

    def merged_anchor(self, row: int, col: int) -> tuple[int, int]:
        """Return the top-left cell of the merged range holding (row, col), or the cell."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col

    def iter_cells(self) -> Iterator[Cell]:
        """Yield every cell holding a value, row by row."""
        for r, values in enumerate(self.grid, start=1):
            for c, v in enumerate(values, start=1):
                if v is not None and v != "":
                    yield Cell(r, c, v, self.formats.get((r, c)))


@dataclass(frozen=True, slots=True)
class Book:
    """A workbook or table file read into sheets.

    ``format`` is ``xlsx``, ``xlsm``, ``xls``, ``ods`` or ``csv``; ``defined_names`` maps
    a workbook-level defined name to the (sheet, ``C7`` or ``B28:H32``) it names, for names
    of one cell or one rectangular range.
    ``encoding`` is set for CSV files.
    """

    name: str
    format: str
    sheets: tuple[Sheet, ...]
    defined_names: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    encoding: str | None = None

    def sheet(self, name: str) -> Sheet | None:
        """Return the sheet with this name, or ``None``."""
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def named_cell(self, defined_name: str) -> tuple[Sheet, Cell] | None:
        """Return the sheet and cell a defined name points to, or ``None``."""
        target = self.defined_names.get(defined_name)
        if target is None or ":" in target[1]:
            return None
        sheet = self.sheet(target[0])
        if sheet is None:
            return None
        return sheet, sheet.at(target[1])

    def named_range(self, defined_name: str) -> tuple[Sheet, tuple[int, int, int, int]] | None:
        """Return the sheet and (min_row, min_col, max_row, max_col) a name points to."""
        target = self.defined_names.get(defined_name)
        if target is None:
            return None
        sheet = self.sheet(target[0])
        first, _, last = target[1].partition(":")
        a, b = _split_ref(first), _split_ref(last or first)
        if sheet is None or a is None or b is None:
            return None
        return sheet, (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


# --------------------------------------------------------------------------- entry point


def read_book(source: str | Path | bytes, *, name: str | None = None) -> Book:
    """Read a spreadsheet or CSV file into a :class:`Book`; raise :class:`IngestError`.

    ``source`` is a path or the file's bytes; ``name`` (default: the path) is used in
    messages and to tell CSV files by their ending.
    """
    if isinstance(source, bytes):
        label = name or "<bytes>"
        data = source
        if len(data) > MAX_FILE_BYTES:
            raise _too_large(label, len(data))
    else:
        path = Path(source)
        label = name or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _too_large(label, size)
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(
                label, "unreadable", f"cannot read the file: {exc.strerror}"
            ) from None
    suffix = Path(label).suffix.lower()
    try:
        return _dispatch(data, label, suffix)
    except IngestError:
        raise
    except MemoryError:
        raise IngestError(label, "too_large", "the file needs more memory than allowed") from None
    except _damage_errors() as exc:  # a parser's own refusal of a damaged part
        raise IngestError(
            label, "damaged_file", f"cannot read the file ({type(exc).__name__}: {exc})"
        ) from None
    # any other exception is a bug of ours: it propagates (ingest reports an InternalError)


@lru_cache(maxsize=1)
def _damage_errors() -> tuple[type[BaseException], ...]:
    """Return the exceptions the parsers raise on a damaged or unsupported file.

    zip and deflate errors, XML parse errors, calamine's errors, struct errors of an OLE
    header, text decoding and CSV errors. Anything else raised while reading is a bug of
    campaignkit, not a damaged file, and is not caught here.
    """
    import python_calamine as pc
    from lxml import etree

    return (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error,
            UnicodeError, csv.Error, etree.LxmlError, pc.CalamineError)


def _calamine_failed(exc: BaseException) -> bool:
    """Tell whether calamine refused the file: its error, or a Rust panic on bad bytes."""
    import python_calamine as pc

    return isinstance(exc, (pc.CalamineError, *_damage_errors())) or (
        type(exc).__name__ == "PanicException")


def _too_large(label: str, size: int) -> IngestError:
    return IngestError(
        label, "too_large",
        f"the file is {size / 1e6:.1f} MB; files over {MAX_FILE_BYTES / 1e6:.0f} MB are not read",
    )


def _dispatch(data: bytes, label: str, suffix: str) -> Book:
    if data[:4] in _ZIP_MAGIC:
        return _read_zip_container(data, label, suffix)
    if data[:8] == _OLE_MAGIC:
        return _read_ole(data, label, suffix)
    if suffix in TEXT_SUFFIXES:
        return _read_csv(data, label)
    raise IngestError(label, "not_a_workbook", _describe_non_workbook(data, suffix))


def _describe_non_workbook(data: bytes, suffix: str) -> str:
    kind = suffix.lstrip(".") or "spreadsheet"
    if not data:
        return f"the file is empty, not a {kind} workbook"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        what = "an HTML page"
    elif head.startswith(b"<?xml") and b"office:spreadsheet" in data[:4096]:
        what = "an Excel 2003 XML spreadsheet"
    elif head.startswith(b"%pdf"):
        what = "a PDF document"
    elif head.startswith(b"{\\rtf"):
        what = "an RTF document"
    else:
        what = "not a workbook (no zip or OLE signature)"
        return f"{what}; open it in Excel or WPS and save it as .xlsx"
    return (f"{what} saved with a .{kind} name, not a workbook; open it in Excel or WPS and "
            "save it as .xlsx")


# --------------------------------------------------------------------------- zip containers


def _open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise IngestError(
            label, "damaged_file",
            "the file is damaged or truncated (not a readable zip archive); send it again "
            "or save it again in Excel",
        ) from None
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise IngestError(
            label, "too_large", f"the archive holds {len(infos)} parts (at most {MAX_ZIP_MEMBERS})"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise IngestError(
                label, "encrypted", "encrypted workbook, save it without a password"
            )
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise IngestError(
                label, "zip_bomb",
                f"the workbook expands to more than {MAX_UNCOMPRESSED_BYTES // 2**20} MB "
                f"(part {info.filename} alone is {info.file_size / 2**20:.0f} MB); refused",
            )
        if info.file_size > RATIO_CHECK_FROM:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise IngestError(
                    label, "zip_bomb",
                    f"part {info.filename} expands {ratio:.0f}-fold "
                    f"(at most {MAX_COMPRESSION_RATIO}-fold); refused as a possible zip bomb",
                )
    return zf


def _read_member(zf: zipfile.ZipFile, member: str, label: str) -> bytes:
    """Read one whole XML part (at most MAX_XML_PART bytes) after checking its prolog."""
    try:
        if zf.getinfo(member).file_size > MAX_XML_PART:
            raise IngestError(label, "too_large",
                              f"part {member} is over {MAX_XML_PART // 2**20} MB; not read")
        with zf.open(member) as fh:
            data = fh.read(MAX_XML_PART + 1)
    except IngestError:
        raise
    except KeyError:
        raise IngestError(label, "damaged_file", f"part {member} is missing") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise IngestError(
            label, "damaged_file", f"part {member} is damaged ({exc}); send the file again"
        ) from None
    except Exception as exc:  # zlib.error and friends
        raise IngestError(
            label, "damaged_file", f"part {member} is damaged ({exc}); send the file again"
        ) from None
    _check_prolog(data[:PROLOG_SCAN], member, label)
    return data


_ROOT_START = re.compile(rb"<[^?!]")


def _scan_member(zf: zipfile.ZipFile, member: str, label: str) -> None:
    """Check the prolog of an XML part another parser will read (no DTD, no entities)."""
    try:
        with zf.open(member) as fh:
            head = fh.read(PROLOG_SCAN)
    except Exception as exc:
        raise IngestError(label, "damaged_file", f"part {member} is damaged ({exc})") from None
    _check_prolog(head, member, label)


def _check_prolog(head: bytes, member: str, label: str) -> None:
    """Refuse an XML part declaring a DTD or entities before its root element."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IngestError(label, "unsupported_xml", f"part {member} is UTF-16 XML; not read")
    m = _ROOT_START.search(head)
    prolog = head if m is None else head[: m.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise IngestError(
            label, "xml_entities",
            f"part {member} declares a DTD or XML entities (an entity-expansion attack, "
            "or not a file saved by Excel/WPS/LibreOffice); refused",
        )
    if m is None and len(head) >= PROLOG_SCAN:
        raise IngestError(label, "damaged_file", f"part {member} has no XML root element")


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )


def _xml(data: bytes, member: str, label: str) -> Any:
    from lxml import etree

    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise IngestError(
            label, "damaged_file", f"part {member} is not well-formed XML ({exc})"
        ) from None


def _read_zip_container(data: bytes, label: str, suffix: str) -> Book:
    zf = _open_zip(data, label)
    names = set(zf.namelist())
    if "mimetype" in names:
        mime = _read_member(zf, "mimetype", label)[:200]
        if mime.startswith(_ODS_MIME):
            extra: dict[str, _OdsExtra] = {}
            if "content.xml" in names:
                _scan_member(zf, "content.xml", label)
                extra = _ods_extra(zf, label)
            return _read_calamine(data, label, "ods", extra)
        raise IngestError(
            label, "not_a_workbook",
            f"an OpenDocument file of type {mime.decode('ascii', 'replace')!r}, not a spreadsheet",
        )
    main = _office_document(zf, names, label)
    if main is None:
        if "word/document.xml" in names:
            raise IngestError(label, "not_a_workbook", "a Word document, not a workbook")
        if "ppt/presentation.xml" in names:
            raise IngestError(label, "not_a_workbook", "a PowerPoint file, not a workbook")
        raise IngestError(label, "not_a_workbook", "a zip archive, not a workbook")
    fmt = "xlsm" if suffix == ".xlsm" or "xl/vbaProject.bin" in names else "xlsx"
    return _XlsxReader(zf, names, label, main, fmt).read()


def _office_document(zf: zipfile.ZipFile, names: set[str], label: str) -> str | None:
    if "_rels/.rels" in names:
        root = _xml(_read_member(zf, "_rels/.rels", label), "_rels/.rels", label)
        for rel in root.iter(f"{_NS_PR}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in names and target.endswith(".xml"):
                    return str(target)
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


# --------------------------------------------------------------------------- xlsx

_BUILTIN_FORMATS: Final[Mapping[int, str]] = MappingProxyType({
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
    # zh-CN locale built-ins written by Chinese Excel and WPS
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
})
_DATE_IDS: Final = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54,
                              57, 58})
_TIME_IDS: Final = frozenset({18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@lru_cache(maxsize=256)
def _format_kind(code: str) -> str | None:
    """Return 'date', 'datetime' or 'time' for a date/time number format, else None."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    has_date = any(ch in bare for ch in "yd") or ("m" in bare and "h" not in bare
                                                  and "s" not in bare)
    has_time = "h" in bare or "s" in bare
    if bare in ("general", "@") or not (has_date or has_time):
        return None
    if "e+" in bare or ("0" in bare and not has_date):
        return None
    if has_date and has_time:
        return "datetime"
    return "date" if has_date else "time"


_EPOCH_1900: Final = dt.datetime(1899, 12, 30)
_EPOCH_1904: Final = dt.datetime(1904, 1, 1)


def _serial_to_date(serial: float, kind: str, date1904: bool) -> CellValue:
    if not (0 <= serial < 2958466):
        return serial
    base = _EPOCH_1904 if date1904 else _EPOCH_1900
    moment = base + dt.timedelta(days=serial)
    if kind == "date" or (kind == "datetime" and float(serial).is_integer()):
        return moment.date()
    if kind == "time":
        return moment.time().replace(microsecond=0)
    return moment.replace(microsecond=0)


class _Prefixed:
    """A read()-able stream that first returns already-read bytes (for iterparse)."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0 or n >= len(self._head):
                out, self._head = self._head, b""
                if n < 0:
                    return out + bytes(self._rest.read())
                return out
            out, self._head = self._head[:n], self._head[n:]
            return out
        return bytes(self._rest.read(n))


class _XlsxReader:
    """Read the parts of an xlsx/xlsm package this module needs."""

    def __init__(
        self, zf: zipfile.ZipFile, names: set[str], label: str, main: str, fmt: str
    ) -> None:
        self.zf, self.names, self.label, self.main, self.fmt = zf, names, label, main, fmt
        self.base = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
        self.shared: list[str] = []
        self.xf_formats: list[int] = []
        self.custom_formats: dict[int, str] = {}
        self.date1904 = False
        self.cells_read = 0

    def _target(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        parts: list[str] = []
        for p in (self.base + target).split("/"):
            if p == "..":
                if parts:
                    parts.pop()
            elif p and p != ".":
                parts.append(p)
        return "/".join(parts)

    def read(self) -> Book:
        label = self.label
        wb = _xml(_read_member(self.zf, self.main, label), self.main, label)
        rels_name = f"{self.base}_rels/{self.main.rsplit('/', 1)[-1]}.rels"
        rels: dict[str, tuple[str, str]] = {}
        if rels_name in self.names:
            for rel in _xml(_read_member(self.zf, rels_name, label), rels_name, label).iter(
                f"{_NS_PR}Relationship"
            ):
                rels[rel.get("Id", "")] = (rel.get("Type", ""), self._target(rel.get("Target", "")))
        pr = wb.find(f"{_NS}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings") and target in self.names:
                self.shared = self._shared_strings(target)
            elif kind.endswith("/styles") and target in self.names:
                self._styles(target)

        sheet_entries: list[tuple[str, bool, str]] = []
        sheets_el = wb.find(f"{_NS}sheets")
        for sh in [] if sheets_el is None else sheets_el:
            rid = sh.get(f"{_NS_R}id", "")
            kind, target = rels.get(rid, ("", ""))
            if not kind.endswith("/worksheet") or target not in self.names:
                continue  # chart sheets, dialog sheets, dangling relations
            sheet_entries.append((sh.get("name", ""), sh.get("state", "visible") != "visible",
                                  target))
        if len(sheet_entries) > MAX_SHEETS:
            raise IngestError(
                label, "too_large",
                f"the workbook has {len(sheet_entries)} sheets (at most {MAX_SHEETS})",
            )
        defined: dict[str, tuple[str, str]] = {}
        dn_el = wb.find(f"{_NS}definedNames")
        for dn in [] if dn_el is None else dn_el:
            nm = dn.get("name", "")
            target_cell = None if nm.startswith("_xlnm.") else _parse_defined(dn.text or "")
            if target_cell is not None and (dn.get("localSheetId") is None or nm not in defined):
                defined[nm] = target_cell  # a workbook-level name wins over a sheet-level one
        sheets = tuple(self._sheet(n, hidden, t) for n, hidden, t in sheet_entries)
        return Book(self.label, self.fmt, sheets, MappingProxyType(defined))

    def _shared_strings(self, member: str) -> list[str]:
        root = _xml(_read_member(self.zf, member, self.label), member, self.label)
        t_tag, r_tag = f"{_NS}t", f"{_NS}r"
        out: list[str] = []
        for si in root:
            parts: list[str] = []
            for child in si:
                if child.tag == t_tag:
                    parts.append(child.text or "")
                elif child.tag == r_tag:
                    t = child.find(t_tag)
                    if t is not None:
                        parts.append(t.text or "")
            out.append("".join(parts))
        return out

    def _styles(self, member: str) -> None:
        root = _xml(_read_member(self.zf, member, self.label), member, self.label)
        nf = root.find(f"{_NS}numFmts")
        for el in [] if nf is None else nf:
            try:
                self.custom_formats[int(el.get("numFmtId", ""))] = el.get("formatCode", "")
            except ValueError:
                continue
        xfs = root.find(f"{_NS}cellXfs")
        for xf in [] if xfs is None else xfs:
            try:
                self.xf_formats.append(int(xf.get("numFmtId", "0")))
            except ValueError:
                self.xf_formats.append(0)

    def _format_of(self, style: str | None) -> tuple[str | None, str | None]:
        """Return (format code or None when General, date kind or None)."""
        if not style:
            return None, None
        try:
            fid = self.xf_formats[int(style)]
        except (ValueError, IndexError):
            return None, None
        code = self.custom_formats.get(fid) or _BUILTIN_FORMATS.get(fid)
        if fid in _DATE_IDS:
            kind: str | None = "datetime" if fid == 22 else "date"
        elif fid in _TIME_IDS:
            kind = "time"
        elif code:
            kind = _format_kind(code)
        else:
            kind = None
        if code is None or code == "General":
            return None, kind
        return code, kind

    def _sheet(self, name: str, hidden: bool, member: str) -> Sheet:
        """Read one worksheet; only cells with a value or a formula reach Python.

        Parts up to ``SMALL_PART`` bytes are parsed whole (fast); larger ones are streamed
        with ``iterparse`` and each finished row is dropped (bounded memory).
        """
        from lxml import etree

        label = self.label
        try:
            size = self.zf.getinfo(member).file_size
            fh = self.zf.open(member)
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise IngestError(
                label, "damaged_file", f"sheet {name} cannot be read ({exc})"
            ) from None
        cells: dict[int, dict[int, CellValue]] = {}
        formats: dict[tuple[int, int], str] = {}
        formulas: set[tuple[int, int]] = set()
        merged: list[tuple[int, int, int, int]] = []
        row_tag, merge_tag = f"{_NS}row", f"{_NS}mergeCell"
        v_tag, f_tag, is_tag, t_tag = f"{_NS}v", f"{_NS}f", f"{_NS}is", f"{_NS}t"
        rph_tag = f"{_NS}rPh"
        fmt_cache: dict[str | None, tuple[str | None, str | None]] = {}
        shared = self.shared
        streamed = size > SMALL_PART
        done_rows = 0

        def place(c: Any) -> tuple[int, int]:
            ref = c.get("r")
            rc = _split_ref(ref) if ref else None
            if rc is not None:
                return rc
            row_el = c.getparent()
            r_attr = row_el.get("r")
            if r_attr:
                row = _row_number(r_attr, label, name)
            else:
                row = done_rows + 1 if streamed else row_el.getparent().index(row_el) + 1
            return row, row_el.index(c) + 1

        def handle(tag: str, el: Any) -> None:
            if tag == merge_tag:
                a, _, b = el.get("ref", "").partition(":")
                ra, rb = _split_ref(a), _split_ref(b or a)
                if ra and rb:
                    merged.append((ra[0], ra[1], rb[0], rb[1]))
                return
            c = el.getparent()
            if c is None:
                return
            row, col = place(c)
            if tag == f_tag:
                formulas.add((row, col))  # dropped again below when a value is found
                return
            t = c.get("t", "n")
            value: CellValue = None
            if tag == is_tag:
                value = (el.findtext(t_tag) if len(el) == 1 else
                         "".join(x.text or "" for x in el.iter(t_tag)
                                 if x.getparent().tag != rph_tag))
            else:
                text = el.text
                if not text:
                    return
                if t == "s":
                    try:
                        value = shared[int(text)]
                    except (ValueError, IndexError):
                        value = None
                elif t in ("str", "e", "inlineStr"):
                    value = text
                elif t == "b":
                    value = text.strip() in ("1", "true")
                elif t == "d":
                    try:
                        value = dt.datetime.fromisoformat(text.strip())
                    except ValueError:
                        value = text
                else:
                    value = _number(text)
            if value is None or value == "":
                return
            if row > MAX_ROWS:
                raise _too_many(label, name, "rows", row, MAX_ROWS)
            if col > MAX_COLUMNS:
                raise _too_many(label, name, "columns", col, MAX_COLUMNS)
            style = c.get("s")
            if style not in fmt_cache:
                fmt_cache[style] = self._format_of(style)
            code, kind = fmt_cache[style]
            if kind and isinstance(value, int | float) and not isinstance(value, bool):
                value = _serial_to_date(float(value), kind, self.date1904)
            row_cells = cells.get(row)
            if row_cells is None:
                row_cells = cells[row] = {}
            row_cells[col] = value
            self.cells_read += 1
            if self.cells_read > MAX_CELLS:
                raise _too_many_cells(label)
            if code is not None:
                formats[(row, col)] = code

        try:
            with fh:
                head = fh.read(PROLOG_SCAN)
                _check_prolog(head, member, label)
                if not streamed:
                    root = etree.fromstring(head + fh.read(SMALL_PART + 1), _parser())
                    for el in root.iter(v_tag, is_tag, f_tag, merge_tag):
                        handle(el.tag, el)
                else:
                    for _, el in etree.iterparse(
                        _Prefixed(head, fh), events=("end",),
                        tag=(v_tag, is_tag, f_tag, row_tag, merge_tag),
                        resolve_entities=False, no_network=True, load_dtd=False,
                        huge_tree=False,
                    ):
                        if el.tag != row_tag:
                            handle(el.tag, el)
                            continue
                        r_attr = el.get("r")
                        done_rows = (_row_number(r_attr, label, name) if r_attr
                                     else done_rows + 1)
                        el.clear()
                        while el.getprevious() is not None:
                            del el.getparent()[0]
        except etree.XMLSyntaxError as exc:
            raise IngestError(
                label, "damaged_file", f"sheet {name} is not well-formed XML ({exc})"
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise IngestError(label, "damaged_file", f"sheet {name} is damaged ({exc})") from None
        formulas.difference_update((r, c) for r, row in cells.items() for c in row)
        nrows = max(cells, default=0)
        ncols = max((max(r) for r in cells.values() if r), default=0)
        empty = (None,) * ncols
        grid: list[tuple[CellValue, ...]] = []
        for r in range(1, nrows + 1):
            row_cells = cells.get(r)
            if row_cells is None:
                grid.append(empty)
                continue
            values: list[CellValue] = [None] * ncols
            for c, v in row_cells.items():
                values[c - 1] = v
            grid.append(tuple(values))
        return Sheet(name, tuple(grid), MappingProxyType(formats), tuple(merged),
                     frozenset(formulas), hidden)


def _row_number(text: str, label: str, sheet: str) -> int:
    """Read the ``r`` attribute of a ``<row>``; a damaged one is ``damaged_file``."""
    try:
        return int(text)
    except ValueError:
        raise IngestError(label, "damaged_file",
                          f"sheet {sheet} is damaged (a row numbered {text[:20]!r})") from None


def _too_many_cells(label: str) -> IngestError:
    return IngestError(
        label, "too_large",
        f"the file holds more than {MAX_CELLS:,} filled cells; a return is a few hundred — "
        "send the table alone, or split it",
    )


def _too_many(label: str, sheet: str, what: str, n: int, limit: int) -> IngestError:
    where = f"row {n}" if what == "rows" else f"column {column_letter(n)}"
    return IngestError(
        label, f"too_many_{what}",
        f"sheet {sheet} has data past {where}; at most {limit:,} {what} are read — "
        "a return is a few dozen rows: delete the extra rows or columns and send it again",
    )


_INT = re.compile(r"^-?\d{1,15}$")


def _number(text: str) -> CellValue:
    s = text.strip()
    if _INT.match(s):
        return int(s)
    try:
        f = float(s)
    except ValueError:
        return s
    return f


_DEFINED = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$"
)


def _parse_defined(text: str) -> tuple[str, str] | None:
    """Read ``'统计表'!$C$7`` or ``Sheet1!$B$28:$H$32`` into (sheet, ``C7``/``B28:H32``)."""
    m = _DEFINED.match(text.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    ref = f"{m.group(3).upper()}{m.group(4)}"
    if m.group(5):
        ref += f":{m.group(5).upper()}{m.group(6)}"
    return sheet, ref


# --------------------------------------------------------------------------- OLE (xls, et)


def _ole_streams(data: bytes, label: str) -> set[str]:
    """Return the names of the streams and storages in an OLE compound file."""
    bad = IngestError(label, "damaged_file", "the file is a damaged OLE (Excel 97-2003) file")
    if len(data) < 512:
        raise bad
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        raise bad
    size = 1 << sector_shift
    first_dir = struct.unpack_from("<I", data, 48)[0]
    n_difat = struct.unpack_from("<I", data, 72)[0]
    first_difat = struct.unpack_from("<I", data, 68)[0]
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    seen = 0
    sec = first_difat
    while sec < 0xFFFFFFFA and seen < n_difat and seen < 10_000:
        off = (sec + 1) * size
        if off + size > len(data):
            raise bad
        entries = struct.unpack_from(f"<{size // 4}I", data, off)
        fat_sectors.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
        sec = entries[-1]
        seen += 1

    def fat_next(s: int) -> int:
        idx, pos = divmod(s, size // 4)
        if idx >= len(fat_sectors):
            return 0xFFFFFFFE
        off = (fat_sectors[idx] + 1) * size + pos * 4
        if off + 4 > len(data):
            return 0xFFFFFFFE
        return int(struct.unpack_from("<I", data, off)[0])

    names: set[str] = set()
    sec, steps = first_dir, 0
    max_steps = len(data) // size + 1
    while sec < 0xFFFFFFFA and steps < max_steps:
        off = (sec + 1) * size
        if off + size > len(data):
            break
        for i in range(size // 128):
            entry = data[off + i * 128: off + (i + 1) * 128]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            if 2 <= name_len <= 64 and entry[66] in (1, 2, 5):
                names.add(entry[: name_len - 2].decode("utf-16-le", "replace"))
        sec = fat_next(sec)
        steps += 1
    return names


def _read_ole(data: bytes, label: str, suffix: str) -> Book:
    try:
        streams = _ole_streams(data, label)
    except struct.error:
        raise IngestError(label, "damaged_file", "the file is a damaged OLE file") from None
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        raise IngestError(label, "encrypted", "encrypted workbook, save it without a password")
    if not {"Workbook", "Book", "WORKBOOK", "BOOK"} & streams:
        if "WordDocument" in streams:
            raise IngestError(label, "not_a_workbook", "a Word document, not a workbook")
        if suffix == ".et":
            raise IngestError(
                label, "unsupported_format",
                "this WPS .et file is not in an Excel-compatible format; open it in WPS and "
                "save it as .xlsx (文件 › 另存为 › Excel 工作簿)",
            )
        raise IngestError(
            label, "not_a_workbook",
            "an OLE file without an Excel workbook stream; save it as .xlsx",
        )
    return _read_calamine(data, label, "xls")


# --------------------------------------------------------------------------- calamine


@dataclass
class _OdsExtra:
    """What calamine drops from an .ods sheet: merged ranges and formula error cells."""

    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    errors: list[tuple[int, int, int, str]] = field(default_factory=list)  # row, repeat, col, text


_ODS_TABLE: Final = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_CALCEXT: Final = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_ODS_ERROR_TEXT: Final = re.compile(r"#(?:DIV/0!|VALUE!|REF!|NAME\?|N/A|NUM!|NULL!)|Err:\d{3}")


def _ods_extra(zf: zipfile.ZipFile, label: str) -> dict[str, _OdsExtra]:
    """Stream content.xml of an .ods for merged ranges and error cells, per sheet name."""
    from lxml import etree

    t = f"{{{_ODS_TABLE}}}"
    table_tag, row_tag = t + "table", t + "table-row"
    cell_tag, covered_tag = t + "table-cell", t + "covered-table-cell"
    out: dict[str, _OdsExtra] = {}
    cur: _OdsExtra | None = None
    row = col = 0
    try:
        with zf.open("content.xml") as fh:
            for event, el in etree.iterparse(
                fh, events=("start", "end"), tag=(table_tag, row_tag, cell_tag, covered_tag),
                resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            ):
                if event == "start":
                    if el.tag == table_tag:
                        cur = out.setdefault(el.get(t + "name") or "", _OdsExtra())
                        row = 0
                    elif el.tag == row_tag:
                        col = 0
                    continue
                if el.tag in (cell_tag, covered_tag):
                    repeat = int(el.get(t + "number-columns-repeated") or 1)
                    if cur is not None and el.tag == cell_tag:
                        reps = int(el.getparent().get(t + "number-rows-repeated") or 1)
                        cols = int(el.get(t + "number-columns-spanned") or 1)
                        rows = int(el.get(t + "number-rows-spanned") or 1)
                        if cols > 1 or rows > 1:
                            cur.merged.append((row + 1, col + 1, row + rows, col + cols))
                        text = "".join(el.itertext()).strip()
                        if el.get(t + "formula") is not None and (
                            el.get(f"{{{_ODS_CALCEXT}}}value-type") == "error"
                            or _ODS_ERROR_TEXT.fullmatch(text)
                        ):
                            for k in range(min(repeat, MAX_COLUMNS)):
                                cur.errors.append((row + 1, reps, col + 1 + k, text or "#ERROR"))
                    col += repeat
                elif el.tag == row_tag:
                    row += int(el.get(t + "number-rows-repeated") or 1)
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise IngestError(
            label, "damaged_file", f"part content.xml is not well-formed XML ({exc})"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise IngestError(label, "damaged_file", f"part content.xml is damaged ({exc})") from None
    return out


def _read_calamine(data: bytes, label: str, fmt: str,
                   extra: Mapping[str, _OdsExtra] | None = None) -> Book:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise IngestError(
            label, "encrypted", "encrypted workbook, save it without a password"
        ) from None
    except BaseException as exc:  # a Rust panic is a BaseException
        if not _calamine_failed(exc):
            raise
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise IngestError(
                label, "encrypted", "encrypted workbook, save it without a password"
            ) from None
        hint = " (a WPS .et file? save it as .xlsx)" if label.lower().endswith(".et") else ""
        raise IngestError(
            label, "damaged_file", f"cannot read this {fmt} file{hint}: {text}"
        ) from None
    with wb:
        metas = [m for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
        if len(metas) > MAX_SHEETS:
            raise IngestError(label, "too_large",
                              f"the workbook has {len(metas)} sheets (at most {MAX_SHEETS})")
        sheets: list[Sheet] = []
        for meta in metas:
            try:
                sh = wb.get_sheet_by_name(meta.name)
            except BaseException as exc:  # a Rust panic is a BaseException
                if not _calamine_failed(exc):
                    raise
                raise IngestError(label, "damaged_file",
                                  f"sheet {meta.name} cannot be read: {exc}") from None
            end = sh.end
            if end is not None:
                if end[0] + 1 > MAX_ROWS:
                    raise _too_many(label, meta.name, "rows", end[0] + 1, MAX_ROWS)
                if end[1] + 1 > MAX_COLUMNS:
                    raise _too_many(label, meta.name, "columns", end[1] + 1, MAX_COLUMNS)
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS:
                raise _too_many_cells(label)
            try:
                rows = sh.to_python(skip_empty_area=False) if end is not None else []
            except BaseException as exc:
                if not _calamine_failed(exc):
                    raise
                raise IngestError(label, "damaged_file",
                                  f"sheet {meta.name} cannot be read: {exc}") from None
            grid = tuple(tuple(_calamine_value(v) for v in r) for r in rows)
            merged: tuple[tuple[int, int, int, int], ...] = ()
            try:
                ranges = sh.merged_cell_ranges
            except BaseException as exc:  # merged ranges are optional: none when unreadable
                if not _calamine_failed(exc):
                    raise
                ranges = None
            if ranges:
                merged = tuple((a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in ranges)
            ods = (extra or {}).get(meta.name)
            if ods is not None:
                merged = merged or tuple(ods.merged)
                grid = _with_errors(grid, ods.errors)
            hidden = meta.visible != pc.SheetVisibleEnum.Visible
            sheets.append(Sheet(meta.name, grid, MappingProxyType({}), merged, frozenset(), hidden))
    return Book(label, fmt, tuple(sheets))


def _with_errors(grid: tuple[tuple[CellValue, ...], ...],
                 errors: Sequence[tuple[int, int, int, str]]) -> tuple[tuple[CellValue, ...], ...]:
    """Put the text of formula error cells (#DIV/0!) where calamine left them empty."""
    if not errors:
        return grid
    rows = [list(r) for r in grid]
    for row, reps, col, text in errors:
        for r in range(row, min(row + reps, len(rows) + 1)):
            if col <= len(rows[r - 1]) and rows[r - 1][col - 1] is None:
                rows[r - 1][col - 1] = text
    return tuple(tuple(r) for r in rows)


def _calamine_value(v: Any) -> CellValue:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if v == "":
        return None
    if isinstance(v, str | int | float | bool | dt.date | dt.time | dt.timedelta):
        return v
    return str(v)


# --------------------------------------------------------------------------- CSV


def _utf16_without_bom(data: bytes) -> str | None:
    """Tell UTF-16 text written without a BOM from its zero bytes: ``utf-16-le`` or ``-be``.

    Digits, separators and line breaks are ASCII, so a table in UTF-16 has a zero in every
    other byte for most of its characters; binary data has zeros anywhere.
    """
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd >= half * 0.2 and even <= half * 0.02:
        return "utf-16-le"
    if even >= half * 0.2 and odd <= half * 0.02:
        return "utf-16-be"
    return None


def _decode_text(data: bytes, label: str) -> tuple[str, str]:
    """Decode a text table; return the text and the encoding found.

    A BOM decides (UTF-8, UTF-16 LE/BE); then UTF-8, GB18030 (GBK and GB2312 are subsets)
    and UTF-16 without a BOM are tried, strictly: a byte that does not decode never becomes
    a replacement character in a figure.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        guess = _utf16_without_bom(data)
        if guess is not None:
            try:
                return data.decode(guess), guess
            except UnicodeDecodeError:
                pass
        raise IngestError(label, "not_a_table",
                          f"a binary file named {Path(label).suffix or 'text'}, not a table")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise IngestError(
            label, "bad_encoding",
            "the text file is neither UTF-8, GB18030/GBK nor UTF-16 text; save it again as "
            "'CSV UTF-8' (or 'Unicode text') in Excel or WPS",
        ) from None


def _delimiter(head: str) -> str:
    """Tell the separator of a CSV from its first lines: the one most lines use.

    A title line above the header (``统计表（截至6月15日，截止6月30日前报送）``) has a
    full-width comma of its own; the header and data lines decide.
    """
    lines = [ln for ln in head.splitlines()[:20] if ln.strip()]
    best = max((",", "\t", ";", "，"),
               key=lambda d: (sum(1 for ln in lines if d in ln), sum(ln.count(d) for ln in lines)))
    return best if any(best in ln for ln in lines) else ","


def _read_csv(data: bytes, label: str) -> Book:
    text, encoding = _decode_text(data, label)
    delimiter = _delimiter(text[:16384])
    csv.field_size_limit(1_000_000)
    rows: list[tuple[CellValue, ...]] = []
    filled = 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for n, record in enumerate(reader, start=1):
            if n > MAX_ROWS:
                raise _too_many(label, Path(label).name, "rows", n, MAX_ROWS)
            while record and not record[-1].strip():
                record.pop()
            if len(record) > MAX_COLUMNS:
                raise _too_many(label, Path(label).name, "columns", len(record), MAX_COLUMNS)
            rows.append(tuple(v if v.strip() else None for v in record))
            filled += sum(1 for v in record if v.strip())
            if filled > MAX_CELLS:
                raise _too_many_cells(label)
    except csv.Error as exc:
        raise IngestError(label, "damaged_file", f"the CSV file cannot be read: {exc}") from None
    width = max((len(r) for r in rows), default=0)
    grid = tuple(r + (None,) * (width - len(r)) for r in rows)
    return Book(label, "csv", (Sheet(Path(label).stem, grid),), encoding=encoding)
