"""Deterministic names shared with the CDK app: another account or a drill must know them in advance."""

from __future__ import annotations

from config import EnvironmentConfig


def database_id(env: EnvironmentConfig) -> str:
    return env.resource_name("db")


def database_arn(env: EnvironmentConfig) -> str:
    return f"arn:{env.partition}:rds:{env.region}:{env.accounts.workload}:db:{database_id(env)}"


def vault_name(env: EnvironmentConfig) -> str:
    return env.resource_name("vault")


def remote_vault_name(env: EnvironmentConfig) -> str:
    return env.resource_name("remote-vault")


def remote_vault_arn(env: EnvironmentConfig, region: str) -> str:
    return f"arn:{env.partition}:backup:{region}:{env.accounts.backup}:backup-vault:{remote_vault_name(env)}"


def remote_regions(env: EnvironmentConfig) -> list[str]:
    """Every region with a remote vault: the primary region, plus the secondary one if configured."""
    regions = [env.region]
    if env.backup.secondary_region is not None:
        regions.append(env.backup.secondary_region)
    return regions


def exit_bucket(env: EnvironmentConfig) -> str:
    return env.exit_bucket_name


def export_role_arn(env: EnvironmentConfig) -> str:
    return f"arn:{env.partition}:iam::{env.accounts.workload}:role/{env.resource_name('exit-export')}"


def restore_role_arn(env: EnvironmentConfig) -> str:
    """The role AWS Backup assumes for an on-demand restore or copy job started by led-ops."""
    return f"arn:{env.partition}:iam::{env.accounts.workload}:role/{env.resource_name('ops-backup')}"


DRILL_PREFIX = "led-drill-"


def drill_instance_id(env: EnvironmentConfig, stamp: str) -> str:
    # Never the database's own identifier: the drill deletes what it restored, and only that.
    return f"{DRILL_PREFIX}{env.name}-{stamp}"
