"""VTC-LEAST-PRIVILEGE-BOUNDARY (conclusion V): every role carries a permissions boundary."""

from __future__ import annotations

from policies.model import Resource, Result, fail, verdict

RESOURCE_TYPES = ("AWS::IAM::Role",)


def check(res: Resource) -> Result:
    if not res.props.get("PermissionsBoundary"):
        return fail("no PermissionsBoundary")
    return verdict([])
