"""`led-ops exit-drill`: export the database in an open format and prove the data can leave.

VTC-EXIT (§42-43): regular exercises of moving the data to another platform. `run` exports the
latest recovery point (an RDS snapshot) with RDS snapshot export into the exit bucket as Parquet,
waits, and verifies: every table exported and COMPLETE, every file readable as Parquet, row
counts equal to the snapshot's. The snapshot's counts come from restoring that same recovery point
(the restore drill's machinery) or from `--expected-counts FILE` (written by `restore-drill
--counts-out`). `verify --to-postgres DSN` loads the Parquet into any PostgreSQL and compares.

Export layout (RDS snapshot export to S3):
    <prefix>/<export id>/export_info_<export id>.json
    <prefix>/<export id>/export_tables_info_<export id>_from_<n>_to_<m>.json
    <prefix>/<export id>/<database>/<schema>.<table>/<partition>/part-*.parquet
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from led_ops import names, restore_drill
from led_ops.aws import Context
from led_ops.errors import CHECK_FAILED, OK, DrillError, UsageError
from led_ops.wait import Waiting, wait_for

# The export role may write under this prefix of the exit bucket only (cdk_constructs/drills.py).
EXPORT_PREFIX = "exit-drill"
_FAILED = {"FAILED", "CANCELED", "CANCELLED", "CANCELING"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows in the Parquet files
    files: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


def read_counts(path: str | Path) -> dict[str, int]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"expected counts {path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"expected counts {path}: not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(v, int) for v in raw.values()):
        raise UsageError(f'expected counts {path}: allowed: a JSON object {{"schema.table": rows, ...}}')
    return raw


def _table_key(target: str) -> tuple[str, str]:
    """'led.public.diploma' -> ('led', 'public.diploma')."""
    parts = target.split(".")
    if len(parts) != 3:
        raise ValueError(target)
    return parts[0], f"{parts[1]}.{parts[2]}"


def verify_dir(root: Path, *, expected: Mapping[str, int] | None) -> Verification:
    """Verify an export folder (the `<export id>/` level) against the export's own metadata."""
    result = Verification()
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory")
    infos = sorted(root.glob("export_info_*.json"))
    if not infos:
        result.add("export info", False, f"no export_info_*.json in {root}")
    for info_path in infos:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        status = str(info.get("status", "?")).upper()
        progress = info.get("percentProgress", 100)
        result.add(
            "export info",
            status == "COMPLETE" and progress == 100,
            f"{info_path.name}: status {status}, {progress}% (task {info.get('exportTaskIdentifier', '?')})",
        )

    statuses: dict[str, str] = {}
    databases: dict[str, str] = {}
    table_infos = sorted(root.glob("export_tables_info_*.json"))
    if not table_infos:
        result.add("tables info", False, f"no export_tables_info_*.json in {root}")
    for path in table_infos:
        for entry in json.loads(path.read_text(encoding="utf-8")).get("perTableStatus", []):
            if "warningMessage" in entry:
                continue  # database-level notes, not tables
            try:
                database, key = _table_key(entry.get("target", ""))
            except ValueError:
                result.add("tables info", False, f"{path.name}: unexpected target {entry.get('target')!r}")
                continue
            statuses[key] = str(entry.get("status", "?")).upper()
            databases[key] = database
    failed = sorted(k for k, s in statuses.items() if s != "COMPLETE")
    result.add(
        "every table exported",
        bool(statuses) and not failed,
        f"{len(statuses)} table(s) in the export metadata"
        + (f"; not COMPLETE: {', '.join(f'{k} ({statuses[k]})' for k in failed)}" if failed else ""),
    )
    if expected is not None:
        missing = sorted(set(expected) - set(statuses))
        result.add(
            "every table of the snapshot exported",
            not missing,
            f"{len(expected)} table(s) in the snapshot" + (f"; missing: {', '.join(missing)}" if missing else ""),
        )

    unreadable = []
    for key in sorted(statuses):
        folder = root / databases[key] / key
        files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
        result.files[key] = files
        rows = 0
        for file in files:
            try:
                # Decode every batch, not only the footer: "readable" means the data, not the index.
                rows += sum(batch.num_rows for batch in pq.ParquetFile(file).iter_batches())
            except (pa.ArrowException, OSError) as exc:
                unreadable.append(f"{file.relative_to(root)} ({str(exc).splitlines()[0]})")
        result.rows[key] = rows
    result.add(
        "files readable as Parquet",
        not unreadable,
        f"{sum(len(f) for f in result.files.values())} file(s)"
        + (f"; unreadable: {', '.join(unreadable)}" if unreadable else ""),
    )
    if expected is not None:
        wrong = [
            f"{k}: exported {result.rows.get(k, 0)}, snapshot {n}"
            for k, n in sorted(expected.items())
            if result.rows.get(k, 0) != n and k in statuses
        ]
        result.add(
            "row counts equal to the snapshot's",
            not wrong,
            f"{sum(result.rows.values())} row(s) exported" + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
        )
    else:
        result.add(
            "row counts equal to the snapshot's",
            False,
            "no snapshot counts to compare with (restore the recovery point, or --expected-counts FILE)",
        )
    return result


# --- loading into another PostgreSQL ---------------------------------------------------------


def pg_type(t: pa.DataType) -> str:
    """A PostgreSQL column type for an Arrow type (the export's Parquet types, see AWS's mapping)."""
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return "smallint"
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return "integer"
    if pa.types.is_integer(t):
        return "bigint" if not pa.types.is_uint64(t) else "numeric(20,0)"
    if pa.types.is_float32(t):
        return "real"
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "bytea"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    if pa.types.is_time(t):
        return "time"
    return "text"


def load_into_postgres(
    dsn: str, verification: Verification, root: Path, progress: Callable[[str], None]
) -> dict[str, int]:
    """Create each table and COPY its Parquet rows in; the target's count(*) per table."""
    import psycopg
    from psycopg import sql

    counts: dict[str, int] = {}
    try:
        with psycopg.connect(dsn, connect_timeout=30) as conn:
            for key, files in sorted(verification.files.items()):
                schema_name, table_name = key.split(".", 1)
                table = sql.Identifier(schema_name, table_name)
                schema = _schema_of(files)
                if schema is None:
                    progress(f"{key}: no Parquet files (empty table), nothing to load")
                    counts[key] = _count(conn, table) if _exists(conn, schema_name, table_name) else 0
                    continue
                columns = sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(pg_type(f.type))) for f in schema
                )
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name)))
                conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(table, columns))
                names_ = sql.SQL(", ").join(sql.Identifier(f.name) for f in schema)
                copied = 0
                with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, names_)) as copy:
                    for file in files:
                        for batch in pq.ParquetFile(file).iter_batches():
                            for row in batch.to_pylist():
                                copy.write_row([row[f.name] for f in schema])
                            copied += batch.num_rows
                conn.commit()
                counts[key] = _count(conn, table)
                progress(f"{key}: copied {copied} row(s), target has {counts[key]}")
    except psycopg.Error as exc:
        raise DrillError(f"loading into PostgreSQL failed: {str(exc).strip().splitlines()[0]}") from None
    return counts


def _schema_of(files: list[Path]) -> pa.Schema | None:
    return pq.read_schema(files[0]) if files else None


def _exists(conn: Any, schema: str, table: str) -> bool:
    return conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", ('"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""')),)
    ).fetchone()[0]


def _count(conn: Any, table: Any) -> int:
    from psycopg import sql

    return int(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0])


def verify_and_load(
    out: Callable[[str], None],
    progress: Callable[[str], None],
    root: Path,
    *,
    expected: Mapping[str, int] | None,
    to_postgres: str | None,
) -> int:
    verification = verify_dir(root, expected=expected)
    if to_postgres and verification.files:
        loaded = load_into_postgres(to_postgres, verification, root, progress)
        reference = dict(expected) if expected is not None else verification.rows
        wrong = [
            f"{k}: PostgreSQL {loaded.get(k, 0)}, expected {n}"
            for k, n in sorted(reference.items())
            if loaded.get(k, 0) != n
        ]
        verification.add(
            "loaded into another PostgreSQL, counts equal",
            not wrong,
            f"{len(loaded)} table(s), {sum(loaded.values())} row(s)"
            + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
        )
    for check in verification.checks:
        out(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    out(f"exit drill {'PASSED' if verification.ok else 'FAILED'} (VTC-EXIT)")
    return OK if verification.ok else CHECK_FAILED


# --- the export in AWS -----------------------------------------------------------------------


def start_export(ctx: Context, *, snapshot_arn: str, export_id: str) -> dict[str, Any]:
    env = ctx.env
    return ctx.client("rds").start_export_task(
        ExportTaskIdentifier=export_id,
        SourceArn=snapshot_arn,
        S3BucketName=names.exit_bucket(env),
        IamRoleArn=names.export_role_arn(env),
        KmsKeyId=env.key_arn("data"),
        S3Prefix=EXPORT_PREFIX,
    )


def wait_export(ctx: Context, export_id: str, *, waiting: Waiting) -> dict[str, Any]:
    rds = ctx.client("rds")
    task: dict[str, Any] = {}

    def poll() -> tuple[bool, str]:
        task.update(rds.describe_export_tasks(ExportTaskIdentifier=export_id)["ExportTasks"][0])
        status = str(task.get("Status", "?")).upper()
        if status in _FAILED:
            raise DrillError(f"export {export_id} {status}: {task.get('FailureCause', 'no reason given')}")
        done = status == "COMPLETE"
        return done, status + (f" {task.get('PercentProgress', 0)}%" if not done else "")

    wait_for(f"export {export_id}", poll, waiting=waiting, progress=ctx.progress)
    return dict(task)


def download_export(ctx: Context, export_id: str, workdir: Path, *, bucket: str | None = None) -> Path:
    """Copy `<prefix>/<export id>/` from the exit bucket into `workdir/<export id>/`."""
    s3 = ctx.client("s3")
    bucket = bucket or names.exit_bucket(ctx.env)
    prefix = f"{EXPORT_PREFIX}/{export_id}/"
    root = workdir / export_id
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            relative = obj["Key"][len(prefix) :]
            if not relative or relative.endswith("/"):
                continue
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(target))
            count += 1
    if count == 0:
        raise DrillError(f"export {export_id}: nothing under s3://{bucket}/{prefix}")
    ctx.progress(f"downloaded {count} file(s) of export {export_id} into {root}")
    return root


def run(
    ctx: Context,
    *,
    execute: bool,
    waiting: Waiting,
    recovery_point_arn: str | None = None,
    export_id: str | None = None,
    expected_counts: str | Path | None = None,
    workdir: str | Path | None = None,
    to_postgres: str | None = None,
    role_arn: str | None = None,
    connector: restore_drill.Connector | None = None,
    stamp: str | None = None,
) -> int:
    env = ctx.env
    if recovery_point_arn:
        recovery_point = {"RecoveryPointArn": recovery_point_arn, "BackupVaultName": names.vault_name(env)}
    else:
        recovery_point = restore_drill.latest_recovery_point(ctx)
    stamp = stamp or restore_drill.stamp_now()
    export_id = export_id or f"led-{env.name}-exit-{stamp}"
    snapshot_arn = recovery_point["RecoveryPointArn"]
    if ":snapshot:" not in snapshot_arn:
        raise UsageError(f"{snapshot_arn}: not an RDS snapshot recovery point; the export needs a snapshot ARN")
    expected = read_counts(expected_counts) if expected_counts else None
    bucket = names.exit_bucket(env)
    ctx.say(f"exit drill of {env.name}: snapshot {snapshot_arn}")
    ctx.say(
        f"  1. export it as Parquet to s3://{bucket}/{EXPORT_PREFIX}/{export_id}/ "
        f"(role {names.export_role_arn(env)}, key {env.key_arn('data')})"
    )
    if expected is None:
        ctx.say(
            f"  2. meanwhile restore the same recovery point into {names.drill_instance_id(env, stamp)}, "
            "count the rows of every table, delete the instance"
        )
    else:
        ctx.say(f"  2. snapshot row counts from {expected_counts}")
    ctx.say(
        "  3. wait for the export, download it, verify metadata, Parquet and row counts"
        + (", load it into the given PostgreSQL" if to_postgres else "")
    )
    if not execute:
        ctx.say("dry run: nothing started; add --execute to run the drill")
        return OK
    start_export(ctx, snapshot_arn=snapshot_arn, export_id=export_id)
    ctx.say(f"export {export_id} started")
    if expected is None:
        connector = connector or restore_drill.default_connector

        def count(instance: dict[str, Any], source: dict[str, Any]) -> dict[str, int]:
            conn = connector(ctx, instance, source)
            try:
                return restore_drill.count_rows(conn)
            finally:
                conn.close()

        expected = restore_drill.with_restored(
            ctx,
            recovery_point,
            instance_id=names.drill_instance_id(env, stamp),
            role_arn=role_arn or names.restore_role_arn(env),
            waiting=waiting,
            use=count,
        )
        ctx.say(f"snapshot row counts: {len(expected)} table(s), {sum(expected.values())} row(s)")
    wait_export(ctx, export_id, waiting=waiting)
    with tempfile.TemporaryDirectory(prefix="led-exit-") as tmp:
        root = download_export(ctx, export_id, Path(workdir) if workdir else Path(tmp), bucket=bucket)
        return verify_and_load(ctx.say, ctx.progress, root, expected=expected, to_postgres=to_postgres)


def verify(
    ctx: Context | None,
    *,
    source_dir: str | Path | None,
    export_id: str | None,
    expected_counts: str | Path | None,
    to_postgres: str | None,
    workdir: str | Path | None,
    out: Callable[[str], None],
    progress: Callable[[str], None],
) -> int:
    expected = read_counts(expected_counts) if expected_counts else None
    if source_dir is not None:
        return verify_and_load(out, progress, Path(source_dir), expected=expected, to_postgres=to_postgres)
    if ctx is None or export_id is None:
        raise UsageError("exit-drill verify: give --from DIR, or ENV and --export-id ID")
    with tempfile.TemporaryDirectory(prefix="led-exit-") as tmp:
        root = download_export(ctx, export_id, Path(workdir) if workdir else Path(tmp))
        return verify_and_load(out, progress, root, expected=expected, to_postgres=to_postgres)
