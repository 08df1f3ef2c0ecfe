"""A notebook executed with nbclient, exported with the campaignkit template: a clean page."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from campaignkit.report import NotebookOutputError, export_notebook_html, template_dir

SETUP = """\
import sys
from campaignkit.report import Source, fig, para, render_fragment, report, section
print("STDERR-SECRET-LOG", file=sys.stderr)
"""
SHOW = """\
from IPython.display import HTML, display
r = report("湖北省人社惠民政策进万家活动年度工作总结", date="2024-12-20",
           sections=[section("工作开展情况及成效",
                             para("全省共开展活动", fig("1,246", "s1"), "场。"))],
           sources=[Source("s1", "420100", "<script>武汉市</script>", "wuhan.xlsx",
                           "统计表", "C7")])
display(HTML(render_fragment(r)))
print("stdout-is-kept")
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_markdown_cell("## 小结说明"),
                nbformat.v4.new_code_cell(SHOW), nbformat.v4.new_code_cell("1 + 41")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path_factory.mktemp("nb") / "year_end.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def page(executed: Path) -> str:
    html = export_notebook_html(executed)
    (executed.parent / "year_end.html").write_text(html, encoding="utf-8")
    return html


def test_the_notebook_really_ran_and_wrote_to_stderr(executed: Path) -> None:
    nb = nbformat.read(str(executed), as_version=4)
    streams = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type == "stream"]
    assert any(o.name == "stderr" and "STDERR-SECRET-LOG" in o.text for o in streams)
    assert any(o.output_type == "display_data" for o in nb.cells[2].outputs)


def test_no_code_no_prompts_no_stderr(page: str) -> None:
    assert "STDERR-SECRET-LOG" not in page
    for code in ("import sys", "render_fragment", "display(HTML", "1 + 41", "print("):
        assert code not in page
    assert "In&nbsp;[" not in page and "Out[" not in page and "jp-InputPrompt" not in page
    assert "cm-editor" not in page and "jp-CodeMirrorEditor" not in page
    assert 'class="highlight' not in page


def test_nothing_from_a_network_and_no_script(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page.lower() and "@import" not in page
    for cdn in ("require.js", "mathjax", "MathJax", "cdnjs", "unpkg", "jsdelivr", "mermaid"):
        assert cdn not in page


def test_the_report_and_our_css_are_there(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "一、工作开展情况及成效" in page and "小结说明" in page and "stdout-is-kept" in page
    assert "&lt;script&gt;武汉市&lt;/script&gt;" in page
    assert ".ck-report {" in page and "size: A4" in page
    assert 'font-family: "FangSong_GB2312", "仿宋_GB2312"' in page  # the CSS is not escaped
    assert "<title>year_end</title>" in page
    assert "42" in page  # an execute_result, without its Out[] prompt


def test_export_from_a_node_with_a_title(executed: Path) -> None:
    nb = nbformat.read(str(executed), as_version=4)
    page = export_notebook_html(nb, title="年度总结")
    assert "<title>年度总结</title>" in page and "STDERR-SECRET-LOG" not in page
    assert any(o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))


def test_error_outputs_are_refused_or_left_out(executed: Path) -> None:
    nb = nbformat.read(str(executed), as_version=4)
    nb.cells[3].outputs = [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["Traceback (most recent call last):", "ZeroDivisionError: division by zero"])]
    with pytest.raises(NotebookOutputError, match="cell 3: ZeroDivisionError"):
        export_notebook_html(nb)
    page = export_notebook_html(nb, allow_errors=True)
    assert "Traceback" not in page and "ZeroDivisionError" not in page


def test_the_template_is_found_beside_the_package() -> None:
    here = template_dir()
    assert (here / "campaignkit" / "conf.json").is_file()
    assert (here / "campaignkit" / "index.html.j2").is_file()
    assert here == Path(__file__).resolve().parents[2] / "report_templates"


def test_the_template_directory_can_be_given(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(template_dir() / "campaignkit", tmp_path / "campaignkit")
    monkeypatch.setenv("CAMPAIGNKIT_TEMPLATES", str(tmp_path))
    assert template_dir() == tmp_path
