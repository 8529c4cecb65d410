"""The IAM policy evaluator of the template assertions now lives in production code
(`policies.access.evaluator`, used by the who-can-do-what matrix); this module re-exports it."""

from policies.access.evaluator import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    condition_holds,
    denying_sids,
    evaluate,
    resolve,
    statement_matches,
)

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "condition_holds",
    "denying_sids",
    "evaluate",
    "resolve",
    "statement_matches",
]
