"""The cases of VTC-OUTSOURCING-2016 (policies/rules/outsourcing_2016.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_sns as sns

from tests.rules._common import BACKUP, FB_KEY, case, plan


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


@case("VTC-OUTSOURCING-2016", True, account=None, region=None)
def outsourcing_environment_agnostic(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
