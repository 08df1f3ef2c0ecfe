"""Spec exactness on a campaign we did not generate (issue: exactness, items 5 and 8).

The Shandong spec under ``tests/data`` was written from the docs alone. Dates a notice writes
without a year must fall inside the campaign period; impossible dates get a located message
(never a traceback); ``validate`` shows how every date was read; a validation rule that rests
on a synthetic reference figure can only warn.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from campaignkit import SpecError, load_campaign
from campaignkit.cli import main
from campaignkit.ingest import read_return
from campaignkit.spec import load_campaign_text

from .conftest import HUBEI

SHANDONG = Path(__file__).parent / "data" / "shandong_jobs_2025" / "campaign.yaml"


def _doc() -> dict[str, object]:
    doc = yaml.safe_load(SHANDONG.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _issues(text: str) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        load_campaign_text(text, "spec.yaml")
    return {i.path: i.message for i in info.value.issues}


def _with(change: str, new: str) -> str:
    text = SHANDONG.read_text(encoding="utf-8")
    assert change in text
    return text.replace(change, new, 1)


# --------------------------------------------------------------------------- dates


def test_a_date_without_year_outside_the_period_is_a_spec_error() -> None:
    """5月25日前 in a June campaign names its key; it is never moved to next May."""
    issues = _issues(_with("deadline: 6月5日前", "deadline: 5月25日前"))
    assert "milestones[0].deadline" in issues
    assert "5月25日前" in issues["milestones[0].deadline"]
    assert "2025-06-01" in issues["milestones[0].deadline"]


def test_a_window_outside_the_period_is_a_spec_error_but_an_overlapping_one_reads() -> None:
    issues = _issues(_with("    window: 6月\n    task: 各级", "    window: 9月\n    task: 各级"))
    assert "milestones[2].window" in issues
    c = load_campaign_text(_with("    window: 6月\n    task: 各级",
                                 "    window: 5-6月\n    task: 各级"))
    w = c.milestone("m_drive").window
    assert w is not None and (w.start.isoformat(), w.end.isoformat()) == ("2025-05-01",
                                                                          "2025-06-30")


def test_a_date_with_its_year_may_lie_outside_the_period() -> None:
    c = load_campaign_text(_with("deadline: 6月5日前", "deadline: 2025年5月25日前"))
    assert c.milestone("m_plan").deadline is not None
    assert c.milestone("m_plan").deadline.date.isoformat() == "2025-05-25"  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", ["2021-12-32", "2024-13-45", "2024-02-30"])
def test_an_unquoted_impossible_date_gets_a_located_message(bad: str) -> None:
    issues = _issues(_with("deadline: 6月5日前", f"deadline: {bad}")
                     .replace("start: 2025-06-01\n  end: 2025-07-10",
                              f"start: {bad}\n  end: 2025-07-10"))
    assert f"'{bad}' is not a date" in issues["milestones[0].deadline"]
    assert f"'{bad}' is not a date" in issues["period.start"]


def test_validate_exits_2_on_an_impossible_date_without_a_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "campaign.yaml"
    spec.write_text(_with("start: 2025-06-01\n  end", "start: 2024-13-45\n  end"), "utf-8")
    run = subprocess.run([sys.executable, "-m", "campaignkit", "validate", str(spec)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert "period.start: '2024-13-45' is not a date" in run.stderr + run.stdout


def test_validate_shows_every_resolved_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SHANDONG)]) == 0
    out = capsys.readouterr().out
    assert "rounds[0].period_end: 6月15日 → 2025-06-15" in out
    assert "rounds[0].deadline: 6月18日前 → 2025-06-18" in out
    assert "rounds[1].deadline: 7月5日前 → 2025-07-05" in out
    assert "milestones[2].window: 6月 → 2025-06-01 to 2025-06-30" in out
    assert "milestones[5]: 贯穿活动全过程 → no date (never overdue)" in out
    assert main(["validate", str(SHANDONG), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    dates = {d["key"]: d for d in doc["dates"]}
    assert dates["rounds[0].period_end"] == {"key": "rounds[0].period_end", "text": "6月15日",
                                             "date": "2025-06-15"}
    assert dates["plan[1].window"]["end"] == "2025-06-30"


# --------------------------------------------------------------------------- untrusted YAML


def _alias_bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb(), "utf-8")
    assert len(bomb.read_bytes()) < 400
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "campaignkit", "validate", str(bomb)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "alias" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - started < 30


def test_many_aliases_are_refused_and_a_few_are_fine() -> None:
    few = _with("notes:\n", "x_anchor: &n 稳就业\nnotes:\n")  # an unknown key, but parsed
    assert "x_anchor" in " ".join(_issues(few).values()) + " ".join(_issues(few))
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * 150) + "]\n"
    assert "aliases" in " ".join(_issues(many).values())


# --------------------------------------------------------------------------- rule severity


def test_a_rule_on_a_synthetic_figure_only_warns() -> None:
    c = load_campaign(SHANDONG)
    rule = c.validation[0]
    assert (rule.severity, rule.synthetic) == ("warning", ("townships",))
    csv = ("单位,举办政策宣讲活动场次,覆盖乡镇（街道）数\n济南市,12,25\n").encode()
    out = read_return(c, csv, name="济南市.csv", round_id="final")
    assert out.status == "ok", [p.message for p in out.errors]
    assert [w.reason for w in out.warnings if w.reason.startswith("rule")] == ["rule_warning"]
    assert "synthetic" in next(w.message for w in out.warnings if w.reason == "rule_warning")


def test_a_rule_on_real_figures_still_rejects() -> None:
    doc = _doc()
    units = doc["units"]
    assert isinstance(units, list)
    for u in units:
        u.pop("synthetic_figures", None)
    c = load_campaign_text(yaml.safe_dump(doc, allow_unicode=True))
    assert c.validation[0].severity == "error"
    csv = ("单位,举办政策宣讲活动场次,覆盖乡镇（街道）数\n济南市,12,25\n").encode()
    out = read_return(c, csv, name="济南市.csv", round_id="final")
    assert out.status == "rejected"
    assert [e.reason for e in out.errors] == ["rule_broken"]


def test_severity_error_on_a_synthetic_figure_is_a_spec_error() -> None:
    issues = _issues(_with("    skip_missing: true\n", "    skip_missing: true\n"
                                                       "    severity: error\n"))
    assert "validation[0].severity" in issues
    assert "synthetic" in issues["validation[0].severity"]


def test_severity_warning_is_kept_and_validate_says_so(
        capsys: pytest.CaptureFixture[str]) -> None:
    c = load_campaign(HUBEI)
    township = next(r for r in c.validation if "townships" in r.text)
    assert township.severity == "warning"
    assert main(["validate", str(SHANDONG)]) == 0
    assert "never rejects a return" in capsys.readouterr().out
