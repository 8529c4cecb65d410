"""What no LED role may do to the audit logs and alarms (VTC-AUDIT-TRAIL §49, VTC-LOGS-DIRECT §27).

The database's pgaudit logs, the flow logs, the trail's log group, their metric filters and
subscriptions to the log archive, the alarms, the EventBridge rules and the alarm topics are all
in the workload account, where the platform operator works. These statements go into the
permissions boundary of every LED role (cdk_constructs/boundary.py); the same actions are denied by
the audit guardrail SCP (policies/guardrails.py) to every principal except the deployment role.
Only a reviewed deployment (CloudFormation's execution role, which no boundary caps) changes them.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam

AUDIT_PROTECTION_SID = "DenyTamperingWithAuditLogsAndAlarms"

LOG_TAMPERING_ACTIONS: tuple[str, ...] = (
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy",
    "logs:DeleteSubscriptionFilter",
    "logs:PutSubscriptionFilter",
    "logs:DisassociateKmsKey",
    "logs:DeleteMetricFilter",
    "logs:PutMetricFilter",
)
ALARM_TAMPERING_ACTIONS: tuple[str, ...] = (
    "cloudwatch:DeleteAlarms",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DisableAlarmActions",
    "cloudwatch:SetAlarmState",
    "events:DisableRule",
    "events:DeleteRule",
    "events:PutRule",
    "events:PutTargets",
    "events:RemoveTargets",
    "sns:Unsubscribe",
    "sns:SetSubscriptionAttributes",
    "sns:DeleteTopic",
    "sns:SetTopicAttributes",
)
AUDIT_TAMPERING_ACTIONS: tuple[str, ...] = LOG_TAMPERING_ACTIONS + ALARM_TAMPERING_ACTIONS


def audit_resource_patterns(partition: str) -> list[str]:
    """The LED audit resources of every environment, by their deterministic names:
    `/led/<env>/*` log groups (trail copy, functions), `/aws/rds/instance/led-<env>-*` (pgaudit and
    the other database exports), `led-<env>-*` log groups (CloudFormation names the flow-log group
    after its stack, led-<env>-network-...), alarms, rules (default and LED buses) and topics
    (a subscription's ARN starts with its topic's)."""
    return [
        f"arn:{partition}:logs:*:*:log-group:/led/*",
        f"arn:{partition}:logs:*:*:log-group:/aws/rds/instance/led-*",
        f"arn:{partition}:logs:*:*:log-group:led-*",
        f"arn:{partition}:cloudwatch:*:*:alarm:led-*",
        f"arn:{partition}:events:*:*:rule/led-*",
        f"arn:{partition}:sns:*:*:led-*",
    ]


def audit_protection_statements() -> list[iam.PolicyStatement]:
    """The boundary's block: a Deny of every tampering action on the LED audit resources."""
    return [
        iam.PolicyStatement(
            sid=AUDIT_PROTECTION_SID,
            effect=iam.Effect.DENY,
            actions=list(AUDIT_TAMPERING_ACTIONS),
            resources=audit_resource_patterns(Aws.PARTITION),
        )
    ]
