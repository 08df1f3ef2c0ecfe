"""Run a report notebook and write the report's files: the notebook-facing calls and the runner.

A report is made by a notebook in ``notebooks/`` (``year_end_summary.ipynb``,
``inspection_briefing.ipynb``). Its cells only call this module:

1. :func:`open_report` checks every parameter once and opens the snapshot, so an unknown unit, a
   wrongly typed parameter or a date outside the campaign fails in that first cell with one
   sentence (:class:`ReportParameterError`; in a notebook its traceback is that one line);
2. :meth:`Job.build` builds the :class:`~.model.Report` (:func:`.yearend.build_year_end` or
   :func:`.briefing.build_briefing`);
3. :func:`show` displays it (:func:`.html.render_fragment`, the same article as the page);
4. :func:`publish` writes ``<unit>_<kind>.html`` (standalone page, :func:`.html.render_html`),
   ``<unit>_<kind>.sources.json`` (every figure and its sources), ``<unit>_<kind>.docx`` (GB/T
   9704 layout), ``<unit>_<kind>.xlsx`` (the annex tables; the briefing's tables when it has no
   annex) and, when asked, ``<unit>_<kind>.pdf``. Every file is written to a temporary file in
   the same folder and moved into place (``os.replace``): a reader never sees half a file.

:func:`run_report` (behind ``campaignkit report``) executes the notebook in-process with papermill
and then exports the executed notebook through nbconvert with the ``report_templates/campaignkit``
template (:func:`.notebook_html.export_notebook_html`: no code, prompts, stderr or tracebacks;
markdown cells, which are for the analyst in Jupyter, are left out). **That export is the HTML
report**: it replaces the page the notebook wrote, and ``<unit>_<kind>.ipynb`` (the executed
notebook) is kept beside it. Run with the plain ``papermill`` command instead, the notebook's
own page (render_html) is the report; both pages hold the same article — the same sentences,
tables, figures and source links as the .docx — because both render the one ``Report``.

Relative paths (``campaign``, ``db``, ``out_dir``, ``notes``) are read against one folder: the
current directory, or, when the campaign spec is not found there, the nearest folder above it
where it is (so a notebook run from ``notebooks/`` in JupyterLab finds
``data_samples/…`` at the repository root).

A ``notes`` file that does not exist is not an error and nothing is created: the sections it
would fill are left out (:func:`.notes.notes_template` gives a file to start from).

>>> sorted(KINDS)
['briefing', 'year-end']
>>> [p.name for p in output_paths("out", "HB01_year-end", ("html", "docx"))]
['HB01_year-end.html', 'HB01_year-end.sources.json', 'HB01_year-end.docx']
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Final, Literal

from ..errors import CampaignkitError, SpecError
from ..spec import Campaign, load_campaign
from .html import render_fragment, render_html, sources_json
from .model import Annex, Report, Table, numbered
from .notes import NotesError, NotesFile, read_notes
from .pdf import find_chromium, find_soffice, to_pdf
from .snapshot import ParameterError, Snapshot, open_snapshot

# The builders (matplotlib) and the Word and Excel writers load where they are used: the
# process that runs ``campaignkit report`` only checks parameters and exports the notebook.

__all__ = ["DEFAULT_FORMATS", "FORMATS", "KINDS", "Job", "Kind", "ReportParameterError",
           "ReportRunError", "notebook_path", "open_report", "output_paths", "publish",
           "run_report", "show"]

Kind = Literal["year-end", "briefing"]
KINDS: Final[dict[str, str]] = {"year-end": "year_end_summary.ipynb",
                                "briefing": "inspection_briefing.ipynb"}
"""Each kind of report and the notebook that makes it."""
FORMATS: Final = ("html", "docx", "xlsx", "pdf")
DEFAULT_FORMATS: Final = ("html", "docx", "xlsx")
_HERE: Final = Path(__file__).resolve().parent


class ReportParameterError(ParameterError):
    """A report parameter that cannot be used; in a notebook it shows as its one sentence."""

    def _render_traceback_(self) -> list[str]:
        """Show only the sentence in a notebook (IPython calls this instead of a traceback)."""
        return [f"ParameterError: {self}"]


class ReportRunError(CampaignkitError, RuntimeError):
    """A report notebook failed (carries the cell, the exception name and its message)."""

    def __init__(self, notebook: str, cell: int | None, ename: str, evalue: str) -> None:
        self.notebook, self.cell, self.ename, self.evalue = notebook, cell, ename, evalue
        where = f"cell {cell}" if cell is not None else "a cell"
        super().__init__(f"{notebook}: {where} failed: {ename}: {evalue}")


# ---------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------
def _path(value: Any, what: str, example: str) -> Path:
    if isinstance(value, Path):
        return value
    if isinstance(value, str) and value.strip():
        return Path(value.strip()).expanduser()
    raise ReportParameterError(f"{what} must be a path such as {example!r}, not {value!r}")


def _base(campaign: Path) -> Path:
    """The folder relative paths are read against (see the module docstring)."""
    here = Path.cwd()
    if campaign.is_absolute() or (here / campaign).exists():
        return here
    for folder in here.parents:
        if (folder / campaign).exists():
            return folder
    return here


def _formats(value: Any) -> tuple[str, ...]:
    items: list[Any]
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ReportParameterError(f"formats must be a list such as 'html,docx,xlsx', "
                                   f"not {value!r}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or item.strip().lower() not in FORMATS:
            raise ReportParameterError(f"format {item!r} is not one of {', '.join(FORMATS)}")
        name = item.strip().lower()
        if name not in out:
            out.append(name)
    if not out:
        raise ReportParameterError(f"formats is empty; give some of {', '.join(FORMATS)}")
    if "pdf" in out and not (find_chromium() or find_soffice()):
        raise ReportParameterError("a PDF was asked for but neither Chromium nor LibreOffice "
                                   "is installed; install one (apt-get install chromium) or "
                                   "leave pdf out of the formats")
    return tuple(out)


def _kind(value: Any) -> Kind:
    if value == "year-end":
        return "year-end"
    if value == "briefing":
        return "briefing"
    raise ReportParameterError(f"kind must be 'year-end' or 'briefing', not {value!r}")


@dataclass(frozen=True)
class Job:
    """A report to make: the checked parameters and the opened snapshot."""

    kind: Kind
    snapshot: Snapshot
    out_dir: Path
    formats: tuple[str, ...]
    notes: NotesFile | None = None
    notes_path: Path | None = None

    @property
    def stem(self) -> str:
        """The file name of the outputs without suffix: ``<unit code>_<kind>``."""
        return f"{self.snapshot.unit}_{self.kind}"

    def build(self) -> Report:
        """Build the report of this job."""
        if self.kind == "year-end":
            from .yearend import build_year_end

            return build_year_end(self.snapshot, self.notes)
        from .briefing import build_briefing

        return build_briefing(self.snapshot, notes=self.notes)

    def publish(self, report: Report) -> list[Path]:
        """Write the report's files for this job (see :func:`publish`)."""
        return publish(report, self.out_dir, self.formats, stem=self.stem)


def open_report(kind: Any, campaign: Any, db: Any = "campaignkit.db", *, unit: Any = None,
                as_of: Any = None, out_dir: Any = "reports", notes: Any = None,
                formats: Any = DEFAULT_FORMATS) -> Job:
    """Check a report's parameters and open its snapshot (the first cell of a notebook).

    Every problem raises :class:`ReportParameterError` with one sentence.

    >>> try:
    ...     open_report("year-end", "data_samples/hubei_huimin_2024/campaign.yaml", "nope.db")
    ... except ReportParameterError as exc:
    ...     print(str(exc)[:24])
    there is no store at nop
    """
    k = _kind(kind)
    spec = _path(campaign, "campaign", "data_samples/hubei_huimin_2024/campaign.yaml")
    base = _base(spec)
    spec = spec if spec.is_absolute() else base / spec
    store = _path(db, "db", "campaignkit.db")
    out = _path(out_dir, "out_dir", "reports")
    if notes is not None and notes != "":
        note_path: Path | None = _path(notes, "notes", "notes/HB01.md")
    else:
        note_path = None
    fmts = _formats(formats)
    if not spec.exists():
        raise ReportParameterError(f"there is no campaign spec at {_shown(spec, base)}")
    try:
        c: Campaign = load_campaign(spec)
    except SpecError as exc:
        first = exc.issues[0] if exc.issues else "unreadable"
        raise ReportParameterError(f"campaign {_shown(spec, base)} is not a valid spec "
                                   f"({first}; campaignkit validate lists every problem)"
                                   ) from None
    store_path = store if store.is_absolute() else base / store
    try:
        snap = open_snapshot(c, store_path, as_of=as_of, unit=unit)
    except ParameterError as exc:
        text = str(exc).replace(str(store_path), str(store))
        raise ReportParameterError(text) from None
    note_file = None
    if note_path is not None:
        note_path = note_path if note_path.is_absolute() else base / note_path
        try:
            note_file = read_notes(note_path)
        except NotesError as exc:
            raise ReportParameterError(str(exc)) from None
    return Job(k, snap, out if out.is_absolute() else base / out, fmts, note_file, note_path)


def _shown(path: Path, base: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(base))
    return str(path)


# ---------------------------------------------------------------------------------------
# Showing and writing
# ---------------------------------------------------------------------------------------
def show(report: Report) -> None:
    """Display the report in a notebook (its HTML article, scoped CSS, no script)."""
    from IPython.display import HTML, display

    display(HTML(render_fragment(report)))  # type: ignore[no-untyped-call]


def output_paths(out_dir: str | Path, stem: str, formats: Sequence[str]) -> list[Path]:
    """The files :func:`publish` writes for these formats, in order."""
    out = Path(out_dir)
    paths: list[Path] = []
    for f in formats:
        if f == "html":
            paths += [out / f"{stem}.html", out / f"{stem}.sources.json"]
        else:
            paths.append(out / f"{stem}.{f}")
    return paths


def _atomic(path: Path, data: bytes) -> Path:
    """Write bytes to ``path`` through a temporary file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as fh:  # permissions as any new file (umask), unlike mkstemp
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def _tables(report: Report) -> list[Table | Annex]:
    """The annexes, else every table of the body (a briefing's ranking tables)."""
    if report.annexes:
        return list(report.annexes)
    return [b for _label, _lvl, s in numbered(report.sections) for b in s.blocks
            if isinstance(b, Table)]


def publish(report: Report, out_dir: str | Path, formats: Sequence[str] | str = DEFAULT_FORMATS,
            *, stem: str = "report") -> list[Path]:
    """Write the report in the given formats to ``out_dir`` as ``<stem>.<format>``.

    ``html`` writes the standalone page and ``<stem>.sources.json``; ``xlsx`` the annex tables
    (or the body's tables when there is no annex); ``pdf`` prints the page with Chromium (else
    LibreOffice) and fails first, with one sentence, when neither is installed. Each file is
    written atomically. Returns the paths written, in :func:`output_paths` order.
    """
    from .docx import docx_bytes
    from .xlsx import annex_xlsx_bytes

    fmts = _formats(formats)
    out = Path(out_dir)
    written: list[Path] = []
    page = render_html(report)
    for f in fmts:
        if f == "html":
            written.append(_atomic(out / f"{stem}.html", page.encode("utf-8")))
            doc = json.dumps(sources_json(report), ensure_ascii=False, indent=2) + "\n"
            written.append(_atomic(out / f"{stem}.sources.json", doc.encode("utf-8")))
        elif f == "docx":
            written.append(_atomic(out / f"{stem}.docx", docx_bytes(report)))
        elif f == "xlsx":
            written.append(_atomic(out / f"{stem}.xlsx", annex_xlsx_bytes(_tables(report))))
        elif f == "pdf":
            written.append(_pdf(page, out / f"{stem}.pdf"))
    return written


def _pdf(page: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=target.parent) as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(page, encoding="utf-8")
        made = to_pdf(src, Path(tmp) / "report.pdf")
        os.replace(made, target)
    return target


# ---------------------------------------------------------------------------------------
# Running a notebook
# ---------------------------------------------------------------------------------------
def _candidates() -> list[Path]:
    found = [Path(p) for p in [os.environ.get("CAMPAIGNKIT_NOTEBOOKS")] if p]
    found.append(_HERE.parent.parent / "notebooks")
    found.append(Path(sys.prefix) / "share" / "campaignkit" / "notebooks")
    return found


def notebook_path(kind: Kind) -> Path:
    """Find the notebook of a kind of report ($CAMPAIGNKIT_NOTEBOOKS, the repository, share/)."""
    name = KINDS[_kind(kind)]
    for folder in _candidates():
        if (folder / name).is_file():
            return folder / name
    raise CampaignkitError(f"the notebook {name} was not found in: "
                           + ", ".join(str(p) for p in _candidates()))


def _kernel_manager(log: IO[bytes]) -> type[Any]:
    """A kernel manager whose kernel writes its own log (ipykernel's start-up warnings, its
    shutdown message) to ``log`` instead of the user's terminal; cell output is unaffected."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw["stdout"] = log
            kw["stderr"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


@contextlib.contextmanager
def _kernel_log() -> Iterator[IO[bytes]]:
    with tempfile.TemporaryFile(prefix="campaignkit-kernel-") as fh:
        yield fh


def _tail(log: IO[bytes], lines: int = 8) -> str:
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace").strip().splitlines()
    return "\n".join(text[-lines:])


def run_report(kind: Kind, spec: str | Path, *, db: str | Path = "campaignkit.db",
               unit: str | None = None, as_of: str | date | None = None,
               out_dir: str | Path = "reports",
               formats: Sequence[str] | str = DEFAULT_FORMATS,
               notes: str | Path | None = None, kernel_name: str = "python3",
               timeout: float = 600.0, engine_name: str | None = None) -> list[Path]:
    """Make one report: execute its notebook with papermill, then export it through nbconvert.

    Parameters are checked here first (:func:`open_report`; :class:`ReportParameterError`
    with one sentence, before any kernel starts). The notebook writes the files of
    :func:`publish`; then the executed notebook is saved as ``<out_dir>/<unit>_<kind>.ipynb``
    and, when ``html`` is among the formats, exported through nbconvert with the
    ``report_templates/campaignkit`` template to ``<unit>_<kind>.html`` — the HTML report.
    Returns every path written. A failing cell raises :class:`ReportRunError` (cell, error
    name, message) and leaves the executed notebook as ``<unit>_<kind>.failed.ipynb``.
    ``engine_name="campaignkit"`` runs it in this process's warm kernel
    (:mod:`campaignkit.report.engine`, as a batch does); the default starts a fresh kernel.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .notebook_html import export_notebook_html

    job = open_report(kind, spec, db, unit=unit, as_of=as_of, out_dir=out_dir, notes=notes,
                      formats=formats)
    k = job.kind
    source = notebook_path(k)
    spec_path = job.snapshot.campaign.path or Path(spec)
    params: dict[str, Any] = {
        "campaign": str(Path(spec_path).resolve()),
        "db": str(Path(job.snapshot.db or db).resolve()),
        "unit": job.snapshot.unit,
        "as_of": job.snapshot.as_of.isoformat(),
        "out_dir": str(job.out_dir.resolve()),
        "notes": str(job.notes_path.resolve()) if job.notes_path else None,
        "formats": ",".join(job.formats),
    }
    job.out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{job.stem}.", suffix=".ipynb", dir=job.out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with _kernel_log() as log:
            try:
                papermill.execute_notebook(  # saved once at the end (or on failure): the
                    # display cell holds the whole report, ~1 MB, and a save per cell cost ~0.6 s
                    str(source), str(tmp), parameters=params, kernel_name=kernel_name,
                    progress_bar=False, log_output=False, cwd=str(job.out_dir),
                    request_save_on_cell_execute=False, execution_timeout=timeout,
                    engine_name=engine_name, kernel_manager_class=_kernel_manager(log))
            except PapermillExecutionError as exc:
                failed = job.out_dir / f"{job.stem}.failed.ipynb"
                if tmp.exists():
                    os.replace(tmp, failed)
                if exc.ename.endswith("ParameterError"):
                    raise ReportParameterError(exc.evalue) from None
                raise ReportRunError(source.name, exc.cell_index, exc.ename,
                                     exc.evalue) from None
            except RuntimeError as exc:  # the kernel died or did not start
                raise ReportRunError(source.name, None, type(exc).__name__,
                                     f"{exc}; kernel log: {_tail(log)}") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    written = output_paths(job.out_dir, job.stem, job.formats)
    executed = job.out_dir / f"{job.stem}.ipynb"
    os.replace(tmp, executed)
    if "html" in job.formats:
        nb = nbformat.read(str(executed), as_version=4)  # type: ignore[no-untyped-call]
        nb.cells = [c for c in nb.cells if c.get("cell_type") == "code"]
        title = _title(job.out_dir / f"{job.stem}.sources.json")
        page = export_notebook_html(nb, title=title)
        _atomic(job.out_dir / f"{job.stem}.html", page.encode("utf-8"))
    return [*written, executed]


def _title(sources: Path) -> str | None:
    try:
        doc = json.loads(sources.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    title = doc.get("title") if isinstance(doc, dict) else None
    return title if isinstance(title, str) else None
