"""Template metadata that names, on every resource implementing a VTC condition, the condition ids
(VTC-POLICIES-VISIBLE, §55 and §58): an auditor reading the CloudFormation sees, next to each
resource, which condition of the advice it serves, without reading the Python.

One table decides it: by resource type, refined by construct path where the same type serves a
different condition in a different place (the vaults in the backup account are the "backup
elsewhere" of §37). The metadata key is `led:vtc-conditions`; logical ids do not change.
"""

from __future__ import annotations

import re

import jsii
from aws_cdk import CfnResource, IAspect
from constructs import IConstruct

METADATA_KEY = "led:vtc-conditions"

# Resource type -> the conditions every resource of that type serves in this landing zone.
BY_TYPE: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBInstance": (
        "VTC-SEC-STORAGE",
        "VTC-AUDIT-TRAIL",
        "VTC-PERSONAL-DATA",
        "VTC-KEY-NO-PROVIDER",
        "VTC-ENCRYPT-ALL",
        "VTC-NO-COPY",
        "VTC-RIGHT-SIZED",
    ),
    "AWS::RDS::DBParameterGroup": ("VTC-SEC-STORAGE", "VTC-AUDIT-TRAIL"),
    "AWS::RDS::DBSubnetGroup": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::Backup::BackupVault": (
        "VTC-PERSONAL-DATA",
        "VTC-BACKUP-RETENTION",
        "VTC-KEY-NO-PROVIDER",
        "VTC-NO-STALE-BACKUP",
        "VTC-ENCRYPT-ALL",
    ),
    "AWS::Backup::BackupPlan": ("VTC-BACKUP-ELSEWHERE", "VTC-BACKUP-RETENTION", "VTC-NO-STALE-BACKUP"),
    "AWS::Backup::BackupSelection": ("VTC-BACKUP-RETENTION",),
    "AWS::Backup::RestoreTestingPlan": ("VTC-BACKUP-ENVIRONMENT",),
    "AWS::Backup::RestoreTestingSelection": ("VTC-BACKUP-ENVIRONMENT",),
    "AWS::Backup::LogicallyAirGappedBackupVault": (
        "VTC-PERSONAL-DATA",
        "VTC-BACKUP-ELSEWHERE",
        "VTC-NO-STALE-BACKUP",
        "VTC-ENCRYPT-ALL",
    ),
    # The air-gapped vault shared with the workload account, for restore testing from it (§40).
    "AWS::RAM::ResourceShare": ("VTC-BACKUP-ENVIRONMENT",),
    "AWS::KMS::Key": (
        "VTC-OUTSOURCING-2016",
        "VTC-KEY-NO-PROVIDER",
        "VTC-KEY-REENCRYPT",
        "VTC-ENCRYPT-ALL",
        "VTC-KEY-CUSTODY",
    ),
    "AWS::KMS::Alias": ("VTC-KEY-CUSTODY",),
    "AWS::Logs::LogGroup": ("VTC-AUDIT-TRAIL", "VTC-ENCRYPT-ALL"),
    "AWS::EC2::FlowLog": ("VTC-AUDIT-TRAIL", "VTC-NO-COPY"),
    "AWS::EC2::VPC": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::EC2::Subnet": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::EC2::RouteTable": ("VTC-NO-COPY",),
    "AWS::EC2::SecurityGroup": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::EC2::SecurityGroupIngress": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::EC2::SecurityGroupEgress": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::EC2::VPCEndpoint": ("VTC-NO-COPY",),
    "AWS::IAM::Role": ("VTC-LEAST-PRIVILEGE",),
    "AWS::IAM::ManagedPolicy": ("VTC-LEAST-PRIVILEGE",),
    "AWS::IAM::Policy": ("VTC-LEAST-PRIVILEGE",),
    "AWS::SecretsManager::Secret": ("VTC-SEC-STORAGE", "VTC-ENCRYPT-ALL"),
    "AWS::S3::Bucket": ("VTC-ENCRYPT-ALL", "VTC-NO-COPY"),
    "AWS::S3::BucketPolicy": ("VTC-SEC-STORAGE", "VTC-NO-COPY"),
    "AWS::SNS::Topic": ("VTC-ENCRYPT-ALL",),
    "AWS::SQS::Queue": ("VTC-ENCRYPT-ALL",),
    "AWS::CloudTrail::Trail": ("VTC-AUDIT-TRAIL", "VTC-LOGS-DIRECT", "VTC-ENCRYPT-ALL"),
    "AWS::Config::ConfigRule": ("VTC-REGULAR-AUDIT",),
    "AWS::Config::ConformancePack": ("VTC-REGULAR-AUDIT",),
    "AWS::Config::ConfigurationRecorder": ("VTC-REGULAR-AUDIT",),
    "AWS::Config::DeliveryChannel": ("VTC-REGULAR-AUDIT",),
    "AWS::SecurityHub::Hub": ("VTC-REGULAR-AUDIT",),
    "AWS::SecurityHub::Standard": ("VTC-REGULAR-AUDIT",),
    "AWS::Organizations::Policy": ("VTC-OUTSOURCING-2016", "VTC-PROCESSOR", "VTC-LEAST-PRIVILEGE"),
}

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
            node.add_metadata(METADATA_KEY, list(conditions))
