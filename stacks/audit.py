"""The audit of the workload account: trail, alarms and AWS Config (VTC-AUDIT-TRAIL §11, §49;
VTC-REGULAR-AUDIT §11, §24-27; VTC-LOGS-DIRECT §27).

- CloudTrail, all regions, every management event (reads included: GetSecretValue and KMS Decrypt
  are the history of access §49 asks for), data events for the LED buckets and the RDS Data API,
  log file validation, the FB log key, delivered to the locked log archive of AHOVOKS and copied
  to CloudWatch Logs for the alarms.
- Metric filters and alarms on what must never happen unnoticed, to a topic under the FB log key.
- AWS Config records every resource and re-checks every day what the VTC pack checks at synthesis:
  the regular internal security audit of §11/§27, with its evidence in the log archive.
"""

from __future__ import annotations

from dataclasses import dataclass

import jsii
from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_config as config_
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig, service_domain_of
from stacks.log_archive import CONFIG_PREFIX, config_recorder_role_name, log_archive_bucket_name, trail_name
from stacks.workload import _WorkloadStack, boundary_name, retention

METRIC_NAMESPACE = "LED/Audit"
DAILY = config_.MaximumExecutionFrequency.TWENTY_FOUR_HOURS


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


@dataclass(frozen=True)
class AuditRule:
    """One AWS Config managed rule and the VTC check it repeats in production."""

    construct_id: str
    identifier: str
    vtc: str
    periodic: bool = False
    parameters: dict | None = None


@jsii.implements(events.IRuleTarget)
class _PublishFromThisRule:
    """An EventBridge rule publishing to the alarm topic. Unlike `targets.SnsTopic`, which lets
    events.amazonaws.com publish on behalf of any rule of any account, the topic policy admits
    EventBridge only for this rule of this account (aws:SourceArn, aws:SourceAccount: no confused
    deputy, VTC-LEAST-PRIVILEGE)."""

    def __init__(self, topic: sns.ITopic, *, principal: str) -> None:
        self._topic = topic
        self._principal = principal

    def bind(self, rule: events.IRule, id: str | None = None) -> events.RuleTargetConfig:  # noqa: A002 (jsii)
        self._topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EventBridgeRuleOfThisAccount",
                principals=[iam.ServicePrincipal(self._principal)],
                actions=["sns:Publish"],
                resources=[self._topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnEquals": {"aws:SourceArn": rule.rule_arn},
                },
            )
        )
        return events.RuleTargetConfig(arn=self._topic.topic_arn)


class AuditStack(_WorkloadStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data_tier_security_group_id: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        cfg = config
        self.cfg = cfg
        log_key = self.fb_key("LogKey", cfg.key_arn("log"))
        self.bucket_name = log_archive_bucket_name(cfg)
        domain = service_domain_of(cfg.region)

        # The CloudWatch Logs copy of the trail: the alarms read it; the archive is the record.
        self.trail_log_group = logs.LogGroup(
            self,
            "TrailLogs",
            log_group_name=f"/led/{cfg.name}/cloudtrail",
            encryption_key=log_key,
            retention=retention(cfg.logs.retention_days),
            removal_policy=RemovalPolicy.RETAIN,
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
                iam.PolicyStatement(
                    sid="WriteTheTrailCopy",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.trail_log_group.log_group_arn],
                ),
            ],
        )
        partition = Aws.PARTITION
        self.trail = cloudtrail.CfnTrail(
            self,
            "Trail",
            trail_name=trail_name(cfg),
            is_logging=True,
            s3_bucket_name=self.bucket_name,
            kms_key_id=cfg.key_arn("log"),
            enable_log_file_validation=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            cloud_watch_logs_log_group_arn=self.trail_log_group.log_group_arn,
            cloud_watch_logs_role_arn=delivery_role.role_arn,
            advanced_event_selectors=[
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="Every management event, reads included",
                    field_selectors=[_field("eventCategory", equals=["Management"])],
                ),
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
                            not_starts_with=[f"arn:{partition}:s3:::{self.bucket_name}/"],
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
        CfnOutput(
            self,
            "TrailArn",
            value=self.trail.attr_arn,
            description=f"The LED audit trail, delivered to the log archive bucket {self.bucket_name}",
        )

        self.topic = sns.Topic(
            self,
            "Alarms",
            topic_name=cfg.resource_name("security-alarms"),
            display_name=f"LED {cfg.name} security alarms",
            master_key=log_key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal(f"cloudwatch.{domain}")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": cfg.accounts.workload}},
            )
        )
        if cfg.audit.alarm_email is not None:
            self.topic.add_subscription(subscriptions.EmailSubscription(cfg.audit.alarm_email))
        self.alarms = self._alarms(data_tier_security_group_id)
        self._backup_failures()
        self._config(domain)

    # Alarms --------------------------------------------------------------------------------

    def _alarms(self, data_sg: str) -> dict[str, cloudwatch.Alarm]:
        cfg = self.cfg
        patterns = {
            "KeyPolicyOrDeletion": (
                "A KMS key policy changed, or a key was disabled or scheduled for deletion (VTC §51)",
                "{ ($.eventSource = kms.amazonaws.com) && ("
                + _any_event(
                    "PutKeyPolicy",
                    "ScheduleKeyDeletion",
                    "DisableKey",
                    "DisableKeyRotation",
                    "CreateKey",
                    "ImportKeyMaterial",
                    "DeleteImportedKeyMaterial",
                )
                + ") }",
            ),
            "AuditStopped": (
                "The trail or AWS Config was stopped, deleted or changed (VTC §11, §49)",
                "{ "
                + _any_event(
                    "StopLogging",
                    "DeleteTrail",
                    "UpdateTrail",
                    "PutEventSelectors",
                    "StopConfigurationRecorder",
                    "DeleteConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "PutConfigurationRecorder",
                    "PutDeliveryChannel",
                    "DeleteConfigRule",
                )
                + " }",
            ),
            "RootActivity": (
                "The account root user signed in or acted",
                '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) '
                '&& ($.eventType != "AwsServiceEvent") }',
            ),
            "BreakGlassUsed": (
                "Somebody assumed the break-glass role",
                '{ ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "arn:'
                + Aws.PARTITION
                + f':iam::{cfg.accounts.workload}:role/{cfg.resource_name("break-glass")}") }}',
            ),
            "IamPolicyChanges": (
                "An IAM policy, role policy or permissions boundary changed (VTC-LEAST-PRIVILEGE)",
                "{ "
                + _any_event(
                    "CreatePolicy",
                    "DeletePolicy",
                    "CreatePolicyVersion",
                    "DeletePolicyVersion",
                    "SetDefaultPolicyVersion",
                    "AttachRolePolicy",
                    "DetachRolePolicy",
                    "PutRolePolicy",
                    "DeleteRolePolicy",
                    "PutRolePermissionsBoundary",
                    "DeleteRolePermissionsBoundary",
                    "UpdateAssumeRolePolicy",
                    "CreateUser",
                    "AttachUserPolicy",
                    "PutUserPolicy",
                    "CreateAccessKey",
                )
                + " }",
            ),
            "DataTierSecurityGroupChanges": (
                "A rule of the database's security group changed (VTC §49)",
                "{ ("
                + _any_event(
                    "AuthorizeSecurityGroupIngress",
                    "AuthorizeSecurityGroupEgress",
                    "RevokeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress",
                    "ModifySecurityGroupRules",
                    "DeleteSecurityGroup",
                )
                + ') && (($.requestParameters.groupId = "'
                + data_sg
                + '") || '
                '($.requestParameters.ModifySecurityGroupRulesRequest.GroupId = "' + data_sg + '")) }',
            ),
        }
        alarms = {}
        for name, (description, pattern) in patterns.items():
            metric_filter = logs.MetricFilter(
                self,
                f"{name}Filter",
                log_group=self.trail_log_group,
                metric_namespace=METRIC_NAMESPACE,
                metric_name=f"{cfg.name}-{name}",
                filter_pattern=logs.FilterPattern.literal(pattern),
                metric_value="1",
            )
            alarm = cloudwatch.Alarm(
                self,
                f"{name}Alarm",
                alarm_name=cfg.resource_name(f"alarm-{_kebab(name)}"),
                alarm_description=f"LED {cfg.name}: {description}",
                metric=metric_filter.metric(statistic="Sum", period=Duration.minutes(5)),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
            alarms[name] = alarm
        return alarms

    def _backup_failures(self) -> None:
        # Failed backup, copy and restore(-test) jobs (VTC §37-40) come as AWS Backup events.
        self.backup_failures = events.Rule(
            self,
            "BackupFailures",
            rule_name=self.cfg.resource_name("backup-failures"),
            description=f"LED {self.cfg.name}: a backup, copy or restore test job failed (VTC §37-40)",
            event_pattern=events.EventPattern(
                source=["aws.backup"],
                detail_type=["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
                detail={"state": ["FAILED", "ABORTED", "EXPIRED"]},
            ),
            targets=[
                _PublishFromThisRule(self.topic, principal=f"events.{service_domain_of(self.cfg.region)}")
            ],  # a jsii IRuleTarget
        )

    # AWS Config ----------------------------------------------------------------------------

    def _config(self, domain: str) -> None:
        cfg = self.cfg
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{self.bucket_name}"
        recorder_role = iam.Role(
            self,
            "ConfigRecorderRole",
            role_name=config_recorder_role_name(cfg),
            assumed_by=iam.ServicePrincipal(
                f"config.{domain}", conditions={"StringEquals": {"aws:SourceAccount": cfg.accounts.workload}}
            ),
            description="AWS Config records the LED workload account and delivers to the log archive",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole")],
        )
        accept_risk(
            recorder_role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]",
            "AWS Config's own service-role policy is the documented way to let the recorder describe every "
            "resource type; AWS keeps it current as types are added, and the role carries the LED boundary.",
            risk="aws-managed-service-role-policies",
        )
        delivery = iam.ManagedPolicy(
            self,
            "ConfigDeliveryPolicy",
            roles=[recorder_role],
            statements=[
                iam.PolicyStatement(
                    sid="CheckTheArchive", actions=["s3:GetBucketAcl", "s3:ListBucket"], resources=[bucket_arn]
                ),
                iam.PolicyStatement(
                    sid="DeliverToTheArchive",
                    actions=["s3:PutObject"],
                    resources=[f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{cfg.accounts.workload}/Config/*"],
                    conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                ),
                iam.PolicyStatement(
                    sid="EncryptWithTheLogKeyThroughS3",
                    actions=["kms:GenerateDataKey"],
                    resources=[cfg.key_arn("log")],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{cfg.region}.{domain}"}},
                ),
            ],
        )
        accept_risk(
            delivery,
            "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
            f"{self.bucket_name}/{CONFIG_PREFIX}/AWSLogs/{cfg.accounts.workload}/Config/*]",
            "AWS Config names its snapshot and history objects per region and date under its fixed prefix "
            "in the log archive; the role may only add objects there (Object Lock keeps them).",
            risk="iam-aws-generated-names",
        )
        self.recorder = config_.CfnConfigurationRecorder(
            self,
            "Recorder",
            name=cfg.resource_name("recorder"),
            role_arn=recorder_role.role_arn,
            recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
                all_supported=True,
                include_global_resource_types=True,
            ),
        )
        self.delivery_channel = config_.CfnDeliveryChannel(
            self,
            "DeliveryChannel",
            name=cfg.resource_name("delivery"),
            s3_bucket_name=self.bucket_name,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=cfg.key_arn("log"),
            config_snapshot_delivery_properties=config_.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency="TwentyFour_Hours",
            ),
        )
        self.delivery_channel.node.add_dependency(delivery)
        self.rules = {}
        for rule in audit_rules(cfg):
            managed = config_.ManagedRule(
                self,
                rule.construct_id,
                config_rule_name=cfg.resource_name(f"vtc-{_kebab(rule.construct_id)}"),
                identifier=rule.identifier,
                description=f"LED {cfg.name}: {rule.vtc}",
                input_parameters=rule.parameters,
                maximum_execution_frequency=DAILY if rule.periodic else None,
            )
            managed.node.add_dependency(self.recorder)
            self.rules[rule.construct_id] = managed
        # VTC-LEAST-PRIVILEGE and VTC-OUTSOURCING-2016: every role carries the boundary that keeps
        # it in the allowed regions (service-linked roles, made by AWS, cannot carry one).
        boundary_arn = f"arn:{Aws.PARTITION}:iam::{cfg.accounts.workload}:policy/{boundary_name(cfg)}"
        self.boundary_rule = config_.CustomPolicy(
            self,
            "EveryRoleBounded",
            config_rule_name=cfg.resource_name("vtc-every-role-bounded"),
            description=f"LED {cfg.name}: every role carries the LED permissions boundary (regions, keys, audit)",
            rule_scope=config_.RuleScope.from_resources([config_.ResourceType.IAM_ROLE]),
            policy_text=(
                'rule led_permissions_boundary when configuration.path != "/aws-service-role/" {\n'
                f'    configuration.permissionsBoundary.permissionsBoundaryArn == "{boundary_arn}"\n'
                "}\n"
            ),
        )
        self.boundary_rule.node.add_dependency(self.recorder)


def audit_rules(cfg: EnvironmentConfig) -> list[AuditRule]:
    ids = config_.ManagedRuleIdentifiers
    no_boundary = {"excludePermissionBoundaryPolicy": True}
    return [
        AuditRule("CloudTrailEnabled", ids.CLOUD_TRAIL_ENABLED, "VTC-AUDIT-TRAIL: CloudTrail is on", periodic=True),
        AuditRule(
            "CloudTrailMultiRegion",
            ids.CLOUDTRAIL_MULTI_REGION_ENABLED,
            "VTC-AUDIT-TRAIL: a trail covers every region",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailValidation",
            ids.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED,
            "VTC-AUDIT-TRAIL: log file validation",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailEncryption",
            ids.CLOUD_TRAIL_ENCRYPTION_ENABLED,
            "VTC-ENCRYPT-ALL: the trail is encrypted with KMS",
            periodic=True,
        ),
        AuditRule(
            "CloudTrailCloudWatch",
            ids.CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED,
            "VTC-AUDIT-TRAIL: the trail feeds the alarms",
            periodic=True,
        ),
        AuditRule(
            "LogGroupsEncrypted",
            ids.CLOUDWATCH_LOG_GROUP_ENCRYPTED,
            "VTC-ENCRYPT-ALL: every log group under a KMS key",
            periodic=True,
        ),
        AuditRule("RdsEncrypted", ids.RDS_STORAGE_ENCRYPTED, "VTC-ENCRYPT-ALL: database storage encrypted"),
        AuditRule("RdsSnapshotsEncrypted", ids.RDS_SNAPSHOT_ENCRYPTED, "VTC-ENCRYPT-ALL: snapshots encrypted"),
        AuditRule("RdsNotPublic", ids.RDS_INSTANCE_PUBLIC_ACCESS_CHECK, "VTC-NO-COPY: no public database"),
        AuditRule("RdsSnapshotsNotPublic", ids.RDS_SNAPSHOTS_PUBLIC_PROHIBITED, "VTC-NO-COPY: no public snapshot"),
        AuditRule("S3EncryptedKms", ids.S3_DEFAULT_ENCRYPTION_KMS, "VTC-ENCRYPT-ALL: buckets under KMS"),
        AuditRule(
            "S3BucketsNotPublic",
            ids.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED,
            "VTC-NO-COPY: bucket public access blocked",
        ),
        AuditRule(
            "S3AccountNotPublic",
            ids.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC,
            "VTC-NO-COPY: account public access blocked",
            periodic=True,
        ),
        AuditRule("SnsEncrypted", ids.SNS_ENCRYPTED_KMS, "VTC-ENCRYPT-ALL: topics under KMS"),
        AuditRule(
            "BackupPlanDailyRetention",
            ids.BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK,
            "VTC-BACKUP-RETENTION: a daily backup kept for the configured generations (§38-39)",
            parameters={
                "requiredFrequencyValue": 1,
                "requiredFrequencyUnit": "days",
                "requiredRetentionDays": cfg.backup_retention_days,
            },
        ),
        AuditRule(
            "RecoveryPointsEncrypted", ids.BACKUP_RECOVERY_POINT_ENCRYPTED, "VTC-ENCRYPT-ALL: recovery points encrypted"
        ),
        AuditRule(
            "RecoveryPointsLocked",
            ids.BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED,
            "VTC-BACKUP-RETENTION: recovery points cannot be deleted by hand",
        ),
        AuditRule(
            "NoAdminPolicies",
            ids.IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS,
            "VTC-LEAST-PRIVILEGE: no customer policy grants *:*",
            parameters=no_boundary,
        ),
        AuditRule(
            "NoWildcardServicePolicies",
            ids.IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS,
            "VTC-LEAST-PRIVILEGE: no customer policy grants service:*",
            parameters=no_boundary,
        ),
        AuditRule(
            "NoRootAccessKey",
            ids.IAM_ROOT_ACCESS_KEY_CHECK,
            "VTC-LEAST-PRIVILEGE: the root user has no access key",
            periodic=True,
        ),
    ]


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


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
