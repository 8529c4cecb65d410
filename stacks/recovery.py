"""Recovery stack of the workload account: restore-test validation, exit drill, operations topic.

VTC-BACKUP-ENVIRONMENT (§40) and VTC-EXIT (§42-43): the means to prove that a backup restores
into a working database, and to hand the data over to a second partner in an open format.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, CfnOutput
from constructs import Construct

from cdk_constructs.backup import OnDemandBackupRole
from cdk_constructs.drills.exit import ExitBucket, ExitDrill, ExitDrillProps
from cdk_constructs.drills.placement import DrillPlacement, OperationsTopic
from cdk_constructs.drills.restore import RestoreValidation, RestoreValidationProps
from cdk_constructs.network import IsolatedNetwork
from cdk_constructs.tags import mark_personal_data_export
from config import EnvironmentConfig
from stacks.workload import BackupStack, DataStack, _WorkloadStack

_COLON = ArnFormat.COLON_RESOURCE_NAME


def exit_bucket_name(config: EnvironmentConfig) -> str:
    """Deterministic: the second partner must know it before anything is exported."""
    return config.exit_bucket_name


class RecoveryStack(_WorkloadStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        network: IsolatedNetwork,
        data: DataStack,
        backup: BackupStack,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        drills = config.drills
        functions = self.app_tier(config, network)

        self.operations = OperationsTopic(
            self, "Operations", topic_name=config.resource_name("operations"), key=functions.log_key
        )
        placement = DrillPlacement(environment_name=config.name, operations=self.operations, functions=functions)
        self.restore_validation = RestoreValidation(
            self,
            "RestoreValidation",
            placement=placement,
            props=RestoreValidationProps(
                restore_testing_plan_arns=[
                    t.plan.attr_restore_testing_plan_arn
                    for t in (backup.restore_testing, backup.air_gap_restore_testing)
                    if t is not None
                ],
                database_name=config.database.database_name,
                expected_tables=drills.expected_tables,
                min_rows=drills.min_rows,
                newest_column=drills.newest_column,
                max_newest_age_days=drills.max_newest_age_days,
            ),
        )
        self.exit_bucket = ExitBucket(
            self,
            "ExitBucket",
            bucket_name=exit_bucket_name(config),
            data_key=functions.data_key,
            second_partner_principal_arn=drills.second_partner_principal_arn,
            expiry_days=drills.exit_export_expiry_days,
        )
        # The exports are full copies of the LED data (VTC-PERSONAL-DATA, §20), transient ones: not a
        # store to back up (that would multiply copies, §49), they expire and the next drill re-exports.
        mark_personal_data_export(self.exit_bucket.bucket, holds_personal_data=config.holds_personal_data)
        self.exit_drill = ExitDrill(
            self,
            "ExitDrill",
            placement=placement,
            props=ExitDrillProps(
                schedule=drills.exit_drill_schedule,
                export_role_name=config.resource_name("exit-export"),
                export_task_prefix=config.resource_name("exit"),
                exit_bucket=self.exit_bucket,
                db_instance_identifier=config.resource_name("db"),
                db_instance_arn=self.format_arn(
                    service="rds", resource="db", resource_name=config.resource_name("db"), arn_format=_COLON
                ),
                export_key_arn=config.key_arn("data"),
            ),
        )
        # Named: led-ops (contract/names.py restore_role_arn) passes it to StartRestoreJob/StartCopyJob.
        self.on_demand_backup_role = OnDemandBackupRole(
            self, "OnDemandBackupRole", role_name=config.resource_name("ops-backup")
        )
        CfnOutput(
            self,
            "OperationsTopicArn",
            value=self.operations.topic.topic_arn,
            description="Drill outcomes and restore-test alarms",
        )
        CfnOutput(
            self,
            "ExitBucketName",
            value=self.exit_bucket.bucket.bucket_name,
            description="Exit exports (Parquet, FB data key), readable by the second partner (VTC §42-43)",
        )
