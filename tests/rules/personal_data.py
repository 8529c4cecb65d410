"""The cases of VTC-PERSONAL-DATA (policies/rules/personal_data.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from tests.rules._common import case, database, tags


@case("VTC-PERSONAL-DATA", False)
def personal_data_tagged(s):
    database(s)


@case("VTC-PERSONAL-DATA", False)
def personal_data_export_tagged(s):
    s3.CfnBucket(s, "Exit", tags=tags("personal-data-export"))


@case("VTC-PERSONAL-DATA", True)
def personal_data_untagged(s):
    database(s, tags=None)


@case("VTC-PERSONAL-DATA", True)
def personal_data_unknown_value(s):
    database(s, classification="secret")


@case("VTC-PERSONAL-DATA", True)
def personal_data_tag_from_parameter(s):
    value = cdk.CfnParameter(s, "Classification", type="String")
    database(s, tags=[cdk.CfnTag(key="led:data-classification", value=value.value_as_string)])
