"""ruff and the type checker pass on the package (both are in the test extra)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_passes() -> None:
    out = run("ruff", "check", "campaignkit", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_passes() -> None:
    out = run("mypy", "campaignkit")
    assert out.returncode == 0, out.stdout + out.stderr
