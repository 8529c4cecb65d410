"""Who deploys: the controller's pipeline and FB's deployers, and the CDK bootstrap roles."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import field_validator

from config.accounts import DOCUMENTATION_PIPELINE_ACCOUNT
from config.base import ROLE_ARN, Strict, matching

if TYPE_CHECKING:
    from config.landing_zone import LandingZoneConfig

# The CDK bootstrap qualifier the stacks deploy with; `[deployment] qualifier` must match it
# (tools/bootstrap/ refuses another one).
CDK_DEFAULT_QUALIFIER = "hnb659fds"

_QUALIFIER = re.compile(r"^[a-z0-9-]{1,10}$")


class Deployment(Strict):
    """Who deploys (design.md, "The deployment path"; issue: deployment is a path to the data).

    One table for every environment: the CDK bootstrap is per account and region, and environments
    may share accounts, so the principals the bootstrap roles trust are the same for all of them.
    The workload, log archive and backup accounts are bootstrapped by AHOVOKS and trust only the
    controller's delivery pipeline; the key custody account is bootstrapped by the Facilitair
    Bedrijf and trusts only FB's own deploying principals (tools/bootstrap/).
    """

    # AHOVOKS' delivery pipeline: a role in an AHOVOKS account of its own (not one of the LED accounts).
    pipeline_role_arn: str
    # The CDK bootstrap qualifier (cdk-<qualifier>-* roles, /cdk-bootstrap/<qualifier>/version).
    qualifier: str = CDK_DEFAULT_QUALIFIER
    # FB's own principals that deploy the key custody stacks (the only ones its bootstrap trusts).
    key_custody_deployer_arns: tuple[str, ...]

    @field_validator("pipeline_role_arn")
    @classmethod
    def _pipeline(cls, value: str) -> str:
        # ROLE_ARN admits no account root and no wildcard.
        return matching(
            value,
            ROLE_ARN,
            "one IAM role ARN arn:<partition>:iam::<12-digit account>:role/<name> "
            "(the controller's pipeline role; no account root, no wildcard)",
        )

    @field_validator("key_custody_deployer_arns")
    @classmethod
    def _deployers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("got an empty list; allowed: at least one IAM role ARN of the Facilitair Bedrijf")
        for arn in value:
            matching(
                arn,
                ROLE_ARN,
                "IAM role ARNs arn:<partition>:iam::<12-digit account>:role/<name> (no account root, no wildcard)",
            )
        return value

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        return matching(
            value,
            _QUALIFIER,
            "1-10 lowercase letters, digits or '-' (it is part of the bootstrap bucket's and roles' names)",
        )

    @property
    def pipeline_account(self) -> str:
        return self.pipeline_role_arn.split(":")[4]


def default_deployment(partition: str, key_custody_accounts: list[str]) -> dict[str, object]:
    """Documentation principals: AHOVOKS' pipeline account, FB's deployer role in its accounts."""
    pipeline = f"arn:{partition}:iam::{DOCUMENTATION_PIPELINE_ACCOUNT}:role/ahovoks-led-delivery-pipeline"
    return {
        "pipeline_role_arn": pipeline,
        "key_custody_deployer_arns": [f"arn:{partition}:iam::{a}:role/fb-led-deployer" for a in key_custody_accounts],
    }


def bootstrap_role_arn(
    partition: str, account: str, region: str, kind: str, qualifier: str = CDK_DEFAULT_QUALIFIER
) -> str:
    """A role of the CDK bootstrap (`kind`: deploy, cfn-exec, file-publishing, image-publishing, lookup)."""
    return f"arn:{partition}:iam::{account}:role/cdk-{qualifier}-{kind}-role-{account}-{region}"


def execution_role_arn(partition: str, qualifier: str, account: str, region: str) -> str:
    """The CloudFormation execution role of the CDK bootstrap: the deployment role."""
    return bootstrap_role_arn(partition, account, region, "cfn-exec", qualifier)


# Cross-field rules on deployment (run by LandingZoneConfig) ----------------------------------------


def _operator_accounts(lz: LandingZoneConfig) -> set[str]:
    return {arn.split(":")[4] for env in lz.environments.values() for arn in env.access.operator_principals}


def pipeline_outside_led_accounts(lz: LandingZoneConfig) -> None:
    """The controller deploys (design.md): its pipeline lives in an AHOVOKS account of its own,
    never an LED account."""
    dep = lz.deployment
    led = {a: env.name for env in lz.environments.values() for a in env.accounts.all()}
    if dep.pipeline_account in led:
        raise ValueError(
            f"field 'deployment.pipeline_role_arn': got {dep.pipeline_role_arn!r}, in account "
            f"{dep.pipeline_account} of environment {led[dep.pipeline_account]!r}; allowed: a role in an "
            "AHOVOKS delivery account of its own, none of the key custody, workload, log archive or backup accounts"
        )


def pipeline_outside_operator_accounts(lz: LandingZoneConfig) -> None:
    """The controller deploys: never from an account the processor holds identities in."""
    dep = lz.deployment
    if dep.pipeline_account in _operator_accounts(lz):
        raise ValueError(
            f"field 'deployment.pipeline_role_arn': got {dep.pipeline_role_arn!r}, in the platform operator's "
            "identity account; allowed: a role in an AHOVOKS delivery account the processor does not run"
        )


def key_custody_deployers_apart(lz: LandingZoneConfig) -> None:
    """FB's deployers are FB's: not in an account AHOVOKS or the processor runs."""
    runs = {
        a
        for env in lz.environments.values()
        for a in (env.accounts.workload, env.accounts.log_archive, env.accounts.backup)
    }
    operators = _operator_accounts(lz)
    for arn in lz.deployment.key_custody_deployer_arns:
        account = arn.split(":")[4]
        if account in runs or account in operators:
            raise ValueError(
                f"field 'deployment.key_custody_deployer_arns': got {arn!r}, in account {account}; allowed: "
                "a principal of the Facilitair Bedrijf, not in a workload, log archive, backup or operator account"
            )


def deployers_in_partition(lz: LandingZoneConfig) -> None:
    """A deployer of another partition cannot assume the bootstrap roles."""
    dep = lz.deployment
    partitions = {env.partition for env in lz.environments.values()}
    for field, arns in (
        ("pipeline_role_arn", (dep.pipeline_role_arn,)),
        ("key_custody_deployer_arns", dep.key_custody_deployer_arns),
    ):
        for arn in arns:
            if arn.split(":")[1] not in partitions:
                raise ValueError(
                    f"field 'deployment.{field}': got {arn!r}, in partition {arn.split(':')[1]}; allowed: "
                    f"partition {', '.join(sorted(partitions))} (the environments' regions)"
                )
