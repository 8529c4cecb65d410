"""VTC-LEAST-PRIVILEGE-BOUNDARY-SELF (conclusion V): the LED permissions boundary protects itself.

A boundary that a bounded role can take off, replace, edit or route around caps nothing. The LED
boundary (an `AWS::IAM::ManagedPolicy` marked `led:permissions-boundary`) must carry, as
unconditional denies or denies whose only condition is "unless the boundary is this one", what
AWS's delegation example for permissions boundaries carries:

- iam:DeleteRolePermissionsBoundary, iam:DeleteUserPermissionsBoundary (removing it);
- iam:PutRolePermissionsBoundary, iam:PutUserPermissionsBoundary unless iam:PermissionsBoundary is
  this boundary (replacing it);
- iam:CreateRole, iam:CreateUser unless iam:PermissionsBoundary is this boundary;
- iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:DeletePolicyVersion, iam:DeletePolicy
  on this boundary's ARN (editing or deleting it);
- iam:UpdateAssumeRolePolicy on the `led-*` roles of its account (changing whom they trust).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from contract.metadata import METADATA_BOUNDARY
from policies.iam import Statement, statements
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_list, render

RESOURCE_TYPES = ("AWS::IAM::ManagedPolicy",)

# (what it protects, the actions, the resource the deny must cover, whether "unless it is this
# boundary" is an allowed condition). "{boundary}" and "{roles}" are filled in per policy.
REQUIRED = (
    ("removing the boundary", ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"), "*", False),
    ("replacing the boundary", ("iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"), "*", True),
    ("roles and users without the boundary", ("iam:CreateRole", "iam:CreateUser"), "*", True),
    (
        "editing or deleting the boundary",
        ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"),
        "{boundary}",
        False,
    ),
    ("changing the trust of led-* roles", ("iam:UpdateAssumeRolePolicy",), "{roles}", False),
)


def _matches(pattern: str, value: str) -> bool:
    return fnmatchcase(value.lower(), pattern.lower())


def _covers_action(st: Statement, action: str) -> bool:
    return any(_matches(a, action) for a in st.actions)


def _covers_resource(st: Statement, resource: str) -> bool:
    if st.not_resources:
        return False
    return any(r == "*" or _matches(r, resource) for r in st.resources)


def _only_unless_this_boundary(st: Statement, boundary_arn: str, res: Resource) -> bool:
    """The deny's one condition: iam:PermissionsBoundary is not this boundary."""
    condition = st.condition
    if not isinstance(condition, dict) or set(condition) != {"StringNotEquals"}:
        return False
    values = condition["StringNotEquals"]
    if not isinstance(values, dict) or {k.lower() for k in values} != {"iam:permissionsboundary"}:
        return False
    allowed = [render(v, res.stack, res.app) for v in as_list(next(iter(values.values())))]
    return len(allowed) == 1 and allowed[0].decided and allowed[0].text == boundary_arn


def check(res: Resource) -> Result:
    if as_bool(res.metadata.get(METADATA_BOUNDARY)) is not True:
        return NOT_APPLICABLE
    name = res.props.get("ManagedPolicyName")
    path = res.props.get("Path") or "/"
    account = res.stack.account
    if not isinstance(name, str) or not isinstance(path, str) or account is None:
        return fail(
            "the boundary's ARN cannot be told (no literal ManagedPolicyName, Path or stack account), so "
            "neither can whether it protects itself (fails closed)"
        )
    partition = res.settings.partition
    boundary_arn = f"arn:{partition}:iam::{account}:policy{path}{name}"
    roles = f"arn:{partition}:iam::{account}:role/led-*"
    sts, problems = statements(res.props.get("PolicyDocument"), res)
    if problems:
        return fail(*problems, "(fails closed)")
    denies = [st for st in sts if st.effect == "Deny" and not st.not_actions and not st.unreadable]
    for what, actions, resource, conditional in REQUIRED:
        target = resource.format(boundary=boundary_arn, roles=roles)
        for action in actions:
            if not any(
                _covers_action(st, action)
                and _covers_resource(st, target)
                and (st.condition in (None, {}) or (conditional and _only_unless_this_boundary(st, boundary_arn, res)))
                for st in denies
            ):
                unless = " (or only unless iam:PermissionsBoundary is this boundary)" if conditional else ""
                problems.append(f"no Deny of {action} on {target}{unless}: nothing stops {what}")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-LEAST-PRIVILEGE-BOUNDARY-SELF",
    condition_id="VTC-LEAST-PRIVILEGE",
    paragraph="conclusion V",
    title="the permissions boundary protects itself",
    trigger="an LED permissions boundary (led:permissions-boundary) without an explicit Deny of removing a "
    "boundary (Delete*PermissionsBoundary), replacing it or creating a role or user without it "
    "(Put*PermissionsBoundary, CreateRole, CreateUser unless iam:PermissionsBoundary is this boundary), "
    "editing or deleting the boundary policy (CreatePolicyVersion, SetDefaultPolicyVersion, "
    "DeletePolicyVersion, DeletePolicy) or changing the trust of led-* roles (UpdateAssumeRolePolicy)",
    fix="build the boundary with PermissionsBoundaryPolicy (cdk_constructs/boundary.py), which adds "
    "self_protection_statements",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
