"""The cases of VTC-AUDIT-TRAIL (policies/rules/audit_trail.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_cloudtrail as cloudtrail

from tests.rules._common import FB_KEY, case, database


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
