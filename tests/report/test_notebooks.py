"""The report notebooks, executed for real with papermill on the demo's SQLite stores.

Each report is made once (``run_report``: papermill in-process, then the nbconvert export) and
shared by the checks; the plain ``papermill`` command runs once too. Expected figures come from
the stored submissions (``stored_value``) and the milestone engine (``overdue_names``).
"""

from __future__ import annotations

import ast
import functools
import json
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import openpyxl
import papermill
import pytest
from docx import Document
from papermill.exceptions import PapermillExecutionError

from campaignkit.report.numbers import fmt_count
from campaignkit.report.run import (
    KINDS,
    ReportParameterError,
    notebook_path,
    open_report,
    run_report,
)
from campaignkit.report.snapshot import open_snapshot

from .test_yearend import FUJIAN, HUBEI, ROOT, hubei, overdue_names, store_path, stored_value

PARAMETERS = {"campaign", "db", "unit", "as_of", "out_dir", "notes", "formats"}
FORBIDDEN = ("Traceback", "Warning", "warning", "nan", "NaN", "None", "Error", "open_report",
             "import ", "job.", "run.show", "report = ")
# (kind, campaign, unit): province, city, county, division of Hubei; Fujian's province
CASES = [(kind, camp, unit) for kind in ("year-end", "briefing")
         for camp, unit in (("hubei", "HB"), ("hubei", "HB01"), ("hubei", "HB0201"),
                            ("hubei", "HB_D01"), ("fujian", "FJ"))]
SPECS = {"hubei": HUBEI, "fujian": FUJIAN}
STORES = {"hubei": "hubei_huimin_2024", "fujian": "fujian_hkmacao_2021"}
TOTALS = {"hubei": [("enterprise_sessions", "开展政策宣讲进企业活动", "场"),
                    ("brochures", "发放宣传册（宣传活页等资料）", "份")],
          "fujian": [("sessions", "召开小型座谈会和宣讲会", "场"),  # 会场数 85 场 reads 会 85 场
                     ("materials", "发放宣传资料", "份")]}


@functools.cache
def out_root() -> Path:
    import atexit
    import shutil

    out = Path(tempfile.mkdtemp(prefix="ck-report-out-"))
    atexit.register(shutil.rmtree, out, True)
    return out


NOTES = ("## 典型做法\n武汉市开设“政策直播间”。\n\n- <script>alert('x')</script>{{ 7*7 }}\n\n"
         "## 下一步打算\n持续推进政策宣讲进村居。\n")
NOTED = ("year-end", "hubei", "HB01")  # the case made with a notes file


def notes_file() -> Path:
    path = out_root() / "notes" / "HB01.md"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NOTES, encoding="utf-8")
    return path


@functools.cache
def made(kind: str, camp: str, unit: str) -> dict[str, Path]:
    """Make one report with run_report (papermill + nbconvert); return its files by suffix."""
    notes = notes_file() if (kind, camp, unit) == NOTED else None
    paths = run_report(kind, SPECS[camp], db=store_path(STORES[camp]), unit=unit,  # type: ignore[arg-type]
                       out_dir=out_root() / camp, notes=notes)
    return {p.name.split(".", 1)[1]: p for p in paths}


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, style or script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", "", "".join(p.parts))


def docx_paragraphs(path: Path) -> list[str]:
    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        out += [c.text for row in t.rows for c in row.cells]
    return [re.sub(r"\s+", "", x) for x in out if x.strip()]


# ---------------------------------------------------------------------------------------
# The notebooks as stored
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_notebooks_are_stored_clean_and_only_call_the_library(kind: str) -> None:
    nb = nbformat.read(str(notebook_path(kind)), as_version=4)  # type: ignore[no-untyped-call,arg-type]
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0]
    names = {t.id for n in ast.parse(tagged[0].source).body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name)}
    assert names == PARAMETERS
    for c in code[1:]:
        calls = [n for n in ast.parse(c.source).body if not isinstance(n, ast.ImportFrom)]
        assert len(calls) == 1 and isinstance(calls[0], (ast.Assign, ast.Expr)), c.source
        assert isinstance(calls[0].value, ast.Call), c.source
    assert "open_report" in code[1].source  # the first cell opens the snapshot
    for c in nb.cells:
        if c.cell_type == "markdown":
            assert c.source.startswith("#") and "\n" not in c.source.strip()


# ---------------------------------------------------------------------------------------
# The reports, made through the notebooks
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "camp", "unit"), CASES)
def test_report_carries_the_stored_figures_and_names(kind: str, camp: str, unit: str) -> None:
    files = made(kind, camp, unit)
    assert {"html", "sources.json", "docx", "xlsx", "ipynb"} <= set(files)
    page = html_text(files["html"])
    words = docx_paragraphs(files["docx"])
    doc = "\n".join(words)
    spec = SPECS[camp]
    has_figures = unit != "HB0201"  # counties send no return of Hubei's rounds
    for ind, label, measure in TOTALS[camp] if has_figures else []:
        want = f"{label}{fmt_count(stored_value(spec, unit, ind))}{measure}"
        assert want in page and want in doc
    snap = (hubei(unit) if camp == "hubei" else
            open_snapshot(spec, store_path(STORES[camp]), unit=unit))
    for name in overdue_names(snap):
        assert name in page and name in doc
    for bad in FORBIDDEN:
        assert bad not in page, bad
        assert bad not in doc, bad
    # one document: every sentence and cell of the Word file is on the page
    missing = [w for w in words if w not in page]
    assert not missing, missing[:5]


@pytest.mark.parametrize(("kind", "camp", "unit"), [CASES[0], CASES[6], CASES[4]])
def test_html_is_the_nbconvert_export_offline_and_linked(kind: str, camp: str,
                                                         unit: str) -> None:
    files = made(kind, camp, unit)
    raw = files["html"].read_text(encoding="utf-8")
    assert "ck-notebook" in raw and '<article class="ck-report">' in raw  # nbconvert template
    assert "<script" not in raw and "http://" not in raw and "https://" not in raw
    link = re.search(r'<a class="src"[^>]*\bhref="#src-([^"]+)"', raw)  # nbconvert sorts attrs
    assert link and 'id="fig-1"' in raw and f'id="src-{link.group(1)}"' in raw
    if kind == "year-end" and camp == "hubei":
        assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", raw)) >= 3
    doc = json.loads(files["sources.json"].read_text(encoding="utf-8"))
    assert doc["figures"] and all(i in doc["sources"] for f in doc["figures"]
                                  for i in f["sources"])
    assert any(s["sheet"] and s["cell"] for s in doc["sources"].values())
    nb = nbformat.read(str(files["ipynb"]), as_version=4)  # type: ignore[no-untyped-call]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o.output_type for o in outputs] == ["display_data"]
    assert "text/html" in outputs[0].data


def test_notes_reach_both_renderings_as_plain_text_and_stay_untouched() -> None:
    before = notes_file().read_bytes()
    files = made(*NOTED)
    raw = files["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "&lt;script&gt;alert" in raw
    page, doc = html_text(files["html"]), "\n".join(docx_paragraphs(files["docx"]))
    for text in ("武汉市开设“政策直播间”。", "{{7*7}}", "三、下一年工作打算",
                 "持续推进政策宣讲进村居。"):
        assert text in page and text in doc
    assert "49" not in page.split("典型做法")[-1][:40]
    assert notes_file().read_bytes() == before
    assert "下一年工作打算" not in html_text(made("year-end", "hubei", "HB")["html"])


def test_annex_workbook_holds_the_total() -> None:
    files = made("year-end", "hubei", "HB")
    wb = openpyxl.load_workbook(files["xlsx"])
    rows = [[c.value for c in row] for ws in wb for row in ws.iter_rows()]
    total = next(r for r in rows if r[0] == "全省合计")
    assert stored_value(HUBEI, "HB", "enterprise_sessions") in total


# ---------------------------------------------------------------------------------------
# Bad parameters fail in the first cell with one sentence
# ---------------------------------------------------------------------------------------
BAD = [({"unit": "XX99"}, "year-end"), ({"as_of": "2025-03-01"}, "year-end"),
       ({"as_of": "2024-13-01"}, "year-end"), ({"unit": 5}, "briefing")]


@pytest.mark.parametrize(("bad", "kind"), BAD)
def test_bad_parameter_fails_in_the_first_cell(bad: dict[str, object], kind: str,
                                               tmp_path: Path) -> None:
    params = {"campaign": str(HUBEI), "db": str(store_path("hubei_huimin_2024")),
              "out_dir": str(tmp_path), **bad}
    with pytest.raises(ReportParameterError) as want:
        open_report(kind, HUBEI, params["db"], unit=params.get("unit"),
                    as_of=params.get("as_of"), out_dir=tmp_path)
    sentence = str(want.value)
    assert "\n" not in sentence and sentence.endswith(sentence.rstrip("."))
    out = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as got:
        papermill.execute_notebook(str(notebook_path(kind)), str(out),  # type: ignore[arg-type]
                                   parameters=params, progress_bar=False, kernel_name="python3")
    err = got.value
    assert err.ename == "ReportParameterError" and err.evalue == sentence
    assert err.traceback == [f"ParameterError: {sentence}"]
    nb = nbformat.read(str(out), as_version=4)  # type: ignore[no-untyped-call]
    code = [c for c in nb.cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
    opened = next(i for i, c in enumerate(code) if "open_report" in c.source)
    assert failed == [opened]  # the first cell after the parameters
    assert not any(p.name.endswith((".html", ".docx")) for p in tmp_path.iterdir())


def test_run_report_refuses_before_starting_a_kernel(tmp_path: Path) -> None:
    with pytest.raises(ReportParameterError, match="is not a unit of hubei_huimin_2024"):
        run_report("year-end", HUBEI, db=store_path("hubei_huimin_2024"), unit="XX99",
                   out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------
# The plain papermill command, from the repository root, with relative paths
# ---------------------------------------------------------------------------------------
def _papermill(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("papermill")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def test_plain_papermill_command(tmp_path: Path) -> None:
    db = store_path("hubei_huimin_2024")
    # --cwd notebooks: the kernel starts where JupyterLab starts it; the default campaign
    # (data_samples/…, relative) is still found, at the repository root
    done = _papermill("notebooks/inspection_briefing.ipynb", str(tmp_path / "out.ipynb"),
                      "--cwd", "notebooks", "-p", "db", str(db), "-p", "unit", "HB_D01",
                      "-p", "out_dir", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    page = html_text(tmp_path / "HB_D01_briefing.html")
    total = stored_value(HUBEI, "HB_D01", "enterprise_sessions")
    assert f"开展政策宣讲进企业活动{fmt_count(total)}场" in page
    assert (tmp_path / "HB_D01_briefing.docx").is_file()
    # from the repository root, relative paths are read against it
    bad = _papermill("notebooks/year_end_summary.ipynb", str(tmp_path / "bad.ipynb"),
                     "-p", "db", str(db), "-p", "unit", "XX99", "-p", "out_dir", str(tmp_path))
    assert bad.returncode != 0
    last = [line for line in bad.stderr.splitlines() if line.strip()][-1]
    assert last.startswith("ParameterError: unit 'XX99' is not a unit of hubei_huimin_2024")
