"""Generate the bundled sample data: returns, progress logs and activity ledgers (synthetic).

Deterministic and seeded: ``generate(campaign, out_dir)`` always writes the same files with the
same cell values (workbook timestamps aside), and a test compares the committed files under
``data_samples/`` with a fresh run by content. Every figure is made up; the files say so.

The situations an analyst meets are built in on purpose and listed in ``SCENARIO`` of each
campaign: messy values in the offices' own layouts, a late unit, a unit that never
submitted, a revised return, a rejected return resent corrected, and counties that send
returns to the province although only cities report (kept, never used in a figure).

>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> sorted(scenario(c))[1:3]
['late', 'missing']
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .spec import Campaign, Indicator

__all__ = ["SYNTHETIC_NOTE", "generate", "plan_files", "scenario"]

SYNTHETIC_NOTE = "本文件为 campaignkit 生成的示例数据（虚构），不代表任何单位的真实情况。"
SEED = 20241220


@dataclass(frozen=True)
class SampleReturn:
    """One return to write: which unit, round, date written, values, and in which layout."""

    path: str
    unit: str
    round: str
    written_on: date
    values: Mapping[str, Any]
    layout: str  # template | vertical | horizontal | csv
    note: str = ""


def scenario(campaign: Campaign) -> dict[str, str]:
    """Name the built-in situations of a sample campaign (situation → unit code and detail)."""
    if campaign.id.startswith("fujian"):
        return {
            "late": "FJ07 南平市: received 2022-01-25, after the 1-20 deadline, before 1月底",
            "missing": "FJ10 平潭综合实验区: never submitted",
            "revised": "FJ02 厦门市: revised on 2022-01-19 (still on time)",
            "own_layout": "FJ04 泉州市, FJ08 龙岩市: own horizontal tables with messy values",
            "csv": "FJ06 莆田市: a GB18030 CSV",
        }
    return {
        "late": "HB09 荆州市 midyear on 2024-07-05; HB13 恩施州 final on 2024-12-24",
        "missing": "HB17 神农架林区: never submitted either round",
        "revised": "HB05 襄阳市: final revised on 2024-12-23",
        "rejected_then_fixed": "HB12 随州市: first final return has 12份 in a 场 field",
        "counties_not_reporters": "HB02 黄石市: its six counties also sent final returns to the "
                                  "province; counties do not report Hubei's rounds, so they are "
                                  "kept, listed as received and not used, and never added",
        "own_layout": "HB04 宜昌市, HB08 孝感市: own vertical tables with several blanks a cell",
        "coverage_short": "HB10 黄冈市: townships not fully covered by 11-30",
        "five_venues_short": "HB03 十堰市: no worksite sessions (五进 80%)",
    }


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------
def _hubei_values(c: Campaign, code: str, rng: random.Random, share: float) -> dict[str, Any]:
    unit = c.unit(code)
    towns = int(unit.townships or 0)
    size = max(1, len(c.children(code))) if unit.level == "city" else 1
    scale = share * (0.6 + rng.random())

    def n(base: float) -> int:
        return max(0, round(base * size * scale))

    covered = towns if towns == 0 else min(towns, round(towns * min(1.0, share * 1.15)))
    v: dict[str, Any] = {
        "policy_docs_published": n(6), "policy_answers_published": n(4),
        "published_on_portal": True, "column_set_up": True,
        "column_name": f"{unit.name}人社惠民政策进万家专栏",
        "micro_videos": n(5), "interpretations": n(8), "expert_interviews": n(1),
        "press_conferences": n(0.5), "press_qa": n(0.7),
        "enterprise_sessions": n(4) + 1, "campus_sessions": n(2) + 1,
        "village_sessions": n(5) + 1, "townships_covered": covered,
        "worksite_sessions": n(1.5) + 1, "system_sessions": n(2) + 1,
        "lecturers": n(3) + 2, "sessions_per_lecturer": round(2 + rng.random() * 3, 1),
        "schedule_url": f"https://rsj.example.gov.cn/{code.lower()}/xjap",
        "bulletin_boards": n(30), "e_screens": n(4), "videos_made": n(3),
        "videos_played": n(12), "brochures": n(800),
    }
    v["township_coverage"] = round(covered / towns * 100, 1) if towns else None
    return v


def _fujian_values(code: str, rng: random.Random) -> dict[str, Any]:
    big = code in {"FJ01", "FJ02", "FJ04"}
    k = 3 if big else 1
    return {
        "sessions": k * rng.randint(3, 9),
        "materials": k * rng.randint(40, 160) * 10,
        "consultations": k * rng.randint(60, 300),
        "new_insured": k * rng.randint(2, 40),
    }


# ---------------------------------------------------------------------------------------------
# the plan of files
# ---------------------------------------------------------------------------------------------
def _fname(code: str, name: str, round_id: str, extra: str = "") -> str:
    return f"{code}_{name}_{round_id}{extra}"


def plan_files(c: Campaign, seed: int = SEED) -> list[SampleReturn]:
    """List the returns the generator writes, deterministic for a seed."""
    rng = random.Random(seed)
    out: list[SampleReturn] = []
    if c.id.startswith("fujian"):
        for u in c.reporters("final"):
            vals = _fujian_values(u.code, rng)
            day = date(2022, 1, 10) + timedelta(days=rng.randint(0, 9))
            if u.code == "FJ10":
                continue  # 平潭: never submitted
            if u.code == "FJ07":
                day = date(2022, 1, 25)
            layout = {"FJ04": "horizontal", "FJ08": "horizontal", "FJ06": "csv"}.get(
                u.code, "template")
            ext = ".csv" if layout == "csv" else ".xlsx"
            out.append(SampleReturn(f"returns/{_fname(u.code, u.name, 'final')}{ext}", u.code,
                                    "final", day, vals, layout))
            if u.code == "FJ02":
                revised = dict(vals, consultations=int(vals["consultations"]) + 37)
                out.append(SampleReturn(
                    f"returns/{_fname(u.code, u.name, 'final', '_更正')}.xlsx", u.code, "final",
                    date(2022, 1, 19), revised, "template", "revised"))
        return out

    # 黄石市's counties send their own final returns too, although only cities report; the
    # city's consolidated return differs from their sum in two figures (not a difference the
    # engine reports: returns of units that do not report a round are never used)
    county_rng = random.Random(seed + 7)
    county_values = {ch.code: _hubei_values(c, ch.code, county_rng, 1.0)
                     for ch in c.children("HB02")}
    for round_id, share, due in (("midyear", 0.45, date(2024, 6, 30)),
                                 ("final", 1.0, date(2024, 12, 20))):
        for u in c.reporters(round_id):
            if u.code == "HB17":
                continue  # 神农架林区: never submitted
            if u.level == "dept":
                vals = _dept_values(c, u.code, rng, share)
            else:
                vals = _hubei_values(c, u.code, rng, share)
            if u.code == "HB10" and round_id == "final":
                vals["townships_covered"] = int(c.unit("HB10").townships or 0) - 9
                vals["township_coverage"] = round(
                    vals["townships_covered"] / float(c.unit("HB10").townships or 1) * 100, 1)
            if u.code == "HB03":
                vals["worksite_sessions"] = 0
            if u.code == "HB02" and round_id == "final":
                vals = _consolidate(c, "HB02", county_values)
            day = due - timedelta(days=rng.randint(1, 12))
            if u.code == "HB09" and round_id == "midyear":
                day = date(2024, 7, 5)
            if u.code == "HB13" and round_id == "final":
                day = date(2024, 12, 24)
            layout = "vertical" if u.code in {"HB04", "HB08"} else "template"
            base = f"returns/{round_id}/{_fname(u.code, u.name, round_id)}"
            if u.code == "HB12" and round_id == "final":
                bad = dict(vals, enterprise_sessions=f"{vals['enterprise_sessions']}份")
                out.append(SampleReturn(f"{base}_有误.xlsx", u.code, round_id,
                                        day - timedelta(days=2), bad, "vertical_raw",
                                        "rejected: 份 in a 场 field"))
            out.append(SampleReturn(f"{base}.xlsx", u.code, round_id, day, vals, layout))
            if u.code == "HB05" and round_id == "final":
                revised = dict(vals, village_sessions=int(vals["village_sessions"]) + 6,
                               brochures=int(vals["brochures"]) + 500)
                out.append(SampleReturn(f"{base}_修订.xlsx", u.code, round_id,
                                        date(2024, 12, 23), revised, "template", "revised"))
        if round_id == "final":
            for child in c.children("HB02"):
                out.append(SampleReturn(
                    f"returns/counties/{_fname(child.code, child.name, round_id)}.xlsx",
                    child.code, round_id, due - timedelta(days=8), county_values[child.code],
                    "template"))
    return out


def _consolidate(c: Campaign, code: str, children: Mapping[str, Mapping[str, Any]]
                 ) -> dict[str, Any]:
    v: dict[str, Any] = {}
    for ind in c.input_indicators:
        nums = [x[ind.id] for x in children.values() if isinstance(x.get(ind.id), int | float)
                and not isinstance(x.get(ind.id), bool)]
        if ind.aggregate == "sum":
            v[ind.id] = sum(nums)
        elif ind.type == "yes_no":
            v[ind.id] = True
    weights = [(x["lecturers"], x["sessions_per_lecturer"]) for x in children.values()]
    total = sum(w for w, _ in weights)
    v["sessions_per_lecturer"] = round(sum(w * s for w, s in weights) / total, 1)
    v["village_sessions"] += 4  # sessions the city ran itself and counted once more
    v["brochures"] -= 200
    towns = float(c.unit(code).townships or 0)
    v["township_coverage"] = round(v["townships_covered"] / towns * 100, 1) if towns else None
    v["column_name"] = f"{c.unit(code).name}人社惠民政策进万家专栏"
    v["schedule_url"] = f"https://rsj.example.gov.cn/{code.lower()}/xjap"
    return v


def _dept_values(c: Campaign, code: str, rng: random.Random, share: float) -> dict[str, Any]:
    v: dict[str, Any] = {i.id: None for i in c.input_indicators}
    v.update({
        "policy_docs_published": round(rng.randint(4, 12) * share) or 1,
        "interpretations": round(rng.randint(6, 20) * share) or 1,
        "published_on_portal": True, "column_set_up": False,
        "enterprise_sessions": round(rng.randint(2, 10) * share),
        "campus_sessions": round(rng.randint(0, 8) * share),
        "system_sessions": round(rng.randint(1, 5) * share) or 1,
        "brochures": round(rng.randint(200, 2000) * share),
    })
    return v


# ---------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------
def _cell_text(ind: Indicator, value: Any) -> Any:
    if value is None:
        return None
    if ind.type == "yes_no":
        return "是" if value else "否"
    return value


def _write_template(c: Campaign, r: SampleReturn) -> bytes:
    from .forms import build_form, input_cells

    wb = build_form(c, r.unit, r.round)
    cells = input_cells(wb)
    for ind in c.input_indicators:
        if ind.id not in cells or r.values.get(ind.id) is None:
            continue
        sheet, coord = cells[ind.id]
        wb[sheet][coord] = _cell_text(ind, r.values[ind.id])
    date_ref = _named_cell(wb, "ck_date")
    if date_ref is not None:
        wb[date_ref[0]][date_ref[1]] = r.written_on
    return _save(wb)


def _named_cell(wb: Workbook, name: str) -> tuple[str, str] | None:
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    for sheet, coord in dn.destinations:
        return sheet, coord.replace("$", "").split(":")[0]
    return None


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _own_sheet(sheet: str, annex: str, title: str, merge: str) -> tuple[Workbook, Any]:
    """Start an office's own table: the annex line and a merged, bold, centred title."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws["A1"] = annex
    ws["A2"] = title
    ws.merge_cells(merge)
    ws["A2"].font = Font(bold=True, size=14)
    ws["A2"].alignment = Alignment(horizontal="center")
    return wb, ws


def _vertical_own(c: Campaign, r: SampleReturn) -> bytes:
    """An office's own copy of the Hubei annex: several blanks typed into one cell, messy."""
    wb, ws = _own_sheet("Sheet1", "附件3", "“人社惠民政策进万家”活动情况统计表", "A2:C2")
    unit = c.unit(r.unit)
    ws["A3"] = "(2024 年)"
    ws["A4"] = f"填报单位（盖章）：{unit.name}人力资源和社会保障局"
    ws["A5"] = f"填报时间：{r.written_on.year}年{r.written_on.month}月{r.written_on.day}日"
    ws.append(["项 目", "内 容", "开展情况"])
    v = r.values
    messy = r.unit == "HB08"  # 孝感市 writes numbers the way people do

    def num(x: Any, unit_word: str = "") -> str:
        if x is None:
            return "—"
        if messy and isinstance(x, int) and x >= 1000:
            return f"{x:,}{unit_word}"
        if messy and isinstance(x, int) and 10 < x < 100 and x % 10 == 0:
            return _chinese(x) + unit_word
        return f"{x}{unit_word}"

    by_label: dict[str, list[Indicator]] = {}
    for ind in c.input_indicators:
        by_label.setdefault(ind.label, []).append(ind)
    group_seen: set[str] = set()
    for label, inds in by_label.items():
        group = inds[0].group or ""
        first_col = "" if group in group_seen else group
        group_seen.add(group)
        if label.startswith("开展政策宣讲进村居活动"):
            cov = v.get("township_coverage")
            cov_text = "—" if cov is None else f"{cov}%"
            text = (f"{num(v.get('village_sessions'))}场，覆盖乡镇{num(v.get('townships_covered'))}"
                    f"个，覆盖率{cov_text}")
        elif label.startswith("培养人社政策宣讲骨干"):
            text = f"{num(v.get('lecturers'))}人；{v.get('sessions_per_lecturer')}场/人"
        elif inds[0].type == "yes_no" and len(inds) == 2:
            text = f"是，{v.get('column_name')}" if v.get("column_set_up") else "否"
        elif inds[0].type == "yes_no":
            text = "是" if v.get(inds[0].id) else "否"
        elif inds[0].type in ("text", "url"):
            text = str(v.get(inds[0].id) or "")
        else:
            value = v.get(inds[0].id)
            text = num(value, inds[0].unit or "") if not isinstance(value, str) else value
        ws.append([first_col, label, text])
    ws.append(["备 注", "各地结合实际开展的其它活动，可自行列项补充。", ""])
    ws.append(["", "“人社政策进万家”流动宣传车下乡", f"{num(3)}场"])
    ws.append([])
    ws.append([SYNTHETIC_NOTE])
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 36
    return _save(wb)


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else ""))


def _horizontal_own(c: Campaign, r: SampleReturn) -> bytes:
    """An office's own copy of the Fujian annex: two header rows, merged cells, messy values."""
    wb, ws = _own_sheet("统计表", "附件", "港澳居民内地参保专项宣传季开展情况统计表", "A2:E2")
    unit = c.unit(r.unit)
    ws["A3"] = "(截至1月底)"
    ws["A4"] = "单位：场、份、人次、人"
    ws["A5"] = "项目"
    ws.merge_cells("A5:A6")
    ws["B5"] = "宣传活动开展情况"
    ws.merge_cells("B5:D5")
    ws["E5"] = "参保情况"
    ws["B6"] = "召开小型座谈会和\n宣讲会场数"
    ws["C6"] = "发放宣传资料份数"
    ws["D6"] = "开展政策咨询人次"
    ws["E6"] = "新增参保人数"
    v = r.values
    if r.unit == "FJ04":  # 泉州市: approximate and Chinese-numeral values
        row = [unit.name, f"{v['sessions']}场", f"约{v['materials']}份",
               f"{v['consultations']:,}", f"{v['new_insured']}人"]
    else:  # 龙岩市: full-width digits, 余
        row = [unit.name, _fullwidth(str(v["sessions"])), f"{v['materials']}余",
               _fullwidth(str(v["consultations"])), str(v["new_insured"])]
    ws.append(row)
    ws.append(["总计", v["sessions"], v["materials"], v["consultations"], v["new_insured"]])
    ws.append([])
    ws.append([f"填表单位：{unit.name}人力资源和社会保障局"])
    ws.append([f"填表日期：{r.written_on.year}.{r.written_on.month}.{r.written_on.day}"])
    ws.append([SYNTHETIC_NOTE])
    return _save(wb)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in s)


def _csv_return(c: Campaign, r: SampleReturn) -> bytes:
    unit = c.unit(r.unit)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["单位", *[i.label for i in c.input_indicators], "填表日期"])
    w.writerow([unit.name, *[r.values[i.id] for i in c.input_indicators],
                r.written_on.strftime("%Y年%m月%d日")])
    return buf.getvalue().encode("gb18030")


def _progress_rows(c: Campaign, rng: random.Random) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if c.id.startswith("fujian"):
        for u in c.units_at("city"):
            if u.code == "FJ10":
                continue
            day = date(2021, 12, 24) if u.code == "FJ05" else date(2021, 12, rng.randint(6, 18))
            rows.append([u.name, "m_publicity_started", day.isoformat(), "启动仪式通讯稿"])
            if u.code != "FJ07":
                rows.append([u.name, "m_summary_report",
                             date(2022, 1, rng.randint(12, 20)).isoformat(), "总结报告"])
            if "hkmo_concentrated" in u.tags:
                rows.append([u.name, "m_task_force", date(2021, 11, rng.randint(20, 30))
                             .isoformat(), "工作专班成立文件"])
        rows.append(["省社保中心", "m_products", "2021-11-26", "宣传折页印制"])
        rows.append(["福建省", "m_plan_issued", "2021-12-08", "闽人社办〔2021〕194号"])
        return rows
    for u in c.units_at("city"):
        if u.code == "HB17":
            continue
        day = date(2024, 3, 28) if u.code == "HB09" else date(2024, 3, rng.randint(15, 25))
        rows.append([u.name, "m01", day.isoformat(), "工作方案及宣讲计划（门户网站公布）"])
        rows.append([u.name, "m09", date(2024, rng.randint(4, 6), rng.randint(1, 28))
                     .isoformat(), "门户网站宣传栏目截图"])
        if u.code not in {"HB11", "HB16"}:
            rows.append([u.name, "m08", date(2024, rng.randint(5, 6), rng.randint(1, 28))
                         .isoformat(), "政策法规文件库链接"])
    final_cover = {f.unit: f.values.get("township_coverage") for f in plan_files(c)
                   if f.round == "final" and f.note != "revised"}
    for u in c.units_at("city"):
        # 乡镇全覆盖 recorded in the progress log when reached (by 11-30, 恩施州 a little late)
        cover = final_cover.get(u.code)
        if cover is not None and cover >= 100:
            day = date(2024, 12, 3) if u.code == "HB13" else date(2024, 11, rng.randint(5, 29))
            rows.append([u.name, "m17", day.isoformat(), "乡镇宣讲覆盖台账"])
    for i, u in enumerate(c.units_at("county")):
        if i % 33 == 32:
            continue  # three counties never recorded their work plan
        late = i % 17 == 5
        day = date(2024, 4, rng.randint(2, 12)) if late else date(2024, 3, rng.randint(12, 31))
        rows.append([u.name, "m03", day.isoformat(), "县级工作方案"])
        if i % 4 != 1:
            rows.append([u.name, "m08", date(2024, rng.randint(5, 7), rng.randint(1, 28))
                         .isoformat(), "政策法规文件库链接"])
        if i % 11 != 4:
            rows.append([u.name, "m09", date(2024, rng.randint(4, 6), rng.randint(1, 28))
                         .isoformat(), "门户网站宣传栏目截图"])
    for mid, when in (("m02", "2024-03-29"), ("m09", "2024-04-30"), ("m10", "2024-06-18"),
                      ("m12", "2024-11-20"), ("m13", "2024-10-16"), ("m14", "2024-10-08"),
                      ("m15", "2024-09-26"), ("m18", "2024-11-27"), ("m19", "2024-12-09"),
                      ("m21", "2024-12-30")):
        rows.append(["湖北省", mid, when, ""])
    return rows


def _ledger_rows(c: Campaign, rng: random.Random) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if c.id.startswith("fujian"):
        for u in c.units_at("city"):
            for _ in range(rng.randint(2, 5)):
                day = date(2021, 12, 1) + timedelta(days=rng.randint(0, 55))
                rows.append([day.isoformat(), u.name, 1, "", "", "", rng.randint(50, 300),
                             rng.randint(10, 80), rng.randint(15, 60)])
        return rows
    held = {"p11": 1, "p12": 1, "p14": 1, "p15": 1, "p16": 1, "p17": 2, "p18": 21, "p19": 6,
            "p20": 2, "p21": 1, "p26": 1, "p29": 1, "p30": 1, "p13": 3, "p01": 5, "p03": 9}
    for p in c.plan:
        n = held.get(p.id, rng.randint(2, 4))
        span = (p.window.end - p.window.start).days
        for _ in range(n):
            day = p.window.start + timedelta(days=rng.randint(0, span))
            if day > date(2024, 12, 20):
                day = date(2024, 12, 20)
            venue = p.five_venue or ""
            rows.append([day.isoformat(), c.unit(p.responsible).name, 1, p.id, venue, "",
                         rng.randint(100, 800), rng.randint(20, 200), rng.randint(30, 300)])
    venues = ["企业", "校园", "村居", "工地", "系统"]
    for u in c.units_at("city")[:6]:
        for _ in range(8):
            day = date(2024, 3, 1) + timedelta(days=rng.randint(0, 270))
            venue = rng.choice(venues)
            town = f"{u.name[:2]}某镇" if venue == "村居" else ""
            rows.append([day.isoformat(), u.name, rng.randint(1, 3), "", venue, town,
                         rng.randint(50, 500), rng.randint(10, 120), rng.randint(20, 200)])
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


PROGRESS_HEADER = ["单位", "事项", "完成日期", "佐证材料"]
LEDGER_HEADER = ["日期", "单位", "场次", "计划项", "场所", "乡镇", "发放资料份数", "咨询人次",
                 "参加人数"]


def _rows_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _rows_xlsx(header: list[str], rows: list[list[Any]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(r)
    return _save(wb)


def iter_files(c: Campaign, seed: int = SEED) -> Iterator[tuple[str, bytes]]:
    """Yield (relative path, content) for every sample file of a campaign."""
    writers = {"template": _write_template, "vertical": _vertical_own,
               "vertical_raw": _vertical_own, "horizontal": _horizontal_own, "csv": _csv_return}
    for r in plan_files(c, seed):
        yield r.path, writers[r.layout](c, r)
    rng = random.Random(seed + 1)
    yield "progress.csv", _rows_csv(PROGRESS_HEADER, _progress_rows(c, rng))
    yield "ledger.xlsx", _rows_xlsx(LEDGER_HEADER, _ledger_rows(c, rng), "活动台账")
    lines = [f"# Sample data for {c.id} (synthetic)", "", SYNTHETIC_NOTE, "",
             "Situations built in:", ""]
    lines += [f"- {k}: {v}" for k, v in sorted(scenario(c).items())]
    yield "SAMPLES.md", ("\n".join(lines) + "\n").encode("utf-8")


def generate(c: Campaign, out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write every sample file of a campaign under ``out_dir``; return the paths written."""
    root = Path(out_dir)
    written = []
    for rel, content in iter_files(c, seed):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
