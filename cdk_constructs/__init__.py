"""Reusable constructs of the LED landing zone: each one makes one thing VTC-compliant."""

import venv_node  # noqa: F401  (before aws_cdk: jsii starts the virtual environment's Node 24)
