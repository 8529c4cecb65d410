"""VTC-KEY-CUSTODY-POLICY (§51, §44): the LED accounts use an FB key only through the services
named for it.

A key policy statement that allows a use of the key (encrypt, decrypt, re-encrypt, data keys,
sign, MAC, or a wildcard that includes them) to an AWS principal (an account, a role, '*') must
be conditioned on both `kms:ViaService` (the AWS services of the key's purpose) and
`kms:CallerAccount` (StringEquals), and every principal it names must belong to one of those
caller accounts. Without them, anybody the principal delegates to can call KMS directly with the
key, outside the application path that the FB and AHOVOKS agreed on. Administration by anyone but
FB and grants not limited to AWS resources are VTC-KEY-CUSTODY-ADMIN's; AWS service principals
(logs, trail, alarms), pinned by source account or encryption context, are VTC-KEY-NO-PROVIDER's.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from policies.iam import allow_statements, principal_values
from policies.kms import KEY_TYPES
from policies.model import Resource, Result, verdict
from policies.resource_policies import account_in
from policies.spec import RuleSpec
from policies.values import as_list, describe, render

RESOURCE_TYPES = KEY_TYPES

USE_ACTIONS = (
    "kms:decrypt",
    "kms:encrypt",
    "kms:reencryptfrom",
    "kms:reencryptto",
    "kms:generatedatakey",
    "kms:generatedatakeywithoutplaintext",
    "kms:generatedatakeypair",
    "kms:generatedatakeypairwithoutplaintext",
    "kms:sign",
    "kms:verify",
    "kms:generatemac",
    "kms:verifymac",
    "kms:derivesharedsecret",
)


def uses_key(action: str) -> bool:
    """Whether an action (wildcards included) is a use of the key of USE_ACTIONS.

    The compliance report names a key's users with this same test (tools/report/keys.py)."""
    low = action.lower()
    if low in ("*", "kms:*"):
        return True
    if "*" in low or "?" in low:
        return any(fnmatchcase(a, low) for a in USE_ACTIONS)
    return low in USE_ACTIONS


def _condition_values(condition: object, operators: tuple[str, ...], key: str) -> list | None:
    """The values of a condition key under one of the operators, or None when it is not there."""
    if not isinstance(condition, dict):
        return None
    for operator, values in condition.items():
        if operator not in operators or not isinstance(values, dict):
            continue
        for k, v in values.items():
            if k.lower() == key:
                return as_list(v)
    return None


def check(res: Resource) -> Result:
    allows = allow_statements(res.props.get("KeyPolicy"), res)
    if isinstance(allows, Result):
        return allows
    out: list[str] = []
    for st in allows:
        if isinstance(st.principal, dict) and set(st.principal) == {"Service"}:
            continue  # service principals: VTC-KEY-NO-PROVIDER
        used = [a for a in st.actions if uses_key(a)]
        if st.not_actions:
            used.append("NotAction " + ", ".join(st.not_actions))
        if not used:
            continue
        what = f"statement {st.sid} allows {', '.join(used[:4])}"
        via = _condition_values(st.condition, ("StringEquals", "StringLike"), "kms:viaservice")
        callers = _condition_values(st.condition, ("StringEquals",), "kms:calleraccount")
        if not via:
            out.append(f"{what} without kms:ViaService: the key is used outside the services named for it")
        if not callers:
            out.append(f"{what} without kms:CallerAccount (StringEquals): any account's caller may use it")
            continue
        accounts = {render(c, res.stack, res.app).text for c in callers}
        for principal in principal_values(st.principal):
            rendered = render(principal, res.stack, res.app)
            if not rendered.decided:
                out.append(f"{what} to {describe(principal)}, which cannot be read ({rendered.why()}) (fails closed)")
                continue
            text = rendered.text
            if text == "*":
                continue  # narrowed by kms:CallerAccount itself
            account = account_in(text)
            if account is None:
                out.append(f"{what} to {text}, whose account cannot be told (fails closed)")
            elif account not in accounts:
                out.append(f"{what} to {text}, outside its kms:CallerAccount {sorted(accounts)}")
    return verdict(out)


RULE = RuleSpec(
    rule_id="VTC-KEY-CUSTODY-POLICY",
    condition_id="VTC-KEY-CUSTODY",
    paragraph="§44, §51",
    title="the LED accounts use a key only through the AWS services named for it",
    trigger="a key policy statement allowing a use of the key (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, "
    "Sign, MAC, kms:*, *) to an account, role or '*' without kms:ViaService and kms:CallerAccount "
    "(StringEquals), or to a principal outside its kms:CallerAccount",
    fix="use the key through ServiceUse (cdk_constructs/custody_key.py): kms:ViaService of the key's services "
    "and kms:CallerAccount of the principals' accounts",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
