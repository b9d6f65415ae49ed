"""``python -m ticketd.report`` = ``motcua report``."""

import sys

from ticketd.report.cli import main

sys.exit(main())
