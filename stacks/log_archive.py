"""The log archive, in the AHOVOKS log archive account (VTC-LOGS-DIRECT §27, VTC-AUDIT-TRAIL §49).

The CloudTrail trail and AWS Config of the workload account deliver here. The bucket is locked
in compliance mode (nobody, the platform operator and AWS included, can delete or overwrite a log
before the lock expires), encrypted with the Facilitair Bedrijf's log key, and read by AHOVOKS'
auditors directly through a role of this account, without the processor in between.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.boundary import PermissionsBoundaryPolicy, apply_boundary
from cdk_constructs.party_role import PartyRole
from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of

CONFIG_PREFIX = "config"
ARCHIVE_ACCESS_PREFIX = "archive-access"

# What nobody of the workload account may do to the archive (bucket policy), and what no role
# of the log archive account may do either (its boundary): VTC-LOGS-DIRECT.
ARCHIVE_TAMPERING_ACTIONS: tuple[str, ...] = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:BypassGovernanceRetention",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutEncryptionConfiguration",
)


def log_archive_bucket_name(config: EnvironmentConfig) -> str:
    """Deterministic: the workload's trail and Config must know it without a cross-account export."""
    return config.log_archive_bucket_name


def trail_name(config: EnvironmentConfig) -> str:
    return config.resource_name("trail")


def trail_arn(config: EnvironmentConfig) -> str:
    return f"arn:{Aws.PARTITION}:cloudtrail:{config.region}:{config.accounts.workload}:trail/{trail_name(config)}"


def archive_access_trail_name(config: EnvironmentConfig) -> str:
    return config.resource_name("archive-access")


def archive_access_trail_arn(config: EnvironmentConfig) -> str:
    return (
        f"arn:{Aws.PARTITION}:cloudtrail:{config.region}:{config.accounts.log_archive}:trail/"
        f"{archive_access_trail_name(config)}"
    )


def config_recorder_role_name(config: EnvironmentConfig) -> str:
    return config.resource_name("config-recorder")


class LogArchiveStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        allowed_regions: Sequence[str],
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config
        acc = cfg.accounts
        domain = service_domain_of(cfg.region)
        bucket_name = log_archive_bucket_name(cfg)
        lock_days = cfg.audit.object_lock_days
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{bucket_name}"

        self.boundary = PermissionsBoundaryPolicy(
            self,
            "PermissionsBoundary",
            policy_name=cfg.resource_name("log-archive-boundary"),
            allowed_regions=allowed_regions,
            key_custody_account=acc.key_custody,
            extra_statements=[
                iam.PolicyStatement(
                    sid="DenyTamperingWithTheLogArchive",
                    effect=iam.Effect.DENY,
                    actions=list(ARCHIVE_TAMPERING_ACTIONS),
                    resources=[bucket_arn, f"{bucket_arn}/*"],
                )
            ],
        )
        apply_boundary(self, self.boundary.policy)

        log_key = kms.Key.from_key_arn(self, "LogKey", cfg.key_arn("log"))

        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=log_key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=True,
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.compliance(Duration.days(lock_days)),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Never before the lock expires: the lock would refuse it anyway, the lifecycle says so.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireWhenTheLockExpires",
                    expiration=Duration.days(lock_days),
                    noncurrent_version_expiration=Duration.days(lock_days),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Who read the archive: a trail of the log archive account records every object read (and
        # every change to the bucket) into the archive itself, under the FB log key and Object Lock.
        # Not S3 server access logging: S3 delivers those only to an SSE-S3 bucket without a default
        # Object Lock retention, a store that VTC-ENCRYPT-ALL (§48) and VTC-LOGS-DIRECT (§27) refuse.
        self.access_trail = cloudtrail.CfnTrail(
            self,
            "ArchiveAccessTrail",
            trail_name=archive_access_trail_name(cfg),
            is_logging=True,
            s3_bucket_name=bucket_name,
            s3_key_prefix=ARCHIVE_ACCESS_PREFIX,
            kms_key_id=cfg.key_arn("log"),
            enable_log_file_validation=True,
            is_multi_region_trail=False,
            include_global_service_events=False,
            advanced_event_selectors=[
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="Changes to the archive's configuration",
                    field_selectors=[
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="eventCategory", equal_to=["Management"]
                        ),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="readOnly", equal_to=["false"]),
                    ],
                ),
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    # Reads only: the trail's own deliveries are writes, so it never logs itself.
                    name="Every read of an archived log",
                    field_selectors=[
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="eventCategory", equal_to=["Data"]),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="resources.type", equal_to=["AWS::S3::Object"]
                        ),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="readOnly", equal_to=["true"]),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="resources.ARN", starts_with=[f"{bucket_arn}/"]
                        ),
                    ],
                ),
            ],
        )
        self.access_trail.node.add_dependency(self.bucket)
        accept_risk(
            self.access_trail,
            "NIST.800.53.R5::NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled",
            "The archive-access records stay in the archive itself, where AHOVOKS reads them directly "
            "(VTC §27); no alarm is built on them, so a CloudWatch Logs copy in the archive account would "
            "only be one more copy to govern.",
        )
        for rule in ("AwsSolutions::AwsSolutions-S1", "NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled"):
            accept_risk(
                self.bucket.node.default_child,
                rule,
                "Reads of the archive are recorded by the archive-access CloudTrail trail (object-level data "
                "events, KMS-encrypted, validated, kept under Object Lock) instead of S3 server access logs, "
                "which S3 can only deliver unencrypted by the FB key into a bucket without Object Lock.",
            )
        accept_risk(
            self.bucket.node.default_child,
            "NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled",
            "The archive's immutability comes from Object Lock in compliance mode in an AHOVOKS account the "
            "processor cannot reach; a cross-region replica would need a second FB log key and is not required "
            "by the VTC advice for logs (§27, §49).",
        )
        self._bucket_policy(cfg, domain)
        CfnOutput(
            self,
            "LogArchiveBucketName",
            value=self.bucket.bucket_name,
            description="The audit log archive (Object Lock, FB log key) AHOVOKS reads directly (VTC §27)",
        )
        CfnOutput(
            self,
            "ArchiveAccessTrailArn",
            value=self.access_trail.attr_arn,
            description="The trail that records every read of the archive",
        )

        self.auditor = PartyRole(
            self,
            "AhovoksLogAuditor",
            role_name=cfg.resource_name("log-auditor"),
            description=f"LED {cfg.name}: AHOVOKS auditors read the log archive directly (VTC §27)",
            party="AHOVOKS",
            human_principal_arns=cfg.access.auditor_principals,
            max_session=Duration.hours(cfg.access.session_hours),
            statements=[
                iam.PolicyStatement(
                    sid="ListTheArchive",
                    actions=[
                        "s3:ListBucket",
                        "s3:ListBucketVersions",
                        "s3:GetBucketLocation",
                        "s3:GetBucketObjectLockConfiguration",
                        "s3:GetBucketVersioning",
                    ],
                    resources=[self.bucket.bucket_arn],
                ),
                iam.PolicyStatement(
                    sid="ReadArchivedLogs",
                    actions=["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                    resources=[self.bucket.arn_for_objects("*")],
                ),
                iam.PolicyStatement(
                    sid="DecryptThroughS3Only",
                    actions=["kms:Decrypt"],
                    resources=[cfg.key_arn("log")],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{cfg.region}.{domain}"}},
                ),
            ],
        )
        accept_risk(
            self.auditor.policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{self._logical_id(self.bucket)}.Arn>/*]",
            "AHOVOKS auditors read every log object of this one archive bucket (read-only; object keys are "
            "chosen by CloudTrail and Config per account, region and date).",
        )

    def _logical_id(self, bucket: s3.Bucket) -> str:
        return self.get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]

    def _bucket_policy(self, cfg: EnvironmentConfig, domain: str) -> None:
        acc = cfg.accounts
        bucket = self.bucket
        workload = acc.workload
        cloudtrail = iam.ServicePrincipal(f"cloudtrail.{domain}")
        aws_config = iam.ServicePrincipal(f"config.{domain}")
        owner_full_control = {"s3:x-amz-acl": "bucket-owner-full-control"}
        from_trail = {"aws:SourceArn": trail_arn(cfg)}
        from_workload = {"aws:SourceAccount": workload}
        recorder_role = f"arn:{Aws.PARTITION}:iam::{workload}:role/{config_recorder_role_name(cfg)}"
        statements = [
            iam.PolicyStatement(
                sid="CloudTrailAclCheck",
                principals=[cloudtrail],
                actions=["s3:GetBucketAcl"],
                resources=[bucket.bucket_arn],
                conditions={"StringEquals": from_trail},
            ),
            iam.PolicyStatement(
                sid="CloudTrailWrite",
                principals=[cloudtrail],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"AWSLogs/{workload}/*")],
                conditions={"StringEquals": {**from_trail, **owner_full_control}},
            ),
            iam.PolicyStatement(
                sid="ArchiveAccessTrailAclCheck",
                principals=[cloudtrail],
                actions=["s3:GetBucketAcl"],
                resources=[bucket.bucket_arn],
                conditions={"StringEquals": {"aws:SourceArn": archive_access_trail_arn(cfg)}},
            ),
            iam.PolicyStatement(
                sid="ArchiveAccessTrailWrite",
                principals=[cloudtrail],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{ARCHIVE_ACCESS_PREFIX}/AWSLogs/{acc.log_archive}/*")],
                conditions={"StringEquals": {"aws:SourceArn": archive_access_trail_arn(cfg), **owner_full_control}},
            ),
            iam.PolicyStatement(
                sid="ConfigAclCheck",
                principals=[aws_config],
                actions=["s3:GetBucketAcl", "s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringEquals": from_workload},
            ),
            iam.PolicyStatement(
                sid="ConfigWrite",
                principals=[aws_config],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{CONFIG_PREFIX}/AWSLogs/{workload}/Config/*")],
                conditions={"StringEquals": {**from_workload, **owner_full_control}},
            ),
            # Config tries its recorder role first. Named by condition, not as principal, so this
            # policy deploys before the workload's audit stack has created the role.
            iam.PolicyStatement(
                sid="ConfigRecorderRoleWrite",
                principals=[iam.AccountPrincipal(workload)],
                actions=["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
                resources=[bucket.bucket_arn, bucket.arn_for_objects(f"{CONFIG_PREFIX}/AWSLogs/{workload}/Config/*")],
                conditions={"ArnEquals": {"aws:PrincipalArn": recorder_role}},
            ),
            # VTC-LOGS-DIRECT: whatever else is granted one day, no principal of the account the
            # processor runs can delete logs, or change the policy, the lock or the lifecycle.
            iam.PolicyStatement(
                sid="DenyWorkloadTampering",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(ARCHIVE_TAMPERING_ACTIONS),
                resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
                conditions={"StringEquals": {"aws:PrincipalAccount": workload}},
            ),
        ]
        for statement in statements:
            bucket.add_to_resource_policy(statement)
