"""VTC-PROCESSOR-DEPLOY (§14-15, §34): the platform operator (the processor) cannot deploy.

Deploying is a path to the data (design.md, "The deployment path"): whoever can run a change set
in the workload account acts as the CDK bootstrap's CloudFormation execution role, and can
change, for instance, the function that reads the database's master secret. The controller's
delivery pipeline deploys; the processor proposes changes by pull request.

A role tagged led:party with the operator party (config OPERATOR_PARTY) fails when the policies
attached to it (the same documents VTC-PROCESSOR reads):

- lack an unconditional explicit Deny of sts:AssumeRole on every bootstrap role
  (``arn:<partition>:iam::*:role/cdk-*``), or of each CloudFormation write action
  (CreateChangeSet, ExecuteChangeSet, CreateStack, UpdateStack, DeleteStack, ...) on every
  resource; so that no later Allow reopens the path;
- or Allow sts:AssumeRole on any role, or a CloudFormation write action, at all: a role outside
  the bootstrap set is still a way out of the operator's own rights, and an Allow the Deny
  cancels today is a pull request reopening the path, said at review rather than left dormant.

Wildcards count (``sts:*``, ``cloudformation:*``, ``*``, NotAction). A Deny with a Condition,
NotResource or an unreadable part covers nothing (fails closed). Read-only CloudFormation actions
(describe, get template) are not writes.

Only partly checkable: whether the bootstrap itself trusts the operator is outside the app; the
project's bootstrap templates (tools/bootstrap/) trust only the [deployment] principals, and
their test checks it.
"""

from __future__ import annotations

from contract.operator import (
    DEPLOYMENT_DENIED_ASSUME_ACTIONS,
    DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS,
    DEPLOYMENT_DENIED_ROLE_PATTERN,
)
from policies.iam import Statement
from policies.model import Resource, Result
from policies.rules.processor import covers, denied_in_contract, names_action, operator_role
from policies.spec import RuleSpec
from policies.values import UNKNOWN

RESOURCE_TYPES = ("AWS::IAM::Role",)
ASSUME = denied_in_contract("sts:AssumeRole", DEPLOYMENT_DENIED_ASSUME_ACTIONS)
# The writes that must be denied: part of the contract's DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS,
# which the human roles deny in full.
CLOUDFORMATION_WRITES = tuple(
    denied_in_contract(a, DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS)
    for a in (
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
        "cloudformation:CreateStack",
        "cloudformation:UpdateStack",
        "cloudformation:DeleteStack",
        "cloudformation:ContinueUpdateRollback",
        "cloudformation:RollbackStack",
        "cloudformation:CreateStackSet",
        "cloudformation:UpdateStackSet",
        "cloudformation:CreateStackInstances",
    )
)


def _allows(st: Statement, action: str) -> bool:
    return st.effect == "Allow" and names_action(st, action)


def check(res: Resource) -> Result:
    role = operator_role(res)
    if isinstance(role, Result):
        return role
    p = res.settings.partition
    bootstrap_roles = f"arn:{p}:iam::*:role/{DEPLOYMENT_DENIED_ROLE_PATTERN}"
    every_resource = "*"
    sts = role.statements
    problems = []
    if not any(covers(st, ASSUME, bootstrap_roles) for st in sts):
        problems.append(f"no explicit Deny of {ASSUME} on the CDK bootstrap roles ({bootstrap_roles})")
    undenied = [a for a in CLOUDFORMATION_WRITES if not any(covers(st, a, every_resource) for st in sts)]
    if undenied:
        problems.append(f"no explicit Deny on every resource of {', '.join(undenied)}")
    for st in sts:
        if _allows(st, ASSUME):
            targets = ", ".join(r if UNKNOWN not in r else "a value known only at deploy time" for r in st.resources)
            problems.append(
                f"statement {st.sid} allows {ASSUME} on {targets or 'every role'} (a deployment role or a "
                "role outside its own set)"
            )
        allowed = [a for a in CLOUDFORMATION_WRITES if _allows(st, a)]
        if allowed:
            problems.append(f"statement {st.sid} allows CloudFormation writes ({', '.join(allowed)})")
    return role.verdict(problems, what=" may deploy")


RULE = RuleSpec(
    rule_id="VTC-PROCESSOR-DEPLOY",
    condition_id="VTC-PROCESSOR",
    paragraph="§14-15, §34",
    title="the platform operator (processor) cannot deploy: deploying is a path to the data",
    trigger="an IAM role tagged led:party with the operator party whose attached policies lack an "
    "unconditional explicit Deny of sts:AssumeRole on the CDK bootstrap roles (arn:<partition>:iam::*:role/cdk-*) "
    "or of the CloudFormation write actions (CreateChangeSet, ExecuteChangeSet, CreateStack, UpdateStack, "
    "DeleteStack, ...) on every resource, or that Allow sts:AssumeRole on any role or a CloudFormation write "
    "action such a Deny does not cover",
    fix="no deployment rights for the operator: the controller's pipeline deploys ([deployment] in the config, "
    "tools/bootstrap/); keep the Deny statements DenyAssumingTheCdkBootstrapRoles and DenyChangingStacks "
    "(cdk_constructs/workload_roles.py deployment_denies) in its policy and propose changes by pull request",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
