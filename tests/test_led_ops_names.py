"""The names led-ops uses are the ones the CDK app creates (a drift would fail only in AWS)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cdk_constructs import audit_setup
from cdk_constructs.drills import exit as exit_drill
from config import load_config
from contract import names
from led_ops import restore_drill
from led_ops.exit_drill import export
from stacks.recovery import exit_bucket_name
from stacks.remote_vault import remote_vault_arn

ROOT = Path(__file__).resolve().parent.parent


def test_names_match_the_cdk_app():
    for env in load_config().environments.values():
        assert env.exit_bucket_name == exit_bucket_name(env)
        assert names.database_id(env) == env.resource_name("db")
        assert names.vault_name(env) == env.resource_name("vault")
        assert names.remote_vault_name(env) == env.resource_name("remote-vault")
        assert names.export_role_arn(env).endswith(f":role/{env.resource_name('exit-export')}")
        for region in names.remote_regions(env):
            # the CDK ARN carries the partition as a token; everything after it must match
            ours, cdk = names.remote_vault_arn(env, region), remote_vault_arn(env, region)
            assert ours.split(":", 2)[2] == cdk.split(":", 2)[2]
    # Spelled once, in contract.names: the app and led-ops take them from there.
    assert export.EXPORT_PREFIX is exit_drill.EXIT_PREFIX is names.EXIT_PREFIX
    assert restore_drill.VALIDATOR_ROLE is audit_setup.RESTORE_VALIDATOR_ROLE is names.RESTORE_VALIDATOR_ROLE


def test_the_setup_installs_the_led_ops_script():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"led-ops": "led_ops.cli:main"}
    requirements = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-e ." in requirements  # the Makefile installs requirements-dev.txt


def test_the_on_demand_backup_role_led_ops_passes_exists_in_the_recovery_stack(synth):
    for env in synth.config.environments.values():
        roles = synth.resources(env.name, "Recovery", "AWS::IAM::Role").values()
        [role] = [r for r in roles if r["Properties"].get("RoleName") == env.resource_name("ops-backup")]
        assert names.restore_role_arn(env).endswith(f":role/{role['Properties']['RoleName']}")
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "backup.amazonaws.com"}]
        assert "PermissionsBoundary" in role["Properties"]
