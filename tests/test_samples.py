"""The committed sample data equals a fresh run of the seeded generator, by content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from campaignkit import load_campaign
from campaignkit.samples import SYNTHETIC_NOTE, generate, plan_files, scenario

from .conftest import FUJIAN, HUBEI

GENERATED = ("returns", "progress.csv", "ledger.xlsx", "SAMPLES.md")


def committed_files(root: Path) -> set[str]:
    out = set()
    for name in GENERATED:
        p = root / name
        if p.is_dir():
            out |= {str(f.relative_to(root)) for f in p.rglob("*") if f.is_file()}
        elif p.exists():
            out.add(name)
    return out


def content(path: Path) -> Any:
    if path.suffix == ".xlsx":
        wb = load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
                for ws in wb.worksheets}
    if path.suffix == ".csv":
        raw = path.read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gb18030")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_committed_samples_equal_a_fresh_run(spec: Path, tmp_path: Path) -> None:
    c = load_campaign(spec)
    written = generate(c, tmp_path)
    fresh = {str(p.relative_to(tmp_path)) for p in written}
    assert fresh == committed_files(spec.parent), "run `campaignkit samples` and commit"
    for rel in sorted(fresh):
        assert content(tmp_path / rel) == content(spec.parent / rel), rel


@pytest.mark.parametrize("spec", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_samples_say_they_are_synthetic(spec: Path) -> None:
    text = (spec.parent / "SAMPLES.md").read_text(encoding="utf-8")
    assert SYNTHETIC_NOTE in text
    c = load_campaign(spec)
    for situation in scenario(c):
        assert situation in text


def test_hubei_scenario_has_the_situations_analysts_meet() -> None:
    c = load_campaign(HUBEI)
    files = plan_files(c)
    units = {(f.unit, f.round) for f in files}
    assert ("HB17", "final") not in units and ("HB17", "midyear") not in units  # never submitted
    revised = [f for f in files if f.note == "revised"]
    assert [(f.unit, f.round) for f in revised] == [("HB05", "final")]
    late = [f for f in files if f.written_on > c.round(f.round).deadline
            and f.note != "revised"]
    assert {(f.unit, f.round) for f in late} == {("HB09", "midyear"), ("HB13", "final")}
    assert any(f.layout == "vertical" for f in files)
    assert any(c.unit(f.unit).parent == "HB02" for f in files)  # 黄石市's counties
