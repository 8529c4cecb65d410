"""backup-status: the evidence for VTC-BACKUP-RETENTION, -ELSEWHERE and -NO-STALE-BACKUP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from led_ops import backup_status, cli
from tests.led_ops_aws import (
    BACKUP,
    Backup,
    client_factory,
    context,
    create_fb_key,
    mocked_aws,
)

DB = "arn:aws:rds:eu-west-1:444455556666:db:led-dev-db"
REMOTE = f"arn:aws:backup:eu-west-1:{BACKUP}:backup-vault:led-dev-remote-vault"


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with mocked_aws(monkeypatch, tmp_path):
        yield


def _days(n: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=n, hours=1)


def _three_generations_copied(backup: Backup, key: str, *, copy_key: str) -> None:
    """Daily points of the last three days in the primary vault, each copied to the remote vault under copy_key."""
    points = [backup.rds_point(created=_days(n), key_arn=key) for n in (0, 1, 2)]
    backup.expect_vault("led-dev-vault", points)
    backup.expect_copy_jobs(
        REMOTE,
        [
            backup.copy_job(p, destination_vault_arn=REMOTE, key_arn=copy_key, job_id=f"job-{i}")
            for i, p in enumerate(points)
        ],
    )


def test_three_generations_here_and_elsewhere_under_fresh_keys(aws):
    key = create_fb_key()
    remote_key = create_fb_key()
    with Backup() as backup:
        _three_generations_copied(backup, key, copy_key=remote_key)
        ctx = context(backup=backup)
        assert backup_status.run(ctx) == 0
        backup.assert_done()
    out = ctx.out.getvalue()
    assert "PASS VTC-BACKUP-RETENTION" in out and "3 completed recovery point(s)" in out
    assert "PASS VTC-BACKUP-ELSEWHERE" in out and f"account {BACKUP}" in out
    assert "PASS VTC-NO-STALE-BACKUP" in out
    # per recovery point: vault, account, region, date, key and its age
    assert "led-dev-remote-vault" in out and key in out and remote_key in out and " 0d " in out


def test_missing_generations_and_copies_fail(aws):
    key = create_fb_key()
    with Backup() as backup:
        points = [
            backup.rds_point(created=_days(0), key_arn=key),
            backup.rds_point(created=_days(1), key_arn=key, status="EXPIRED"),
        ]
        backup.expect_vault("led-dev-vault", points)
        backup.expect_copy_jobs(REMOTE, [])
        ctx = context(backup=backup)
        assert backup_status.run(ctx) == 1
    out = ctx.out.getvalue()
    assert "FAIL VTC-BACKUP-RETENTION" in out and "1 completed recovery point(s)" in out
    assert "FAIL VTC-BACKUP-ELSEWHERE" in out


def test_key_material_older_than_the_rotation_bound_is_stale(aws):
    key = create_fb_key()
    with Backup() as backup:
        points = [backup.rds_point(created=datetime.now(UTC) + timedelta(days=400 - n), key_arn=key) for n in (0, 1, 2)]
        backup.expect_vault("led-dev-vault", points)
        backup.expect_copy_jobs(REMOTE, [])
        ctx = context(backup=backup)
        # Seen 401 days after the key was created (and never rotated): past the 365-day bound.
        status = backup_status.collect(ctx, now=datetime.now(UTC) + timedelta(days=401))
    stale = [c for c in status.checks if c.condition == "VTC-NO-STALE-BACKUP"][0]
    assert not stale.ok and "3 recovery point(s) under key material older than 365 days" in stale.detail


def test_a_rotation_renews_the_key_generation(aws):
    key = create_fb_key(rotated_days_ago=[0])
    with Backup() as backup:
        later = datetime.now(UTC) + timedelta(minutes=5)
        backup.expect_vault("led-dev-vault", [backup.rds_point(created=later, key_arn=key)])
        backup.expect_copy_jobs(REMOTE, [])
        status = backup_status.collect(context(backup=backup), now=datetime.now(UTC) + timedelta(days=2))
    (point,) = status.points
    assert point.key_generation is not None and 1.9 < point.key_age_days < 2.1


def test_an_unreadable_key_is_not_evidence(aws):
    with Backup() as backup:
        missing = "arn:aws:kms:eu-west-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab"
        backup.expect_vault("led-dev-vault", [backup.rds_point(created=_days(n), key_arn=missing) for n in (0, 1, 2)])
        backup.expect_copy_jobs(REMOTE, [])
        status = backup_status.collect(context(backup=backup))
    stale = [c for c in status.checks if c.condition == "VTC-NO-STALE-BACKUP"][0]
    assert not stale.ok and "key age unknown for 3" in stale.detail and "NotFoundException" in stale.detail


def test_prod_checks_both_remote_regions(aws):
    key = create_fb_key()
    with Backup() as backup:
        backup.expect_vault(
            "led-prod-vault", [backup.rds_point(env="prod", created=_days(n), key_arn=key) for n in (0, 1, 2)]
        )
        for region in ("eu-west-1", "eu-central-1"):
            backup.expect_copy_jobs(f"arn:aws:backup:{region}:{BACKUP}:backup-vault:led-prod-remote-vault", [])
        status = backup_status.collect(context("prod", backup=backup))
        backup.assert_done()
    elsewhere = [c.detail for c in status.checks if c.condition == "VTC-BACKUP-ELSEWHERE"]
    assert len(elsewhere) == 2 and any("eu-central-1" in d for d in elsewhere)


def test_cli_json_output(aws, monkeypatch, capsys):
    key = create_fb_key()
    with Backup() as backup:
        _three_generations_copied(backup, key, copy_key=key)
        real_connect = cli.connect

        def connect(env, *, profile=None):
            ctx = real_connect(env, profile=profile)  # the real sts check, against moto
            ctx.client_factory = client_factory(ctx.session, backup)
            return ctx

        monkeypatch.setattr(cli, "connect", connect)
        assert cli.main(["backup-status", "dev", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and len(doc["recovery_points"]) == 6
    assert {c["condition"] for c in doc["checks"]} == {
        "VTC-BACKUP-RETENTION",
        "VTC-BACKUP-ELSEWHERE",
        "VTC-NO-STALE-BACKUP",
    }
