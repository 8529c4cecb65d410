"""The cases of VTC-LEAST-PRIVILEGE (policies/rules/least_privilege.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Aws, Fn
from aws_cdk import aws_iam as iam

from tests.rules._common import ADMIN_STATEMENT, FB, FB_KEY, case, key_with, role


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


def boundary(s, **props) -> None:
    """A permissions boundary: a ceiling of Allow * less what no role may do, marked as a boundary."""
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
        **props,
    )
    p.add_metadata("led:permissions-boundary", True)


@case("VTC-LEAST-PRIVILEGE", False)
def least_boundary_ceiling(s):
    boundary(s)


@case("VTC-LEAST-PRIVILEGE", True)
def least_boundary_attached_as_policy(s):
    boundary(s, roles=["r"])


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
