"""campaignkit: run policy-publicity campaigns by the numbers.

A campaign spec (YAML) becomes official-layout Excel return forms; returned forms are read
exactly (or rejected with located errors) into an embedded SQLite store; a pure statistics
and milestone engine answers "where do we stand as of this date"; notebooks render the
year-end summary and the inspection briefing.

>>> import campaignkit
>>> c = campaignkit.load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
>>> c.top.name
'湖北省'
"""

from .errors import CampaignkitError, FormulaError, SpecError, SpecIssue
from .spec import Campaign, load_campaign

__version__ = "0.1.0"

__all__ = [
    "Campaign",
    "CampaignkitError",
    "FormulaError",
    "SpecError",
    "SpecIssue",
    "__version__",
    "load_campaign",
]
