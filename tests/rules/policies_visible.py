"""The cases of VTC-POLICIES-VISIBLE (policies/rules/policies_visible.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_sns as sns

from tests.rules._common import FB_KEY, case


@case("VTC-POLICIES-VISIBLE", True)
def visible_no_description(s):
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)


@case("VTC-POLICIES-VISIBLE", False)
def visible_description_cites_conditions(s):
    s.template_options.description = "LED test: a topic. Serves VTC-ENCRYPT-ALL."
    sns.CfnTopic(s, "T", kms_master_key_id=FB_KEY)
