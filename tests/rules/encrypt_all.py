"""The cases of VTC-ENCRYPT-ALL (policies/rules/encrypt_all.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn
from aws_cdk import aws_backup as backup
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from tests.rules._common import FB, FB_KEY, REGION, WORKLOAD, case


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


def _instance(s, **props):
    rds.CfnDBInstance(s, "Db", engine="postgres", db_instance_class="db.t4g.medium", allocated_storage="20", **props)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_aws_managed_alias(s):
    _instance(s, storage_encrypted=True, kms_key_id="alias/aws/rds", publicly_accessible=False)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_not_encrypted(s):
    _instance(s, storage_encrypted=False, kms_key_id=FB_KEY)


@case("VTC-ENCRYPT-ALL", True)
def encrypt_rds_performance_insights_default_key(s):
    _instance(s, storage_encrypted=True, kms_key_id=FB_KEY, enable_performance_insights=True)


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
