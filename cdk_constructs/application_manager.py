"""The application manager's role (AHOVOKS manages the LED application, PaaS, VTC §32): reads the
database logs and runs the drills of VTC §40 and §42-43 with led-ops; a construct of its own
beside cdk_constructs/workload_roles.py, as its drill grants are the longest of the workload's
roles.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.audit_setup import RESTORE_VALIDATOR_ROLE
from cdk_constructs.workload_roles import (
    DB_LOGS_REASON,
    LOG_READ_ACTIONS,
    METRICS_REASON,
    HumanRole,
    WorkloadTargets,
    metrics_statement,
    read_stacks,
    restore_statement,
)


def _drill_statements(t: WorkloadTargets) -> list[iam.PolicyStatement]:
    """The drills of VTC §40 and §42-43 with led-ops (restore-drill, exit-drill, backup-status):
    restore into led-drill-* instances only, validate as the read-only validator, delete only what
    was restored; export the latest snapshot."""
    return [
        restore_statement(
            t,
            "RestoreARecoveryPoint",
            [
                "backup:ListRecoveryPointsByBackupVault",
                "backup:DescribeRecoveryPoint",
                "backup:GetRecoveryPointRestoreMetadata",
                "backup:StartRestoreJob",
            ],
        ),
        # Listing by resource and the job lists authorise on '*' only; they are reads.
        iam.PolicyStatement(
            sid="FollowTheDrillJobs",
            actions=[
                "backup:ListRecoveryPointsByResource",
                "backup:DescribeRestoreJob",
                "backup:ListCopyJobs",
                "rds:DescribeExportTasks",
            ],
            resources=["*"],
        ),
        # Each drill role only to the service that assumes it (AWS Backup restores, RDS exports).
        iam.PolicyStatement(
            sid="PassTheDrillRoles",
            actions=["iam:PassRole"],
            resources=[t.role("ops-backup"), t.role("exit-export")],
            conditions={"StringEquals": {"iam:PassedToService": ["backup.amazonaws.com", "export.rds.amazonaws.com"]}},
        ),
        iam.PolicyStatement(
            sid="RunTheRestoredDrillInstance",
            actions=["rds:DescribeDBInstances", "rds:DeleteDBInstance", "rds:AddTagsToResource"],
            resources=[t.arn("rds", "db:led-drill-*")],
        ),
        iam.PolicyStatement(
            sid="ValidateAsTheReadOnlyValidator",
            actions=["rds-db:connect"],
            resources=[t.arn("rds-db", f"dbuser:*/{RESTORE_VALIDATOR_ROLE}")],
        ),
        # Restored drill instances get a resource id only when they exist, hence dbuser:* above;
        # the live database is never one of them (found by the who-can-do-what evaluation).
        iam.PolicyStatement(
            sid="DenyLoginToTheLiveDatabase",
            effect=iam.Effect.DENY,
            actions=["rds-db:connect"],
            resources=[t.arn("rds-db", f"dbuser:{t.database_resource_id}/*")],
        ),
        iam.PolicyStatement(
            sid="ExportTheLatestSnapshot",
            actions=["rds:DescribeDBSnapshots", "rds:StartExportTask", "rds:CancelExportTask"],
            resources=[t.database, *_drill_exports(t)],
        ),
        iam.PolicyStatement(
            sid="ReadTheExitExport",
            actions=["s3:ListBucket", "s3:GetObject"],
            resources=[t.exit_bucket, f"{t.exit_bucket}/*"],
        ),
    ]


def _drill_exports(t: WorkloadTargets) -> list[str]:
    return [t.arn("rds", "snapshot:*"), t.arn("rds", f"export-task:{t.config.resource_name('exit')}-*")]


class ApplicationManagerRole(HumanRole):
    """AHOVOKS manages the LED application (PaaS, VTC §32): reads the database logs, runs the drills."""

    def __init__(self, scope: Construct, construct_id: str, *, targets: WorkloadTargets) -> None:
        t = targets
        super().__init__(
            scope,
            construct_id,
            t,
            "application-manager",
            "AHOVOKS manages the LED application (PaaS, VTC §32)",
            principals=t.config.access.application_manager_principals,
            statements=[
                read_stacks(t),
                iam.PolicyStatement(sid="ReadDatabaseLogs", actions=LOG_READ_ACTIONS, resources=[t.db_log_groups]),
                iam.PolicyStatement(
                    sid="DescribeTheDatabase", actions=["rds:DescribeDBInstances"], resources=[t.database]
                ),
                metrics_statement(),
                *_drill_statements(t),
            ],
        )
        self.accept_any_resource(
            METRICS_REASON + " So do AWS Backup's ListRecoveryPointsByResource, DescribeRestoreJob and "
            "ListCopyJobs and RDS DescribeExportTasks, which the drills follow; all are reads."
        )
        self.accept_generated_names(
            t.stacks,
            "CloudFormation stack ARNs end in a generated id; AHOVOKS' application manager only reads "
            "(describes) the stacks named led-<env>-* of this account and region, it changes none.",
        )
        self.accept_generated_names(t.db_log_groups, DB_LOGS_REASON)
        drill_reason = (
            "AWS Backup, RDS and S3 name what a drill creates (recovery points, snapshots, export "
            "tasks and files, the restored instance's resource id); the grants are limited to the "
            "led-drill-* instances, the led-<env>-exit-* export tasks, the exit bucket and the "
            "read-only validator login, as the drills of VTC §40 and §42-43 need."
        )
        for resource in (
            t.recovery_points,
            t.arn("rds", "db:led-drill-*"),
            t.arn("rds-db", f"dbuser:*/{RESTORE_VALIDATOR_ROLE}"),
            *_drill_exports(t),
            f"{t.exit_bucket}/*",
        ):
            self.accept_generated_names(resource, drill_reason)
