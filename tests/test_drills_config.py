"""The [environments.<env>.drills] table: defaults, and one-line errors for every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from config.drills import Drills

DEV_CHECKS = (
    'expected_tables = ["public.qualifications"]\nmin_rows = { "public.qualifications" = 0 }\n'
    'max_newest_age_days = 30\nnewest_column = { "public.qualifications" = "registered_at" }'
)


def _load_with(tmp_path: Path, old: str, new: str) -> None:
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    load_config(path)


def test_defaults_are_monthly_and_documentation_partner() -> None:
    drills = Drills()
    assert drills.exit_drill_schedule == "cron(0 6 1 * ? *)"
    assert drills.second_partner_account == "210987654321"
    assert drills.expected_tables == ("public.qualifications",)


def test_example_config_sets_the_drills_per_environment() -> None:
    config = load_config()
    assert config.environments["prod"].drills.min_rows == {"public.qualifications": 10_000_000}
    assert config.environments["prod"].drills.second_partner_principal_arn.endswith(":role/led-exit-reader")


DEV_PARTNER = (
    'second_partner_principal_arn = "arn:aws:iam::210987654321:role/led-exit-reader"\nexit_export_expiry_days = 7'
)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'exit_drill_schedule = "cron(0 6 1 * ? *)"\n',
            'exit_drill_schedule = "monthly"\n',
            "environment 'dev', field 'drills.exit_drill_schedule': got 'monthly'; allowed: an EventBridge cron",
        ),
        (
            DEV_PARTNER,
            'second_partner_principal_arn = "arn:aws:iam::210987654321:user/bob"\nexit_export_expiry_days = 7',
            "environment 'dev', field 'drills.second_partner_principal_arn': got 'arn:aws:iam::210987654321:user/bob'",
        ),
        (
            DEV_PARTNER,
            'second_partner_principal_arn = "arn:aws:iam::444455556666:root"\nexit_export_expiry_days = 7',
            "in LED account 444455556666; allowed: a principal of the second partner's own account",
        ),
        (
            DEV_PARTNER,
            'second_partner_principal_arn = "arn:aws-eusc:iam::210987654321:root"\nexit_export_expiry_days = 7',
            "allowed: a principal of partition aws (region eu-west-1)",
        ),
        (
            "exit_export_expiry_days = 7\n",
            "exit_export_expiry_days = 400\n",
            "field 'drills.exit_export_expiry_days': got 400; allowed: fewer days than keys.rotation_period_days (365)",
        ),
        (DEV_CHECKS, "expected_tables = []", "field 'drills.expected_tables': got an empty list"),
        (
            DEV_CHECKS,
            'expected_tables = ["public.qualifications; drop"]',
            "got 'public.qualifications; drop'; allowed: 'table' or 'schema.table'",
        ),
        (
            'min_rows = { "public.qualifications" = 0 }',
            'min_rows = { "public.qualifications" = -1 }',
            "field 'drills.min_rows': got -1 for 'public.qualifications'; allowed: a row count >= 0",
        ),
        (
            'min_rows = { "public.qualifications" = 0 }',
            'min_rows = { "public.diplomas" = 1 }',
            "got table 'public.diplomas' in drills.min_rows; allowed: one of drills.expected_tables",
        ),
        (
            'newest_column = { "public.qualifications" = "registered_at" }\n',
            'newest_column = { "public.qualifications" = "registered at" }\n',
            "got 'registered at' for 'public.qualifications'; allowed: a column name",
        ),
        ("max_newest_age_days = 30\n", "max_newest_age_days = -1\n", "field 'drills.max_newest_age_days'"),
        (
            "exit_export_expiry_days = 7\n",
            "exit_export_expiry_days = 7\nexport_format = 'csv'\n",
            "field 'drills.export_format': unknown field",
        ),
    ],
    ids=[
        "cron",
        "principal-shape",
        "principal-in-led",
        "principal-partition",
        "expiry-vs-rotation",
        "no-tables",
        "table-name",
        "negative-rows",
        "unknown-table",
        "column-name",
        "negative-age",
        "unknown-field",
    ],
)
def test_refusals_are_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        _load_with(tmp_path, old, new)
    message = str(error.value)
    assert "\n" not in message
    assert expected in message, message
