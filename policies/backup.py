"""Reading AWS Backup plans and selections out of templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract.tags import PERSONAL_DATA, TAG_CLASSIFICATION
from policies.graph import in_place, same_place
from policies.kms import classify_key
from policies.model import Resource
from policies.values import UNKNOWN, as_int, as_list, references, render, target_of

# Stores AWS Backup can protect, with the name restore testing uses for their type.
PROTECTED_TYPES = {
    "AWS::RDS::DBInstance": "RDS",
    "AWS::RDS::DBCluster": "Aurora",
    "AWS::EC2::Volume": "EBS",
    "AWS::EFS::FileSystem": "EFS",
    "AWS::DynamoDB::Table": "DynamoDB",
    "AWS::S3::Bucket": "S3",
}
_ARN_TYPES = (
    (re.compile(r"^arn:[^:]*:rds:[^:]*:[^:]*:db:"), "RDS"),
    (re.compile(r"^arn:[^:]*:rds:[^:]*:[^:]*:cluster:"), "Aurora"),
    (re.compile(r"^arn:[^:]*:ec2:[^:]*:[^:]*:volume/"), "EBS"),
    (re.compile(r"^arn:[^:]*:elasticfilesystem:"), "EFS"),
    (re.compile(r"^arn:[^:]*:dynamodb:"), "DynamoDB"),
    (re.compile(r"^arn:[^:]*:s3:::"), "S3"),
)
_VAULT_ARN = re.compile(r"^arn:[^:]*:backup:(?P<region>[^:]*):(?P<account>[^:]*):backup-vault:(?P<name>.+)$")
AIR_GAPPED = "AWS::Backup::LogicallyAirGappedBackupVault"
# Both kinds of vault share one ARN shape (backup-vault:<name>) and can receive copies.
VAULT_TYPES = ("AWS::Backup::BackupVault", AIR_GAPPED)


@dataclass(frozen=True)
class PlanRule:
    name: str
    schedule: Any
    delete_after: Any  # DeleteAfterDays, None: kept forever
    copies: list[dict]


def plan_rules(plan: Resource) -> list[PlanRule]:
    body = plan.props.get("BackupPlan") or {}
    rules = body.get("BackupPlanRule") if isinstance(body, dict) else None
    out = []
    for i, rule in enumerate(as_list(rules)):
        if not isinstance(rule, dict):
            continue
        lifecycle = rule.get("Lifecycle") or {}
        out.append(
            PlanRule(
                name=str(rule.get("RuleName", i)),
                schedule=rule.get("ScheduleExpression"),
                delete_after=lifecycle.get("DeleteAfterDays") if isinstance(lifecycle, dict) else None,
                copies=[c for c in as_list(rule.get("CopyActions")) if isinstance(c, dict)],
            )
        )
    return out


def copy_lifecycle(copy: dict) -> Any:
    lifecycle = copy.get("Lifecycle") or {}
    return lifecycle.get("DeleteAfterDays") if isinstance(lifecycle, dict) else None


@dataclass(frozen=True)
class VaultLocation:
    account: str | None
    region: str | None
    why: str


def vault_location(value: Any, res: Resource) -> VaultLocation:
    """Account and region of a copy destination vault (an ARN, or a vault of this app)."""
    target = target_of(value, res.stack, res.app)
    if target is not None and target.type in VAULT_TYPES:
        return VaultLocation(
            target.stack.account, target.stack.region, f"vault {target.logical_id} of {target.stack.name}"
        )
    rendered = render(value, res.stack, res.app)
    match = _VAULT_ARN.match(rendered.text)
    if not match:
        why = rendered.why() or "unreadable"
        return VaultLocation(None, None, f"{rendered.text!r} is not a backup vault ARN ({why})")
    account = None if UNKNOWN in match["account"] else match["account"]
    region = None if UNKNOWN in match["region"] else match["region"]
    return VaultLocation(account, region, rendered.text if rendered.decided else f"{rendered.text} ({rendered.why()})")


def selections(res: Resource) -> Iterator[Resource]:
    yield from in_place(res, "AWS::Backup::BackupSelection")


def _tag_selects(selection: dict, key: str, value: str) -> bool:
    for tag in as_list(selection.get("ListOfTags")):
        if (
            isinstance(tag, dict)
            and tag.get("ConditionKey") == key
            and tag.get("ConditionValue") == value
            and tag.get("ConditionType", "STRINGEQUALS") == "STRINGEQUALS"
        ):
            return True
    conditions = selection.get("Conditions") or {}
    for cond in as_list(conditions.get("StringEquals") if isinstance(conditions, dict) else None):
        if (
            isinstance(cond, dict)
            and cond.get("ConditionKey") == f"aws:ResourceTag/{key}"
            and cond.get("ConditionValue") == value
        ):
            return True
    return False


def selection_covers(selection: Resource, store: Resource) -> bool:
    body = selection.props.get("BackupSelection") or {}
    if not isinstance(body, dict):
        return False
    for entry in as_list(body.get("NotResources")):
        if any(store.is_same(t.stack, t.logical_id) for t in references(entry, selection.stack, selection.app)):
            return False
    for entry in as_list(body.get("Resources")):
        if entry == "*":
            return True
        if any(store.is_same(t.stack, t.logical_id) for t in references(entry, selection.stack, selection.app)):
            return True
        identifier = store.props.get("DBInstanceIdentifier") or store.props.get("DBClusterIdentifier")
        text = render(entry, selection.stack, selection.app).text
        if isinstance(identifier, str) and text.endswith((f":db:{identifier}", f":cluster:{identifier}")):
            return True
    tag = store.tag(TAG_CLASSIFICATION)
    return isinstance(tag, str) and _tag_selects(body, TAG_CLASSIFICATION, tag)


def plan_of(selection: Resource) -> Resource | None:
    target = target_of(selection.props.get("BackupPlanId"), selection.stack, selection.app)
    if target is None or target.type != "AWS::Backup::BackupPlan" or target.resource is None:
        return None
    return Resource(target.logical_id, target.resource, target.stack, selection.app)


def selected_types(selection: Resource) -> set[str]:
    """The restore-testing resource types a backup selection protects."""
    body = selection.props.get("BackupSelection") or {}
    types: set[str] = set()
    for entry in as_list(body.get("Resources") if isinstance(body, dict) else None):
        found = False
        for t in references(entry, selection.stack, selection.app):
            if t.type in PROTECTED_TYPES:
                types.add(PROTECTED_TYPES[t.type])
                found = True
        if found:
            continue
        text = render(entry, selection.stack, selection.app).text
        for pattern, kind in _ARN_TYPES:
            if pattern.match(text):
                types.add(kind)
    # Tag- or wildcard-based selections protect every store of the environment that matches.
    broad = isinstance(body, dict) and (
        body.get("ListOfTags") or body.get("Conditions") or "*" in as_list(body.get("Resources"))
    )
    if broad:
        for resource_type, kind in PROTECTED_TYPES.items():
            for store in selection.app.resources(resource_type, stage=selection.stack.stage):
                if same_place(store, selection) and selection_covers(selection, store):
                    types.add(kind)
    return types


def find_vault(value: Any, res: Resource) -> Resource | None:
    """The vault of this app a plan's target or copy destination names (a Ref / GetAtt, an ARN, or,
    for a target, a name in the plan's own account and region); None when the app has none."""
    target = target_of(value, res.stack, res.app)
    if target is not None and target.type in VAULT_TYPES and target.resource is not None:
        return Resource(target.logical_id, target.resource, target.stack, res.app)
    rendered = render(value, res.stack, res.app)
    if not rendered.decided:
        return None
    match = _VAULT_ARN.match(rendered.text)
    account, region, name = (
        (match["account"], match["region"], match["name"])
        if match
        else (res.stack.account, res.stack.region, rendered.text)
    )
    for vault_type in VAULT_TYPES:
        for vault in res.app.resources(vault_type, stage=res.stack.stage):
            if vault.stack.account == account and vault.stack.region == region:
                if render(vault.props.get("BackupVaultName"), vault.stack, res.app).text == name:
                    return vault
    return None


def vault_name(vault: Resource) -> str | None:
    rendered = render(vault.props.get("BackupVaultName"), vault.stack, vault.app)
    return rendered.text if rendered.decided else None


@dataclass(frozen=True)
class Lock:
    min_days: int | None
    max_days: int | None


def vault_lock(vault: Resource) -> Lock | None:
    """The vault's lock (AWS Backup Vault Lock), None without one. A logically air-gapped vault is
    always locked, in compliance mode, by its own MinRetentionDays and MaxRetentionDays."""
    if vault.type == AIR_GAPPED:
        return Lock(as_int(vault.props.get("MinRetentionDays")), as_int(vault.props.get("MaxRetentionDays")))
    lock = vault.props.get("LockConfiguration")
    if not isinstance(lock, dict):
        return None
    return Lock(as_int(lock.get("MinRetentionDays")), as_int(lock.get("MaxRetentionDays")))


def plan_selects_personal_data(plan: Resource) -> list[Resource]:
    """The personal-data stores some selection of this plan backs up."""
    found = []
    for resource_type in PROTECTED_TYPES:
        for store in plan.app.resources(resource_type, stage=plan.stack.stage):
            if store.tag(TAG_CLASSIFICATION) != PERSONAL_DATA or not same_place(store, plan):
                continue
            for selection in selections(store):
                chosen = plan_of(selection)
                if chosen is not None and plan.is_same(chosen.stack, chosen.logical_id):
                    if selection_covers(selection, store):
                        found.append(store)
                        break
    return found


def max_retention_days(res: Resource) -> int:
    """The longest any recovery point of the resource's environment is kept, copies included."""
    longest = max(res.settings.generations, res.settings.copy_retention_days)
    for plan in res.app.resources("AWS::Backup::BackupPlan", stage=res.stack.stage):
        for rule in plan_rules(plan):
            for days in (rule.delete_after, *(copy_lifecycle(c) for c in rule.copies)):
                n = as_int(days)
                if n is not None:
                    longest = max(longest, n)
    return longest


def air_gap_key_problems(vault: Resource) -> list[str]:
    """The key of a logically air-gapped vault must be the FB backup key (VTC §37, §46-47, §51): without
    EncryptionKeyArn AWS Backup encrypts with an AWS-owned key, which FB neither holds nor rotates, so
    the copies out of every LED account's reach would be out of FB's reach too."""
    settings = vault.settings
    value = vault.props.get("EncryptionKeyArn")
    key = classify_key(value, vault)
    if key.kind == "absent":
        return ["no EncryptionKeyArn: AWS Backup encrypts the vault with an AWS-owned key, not the FB backup key"]
    if key.kind != "customer":
        return [f"EncryptionKeyArn: {key.why} (fails closed)" if key.kind == "undecidable" else key.why]
    if key.account != settings.key_custody_account:
        return [f"EncryptionKeyArn {key.why} is not in the key custody account {settings.key_custody_account}"]
    text = render(value, vault.stack, vault.app).text
    configured = settings.backup_key_arn
    if configured and vault.stack.region == settings.region and text != configured:
        return [f"EncryptionKeyArn {text} is not the FB backup key of the environment ({configured})"]
    return []
