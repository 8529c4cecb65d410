"""The log archive, in the AHOVOKS log archive account (VTC-LOGS-DIRECT §27, VTC-AUDIT-TRAIL §49).

The CloudTrail trail and AWS Config of the workload account deliver here. The bucket is locked
in compliance mode (nobody, the platform operator and AWS included, can delete or overwrite a log
before the lock expires), encrypted with the Facilitair Bedrijf's log key, and read by AHOVOKS'
auditors directly through a role of this account, without the processor in between.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from cdk_constructs.key_custody_alarms import KeyCustodyAlarms, KeyCustodyAlarmsProps
from cdk_constructs.log_archive_bucket import (
    ARCHIVE_TAMPERING_ACTIONS,
    LogArchiveBucket,
    LogArchiveBucketProps,
    archive_bucket_arn,
)
from cdk_constructs.log_stream_archive import ARCHIVE_SOURCES, ArchiveLogStream
from cdk_constructs.party_role import PartyRole
from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of
from stacks.own_boundary import OwnBoundaryStack


class LogArchiveStack(OwnBoundaryStack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        cfg = config
        bucket_arn = archive_bucket_arn(cfg)
        super().__init__(
            scope,
            construct_id,
            config=cfg,
            boundary="log-archive-boundary",
            boundary_statements=[
                iam.PolicyStatement(
                    sid="DenyTamperingWithTheLogArchive",
                    effect=iam.Effect.DENY,
                    actions=list(ARCHIVE_TAMPERING_ACTIONS),
                    resources=[bucket_arn, f"{bucket_arn}/*"],
                )
            ],
            **kwargs,
        )

        log_key = kms.Key.from_key_arn(self, "LogKey", cfg.key_arn("log"))
        # The stack's "Default" child, which CDK leaves out of logical ids: the bucket and the trail
        # keep the ids they had as children of the stack (named and locked, never to be replaced).
        self.archive = LogArchiveBucket(self, "Default", LogArchiveBucketProps(config=cfg, log_key=log_key))
        self.bucket = self.archive.bucket
        # VTC-LOGS-DIRECT (§27): the workload's database and flow logs, streamed in under the FB
        # log key (cdk_constructs/log_stream_archive.py).
        self.log_streams = {
            source: ArchiveLogStream(
                self,
                f"Archive{source.title().replace('-', '')}",
                config=cfg,
                source=source,
                bucket_name=cfg.log_archive_bucket_name,
            )
            for source in ARCHIVE_SOURCES
        }
        self.key_custody_alarms = KeyCustodyAlarms(self, "KeyCustodyAlarms", KeyCustodyAlarmsProps(config=cfg))
        CfnOutput(
            self,
            "LogArchiveBucketName",
            value=self.bucket.bucket_name,
            description="The audit log archive (Object Lock, FB log key) AHOVOKS reads directly (VTC §27)",
        )
        CfnOutput(
            self,
            "ArchiveAccessTrailArn",
            value=self.archive.access_trail.attr_arn,
            description="The trail that records every read of the archive",
        )
        self.auditor = self._auditor(cfg)

    def _auditor(self, cfg: EnvironmentConfig) -> PartyRole:
        """AHOVOKS' auditors read the archive through this role, without the processor in between."""
        domain = service_domain_of(cfg.region)
        auditor = PartyRole(
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
        bucket_id = self.get_logical_id(self.bucket.node.default_child)
        accept_risk(
            auditor.policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]",
            "AHOVOKS auditors read every log object of this one archive bucket (read-only; object keys are "
            "chosen by CloudTrail and Config per account, region and date).",
            risk="iam-aws-generated-names",
        )
        return auditor
