"""Deterministic names: another account, a drill or led-ops must know them in advance."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig

DRILL_PREFIX = "led-drill-"
# Where AWS Config delivers in the log archive: its bucket policy and the recorder's role agree on it.
CONFIG_PREFIX = "config"
# The read-only database role the restore checks log in as (IAM authentication): the deploy-time
# audit setup creates it, the restore-test function and led-ops' restore drill connect as it.
RESTORE_VALIDATOR_ROLE = "led_restore_validator"
# The key prefix of the exit exports in the exit bucket: the export task writes there, led-ops reads.
EXIT_PREFIX = "exit-drill"


def resource_name(env_name: str, role: str) -> str:
    """The name of a resource (or stack) of one environment: led-<env>-<role>."""
    return f"led-{env_name}-{role}"


def stack_name(env: EnvironmentConfig, role: str) -> str:
    return resource_name(env.name, role)


def key_alias_name(env_name: str, purpose: str) -> str:
    return resource_name(env_name, purpose.replace("_", "-"))


def log_archive_bucket_name(env_name: str, log_archive_account: str, region: str) -> str:
    return f"{resource_name(env_name, 'log-archive')}-{log_archive_account}-{region}"


def trail_name(env: EnvironmentConfig) -> str:
    return env.resource_name("trail")


def _regional_arn(env: EnvironmentConfig, service: str, account: str, resource: str, partition: str | None) -> str:
    """An ARN in the environment's region. `partition`: the stacks pass the CDK's partition token."""
    return f"arn:{partition or env.partition}:{service}:{env.region}:{account}:{resource}"


def _trail_arn(env: EnvironmentConfig, account: str, name: str, partition: str | None) -> str:
    return _regional_arn(env, "cloudtrail", account, f"trail/{name}", partition)


def trail_arn(env: EnvironmentConfig, partition: str | None = None) -> str:
    """The workload account's trail."""
    return _trail_arn(env, env.accounts.workload, trail_name(env), partition)


def archive_access_trail_name(env: EnvironmentConfig) -> str:
    return env.resource_name("archive-access")


def archive_access_trail_arn(env: EnvironmentConfig, partition: str | None = None) -> str:
    """The log archive account's trail of reads of the archive."""
    return _trail_arn(env, env.accounts.log_archive, archive_access_trail_name(env), partition)


def config_recorder_role_name(env: EnvironmentConfig) -> str:
    return env.resource_name("config-recorder")


def key_custody_trail_name(env: EnvironmentConfig) -> str:
    return env.resource_name("key-custody-trail")


def key_custody_trail_arn(env: EnvironmentConfig, partition: str | None = None) -> str:
    return _trail_arn(env, env.accounts.key_custody, key_custody_trail_name(env), partition)


def key_custody_event_bus_name(env: EnvironmentConfig) -> str:
    return env.resource_name("key-custody-events")


def key_custody_event_bus_arn(env: EnvironmentConfig, partition: str | None = None) -> str:
    """The log archive account's bus that the key custody account forwards FB's key changes to."""
    return _regional_arn(
        env, "events", env.accounts.log_archive, f"event-bus/{key_custody_event_bus_name(env)}", partition
    )


def alarm_name(env: EnvironmentConfig, alarm: str) -> str:
    """A CloudWatch alarm of the workload's audit, from its construct id: led-<env>-alarm-root-activity."""
    return env.resource_name(f"alarm-{_kebab(alarm)}")


def audit_rule_name(env: EnvironmentConfig, rule: str) -> str:
    """An AWS Config rule of the workload's audit, from its construct id: led-<env>-vtc-rds-encrypted."""
    return env.resource_name(f"vtc-{_kebab(rule)}")


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def exit_bucket_name(env_name: str, workload_account: str, region: str) -> str:
    return f"{resource_name(env_name, 'exit')}-{workload_account}-{region}"


def database_id(env: EnvironmentConfig) -> str:
    return env.resource_name("db")


def database_arn(env: EnvironmentConfig) -> str:
    return f"arn:{env.partition}:rds:{env.region}:{env.accounts.workload}:db:{database_id(env)}"


def vault_name(env: EnvironmentConfig) -> str:
    return env.resource_name("vault")


def remote_vault_name(env: EnvironmentConfig) -> str:
    return env.resource_name("remote-vault")


def remote_vault_arn(env: EnvironmentConfig, region: str, partition: str | None = None) -> str:
    """`partition`: the stacks pass the CDK's partition token, led-ops the configured one."""
    return (
        f"arn:{partition or env.partition}:backup:{region}:{env.accounts.backup}:backup-vault:{remote_vault_name(env)}"
    )


def remote_regions(env: EnvironmentConfig) -> list[str]:
    """Every region with a remote vault: the primary region, plus the secondary one if configured."""
    regions = [env.region]
    if env.backup.secondary_region is not None:
        regions.append(env.backup.secondary_region)
    return regions


def export_role_arn(env: EnvironmentConfig) -> str:
    return f"arn:{env.partition}:iam::{env.accounts.workload}:role/{env.resource_name('exit-export')}"


def restore_role_arn(env: EnvironmentConfig) -> str:
    """The role AWS Backup assumes for an on-demand restore or copy job started by led-ops."""
    return f"arn:{env.partition}:iam::{env.accounts.workload}:role/{env.resource_name('ops-backup')}"


def drill_instance_id(env: EnvironmentConfig, stamp: str) -> str:
    # Never the database's own identifier: the drill deletes what it restored, and only that.
    return f"{DRILL_PREFIX}{env.name}-{stamp}"


def exit_export_id(env: EnvironmentConfig, stamp: str) -> str:
    """The export task of `led-ops exit-drill run` (the monthly function names its own by prefix)."""
    return env.resource_name(f"exit-{stamp}")


def reencrypt_snapshot_id(env: EnvironmentConfig, stamp: str) -> str:
    """The snapshot `led-ops reencrypt` takes of the database, still under the old key."""
    return env.resource_name(f"reencrypt-{stamp}")


def reencrypted_snapshot_id(env: EnvironmentConfig, stamp: str) -> str:
    """Its copy under the new key, which the database is restored from in the change window."""
    return env.resource_name(f"reencrypted-{stamp}")


def reencrypt_vault_name(env: EnvironmentConfig, new_key_arn: str) -> str:
    """The vault under the new key that `led-ops reencrypt` copies the recovery points into, unless
    told another: the vault's own name and the first characters of the key's id."""
    return f"{vault_name(env)}-{new_key_arn.rsplit('/', 1)[-1][:8]}"
