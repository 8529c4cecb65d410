"""VTC-LEAST-PRIVILEGE-BOUNDARY (conclusion V): every role carries a permissions boundary."""

from __future__ import annotations

from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = ("AWS::IAM::Role",)


def check(res: Resource) -> Result:
    if not res.props.get("PermissionsBoundary"):
        return fail("no PermissionsBoundary")
    return verdict([])


RULE = RuleSpec(
    rule_id="VTC-LEAST-PRIVILEGE-BOUNDARY",
    condition_id="VTC-LEAST-PRIVILEGE",
    paragraph="conclusion V",
    title="every role carries a permissions boundary",
    trigger="an IAM role without PermissionsBoundary",
    fix="create roles in a workload stack (apply_boundary in stacks/workload.py applies the LED boundary)",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
