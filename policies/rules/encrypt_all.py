"""VTC-ENCRYPT-ALL (§48): every store that can be encrypted is, under a customer-managed key."""

from __future__ import annotations

from policies.encryption import KEY_USES, key_uses
from policies.kms import classify_key
from policies.model import Resource, Result, verdict

RESOURCE_TYPES = tuple(KEY_USES)


def check(res: Resource) -> Result:
    problems: list[str] = []
    for use in key_uses(res):
        problems.extend(use.problems)
        key = classify_key(use.value, res)
        if key.kind == "absent":
            problems.append(f"{use.label}: {key.why}")
        elif key.kind == "aws_managed":
            problems.append(f"{use.label}: {key.why}; AWS-managed keys are not allowed")
        elif key.kind == "undecidable":
            problems.append(f"{use.label}: {key.why} (fails closed)")
    return verdict(problems)
