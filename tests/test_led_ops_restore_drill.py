"""restore-drill: AWS Backup restore (Stubber), RDS (moto), validation over a real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import boto3
import psycopg
import pytest

from led_ops import restore_drill
from led_ops.errors import DrillError, UsageError
from led_ops.wait import Waiting
from tests.led_ops_aws import Backup, context, create_database, create_fb_key, mocked_aws
from tests.pg import new_database

DB = "arn:aws:rds:eu-west-1:444455556666:db:led-dev-db"
STAMP = "20261129010203"
DRILL = f"led-drill-dev-{STAMP}"
FAST = Waiting(interval=0.001, timeout=5)


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with mocked_aws(monkeypatch, tmp_path):
        key = create_fb_key()
        create_database(key)
        yield key


def _restored_by_aws_backup() -> None:
    """What the restore job does in AWS: an instance from the recovery point's snapshot (moto)."""
    rds = boto3.client("rds", region_name="eu-west-1")
    rds.create_db_snapshot(DBInstanceIdentifier="led-dev-db", DBSnapshotIdentifier="led-dev-nightly")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=DRILL, DBSnapshotIdentifier="led-dev-nightly")


def _restored_data(dsn: str, *, newest_days_ago: int = 1) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE public.qualifications (id bigint, registered_at timestamptz)")
        conn.execute(
            "INSERT INTO public.qualifications SELECT g, now() - make_interval(days => %s) "
            "FROM generate_series(1, 42) g",
            (newest_days_ago,),
        )


def _digest_by_hand(dsn: str) -> str:
    """The documented digest recomputed in Python from the rows: md5 of "<id>\\t<UTC time>" per row,
    first 64 bits, summed mod 2^64."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, registered_at FROM public.qualifications").fetchall()
    total = 0
    for id_, at in rows:
        text = f"{id_}\t{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
        total += int(hashlib.md5(text.encode()).hexdigest()[:16], 16)
    return f"{total % 2**64:016x}"


def _instances() -> list[str]:
    rds = boto3.client("rds", region_name="eu-west-1")
    return [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]


def _point(backup: Backup, key: str, days: int) -> dict:
    return backup.rds_point(created=datetime.now(UTC) - timedelta(days=days), key_arn=key)


def _drill(ctx, *, counts_out=None, **options) -> int:
    """An executed drill with the configured expectations, fast polling and the fixed stamp."""
    return restore_drill.run(
        ctx,
        restore_drill.DrillOptions(execute=True, waiting=FAST, stamp=STAMP, **options),
        expectations=restore_drill.Expectations.from_config(ctx.env),
        counts_out=counts_out,
    )


def _one_point_restored(backup: Backup, key: str, *, statuses: list[str]) -> None:
    """One recovery point, of today; its restore job goes through `statuses`."""
    point = _point(backup, key, 0)
    backup.expect_by_resource(DB, [point])
    backup.expect_restore(point, DRILL, statuses=statuses)


def _newest_of_three_restored(backup: Backup, key: str) -> list[dict]:
    """Three recovery points, the newest in the middle: the drill must restore that one."""
    points = [_point(backup, key, d) for d in (2, 0, 1)]
    backup.expect_by_resource(DB, points)
    backup.expect_restore(points[1], DRILL, statuses=["PENDING", "RUNNING", "COMPLETED"])
    return points


@pytest.fixture
def restored_dsn(aws, postgres_dsn) -> str:
    """The database the restore job brings up: its data in PostgreSQL, its instance in moto."""
    dsn = new_database(postgres_dsn)
    _restored_data(dsn)
    _restored_by_aws_backup()
    return dsn


def test_drill_restores_the_newest_point_validates_and_deletes(aws, tmp_path, restored_dsn):
    with Backup() as backup:
        points = _newest_of_three_restored(backup, aws)
        ctx = context(backup=backup)
        seen = {}

        def connector(ctx, instance, source):
            seen.update(instance=instance["DBInstanceIdentifier"], source=source["DBInstanceIdentifier"])
            return psycopg.connect(restored_dsn)

        code = _drill(
            ctx,
            connector=connector,
            counts_out=tmp_path / "counts.json",
        )
        backup.assert_done()
    out = ctx.out.getvalue()
    assert code == 0, out
    assert points[1]["RecoveryPointArn"] in out  # the newest one
    assert seen == {"instance": DRILL, "source": "led-dev-db"}
    assert "PASS" in out and "restore drill PASSED" in out
    assert DRILL not in _instances() and "led-dev-db" in _instances()
    evidence = json.loads((tmp_path / "counts.json").read_text())
    assert evidence["format"] == "led-ops-evidence/1" and evidence["recovery_point"] == points[1]["RecoveryPointArn"]
    table = evidence["tables"]["public.qualifications"]
    assert table["rows"] == 42 and table["columns"] == {"id": "bigint", "registered_at": "timestamp with time zone"}
    assert table["digest"] == _digest_by_hand(restored_dsn)
    assert "restore job D2B4D4E4-2A2D-7A1E-3C5B-1E2F9A8B7C6D: RUNNING" in ctx.err.getvalue()


def test_quiet_prints_the_result_only(aws, tmp_path, restored_dsn):
    with Backup() as backup:
        _newest_of_three_restored(backup, aws)
        ctx = context(backup=backup)
        code = _drill(
            ctx,
            connector=lambda ctx, instance, source: psycopg.connect(restored_dsn),
            counts_out=tmp_path / "evidence.json",
            quiet=True,
        )
        backup.assert_done()
    assert code == 0
    assert ctx.out.getvalue() == "restore drill PASSED (VTC-BACKUP-ENVIRONMENT)\n" and ctx.err.getvalue() == ""
    assert json.loads((tmp_path / "evidence.json").read_text())["tables"]["public.qualifications"]["rows"] == 42


def test_an_evidence_file_in_a_missing_folder_is_refused_before_restoring(aws, tmp_path):
    ctx = context()
    with pytest.raises(UsageError, match="--counts-out .*: no such directory for the evidence file"):
        _drill(
            ctx,
            recovery_point_arn="arn:aws:rds:eu-west-1:444455556666:snapshot:awsbackup:job-1",
            counts_out=tmp_path / "missing" / "evidence.json",
        )


def test_a_failed_validation_exits_1_and_still_deletes(aws, postgres_dsn):
    dsn = new_database(postgres_dsn)  # no tables at all
    _restored_by_aws_backup()
    with Backup() as backup:
        _one_point_restored(backup, aws, statuses=["COMPLETED"])
        ctx = context(backup=backup)
        code = _drill(
            ctx,
            connector=lambda *_: psycopg.connect(dsn),
        )
    assert code == 1
    assert "FAIL" in ctx.out.getvalue() and "restore drill FAILED" in ctx.out.getvalue()
    assert DRILL not in _instances()


def test_the_overrides_keep_the_restore_private_in_the_data_tier(aws):
    source = boto3.client("rds", region_name="eu-west-1").describe_db_instances()["DBInstances"][0]
    overrides = restore_drill.restore_overrides(source, DRILL)
    assert overrides["dbinstanceidentifier"] == DRILL
    assert overrides["publiclyaccessible"] == "false" and overrides["multiaz"] == "false"
    assert overrides["deletionprotection"] == "false"
    groups = [g["VpcSecurityGroupId"] for g in source["VpcSecurityGroups"]]
    assert json.loads(overrides["vpcsecuritygroupids"]) == groups


def test_dry_run_starts_nothing(aws):
    with Backup() as backup:
        backup.expect_by_resource(DB, [_point(backup, aws, 0)])
        ctx = context(backup=backup)
        options = restore_drill.DrillOptions(execute=False, waiting=FAST, stamp=STAMP)
        assert restore_drill.run(ctx, options, expectations=restore_drill.Expectations()) == 0
        backup.assert_done()  # no start_restore_job was queued, none was called
    assert "dry run" in ctx.out.getvalue() and DRILL in ctx.out.getvalue()


def test_a_failed_restore_job_is_exit_4_material_and_deletes_nothing(aws):
    with Backup() as backup:
        _one_point_restored(backup, aws, statuses=["RUNNING", "FAILED"])
        ctx = context(backup=backup)
        with pytest.raises(DrillError, match="FAILED: Backup job failed: insufficient capacity") as exc:
            restore_drill.run(
                ctx,
                restore_drill.DrillOptions(
                    execute=True,
                    waiting=FAST,
                    connector=lambda *_: pytest.fail("no connection after a failed restore"),
                    stamp=STAMP,
                ),
                expectations=restore_drill.Expectations(),
            )
    assert exc.value.exit_code == 4
    assert _instances() == ["led-dev-db"]


def test_a_restore_that_takes_too_long_times_out(aws):
    with Backup() as backup:
        _one_point_restored(backup, aws, statuses=["RUNNING", "RUNNING"])
        ctx = context(backup=backup)
        with pytest.raises(DrillError, match="timed out after 0.002s"):
            restore_drill.run(
                ctx,
                restore_drill.DrillOptions(execute=True, waiting=Waiting(interval=0.002, timeout=0.002), stamp=STAMP),
                expectations=restore_drill.Expectations(),
            )


def test_no_recovery_point_is_a_clear_failure(aws):
    with Backup() as backup:
        backup.expect_by_resource(DB, [])
        with pytest.raises(DrillError, match="no completed recovery point of .*led-dev-db in vault led-dev-vault"):
            restore_drill.run(
                context(backup=backup),
                restore_drill.DrillOptions(execute=False, waiting=FAST),
                expectations=restore_drill.Expectations(),
            )


def test_only_drill_instances_are_ever_deleted(aws):
    with pytest.raises(DrillError, match="refusing to delete led-dev-db"):
        restore_drill.delete_restored(context(), "led-dev-db", waiting=FAST)
    assert "led-dev-db" in _instances()


def test_the_connection_signs_in_with_an_iam_token(aws):
    ctx = context()
    instance = {
        "DBInstanceIdentifier": DRILL,
        "DBName": "led",
        "Endpoint": {"Address": f"{DRILL}.abc.eu-west-1.rds.amazonaws.com", "Port": 5432},
    }
    params = restore_drill.connection_parameters(ctx, instance, {})
    assert params["user"] == "led_restore_validator" and params["dbname"] == "led"
    token = parse_qs(urlparse("https://" + params["password"]).query)
    assert token["Action"] == ["connect"] and token["DBUser"] == ["led_restore_validator"]


def test_an_instance_that_never_becomes_available_is_still_deleted(aws, monkeypatch):
    _restored_by_aws_backup()
    rds = boto3.client("rds", region_name="eu-west-1")
    with Backup() as backup:
        _one_point_restored(backup, aws, statuses=["COMPLETED"])
        ctx = context(backup=backup)
        real = ctx.client("rds").describe_db_instances

        def describe(**kwargs):
            found = real(**kwargs)
            for instance in found["DBInstances"]:
                if instance["DBInstanceIdentifier"] == DRILL:
                    instance["DBInstanceStatus"] = "incompatible-restore"
            return found

        monkeypatch.setattr(ctx.client("rds"), "describe_db_instances", describe)
        with pytest.raises(DrillError, match="is incompatible-restore"):
            options = restore_drill.DrillOptions(execute=True, waiting=FAST, stamp=STAMP)
            restore_drill.run(ctx, options, expectations=restore_drill.Expectations())
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["led-dev-db"]
