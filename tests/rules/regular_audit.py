"""The cases of VTC-REGULAR-AUDIT (policies/rules/regular_audit.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Fn
from aws_cdk import aws_config as config_
from aws_cdk import aws_s3 as s3

from tests.rules._common import BACKUP, LOG_ARCHIVE, REGION, WORKLOAD, case, database

CORE_CONFIG_RULES = (
    "RDS_STORAGE_ENCRYPTED",
    "S3_DEFAULT_ENCRYPTION_KMS",
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "CLOUD_TRAIL_ENABLED",
    "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
)


def archive_bucket(s, name: str = "led-test-log-archive") -> s3.CfnBucket:
    """The log archive bucket, in a sibling stack of the log archive account (a grouped case)."""
    archive = cdk.Stack(s.node.scope, f"{s.node.id}Archive", env=cdk.Environment(account=LOG_ARCHIVE, region=REGION))
    return s3.CfnBucket(archive, "Archive", bucket_name=name)


def config_audit(
    s,
    *,
    bucket="led-test-log-archive",
    frequency: str | None = "TwentyFour_Hours",
    rules=CORE_CONFIG_RULES,
    recording_group=None,
    channel: bool = True,
) -> None:
    config_.CfnConfigurationRecorder(
        s,
        "Recorder",
        role_arn=f"arn:aws:iam::{WORKLOAD}:role/config",
        recording_group=recording_group
        or config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=True, include_global_resource_types=True
        ),
    )
    if channel:
        config_.CfnDeliveryChannel(
            s,
            "Channel",
            s3_bucket_name=bucket,
            config_snapshot_delivery_properties=config_.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency=frequency
            )
            if frequency
            else None,
        )
    for i, identifier in enumerate(rules):
        config_.CfnConfigRule(
            s, f"Rule{i}", source=config_.CfnConfigRule.SourceProperty(owner="AWS", source_identifier=identifier)
        )


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_store_without_recorder(s):
    database(s)


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_recorder_channel_rules(s):
    archive_bucket(s)
    config_audit(s)
    database(s)


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_channel_bucket_name_by_sub(s):
    # The archive bucket's name rendered from Fn::Sub with the region pseudo parameter.
    archive_bucket(s, name=f"led-test-log-archive-{LOG_ARCHIVE}-{REGION}")
    config_audit(s, bucket=Fn.sub(f"led-test-log-archive-{LOG_ARCHIVE}-${{AWS::Region}}"))
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_channel_bucket_cross_account_reference(s):
    # A cross-account reference (Fn::GetStackOutput) is only resolved at deploy time: fails closed.
    config_audit(s, bucket=archive_bucket(s).ref)
    database(s)


def recording_only(*resource_types: str) -> config_.CfnConfigurationRecorder.RecordingGroupProperty:
    return config_.CfnConfigurationRecorder.RecordingGroupProperty(
        all_supported=False, resource_types=list(resource_types)
    )


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_recorder_lists_core_types(s):
    archive_bucket(s)
    config_audit(
        s, recording_group=recording_only("AWS::RDS::DBInstance", "AWS::S3::Bucket", "AWS::Backup::BackupPlan")
    )
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_recorder_skips_databases(s):
    archive_bucket(s)
    config_audit(s, recording_group=recording_only("AWS::IAM::Role"))
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_recorder_excludes_buckets(s):
    archive_bucket(s)
    config_audit(
        s,
        recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=False,
            recording_strategy=config_.CfnConfigurationRecorder.RecordingStrategyProperty(
                use_only="EXCLUSION_BY_RESOURCE_TYPES"
            ),
            exclusion_by_resource_types=config_.CfnConfigurationRecorder.ExclusionByResourceTypesProperty(
                resource_types=["AWS::S3::Bucket"]
            ),
        ),
    )


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_without_delivery_channel(s):
    archive_bucket(s)
    config_audit(s, channel=False)


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_channel_to_own_bucket(s):
    config_audit(s, bucket=s3.CfnBucket(s, "Own").ref)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_channel_without_snapshots(s):
    archive_bucket(s)
    config_audit(s, frequency=None)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_without_core_rules(s):
    archive_bucket(s)
    config_audit(s, rules=("CLOUD_TRAIL_ENABLED",))


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_sse_s3_rule_does_not_count(s):
    archive_bucket(s)
    config_audit(
        s,
        rules=tuple(
            r if r != "S3_DEFAULT_ENCRYPTION_KMS" else "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"
            for r in CORE_CONFIG_RULES
        ),
    )


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_channel_bucket_from_parameter(s):
    bucket = cdk.CfnParameter(s, "Bucket", type="String")
    config_audit(s, bucket=bucket.value_as_string)


@case("VTC-REGULAR-AUDIT", True, account=BACKUP)
def regular_audit_recorder_outside_workload_without_rules(s):
    # A recorder is checked wherever it is; stores outside the workload account are not anchors.
    config_audit(s, rules=())
