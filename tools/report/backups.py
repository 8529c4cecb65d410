"""The backups of one environment, from the templates: vaults and their locks, plans with their
rules and copies, restore tests, the databases, and a summary against the configuration."""

from __future__ import annotations

import re
from typing import Any

from config import EnvironmentConfig
from contract.tags import TAG_CLASSIFICATION
from tools.report.inputs import Stack, as_list, tags_of, text
from tools.report.keys import key_label
from tools.report.model import Context


def arn_part(arn: str, index: int) -> str:
    parts = re.sub(r"\$\{[^}]*\}", "partition", arn).split(":")
    return parts[index] if len(parts) > index else ""


def _vault_for_arn(vaults: list[dict[str, Any]], arn: str) -> dict[str, Any] | None:
    for vault in vaults:
        if (
            arn.endswith(f":backup-vault:{vault['name']}")
            and arn_part(arn, 4) == vault["account"]
            and arn_part(arn, 3) == vault["region"]
        ):
            return vault
    return None


def _lock_mode(lock: dict[str, Any]) -> str:
    if "ChangeableForDays" in lock:
        return f"compliance (immutable after {lock['ChangeableForDays']} days)"
    return "governance" if lock else "none"


AIR_GAPPED = "AWS::Backup::LogicallyAirGappedBackupVault"
AIR_GAPPED_NOTE = ", logically air-gapped"


def _vault(ctx: Context, stack: Stack, lid: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = resource["Properties"]
    air_gapped = resource["Type"] == AIR_GAPPED
    # A logically air-gapped vault is always locked, in compliance mode, by its own retention range.
    lock = props if air_gapped else (props.get("LockConfiguration") or {})
    name = text(props.get("BackupVaultName"))
    return {
        "stack": stack.stack_name,
        "logical_id": lid,
        "path": stack.paths.get(lid, ""),
        "name": name,
        "account": stack.account,
        "region": stack.region,
        "key": key_label(ctx.cfg, props.get("EncryptionKeyArn")),
        "arn": f"arn:<partition>:backup:{stack.region}:{stack.account}:backup-vault:{name}",
        "air_gapped": air_gapped,
        "lock": {
            "min_retention_days": lock.get("MinRetentionDays"),
            "max_retention_days": lock.get("MaxRetentionDays"),
            "mode": "compliance (logically air-gapped, never lifted)" if air_gapped else _lock_mode(lock),
        },
        "classification": tags_of(resource).get(TAG_CLASSIFICATION, ""),
    }


def _copy(vaults: list[dict[str, Any]], action: dict[str, Any]) -> dict[str, Any]:
    arn = text(action.get("DestinationBackupVaultArn"))
    target = _vault_for_arn(vaults, arn)
    return {
        "destination": arn,
        "air_gapped": bool(target and target["air_gapped"]),
        "retention_days": (action.get("Lifecycle") or {}).get("DeleteAfterDays"),
        "account": target["account"] if target else arn_part(arn, 4),
        "region": target["region"] if target else arn_part(arn, 3),
    }


def _rule(stack: Stack, vaults: list[dict[str, Any]], rule: dict[str, Any]) -> dict[str, Any]:
    target = rule.get("TargetBackupVault")
    target_id = (target.get("Ref") or (target.get("Fn::GetAtt") or [""])[0]) if isinstance(target, dict) else ""
    target_vault = stack.resources.get(target_id, {}).get("Properties", {}).get("BackupVaultName", target)
    return {
        "name": rule.get("RuleName"),
        "schedule": rule.get("ScheduleExpression"),
        "retention_days": (rule.get("Lifecycle") or {}).get("DeleteAfterDays"),
        "target_vault": text(target_vault),
        "copies": [_copy(vaults, a) for a in rule.get("CopyActions", [])],
    }


def _database(ctx: Context, stack: Stack, lid: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = resource["Properties"]
    return {
        "stack": stack.stack_name,
        "logical_id": lid,
        "path": stack.paths.get(lid, ""),
        "identifier": text(props.get("DBInstanceIdentifier", lid)),
        "account": stack.account,
        "region": stack.region,
        "engine": f"{props.get('Engine')} {props.get('EngineVersion', '')}".strip(),
        "instance_class": props.get("DBInstanceClass"),
        "multi_az": bool(props.get("MultiAZ")),
        "storage_encrypted": bool(props.get("StorageEncrypted")),
        "key": key_label(ctx.cfg, props.get("KmsKeyId")),
        "automated_backup_retention_days": props.get("BackupRetentionPeriod"),
        "log_exports": as_list(props.get("EnableCloudwatchLogsExports")),
        "publicly_accessible": bool(props.get("PubliclyAccessible")),
        "classification": tags_of(resource).get(TAG_CLASSIFICATION, ""),
    }


def backup_summary(
    cfg: EnvironmentConfig | None, plans: list[dict[str, Any]], vaults: list[dict[str, Any]]
) -> dict[str, Any]:
    copies = [(p, c) for p in plans for r in p["rules"] for c in r["copies"]]
    return {
        "generations_configured": cfg.backup.generations if cfg else None,
        "daily_rules": [
            f"{p['name']}/{r['name']}: {r['schedule']}, kept {r['retention_days']} days"
            for p in plans
            for r in p["rules"]
        ],
        "copies": [
            f"{c['destination']} (account {c['account']}, {c['region']}{AIR_GAPPED_NOTE if c['air_gapped'] else ''}),"
            f" kept {c['retention_days']} days"
            for _, c in copies
        ],
        "copies_to_other_account": sum(1 for p, c in copies if c["account"] and c["account"] != p["account"]),
        "air_gapped_vaults": [v["name"] for v in vaults if v["air_gapped"]],
        "vaults": len(vaults),
    }


def collect_backups(ctx: Context) -> dict[str, Any]:
    stacks = ctx.stacks
    vaults = [
        _vault(ctx, s, lid, r)
        for kind in ("AWS::Backup::BackupVault", AIR_GAPPED)
        for s in stacks
        for lid, r in s.of_type(kind).items()
    ]
    plans = [
        {
            "stack": s.stack_name,
            "logical_id": lid,
            "path": s.paths.get(lid, ""),
            "name": r["Properties"]["BackupPlan"].get("BackupPlanName"),
            "account": s.account,
            "region": s.region,
            "rules": [_rule(s, vaults, rule) for rule in r["Properties"]["BackupPlan"].get("BackupPlanRule", [])],
        }
        for s in stacks
        for lid, r in s.of_type("AWS::Backup::BackupPlan").items()
    ]
    return {
        "vaults": vaults,
        "backup_plans": plans,
        "restore_tests": [
            {
                "stack": s.stack_name,
                "logical_id": lid,
                "schedule": r["Properties"].get("ScheduleExpression"),
                "from_vaults": [
                    text(v) for v in (r["Properties"].get("RecoveryPointSelection") or {}).get("IncludeVaults", [])
                ],
            }
            for s in stacks
            for lid, r in s.of_type("AWS::Backup::RestoreTestingPlan").items()
        ],
        "databases": [
            _database(ctx, s, lid, r) for s in stacks for lid, r in s.of_type("AWS::RDS::DBInstance").items()
        ],
        "backup_summary": backup_summary(ctx.cfg, plans, vaults),
    }
