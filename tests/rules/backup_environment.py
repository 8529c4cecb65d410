"""The cases of VTC-BACKUP-ENVIRONMENT (policies/rules/backup_environment.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_backup as backup

from tests.rules._common import case, database, db_arn, plan, select


def restore_testing(s, resource_type="RDS"):
    p = backup.CfnRestoreTestingPlan(
        s,
        "RtPlan",
        restore_testing_plan_name="rt",
        schedule_expression="cron(0 5 ? * MON *)",
        recovery_point_selection=backup.CfnRestoreTestingPlan.RestoreTestingRecoveryPointSelectionProperty(
            algorithm="LATEST_WITHIN_WINDOW", include_vaults=["*"], recovery_point_types=["SNAPSHOT"]
        ),
    )
    backup.CfnRestoreTestingSelection(
        s,
        "RtSel",
        restore_testing_plan_name=p.restore_testing_plan_name,
        restore_testing_selection_name="db",
        protected_resource_type=resource_type,
        iam_role_arn="arn:aws:iam::444455556666:role/rt",
    )


@case("VTC-BACKUP-ENVIRONMENT", False)
def environment_restore_tested(s):
    db = database(s)
    select(s, plan(s), [db_arn(db)])
    restore_testing(s)


@case("VTC-BACKUP-ENVIRONMENT", True)
def environment_no_restore_testing(s):
    db = database(s)
    select(s, plan(s), [db_arn(db)])


@case("VTC-BACKUP-ENVIRONMENT", True)
def environment_wrong_type_tested(s):
    db = database(s)
    select(s, plan(s), [db_arn(db)])
    restore_testing(s, "EBS")
