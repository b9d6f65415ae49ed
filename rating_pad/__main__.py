"""``python -m rating_pad N`` = ``motcua rating-pad N``."""

import sys

from rating_pad.cli import main

sys.exit(main())
