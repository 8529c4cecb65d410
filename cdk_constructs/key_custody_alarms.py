"""FB's key changes reach AHOVOKS (VTC §51), in the log archive account.

The key custody account's EventBridge rule (stacks/key_custody.py, KeyCustodyAuditStack) forwards
what FB does to its keys, and to the trail and rule that watch them, to a bus here; a rule on that
bus publishes them to an AHOVOKS topic under the FB log key.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from config import EnvironmentConfig, service_domain_of
from contract.names import key_custody_event_bus_arn, key_custody_event_bus_name

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


@dataclass(frozen=True)
class KeyCustodyAlarmsProps:
    config: EnvironmentConfig


class KeyCustodyAlarms(Construct):
    """The bus the key custody account forwards to, the AHOVOKS topic and the rule between them."""

    def __init__(self, scope: Construct, construct_id: str, props: KeyCustodyAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        cfg = props.config
        domain = service_domain_of(cfg.region)
        self.bus = events.CfnEventBus(
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
                        "Resource": key_custody_event_bus_arn(cfg, Aws.PARTITION),
                    }
                ],
            },
        )
        # The topic is this construct's Default child, so it keeps the logical ids it had as the
        # stack's "KeyCustodyAlarms"; the bus and the rule, named and deployed before this construct
        # existed, are pinned to theirs (a new logical id would make CloudFormation replace them).
        self.bus.override_logical_id("KeyCustodyEvents")
        self.topic = sns.Topic(
            self,
            "Default",
            topic_name=cfg.resource_name("key-custody-alarms"),
            display_name=f"LED {cfg.name} key custody alarms (AHOVOKS)",
            master_key=kms.Key.from_key_arn(self, "AlarmsLogKey", cfg.key_arn("log")),
            enforce_ssl=True,
        )
        if cfg.audit.alarm_email is not None:
            self.topic.add_subscription(subscriptions.EmailSubscription(cfg.audit.alarm_email))
        rule_name = cfg.resource_name("key-custody-alarms")
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="KeyCustodyAlarmRule",
                principals=[iam.ServicePrincipal(f"events.{domain}")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "ArnEquals": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:events:{cfg.region}:{cfg.accounts.log_archive}:"
                        f"rule/{key_custody_event_bus_name(cfg)}/{rule_name}"
                    }
                },
            )
        )
        self.rule = events.CfnRule(
            self,
            "KeyCustodyAlarmRule",
            name=rule_name,
            description=f"LED {cfg.name}: FB changed a key policy, a grant, or disabled or deleted a key (VTC §51)",
            event_bus_name=self.bus.attr_name,
            event_pattern=key_custody_event_pattern(cfg),
            state="ENABLED",
            targets=[events.CfnRule.TargetProperty(id="AhovoksTopic", arn=self.topic.topic_arn)],
        )
        self.rule.override_logical_id("KeyCustodyAlarmRule")
