"""The party roles of the workload account, one construct per party and purpose (VTC-PROCESSOR
§14-15, §27, §34; VTC-LEAST-PRIVILEGE, conclusion; VTC-LOGS-DIRECT §27); stacks/access.py
composes them.

Each is a `PartyRole` with its statements and the cdk-nag findings it accepts, so one class says
what a party may do and why its wildcards are narrow; the application manager's, with the drill
grants, is in cdk_constructs/application_manager.py. The denied actions are the contract's
(contract/operator.py), the ones the VTC-PROCESSOR rules and the Access Analyzer checks require.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.boundary import deny
from cdk_constructs.party_role import PartyRole
from cdk_constructs.risk import accept_risk
from config import EnvironmentConfig
from contract.names import database_id, vault_name
from contract.operator import (
    DEPLOYMENT_DENIED_ASSUME_ACTIONS,
    DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS,
    DEPLOYMENT_DENIED_ROLE_PATTERN,
    OPERATOR_DENIED_ARCHIVE_ACTIONS,
    OPERATOR_DENIED_DATABASE_ACTIONS,
    OPERATOR_DENIED_KEY_ACTIONS,
    OPERATOR_DENIED_SECRET_ACTIONS,
    STACK_READ_ACTIONS,
)
from contract.parties import AHOVOKS, OPERATOR_PARTY

APP_DB_USER = "led_app"
_DB_RESTART_ACTIONS = ["rds:DescribeDBInstances", "rds:RebootDBInstance", "rds:StartDBInstance", "rds:StopDBInstance"]
LOG_READ_ACTIONS = ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"]
METRICS_REASON = (
    "CloudWatch GetMetricData, ListMetrics and DescribeAlarms authorise on '*' only; "
    "metrics and alarm states carry no personal data."
)
_STACKS_REASON = (
    "CloudFormation stack ARNs end in a generated id; the role only reads (describes) the "
    "stacks named led-<env>-* of this account and region, it changes none."
)
DB_LOGS_REASON = (
    "RDS names the database's log streams itself; the grant is read-only and limited to "
    "the log groups of the one LED database."
)


@dataclass(frozen=True)
class WorkloadTargets:
    """What the workload's party roles are granted or denied, as ARNs of one environment."""

    config: EnvironmentConfig
    # The database's resource id (a token of the Data stack): IAM database users are named by it.
    database_resource_id: str
    log_archive_bucket: str
    trail_name: str

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        """An ARN of the workload account and region unless told otherwise."""
        region_ = self.config.region if region is None else region
        account_ = self.config.accounts.workload if account is None else account
        return f"arn:{Aws.PARTITION}:{service}:{region_}:{account_}:{resource}"

    def role(self, purpose: str) -> str:
        """A role of the workload account by its purpose: led-<env>-<purpose>."""
        return f"arn:{Aws.PARTITION}:iam::{self.config.accounts.workload}:role/{self.config.resource_name(purpose)}"

    @property
    def database(self) -> str:
        return self.arn("rds", f"db:{database_id(self.config)}")

    @property
    def stacks(self) -> str:
        return self.arn("cloudformation", f"stack/led-{self.config.name}-*/*")

    @property
    def archive(self) -> str:
        return f"arn:{Aws.PARTITION}:s3:::{self.log_archive_bucket}"

    @property
    def db_log_groups(self) -> str:
        return self.arn("logs", f"log-group:/aws/rds/instance/{database_id(self.config)}/*")

    @property
    def audit_log_groups(self) -> str:
        return self.arn("logs", f"log-group:/led/{self.config.name}/*")

    @property
    def vault(self) -> str:
        return self.arn("backup", f"backup-vault:{vault_name(self.config)}")

    @property
    def recovery_points(self) -> str:
        return self.arn("backup", "recovery-point:*")

    @property
    def exit_bucket(self) -> str:
        return f"arn:{Aws.PARTITION}:s3:::{self.config.exit_bucket_name}"


def nag_resource(value: str) -> str:
    """The cdk-nag IAM5 finding id of a wildcard resource, pseudo parameters as <AWS::Partition>."""
    return f"AwsSolutions::AwsSolutions-IAM5[Resource::{value.replace(Aws.PARTITION, '<AWS::Partition>')}]"


def deployment_denies(partition: str) -> list[iam.PolicyStatement]:
    """The explicit Deny statements every human role carries: no bootstrap role, no stack change."""
    return [
        deny(
            "DenyAssumingTheCdkBootstrapRoles",
            DEPLOYMENT_DENIED_ASSUME_ACTIONS,
            resources=[f"arn:{partition}:iam::*:role/{DEPLOYMENT_DENIED_ROLE_PATTERN}"],
        ),
        deny("DenyChangingStacks", DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS),
    ]


def read_stacks(t: WorkloadTargets) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid="ReadTheLandingZoneStacks", actions=list(STACK_READ_ACTIONS), resources=[t.stacks])


def restore_statement(t: WorkloadTargets, sid: str, actions: Sequence[str]) -> iam.PolicyStatement:
    """Restoring from the environment's vault: the given actions on the vault and its recovery points."""
    return iam.PolicyStatement(sid=sid, actions=list(actions), resources=[t.vault, t.recovery_points])


def metrics_statement() -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="ReadMetricsAndAlarms",
        actions=["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms"],
        resources=["*"],
    )


def human_session(config: EnvironmentConfig) -> Duration:
    return Duration.hours(config.access.session_hours)


class HumanRole(PartyRole):
    """A human role of the workload account, led-<env>-<purpose>, trusting the named principals of
    its party for the configured session; its statements end with the denies every human role
    carries (deployment_denies: no bootstrap role, no stack change)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        targets: WorkloadTargets,
        purpose: str,
        summary: str,
        *,
        principals: Sequence[str],
        statements: Sequence[iam.PolicyStatement],
        party: str = AHOVOKS,
        max_session: Duration | None = None,
    ) -> None:
        cfg = targets.config
        super().__init__(
            scope,
            construct_id,
            role_name=cfg.resource_name(purpose),
            description=f"LED {cfg.name}: {summary}",
            party=party,
            human_principal_arns=principals,
            max_session=max_session or human_session(cfg),
            statements=[*statements, *deployment_denies(Aws.PARTITION)],
        )
        self.targets = targets

    def accept_any_resource(self, reason: str) -> None:
        """Accept the '*' of actions that authorise on '*' only."""
        accept_risk(
            self.policy, "AwsSolutions::AwsSolutions-IAM5[Resource::*]", reason, risk="iam-actions-only-on-any-resource"
        )

    def accept_generated_names(self, resource: str, reason: str) -> None:
        """Accept the wildcard of a resource whose names AWS generates."""
        accept_risk(self.policy, nag_resource(resource), reason, risk="iam-aws-generated-names")

    def accept_metrics_and_stacks(self) -> None:
        """The findings of metrics_statement() and read_stacks()."""
        self.accept_any_resource(METRICS_REASON)
        self.accept_generated_names(self.targets.stacks, _STACKS_REASON)


class AppRuntimeRole(PartyRole):
    """The application at run time: connects to the database as led_app (IAM auth), nothing else."""

    def __init__(self, scope: Construct, construct_id: str, *, targets: WorkloadTargets) -> None:
        t, cfg = targets, targets.config
        super().__init__(
            scope,
            construct_id,
            role_name=cfg.resource_name("app-runtime"),
            description=f"LED {cfg.name}: the application at run time",
            party=AHOVOKS,
            service_principal="ecs-tasks.amazonaws.com",
            service_account=cfg.accounts.workload,
            statements=[
                iam.PolicyStatement(
                    sid="ConnectAsTheApplicationUser",
                    actions=["rds-db:connect"],
                    resources=[t.arn("rds-db", f"dbuser:{t.database_resource_id}/{APP_DB_USER}")],
                )
            ],
        )


class PlatformOperatorRole(HumanRole):
    """The platform operator (the processor): restarts the database, reads stacks and metrics.

    Its policy explicitly denies reading the database secret, logging in to the database, using
    the FB keys and writing to or deleting from the log archive, so a later allow (or a mistake in
    the boundary) cannot open them."""

    def __init__(self, scope: Construct, construct_id: str, *, targets: WorkloadTargets) -> None:
        cfg = targets.config
        super().__init__(
            scope,
            construct_id,
            targets,
            "platform-operator",
            "the platform operator (processor) runs the platform",
            party=OPERATOR_PARTY,
            principals=cfg.access.operator_principals,
            statements=[
                read_stacks(targets),
                iam.PolicyStatement(
                    sid="RestartTheDatabase", actions=_DB_RESTART_ACTIONS, resources=[targets.database]
                ),
                metrics_statement(),
                # Explicit denies (VTC-PROCESSOR): no data, no keys, no logs, whatever else allows.
                deny(
                    "DenyReadingTheDatabaseSecret",
                    OPERATOR_DENIED_SECRET_ACTIONS,
                    resources=[targets.arn("secretsmanager", "secret:*")],
                ),
                deny(
                    "DenyDatabaseLoginAndPasswordChange",
                    OPERATOR_DENIED_DATABASE_ACTIONS,
                    resources=[targets.arn("rds-db", "dbuser:*/*"), targets.database],
                ),
                deny(
                    "DenyUsingTheDataKey",
                    OPERATOR_DENIED_KEY_ACTIONS,
                    resources=[
                        cfg.key_arn("data"),
                        targets.arn("kms", "key/*", region="*", account=cfg.accounts.key_custody),
                    ],
                ),
                deny(
                    "DenyWritingToTheLogArchive",
                    OPERATOR_DENIED_ARCHIVE_ACTIONS,
                    resources=[targets.archive, f"{targets.archive}/*"],
                ),
            ],
        )
        self.accept_metrics_and_stacks()


class AuditorRole(HumanRole):
    """AHOVOKS' auditors read the trail, Config and the audit log groups (VTC §27), and change nothing."""

    def __init__(self, scope: Construct, construct_id: str, *, targets: WorkloadTargets) -> None:
        super().__init__(
            scope,
            construct_id,
            targets,
            "auditor",
            "AHOVOKS auditors read the trail, Config and audit logs (VTC §27)",
            principals=targets.config.access.auditor_principals,
            statements=[
                iam.PolicyStatement(
                    sid="ReadTheTrail",
                    actions=["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
                    resources=[targets.arn("cloudtrail", f"trail/{targets.trail_name}")],
                ),
                iam.PolicyStatement(
                    sid="ReadTheAuditLogGroups",
                    actions=LOG_READ_ACTIONS,
                    resources=[targets.audit_log_groups, targets.db_log_groups],
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
            ],
        )
        self.accept_generated_names(targets.db_log_groups, DB_LOGS_REASON)
        self.accept_generated_names(
            targets.audit_log_groups,
            "CloudTrail names its log streams per account and region; the grant is read-only and "
            "limited to the LED audit log groups of this environment.",
        )
        self.accept_any_resource(
            "CloudTrail LookupEvents/DescribeTrails, the Config Describe/Get/Select APIs and "
            "logs:DescribeLogGroups authorise on '*' only; the auditor role is read-only."
        )


class BreakGlassRole(HumanRole):
    """Break glass (MFA, one hour, every use alarmed, bounded): named emergency powers, not
    AdministratorAccess (VTC-LEAST-PRIVILEGE, conclusion V): restart or repair the database,
    restore from the vault. A stack that needs rolling back or forward is the pipeline's job (a
    reverting pull request), not a human's."""

    def __init__(self, scope: Construct, construct_id: str, *, targets: WorkloadTargets) -> None:
        super().__init__(
            scope,
            construct_id,
            targets,
            "break-glass",
            "break glass (MFA, one hour, every use alarmed, bounded)",
            principals=targets.config.access.break_glass_principals,
            max_session=Duration.hours(1),
            statements=[
                read_stacks(targets),
                iam.PolicyStatement(
                    sid="RepairTheDatabase",
                    actions=[*_DB_RESTART_ACTIONS, "rds:ModifyDBInstance"],
                    resources=[targets.database],
                ),
                restore_statement(
                    targets,
                    "RestoreFromTheVault",
                    [
                        "backup:ListRecoveryPointsByBackupVault",
                        "backup:DescribeRecoveryPoint",
                        "backup:StartRestoreJob",
                        "backup:DescribeRestoreJob",
                    ],
                ),
                iam.PolicyStatement(
                    sid="PassTheRestoreRole",
                    actions=["iam:PassRole"],
                    resources=[targets.role("ops-backup")],
                    conditions={"StringEquals": {"iam:PassedToService": "backup.amazonaws.com"}},
                ),
                metrics_statement(),
            ],
        )
        self.accept_metrics_and_stacks()
        self.accept_generated_names(
            targets.recovery_points,
            "AWS Backup names recovery points itself; break glass may restore any recovery point of this "
            "account and region, and only into a new instance through the named restore role.",
        )
