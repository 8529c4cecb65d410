"""The cases of VTC-AUDIT-TRAIL-RETENTION (policies/rules/audit_trail_retention.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs

from tests.rules._common import FB_KEY, case


@case("VTC-AUDIT-TRAIL-RETENTION", False)
def retention_log_year(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=365)


@case("VTC-AUDIT-TRAIL-RETENTION", True)
def retention_log_shorter_than_backups(s):
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=1)


@case("VTC-AUDIT-TRAIL-RETENTION", True)
def retention_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    logs.CfnLogGroup(s, "L", kms_key_id=FB_KEY, retention_in_days=days.value_as_number)
