"""The Object Lock bucket of the log archive, its policy and the trail of who read it
(VTC-LOGS-DIRECT §27, VTC-AUDIT-TRAIL §49, VTC-ENCRYPT-ALL §48).

Locked in compliance mode (nobody, the platform operator and AWS included, can delete or overwrite
a log before the lock expires) and encrypted with the Facilitair Bedrijf's log key. The workload's
trail and AWS Config, the key custody account's trail and the archive streams of
cdk_constructs/log_stream_archive.py write into it, each under its own prefix, and nobody of the
workload account may tamper with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.audit_trail import archive_trail
from cdk_constructs.log_stream_archive import ARCHIVE_SOURCES, archive_firehose_role_name, archive_prefix
from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of
from contract.names import (
    CONFIG_PREFIX,
    archive_access_trail_arn,
    archive_access_trail_name,
    config_recorder_role_name,
    key_custody_trail_arn,
    trail_arn,
)

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


def archive_bucket_arn(config: EnvironmentConfig) -> str:
    return f"arn:{Aws.PARTITION}:s3:::{config.log_archive_bucket_name}"


@dataclass(frozen=True)
class LogArchiveBucketProps:
    config: EnvironmentConfig
    log_key: kms.IKey


class LogArchiveBucket(Construct):
    """The bucket, the policy of who delivers into it, and the archive-access trail."""

    def __init__(self, scope: Construct, construct_id: str, props: LogArchiveBucketProps) -> None:
        super().__init__(scope, construct_id)
        cfg = props.config
        lock_days = cfg.audit.object_lock_days
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=cfg.log_archive_bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=props.log_key,
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
        self.access_trail = self._access_trail(cfg)
        self._accept_risks()
        self._policy(cfg)

    def _access_trail(self, cfg: EnvironmentConfig) -> cloudtrail.CfnTrail:
        """Who read the archive: a trail of the log archive account records every object read (and
        every change to the bucket) into the archive itself, under the FB log key and Object Lock.
        Not S3 server access logging: S3 delivers those only to an SSE-S3 bucket without a default
        Object Lock retention, a store that VTC-ENCRYPT-ALL (§48) and VTC-LOGS-DIRECT (§27) refuse."""
        field = cloudtrail.CfnTrail.AdvancedFieldSelectorProperty
        trail = archive_trail(
            self,
            "ArchiveAccessTrail",
            cfg,
            name=archive_access_trail_name(cfg),
            s3_key_prefix=ARCHIVE_ACCESS_PREFIX,
            advanced_event_selectors=[
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="Changes to the archive's configuration",
                    field_selectors=[
                        field(field="eventCategory", equal_to=["Management"]),
                        field(field="readOnly", equal_to=["false"]),
                    ],
                ),
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    # Reads only: the trail's own deliveries are writes, so it never logs itself.
                    name="Every read of an archived log",
                    field_selectors=[
                        field(field="eventCategory", equal_to=["Data"]),
                        field(field="resources.type", equal_to=["AWS::S3::Object"]),
                        field(field="readOnly", equal_to=["true"]),
                        field(field="resources.ARN", starts_with=[f"{archive_bucket_arn(cfg)}/"]),
                    ],
                ),
            ],
        )
        trail.node.add_dependency(self.bucket)
        return trail

    def _accept_risks(self) -> None:
        accept_risk(
            self.access_trail,
            "NIST.800.53.R5::NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled",
            "The archive-access records stay in the archive itself, where AHOVOKS reads them directly "
            "(VTC §27); no alarm is built on them, so a CloudWatch Logs copy in the archive account would "
            "only be one more copy to govern.",
            risk="archive-trail-without-cloudwatch-logs",
        )
        for rule in ("AwsSolutions::AwsSolutions-S1", "NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled"):
            accept_risk(
                self.bucket.node.default_child,
                rule,
                "Reads of the archive are recorded by the archive-access CloudTrail trail (object-level data "
                "events, KMS-encrypted, validated, kept under Object Lock) instead of S3 server access logs, "
                "which S3 can only deliver unencrypted by the FB key into a bucket without Object Lock.",
                risk="bucket-access-by-cloudtrail-data-events",
            )
        accept_risk(
            self.bucket.node.default_child,
            "NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled",
            "The archive's immutability comes from Object Lock in compliance mode in an AHOVOKS account the "
            "processor cannot reach; a cross-region replica would need a second FB log key and is not required "
            "by the VTC advice for logs (§27, §49).",
            risk="buckets-not-replicated",
        )

    def _policy(self, cfg: EnvironmentConfig) -> None:
        """Who may deliver into the archive, each under its own prefix, and the workload account's deny."""
        acc = cfg.accounts
        bucket = self.bucket
        workload = acc.workload
        domain = service_domain_of(cfg.region)
        cloudtrail_ = iam.ServicePrincipal(f"cloudtrail.{domain}")
        aws_config = iam.ServicePrincipal(f"config.{domain}")
        owner_full_control = {"s3:x-amz-acl": "bucket-owner-full-control"}
        from_trail = {"aws:SourceArn": trail_arn(cfg, Aws.PARTITION)}
        from_access_trail = {"aws:SourceArn": archive_access_trail_arn(cfg, Aws.PARTITION)}
        from_key_custody_trail = {"aws:SourceArn": key_custody_trail_arn(cfg, Aws.PARTITION)}
        from_workload = {"aws:SourceAccount": workload}
        recorder_role = f"arn:{Aws.PARTITION}:iam::{workload}:role/{config_recorder_role_name(cfg)}"
        config_objects = bucket.arn_for_objects(f"{CONFIG_PREFIX}/AWSLogs/{workload}/Config/*")

        def trail_delivery(sid: str, source: dict, prefix: str) -> list[iam.PolicyStatement]:
            return [
                iam.PolicyStatement(
                    sid=f"{sid}AclCheck",
                    principals=[cloudtrail_],
                    actions=["s3:GetBucketAcl"],
                    resources=[bucket.bucket_arn],
                    conditions={"StringEquals": source},
                ),
                iam.PolicyStatement(
                    sid=f"{sid}Write",
                    principals=[cloudtrail_],
                    actions=["s3:PutObject"],
                    resources=[bucket.arn_for_objects(f"{prefix}/*")],
                    conditions={"StringEquals": {**source, **owner_full_control}},
                ),
            ]

        statements = [
            *trail_delivery("CloudTrail", from_trail, f"AWSLogs/{workload}"),
            *trail_delivery(
                "ArchiveAccessTrail", from_access_trail, f"{ARCHIVE_ACCESS_PREFIX}/AWSLogs/{acc.log_archive}"
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
                resources=[config_objects],
                conditions={"StringEquals": {**from_workload, **owner_full_control}},
            ),
            # The key custody account's own trail (stacks/key_custody.py, KeyCustodyAuditStack).
            *trail_delivery("KeyCustodyTrail", from_key_custody_trail, f"AWSLogs/{acc.key_custody}"),
            # Config tries its recorder role first. Named by condition, not as principal, so this
            # policy deploys before the workload's audit stack has created the role.
            iam.PolicyStatement(
                sid="ConfigRecorderRoleWrite",
                principals=[iam.AccountPrincipal(workload)],
                actions=["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
                resources=[bucket.bucket_arn, config_objects],
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
        # Each archive stream's Firehose role writes under its own prefix only.
        for source in ARCHIVE_SOURCES:
            role_arn = f"arn:{Aws.PARTITION}:iam::{acc.log_archive}:role/{archive_firehose_role_name(cfg, source)}"
            statements.append(
                iam.PolicyStatement(
                    sid=f"ArchiveStream{source.title().replace('-', '')}Write",
                    principals=[iam.AccountPrincipal(acc.log_archive)],
                    actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                    resources=[bucket.arn_for_objects(f"{archive_prefix(cfg, source)}/*")],
                    conditions={"ArnEquals": {"aws:PrincipalArn": role_arn}},
                )
            )
        for statement in statements:
            bucket.add_to_resource_policy(statement)
