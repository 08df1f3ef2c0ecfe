"""Build the 通报 (inspection briefing) of a unit as of a date, as a document model.

:func:`build_briefing` reads a :class:`~.snapshot.Snapshot` and returns a
:class:`~.model.Report` shaped as a bulletin (通报) is (docs/reports.md):

- title 关于…情况的通报, the addressee, an opening (the document number only where the spec
  has one; a notice's title is never invented);
- 一、总体情况 — reporting and on-time rates of each round; the totals of the round reported on
  (:func:`.yearend.report_round`); targets (完成率 against 序时进度) only where the spec sets
  them; ranking tables (序号, 地区, 目标任务数 where targets exist, 完成数, 完成率（%）, 排名 with
  并列, a 全省合计 row), ranked within each level (市州 with 市州, 省直单位 with 省直单位);
- 二、主要成效 — the units commended and the first three of each ranking (rule below);
- 三、存在问题 — units named for returns missing or late, milestones overdue or done late,
  targets behind 序时进度; figures that stand far from their peers (to be checked);
- 四、下一步工作要求 — rectification by a date (``rectify_by``, default ``as_of`` + 10 days)
  for the units named, the milestones due in the next 30 days, and the spot-check sample
  drawn with a stated seed (``seed``, default the date as ``YYYYMMDD``) so anyone can redraw it.

**Commendation rule** (stated in the document too): a unit directly below is commended when
(a) every return it had to send for a round due by the date came in complete on time, (b) none
of its own milestones is overdue or was done late, and it finished at least one on time, and
(c) where it has targets, each completion rate is at least 序时进度 (as printed, 四舍五入).

>>> from campaignkit import load_campaign
>>> from campaignkit.stats import frames_from_lists
>>> from campaignkit.report.snapshot import Snapshot
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> f = frames_from_lists(submissions=[
...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
...      "return_type": "consolidated", "values": {"sessions": 12}}])
>>> r = build_briefing(Snapshot.from_frames(c, f, as_of="2022-01-31"), seed=7)
>>> r.title
'关于全省港澳居民内地参保政策专项宣传季活动进展情况的通报'
>>> [s.heading for s in r.sections]
['总体情况', '主要成效', '存在问题', '下一步工作要求']
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from ..rounding import round_half_up
from ..spec import Indicator, Unit
from ..stats import rank_labels, reporter_status
from .model import (
    Block,
    Cell,
    Figure,
    Paragraph,
    Report,
    Section,
    Table,
    cell,
    fig,
    para,
    report,
    section,
)
from .model import table as make_table
from .notes import NotesFile
from .numbers import MISSING, fmt_count, fmt_date, fmt_rate
from .snapshot import LEVEL_LABELS, Snapshot
from .yearend import (
    Facts,
    activity_name,
    by_level,
    full_name,
    group_sentence,
    leaders,
    milestone_problems,
    names_list,
    number_text,
    office_name,
    opening_basis,
    phrase,
    rate_value_cell,
    return_problems,
    target_problems,
    value_cell,
)

__all__ = ["build_briefing", "default_rectify_by", "default_seed"]

RECTIFY_DAYS = 10
UPCOMING_DAYS = 30


def default_seed(as_of: date) -> int:
    """The spot-check seed used when none is given: the date written as YYYYMMDD.

    >>> default_seed(date(2024, 12, 20))
    20241220
    """
    return int(as_of.strftime("%Y%m%d"))


def default_rectify_by(as_of: date) -> date:
    """The rectification date used when none is given: ten days after the date."""
    return as_of + timedelta(days=RECTIFY_DAYS)


# ---------------------------------------------------------------------------------------
# 一、总体情况
# ---------------------------------------------------------------------------------------
def reporting_sentences(f: Facts) -> list[Paragraph]:
    """Say per round: expected, received, rate, on time, on-time rate (due rounds only)."""
    out = []
    scope = {u.code for u in f.c.iter_units(f.unit.code)}
    rep = f.snap.reporting()
    for r, row in zip(f.c.rounds, rep.to_dict("records"), strict=True):
        expected = int(row["应报"])
        if not expected:
            continue
        st = reporter_status(f.c, f.snap.frames, f.snap.as_of, r.id)
        st = st[st.index.isin(scope)]
        # done_on: the unit's own return, or its last reporting child's (completed_by children)
        got = [str(u) for u in st.index[st["done_on"].notna() | st["first_received"].notna()]]
        on_time = [str(u) for u in st.index[st["status"] == "on_time"]]
        ids_got = f.book.returns(r.id, got)
        ids_on = f.book.returns(r.id, on_time)
        head: list[str | Figure] = [f"{r.label}统计表（报送时限{fmt_date(r.deadline)}）应报",
                fig(fmt_count(expected), *f.round_ids(r.id)), "个单位，"]
        if r.deadline > f.snap.as_of:
            out.append(para(*head, "尚未到报送时限，目前已收到", fig(fmt_count(len(got)), *ids_got),
                            "个单位报送。"))
            continue
        out.append(para(*head, "已报", fig(fmt_count(int(row["已报"])), *ids_got),
                        "个，报送率",
                        fig(fmt_rate(row["报送率（%）"]), *ids_got, *f.round_ids(r.id)),
                        "；按时报送", fig(fmt_count(int(row["按时"])), *ids_on),
                        "个，按时报送率",
                        fig(fmt_rate(row["按时报送率（%）"]), *ids_on, *f.round_ids(r.id)), "。"))
    return out


def target_summary(f: Facts) -> list[Paragraph]:
    """Sum targets and completions of the units with a target, per indicator."""
    out = []
    tp = f.snap.time_progress()
    units = [f.unit, *f.children]
    for ind in f.targeted():
        rows = [(u, t) for u in units if (t := f.c.target(u.code, ind.id)) is not None]
        if not rows:
            continue
        own = next((t for u, t in rows if u.code == f.unit.code), None)
        u_text = ind.unit or ""
        pids = f.period_ids()
        if own is not None:
            v = f.value(ind)
            ids = f.ids(ind)
            tids = f.target_ids(f.unit.code, ind)
            rate = v / own.value * 100 if v is not None and own.value else None
            out.append(para(f"{f.scope}{ind.label}目标任务", fig(number_text(ind, own.value),
                                                                *tids),
                            f"{u_text}，完成", fig(number_text(ind, v), *ids), f"{u_text}，完成率",
                            fig(fmt_rate(rate), *ids, *tids), "，序时进度",
                            fig(fmt_rate(tp), *pids), "。"))
            continue
        vals = [(u, t, f.value(ind, u.code)) for u, t in rows]
        done = [(u, t, v) for u, t, v in vals if v is not None]
        total_t = sum(t.value for _u, t, _v in done)
        total_v = sum(v for _u, _t, v in done if v is not None)
        ids = tuple(i for u, _t, _v in done for i in f.ids(ind, u.code))
        all_tids = tuple(i for u, _t in rows for i in f.target_ids(u.code, ind))
        tids = tuple(i for u, _t, _v in done for i in f.target_ids(u.code, ind))
        rate = total_v / total_t * 100 if total_t else None
        out.append(para(f"设定{ind.label}目标任务的", fig(fmt_count(len(rows)), *all_tids),
                        "个单位中，", fig(fmt_count(len(done)), *ids),
                        "个已报送完成数，目标任务合计", fig(number_text(ind, total_t), *tids),
                        f"{u_text}，完成", fig(number_text(ind, total_v), *ids),
                        f"{u_text}，完成率", fig(fmt_rate(rate), *ids, *tids), "，序时进度",
                        fig(fmt_rate(tp), *pids), "。"))
    return out


def ranking_table(f: Facts, ind: Indicator, n: int) -> Table | None:
    """Rank the units below on one indicator, within each level, with a 合计 row."""
    kids = [k for k in f.children if f.value(ind, k.code) is not None
            or f.c.target(k.code, ind.id) is not None or k.code in _reporters(f)]
    shown = {k.level for k in kids if f.value(ind, k.code) is not None
             or f.c.target(k.code, ind.id) is not None}
    kids = [k for k in kids if k.level in shown]
    if not kids:
        return None
    with_targets = any(f.c.target(k.code, ind.id) for k in kids)
    header: list[str | Cell] = ["序号", "地区"]
    if with_targets:
        header.append("目标任务数")
    header.append("完成数")
    if with_targets:
        header.append("完成率（%）")
    header.append("排名")
    width = len(header)
    body: list[list[str | Cell]] = []
    groups = by_level(kids)
    by_rate = []
    for level, members in groups:
        targets = {k.code: f.c.target(k.code, ind.id) for k in members}
        all_targets = all(targets.values())
        values = {k.code: f.value(ind, k.code) for k in members}
        rates = {k.code: (values[k.code] / t.value * 100  # type: ignore[operator]
                          if (t := targets[k.code]) is not None and values[k.code] is not None
                          and t.value else None) for k in members}
        keys = ([round_half_up(rates[k.code], 1) for k in members] if all_targets
                else [None if values[k.code] is None else
                      round_half_up(values[k.code], ind.digits) for k in members])
        ranks = dict(zip([k.code for k in members], rank_labels(keys), strict=True))
        by_rate.append(all_targets)
        if len(groups) > 1:
            body.append([cell(LEVEL_LABELS.get(level, level), colspan=width, align="left")])
        ordered = sorted(members, key=lambda k: (ranks[k.code][0] is None,
                                                 ranks[k.code][0] or 0))
        # a rank is read from every figure of the level it is ranked in
        peers = tuple(i for k in members for i in f.ids(ind, k.code)
                      + (f.target_ids(k.code, ind) if all_targets else ()))
        for i, k in enumerate(ordered, start=1):
            ids = f.ids(ind, k.code)
            row: list[str | Cell] = [str(i), cell(k.name, align="left")]
            t = targets[k.code]
            tids = f.target_ids(k.code, ind)
            if with_targets:
                row.append(value_cell(ind, t.value if t else None, tids))
            row.append(value_cell(ind, values[k.code], ids))
            if with_targets:
                row.append(rate_value_cell(rates[k.code], (*ids, *tids) if t else ()))
            label = ranks[k.code][1]
            row.append(cell(label, *peers) if label else cell(MISSING))
            body.append(row)
    total: list[str | Cell] = [cell(f"{f.scope}合计", colspan=2)]
    own = f.c.target(f.unit.code, ind.id)
    v = f.value(ind)
    ids = f.ids(ind)
    own_tids = f.target_ids(f.unit.code, ind)
    if with_targets:
        total.append(value_cell(ind, own.value if own else None, own_tids))
    total.append(value_cell(ind, v, ids))
    if with_targets:
        total.append(rate_value_cell(v / own.value * 100 if own and v is not None and own.value
                                     else None, (*ids, *own_tids) if own else ()))
    total.append(MISSING)
    basis = "完成率" if all(by_rate) else "完成数"
    unit = "%" if ind.unit == "%" else ind.unit or ""
    note = f"单位：{unit}；排名按{basis}，同级单位之间排名，数值相同为并列。"
    if with_targets and any(t.synthetic for t in f.c.targets):
        note += "目标任务数为示例数据。"
    return make_table(f"表{n}　各地{ind.label}情况", [header], body, total, note=note)


def _reporters(f: Facts) -> set[str]:
    return {u.code for u in f.c.reporters(f.round.id)}


def ranked_indicators(f: Facts) -> list[Indicator]:
    """The indicators ranked: the main one, then every indicator with targets."""
    out: list[Indicator] = []
    main = f.main_indicator()
    if main is not None:
        out.append(main)
    out += [i for i in f.targeted() if i not in out]
    return out


# ---------------------------------------------------------------------------------------
# 二、主要成效
# ---------------------------------------------------------------------------------------
def commended(f: Facts) -> list[Unit]:
    """Apply the commendation rule (module docstring) to the units directly below."""
    st = f.milestone_status()
    tp = round_half_up(f.snap.time_progress(), 1)
    out = []
    due_rounds = f.rounds_due()
    statuses = {r.id: reporter_status(f.c, f.snap.frames, f.snap.as_of, r.id)
                for r in due_rounds}
    for k in f.children:
        ok = True
        for r in due_rounds:
            s = statuses[r.id]
            if k.code in s.index and s.loc[k.code, "status"] != "on_time":
                ok = False
        own = st[st["unit"] == k.code]
        if own["status"].isin(["overdue", "late"]).any() or not (own["status"] == "on_time").any():
            ok = False
        for ind in f.targeted():
            t = f.c.target(k.code, ind.id)
            if t is None or not t.value:
                continue
            v = f.value(ind, k.code)
            if v is None or (round_half_up(v / t.value * 100, 1) or 0) < (tp or 0):
                ok = False
        if ok:
            out.append(k)
    return out


# ---------------------------------------------------------------------------------------
# 三、存在问题 (extra: outliers) and 四、下一步工作要求
# ---------------------------------------------------------------------------------------
def outlier_sentences(f: Facts) -> list[Paragraph]:
    """Name figures far from those of the unit's peers (to be checked, never a verdict)."""
    o = f.snap.outliers(round_id=f.round.id)
    out = []
    for r in o.to_dict("records"):
        code = str(r["单位编号"])
        ind = next((i for i in f.indicators() if i.id == r["指标编号"]), None)
        if ind is None:
            continue
        ids = f.ids(ind, code)
        level = f.c.unit(code).level
        peers = tuple(i for k in f.children if k.level == level for i in f.ids(ind, k.code))
        head, measure = phrase(f.c, ind)
        out.append(para(f"{r['单位']}{head}", fig(number_text(ind, r["数值"]), *ids),
                        f"{measure}，与同级单位中位数（",
                        fig(number_text(ind, r["同级中位数"]), *peers),
                        f"{measure}）差距较大，请核实。"))
    return out


def named_units(f: Facts) -> list[str]:
    """The units named in 存在问题 (for the rectification requirement), in spec order."""
    names: set[str] = set()
    st = f.milestone_status()
    names |= {str(c) for c in st.loc[st["status"] == "overdue", "unit"]}
    scope = {u.code for u in f.c.iter_units(f.unit.code)}
    for r in f.rounds_due():
        s = reporter_status(f.c, f.snap.frames, f.snap.as_of, r.id)
        s = s[s.index.isin(scope)]
        names |= {str(c) for c in s.index[s["status"].isin(["missing", "incomplete"])]}
    return [u.name for u in f.c.iter_units(f.unit.code) if u.code in names]


def upcoming(f: Facts) -> list[Paragraph]:
    """List the milestones due in the next 30 days and how many units still owe them."""
    st = f.milestone_status()
    end = f.snap.as_of + timedelta(days=UPCOMING_DAYS)
    out = []
    for mid, g in st.groupby("milestone", sort=False):
        m = f.c.milestone(str(mid))
        due = m.due
        if m.kind == "continuous" or due is None or not f.snap.as_of < due <= end:
            continue
        owe = g[g["status"].isin(["pending", "due_soon", "in_progress"])]
        if owe.empty:
            continue
        out.append(para(f"{m.row or fmt_date(due)}（{fmt_date(due)}）需完成“{f.task_name(m.id)}”，"
                        "尚有", fig(fmt_count(len(owe)), *f.milestone_ids(m.id)), "个单位未完成。"))
    return out


def spot_check_paragraph(f: Facts, n: int, seed: int) -> Paragraph | None:
    """Draw the spot-check sample (lowest level below the unit) and state the seed."""
    levels = {u.level for u in f.c.descendants(f.unit.code)}
    level = next((lv for lv in ("county", "city") if lv in levels), None)
    if level is None or n < 1:
        return None
    drawn = f.snap.spot_check(n, seed, level=level)
    if drawn.empty:
        return None
    names = [f"{r['单位']}（{r['所属']}）" if level == "county" else str(r["单位"])
             for r in drawn.to_dict("records")]
    what = LEVEL_LABELS.get(level, level)
    return para(f"按照随机抽查要求，以随机数种子{seed}从{f.scope}{what}中随机抽取"
                f"{fmt_count(len(names))}个单位：{names_list(names)}。以同一随机数种子抽取，"
                "可得到相同名单。")


# ---------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------
def briefing_title(f: Facts) -> str:
    """关于全省“…”活动进展情况的通报 (a dept or county: its own name)."""
    who = f.scope if f.children else full_name(f.c, f.unit)
    return f"关于{who}{activity_name(f.c)}进展情况的通报"


def build_briefing(snap: Snapshot, *, spot_n: int = 5, seed: int | None = None,
                   rectify_by: date | None = None, notes: NotesFile | None = None) -> Report:
    """Build the bulletin (通报) of the snapshot's unit as of its date.

    ``seed`` defaults to the date as YYYYMMDD (:func:`default_seed`) and is written in the
    text; ``rectify_by`` defaults to ``as_of`` + 10 days. ``notes`` may add 典型做法 (to
    二), 存在问题补充 (to 三) and 工作要求 (to 四).
    """
    f = Facts(snap)
    c, u = f.c, f.unit
    seed = default_seed(snap.as_of) if seed is None else seed
    rectify_by = default_rectify_by(snap.as_of) if rectify_by is None else rectify_by
    n_table = 1

    overall: list[Block] = [*reporting_sentences(f)]
    if f.has_figures():
        first = True
        for _name, inds in f.groups():
            who = f"截至{fmt_date(snap.as_of)}，{f.scope}" if first else f.scope
            s = group_sentence(f, inds, compare=False, who=who)
            if s is not None:
                overall.append(s)
                first = False
    overall += target_summary(f)
    for ind in ranked_indicators(f) if f.children else []:
        t = ranking_table(f, ind, n_table)
        if t is not None:
            overall.append(t)
            n_table += 1
    if not f.has_figures():
        overall.append(para(f"截至{fmt_date(snap.as_of)}，{f.not_reporting()}。"))
    elif not overall:
        overall.append(para(f"截至{fmt_date(snap.as_of)}，{f.scope}尚无报送数据。"))

    good: list[Block] = []
    if f.children:
        praised = commended(f)
        reporters = {u.code for r in f.rounds_due() for u in f.c.reporters(r.id)}
        parts = ((["按时报送统计表"] if any(k.code in reporters for k in f.children) else [])
                 + ["本单位各项限时任务均按时完成"]
                 + (["目标任务完成率不低于序时进度"] if f.targeted() else []))
        if praised:
            good.append(para(f"{names_list([k.name for k in praised])}{'，'.join(parts)}，"
                             "予以通报表扬。"))
        else:
            good.append(para(f"截至{fmt_date(snap.as_of)}，没有{'、'.join(parts)}的单位。"))
        for ind in ranked_indicators(f)[:1]:
            p = leaders(f, ind)
            if p is not None:
                good.append(p)
    practice = notes.paragraphs("典型做法") if notes else ()
    good += [para(t) for t in practice]
    if not good:
        st = f.milestone_status()
        own = st[(st["unit"] == u.code) & (st["status"] == "on_time")]
        good.append(para(f"截至{fmt_date(snap.as_of)}，{u.name}按时完成", fig(
            fmt_count(len(own)), *f.book.deliverables(_own_deliverables(f, own)),
            *(i for mid in own["milestone"] for i in f.milestone_ids(str(mid)))),
                         "项限时任务。"))

    problems: list[Section] = []
    for name, blocks in (("统计表报送", return_problems(f)),
                         ("重点任务推进", milestone_problems(f)),
                         ("目标任务完成", target_problems(f)),
                         ("数据核实", outlier_sentences(f))):
        if blocks:
            problems.append(section(name, *blocks))
    extra = notes.paragraphs("存在问题补充") if notes else ()
    if extra:
        problems.append(section("其他问题", *(para(t) for t in extra)))
    problem_blocks: list[Block] = []
    if not problems:
        problem_blocks.append(para(f"截至{fmt_date(snap.as_of)}，未发现统计表未报或迟报、"
                                   "任务逾期、目标任务落后于序时进度的情况。"))

    asks: list[Section] = []
    named = named_units(f)
    if f.children:
        others = [n for n in named if n != u.name]
        if others:
            asks.append(section("抓紧整改落实", para(
                f"请{names_list(others)}对照本通报指出的问题，于{fmt_date(rectify_by)}前完成整改，"
                "补报统计表、补齐任务完成材料，并将整改情况报"
                f"{office_name(c, u) or u.name}。")))
    elif named:
        asks.append(section("抓紧整改落实", para(
            f"{u.name}于{fmt_date(rectify_by)}前完成本通报指出问题的整改。")))
    soon = upcoming(f)
    if soon:
        asks.append(section("抓好近期任务", *soon))
    spot = spot_check_paragraph(f, spot_n, seed)
    if spot is not None:
        asks.append(section("开展随机抽查", spot))
    more = notes.paragraphs("工作要求") if notes else ()
    if more:
        asks.append(section("其他要求", *(para(t) for t in more)))
    ask_blocks: list[Block] = []
    if not asks:
        who = "各单位" if f.children else u.name
        ask_blocks.append(para(f"{who}按工作计划推进各项任务，于{fmt_date(rectify_by)}前"
                               "报送下一阶段工作进展情况。"))

    opening = para(f"{opening_basis(c)}，现将截至{fmt_date(snap.as_of)}"
                   f"{f.scope if f.children else u.name}{activity_name(c)}进展情况通报如下：")
    sections = [section("总体情况", *overall), section("主要成效", *good),
                section("存在问题", *problem_blocks, subsections=problems),
                section("下一步工作要求", *ask_blocks, subsections=asks)]
    return report(briefing_title(f), date=snap.as_of, issuer=office_name(c, u),
                  addressee="各有关单位：" if f.children else None, opening=[opening],
                  sections=sections, sources=f.book.all())


def _own_deliverables(f: Facts, own: pd.DataFrame) -> pd.DataFrame:
    dels = f.snap.frames.deliverables
    keys = set(own["milestone"])
    for mid in list(keys):
        d = f.c.milestone(str(mid)).completion.deliverable
        if d:
            keys.add(d)
    rows = dels[(dels["unit"] == f.unit.code) & dels["milestone"].isin(keys)]
    return rows.sort_values("done_on").groupby("milestone").head(1)
