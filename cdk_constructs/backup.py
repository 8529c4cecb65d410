"""AWS Backup for the LED: daily, N generations, copied elsewhere, restore-tested.

VTC-BACKUP-RETENTION (§38-39): one daily rule that keeps exactly N recovery points.
VTC-BACKUP-ELSEWHERE (§37): every recovery point is copied to a vault in the backup account
(and, where configured, a second allowed region).
VTC-NO-STALE-BACKUP (§47): the vault lock's maximum retention is the key rotation period, so no
recovery point can outlive the key generation it was written under.
VTC-BACKUP-ENVIRONMENT (§40): AWS Backup restore testing restores the latest recovery point
into the isolated data tier on a schedule.

A stopped plan must not go unnoticed (issue #9): the copies in the backup account are kept
`backup.copy_retention_days` (longer than the source's generations, shorter than the key), the vault
policies let only the deployment role change or delete a vault, and BackupDetection raises an alarm
within 26 hours of the last completed backup or copy job (VTC-BACKUP-RETENTION-DETECT checks it).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_constructs.risk import accept_risk
from config import CDK_DEFAULT_QUALIFIER, execution_role_arn

DAILY = "cron(0 1 * * ? *)"
_COLON = ArnFormat.COLON_RESOURCE_NAME
# The daily job starts within an hour of 01:00 and takes minutes: 26 hours without a completed job
# means a day was missed (VTC §38-39), with two hours of slack for a late start.
MISSING_AFTER_HOURS = 26
# Vault changes only the deployment role may make (the vault policy; the SCP adds the lock).
VAULT_CHANGING_ACTIONS = (
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:PutBackupVaultAccessPolicy",
)


def deployment_role_arn(scope: Construct) -> str:
    """The CDK bootstrap's CloudFormation execution role of the scope's account and region: the
    reviewed, recorded path of every change (exact ARN, no wildcard)."""
    stack = Stack.of(scope)
    return execution_role_arn(Aws.PARTITION, CDK_DEFAULT_QUALIFIER, stack.account, stack.region)


def backup_service_principal(scope: Construct) -> iam.ServicePrincipal:
    """AWS Backup, only on behalf of this stack's account (aws:SourceAccount: no confused deputy)."""
    return iam.ServicePrincipal(
        "backup.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
    )


def vault_access_policy(scope: Construct, copy_from_accounts: Sequence[str] = ()) -> iam.PolicyDocument:
    """The access policy of every LED vault: recovery points leave by their lifecycle only, the vault
    and its policy change only through a deployment (issue #9), copies come in from the named accounts."""
    policy = iam.PolicyDocument(
        statements=[
            # Recovery points are removed by their lifecycle only (the vault lock enforces it).
            iam.PolicyStatement(
                sid="DenyManualRecoveryPointDeletion",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                resources=["*"],
            ),
            # The vault and this policy change only through a deployment (issue #9).
            iam.PolicyStatement(
                sid="DenyVaultChangesOutsideDeployment",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(VAULT_CHANGING_ACTIONS),
                resources=["*"],
                conditions={"ArnNotEquals": {"aws:PrincipalArn": deployment_role_arn(scope)}},
            ),
        ]
    )
    if copy_from_accounts:
        policy.add_statements(
            iam.PolicyStatement(
                sid="CopyInFromLedWorkload",
                principals=[iam.AccountPrincipal(a) for a in copy_from_accounts],
                actions=["backup:CopyIntoBackupVault"],
                resources=["*"],
            )
        )
    return policy


class LockedVault(Construct):
    """A backup vault under an FB key with a vault lock bounding retention both ways."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vault_name: str,
        key: kms.IKey,
        min_retention_days: int,
        max_retention_days: int,
        compliance_mode: bool,
        copy_from_accounts: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        if max_retention_days < min_retention_days:
            raise ValueError("vault lock: max_retention_days must be at least min_retention_days")
        access_policy = vault_access_policy(self, copy_from_accounts)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=vault_name,
            encryption_key=key,
            access_policy=access_policy,
            lock_configuration=backup.LockConfiguration(
                min_retention=Duration.days(min_retention_days),
                max_retention=Duration.days(max_retention_days),
                # Compliance mode: after three days nobody, AWS included, can lift the lock.
                changeable_for=Duration.days(3) if compliance_mode else None,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )


class DailyBackupPlan(Construct):
    """The plan: one daily rule, N generations, copies to the given vault ARNs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan_name: str,
        vault: backup.IBackupVault,
        generations: int,
        copy_vault_arns: Sequence[str],
        database: rds.DatabaseInstance,
        copy_retention_days: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if generations < 3:
            raise ValueError(f"generations {generations}: VTC §39 asks for at least three")
        if not copy_vault_arns:
            raise ValueError("copy_vault_arns: VTC §37 asks for a backup elsewhere")
        copy_days = generations if copy_retention_days is None else copy_retention_days
        if copy_days < generations:
            raise ValueError(f"copy_retention_days {copy_days}: at least the {generations} generations (VTC §37)")
        keep = Duration.days(generations)
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=plan_name, backup_vault=vault)
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Daily",
                schedule_expression=events.Schedule.expression(DAILY),
                start_window=Duration.hours(1),
                completion_window=Duration.hours(6),
                delete_after=keep,
                copy_actions=[
                    backup.BackupPlanCopyActionProps(
                        destination_backup_vault=backup.BackupVault.from_backup_vault_arn(self, f"CopyTarget{i}", arn),
                        # The detection-and-response window: copies outlive a stopped plan's source.
                        delete_after=Duration.days(copy_days),
                    )
                    for i, arn in enumerate(copy_vault_arns)
                ],
            )
        )
        # The selection's role, made here rather than by CDK so that its trust names the account.
        self.selection_role = iam.Role(
            self,
            "DatabaseSelectionRole",
            assumed_by=backup_service_principal(self),
            description="AWS Backup takes the LED database's daily backups",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSBackupServiceRolePolicyForBackup")
            ],
        )
        self.selection = self.plan.add_selection(
            "Database",
            resources=[backup.BackupResource.from_rds_database_instance(database)],
            role=self.selection_role,
        )
        accept_risk(
            self.selection_role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSBackupServiceRolePolicyForBackup]",
            "AWS Backup's own service-role policy is the documented minimum for taking backups; it is "
            "kept current by AWS as services change, and the role carries the LED permissions boundary.",
            risk="aws-managed-service-role-policies",
        )


class BackupDetection(Construct):
    """A missed daily recovery point is noticed within a day (VTC §38-39, issue #9).

    Two means, because they fail differently: CloudWatch alarms on the AWS/Backup job metrics of the
    plan's vault (no completed backup job, or no completed copy job, for 26 hours; missing data is
    breaching, so a plan that stopped, lost its selection or was deleted alarms, loud rather than
    silent), to the security alarms topic; and an AWS Backup Audit Manager framework whose controls
    AWS Config re-evaluates (last recovery point at most a day old, plan frequency and retention,
    recovery point retention, vault lock): the audit evidence, which names the resource, for the
    regular audit (§11).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        framework_name: str,
        alarm_prefix: str,
        vault_name: str,
        alarm_topic_arn: str,
        generations: int,
        max_retention_days: int,
        resource_types: Sequence[str] = ("RDS",),
    ) -> None:
        super().__init__(scope, construct_id)
        topic = sns.Topic.from_topic_arn(self, "AlarmTopic", alarm_topic_arn)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for name, metric_name, what in (
            ("NoBackup", "NumberOfBackupJobsCompleted", "backup"),
            ("NoCopy", "NumberOfCopyJobsCompleted", "copy"),
        ):
            alarm = cloudwatch.Alarm(
                self,
                name,
                alarm_name=f"{alarm_prefix}-{what}-missing",
                alarm_description=(
                    f"No completed {what} job in vault {vault_name} for {MISSING_AFTER_HOURS} hours: the daily "
                    "recovery point is missing (VTC §37-39). Check the plan, its selection and the last jobs."
                ),
                metric=cloudwatch.Metric(
                    namespace="AWS/Backup",
                    metric_name=metric_name,
                    dimensions_map={"BackupVaultName": vault_name},
                    statistic="Sum",
                    period=Duration.hours(1),
                ),
                threshold=1,
                evaluation_periods=MISSING_AFTER_HOURS,
                datapoints_to_alarm=MISSING_AFTER_HOURS,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            )
            alarm.add_alarm_action(cw_actions.SnsAction(topic))
            alarm.add_ok_action(cw_actions.SnsAction(topic))
            self.alarms[name] = alarm

        def control(name: str, **parameters: object) -> backup.CfnFramework.FrameworkControlProperty:
            return backup.CfnFramework.FrameworkControlProperty(
                control_name=name,
                control_input_parameters=[
                    backup.CfnFramework.ControlInputParameterProperty(parameter_name=k, parameter_value=str(v))
                    for k, v in parameters.items()
                ]
                or None,
                # ControlScope is untyped JSON in the CloudFormation schema: CloudFormation's key names.
                control_scope={"ComplianceResourceTypes": list(resource_types)},
            )

        self.framework = backup.CfnFramework(
            self,
            "Framework",
            framework_name=framework_name,
            framework_description="LED: a daily recovery point, kept the configured generations, in a locked vault",
            framework_controls=[
                control("BACKUP_LAST_RECOVERY_POINT_CREATED", recoveryPointAgeUnit="days", recoveryPointAgeValue=1),
                control(
                    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
                    requiredFrequencyUnit="days",
                    requiredFrequencyValue=1,
                    requiredRetentionDays=generations,
                ),
                control("BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK", requiredRetentionDays=generations),
                control(
                    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                    minRetentionDays=generations,
                    maxRetentionDays=max_retention_days,
                ),
            ],
        )


class RestoreTesting(Construct):
    """AWS Backup restore testing of the database into the isolated data tier (L1 only), from the
    recovery points of one vault: this account's, or a logically air-gapped vault of another account
    shared with this one through AWS RAM (`source_account`, whose recovery points it reads)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan_name: str,
        schedule: str,
        vault_arn: str,
        database: rds.DatabaseInstance,
        subnet_group_name: str,
        security_group_id: str,
        validation_window_hours: int = 4,
        source_account: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=backup_service_principal(self),
            description="AWS Backup restore testing of the LED database",
        )

        def arn(service: str, resource: str, name: str, account: str | None = None) -> str:
            return stack.format_arn(
                service=service, resource=resource, resource_name=name, arn_format=_COLON, account=account
            )

        # AWS Backup names restore-test instances and recovery points itself: these prefixes are
        # as narrow as the service allows.
        generated = [
            arn("rds", "db", "awsbackup-restore-test-*"),
            arn("rds", "snapshot", "awsbackup:*"),
            arn("rds", "og", "*"),
            arn("rds", "pg", "*"),
            arn("backup", "recovery-point", "*", source_account),
        ]
        policy = iam.ManagedPolicy(
            self,
            "Policy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="RestoreIntoDataTier",
                    actions=[
                        "rds:CreateDBInstance",
                        "rds:RestoreDBInstanceFromDBSnapshot",
                        "rds:DeleteDBInstance",
                        "rds:DescribeDBInstances",
                        "rds:DescribeDBSnapshots",
                        "rds:AddTagsToResource",
                        "rds:ModifyDBInstance",
                    ],
                    resources=[*generated[:4], arn("rds", "subgrp", subnet_group_name)],
                ),
                iam.PolicyStatement(
                    sid="ReadRecoveryPoints",
                    actions=[
                        "backup:DescribeRecoveryPoint",
                        "backup:GetRecoveryPointRestoreMetadata",
                        "backup:StartRestoreJob",
                    ],
                    resources=[vault_arn, generated[4]],
                ),
            ],
        )
        for resource in generated:
            accept_risk(
                policy,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{stack.resolve(resource)}]",
                "AWS Backup names restore-test instances (awsbackup-restore-test-*), their snapshots "
                "and recovery points itself, so the restore-testing role is scoped to those generated "
                "names in this account and region (the recovery points: in the source vault's account), "
                "not to fixed ARNs.",
                risk="iam-aws-generated-names",
            )
        self.plan = backup.CfnRestoreTestingPlan(
            self,
            "Plan",
            restore_testing_plan_name=plan_name,
            schedule_expression=schedule,
            schedule_expression_timezone="Europe/Brussels",
            start_window_hours=4,
            recovery_point_selection=backup.CfnRestoreTestingPlan.RestoreTestingRecoveryPointSelectionProperty(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[vault_arn],
                recovery_point_types=["SNAPSHOT"],
                selection_window_days=7,
            ),
        )
        self.selection = backup.CfnRestoreTestingSelection(
            self,
            "Selection",
            restore_testing_plan_name=self.plan.restore_testing_plan_name,
            restore_testing_selection_name="database",
            protected_resource_type="RDS",
            protected_resource_arns=[database.instance_arn],
            iam_role_arn=self.role.role_arn,
            validation_window_hours=validation_window_hours,
            # The restored instance lands in the isolated data tier, small, never public.
            restore_metadata_overrides={
                "dbsubnetgroupname": subnet_group_name,
                "vpcsecuritygroupids": Fn.join("", ['["', security_group_id, '"]']),
                "multiaz": "false",
                "publiclyaccessible": "false",
                "deletionprotection": "false",
            },
        )
        self.selection.add_resource_dependency(self.plan)


class OnDemandBackupRole(Construct):
    """The role AWS Backup assumes for the restore and copy jobs that `led-ops restore-drill` and
    `led-ops reencrypt` start on demand (VTC-BACKUP-ENVIRONMENT §40, VTC-KEY-REENCRYPT §46)."""

    def __init__(self, scope: Construct, construct_id: str, *, role_name: str) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Default",
            role_name=role_name,
            assumed_by=backup_service_principal(self),
            description="AWS Backup restore and copy jobs started by led-ops drills",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(f"service-role/{name}")
                for name in _BACKUP_SERVICE_POLICIES
            ],
        )
        for name in _BACKUP_SERVICE_POLICIES:
            accept_risk(
                self.role,
                f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{name}]",
                "AWS Backup's own service-role policies are the documented minimum for restore and copy "
                "jobs and are kept current by AWS; the role carries the LED permissions boundary, which "
                "denies key administration and making anything public.",
                risk="aws-managed-service-role-policies",
            )


_BACKUP_SERVICE_POLICIES = ("AWSBackupServiceRolePolicyForRestores", "AWSBackupServiceRolePolicyForBackup")
