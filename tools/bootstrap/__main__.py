"""python -m tools.bootstrap: see tools/bootstrap/cli.py."""

import sys

from tools.bootstrap.cli import main

sys.exit(main())
