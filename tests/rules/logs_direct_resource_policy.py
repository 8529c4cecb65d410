"""The cases of VTC-LOGS-DIRECT-RESOURCE-POLICY (policies/rules/logs_direct_resource_policy.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import (
    BACKUP,
    LOG_ARCHIVE,
    WORKLOAD,
    allow_statement,
    bucket_policy,
    case,
    topic_policy,
    vault_policy,
)

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
    vault_policy(s, [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "backup:CopyIntoBackupVault")])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=BACKUP)
def resource_policy_vault_lets_workload_delete(s):
    vault_policy(
        s, [allow_statement({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, ["backup:CopyIntoBackupVault", "backup:Delete*"])]
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True)
def resource_policy_topic_attributes_to_anybody(s):
    condition = {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}
    topic_policy(s, [allow_statement("*", "sns:SetTopicAttributes", condition=condition)])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False)
def resource_policy_topic_attributes_own_account_only(s):
    condition = {"StringEquals": {"aws:PrincipalAccount": WORKLOAD}}
    topic_policy(s, [allow_statement("*", "sns:SetTopicAttributes", condition=condition)])
