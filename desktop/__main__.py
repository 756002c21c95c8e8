"""`python -m desktop` runs the same entry point as `digest-desk`."""

from __future__ import annotations

import sys

from desktop.cli import main

sys.exit(main())
