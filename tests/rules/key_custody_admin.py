"""The cases of VTC-KEY-CUSTODY-ADMIN (policies/rules/key_custody_admin.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn

from tests.rules._common import ADMIN_STATEMENT, FB, WORKLOAD, allow_statement, case, key_with

WORKLOAD_ROOT = {"AWS": f"arn:aws:iam::{WORKLOAD}:root"}


@case("VTC-KEY-CUSTODY-ADMIN", False, account=FB)
def admin_only_fb_role(s):
    condition = {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            allow_statement(WORKLOAD_ROOT, ["kms:CreateGrant", "kms:Decrypt"], condition=condition, sid="Use"),
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
    key_with(s, [ADMIN_STATEMENT, allow_statement(WORKLOAD_ROOT, "kms:CreateGrant", sid="Grants")])


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_principal_from_parameter(s):
    who = cdk.CfnParameter(s, "Admin", type="String")
    key_with(s, [{**ADMIN_STATEMENT, "Principal": {"AWS": who.value_as_string}}])


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_grant_pinned_by_operations_only(s):
    # A free-standing grant for Decrypt: its grantee calls KMS directly, outside every kms:ViaService.
    condition = {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}
    key_with(s, [ADMIN_STATEMENT, allow_statement(WORKLOAD_ROOT, "kms:CreateGrant", condition=condition, sid="Grants")])
