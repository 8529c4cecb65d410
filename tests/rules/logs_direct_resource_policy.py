"""The cases of VTC-LOGS-DIRECT-RESOURCE-POLICY (policies/rules/logs_direct_resource_policy.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_backup as backup
from aws_cdk import aws_sns as sns

from tests.rules._common import BACKUP, FB_KEY, LOG_ARCHIVE, WORKLOAD, allow_statement, bucket_policy, case

PARTNER_ROLE = "arn:aws:iam::210987654321:role/led-exit-reader"


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False)
def resource_policy_partner_reads(s):
    bucket_policy(s, [allow_statement({"AWS": PARTNER_ROLE}, ["s3:GetObject", "s3:ListBucket"])])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True)
def resource_policy_partner_deletes(s):
    bucket_policy(s, [allow_statement({"AWS": PARTNER_ROLE}, ["s3:GetObject", "s3:DeleteObject*"])])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=LOG_ARCHIVE)
def resource_policy_workload_changes_archive_policy(s):
    bucket_policy(s, [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:Put*")], object_lock=True)


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False, account=LOG_ARCHIVE)
def resource_policy_workload_writes_into_locked_archive(s):
    # Object Lock: every write is a new, locked version, nothing is overwritten.
    bucket_policy(s, [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:PutObject")], object_lock=True)


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=LOG_ARCHIVE)
def resource_policy_workload_overwrites_unlocked_bucket(s):
    bucket_policy(s, [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:PutObject")])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False, account=BACKUP)
def resource_policy_vault_receives_copies(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={
            "Version": "2012-10-17",
            "Statement": [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "backup:CopyIntoBackupVault")],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=BACKUP)
def resource_policy_vault_lets_workload_delete(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={
            "Version": "2012-10-17",
            "Statement": [
                allow_statement(
                    {"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, ["backup:CopyIntoBackupVault", "backup:Delete*"]
                )
            ],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True)
def resource_policy_topic_attributes_to_anybody(s):
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    sns.CfnTopicPolicy(
        s,
        "P",
        topics=[topic.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                allow_statement(
                    "*", "sns:SetTopicAttributes", condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}
                )
            ],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False)
def resource_policy_topic_attributes_own_account_only(s):
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    sns.CfnTopicPolicy(
        s,
        "P",
        topics=[topic.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                allow_statement(
                    "*", "sns:SetTopicAttributes", condition={"StringEquals": {"aws:PrincipalAccount": WORKLOAD}}
                )
            ],
        },
    )
