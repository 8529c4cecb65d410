"""VTC-EXIT (§42-43): the exit bucket and the scheduled exit drill that exports to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aws_cdk import Aws, CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.drills.placement import COLON, DrillPlacement
from cdk_constructs.lambda_bundle import ROOT, bundled_code
from cdk_constructs.risk import accept_risk
from cdk_constructs.tags import mark_exit_drill_schedule
from contract.names import EXIT_PREFIX

EXIT_DRILL_HANDLER = ROOT / "functions" / "exit_drill" / "handler.py"


class ExitBucket(Construct):
    """Where exit exports land: FB data key, versioned, TLS only, private, logged, retained, and
    readable (only readable) by the second partner."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_name: str,
        data_key: kms.IKey,
        second_partner_principal_arn: str,
        expiry_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        if expiry_days < 1:
            raise ValueError(f"expiry_days {expiry_days}: at least 1")
        self.bucket = s3.Bucket(
            self,
            "Default",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=data_key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireExports",
                    # VTC-NO-STALE-BACKUP (§47): an export is a copy of the data, it does not linger.
                    expiration=Duration.days(expiry_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        )
        # Who read or wrote an export: the workload trail's S3 data events cover every led-<env>-*
        # bucket (cdk_constructs/audit_trail.py), under the FB log key, delivered to the log archive. Not S3 server
        # access logs: S3 delivers those only into an SSE-S3 bucket, which VTC-ENCRYPT-ALL refuses.
        for rule in ("AwsSolutions::AwsSolutions-S1", "NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled"):
            accept_risk(
                self.bucket,
                rule,
                "Object-level reads and writes of the exit bucket are recorded by the workload CloudTrail "
                "trail's S3 data events (led-<env>-* buckets, KMS-encrypted, delivered to the log archive) "
                "instead of S3 server access logs, which S3 can only deliver into an SSE-S3 bucket.",
                risk="bucket-access-by-cloudtrail-data-events",
            )
        accept_risk(
            self.bucket,
            "NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled",
            "The exit bucket holds short-lived exports that the next monthly drill recreates from the "
            "backups (which are copied elsewhere, VTC §37); replicating them would multiply copies of the "
            "personal data without adding recoverability.",
            risk="buckets-not-replicated",
        )
        partner = iam.ArnPrincipal(second_partner_principal_arn)
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SecondPartnerReadsExports",
                principals=[partner],
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.bucket.arn_for_objects(f"{EXIT_PREFIX}/*")],
            )
        )
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SecondPartnerListsExports",
                principals=[partner],
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[self.bucket.bucket_arn],
            )
        )


@dataclass(frozen=True, kw_only=True)
class ExitDrillProps:
    """What the exit drill exports, where to, and when (config [drills])."""

    # An EventBridge schedule expression for the export, e.g. "cron(0 3 1 * ? *)".
    schedule: str
    # The names of the role RDS assumes to write the export and of the export tasks (a prefix):
    # deterministic, as led-ops and the application manager's role name them.
    export_role_name: str
    export_task_prefix: str
    exit_bucket: ExitBucket
    # The database whose latest snapshot is exported.
    db_instance_identifier: str
    db_instance_arn: str
    # The ARN of the placement's data key, which StartExportTask takes by ARN.
    export_key_arn: str


class ExitDrill(Construct):
    """The scheduled export of the latest snapshot to the exit bucket, and its report."""

    def __init__(
        self, scope: Construct, construct_id: str, *, placement: DrillPlacement, props: ExitDrillProps
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        bucket = props.exit_bucket.bucket
        data_key = placement.functions.data_key
        snapshots = stack.format_arn(service="rds", resource="snapshot", resource_name="*", arn_format=COLON)
        export_task = stack.format_arn(
            service="rds", resource="export-task", resource_name=f"{props.export_task_prefix}-*", arn_format=COLON
        )
        # The role RDS assumes to write the export: exactly the exit prefix, exactly the key.
        self.export_role = iam.Role(
            self,
            "ExportRole",
            role_name=props.export_role_name,
            description="LED exit drill: lets RDS write a snapshot export to the exit bucket's prefix (VTC §42-43)",
            assumed_by=iam.ServicePrincipal(
                "export.rds.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": export_task},
                },
            ),
        )
        export_policy = iam.ManagedPolicy(
            self,
            "ExportPolicy",
            roles=[self.export_role],
            statements=[
                iam.PolicyStatement(
                    sid="WriteExportUnderExitPrefix",
                    actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    resources=[bucket.arn_for_objects(f"{EXIT_PREFIX}/*")],
                ),
                iam.PolicyStatement(
                    sid="ListExitBucket",
                    actions=["s3:ListBucket", "s3:GetBucketLocation"],
                    resources=[bucket.bucket_arn],
                ),
                iam.PolicyStatement(
                    sid="EncryptExport",
                    actions=["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
                    resources=[data_key.key_arn],
                ),
            ],
        )
        bucket_id = stack.get_logical_id(cast(CfnElement, bucket.node.default_child))
        accept_risk(
            export_policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{EXIT_PREFIX}/*]",
            "The export writes one folder per task under the exit prefix, with file names RDS chooses; the "
            "role may write under that prefix of that one bucket only.",
            risk="iam-aws-generated-names",
        )
        self.handler = placement.function(
            self,
            "Handler",
            description="LED: monthly exit drill, the latest snapshot exported to S3 in Parquet (VTC §42-43)",
            code=bundled_code({"handler.py": EXIT_DRILL_HANDLER}, with_requirements=False),
            timeout=Duration.minutes(2),
            environment={
                "DB_INSTANCE_ID": props.db_instance_identifier,
                "DB_INSTANCE_ARN": props.db_instance_arn,
                "EXIT_BUCKET": bucket.bucket_name,
                "EXIT_PREFIX": EXIT_PREFIX,
                "EXPORT_ROLE_ARN": self.export_role.role_arn,
                "EXPORT_KEY_ARN": props.export_key_arn,
                "EXPORT_TASK_PREFIX": props.export_task_prefix,
            },
            statements=[
                iam.PolicyStatement(
                    sid="FindLatestSnapshot",
                    actions=["rds:DescribeDBSnapshots"],
                    resources=[props.db_instance_arn, snapshots],
                ),
                iam.PolicyStatement(
                    sid="StartExitExport",
                    actions=["rds:StartExportTask"],
                    resources=[snapshots, export_task],
                ),
                # DescribeExportTasks has no resource-level permission.
                iam.PolicyStatement(sid="ReportExports", actions=["rds:DescribeExportTasks"], resources=["*"]),
                iam.PolicyStatement(
                    sid="PassExportRole",
                    actions=["iam:PassRole"],
                    resources=[self.export_role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": "export.rds.amazonaws.com"}},
                ),
                # RDS encrypts the export with the FB data key through a grant made for the task.
                iam.PolicyStatement(
                    sid="GrantExportKey",
                    actions=["kms:CreateGrant"],
                    resources=[data_key.key_arn],
                    conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                ),
                # StartExportTask also describes the key. Not in the statement above: a DescribeKey
                # request carries no kms:GrantIsForAWSResource, so a Bool condition on it never matches.
                iam.PolicyStatement(sid="DescribeExportKey", actions=["kms:DescribeKey"], resources=[data_key.key_arn]),
            ],
        )
        for resource in (snapshots, export_task):
            accept_risk(
                self.handler.policy,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{stack.resolve(resource)}]",
                "Snapshot names are generated by RDS and AWS Backup each day (rds:..., awsbackup:...), and each "
                "drill creates a new export task under the drill's prefix; the function picks the latest "
                "snapshot of the LED instance at run time.",
                risk="iam-aws-generated-names",
            )
        self.start_rule = events.Rule(
            self,
            "Schedule",
            description="LED: exit drill, export the latest snapshot (VTC §42-43)",
            schedule=events.Schedule.expression(props.schedule),
            targets=[
                targets.LambdaFunction(
                    self.handler.function,
                    event=events.RuleTargetInput.from_object({"action": "start"}),
                    retry_attempts=0,
                )
            ],
        )
        mark_exit_drill_schedule(self.start_rule)
        self.report_rule = events.Rule(
            self,
            "DailyReport",
            description="LED: exit drill, report exports that ended in the last day",
            schedule=events.Schedule.expression("cron(0 7 * * ? *)"),
            targets=[
                targets.LambdaFunction(
                    self.handler.function,
                    event=events.RuleTargetInput.from_object({"action": "report"}),
                    retry_attempts=2,
                )
            ],
        )
        self.alarm = placement.alarm(
            self,
            "ExitDrillErrors",
            description="LED exit drill function failed (VTC-EXIT, §42-43)",
            metric=self.handler.function.metric_errors(period=Duration.hours(1), statistic="Sum"),
        )
