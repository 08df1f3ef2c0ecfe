"""The main job on the bundled sample data: forms, ingest, statistics, milestones, an index page.

``run_demo(samples_dir, out_dir)`` takes every campaign under ``data_samples/`` and, for each:
writes the return forms, ingests the sample returns, progress log and activity ledger into a
fresh SQLite store (rejected files go to a quarantine folder with their located errors),
computes the figures and milestone status as of the end of the campaign, writes them as
JSON, writes the roll-up workbook of the top unit, makes the year-end summary and the
inspection briefing of every unit (a batch with warm kernels, :mod:`campaignkit.report.batch`),
and links it all from ``index.html``.

Rendering is pure (``render_index`` returns text); every piece of text that came from a
spec or a return is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .spec import Campaign, load_campaign

__all__ = ["CampaignResult", "find_samples", "render_index", "run_campaign", "run_demo"]

STATUS_ZH = {
    "on_time": "按时完成", "late": "逾期完成", "overdue": "逾期未完成", "due_soon": "即将到期",
    "pending": "未到期", "in_progress": "进行中", "not_applicable": "不适用",
}
PLAN_STATUS_ZH = {"met": "已完成", "below": "未达计划", "above": "超计划", "in_progress": "进行中",
                  "not_started": "未开始"}
FILE_STATUS_ZH = {"accepted": "已接收", "rejected": "已退回", "unchanged": "无变化",
                  "skipped": "已跳过"}


@dataclass
class CampaignResult:
    """What the demo produced for one campaign (paths are relative to the output folder)."""

    campaign: Campaign
    as_of: date
    ingest: dict[str, Any]
    stats: dict[str, Any]
    status: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    reports: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        """Number of files the ingest rejected."""
        return sum(1 for f in self.ingest.get("files", []) if f.get("status") == "rejected")


def find_samples(start: Path | None = None) -> Path:
    """Find ``data_samples/``: under the current folder, else beside the installed package."""
    candidates = [(start or Path.cwd()) / "data_samples",
                  Path(__file__).resolve().parent.parent / "data_samples"]
    for c in candidates:
        if c.is_dir() and any(c.glob("*/campaign.yaml")):
            return c
    raise FileNotFoundError("no data_samples/ folder with campaign.yaml files found "
                            f"(looked in {', '.join(str(c) for c in candidates)})")


def demo_as_of(campaign: Campaign) -> date:
    """The date the demo looks from: the end of the campaign period."""
    return campaign.period_end


def run_campaign(spec: Path, out_dir: Path) -> CampaignResult:
    """Run forms → ingest → stats → status for one sample campaign into ``out_dir``."""
    from .forms import write_forms, write_rollup
    from .ingest import ingest_paths
    from .milestones import status_json
    from .stats import frames_from_store, rollup_rows, stats_json
    from .store import Store

    c = load_campaign(spec)
    root = spec.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}

    forms_dir = out_dir / "forms"
    if forms_dir.exists():
        shutil.rmtree(forms_dir)
    written = write_forms(c, forms_dir)
    files["forms"] = f"{c.id}/forms/ ({len(written)})"

    db = out_dir / "campaignkit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    quarantine = out_dir / "quarantine"
    if quarantine.exists():
        shutil.rmtree(quarantine)
    inputs = [p for p in (root / "returns", root / "progress.csv", root / "ledger.xlsx")
              if p.exists()]
    as_of = demo_as_of(c)
    with Store.open(db) as store:
        store.sync_units(c)
        report = ingest_paths(c, inputs, store, quarantine=quarantine)
        frames = frames_from_store(store, c.id)
    ingest_doc = report.to_json()
    stats_doc = stats_json(c, frames, None, as_of)
    status_doc = status_json(c, frames, as_of)

    rollup_path = write_rollup(c, c.top.code, rollup_rows(c, frames, None, as_of), out_dir)
    files["rollup"] = f"{c.id}/{rollup_path.name}"

    for name, doc in (("ingest.json", ingest_doc), ("stats.json", stats_doc),
                      ("status.json", status_doc)):
        (out_dir / name).write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str),
                                    encoding="utf-8")
        files[name] = f"{c.id}/{name}"
    files["db"] = f"{c.id}/campaignkit.db"
    return CampaignResult(c, as_of, ingest_doc, stats_doc, status_doc, files)


REPORT_KINDS: tuple[tuple[Literal["year-end", "briefing"], str], ...] = (
    ("year-end", "年度工作总结"), ("briefing", "督查通报"))


def make_reports(result: CampaignResult, out_dir: Path, *, level: str | None = None,
                 jobs: int = 2, say: Any = None) -> None:
    """Make the year-end summary and the briefing of every unit (or of one level)."""
    from .report.batch import print_progress, run_batch

    c = result.campaign
    for kind, label in REPORT_KINDS:
        if say is not None:
            say(f"{c.id}: {label} for {'every unit' if level is None else level} …")
        batch = run_batch(kind, c.path or out_dir, db=out_dir / "campaignkit.db",
                          unit="all", level=level, as_of=result.as_of,
                          out_dir=out_dir / "reports" / kind, formats="html,docx,xlsx",
                          jobs=jobs, progress=print_progress if say is not None else None)
        result.files[f"reports_{kind}"] = f"{c.id}/reports/{kind}/index.html"
        result.reports[kind] = dict(batch.counts)


def run_demo(out_dir: str | Path, samples: str | Path | None = None, *,
             reports: str | None = "all", jobs: int = 2,
             say: Any = None) -> list[CampaignResult]:
    """Run the demo for every sample campaign and write ``out_dir/index.html``.

    ``reports`` is ``all`` (every unit), a level (``city``) or None (no reports).
    ``say`` (e.g. ``print``) is told where the demo is.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(samples) if samples else find_samples()
    results = []
    for spec in sorted(root.glob("*/campaign.yaml")):
        if say is not None:
            say(f"{spec.parent.name}: forms, ingest, figures …")
        r = run_campaign(spec, out / spec.parent.name)
        if reports is not None:
            make_reports(r, out / spec.parent.name, level=None if reports == "all" else reports,
                         jobs=jobs, say=say)
        results.append(r)
    (out / "index.html").write_text(render_index(results), encoding="utf-8")
    return results


# -------------------------------------------------------------------------------------------
# rendering (pure)
# -------------------------------------------------------------------------------------------
def _e(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return html.escape(f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}")
    if isinstance(value, int):
        return html.escape(f"{value:,}")
    return html.escape(str(value))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _unit_name(c: Campaign, code: Any) -> str:
    try:
        return c.unit(str(code)).name
    except KeyError:
        return str(code)


def _report_counts(counts: dict[str, int]) -> str:
    text = f"已生成{counts.get('ok', 0) + counts.get('skipped', 0)}份"
    return text + (f"，失败{counts['failed']}份" if counts.get("failed") else "")


def _section(r: CampaignResult) -> str:
    c = r.campaign
    doc_number = c.doc_number or "（通知未载文号）"
    parts = [f"<section><h2>{_e(c.title)}</h2>",
             f'<p class="meta">发文单位：{_e(c.issuer)}　文号：{_e(doc_number)}'
             f"　统计截至：{_e(r.as_of.isoformat())}</p>"]

    reports = [f'<a href="{_e(r.files[f"reports_{kind}"])}">{label}</a>'
             f"（{_report_counts(r.reports.get(kind, {}))}）"
             for kind, label in REPORT_KINDS if f"reports_{kind}" in r.files]
    if reports:
        parts.append(f'<p class="reports">各单位报告：{"　".join(reports)}</p>')

    parts.append("<h3>一、报送情况</h3>")
    rep = r.status.get("reporting", [])
    parts.append(_table(
        ["轮次", "应报", "已报", "按时", "报送率（%）", "及时率（%）"],
        [[c.round(x["round"]).label, x["expected"], x["received"], x["on_time"], x["rate"],
          x["on_time_rate"]] for x in rep]))

    parts.append("<h3>二、主要数据（全省合计）</h3>")
    values = r.stats.get("values", {})
    rows = []
    for ind in c.indicators:
        if ind.id in values and ind.numeric:
            rows.append([ind.group or "", ind.label + (f"（{ind.blank}）" if ind.blank and
                                                       ind.blank != ind.unit else ""),
                         values[ind.id], ind.unit or ""])
    for m in c.measures:
        if m.id in values:
            rows.append(["", f"{m.label}（我们的口径）", values[m.id], m.unit or ""])
    parts.append(_table(["类别", "指标", "数值", "单位"], rows))
    parts.append(f'<p class="meta">已报单位 {_e(r.stats.get("reported"))} 个，应报 '
                 f'{_e(r.stats.get("expected"))} 个。</p>')

    children = r.stats.get("children", {})
    if children:
        shown = [i for i in c.indicators if i.numeric and i.input][:5]
        parts.append("<h3>三、各地情况</h3>")
        crow = []
        for code, vals in children.items():
            crow.append([_unit_name(c, code), *[vals.get(i.id) for i in shown]])
        parts.append(_table(["地区", *[i.label + (f"（{i.unit}）" if i.unit else "")
                                       for i in shown]], crow))

    items = r.status.get("items", [])
    counts: dict[str, int] = {}
    for it in items:
        counts[it["status"]] = counts.get(it["status"], 0) + 1
    parts.append("<h3>四、工作节点</h3>")
    parts.append(_table(["状态", "事项×单位数"],
                        [[STATUS_ZH.get(k, k), v] for k, v in sorted(counts.items())]))
    behind = [it for it in items if it["status"] in ("overdue", "late")]
    if behind:
        parts.append("<p>逾期事项：</p>")
        parts.append(_table(
            ["单位", "事项", "截止日期", "状态", "完成日期", "逾期天数"],
            [[_unit_name(c, it["unit"]), _task(c, it["milestone"]), it["deadline"],
              STATUS_ZH.get(it["status"], it["status"]), it.get("done_on"),
              it.get("days_late")] for it in behind[:40]]))

    plan = r.stats.get("plan") or []
    if plan:
        parts.append("<h3>五、活动计划执行</h3>")
        parts.append(_table(
            ["计划项", "宣讲主题", "时间", "计划场次", "已办场次", "情况", "牵头单位"],
            [[p.get("plan"), p.get("theme"), p.get("window"), p.get("planned"), p.get("held"),
              PLAN_STATUS_ZH.get(str(p.get("status")), p.get("status")),
              _unit_name(c, p.get("responsible"))] for p in plan], "files"))

    diffs = r.stats.get("consolidated_differences") or []
    outliers = r.stats.get("outliers") or []
    if diffs or outliers:
        parts.append("<h3>六、数据核对</h3>")
    if diffs:
        parts.append("<p>汇总表与下级合计不一致（以汇总表为准，差额单列）：</p>")
        parts.append(_table(["单位", "指标", "汇总表", "下级合计", "差额"],
                            [[_unit_name(c, d["unit"]), _label(c, d["indicator"]),
                              d["consolidated"], d["children_sum"], d["difference"]]
                             for d in diffs]))
    if outliers:
        parts.append("<p>异常值提示（修正 z 分数 &gt; 3，仅供核对）：</p>")
        parts.append(_table(["单位", "指标", "数值", "同级中位数", "z 分数"],
                            [[o.get("name"), _label(c, o["indicator"]), o.get("value"),
                              o.get("median"), o.get("score")] for o in outliers]))

    parts.append("<h3>七、数据导入</h3>")
    frows = []
    for f in r.ingest.get("files", []):
        errors = "；".join(e.get("message", "") for e in f.get("errors", [])[:3])
        frows.append([Path(str(f.get("path"))).name, f.get("kind"),
                      FILE_STATUS_ZH.get(str(f.get("status")), f.get("status")),
                      len(f.get("submissions", [])), len(f.get("warnings", [])), errors])
    parts.append(_table(["文件", "类型", "结果", "报表数", "提示数", "错误"], frows, "files"))
    links = "　".join(f'<a href="{_e(v.split(" (")[0])}">{_e(k)}</a>（{_e(v)}）'
                     for k, v in r.files.items())
    parts.append(f'<p class="meta">输出文件：{links}</p></section>')
    return "\n".join(parts)


def _label(c: Campaign, ident: str) -> str:
    try:
        ind = c.indicator(ident)
    except KeyError:
        return ident
    return ind.label + (f"（{ind.blank}）" if ind.blank and ind.blank != ind.unit else "")


def _task(c: Campaign, ident: str) -> str:
    try:
        task = c.milestone(ident).task
    except KeyError:
        return ident
    return task if len(task) <= 36 else task[:35] + "…"


CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.5}
h1{font-size:1.6em} h2{border-bottom:2px solid #a00;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1em} td,th{border:1px solid #bbb;padding:.2em .5em}
th{background:#f3f0ea} td{text-align:right} td:first-child,td:nth-child(2){text-align:left}
table.files td{text-align:left} .meta{color:#555;font-size:.92em} .note{color:#a00}
"""


def render_index(results: Sequence[CampaignResult], title: str = "campaignkit 示例") -> str:
    """Render the demo's index page (HTML text, every user text escaped)."""
    body = "\n".join(_section(r) for r in results)
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        '<p class="note">示例数据为 campaignkit 生成的虚构数据，不代表任何单位的真实情况；'
        "乡镇数、目标值均为示例。</p>"
        f"{body}</body></html>\n"
    )


def summary_lines(results: Sequence[CampaignResult]) -> list[str]:
    """One line per campaign for the terminal."""
    out = []
    for r in results:
        files = r.ingest.get("files", [])
        rep = {x["round"]: x for x in r.status.get("reporting", [])}
        final = rep.get(r.campaign.round().id, {})
        out.append(
            f"{r.campaign.id}: {len(files)} files ingested ({r.rejected} rejected), "
            f"final round {final.get('received')}/{final.get('expected')} received, "
            f"{final.get('on_time')} on time, as of {r.as_of}"
        )
    return out

