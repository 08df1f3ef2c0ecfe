"""Write the messy-returns corpus under ``tests/corpus/`` (run once; the files are committed).

Each file imitates what an office sends back: its own retyped copy of the notice's table,
full-width digits, Chinese numerals, placeholders, merged two-row headers, 填表单位 lines,
dates written every which way, GB18030 CSV, LibreOffice .xls/.ods conversions, and our own
templates filled in (or of the wrong campaign / an old form version). The expected outcome of
each file is written **by hand** in ``<name>.expected.json`` beside it — this script never
writes expectations.

    python tests/make_corpus.py            # needs openpyxl; soffice for the .xls/.ods files

LibreOffice is run with a private profile (``-env:UserInstallation``) so it can run while
another soffice is open.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
FUJIAN = ROOT / "data_samples" / "fujian_hkmacao_2021" / "campaign.yaml"
HUBEI = ROOT / "data_samples" / "hubei_huimin_2024" / "campaign.yaml"

FJ_LABELS = ["召开小型座谈会和宣讲会场数", "发放宣传资料份数", "开展政策咨询人次", "新增参保人数"]


# --------------------------------------------------------------------------- helpers


def save(wb: Workbook, path: Path) -> Path:
    """Save a workbook, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def convert(src: Path, fmt: str, dest: Path) -> None:
    """Convert src with LibreOffice (xls or ods) and move the result to dest."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install -y libreoffice-calc")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", fmt, "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=180,
        )
        out = Path(tmp) / (src.stem + "." + fmt)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), dest)


def fj_table(rows: Sequence[Sequence[Any]], footer: Sequence[Sequence[Any]] = (),
             *, sheet: str = "统计表") -> Workbook:
    """Fujian's annex as an office retypes it: title rows, one header row, rows, footer."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws["A1"] = "附件"
    ws["A2"] = "港澳居民内地参保专项宣传季开展情况统计表"
    ws.merge_cells("A2:E2")
    ws["A3"] = "(截至1月底)"
    ws["A4"] = "单位：场、份、人次、人"
    ws.append(["项目", *FJ_LABELS])  # row 5
    for r in rows:
        ws.append(list(r))
    ws.append([])
    for f in footer:
        ws.append(list(f))
    return wb


def hb_vertical(unit_line: Sequence[Any], date_line: Sequence[Any],
                rows: Sequence[Sequence[Any]], *, subtitle: str = "(2024 年)",
                sheet: str = "Sheet1") -> Workbook:
    """Hubei's 附件3 as an office retypes it: 项 目 | 内 容 | 开展情况 from row 6."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws["A1"] = "附件3"
    ws["A2"] = "“人社惠民政策进万家”活动情况统计表"
    ws.merge_cells("A2:C2")
    ws["A3"] = subtitle
    ws.append(list(unit_line))  # row 4
    ws.append(list(date_line))  # row 5
    ws.append(["项 目", "内 容", "开展情况"])  # row 6
    for r in rows:
        ws.append(list(r))
    return wb


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str) -> None:
    """Write a CSV file in the given encoding (``utf-8-sig`` for a BOM)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


# --------------------------------------------------------------------------- Fujian


def fujian(out: Path, tmp: Path) -> None:
    """Write the Fujian files (horizontal table, templates, CSV, progress, ledger)."""
    from campaignkit import load_campaign
    from campaignkit.forms import build_form, build_rollup, defined_cells, input_cells

    c = load_campaign(FUJIAN)
    hubei = load_campaign(HUBEI)
    unit_fz = ["填表单位：福州市人力资源和社会保障局"]

    save(fj_table([["总计", "１２", "１，２００", "３５０", "１５"]],
                  [unit_fz, ["填表日期：2022年1月18日"]]), out / "fj_fullwidth_digits.xlsx")
    save(fj_table([["厦门市", "约12场", "300余份", "200左右", "近50"],
                   ["总计", 12, 300, 200, 50]],
                  [["填表单位：厦门市人社局"], ["填表日期：2022-01-17"]]),
         out / "fj_approximate.xlsx")
    save(fj_table([["总计", "十二", "1.2万", "一百二十", "三"]],
                  [["填表单位：漳州市人力资源和社会保障局（盖章）"], ["填表日期：2022年1月19日"]]),
         out / "fj_chinese_numerals.xlsx")
    save(fj_table([["总计", 5, "—", "无", "/"]],
                  [["填表单位：三明市"], ["填表日期：2022/1/16"]]), out / "fj_placeholders.xlsx")

    # merged two-row header, label broken over two lines, date in the cell beside its label
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "统计表"
    ws["A1"] = "港澳居民内地参保专项宣传季开展情况统计表"
    ws.merge_cells("A1:E1")
    ws["A2"] = "(截至1月底)"
    ws["A4"] = "项目"
    ws.merge_cells("A4:A5")
    ws["B4"] = "宣传活动开展情况"
    ws.merge_cells("B4:D4")
    ws["E4"] = "新增参保人数"
    ws.merge_cells("E4:E5")
    ws["B5"] = "召开小型座谈会和\n宣讲会场数"
    ws["C5"] = "发放宣传\n资料份数"
    ws["D5"] = "开展政策咨询 人次"
    for cell in ("B5", "C5", "D5"):
        ws[cell].alignment = Alignment(wrap_text=True)
    ws.append(["莆田市", 8, 900, 210, 6])  # row 6
    ws["A8"] = "填表单位：莆田市人社局"
    ws["D8"] = "填表日期："
    ws["E8"] = dt.date(2022, 1, 14)
    ws["E8"].number_format = "yyyy-mm-dd"
    save(wb, out / "fj_merged_header.xlsx")

    counties = [["鼓楼区", 3, 300, 80, 2], ["台江区", 4, 250, 60, 1], ["仓山区", 5, 400, 100, 3]]
    save(fj_table([*counties, ["总计", 12, 960, 240, 5]],
                  [unit_fz, ["填表日期：2022年1月18日"]]), out / "fj_total_mismatch.xlsx")
    save(fj_table([*counties, ["合 计", 12, 950, 240, 6]],
                  [unit_fz, ["填表日期：2022年1月18日"]]), out / "fj_counties_total.xlsx")
    save(fj_table([["总计", 20, 3000, 500, 30]], [["填表日期：2022年1月15日"]]),
         out / "fj_泉州市_统计表.xlsx")
    save(fj_table([["总计", 1, 2, 3, 4]],
                  [["填表单位：福州市、厦门市"], ["填表日期：2022年1月18日"]]),
         out / "fj_ambiguous_unit.xlsx")
    save(fj_table([["总计", 1, 2, 3, 4]], [["填表日期：2022年1月18日"]]), out / "fj_no_unit.xlsx")
    save(fj_table([["宁德市", 6, 800, 150, 4]],
                  [["填表单位：宁德市人社局"], ["填表日期：2022.1.18"]]),
         out / "fj_date_dotted.xlsx")

    wb = fj_table([["总计", 7, 700, 140, 5]],
                  [["填表单位：", "南平市人力资源和社会保障局"], ["填表日期：", None]])
    ws = wb.active
    assert ws is not None
    ws["B9"] = dt.datetime(2022, 1, 19)
    ws["B9"].number_format = 'yyyy"年"m"月"d"日"'
    save(wb, out / "fj_date_cell.xlsx")
    save(fj_table([["总计", 9, 1100, 260, 7]],
                  [["填表单位：", "龙岩市人社局"], ["填表日期：", 44579]]),
         out / "fj_date_serial.xlsx")
    src = save(fj_table([["总计", 3, 260, 45, 1]],
                        [["填表单位：平潭综合实验区社会事业局"],
                         ["填表日期：二〇二二年一月二十日"]]),
               tmp / "fj_date_chinese.xlsx")
    convert(src, "xls", out / "fj_date_chinese.xls")
    save(fj_table([["总计", 10, 1000, 300, 8]],
                  [unit_fz, ["填表日期：2023年1月18日"]]), out / "fj_future_date.xlsx")
    save(fj_table([["福州市", 1, 2, 3, 4], ["厦门市", 2, 3, 4, 5], ["福州市", 5, 6, 7, 8]],
                  [["填表日期：2022年1月18日"]]), out / "fj_same_unit_twice.xlsx")
    save(fj_table([["总计", "12份", 300, 40, 2]], [unit_fz, ["填表日期：2022年1月18日"]]),
         out / "fj_wrong_unit_in_sessions.xlsx")
    src = save(fj_table([["福州市", 12, 950, 240, 6], ["厦门市", 10, 1200, 310, 9],
                         ["泉州市", 11, 1000, 280, 7], ["总计", 33, 3150, 830, 22]],
                        [["填表单位：福建省人社厅"], ["填表日期：2022-01-21"]]),
               tmp / "fj_province_summary.xlsx")
    convert(src, "ods", out / "fj_province_summary.ods")

    header = ["单位", *FJ_LABELS]
    write_csv(out / "fj_gb18030.csv",
              [[*header, "填表日期"], ["福州市人社局", 10, 1500, 300, 12, "2022年1月18日"],
               ["厦门市", "约8场", 900, 200, 5, "2022/1/17"]], "gb18030")
    write_csv(out / "fj_bad_values_bom.csv",
              [header, ["泉州市", "abc", 100, 20, 1], ["漳州市", 3, 100, 20, -1]], "utf-8-sig")

    wb = build_form(hubei, "HB01")
    cells = input_cells(wb)
    wb[cells["enterprise_sessions"][0]][cells["enterprise_sessions"][1]] = 12
    save(wb, out / "fj_hubei_form.xlsx")

    wb = build_form(c, "FJ03")
    meta = wb["_campaignkit"]
    for row in meta.iter_rows(min_col=1, max_col=2):
        if row[0].value == "form_version":
            row[1].value = "0"
    cells = input_cells(wb)
    old = {"sessions": 4, "materials": 500, "consultations": 90, "new_insured": 2}
    for ind_id, n in old.items():
        wb[cells[ind_id][0]][cells[ind_id][1]] = n
    save(wb, out / "fj_outdated_form.xlsx")

    wb = build_form(c, "FJ05")
    cells = input_cells(wb)
    for ind_id, v in {"sessions": 6, "materials": "720份", "consultations": 130,
                      "new_insured": 3}.items():
        wb[cells[ind_id][0]][cells[ind_id][1]] = v
    date_cell = defined_cells(wb)["ck_date"]
    wb[date_cell[0]][date_cell[1]] = dt.date(2022, 1, 16)
    save(wb, out / "fj_template_filled.xlsx")

    wb = build_rollup(c, "FJ", {
        "FJ01": {"sessions": 12, "materials": 950, "consultations": 240, "new_insured": 6},
        "FJ02": {"sessions": 10, "materials": 1200, "consultations": 310, "new_insured": 9},
        "FJ04": {"sessions": 11, "materials": 1000, "consultations": 280, "new_insured": None}})
    date_cell = defined_cells(wb)["ck_date"]
    wb[date_cell[0]][date_cell[1]] = dt.date(2022, 1, 22)
    src = save(wb, tmp / "fj_rollup.xlsx")
    convert(src, "xlsx", out / "fj_rollup_libreoffice.xlsx")  # LibreOffice computes 总计

    write_csv(out / "fj_progress.csv",
              [["单位", "事项", "完成日期", "佐证材料"],
               ["福州市", "m_publicity_started", "2021-12-10", "启动仪式通讯稿"],
               ["厦门市人社局", "m_task_force", "2021年11月25日", "工作专班文件"],
               ["漳州市", "m_task_force", "2021-11-28", ""]], "gb18030")

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ledger"
    ws.append(["date", "unit", "sessions", "venue", "township", "materials", "consultations",
               "attendees"])
    ws.append([dt.date(2021, 12, 5), "FJ01", 1, "企业", None, 100, 20, 30])
    ws.append([dt.date(2021, 12, 6), "厦门市", 2, "学校", None, 80, 15, 25])
    save(wb, out / "fj_ledger_bad_venue.xlsx")


# --------------------------------------------------------------------------- Hubei


def hubei(out: Path, tmp: Path) -> None:
    """Write the Hubei files (vertical table with several blanks a cell, templates, ledger)."""
    from campaignkit import load_campaign
    from campaignkit.forms import build_form, defined_cells, input_cells

    c = load_campaign(HUBEI)
    full = [
        ["政策公开", "政策文件公开数量", "15个"],
        ["", "政策解答文件数量", "8"],
        ["", "是否在门户网站及微信公众号公布", "是"],
        ["政策解读", "是否在门户网站及微信公众号设立宣传栏目，是什么？",
         "是，宜昌人社惠民政策专栏"],
        ["", "制作微动漫、短视频、图表（文）等", "二十个"],
        ["", "政策原文+新闻通稿和解读文章、政策问答等", "36"],
        ["", "专家访谈", "2次"],
        ["", "新闻发布会", "1场"],
        ["", "答记者问", "—"],
        ["政策宣讲", "开展政策宣讲进企业活动", "45场"],
        ["", "开展政策宣讲进校园活动", "12场"],
        ["", "开展政策宣讲进村居活动", "60场，覆盖乡镇46个，覆盖率50%"],
        ["", "开展政策宣讲进工地活动", "8场"],
        ["", "开展政策学习进系统活动", "10场"],
        ["", "培养人社政策宣讲骨干，平均每人开展或者参与政策宣讲场（次）", "30人；2.5场/人"],
        ["", "政策宣讲活动安排公布网址", "http://rsj.yichang.gov.cn/xjap"],
        ["窗口宣传", "宣传栏、宣传牌、宣传海报等", "120个"],
        ["", "宣传电子显示屏", "15"],
        ["", "制作宣传视频、微动画", "6个"],
        ["", "发布、播放宣传视频、微动画", "18"],
        ["", "发放宣传册（宣传活页等资料）", "1,500份"],
        ["备 注", "各地结合实际开展的其它活动，可自行列项补充。", ""],
        ["", "“人社政策进万家”流动宣传车下乡", "3场"],
    ]
    wb = hb_vertical(["填报单位（盖章）：宜昌市人力资源和社会保障局"], ["填报时间：2024年12月10日"],
                     full)
    save(wb, out / "hb_vertical_full.xlsx")

    save(hb_vertical(["填报单位（盖章）：孝感市人力资源和社会保障局"], ["填报时间：2024-12-15"],
                     [["政策宣讲", "开展政策宣讲进企业活动", "20场"],
                      ["", "开展政策宣讲进村居活动", "40场，覆盖乡镇30个，覆盖率85%"]]),
         out / "hb_rate_mismatch.xlsx")

    for name, fmt in (("hb_percent_format.xlsx", "0%"), ("hb_percent_bare.xlsx", None)):
        wb = hb_vertical(["填报单位（盖章）：宜昌市人社局"], ["填报时间：2024年12月12日"],
                         [["政策宣讲", "开展政策宣讲进村居活动", "50场", 78, 0.85],
                          ["窗口宣传", "宣传电子显示屏", 12]])
        ws = wb.active
        assert ws is not None
        ws.merge_cells("C6:E6")
        if fmt:
            ws["E7"].number_format = fmt
        save(wb, out / name)

    save(hb_vertical(["填报单位（盖章）：随州市人力资源和社会保障局"], ["填报时间：2024年12月16日"],
                     [["政策宣讲", "开展政策宣讲进企业活动", "10场"],
                      ["备 注", "各地结合实际开展的其它活动，可自行列项补充。", "另有线上宣传"],
                      ["", "人社政策进万家流动宣传车下乡", "3场"],
                      ["", "直播带岗宣讲", "5场，观看1.2万人次"]]),
         out / "hb_extra_remarks.xlsx")
    save(hb_vertical(["填报单位（盖章）：黄石市人社局"], ["填报时间：2024年12月11日"],
                     [["政策宣讲", "开展政策宣讲进村居活动", "20场，覆盖乡镇35个，覆盖率100%"]]),
         out / "hb_rule_broken.xlsx")

    src = save(hb_vertical(["填报单位（盖章）：荆门市人力资源和社会保障局"],
                           ["填报时间：2024年12月16日"],
                           [["政策公开", "政策文件公开数量", "9个"],
                            ["", "政策解答文件数量", "4个"],
                            ["", "是否在门户网站及微信公众号公布", "否"],
                            ["政策宣讲", "开展政策宣讲进村居活动",
                             "30场，覆盖乡镇51个，覆盖率100%"]]),
               tmp / "hb_vertical.xlsx")
    convert(src, "ods", out / "hb_vertical.ods")

    wb = hb_vertical(["填报单位（盖章）：", "鄂州市人社局"], ["填报时间：", None],
                     [["政策宣讲", "开展政策宣讲进企业活动", "15场"],
                      ["", "开展政策宣讲进村居活动", "12场，覆盖乡镇17个，覆盖率100%"],
                      ["窗口宣传", "发放宣传册（宣传活页等资料）", "2000份"]])
    ws = wb.active
    assert ws is not None
    ws["B5"] = dt.date(2024, 12, 18)
    ws["B5"].number_format = "yyyy-mm-dd"
    src = save(wb, tmp / "hb_vertical_xls.xlsx")
    convert(src, "xls", out / "hb_vertical.xls")
    convert(src, "xlsx", out / "hb_libreoffice.xlsx")  # the same table re-saved by LibreOffice

    save(hb_vertical(["填报单位（盖章）：武汉市人社局"], ["填报时间：2024年6月25日"],
                     [["政策宣讲", "开展政策宣讲进企业活动", "30场"],
                      ["", "开展政策宣讲进村居活动", "10场，覆盖乡镇4个，覆盖率50%"]],
                     subtitle="(2024 年上半年)"), out / "hb_halfyear_title.xlsx")

    write_csv(out / "hb_ledger.csv",
              [["日期", "单位", "场次", "计划项", "场所", "乡镇", "发放资料份数", "咨询人次",
                "参加人数"],
               ["2024-05-10", "就业促进和失业保险处", 1, "p12", "校园", "", 300, 50, 120],
               ["2024/06/03", "武汉市", 2, "", "村居", "黄陂区某镇", 200, 40, 80],
               ["2024年7月1日", "宜昌市人社局", 1, "稳岗返还政策宣传", "企业", "", 150, 30, 60]],
              "utf-8")

    save(hb_vertical(["填报单位（盖章）：湖北省人力资源和社会保障厅就业促进和失业保险处"],
                     ["填报时间：2024年12月9日"],
                     [["政策宣讲", "开展政策宣讲进校园活动", "8场"],
                      ["", "开展政策宣讲进村居活动", "—场，覆盖乡镇—个，覆盖率—"]]),
         out / "hb_dept_placeholders.xlsx")

    wb = build_form(c, "HB03")
    cells = input_cells(wb)
    for ind_id, v in {"enterprise_sessions": 22, "campus_sessions": "9场",
                      "village_sessions": 35, "townships_covered": 52, "township_coverage": 50,
                      "worksite_sessions": 0, "system_sessions": 6, "column_set_up": "是",
                      "column_name": "十堰人社专栏", "brochures": "约3000份"}.items():
        wb[cells[ind_id][0]][cells[ind_id][1]] = v
    names = defined_cells(wb)
    wb[names["ck_date"][0]][names["ck_date"][1]] = dt.date(2024, 12, 13)
    first = names["ck_remarks"][1].split(":")[0]
    ws = wb[names["ck_remarks"][0]]
    ws[first] = "政策宣讲进社区"
    ws["C" + first[1:]] = "4场"
    save(wb, out / "hb_template_filled.xlsx")


def main() -> int:
    """Write every corpus file (expectations are not touched)."""
    with tempfile.TemporaryDirectory() as tmp:
        fujian(CORPUS / "fujian", Path(tmp))
        hubei(CORPUS / "hubei", Path(tmp))
    print(f"corpus written under {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
