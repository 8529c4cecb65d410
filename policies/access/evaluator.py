"""The IAM policy language, evaluated: explicit deny wins, then an allow is needed in the identity
policies AND in the permissions boundary; wildcards in actions and resources; NotAction/NotResource;
Principal/NotPrincipal of resource-based policies; the condition operators of the IAM reference
(String*, Arn*, Bool, Numeric*, Null, the IfExists suffix and the ForAnyValue/ForAllValues
qualifiers).

The functions of the former tests/policy_eval.py (`evaluate`, `denying_sids`, `resolve`,
`statement_matches`) keep their signatures; `policies.access.engine` builds the multi-principal,
multi-account evaluation on top of `matching`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from policies.intrinsics import Knowledge, Renderer, Unknown, pseudo_parameter

ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "allow", "explicit-deny", "implicit-deny"


def allow_all(sid: str) -> dict:
    """A policy document that allows every action on every resource, in one statement named `sid`."""
    return {"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Allow", "Action": "*", "Resource": "*"}]}


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _body(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@lru_cache(maxsize=8192)
def _regex(patterns: tuple[str, ...], case_sensitive: bool) -> re.Pattern:
    """One expression for a list of patterns: a statement's 50 actions cost one match, not 50."""
    body = "|".join(f"(?:{_body(p)})" for p in patterns)
    return re.compile(body, flags=re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def glob_any(patterns: Sequence, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM wildcard matching against any of `patterns` (none: False): `*` any run of characters,
    `?` one character."""
    if not patterns:
        return False
    return _regex(tuple(map(str, patterns)), case_sensitive).fullmatch(str(value)) is not None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_NUMERIC = {
    "NumericEquals": lambda a, e: a == e,
    "NumericNotEquals": lambda a, e: a != e,
    "NumericLessThan": lambda a, e: a < e,
    "NumericLessThanEquals": lambda a, e: a <= e,
    "NumericGreaterThan": lambda a, e: a > e,
    "NumericGreaterThanEquals": lambda a, e: a >= e,
}


def _positive(op: str, actual: str, expected: list[str]) -> bool:
    """One context value against the expected values of a non-negated operator."""
    if op in ("StringEquals", "ArnEquals"):
        return actual in expected
    if op == "StringEqualsIgnoreCase":
        return actual.lower() in [e.lower() for e in expected]
    if op in ("StringLike", "ArnLike"):
        return glob_any(expected, actual)
    if op == "Bool":
        return actual.lower() in [e.lower() for e in expected]
    if op in _NUMERIC:
        a = _number(actual)
        return a is not None and any(_number(e) is not None and _NUMERIC[op](a, _number(e)) for e in expected)
    raise NotImplementedError(f"condition operator {op}")


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _operator_holds(operator: str, key: str, expected_raw, context: dict) -> bool:
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    expected = [str(e) for e in as_list(expected_raw)]
    if op == "Null":
        # Null: true means the key must be absent, false that it must be present.
        return (key not in context) == (expected[0].lower() == "true")
    if key not in context:
        # A missing key: negated operators and IfExists hold, the others do not (ForAllValues: vacuous).
        return if_exists or op in _NEGATED or qualifier == "ForAllValues"
    actual = [str(a) for a in as_list(context[key])]
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)
    if qualifier == "ForAllValues":
        return all(_positive(base, a, expected) != negated for a in actual)
    # Single-valued keys and ForAnyValue: some value matches (negated: no value matches).
    hit = any(_positive(base, a, expected) for a in actual)
    return not hit if negated else hit


def condition_holds(conditions: dict, context: dict) -> bool:
    """Every operator, every key of a Condition block holds in the request context."""
    return all(
        _operator_holds(operator, key, expected, context)
        for operator, entries in (conditions or {}).items()
        for key, expected in entries.items()
    )


def action_matches(statement: dict, action: str) -> bool:
    if "Action" in statement:
        return glob_any(as_list(statement["Action"]), action, case_sensitive=False)
    return not glob_any(as_list(statement.get("NotAction")), action, case_sensitive=False)


def resource_matches(statement: dict, resource: str) -> bool:
    if "Resource" in statement:
        return glob_any(as_list(statement["Resource"]), resource)
    if "NotResource" in statement:
        return not glob_any(as_list(statement["NotResource"]), resource)
    return True  # trust policies name no resource: the role itself


def _principal_values(principal) -> list[tuple[str, str]]:
    if principal == "*":
        return [("AWS", "*")]
    return [(kind, str(v)) for kind, values in (principal or {}).items() for v in as_list(values)]


def principal_matches(principal, caller: dict) -> bool:
    """A Principal element against the caller: {"arn", "account", "partition"} for an IAM
    principal, {"service"} for an AWS service. `*` matches everybody; an account (root ARN or id)
    matches every principal of that account."""
    for kind, value in _principal_values(principal):
        if value == "*":
            return True
        if kind == "Service" and value == caller.get("service"):
            return True
        if kind == "AWS" and "arn" in caller:
            account = caller["account"]
            if value in (caller["arn"], account, f"arn:{caller['partition']}:iam::{account}:root"):
                return True
    return False


def statement_matches(statement: dict, action: str, resource: str, context: dict, caller: dict | None = None) -> bool:
    """Action, resource, condition and (when `caller` is given and the statement names principals) principal."""
    return action_matches(statement, action) and matches_beyond_action(statement, resource, context, caller)


def matches_beyond_action(statement: dict, resource: str, context: dict, caller: dict | None = None) -> bool:
    """`statement_matches` for a statement whose action is known to match."""
    if not resource_matches(statement, resource):
        return False
    if caller is not None:
        if "Principal" in statement and not principal_matches(statement["Principal"], caller):
            return False
        if "NotPrincipal" in statement and principal_matches(statement["NotPrincipal"], caller):
            return False
    return condition_holds(statement.get("Condition", {}), context)


def matching(
    documents: Iterable[dict], effect: str, action: str, resource: str, context: dict, caller: dict | None = None
) -> list[dict]:
    return [
        s
        for d in documents
        for s in as_list(d.get("Statement"))
        if s.get("Effect") == effect and statement_matches(s, action, resource, context, caller)
    ]


def evaluate(
    action: str, resource: str, *, identity: list[dict], boundary: dict | None, context: dict | None = None
) -> str:
    """One principal, one account: explicit deny in identity or boundary wins; then an allow is
    needed in the identity policies and (if there is one) in the boundary."""
    context = context or {}
    documents = [*identity, *([boundary] if boundary else [])]
    if matching(documents, "Deny", action, resource, context):
        return EXPLICIT_DENY
    if not matching(identity, "Allow", action, resource, context):
        return IMPLICIT_DENY
    if boundary is not None and not matching([boundary], "Allow", action, resource, context):
        return IMPLICIT_DENY
    return ALLOW


def denying_sids(action: str, resource: str, documents: list[dict], context: dict | None = None) -> list[str]:
    return [s.get("Sid", "?") for s in matching(documents, "Deny", action, resource, context or {})]


@dataclass(frozen=True)
class _Symbolic(Knowledge[None]):
    """No template: the pseudo parameters of one account and region, every other reference
    symbolic (${Ref}, ${Logical.Attr}, ${import})."""

    region: str
    account: str
    partition: str
    structured = True

    def pseudo(self, stack: None, name: str) -> str | None:
        if name == "AWS::Partition":
            return self.partition
        return pseudo_parameter(name, account=self.account, region=self.region, stack_name=None)

    def unknown(self, part: Unknown) -> Any:
        if part.kind in ("ref", "attribute"):
            return "${" + part.name + "}"
        if part.kind == "import":
            return "${import}"
        return part.value


def resolve(value, *, region: str, account: str, partition: str = "aws", attributes: dict | None = None):
    """CloudFormation intrinsics to strings, without a template: pseudo parameters resolved, the
    given attributes (e.g. {"Bucket.Arn": "arn:..."}) substituted, other references symbolic
    (`${Ref}`, `${Logical.Attr}`). `policies.access.templates.Resolver` resolves with the stage."""
    resolved, _ = Renderer(_Symbolic(region, account, partition)).resolve(value, None)
    return _substitute(resolved, attributes) if attributes else resolved


def _substitute(value, attributes: dict):
    if isinstance(value, dict):
        return {k: _substitute(v, attributes) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, attributes) for v in value]
    if isinstance(value, str):
        for name, replacement in attributes.items():
            value = value.replace("${" + name + "}", replacement)
    return value


__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "as_list",
    "condition_holds",
    "denying_sids",
    "evaluate",
    "glob_any",
    "matches_beyond_action",
    "matching",
    "principal_matches",
    "resolve",
    "statement_matches",
]
