"""The package's public names, and a light import (matplotlib and nbconvert load on use)."""

from __future__ import annotations

import subprocess
import sys

import campaignkit.report as report_pkg
from campaignkit.report import _MODULES


def test_every_public_name_resolves_to_its_module() -> None:
    listed = sorted(n for names in _MODULES.values() for n in names)
    assert sorted(report_pkg.__all__) == listed
    for module, names in _MODULES.items():
        for name in names:
            value = getattr(report_pkg, name)
            assert getattr(value, "__module__", f"campaignkit.report.{module}") in (
                f"campaignkit.report.{module}", "builtins") or name == "MISSING"


def test_importing_the_model_does_not_load_matplotlib_or_nbconvert() -> None:
    code = ("import sys; from campaignkit.report import report, render_html; "
            "print(sorted(m for m in ('matplotlib', 'nbconvert', 'docx', 'openpyxl') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
