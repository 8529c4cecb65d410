"""VTC-KEY-NO-PROVIDER (§44): a key policy names who may use the key; an AWS service may use it
only on behalf of the LED accounts (a condition pins the source account, context or caller)."""

from __future__ import annotations

from policies.iam import allow_statements, principal_values
from policies.kms import KEY_TYPES, XKS_KEY_TYPE
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = KEY_TYPES
_PINNING = (
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "kms:callaccount",
    "kms:calleraccount",
    "kms:viaservice",
    "kms:encryptioncontext:",
    "kms:encryptioncontextkeys",
)


def _pins(condition: object) -> bool:
    if not isinstance(condition, dict):
        return False
    keys = [k.lower() for values in condition.values() if isinstance(values, dict) for k in values]
    return any(k.startswith(_PINNING) for k in keys)


def check(res: Resource) -> Result:
    allows = allow_statements(res.props.get("KeyPolicy"), res)
    if isinstance(allows, Result):
        return allows
    out = []
    for st in allows:
        if st.principal == "*" or (isinstance(st.principal, dict) and "*" in principal_values(st.principal)):
            if not _pins(st.condition):
                out.append(f"statement {st.sid}: principal '*' without a condition pinning account or service")
        services = st.principal.get("Service") if isinstance(st.principal, dict) else None
        if services and not _pins(st.condition):
            out.append(f"statement {st.sid}: service principal {services} may use the key for any account")
    return verdict(out)


RULE = RuleSpec(
    rule_id="VTC-KEY-NO-PROVIDER",
    condition_id="VTC-KEY-NO-PROVIDER",
    paragraph="§44",
    title="a key policy lets AWS services use the key only on behalf of named accounts",
    trigger="a key policy statement allowing principal '*' or a service principal without a condition on "
    "source account, caller account, kms:ViaService or encryption context",
    fix="add aws:SourceAccount, kms:CallerAccount, kms:ViaService or an encryption-context condition",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::Backup::BackupVault",
        "AWS::KMS::Key",
        XKS_KEY_TYPE,
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
