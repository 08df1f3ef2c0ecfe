"""The main job on the bundled samples, run end to end, and the escaping of its page."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from campaignkit.cli import main
from campaignkit.demo import CampaignResult, render_index

from .conftest import FUJIAN, SAMPLES


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    # the cities' reports only (the README's command makes every unit's: ~3 minutes)
    assert main(["demo", "--out", str(out), "--samples", str(SAMPLES), "--reports", "city",
                 "-j", "2"]) == 0
    return out


def test_demo_writes_index_and_per_campaign_outputs(demo_out: Path) -> None:
    index = (demo_out / "index.html").read_text(encoding="utf-8")
    assert "港澳居民内地参保政策专项宣传季活动" in index and "人社惠民政策进万家" in index
    assert "闽人社办〔2021〕194号" in index
    assert "虚构" in index  # the page says the sample data is made up
    for name in ("fujian_hkmacao_2021", "hubei_huimin_2024"):
        folder = demo_out / name
        for f in ("ingest.json", "stats.json", "status.json", "campaignkit.db"):
            assert (folder / f).exists(), f
        assert list((folder / "forms").glob("*.xlsx"))
        for kind in ("year-end", "briefing"):
            reports = folder / "reports" / kind
            assert f'href="{name}/reports/{kind}/index.html"' in index
            page = (reports / "index.html").read_text(encoding="utf-8")
            assert 'class="failed"' not in page
            assert len(list(reports.glob("*.docx"))) == (10 if name.startswith("fujian") else 17)


def test_demo_figures_follow_the_sample_scenario(demo_out: Path) -> None:
    status = json.loads((demo_out / "fujian_hkmacao_2021" / "status.json").read_text("utf-8"))
    (final,) = status["reporting"]
    # 平潭 never submitted; 南平 was late (1-25, after the 1-20 deadline)
    assert (final["expected"], final["received"], final["on_time"]) == (10, 9, 8)
    ingest = json.loads((demo_out / "hubei_huimin_2024" / "ingest.json").read_text("utf-8"))
    rejected = [f for f in ingest["files"] if f["status"] == "rejected"]
    assert [Path(f["path"]).name for f in rejected] == ["HB12_随州市_final_有误.xlsx"]
    assert rejected[0]["errors"][0]["reason"] == "wrong_unit"
    assert (demo_out / "hubei_huimin_2024" / "quarantine").exists()
    counties = [f for f in ingest["files"] if "/counties/" in f["path"]]
    assert len(counties) == 6 and all(f["status"] == "accepted" for f in counties)
    # counties do not report the round to the province: kept, with a word
    assert all(w["reason"] == "not_a_reporter" for f in counties for w in f["warnings"])
    assert all(f["warnings"] for f in counties)
    db = sqlite3.connect(demo_out / "hubei_huimin_2024" / "campaignkit.db")
    revs = db.execute("select revision, is_current from submissions where unit='HB05' and "
                      "round='final' order by revision").fetchall()
    assert revs == [(1, 0), (2, 1)]  # the revised return is current, the first kept


def test_index_escapes_user_text() -> None:
    from campaignkit import load_campaign

    c = load_campaign(FUJIAN).replace(title="<script>alert(1)</script>")
    r = CampaignResult(c, date(2022, 1, 31), {"files": [{"path": "<b>x</b>.xlsx", "kind":
                       "return", "status": "rejected", "submissions": [], "warnings": [],
                       "errors": [{"message": "<img src=x onerror=alert(1)>"}]}]},
                       {"values": {}, "children": {"<i>u</i>": {"sessions": 1}}},
                       {"reporting": [], "items": []})
    page = render_index([r])
    assert "<script>" not in page and "<img" not in page and "<b>x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
