"""Docs that cannot drift (issue 15, item 7): every YAML and command example of the docs runs.

Every fenced block of ``docs/*.md`` and ``README.md`` in YAML (```` ```yaml ````) or shell
(```` ```bash ````, ```` ```sh ````, ```` ```console ````) is checked, by the convention written
in ``docs/walkthrough.md`` › "How the examples are tested":

- a YAML block that is a whole spec (it has ``id`` and ``units``) must validate;
- a YAML block of spec keys (``units:``, ``rounds:``, ``forms:`` …) must validate merged into
  a base spec: the one named by ``<!-- fragment of PATH -->`` just above it (a repository
  path, or a file written by a ``<!-- file: NAME -->`` block of the same page), by default
  ``tests/data/shandong_jobs_2025/campaign.yaml``. List items replace the base's item with
  the same ``id`` (``code`` for units) or are added; a mapping is merged key by key;
- ``<!-- parse-only: why -->`` above a YAML block: it must parse, nothing more;
- ``<!-- file: NAME -->`` above any block: its text is written to NAME in the page's sandbox;
- shell blocks run in order, one sandbox (a temporary folder holding a copy of
  ``data_samples/``, ``tests/data/shandong_jobs_2025/`` and the page's files) per page,
  through ``bash`` with the venv's ``campaignkit`` first on the PATH. In ``console`` blocks
  ``$ `` starts a command and the lines under it are an excerpt of its output (stdout and
  stderr): each must appear, in order, spaces compared loosely, ``…`` standing for any text.
  A command must exit 0 unless ``<!-- exit: N -->`` is above its block;
- ``<!-- not-run: why -->`` above a shell block: it is not run (it installs packages or needs
  files made elsewhere), but every ``campaignkit …`` command in it must be accepted by
  campaignkit's own argument parser (``[--json]`` read as ``--json``).
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaignkit import SpecError
from campaignkit.cli import _ArgvError, build_parser
from campaignkit.spec import json_schema, load_campaign_text

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
DEFAULT_BASE = "tests/data/shandong_jobs_2025/campaign.yaml"
YAML = {"yaml", "yml"}
SHELL = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)\s*$")
MARK = re.compile(r"^<!--\s*(fragment of|parse-only|file|not-run|exit)\s*:?\s*(.*?)\s*-->\s*$")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Block:
    """A fenced block of a page: its language, text, first line and the marks above it."""

    page: Path
    line: int
    lang: str
    text: str
    marks: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Read the fenced blocks of a page with the ``<!-- … -->`` marks on the lines above."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        marks: dict[str, str] = {}
        j = i - 1
        while j >= 0 and (mark := MARK.match(lines[j].strip())):
            marks[mark[1]] = mark[2]
            j -= 1
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        out.append(Block(page, i + 1, m[1].lower(), "\n".join(lines[i + 1:end]) + "\n", marks))
        i = end + 1
    return out


ALL = [b for p in PAGES for b in blocks(p)]
YAML_BLOCKS = [b for b in ALL if b.lang in YAML]
NOT_RUN = [b for b in ALL if b.lang in SHELL and "not-run" in b.marks]
RUN_PAGES = sorted({b.page for b in ALL if b.lang in SHELL and "not-run" not in b.marks}
                   | {ROOT / "docs" / "walkthrough.md"})


# --------------------------------------------------------------------------- YAML


def _key(item: Any) -> Any:
    return item.get("id", item.get("code")) if isinstance(item, dict) else None


def merge(base: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Merge spec keys into a spec: list items by id/code (replace or add), mappings by key."""
    out = copy.deepcopy(base)
    for key, value in part.items():
        old = out.get(key)
        if isinstance(value, list) and isinstance(old, list):
            for item in value:
                at = next((i for i, x in enumerate(old) if _key(x) is not None
                           and _key(x) == _key(item)), None)
                if at is None:
                    old.append(item)
                else:
                    old[at] = item
        elif isinstance(value, dict) and isinstance(old, dict):
            old.update(value)
        else:
            out[key] = value
    return out


def _file_block(page: Path, name: str) -> str | None:
    return next((b.text for b in blocks(page) if b.marks.get("file") == name), None)


def _base(block: Block) -> tuple[str, str]:
    name = block.marks.get("fragment of") or DEFAULT_BASE
    text = _file_block(block.page, name)
    if text is None:
        path = ROOT / name
        assert path.is_file(), f"{block.where}: the base spec {name!r} is neither a file of " \
            "the repository nor a <!-- file: … --> block of the page"
        text = path.read_text(encoding="utf-8")
    return name, text


def _load(text: str, where: str) -> None:
    try:
        load_campaign_text(text, where)
    except SpecError as err:
        pytest.fail(f"{where}: the spec does not validate:\n{err}")


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=[b.where for b in YAML_BLOCKS])
def test_yaml_block(block: Block) -> None:
    try:
        doc = yaml.safe_load(block.text)
    except yaml.YAMLError as exc:
        pytest.fail(f"{block.where}: not valid YAML: {exc}")
    if "parse-only" in block.marks:
        assert block.marks["parse-only"], f"{block.where}: say why it is parse-only"
        return
    if isinstance(doc, dict) and "id" in doc and "units" in doc:
        _load(block.text, block.where)
        return
    keys = set(json_schema()["properties"])
    assert isinstance(doc, dict) and doc and set(doc) <= keys, (
        f"{block.where}: a YAML block must be a whole spec, spec keys ({', '.join(sorted(keys))})"
        " to merge into a base spec, or marked <!-- parse-only: why -->")
    name, base_text = _base(block)
    base = yaml.safe_load(base_text)
    merged = merge(base, doc)
    _load(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False),
          f"{block.where} (merged into {name})")


# --------------------------------------------------------------------------- commands


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """The commands of a shell block, each with the output lines shown under it.

    A line ending in ``\\`` goes on with the next one; in ``console`` blocks only lines
    starting with ``$ `` are commands, the others the output shown under the last command.
    """
    out: list[tuple[str, list[str]]] = []
    going_on = False
    for raw in block.text.splitlines():
        line = raw.rstrip()
        if going_on:
            out[-1] = (out[-1][0] + " " + line.strip().removesuffix("\\").strip(), [])
            going_on = line.endswith("\\")
            continue
        if block.lang == "console" and not line.startswith("$ "):
            if out and line.strip():
                out[-1][1].append(line)
            continue
        line = line.removeprefix("$ ")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append((line.removesuffix("\\").strip(), []))
        going_on = line.endswith("\\")
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


def _matches(expected: str, actual: str) -> bool:
    parts = [re.escape(_norm(p)) for p in re.split(r"…|\.\.\.", expected)]
    return re.fullmatch(".*".join(parts) if len(parts) > 1 else parts[0], _norm(actual)) \
        is not None


def excerpt_missing(expected: list[str], actual: str) -> str | None:
    """The first expected line not found (in order) in the output, or None when all are."""
    lines = actual.splitlines()
    at = 0
    for want in expected:
        if want.strip() in ("…", "..."):
            continue
        found = next((i for i in range(at, len(lines)) if _matches(want, lines[i])), None)
        if found is None:
            return want
        at = found + 1
    return None


SANDBOX = ("data_samples", "tests/data/shandong_jobs_2025")
"""Copied into every page's sandbox, so that examples may name them as from the repository."""


def _sandbox(tmp: Path) -> Path:
    box = tmp / "sandbox"
    for folder in SANDBOX:
        shutil.copytree(ROOT / folder, box / folder)
    return box


@pytest.mark.parametrize("page", RUN_PAGES, ids=[str(p.relative_to(ROOT)) for p in RUN_PAGES])
def test_commands_of_a_page_run(page: Path, tmp_path: Path) -> None:
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    box = _sandbox(tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "CAMPAIGNKIT_LOG_DIR": str(tmp_path / "logs")}
    for block in blocks(page):
        if "file" in block.marks:
            target = box / block.marks["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        if block.lang not in SHELL or "not-run" in block.marks:
            continue
        code = int(block.marks.get("exit", "0"))
        for command, shown in commands(block):
            run = subprocess.run(["bash", "-c", command], cwd=box, env=env, capture_output=True,
                                 text=True, timeout=120)
            output = run.stdout + run.stderr
            assert run.returncode == code, (
                f"{block.where}: `{command}` exited {run.returncode}, not {code}:\n{output}")
            missing = excerpt_missing(shown, output)
            assert missing is None, (
                f"{block.where}: `{command}` did not print the line shown in the docs\n"
                f"  expected: {missing.strip()}\n  output:\n{output}")


def test_commands_not_run_still_parse() -> None:
    """Blocks marked not-run: every ``campaignkit …`` command is accepted by the parser."""
    parser = build_parser()
    refused = []
    for block in NOT_RUN:
        assert block.marks["not-run"], f"{block.where}: say why it is not run"
        for command, _ in commands(block):
            words = shlex.split(command.replace("[", "").replace("]", ""))
            for i, word in enumerate(words):
                if Path(word).name == "campaignkit" and i + 1 < len(words):
                    try:
                        parser.parse_args(words[i + 1:])
                    except _ArgvError as err:
                        refused.append(f"{block.where}: `{command}` is refused: {err.message}")
    assert not refused, "\n".join(refused)


# --------------------------------------------------------------------------- the convention


def test_the_docs_have_examples_of_every_kind() -> None:
    """The walk-through is there, runs commands and shows their output."""
    walk = [b for b in ALL if b.page.name == "walkthrough.md"]
    assert any(b.lang == "console" and "not-run" not in b.marks for b in walk)
    assert any("file" in b.marks and b.lang in YAML for b in walk)
    assert sum(1 for b in YAML_BLOCKS if "parse-only" not in b.marks) >= 10


def test_the_excerpt_check_says_what_differs() -> None:
    out = "ok: x — t\n    rounds: mid (due 2025-09-15)\nnote: y\n"
    assert excerpt_missing(["ok: x — t", "…", "note:  y"], out) is None
    assert excerpt_missing(["rounds: mid (due …)"], out) is None
    assert excerpt_missing(["note: y", "ok: x — t"], out) == "ok: x — t"  # order matters
    assert excerpt_missing(["rounds: final"], out) == "rounds: final"


def test_merge_replaces_items_by_id_and_adds_new_ones() -> None:
    base = {"units": [{"code": "A", "name": "a"}], "forms": {"sheet": "s", "title": "t"}}
    part = {"units": [{"code": "A", "name": "b"}, {"code": "C"}], "forms": {"title": "u"}}
    assert merge(base, part) == {"units": [{"code": "A", "name": "b"}, {"code": "C"}],
                                 "forms": {"sheet": "s", "title": "u"}}
    assert base["units"][0]["name"] == "a"
