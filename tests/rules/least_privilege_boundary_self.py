"""The cases of VTC-LEAST-PRIVILEGE-BOUNDARY-SELF (policies/rules/least_privilege_boundary_self.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_iam as iam

from tests.rules._common import FB, FB_KEY, REGION, WORKLOAD, case


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
