"""VTC-KEY-CUSTODY-ADMIN (§51): only the FB administration path may administer a key."""

from __future__ import annotations

from policies.iam import allow_statements, principal_values
from policies.kms import KEY_ADMINISTRATION, KEY_TYPES
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, describe, render

RESOURCE_TYPES = KEY_TYPES

ADMIN_ACTIONS = frozenset(
    a.lower() for a in (*KEY_ADMINISTRATION, "kms:GetParametersForImport", "kms:TagResource", "kms:UntagResource")
)
# Grant management is allowed to the services' users only for grants on AWS resources.
GRANT_ACTIONS = frozenset(("kms:creategrant", "kms:revokegrant", "kms:retiregrant"))


def grants_admin(action: str) -> bool:
    """Whether an action (wildcards included) is a key-administration action of ADMIN_ACTIONS.

    The compliance report names a key's administrators with this same test (tools/report/keys.py)."""
    low = action.lower()
    if low in ("*", "kms:*"):
        return True
    if "*" in low:
        prefix = low.split("*", 1)[0]
        return any(a.startswith(prefix) for a in ADMIN_ACTIONS)
    return low in ADMIN_ACTIONS


def constrained_grant(condition: object) -> bool:
    """A grant only for AWS resources (kms:GrantIsForAWSResource): the service that holds it uses
    the key for the LED's resource. Pinning kms:GrantOperations alone is not enough: a grantee of
    a free-standing grant calls KMS directly, outside every kms:ViaService of the key policy."""
    if not isinstance(condition, dict):
        return False
    for operator, values in condition.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if key.lower() == "kms:grantisforawsresource" and operator == "Bool" and as_bool(value) is True:
                return True
    return False


def administering(actions: list[str], condition: object) -> list[str]:
    """The actions of an Allow statement that administer the key: administration actions, and grant
    management not constrained to AWS resources. The report uses this test too (tools/report/keys.py)."""
    return [a for a in actions if grants_admin(a)] + [
        a for a in actions if a.lower() in GRANT_ACTIONS and not constrained_grant(condition)
    ]


def check(res: Resource) -> Result:
    allows = allow_statements(res.props.get("KeyPolicy"), res)
    if isinstance(allows, Result):
        return allows
    settings = res.settings
    problems: list[str] = []
    for st in allows:
        if st.not_actions or st.not_principal:
            problems.append(f"statement {st.sid}: NotAction/NotPrincipal in an Allow grants more than it names")
            continue
        admin = administering(list(st.actions), st.condition)
        if not admin:
            continue
        for principal in principal_values(st.principal):
            rendered = render(principal, res.stack, res.app)
            if not rendered.decided:
                problems.append(
                    f"statement {st.sid}: principal {describe(principal)} cannot be read "
                    f"({rendered.why()}) (fails closed)"
                )
                continue
            text = rendered.text
            if not settings.is_key_admin(text):
                what = ", ".join(admin)
                problems.append(
                    f"statement {st.sid} grants {what} to {text}, which is not the FB administration "
                    f"role (role/{settings.key_admin_role_name} in account {settings.key_custody_account})"
                )
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-KEY-CUSTODY-ADMIN",
    condition_id="VTC-KEY-CUSTODY",
    paragraph="§51",
    title="only the FB administration role administers a key",
    trigger="a key policy that allows key administration (PutKeyPolicy, ScheduleKeyDeletion, DisableKey, "
    "ImportKeyMaterial, kms:*, ...) or CreateGrant/RevokeGrant/RetireGrant not limited to AWS resources "
    "(Bool kms:GrantIsForAWSResource true) to any other principal",
    fix="grant administrative actions only to the FB key-administrator role; constrain CreateGrant with "
    "kms:GrantIsForAWSResource",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
