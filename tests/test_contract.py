"""The contract's names: one spelling, the one the stacks, led-ops and another account rely on."""

from __future__ import annotations

from config import load_config
from contract import names, parties
from led_ops import backup_status, reencrypt, restore_drill
from led_ops.exit_drill import drill, export
from stacks import stage
from stacks.remote_vault import remote_vault_arn


def test_names_of_one_environment():
    env = load_config().environments["dev"]
    acc = env.accounts
    assert names.stack_name(env, "key-custody") == "led-dev-key-custody"
    assert env.key_alias_name("secondary_backup") == "led-dev-secondary-backup"
    assert env.exit_bucket_name == f"led-dev-exit-{acc.workload}-eu-west-1"
    assert env.log_archive_bucket_name == f"led-dev-log-archive-{acc.log_archive}-eu-west-1"
    assert names.database_arn(env) == f"arn:aws:rds:eu-west-1:{acc.workload}:db:led-dev-db"
    assert names.remote_vault_arn(env, "eu-west-1") == (
        f"arn:aws:backup:eu-west-1:{acc.backup}:backup-vault:led-dev-remote-vault"
    )
    assert names.restore_role_arn(env) == f"arn:aws:iam::{acc.workload}:role/led-dev-ops-backup"
    assert names.drill_instance_id(env, "20260101") == "led-drill-dev-20260101"
    assert names.exit_export_id(env, "20260101") == "led-dev-exit-20260101"
    assert names.reencrypt_snapshot_id(env, "20260101") == "led-dev-reencrypt-20260101"
    assert names.reencrypted_snapshot_id(env, "20260101") == "led-dev-reencrypted-20260101"
    new_key = "arn:aws:kms:eu-west-1:111122223333:key/0123456789abcdef"
    assert names.reencrypt_vault_name(env, new_key) == "led-dev-vault-01234567"


def test_stacks_and_led_ops_take_the_contracts_names():
    """No second derivation: the CDK's ARN differs only by its partition token."""
    env = load_config().environments["prod"]
    assert all(m.names is names for m in (backup_status, reencrypt, restore_drill, drill, export))
    assert (
        remote_vault_arn(env, env.region).split(":", 2)[2] == names.remote_vault_arn(env, env.region).split(":", 2)[2]
    )
    assert (stage.AHOVOKS, stage.FB, stage.OPERATOR) == (parties.AHOVOKS, parties.FB, parties.OPERATOR_PARTY)
