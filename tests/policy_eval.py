"""A small IAM policy evaluator for template assertions: explicit deny wins, then an allow is
needed in the identity policies AND in the permissions boundary; wildcards in actions and
resources; NotAction/NotResource; the condition operators the LED policies use."""

from __future__ import annotations

import re
from collections.abc import Iterable

ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "allow", "explicit-deny", "implicit-deny"


def resolve(value, *, region: str, account: str, partition: str = "aws", attributes: dict | None = None):
    """CloudFormation intrinsics to strings: pseudo parameters resolved, the given attributes
    (e.g. {"Bucket.Arn": "arn:..."}) substituted, other references symbolic."""
    if attributes:
        return _substitute(resolve(value, region=region, account=account, partition=partition), attributes)
    if isinstance(value, dict):
        if "Ref" in value:
            pseudo = {
                "AWS::Partition": partition,
                "AWS::Region": region,
                "AWS::AccountId": account,
                "AWS::URLSuffix": "amazonaws.com",
            }
            return pseudo.get(value["Ref"], "${" + value["Ref"] + "}")
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(resolve(p, region=region, account=account, partition=partition)) for p in parts)
        if "Fn::GetAtt" in value:
            return "${" + ".".join(value["Fn::GetAtt"]) + "}"
        if "Fn::ImportValue" in value:
            return "${import}"
        return {k: resolve(v, region=region, account=account, partition=partition) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, region=region, account=account, partition=partition) for v in value]
    return value


def _substitute(value, attributes: dict):
    if isinstance(value, dict):
        return {k: _substitute(v, attributes) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, attributes) for v in value]
    if isinstance(value, str):
        for name, replacement in attributes.items():
            value = value.replace("${" + name + "}", replacement)
    return value


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _condition_holds(conditions: dict, context: dict) -> bool:
    for operator, entries in conditions.items():
        if_exists = operator.endswith("IfExists")
        op = operator.removesuffix("IfExists")
        for key, expected in entries.items():
            expected = [str(e).lower() if op == "Bool" else str(e) for e in _list(expected)]
            if key not in context:
                if if_exists or op.startswith(("StringNot", "ArnNot")):
                    continue
                return False
            actual = [str(a) for a in _list(context[key])]
            if op in ("StringEquals", "ArnEquals"):
                ok = any(a in expected for a in actual)
            elif op in ("StringNotEquals", "ArnNotEquals"):
                ok = not any(a in expected for a in actual)
            elif op in ("StringLike", "ArnLike"):
                ok = any(_glob(e, a) for e in expected for a in actual)
            elif op in ("StringNotLike", "ArnNotLike"):
                ok = not any(_glob(e, a) for e in expected for a in actual)
            elif op == "Bool":
                ok = any(a.lower() in expected for a in actual)
            else:
                raise NotImplementedError(operator)
            if not ok:
                return False
    return True


def statement_matches(statement: dict, action: str, resource: str, context: dict) -> bool:
    if "Action" in statement:
        if not any(_glob(a, action, case_sensitive=False) for a in _list(statement["Action"])):
            return False
    elif any(_glob(a, action, case_sensitive=False) for a in _list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(_glob(r, resource) for r in _list(statement["Resource"])):
            return False
    elif any(_glob(r, resource) for r in _list(statement["NotResource"])):
        return False
    return _condition_holds(statement.get("Condition", {}), context)


def _matching(documents: Iterable[dict], effect: str, action: str, resource: str, context: dict) -> list[dict]:
    return [
        s
        for d in documents
        for s in _list(d["Statement"])
        if s["Effect"] == effect and statement_matches(s, action, resource, context)
    ]


def evaluate(
    action: str, resource: str, *, identity: list[dict], boundary: dict | None, context: dict | None = None
) -> str:
    context = context or {}
    documents = [*identity, *([boundary] if boundary else [])]
    if _matching(documents, "Deny", action, resource, context):
        return EXPLICIT_DENY
    if not _matching(identity, "Allow", action, resource, context):
        return IMPLICIT_DENY
    if boundary is not None and not _matching([boundary], "Allow", action, resource, context):
        return IMPLICIT_DENY
    return ALLOW


def denying_sids(action: str, resource: str, documents: list[dict], context: dict | None = None) -> list[str]:
    return [s.get("Sid", "?") for s in _matching(documents, "Deny", action, resource, context or {})]


__all__ = ["ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "denying_sids", "evaluate", "resolve"]
