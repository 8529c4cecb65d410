"""The two commands: `exit-drill run` (export, evidence, verification) and `exit-drill verify`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from contract import names
from led_ops import load, restore_drill
from led_ops.aws import Context
from led_ops.errors import OK, UsageError
from led_ops.exit_drill.evidence import read_counts
from led_ops.exit_drill.export import EXPORT_PREFIX, download_export, start_export, wait_export
from led_ops.exit_drill.verification import verify_and_load
from led_ops.progress import Progress, results_only


def run(
    ctx: Context,
    options: restore_drill.DrillOptions,
    *,
    export_id: str | None = None,
    expected_counts: str | Path | None = None,
    workdir: str | Path | None = None,
    to_postgres: str | None = None,
) -> int:
    progress = Progress.auto(quiet=options.quiet, stream=ctx.err)
    with results_only(ctx, options.quiet) as result_line:
        env = ctx.env
        say = ctx.say
        recovery_point = restore_drill.chosen_recovery_point(ctx, options.recovery_point_arn)
        stamp = options.stamp or restore_drill.stamp_now()
        export_id = export_id or names.exit_export_id(env, stamp)
        snapshot_arn = recovery_point["RecoveryPointArn"]
        if ":snapshot:" not in snapshot_arn:
            raise UsageError(f"{snapshot_arn}: not an RDS snapshot recovery point; the export needs a snapshot ARN")
        expected = read_counts(expected_counts) if expected_counts else None
        bucket = env.exit_bucket_name
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
        if not options.execute:
            say("dry run: nothing started; add --execute to run the drill")
            return OK
        if to_postgres:
            load.check_target(to_postgres)  # a wrong DSN is found before anything starts in AWS
        start_export(ctx, snapshot_arn=snapshot_arn, export_id=export_id)
        say(f"export {export_id} started")
        if expected is None:
            expected = _restore_and_digest(ctx, recovery_point, options, stamp=stamp, progress=progress)
            say(f"snapshot: {len(expected)} table(s), {sum(e['rows'] for e in expected.values())} row(s), digested")
        wait_export(ctx, export_id, waiting=options.waiting)
        with tempfile.TemporaryDirectory(prefix="led-exit-") as tmp:
            root = download_export(
                ctx, export_id, Path(workdir) if workdir else Path(tmp), bucket=bucket, progress=progress
            )
            return verify_and_load(
                result_line, progress, root, expected=expected, to_postgres=to_postgres, quiet=progress.quiet
            )


def _restore_and_digest(
    ctx: Context,
    recovery_point: Mapping[str, Any],
    options: restore_drill.DrillOptions,
    *,
    stamp: str,
    progress: Progress,
) -> dict[str, dict[str, Any]]:
    """The snapshot's evidence, from restoring the same recovery point (the restore drill's machinery)."""
    env = ctx.env

    def count(instance: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        conn = options.connect(ctx, instance, source)
        try:
            return restore_drill.table_evidence(conn, progress=progress)
        finally:
            conn.close()

    digests = restore_drill.with_restored(
        ctx,
        recovery_point,
        instance_id=names.drill_instance_id(env, stamp),
        role_arn=options.restore_role_arn(env),
        waiting=options.waiting,
        use=count,
    )
    return {k: d.as_json() | {"columns": dict(d.columns), "key": list(d.key)} for k, d in digests.items()}


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
