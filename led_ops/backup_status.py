"""`led-ops backup-status ENV`: the recovery points of every protected resource, as evidence.

VTC-BACKUP-RETENTION (§38-39): the configured generations exist in the primary vault.
VTC-BACKUP-ELSEWHERE (§37): they exist in the remote vault of the backup account (every remote region).
VTC-NO-STALE-BACKUP (§47): no recovery point is under key material older than the rotation bound.

The remote vault lives in the backup account. With `--remote-role-arn` (a read role there) the
vault itself is listed; without it, the workload account's completed copy jobs into that vault,
within the retention window, are the evidence (and the report says which it used).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import boto3

from contract import names
from led_ops.aws import Context, assume
from led_ops.errors import CHECK_FAILED, OK
from led_ops.keys import KeyCache


@dataclass
class Point:
    resource_arn: str
    arn: str
    vault: str
    account: str
    region: str
    created: datetime
    status: str
    key_arn: str | None
    source: str  # "vault" or "copy job"
    key_generation: datetime | None = None
    key_age_days: float | None = None
    key_error: str | None = None


@dataclass
class Check:
    condition: str
    ok: bool
    detail: str


@dataclass
class Status:
    points: list[Point]
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _vault_points(client, vault: str, account: str, region: str, source: str = "vault") -> list[Point]:
    points = []
    for page in client.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=vault):
        for rp in page.get("RecoveryPoints", []):
            points.append(
                Point(
                    resource_arn=rp.get("ResourceArn", "?"),
                    arn=rp["RecoveryPointArn"],
                    vault=vault,
                    account=account,
                    region=region,
                    created=rp["CreationDate"],
                    status=rp.get("Status", "?"),
                    key_arn=rp.get("EncryptionKeyArn"),
                    source=source,
                )
            )
    return points


def _copy_job_points(ctx: Context, destination_arn: str, since: datetime) -> list[Point]:
    points = []
    backup = ctx.client("backup")
    paginator = backup.get_paginator("list_copy_jobs")
    for page in paginator.paginate(ByDestinationVaultArn=destination_arn, ByState="COMPLETED", ByCreatedAfter=since):
        for job in page.get("CopyJobs", []):
            arn = job.get("DestinationRecoveryPointArn") or job["CopyJobId"]
            points.append(
                Point(
                    resource_arn=job.get("ResourceArn", "?"),
                    arn=arn,
                    vault=destination_arn.rsplit(":", 1)[-1],
                    account=destination_arn.split(":")[4],
                    region=destination_arn.split(":")[3],
                    created=job.get("CompletionDate") or job["CreationDate"],
                    status="COMPLETED",
                    key_arn=job.get("DestinationEncryptionKeyArn"),
                    source="copy job",
                )
            )
    return points


def collect(ctx: Context, *, remote_session: boto3.Session | None = None, now: datetime | None = None) -> Status:
    env = ctx.env
    now = now or datetime.now(UTC)
    primary = _vault_points(ctx.client("backup"), names.vault_name(env), env.accounts.workload, env.region)
    remote: dict[str, list[Point]] = {}
    for region in names.remote_regions(env):
        if remote_session is not None:
            client = remote_session.client("backup", region_name=region)
            remote[region] = _vault_points(client, names.remote_vault_name(env), env.accounts.backup, region)
        else:
            # A day of slack: the copy of the oldest generation completes after its backup.
            since = now - timedelta(days=env.backup_retention_days + 1)
            remote[region] = _copy_job_points(ctx, names.remote_vault_arn(env, region), since)

    keys = KeyCache(ctx)
    every = primary + [p for points in remote.values() for p in points]
    for point in every:
        if point.key_arn is None:
            point.key_error = "no encryption key reported"
            continue
        key = keys.get(point.key_arn)
        if key.error:
            point.key_error = key.error
            continue
        point.key_generation = key.generation_at(point.created)
        if point.key_generation is not None:
            point.key_age_days = (now - point.key_generation).total_seconds() / 86400

    resources = sorted({p.resource_arn for p in every} | {names.database_arn(env)})
    generations = env.backup.generations
    bound = env.keys.rotation_period_days
    checks: list[Check] = []
    for resource in resources:
        mine = [p for p in primary if p.resource_arn == resource and p.status == "COMPLETED"]
        checks.append(
            Check(
                "VTC-BACKUP-RETENTION",
                len(mine) >= generations,
                f"{resource}: {len(mine)} completed recovery point(s) in {names.vault_name(env)} "
                f"({env.region}), {generations} generation(s) configured",
            )
        )
        for region, points in remote.items():
            copies = [p for p in points if p.resource_arn == resource and p.status == "COMPLETED"]
            how = "in the vault" if remote_session is not None else "by completed copy jobs"
            checks.append(
                Check(
                    "VTC-BACKUP-ELSEWHERE",
                    len(copies) >= generations,
                    f"{resource}: {len(copies)} copy(ies) {how} {names.remote_vault_name(env)} "
                    f"(account {env.accounts.backup}, {region}), {generations} generation(s) configured",
                )
            )
    stale = [p for p in every if p.key_age_days is not None and p.key_age_days > bound]
    unknown = [p for p in every if p.key_error is not None]
    detail = f"{len(stale)} recovery point(s) under key material older than {bound} days"
    if stale:
        detail += ": " + ", ".join(f"{p.arn} ({p.key_age_days:.0f} days, {p.key_arn})" for p in stale)
    if unknown:
        detail += f"; key age unknown for {len(unknown)}: " + ", ".join(f"{p.arn} ({p.key_error})" for p in unknown)
    checks.append(Check("VTC-NO-STALE-BACKUP", not stale and not unknown, detail))
    return Status(points=every, checks=checks)


def _day(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "?"


def render_text(ctx: Context, status: Status) -> None:
    env = ctx.env
    ctx.say(
        f"backup status of {env.name} (workload {env.accounts.workload}, {env.region}; "
        f"generations {env.backup.generations}, key rotation bound {env.keys.rotation_period_days} days)"
    )
    for resource in sorted({p.resource_arn for p in status.points}):
        ctx.say(f"\n{resource}")
        ctx.say(
            f"  {'vault':<24} {'account':<12} {'region':<14} {'created (UTC)':<16} {'status':<10} {'key age':>8}  key"
        )
        for p in sorted((p for p in status.points if p.resource_arn == resource), key=lambda p: p.created):
            age = f"{p.key_age_days:.0f}d" if p.key_age_days is not None else "unknown"
            ctx.say(
                f"  {p.vault:<24} {p.account:<12} {p.region:<14} {_day(p.created):<16} {p.status:<10} "
                f"{age:>8}  {p.key_arn or '-'}" + (" (copy job)" if p.source == "copy job" else "")
            )
    ctx.say("")
    for check in status.checks:
        ctx.say(f"{'PASS' if check.ok else 'FAIL'} {check.condition}: {check.detail}")


def render_json(ctx: Context, status: Status) -> None:
    def plain(value):
        return value.isoformat() if isinstance(value, datetime) else value

    doc = {
        "environment": ctx.env.name,
        "ok": status.ok,
        "recovery_points": [{k: plain(v) for k, v in asdict(p).items()} for p in status.points],
        "checks": [asdict(c) for c in status.checks],
    }
    ctx.say(json.dumps(doc, indent=2))


def run(ctx: Context, *, remote_role_arn: str | None = None, output: str = "text") -> int:
    remote = None
    if remote_role_arn:
        remote = assume(ctx, remote_role_arn, expected_account=ctx.env.accounts.backup, role="backup")
    status = collect(ctx, remote_session=remote)
    (render_json if output == "json" else render_text)(ctx, status)
    return OK if status.ok else CHECK_FAILED
