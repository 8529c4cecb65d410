"""Command-line tools of the LED landing zone that run next to synthesis (report, bench)."""

import venv_node  # noqa: F401  (before aws_cdk: jsii starts the virtual environment's Node 24)
