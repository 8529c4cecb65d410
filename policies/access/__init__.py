"""Who can do what (issue #9): an IAM evaluator over the synthesized templates of one environment
and the party × forbidden-outcome matrix computed with it. `python -m policies.access cdk.out --env prod`."""

from policies.access.matrix import BY_DESIGN, Cell, Check, Matrix, Outcome, Party, overclaims, who_can

__all__ = ["BY_DESIGN", "Cell", "Check", "Matrix", "Outcome", "Party", "overclaims", "who_can"]
