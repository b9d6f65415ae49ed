"""``python -m counter_console N`` = ``motcua counter N``."""

import sys

from counter_console.cli import main

sys.exit(main())
