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
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cdk_constructs.boundary import PermissionsBoundaryPolicy, apply_boundary
from cdk_constructs.log_stream_archive import (
    ARCHIVE_SOURCES,
    ArchiveLogStream,
    archive_firehose_role_name,
    archive_prefix,
)
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


def key_custody_trail_name(config: EnvironmentConfig) -> str:
    return config.resource_name("key-custody-trail")


def key_custody_trail_arn(config: EnvironmentConfig) -> str:
    return (
        f"arn:{Aws.PARTITION}:cloudtrail:{config.region}:{config.accounts.key_custody}:trail/"
        f"{key_custody_trail_name(config)}"
    )


def key_custody_event_bus_name(config: EnvironmentConfig) -> str:
    return config.resource_name("key-custody-events")


def key_custody_event_bus_arn(config: EnvironmentConfig) -> str:
    return (
        f"arn:{Aws.PARTITION}:events:{config.region}:{config.accounts.log_archive}:event-bus/"
        f"{key_custody_event_bus_name(config)}"
    )


# What FB does to its keys (and to the trail and rule that watch them) that AHOVOKS must see (§51).
KEY_CUSTODY_WATCHED_EVENTS: dict[str, tuple[str, ...]] = {
    "kms.amazonaws.com": (
        "PutKeyPolicy",
        "CreateGrant",
        "RetireGrant",
        "RevokeGrant",
        "DisableKey",
        "DisableKeyRotation",
        "ScheduleKeyDeletion",
        "DeleteImportedKeyMaterial",
    ),
    "cloudtrail.amazonaws.com": ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
    "events.amazonaws.com": ("DisableRule", "DeleteRule", "PutRule", "PutTargets", "RemoveTargets"),
}


def key_custody_event_pattern(config: EnvironmentConfig) -> dict:
    """The EventBridge pattern of those calls, in the key custody account."""
    return {
        "source": sorted(f"aws.{s.split('.')[0]}" for s in KEY_CUSTODY_WATCHED_EVENTS),
        "account": [config.accounts.key_custody],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": sorted(KEY_CUSTODY_WATCHED_EVENTS),
            "eventName": sorted({n for names in KEY_CUSTODY_WATCHED_EVENTS.values() for n in names}),
        },
    }


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
            # Every trail covers every region and the global services (IAM, STS): a bucket change
            # made through another region's endpoint is recorded too.
            is_multi_region_trail=True,
            include_global_service_events=True,
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
        # VTC-LOGS-DIRECT (§27): the workload's database and flow logs, streamed in under the FB
        # log key (cdk_constructs/log_stream_archive.py).
        self.log_streams = {
            source: ArchiveLogStream(
                self, f"Archive{source.title().replace('-', '')}", config=cfg, source=source, bucket_name=bucket_name
            )
            for source in ARCHIVE_SOURCES
        }
        self._bucket_policy(cfg, domain)
        self._key_custody_alarms(cfg, domain)
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
            risk="iam-aws-generated-names",
        )

    def _logical_id(self, bucket: s3.Bucket) -> str:
        return self.get_logical_id(bucket.node.default_child)

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
            # The key custody account's own trail (stacks/key_custody.py, KeyCustodyAuditStack).
            iam.PolicyStatement(
                sid="KeyCustodyTrailAclCheck",
                principals=[cloudtrail],
                actions=["s3:GetBucketAcl"],
                resources=[bucket.bucket_arn],
                conditions={"StringEquals": {"aws:SourceArn": key_custody_trail_arn(cfg)}},
            ),
            iam.PolicyStatement(
                sid="KeyCustodyTrailWrite",
                principals=[cloudtrail],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"AWSLogs/{acc.key_custody}/*")],
                conditions={"StringEquals": {"aws:SourceArn": key_custody_trail_arn(cfg), **owner_full_control}},
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

    def _key_custody_alarms(self, cfg: EnvironmentConfig, domain: str) -> None:
        """FB's key changes reach AHOVOKS (§51): the key custody account's EventBridge rule forwards
        them to this bus; a rule here publishes them to an AHOVOKS topic under the FB log key."""
        bus_arn = key_custody_event_bus_arn(cfg)
        self.key_custody_bus = events.CfnEventBus(
            self,
            "KeyCustodyEvents",
            name=key_custody_event_bus_name(cfg),
            description=f"LED {cfg.name}: key policy, grant, disable and deletion events of the FB keys",
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "KeyCustodyAccountForwards",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:{Aws.PARTITION}:iam::{cfg.accounts.key_custody}:root"},
                        "Action": "events:PutEvents",
                        "Resource": bus_arn,
                    }
                ],
            },
        )
        self.key_custody_topic = sns.Topic(
            self,
            "KeyCustodyAlarms",
            topic_name=cfg.resource_name("key-custody-alarms"),
            display_name=f"LED {cfg.name} key custody alarms (AHOVOKS)",
            master_key=kms.Key.from_key_arn(self, "AlarmsLogKey", cfg.key_arn("log")),
            enforce_ssl=True,
        )
        if cfg.audit.alarm_email is not None:
            self.key_custody_topic.add_subscription(subscriptions.EmailSubscription(cfg.audit.alarm_email))
        rule_name = cfg.resource_name("key-custody-alarms")
        self.key_custody_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="KeyCustodyAlarmRule",
                principals=[iam.ServicePrincipal(f"events.{domain}")],
                actions=["sns:Publish"],
                resources=[self.key_custody_topic.topic_arn],
                conditions={
                    "ArnEquals": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:events:{cfg.region}:{cfg.accounts.log_archive}:"
                        f"rule/{key_custody_event_bus_name(cfg)}/{rule_name}"
                    }
                },
            )
        )
        self.key_custody_rule = events.CfnRule(
            self,
            "KeyCustodyAlarmRule",
            name=rule_name,
            description=f"LED {cfg.name}: FB changed a key policy, a grant, or disabled or deleted a key (VTC §51)",
            event_bus_name=self.key_custody_bus.attr_name,
            event_pattern=key_custody_event_pattern(cfg),
            state="ENABLED",
            targets=[events.CfnRule.TargetProperty(id="AhovoksTopic", arn=self.key_custody_topic.topic_arn)],
        )
