"""What must never happen unnoticed in the workload account (VTC-AUDIT-TRAIL §49, VTC §51, §37-40).

Metric filters on the trail's CloudWatch Logs copy (cdk_constructs/audit_trail.py), each with an
alarm, and the failed backup, copy and restore(-test) jobs, all to one topic under the FB log key.
"""

from __future__ import annotations

from dataclasses import dataclass

import jsii
from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from config import EnvironmentConfig, service_domain_of
from contract.names import alarm_name

METRIC_NAMESPACE = "LED/Audit"


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


def alarm_patterns(cfg: EnvironmentConfig, data_sg: str) -> dict[str, tuple[str, str]]:
    """Alarm (construct id) -> (what happened, the metric filter's pattern on the trail's events)."""
    return {
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


@dataclass(frozen=True)
class SecurityAlarmsProps:
    config: EnvironmentConfig
    log_key: kms.IKey
    # The trail's CloudWatch Logs copy, which the metric filters read.
    trail_log_group: logs.ILogGroup
    data_tier_security_group_id: str


class SecurityAlarms(Construct):
    def __init__(self, scope: Construct, construct_id: str, props: SecurityAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        cfg = props.config
        domain = service_domain_of(cfg.region)
        self.topic = sns.Topic(
            self,
            "Alarms",
            topic_name=cfg.resource_name("security-alarms"),
            display_name=f"LED {cfg.name} security alarms",
            master_key=props.log_key,
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
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for name, (description, pattern) in alarm_patterns(cfg, props.data_tier_security_group_id).items():
            metric_filter = logs.MetricFilter(
                self,
                f"{name}Filter",
                log_group=props.trail_log_group,
                metric_namespace=METRIC_NAMESPACE,
                metric_name=f"{cfg.name}-{name}",
                filter_pattern=logs.FilterPattern.literal(pattern),
                metric_value="1",
            )
            alarm = cloudwatch.Alarm(
                self,
                f"{name}Alarm",
                alarm_name=alarm_name(cfg, name),
                alarm_description=f"LED {cfg.name}: {description}",
                metric=metric_filter.metric(statistic="Sum", period=Duration.minutes(5)),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
            self.alarms[name] = alarm
        # Failed backup, copy and restore(-test) jobs (VTC §37-40) come as AWS Backup events.
        self.backup_failures = events.Rule(
            self,
            "BackupFailures",
            rule_name=cfg.resource_name("backup-failures"),
            description=f"LED {cfg.name}: a backup, copy or restore test job failed (VTC §37-40)",
            event_pattern=events.EventPattern(
                source=["aws.backup"],
                detail_type=["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
                detail={"state": ["FAILED", "ABORTED", "EXPIRED"]},
            ),
            targets=[_PublishFromThisRule(self.topic, principal=f"events.{domain}")],  # a jsii IRuleTarget
        )
