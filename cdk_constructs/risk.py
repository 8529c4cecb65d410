"""Accepted risks (VTC-RISK-ACCEPTED, §56): every exception to a rule is an explicit, narrow,
reasoned acknowledgement of a risk of the dated register (`policies/risks.toml`: owner, accepted,
review-by). It lands in cdk.out/validation-report.json (the suppressed finding) and in the
assembly's manifests (construct metadata `led:accepted-risk`), which the gate and the compliance
report read."""

from __future__ import annotations

import re

import aws_cdk as cdk
from constructs import IConstruct

from contract.metadata import METADATA_ACCEPTED_RISK
from policies.risks import Register, RiskRegisterError, default_register, metadata

_RULE_ID = re.compile(r"^(?P<pack>[A-Za-z0-9.]+)::(?P=pack)-[A-Za-z0-9-]+(\[.+\])?$")
# The Control Tower controls of the cfn-guard plugin name their rules in snake case.
_GUARD_RULE_ID = re.compile(r"^cdk-validator-cfnguard::[a-z0-9_]+$")
# The CDK's own template checks (@aws-cdk/core:validateAgainstDefaultRules) are cfn-lint rule ids.
_CFN_LINT_ID = re.compile(r"^CloudFormation-Validate::[EWI][0-9]{4}$")
_STOCK_REASONS = re.compile(r"^\s*(false positive|n/?a|todo|tbd|ignore|not applicable)\W*$", re.IGNORECASE)


def accept_risk(
    scope: IConstruct | None, rule: str, reason: str, *, risk: str, register: Register | None = None
) -> None:
    """Acknowledge one finding of one rule on one construct (and what it contains), as an instance
    of the register's risk `risk` (its owner accepted it on a date and reviews it by a date).

    rule is the `Pack::Pack-RULE` form (the bare form drops the finding without a trace), or
    `cdk-validator-cfnguard::<rule>` for the Control Tower controls (cdk_constructs/control_tower.py);
    reason says which risk the controller accepts and why, in at least a sentence. Any problem is a
    one-line RiskRegisterError naming the rule and the construct path.
    """
    if scope is None:  # e.g. a node.default_child that does not exist
        raise RiskRegisterError(f"acknowledgement {rule!r}: no construct to acknowledge it on")
    where = scope.node.path
    if not any(p.match(rule) for p in (_RULE_ID, _GUARD_RULE_ID, _CFN_LINT_ID)):
        raise RiskRegisterError(
            f"acknowledgement {rule!r} at {where}: allowed form is 'Pack::Pack-RULE', "
            "e.g. 'AwsSolutions::AwsSolutions-RDS11'"
        )
    if _STOCK_REASONS.match(reason) or len(reason.strip()) < 40:
        raise RiskRegisterError(
            f"acknowledgement {rule!r} at {where}: the reason must state the accepted risk specifically, got {reason!r}"
        )
    if not any(cdk.Stack.is_stack(s) for s in scope.node.scopes):
        raise RiskRegisterError(
            f"acknowledgement {rule!r} at {where}: allowed: a construct inside a stack (the narrowest one "
            "that holds the finding), where the acknowledgement is recorded"
        )
    accepted = (register or default_register()).risk(risk, rule=rule, where=where)
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
    scope.node.add_metadata(METADATA_ACCEPTED_RISK, metadata(accepted, rule, reason))
