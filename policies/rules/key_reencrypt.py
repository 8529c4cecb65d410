"""VTC-KEY-REENCRYPT (§46): keys rotate, within the configured period.

KMS rotates only the material it generated. Imported material (Origin EXTERNAL) rotates on demand,
and a key in FB's external key store (the XKS custom resource) cannot rotate at all (AWS KMS API
Reference, EnableKeyRotation): both declare the period in which FB rotates them, by importing new
material or by a new external key and `led-ops reencrypt`."""

from __future__ import annotations

from contract.metadata import METADATA_ROTATION_PERIOD
from policies.kms import XKS_KEY_TYPE
from policies.model import Resource, Result, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, as_int

RESOURCE_TYPES = ("AWS::KMS::Key", XKS_KEY_TYPE)
KMS_DEFAULT_ROTATION_DAYS = 365


def check(res: Resource) -> Result:
    p = res.props
    bound = res.settings.rotation_period_days
    problems: list[str] = []
    spec = p.get("KeySpec", "SYMMETRIC_DEFAULT")
    if spec != "SYMMETRIC_DEFAULT":
        problems.append(f"KeySpec {spec!r} cannot rotate automatically; data keys are SYMMETRIC_DEFAULT")
    origin = "EXTERNAL_KEY_STORE" if res.type == XKS_KEY_TYPE else p.get("Origin", "AWS_KMS")
    if origin in ("EXTERNAL", "EXTERNAL_KEY_STORE"):
        declared = as_int(res.metadata.get(METADATA_ROTATION_PERIOD))
        how = (
            "imported key material (Origin EXTERNAL) rotates only on demand: rotate with RotateKeyOnDemand"
            if origin == "EXTERNAL"
            else "a key in FB's external key store cannot rotate: re-encrypt to a new key (led-ops reencrypt)"
        )
        if declared is None or declared > bound:
            problems.append(f"{how} and declare that period as metadata {METADATA_ROTATION_PERIOD} <= {bound}")
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
    marks=("AWS::KMS::Key", XKS_KEY_TYPE),
    resource_types=RESOURCE_TYPES,
    check=check,
)
