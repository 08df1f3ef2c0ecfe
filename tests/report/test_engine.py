"""The warm-kernel papermill engine: nothing leaks from one notebook to the next, and no
kernel outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from campaignkit.report import engine

LEAKY = """\
import os, sys, warnings
import matplotlib
import matplotlib.pyplot as plt
seen = {
    "variable": "leak" in dir(),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "figures": len(plt.get_fignums()),
    "cwd": os.getcwd(),
    "env": os.environ.get("CK_LEAK"),
    "path": "/ck-leak" in sys.path,
    "filters": any(str(f[2]) == "<class 'UserWarning'>" and f[0] == "error"
                   for f in warnings.filters),
    "pid": os.getpid(),
}
print(seen)
leak = 1
matplotlib.rcParams["lines.linewidth"] = 9
plt.figure()
os.environ["CK_LEAK"] = "1"
sys.path.append("/ck-leak")
warnings.simplefilter("error", UserWarning)
os.chdir("/")
"""


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, str(path))
    return path


def _seen(out: Path) -> dict[str, object]:
    nb = nbformat.read(str(out), as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    value = eval(text.strip(), {})  # our own notebook's printed dict
    assert isinstance(value, dict)
    return value


@pytest.fixture()
def clean_kernels():  # type: ignore[no-untyped-def]
    engine.shutdown_kernels()
    yield
    engine.shutdown_kernels()


def test_nothing_leaks_between_runs_of_a_warm_kernel(tmp_path: Path, clean_kernels: None) -> None:
    nb = _notebook(tmp_path / "leaky.ipynb", LEAKY)
    runs = []
    for i in range(3):
        out = tmp_path / f"out{i}.ipynb"
        papermill.execute_notebook(str(nb), str(out), engine_name=engine.ENGINE_NAME,
                                   kernel_name="python3", progress_bar=False,
                                   cwd=str(tmp_path))
        runs.append(_seen(out))
    first = runs[0]
    assert first["variable"] is False and first["figures"] == 0 and first["env"] is None
    for later in runs[1:]:
        assert later["pid"] == first["pid"]  # the same kernel: it was reused
        for key in ("variable", "linewidth", "figures", "cwd", "env", "path", "filters"):
            assert later[key] == first[key], key
    assert first["cwd"] == str(tmp_path)


def test_a_failing_notebook_leaves_nothing_behind(tmp_path: Path, clean_kernels: None) -> None:
    failing = _notebook(tmp_path / "fail.ipynb", LEAKY + "\nraise RuntimeError('boom')\n")
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(str(failing), str(tmp_path / "f.ipynb"),
                                   engine_name=engine.ENGINE_NAME, kernel_name="python3",
                                   progress_bar=False, cwd=str(tmp_path))
    nb = _notebook(tmp_path / "ok.ipynb", LEAKY)
    papermill.execute_notebook(str(nb), str(tmp_path / "o.ipynb"),
                               engine_name=engine.ENGINE_NAME, kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path))
    seen = _seen(tmp_path / "o.ipynb")
    assert seen["variable"] is False and seen["figures"] == 0 and seen["env"] is None


def test_a_dead_kernel_is_replaced(tmp_path: Path, clean_kernels: None) -> None:
    nb = _notebook(tmp_path / "n.ipynb", LEAKY)
    papermill.execute_notebook(str(nb), str(tmp_path / "a.ipynb"),
                               engine_name=engine.ENGINE_NAME, kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path))
    pid = _seen(tmp_path / "a.ipynb")["pid"]
    assert isinstance(pid, int)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    papermill.execute_notebook(str(nb), str(tmp_path / "b.ipynb"),
                               engine_name=engine.ENGINE_NAME, kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path))
    assert _seen(tmp_path / "b.ipynb")["pid"] != pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def test_no_kernel_survives_its_process(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "n.ipynb", "import os\nprint({'pid': os.getpid()})")
    script = textwrap.dedent(f"""
        import papermill
        import campaignkit.report.engine as engine
        papermill.execute_notebook({str(nb)!r}, {str(tmp_path / "o.ipynb")!r},
                                   engine_name="campaignkit", kernel_name="python3",
                                   progress_bar=False)
        print(list(engine.warm_kernels().values())[0])
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    pid = int(run.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_the_engine_is_registered_for_plain_papermill() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="papermill.engine")}
    assert names.get("campaignkit") == "campaignkit.report.papermill_entry:WarmEngine"
