"""VTC-KEY-REENCRYPT (§46): keys rotate, within the configured period."""

from __future__ import annotations

from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_int

RESOURCE_TYPES = ("AWS::KMS::Key",)
KMS_DEFAULT_ROTATION_DAYS = 365


def check(res: Resource) -> Result:
    p = res.props
    bound = res.settings.rotation_period_days
    problems: list[str] = []
    spec = p.get("KeySpec", "SYMMETRIC_DEFAULT")
    if spec != "SYMMETRIC_DEFAULT":
        problems.append(f"KeySpec {spec!r} cannot rotate automatically; data keys are SYMMETRIC_DEFAULT")
    if p.get("Origin", "AWS_KMS") == "EXTERNAL":
        declared = as_int(res.metadata.get("led:rotation-period-days"))
        if declared is None or declared > bound:
            problems.append(
                f"imported key material (Origin EXTERNAL) rotates only on demand: declare the rotation "
                f"period as metadata led:rotation-period-days <= {bound} and rotate with "
                "RotateKeyOnDemand"
            )
        return verdict(problems)
    enabled = as_bool(p.get("EnableKeyRotation"))
    if enabled is not True:
        problems.append(f"EnableKeyRotation is {p.get('EnableKeyRotation')!r}, not true")
    period = p.get("RotationPeriodInDays", KMS_DEFAULT_ROTATION_DAYS)
    days = as_int(period)
    if days is None:
        problems.append(f"RotationPeriodInDays {period!r} cannot be read (fails closed)")
    elif days > bound:
        problems.append(f"RotationPeriodInDays is {days}, longer than the bound of {bound} days")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-KEY-REENCRYPT",
    condition_id="VTC-KEY-REENCRYPT",
    paragraph="§46",
    title="keys rotate within the configured period",
    trigger="a KMS key without rotation, with a rotation period longer than keys.rotation_period_days, or "
    "an asymmetric key",
    fix="set EnableKeyRotation and RotationPeriodInDays <= keys.rotation_period_days (imported material: "
    "declare led:rotation-period-days and rotate on demand)",
    marks=("AWS::KMS::Key",),
    resource_types=RESOURCE_TYPES,
    check=check,
)
