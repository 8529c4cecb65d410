"""The rule cases of the VTC pack: small stacks, one compliant or non-compliant case each.

Shared by the rule tests (tests/test_vtc_rules.py) and by the violations app that the end-to-end
test synthesizes through the CDK CLI (tests/fixtures/violations_app). Stacks outside a configured
Stage get the settings of the default environment (prod): key custody 111122223333, workload
444455556666, 3 generations, rotation 365 days, EU regions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Aws, Fn
from aws_cdk import aws_backup as backup
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_config as config_
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_route53resolver as resolver
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from config import OPERATOR_PARTY, load_config

FB = "111122223333"
WORKLOAD = "444455556666"
BACKUP = "123456789012"
LOG_ARCHIVE = "777788889999"
REGION = "eu-west-1"
FB_KEY = f"arn:aws:kms:{REGION}:{FB}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:{REGION}:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMIN = f"arn:aws:iam::{FB}:role/led-fb-key-admin"


@dataclass(frozen=True)
class Case:
    name: str
    rule_id: str
    fails: bool
    build: Callable[[cdk.Stack], None]
    account: str | None = WORKLOAD  # None with region None: an environment-agnostic stack
    region: str | None = REGION
    # Grouped: the case's stack sits in its own construct, where the case may add sibling stacks
    # (e.g. a log archive account); the group is what the rule test validates.
    grouped: bool = False


CASES: list[Case] = []


def case(
    rule_id: str, fails: bool, *, account: str | None = WORKLOAD, region: str | None = REGION, grouped: bool = False
):
    def register(fn: Callable[[cdk.Stack], None]) -> Callable[[cdk.Stack], None]:
        CASES.append(Case(fn.__name__, rule_id, fails, fn, account, region, grouped))
        return fn

    return register


def tags(classification: str = "personal-data") -> list[cdk.CfnTag]:
    return [cdk.CfnTag(key="led:data-classification", value=classification)]


# --- VTC-ENCRYPT-ALL ---------------------------------------------------------------------------


@case("VTC-ENCRYPT-ALL", False)
def encrypt_log_group_fb_key_literal(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=365)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_log_group_without_key(s):
    logs.CfnLogGroup(s, "L", retention_in_days=365)


def _function(s, **props):
    lambda_.CfnFunction(
        s,
        "F",
        role=f"arn:aws:iam::{WORKLOAD}:role/led-prod-f",
        runtime="python3.13",
        handler="index.handler",
        code=lambda_.CfnFunction.CodeProperty(zip_file="def handler(e, c): pass"),
        **props,
    )


@case("VTC-ENCRYPT-ALL", False)
def encrypt_function_environment_fb_key(s):
    _function(s, environment=lambda_.CfnFunction.EnvironmentProperty(variables={"A": "b"}), kms_key_arn=FB_KEY)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_function_environment_aws_key(s):
    _function(s, environment=lambda_.CfnFunction.EnvironmentProperty(variables={"A": "b"}))


@case("VTC-ENCRYPT-ALL", False)
def encrypt_function_without_environment(s):
    _function(s)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_aws_managed_alias(s):
    rds.CfnDBInstance(
        s,
        "Db",
        engine="postgres",
        db_instance_class="db.t4g.medium",
        storage_encrypted=True,
        kms_key_id="alias/aws/rds",
        allocated_storage="20",
        publicly_accessible=False,
    )


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_not_encrypted(s):
    rds.CfnDBInstance(
        s,
        "Db",
        engine="postgres",
        db_instance_class="db.t4g.medium",
        storage_encrypted=False,
        kms_key_id=FB_KEY,
        allocated_storage="20",
    )


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_performance_insights_default_key(s):
    rds.CfnDBInstance(
        s,
        "Db",
        engine="postgres",
        db_instance_class="db.t4g.medium",
        storage_encrypted=True,
        kms_key_id=FB_KEY,
        allocated_storage="20",
        enable_performance_insights=True,
    )


@case("VTC-ENCRYPT-ALL", True)
def encrypt_key_from_parameter(s):
    param = cdk.CfnParameter(s, "KeyArn", type="String")
    logs.CfnLogGroup(s, "L", kms_key_id=param.value_as_string)


@case("VTC-ENCRYPT-ALL", False)
def encrypt_key_by_getatt_of_local_key(s):
    key = kms.CfnKey(s, "K", key_policy={"Version": "2012-10-17", "Statement": []})
    sns.CfnTopic(s, "T", kms_master_key_id=key.attr_arn)


@case("VTC-ENCRYPT-ALL", False)
def encrypt_key_by_ref_of_local_key(s):
    key = kms.CfnKey(s, "K", key_policy={"Version": "2012-10-17", "Statement": []})
    sqs.CfnQueue(s, "Q", kms_master_key_id=key.ref)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_sqs_managed_sse(s):
    sqs.CfnQueue(s, "Q", sqs_managed_sse_enabled=True)


@case("VTC-ENCRYPT-ALL", False)
def encrypt_key_by_join_with_partition(s):
    arn = Fn.join("", ["arn:", Aws.PARTITION, f":kms:{REGION}:{FB}:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    backup.CfnBackupVault(s, "V", backup_vault_name="v", encryption_key_arn=arn)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_key_by_sub_with_parameter_account(s):
    cdk.CfnParameter(s, "KeyAccount", type="String")
    arn = Fn.sub("arn:${AWS::Partition}:kms:${AWS::Region}:${KeyAccount}:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    logs.CfnLogGroup(s, "L", kms_key_id=arn)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_key_by_unknown_import(s):
    logs.CfnLogGroup(s, "L", kms_key_id=Fn.import_value("nobody-exports-this"))


@case("VTC-ENCRYPT-ALL", True)
def encrypt_bucket_sse_s3(s):
    s3.Bucket(s, "B", encryption=s3.BucketEncryption.S3_MANAGED)


@case("VTC-ENCRYPT-ALL", False)
def encrypt_bucket_fb_key(s):
    s3.Bucket(s, "B", encryption_key=kms.Key.from_key_arn(s, "Fb", FB_KEY))


@case("VTC-ENCRYPT-ALL", True)
def encrypt_trail_without_key(s):
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name="led-prod-log-archive")


# --- VTC-KEY-CUSTODY ---------------------------------------------------------------------------


@case("VTC-KEY-CUSTODY", False)
def custody_fb_key_cross_account_arn(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY)


@case("VTC-KEY-CUSTODY", True)
def custody_key_of_another_account(s):
    logs.CfnLogGroup(s, "L", kms_key_id=OTHER_KEY)


@case("VTC-KEY-CUSTODY", True)
def custody_key_created_in_workload(s):
    kms.CfnKey(s, "K", enable_key_rotation=True, key_policy={"Version": "2012-10-17", "Statement": []})


@case("VTC-KEY-CUSTODY", True)
def custody_key_of_own_account_by_sub(s):
    logs.CfnLogGroup(
        s,
        "L",
        kms_key_id=Fn.sub(
            "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ),
    )


@case("VTC-KEY-CUSTODY", True)
def custody_key_from_parameter(s):
    # ENCRYPT-ALL fails closed on a parameter; KEY-CUSTODY cannot place it either.
    param = cdk.CfnParameter(s, "KeyArn", type="String")
    logs.CfnLogGroup(s, "L", kms_key_id=Fn.join("", [param.value_as_string]))


@case("VTC-KEY-CUSTODY", False, account=FB)
def custody_key_in_custody_account(s):
    kms.CfnKey(s, "K", enable_key_rotation=True, key_policy={"Version": "2012-10-17", "Statement": []})


# --- VTC-KEY-CUSTODY-ADMIN / VTC-KEY-NO-PROVIDER / VTC-KEY-REENCRYPT -----------------------------


def key_with(s, statements, **kwargs):
    defaults = dict(enable_key_rotation=True, rotation_period_in_days=365)
    defaults.update(kwargs)
    return kms.CfnKey(s, "K", key_policy={"Version": "2012-10-17", "Statement": statements}, **defaults)


ADMIN_STATEMENT = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": ADMIN},
    "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"],
    "Resource": "*",
}


@case("VTC-KEY-CUSTODY-ADMIN", False, account=FB)
def admin_only_fb_role(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Use",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
                "Action": ["kms:CreateGrant", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    )


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_kms_star_to_root(s):
    key_with(
        s,
        [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": Fn.join("", ["arn:", Aws.PARTITION, ":iam::", Aws.ACCOUNT_ID, ":root"])},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    )


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_unconstrained_create_grant(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Grants",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
                "Action": "kms:CreateGrant",
                "Resource": "*",
            },
        ],
    )


@case("VTC-KEY-NO-PROVIDER", True, account=FB)
def no_provider_service_without_condition(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
            },
        ],
    )


@case("VTC-KEY-NO-PROVIDER", False, account=FB)
def no_provider_service_pinned(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": WORKLOAD}},
            },
        ],
    )


@case("VTC-KEY-REENCRYPT", False, account=FB)
def reencrypt_rotation_365(s):
    key_with(s, [ADMIN_STATEMENT])


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_rotation_too_long(s):
    key_with(s, [ADMIN_STATEMENT], rotation_period_in_days=730)


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_rotation_off(s):
    key_with(s, [ADMIN_STATEMENT], enable_key_rotation=False, rotation_period_in_days=None)


# --- backups -----------------------------------------------------------------------------------


def database(s, *, classification: str = "personal-data", **overrides) -> rds.CfnDBInstance:
    group = rds.CfnDBParameterGroup(
        s,
        "Params",
        family="postgres17",
        description="p",
        parameters={"rds.force_ssl": "1", "shared_preload_libraries": "pgaudit", "pgaudit.log": "ddl,role,write"},
    )
    props = dict(
        engine="postgres",
        db_instance_class="db.t4g.medium",
        storage_encrypted=True,
        kms_key_id=FB_KEY,
        allocated_storage="50",
        max_allocated_storage=200,
        publicly_accessible=False,
        db_parameter_group_name=group.ref,
        enable_cloudwatch_logs_exports=["postgresql"],
        backup_retention_period=3,
        tags=tags(classification),
    )
    props.update(overrides)
    return rds.CfnDBInstance(s, "Db", **props)


def plan(
    s, *, schedule="cron(0 1 * * ? *)", keep=3, copy_to=f"arn:aws:backup:{REGION}:{BACKUP}:backup-vault:r", copy_keep=14
) -> backup.CfnBackupPlan:
    copies = (
        [
            backup.CfnBackupPlan.CopyActionResourceTypeProperty(
                destination_backup_vault_arn=copy_to,
                lifecycle=backup.CfnBackupPlan.LifecycleResourceTypeProperty(delete_after_days=copy_keep),
            )
        ]
        if copy_to
        else None
    )
    return backup.CfnBackupPlan(
        s,
        "Plan",
        backup_plan=backup.CfnBackupPlan.BackupPlanResourceTypeProperty(
            backup_plan_name="daily",
            backup_plan_rule=[
                backup.CfnBackupPlan.BackupRuleResourceTypeProperty(
                    rule_name="Daily",
                    target_backup_vault="v",
                    schedule_expression=schedule,
                    lifecycle=backup.CfnBackupPlan.LifecycleResourceTypeProperty(delete_after_days=keep)
                    if keep
                    else None,
                    copy_actions=copies,
                )
            ],
        ),
    )


def select(s, the_plan, resources) -> backup.CfnBackupSelection:
    return backup.CfnBackupSelection(
        s,
        "Sel",
        backup_plan_id=the_plan.attr_backup_plan_id,
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn=f"arn:aws:iam::{WORKLOAD}:role/backup", selection_name="db", resources=resources
        ),
    )


def db_arn(db) -> str:
    return Fn.join("", ["arn:", Aws.PARTITION, ":rds:", Aws.REGION, ":", Aws.ACCOUNT_ID, ":db:", db.ref])


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


# --- VTC-BACKUP-RETENTION-DETECT: a stopped plan is noticed; locked vaults (issue #9) ----------


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


# --- VTC-NO-COPY / VTC-SEC-STORAGE ----------------------------------------------------------------


@case("VTC-NO-COPY", False)
def no_copy_private_database(s):
    database(s)


@case("VTC-NO-COPY", True)
def no_copy_public_database(s):
    database(s, publicly_accessible=True)


@case("VTC-NO-COPY", True)
def no_copy_bucket_without_public_access_block(s):
    s3.CfnBucket(s, "B")


@case("VTC-NO-COPY", False)
def no_copy_bucket_blocked(s):
    s3.Bucket(s, "B", block_public_access=s3.BlockPublicAccess.BLOCK_ALL)


@case("VTC-NO-COPY", True)
def no_copy_postgres_open_to_world(s):
    ec2.CfnSecurityGroup(
        s,
        "Sg",
        group_description="db",
        security_group_ingress=[
            ec2.CfnSecurityGroup.IngressProperty(ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ip="0.0.0.0/0")
        ],
    )


@case("VTC-NO-COPY", True)
def no_copy_all_traffic_ipv6(s):
    ec2.CfnSecurityGroupIngress(s, "In", group_id="sg-12345678", ip_protocol="-1", cidr_ipv6="::/0")


@case("VTC-NO-COPY", False)
def no_copy_https_from_vpc(s):
    ec2.CfnSecurityGroupIngress(
        s, "In", group_id="sg-12345678", ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.0.0.0/16"
    )


@case("VTC-NO-COPY", True)
def no_copy_internet_route_from_data_subnet(s):
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    subnet = ec2.CfnSubnet(s, "Data", vpc_id=vpc.ref, cidr_block="10.0.1.0/24")
    rds.CfnDBSubnetGroup(s, "Group", db_subnet_group_description="d", subnet_ids=[subnet.ref])
    table = ec2.CfnRouteTable(s, "Rt", vpc_id=vpc.ref)
    ec2.CfnSubnetRouteTableAssociation(s, "Assoc", route_table_id=table.ref, subnet_id=subnet.ref)
    igw = ec2.CfnInternetGateway(s, "Igw")
    ec2.CfnRoute(s, "Out", route_table_id=table.ref, destination_cidr_block="0.0.0.0/0", gateway_id=igw.ref)


@case("VTC-SEC-STORAGE", False)
def tls_bucket_enforce_ssl(s):
    s3.Bucket(s, "B", enforce_ssl=True)


@case("VTC-SEC-STORAGE", True)
def tls_bucket_without_policy(s):
    s3.Bucket(s, "B")


@case("VTC-SEC-STORAGE", False)
def tls_database_force_ssl(s):
    database(s)


@case("VTC-SEC-STORAGE", True)
def tls_database_default_parameter_group(s):
    database(s, db_parameter_group_name=None)


# --- VTC-AUDIT-TRAIL / VTC-LOGS-DIRECT ------------------------------------------------------------


@case("VTC-AUDIT-TRAIL", False)
def audit_database_pgaudit_exports(s):
    database(s)


@case("VTC-AUDIT-TRAIL", True)
def audit_database_no_exports(s):
    database(s, enable_cloudwatch_logs_exports=None)


@case("VTC-AUDIT-TRAIL", True)
def audit_trail_without_validation(s):
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name="b", kms_key_id=FB_KEY)


def trail(s, **overrides) -> cloudtrail.CfnTrail:
    props = dict(
        is_logging=True,
        s3_bucket_name="b",
        kms_key_id=FB_KEY,
        enable_log_file_validation=True,
        is_multi_region_trail=True,
        include_global_service_events=True,
    )
    props.update(overrides)
    return cloudtrail.CfnTrail(s, "T", **props)


@case("VTC-AUDIT-TRAIL", False)
def audit_trail_validated(s):
    trail(s)


@case("VTC-AUDIT-TRAIL", True)
def audit_trail_single_region(s):
    trail(s, is_multi_region_trail=False)


@case("VTC-AUDIT-TRAIL", True)
def audit_trail_without_global_service_events(s):
    trail(s, include_global_service_events=None)


@case("VTC-AUDIT-TRAIL", True)
def audit_trail_not_logging(s):
    trail(s, is_logging=False)


# --- VTC-AUDIT-TRAIL-FLOW-LOGS ------------------------------------------------------------------


def vpc_with_flow_log(s, *, traffic_type: str = "ALL", flow_log: bool = True) -> tuple[ec2.CfnVPC, logs.CfnLogGroup]:
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    group = logs.CfnLogGroup(s, "FlowLogs", kms_key_id=FB_KEY, retention_in_days=365)
    if flow_log:
        ec2.CfnFlowLog(
            s,
            "FlowLog",
            resource_id=vpc.ref,
            resource_type="VPC",
            traffic_type=traffic_type,
            log_destination_type="cloud-watch-logs",
            log_group_name=group.ref,
            deliver_logs_permission_arn=f"arn:aws:iam::{WORKLOAD}:role/flow-logs",
        )
    return vpc, group


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", False)
def flow_logs_all_traffic(s):
    vpc_with_flow_log(s)


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", True)
def flow_logs_missing(s):
    vpc_with_flow_log(s, flow_log=False)


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", True)
def flow_logs_rejected_traffic_only(s):
    vpc_with_flow_log(s, traffic_type="REJECT")


# --- VTC-LOGS-DIRECT-STREAMED -------------------------------------------------------------------

ARCHIVE_DESTINATION = f"arn:aws:logs:{REGION}:{LOG_ARCHIVE}:destination:led-test-archive"


def archive_stream(s, *, bucket: str = "led-test-log-archive", kms: bool = True) -> None:
    """The log archive side, in a sibling stack of the log archive account (a grouped case):
    the bucket, a Firehose stream into it, and the destination the workload subscribes to."""
    archive = cdk.Stack(s.node.scope, f"{s.node.id}Stream", env=cdk.Environment(account=LOG_ARCHIVE, region=REGION))
    s3.CfnBucket(archive, "Archive", bucket_name="led-test-log-archive")
    encryption = (
        firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
            kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(awskms_key_arn=FB_KEY)
        )
        if kms
        else None
    )
    stream = firehose.CfnDeliveryStream(
        archive,
        "Stream",
        delivery_stream_type="DirectPut",
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=f"arn:{Aws.PARTITION}:s3:::{bucket}",
            role_arn=f"arn:aws:iam::{LOG_ARCHIVE}:role/firehose",
            prefix="cloudwatch-logs/test/database/",
            encryption_configuration=encryption,
        ),
    )
    logs.CfnDestination(
        archive,
        "Destination",
        destination_name="led-test-archive",
        role_arn=f"arn:aws:iam::{LOG_ARCHIVE}:role/logs",
        target_arn=stream.attr_arn,
        destination_policy="{}",
    )


def database_log_group(s, *, destination: str | None = ARCHIVE_DESTINATION, pattern: str = "") -> None:
    group = logs.CfnLogGroup(
        s, "L", log_group_name="/aws/rds/instance/led-test-db/postgresql", kms_key_id=FB_KEY, retention_in_days=365
    )
    if destination is not None:
        logs.CfnSubscriptionFilter(
            s, "Sub", log_group_name=group.ref, destination_arn=destination, filter_pattern=pattern
        )


@case("VTC-LOGS-DIRECT-STREAMED", False, grouped=True)
def streamed_database_log_group(s):
    archive_stream(s)
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", False, grouped=True)
def streamed_flow_log_group_by_partition_join(s):
    archive_stream(s)
    _vpc, group = vpc_with_flow_log(s)
    logs.CfnSubscriptionFilter(
        s,
        "Sub",
        log_group_name=group.ref,
        destination_arn=f"arn:{Aws.PARTITION}:logs:{REGION}:{LOG_ARCHIVE}:destination:led-test-archive",
        filter_pattern="",
    )


@case("VTC-LOGS-DIRECT-STREAMED", False)
def streamed_other_log_group_is_not_in_scope(s):
    logs.CfnLogGroup(s, "L", log_group_name="/led/test/functions", kms_key_id=FB_KEY, retention_in_days=365)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_database_log_group_without_subscription(s):
    archive_stream(s)
    database_log_group(s, destination=None)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_flow_log_group_without_subscription(s):
    archive_stream(s)
    vpc_with_flow_log(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_to_a_destination_of_the_workload(s):
    archive_stream(s)
    database_log_group(s, destination=f"arn:aws:logs:{REGION}:{WORKLOAD}:destination:led-test-archive")


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_with_a_filter_pattern(s):
    archive_stream(s)
    database_log_group(s, pattern="ERROR")


@case("VTC-LOGS-DIRECT-STREAMED", True)
def streamed_to_a_destination_outside_the_app(s):
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_into_a_bucket_outside_the_archive(s):
    archive_stream(s, bucket="somebody-elses-bucket")
    database_log_group(s)


@case("VTC-LOGS-DIRECT-STREAMED", True, grouped=True)
def streamed_without_kms(s):
    archive_stream(s, kms=False)
    database_log_group(s)


@case("VTC-AUDIT-TRAIL-RETENTION", False)
def retention_log_year(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=365)


@case("VTC-AUDIT-TRAIL-RETENTION", True)
def retention_log_shorter_than_backups(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=1)


@case("VTC-LOGS-DIRECT", True)
def logs_direct_trail_to_own_bucket(s):
    bucket = s3.CfnBucket(s, "B")
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name=bucket.ref)


@case("VTC-LOGS-DIRECT", True)
def logs_direct_trail_to_unknown_bucket(s):
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name="somebody-elses-bucket")


@case("VTC-LOGS-DIRECT", False, account=LOG_ARCHIVE)
def logs_direct_archive_with_object_lock(s):
    lock = s3.CfnBucket.ObjectLockConfigurationProperty(
        object_lock_enabled="Enabled",
        rule=s3.CfnBucket.ObjectLockRuleProperty(
            default_retention=s3.CfnBucket.DefaultRetentionProperty(mode="COMPLIANCE", days=365)
        ),
    )
    bucket = s3.CfnBucket(s, "B", object_lock_enabled=True, object_lock_configuration=lock)
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name=bucket.ref)


@case("VTC-LOGS-DIRECT", True, account=LOG_ARCHIVE)
def logs_direct_archive_without_object_lock(s):
    s3.CfnBucket(s, "B")


# --- VTC-LEAST-PRIVILEGE ------------------------------------------------------------------------


def role(s, **kwargs) -> iam.CfnRole:
    props = dict(
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
        permissions_boundary=f"arn:aws:iam::{WORKLOAD}:policy/led-prod-permissions-boundary",
    )
    props.update(kwargs)
    return iam.CfnRole(s, "Role", **props)


def policy(s, statement: dict) -> None:
    iam.CfnPolicy(
        s, "P", policy_name="p", roles=["r"], policy_document={"Version": "2012-10-17", "Statement": [statement]}
    )


@case("VTC-LEAST-PRIVILEGE", False)
def least_named_actions_and_resources(s):
    policy(
        s,
        {
            "Effect": "Allow",
            "Action": ["logs:PutLogEvents"],
            "Resource": Fn.sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:x:*"),
        },
    )


@case("VTC-LEAST-PRIVILEGE", True)
def least_star_action(s):
    policy(s, {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"})


@case("VTC-LEAST-PRIVILEGE", True)
def least_kms_star(s):
    policy(s, {"Effect": "Allow", "Action": "kms:*", "Resource": FB_KEY})


@case("VTC-LEAST-PRIVILEGE", True)
def least_decrypt_everything(s):
    policy(s, {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"})


@case("VTC-LEAST-PRIVILEGE", False)
def least_describe_everything(s):
    policy(s, {"Effect": "Allow", "Action": ["rds:DescribeDBInstances"], "Resource": "*"})


@case("VTC-LEAST-PRIVILEGE", False)
def least_select_config_everything(s):
    # A query over Config's recorded configuration: a read, authorised on '*' only.
    policy(s, {"Effect": "Allow", "Action": ["config:SelectResourceConfig"], "Resource": "*"})


@case("VTC-LEAST-PRIVILEGE", True)
def least_select_object_content_everything(s):
    # Starts with a read verb but returns the objects' data: as good as GetObject on every bucket.
    policy(s, {"Effect": "Allow", "Action": ["s3:SelectObjectContent"], "Resource": "*"})


@case("VTC-LEAST-PRIVILEGE", False)
def least_star_only_write(s):
    # AWS Backup has no resource-level permission for it: '*' is the narrowest grant there is.
    policy(s, {"Effect": "Allow", "Action": ["backup:PutRestoreValidationResult"], "Resource": "*"})


@case("VTC-LEAST-PRIVILEGE", True)
def least_restore_anything(s):
    policy(
        s,
        {"Effect": "Allow", "Action": ["backup:PutRestoreValidationResult", "backup:StartRestoreJob"], "Resource": "*"},
    )


@case("VTC-LEAST-PRIVILEGE", True)
def least_iam_user(s):
    iam.CfnUser(s, "U")


@case("VTC-LEAST-PRIVILEGE", True)
def least_admin_managed_policy(s):
    role(s, managed_policy_arns=[f"arn:{Aws.PARTITION}:iam::aws:policy/AdministratorAccess"])


@case("VTC-LEAST-PRIVILEGE", False)
def least_boundary_ceiling(s):
    p = iam.CfnManagedPolicy(
        s,
        "Boundary",
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*"},
            ],
        },
    )
    p.add_metadata("led:permissions-boundary", True)


@case("VTC-LEAST-PRIVILEGE", True)
def least_boundary_attached_as_policy(s):
    p = iam.CfnManagedPolicy(
        s,
        "Boundary",
        roles=["r"],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*"},
            ],
        },
    )
    p.add_metadata("led:permissions-boundary", True)


@case("VTC-LEAST-PRIVILEGE-BOUNDARY", False)
def boundary_present(s):
    role(s)


@case("VTC-LEAST-PRIVILEGE-BOUNDARY", True)
def boundary_missing(s):
    role(s, permissions_boundary=None)


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", True)
def principals_trust_anybody(s):
    role(
        s,
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        },
    )


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", False)
def principals_endpoint_narrowed(s):
    ec2.CfnVPCEndpoint(
        s,
        "E",
        vpc_id="vpc-1",
        service_name="com.amazonaws.eu-west-1.s3",
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": WORKLOAD}},
                }
            ],
        },
    )


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", True)
def principals_bucket_policy_public(s):
    bucket = s3.CfnBucket(s, "B")
    s3.CfnBucketPolicy(
        s,
        "P",
        bucket=bucket.ref,
        policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )


# --- VTC-OUTSOURCING-2016 / VTC-PERSONAL-DATA / VTC-RIGHT-SIZED ----------------------------------


@case("VTC-OUTSOURCING-2016", False)
def outsourcing_eu_west_1(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-OUTSOURCING-2016", True, region="us-east-1")
def outsourcing_us_east_1(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-OUTSOURCING-2016", True, region="eu-west-2")
def outsourcing_london_is_not_eu(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-OUTSOURCING-2016", True)
def outsourcing_copy_to_us(s):
    plan(s, copy_to=f"arn:aws:backup:us-east-1:{BACKUP}:backup-vault:r")


@case("VTC-PERSONAL-DATA", False)
def personal_data_tagged(s):
    database(s)


@case("VTC-PERSONAL-DATA", False)
def personal_data_export_tagged(s):
    s3.CfnBucket(s, "Exit", tags=tags("personal-data-export"))


@case("VTC-BACKUP-RETENTION", False)
def retention_transient_export_is_not_a_source(s):
    # The exit drill's exports expire and are re-made from the backed-up database (§49: no more copies).
    s3.CfnBucket(s, "Exit", tags=tags("personal-data-export"))


@case("VTC-PERSONAL-DATA", True)
def personal_data_untagged(s):
    database(s, tags=None)


@case("VTC-PERSONAL-DATA", True)
def personal_data_unknown_value(s):
    database(s, classification="secret")


@case("VTC-RIGHT-SIZED", False)
def right_sized_small(s):
    database(s)


@case("VTC-RIGHT-SIZED", True)
def right_sized_too_big(s):
    database(s, db_instance_class="db.r7g.16xlarge", max_allocated_storage=None)


# --- values only known at deploy time: every rule fails closed on them ------------------------------


@case("VTC-NO-COPY", True)
def no_copy_cidr_from_parameter(s):
    cidr = cdk.CfnParameter(s, "Cidr", type="String")
    ec2.CfnSecurityGroupIngress(
        s, "In", group_id="sg-12345678", ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ip=cidr.value_as_string
    )


@case("VTC-SEC-STORAGE", True)
def tls_database_parameter_group_by_name(s):
    database(s, db_parameter_group_name="default.postgres17")


@case("VTC-OUTSOURCING-2016", True, account=None, region=None)
def outsourcing_environment_agnostic(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-PERSONAL-DATA", True)
def personal_data_tag_from_parameter(s):
    value = cdk.CfnParameter(s, "Classification", type="String")
    database(s, tags=[cdk.CfnTag(key="led:data-classification", value=value.value_as_string)])


@case("VTC-AUDIT-TRAIL-RETENTION", True)
def retention_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=days.value_as_number)


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_period_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    key_with(s, [ADMIN_STATEMENT], rotation_period_in_days=days.value_as_number)


@case("VTC-NO-STALE-BACKUP", True)
def stale_lifecycle_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    plan(s, keep=days.value_as_number)


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_principal_from_parameter(s):
    who = cdk.CfnParameter(s, "Admin", type="String")
    key_with(s, [{**ADMIN_STATEMENT, "Principal": {"AWS": who.value_as_string}}])


@case("VTC-LOGS-DIRECT", True)
def logs_direct_bucket_from_parameter(s):
    bucket = cdk.CfnParameter(s, "Bucket", type="String")
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name=bucket.value_as_string)


@case("VTC-LEAST-PRIVILEGE", True)
def least_action_from_parameter(s):
    action = cdk.CfnParameter(s, "Action", type="String")
    policy(s, {"Effect": "Allow", "Action": [action.value_as_string], "Resource": "arn:aws:s3:::b"})


@case("VTC-LEAST-PRIVILEGE", True, account=FB)
def least_kms_star_in_key_policy(s):
    key_with(s, [{**ADMIN_STATEMENT, "Action": "kms:*"}])


@case("VTC-LEAST-PRIVILEGE", False, account=FB)
def least_key_policy_named_actions(s):
    key_with(s, [ADMIN_STATEMENT])


@case("VTC-POLICIES-VISIBLE", True)
def visible_no_description(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-POLICIES-VISIBLE", False)
def visible_description_cites_conditions(s):
    s.template_options.description = "LED test: a topic. Serves VTC-ENCRYPT-ALL."
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-NO-COPY", True)
def no_copy_default_egress_to_internet(s):
    ec2.CfnSecurityGroup(
        s,
        "Sg",
        group_description="app",
        vpc_id="vpc-1",
        security_group_egress=[ec2.CfnSecurityGroup.EgressProperty(ip_protocol="-1", cidr_ip="0.0.0.0/0")],
    )


@case("VTC-NO-COPY", False)
def no_copy_egress_to_the_vpc_only(s):
    ec2.CfnSecurityGroupEgress(
        s, "Out", group_id="sg-12345678", ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.0.0.0/16"
    )


# --- VTC-REGULAR-AUDIT --------------------------------------------------------------------------

CORE_CONFIG_RULES = (
    "RDS_STORAGE_ENCRYPTED",
    "S3_DEFAULT_ENCRYPTION_KMS",
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "CLOUD_TRAIL_ENABLED",
    "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
)


def archive_bucket(s, name: str = "led-test-log-archive") -> s3.CfnBucket:
    """The log archive bucket, in a sibling stack of the log archive account (a grouped case)."""
    archive = cdk.Stack(s.node.scope, f"{s.node.id}Archive", env=cdk.Environment(account=LOG_ARCHIVE, region=REGION))
    return s3.CfnBucket(archive, "Archive", bucket_name=name)


def config_audit(
    s,
    *,
    bucket="led-test-log-archive",
    frequency: str | None = "TwentyFour_Hours",
    rules=CORE_CONFIG_RULES,
    recording_group=None,
    channel: bool = True,
) -> None:
    config_.CfnConfigurationRecorder(
        s,
        "Recorder",
        role_arn=f"arn:aws:iam::{WORKLOAD}:role/config",
        recording_group=recording_group
        or config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=True, include_global_resource_types=True
        ),
    )
    if channel:
        config_.CfnDeliveryChannel(
            s,
            "Channel",
            s3_bucket_name=bucket,
            config_snapshot_delivery_properties=config_.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency=frequency
            )
            if frequency
            else None,
        )
    for i, identifier in enumerate(rules):
        config_.CfnConfigRule(
            s, f"Rule{i}", source=config_.CfnConfigRule.SourceProperty(owner="AWS", source_identifier=identifier)
        )


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_store_without_recorder(s):
    database(s)


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_recorder_channel_rules(s):
    archive_bucket(s)
    config_audit(s)
    database(s)


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_channel_bucket_name_by_sub(s):
    # The archive bucket's name rendered from Fn::Sub with the region pseudo parameter.
    archive_bucket(s, name=f"led-test-log-archive-{LOG_ARCHIVE}-{REGION}")
    config_audit(s, bucket=Fn.sub(f"led-test-log-archive-{LOG_ARCHIVE}-${{AWS::Region}}"))
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_channel_bucket_cross_account_reference(s):
    # A cross-account reference (Fn::GetStackOutput) is only resolved at deploy time: fails closed.
    config_audit(s, bucket=archive_bucket(s).ref)
    database(s)


@case("VTC-REGULAR-AUDIT", False, grouped=True)
def regular_audit_recorder_lists_core_types(s):
    archive_bucket(s)
    config_audit(
        s,
        recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=False, resource_types=["AWS::RDS::DBInstance", "AWS::S3::Bucket", "AWS::Backup::BackupPlan"]
        ),
    )
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_recorder_skips_databases(s):
    archive_bucket(s)
    config_audit(
        s,
        recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=False, resource_types=["AWS::IAM::Role"]
        ),
    )
    database(s)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_recorder_excludes_buckets(s):
    archive_bucket(s)
    config_audit(
        s,
        recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
            all_supported=False,
            recording_strategy=config_.CfnConfigurationRecorder.RecordingStrategyProperty(
                use_only="EXCLUSION_BY_RESOURCE_TYPES"
            ),
            exclusion_by_resource_types=config_.CfnConfigurationRecorder.ExclusionByResourceTypesProperty(
                resource_types=["AWS::S3::Bucket"]
            ),
        ),
    )


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_without_delivery_channel(s):
    archive_bucket(s)
    config_audit(s, channel=False)


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_channel_to_own_bucket(s):
    config_audit(s, bucket=s3.CfnBucket(s, "Own").ref)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_channel_without_snapshots(s):
    archive_bucket(s)
    config_audit(s, frequency=None)


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_without_core_rules(s):
    archive_bucket(s)
    config_audit(s, rules=("CLOUD_TRAIL_ENABLED",))


@case("VTC-REGULAR-AUDIT", True, grouped=True)
def regular_audit_sse_s3_rule_does_not_count(s):
    archive_bucket(s)
    config_audit(
        s,
        rules=tuple(
            r if r != "S3_DEFAULT_ENCRYPTION_KMS" else "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"
            for r in CORE_CONFIG_RULES
        ),
    )


@case("VTC-REGULAR-AUDIT", True)
def regular_audit_channel_bucket_from_parameter(s):
    bucket = cdk.CfnParameter(s, "Bucket", type="String")
    config_audit(s, bucket=bucket.value_as_string)


@case("VTC-REGULAR-AUDIT", True, account=BACKUP)
def regular_audit_recorder_outside_workload_without_rules(s):
    # A recorder is checked wherever it is; stores outside the workload account are not anchors.
    config_audit(s, rules=())


# --- VTC-EXIT -------------------------------------------------------------------------------------


def exit_drill(
    s,
    *,
    schedule: str | None = "cron(0 6 1 * ? *)",
    bucket_key: str | None = FB_KEY,
    pass_role: bool = True,
    state: str = "ENABLED",
    tagged: bool = True,
) -> None:
    database(s)
    encryption = (
        s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="aws:kms", kms_master_key_id=bucket_key)
        if bucket_key
        else s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="AES256")
    )
    bucket = s3.CfnBucket(
        s,
        "Exit",
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[
                s3.CfnBucket.ServerSideEncryptionRuleProperty(server_side_encryption_by_default=encryption)
            ]
        ),
    )
    export_role = iam.CfnRole(
        s,
        "ExportRole",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "export.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    iam.CfnManagedPolicy(
        s,
        "ExportPolicy",
        roles=[export_role.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": Fn.join("", [bucket.attr_arn, "/exit/*"])}
            ],
        },
    )
    fn_role = iam.CfnRole(
        s,
        "FnRole",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    statements = [{"Effect": "Allow", "Action": "rds:StartExportTask", "Resource": "*"}]
    if pass_role:
        statements.append({"Effect": "Allow", "Action": "iam:PassRole", "Resource": export_role.attr_arn})
    iam.CfnPolicy(
        s,
        "FnPolicy",
        policy_name="drill",
        roles=[fn_role.ref],
        policy_document={"Version": "2012-10-17", "Statement": statements},
    )
    fn = lambda_.CfnFunction(
        s,
        "Drill",
        role=fn_role.attr_arn,
        runtime="python3.12",
        handler="index.handler",
        code=lambda_.CfnFunction.CodeProperty(zip_file="def handler(e, c): pass"),
    )
    if schedule is not None:
        events.CfnRule(
            s,
            "Schedule",
            schedule_expression=schedule,
            state=state,
            tags=[cdk.CfnTag(key="led:drill", value="exit-export")] if tagged else None,
            targets=[events.CfnRule.TargetProperty(arn=fn.attr_arn, id="drill")],
        )
    # Another schedule of the same function (e.g. a daily report): it does not stand in for the drill.
    events.CfnRule(
        s,
        "Report",
        schedule_expression="rate(1 day)",
        targets=[events.CfnRule.TargetProperty(arn=fn.attr_arn, id="report")],
    )


@case("VTC-EXIT", True)
def exit_database_without_drill(s):
    database(s)


@case("VTC-EXIT", False)
def exit_monthly_drill(s):
    exit_drill(s)


@case("VTC-EXIT", False)
def exit_weekly_rate(s):
    exit_drill(s, schedule="rate(7 days)")


@case("VTC-EXIT", False)
def exit_first_monday_of_the_month(s):
    exit_drill(s, schedule="cron(0 6 ? * MON#1 *)")


@case("VTC-EXIT", True)
def exit_yearly_cron(s):
    exit_drill(s, schedule="cron(0 6 1 1 ? *)")


@case("VTC-EXIT", True)
def exit_rate_365_days(s):
    exit_drill(s, schedule="rate(365 days)")


@case("VTC-EXIT", True)
def exit_only_on_the_31st(s):
    exit_drill(s, schedule="cron(0 6 31 * ? *)")


@case("VTC-EXIT", True)
def exit_without_schedule(s):
    exit_drill(s, schedule=None)


@case("VTC-EXIT", True)
def exit_schedule_disabled(s):
    exit_drill(s, state="DISABLED")


@case("VTC-EXIT", True)
def exit_untagged_schedule(s):
    # Only the schedule marked led:drill=exit-export counts; the daily report beside it does not.
    exit_drill(s, tagged=False)


@case("VTC-EXIT", True)
def exit_bucket_sse_s3(s):
    exit_drill(s, bucket_key=None)


@case("VTC-EXIT", True)
def exit_function_cannot_pass_the_export_role(s):
    exit_drill(s, pass_role=False)


@case("VTC-EXIT", True)
def exit_schedule_from_parameter(s):
    schedule = cdk.CfnParameter(s, "DrillSchedule", type="String")
    exit_drill(s, schedule=schedule.value_as_string)


# --- VTC-PROCESSOR -------------------------------------------------------------------------------

_PROD = load_config().environments["prod"]
DATA_KEY = _PROD.key_arn("data")
ARCHIVE = f"arn:aws:s3:::{_PROD.log_archive_bucket_name}"


def _arn(service: str, resource: str, *, region: str = REGION, account: str = WORKLOAD) -> str:
    return f"arn:{Aws.PARTITION}:{service}:{region}:{account}:{resource}"


def operator_denies(*, secret=True, data_key=True, login=True, archive=True) -> list[iam.PolicyStatement]:
    """The platform operator's Deny statements, as stacks/access.py writes them."""
    denies = []
    if secret:
        denies.append(
            iam.PolicyStatement(
                sid="DenyReadingTheDatabaseSecret",
                effect=iam.Effect.DENY,
                actions=["secretsmanager:GetSecretValue"],
                resources=[_arn("secretsmanager", "secret:*")],
            )
        )
    if login:
        denies.append(
            iam.PolicyStatement(
                sid="DenyDatabaseLogin",
                effect=iam.Effect.DENY,
                actions=["rds-db:connect"],
                resources=[_arn("rds-db", "dbuser:*/*")],
            )
        )
    if data_key:
        denies.append(
            iam.PolicyStatement(
                sid="DenyUsingTheDataKey",
                effect=iam.Effect.DENY,
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=[DATA_KEY, _arn("kms", "key/*", region="*", account=FB)],
            )
        )
    if archive:
        denies.append(
            iam.PolicyStatement(
                sid="DenyWritingToTheLogArchive",
                effect=iam.Effect.DENY,
                actions=["s3:PutObject", "s3:DeleteObject"],
                resources=[ARCHIVE, f"{ARCHIVE}/*"],
            )
        )
    return denies


def party_role(s, statements, *, party: str = OPERATOR_PARTY, inline: bool = False) -> iam.Role:
    role = iam.Role(s, "Role", assumed_by=iam.ArnPrincipal("arn:aws:iam::999999999999:role/operator"))
    allow = iam.PolicyStatement(
        sid="RestartTheDatabase", actions=["rds:RebootDBInstance"], resources=[_arn("rds", "db:led-prod-db")]
    )
    document = iam.PolicyDocument(statements=[allow, *statements])
    if inline:
        cdk.Tags.of(role).add("led:party", party)
        role.node.default_child.policies = [
            iam.CfnRole.PolicyProperty(  # type: ignore[union-attr]
                policy_name="Operator", policy_document=document
            )
        ]
    else:
        iam.ManagedPolicy(s, "Policy", document=document, roles=[role])
        cdk.Tags.of(role).add("led:party", party)
    return role


@case("VTC-PROCESSOR", False)
def processor_operator_denies_data_keys_and_logs(s):
    party_role(s, operator_denies())


@case("VTC-PROCESSOR", True)
def processor_operator_without_data_key_deny(s):
    party_role(s, operator_denies(data_key=False))


@case("VTC-PROCESSOR", True)
def processor_operator_without_archive_deny(s):
    party_role(s, operator_denies(archive=False))


@case("VTC-PROCESSOR", True)
def processor_operator_without_secret_and_login_denies(s):
    party_role(s, operator_denies(secret=False, login=False))


@case("VTC-PROCESSOR", False)
def processor_other_party_not_applicable(s):
    party_role(s, [], party="AHOVOKS")


@case("VTC-PROCESSOR", False)
def processor_operator_wildcard_denies_inline(s):
    party_role(
        s,
        [
            iam.PolicyStatement(
                sid="DenyTheDataServices",
                effect=iam.Effect.DENY,
                actions=["secretsmanager:*", "kms:*", "rds-db:*", "s3:*"],
                resources=["*"],
            )
        ],
        inline=True,
    )


@case("VTC-PROCESSOR", False)
def processor_operator_denies_only_the_configured_data_key(s):
    denies = [d for d in operator_denies(data_key=False)]
    denies.append(
        iam.PolicyStatement(sid="DenyTheDataKey", effect=iam.Effect.DENY, actions=["kms:Decrypt"], resources=[DATA_KEY])
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_narrow_secret_deny(s):
    # secret:led-prod-* leaves other secrets of the workload account readable.
    denies = operator_denies(secret=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenySomeSecrets",
            effect=iam.Effect.DENY,
            actions=["secretsmanager:GetSecretValue"],
            resources=[_arn("secretsmanager", "secret:led-prod-*")],
        )
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_conditional_deny(s):
    denies = operator_denies(archive=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenyArchiveWithoutMfa",
            effect=iam.Effect.DENY,
            actions=["s3:PutObject", "s3:DeleteObject"],
            resources=[f"{ARCHIVE}/*"],
            conditions={"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        )
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_deny_with_unreadable_resource(s):
    bucket = cdk.CfnParameter(s, "ArchiveBucket", type="String")
    denies = operator_denies(archive=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenyArchive",
            effect=iam.Effect.DENY,
            actions=["s3:PutObject", "s3:DeleteObject"],
            resources=[f"arn:aws:s3:::{bucket.value_as_string}/*"],
        )
    )
    party_role(s, denies)


# --- VTC-PROCESSOR-DEPLOY ------------------------------------------------------------------------


def _deployment_denies() -> list[iam.PolicyStatement]:
    from stacks.access import deployment_denies

    return deployment_denies(Aws.PARTITION)


_CDK_DEPLOY_ROLE = f"arn:{Aws.PARTITION}:iam::{WORKLOAD}:role/cdk-hnb659fds-deploy-role-{WORKLOAD}-{REGION}"


@case("VTC-PROCESSOR-DEPLOY", False)
def deploy_operator_denies_bootstrap_roles_and_stack_changes(s):
    party_role(s, [*operator_denies(), *_deployment_denies()])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_without_deployment_denies(s):
    party_role(s, operator_denies())


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_assumes_another_role(s):
    # The deployment denies are there, but a role outside the bootstrap set is a way out too.
    allow = iam.PolicyStatement(
        sid="AssumeAToolRole", actions=["sts:AssumeRole"], resources=[_arn("iam", "role/led-prod-tools", region="")]
    )
    party_role(s, [*operator_denies(), *_deployment_denies(), allow])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_allow_on_bootstrap_role_even_if_denied(s):
    # The explicit Deny wins at run time, but the Allow is a pull request reopening the path.
    allow = iam.PolicyStatement(sid="DeployThroughCdk", actions=["sts:AssumeRole"], resources=[_CDK_DEPLOY_ROLE])
    party_role(s, [*operator_denies(), *_deployment_denies(), allow])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_conditional_deny(s):
    denies = [
        iam.PolicyStatement(
            sid="DenyAssumingWithoutMfa",
            effect=iam.Effect.DENY,
            actions=["sts:AssumeRole"],
            resources=[f"arn:{Aws.PARTITION}:iam::*:role/cdk-*"],
            conditions={"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        ),
        _deployment_denies()[1],
    ]
    party_role(s, [*operator_denies(), *denies])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_cloudformation_wildcard_inline(s):
    allow = iam.PolicyStatement(sid="RunStacks", actions=["cloudformation:*"], resources=["*"])
    party_role(s, [*operator_denies(), _deployment_denies()[0], allow], inline=True)


@case("VTC-PROCESSOR-DEPLOY", False)
def deploy_other_party_not_applicable(s):
    allow = iam.PolicyStatement(sid="DeployThroughCdk", actions=["sts:AssumeRole"], resources=[_CDK_DEPLOY_ROLE])
    party_role(s, [allow], party="AHOVOKS")


# --- VTC-KEY-CUSTODY-POLICY: use of a key only through the named services --------------------------


def _use(principal, condition=None, actions=("kms:Decrypt", "kms:GenerateDataKey*")) -> dict:
    statement = {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": list(actions)}
    statement["Resource"] = "*"
    if condition is not None:
        statement["Condition"] = condition
    return statement


VIA_RDS = {"kms:ViaService": f"rds.{REGION}.amazonaws.com"}


@case("VTC-KEY-CUSTODY-POLICY", False, account=FB)
def key_policy_use_through_services(s):
    condition = {"StringEquals": {**VIA_RDS, "kms:CallerAccount": [WORKLOAD, BACKUP]}}
    key_with(s, [ADMIN_STATEMENT, _use([f"arn:aws:iam::{WORKLOAD}:root", BACKUP], condition)])


@case("VTC-KEY-CUSTODY-POLICY", False, account=FB)
def key_policy_use_through_custody_key_construct(s):
    # The construct the key custody stack uses: a role of another account, through S3, one bucket.
    from cdk_constructs.custody_key import CustodyKey, ServiceUse

    CustodyKey(
        s,
        "Data",
        alias_name="led-test-data",
        description="test",
        admin_principal_arns=[ADMIN],
        rotation_period_days=365,
        service_uses=[
            ServiceUse(sid="Workload", accounts=[WORKLOAD], services=[f"rds.{REGION}.amazonaws.com"]),
            ServiceUse(
                sid="Partner",
                accounts=["210987654321"],
                principal_arns=["arn:aws:iam::210987654321:role/led-exit-reader"],
                services=[f"s3.{REGION}.amazonaws.com"],
                actions=("kms:Decrypt",),
                grants=False,
                conditions={"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::led-exit/*"}},
            ),
        ],
    )


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_without_via_service(s):
    # Any role of the workload account calls KMS directly: no service in between.
    key_with(
        s, [ADMIN_STATEMENT, _use(f"arn:aws:iam::{WORKLOAD}:root", {"StringEquals": {"kms:CallerAccount": WORKLOAD}})]
    )


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_without_caller_account(s):
    key_with(s, [ADMIN_STATEMENT, _use(f"arn:aws:iam::{WORKLOAD}:root", {"StringEquals": VIA_RDS})])


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_by_principal_outside_caller_account(s):
    condition = {"StringEquals": {**VIA_RDS, "kms:CallerAccount": WORKLOAD}}
    key_with(s, [ADMIN_STATEMENT, _use(["arn:aws:iam::999988887777:role/elsewhere"], condition)])


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_admin_decrypts_directly(s):
    # Even the FB administration path uses the key only through a service.
    key_with(s, [ADMIN_STATEMENT, _use(ADMIN, actions=("kms:*",))])


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_grant_pinned_by_operations_only(s):
    # A free-standing grant for Decrypt: its grantee calls KMS directly, outside every kms:ViaService.
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Grants",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}},
            },
        ],
    )


# --- VTC-LOGS-DIRECT-RESOURCE-POLICY / VTC-LEAST-PRIVILEGE-SOURCE: bucket, vault, topic policies -----


def _bucket_policy(s, statements, *, object_lock=False) -> None:
    bucket = s3.CfnBucket(s, "B", object_lock_enabled=True if object_lock else None)
    s3.CfnBucketPolicy(
        s, "P", bucket=bucket.ref, policy_document={"Version": "2012-10-17", "Statement": list(statements)}
    )


def _allow(principal, actions, resource="*", condition=None, sid="S") -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement


PARTNER_ROLE = "arn:aws:iam::210987654321:role/led-exit-reader"


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False)
def resource_policy_partner_reads(s):
    _bucket_policy(s, [_allow({"AWS": PARTNER_ROLE}, ["s3:GetObject", "s3:ListBucket"])])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True)
def resource_policy_partner_deletes(s):
    _bucket_policy(s, [_allow({"AWS": PARTNER_ROLE}, ["s3:GetObject", "s3:DeleteObject*"])])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=LOG_ARCHIVE)
def resource_policy_workload_changes_archive_policy(s):
    _bucket_policy(s, [_allow({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:Put*")], object_lock=True)


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False, account=LOG_ARCHIVE)
def resource_policy_workload_writes_into_locked_archive(s):
    # Object Lock: every write is a new, locked version, nothing is overwritten.
    _bucket_policy(s, [_allow({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:PutObject")], object_lock=True)


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=LOG_ARCHIVE)
def resource_policy_workload_overwrites_unlocked_bucket(s):
    _bucket_policy(s, [_allow({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "s3:PutObject")])


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False, account=BACKUP)
def resource_policy_vault_receives_copies(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={
            "Version": "2012-10-17",
            "Statement": [_allow({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, "backup:CopyIntoBackupVault")],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True, account=BACKUP)
def resource_policy_vault_lets_workload_delete(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={
            "Version": "2012-10-17",
            "Statement": [
                _allow({"AWS": f"arn:aws:iam::{WORKLOAD}:root"}, ["backup:CopyIntoBackupVault", "backup:Delete*"])
            ],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", True)
def resource_policy_topic_attributes_to_anybody(s):
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    sns.CfnTopicPolicy(
        s,
        "P",
        topics=[topic.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                _allow("*", "sns:SetTopicAttributes", condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
            ],
        },
    )


@case("VTC-LOGS-DIRECT-RESOURCE-POLICY", False)
def resource_policy_topic_attributes_own_account_only(s):
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    sns.CfnTopicPolicy(
        s,
        "P",
        topics=[topic.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                _allow("*", "sns:SetTopicAttributes", condition={"StringEquals": {"aws:PrincipalAccount": WORKLOAD}})
            ],
        },
    )


@case("VTC-LEAST-PRIVILEGE-SOURCE", True)
def source_eventbridge_target_of_cdk(s):
    # targets.SnsTopic lets events.amazonaws.com publish for any rule of any account.
    topic = sns.Topic(s, "T", master_key=kms.Key.from_key_arn(s, "K", FB_KEY))
    events.Rule(
        s, "R", event_pattern=events.EventPattern(source=["aws.backup"]), targets=[events_targets.SnsTopic(topic)]
    )


@case("VTC-LEAST-PRIVILEGE-SOURCE", False)
def source_eventbridge_for_one_rule(s):
    topic = sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
    condition = {"ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{WORKLOAD}:rule/r"}}
    sns.CfnTopicPolicy(
        s,
        "P",
        topics=[topic.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [_allow({"Service": "events.amazonaws.com"}, "sns:Publish", condition=condition)],
        },
    )


@case("VTC-LEAST-PRIVILEGE-SOURCE", True, account=LOG_ARCHIVE)
def source_trail_write_only_null_checked(s):
    # A Null test only says the key is there: any account's trail may write.
    condition = {"Null": {"aws:SourceArn": "false"}}
    _bucket_policy(s, [_allow({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", condition=condition)])


@case("VTC-LEAST-PRIVILEGE-SOURCE", False, account=LOG_ARCHIVE)
def source_config_write_pinned(s):
    condition = {"StringEquals": {"aws:SourceAccount": WORKLOAD}}
    _bucket_policy(s, [_allow({"Service": "config.amazonaws.com"}, "s3:PutObject", condition=condition)])


@case("VTC-LEAST-PRIVILEGE-SOURCE", True, account=BACKUP)
def source_vault_service_unpinned(s):
    backup.CfnBackupVault(
        s,
        "V",
        backup_vault_name="v",
        encryption_key_arn=FB_KEY,
        access_policy={
            "Version": "2012-10-17",
            "Statement": [_allow({"Service": "backup.amazonaws.com"}, "backup:CopyIntoBackupVault")],
        },
    )


# --- VTC-LEAST-PRIVILEGE-BOUNDARY-SELF --------------------------------------------------------------


@case("VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", False)
def boundary_self_the_led_boundary(s):
    from cdk_constructs.boundary import PermissionsBoundaryPolicy

    PermissionsBoundaryPolicy(
        s,
        "Boundary",
        policy_name="led-prod-permissions-boundary",
        allowed_regions=[REGION],
        key_custody_account=FB,
        data_key_arn=FB_KEY,
        data_key_services=[f"rds.{REGION}.amazonaws.com"],
    )


def _boundary_doc(s, statements) -> None:
    p = iam.CfnManagedPolicy(
        s,
        "Boundary",
        managed_policy_name="led-prod-permissions-boundary",
        policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, *statements],
        },
    )
    p.add_metadata("led:permissions-boundary", True)


SELF_ARN = f"arn:aws:iam::{WORKLOAD}:policy/led-prod-permissions-boundary"


def _self_denies(*, create_unless: str = SELF_ARN, trust_roles: str = f"arn:aws:iam::{WORKLOAD}:role/led-*") -> list:
    unless = {"StringNotEquals": {"iam:PermissionsBoundary": create_unless}}
    return [
        {"Effect": "Deny", "Action": "iam:Delete*PermissionsBoundary", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": ["iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": SELF_ARN}},
        },
        {"Effect": "Deny", "Action": ["iam:CreateRole", "iam:CreateUser"], "Resource": "*", "Condition": unless},
        {
            "Effect": "Deny",
            "Action": ["iam:*PolicyVersion", "iam:DeletePolicy"],
            "Resource": Fn.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/led-prod-*"),
        },
        {"Effect": "Deny", "Action": "iam:UpdateAssumeRolePolicy", "Resource": trust_roles},
    ]


@case("VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", False)
def boundary_self_wildcards_and_sub(s):
    _boundary_doc(s, _self_denies())


@case("VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", True)
def boundary_self_no_self_protection(s):
    _boundary_doc(s, [{"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*"}])


@case("VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", True)
def boundary_self_roles_with_another_boundary(s):
    # "Unless the boundary is X": X must be this boundary, not a looser one.
    _boundary_doc(s, _self_denies(create_unless=f"arn:aws:iam::{WORKLOAD}:policy/AdministratorAccess"))


@case("VTC-LEAST-PRIVILEGE-BOUNDARY-SELF", True)
def boundary_self_trust_of_some_roles_only(s):
    _boundary_doc(s, _self_denies(trust_roles=f"arn:aws:iam::{WORKLOAD}:role/led-prod-app-*"))


# --- VTC-NO-COPY-DNS: no tunnelling through the VPC resolver (issue #9) -------------------------


def dns_firewall(s, vpc, *, last_action="BLOCK", last_domains=("*",), allow_domains=("*.eu-west-1.amazonaws.com",)):
    allowed = resolver.CfnFirewallDomainList(s, "Allowed", name="allowed", domains=list(allow_domains))
    last = resolver.CfnFirewallDomainList(s, "Last", name="last", domains=list(last_domains))
    group = resolver.CfnFirewallRuleGroup(
        s,
        "Rules",
        firewall_rules=[
            resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                action="ALLOW", firewall_domain_list_id=allowed.attr_id, priority=100
            ),
            resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                action=last_action,
                block_response="NXDOMAIN" if last_action == "BLOCK" else None,
                firewall_domain_list_id=last.attr_id,
                priority=200,
            ),
        ],
    )
    resolver.CfnFirewallRuleGroupAssociation(
        s, "Association", firewall_rule_group_id=group.attr_id, vpc_id=vpc.ref, priority=101
    )


@case("VTC-NO-COPY-DNS", False)
def dns_blocks_everything_else(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"))


@case("VTC-NO-COPY-DNS", True)
def dns_vpc_without_firewall(s):
    ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")


@case("VTC-NO-COPY-DNS", True)
def dns_firewall_on_another_vpc(s):
    ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    dns_firewall(s, ec2.CfnVPC(s, "Other", cidr_block="10.1.0.0/16"))


@case("VTC-NO-COPY-DNS", True)
def dns_last_rule_allows(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), last_action="ALLOW")


@case("VTC-NO-COPY-DNS", True)
def dns_blocks_only_one_domain(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), last_domains=("attacker.example",))


@case("VTC-NO-COPY-DNS", True)
def dns_allows_everything_first(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), allow_domains=("*",))


@case("VTC-NO-COPY-DNS", True)
def dns_fails_open(s):
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    dns_firewall(s, vpc)
    cdk.CfnResource(
        s,
        "FailOpen",
        type="AWS::Route53Resolver::FirewallConfig",
        properties={"ResourceId": vpc.ref, "FirewallFailOpen": "ENABLED"},
    )


from tests import vtc_cases_perimeter  # noqa: E402, F401  (issue #13: registers VTC-NO-COPY-PERIMETER's cases)

CASES_BY_NAME = {c.name: c for c in CASES}
