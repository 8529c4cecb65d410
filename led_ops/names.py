"""The deterministic names led-ops uses: the contract's, the same the CDK app creates."""

from __future__ import annotations

from config import EnvironmentConfig
from contract.names import (
    DRILL_PREFIX,
    database_arn,
    database_id,
    drill_instance_id,
    export_role_arn,
    remote_regions,
    remote_vault_arn,
    remote_vault_name,
    restore_role_arn,
    vault_name,
)

__all__ = [
    "DRILL_PREFIX",
    "database_arn",
    "database_id",
    "drill_instance_id",
    "exit_bucket",
    "export_role_arn",
    "remote_regions",
    "remote_vault_arn",
    "remote_vault_name",
    "restore_role_arn",
    "vault_name",
]


def exit_bucket(env: EnvironmentConfig) -> str:
    return env.exit_bucket_name
