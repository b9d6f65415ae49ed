"""``python -m ticketd`` = ``motcua ticketd``."""

import sys

from ticketd.cli import main

sys.exit(main())
