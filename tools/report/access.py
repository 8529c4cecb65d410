"""The "who can do what" section (issue #9, VTC-PROCESSOR §14-15, VTC-LEAST-PRIVILEGE, conclusion V):
the matrix of `policies.access`, computed from this synthesis' templates, never written by hand.

It also keeps the report honest: a condition that an allowed forbidden outcome breaks
(`policies.access.overclaims`) is never shown as "enforced and passing" (see
`tools/report/conditions.py`, which asks `overclaimed` before it settles a condition's status).
"""

from __future__ import annotations

from typing import Any

from policies.access.matrix import Matrix, overclaims, who_can
from tools.report.model import Context, Report

KEY = "who_can_do_what"
_CACHE = "_who_can_matrix"


class AccessEvidence:
    """The matrix in the report: report.json gets its JSON form, report.md and report.html theirs."""

    def __init__(self, matrix: Matrix | None, why_not: str = "") -> None:
        self.matrix, self.why_not = matrix, why_not

    def as_dict(self) -> dict[str, Any]:
        return self.matrix.to_json() if self.matrix else {"not_evaluated": self.why_not}


def matrix_of(ctx: Context) -> AccessEvidence:
    """The environment's matrix, computed once per report (the conditions section needs it first)."""
    if _CACHE not in ctx.__dict__:
        config, source = ctx.inputs.config, ctx.inputs.assembly_source
        if config is None or source is None or ctx.env not in config.environments:
            evidence = AccessEvidence(None, "not evaluated: no configuration or cloud assembly for this environment")
        else:
            evidence = AccessEvidence(who_can(ctx.env, source, config))
        ctx.__dict__[_CACHE] = evidence
    return ctx.__dict__[_CACHE]


def overclaimed(ctx: Context) -> dict[str, list[str]]:
    """Per VTC condition, the forbidden outcomes some party is allowed (outside the design)."""
    matrix = matrix_of(ctx).matrix
    if matrix is None:
        return {}
    return {cid: [f"{c.party} may {c.outcome}" for c in cells] for cid, cells in overclaims(matrix).items()}


def collect_access(ctx: Context) -> dict[str, Any]:
    return {KEY: matrix_of(ctx)}


def markdown(report: Report) -> list[str]:
    evidence: AccessEvidence | None = report.parts.get(KEY)
    if evidence is None or evidence.matrix is None:
        return ["## Who can do what", "", evidence.why_not if evidence else "not evaluated", ""]
    return [evidence.matrix.to_markdown()]


def html(report: Report, svg: str) -> str:
    import html as escape

    evidence: AccessEvidence | None = report.parts.get(KEY)
    if evidence is None or evidence.matrix is None:
        return (
            f"<section><h2>Who can do what</h2><p>{escape.escape(evidence.why_not if evidence else '')}</p></section>"
        )
    return evidence.matrix.to_html()
