"""The CDK bootstrap roles, which are not in the app: a model of the stock `cdk bootstrap`
template (bootstrap version 6+) with the default qualifier.

Per bootstrapped account and region, four roles named `cdk-<qualifier>-<kind>-role-<account>-<region>`:

- deploy: trusted by the bootstrapped account itself (stock behaviour without `--trust`, plus
  `trusted_accounts`), may create and execute change sets on any stack and pass the execution role;
- cfn-exec: trusted by cloudformation.amazonaws.com, carries the execution policies; the stock
  default is AdministratorAccess and no permissions boundary;
- file-publishing: writes the staging bucket; lookup: read-only lookups (the stock ReadOnlyAccess
  with kms:Decrypt denied).

This is the one place that knows how bootstrapping is done. When the project generates its own
bootstrap template (or bootstraps with `--custom-permissions-boundary`), point
`bootstrap_roles` at it: `execution_boundary` is the boundary document the execution role carries
(None: unbounded), `execution_policies` the execution policies (None: AdministratorAccess).
"""

from __future__ import annotations

from dataclasses import dataclass

from config import CDK_DEFAULT_QUALIFIER, bootstrap_role_arn
from policies.access.evaluator import allow_all

DEFAULT_QUALIFIER = CDK_DEFAULT_QUALIFIER
BOOTSTRAP_STACK = "CDKToolkit (model of the stock bootstrap template)"
ADMINISTRATOR_ACCESS = allow_all("AdministratorAccess (stock execution policy)")


@dataclass(frozen=True)
class BootstrapRole:
    kind: str  # deploy, cfn-exec, file-publishing, lookup
    arn: str
    account: str
    trust: dict
    identity: dict
    boundary: dict | None


role_arn = bootstrap_role_arn


def _trust_accounts(partition: str, accounts: list[str]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": [f"arn:{partition}:iam::{a}:root" for a in accounts]},
            }
        ],
    }


def _staging_bucket_arn(partition: str, account: str, region: str, qualifier: str) -> str:
    """The bootstrap's staging bucket, where the deploy role reads and the publishing role writes the assets."""
    return f"arn:{partition}:s3:::cdk-{qualifier}-assets-{account}-{region}"


def _deploy_policy(staging: str, execution_role: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudFormationPermissions",
                "Effect": "Allow",
                "Action": [
                    "cloudformation:CreateChangeSet",
                    "cloudformation:DeleteChangeSet",
                    "cloudformation:DescribeChangeSet",
                    "cloudformation:DescribeStacks",
                    "cloudformation:ExecuteChangeSet",
                    "cloudformation:CreateStack",
                    "cloudformation:UpdateStack",
                    "cloudformation:RollbackStack",
                    "cloudformation:ContinueUpdateRollback",
                ],
                "Resource": "*",
            },
            {
                "Sid": "CliPermissions",
                "Effect": "Allow",
                "Action": [
                    "cloudformation:DescribeStackEvents",
                    "cloudformation:GetTemplate",
                    "cloudformation:DeleteStack",
                    "cloudformation:UpdateTerminationProtection",
                    "sts:GetCallerIdentity",
                    "cloudformation:GetTemplateSummary",
                ],
                "Resource": "*",
            },
            {
                "Sid": "CliStagingBucket",
                "Effect": "Allow",
                "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
                "Resource": [staging, f"{staging}/*"],
            },
            {
                "Sid": "PassRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": execution_role,
            },
        ],
    }


def _publishing_policy(staging: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StagingBucket",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject*",
                    "s3:GetBucket*",
                    "s3:GetEncryptionConfiguration",
                    "s3:List*",
                    "s3:PutObject*",
                    "s3:Abort*",
                    "s3:DeleteObject*",
                ],
                "Resource": [staging, f"{staging}/*"],
            }
        ],
    }


def _lookup_policy() -> dict:
    # The stock role carries ReadOnlyAccess; modelled by its metadata reads (Describe*, List*,
    # the template and parameter reads CDK lookups make), without the data reads (s3:GetObject,
    # secretsmanager:GetSecretValue are not lookups) and with the stock explicit kms:Decrypt deny.
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadOnlyLookups (model of ReadOnlyAccess)",
                "Effect": "Allow",
                "Action": [
                    "*:Describe*",
                    "*:List*",
                    "cloudformation:GetTemplate*",
                    "ssm:GetParameter*",
                    "route53:Get*",
                ],
                "Resource": "*",
            },
            {"Sid": "DontReadSecrets", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }


def bootstrap_roles(
    partition: str,
    account: str,
    region: str,
    *,
    qualifier: str = DEFAULT_QUALIFIER,
    trusted_accounts: tuple[str, ...] = (),
    execution_policies: list[dict] | None = None,
    execution_boundary: dict | None = None,
    trust: dict | None = None,
) -> list[BootstrapRole]:
    """The bootstrap roles of one account and region, as the stock template creates them (or with
    the given trust policy of the deploy, publishing and lookup roles)."""
    trust = trust or _trust_accounts(partition, sorted({account, *trusted_accounts}))
    cfn_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "cloudformation.amazonaws.com"}}
        ],
    }
    execution = execution_policies or [ADMINISTRATOR_ACCESS]
    merged = {"Version": "2012-10-17", "Statement": [s for d in execution for s in d["Statement"]]}
    arn = lambda kind: role_arn(partition, account, region, kind, qualifier)  # noqa: E731
    staging = _staging_bucket_arn(partition, account, region, qualifier)
    return [
        BootstrapRole("deploy", arn("deploy"), account, trust, _deploy_policy(staging, arn("cfn-exec")), None),
        BootstrapRole("cfn-exec", arn("cfn-exec"), account, cfn_trust, merged, execution_boundary),
        BootstrapRole("file-publishing", arn("file-publishing"), account, trust, _publishing_policy(staging), None),
        BootstrapRole("lookup", arn("lookup"), account, trust, _lookup_policy(), None),
    ]


def _substituted(node: object, values: dict[str, str]) -> object:
    """The bootstrap template's `Fn::Sub` strings with the pseudo parameters and the staging bucket."""
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for name, value in values.items():
                text = text.replace("${" + name + "}", value)
            return text
        return {k: _substituted(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_substituted(v, values) for v in node]
    return node


def project_bootstrap(config, types_by_target: dict[tuple[str, str], set[str]]):
    """The project's own bootstrap (tools/bootstrap/, what `make synth` writes to cdk.out/bootstrap/):
    the deploy, publishing and lookup roles trust only the configured deployers ([deployment]), the
    execution role carries the LED deployment boundary and the handler actions of the resource types
    the stacks create there. Targets the project does not bootstrap keep the stock model."""
    from tools import bootstrap as generator

    targets = {(t.account, t.region): t for t in generator.targets_of(config)}

    def model(partition: str, account: str, region: str) -> list[BootstrapRole]:
        target = targets.get((account, region))
        if target is None:
            return bootstrap_roles(partition, account, region)
        qualifier = config.deployment.qualifier
        types = types_by_target.get((account, region), set())
        values = {
            "AWS::Partition": partition,
            "AWS::AccountId": account,
            "AWS::Region": region,
            "StagingBucket.Arn": _staging_bucket_arn(partition, account, region, qualifier),
        }
        boundary, _ = generator.deployment_boundary(config, target, types)
        policies = [_substituted(p, values) for p in generator.execution_policies(config, target, types)]
        trust = generator.trust_policy(generator.trusted_principals(config, target))
        return bootstrap_roles(
            partition,
            account,
            region,
            qualifier=qualifier,
            execution_policies=policies,  # type: ignore[arg-type]
            execution_boundary={"Version": "2012-10-17", "Statement": _substituted(boundary, values)},
            trust=trust,
        )

    return model


__all__ = [
    "project_bootstrap",
    "ADMINISTRATOR_ACCESS",
    "BOOTSTRAP_STACK",
    "DEFAULT_QUALIFIER",
    "BootstrapRole",
    "bootstrap_roles",
    "role_arn",
]
