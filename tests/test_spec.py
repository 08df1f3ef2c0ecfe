"""The campaign spec: both samples against the seed notices, the schema, and located errors."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from campaignkit import SpecError, load_campaign
from campaignkit.cli import main
from campaignkit.dates import parse_sessions, resolve_date, resolve_window
from campaignkit.spec import json_schema, load_campaign_text

from .conftest import FUJIAN, HUBEI, SEEDS


def fold(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def annex(text: str, n: int) -> list[str]:
    """Lines of 附件 n of the Hubei seed."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"附件 ?\d", line.strip())]
    idx = next(i for i in starts if lines[i].strip().endswith(str(n)))
    nxt = [i for i in starts if i > idx]
    return lines[idx + 1 : nxt[0] if nxt else len(lines)]


# -- the samples ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [FUJIAN, HUBEI], ids=["fujian", "hubei"])
def test_samples_pass_the_json_schema(path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    from campaignkit.spec import _plain

    jsonschema.Draft202012Validator(json_schema()).validate(_plain(doc))
    assert load_campaign(path).id == doc["id"]


def test_schema_file_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())
    path = Path(__file__).parent.parent / "campaignkit" / "schema" / "campaign.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema()


def test_fujian_matches_its_notice(fujian) -> None:  # type: ignore[no-untyped-def]
    text = seed("000")
    assert fujian.doc_number == "闽人社办〔2021〕194号"
    assert fujian.doc_number in text
    assert [i.unit for i in fujian.indicators] == ["场", "份", "人次", "人"]
    assert "单位：场、份、人次、人" in text
    header = next(line for line in text.splitlines() if line.startswith("项目\t"))
    cols = [fold(c) for c in header.split("\t")[1:]]
    assert [fold(i.label) for i in fujian.indicators] == cols
    reporters = fujian.reporters("final")
    assert len(reporters) == 10
    names = {u.name for u in reporters}
    assert "平潭综合实验区" in names and "福州市" in names
    assert fujian.match_units("福州市人力资源和社会保障局") == ("FJ01",)
    assert [p.name for p in fujian.phases] == ["宣传准备阶段", "集中宣传阶段", "宣传攻坚阶段"]
    final = fujian.round("final")
    assert final.deadline == date(2022, 1, 20)
    assert final.period_end.date == date(2022, 1, 31)
    assert final.deadline < final.period_end.date  # due before the period ends
    started = fujian.milestone("m_publicity_started")
    assert started.deadline is not None and started.deadline.date == date(2021, 12, 20)
    assert started.deadline.text == "12月中旬前"
    summary = fujian.milestone("m_summary_report")
    assert summary.due == date(2022, 1, 20)


def test_hubei_milestones_are_every_numbered_subtask_of_annex_1(hubei) -> None:  # type: ignore[no-untyped-def]
    rows = [line for line in annex(seed("001"), 1) if "\t" in line and not line.startswith("时间")]
    subtasks: list[tuple[str, str]] = []
    for row in rows:
        when, task = row.split("\t", 1)
        task = re.sub(r"<[^>]+>", "", task)
        numbered = r"(?:^|(?<=\s)|(?<=[。；]))\d{1,2}\.(?!\d)\s*"
        parts = [p for p in re.split(numbered, task) if p.strip()]
        subtasks.extend((when.strip(), p.strip()) for p in parts)
    assert len(subtasks) == 25
    assert len(hubei.milestones) == 25
    tasks = [fold(m.task) for m in hubei.milestones]
    for when, task in subtasks:
        assert any(fold(task) in t or t in fold(task) for t in tasks), (when, task)
    kinds = {m.row: m.kind for m in hubei.milestones}
    assert kinds["3—12月"] == "window" and kinds["7—11月"] == "window"
    assert kinds["贯穿活动全过程"] == "continuous"
    m01 = hubei.milestones[0]
    assert m01.deadline is not None and m01.deadline.date == date(2024, 3, 25)
    windows = [m.window for m in hubei.milestones if m.kind == "window"]
    assert {(w.start, w.end) for w in windows if w} == {
        (date(2024, 3, 1), date(2024, 12, 31)), (date(2024, 7, 1), date(2024, 11, 30))}


def test_hubei_plan_is_every_row_of_annex_2(hubei) -> None:  # type: ignore[no-untyped-def]
    rows = [line.split("\t") for line in annex(seed("001"), 2)
            if "\t" in line and not line.startswith("活动类别")]
    assert len(rows) == 30
    assert len(hubei.plan) == 30
    for cells, row in zip(rows, hubei.plan, strict=True):
        assert fold(row.theme) == fold(cells[1])
        assert fold(row.window.text) == fold(cells[3])
        assert fold(row.sessions.text) == fold(cells[6])
    by_theme = {fold(p.theme): p for p in hubei.plan}
    assert by_theme[fold("就业政策宣讲（四）")].sessions.min == 25
    assert by_theme[fold("“阅读进工地、人社政策进工地”")].sessions.kind == "range"
    assert {p.sessions.kind for p in hubei.plan} == {"exact", "range", "many", "ongoing"}
    units = {u.code: u for u in hubei.units}
    assert all(units[p.responsible].level == "dept" for p in hubei.plan)


def test_hubei_indicators_are_every_item_of_annex_3(hubei) -> None:  # type: ignore[no-untyped-def]
    lines = annex(seed("001"), 3)
    start = next(i for i, line in enumerate(lines) if line.startswith("项 目"))
    items = []
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        if fold(cells[0]) == "备注":
            break
        if len(cells) >= 2:
            items.append(fold(cells[1]))
    assert len(items) == 21
    labels = {fold(i.label) for i in hubei.indicators}
    assert set(items) <= labels
    village = [i for i in hubei.indicators if fold(i.label) == fold("开展政策宣讲进村居活动")]
    assert [i.type for i in village] == ["count", "count", "percent"]
    coverage = village[2]
    assert coverage.formula is not None and coverage.formula.names == {"townships_covered",
                                                                       "townships"}
    per_lecturer = hubei.indicator("sessions_per_lecturer")
    assert per_lecturer.aggregate == "weighted_mean" and per_lecturer.weight == "lecturers"
    assert {i.type for i in hubei.indicators} >= {"count", "percent", "yes_no", "text", "url"}
    assert hubei.measure("five_venues_rate").reading == "ours"
    assert hubei.doc_number is None


def test_hubei_units(hubei) -> None:  # type: ignore[no-untyped-def]
    cities = hubei.units_at("city")
    counties = hubei.units_at("county")
    assert len(cities) == 17 and len(counties) == 99
    for name in ("仙桃市", "潜江市", "天门市", "神农架林区"):
        (code,) = hubei.match_units(name)
        assert hubei.children(code) == ()
    assert all(u.illustrative for u in hubei.units_at("dept"))
    assert any(u.townships == 0 for u in counties)
    assert all(t.synthetic for t in hubei.targets)
    assert {r.id: r.deadline for r in hubei.rounds} == {
        "midyear": date(2024, 6, 30), "final": date(2024, 12, 20)}


# -- dates as the notices write them ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("3月25日前", date(2024, 1, 1), date(2024, 12, 31), date(2024, 3, 25)),
        ("12月中旬前", date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 20)),
        ("12月上旬前", date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 10)),
        ("2月下旬前", date(2024, 1, 1), date(2024, 12, 31), date(2024, 2, 29)),
        ("1月20日前", date(2021, 11, 1), date(2022, 1, 31), date(2022, 1, 20)),
        ("12月中旬前", date(2021, 11, 1), date(2022, 1, 31), date(2021, 12, 20)),
        ("1月底", date(2021, 11, 1), date(2022, 1, 31), date(2022, 1, 31)),
        ("2022年1月20日前", date(2021, 11, 1), date(2022, 1, 31), date(2022, 1, 20)),
        ("2024-06-30", date(2024, 1, 1), date(2024, 12, 31), date(2024, 6, 30)),
        ("３月２５日前", date(2024, 1, 1), date(2024, 12, 31), date(2024, 3, 25)),
    ],
)
def test_notice_dates(text: str, start: date, end: date, expected: date) -> None:
    spec = resolve_date(text, start, end)
    assert spec.date == expected and spec.text == text


@pytest.mark.parametrize("text", ["2024-13-01", "2月30日前", "下个月", "", "13月上旬"])
def test_not_dates(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        resolve_date(text, date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("3—12月", date(2024, 3, 1), date(2024, 12, 31)),
        ("7—11月", date(2024, 7, 1), date(2024, 11, 30)),
        ("5-6月", date(2024, 5, 1), date(2024, 6, 30)),
        ("9-11月", date(2024, 9, 1), date(2024, 11, 30)),
        ("5月", date(2024, 5, 1), date(2024, 5, 31)),
        ("全年", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_windows(text: str, first: date, last: date) -> None:
    w = resolve_window(text, date(2024, 1, 1), date(2024, 12, 31))
    assert (w.start, w.end, w.text) == (first, last, text)


def test_window_across_the_new_year() -> None:
    w = resolve_window("11—1月", date(2021, 11, 1), date(2022, 1, 31))
    assert (w.start, w.end) == (date(2021, 11, 1), date(2022, 1, 31))


@pytest.mark.parametrize(
    ("text", "kind", "lo", "hi"),
    [("1场", "exact", 1, 1), ("3场", "exact", 3, 3), ("1-2场", "range", 1, 2),
     ("25场", "exact", 25, 25), ("多场次", "many", 2, None), ("全年", "ongoing", None, None)],
)
def test_planned_sessions(text: str, kind: str, lo: int | None, hi: int | None) -> None:
    s = parse_sessions(text)
    assert (s.kind, s.min, s.max, s.text) == (kind, lo, hi, text)


# -- located errors, all at once ----------------------------------------------------------------
BROKEN = """
id: broken_spec
title: t
issuer: i
doc_number: null
period: {start: 2024-01-01, end: 2024-12-31}
units:
  - {code: P, name: 省, parent: null, level: province}
  - {code: C1, name: 甲市, parent: NOPE, level: city}
indicators:
  - {id: a, label: A, type: count, aggregate: average}
  - {id: a, label: A2, type: count}
  - {id: r, label: R, type: percent, formula: "a / zz * 100"}
rounds:
  - {id: final, period_end: 2024-12-31, deadline: m1, reporters: [city]}
milestones:
  - {id: m1, kind: deadline, deadline: "2024-13-01", task: x, responsible: city}
"""


def test_five_mistakes_give_five_located_errors(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError) as info:
        load_campaign_text(BROKEN, "broken.yaml")
    paths = [i.path for i in info.value.issues]
    assert paths == ["indicators[0].aggregate", "indicators[1].id", "units[1].parent",
                     "indicators[2].formula", "milestones[0].deadline"]
    messages = {i.path: i.message for i in info.value.issues}
    assert messages["milestones[0].deadline"].startswith("'2024-13-01' is not a date")
    assert "zz" in messages["indicators[2].formula"]
    assert "NOPE" in messages["units[1].parent"]
    assert isinstance(info.value, ValueError)
    spec = tmp_path / "broken.yaml"
    spec.write_text(BROKEN, encoding="utf-8")
    assert main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "5 problem(s)" in err and "milestones[0].deadline: '2024-13-01' is not a date" in err
    assert main(["validate", str(spec), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False and len(doc["errors"]) == 5


@pytest.mark.parametrize(
    ("patch", "path", "fragment"),
    [
        ("  - {id: w, label: W, type: number, aggregate: weighted_mean}", "indicators[3].weight",
         "needs a weight"),
        ("  - {id: p, label: P, type: percent, aggregate: sum}", "indicators[3].aggregate",
         "never summed"),
        ("  - {id: t, label: T, type: text, aggregate: sum}", "indicators[3].aggregate",
         "numeric"),
    ],
)
def test_indicator_rules(patch: str, path: str, fragment: str) -> None:
    good = BROKEN.replace("aggregate: average", "aggregate: sum").replace(
        "{id: a, label: A2, type: count}", "{id: b, label: A2, type: count}").replace(
        "a / zz * 100", "a / b * 100").replace("parent: NOPE", "parent: P").replace(
        '"2024-13-01"', '"12月20日前"')
    load_campaign_text(good)  # the repaired spec loads
    text = good.replace("rounds:", patch + "\nrounds:")
    with pytest.raises(SpecError) as info:
        load_campaign_text(text)
    assert any(i.path == path and fragment in i.message for i in info.value.issues), \
        info.value.issues


def test_bad_yaml_names_the_line() -> None:
    with pytest.raises(SpecError, match="line 3"):
        load_campaign_text("id: x\ntitle: [unclosed\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_campaign(tmp_path / "nope.yaml")
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2


def test_validate_ok(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["validate", str(HUBEI), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["milestones"] == 25 and doc["plan_rows"] == 30
    assert doc["reporting_units"]["final"] == 17 + 6


def test_campaign_is_frozen(fujian) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fujian.title = "x"
    other = fujian.replace(title="另一个")
    assert other.title == "另一个" and fujian.title != "另一个"
    assert other.unit("FJ01") == fujian.unit("FJ01")


def test_zero_denominator_is_na(hubei) -> None:  # type: ignore[no-untyped-def]
    f = hubei.indicator("township_coverage").formula
    assert f.evaluate({"townships_covered": 0, "townships": 0}) is None
    assert f.evaluate({"townships_covered": 3, "townships": 4}) == 75.0
    five = hubei.measure("five_venues_rate").formula
    assert five.evaluate({"enterprise_sessions": 2, "campus_sessions": 0,
                          "village_sessions": 1}) == 40.0


def test_weight_must_be_a_reported_number() -> None:
    text = BROKEN.replace("aggregate: average", "aggregate: sum").replace(
        "{id: a, label: A2, type: count}",
        "{id: w, label: W, type: number, aggregate: weighted_mean, weight: t}\n"
        "  - {id: t, label: T, type: text}")
    with pytest.raises(SpecError) as info:
        load_campaign_text(text)
    assert any(i.path == "indicators[1].weight" and "numeric" in i.message
               for i in info.value.issues), info.value.issues
