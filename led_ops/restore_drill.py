"""`led-ops restore-drill ENV`: restore the latest recovery point into the isolated data tier,
validate it with the same SQL checks as the scheduled restore test, report, delete it.

VTC-BACKUP-ENVIRONMENT (§40): a static backup without an environment is not enough; the drill
proves a recovery point becomes a running, queryable database. The restored instance lands in the
database's own subnet group (isolated subnets) and security group, never public, and is deleted
afterwards whatever the validation said: it holds a copy of the personal data (VTC-NO-COPY, §49).
"""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.exceptions

from config import EnvironmentConfig
from contract import names
from led_ops.aws import Context
from led_ops.errors import CHECK_FAILED, OK, DrillError, UsageError
from led_ops.wait import Waiting, wait_for

Connector = Callable[[Context, Mapping[str, Any], Mapping[str, Any]], Any]
Validator = Callable[..., Any]


@dataclass(frozen=True, kw_only=True)
class Expectations:
    """What the restored database must show: the arguments of `validate_database`."""

    expected_tables: Sequence[str] = ()
    min_rows: Mapping[str, int] = field(default_factory=dict)
    max_newest_age_days: int | None = None
    newest_column: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, env: EnvironmentConfig) -> Expectations:
        """The configured expectations: the same ones the restore-validation Lambda checks."""
        drills = env.drills
        return cls(
            expected_tables=tuple(drills.expected_tables),
            min_rows=dict(drills.min_rows),
            max_newest_age_days=drills.max_newest_age_days,
            newest_column=dict(drills.newest_column),
        )

    @classmethod
    def load(cls, path: str | Path) -> Expectations:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"checks file {path}: no such file") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"checks file {path}: not valid JSON: {exc}") from None
        allowed = {"expected_tables", "min_rows", "max_newest_age_days", "newest_column"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise UsageError(f"checks file {path}: unknown field {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
        return cls(
            expected_tables=tuple(raw.get("expected_tables", ())),
            min_rows=dict(raw.get("min_rows", {})),
            max_newest_age_days=raw.get("max_newest_age_days"),
            newest_column=dict(raw.get("newest_column", {})),
        )


@dataclass(frozen=True, kw_only=True)
class DrillOptions:
    """How a drill restores a recovery point, the same for `restore-drill` and the counting restore
    of `exit-drill run`: for real (`execute`) or as a dry run, how it waits on AWS, which recovery
    point (default: the newest) with which role (default: led-ENV-ops-backup), how it connects to
    the restored instance, the stamp in the names it gives, and whether it prints the result only."""

    execute: bool
    waiting: Waiting
    recovery_point_arn: str | None = None
    role_arn: str | None = None
    connector: Connector | None = None
    stamp: str | None = None
    quiet: bool = False

    def restore_role_arn(self, env: EnvironmentConfig) -> str:
        return self.role_arn or names.restore_role_arn(env)

    def connect(self, ctx: Context, instance: Mapping[str, Any], source: Mapping[str, Any]) -> Any:
        return (self.connector or default_connector)(ctx, instance, source)


def latest_recovery_point(ctx: Context) -> dict[str, Any]:
    """The newest completed recovery point of the database in the primary vault."""
    env = ctx.env
    backup = ctx.client("backup")
    points = []
    paginator = backup.get_paginator("list_recovery_points_by_resource")
    for page in paginator.paginate(ResourceArn=names.database_arn(env)):
        points += [
            rp
            for rp in page.get("RecoveryPoints", [])
            if rp.get("Status") == "COMPLETED" and rp.get("BackupVaultName") == names.vault_name(env)
        ]
    if not points:
        raise DrillError(f"no completed recovery point of {names.database_arn(env)} in vault {names.vault_name(env)}")
    return max(points, key=lambda rp: rp["CreationDate"])


def chosen_recovery_point(ctx: Context, arn: str | None) -> dict[str, Any]:
    """The recovery point given on the command line (in the primary vault), else the newest one."""
    if arn:
        return {"RecoveryPointArn": arn, "BackupVaultName": names.vault_name(ctx.env)}
    return latest_recovery_point(ctx)


def source_instance(ctx: Context) -> dict[str, Any]:
    rds = ctx.client("rds")
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=names.database_id(ctx.env))["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        raise DrillError(f"database {names.database_id(ctx.env)} not found in {ctx.env.region}") from None


def restore_overrides(source: Mapping[str, Any], instance_id: str) -> dict[str, str]:
    """AWS Backup restore metadata overrides: the isolated data tier, small, private, deletable."""
    groups = [g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups", [])]
    overrides = {
        "dbinstanceidentifier": instance_id,
        "multiaz": "false",
        "publiclyaccessible": "false",
        "deletionprotection": "false",
        "vpcsecuritygroupids": json.dumps(groups),
    }
    subnet_group = (source.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")
    if subnet_group:
        overrides["dbsubnetgroupname"] = subnet_group
    return overrides


@dataclass
class Restored:
    """How far a restore got: the job id once started, `created` once the instance exists."""

    job_id: str | None = None
    created: bool = False
    instance: dict[str, Any] | None = None


def restore(
    ctx: Context,
    recovery_point: Mapping[str, Any],
    *,
    instance_id: str,
    role_arn: str,
    waiting: Waiting,
    state: Restored | None = None,
) -> tuple[str, dict[str, Any]]:
    """Start the restore job, wait for it and for the instance; (restore job id, instance)."""
    state = state if state is not None else Restored()
    backup = ctx.client("backup")
    rds = ctx.client("rds")
    source = source_instance(ctx)
    metadata = backup.get_recovery_point_restore_metadata(
        BackupVaultName=recovery_point["BackupVaultName"],
        RecoveryPointArn=recovery_point["RecoveryPointArn"],
    )["RestoreMetadata"]
    metadata = {**metadata, **restore_overrides(source, instance_id)}
    job_id = backup.start_restore_job(
        RecoveryPointArn=recovery_point["RecoveryPointArn"],
        Metadata=metadata,
        IamRoleArn=role_arn,
        ResourceType="RDS",
    )["RestoreJobId"]
    state.job_id = job_id
    ctx.say(f"restore job {job_id} started: {recovery_point['RecoveryPointArn']} -> {instance_id}")
    job: dict[str, Any] = {}

    def poll_job() -> tuple[bool, str]:
        job.update(backup.describe_restore_job(RestoreJobId=job_id))
        status = job.get("Status", "?")
        if status in ("ABORTED", "FAILED"):
            raise DrillError(f"restore job {job_id} {status}: {job.get('StatusMessage', 'no reason given')}")
        done = status == "COMPLETED"
        return done, status + (f" {job['PercentDone']}" if job.get("PercentDone") and not done else "")

    try:
        wait_for(f"restore job {job_id}", poll_job, waiting=waiting, progress=ctx.progress)
    except DrillError as exc:
        if "timed out" in str(exc):
            raise DrillError(f"{exc}; the job goes on: delete {instance_id} when it ends") from None
        raise
    created = job.get("CreatedResourceArn", "")
    if created.rsplit(":", 1)[-1] != instance_id:
        raise DrillError(f"restore job {job_id} created {created!r}, expected instance {instance_id}")
    state.created = True
    instance: dict[str, Any] = {}

    def poll_instance() -> tuple[bool, str]:
        instance.clear()
        instance.update(rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0])
        status = instance.get("DBInstanceStatus", "?")
        if status in ("failed", "incompatible-restore", "incompatible-parameters", "storage-full"):
            raise DrillError(f"restored instance {instance_id} is {status}")
        return status == "available", status

    wait_for(f"instance {instance_id}", poll_instance, waiting=waiting, progress=ctx.progress)
    return job_id, dict(instance)


def delete_restored(ctx: Context, instance_id: str, *, waiting: Waiting) -> None:
    # Only ever what a drill restored: the LED database itself can never match this prefix.
    if not instance_id.startswith(names.DRILL_PREFIX) or instance_id == names.database_id(ctx.env):
        raise DrillError(f"refusing to delete {instance_id}: not a drill instance ({names.DRILL_PREFIX}*)")
    rds = ctx.client("rds")
    rds.delete_db_instance(DBInstanceIdentifier=instance_id, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    ctx.say(f"deleting restored instance {instance_id}")

    def poll() -> tuple[bool, str]:
        try:
            found = rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"]
        except rds.exceptions.DBInstanceNotFoundFault:
            return True, "deleted"
        return (not found), (found[0].get("DBInstanceStatus", "?") if found else "deleted")

    wait_for(f"deletion of {instance_id}", poll, waiting=waiting, progress=ctx.progress)


# The read-only database role the restore-validation Lambda uses too (cdk_constructs/audit_setup.py):
# it signs in with IAM database authentication, so no password is read or kept anywhere.
VALIDATOR_ROLE = names.RESTORE_VALIDATOR_ROLE


# The RDS CA bundle that `make setup` writes into the checkout (the one the Lambda functions
# bundle): led-ops is installed from the checkout (pip install -e .), so it reads it there.
RDS_CA_BUNDLE = Path(__file__).resolve().parent.parent / ".wheelhouse" / "rds-ca-bundle.pem"


def default_connector(
    ctx: Context,
    instance: Mapping[str, Any],
    source: Mapping[str, Any],
    *,
    user: str = VALIDATOR_ROLE,
    host: str | None = None,
    port: int | None = None,
) -> Any:
    """A psycopg connection to the restored instance as `user`, IAM token, over TLS that verifies
    the server's certificate against the RDS CA bundle and its name against the endpoint.

    `host`/`port` override where to connect for a port forward (the restored instance is in
    isolated subnets): the connection goes to that address (libpq's hostaddr) while the
    certificate is still checked against the real endpoint, the one the token is signed for.
    """
    import psycopg

    if not RDS_CA_BUNDLE.is_file():
        raise UsageError(
            f"the RDS CA bundle {RDS_CA_BUNDLE} is missing, so the database's certificate cannot be verified; "
            "run `make setup` in the checkout (it writes it)"
        )
    params = connection_parameters(ctx, instance, source, user=user)
    if host:
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise UsageError(f"--db-host {host}: cannot resolve it: {exc}") from None
        # One attempt per address of `host` (e.g. ::1 and 127.0.0.1), each checked against the endpoint.
        addresses = list(dict.fromkeys(str(address[4][0]) for address in found))
        params["hostaddr"] = ",".join(addresses)
        params["host"] = ",".join([params["host"]] * len(addresses))
    if port:
        params["port"] = port
    where = f"{host or params['host']}:{params['port']}"
    try:
        return psycopg.connect(
            **params,
            sslmode="verify-full",
            sslrootcert=str(RDS_CA_BUNDLE),
            connect_timeout=30,
            application_name="led-ops",
        )
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DrillError(f"cannot connect to {where} as {user}: {reason}") from None


def connection_parameters(
    ctx: Context, instance: Mapping[str, Any], source: Mapping[str, Any], *, user: str = VALIDATOR_ROLE
) -> dict[str, Any]:
    endpoint = instance.get("Endpoint") or {}
    host, port = endpoint.get("Address"), int(endpoint.get("Port", 5432))
    if not host:
        raise DrillError(f"instance {instance.get('DBInstanceIdentifier')} has no endpoint")
    token = ctx.client("rds").generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=ctx.env.region)
    return {
        "host": host,
        "port": port,
        "dbname": instance.get("DBName") or source.get("DBName") or ctx.env.database.database_name,
        "user": user,
        "password": token,
    }


def count_rows(conn: Any) -> dict[str, int]:
    """Rows of every user table, as `schema.table` -> count (the snapshot's counts for the exit drill)."""
    cur = conn.cursor()
    cur.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' "
        "ORDER BY 1, 2"
    )
    tables = cur.fetchall()
    counts = {}
    for schema, table in tables:
        quoted = '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))
        cur.execute(f"SELECT count(*) FROM {quoted}")
        counts[f"{schema}.{table}"] = int(cur.fetchone()[0])
    return counts


def table_evidence(conn: Any, *, progress: Any = None) -> dict[str, Any]:
    """Every user table's row count and content digest (led_ops.digest), computed in SQL on the
    restored instance: the recovery point's evidence that the exit drill compares the export with."""
    from led_ops import digest

    out = {}
    for key in count_rows(conn):
        if progress is not None:
            progress.say(f"digesting {key}")
        d = digest.table_digest(conn, key)
        if d.key:  # per key bucket too: lets the exit drill narrow a difference down to rows
            d = dataclasses.replace(d, buckets=digest.pg_bucket_digests(conn, key, d.key))
        out[key] = d
    return out


def default_validator() -> Validator:
    try:
        from functions.shared.validation import validate_database
    except ImportError:
        raise UsageError(
            "functions.shared.validation (the shared SQL checks) is not installed in this checkout"
        ) from None
    return validate_database


def stamp_now() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def with_restored(
    ctx: Context,
    recovery_point: Mapping[str, Any],
    *,
    instance_id: str,
    role_arn: str,
    waiting: Waiting,
    use: Callable[[dict[str, Any], dict[str, Any]], Any],
) -> Any:
    """Restore, hand the instance to `use`, and delete it afterwards, also when `use` fails."""
    restored = Restored()
    try:
        _, restored.instance = restore(
            ctx, recovery_point, instance_id=instance_id, role_arn=role_arn, waiting=waiting, state=restored
        )
        return use(restored.instance, source_instance(ctx))
    finally:
        # Whatever happened after the instance came to exist, it goes: it holds a copy of the data.
        if restored.created:
            try:
                delete_restored(ctx, instance_id, waiting=waiting)
            except (DrillError, botocore.exceptions.ClientError) as exc:
                ctx.progress(f"WARNING: restored instance {instance_id} was not deleted: {exc}; delete it by hand")
                raise


def run(
    ctx: Context,
    options: DrillOptions,
    *,
    expectations: Expectations,
    validator: Validator | None = None,
    counts_out: str | Path | None = None,
) -> int:
    from led_ops.progress import Progress, results_only

    progress = Progress.auto(quiet=options.quiet, stream=ctx.err)
    with results_only(ctx, options.quiet) as result_line:
        env = ctx.env
        if counts_out and not Path(counts_out).resolve().parent.is_dir():
            raise UsageError(f"--counts-out {counts_out}: no such directory for the evidence file")
        recovery_point = chosen_recovery_point(ctx, options.recovery_point_arn)
        instance_id = names.drill_instance_id(env, options.stamp or stamp_now())
        role_arn = options.restore_role_arn(env)
        source = source_instance(ctx)
        overrides = restore_overrides(source, instance_id)
        ctx.say(
            f"restore drill of {env.name}: recovery point {recovery_point['RecoveryPointArn']}"
            + (f" ({recovery_point['CreationDate']:%Y-%m-%d %H:%M} UTC)" if "CreationDate" in recovery_point else "")
        )
        ctx.say(
            f"  1. start an AWS Backup restore job (role {role_arn}) into {instance_id}: "
            f"subnet group {overrides.get('dbsubnetgroupname', '?')}, "
            f"security groups {overrides['vpcsecuritygroupids']}, "
            "not public, single-AZ"
        )
        waiting = options.waiting
        ctx.say(f"  2. wait for the job and the instance (every {waiting.interval:g}s, at most {waiting.timeout:g}s)")
        ctx.say(
            f"  3. validate: {len(expectations.expected_tables)} expected table(s), min rows for "
            f"{len(expectations.min_rows)}, newest row at most {expectations.max_newest_age_days} day(s) old"
        )
        ctx.say(f"  4. delete {instance_id} (no final snapshot)")
        if not options.execute:
            ctx.say("dry run: nothing started; add --execute to run the drill")
            return OK
        validator = validator or default_validator()

        def use(instance: dict[str, Any], src: dict[str, Any]) -> Any:
            conn = options.connect(ctx, instance, src)
            try:
                result = validator(
                    conn,
                    expected_tables=list(expectations.expected_tables),
                    min_rows=dict(expectations.min_rows),
                    max_newest_age_days=expectations.max_newest_age_days,
                    newest_column=dict(expectations.newest_column),
                )
                counts = table_evidence(conn, progress=progress) if counts_out else None
            finally:
                conn.close()
            return result, counts

        result, counts = with_restored(
            ctx, recovery_point, instance_id=instance_id, role_arn=role_arn, waiting=waiting, use=use
        )
        for check in result.checks:
            if not options.quiet or not check.ok:
                result_line(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        ctx.say(result.summary())
        if counts_out and counts is not None:
            from led_ops.exit_drill.evidence import write_evidence

            write_evidence(counts_out, counts, recovery_point=recovery_point["RecoveryPointArn"])
            ctx.say(f"row counts and content digests of {len(counts)} table(s) written to {counts_out}")
        result_line(f"restore drill {'PASSED' if result.ok else 'FAILED'} (VTC-BACKUP-ENVIRONMENT)")
        return OK if result.ok else CHECK_FAILED
