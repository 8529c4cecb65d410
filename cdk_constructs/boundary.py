"""The permissions boundary every role of the LED carries (VTC-LEAST-PRIVILEGE, VTC-PROCESSOR).

A boundary grants nothing by itself: it caps what any policy attached to a role can grant. Its
allow statement is therefore broad, and its deny statements are the point: whatever a role's own
policy says, no LED role can administer FB's keys, switch off the audit trail, make data public
or leave the EU regions.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from cdk_constructs.audit_protection import audit_protection_statements
from cdk_constructs.risk import accept_risk

BOUNDARY_METADATA = "led:permissions-boundary"


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
        iam.PolicyStatement(
            sid="DenyKeyAdministration",
            effect=iam.Effect.DENY,
            actions=[
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
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="DenyStoppingTheAuditTrail",
            effect=iam.Effect.DENY,
            actions=[
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
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="DenyMakingDataPublic",
            effect=iam.Effect.DENY,
            actions=[
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
            resources=["*"],
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
        # path (RDS, Secrets Manager, AWS Backup, S3 for the exit export), as the key policy grants
        # it; no role calls KMS with it directly.
        statements.append(
            iam.PolicyStatement(
                sid="DenyDataKeyOutsideTheApplicationPath",
                effect=iam.Effect.DENY,
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"],
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
    ) -> None:
        super().__init__(scope, construct_id)
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
                *extra_statements,
                *audit_protection_statements(),
            ],
        )
        self.policy.node.default_child.add_metadata(BOUNDARY_METADATA, True)  # type: ignore[union-attr]
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
            accept_risk(self.policy, rule, reason)


def apply_boundary(scope: IConstruct, policy: iam.IManagedPolicy) -> None:
    """Every role created under scope, CDK's own helper roles included, gets the boundary."""
    iam.PermissionsBoundary.of(scope).apply(policy)
