"""PDF through programs on the machine: Chromium for HTML, LibreOffice for Word; no leftovers."""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from pathlib import Path

import pytest

from campaignkit.report import PdfError, Report, find_chromium, find_soffice, to_pdf, write_html


def _needs(found: str | None, what: str) -> None:
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is required on CI")
        pytest.skip(f"{what} is not installed")


def _processes(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmd:
                found.append(cmd)
    return found


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_chromium_prints_the_html_page(example: Report, tmp_path: Path) -> None:
    _needs(find_chromium(), "Chromium")
    page = write_html(example, tmp_path / "report.html")
    pdf = to_pdf(page)
    assert pdf == tmp_path / "report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and _pages(data) >= 3  # annexes begin new pages
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]", data)  # A4
    time.sleep(0.2)
    assert _processes("campaignkit-chromium-") == []


def test_an_html_page_falls_back_to_libreoffice(example: Report, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _needs(find_soffice(), "LibreOffice")
    monkeypatch.setattr("campaignkit.report.pdf.find_chromium", lambda: None)
    page = write_html(example, tmp_path / "report.html")
    data = to_pdf(page, tmp_path / "out" / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert _processes("campaignkit-soffice-") == []


def test_no_converter_is_a_clear_error(example: Report, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CAMPAIGNKIT_CHROMIUM", raising=False)
    monkeypatch.delenv("CAMPAIGNKIT_SOFFICE", raising=False)
    page = write_html(example, tmp_path / "report.html")
    with pytest.raises(PdfError) as err:
        to_pdf(page)
    message = str(err.value)
    for name in ("chromium", "google-chrome", "soffice", "libreoffice", "apt-get install"):
        assert name in message
    docx = tmp_path / "r.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(PdfError, match="none of soffice, libreoffice was found"):
        to_pdf(docx)
    assert not (tmp_path / "report.pdf").exists()


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="no such file"):
        to_pdf(tmp_path / "missing.html")
    other = tmp_path / "x.txt"
    other.write_text("x")
    with pytest.raises(PdfError, match=r"expected a \.html or \.docx file"):
        to_pdf(other)


def test_a_hanging_converter_is_stopped_with_its_children(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    marker = f"ck-hang-{os.getpid()}-{time.time_ns()}"
    fake = tmp_path / "chromium"
    nap = f'"{sys.executable}" -c "import time; time.sleep(30)" {marker}'
    fake.write_text(f"#!/bin/sh\n{nap} &\n{nap}\n")  # a child in the background, one waited for
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("CAMPAIGNKIT_CHROMIUM", str(fake))
    page = tmp_path / "p.html"
    page.write_text("<!DOCTYPE html><p>x</p>", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(PdfError, match="did not finish within 1 s"):
        to_pdf(page, timeout=1)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert _processes(marker) == []


def test_a_converter_that_writes_nothing_is_an_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot print' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("CAMPAIGNKIT_CHROMIUM", str(fake))
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfError, match=r"wrote no PDF .*exit 3.*cannot print"):
        to_pdf(page)
