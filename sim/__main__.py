"""``python -m sim ...`` is the ``afsim`` command."""

import sys

from sim.cli import main

sys.exit(main())
