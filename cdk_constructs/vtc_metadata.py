"""Template metadata that names, on every resource implementing a VTC condition, the condition ids
(VTC-POLICIES-VISIBLE, §55 and §58): an auditor reading the CloudFormation sees, next to each
resource, which condition of the advice it serves, without reading the Python.

The rules decide it: every rule names the resource types that serve its condition (`marks` on its
`RuleSpec`, policies/rules/), refined here by construct path where the same type serves a
different condition in a different place (the vaults in the backup account are the "backup
elsewhere" of §37). The metadata key is `led:vtc-conditions`; logical ids do not change.
"""

from __future__ import annotations

import re

import jsii
from aws_cdk import CfnResource, IAspect
from constructs import IConstruct

from contract.metadata import METADATA_CONDITIONS
from policies.catalogue import catalogue
from policies.registry import RULES


def _by_type() -> dict[str, tuple[str, ...]]:
    """Resource type -> the conditions whose rules mark it (RuleSpec.marks), in the catalogue's order."""
    order = [c.id for c in catalogue().conditions]
    found: dict[str, set[str]] = {}
    for rule in RULES:
        for resource_type in rule.marks:
            found.setdefault(resource_type, set()).add(rule.condition_id)
    return {t: tuple(sorted(conditions, key=order.index)) for t, conditions in found.items()}


# Resource type -> the conditions every resource of that type serves in this landing zone.
BY_TYPE: dict[str, tuple[str, ...]] = _by_type()

# (construct path pattern, resource types or None for any) -> extra conditions.
BY_PATH: tuple[tuple[re.Pattern[str], frozenset[str] | None, tuple[str, ...]], ...] = (
    # The vaults in the backup account receive every copy (§37); the secondary one sits in the
    # second allowed region (§18-19).
    (re.compile(r"/(Secondary)?RemoteVault/"), None, ("VTC-BACKUP-ELSEWHERE",)),
    (re.compile(r"/Secondary(RemoteVault|KeyCustody)/"), None, ("VTC-OUTSOURCING-2016",)),
    # The permissions boundary keeps the processor's roles away from keys, logs and data (§34).
    (re.compile(r"/PermissionsBoundary/"), frozenset({"AWS::IAM::ManagedPolicy"}), ("VTC-PROCESSOR",)),
    # CDK's handler that empties the default security group (restrictDefaultSecurityGroup).
    (re.compile(r"/Custom::VpcRestrictDefaultSG"), None, ("VTC-NO-COPY",)),
    # The log archive (audit stack) is read by AHOVOKS directly (§27).
    (
        re.compile(r"/(Audit|LogArchive)/"),
        frozenset({"AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::IAM::Role"}),
        ("VTC-LOGS-DIRECT", "VTC-AUDIT-TRAIL"),
    ),
)


def conditions_for(resource_type: str, path: str) -> tuple[str, ...]:
    """The condition ids a resource of this type at this construct path serves (no duplicates)."""
    found = list(BY_TYPE.get(resource_type, ()))
    for pattern, types, extra in BY_PATH:
        if pattern.search(f"/{path}/") and (types is None or resource_type in types):
            found.extend(extra)
    return tuple(dict.fromkeys(found))


@jsii.implements(IAspect)
class VtcConditionMetadata:
    """Adds `led:vtc-conditions` metadata to every CloudFormation resource the table names."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        conditions = conditions_for(node.cfn_resource_type, node.node.path)
        if conditions:
            node.add_metadata(METADATA_CONDITIONS, list(conditions))
