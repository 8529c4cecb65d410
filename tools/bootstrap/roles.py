"""What the bootstrap roles may do and whom they trust: the trust policy of the deploy, publishing
and lookup roles, the deployment boundary and the execution role's policies."""

from __future__ import annotations

import json
from functools import lru_cache

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from cdk_constructs.boundary import boundary_statements
from config import LandingZoneConfig, partition_of
from policies.guardrails import IDENTITY_CHANGING_ACTIONS, deployment_boundary_name
from tools.bootstrap.handlers import handler_actions, is_custom
from tools.bootstrap.model import Target

MANAGED_POLICY_MAX_CHARS = 6144
# Room the last execution policy keeps for the statements added after the handler actions.
EXTRA_STATEMENTS_CHARS = 400


def trusted_principals(config: LandingZoneConfig, target: Target) -> list[str]:
    dep = config.deployment
    return list(dep.key_custody_deployer_arns) if target.bootstrapper == "FB" else [dep.pipeline_role_arn]


def trust_policy(principals: list[str]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustOnlyTheConfiguredDeployers",
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Condition": {"Null": {"sts:ExternalId": "true"}},
            },
            {
                "Sid": "TagSessionOfTheConfiguredDeployers",
                "Action": "sts:TagSession",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
            },
        ],
    }


@lru_cache(maxsize=64)
def _boundary_json(allowed_regions: tuple[str, ...], key_custody_account: str) -> str:
    """The LED boundary's statements as JSON, rendered by CDK once per regions and custodian (a render
    starts an app in jsii; a report or the bootstrap asks for the same few many times)."""
    statements = boundary_statements(allowed_regions=allowed_regions, key_custody_account=key_custody_account)
    stack = cdk.Stack(cdk.App(), "Render")
    return json.dumps(stack.resolve(iam.PolicyDocument(statements=statements).to_json())["Statement"])


def _custodians(config: LandingZoneConfig, target: Target) -> list[str]:
    """The key custody accounts of the environments deployed to the target's account (its own if none)."""
    return sorted(
        {e.accounts.key_custody for e in config.environments.values() if target.account in e.accounts.all()}
        or {target.account}
    )


def _deny_changing_the_bootstrap(config: LandingZoneConfig, target: Target) -> dict:
    """The execution role deploys the LED stacks, never the bootstrap itself: it cannot change the
    bootstrap's roles, their boundary or its own policies (only whoever deploys this template can)."""
    q = config.deployment.qualifier
    boundary_name = deployment_boundary_name(config, target.region)
    own = [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/cdk-{q}-*"},
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{boundary_name}"},
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/cdk-{q}-led-execution-*"},
    ]
    return {
        "Sid": "DenyChangingTheBootstrap",
        "Effect": "Deny",
        "Action": list(IDENTITY_CHANGING_ACTIONS),
        "Resource": own,
    }


def deployment_boundary(config: LandingZoneConfig, target: Target, types: set[str]) -> tuple[list[dict], list[str]]:
    """The LED boundary's statements for the execution role, and the denied actions it had to give up."""
    custodians = _custodians(config, target)
    statements = json.loads(_boundary_json(tuple(config.allowed_regions), custodians[0]))  # a fresh copy: changed below
    needed = {a.lower() for a in handler_actions(types, target.region, ("create", "update"))}
    released: list[str] = []
    kept = []
    for st in statements:
        if st.get("Sid") == "DenyOtherKeyCustodians" and len(custodians) > 1:
            first = json.dumps(st["NotResource"])
            st["NotResource"] = [json.loads(first.replace(custodians[0], c)) for c in custodians]
        # Only the account-wide denies (Resource "*") give way; a deny scoped by NotResource (other
        # custodians' keys) or NotAction (other regions) stays whole.
        if st["Effect"] == "Deny" and "Action" in st and st.get("Resource") == "*":
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            keep = [a for a in actions if a.lower() not in needed]
            released += [a for a in actions if a.lower() in needed]
            if not keep:
                continue
            st["Action"] = keep
        kept.append(st)
    kept.append(_deny_changing_the_bootstrap(config, target))
    return kept, sorted(released)


def _chunks(actions: list[str]) -> list[list[str]]:
    """The actions in as few managed policies as their size limit allows."""
    chunks: list[list[str]] = [[]]
    for action in actions:
        if len(json.dumps(chunks[-1] + [action])) > MANAGED_POLICY_MAX_CHARS - EXTRA_STATEMENTS_CHARS:
            chunks.append([])
        chunks[-1].append(action)
    return chunks


def execution_policies(config: LandingZoneConfig, target: Target, types: set[str]) -> list[dict]:
    """The execution role's statements: the handler actions of the account's resource types."""
    documents: list[list[dict]] = [
        [{"Sid": "HandlersOfTheLedResourceTypes", "Effect": "Allow", "Action": chunk, "Resource": "*"}]
        for chunk in _chunks(sorted(handler_actions(types, target.region)))
    ]
    documents[-1].append(
        {
            "Sid": "ReadTheAssetStagingBucket",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": [{"Fn::Sub": "${StagingBucket.Arn}"}, {"Fn::Sub": "${StagingBucket.Arn}/*"}],
        }
    )
    if any(is_custom(t) for t in types):
        partition = partition_of(target.region)
        documents[-1].append(
            {
                "Sid": "InvokeTheCustomResourceProviders",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": f"arn:{partition}:lambda:{target.region}:{target.account}:function:*",
            }
        )
    return [{"Version": "2012-10-17", "Statement": d} for d in documents]
