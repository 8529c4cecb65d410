"""The cases of VTC-BACKUP-RETENTION (policies/rules/backup_retention.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_backup as backup
from aws_cdk import aws_s3 as s3

from tests.rules._common import case, database, db_arn, plan, select, tags


@case("VTC-BACKUP-RETENTION", False)
def retention_daily_three_generations(s):
    db = database(s)
    select(s, plan(s), [db_arn(db)])


@case("VTC-BACKUP-RETENTION", True)
def retention_not_selected(s):
    database(s)


@case("VTC-BACKUP-RETENTION", True)
def retention_two_generations(s):
    db = database(s)
    select(s, plan(s, keep=2), [db_arn(db)])


@case("VTC-BACKUP-RETENTION", True)
def retention_weekly(s):
    db = database(s)
    select(s, plan(s, schedule="cron(0 1 ? * MON *)"), [db_arn(db)])


@case("VTC-BACKUP-RETENTION", False)
def retention_selected_by_tag(s):
    database(s)
    backup.CfnBackupSelection(
        s,
        "Sel",
        backup_plan_id=plan(s).ref,
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn="arn:aws:iam::444455556666:role/b",
            selection_name="tagged",
            list_of_tags=[
                backup.CfnBackupSelection.ConditionResourceTypeProperty(
                    condition_key="led:data-classification",
                    condition_value="personal-data",
                    condition_type="STRINGEQUALS",
                )
            ],
        ),
    )


@case("VTC-BACKUP-RETENTION", False)
def retention_transient_export_is_not_a_source(s):
    # The exit drill's exports expire and are re-made from the backed-up database (§49: no more copies).
    s3.CfnBucket(s, "Exit", tags=tags("personal-data-export"))
