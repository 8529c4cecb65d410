"""The cases of VTC-LEAST-PRIVILEGE-SOURCE (policies/rules/least_privilege_source.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from tests.rules._common import (
    BACKUP,
    FB_KEY,
    LOG_ARCHIVE,
    REGION,
    WORKLOAD,
    allow_statement,
    bucket_policy,
    case,
    topic_policy,
    vault_policy,
)


@case("VTC-LEAST-PRIVILEGE-SOURCE", True)
def source_eventbridge_target_of_cdk(s):
    # targets.SnsTopic lets events.amazonaws.com publish for any rule of any account.
    topic = sns.Topic(s, "T", master_key=kms.Key.from_key_arn(s, "K", FB_KEY))
    events.Rule(
        s, "R", event_pattern=events.EventPattern(source=["aws.backup"]), targets=[events_targets.SnsTopic(topic)]
    )


@case("VTC-LEAST-PRIVILEGE-SOURCE", False)
def source_eventbridge_for_one_rule(s):
    condition = {"ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{WORKLOAD}:rule/r"}}
    topic_policy(s, [allow_statement({"Service": "events.amazonaws.com"}, "sns:Publish", condition=condition)])


@case("VTC-LEAST-PRIVILEGE-SOURCE", True, account=LOG_ARCHIVE)
def source_trail_write_only_null_checked(s):
    # A Null test only says the key is there: any account's trail may write.
    condition = {"Null": {"aws:SourceArn": "false"}}
    bucket_policy(s, [allow_statement({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", condition=condition)])


@case("VTC-LEAST-PRIVILEGE-SOURCE", False, account=LOG_ARCHIVE)
def source_config_write_pinned(s):
    condition = {"StringEquals": {"aws:SourceAccount": WORKLOAD}}
    bucket_policy(s, [allow_statement({"Service": "config.amazonaws.com"}, "s3:PutObject", condition=condition)])


@case("VTC-LEAST-PRIVILEGE-SOURCE", True, account=BACKUP)
def source_vault_service_unpinned(s):
    vault_policy(s, [allow_statement({"Service": "backup.amazonaws.com"}, "backup:CopyIntoBackupVault")])
