"""Exceptions of campaignkit: one base class, each also a builtin so callers can catch either."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class CampaignkitError(Exception):
    """Base class of every error campaignkit raises on purpose."""


@dataclass(frozen=True)
class SpecIssue:
    """One mistake in a campaign spec: where (a key path) and what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(CampaignkitError, ValueError):
    """A campaign spec that cannot be used; carries every issue found, not only the first."""

    def __init__(self, source: str, issues: Sequence[SpecIssue]) -> None:
        self.source = source
        self.issues: tuple[SpecIssue, ...] = tuple(issues)
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.source}: {len(self.issues)} problem(s) in the campaign spec"
        return "\n".join([head, *(f"  {i}" for i in self.issues)])


class FormulaError(CampaignkitError, ValueError):
    """A formula or rule expression that cannot be parsed or uses unknown names."""


class InternalError(CampaignkitError, RuntimeError):
    """A bug of campaignkit met while reading one file — never the clerk's mistake.

    Carries the file (``path``), a one-line ``detail`` (exception type and message) and the
    formatted ``traceback`` text, so that the caller can log it and stop (the CLI exits 2).
    Picklable: it crosses from an ingest worker process to the parent unchanged.
    """

    def __init__(self, path: str, detail: str, traceback: str = "") -> None:
        super().__init__(path, detail, traceback)
        self.path = path
        self.detail = detail
        self.traceback = traceback

    def __str__(self) -> str:
        """Return ``<path>: internal error (<detail>); …`` for a terminal."""
        return (f"{self.path}: internal error in campaignkit while reading this file "
                f"({self.detail}); this is a bug of campaignkit, not of the file: please "
                "report it with the traceback")


def join_issues(groups: Iterable[Sequence[SpecIssue]]) -> list[SpecIssue]:
    """Flatten groups of issues, keeping their order and dropping exact repeats."""
    seen: set[tuple[str, str]] = set()
    out: list[SpecIssue] = []
    for group in groups:
        for issue in group:
            key = (issue.path, issue.message)
            if key not in seen:
                seen.add(key)
                out.append(issue)
    return out
