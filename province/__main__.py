"""``python -m province`` = ``motcua province``."""

import sys

from province.cli import main

sys.exit(main(sys.argv[1:]))
