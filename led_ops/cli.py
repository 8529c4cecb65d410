"""The `led-ops` command line: one entry point, one subcommand per operation.

Exit codes (also in `led-ops --help` and the README):
  0  done; every check passed (or a dry run / plan printed)
  1  a check failed: the evidence shows a violation, or a drill's verification failed
  2  usage or configuration error
  3  AWS credentials missing, wrong account, wrong region, or access denied
  4  an AWS job (restore, export, copy) failed or timed out, or another AWS call failed
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import botocore.exceptions

from config import ConfigError, EnvironmentConfig, load_config, select_environments
from contract import names
from led_ops import errors
from led_ops.aws import connect, describe_client_error
from led_ops.wait import Waiting

if TYPE_CHECKING:
    from led_ops.restore_drill import DrillOptions

EXIT_CODES = """exit codes:
  0  done; every check passed (or a dry run / plan printed)
  1  a check failed: the evidence shows a violation, or a drill's verification failed
  2  usage or configuration error
  3  AWS credentials missing, wrong account, wrong region, or access denied
  4  an AWS job (restore, export, copy) failed or timed out, or another AWS call failed"""

DRY_RUN = "Without --execute nothing is changed in AWS: the steps are printed (a dry run)."
QUIET = "print the result only: no plan, status lines or progress bars"


def _common(parser: argparse.ArgumentParser, *, env: bool = True, wait: bool = False) -> None:
    if env:
        parser.add_argument("env", metavar="ENV", help="environment name from the configuration (dev, acc, prod...)")
    parser.add_argument(
        "--config", metavar="PATH", help="configuration file (default: the embedded config/environments.toml)"
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="AWS profile for the workload account (default: the usual chain)"
    )
    if wait:
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="seconds between status checks of a long AWS job (default 30)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=4 * 3600.0,
            metavar="SECONDS",
            help="give up waiting on an AWS job after this many seconds (default 14400); exit code 4",
        )


def _restore_options(parser: argparse.ArgumentParser, restore: str) -> None:
    """The options of a drill's restore of a recovery point: restore-drill validates it, exit-drill run counts it."""
    parser.add_argument(
        "--restore-role-arn", metavar="ARN", help=f"role AWS Backup uses for {restore} (default: led-ENV-ops-backup)"
    )
    parser.add_argument(
        "--db-user",
        default=names.RESTORE_VALIDATOR_ROLE,
        metavar="ROLE",
        help=f"database role for {restore}, IAM authentication (default {names.RESTORE_VALIDATOR_ROLE})",
    )
    parser.add_argument(
        "--db-host", metavar="HOST", help="connect here instead of the endpoint (e.g. an SSM port forward)"
    )
    parser.add_argument("--db-port", type=int, metavar="PORT", help="port for --db-host")


def _sub(subparsers, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    return subparsers.add_parser(
        name,
        help=summary,
        description=f"{summary}\n\n{description}",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _drill(
    subparsers, name: str, summary: str, description: str, *, execute: str, recovery_point: str
) -> argparse.ArgumentParser:
    """A drill's subcommand: a dry run unless --execute, waiting on AWS jobs, restoring the newest
    recovery point unless --recovery-point names another (read back by _drill_options)."""
    p = _sub(subparsers, name, summary, f"{description} {DRY_RUN}")
    _common(p, wait=True)
    p.add_argument("--execute", action="store_true", help=execute)
    p.add_argument("--recovery-point", metavar="ARN", help=recovery_point)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="led-ops",
        description="Operations of the LED landing zone: backup evidence, restore and exit drills, re-encryption.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _sub(
        commands,
        "backup-status",
        "recovery points per protected resource, as VTC evidence",
        "Lists every recovery point (vault, account, region, creation date, KMS key and the age of its key\n"
        "material) in the primary vault and the remote vault(s), and checks VTC-BACKUP-RETENTION,\n"
        "VTC-BACKUP-ELSEWHERE and VTC-NO-STALE-BACKUP. Read-only.",
    )
    _common(p)
    p.add_argument(
        "--remote-role-arn",
        metavar="ARN",
        help="read role in the backup account: list the remote vault itself (default: completed copy jobs)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _sub(
        commands,
        "key-usage",
        "every use of the FB keys, from the archived CloudTrail logs (AHOVOKS, log archive account)",
        "Reads the CloudTrail log files of the workload and key custody accounts in the log archive\n"
        "(run with the led-ENV-log-auditor role) or in a local folder (--from), counts every use of\n"
        "each FB key per day, principal, service and operation, and flags the uses outside the allowed\n"
        "paths: direct cryptographic use by a role, a use from another account, key administration.\n"
        "Exit code 1 when anything is flagged or unreadable, or when the period has no log file. Read-only.",
    )
    _common(p)
    p.add_argument("--since", metavar="YYYY-MM-DD", help="first day (default: six days before --until)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="last day, inclusive (default: today, UTC)")
    p.add_argument("--from", dest="source_dir", metavar="DIR", help="read downloaded log files from this folder")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table", help="output (default table)")

    p = _drill(
        commands,
        "restore-drill",
        "restore the latest recovery point, validate it, delete it",
        "Starts an AWS Backup restore job of the newest recovery point into the database's isolated\n"
        "subnets, waits, runs the SQL validation of the scheduled restore test, reports and deletes the\n"
        "restored instance (VTC-BACKUP-ENVIRONMENT).",
        execute="really start the restore (default: dry run)",
        recovery_point="restore this recovery point instead of the newest one",
    )
    p.add_argument(
        "--checks",
        metavar="FILE",
        help="override the configured drills.* expectations; JSON: expected_tables, min_rows, "
        "max_newest_age_days, newest_column",
    )
    p.add_argument(
        "--counts-out",
        metavar="FILE",
        help="write the evidence file: row count and content digest of every table (for exit-drill --expected-counts)",
    )
    p.add_argument("--quiet", action="store_true", help=QUIET)
    _restore_options(p, "the restore")

    exit_drill = _sub(
        commands,
        "exit-drill",
        "export the data as Parquet and prove it can leave (VTC-EXIT)",
        "exit-drill ENV is short for exit-drill run ENV.",
    )
    actions = exit_drill.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = _drill(
        actions,
        "run",
        "export the latest recovery point to the exit bucket and verify it",
        "Starts an RDS snapshot export (Parquet) into led-ENV-exit-ACCOUNT-REGION, waits, and verifies:\n"
        "every table exported, every file readable as Parquet, row counts equal to the snapshot's\n"
        "(counted on a restore of the same recovery point, or read from --expected-counts).",
        execute="really start the export (default: dry run)",
        recovery_point="export this recovery point (an RDS snapshot ARN)",
    )
    p.add_argument("--export-id", metavar="ID", help="export task identifier (default: led-ENV-exit-TIMESTAMP)")
    p.add_argument(
        "--expected-counts",
        metavar="FILE",
        help="evidence file of restore-drill --counts-out (or JSON {schema.table: rows}) instead of a counting restore",
    )
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.add_argument("--workdir", metavar="DIR", help="keep the downloaded export here (default: a temporary folder)")
    p.add_argument("--to-postgres", metavar="DSN", help="also load the export into this PostgreSQL and compare counts")
    _restore_options(p, "the counting restore")
    p = _sub(
        actions,
        "verify",
        "verify an export; --to-postgres loads it into another PostgreSQL",
        "Verifies an export folder (--from DIR, in the RDS export layout) or an export in the exit bucket\n"
        "(ENV --export-id ID): metadata COMPLETE for every table, Parquet readable, row counts. With\n"
        "--to-postgres DSN the Parquet is loaded into that PostgreSQL and its counts compared: the proof\n"
        "that the data can leave. Read-only in AWS.",
    )
    p.add_argument("env", metavar="ENV", nargs="?", help="environment (needed with --export-id)")
    p.add_argument("--config", metavar="PATH", help="configuration file (default: the embedded one)")
    p.add_argument("--profile", metavar="NAME", help="AWS profile for the workload account")
    p.add_argument("--from", dest="source_dir", metavar="DIR", help="a local export folder (the <export id>/ level)")
    p.add_argument("--export-id", metavar="ID", help="an export in the environment's exit bucket")
    p.add_argument(
        "--expected-counts",
        metavar="FILE",
        help="the snapshot's evidence file (restore-drill --counts-out), or JSON {schema.table: rows}",
    )
    p.add_argument("--to-postgres", metavar="DSN", help="load into this PostgreSQL and compare counts and digests")
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.add_argument("--workdir", metavar="DIR", help="download folder for --export-id (default: temporary)")

    reencrypt = _sub(
        commands,
        "reencrypt",
        "move the database and every recovery point to a new key",
        "plan prints the steps and changes nothing; run carries them out with --execute.",
    )
    actions = reencrypt.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, summary in (
        ("plan", "print the re-encryption steps; changes nothing"),
        ("run", "carry out the re-encryption steps (with --execute), printing each"),
    ):
        p = _sub(
            actions,
            action,
            summary,
            "Database: snapshot, copy under the new key, verify, then the switch plan. Recovery points: a\n"
            "vault under the new key, a copy job each, verified; old-key points expire by lifecycle.\n"
            "Nothing is deleted before its replacement is verified (VTC-KEY-REENCRYPT, VTC-NO-STALE-BACKUP)."
            + ("" if action == "plan" else " " + DRY_RUN),
        )
        _common(p, wait=action == "run")
        p.add_argument("--new-key", required=True, metavar="ARN", help="the new KMS key (key custody account)")
        p.add_argument("--new-vault", metavar="NAME", help="vault under the new key (default: led-ENV-vault-KEYID8)")
        if action == "run":
            p.add_argument("--execute", action="store_true", help="really change AWS (default: dry run)")
    return parser


def _normalise(argv: list[str]) -> list[str]:
    # `exit-drill ENV` is the documented short form of `exit-drill run ENV`.
    if len(argv) >= 2 and argv[0] == "exit-drill" and argv[1] not in ("run", "verify") and not argv[1].startswith("-"):
        return [argv[0], "run", *argv[1:]]
    return argv


def _environment(args: argparse.Namespace) -> EnvironmentConfig:
    config = load_config(args.config)
    return select_environments(config, [args.env])[0]


def _waiting(args: argparse.Namespace) -> Waiting:
    return Waiting(interval=args.poll_interval, timeout=args.timeout)


def _drill_options(args: argparse.Namespace) -> DrillOptions:
    """The options every drill has (_drill, --quiet, _restore_options), as both drills take them."""
    from led_ops import restore_drill

    def connector(ctx, instance, source):
        return restore_drill.default_connector(
            ctx, instance, source, user=args.db_user, host=args.db_host, port=args.db_port
        )

    return restore_drill.DrillOptions(
        execute=args.execute,
        waiting=_waiting(args),
        recovery_point_arn=args.recovery_point,
        role_arn=args.restore_role_arn,
        connector=connector,
        quiet=args.quiet,
    )


def _key_usage(args: argparse.Namespace) -> int:
    from pathlib import Path

    from led_ops import key_usage
    from led_ops.aws import check_account, open_session

    env = _environment(args)
    since, until = key_usage.period(args.since, args.until)
    if args.source_dir is not None:
        files = key_usage.dir_files(Path(args.source_dir))
    else:
        # AHOVOKS reads its own archive: the credentials must be the log archive account's.
        session = open_session(env, profile=args.profile)
        check_account(session, env, expected=env.accounts.log_archive, role="log archive")
        s3 = session.client("s3", region_name=env.region)
        files = key_usage.s3_files(s3, env.log_archive_bucket_name, key_usage.archive_accounts(env), since, until)
    return key_usage.run(env, files, since=since, until=until, output=args.format)


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "exit-drill" and args.action == "verify":
        from led_ops.exit_drill import drill

        ctx = None
        if args.export_id is not None:
            if args.env is None:
                raise errors.UsageError("exit-drill verify --export-id needs ENV")
            ctx = connect(_environment(args), profile=args.profile)
        elif args.source_dir is None:
            raise errors.UsageError("exit-drill verify: give --from DIR, or ENV and --export-id ID")
        return drill.verify(
            ctx,
            source_dir=args.source_dir,
            export_id=args.export_id,
            expected_counts=args.expected_counts,
            to_postgres=args.to_postgres,
            workdir=args.workdir,
            out=lambda line: print(line, flush=True),
            quiet=args.quiet,
        )
    if args.command == "key-usage":
        return _key_usage(args)
    env = _environment(args)
    ctx = connect(env, profile=args.profile)
    if args.command == "backup-status":
        from led_ops import backup_status

        return backup_status.run(ctx, remote_role_arn=args.remote_role_arn, output="json" if args.json else "text")
    if args.command == "restore-drill":
        from led_ops import restore_drill

        expectations = (
            restore_drill.Expectations.load(args.checks) if args.checks else restore_drill.Expectations.from_config(env)
        )
        return restore_drill.run(ctx, _drill_options(args), expectations=expectations, counts_out=args.counts_out)
    if args.command == "exit-drill":
        from led_ops.exit_drill import drill

        return drill.run(
            ctx,
            _drill_options(args),
            export_id=args.export_id,
            expected_counts=args.expected_counts,
            workdir=args.workdir,
            to_postgres=args.to_postgres,
        )
    if args.command == "reencrypt":
        from led_ops import reencrypt

        plan_only = args.action == "plan"
        waiting = Waiting() if plan_only else _waiting(args)
        return reencrypt.run(
            ctx,
            new_key=args.new_key,
            execute=getattr(args, "execute", False),
            waiting=waiting,
            new_vault=args.new_vault,
            plan_only=plan_only,
        )
    raise errors.UsageError(f"unknown command {args.command!r}")  # argparse refuses it before this


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_normalise(list(sys.argv[1:] if argv is None else argv)))
    try:
        return dispatch(args)
    except ConfigError as exc:
        return _fail(str(exc), errors.USAGE)
    except errors.OpsError as exc:
        return _fail(str(exc), exc.exit_code)
    except botocore.exceptions.ClientError as exc:
        code, line = describe_client_error(exc)
        return _fail(line, code)
    except (
        botocore.exceptions.NoCredentialsError,
        botocore.exceptions.PartialCredentialsError,
        botocore.exceptions.ProfileNotFound,
        botocore.exceptions.CredentialRetrievalError,
        botocore.exceptions.TokenRetrievalError,
        botocore.exceptions.SSOError,
    ) as exc:
        return _fail(f"AWS credentials: {exc}", errors.AWS_ACCESS)
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError) as exc:
        return _fail(f"cannot reach AWS: {exc}", errors.AWS_ACCESS)


def _fail(line: str, code: int) -> int:
    print(f"led-ops: {line}", file=sys.stderr, flush=True)
    return code
