"""Accepted risks (VTC-RISK-ACCEPTED, §56): every exception to a rule is an explicit, narrow,
reasoned acknowledgement that lands in cdk.out/validation-report.json and the compliance report."""

from __future__ import annotations

import re

import aws_cdk as cdk
from constructs import IConstruct

_RULE_ID = re.compile(r"^(?P<pack>[A-Za-z0-9.]+)::(?P=pack)-[A-Za-z0-9-]+(\[.+\])?$")
# The Control Tower controls of the cfn-guard plugin name their rules in snake case.
_GUARD_RULE_ID = re.compile(r"^cdk-validator-cfnguard::[a-z0-9_]+$")
_STOCK_REASONS = re.compile(r"^\s*(false positive|n/?a|todo|tbd|ignore|not applicable)\W*$", re.IGNORECASE)


def accept_risk(scope: IConstruct | None, rule: str, reason: str) -> None:
    """Acknowledge one finding of one rule on one construct (and what it contains).

    rule is the `Pack::Pack-RULE` form (the bare form drops the finding without a trace), or
    `cdk-validator-cfnguard::<rule>` for the Control Tower controls (cdk_constructs/control_tower.py);
    reason says which risk the controller accepts and why, in at least a sentence.
    """
    if scope is None:  # e.g. a node.default_child that does not exist
        raise ValueError(f"acknowledgement {rule!r}: no construct to acknowledge it on")
    if not (_RULE_ID.match(rule) or _GUARD_RULE_ID.match(rule)):
        raise ValueError(
            f"acknowledgement {rule!r}: allowed form is 'Pack::Pack-RULE', e.g. 'AwsSolutions::AwsSolutions-RDS11'"
        )
    if _STOCK_REASONS.match(reason) or len(reason.strip()) < 40:
        raise ValueError(
            f"acknowledgement {rule!r}: the reason must state the accepted risk specifically, got {reason!r}"
        )
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
