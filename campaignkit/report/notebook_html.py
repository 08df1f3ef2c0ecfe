"""Export an executed report notebook as a clean standalone HTML page.

Uses nbconvert's ``HTMLExporter`` with the ``campaignkit`` template (``report_templates/`` at the
top of the repository): no code, no prompts, no stderr streams, no tracebacks, no script or CDN
URL, and the report's own CSS. A notebook with error outputs is refused unless
``allow_errors=True`` (then the errors are left out of the page).

The template directory is looked up in order: ``$CAMPAIGNKIT_TEMPLATES``; ``report_templates``
beside the ``campaignkit`` package (a source checkout or an editable install);
``<sys.prefix>/share/campaignkit/report_templates`` (where a packager may install it).
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any, Final

import nbformat
from nbconvert import HTMLExporter
from nbformat import NotebookNode

from ..errors import CampaignkitError
from .html import PRINT_CSS, REPORT_CSS

__all__ = ["TEMPLATE_NAME", "NotebookOutputError", "clean_notebook", "export_notebook_html",
           "template_dir"]

TEMPLATE_NAME: Final = "campaignkit"
_HERE: Final = Path(__file__).resolve().parent


class NotebookOutputError(CampaignkitError, ValueError):
    """A notebook to export holds an error output (carries the cell index and the error)."""

    def __init__(self, cell: int, ename: str, evalue: str) -> None:
        self.cell, self.ename, self.evalue = cell, ename, evalue
        super().__init__(f"cell {cell}: {ename}: {evalue} (the notebook failed; "
                         "fix it or pass allow_errors=True to leave errors out of the page)")


def _candidates() -> list[Path]:
    found = [Path(p) for p in [os.environ.get("CAMPAIGNKIT_TEMPLATES")] if p]
    found.append(_HERE.parent.parent / "report_templates")
    found.append(Path(sys.prefix) / "share" / "campaignkit" / "report_templates")
    return found


def template_dir() -> Path:
    """Find the folder that holds the ``campaignkit`` nbconvert template.

    >>> (template_dir() / "campaignkit" / "conf.json").is_file()
    True
    """
    places = _candidates()
    for place in places:
        if (place / TEMPLATE_NAME / "conf.json").is_file():
            return place
    raise CampaignkitError("the campaignkit nbconvert template was not found in: "
                           + ", ".join(str(p) for p in places))


def clean_notebook(nb: NotebookNode, *, allow_errors: bool = False) -> NotebookNode:
    """Return a copy without stderr streams or error outputs (errors refused by default)."""
    out = copy.deepcopy(nb)
    for index, cell in enumerate(out.cells):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                if not allow_errors:
                    raise NotebookOutputError(index, output.get("ename", ""),
                                              output.get("evalue", ""))
                continue
            if kind == "stream" and output.get("name") == "stderr":
                continue
            kept.append(output)
        cell["outputs"] = kept
    return out


def _exporter() -> HTMLExporter:
    return HTMLExporter(  # type: ignore[no-untyped-call]
        template_name=TEMPLATE_NAME, extra_template_basedirs=[str(template_dir())],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        require_js_url="", mathjax_url="", mermaid_js_url="", jupyter_widgets_base_url="",
        widget_renderer_url="")


def export_notebook_html(nb: str | Path | NotebookNode, *, title: str | None = None,
                         allow_errors: bool = False) -> str:
    """Export an executed notebook (a path or a node) as one standalone HTML page."""
    if isinstance(nb, NotebookNode):
        node, name = nb, "报告"
    else:
        node = nbformat.read(str(nb), as_version=4)  # type: ignore[no-untyped-call]
        name = Path(nb).stem
    clean = clean_notebook(node, allow_errors=allow_errors)
    resources: dict[str, Any] = {"campaignkit_css": REPORT_CSS + PRINT_CSS,
                                 "metadata": {"name": title or name}}
    if title:
        clean.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(clean, resources=resources)
    return str(body)
