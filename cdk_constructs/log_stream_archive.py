"""The workload's CloudWatch Logs, streamed into the AHOVOKS log archive (VTC-LOGS-DIRECT §27,
VTC-AUDIT-TRAIL §49).

The pgaudit/RDS log groups and the VPC flow-log group live in the workload account, where the
platform operator runs things. A copy that the operator cannot reach is what makes them evidence:

    workload log group --subscription filter--> CloudWatch Logs destination (log archive account)
      --> Amazon Data Firehose stream (log archive account, FB log key)
      --> the Object Lock archive bucket, s3://<archive>/cloudwatch-logs/<env>/<source>/ (SSE-KMS, FB log key)

Everything after the subscription filter lives in AHOVOKS' log archive account: the operator can
neither reconfigure the stream nor point it elsewhere, and deleting or replacing the subscription
filter itself is denied by the audit guardrail SCP and the permissions boundary
(cdk_constructs/audit_protection.py). A cross-account subscription needs no role on the sending
side: the destination's access policy admits the workload account, and its own role (trusted by
CloudWatch Logs for the two accounts' log ARNs only) writes to the stream.

Names are deterministic, so that the workload's stacks know the destination without an export.
"""

from __future__ import annotations

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of

ARCHIVE_STREAM_PREFIX = "cloudwatch-logs"
DATABASE_SOURCE = "database"
FLOW_LOGS_SOURCE = "flow-logs"
ARCHIVE_SOURCES: tuple[str, ...] = (DATABASE_SOURCE, FLOW_LOGS_SOURCE)
SUBSCRIPTION_FILTER_NAME = "led-log-archive"


def archive_stream_name(config: EnvironmentConfig, source: str) -> str:
    """The Firehose stream and the CloudWatch Logs destination of one source share this name."""
    return config.resource_name(f"archive-{source}")


def archive_destination_arn(config: EnvironmentConfig, source: str) -> str:
    return (
        f"arn:{Aws.PARTITION}:logs:{config.region}:{config.accounts.log_archive}:destination:"
        f"{archive_stream_name(config, source)}"
    )


def archive_prefix(config: EnvironmentConfig, source: str) -> str:
    """Where one source's records land in the archive bucket (no leading or trailing slash)."""
    return f"{ARCHIVE_STREAM_PREFIX}/{config.name}/{source}"


def archive_firehose_role_name(config: EnvironmentConfig, source: str) -> str:
    return config.resource_name(f"archive-{source}-firehose")


def subscribe_to_archive(scope: Construct, construct_id: str, *, log_group: logs.ILogGroup, destination_arn: str):
    """Every event of the log group (empty filter pattern) to the log archive's destination."""
    return logs.CfnSubscriptionFilter(
        scope,
        construct_id,
        log_group_name=log_group.log_group_name,
        destination_arn=destination_arn,
        filter_pattern="",
        filter_name=SUBSCRIPTION_FILTER_NAME,
    )


class ArchiveLogStream(Construct):
    """In the log archive account: the destination the workload subscribes to, and the Firehose
    stream that writes its records into the Object Lock bucket under the source's prefix."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, source: str, bucket_name: str
    ) -> None:
        super().__init__(scope, construct_id)
        cfg = config
        acc = cfg.accounts
        domain = service_domain_of(cfg.region)
        partition = Aws.PARTITION
        bucket_arn = f"arn:{partition}:s3:::{bucket_name}"
        name = archive_stream_name(cfg, source)
        prefix = archive_prefix(cfg, source)
        log_key_arn = cfg.key_arn("log")
        stream_arn = f"arn:{partition}:firehose:{cfg.region}:{acc.log_archive}:deliverystream/{name}"

        # Firehose writes to the archive: trusted for this account only (sts:ExternalId is the
        # account Firehose acts for, AWS's documented confused-deputy guard for Firehose roles).
        self.firehose_role = iam.Role(
            self,
            "FirehoseRole",
            role_name=archive_firehose_role_name(cfg, source),
            assumed_by=iam.ServicePrincipal(
                f"firehose.{domain}", conditions={"StringEquals": {"sts:ExternalId": acc.log_archive}}
            ),
            description=f"LED {cfg.name}: Firehose writes the {source} logs into the log archive",
        )
        firehose_policy = iam.ManagedPolicy(
            self,
            "FirehosePolicy",
            roles=[self.firehose_role],
            statements=[
                iam.PolicyStatement(
                    sid="FindTheArchive",
                    actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    resources=[bucket_arn],
                ),
                iam.PolicyStatement(
                    sid="WriteUnderItsPrefixOnly",
                    actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                    resources=[f"{bucket_arn}/{prefix}/*"],
                ),
                iam.PolicyStatement(
                    sid="EncryptWithTheLogKeyThroughS3",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[log_key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{cfg.region}.{domain}"}},
                ),
            ],
        )
        accept_risk(
            firehose_policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket_name}/{prefix}/*]",
            "Firehose names its objects by delivery time under this source's fixed prefix of the archive; "
            "the role may only add objects there, and Object Lock keeps every one of them.",
            risk="iam-aws-generated-names",
        )
        self.stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=name,
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="CUSTOMER_MANAGED_CMK", key_arn=log_key_arn
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket_arn,
                role_arn=self.firehose_role.role_arn,
                prefix=f"{prefix}/",
                error_output_prefix=f"{prefix}/delivery-errors/",
                # CloudWatch Logs already gzips what it sends: stored as received.
                compression_format="UNCOMPRESSED",
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=300, size_in_m_bs=5
                ),
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                        awskms_key_arn=log_key_arn
                    )
                ),
            ),
        )
        self.stream.node.add_dependency(firehose_policy)

        # CloudWatch Logs puts the subscribed events into the stream, for the two accounts' logs only.
        self.logs_role = iam.Role(
            self,
            "LogsRole",
            role_name=cfg.resource_name(f"archive-{source}-logs"),
            assumed_by=iam.ServicePrincipal(
                f"logs.{domain}",
                conditions={
                    "StringLike": {
                        "aws:SourceArn": [
                            f"arn:{partition}:logs:{cfg.region}:{acc.workload}:*",
                            f"arn:{partition}:logs:{cfg.region}:{acc.log_archive}:*",
                        ]
                    }
                },
            ),
            description=f"LED {cfg.name}: CloudWatch Logs forwards the workload's {source} logs to Firehose",
        )
        logs_policy = iam.ManagedPolicy(
            self,
            "LogsPolicy",
            roles=[self.logs_role],
            statements=[
                iam.PolicyStatement(
                    sid="PutIntoTheArchiveStream",
                    actions=["firehose:PutRecord", "firehose:PutRecordBatch"],
                    resources=[self.stream.attr_arn],
                )
            ],
        )
        destination_arn = archive_destination_arn(cfg, source)
        self.destination = logs.CfnDestination(
            self,
            "Destination",
            destination_name=name,
            role_arn=self.logs_role.role_arn,
            target_arn=self.stream.attr_arn,
            destination_policy=Stack.of(self).to_json_string(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WorkloadSubscribes",
                            "Effect": "Allow",
                            "Principal": {"AWS": acc.workload},
                            "Action": "logs:PutSubscriptionFilter",
                            "Resource": destination_arn,
                        }
                    ],
                }
            ),
        )
        # CloudWatch Logs sends a test record when the destination is created.
        self.destination.node.add_dependency(logs_policy)
        self.stream_arn = stream_arn
        self.prefix = prefix
