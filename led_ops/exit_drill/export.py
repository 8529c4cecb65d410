"""The export in AWS: start an RDS snapshot export to the exit bucket, wait for it, download it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract import names
from led_ops.aws import Context
from led_ops.errors import DrillError
from led_ops.progress import Progress
from led_ops.wait import Waiting, wait_for

# The export role may write under this prefix of the exit bucket only (cdk_constructs/drills/exit.py).
EXPORT_PREFIX = names.EXIT_PREFIX
_FAILED = {"FAILED", "CANCELED", "CANCELLED", "CANCELING"}


def start_export(ctx: Context, *, snapshot_arn: str, export_id: str) -> dict[str, Any]:
    env = ctx.env
    return ctx.client("rds").start_export_task(
        ExportTaskIdentifier=export_id,
        SourceArn=snapshot_arn,
        S3BucketName=env.exit_bucket_name,
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
    bucket = bucket or ctx.env.exit_bucket_name
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
