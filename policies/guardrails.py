"""Guardrail service control policies for the AWS Organization of the LED accounts.

VTC-OUTSOURCING-2016 (§18-19), VTC-LEAST-PRIVILEGE (conclusion), VTC-KEY-CUSTODY (§51),
VTC-AUDIT-TRAIL / VTC-LOGS-DIRECT (§27, §49), VTC-NO-COPY (§49).

SCPs cap every principal of the workload, log archive and backup accounts, including those the
landing zone does not create (the account root, roles made by hand), where the permissions
boundary only caps the roles of the app. Four documents, each under the 5,120-character SCP
limit, with FullAWSAccess fill the five-policies-per-target quota (see ``guardrails``):

- ``led-region-guardrail``: nothing outside the allowed (EU) regions, except the global services
  AWS documents as having a single endpoint (no blanket ``kms:*``: KMS is regional); and (issue
  #9) no recovery point deleted by hand; the backup plan, selections, LED vaults, their policies
  and locks, the detection framework and the LED alarms, the VPC endpoints and the DNS firewall
  change only through the deployment roles (exact ARNs); no VPN, peering, Transit Gateway, NAT
  gateway or function URL (those in the data guardrail); no function outside a VPC;
- ``led-audit-guardrail``: CloudTrail, Config, GuardDuty, the audit log groups and the log
  archive cannot be switched off or deleted; changed only by the landing zone's deployment role;
- ``led-data-guardrail``: KMS administration only by the Facilitair Bedrijf, no public S3, no
  internet gateway (so no publicly reachable database), no snapshot sharing, no resource shares
  outside the organisation, no leaving the organisation;
- ``led-identity-guardrail``: the CDK bootstrap roles (``cdk-<qualifier>-*``) and the ``led-*``
  roles and policies change only through the deployment role; no role or user loses its
  permissions boundary or is created or given one other than the LED boundaries, except by the
  deployment role (VTC-PROCESSOR §14-15, §34; VTC-LEAST-PRIVILEGE; issue: deployment is a path
  to the data).

Every exemption names the exact ARN of a role (``aws:PrincipalArn`` with ``ArnNotEquals``, never
a wildcard): the bootstrap's CloudFormation execution role of each account and region the stacks
deploy to (``LandingZoneConfig.bootstrap_targets``), and FB's key administrator role.

The documents are plain data built from the configuration (no CloudFormation tokens), so the
same text is what `policies/scp/*.json` shows reviewers and what the organisation stack attaches.
Regenerate the reviewable files with ``python -m policies.guardrails`` (it writes the data
perimeter RCPs of policies/rcp.py into `policies/rcp/` too). The region guardrail, with the backup
and egress statements, is in policies/guardrails_region.py; the shared pieces (documents, quotas,
accounts) in policies/guardrail_base.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cdk_constructs.audit_protection import AUDIT_PROTECTION_SID, AUDIT_TAMPERING_ACTIONS, audit_resource_patterns
from config import ConfigError, LandingZoneConfig, load_config
from policies.guardrail_base import (
    SCP_MAX_CHARS,
    Guardrail,
    _deny,
    _deployment_roles,
    _document,
    _not_principals,
    check_quota,
    member_accounts,
    organization_partition,
    write_reviewable_files,
)
from policies.guardrails_region import egress_statements, region_guardrail
from policies.kms import KEY_ADMINISTRATION

SCP_DIRECTORY = Path(__file__).with_name("scp")


AUDIT_DISABLING_ACTIONS: tuple[str, ...] = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount",
    "guardduty:StopMonitoringMembers",
    "guardduty:DeleteMembers",
    "guardduty:DisassociateMembers",
)
AUDIT_CHANGING_ACTIONS: tuple[str, ...] = (
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "config:PutConfigurationRecorder",
    "config:PutDeliveryChannel",
    "config:DeleteConfigRule",
    "guardduty:UpdateDetector",
)
AUDIT_LOG_DELETING_ACTIONS: tuple[str, ...] = (
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:DeleteRetentionPolicy",
    "logs:DisassociateKmsKey",
)
LOG_ARCHIVE_DELETING_ACTIONS: tuple[str, ...] = (
    "s3:DeleteBucket",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:BypassGovernanceRetention",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
)
LOG_ARCHIVE_CHANGING_ACTIONS: tuple[str, ...] = (
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
)
KEY_ADMINISTRATION_ACTIONS: tuple[str, ...] = ("kms:CreateKey", *KEY_ADMINISTRATION)
PUBLIC_ACL_VALUES: tuple[str, ...] = ("public-read", "public-read-write", "authenticated-read")
SNAPSHOT_SHARING_ACTIONS: tuple[str, ...] = (
    "rds:ModifyDBSnapshotAttribute",
    "rds:ModifyDBClusterSnapshotAttribute",
    "ec2:ModifySnapshotAttribute",
)
# IAM writes that change what a role may do or who may assume it, or a policy's text.
IDENTITY_CHANGING_ACTIONS: tuple[str, ...] = (
    "iam:AttachRolePolicy",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:TagRole",
    "iam:UntagPolicy",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
BOUNDARY_REMOVING_ACTIONS: tuple[str, ...] = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
BOUNDARY_SETTING_ACTIONS: tuple[str, ...] = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
)
INTERNET_GATEWAY_ACTIONS: tuple[str, ...] = (
    "ec2:CreateInternetGateway",
    "ec2:AttachInternetGateway",
    "ec2:CreateEgressOnlyInternetGateway",
)


def exact_deployment_roles(config: LandingZoneConfig, partition: str) -> list[str]:
    """The CloudFormation execution role of the CDK bootstrap, by exact ARN (no wildcard), in every
    account and region that deploys LED audit resources: the workload and log archive accounts."""
    accounts = {a for env in config.environments.values() for a in (env.accounts.workload, env.accounts.log_archive)}
    return _deployment_roles(config, sorted(accounts))


def fb_key_administrators(config: LandingZoneConfig, partition: str) -> list[str]:
    principals = {
        f"arn:{partition}:iam::{env.accounts.key_custody}:role/{env.keys.key_admin_role_name}"
        for env in config.environments.values()
    }
    principals.update(config.execution_role_arns(bootstrapper="FB"))
    return sorted(principals)


def led_boundary_arns(config: LandingZoneConfig) -> list[str]:
    """The exact ARNs of the LED permissions boundaries: the Baseline stack's, the log archive's,
    and the deployment boundary the bootstrap gives its own roles (tools/bootstrap/)."""
    partition = organization_partition(config)
    arns = set()
    for env in config.environments.values():
        arns.add(f"arn:{partition}:iam::{env.accounts.workload}:policy/{env.resource_name('permissions-boundary')}")
        arns.add(f"arn:{partition}:iam::{env.accounts.log_archive}:policy/{env.resource_name('log-archive-boundary')}")
    members = set(member_accounts(config))
    for account, region, who in config.bootstrap_targets():
        if who == "AHOVOKS" and account in members:
            arns.add(f"arn:{partition}:iam::{account}:policy/{deployment_boundary_name(config, region)}")
    return sorted(arns)


def deployment_boundary_name(config: LandingZoneConfig, region: str) -> str:
    """The boundary the bootstrap template creates for its roles (tools/bootstrap/)."""
    return f"led-{config.deployment.qualifier}-deployment-boundary-{region}"


def log_archive_bucket_patterns(partition: str) -> list[str]:
    # Matches LogArchiveStack's deterministic name led-<env>-log-archive-<account>-<region>.
    bucket = f"arn:{partition}:s3:::led-*-log-archive-*"
    return [bucket, f"{bucket}/*"]


def audit_log_group_pattern(partition: str) -> str:
    # Matches AuditStack's deterministic log group names /led/<env>/...
    return f"arn:{partition}:logs:*:*:log-group:/led/*"


def audit_guardrail(config: LandingZoneConfig) -> Guardrail:
    partition = organization_partition(config)
    deployers = _not_principals(_deployment_roles(config, member_accounts(config)))
    log_archive_accounts = sorted({env.accounts.log_archive for env in config.environments.values()})
    return Guardrail(
        name="led-audit-guardrail",
        description="LED: the audit trail, Config, GuardDuty and the log archive stay on (VTC-AUDIT-TRAIL, §27, §49)",
        document=_document(
            _deny("DenyDisablingAudit", AUDIT_DISABLING_ACTIONS),
            _deny("DenyChangingAuditOutsideDeployment", AUDIT_CHANGING_ACTIONS, condition=deployers),
            _deny("DenyDeletingAuditLogGroups", AUDIT_LOG_DELETING_ACTIONS, [audit_log_group_pattern(partition)]),
            _deny("DenyDeletingArchivedLogs", LOG_ARCHIVE_DELETING_ACTIONS, log_archive_bucket_patterns(partition)),
            # Only the log archive account's own deployment changes the bucket's policy and lock.
            _deny(
                "DenyChangingLogArchiveOutsideItsDeployment",
                LOG_ARCHIVE_CHANGING_ACTIONS,
                log_archive_bucket_patterns(partition),
                condition=_not_principals(_deployment_roles(config, log_archive_accounts)),
            ),
            # The database and flow logs, their subscriptions to the archive, the metric filters,
            # alarms, alarm rules and topics (cdk_constructs/audit_protection.py, also in the boundary).
            _deny(
                AUDIT_PROTECTION_SID,
                AUDIT_TAMPERING_ACTIONS,
                audit_resource_patterns(partition),
                condition={"ArnNotEquals": {"aws:PrincipalArn": exact_deployment_roles(config, partition)}},
            ),
        ),
    )


def key_creation_statements(config: LandingZoneConfig) -> list[dict]:
    """Keys and key stores are created only in a key custody account, and there only with the
    environment's keys.origin (kms:KeyOrigin: AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE).
    A key store of a workload role's own, pointing at a proxy of its choice, would be a key outside
    FB's custody (VTC §51). The origin statement bites where the key custody account is a target."""
    custodians: dict[str, set[str]] = {}
    for env in config.environments.values():
        custodians.setdefault(env.accounts.key_custody, set()).add(env.keys.origin)
    statements = [
        _deny(
            "DenyKeysOutsideKeyCustody",
            ["kms:CreateKey", "kms:CreateCustomKeyStore", "kms:ConnectCustomKeyStore", "kms:UpdateCustomKeyStore"],
            condition={"StringNotEquals": {"aws:PrincipalAccount": sorted(custodians)}},
        )
    ]
    by_origins: dict[tuple[str, ...], list[str]] = {}
    for account, allowed in sorted(custodians.items()):
        by_origins.setdefault(tuple(sorted(allowed)), []).append(account)
    for i, (origins, accounts) in enumerate(sorted(by_origins.items())):
        condition = {
            "StringEquals": {"aws:PrincipalAccount": accounts},
            "StringNotEquals": {"kms:KeyOrigin": list(origins)},
        }
        statements.append(_deny(f"DenyKeysOfAnotherOrigin{i or ''}", ["kms:CreateKey"], condition=condition))
    return statements


def data_guardrail(config: LandingZoneConfig) -> Guardrail:
    partition = organization_partition(config)
    deployers = _deployment_roles(config, member_accounts(config))
    statements = [
        _deny(
            "DenyKeyAdministrationExceptFacilitairBedrijf",
            KEY_ADMINISTRATION_ACTIONS,
            condition=_not_principals(fb_key_administrators(config, partition)),
        ),
        _deny(
            "DenyPublicAccessBlockChanges",
            ["s3:PutAccountPublicAccessBlock", "s3:PutBucketPublicAccessBlock"],
            condition=_not_principals(deployers),
        ),
        _deny(
            "DenyPublicS3Acls",
            ["s3:CreateBucket", "s3:PutBucketAcl", "s3:PutObject", "s3:PutObjectAcl"],
            condition={"StringEquals": {"s3:x-amz-acl": list(PUBLIC_ACL_VALUES)}},
        ),
        # Without an internet gateway no database (or anything else) can be reached from the
        # internet, whatever its PubliclyAccessible flag says; Config reports the flag itself.
        _deny("DenyInternetGatewaysSoNoPublicDatabase", INTERNET_GATEWAY_ACTIONS),
        # Snapshots are never shared (neither public nor with another account): copies to the
        # backup account go vault to vault through AWS Backup.
        _deny("DenySnapshotSharing", SNAPSHOT_SHARING_ACTIONS),
        _deny(
            "DenyResourceSharesOutsideOrganization",
            ["ram:CreateResourceShare", "ram:UpdateResourceShare"],
            condition={"Bool": {"ram:RequestedAllowsExternalPrincipals": "true"}},
        ),
        _deny("DenyLeavingOrganization", ["organizations:LeaveOrganization"]),
        # Issue #9: no VPN, peering, Transit Gateway, NAT or function URL (the rest of the egress
        # statements are in the region guardrail: the documents' sizes).
        *[st for st in egress_statements(config) if st["Sid"] == "DenyNetworkLinksOut"],
        *key_creation_statements(config),
    ]
    organization = config.organization
    if organization is not None and organization.organization_id is not None:
        # VTC-NO-COPY (§49): objects are only written to buckets of the organisation.
        statements.append(
            _deny(
                "DenyWritingOutsideOrganization",
                ["s3:PutObject", "s3:ReplicateObject"],
                condition={"StringNotEqualsIfExists": {"aws:ResourceOrgID": organization.organization_id}},
            )
        )
    return Guardrail(
        name="led-data-guardrail",
        description="LED: keys with FB only, nothing public, no sharing, stay in the organisation (§49, §51)",
        document=_document(*statements),
    )


def identity_guardrail(config: LandingZoneConfig) -> Guardrail:
    """Nobody but the deployment role changes the roles that deploy or the LED roles and
    policies, or removes or replaces a permissions boundary (design.md, "The deployment path")."""
    partition = organization_partition(config)
    deployers = _not_principals(_deployment_roles(config, member_accounts(config)))
    protected = [
        f"arn:{partition}:iam::*:role/cdk-{config.deployment.qualifier}-*",
        f"arn:{partition}:iam::*:role/led-*",
        f"arn:{partition}:iam::*:policy/led-*",
    ]
    return Guardrail(
        name="led-identity-guardrail",
        description="LED: deployment and LED roles, boundaries change only by deployment (VTC §14-15, §34)",
        document=_document(
            _deny("DenyChangingDeploymentAndLedIdentities", IDENTITY_CHANGING_ACTIONS, protected, deployers),
            _deny("DenyRemovingPermissionsBoundaries", BOUNDARY_REMOVING_ACTIONS, condition=deployers),
            _deny(
                "DenyIdentitiesWithoutTheLedBoundary",
                BOUNDARY_SETTING_ACTIONS,
                condition={"StringNotEquals": {"iam:PermissionsBoundary": led_boundary_arns(config)}, **deployers},
            ),
        ),
    )


def guardrails(config: LandingZoneConfig) -> list[Guardrail]:
    documents = [region_guardrail(config), audit_guardrail(config), data_guardrail(config), identity_guardrail(config)]
    return check_quota(documents, kind="service control policy", max_chars=SCP_MAX_CHARS)


def write_reviewable(config: LandingZoneConfig, directory: Path = SCP_DIRECTORY) -> list[Path]:
    return write_reviewable_files(guardrails(config), directory)


def main(argv: list[str]) -> int:
    """Write the reviewable SCPs (policies/scp/) and RCPs (policies/rcp/); a bad config or a policy
    over the quota is one line on stderr, and nothing is written."""
    from policies import rcp

    try:
        config = load_config(argv[1] if len(argv) > 1 else None)
        guardrails(config), rcp.rcps(config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in [*write_reviewable(config), *rcp.write_reviewable(config)]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
