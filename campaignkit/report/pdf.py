"""Turn a report's HTML page or Word file into PDF with programs already on the machine.

An HTML page is printed by a headless Chromium/Chrome (its print CSS sets A4, margins and page
numbers); a .docx is converted by LibreOffice (``soffice --headless --convert-to pdf``), which
also takes an HTML page when no Chromium is found. Nothing is downloaded. Each run uses a fresh
temporary profile, stops after ``timeout`` seconds, and leaves no process behind: the program
runs in its own process group, which is ended when the run is over.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

from ..errors import CampaignkitError

__all__ = ["CHROMIUM_NAMES", "SOFFICE_NAMES", "PdfError", "find_chromium", "find_soffice",
           "to_pdf"]

CHROMIUM_NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                         "chrome")
SOFFICE_NAMES: Final = ("soffice", "libreoffice")
_CHROMIUM_FLAGS: Final = ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                          "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--no-first-run", "--disable-extensions",
                          "--disable-dev-shm-usage", "--disable-quic")
Engine = Literal["auto", "chromium", "soffice"]


class PdfError(CampaignkitError, RuntimeError):
    """A PDF could not be made: no converter found, or the converter failed or timed out."""


def _find(names: Sequence[str], env: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium() -> str | None:
    """Find a Chromium or Chrome binary ($CAMPAIGNKIT_CHROMIUM first, then the PATH)."""
    return _find(CHROMIUM_NAMES, "CAMPAIGNKIT_CHROMIUM")


def find_soffice() -> str | None:
    """Find LibreOffice's ``soffice`` ($CAMPAIGNKIT_SOFFICE first, then the PATH)."""
    return _find(SOFFICE_NAMES, "CAMPAIGNKIT_SOFFICE")


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a converter in its own process group; end the whole group when done or late."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=os.name == "posix")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        proc.communicate()
        raise PdfError(f"{Path(argv[0]).name} did not finish within {timeout:g} s") from None
    finally:
        _end_group(proc)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _end_group(proc: subprocess.Popen[str]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group we started, and only it
    elif proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _chromium(binary: str, src: Path, out: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="campaignkit-chromium-") as profile:
        argv = [binary, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                f"--print-to-pdf={out}", src.resolve().as_uri()]
        done = _run(argv, timeout)
    if not out.is_file() or out.stat().st_size == 0:
        raise PdfError(f"{Path(binary).name} wrote no PDF for {src} (exit {done.returncode}): "
                       f"{done.stderr.strip()[-500:]}")


def _soffice(binary: str, src: Path, out: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="campaignkit-soffice-") as tmp:
        profile = Path(tmp) / "profile"
        outdir = Path(tmp) / "out"
        argv = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--nolockcheck", "--nodefault", "--convert-to", "pdf", "--outdir", str(outdir),
                str(src.resolve())]
        done = _run(argv, timeout)
        made = outdir / (src.stem + ".pdf")
        if not made.is_file() or made.stat().st_size == 0:
            raise PdfError(f"{Path(binary).name} wrote no PDF for {src} (exit {done.returncode}): "
                           f"{(done.stderr or done.stdout).strip()[-500:]}")
        shutil.move(str(made), out)


def to_pdf(src: str | Path, out: str | Path | None = None, *, engine: Engine = "auto",
           timeout: float = 120.0) -> Path:
    """Convert a report's .html (Chromium, else LibreOffice) or .docx (LibreOffice) to PDF.

    ``out`` defaults to ``src`` with the suffix ``.pdf``. Raises :class:`PdfError` naming the
    programs looked for when none is installed.
    """
    source = Path(src)
    target = Path(out) if out is not None else source.with_suffix(".pdf")
    if not source.is_file():
        raise PdfError(f"{source}: no such file")
    kind = source.suffix.lower()
    if kind not in (".html", ".htm", ".docx"):
        raise PdfError(f"{source}: expected a .html or .docx file, got {kind or 'no suffix'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    chromium = find_chromium() if kind != ".docx" and engine in ("auto", "chromium") else None
    if chromium:
        _chromium(chromium, source, target, timeout)
        return target
    soffice = find_soffice() if engine in ("auto", "soffice") else None
    if soffice:
        _soffice(soffice, source, target, timeout)
        return target
    wanted = (", ".join(CHROMIUM_NAMES + SOFFICE_NAMES) if kind != ".docx"
              else ", ".join(SOFFICE_NAMES))
    raise PdfError(f"cannot make a PDF of {source.name}: none of {wanted} was found on the PATH; "
                   "install Chromium (apt-get install chromium) or LibreOffice "
                   "(apt-get install libreoffice-writer), or set CAMPAIGNKIT_CHROMIUM / "
                   "CAMPAIGNKIT_SOFFICE to the program's path")
