"""The roles of the workload account: one per party and purpose (VTC-PROCESSOR §14-15, §27, §34;
VTC-LEAST-PRIVILEGE, conclusion; VTC-LOGS-DIRECT §27).

| role                          | party   | may                                              |
|-------------------------------|---------|--------------------------------------------------|
| led-<env>-app-runtime         | AHOVOKS | connect to the database as led_app (IAM auth)    |
| led-<env>-platform-operator   | Cronos  | restart the database, read stacks and metrics    |
| led-<env>-application-manager | AHOVOKS | read database logs, run the drills               |
| led-<env>-auditor             | AHOVOKS | read the trail, Config and the audit log groups  |
| led-<env>-break-glass         | AHOVOKS | repair the database, restore, bounded, one hour  |

The platform operator is a processor: its policy explicitly denies reading the database secret,
logging in to the database, using the FB keys and writing to or deleting from the log archive,
so a later allow (or a mistake in the boundary) cannot open them.

Deploying is a path to the data (design.md, "The deployment path"): whoever runs a change set
acts as the CDK bootstrap's CloudFormation execution role and can, for instance, change the
function that reads the master secret. So no human role deploys: the controller's (AHOVOKS')
delivery pipeline, named in the config's [deployment] table, is the only principal the bootstrap
roles trust (tools/bootstrap.py), and the operator proposes changes by pull request. Every human
role explicitly denies assuming the bootstrap roles (cdk-*) and every CloudFormation write action
(DEPLOYMENT_DENIED_* below, VTC-PROCESSOR-DEPLOY), so that no later allow reopens the path;
reading the stacks (describe, template, events) stays.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.audit_setup import RESTORE_VALIDATOR_ROLE
from cdk_constructs.party_role import PartyRole
from cdk_constructs.risk import accept_risk
from config import OPERATOR_PARTY, EnvironmentConfig
from contract.names import trail_name
from stacks.workload import _WorkloadStack

AHOVOKS = "AHOVOKS"
OPERATOR = OPERATOR_PARTY
APP_DB_USER = "led_app"

OPERATOR_DENIED_SECRET_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:RestoreSecret",
)
OPERATOR_DENIED_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:CreateGrant",
)
# VTC-PROCESSOR (§14-15, §34), issue "deployment is a path to the data": no human role deploys.
DEPLOYMENT_DENIED_ROLE_PATTERN = "cdk-*"
DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS = (
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:DeleteStack",
    "cloudformation:ContinueUpdateRollback",
    "cloudformation:CancelUpdateStack",
    "cloudformation:RollbackStack",
    "cloudformation:UpdateTerminationProtection",
    "cloudformation:SetStackPolicy",
    "cloudformation:CreateStackSet",
    "cloudformation:UpdateStackSet",
    "cloudformation:DeleteStackSet",
    "cloudformation:CreateStackInstances",
    "cloudformation:UpdateStackInstances",
    "cloudformation:DeleteStackInstances",
    "cloudformation:ImportStacksToStackSet",
    "cloudformation:CreateStackRefactor",
    "cloudformation:ExecuteStackRefactor",
    "cloudformation:CreateGeneratedTemplate",
    "cloudformation:UpdateGeneratedTemplate",
    "cloudformation:RegisterType",
    "cloudformation:ActivateType",
    "cloudformation:SetTypeConfiguration",
    "cloudformation:SignalResource",
)
# What every human role may still read about the stacks (no template parameter values are secret:
# the LED templates take no secret parameters).
STACK_READ_ACTIONS = (
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:DescribeChangeSet",
)


def deployment_denies(partition: str) -> list[iam.PolicyStatement]:
    """The explicit Deny statements every human role carries: no bootstrap role, no stack change."""
    return [
        iam.PolicyStatement(
            sid="DenyAssumingTheCdkBootstrapRoles",
            effect=iam.Effect.DENY,
            actions=["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            resources=[f"arn:{partition}:iam::*:role/{DEPLOYMENT_DENIED_ROLE_PATTERN}"],
        ),
        iam.PolicyStatement(
            sid="DenyChangingStacks",
            effect=iam.Effect.DENY,
            actions=list(DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS),
            resources=["*"],
        ),
    ]


OPERATOR_DENIED_ARCHIVE_ACTIONS = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:DeleteBucket",
)


def role_names(config: EnvironmentConfig) -> dict[str, str]:
    return {
        purpose: config.resource_name(purpose)
        for purpose in ("app-runtime", "platform-operator", "application-manager", "auditor", "break-glass")
    }


class AccessStack(_WorkloadStack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, database_resource_id: str, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        cfg = config
        acc = cfg.accounts
        names = role_names(cfg)
        partition, region, account = Aws.PARTITION, cfg.region, acc.workload
        human_session = Duration.hours(cfg.access.session_hours)

        def arn(service: str, resource: str, *, region_: str = region, account_: str = account) -> str:
            return f"arn:{partition}:{service}:{region_}:{account_}:{resource}"

        db_arn = arn("rds", f"db:{cfg.resource_name('db')}")
        stacks = arn("cloudformation", f"stack/led-{cfg.name}-*/*")
        archive = f"arn:{partition}:s3:::{cfg.log_archive_bucket_name}"
        fb_keys = arn("kms", "key/*", region_="*", account_=acc.key_custody)
        db_log_groups = arn("logs", f"log-group:/aws/rds/instance/{cfg.resource_name('db')}/*")
        audit_log_groups = arn("logs", f"log-group:/led/{cfg.name}/*")
        vault = arn("backup", f"backup-vault:{cfg.resource_name('vault')}")
        recovery_points = arn("backup", "recovery-point:*")
        restore_role = f"arn:{partition}:iam::{account}:role/{cfg.resource_name('ops-backup')}"
        export_role = f"arn:{partition}:iam::{account}:role/{cfg.resource_name('exit-export')}"
        exit_bucket = f"arn:{partition}:s3:::{cfg.exit_bucket_name}"
        read_stacks = iam.PolicyStatement(
            sid="ReadTheLandingZoneStacks", actions=list(STACK_READ_ACTIONS), resources=[stacks]
        )
        metrics = iam.PolicyStatement(
            sid="ReadMetricsAndAlarms",
            actions=["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms"],
            resources=["*"],
        )

        self.app_runtime = PartyRole(
            self,
            "AppRuntime",
            role_name=names["app-runtime"],
            description=f"LED {cfg.name}: the application at run time",
            party=AHOVOKS,
            service_principal="ecs-tasks.amazonaws.com",
            service_account=account,
            statements=[
                iam.PolicyStatement(
                    sid="ConnectAsTheApplicationUser",
                    actions=["rds-db:connect"],
                    resources=[arn("rds-db", f"dbuser:{database_resource_id}/{APP_DB_USER}")],
                )
            ],
        )

        self.platform_operator = PartyRole(
            self,
            "PlatformOperator",
            role_name=names["platform-operator"],
            description=f"LED {cfg.name}: the platform operator (processor) runs the platform",
            party=OPERATOR,
            human_principal_arns=cfg.access.operator_principals,
            max_session=human_session,
            statements=[
                read_stacks,
                iam.PolicyStatement(
                    sid="RestartTheDatabase",
                    actions=[
                        "rds:DescribeDBInstances",
                        "rds:RebootDBInstance",
                        "rds:StartDBInstance",
                        "rds:StopDBInstance",
                    ],
                    resources=[db_arn],
                ),
                metrics,
                # Explicit denies (VTC-PROCESSOR): no data, no keys, no logs, whatever else allows.
                iam.PolicyStatement(
                    sid="DenyReadingTheDatabaseSecret",
                    effect=iam.Effect.DENY,
                    actions=list(OPERATOR_DENIED_SECRET_ACTIONS),
                    resources=[arn("secretsmanager", "secret:*")],
                ),
                iam.PolicyStatement(
                    sid="DenyDatabaseLoginAndPasswordChange",
                    effect=iam.Effect.DENY,
                    actions=["rds-db:connect", "rds:ModifyDBInstance"],
                    resources=[arn("rds-db", "dbuser:*/*"), db_arn],
                ),
                iam.PolicyStatement(
                    sid="DenyUsingTheDataKey",
                    effect=iam.Effect.DENY,
                    actions=list(OPERATOR_DENIED_KEY_ACTIONS),
                    resources=[cfg.key_arn("data"), fb_keys],
                ),
                iam.PolicyStatement(
                    sid="DenyWritingToTheLogArchive",
                    effect=iam.Effect.DENY,
                    actions=list(OPERATOR_DENIED_ARCHIVE_ACTIONS),
                    resources=[archive, f"{archive}/*"],
                ),
                *deployment_denies(partition),
            ],
        )

        drill_instances = arn("rds", "db:led-drill-*")
        drill_statements = [
            iam.PolicyStatement(
                sid="RestoreARecoveryPoint",
                actions=[
                    "backup:ListRecoveryPointsByBackupVault",
                    "backup:DescribeRecoveryPoint",
                    "backup:GetRecoveryPointRestoreMetadata",
                    "backup:StartRestoreJob",
                ],
                resources=[vault, recovery_points],
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
                resources=[restore_role, export_role],
                conditions={
                    "StringEquals": {"iam:PassedToService": ["backup.amazonaws.com", "export.rds.amazonaws.com"]}
                },
            ),
            iam.PolicyStatement(
                sid="RunTheRestoredDrillInstance",
                actions=["rds:DescribeDBInstances", "rds:DeleteDBInstance", "rds:AddTagsToResource"],
                resources=[drill_instances],
            ),
            iam.PolicyStatement(
                sid="ValidateAsTheReadOnlyValidator",
                actions=["rds-db:connect"],
                resources=[arn("rds-db", f"dbuser:*/{RESTORE_VALIDATOR_ROLE}")],
            ),
            # Restored drill instances get a resource id only when they exist, hence dbuser:* above;
            # the live database is never one of them (found by the who-can-do-what evaluation).
            iam.PolicyStatement(
                sid="DenyLoginToTheLiveDatabase",
                effect=iam.Effect.DENY,
                actions=["rds-db:connect"],
                resources=[arn("rds-db", f"dbuser:{database_resource_id}/*")],
            ),
            iam.PolicyStatement(
                sid="ExportTheLatestSnapshot",
                actions=["rds:DescribeDBSnapshots", "rds:StartExportTask", "rds:CancelExportTask"],
                resources=[db_arn, arn("rds", "snapshot:*"), arn("rds", f"export-task:{cfg.resource_name('exit')}-*")],
            ),
            iam.PolicyStatement(
                sid="ReadTheExitExport",
                actions=["s3:ListBucket", "s3:GetObject"],
                resources=[exit_bucket, f"{exit_bucket}/*"],
            ),
        ]

        self.application_manager = PartyRole(
            self,
            "ApplicationManager",
            role_name=names["application-manager"],
            description=f"LED {cfg.name}: AHOVOKS manages the LED application (PaaS, VTC §32)",
            party=AHOVOKS,
            human_principal_arns=cfg.access.application_manager_principals,
            max_session=human_session,
            statements=[
                read_stacks,
                iam.PolicyStatement(
                    sid="ReadDatabaseLogs",
                    actions=["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"],
                    resources=[db_log_groups],
                ),
                iam.PolicyStatement(sid="DescribeTheDatabase", actions=["rds:DescribeDBInstances"], resources=[db_arn]),
                metrics,
                # The controller runs the drills of VTC §40 and §42-43 with led-ops (restore-drill,
                # exit-drill, backup-status): restore into led-drill-* instances only, validate as
                # the read-only validator, delete only what it restored; export the latest snapshot.
                *drill_statements,
                *deployment_denies(partition),
            ],
        )

        self.auditor = PartyRole(
            self,
            "Auditor",
            role_name=names["auditor"],
            description=f"LED {cfg.name}: AHOVOKS auditors read the trail, Config and audit logs (VTC §27)",
            party=AHOVOKS,
            human_principal_arns=cfg.access.auditor_principals,
            max_session=human_session,
            statements=[
                iam.PolicyStatement(
                    sid="ReadTheTrail",
                    actions=["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
                    resources=[arn("cloudtrail", f"trail/{trail_name(cfg)}")],
                ),
                iam.PolicyStatement(
                    sid="ReadTheAuditLogGroups",
                    actions=["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"],
                    resources=[audit_log_groups, db_log_groups],
                ),
                # These read-only APIs authorise on "*" only (no resource-level permissions).
                iam.PolicyStatement(
                    sid="ReadOnlyAccountWideAuditApis",
                    actions=[
                        "cloudtrail:LookupEvents",
                        "cloudtrail:DescribeTrails",
                        "config:DescribeConfigRules",
                        "config:DescribeComplianceByConfigRule",
                        "config:DescribeComplianceByResource",
                        "config:GetComplianceDetailsByConfigRule",
                        "config:DescribeConfigurationRecorders",
                        "config:DescribeConfigurationRecorderStatus",
                        "config:DescribeDeliveryChannels",
                        "config:GetResourceConfigHistory",
                        "config:SelectResourceConfig",
                        "logs:DescribeLogGroups",
                        "logs:GetQueryResults",
                        "cloudwatch:DescribeAlarms",
                        "cloudwatch:GetMetricData",
                    ],
                    resources=["*"],
                ),
                *deployment_denies(partition),
            ],
        )

        self.break_glass = PartyRole(
            self,
            "BreakGlass",
            role_name=names["break-glass"],
            description=f"LED {cfg.name}: break glass (MFA, one hour, every use alarmed, bounded)",
            party=AHOVOKS,
            human_principal_arns=cfg.access.break_glass_principals,
            max_session=Duration.hours(1),
            # Named emergency powers, not AdministratorAccess (VTC-LEAST-PRIVILEGE, conclusion V):
            # restart or repair the database, restore from the vault. A stack that needs rolling
            # back or forward is the pipeline's job (a reverting pull request), not a human's.
            statements=[
                read_stacks,
                iam.PolicyStatement(
                    sid="RepairTheDatabase",
                    actions=[
                        "rds:DescribeDBInstances",
                        "rds:RebootDBInstance",
                        "rds:StartDBInstance",
                        "rds:StopDBInstance",
                        "rds:ModifyDBInstance",
                    ],
                    resources=[db_arn],
                ),
                iam.PolicyStatement(
                    sid="RestoreFromTheVault",
                    actions=[
                        "backup:ListRecoveryPointsByBackupVault",
                        "backup:DescribeRecoveryPoint",
                        "backup:StartRestoreJob",
                        "backup:DescribeRestoreJob",
                    ],
                    resources=[vault, recovery_points],
                ),
                iam.PolicyStatement(
                    sid="PassTheRestoreRole",
                    actions=["iam:PassRole"],
                    resources=[restore_role],
                    conditions={"StringEquals": {"iam:PassedToService": "backup.amazonaws.com"}},
                ),
                metrics,
                *deployment_denies(partition),
            ],
        )

        self._accept_risks(
            stacks=stacks,
            db_log_groups=db_log_groups,
            audit_log_groups=audit_log_groups,
            recovery_points=recovery_points,
        )
        drill_reason = (
            "AWS Backup, RDS and S3 name what a drill creates (recovery points, snapshots, export "
            "tasks and files, the restored instance's resource id); the grants are limited to the "
            "led-drill-* instances, the led-<env>-exit-* export tasks, the exit bucket and the "
            "read-only validator login, as the drills of VTC §40 and §42-43 need."
        )
        for resource in (
            recovery_points,
            drill_instances,
            arn("rds-db", f"dbuser:*/{RESTORE_VALIDATOR_ROLE}"),
            arn("rds", "snapshot:*"),
            arn("rds", f"export-task:{cfg.resource_name('exit')}-*"),
            f"{exit_bucket}/*",
        ):
            accept_risk(
                self.application_manager.policy,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{self.resolve_arn(resource)}]",
                drill_reason,
                risk="iam-aws-generated-names",
            )

    def _accept_risks(self, *, stacks: str, db_log_groups: str, audit_log_groups: str, recovery_points: str) -> None:
        def resource(value: str) -> str:
            return f"AwsSolutions::AwsSolutions-IAM5[Resource::{self.resolve_arn(value)}]"

        metrics_reason = (
            "CloudWatch GetMetricData, ListMetrics and DescribeAlarms authorise on '*' only; "
            "metrics and alarm states carry no personal data."
        )
        for party_role in (self.platform_operator, self.break_glass):
            accept_risk(
                party_role.policy,
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                metrics_reason,
                risk="iam-actions-only-on-any-resource",
            )
        accept_risk(
            self.application_manager.policy,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            metrics_reason + " So do AWS Backup's ListRecoveryPointsByResource, DescribeRestoreJob and "
            "ListCopyJobs and RDS DescribeExportTasks, which the drills follow; all are reads.",
            risk="iam-actions-only-on-any-resource",
        )
        for party_role in (self.platform_operator, self.break_glass):
            accept_risk(
                party_role.policy,
                resource(stacks),
                "CloudFormation stack ARNs end in a generated id; the role only reads (describes) the "
                "stacks named led-<env>-* of this account and region, it changes none.",
                risk="iam-aws-generated-names",
            )
        accept_risk(
            self.break_glass.policy,
            resource(recovery_points),
            "AWS Backup names recovery points itself; break glass may restore any recovery point of this "
            "account and region, and only into a new instance through the named restore role.",
            risk="iam-aws-generated-names",
        )
        accept_risk(
            self.application_manager.policy,
            resource(stacks),
            "CloudFormation stack ARNs end in a generated id; AHOVOKS' application manager only reads "
            "(describes) the stacks named led-<env>-* of this account and region, it changes none.",
            risk="iam-aws-generated-names",
        )
        for party_role in (self.application_manager, self.auditor):
            accept_risk(
                party_role.policy,
                resource(db_log_groups),
                "RDS names the database's log streams itself; the grant is read-only and limited to "
                "the log groups of the one LED database.",
                risk="iam-aws-generated-names",
            )
        accept_risk(
            self.auditor.policy,
            resource(audit_log_groups),
            "CloudTrail names its log streams per account and region; the grant is read-only and "
            "limited to the LED audit log groups of this environment.",
            risk="iam-aws-generated-names",
        )
        accept_risk(
            self.auditor.policy,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "CloudTrail LookupEvents/DescribeTrails, the Config Describe/Get/Select APIs and "
            "logs:DescribeLogGroups authorise on '*' only; the auditor role is read-only.",
            risk="iam-actions-only-on-any-resource",
        )

    def resolve_arn(self, value: str) -> str:
        """The form cdk-nag prints in a finding id: pseudo parameters as <AWS::Partition>."""
        return value.replace(Aws.PARTITION, "<AWS::Partition>")
