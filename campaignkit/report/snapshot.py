"""Open a campaign and its store as of a date, and answer in DataFrames with official labels.

The notebook-facing API: ``snap = campaignkit.open(spec, db, as_of=…, unit=…)`` checks the
parameters once (an unknown unit, a store that does not exist or a date outside the campaign
fails here with one clear sentence), reads the store once, and then answers questions about a
unit and the units under it. Every answer is a pandas DataFrame whose columns carry the
official Chinese labels (指标, 数值, 排名, 报送率（%）, …) while the numbers stay numbers, so a
notebook can show, chart or export them, and every figure can be traced back to the cells it
came from with :meth:`Snapshot.sources`.

>>> from campaignkit.stats import frames_from_lists
>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/fujian_hkmacao_2021/campaign.yaml")
>>> f = frames_from_lists(submissions=[
...     {"unit": "FJ01", "round": "final", "received_on": "2022-01-18",
...      "return_type": "consolidated", "values": {"sessions": 12, "materials": 3000}},
...     {"unit": "FJ02", "round": "final", "received_on": "2022-01-25",
...      "return_type": "consolidated", "values": {"sessions": 8, "materials": 1500}}])
>>> snap = Snapshot.from_frames(c, f, as_of="2022-01-31")
>>> float(snap.totals().set_index("指标").loc["召开小型座谈会和宣讲会场数", "数值"])
20.0
>>> snap.children()[["地区", "层级", "召开小型座谈会和宣讲会场数"]].iloc[:3].values.tolist()
[['省社保中心', '省直单位', nan], ['福州市', '市州', 12.0], ['厦门市', '市州', 8.0]]
>>> snap.sources("sessions")[["提交编号", "单位", "数值", "接收日期"]].values.tolist()
[[1, '福州市', 12.0, '2022-01-18'], [2, '厦门市', 8.0, '2022-01-25']]

Fields that share one form label are told apart as the engine labels them, by their blank
(and, where the blank is only the measure, by the measure):

>>> hubei = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
>>> labels = display_labels(hubei)
>>> labels["townships_covered"], labels["township_coverage"]
('开展政策宣讲进村居活动（覆盖乡镇）', '开展政策宣讲进村居活动（覆盖率）')
>>> labels["lecturers"][-3:], labels["sessions_per_lecturer"][-5:]
('（人）', '（场/人）')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ..errors import CampaignkitError
from ..milestones import reporting_summary, status_items
from ..spec import Campaign, Indicator, load_campaign
from ..spotcheck import spot_check
from ..stats import (
    Frames,
    Rollup,
    children_table,
    frames_from_store,
    indicator_label,
    outliers,
    plan_vs_actual,
    progress,
    reporter_status,
    rollups,
    time_progress,
    trace,
)

__all__ = ["STATUS_LABELS", "ParameterError", "Snapshot", "display_labels", "open_snapshot"]

STATUS_LABELS: Final = {
    "on_time": "按时完成", "late": "逾期完成", "overdue": "逾期未完成", "due_soon": "即将到期",
    "pending": "未到期", "in_progress": "进行中", "not_applicable": "不适用",
    "not_yet_due": "未到报送时限", "missing": "未报送", "incomplete": "未报全",
}
"""The Chinese words for the status codes of the engine (``status --json``)."""
PLAN_LABELS: Final = {"not_started": "未开始", "in_progress": "进行中", "met": "已完成",
                      "below": "未完成", "above": "超额完成"}
LEVEL_LABELS: Final = {"province": "省", "city": "市州", "county": "县（市、区）",
                       "dept": "省直单位"}


def display_labels(c: Campaign) -> dict[str, str]:
    """Label every indicator and measure so that no two share a label (column names).

    The engine's label first; fields it still leaves alike (two blanks of one form cell that
    differ only by their measure, 人 and 场/人) get their measure added, and, should they
    share that too, their id.
    """
    ids = [i.id for i in c.indicators] + [m.id for m in c.measures]
    out = {i: indicator_label(c, i) for i in ids}
    units = {i.id: i.unit or "" for i in c.indicators} | {m.id: m.unit or "" for m in c.measures}
    for extra in (lambda i: units[i], lambda i: i):
        seen: dict[str, list[str]] = {}
        for i in ids:
            seen.setdefault(out[i], []).append(i)
        for label, alike in seen.items():
            if len(alike) > 1:
                for i in alike:
                    if extra(i):
                        out[i] = f"{label}（{extra(i)}）"
    return out


class ParameterError(CampaignkitError, ValueError):
    """A report parameter that cannot be used: the message is one sentence saying why."""

    reason = "bad_parameter"


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ParameterError(f"{what} must be a date written as 2024-12-20, not {value!r}")


def _unit_code(c: Campaign, unit: Any) -> str:
    if unit is None or unit == "":
        return c.top.code
    if not isinstance(unit, str):
        raise ParameterError(f"unit must be a unit code or name such as {c.top.code!r}, "
                             f"not {unit!r}")
    if c.has_unit(unit):
        return unit
    hits = c.match_units(unit)
    if len(hits) == 1:
        return hits[0]
    raise ParameterError(f"unit {unit!r} is not a unit of {c.id} (codes such as "
                         f"{', '.join(u.code for u in c.units[:4])}…; `campaignkit validate` "
                         "lists the spec)")


def open_snapshot(campaign: str | Path | Campaign, db: str | Path = "campaignkit.db", *,
                  as_of: Any = None, unit: Any = None) -> Snapshot:
    """Open a campaign spec and its store as of a date, for a unit (default: the top unit).

    ``as_of`` defaults to today, or the campaign's last day when the campaign is over; it
    must fall inside the campaign period. The store must exist (it is never created here).
    """
    c = campaign if isinstance(campaign, Campaign) else load_campaign(campaign)
    code = _unit_code(c, unit)
    today = dt.date.today()
    day = (min(today, c.period_end) if as_of is None or as_of == ""
           else _date(as_of, "as_of"))
    if not c.period_start <= day <= c.period_end:
        raise ParameterError(f"as_of {day.isoformat()} lies outside the campaign period "
                             f"({c.period_start.isoformat()} to {c.period_end.isoformat()}); "
                             f"use a date inside it, such as {c.period_end.isoformat()}")
    path = Path(db)
    if not path.is_file():
        raise ParameterError(f"there is no store at {path}: ingest the returns first "
                             f"(campaignkit ingest SPEC RETURNS --db {path})")
    from ..store import Store

    with Store.open(path) as store:
        frames = frames_from_store(store, c.id, day)
    return Snapshot(c, frames, day, code, path)


@dataclass(frozen=True)
class Snapshot:
    """A campaign, its figures as of one date, and the unit a report is about.

    Build it with :func:`campaignkit.open` (from a store) or :meth:`from_frames` (from
    tables already in memory). Methods take ``unit`` (default: the snapshot's unit) and
    ``round`` (default: the final round) and return DataFrames with Chinese column labels.
    """

    campaign: Campaign
    frames: Frames
    as_of: dt.date
    unit: str
    db: Path | None = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_frames(cls, campaign: Campaign, frames: Frames, *, as_of: Any,
                    unit: str | None = None) -> Snapshot:
        """Build a snapshot from engine frames (for tests and other scripts)."""
        return cls(campaign, frames, _date(as_of, "as_of"), _unit_code(campaign, unit))

    # -- helpers ----------------------------------------------------------------------------
    def _code(self, unit: str | None) -> str:
        return self.unit if unit is None else _unit_code(self.campaign, unit)

    def _round(self, round_id: str | None) -> str:
        return self.campaign.round(round_id).id

    def rollup(self, round_id: str | None = None) -> Rollup:
        """Return the engine's roll-up of a round over the whole campaign as of the date."""
        rid = self._round(round_id)
        key = ("rollup", rid)
        if key not in self._cache:
            self._cache[key] = rollups(self.campaign, self.frames, self.as_of, [rid])[rid]
        return self._cache[key]  # type: ignore[no-any-return]

    def labels(self) -> dict[str, str]:
        """Return the label of each indicator and measure, no two alike (:func:`display_labels`)."""
        if "labels" not in self._cache:
            self._cache["labels"] = display_labels(self.campaign)
        return self._cache["labels"]  # type: ignore[no-any-return]

    def _numeric(self) -> list[Indicator]:
        return [i for i in self.campaign.indicators if i.numeric]

    def previous_round(self, round_id: str | None = None) -> str | None:
        """Return the round before ``round_id`` (None for the first round)."""
        ids = [r.id for r in self.campaign.rounds]
        i = ids.index(self._round(round_id))
        return ids[i - 1] if i > 0 else None

    # -- answers ----------------------------------------------------------------------------
    def totals(self, unit: str | None = None, round_id: str | None = None) -> pd.DataFrame:
        """Return a unit's figures: one row per numeric indicator and measure.

        Columns: 指标编号, 指标 (:meth:`labels`), 计量单位, 数值, 上一轮 (the earlier round,
        where there is one), 目标 and 完成率（%） (only where the spec sets a target), 来源数
        (returns used).
        """
        code, rid = self._code(unit), self._round(round_id)
        roll, prev_id = self.rollup(rid), self.previous_round(rid)
        prev = self.rollup(prev_id) if prev_id else None
        rows = []
        names = self.labels()
        items: list[tuple[str, str, str | None]] = [
            (i.id, names[i.id], i.unit) for i in self._numeric()]
        items += [(m.id, names[m.id], m.unit) for m in self.campaign.measures]
        for ident, label, measure_unit in items:
            value = roll.value(ident, code)
            target = self.campaign.target(code, ident)
            rows.append({
                "指标编号": ident, "指标": label, "计量单位": measure_unit or "",
                "数值": value,
                "上一轮": prev.value(ident, code) if prev is not None else None,
                "目标": target.value if target else None,
                "完成率（%）": (value / target.value * 100
                            if target and value is not None and target.value else None),
                "来源数": len(roll.sources(code, ident)),
            })
        return pd.DataFrame(rows)

    def children(self, unit: str | None = None, round_id: str | None = None, *,
                 indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Return one row per child unit: 序号, 单位编号, 地区, 层级, then one column per
        indicator, named by its label (:meth:`labels`: no two columns alike)."""
        code, rid = self._code(unit), self._round(round_id)
        roll = self.rollup(rid)
        ids = list(indicators) if indicators else [i.id for i in self._numeric()]
        labels = self.labels()
        rows = []
        for n, child in enumerate(self.campaign.children(code), start=1):
            row: dict[str, Any] = {"序号": n, "单位编号": child.code, "地区": child.name,
                                   "层级": LEVEL_LABELS[child.level]}
            for ident in ids:
                row[labels[ident]] = roll.value(ident, child.code)
            rows.append(row)
        return pd.DataFrame(rows, columns=["序号", "单位编号", "地区", "层级",
                                           *(labels[i] for i in ids)])

    def ranking(self, indicator: str, unit: str | None = None,
                round_id: str | None = None) -> pd.DataFrame:
        """Rank the children of a unit on one indicator, within each level (并列 for ties)."""
        t = children_table(self.campaign, self.frames, self._code(unit), self.as_of,
                           self._round(round_id), indicators=[indicator])
        out = pd.DataFrame({
            "单位编号": t["unit"], "地区": t["name"],
            "层级": [LEVEL_LABELS[self.campaign.unit(u).level] for u in t["unit"]],
            "数值": t["value"], "排名": t["rank"], "名次": t["rank_label"],
            "占比（%）": t["share"],
        })
        order = {label: i for i, label in enumerate(LEVEL_LABELS.values())}
        out = out.assign(_level=out["层级"].map(order), _rank=out["排名"].fillna(10**6))
        return (out.sort_values(["_level", "_rank"], kind="stable")
                .drop(columns=["_level", "_rank"]).reset_index(drop=True))

    def progress(self, unit: str | None = None, round_id: str | None = None) -> pd.DataFrame:
        """Return 目标, 完成数, 完成率（%）and 序时进度（%） wherever the spec sets a target."""
        p = progress(self.campaign, self.frames, self._code(unit), self.as_of,
                     self._round(round_id))
        return pd.DataFrame({
            "单位编号": p["unit"], "地区": [self.campaign.unit(u).name for u in p["unit"]],
            "指标编号": list(p["indicator"]),
            "指标": [self.labels()[str(i)] for i in p["indicator"]],
            "目标任务数": p["target"], "完成数": p["value"], "完成率（%）": p["completion_rate"],
            "序时进度（%）": p["time_progress"],
        })

    def time_progress(self) -> float:
        """Return 序时进度: the share of the campaign period elapsed as of the date (0–100)."""
        return time_progress(self.campaign, self.as_of)

    def milestones(self, unit: str | None = None, *,
                   applicable_only: bool = True) -> pd.DataFrame:
        """Return every milestone × unit at or below the unit, with its status in Chinese.

        Rows of units a milestone does not concern (``not_applicable``) are left out unless
        ``applicable_only`` is False.
        """
        items = status_items(self.campaign, self.frames, self.as_of, unit=self._code(unit))
        rows = []
        for it in items:
            if applicable_only and it.status == "not_applicable":
                continue
            m = self.campaign.milestone(it.milestone)
            rows.append({
                "事项编号": it.milestone, "时间要求": m.row or "", "任务": m.task,
                "类型": {"deadline": "限时", "window": "时段",
                         "continuous": "贯穿全程"}.get(it.kind, it.kind),
                "单位编号": it.unit, "单位": self.campaign.unit(it.unit).name,
                "截止日期": it.deadline, "状态编码": it.status,
                "状态": STATUS_LABELS.get(it.status, it.status), "完成日期": it.done_on,
                "逾期天数": it.days_late, "说明": it.reason,
            })
        return pd.DataFrame(rows, columns=["事项编号", "时间要求", "任务", "类型", "单位编号",
                                           "单位", "截止日期", "状态编码", "状态", "完成日期",
                                           "逾期天数", "说明"])

    def reporting(self, unit: str | None = None) -> pd.DataFrame:
        """Return, per round, returns expected, received and on time under the unit."""
        s = reporting_summary(self.campaign, self.frames, self.as_of, unit=self._code(unit))
        return pd.DataFrame({
            "轮次": s["round"], "轮次名称": s["label"], "报送时限": s["deadline"],
            "应报": s["expected"], "已报": s["received"], "按时": s["on_time"],
            "逾期": s["late"], "未报": s["missing"], "报送率（%）": s["rate"],
            "按时报送率（%）": s["on_time_rate"],
        })

    def returns(self, round_id: str | None = None, unit: str | None = None) -> pd.DataFrame:
        """Return every unit expected to send the round (at or below the unit) and its state."""
        code = self._code(unit)
        scope = {u.code for u in self.campaign.iter_units(code)}
        r = reporter_status(self.campaign, self.frames, self.as_of, self._round(round_id))
        r = r[r.index.isin(scope)]
        return pd.DataFrame({
            "单位编号": r.index, "单位": r["name"].to_numpy(),
            "层级": [LEVEL_LABELS.get(str(v), str(v)) for v in r["level"]],
            "首次报送": r["first_received"].to_numpy(),
            "最近报送": r["latest_received"].to_numpy(),
            "修订次数": r["revisions"].to_numpy(), "状态编码": r["status"].to_numpy(),
            "状态": [STATUS_LABELS.get(str(v), str(v)) for v in r["status"]],
        }).reset_index(drop=True)

    def plan(self, unit: str | None = None) -> pd.DataFrame:
        """Return the activity plan against the sessions the ledger records."""
        p = plan_vs_actual(self.campaign, self.frames, self.as_of, self._code(unit))
        rows = []
        for rec in p.to_dict("records"):
            row = self.campaign.plan[[r.id for r in self.campaign.plan].index(rec["plan"])]
            rows.append({"计划编号": rec["plan"], "类别": row.category or "",
                         "主题": row.theme, "时间": row.window.text,
                         "责任单位": self.campaign.unit(row.responsible).name,
                         "计划场次": rec["planned"], "已开展场次": rec["held"],
                         "状态": PLAN_LABELS.get(str(rec["status"]), str(rec["status"])),
                         "说明": rec.get("note") or ""})
        return pd.DataFrame(rows, columns=["计划编号", "类别", "主题", "时间", "责任单位",
                                           "计划场次", "已开展场次", "状态", "说明"])

    def ledger_by_month(self, unit: str | None = None) -> pd.DataFrame:
        """Return the activity ledger summed by month for the unit and the units under it."""
        scope = {u.code for u in self.campaign.iter_units(self._code(unit))}
        led = self.frames.ledger
        led = led[led["unit"].isin(scope) & (led["date"] <= pd.Timestamp(self.as_of))]
        cols = {"sessions": "场次", "materials": "发放资料份数", "consultations": "咨询人次",
                "attendees": "参加人数"}
        if led.empty:
            return pd.DataFrame(columns=["月份", *cols.values()])
        month = led["date"].dt.strftime("%Y-%m")
        numeric = led[list(cols)].apply(pd.to_numeric, errors="coerce")
        out: pd.DataFrame = numeric.groupby(month).sum(min_count=1).rename(columns=cols)
        out.index.name = "月份"
        return out.reset_index()

    def outliers(self, unit: str | None = None, round_id: str | None = None) -> pd.DataFrame:
        """Return the children whose figures stand far from their peers' (warnings only)."""
        found = outliers(self.campaign, self.frames, self.as_of, self._round(round_id),
                         unit=self._code(unit))
        labels = self.labels()
        return pd.DataFrame([{
            "单位编号": o.unit, "单位": self.campaign.unit(o.unit).name,
            "指标编号": o.indicator, "指标": labels[o.indicator], "数值": o.value,
            "同级中位数": o.median, "偏离程度": o.score,
        } for o in found], columns=["单位编号", "单位", "指标编号", "指标", "数值", "同级中位数",
                                    "偏离程度"])

    def spot_check(self, n: int, seed: int, *, level: str = "county") -> pd.DataFrame:
        """Draw ``n`` units under the unit for a spot check, reproducibly from ``seed``."""
        scope = {u.code for u in self.campaign.iter_units(self.unit)}
        outside = [u.code for u in self.campaign.units if u.code not in scope]
        s = spot_check(self.campaign, n=n, seed=seed, level=level, exclude=outside)
        return pd.DataFrame([{"序号": i, "单位编号": u, "单位": self.campaign.unit(u).name,
                              "所属": self.campaign.unit(self.campaign.unit(u).parent or u).name}
                             for i, u in enumerate(s.units, start=1)],
                            columns=["序号", "单位编号", "单位", "所属"])

    def sources(self, indicator: str, unit: str | None = None,
                round_id: str | None = None) -> pd.DataFrame:
        """Return where a figure came from, one row per stored value behind it.

        Columns: 提交编号 (the submission), 单位编号, 单位, 指标编号, 指标 (:meth:`labels`),
        数值, 原文 (the text as written), 文件, 工作表, 单元格, 接收日期, 轮次, 版本. A derived
        figure (a formula) lists the values of the fields it is computed from.
        """
        code = self._code(unit)
        roll = self.rollup(round_id)
        ids = roll.sources(code, indicator)
        names = [indicator]
        if indicator not in {i.id for i in self.campaign.indicators} or \
                self.campaign.indicator(indicator).derived:
            names = sorted(roll.formula_names.get(indicator, frozenset()))
        frames = [trace(self.frames, ids, n).assign(_ident=n) for n in names]
        t = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if t.empty:
            return pd.DataFrame(columns=list(_SOURCE_COLUMNS))
        labels = self.labels()
        return pd.DataFrame({
            "提交编号": t["submission_id"].astype("int64"),
            "单位编号": t["unit"], "单位": [self.campaign.unit(u).name for u in t["unit"]],
            "指标编号": t["_ident"], "指标": [labels.get(n, n) for n in t["_ident"]],
            "数值": t["value"], "原文": t["raw"], "文件": t["file_name"],
            "工作表": t["sheet"], "单元格": t["cell"],
            "接收日期": [pd.Timestamp(d).date().isoformat() for d in t["received_on"]],
            "轮次": t["round"], "版本": t["revision"],
        }, columns=list(_SOURCE_COLUMNS))


_SOURCE_COLUMNS: Final = ("提交编号", "单位编号", "单位", "指标编号", "指标", "数值", "原文",
                          "文件", "工作表", "单元格", "接收日期", "轮次", "版本")
