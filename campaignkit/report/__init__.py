"""Render reports: a pure document model, official number formats, charts, and one renderer per
format (HTML page, Word file in the GB/T 9704 layout, Excel annex, PDF, notebook HTML).

>>> from campaignkit.report import Source, fig, para, render_html, report, section
>>> r = report("湖北省人社惠民政策进万家活动年度工作总结", date="2024-12-20",
...            sections=[section("工作开展情况及成效", para("共开展", fig("1,234", "s1"), "场"))],
...            sources=[Source("s1", "420100", "武汉市", "wuhan.xlsx", "统计表", "C7")])
>>> "一、工作开展情况及成效" in render_html(r)
True
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time each module loads on first use
    from .briefing import build_briefing
    from .charts import bar_children, bars_by_month, chart_style, coverage_bars, plan_vs_actual
    from .docx import build_document, docx_bytes, write_docx
    from .html import render_fragment, render_html, sources_json, write_html
    from .model import (
        Annex,
        Cell,
        Chart,
        Figure,
        Paragraph,
        Report,
        Section,
        Source,
        Table,
        Text,
        add_section,
        add_sources,
        cell,
        count_cell,
        fig,
        figures,
        grid,
        numbered,
        para,
        plain_text,
        rate_cell,
        report,
        section,
        table,
        with_annex,
    )
    from .notebook_html import NotebookOutputError, export_notebook_html, template_dir
    from .notes import NotesFile, read_notes
    from .numbers import (
        MISSING,
        annex_label,
        cn_number,
        fmt_count,
        fmt_date,
        fmt_number,
        fmt_points,
        fmt_points_diff,
        fmt_rank,
        fmt_rate,
        heading_label,
    )
    from .pdf import PdfError, find_chromium, find_soffice, to_pdf
    from .run import Job, ReportParameterError, ReportRunError, open_report, publish, run_report
    from .snapshot import ParameterError, Snapshot, open_snapshot
    from .xlsx import annex_xlsx_bytes, sheet_title, write_annex_xlsx
    from .yearend import build_year_end

_MODULES: dict[str, tuple[str, ...]] = {
    "charts": ("bar_children", "bars_by_month", "chart_style", "coverage_bars", "plan_vs_actual"),
    "docx": ("build_document", "docx_bytes", "write_docx"),
    "html": ("render_fragment", "render_html", "sources_json", "write_html"),
    "model": (
        "Annex", "Cell", "Chart", "Figure", "Paragraph", "Report", "Section", "Source", "Table",
        "Text", "add_section", "add_sources", "cell", "count_cell", "fig", "figures", "grid",
        "numbered", "para", "plain_text", "rate_cell", "report", "section", "table", "with_annex",
    ),
    "notebook_html": ("NotebookOutputError", "export_notebook_html", "template_dir"),
    "numbers": (
        "MISSING", "annex_label", "cn_number", "fmt_count", "fmt_date", "fmt_number", "fmt_points",
        "fmt_points_diff", "fmt_rank", "fmt_rate", "heading_label",
    ),
    "pdf": ("PdfError", "find_chromium", "find_soffice", "to_pdf"),
    "xlsx": ("annex_xlsx_bytes", "sheet_title", "write_annex_xlsx"),
    "snapshot": ("ParameterError", "Snapshot", "open_snapshot"),
    "yearend": ("build_year_end",),
    "briefing": ("build_briefing",),
    "notes": ("NotesFile", "read_notes"),
    "run": ("Job", "ReportParameterError", "ReportRunError", "open_report", "publish",
            "run_report"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (matplotlib, nbconvert load lazily)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names."""
    return sorted(__all__)


__all__ = [
    "MISSING",
    "Annex",
    "Cell",
    "Chart",
    "Figure",
    "Job",
    "NotebookOutputError",
    "NotesFile",
    "Paragraph",
    "ParameterError",
    "PdfError",
    "Report",
    "ReportParameterError",
    "ReportRunError",
    "Section",
    "Snapshot",
    "Source",
    "Table",
    "Text",
    "add_section",
    "add_sources",
    "annex_label",
    "annex_xlsx_bytes",
    "bar_children",
    "bars_by_month",
    "build_briefing",
    "build_document",
    "build_year_end",
    "cell",
    "chart_style",
    "cn_number",
    "count_cell",
    "coverage_bars",
    "docx_bytes",
    "export_notebook_html",
    "fig",
    "figures",
    "find_chromium",
    "find_soffice",
    "fmt_count",
    "fmt_date",
    "fmt_number",
    "fmt_points",
    "fmt_points_diff",
    "fmt_rank",
    "fmt_rate",
    "grid",
    "heading_label",
    "numbered",
    "open_report",
    "open_snapshot",
    "para",
    "plain_text",
    "plan_vs_actual",
    "publish",
    "rate_cell",
    "read_notes",
    "render_fragment",
    "render_html",
    "report",
    "run_report",
    "section",
    "sheet_title",
    "sources_json",
    "table",
    "template_dir",
    "to_pdf",
    "with_annex",
    "write_annex_xlsx",
    "write_docx",
    "write_html",
]
