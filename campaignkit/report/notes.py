"""Read the analyst's own paragraphs for a report from a plain text file kept per unit.

The year-end summary and the briefing state facts only; what an analyst wants to add — 典型做法,
下一步打算, remarks on problems — lives in a small Markdown-like file that the analyst keeps and
that a rerun never touches (campaignkit only ever reads it). The file is split on level-two
headings; the text under each is a sequence of paragraphs (separated by blank lines; a list
item ``-``, ``*``, ``•`` starts a paragraph of its own). Text before the first heading and
``<!-- … -->`` comments are ignored. Everything is **plain text**: the renderers escape it, so a
notes file can never inject markup, a formula or code.

Headings understood (any other level-two heading is refused, so a typo cannot silently drop a
paragraph):

========================  ===========================================================
``## 典型做法``             year-end: a subsection of 一、工作开展情况及成效; briefing: 二、主要成效
``## 下一步打算``           year-end: 三、下一年工作打算 (also ``## 下一年工作打算``)
``## 存在问题补充``         year-end and briefing: added after the facts under 存在问题
``## 工作要求``             briefing: added to 四、下一步工作要求
========================  ===========================================================

A notes path that does not exist is not an error and creates nothing: the sections that would
use it are left out (:func:`read_notes` returns ``None``). :func:`notes_template` gives the text
of an empty file to start from.

>>> n = parse_notes("说明\\n## 典型做法\\n武汉市开设“政策直播间”，\\n每周一期。\\n\\n"
...                 "- 黄石市<b>进企业</b>\\n")
>>> n.paragraphs("典型做法")
('武汉市开设“政策直播间”，每周一期。', '黄石市<b>进企业</b>')
>>> n.paragraphs("下一步打算")
()
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from ..errors import CampaignkitError

__all__ = ["HEADINGS", "NotesError", "NotesFile", "notes_template", "parse_notes", "read_notes"]

HEADINGS: Final[Mapping[str, str]] = MappingProxyType({
    "典型做法": "典型做法", "典型经验做法": "典型做法", "经验做法": "典型做法",
    "下一步打算": "下一步打算", "下一年工作打算": "下一步打算", "下一步工作打算": "下一步打算",
    "存在问题补充": "存在问题补充",
    "工作要求": "工作要求", "下一步工作要求": "工作要求",
})
"""Level-two headings a notes file may use, mapped to the section they fill."""

_HEADING: Final = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_BULLET: Final = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.、．])\s+")
_COMMENT: Final = re.compile(r"<!--.*?-->", re.S)
_MAX_BYTES: Final = 1_000_000


class NotesError(CampaignkitError, ValueError):
    """A notes file that cannot be used (unknown heading, not UTF-8, too large)."""


@dataclass(frozen=True)
class NotesFile:
    """The paragraphs of a notes file, by section (典型做法, 下一步打算, 存在问题补充, 工作要求)."""

    sections: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    path: Path | None = None

    def paragraphs(self, section: str) -> tuple[str, ...]:
        """Return the paragraphs under a section (empty when the file has none)."""
        return self.sections.get(HEADINGS.get(section, section), ())


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and line[:1].isascii() \
                and line[:1].isalnum():
            out += " "
        out += line
    return out


def parse_notes(text: str, source: str = "<notes>") -> NotesFile:
    """Split the text of a notes file into paragraphs by section (no I/O)."""
    text = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None and lines:
            current.append(_join(lines))
        lines.clear()

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip().lstrip("\ufeff")
        head = _HEADING.match(line)
        if head:
            flush()
            name = head.group(1)
            if name not in HEADINGS:
                known = "、".join(f"## {k}" for k in ("典型做法", "下一步打算", "存在问题补充",
                                                      "工作要求"))
                raise NotesError(f"{source}, line {number}: unknown heading '## {name}'; "
                                 f"use one of {known}")
            current = sections.setdefault(HEADINGS[name], [])
            continue
        if current is None:
            continue
        if not line:
            flush()
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            line = line[bullet.end():].strip()
        if line:
            lines.append(line)
    flush()
    return NotesFile(MappingProxyType({k: tuple(v) for k, v in sections.items() if v}))


def read_notes(path: str | Path | None) -> NotesFile | None:
    """Read a notes file; ``None`` when no path is given or the file does not exist.

    Nothing is ever written: a missing file stays missing (the report leaves out the sections
    it would fill).
    """
    if path is None or str(path) == "":
        return None
    p = Path(path)
    if not p.exists():
        return None
    if not p.is_file():
        raise NotesError(f"notes {p} is not a file")
    data = p.read_bytes()
    if len(data) > _MAX_BYTES:
        raise NotesError(f"notes {p} is larger than {_MAX_BYTES // 1000} kB; keep only the "
                         "paragraphs meant for the report in it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesError(f"notes {p} is not UTF-8 text (byte {exc.start}); save it as "
                         "UTF-8") from None
    notes = parse_notes(text, str(p))
    return NotesFile(notes.sections, p)


def notes_template(unit_name: str = "") -> str:
    """Return the text of an empty notes file (headings and a comment explaining them).

    >>> parse_notes(notes_template("武汉市")).sections == {}
    True
    """
    who = f"（{unit_name}）" if unit_name else ""
    return (f"<!-- 报告补充材料{who}：在各标题下填写段落，段落之间空一行；"
            "纯文本，不会被当作代码或格式执行。空标题不会出现在报告中。 -->\n\n"
            "## 典型做法\n\n## 存在问题补充\n\n## 下一步打算\n\n## 工作要求\n")
