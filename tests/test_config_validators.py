"""Every named cross-field rule of config/ fails on a config made to break it, with its one line.

The rules are listed per model (ACCOUNTS_RULES, DATABASE_RULES, DRILLS_RULES, ENVIRONMENT_RULES,
LANDING_ZONE_RULES); a rule added there without a case here fails test_every_rule_has_a_case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config import load_config
from config.accounts import ACCOUNTS_RULES
from config.backup import generations_below_rotation
from config.database import DATABASE_RULES
from config.drills import DRILLS_RULES
from config.environment import ENVIRONMENT_RULES
from config.landing_zone import LANDING_ZONE_RULES
from tests.test_config import air_gap, error_of, setting

KEY = "arn:{partition}:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def dev(path: str, value: object) -> Callable[[dict], None]:
    """Set one field (dotted path below environments.dev) of the default config."""
    return setting("dev", path, value)


def top(path: str, value: object) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        table, field = path.split(".")
        data[table][field] = value

    return mutate


def _no_environments(data: dict) -> None:
    data["environments"] = {}


def _sovereign_beside_commercial(data: dict) -> None:
    data["environments"]["sov"] = {
        "region": "eusc-de-east-1",
        "accounts": {
            "key_custody": "111100001111",
            "workload": "222200002222",
            "log_archive": "333300003333",
            "backup": "444400004444",
        },
        "drills": {"second_partner_principal_arn": "arn:aws-eusc:iam::210987654321:root"},
    }


# rule name -> (the change that breaks it, what its one line must say)
CASES: dict[str, tuple[Callable[[dict], None], list[str]]] = {
    # Accounts
    "key_custody_apart_from_workload": (
        dev("accounts.key_custody", "444455556666"),
        ["'dev'", "field 'accounts.key_custody'", "same account as accounts.workload", "§51"],
    ),
    "log_archive_apart_from_workload": (
        dev("accounts.log_archive", "444455556666"),
        ["field 'accounts.log_archive'", "same account as accounts.workload", "§27"],
    ),
    "backup_apart_from_workload": (
        dev("accounts.backup", "444455556666"),
        ["field 'accounts.backup'", "same account as accounts.workload", "§37"],
    ),
    # Database
    "storage_ceiling_above_allocated": (
        dev("database.max_allocated_storage_gib", 50),
        ["field 'database.max_allocated_storage_gib'", "more than database.allocated_storage_gib (50)"],
    ),
    # Drills
    "checked_tables_expected": (
        dev("drills.min_rows", {"public.other": 1}),
        ["'public.other' in drills.min_rows", "one of drills.expected_tables"],
    ),
    # EnvironmentConfig: backup
    "secondary_region_not_primary": (
        dev("backup.secondary_region", "eu-west-1"),
        ["field 'backup.secondary_region'", "the primary region"],
    ),
    "secondary_region_in_partition": (
        dev("backup.secondary_region", "eusc-de-east-1"),
        ["field 'backup.secondary_region'", "another partition", "partition aws"],
    ),
    "copies_outlive_generations": (
        dev("backup.copy_retention_days", 2),
        ["field 'backup.copy_retention_days'", "got 2", "at least backup.generations (3)"],
    ),
    "copies_expire_before_rotation": (
        dev("backup.copy_retention_days", 365),
        ["field 'backup.copy_retention_days'", "got 365", "fewer days than keys.rotation_period_days (365)"],
    ),
    # EnvironmentConfig: backup.air_gap (on in prod)
    "air_gap_window_ordered": (
        air_gap(min_retention_days=9, max_retention_days=8),
        ["'prod'", "field 'backup.air_gap.max_retention_days'", "got 8", "backup.air_gap.min_retention_days (9)"],
    ),
    "air_gap_lock_keeps_generations": (
        lambda data: (
            air_gap(min_retention_days=10)(data),
            data["environments"]["prod"]["backup"].update(generations=12),
        ),
        ["field 'backup.air_gap.min_retention_days'", "got 10", "at least backup.generations (12)"],
    ),
    "air_gap_lock_fits_copies": (
        air_gap(min_retention_days=20),
        ["field 'backup.air_gap.min_retention_days'", "got 20", "at most backup.copy_retention_days (14)"],
    ),
    "air_gap_expires_before_rotation": (
        air_gap(max_retention_days=365),
        ["field 'backup.air_gap.max_retention_days'", "got 365", "fewer days than keys.rotation_period_days (365)"],
    ),
    "air_gap_key_is_an_arn": (
        lambda data: (
            dev("backup.air_gap", {"enabled": True})(data),
            data["environments"]["dev"]["keys"].pop("backup_key_arn"),
        ),
        ["'dev'", "field 'keys.backup_key_arn': missing", "required by backup.air_gap.enabled"],
    ),
    "air_gap_team_independent": (
        air_gap(mpa_approval_team_arn="arn:aws:mpa:eu-west-1:123456789012:approval-team/led"),
        ["field 'backup.air_gap.mpa_approval_team_arn'", "LED account 123456789012", "management account"],
    ),
    # EnvironmentConfig: keys
    "origin_supported": (
        dev("keys.origin", "EXTERNAL_KEY_STORE"),
        ["'dev'", "field 'keys.external_key_store': missing", "required with origin EXTERNAL_KEY_STORE"],
    ),
    "personal_data_needs_keys": (
        lambda data: (dev("holds_personal_data", True)(data), data["environments"]["dev"]["keys"].pop("log_key_arn")),
        ["field 'keys.log_key_arn': missing", "account 111122223333", "holds_personal_data = true"],
    ),
    "keys_in_key_custody_account": (
        dev("keys.data_key_arn", KEY.format(partition="aws", region="eu-west-1", account="444455556666")),
        ["field 'keys.data_key_arn'", "in account 444455556666", "key custody account 111122223333"],
    ),
    "keys_in_their_region": (
        dev("keys.backup_key_arn", KEY.format(partition="aws", region="eu-west-3", account="111122223333")),
        ["field 'keys.backup_key_arn'", "in region eu-west-3", "a key in region eu-west-1"],
    ),
    "keys_in_partition": (
        dev("keys.log_key_arn", KEY.format(partition="aws-eusc", region="eu-west-1", account="111122223333")),
        ["field 'keys.log_key_arn'", "in partition aws-eusc", "partition aws (region eu-west-1)"],
    ),
    # EnvironmentConfig: drills
    "exit_partner_outside_led_accounts": (
        dev("drills.second_partner_principal_arn", "arn:aws:iam::111122223333:root"),
        ["field 'drills.second_partner_principal_arn'", "in LED account 111122223333", "§42-43"],
    ),
    "exit_partner_in_partition": (
        dev("drills.second_partner_principal_arn", "arn:aws-eusc:iam::210987654321:root"),
        ["field 'drills.second_partner_principal_arn'", "a principal of partition aws"],
    ),
    "export_expiry_below_rotation": (
        dev("drills.exit_export_expiry_days", 365),
        ["field 'drills.exit_export_expiry_days'", "got 365", "fewer days than keys.rotation_period_days"],
    ),
    # EnvironmentConfig: logs and audit
    "logs_outlive_backups": (
        dev("logs.retention_days", 7),
        ["field 'logs.retention_days'", "got 7", "backup retention (14 days, copies included)"],
    ),
    "object_lock_outlives_backups": (
        dev("audit.object_lock_days", 7),
        ["field 'audit.object_lock_days'", "got 7", "backup retention (14 days, copies included)"],
    ),
    # EnvironmentConfig: access
    "principals_in_partition": (
        dev("access.break_glass_principals", ["arn:aws-eusc:iam::210987654321:role/glass"]),
        ["field 'access.break_glass_principals'", "in partition aws-eusc", "partition aws (region eu-west-1)"],
    ),
    "operator_outside_keys_and_logs": (
        dev("access.operator_principals", ["arn:aws:iam::777788889999:role/operator"]),
        ["field 'access.operator_principals'", "in account 777788889999", "not the key custody or log archive"],
    ),
    "auditors_outside_workload": (
        dev("access.auditor_principals", ["arn:aws:iam::444455556666:role/auditor"]),
        ["field 'access.auditor_principals'", "in the workload account 444455556666", "§27"],
    ),
    # LandingZoneConfig
    "at_least_one_environment": (_no_environments, ["no environments", "at least one [environments.<name>] table"]),
    "pipeline_outside_led_accounts": (
        top("deployment.pipeline_role_arn", "arn:aws:iam::123456789012:role/pipeline"),
        ["field 'deployment.pipeline_role_arn'", "in account 123456789012 of environment"],
    ),
    "pipeline_outside_operator_accounts": (
        top("deployment.pipeline_role_arn", "arn:aws:iam::999999999999:role/pipeline"),
        ["field 'deployment.pipeline_role_arn'", "the platform operator's identity account"],
    ),
    "key_custody_deployers_apart": (
        top("deployment.key_custody_deployer_arns", ["arn:aws:iam::777788889999:role/deployer"]),
        ["field 'deployment.key_custody_deployer_arns'", "in account 777788889999", "Facilitair Bedrijf"],
    ),
    "deployers_in_partition": (
        top("deployment.pipeline_role_arn", "arn:aws-eusc:iam::444444444444:role/pipeline"),
        ["field 'deployment.pipeline_role_arn'", "in partition aws-eusc", "allowed: partition aws"],
    ),
    "regions_allowed": (
        dev("backup.secondary_region", "eu-south-2"),
        ["environment 'dev', field 'backup.secondary_region'", "got 'eu-south-2'", "§18-19"],
    ),
    "perimeter_names_the_organization": (
        lambda data: data["organization"].pop("organization_id"),
        ["field 'organization.organization_id': missing", "resource_control_policies", "aws:PrincipalOrgID"],
    ),
    "organization_one_partition": (
        _sovereign_beside_commercial,
        ["field 'organization'", "partitions aws, aws-eusc", "one file per partition"],
    ),
}

# Rules that no configuration file can break today: another bound refuses the input first.
UNREACHABLE_FROM_A_FILE = {
    # backup.generations is at most 35, keys.rotation_period_days at least 90.
    "generations_below_rotation",
}

ALL_RULES = (*ACCOUNTS_RULES, *DATABASE_RULES, *DRILLS_RULES, *ENVIRONMENT_RULES, *LANDING_ZONE_RULES)


def test_every_rule_has_a_case():
    names = [rule.__name__ for rule in ALL_RULES]
    assert len(names) == len(set(names)), "two rules share a name"
    assert set(names) == set(CASES) | UNREACHABLE_FROM_A_FILE


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fails_with_its_line(tmp_path, rule):
    mutate, expected = CASES[rule]
    message = error_of(tmp_path, mutate)
    for part in expected:
        assert part in message, (rule, message)


def test_generations_below_rotation_guards_the_bounds():
    """A model copy skips validation: the rule still refuses generations past the key's rotation."""
    env = load_config().environments["dev"]
    stale = env.model_copy(update={"backup": env.backup.model_copy(update={"generations": 365})})
    with pytest.raises(ValueError, match=r"field 'backup.generations': got 365 daily generations.*§47"):
        generations_below_rotation(stale)
    generations_below_rotation(env)


@pytest.mark.parametrize(
    ("mutate", "module"),
    [
        (dev("keys.colour", "red"), "config/keys.py"),
        (dev("backup.air_gapped", True), "config/backup.py"),
        (dev("colour", "red"), "config/environment.py"),
        (top("deployment.colour", "red"), "config/deployment.py"),
        (lambda data: data.update(colour="red"), "config/landing_zone.py"),
    ],
)
def test_unknown_field_names_the_module_of_its_table(tmp_path, mutate, module):
    message = error_of(tmp_path, mutate)
    assert "unknown field" in message and f"check its spelling against {module}" in message, message
