"""VTC-POLICIES-VISIBLE (§55, §58): an auditor reading the CloudFormation sees which conditions a
stack serves: its description cites VTC condition ids."""

from __future__ import annotations

import re

from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = ("*",)
_CONDITION = re.compile(r"\bVTC-[A-Z0-9]+(-[A-Z0-9]+)*\b")


def check(res: Resource) -> Result:
    description = res.stack.template.get("Description")
    if not isinstance(description, str) or not _CONDITION.search(description):
        return fail(
            f"stack {res.stack.name} has no Description citing the VTC conditions it serves (got {description!r})"
        )
    return verdict([])


RULE = RuleSpec(
    rule_id="VTC-POLICIES-VISIBLE",
    condition_id="VTC-POLICIES-VISIBLE",
    paragraph="§55, §58",
    title="every stack's description cites the VTC conditions it serves",
    trigger="a resource of a stack whose Description names no VTC condition id",
    fix="describe the stack as stacks/stage.py does: role, owner, and the VTC-... ids it serves",
    resource_types=RESOURCE_TYPES,
    check=check,
)
