"""Reading resource-based policies (bucket, vault, topic policies) and the party of a principal."""

from __future__ import annotations

import json
import re
from typing import Any

from policies.iam import Statement, allow_statements, principal_values
from policies.model import COMPLIANT, Resource, Result, fail
from policies.values import as_list, render

# Where each resource type keeps its resource-based policy.
POLICY_PROPERTIES = {
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::Backup::BackupVault": "AccessPolicy",
    "AWS::Backup::LogicallyAirGappedBackupVault": "AccessPolicy",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
}
_ACCOUNT_OF_ARN = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}):")


def policy_allows(res: Resource) -> list[Statement] | Result:
    """The Allow statements of the resource's policy the rule judges, or the verdict already: compliant
    when the resource has no policy (it grants nothing), non-compliant when a part of it cannot be
    read (fails closed)."""
    doc: Any = res.props.get(POLICY_PROPERTIES[res.type])
    if doc is None:
        return COMPLIANT
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return fail("the policy is a string that is not JSON", "(fails closed)")
    return allow_statements(doc, res)


def account_of(principal: Any, res: Resource) -> tuple[str | None, str]:
    """The account of an AWS principal ('*' for anybody), or None and why it cannot be told."""
    rendered = render(principal, res.stack, res.app)
    if not rendered.decided:
        return None, f"{principal!r:.80} cannot be read ({rendered.why()})"
    text = rendered.text
    if text == "*":
        return "*", text
    account = account_in(text)
    if account is not None:
        return account, text
    return None, f"{text} is not an account or IAM principal ARN"


def account_in(text: str) -> str | None:
    """The account a principal's text names: an account id, or the account of an IAM or STS ARN."""
    if re.fullmatch(r"\d{12}", text):
        return text
    match = _ACCOUNT_OF_ARN.match(text)
    return match[1] if match else None


def aws_principals(st: Statement) -> list[Any]:
    """The principals of a statement that are not AWS services (accounts, roles, users, '*')."""
    if st.principal == "*":
        return ["*"]
    if isinstance(st.principal, dict):
        return [v for kind, value in st.principal.items() if kind != "Service" for v in as_list(value)]
    return principal_values(st.principal)


def service_principals(st: Statement) -> list[str]:
    if isinstance(st.principal, dict):
        return [str(v) for v in as_list(st.principal.get("Service"))]
    return []


def condition_keys(condition: Any) -> set[str]:
    """The keys a condition compares (a Null test only says a key is there: not counted)."""
    if not isinstance(condition, dict):
        return set()
    return {
        k.lower()
        for operator, values in condition.items()
        if isinstance(values, dict) and not operator.startswith("Null")
        for k in values
    }


def pinned_to_account(condition: Any, account: str, res: Resource) -> bool:
    """A '*' principal narrowed to one account: StringEquals aws:PrincipalAccount is that account."""
    if not isinstance(condition, dict):
        return False
    values = condition.get("StringEquals")
    if not isinstance(values, dict):
        return False
    for key, value in values.items():
        if key.lower() == "aws:principalaccount":
            texts = [render(v, res.stack, res.app) for v in as_list(value)]
            return bool(texts) and all(t.decided and t.text == account for t in texts)
    return False
