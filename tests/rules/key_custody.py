"""The cases of VTC-KEY-CUSTODY (policies/rules/key_custody.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Fn
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from tests.rules._common import FB, FB_KEY, OTHER_KEY, case


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
