"""`led-ops exit-drill`: export the database in an open format and prove the data can leave.

VTC-EXIT (§42-43): regular exercises of moving the data to another platform. `run` exports the
latest recovery point (an RDS snapshot) with RDS snapshot export into the exit bucket as Parquet,
waits, and verifies: every table exported and COMPLETE, every file readable as Parquet, row
counts and content digests (led_ops.digest) equal to the snapshot's. The snapshot's come from
restoring that same recovery point (the restore drill's machinery) or from `--expected-counts
FILE` (the evidence file of `restore-drill --counts-out`). `verify --to-postgres DSN` loads the
Parquet into any PostgreSQL (led_ops.load) and compares counts and digests there too.

Export layout (RDS snapshot export to S3):
    <prefix>/<export id>/export_info_<export id>.json
    <prefix>/<export id>/export_tables_info_<export id>_from_<n>_to_<m>.json
    <prefix>/<export id>/<database>/<schema>.<table>/<partition>/part-*.parquet
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from led_ops import digest, load, names, restore_drill
from led_ops.aws import Context
from led_ops.errors import CHECK_FAILED, OK, DrillError, UsageError
from led_ops.progress import Progress, results_only
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


EVIDENCE_FORMAT = "led-ops-evidence/1"


def read_counts(path: str | Path) -> dict[str, dict[str, Any]]:
    """The snapshot's evidence: `schema.table` -> {"rows": n, "digest": hex or None, "columns", "key"}.

    Reads the evidence file of `restore-drill --counts-out` (format led-ops-evidence/1) and the
    older counts-only file ({"schema.table": rows}); from the latter only counts are compared.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"expected counts {path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"expected counts {path}: not valid JSON: {exc}") from None
    allowed = (
        f'allowed: the evidence file of restore-drill --counts-out ("format": "{EVIDENCE_FORMAT}") '
        'or a JSON object {"schema.table": rows, ...}'
    )
    if isinstance(raw, dict) and "format" in raw:
        if raw.get("format") != EVIDENCE_FORMAT or not isinstance(raw.get("tables"), dict):
            raise UsageError(f"expected counts {path}: format {raw.get('format')!r} unknown; {allowed}")
        out = {}
        for key, entry in raw["tables"].items():
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("rows"), int)
                or not isinstance(entry.get("digest"), str)
            ):
                raise UsageError(f"expected counts {path}: table {key!r} needs rows (integer) and digest; {allowed}")
            out[key] = {
                "rows": entry["rows"],
                "digest": entry["digest"],
                "columns": dict(entry.get("columns") or {}),
                "key": list(entry.get("key") or []),
                "buckets": {int(b): str(d) for b, d in (entry.get("buckets") or {}).items()},
            }
        return out
    if not isinstance(raw, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
        raise UsageError(f"expected counts {path}: {allowed}")
    return {k: {"rows": v, "digest": None, "columns": {}, "key": []} for k, v in raw.items()}


def write_evidence(path: str | Path, digests: Mapping[str, Any], *, recovery_point: str | None = None) -> None:
    """The restore drill's evidence for the recovery point: counts and content digests per table."""
    body: dict[str, Any] = {"format": EVIDENCE_FORMAT}
    if recovery_point:
        body["recovery_point"] = recovery_point
    body["tables"] = {k: d.as_json() for k, d in sorted(digests.items())}
    try:
        Path(path).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DrillError(f"cannot write the evidence file {path}: {exc.strerror or exc}") from None


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

    for key in sorted(statuses):
        folder = root / databases[key] / key
        result.files[key] = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    return result


def _expected_rows(expected: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    return {k: int(v["rows"]) for k, v in expected.items()}


def _key_label(columns: Sequence[str], text: str) -> str:
    return f"{'/'.join(sorted(columns))}={text}" if columns else text


def _sample_keys(
    dsn: str, key: str, files: Sequence[Path], key_columns: Sequence[str], source_types: Mapping[str, str]
) -> list[str]:
    """Keys of rows that differ between the Parquet and the target (only run when a digest differs)."""
    import psycopg

    def batches():
        for file in files:
            yield from pq.ParquetFile(file).iter_batches(batch_size=load.BATCH_ROWS)

    with psycopg.connect(dsn, connect_timeout=30) as conn:
        if not key_columns:
            key_columns = digest.pg_primary_key(conn, key)
        if not key_columns and files:
            key_columns = pq.read_schema(files[0]).names[:1]  # no key known: the first column names the row
        target = digest.pg_row_hashes(conn, key, key_columns)
    parquet = digest.arrow_row_hashes(batches(), key_columns, source_types)
    return [_key_label(key_columns, k) for k in digest.differing_keys(parquet, target)]


def _snapshot_rows(key: str, files: Sequence[Path], evidence: Mapping[str, Any], types: Mapping[str, str]) -> str:
    """Where the evidence has key-bucket digests: the rows of the differing buckets, as key samples."""
    if not evidence.get("buckets") or not evidence.get("key") or not files:
        return ""

    def batches():
        for file in files:
            yield from pq.ParquetFile(file).iter_batches(batch_size=load.BATCH_ROWS)

    try:
        parquet, seen = digest.arrow_buckets(batches(), evidence["key"], types)
    except (pa.ArrowException, OSError, KeyError):
        return ""
    snapshot = evidence["buckets"]
    differing = sorted(b for b in set(parquet) | set(snapshot) if parquet.get(b) != snapshot.get(b))
    rows = sum(seen.get(b, (0, []))[0] for b in differing)
    keys = [_key_label(evidence["key"], k) for b in differing for k in seen.get(b, (0, []))[1]][:5]
    missing = sum(1 for b in differing if b not in parquet)
    return (
        f"; {len(differing)} key bucket(s) differ, {rows} row(s) of the export in them"
        + (f": {', '.join(keys)}" if keys else "")
        + (f"; {missing} bucket(s) with rows missing from the export" if missing else "")
    )


def verify_and_load(
    out: Callable[[str], None],
    progress: Progress | Callable[[str], None],
    root: Path,
    *,
    expected: Mapping[str, Mapping[str, Any]] | None,
    to_postgres: str | None,
    quiet: bool = False,
) -> int:
    if not isinstance(progress, Progress):
        progress = Progress.auto(quiet=quiet)
    if expected is not None and expected and all(isinstance(v, int) for v in expected.values()):
        expected = {k: {"rows": v, "digest": None, "columns": {}, "key": []} for k, v in expected.items()}
    verification = verify_dir(root, expected=_expected_rows(expected) if expected is not None else None)
    expected = expected or {}
    source_types = {k: v.get("columns") or {} for k, v in expected.items()}
    totals: dict[str, int] = {}
    for key, files in verification.files.items():
        try:
            totals[key] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        except (pa.ArrowException, OSError):
            totals[key] = 0
    scans = load.scan_all(
        verification.files,
        root,
        dsn=to_postgres,
        with_digest=True,
        progress=progress,
        source_types=source_types,
        totals=totals,
    )
    verification.rows = {k: s.rows for k, s in scans.items()}
    unreadable = [u for s in scans.values() for u in s.unreadable]
    verification.add(
        "files readable as Parquet",
        not unreadable,
        f"{sum(len(f) for f in verification.files.values())} file(s)"
        + (f"; unreadable: {', '.join(unreadable)}" if unreadable else ""),
    )
    if expected:
        wrong = [
            f"{k}: exported {verification.rows.get(k, 0)}, snapshot {e['rows']}"
            for k, e in sorted(expected.items())
            if verification.rows.get(k, 0) != e["rows"] and k in verification.files
        ]
        verification.add(
            "row counts equal to the snapshot's",
            not wrong,
            f"{sum(verification.rows.values())} row(s) exported" + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
        )
        with_digest = {k: e for k, e in expected.items() if e.get("digest") and k in scans}
        if with_digest:
            differ = [
                f"{k}: Parquet {scans[k].digest or 'unreadable'}, snapshot {e['digest']}"
                + _snapshot_rows(k, verification.files[k], e, source_types.get(k, {}))
                for k, e in sorted(with_digest.items())
                if scans[k].digest != e["digest"]
            ]
            verification.add(
                "content equal to the snapshot's (digests)",
                not differ,
                f"{len(with_digest)} table(s) compared" + (f"; differ: {'; '.join(differ)}" if differ else ""),
            )
        else:
            out(
                "NOTE content not compared with the snapshot: the expected counts file has no digests "
                "(write it with restore-drill --counts-out)"
            )
    else:
        verification.add(
            "row counts equal to the snapshot's",
            False,
            "no snapshot counts to compare with (restore the recovery point, or --expected-counts FILE)",
        )
    if to_postgres and verification.files:
        refused = [f"{k}: {s.load_error}" for k, s in sorted(scans.items()) if s.load_error]
        verification.add(
            "every table loaded into the other PostgreSQL",
            not refused,
            f"{len(scans) - len(refused)} of {len(scans)} table(s) loaded"
            + (f"; {'; '.join(refused)}" if refused else ""),
        )
        loaded = {k: s.target for k, s in scans.items() if s.target is not None and not s.load_error}
        reference = _expected_rows(expected) if expected else verification.rows
        wrong = [
            f"{k}: PostgreSQL {loaded[k].rows}, expected {n}"
            for k, n in sorted(reference.items())
            if k in loaded and loaded[k].rows != n
        ]
        verification.add(
            "loaded into another PostgreSQL, counts equal",
            not wrong and not refused,
            f"{len(loaded)} table(s), {sum(t.rows for t in loaded.values())} row(s)"
            + (f"; differ: {'; '.join(wrong)}" if wrong else ""),
        )
        differ = []
        for k in sorted(loaded):
            if scans[k].digest is None or loaded[k].digest == scans[k].digest:
                continue
            line = f"{k}: PostgreSQL {loaded[k].digest}, Parquet {scans[k].digest}"
            try:
                keys = _sample_keys(
                    to_postgres, k, verification.files[k], expected.get(k, {}).get("key") or [], source_types.get(k, {})
                )
            except Exception as exc:  # noqa: BLE001 - the sample is a help; the failure stands without it
                keys, line = (
                    [],
                    line + f" (rows not located: {load._first_line(exc)})",
                )
            if keys:
                line += f", rows differ at {', '.join(keys)}"
            differ.append(line)
        verification.add(
            "loaded content equal to the Parquet (digests)",
            not differ and not refused,
            f"{len(loaded)} table(s) compared" + (f"; differ: {'; '.join(differ)}" if differ else ""),
        )
    for check in verification.checks:
        if not quiet or not check.ok:
            out(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    out(f"exit drill {'PASSED' if verification.ok else 'FAILED'} (VTC-EXIT)")
    return OK if verification.ok else CHECK_FAILED


pg_type = load.pg_type  # kept for callers of the earlier module


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


def download_export(
    ctx: Context, export_id: str, workdir: Path, *, bucket: str | None = None, progress: Progress | None = None
) -> Path:
    """Copy `<prefix>/<export id>/` from the exit bucket into `workdir/<export id>/`."""
    s3 = ctx.client("s3")
    bucket = bucket or names.exit_bucket(ctx.env)
    prefix = f"{EXPORT_PREFIX}/{export_id}/"
    root = workdir / export_id
    objects = [
        obj
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for obj in page.get("Contents", [])
        if obj["Key"][len(prefix) :] and not obj["Key"].endswith("/")
    ]
    if not objects:
        raise DrillError(f"export {export_id}: nothing under s3://{bucket}/{prefix}")
    progress = progress or Progress.auto()
    with progress.task(
        f"download {export_id}", total=sum(int(o.get("Size", 0)) for o in objects), unit="bytes"
    ) as task:
        for obj in objects:
            target = root / obj["Key"][len(prefix) :]
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, obj["Key"], str(target), Callback=task.advance)
            except OSError as exc:
                raise DrillError(
                    f"cannot write {target}: {exc.strerror or exc} (download of export {export_id}; "
                    "free space or give another --workdir)"
                ) from None
    progress.say(f"downloaded {len(objects)} file(s) of export {export_id} into {root}")
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
    quiet: bool = False,
) -> int:
    progress = Progress.auto(quiet=quiet, stream=ctx.err)
    with results_only(ctx, quiet) as result_line:
        return _run(
            ctx,
            execute=execute,
            waiting=waiting,
            recovery_point_arn=recovery_point_arn,
            export_id=export_id,
            expected_counts=expected_counts,
            workdir=workdir,
            to_postgres=to_postgres,
            role_arn=role_arn,
            connector=connector,
            stamp=stamp,
            progress=progress,
            result_line=result_line,
        )


def _run(
    ctx: Context,
    *,
    execute: bool,
    waiting: Waiting,
    recovery_point_arn: str | None,
    export_id: str | None,
    expected_counts: str | Path | None,
    workdir: str | Path | None,
    to_postgres: str | None,
    role_arn: str | None,
    connector: restore_drill.Connector | None,
    stamp: str | None,
    progress: Progress,
    result_line: Callable[[str], None],
) -> int:
    env = ctx.env
    say = ctx.say
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
    say(f"exit drill of {env.name}: snapshot {snapshot_arn}")
    say(
        f"  1. export it as Parquet to s3://{bucket}/{EXPORT_PREFIX}/{export_id}/ "
        f"(role {names.export_role_arn(env)}, key {env.key_arn('data')})"
    )
    if expected is None:
        say(
            f"  2. meanwhile restore the same recovery point into {names.drill_instance_id(env, stamp)}, "
            "count the rows and digest the content of every table, delete the instance"
        )
    else:
        say(f"  2. snapshot row counts and digests from {expected_counts}")
    say(
        "  3. wait for the export, download it, verify metadata, Parquet, row counts and content digests"
        + (", load it into the given PostgreSQL and compare again" if to_postgres else "")
    )
    if not execute:
        say("dry run: nothing started; add --execute to run the drill")
        return OK
    if to_postgres:
        load.check_target(to_postgres)  # a wrong DSN is found before anything starts in AWS
    start_export(ctx, snapshot_arn=snapshot_arn, export_id=export_id)
    say(f"export {export_id} started")
    if expected is None:
        connector = connector or restore_drill.default_connector

        def count(instance: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
            conn = connector(ctx, instance, source)
            try:
                return restore_drill.table_evidence(conn, progress=progress)
            finally:
                conn.close()

        digests = restore_drill.with_restored(
            ctx,
            recovery_point,
            instance_id=names.drill_instance_id(env, stamp),
            role_arn=role_arn or names.restore_role_arn(env),
            waiting=waiting,
            use=count,
        )
        expected = {k: d.as_json() | {"columns": dict(d.columns), "key": list(d.key)} for k, d in digests.items()}
        say(f"snapshot: {len(expected)} table(s), {sum(e['rows'] for e in expected.values())} row(s), digested")
    wait_export(ctx, export_id, waiting=waiting)
    with tempfile.TemporaryDirectory(prefix="led-exit-") as tmp:
        root = download_export(
            ctx, export_id, Path(workdir) if workdir else Path(tmp), bucket=bucket, progress=progress
        )
        return verify_and_load(
            result_line, progress, root, expected=expected, to_postgres=to_postgres, quiet=progress.quiet
        )


def verify(
    ctx: Context | None,
    *,
    source_dir: str | Path | None,
    export_id: str | None,
    expected_counts: str | Path | None,
    to_postgres: str | None,
    workdir: str | Path | None,
    out: Callable[[str], None],
    progress: Callable[[str], None] | None = None,
    quiet: bool = False,
) -> int:
    bar = Progress.auto(quiet=quiet)
    expected = read_counts(expected_counts) if expected_counts else None
    if source_dir is not None:
        return verify_and_load(out, bar, Path(source_dir), expected=expected, to_postgres=to_postgres, quiet=quiet)
    if ctx is None or export_id is None:
        raise UsageError("exit-drill verify: give --from DIR, or ENV and --export-id ID")
    with tempfile.TemporaryDirectory(prefix="led-exit-") as tmp:
        root = download_export(ctx, export_id, Path(workdir) if workdir else Path(tmp), progress=bar)
        return verify_and_load(out, bar, root, expected=expected, to_postgres=to_postgres, quiet=quiet)
