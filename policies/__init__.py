"""The VTC cdk-nag pack (`VtcChecks`), its rules and registry, and the post-synthesis gate."""

from policies.pack import EVALUATIONS_FILE, VtcChecks
from policies.registry import NEVER_ACKNOWLEDGE, PACK_NAME, RULES

__all__ = ["EVALUATIONS_FILE", "NEVER_ACKNOWLEDGE", "PACK_NAME", "RULES", "VtcChecks"]
