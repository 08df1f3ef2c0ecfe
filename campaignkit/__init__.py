"""campaignkit: run policy-publicity campaigns by the numbers.

A campaign spec (YAML) becomes official-layout Excel return forms; returned forms are read
exactly (or rejected with located errors) into an embedded SQLite store; a pure statistics
and milestone engine answers "where do we stand as of this date"; notebooks render the
year-end summary and the inspection briefing.

>>> import campaignkit
>>> c = campaignkit.load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
>>> c.top.name
'湖北省'

``campaignkit.open(spec, db, as_of=…, unit=…)`` opens a campaign and its store for a report
(see :mod:`campaignkit.report.snapshot`); it is loaded on first use, so ``import campaignkit``
stays light.
"""

from typing import TYPE_CHECKING, Any

from .errors import CampaignkitError, FormulaError, SpecError, SpecIssue
from .spec import Campaign, load_campaign

if TYPE_CHECKING:
    from .report.snapshot import open_snapshot as open

__version__ = "0.1.0"

__all__ = [
    "Campaign",
    "CampaignkitError",
    "FormulaError",
    "SpecError",
    "SpecIssue",
    "__version__",
    "load_campaign",
    "open",
]


def __getattr__(name: str) -> Any:
    """Load ``campaignkit.open`` (the notebook-facing API) on first use."""
    if name == "open":
        from .report.snapshot import open_snapshot

        return open_snapshot
    raise AttributeError(f"module 'campaignkit' has no attribute {name!r}")
