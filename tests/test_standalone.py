"""The project stands alone: nothing in it points to files outside the repository."""

from __future__ import annotations

import re
import subprocess

from .conftest import ROOT

OUTSIDE = re.compile(r"\.\./shared|\b(DESIGN|REFERENCE|STYLE)\.md\b")


def test_no_file_refers_outside_the_project() -> None:
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    hits = []
    for name in tracked.splitlines():
        if not name.endswith((".py", ".md", ".yaml", ".json", ".toml", ".j2", ".ipynb", ".txt")):
            continue
        path = ROOT / name
        if not path.is_file() or "tests/data/seeds" in name:
            continue
        for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line) and path.name != "test_standalone.py":
                hits.append(f"{name}:{n}: {line.strip()[:80]}")
    assert hits == []
