"""The workload account's CloudTrail trail (VTC-AUDIT-TRAIL §11, §49; VTC-LOGS-DIRECT §27).

All regions, every management event (reads included: GetSecretValue and KMS Decrypt are the
history of access §49 asks for), data events for the LED buckets and the RDS Data API, log file
validation, the FB log key, delivered to the locked log archive of AHOVOKS and copied to
CloudWatch Logs for the alarms (cdk_constructs/security_alarms.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_constructs.placement import log_group, write_logs_statement
from config import EnvironmentConfig, service_domain_of
from contract.names import trail_name


@dataclass(frozen=True)
class AuditTrailProps:
    config: EnvironmentConfig
    log_key: kms.IKey
    log_retention: logs.RetentionDays


class AuditTrail(Construct):
    def __init__(self, scope: Construct, construct_id: str, props: AuditTrailProps) -> None:
        super().__init__(scope, construct_id)
        cfg = props.config
        domain = service_domain_of(cfg.region)
        archive = cfg.log_archive_bucket_name
        # The CloudWatch Logs copy of the trail: the alarms read it; the archive is the record.
        self.log_group = log_group(
            self, "TrailLogs", key=props.log_key, retention=props.log_retention, name=f"/led/{cfg.name}/cloudtrail"
        )
        delivery_role = iam.Role(
            self,
            "TrailLogsRole",
            assumed_by=iam.ServicePrincipal(
                f"cloudtrail.{domain}", conditions={"StringEquals": {"aws:SourceAccount": cfg.accounts.workload}}
            ),
            description="CloudTrail writes the LED trail into its CloudWatch Logs copy",
        )
        delivery_policy = iam.ManagedPolicy(
            self,
            "TrailLogsPolicy",
            roles=[delivery_role],
            statements=[
                write_logs_statement("WriteTheTrailCopy", self.log_group),
            ],
        )
        partition = Aws.PARTITION
        self.trail = archive_trail(
            self,
            "Trail",
            cfg,
            name=trail_name(cfg),
            cloud_watch_logs_log_group_arn=self.log_group.log_group_arn,
            cloud_watch_logs_role_arn=delivery_role.role_arn,
            advanced_event_selectors=[
                management_events(),
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="Object reads and writes in the LED buckets",
                    field_selectors=[
                        _field("eventCategory", equals=["Data"]),
                        _field("resources.type", equals=["AWS::S3::Object"]),
                        # Not the archive itself: the trail would record its own deliveries (a
                        # loop); reads of the archive are in the log archive's own archive-access trail.
                        _field(
                            "resources.ARN",
                            starts_with=[f"arn:{partition}:s3:::led-{cfg.name}-"],
                            not_starts_with=[f"arn:{partition}:s3:::{archive}/"],
                        ),
                    ],
                ),
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="SQL through the RDS Data API",
                    field_selectors=[
                        _field("eventCategory", equals=["Data"]),
                        _field("resources.type", equals=["AWS::RDS::DBCluster"]),
                    ],
                ),
            ],
        )
        self.trail.node.add_dependency(delivery_policy)
        self.trail.apply_removal_policy(RemovalPolicy.RETAIN)


def management_events() -> cloudtrail.CfnTrail.AdvancedEventSelectorProperty:
    """The selector of every management event, reads included (who decrypted, who read a secret)."""
    return cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
        name="Every management event, reads included",
        field_selectors=[_field("eventCategory", equals=["Management"])],
    )


def archive_trail(
    scope: Construct,
    construct_id: str,
    cfg: EnvironmentConfig,
    *,
    name: str,
    advanced_event_selectors: Sequence[cloudtrail.CfnTrail.AdvancedEventSelectorProperty] = (),
    s3_key_prefix: str | None = None,
    cloud_watch_logs_log_group_arn: str | None = None,
    cloud_watch_logs_role_arn: str | None = None,
) -> cloudtrail.CfnTrail:
    """A trail as every LED trail is: into AHOVOKS' log archive under the FB log key, log files
    validated. It covers every region and the global services (IAM, STS): a change made through
    another region's endpoint is recorded too. Without advanced_event_selectors it records every
    management event, reads included."""
    return cloudtrail.CfnTrail(
        scope,
        construct_id,
        trail_name=name,
        is_logging=True,
        s3_bucket_name=cfg.log_archive_bucket_name,
        s3_key_prefix=s3_key_prefix,
        kms_key_id=cfg.key_arn("log"),
        enable_log_file_validation=True,
        is_multi_region_trail=True,
        include_global_service_events=True,
        cloud_watch_logs_log_group_arn=cloud_watch_logs_log_group_arn,
        cloud_watch_logs_role_arn=cloud_watch_logs_role_arn,
        advanced_event_selectors=list(advanced_event_selectors) or [management_events()],
    )


def _field(
    field: str,
    *,
    equals: list[str] | None = None,
    starts_with: list[str] | None = None,
    not_starts_with: list[str] | None = None,
):
    return cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
        field=field, equal_to=equals, starts_with=starts_with, not_starts_with=not_starts_with
    )
