"""The cases of VTC-KEY-CUSTODY-ADMIN (policies/rules/key_custody_admin.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn

from tests.rules._common import ADMIN_STATEMENT, FB, WORKLOAD, case, key_with


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


@case("VTC-KEY-CUSTODY-ADMIN", True, account=FB)
def admin_principal_from_parameter(s):
    who = cdk.CfnParameter(s, "Admin", type="String")
    key_with(s, [{**ADMIN_STATEMENT, "Principal": {"AWS": who.value_as_string}}])


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
