"""The report page in a real browser: headless Chromium opens the HTML report and shows it.

The page is the one ``campaignkit report`` writes (papermill, then the nbconvert export) for
Hubei's province year-end summary on the demo store. Chromium dumps the DOM it built (the
Chinese text, the charts as ``data:`` images that decoded, a source link whose anchor exists)
and takes a screenshot, saved as a CI artefact: in ``$CAMPAIGNKIT_ARTIFACTS`` when set, else in
``test-artifacts/`` at the top of the repository. Each Chromium runs with a fresh profile in a
process group of its own, which is ended when it is done or late: nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from campaignkit.report.pdf import find_chromium

from .test_notebooks import made
from .test_yearend import ROOT

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--virtual-time-budget=10000")
TIMEOUT = 120.0
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.querySelectorAll("img"));
  document.body.dataset.images = imgs.length;
  document.body.dataset.decoded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.pngs = imgs.filter(i => i.src.startsWith("data:image/png")).length;
});
</script>"""


def artifacts() -> Path:
    """Where CI collects what tests leave for people to look at."""
    given = os.environ.get("CAMPAIGNKIT_ARTIFACTS")
    out = Path(given) if given else ROOT / "test-artifacts"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _processes(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


@contextlib.contextmanager
def _profile() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ck-browser-test-") as tmp:
        yield Path(tmp)


def chromium(*args: str) -> tuple[str, Path]:
    """Run headless Chromium with a fresh profile; return its stdout and the profile's name."""
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required on CI")
        pytest.skip("Chromium is not installed")
    with _profile() as profile:
        argv = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"Chromium did not finish within {TIMEOUT:g} s: {' '.join(args)}")
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group we started, and only it
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        return out, profile


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of Hubei's province year-end, with a probe that counts decoded images."""
    report = made("year-end", "hubei", "HB")["html"]
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html  # the report itself runs nothing; the probe is the test's
    probe = tmp_path_factory.mktemp("browser") / "report.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return probe


@pytest.fixture(scope="module")
def dom(page: Path) -> str:
    out, profile = chromium("--dump-dom", page.as_uri())
    time.sleep(0.2)
    assert _processes(str(profile)) == []  # no Chromium left behind
    return out


def test_the_browser_shows_the_chinese_text(dom: str) -> None:
    assert '<html lang="zh-CN">' in dom
    for text in ("湖北省“人社惠民政策进万家”活动", "2024年度工作总结", "一、工作开展情况及成效",
                 "二、存在的问题和不足", "数据来源"):
        assert text in dom, text
    assert "\ufffd" not in dom  # no character lost on the way


def test_the_charts_are_images_that_loaded(dom: str) -> None:
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    attrs = dict(re.findall(r'data-([a-z-]+)="(\d+)"', body.group(0)))
    assert int(attrs["images"]) >= 3
    assert attrs["decoded"] == attrs["images"] == attrs["pngs"]  # every one a PNG that decoded
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', dom)) == int(attrs["images"])


def test_a_source_link_leads_to_its_source(dom: str) -> None:
    links = re.findall(r'<a [^>]*class="src"[^>]*>', dom)
    assert len(links) > 100
    anchors = set(re.findall(r'\bid="([^"]+)"', dom))
    for link in links:
        target = re.search(r'href="#([^"]+)"', link)
        assert target is not None and target.group(1) in anchors, link
    first = re.search(r'<li id="(src-v[^"]+)">([^<]+)</li>', dom)
    assert first is not None and " › " in first.group(2)  # unit › file › sheet › cell


def test_the_screenshot_shows_the_report_and_is_kept(page: Path) -> None:
    with _profile() as tmp:
        shot = tmp / "shot.png"
        _out, profile = chromium(f"--screenshot={shot}", "--window-size=1280,4000",
                                 page.as_uri())
        assert shot.is_file(), "Chromium wrote no screenshot"
        kept = artifacts() / "report-year-end-HB.png"
        shutil.copyfile(shot, kept)
    time.sleep(0.2)
    assert _processes(str(profile)) == []
    with Image.open(kept) as im:
        assert im.size == (1280, 4000)
        grey = im.convert("L")
        dark = sum(grey.histogram()[:200])  # pixels clearly darker than the white page
        rows = {y for y in range(0, 4000, 20)
                if min(grey.crop((0, y, 1280, y + 1)).tobytes()) < 128}
    assert dark > 1280 * 4000 * 0.01  # text and tables, not a blank page
    assert len(rows) > 4000 / 20 * 0.5  # ink all down the page, not one line at the top
