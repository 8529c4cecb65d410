"""`led-ops reencrypt plan|run ENV --new-key ARN`: move the database and every recovery point to a new key.

VTC-KEY-REENCRYPT (§46, footnote 4): keys become unsafe over time, so the data is re-encrypted
structurally. RDS cannot change the key of an instance or a snapshot in place, and AWS Backup
cannot change the key of a recovery point: the only way is a copy under the new key.

  database:        snapshot -> copy of the snapshot under the new key (verified) -> the switch
                   (restore from that copy and point the configuration at the new key) in a change
                   window, because the instance is owned by CloudFormation;
  recovery points: a vault under the new key -> a copy job per recovery point (each verified)
                   -> the recovery points under the old key expire by their lifecycle
                   (VTC-NO-STALE-BACKUP, §47; the vault lock forbids deleting them earlier).

Nothing is deleted before its replacement is verified. `plan` changes nothing; `run` without
`--execute` prints the same plan.

The new key has the configured origin (keys.origin, §45). For keys in FB's external key store
(EXTERNAL_KEY_STORE) this is the rotation itself: KMS cannot rotate them, so FB names a new
external key, the key custody stack creates the KMS key over it, and this moves the data there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract import names
from led_ops import restore_drill
from led_ops.aws import Context
from led_ops.backup_status import Point, _vault_points
from led_ops.errors import CHECK_FAILED, OK, DrillError, UsageError
from led_ops.keys import region_of
from led_ops.wait import Waiting, wait_for


@dataclass
class Plan:
    new_key: str
    new_vault: str
    new_vault_exists: bool
    database_key: str | None
    old_points: list[Point] = field(default_factory=list)
    current_points: list[Point] = field(default_factory=list)
    snapshot_id: str = ""
    copy_id: str = ""


def check_new_key(ctx: Context, new_key: str) -> dict[str, Any]:
    env = ctx.env
    parts = new_key.split(":")
    if len(parts) != 6 or not parts[5].startswith("key/"):
        raise UsageError(
            f"--new-key {new_key!r}: allowed: a KMS key ARN arn:<partition>:kms:<region>:<account>:key/<id>"
        )
    if parts[4] != env.accounts.key_custody:
        raise UsageError(
            f"--new-key {new_key}: in account {parts[4]}; allowed: a key of the key custody "
            f"account {env.accounts.key_custody} (VTC-KEY-CUSTODY, §51)"
        )
    if parts[3] != env.region:
        raise UsageError(f"--new-key {new_key}: in region {parts[3]}; allowed: a key in {env.region}")
    meta = ctx.client("kms", region_of(new_key)).describe_key(KeyId=new_key)["KeyMetadata"]
    problems = []
    if meta.get("KeyState") == "Unavailable":
        problems.append("state Unavailable: its external key store is disconnected (FB connects it first)")
    elif meta.get("KeyState") != "Enabled":
        problems.append(f"state {meta.get('KeyState')}")
    origin = meta.get("Origin", "AWS_KMS")
    if origin != env.keys.origin:
        problems.append(
            f"origin {origin}, not keys.origin {env.keys.origin} (the new key follows the configured origin)"
        )
    if meta.get("KeyUsage") != "ENCRYPT_DECRYPT":
        problems.append(f"usage {meta.get('KeyUsage')}")
    if meta.get("KeyManager") != "CUSTOMER":
        problems.append("not customer-managed (VTC-KEY-NO-PROVIDER, §44)")
    if problems:
        raise UsageError(
            f"--new-key {new_key}: {', '.join(problems)}; allowed: an enabled customer-managed symmetric "
            f"encryption key of origin {env.keys.origin}"
        )
    return meta


def check_new_external_key(ctx: Context, new: dict[str, Any], current_key: str | None) -> None:
    """XKS: the new key is backed by another external key than the database's key (else nothing rotates)."""
    if ctx.env.keys.origin != "EXTERNAL_KEY_STORE" or current_key in (None, new.get("Arn")):
        return
    assert current_key is not None
    old = ctx.client("kms", region_of(current_key)).describe_key(KeyId=current_key)["KeyMetadata"]
    old_id = old.get("XksKeyConfiguration", {}).get("Id")
    if old_id is not None and old_id == new.get("XksKeyConfiguration", {}).get("Id"):
        raise UsageError(
            f"--new-key {new.get('Arn')}: backed by external key {old_id}, the same as the database's key "
            f"{current_key}; allowed: a key over a new external key of FB (keys.external_key_store.external_key_ids)"
        )


def make_plan(ctx: Context, new_key: str, *, new_vault: str | None, stamp: str) -> Plan:
    env = ctx.env
    meta = check_new_key(ctx, new_key)
    source = restore_drill.source_instance(ctx)
    check_new_external_key(ctx, meta, source.get("KmsKeyId"))
    vault = new_vault or names.reencrypt_vault_name(env, new_key)
    backup = ctx.client("backup")
    try:
        described = backup.describe_backup_vault(BackupVaultName=vault)
        exists = True
        if described.get("EncryptionKeyArn") != new_key:
            raise UsageError(
                f"vault {vault} exists under key {described.get('EncryptionKeyArn')}, not {new_key}; "
                "choose another --new-vault"
            )
    except backup.exceptions.ResourceNotFoundException:
        exists = False
    points = [
        p
        for p in _vault_points(backup, names.vault_name(env), env.accounts.workload, env.region)
        if p.status == "COMPLETED"
    ]
    return Plan(
        new_key=new_key,
        new_vault=vault,
        new_vault_exists=exists,
        database_key=source.get("KmsKeyId"),
        old_points=[p for p in points if p.key_arn != new_key],
        current_points=[p for p in points if p.key_arn == new_key],
        snapshot_id=names.reencrypt_snapshot_id(env, stamp),
        copy_id=names.reencrypted_snapshot_id(env, stamp),
    )


def show(ctx: Context, plan: Plan) -> None:
    env = ctx.env
    db = names.database_id(env)
    ctx.say(f"re-encryption of {env.name} to {plan.new_key} (enabled, customer-managed, key custody account)")
    if env.keys.origin == "EXTERNAL_KEY_STORE":
        ctx.say(
            "  origin EXTERNAL_KEY_STORE: KMS cannot rotate keys in FB's external key store, so this copy under a "
            "key over a new external key is their rotation "
            f"(VTC-KEY-REENCRYPT, every {env.keys.rotation_period_days} days)"
        )
    step = 0

    def say(text: str) -> None:
        nonlocal step
        step += 1
        ctx.say(f"  {step}. {text}")

    if plan.database_key == plan.new_key:
        ctx.say(f"  database {db} is already under the new key")
    else:
        say(f"snapshot {db} (under {plan.database_key}) as {plan.snapshot_id}, wait until available")
        say(f"copy {plan.snapshot_id} as {plan.copy_id} under the new key, wait, verify its key")
        say(f"delete {plan.snapshot_id} (the intermediate snapshot under the old key) once {plan.copy_id} is verified")
        say(
            f"switch, in a change window (the instance belongs to CloudFormation): set keys.data_key_arn = "
            f"{plan.new_key} in the configuration, restore {db} from snapshot {plan.copy_id}, deploy, run "
            "`led-ops restore-drill` and `led-ops backup-status`, then retire the old instance"
        )
    if plan.old_points:
        if not plan.new_vault_exists:
            say(
                f"create backup vault {plan.new_vault} under the new key, vault lock "
                f"{env.backup_retention_days}-{env.keys.rotation_period_days} days"
            )
        for p in sorted(plan.old_points, key=lambda p: p.created):
            say(
                f"copy recovery point {p.arn} ({p.created:%Y-%m-%d}, key {p.key_arn}) into {plan.new_vault}, "
                "wait, verify it is under the new key"
            )
        say(
            f"point the backup plan at {plan.new_vault} (keys.backup_key_arn = {plan.new_key}, deploy), so new "
            "recovery points are written under the new key"
        )
        for p in sorted(plan.old_points, key=lambda p: p.created):
            say(
                f"recovery point {p.arn} under the old key expires by its lifecycle "
                f"(at most {env.backup_retention_days} day(s) after {p.created:%Y-%m-%d}); the vault lock forbids "
                "deleting it earlier"
            )
    else:
        ctx.say(f"  no recovery point in {names.vault_name(env)} is under another key")
    ctx.say(
        f"  the copies in {names.remote_vault_name(env)} (backup account {env.accounts.backup}) are under that "
        "vault's own key and are re-encrypted by the backup account's owner the same way"
    )


def _wait_snapshot(ctx: Context, snapshot_id: str, waiting: Waiting) -> dict[str, Any]:
    rds = ctx.client("rds")
    found: dict[str, Any] = {}

    def poll() -> tuple[bool, str]:
        found.update(rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot_id)["DBSnapshots"][0])
        status = found.get("Status", "?")
        if status in ("failed", "error"):
            raise DrillError(f"snapshot {snapshot_id} {status}")
        return status == "available", f"{status} {found.get('PercentProgress', '')}".strip()

    wait_for(f"snapshot {snapshot_id}", poll, waiting=waiting, progress=ctx.progress)
    return dict(found)


def _reencrypt_database(ctx: Context, plan: Plan, waiting: Waiting) -> bool:
    rds = ctx.client("rds")
    db = names.database_id(ctx.env)
    rds.create_db_snapshot(DBInstanceIdentifier=db, DBSnapshotIdentifier=plan.snapshot_id)
    ctx.say(f"snapshot {plan.snapshot_id} of {db} started")
    _wait_snapshot(ctx, plan.snapshot_id, waiting)
    rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=plan.snapshot_id,
        TargetDBSnapshotIdentifier=plan.copy_id,
        KmsKeyId=plan.new_key,
        CopyTags=True,
    )
    ctx.say(f"copy {plan.copy_id} under {plan.new_key} started")
    copy = _wait_snapshot(ctx, plan.copy_id, waiting)
    if not copy.get("Encrypted") or copy.get("KmsKeyId") != plan.new_key:
        ctx.say(
            f"FAIL snapshot {plan.copy_id} is under {copy.get('KmsKeyId')}, not {plan.new_key}; "
            f"{plan.snapshot_id} is kept"
        )
        return False
    ctx.say(f"PASS snapshot {plan.copy_id} is under the new key")
    rds.delete_db_snapshot(DBSnapshotIdentifier=plan.snapshot_id)
    ctx.say(f"deleted the intermediate snapshot {plan.snapshot_id}")
    return True


def _reencrypt_recovery_points(ctx: Context, plan: Plan, waiting: Waiting) -> bool:
    env = ctx.env
    backup = ctx.client("backup")
    if not plan.new_vault_exists:
        created = backup.create_backup_vault(BackupVaultName=plan.new_vault, EncryptionKeyArn=plan.new_key)
        backup.put_backup_vault_lock_configuration(
            BackupVaultName=plan.new_vault,
            MinRetentionDays=env.backup_retention_days,
            MaxRetentionDays=env.keys.rotation_period_days,
        )
        ctx.say(f"created vault {created['BackupVaultArn']} under the new key")
        vault_arn = created["BackupVaultArn"]
    else:
        vault_arn = backup.describe_backup_vault(BackupVaultName=plan.new_vault)["BackupVaultArn"]
    ok = True
    for point in sorted(plan.old_points, key=lambda p: p.created):
        job_id = backup.start_copy_job(
            RecoveryPointArn=point.arn,
            SourceBackupVaultName=point.vault,
            DestinationBackupVaultArn=vault_arn,
            IamRoleArn=names.restore_role_arn(env),
            Lifecycle={"DeleteAfterDays": env.backup_retention_days},
        )["CopyJobId"]
        ctx.say(f"copy job {job_id} started for {point.arn}")
        job: dict[str, Any] = {}

        def poll(job_id: str = job_id, job: dict[str, Any] = job) -> tuple[bool, str]:
            job.update(backup.describe_copy_job(CopyJobId=job_id)["CopyJob"])
            state = job.get("State", "?")
            if state in ("FAILED", "ABORTED"):
                raise DrillError(f"copy job {job_id} {state}: {job.get('StatusMessage', 'no reason given')}")
            return state == "COMPLETED", state

        wait_for(f"copy job {job_id}", poll, waiting=waiting, progress=ctx.progress)
        copied = backup.describe_recovery_point(
            BackupVaultName=plan.new_vault, RecoveryPointArn=job["DestinationRecoveryPointArn"]
        )
        if copied.get("Status") == "COMPLETED" and copied.get("EncryptionKeyArn") == plan.new_key:
            ctx.say(f"PASS {copied['RecoveryPointArn']} is under the new key; {point.arn} expires by its lifecycle")
        else:
            ok = False
            ctx.say(
                f"FAIL {job['DestinationRecoveryPointArn']}: status {copied.get('Status')}, key "
                f"{copied.get('EncryptionKeyArn')}; {point.arn} stays the only copy"
            )
    return ok


def run(
    ctx: Context,
    *,
    new_key: str,
    execute: bool,
    waiting: Waiting,
    new_vault: str | None = None,
    plan_only: bool = False,
    stamp: str | None = None,
) -> int:
    plan = make_plan(ctx, new_key, new_vault=new_vault, stamp=stamp or restore_drill.stamp_now())
    show(ctx, plan)
    if plan_only:
        ctx.say("plan only: nothing changed")
        return OK
    if not execute:
        ctx.say("dry run: nothing changed; add --execute to carry out the steps above")
        return OK
    ok = True
    if plan.database_key != plan.new_key:
        ok = _reencrypt_database(ctx, plan, waiting) and ok
    if plan.old_points:
        ok = _reencrypt_recovery_points(ctx, plan, waiting) and ok
    ctx.say(
        f"re-encryption {'verified' if ok else 'INCOMPLETE'} (VTC-KEY-REENCRYPT); "
        "the switch of the database follows the plan above"
    )
    return OK if ok else CHECK_FAILED
