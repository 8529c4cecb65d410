"""led-ops command line: --help everywhere, exit codes, one line instead of a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from led_ops import cli
from tests.led_ops_aws import BACKUP, Backup, clear_aws_environment, mocked_aws

HELP = [
    [],
    ["backup-status"],
    ["restore-drill"],
    ["exit-drill"],
    ["exit-drill", "run"],
    ["exit-drill", "verify"],
    ["reencrypt"],
    ["reencrypt", "plan"],
    ["reencrypt", "run"],
]


@pytest.mark.parametrize("words", HELP, ids=lambda w: " ".join(w) or "led-ops")
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([*words, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    assert "usage: led-ops" in out


def test_python_dash_m_runs_the_same_command():
    done = subprocess.run([sys.executable, "-m", "led_ops", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "backup-status" in done.stdout and "reencrypt" in done.stdout


def test_missing_arguments_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["reencrypt", "plan", "dev"])
    assert exc.value.code == 2
    assert "--new-key" in capsys.readouterr().err


def test_unknown_environment_is_one_line_exit_2(capsys):
    assert cli.main(["backup-status", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "environment 'nowhere'" in err and "Traceback" not in err


def test_bad_config_file_is_one_line_exit_2(tmp_path, capsys):
    assert cli.main(["backup-status", "dev", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_missing_credentials_one_line_exit_3(monkeypatch, tmp_path, capsys):
    clear_aws_environment(monkeypatch, tmp_path)
    assert cli.main(["backup-status", "dev"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("led-ops: AWS credentials missing") and err.count("\n") == 1


def test_unknown_profile_exit_3(monkeypatch, tmp_path, capsys):
    clear_aws_environment(monkeypatch, tmp_path)
    assert cli.main(["backup-status", "dev", "--profile", "nope"]) == 3
    assert "nope" in capsys.readouterr().err


def test_wrong_account_exit_3(monkeypatch, tmp_path, capsys):
    with mocked_aws(monkeypatch, tmp_path, account=BACKUP):
        assert cli.main(["backup-status", "dev"]) == 3
    err = capsys.readouterr().err
    assert f"account {BACKUP}" in err and "444455556666" in err and err.count("\n") == 1


def test_wrong_region_exit_3(monkeypatch, tmp_path, capsys):
    with mocked_aws(monkeypatch, tmp_path):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
        assert cli.main(["backup-status", "dev"]) == 3
    err = capsys.readouterr().err
    assert "wrong region" in err and "eu-west-1" in err


@pytest.mark.parametrize(("code", "status"), [("AccessDeniedException", 3), ("ServiceUnavailableException", 4)])
def test_aws_errors_are_one_line(monkeypatch, tmp_path, capsys, code, status):
    with mocked_aws(monkeypatch, tmp_path), Backup() as backup:
        backup.stub.add_client_error(
            "list_recovery_points_by_backup_vault",
            service_error_code=code,
            service_message="not for you",
            http_status_code=400,
        )
        real_connect = cli.connect

        def connect(env, *, profile=None):
            ctx = real_connect(env, profile=profile)
            ctx.client_factory = lambda service, region: backup.client
            return ctx

        monkeypatch.setattr(cli, "connect", connect)
        assert cli.main(["backup-status", "dev"]) == status
    err = capsys.readouterr().err
    assert code in err and "ListRecoveryPointsByBackupVault" in err and err.count("\n") == 1


def test_exit_drill_short_form_means_run():
    args = cli.build_parser().parse_args(cli._normalise(["exit-drill", "dev", "--execute"]))
    assert (args.command, args.action, args.env, args.execute) == ("exit-drill", "run", "dev", True)


def test_verify_without_a_source_is_a_usage_error(capsys):
    assert cli.main(["exit-drill", "verify"]) == 2
    assert "--from DIR" in capsys.readouterr().err


@pytest.fixture
def wired(monkeypatch, tmp_path):
    """main() against moto, with the AWS Backup client a Stubber (see tests/led_ops_aws.py)."""
    from tests.led_ops_aws import client_factory, create_database, create_fb_key

    with mocked_aws(monkeypatch, tmp_path), Backup() as backup:
        key = create_fb_key()
        create_database(key)
        real_connect = cli.connect

        def connect(env, *, profile=None):
            ctx = real_connect(env, profile=profile)  # the real account and region checks
            ctx.client_factory = client_factory(ctx.session, backup)
            return ctx

        monkeypatch.setattr(cli, "connect", connect)
        yield backup, key


def test_restore_drill_is_a_dry_run_by_default(wired, capsys):
    from datetime import UTC, datetime

    backup, key = wired
    backup.expect_by_resource(
        "arn:aws:rds:eu-west-1:444455556666:db:led-dev-db", [backup.rds_point(created=datetime.now(UTC), key_arn=key)]
    )
    assert cli.main(["restore-drill", "dev", "--poll-interval", "0.01"]) == 0
    out = capsys.readouterr().out
    # the configured expectations (drills.* of dev) are what would be validated
    assert "1 expected table(s)" in out and "dry run: nothing started" in out
    backup.assert_done()


def test_reencrypt_plan_through_main(wired, capsys):
    from tests.led_ops_aws import create_fb_key

    backup, key = wired
    new = create_fb_key()
    backup.stub.add_client_error(
        "describe_backup_vault",
        service_error_code="ResourceNotFoundException",
        service_message="Backup vault does not exist",
        http_status_code=400,
    )
    backup.expect_vault("led-dev-vault", [])
    assert cli.main(["reencrypt", "plan", "dev", "--new-key", new]) == 0
    out = capsys.readouterr().out
    assert "plan only: nothing changed" in out and f"under {key}" in out


def test_a_drill_error_is_exit_4_in_one_line(wired, capsys):
    backup, _ = wired
    backup.expect_by_resource("arn:aws:rds:eu-west-1:444455556666:db:led-dev-db", [])
    assert cli.main(["exit-drill", "dev", "--execute"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("led-ops: no completed recovery point") and err.count("\n") == 1


def test_a_bad_new_key_is_exit_2(wired, capsys):
    assert cli.main(["reencrypt", "plan", "dev", "--new-key", "alias/led-dev-data"]) == 2
    assert "allowed: a KMS key ARN" in capsys.readouterr().err
