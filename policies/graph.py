"""The questions several rules ask of the app around a resource, answered once: what is in the
same environment, account and region; which policies apply to a role; whether an RDS instance is
an Aurora cluster member (then its cluster is what is checked), and which parameter group it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies.model import Resource
from policies.values import as_list, references, render, target_of

_POLICY_TYPES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")


def is_cluster_member(res: Resource) -> bool:
    """An Aurora instance: encrypted, backed up, audited and exported through its DBCluster."""
    return res.type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in res.props


_PARAMETER_GROUPS = {
    "AWS::RDS::DBInstance": ("DBParameterGroupName", "AWS::RDS::DBParameterGroup"),
    "AWS::RDS::DBCluster": ("DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup"),
}


@dataclass(frozen=True)
class ParameterGroup:
    prop: str  # the database's property that names the group
    ref: Any  # its value (None: the engine's default group)
    logical_id: str | None  # None: the value names no parameter group of this app
    parameters: dict


def parameter_group(res: Resource) -> ParameterGroup:
    """The parameter group an RDS instance (DBParameterGroupName) or cluster (DBClusterParameterGroupName) names."""
    prop, group_type = _PARAMETER_GROUPS[res.type]
    ref = res.props.get(prop)
    target = target_of(ref, res.stack, res.app)
    if target is None or target.type != group_type or target.resource is None:
        return ParameterGroup(prop, ref, None, {})
    parameters = (target.resource.get("Properties") or {}).get("Parameters") or {}
    return ParameterGroup(prop, ref, target.logical_id, parameters)


def same_place(a: Resource, b: Resource) -> bool:
    """AWS Backup plans, selections and restore tests, Config and alarms act within one account and region."""
    return a.stack.account == b.stack.account and a.stack.region == b.stack.region


def in_place(res: Resource, resource_type: str) -> list[Resource]:
    """The resources of a type in the resource's environment (stage), account and region."""
    return [r for r in res.app.resources(resource_type, stage=res.stack.stage) if same_place(r, res)]


@dataclass(frozen=True)
class RolePolicy:
    label: str  # how a finding names it: "inline policy X", "ManagedPolicy Y of stack Z"
    holder: Resource  # the resource whose template holds the document (the role or the policy)
    document: Any


def _role_name(role: Resource) -> str | None:
    value = role.props.get("RoleName")
    rendered = render(value, role.stack, role.app) if value is not None else None
    return rendered.text if rendered is not None and rendered.decided else None


def _names_role(ref: object, policy: Resource, role: Resource, role_name: str | None) -> bool:
    """A policy's Roles entry names the role: by reference (imports followed), or by its name in its account."""
    if any(role.is_same(t.stack, t.logical_id) for t in references(ref, policy.stack, policy.app)):
        return True
    if target_of(ref, policy.stack, policy.app) is not None:
        return False
    if role_name is None or policy.stack.account != role.stack.account:
        return False
    rendered = render(ref, policy.stack, policy.app)
    return rendered.decided and rendered.text == role_name


def role_policies(role: Resource) -> list[RolePolicy]:
    """Every identity policy document that applies to a role: its inline Policies, the app's
    AWS::IAM::Policy / ManagedPolicy resources whose Roles name it, the app's managed policies in
    its ManagedPolicyArns (each once)."""
    found: list[RolePolicy] = []
    for i, policy in enumerate(as_list(role.props.get("Policies"))):
        name = policy.get("PolicyName") if isinstance(policy, dict) else None
        document = policy.get("PolicyDocument") if isinstance(policy, dict) else policy
        found.append(RolePolicy(f"inline policy {name if isinstance(name, str) else i}", role, document))
    role_name = _role_name(role)
    seen: set[tuple[str, str]] = set()
    for kind in _POLICY_TYPES:
        for policy in role.app.resources(kind):
            if any(_names_role(ref, policy, role, role_name) for ref in as_list(policy.props.get("Roles"))):
                seen.add((policy.stack.key, policy.logical_id))
                label = f"{kind.rsplit('::', 1)[1]} {policy.logical_id} of stack {policy.stack.name}"
                found.append(RolePolicy(label, policy, policy.props.get("PolicyDocument")))
    for arn in as_list(role.props.get("ManagedPolicyArns")):
        for target in references(arn, role.stack, role.app):
            if target.type != "AWS::IAM::ManagedPolicy" or target.resource is None:
                continue
            if (target.stack.key, target.logical_id) in seen:
                continue
            seen.add((target.stack.key, target.logical_id))
            policy = Resource(target.logical_id, target.resource, target.stack, role.app)
            label = f"ManagedPolicy {policy.logical_id} of stack {policy.stack.name}"
            found.append(RolePolicy(label, policy, policy.props.get("PolicyDocument")))
    return found
