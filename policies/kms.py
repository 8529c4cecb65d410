"""Which key a KMS key reference designates: customer-managed or AWS-managed, in which account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from policies.model import Resource
from policies.values import UNKNOWN, is_parameter, render, target_of

# The KMS keys a template can create: CloudFormation's, and the custom resource that creates keys
# in FB's external key store (cdk_constructs/xks_keys.py; CloudFormation cannot).
XKS_KEY_TYPE = "Custom::LedXksKey"
KEY_TYPES = ("AWS::KMS::Key", "AWS::KMS::ReplicaKey", XKS_KEY_TYPE)
# Administering an existing key (its policy, deletion, state, rotation, material, aliases, replicas,
# description): only the FB administration path may, in a key policy (VTC-KEY-CUSTODY-ADMIN adds the
# tagging and import-parameter actions) and in the organisation (the data guardrail's SCP, which
# adds kms:CreateKey).
KEY_ADMINISTRATION: tuple[str, ...] = (
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKeyRotation",
    "kms:RotateKeyOnDemand",
    "kms:ImportKeyMaterial",
    "kms:DeleteImportedKeyMaterial",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
    "kms:UpdateKeyDescription",
)

_KMS_ARN = re.compile(r"^arn:[^:]*:kms:(?P<region>[^:]*):(?P<account>[^:]*):(?P<kind>key|alias)/(?P<name>.+)$")
_KEY_ID = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


@dataclass(frozen=True)
class KeyRef:
    kind: Literal["customer", "aws_managed", "absent", "undecidable"]
    account: str | None = None
    why: str = ""


def classify_key(value: Any, res: Resource) -> KeyRef:
    if value is None or value == "":
        return KeyRef("absent", why="no key set: the service falls back to its AWS-managed or default key")
    param = is_parameter(value, res.stack)
    if param:
        return KeyRef("undecidable", why=f"the key is parameter {param}, only known at deploy time")
    target = target_of(value, res.stack, res.app)
    if target is not None:
        if target.type in (*KEY_TYPES, "AWS::KMS::Alias"):
            return KeyRef(
                "customer",
                account=target.stack.account,
                why=f"{target.type} {target.logical_id} of stack {target.stack.name}",
            )
        if target.resource is None and target.logical_id in target.stack.parameters:
            return KeyRef("undecidable", why=f"the key is parameter {target.logical_id}, only known at deploy time")
        return KeyRef("undecidable", why=f"the key refers to {target.type or target.logical_id}, not a KMS key")
    rendered = render(value, res.stack, res.app)
    text = rendered.text
    if "alias/aws/" in text:
        return KeyRef("aws_managed", why=f"{text} is an AWS-managed key")
    match = _KMS_ARN.match(text)
    if match:
        account = match["account"]
        if UNKNOWN in account:
            return KeyRef("undecidable", why=f"cannot tell the key's account: {rendered.why()}")
        return KeyRef("customer", account=account, why=text)
    if rendered.decided and (text.startswith("alias/") or _KEY_ID.match(text)):
        # A key id or alias name without an ARN designates a key of the resource's own account.
        return KeyRef("customer", account=res.stack.account, why=text)
    if not rendered.decided:
        return KeyRef("undecidable", why=f"cannot read the key reference: {rendered.why()}")
    return KeyRef("undecidable", why=f"{text!r} is not a KMS key ARN, id or alias")
