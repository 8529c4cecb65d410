"""One module per stack; stacks only compose constructs."""

import venv_node  # noqa: F401  (before aws_cdk: jsii starts the virtual environment's Node 24)
