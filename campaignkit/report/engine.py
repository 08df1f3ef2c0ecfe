"""A papermill engine that keeps one kernel warm across the notebooks of a batch.

Starting a kernel and importing pandas and matplotlib costs about three seconds a notebook;
a year-end batch runs a hundred notebooks. ``WarmEngine`` (papermill engine name
``campaignkit``, registered here and through the ``papermill.engine`` entry point) starts one
kernel per process on first use and reuses it, resetting its state before every notebook:

* the user namespace (``%reset -f``: variables, functions, imported names) — modules stay
  imported, which is the point;
* the working directory, ``os.environ``, ``sys.path`` and the warnings filters, restored to
  what they were when the kernel was warmed (the working directory to the run's ``cwd``);
* matplotlib: every figure closed and ``rcParams`` restored to the warm kernel's.

The reset runs before every notebook (one round trip), so whatever a failed run left behind
is cleared before the next one starts. A kernel that died or cannot be reset is shut down
and replaced by a fresh one.
:func:`shutdown_kernels` stops every kernel of the process; it also runs when the process
exits (``atexit`` and ``multiprocessing`` finalizers), so no kernel outlives its batch.
The kernel's own start-up chatter (ipykernel's "running over TCP without encryption"
warning) goes to a temporary log, never to the terminal or the report.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any, Final

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

__all__ = ["ENGINE_NAME", "KernelStateError", "WarmEngine", "shutdown_kernels", "warm_kernels"]

ENGINE_NAME: Final = "campaignkit"
_MARK: Final = "__campaignkit_warm__"

# Runs once in a new kernel: remember the state every later run is reset to.
_WARM_CODE: Final = f"""
def _ck_warm():
    import os, sys, types, warnings
    state = types.ModuleType({_MARK!r})
    state.environ = dict(os.environ)
    state.path = list(sys.path)
    state.filters = list(warnings.filters)
    try:
        import matplotlib
        import matplotlib.pyplot  # the inline backend configures rcParams on import
        state.rc = dict(matplotlib.rcParams)
    except ImportError:
        state.rc = None
    sys.modules[{_MARK!r}] = state
_ck_warm()
del _ck_warm
"""

# Runs before every notebook; the cwd placeholder is filled in per run.
_RESET_CODE: Final = f"""
def _ck_reset(cwd):
    import gc, os, sys, warnings
    state = sys.modules[{_MARK!r}]
    if state.rc is not None:
        import matplotlib, matplotlib.pyplot as plt
        plt.close("all")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(state.rc)
    os.environ.clear()
    os.environ.update(state.environ)
    sys.path[:] = state.path
    warnings.filters[:] = state.filters
    os.chdir(cwd)
    get_ipython().run_line_magic("reset", "-f")
    gc.collect()
_ck_reset(%s)
"""


class KernelStateError(RuntimeError):
    """The warm kernel could not be reset; it is replaced by a fresh one."""


@dataclass
class _Warm:
    km: Any
    kernel_name: str
    log: IO[bytes]
    kc: Any = None  # a blocking client kept open for the resets


_KERNELS: dict[str, _Warm] = {}
_LOCK = threading.Lock()


def _run_sync(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(fn)(*args, **kwargs)


def _start(kernel_name: str, startup_timeout: float) -> _Warm:
    from jupyter_client.manager import AsyncKernelManager

    log = tempfile.TemporaryFile(prefix="campaignkit-kernel-")  # noqa: SIM115 - closed in _stop

    class _QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw["stdout"] = log
            kw["stderr"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)

    km = _QuietKernelManager(kernel_name=kernel_name)
    _run_sync(km.start_kernel)
    warm = _Warm(km, kernel_name, log)
    try:
        _execute(warm, _WARM_CODE, startup_timeout)
    except BaseException:
        _stop(warm)
        raise
    return warm


def _execute(warm: _Warm, code: str, timeout: float) -> None:
    """Run ``code`` in the kernel and wait for it; raise KernelStateError if it fails."""
    from jupyter_client.blocking.client import BlockingKernelClient

    try:
        if warm.kc is None:
            kc = BlockingKernelClient()
            kc.load_connection_info(warm.km.get_connection_info())
            kc.start_channels()
            kc.wait_for_ready(timeout=timeout)
            warm.kc = kc
        msg_id = warm.kc.execute(code, silent=True, store_history=False)
        while True:
            reply = warm.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    except Exception as exc:  # the kernel died or did not answer in time
        raise KernelStateError(f"the warm kernel did not answer ({exc!r})") from exc
    content = reply["content"]
    if content.get("status") != "ok":
        raise KernelStateError(f"{content.get('ename')}: {content.get('evalue')}")


def _stop(warm: _Warm) -> None:
    if warm.kc is not None:
        warm.kc.stop_channels()
        warm.kc = None
    try:
        _run_sync(warm.km.shutdown_kernel, now=True)
    except Exception:  # already gone: make sure the process is
        with contextlib.suppress(Exception):
            _run_sync(warm.km.kill_kernel)
    finally:
        warm.log.close()


def _kernel(kernel_name: str, startup_timeout: float) -> _Warm:
    with _LOCK:
        warm = _KERNELS.get(kernel_name)
        if warm is not None and not _run_sync(warm.km.is_alive):
            _stop(warm)
            warm = None
        if warm is None:
            warm = _start(kernel_name, startup_timeout)
            _KERNELS[kernel_name] = warm
        return warm


def warm_kernels() -> dict[str, int | None]:
    """Return the kernels this process keeps warm: kernel name → kernel process id."""
    out: dict[str, int | None] = {}
    for name, warm in _KERNELS.items():
        provisioner = getattr(warm.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        out[name] = getattr(process, "pid", None)
    return out


def shutdown_kernels() -> None:
    """Stop every warm kernel of this process (also run at exit)."""
    with _LOCK:
        for warm in list(_KERNELS.values()):
            _stop(warm)
        _KERNELS.clear()


def _reset(warm: _Warm, cwd: str, timeout: float) -> None:
    _execute(warm, _RESET_CODE % json.dumps(cwd), timeout)


class WarmEngine(NBClientEngine):  # type: ignore[misc]
    """Execute notebooks in a kernel kept warm across runs, its state reset between them."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, log_output: bool = False,
        stdout_file: Any = None, stderr_file: Any = None, start_timeout: float = 60,
        execution_timeout: float | None = None, **kwargs: Any,
    ) -> Any:
        """Run the notebook of ``nb_man`` in this process's warm kernel (start it if needed)."""
        kwargs = remove_args(["input_path", "kernel_manager_class"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
        )
        cwd = os.getcwd()  # papermill has moved into the run's cwd
        try:
            warm = _kernel(kernel_name, start_timeout)
            _reset(warm, cwd, start_timeout)
        except KernelStateError:  # a kernel that cannot be reset is replaced
            with _LOCK:
                stale = _KERNELS.pop(kernel_name, None)
                if stale is not None:
                    _stop(stale)
            warm = _kernel(kernel_name, start_timeout)
            _reset(warm, cwd, start_timeout)
        client = PapermillNotebookClient(nb_man, km=warm.km, **final_kwargs)
        try:
            return client.execute()
        finally:  # the state is reset before the next run, not after: one round trip a run
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, WarmEngine)
atexit.register(shutdown_kernels)
if "multiprocessing" in sys.modules:  # worker processes skip atexit: use their finalizers
    from multiprocessing import util as _mp_util

    _mp_util.Finalize(None, shutdown_kernels, exitpriority=100)
