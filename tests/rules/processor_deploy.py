"""The cases of VTC-PROCESSOR-DEPLOY (policies/rules/processor_deploy.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam

from tests.rules._common import REGION, WORKLOAD, arn_of, case, deny, operator_denies, party_role


def _deployment_denies() -> list[iam.PolicyStatement]:
    from cdk_constructs.workload_roles import deployment_denies

    return deployment_denies(Aws.PARTITION)


_CDK_DEPLOY_ROLE = f"arn:{Aws.PARTITION}:iam::{WORKLOAD}:role/cdk-hnb659fds-deploy-role-{WORKLOAD}-{REGION}"


@case("VTC-PROCESSOR-DEPLOY", False)
def deploy_operator_denies_bootstrap_roles_and_stack_changes(s):
    party_role(s, [*operator_denies(), *_deployment_denies()])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_without_deployment_denies(s):
    party_role(s, operator_denies())


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_assumes_another_role(s):
    # The deployment denies are there, but a role outside the bootstrap set is a way out too.
    allow = iam.PolicyStatement(
        sid="AssumeAToolRole", actions=["sts:AssumeRole"], resources=[arn_of("iam", "role/led-prod-tools", region="")]
    )
    party_role(s, [*operator_denies(), *_deployment_denies(), allow])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_allow_on_bootstrap_role_even_if_denied(s):
    # The explicit Deny wins at run time, but the Allow is a pull request reopening the path.
    allow = iam.PolicyStatement(sid="DeployThroughCdk", actions=["sts:AssumeRole"], resources=[_CDK_DEPLOY_ROLE])
    party_role(s, [*operator_denies(), *_deployment_denies(), allow])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_conditional_deny(s):
    without_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    cdk_roles = deny(
        "DenyAssumingWithoutMfa", ["sts:AssumeRole"], [f"arn:{Aws.PARTITION}:iam::*:role/cdk-*"], without_mfa
    )
    party_role(s, [*operator_denies(), cdk_roles, _deployment_denies()[1]])


@case("VTC-PROCESSOR-DEPLOY", True)
def deploy_operator_cloudformation_wildcard_inline(s):
    allow = iam.PolicyStatement(sid="RunStacks", actions=["cloudformation:*"], resources=["*"])
    party_role(s, [*operator_denies(), _deployment_denies()[0], allow], inline=True)


@case("VTC-PROCESSOR-DEPLOY", False)
def deploy_other_party_not_applicable(s):
    allow = iam.PolicyStatement(sid="DeployThroughCdk", actions=["sts:AssumeRole"], resources=[_CDK_DEPLOY_ROLE])
    party_role(s, [allow], party="AHOVOKS")
