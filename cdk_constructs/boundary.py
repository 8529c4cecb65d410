"""The permissions boundary every role of the LED carries (VTC-LEAST-PRIVILEGE, VTC-PROCESSOR).

A boundary grants nothing by itself: it caps what any policy attached to a role can grant. Its
allow statement is therefore broad, and its deny statements are the point: whatever a role's own
policy says, no LED role can administer FB's keys, switch off the audit trail, make data public
or leave the EU regions.

The boundary also protects itself, as AWS's delegation example for permissions boundaries does
(IAM User Guide, "Permissions boundaries for IAM entities"): no LED role can remove or replace a
role's boundary, create a role or user without it, edit or delete the boundary policy, or change
whom an `led-*` role trusts (VTC-LEAST-PRIVILEGE, conclusion V). IAM caps a managed policy at
6,144 characters (whitespace not counted); tests/test_boundary_self_protection.py keeps the boundary under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from cdk_constructs.audit_protection import audit_protection_statements
from cdk_constructs.risk import accept_risk
from contract.metadata import METADATA_BOUNDARY

# The self-protection statements (their Sids; policies/rules/least_privilege_boundary_self.py checks them).
SELF_PROTECTION_SIDS = (
    "DenyRemovingTheBoundary",
    "DenyReplacingTheBoundary",
    "DenyRolesAndUsersWithoutTheBoundary",
    "DenyEditingTheBoundary",
    "DenyChangingLedRoleTrust",
)
MANAGED_POLICY_MAX_CHARS = 6144


def deny(
    sid: str,
    actions: Sequence[str],
    *,
    resources: Sequence[str] = ("*",),
    conditions: Mapping[str, Mapping[str, object]] | None = None,
) -> iam.PolicyStatement:
    """A Deny statement, on every resource unless told otherwise."""
    return iam.PolicyStatement(
        sid=sid,
        effect=iam.Effect.DENY,
        actions=list(actions),
        resources=list(resources),
        conditions=dict(conditions) if conditions is not None else None,
    )


def self_protection_statements(*, boundary_arn: str, account: str) -> list[iam.PolicyStatement]:
    """The denies that keep the boundary on every role and the boundary itself unchanged
    (AWS's permissions-boundary delegation example), for the boundary named by boundary_arn."""
    not_this_boundary = {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}}
    return [
        deny("DenyRemovingTheBoundary", ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]),
        deny(
            "DenyReplacingTheBoundary",
            ["iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"],
            conditions=not_this_boundary,
        ),
        deny("DenyRolesAndUsersWithoutTheBoundary", ["iam:CreateRole", "iam:CreateUser"], conditions=not_this_boundary),
        deny(
            "DenyEditingTheBoundary",
            [
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy",
            ],
            resources=[boundary_arn],
        ),
        deny(
            "DenyChangingLedRoleTrust",
            ["iam:UpdateAssumeRolePolicy"],
            resources=[f"arn:{Aws.PARTITION}:iam::{account}:role/led-*"],
        ),
    ]


def boundary_statements(
    *,
    allowed_regions: Sequence[str],
    key_custody_account: str,
    data_key_arn: str | None = None,
    data_key_services: Sequence[str] = (),
) -> list[iam.PolicyStatement]:
    partition = Aws.PARTITION
    statements = [
        iam.PolicyStatement(sid="BoundaryCeiling", actions=["*"], resources=["*"]),
        deny(
            "DenyKeyAdministration",
            [
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
                "kms:DisableKey",
                "kms:DisableKeyRotation",
                "kms:CreateKey",
                "kms:ImportKeyMaterial",
                "kms:DeleteImportedKeyMaterial",
                "kms:UpdateAlias",
                "kms:DeleteAlias",
                "kms:CreateAlias",
            ],
        ),
        deny(
            "DenyStoppingTheAuditTrail",
            [
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
                "cloudtrail:UpdateTrail",
                "cloudtrail:PutEventSelectors",
                "config:StopConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "ec2:DeleteFlowLogs",
                "logs:DeleteLogGroup",
                "logs:DeleteRetentionPolicy",
                "logs:DisassociateKmsKey",
                "guardduty:DeleteDetector",
                "config:DeleteConfigRule",
                "logs:DeleteMetricFilter",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DisableAlarmActions",
            ],
        ),
        deny(
            "DenyMakingDataPublic",
            [
                "s3:PutBucketPublicAccessBlock",
                "s3:PutAccountPublicAccessBlock",
                "s3:DeleteBucketPolicy",
                "rds:ModifyDBSnapshotAttribute",
                "rds:ModifyDBClusterSnapshotAttribute",
                "ec2:ModifySnapshotAttribute",
                "ec2:CreateInternetGateway",
                "ec2:AttachInternetGateway",
                "ec2:CreateNatGateway",
                "s3:PutBucketAcl",
                "s3:PutObjectAcl",
                "ram:CreateResourceShare",
            ],
        ),
        iam.PolicyStatement(
            sid="DenyOtherKeyCustodians",
            effect=iam.Effect.DENY,
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            not_resources=[f"arn:{partition}:kms:*:{key_custody_account}:key/*"],
        ),
        iam.PolicyStatement(
            sid="DenyOutsideAllowedRegions",
            effect=iam.Effect.DENY,
            not_actions=[
                "iam:*",
                "sts:*",
                "organizations:Describe*",
                "organizations:List*",
                "support:*",
                "cloudfront:*",
                "route53:*",
                "health:*",
                "budgets:*",
                "ce:*",
            ],
            resources=["*"],
            conditions={"StringNotEquals": {"aws:RequestedRegion": list(allowed_regions)}},
        ),
    ]
    if data_key_arn is not None:
        if not data_key_services:
            raise ValueError("data_key_services: name the services of the application path (kms:ViaService)")
        # VTC-PROCESSOR (§34): the data key decrypts only through the services of the application
        # path (RDS, Secrets Manager, AWS Backup, S3 for the exit export, Lambda for the functions'
        # environments), as the key policy grants it; no role calls KMS with it directly.
        statements.append(
            deny(
                "DenyDataKeyOutsideTheApplicationPath",
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"],
                resources=[data_key_arn],
                conditions={"StringNotEquals": {"kms:ViaService": list(data_key_services)}},
            )
        )
    return statements


class PermissionsBoundaryPolicy(Construct):
    """A managed policy with a deterministic name, used as the boundary of every role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        policy_name: str,
        allowed_regions: Sequence[str],
        key_custody_account: str,
        data_key_arn: str | None = None,
        data_key_services: Sequence[str] = (),
        extra_statements: Sequence[iam.PolicyStatement] = (),
        risk: str = "boundary-allow-all-ceiling",
    ) -> None:
        """risk: the register's risk of the allow-all ceiling (policies/risks.toml), the account owner's."""
        super().__init__(scope, construct_id)
        account = Stack.of(self).account
        # The ARN of this very policy (path /), built from its name: no token of the policy itself.
        self.boundary_arn = f"arn:{Aws.PARTITION}:iam::{account}:policy/{policy_name}"
        self.policy = iam.ManagedPolicy(
            self,
            "Default",
            managed_policy_name=policy_name,
            description="LED permissions boundary: caps every LED role (VTC-LEAST-PRIVILEGE)",
            statements=[
                *boundary_statements(
                    allowed_regions=allowed_regions,
                    key_custody_account=key_custody_account,
                    data_key_arn=data_key_arn,
                    data_key_services=data_key_services,
                ),
                *self_protection_statements(boundary_arn=self.boundary_arn, account=account),
                *extra_statements,
                *audit_protection_statements(),
            ],
        )
        self.policy.node.default_child.add_metadata(METADATA_BOUNDARY, True)
        reason = (
            "A permissions boundary grants nothing: its allow-all ceiling only bounds the roles' "
            "own policies, and its deny statements are the control (VTC-LEAST-PRIVILEGE)."
        )
        for rule in (
            "AwsSolutions::AwsSolutions-IAM5[Action::*]",
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "NIST.800.53.R5::NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess",
            "NIST.800.53.R5::NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess",
        ):
            accept_risk(self.policy, rule, reason, risk=risk)


def apply_boundary(scope: IConstruct, policy: iam.IManagedPolicy) -> None:
    """Every role created under scope, CDK's own helper roles included, gets the boundary."""
    iam.PermissionsBoundary.of(scope).apply(policy)
