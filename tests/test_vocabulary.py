"""One vocabulary, documented (issue 15, item 6): every status and reason code is in the docs.

``docs/vocabulary.md`` lists every word campaignkit writes as a status or a reason code into
its JSON and text output. This test fails when the code emits a word the page does not list,
and when the page lists a word no code holds any more. The words are collected two ways
(the method is also written in ``docs/vocabulary.md`` › "How this page is kept true"):

1. **From the source**, with ``ast`` over ``campaignkit/**/*.py`` — a code is a string
   constant shaped like ``[a-z][a-z0-9_]*`` found
   - as the reason argument of a call that records or raises a problem: the first argument
     of ``….error(``, ``….warn(``, ``Problem(``, ``UsageError(``, ``ValueProblem(``,
     ``_problem(``, ``emit_error(``; the second of ``IngestError(`` and ``_failure(``;
   - as the value of a ``reason`` or ``status`` (or ``completed_by`` / ``done_by``) key,
     keyword argument, class attribute, variable or subscript assignment, in an
     ``status.append(…)``, or returned by a function named ``_reason``;
   - in a module constant named ``…STATUSES``, ``COMPLETED_BY`` or ``DONE_BY``, and in a
     ``Literal[…]`` alias whose name ends in ``Status``;
   (constants inside those expressions count — ``"a" if x else "b"`` gives both — except
   ``dtype=`` arguments, f-strings and look-ups such as ``row["status"]`` or
   ``getattr(err, "reason")``).
2. **From the outputs**: the CLI is run on both samples (ingest of their returns, progress
   log and ledger; ``status``, ``stats`` for every round, ``history``, ``validate``), on the
   messy-returns corpus and on the Shandong test spec, and on a set of failing command
   lines; every ``reason``, ``status``, ``completed_by``, ``done_by``, ``received_from`` and
   ``kind`` value shaped like a code is collected from the JSON documents.

The documented words are the backticked words in the first cell of each table row of
``docs/vocabulary.md``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campaignkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "docs" / "vocabulary.md"
SHANDONG = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
CODE = re.compile(r"[a-z][a-z0-9_]*")

FIRST_ARG = {"error", "warn", "Problem", "UsageError", "ValueProblem", "_problem", "emit_error"}
SECOND_ARG = {"IngestError", "_failure"}
KEYS = {"reason", "status", "completed_by", "done_by"}
JSON_KEYS = KEYS | {"received_from", "kind"}
CONSTANTS = re.compile(r"^(?:[A-Z_]*STATUSES|COMPLETED_BY|DONE_BY)$")


# --------------------------------------------------------------------------- the docs


def documented() -> set[str]:
    """The backticked words in the first cell of each table row of docs/vocabulary.md."""
    words: set[str] = set()
    for line in VOCABULARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith("|--") and not line.startswith("| --"):
            first = line.strip("|").split("|")[0]
            words.update(re.findall(r"`([a-z][a-z0-9_]*)`", first))
    return words


# --------------------------------------------------------------------------- the source


def _constants(node: ast.AST) -> Iterator[str]:
    """Code-shaped string constants in an expression (not in f-strings, look-ups, dtype=…)."""
    if isinstance(node, ast.JoinedStr | ast.Subscript):  # row["status"] reads a key
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if CODE.fullmatch(node.value):
            yield node.value
        return
    if isinstance(node, ast.Call):
        if _name(node.func) in ("getattr", "get"):  # getattr(err, "reason"): a look-up too
            return
        yield from (w for a in node.args for w in _constants(a))
        yield from (w for k in node.keywords if k.arg != "dtype" for w in _constants(k.value))
        return
    for child in ast.iter_child_nodes(node):
        yield from _constants(child)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return None


def words_in_source(text: str) -> set[str]:
    """Collect the status and reason words of one module's source (rules in the docstring)."""
    out: set[str] = set()
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = _name(node.func)
            if callee in FIRST_ARG and node.args:
                out.update(_constants(node.args[0]))
            if callee in SECOND_ARG and len(node.args) > 1:
                out.update(_constants(node.args[1]))
            if callee == "append" and isinstance(node.func, ast.Attribute) \
                    and _name(node.func.value) == "status" and node.args:
                out.update(_constants(node.args[0]))
            for k in node.keywords:
                if k.arg in KEYS:
                    out.update(_constants(k.value))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in KEYS:
                    out.update(_constants(value))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            for t in targets:
                name = _name(t)
                if name in KEYS or (name is not None and CONSTANTS.match(name)):
                    out.update(_constants(value))
                elif name is not None and name.endswith("Status") and \
                        isinstance(value, ast.Subscript) and _name(value.value) == "Literal":
                    out.update(_constants(value.slice))
        elif isinstance(node, ast.FunctionDef) and node.name == "_reason":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    out.update(_constants(sub.value))
    return out


def words_in_code() -> dict[str, list[str]]:
    """Every status and reason word of campaignkit's source, with the modules holding it."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "campaignkit").rglob("*.py")):
        for word in words_in_source(path.read_text(encoding="utf-8")):
            found.setdefault(word, []).append(str(path.relative_to(ROOT)))
    return found


def all_string_constants() -> set[str]:
    out: set[str] = set()
    for path in (ROOT / "campaignkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


# --------------------------------------------------------------------------- the outputs


def _run(*argv: str) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(list(argv))
    return json.loads(out.getvalue())


def _walk(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _walk(v)


SAMPLES = {"fujian_hkmacao_2021": "2022-01-31", "hubei_huimin_2024": "2024-12-31"}
SHANDONG_RETURN = ("单位,举办政策宣讲活动场次,参加活动人次,发放宣传资料份数,场均参加人次,"
                   "覆盖乡镇（街道）数\n济南市,12,900,3000,75,6\n")


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Run the CLI on the samples, the corpus and Shandong; collect the words of its JSON."""
    tmp = tmp_path_factory.mktemp("vocabulary")
    docs: list[tuple[str, Any]] = []

    def run(*argv: str) -> None:
        docs.append((" ".join(argv[:1]), _run(*argv)))

    for name, end in SAMPLES.items():
        folder = ROOT / "data_samples" / name
        spec, db = str(folder / "campaign.yaml"), str(tmp / f"{name}.db")
        run("validate", spec, "--json")
        run("ingest", spec, str(folder / "returns"), str(folder / "progress.csv"),
            str(folder / "ledger.xlsx"), "--db", db, "--json",
            "--quarantine", str(tmp / f"{name}_q"))
        corpus = ROOT / "tests" / "corpus" / name.split("_")[0]
        run("ingest", spec, str(corpus), "--db", str(tmp / f"{name}_corpus.db"), "--json",
            "--received", end)
        for as_of in (end, "2000-01-01"):
            run("status", spec, "--db", db, "--as-of", as_of, "--json")
        for rnd in _rounds(spec):
            run("stats", spec, "--db", db, "--as-of", end, "--period", rnd, "--json")
        run("history", spec, "--db", db, "--json")
    returns = tmp / "shandong"
    returns.mkdir()
    (returns / "济南市_中期.csv").write_text(SHANDONG_RETURN, encoding="utf-8")
    sd, sd_db = str(SHANDONG), str(tmp / "shandong.db")
    run("validate", sd, "--json")
    run("ingest", sd, str(returns), "--db", sd_db, "--json", "--received", "2025-06-16")
    run("status", sd, "--db", sd_db, "--as-of", "2025-06-20", "--json")
    run("stats", sd, "--db", sd_db, "--as-of", "2025-06-20", "--period", "mid", "--json")
    # failures: each prints one JSON document with its reason
    broken = tmp / "broken.yaml"
    broken.write_text("id: x\n", encoding="utf-8")
    run("validate", str(broken), "--json")
    run("status", sd, "--db", str(tmp / "none.db"), "--json")
    run("stats", sd, "--db", sd_db, "--unit", "XX", "--json")
    run("stats", sd, "--db", sd_db, "--period", "q9", "--json")
    run("status", sd, "--db", sd_db, "--as-of", "2025-13-01", "--json")
    run("ingest", sd, str(tmp / "no_such_folder"), "--db", sd_db, "--json")
    run("withdraw", sd, "S999", "--reason", "x", "--db", sd_db, "--json")
    run("frobnicate", "--json")
    words: dict[str, set[str]] = {}
    for command, doc in docs:
        for key, value in _walk(doc):
            if key in JSON_KEYS and isinstance(value, str) and CODE.fullmatch(value):
                words.setdefault(value, set()).add(f"{command} › {key}")
    shutil.rmtree(tmp, ignore_errors=True)
    return words


def _rounds(spec: str) -> list[str]:
    return list(_run("validate", spec, "--json")["rounds"])


# --------------------------------------------------------------------------- the tests


def test_every_word_of_the_source_is_documented() -> None:
    missing = {w: where for w, where in words_in_code().items() if w not in documented()}
    assert not missing, ("status or reason words the code emits but docs/vocabulary.md does "
                         f"not list (add a row for each): {missing}")


def test_every_word_of_the_outputs_is_documented(emitted: dict[str, set[str]]) -> None:
    missing = {w: sorted(where) for w, where in emitted.items() if w not in documented()}
    assert not missing, ("status or reason words found in the JSON output but not in "
                         f"docs/vocabulary.md: {missing}")


def test_the_outputs_were_rich_enough_to_check(emitted: dict[str, set[str]]) -> None:
    """The runs reach errors, warnings, every kind of status: the check above means something."""
    for word in ("accepted", "rejected", "new", "revised", "on_time", "late", "overdue",
                 "unknown_unit", "no_store", "unknown_round", "bad_date",
                 "not_found", "spec_error", "usage", "unknown_id", "current", "superseded",
                 "not_applicable", "total_mismatch", "approximate", "own"):
        assert word in emitted, word


def test_every_documented_word_is_still_in_the_code() -> None:
    """The page lists nothing the code no longer holds (a renamed code is renamed here too)."""
    constants = all_string_constants()
    stale = sorted(w for w in documented() if w not in constants)
    assert not stale, f"docs/vocabulary.md lists words no code holds: {stale}"


@pytest.mark.parametrize("line", [
    'found.error("zzz_new_code", "a message")',
    'found.warn("zzz_new_code" if odd else "zzz_other", f"{x}")',
    'raise IngestError(label, "zzz_new_code", "a message")',
    'raise UsageError("zzz_new_code", "a message")',
    'rows.append({"unit": u, "status": "zzz_new_code"})',
    'status = np.select([a, b], ["zzz_new_code", "on_time"], "pending")',
])
def test_the_collector_sees_a_new_code(line: str) -> None:
    """Mutation check of the method: a new code in any of these shapes would be caught."""
    words = words_in_source(line)
    assert "zzz_new_code" in words
    assert "zzz_new_code" not in documented()
