import sys

from led_ops.cli import main

sys.exit(main())
