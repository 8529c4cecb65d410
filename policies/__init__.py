"""The VTC cdk-nag pack (`VtcChecks`), its rules and registry, and the post-synthesis gate."""

import venv_node  # noqa: F401  (before aws_cdk: jsii starts the virtual environment's Node 24)

# isort: split
from policies.pack import EVALUATIONS_FILE, VtcChecks
from policies.registry import NEVER_ACKNOWLEDGE, PACK_NAME, RULES

__all__ = ["EVALUATIONS_FILE", "NEVER_ACKNOWLEDGE", "PACK_NAME", "RULES", "VtcChecks"]
