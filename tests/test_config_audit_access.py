"""Config of the audit and access settings: defaults, and one test per one-line error."""

from __future__ import annotations

import pytest

from config import DEFAULT_CONFIG_PATH, ConfigError, load_config

DEFAULT = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
PROD_AUDITOR = 'auditor_principals = ["arn:aws:iam::210987654321:role/ahovoks-led-auditor"]'


def load_with(tmp_path, old: str, new: str, count: int = -1):
    assert old in DEFAULT, old
    path = tmp_path / "c.toml"
    path.write_text(DEFAULT.replace(old, new, count), encoding="utf-8")
    return load_config(path)


def error(tmp_path, old: str, new: str, count: int = -1) -> str:
    with pytest.raises(ConfigError) as exc:
        load_with(tmp_path, old, new, count)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_defaults_use_documentation_principals_in_the_environment_partition(tmp_path):
    text = DEFAULT.split("[environments.dev.access]")[0] + "\n"
    text = text.replace('region = "eu-west-1"', 'region = "eusc-de-east-1"', 1)
    text = text.replace("arn:aws:kms:eu-west-1", "arn:aws-eusc:kms:eusc-de-east-1").replace("arn:aws:", "arn:aws-eusc:")
    path = tmp_path / "c.toml"
    # dev only, without an [access] table
    path.write_text(text.split("[environments.acc]")[0], encoding="utf-8")
    env = load_config(path).environments["dev"]
    assert env.access.auditor_principals == ("arn:aws-eusc:iam::210987654321:role/ahovoks-led-auditor",)
    assert env.audit.object_lock_days >= env.backup_retention_days


def test_default_config_has_an_organization_id():
    config = load_config()
    assert config.organization is not None and config.organization.organization_id == "o-exampleorgid"


def test_object_lock_shorter_than_backups_is_refused(tmp_path):
    message = error(tmp_path, "object_lock_days = 30", "object_lock_days = 2")
    assert message.endswith(
        "environment 'dev', field 'audit.object_lock_days': got 2; allowed: at least the backup retention "
        "(14 days, copies included)"
    )


def test_bad_alarm_email_is_refused(tmp_path):
    message = error(tmp_path, 'alarm_email = "led-security@example.org"', 'alarm_email = "nobody"')
    assert "environment 'prod', field 'audit.alarm_email': got 'nobody'; allowed: an e-mail address" in message


@pytest.mark.parametrize(
    "bad",
    [
        "arn:aws:iam::210987654321:user/alice",
        "arn:aws:iam::210987654321:root",
        "arn:aws:iam::210987654321:role/*",
    ],
)
def test_principal_that_is_not_a_named_role_is_refused(tmp_path, bad):
    message = error(tmp_path, PROD_AUDITOR, f'auditor_principals = ["{bad}"]')
    assert f"environment 'dev', field 'access.auditor_principals': got {bad!r}; allowed: IAM role ARNs" in message


def test_empty_principal_list_is_refused(tmp_path):
    message = error(tmp_path, PROD_AUDITOR, "auditor_principals = []")
    assert "field 'access.auditor_principals': got an empty list; allowed: at least one IAM role ARN" in message


def test_principal_in_another_partition_is_refused(tmp_path):
    message = error(tmp_path, PROD_AUDITOR, 'auditor_principals = ["arn:aws-eusc:iam::210987654321:role/a"]')
    assert (
        "environment 'dev', field 'access.auditor_principals': got 'arn:aws-eusc:iam::210987654321:role/a', "
        "in partition aws-eusc; allowed: partition aws (region eu-west-1)"
    ) in message


def test_operator_in_the_log_archive_account_is_refused(tmp_path):
    message = error(tmp_path, "arn:aws:iam::999999999999:role/cronos", "arn:aws:iam::777788889999:role/cronos")
    assert "field 'access.operator_principals'" in message
    assert "not the key custody or log archive account" in message


def test_auditor_in_the_workload_account_is_refused(tmp_path):
    message = error(tmp_path, PROD_AUDITOR, 'auditor_principals = ["arn:aws:iam::444455556666:role/auditor"]')
    assert "field 'access.auditor_principals'" in message and "(VTC §27)" in message


def test_session_hours_out_of_range_is_refused(tmp_path):
    message = error(tmp_path, "session_hours = 2", "session_hours = 24")
    assert "environment 'prod', field 'access.session_hours': got 24;" in message


def test_bad_organization_id_is_refused(tmp_path):
    message = error(tmp_path, 'organization_id = "o-exampleorgid"', 'organization_id = "example"')
    assert message.endswith(
        "field 'organization.organization_id': got 'example'; allowed: an AWS Organizations "
        "id o-<10 to 32 lowercase letters/digits>"
    )


def test_documentation_principals_make_an_environment_undeployable(tmp_path):
    real = DEFAULT.replace("111122223333", "111111111111").replace("444455556666", "222222222222")
    real = real.replace("777788889999", "333333333333").replace('backup = "123456789012"', 'backup = "555555555555"')
    path = tmp_path / "c.toml"
    path.write_text(real, encoding="utf-8")
    env = load_config(path).environments["dev"]
    assert env.uses_documentation_accounts  # the principals are still the documentation ones
    path.write_text(
        real.replace("210987654321", "666666666666").replace("999999999999", "888888888888"), encoding="utf-8"
    )
    assert not load_config(path).environments["dev"].uses_documentation_accounts
