"""The cases of VTC-LOGS-DIRECT-STREAMED (policies/rules/logs_direct_streamed.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from tests.rules._common import FB_KEY, LOG_ARCHIVE, REGION, WORKLOAD, case, vpc_with_flow_log

ARCHIVE_DESTINATION = f"arn:aws:logs:{REGION}:{LOG_ARCHIVE}:destination:led-test-archive"


def archive_stream(s, *, bucket: str = "led-test-log-archive", kms: bool = True) -> None:
    """The log archive side, in a sibling stack of the log archive account (a grouped case):
    the bucket, a Firehose stream into it, and the destination the workload subscribes to."""
    archive = cdk.Stack(s.node.scope, f"{s.node.id}Stream", env=cdk.Environment(account=LOG_ARCHIVE, region=REGION))
    s3.CfnBucket(archive, "Archive", bucket_name="led-test-log-archive")
    encryption = (
        firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
            kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(awskms_key_arn=FB_KEY)
        )
        if kms
        else None
    )
    stream = firehose.CfnDeliveryStream(
        archive,
        "Stream",
        delivery_stream_type="DirectPut",
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=f"arn:{Aws.PARTITION}:s3:::{bucket}",
            role_arn=f"arn:aws:iam::{LOG_ARCHIVE}:role/firehose",
            prefix="cloudwatch-logs/test/database/",
            encryption_configuration=encryption,
        ),
    )
    logs.CfnDestination(
        archive,
        "Destination",
        destination_name="led-test-archive",
        role_arn=f"arn:aws:iam::{LOG_ARCHIVE}:role/logs",
        target_arn=stream.attr_arn,
        destination_policy="{}",
    )


def database_log_group(s, *, destination: str | None = ARCHIVE_DESTINATION, pattern: str = "") -> None:
    group = logs.CfnLogGroup(
        s, "L", log_group_name="/aws/rds/instance/led-test-db/postgresql", kms_key_id=FB_KEY, retention_in_days=365
    )
    if destination is not None:
        logs.CfnSubscriptionFilter(
            s, "Sub", log_group_name=group.ref, destination_arn=destination, filter_pattern=pattern
        )


@case("VTC-LOGS-DIRECT-STREAMED", False, grouped=True)
def streamed_database_log_group(s):
    archive_stream(s)
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", False, grouped=True)
def streamed_flow_log_group_by_partition_join(s):
    archive_stream(s)
    _vpc, group = vpc_with_flow_log(s)
    logs.CfnSubscriptionFilter(
        s,
        "Sub",
        log_group_name=group.ref,
        destination_arn=f"arn:{Aws.PARTITION}:logs:{REGION}:{LOG_ARCHIVE}:destination:led-test-archive",
        filter_pattern="",
    )


@case("VTC-LOGS-DIRECT-STREAMED", False)
def streamed_other_log_group_is_not_in_scope(s):
    logs.CfnLogGroup(s, "L", log_group_name="/led/test/functions", kms_key_id=FB_KEY, retention_in_days=365)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_database_log_group_without_subscription(s):
    archive_stream(s)
    database_log_group(s, destination=None)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_flow_log_group_without_subscription(s):
    archive_stream(s)
    vpc_with_flow_log(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_to_a_destination_of_the_workload(s):
    archive_stream(s)
    database_log_group(s, destination=f"arn:aws:logs:{REGION}:{WORKLOAD}:destination:led-test-archive")


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_with_a_filter_pattern(s):
    archive_stream(s)
    database_log_group(s, pattern="ERROR")


@case("VTC-LOGS-DIRECT-STREAMED", True)
def streamed_to_a_destination_outside_the_app(s):
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_into_a_bucket_outside_the_archive(s):
    archive_stream(s, bucket="somebody-elses-bucket")
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_without_kms(s):
    archive_stream(s, kms=False)
    database_log_group(s)
