"""VTC-KEY-CUSTODY (§51): the keys of the workload belong to the key custody account, and no
KMS key is created anywhere else."""

from __future__ import annotations

from policies.encryption import KEY_USES, key_uses
from policies.kms import KEY_TYPES, XKS_KEY_TYPE, classify_key
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = (*KEY_USES, *KEY_TYPES)
# What a finding adds to why a key reference is no key of the custody account, by its kind (classify_key).
NOT_IN_CUSTODY = {
    "absent": ", which the workload account's own AWS-managed key serves",
    "aws_managed": ", held by AWS in the workload account, not by the FB",
    "undecidable": " (fails closed)",
}


def check(res: Resource) -> Result:
    custody = res.settings.key_custody_account
    if res.type in KEY_TYPES:
        if res.stack.account is None:
            return fail(
                "the stack is environment-agnostic: cannot tell that the key lives in the key custody "
                "account (fails closed)"
            )
        if res.stack.account != custody:
            return fail(
                f"a KMS key created in account {res.stack.account}; keys are created only in the key "
                f"custody account {custody}"
            )
        return verdict([])
    problems: list[str] = []
    for use in key_uses(res):
        key = classify_key(use.value, res)
        if key.kind in NOT_IN_CUSTODY:
            problems.append(f"{use.label}: {key.why}{NOT_IN_CUSTODY[key.kind]}")
        elif key.account is None:
            problems.append(f"{use.label}: cannot tell the key's account ({key.why}) (fails closed)")
        elif key.account != custody:
            problems.append(
                f"{use.label}: key {key.why} is in account {key.account}, not in the key custody account {custody}"
            )
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-KEY-CUSTODY",
    condition_id="VTC-KEY-CUSTODY",
    paragraph="§51",
    title="keys belong to the key custody account of the Facilitair Bedrijf",
    trigger="a resource encrypted under a key of another account than the key custody account, or an "
    "AWS::KMS::Key created outside the key custody account",
    fix="use the key ARN from the environment's [keys] config (a key in the key custody account); create "
    "keys only in the key custody stack",
    marks=(
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        XKS_KEY_TYPE,
        "Custom::LedExternalKeyStore",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
