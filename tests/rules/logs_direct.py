"""The cases of VTC-LOGS-DIRECT (policies/rules/logs_direct.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_s3 as s3

from tests.rules._common import LOG_ARCHIVE, case


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


@case("VTC-LOGS-DIRECT", True)
def logs_direct_bucket_from_parameter(s):
    bucket = cdk.CfnParameter(s, "Bucket", type="String")
    cloudtrail.CfnTrail(s, "T", is_logging=True, s3_bucket_name=bucket.value_as_string)
