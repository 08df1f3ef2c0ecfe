"""The ``papermill.engine`` entry point ``campaignkit``: a light stand-in for ``WarmEngine``.

papermill loads its entry points while it is being imported, and ``engine.py`` imports
papermill; pointing the entry point at ``engine.WarmEngine`` directly would make whichever
of the two is imported first find the other half-initialised. This class imports nothing
at import time and hands every call to :class:`campaignkit.report.engine.WarmEngine`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WarmEngine"]


class WarmEngine:
    """Hand papermill's engine calls to :class:`campaignkit.report.engine.WarmEngine`."""

    @staticmethod
    def _real() -> Any:
        from .engine import WarmEngine as real

        return real

    @classmethod
    def execute_notebook(cls, *args: Any, **kwargs: Any) -> Any:
        """Execute a notebook in this process's warm kernel."""
        return cls._real().execute_notebook(*args, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> str:
        """Return the kernel name papermill should use for ``nb``."""
        return str(cls._real().nb_kernel_name(nb, name))

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> str:
        """Return the language papermill should use for ``nb``."""
        return str(cls._real().nb_language(nb, language))
