"""The cases of VTC-NO-STALE-BACKUP (policies/rules/no_stale_backup.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_backup as backup

from tests.rules._common import FB_KEY, case, plan


@case("VTC-NO-STALE-BACKUP", False)
def stale_three_days(s):
    plan(s)


@case("VTC-NO-STALE-BACKUP", True)
def stale_kept_forever(s):
    plan(s, keep=None)


@case("VTC-NO-STALE-BACKUP", True)
def stale_copy_outlives_key(s):
    plan(s, copy_keep=400)


@case("VTC-NO-STALE-BACKUP", True)
def stale_vault_lock_too_long(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        lock_configuration=backup.CfnBackupVault.LockConfigurationTypeProperty(
            min_retention_days=3, max_retention_days=3650
        ),
    )


@case("VTC-NO-STALE-BACKUP", True)
def stale_lifecycle_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    plan(s, keep=days.value_as_number)
