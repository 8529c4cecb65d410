"""The cases of VTC-BACKUP-ELSEWHERE (policies/rules/backup_elsewhere.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Fn
from aws_cdk import aws_backup as backup

from tests.rules._common import FB_KEY, case, plan


@case("VTC-BACKUP-ELSEWHERE", False)
def elsewhere_other_account(s):
    plan(s)


@case("VTC-BACKUP-ELSEWHERE", False)
def elsewhere_other_allowed_region_by_sub(s):
    plan(s, copy_to=Fn.sub("arn:${AWS::Partition}:backup:eu-central-1:${AWS::AccountId}:backup-vault:copy"))


@case("VTC-BACKUP-ELSEWHERE", True)
def elsewhere_same_account_same_region_by_getatt(s):
    vault = backup.CfnBackupVault(s, "V", backup_vault_name="v", encryption_key_arn=FB_KEY)
    plan(s, copy_to=vault.attr_backup_vault_arn)


@case("VTC-BACKUP-ELSEWHERE", True)
def elsewhere_no_copy(s):
    plan(s, copy_to=None)


@case("VTC-BACKUP-ELSEWHERE", True)
def elsewhere_destination_parameter(s):
    param = cdk.CfnParameter(s, "Dest", type="String")
    plan(s, copy_to=param.value_as_string)


@case("VTC-BACKUP-ELSEWHERE", True)
def elsewhere_copy_shorter_than_the_window(s):
    plan(s, copy_keep=3)
