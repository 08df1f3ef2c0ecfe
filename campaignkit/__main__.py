"""Run the command line: ``python -m campaignkit``."""

from .cli import main

raise SystemExit(main())
