"""How the command line fails: one JSON document with --json, and our own bugs named as ours.

Usage errors exit 2; with ``--json`` stdout holds exactly one document
``{"error": {"reason": ..., "message": ...}}``. An unexpected exception inside campaignkit
exits 2 with one sentence naming the log file that holds the traceback, never the traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from campaignkit.cli import main
from campaignkit.errors import InternalError

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "shandong_jobs_2025" / "campaign.yaml"
INTERNAL = "internal error in campaignkit (not a problem with your files): details in "


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store holding one return of 济南市 (mid round)."""
    path = tmp_path / "campaignkit.db"
    ret = tmp_path / "sd01.csv"
    ret.write_text("单位,举办政策宣讲活动场次,参加活动人次,发放宣传资料份数\n济南市,5,300,1000\n",
                   encoding="utf-8")
    assert main(["ingest", str(SPEC), str(ret), "--db", str(path), "--period", "mid",
                 "--received", "2025-06-16"]) == 0
    capsys.readouterr()
    return path


def json_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 2, out
    doc = json.loads(out)  # exactly one JSON document: json.loads refuses trailing text
    assert set(doc) >= {"error"}
    err = doc["error"]
    assert isinstance(err["reason"], str) and isinstance(err["message"], str) and err["message"]
    return err  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("argv", "reason", "words"),
    [
        (["ingest", "{spec}", "{tmp}/missing", "--db", "{db}"], "not_found", "missing"),
        (["stats", "{spec}", "--db", "{db}", "--unit", "烟台"], "unknown_unit", "烟台"),
        (["status", "{spec}", "--db", "{db}", "--unit", "XX"], "unknown_unit", "XX"),
        (["history", "{spec}", "--db", "{db}", "--unit", "XX"], "unknown_unit", "XX"),
        (["stats", "{spec}", "--db", "{db}", "--as-of", "2025-13-01"], "bad_date", "2025-13-01"),
        (["status", "{spec}", "--db", "{db}", "--as-of", "yesterday"], "bad_date", "yesterday"),
        (["stats", "{spec}", "--db", "{db}", "--period", "q9"], "unknown_round", "q9"),
        (["ingest", "{spec}", "{tmp}", "--db", "{db}", "--period", "q9"], "unknown_round", "q9"),
        (["stats", "{spec}", "--db", "{tmp}/notes.txt"], "bad_store", "not a SQLite"),
        (["ingest", "{spec}", "{tmp}", "--db", "{tmp}/notes.txt"], "bad_store", "not a SQLite"),
        (["stats", "{spec}", "--db", "{tmp}"], "bad_store", "folder"),
        (["status", "{spec}", "--db", "{tmp}/none.db"], "no_store", "none.db"),
        (["stats", "{tmp}/nope.yaml", "--db", "{db}"], "spec_error", "nope.yaml"),
        (["stats", "--db", "{db}"], "usage", "spec"),
        (["stats", "{spec}", "--bogus"], "usage", "--bogus"),
        (["nonsense", "{spec}"], "usage", "nonsense"),
    ],
)
def test_json_usage_errors_print_one_json_document(
    argv: list[str], reason: str, words: str, db: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "notes.txt").write_text("not a store", encoding="utf-8")
    filled = [a.format(spec=SPEC, tmp=tmp_path, db=db) for a in argv]
    err = json_error(capsys, [*filled, "--json"])
    assert err["reason"] == reason
    assert words in err["message"]
    assert not (tmp_path / "none.db").exists()


def test_without_json_usage_errors_stay_sentences_on_stderr(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", str(SPEC), "--db", str(db), "--period", "q9"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "unknown round 'q9'" in out.err
    assert main(["stats", str(SPEC), "--db", str(db), "--as-of", "2025-13-01"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "usage:" in out.err and "not a date" in out.err


def boom(*args: object, **kwargs: object) -> object:
    return 1 / 0


def test_an_internal_error_is_ours_exit_2_and_the_traceback_goes_to_a_log(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAIGNKIT_LOG_DIR", raising=False)
    monkeypatch.setattr("campaignkit.stats.time_progress", boom)  # deep inside stats_json
    assert main(["stats", str(SPEC), "--db", str(db), "--as-of", "2025-06-20"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert out.err.startswith("campaignkit stats: " + INTERNAL)
    log = Path(out.err.strip().rsplit(INTERNAL, 1)[1])
    assert log.parent == tmp_path and log.name.startswith("campaignkit-error-")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text and "time_progress" in text
    assert "stats" in text  # the command line that failed

    # with --json the same, as one document
    err = json_error(capsys, ["stats", str(SPEC), "--db", str(db), "--json"])
    assert err["reason"] == "internal_error" and INTERNAL in err["message"]
    assert Path(err["log"]).is_file()


def test_campaignkit_internal_error_is_reported_as_ours(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise InternalError("sd01.csv", "KeyError: 'B5'",
                            "Traceback (most recent call last):\n  worker frame\nKeyError: 'B5'\n")

    monkeypatch.setenv("CAMPAIGNKIT_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("campaignkit.ingest.expand_paths", fail)
    code = main(["ingest", str(SPEC), str(tmp_path / "sd01.csv"), "--db", str(db)])
    out = capsys.readouterr()
    assert code == 2 and INTERNAL in out.err and out.out == ""
    logs = list((tmp_path / "logs").glob("campaignkit-error-*.log"))
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "while reading sd01.csv" in text and "worker frame" in text  # its own traceback
    assert "InternalError" in text and "expand_paths" not in out.err
    err = json_error(capsys, ["ingest", str(SPEC), str(tmp_path / "sd01.csv"), "--db", str(db),
                              "--json"])
    assert err["reason"] == "internal_error" and err["file"] == "sd01.csv"


def test_ctrl_c_exits_130_quietly(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("campaignkit.stats.time_progress", interrupt)
    assert main(["stats", str(SPEC), "--db", str(db), "--json"]) == 130
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_an_internal_error_in_a_real_process(db: Path, tmp_path: Path) -> None:
    script = ("import sys, campaignkit.stats as s; from campaignkit.cli import main\n"
              "s.time_progress = lambda *a, **k: 1 / 0\n"
              "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "CAMPAIGNKIT_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run(
        [sys.executable, "-c", script, "stats", str(SPEC), "--db", str(db), "--json"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and INTERNAL in done.stderr
    err = json.loads(done.stdout)["error"]
    assert err["reason"] == "internal_error"
    assert "ZeroDivisionError" in Path(err["log"]).read_text(encoding="utf-8")
