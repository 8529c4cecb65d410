"""exit-drill: the export is verified, and loaded into a real PostgreSQL (the "other platform")."""

from __future__ import annotations

import json

import boto3
import psycopg
import pytest

from led_ops import cli
from led_ops.errors import DrillError
from led_ops.exit_drill import drill, export
from led_ops.restore_drill import DrillOptions
from led_ops.wait import Waiting
from tests.led_ops_aws import context, create_database, create_fb_key, mocked_aws
from tests.led_ops_export import write_export
from tests.pg import new_database

ROWS = {"public.learner": 7, "public.diploma": 25, "public.audit_note": 0}
FAST = Waiting(interval=0.001, timeout=5)


def _counts(tmp_path, counts):
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(counts))
    return str(path)


def _target_counts(dsn):
    with psycopg.connect(dsn) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("public.learner", "public.diploma")
        }


def _verify_into(tmp_path, folder, target, *, snapshot_counts) -> int:
    """`exit-drill verify` of a local export, loaded into `target` and compared with the snapshot's counts."""
    return cli.main(
        [
            "exit-drill",
            "verify",
            "--from",
            str(folder),
            "--to-postgres",
            target,
            "--expected-counts",
            _counts(tmp_path, snapshot_counts),
        ]
    )


def test_verify_and_load_into_postgres(tmp_path, postgres_dsn, capsys):
    folder = write_export(tmp_path, "led-dev-exit-1", ROWS)
    target = new_database(postgres_dsn)
    code = _verify_into(tmp_path, folder, target, snapshot_counts=ROWS)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS row counts equal to the snapshot's: 32 row(s) exported" in out
    assert "PASS loaded into another PostgreSQL, counts equal" in out
    assert _target_counts(target) == {"public.learner": 7, "public.diploma": 25}
    with psycopg.connect(target) as conn:
        grade, registered = conn.execute("SELECT grade, registered_at FROM public.diploma WHERE id = 2").fetchone()
    assert str(grade) == "15.50" and registered.year == 2018 and registered.tzinfo is not None


def test_a_count_mismatch_with_the_snapshot_fails(tmp_path, postgres_dsn, capsys):
    folder = write_export(tmp_path, "led-dev-exit-2", ROWS)
    snapshot = {**ROWS, "public.diploma": 26}
    code = _verify_into(tmp_path, folder, new_database(postgres_dsn), snapshot_counts=snapshot)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL row counts equal to the snapshot's" in out and "public.diploma: exported 25, snapshot 26" in out
    assert "FAIL loaded into another PostgreSQL" in out and "exit drill FAILED" in out


def test_a_target_that_ends_up_with_other_counts_fails(tmp_path, postgres_dsn, capsys):
    folder = write_export(tmp_path, "led-dev-exit-3", ROWS)
    target = new_database(postgres_dsn)
    with psycopg.connect(target) as conn:  # the other platform already holds a learner
        conn.execute("CREATE TABLE public.learner (national_register_number text, name text, born date)")
        conn.execute("INSERT INTO public.learner VALUES ('00.00.00-000.00', 'Someone', '2000-01-01')")
    assert cli.main(["exit-drill", "verify", "--from", str(folder), "--to-postgres", target]) == 1
    out = capsys.readouterr().out
    assert "public.learner: PostgreSQL 8, expected 7" in out


def test_missing_table_and_unreadable_parquet_fail(tmp_path, capsys):
    folder = write_export(tmp_path, "led-dev-exit-4", ROWS)
    broken = next((folder / "led" / "public.diploma").rglob("*.parquet"))
    broken.write_bytes(b"PAR1 this is not parquet")
    snapshot = {**ROWS, "public.certificate": 3}
    code = cli.main(["exit-drill", "verify", "--from", str(folder), "--expected-counts", _counts(tmp_path, snapshot)])
    assert code == 1
    out = capsys.readouterr().out
    assert "FAIL every table of the snapshot exported" in out and "missing: public.certificate" in out
    assert "FAIL files readable as Parquet" in out and broken.name in out


def test_an_incomplete_table_fails(tmp_path, capsys):
    folder = write_export(tmp_path, "led-dev-exit-5", ROWS, status="FAILED")
    code = cli.main(["exit-drill", "verify", "--from", str(folder), "--expected-counts", _counts(tmp_path, ROWS)])
    assert code == 1
    assert "not COMPLETE: public.audit_note (FAILED)" in capsys.readouterr().out


def test_without_snapshot_counts_the_drill_does_not_pass(tmp_path, capsys):
    folder = write_export(tmp_path, "led-dev-exit-6", ROWS)
    assert cli.main(["exit-drill", "verify", "--from", str(folder)]) == 1
    assert "no snapshot counts to compare with" in capsys.readouterr().out


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with mocked_aws(monkeypatch, tmp_path):
        yield


def _snapshot_and_bucket() -> str:
    key = create_fb_key()
    create_database(key)
    rds = boto3.client("rds", region_name="eu-west-1")
    snapshot = rds.create_db_snapshot(DBInstanceIdentifier="led-dev-db", DBSnapshotIdentifier="led-dev-nightly")
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="led-dev-exit-444455556666-eu-west-1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return snapshot["DBSnapshot"]["DBSnapshotArn"]


def _upload(folder, export_id):
    s3 = boto3.client("s3", region_name="eu-west-1")
    for path in folder.rglob("*"):
        if path.is_file():
            s3.upload_file(
                str(path),
                "led-dev-exit-444455556666-eu-west-1",
                f"{export.EXPORT_PREFIX}/{export_id}/{path.relative_to(folder)}",
            )


def test_run_exports_waits_downloads_and_verifies(aws, tmp_path, postgres_dsn):
    snapshot_arn = _snapshot_and_bucket()
    # What RDS writes into the exit bucket when the export completes (moto runs no export).
    _upload(write_export(tmp_path / "written", "led-dev-exit-7", ROWS), "led-dev-exit-7")
    ctx = context()
    code = drill.run(
        ctx,
        DrillOptions(execute=True, waiting=FAST, recovery_point_arn=snapshot_arn),
        export_id="led-dev-exit-7",
        expected_counts=_counts(tmp_path, ROWS),
        workdir=tmp_path / "work",
        to_postgres=new_database(postgres_dsn),
    )
    out = ctx.out.getvalue()
    assert code == 0, out
    task = boto3.client("rds", region_name="eu-west-1").describe_export_tasks(ExportTaskIdentifier="led-dev-exit-7")[
        "ExportTasks"
    ][0]
    assert task["S3Bucket"] == "led-dev-exit-444455556666-eu-west-1" and task["S3Prefix"] == "exit-drill"
    assert task["IamRoleArn"] == "arn:aws:iam::444455556666:role/led-dev-exit-export"
    assert task["KmsKeyId"] == "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert "export led-dev-exit-7: COMPLETE" in ctx.err.getvalue()
    assert (tmp_path / "work" / "led-dev-exit-7" / "export_info_led-dev-exit-7.json").exists()


def test_run_without_execute_starts_nothing(aws, tmp_path):
    snapshot_arn = _snapshot_and_bucket()
    ctx = context()
    options = DrillOptions(execute=False, waiting=FAST, recovery_point_arn=snapshot_arn)
    assert drill.run(ctx, options, expected_counts=_counts(tmp_path, ROWS)) == 0
    assert "dry run" in ctx.out.getvalue()
    assert boto3.client("rds", region_name="eu-west-1").describe_export_tasks()["ExportTasks"] == []


def test_a_cancelled_export_is_a_job_failure(aws):
    snapshot_arn = _snapshot_and_bucket()
    ctx = context()
    export.start_export(ctx, snapshot_arn=snapshot_arn, export_id="led-dev-exit-8")
    boto3.client("rds", region_name="eu-west-1").cancel_export_task(ExportTaskIdentifier="led-dev-exit-8")
    with pytest.raises(DrillError, match="export led-dev-exit-8 CANCELED"):
        export.wait_export(ctx, "led-dev-exit-8", waiting=FAST)


def test_an_empty_export_location_is_a_job_failure(aws, tmp_path):
    _snapshot_and_bucket()
    with pytest.raises(DrillError, match="nothing under s3://led-dev-exit-444455556666-eu-west-1/exit-drill/none/"):
        export.download_export(context(), "none", tmp_path)
