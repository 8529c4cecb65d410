"""The keys of one environment, from the key policies: custody account, rotation, who administers
them and who may use them through which services.

Whether a statement administers a key is the VTC-KEY-CUSTODY-ADMIN rule's own test
(`policies.rules.key_custody_admin.administering`), whether it uses one VTC-KEY-CUSTODY-POLICY's
(`policies.rules.key_custody_policy.uses_key`): the report never keeps a list of its own.
"""

from __future__ import annotations

from typing import Any

from config import EnvironmentConfig
from policies.kms import XKS_KEY_TYPE
from policies.rules.key_custody_admin import administering
from policies.rules.key_custody_policy import uses_key
from tools.report.inputs import Stack, as_list, text
from tools.report.model import Context

KEY_PURPOSES = ("data", "backup", "log", "secondary_backup")


def principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal", {})
    if principal == "*":
        return ["*"]
    out = []
    for kind, values in principal.items():
        for value in as_list(values):
            out.append(text(value) if kind == "AWS" else f"service {text(value)}")
    return out


def conditions_text(statement: dict[str, Any]) -> str:
    parts = []
    for operator, pairs in (statement.get("Condition") or {}).items():
        for key, value in pairs.items():
            parts.append(f"{key} {operator} {text(value)}")
    return "; ".join(parts)


def _rotation(props: dict[str, Any]) -> str:
    if props.get("EnableKeyRotation"):
        return f"automatic, every {props.get('RotationPeriodInDays', 365)} days"
    if props.get("Origin") == "EXTERNAL":
        return "imported key material: FB rotates on demand (see README)"
    if props.get("Origin") == "EXTERNAL_KEY_STORE":
        return "FB's external key store: no rotation possible; re-encrypted to a new key (led-ops reencrypt)"
    return "no automatic rotation"


def _key(stack: Stack, lid: str, resource: dict[str, Any], alias: str) -> dict[str, Any]:
    props = resource.get("Properties", {})
    if resource.get("Type") == XKS_KEY_TYPE:  # the custom resource of FB's external key store
        props = {**props, "Origin": "EXTERNAL_KEY_STORE"}
    admins, users = [], []
    for statement in as_list(props.get("KeyPolicy", {}).get("Statement", [])):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
        entry = {
            "sid": statement.get("Sid", ""),
            "principals": principals(statement),
            "conditions": conditions_text(statement),
        }
        if administering(actions, statement.get("Condition")):
            admins.append(entry)
        elif any(uses_key(a) for a in actions):
            users.append(entry)
    return {
        "stack": stack.stack_name,
        "logical_id": lid,
        "path": stack.paths.get(lid, ""),
        "custody_account": stack.account,
        "region": stack.region,
        "alias": alias,
        "description": text(props.get("Description", "")),
        "origin": props.get("Origin", "AWS_KMS"),
        "rotation": _rotation(props),
        "rotation_period_days": props.get("RotationPeriodInDays") if props.get("EnableKeyRotation") else None,
        "administrators": admins,
        "users": users,
        "deletion_policy": resource.get("DeletionPolicy", "Delete"),
    }


def configured_keys(cfg: EnvironmentConfig | None) -> dict[str, str]:
    """The key ARNs of the configuration, by ARN: their purpose."""
    if cfg is None:
        return {}
    return {
        cfg.key_arn(purpose): purpose  # type: ignore[arg-type]
        for purpose in KEY_PURPOSES
        if purpose != "secondary_backup" or cfg.backup.secondary_region is not None
    }


def key_label(cfg: EnvironmentConfig | None, value: Any) -> str:
    """A key reference as a reader wants it: "data key (arn...)" for a configured key."""
    arn = text(value)
    purpose = configured_keys(cfg).get(arn)
    return f"{purpose} key ({arn})" if purpose else arn


def collect_keys(ctx: Context) -> dict[str, Any]:
    keys = []
    key_by_alias: dict[str, dict[str, Any]] = {}
    for stack in ctx.stacks:
        aliases = {
            text(a["Properties"].get("TargetKeyId")).split(".")[0].strip("${}"): a["Properties"]["AliasName"]
            for a in stack.of_type("AWS::KMS::Alias").values()
        }
        found = {**stack.of_type("AWS::KMS::Key"), **stack.of_type(XKS_KEY_TYPE)}
        for lid, resource in found.items():
            alias = aliases.get(lid, "") or text(resource.get("Properties", {}).get("AliasName", ""))
            key = _key(stack, lid, resource, alias)
            keys.append(key)
            if key["alias"]:
                key_by_alias[key["alias"].removeprefix("alias/")] = key
    for arn, purpose in configured_keys(ctx.cfg).items():
        key = key_by_alias.get(ctx.cfg.key_alias_name(purpose)) if ctx.cfg else None  # type: ignore[assignment]
        if key is not None:
            key["purpose"] = purpose
            key["arn_in_config"] = arn
    return {"keys": keys}
