"""Who can do what (issue #9): an IAM evaluator over the synthesized templates of one environment
and the party × forbidden-outcome matrix computed with it. `python -m policies.access cdk.out --env prod`.

The matrix is imported on first use: the VTC pack's perimeter rule (policies/rules/no_copy_perimeter.py)
needs only the evaluator, not the templates and guardrails the matrix reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policies.access.matrix import BY_DESIGN, Cell, Check, Matrix, Outcome, Party, overclaims, who_can

__all__ = ["BY_DESIGN", "Cell", "Check", "Matrix", "Outcome", "Party", "overclaims", "who_can"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from policies.access import matrix

        return getattr(matrix, name)
    raise AttributeError(f"module 'policies.access' has no attribute {name!r}")
