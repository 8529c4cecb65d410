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


def _spelled_outside_contract(values: set[str]) -> list[str]:
    """Where a source file outside contract/ writes one of `values` as a string literal of its own
    (docstrings aside: prose may name a key)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for package in ("config", "policies", "stacks", "cdk_constructs", "tools", "led_ops", "functions"):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.body
                and isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
            }
            found += [
                f"{path.relative_to(root)}:{node.lineno}: {node.value!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and node.value in values and id(node) not in docstrings
            ]
    return found


def test_tag_keys_metadata_keys_and_artefact_files_are_spelled_once():
    """A tag key, a metadata key or an artefact file name written out again elsewhere is a second
    spelling that can drift (a rule reading a key no construct writes any more passes vacuously)."""
    from contract import artefacts, metadata, tags

    def constants(module) -> set[str]:
        return {v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)}

    keys = {v for v in constants(tags) | constants(metadata) if v.startswith("led:")}
    files = {v for v in constants(artefacts) if "." in v}  # COMPLIANCE_DIR is also a vault lock mode's name
    assert len(keys) >= 9 and len(files) >= 11  # the scan below scans for something
    assert _spelled_outside_contract(keys | files) == []
