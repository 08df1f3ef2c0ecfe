"""An example report that exercises every part of the rendering layer.

Chinese text, a two-row header with spans, a 全省合计 total row, a chart, sources on figures,
cells and the chart, and two hostile unit names: one with a ``<script>`` tag (escaping) and one
that Excel would read as a DDE formula (formula safety).
"""

from __future__ import annotations

from datetime import date

import pytest

from campaignkit.report import (
    Annex,
    Report,
    Source,
    Table,
    bar_children,
    cell,
    count_cell,
    fig,
    para,
    rate_cell,
    report,
    section,
    table,
)

TITLE = "湖北省人社惠民政策进万家活动年度工作总结"
ISSUER = "湖北省人力资源和社会保障厅"
SCRIPT_UNIT = "<script>alert('x')</script>县"
FORMULA_UNIT = "=cmd|' /C calc'!A0"


def _sources() -> list[Source]:
    return [
        Source("wh-c7", "420100", "武汉市", "returns/wuhan.xlsx", "统计表", "C7",
               date(2024, 12, 18), "final", "sessions", "1,200场"),
        Source("hs-c7", "420200", "黄石市", "returns/huangshi.xlsx", "统计表", "C7",
               date(2024, 12, 19), "final", "sessions", "约34场"),
        Source("evil-c7", "429999", SCRIPT_UNIT, "returns/<evil>.xlsx", "统计表", "C7",
               date(2024, 12, 20), "final", "sessions", "<b>12</b>"),
        Source("dde-c7", "429998", FORMULA_UNIT, "returns/dde.xlsx", "统计表", "C7",
               date(2024, 12, 20), "final", "sessions", "=1+1"),
    ]


def children_table(caption: str = "各市州活动开展情况") -> Table:
    header = [
        [cell("序号", rowspan=2), cell("地区", rowspan=2), cell("活动场次", colspan=2),
         cell("乡镇覆盖率（%）", rowspan=2), cell("排名", rowspan=2)],
        [cell("计划"), cell("完成")],
    ]
    body = [
        ["1", cell("武汉市", align="left"), count_cell(1000), count_cell(1200, "wh-c7"),
         rate_cell(100), "第1"],
        ["2", cell("黄石市", align="left"), count_cell(40), count_cell(34, "hs-c7"),
         rate_cell(85.25), "并列第2"],
        ["3", cell(SCRIPT_UNIT, align="left"), count_cell(20), count_cell(12, "evil-c7"),
         rate_cell(85.25), "并列第2"],
        ["4", cell(FORMULA_UNIT, align="left"), count_cell(None), count_cell(None, "dde-c7"),
         rate_cell(None), "—"],
    ]
    total = [cell("全省合计", colspan=2), count_cell(1060), count_cell(1246), rate_cell(91.7),
             "—"]
    return table(caption, header, body, total, note="单位：场")


@pytest.fixture(scope="session")
def chart():  # type: ignore[no-untyped-def]
    return bar_children({"武汉市": 1200, "黄石市": 34, SCRIPT_UNIT: 12, FORMULA_UNIT: None},
                        caption="图1 各市州开展活动场次", unit="场", sources=["wh-c7", "hs-c7"])


@pytest.fixture(scope="session")
def example(chart) -> Report:  # type: ignore[no-untyped-def]
    t = children_table()
    plain = table("附件2表", [["地区", "备注"]],
                  [[cell(FORMULA_UNIT, align="left"), cell("+86 027 1234", align="left")],
                   [cell("武汉市", align="left"), cell("@所有人 -已完成", align="left")]])
    return report(
        TITLE, date="2024-12-20", issuer=ISSUER, doc_number=None,
        addressee="各市、州、直管市、神农架林区人力资源和社会保障局：",
        opening=[para("根据《关于开展人社惠民政策进万家活动的通知》要求，现将全年工作总结如下：")],
        sections=[
            section("工作开展情况及成效",
                    para("全年全省共开展活动", fig("1,246", "wh-c7", "hs-c7", "evil-c7"),
                         "场，其中武汉市", fig("1,200", "wh-c7"), "场。"),
                    subsections=[
                        section("政策宣讲", para("乡镇覆盖率", fig("91.7%", "wh-c7"),
                                                 "，比上年提高2.5个百分点。"), chart),
                        section("覆盖情况", t),
                    ]),
            section("存在的问题和不足", para(f"{SCRIPT_UNIT}、{FORMULA_UNIT}尚未报送。")),
            section("下一年工作打算", para("持续推进政策宣传。")),
        ],
        annexes=[Annex("各市州活动开展情况统计表", children_table("各市州活动开展情况统计表"),
                       ("注：覆盖率按乡镇数计算。",)),
                 Annex("单位备注", plain)],
        sources=_sources(),
    )
