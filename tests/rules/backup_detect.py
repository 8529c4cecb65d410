"""The cases of VTC-BACKUP-RETENTION-DETECT (policies/rules/backup_detect.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_cloudwatch as cloudwatch

from tests.rules._common import BACKUP, FB_KEY, REGION, WORKLOAD, case, database, db_arn, plan, select


def locked_vault(s, construct_id: str, name: str, *, min_days=3, max_days=365, lock=True, **kwargs):
    return backup.CfnBackupVault(
        s,
        construct_id,
        backup_vault_name=name,
        encryption_key_arn=FB_KEY,
        lock_configuration=backup.CfnBackupVault.LockConfigurationTypeProperty(
            min_retention_days=min_days, max_retention_days=max_days
        )
        if lock
        else None,
        **kwargs,
    )


def missing_backup_alarm(s, *, vault="v", treat_missing="breaching", periods=26, actions=True):
    cloudwatch.CfnAlarm(
        s,
        "NoBackup",
        namespace="AWS/Backup",
        metric_name="NumberOfBackupJobsCompleted",
        dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name="BackupVaultName", value=vault)],
        statistic="Sum",
        period=3600,
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        threshold=1,
        comparison_operator="LessThanThreshold",
        treat_missing_data=treat_missing,
        alarm_actions=[f"arn:aws:sns:{REGION}:{WORKLOAD}:led-prod-security-alarms"] if actions else None,
    )


def last_recovery_point_framework(s, *, age_value="1", age_unit="days", types=("RDS",)):
    backup.CfnFramework(
        s,
        "Framework",
        framework_controls=[
            backup.CfnFramework.FrameworkControlProperty(
                control_name="BACKUP_LAST_RECOVERY_POINT_CREATED",
                control_input_parameters=[
                    backup.CfnFramework.ControlInputParameterProperty(
                        parameter_name="recoveryPointAgeUnit", parameter_value=age_unit
                    ),
                    backup.CfnFramework.ControlInputParameterProperty(
                        parameter_name="recoveryPointAgeValue", parameter_value=age_value
                    ),
                ],
                control_scope={"ComplianceResourceTypes": list(types)},
            )
        ],
    )


def detected_backups(s, *, remote_lock=True, alarm=None, framework=None, copy_keep=14):
    """A personal-data database, its plan into locked vault v, copied to the backup account's
    locked vault r (a sibling stack of the group), with the alarm and the framework."""
    db = database(s)
    locked_vault(s, "V", "v")
    remote = cdk.Stack(s.node.scope, "Remote", env=cdk.Environment(account=BACKUP, region=REGION))
    locked_vault(remote, "R", "r", min_days=14, lock=remote_lock)
    select(s, plan(s, copy_keep=copy_keep), [db_arn(db)])
    (alarm or missing_backup_alarm)(s)
    (framework or last_recovery_point_framework)(s)


@case("VTC-BACKUP-RETENTION-DETECT", False, grouped=True)
def detect_alarm_framework_and_locks(s):
    detected_backups(s)


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_without_framework(s):
    detected_backups(s, framework=lambda s: None)


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_framework_allows_a_week(s):
    detected_backups(s, framework=lambda s: last_recovery_point_framework(s, age_value="7"))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_framework_for_another_type(s):
    detected_backups(s, framework=lambda s: last_recovery_point_framework(s, types=("EBS",)))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_alarm_treats_missing_data_as_ok(s):
    detected_backups(s, alarm=lambda s: missing_backup_alarm(s, treat_missing="notBreaching"))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_alarm_waits_three_days(s):
    detected_backups(s, alarm=lambda s: missing_backup_alarm(s, periods=72))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_alarm_on_another_vault(s):
    detected_backups(s, alarm=lambda s: missing_backup_alarm(s, vault="other"))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_alarm_without_action(s):
    detected_backups(s, alarm=lambda s: missing_backup_alarm(s, actions=False))


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_remote_vault_unlocked(s):
    detected_backups(s, remote_lock=False)


@case("VTC-BACKUP-RETENTION-DETECT", True, grouped=True)
def detect_copies_shorter_than_the_remote_lock(s):
    detected_backups(s, copy_keep=7)


@case("VTC-BACKUP-RETENTION-DETECT", True)
def detect_copy_to_a_vault_outside_the_app(s):
    db = database(s)
    locked_vault(s, "V", "v")
    select(s, plan(s), [db_arn(db)])
    missing_backup_alarm(s)
    last_recovery_point_framework(s)


@case("VTC-BACKUP-RETENTION-DETECT", True)
def detect_personal_data_vault_without_lock(s):
    locked_vault(s, "V", "v", lock=False, backup_vault_tags={"led:data-classification": "personal-data"})


@case("VTC-BACKUP-RETENTION-DETECT", False)
def detect_personal_data_vault_locked(s):
    locked_vault(s, "V", "v", backup_vault_tags={"led:data-classification": "personal-data"})
