"""``python -m display hall|counter N|announcer|led`` = ``motcua display ...``."""

import sys

from display.cli import main

sys.exit(main())
