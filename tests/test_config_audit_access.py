"""Config of the audit and access settings: defaults, and one case per one-line error."""

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


# One-line refusals: (the default's text, what replaces it, the message's end).
ENDINGS = {
    "object-lock-shorter-than-backups": (
        "object_lock_days = 30",
        "object_lock_days = 2",
        "environment 'dev', field 'audit.object_lock_days': got 2; allowed: at least the backup retention "
        "(14 days, copies included)",
    ),
    "bad-organization-id": (
        'organization_id = "o-exampleorgid"',
        'organization_id = "example"',
        "field 'organization.organization_id': got 'example'; allowed: an AWS Organizations "
        "id o-<10 to 32 lowercase letters/digits>",
    ),
}
NOT_NAMED_ROLES = (
    "arn:aws:iam::210987654321:user/alice",
    "arn:aws:iam::210987654321:root",
    "arn:aws:iam::210987654321:role/*",
)
# (the default's text, what replaces it, what the message says among other things).
FRAGMENTS = {
    "bad-alarm-email": (
        'alarm_email = "led-security@example.org"',
        'alarm_email = "nobody"',
        ["environment 'prod', field 'audit.alarm_email': got 'nobody'; allowed: an e-mail address"],
    ),
    **{
        f"principal-not-a-named-role-{bad}": (
            PROD_AUDITOR,
            f'auditor_principals = ["{bad}"]',
            [f"environment 'dev', field 'access.auditor_principals': got {bad!r}; allowed: IAM role ARNs"],
        )
        for bad in NOT_NAMED_ROLES
    },
    "empty-principal-list": (
        PROD_AUDITOR,
        "auditor_principals = []",
        ["field 'access.auditor_principals': got an empty list; allowed: at least one IAM role ARN"],
    ),
    "principal-in-another-partition": (
        PROD_AUDITOR,
        'auditor_principals = ["arn:aws-eusc:iam::210987654321:role/a"]',
        [
            "environment 'dev', field 'access.auditor_principals': got 'arn:aws-eusc:iam::210987654321:role/a', "
            "in partition aws-eusc; allowed: partition aws (region eu-west-1)"
        ],
    ),
    "operator-in-the-log-archive-account": (
        "arn:aws:iam::999999999999:role/cronos",
        "arn:aws:iam::777788889999:role/cronos",
        ["field 'access.operator_principals'", "not the key custody or log archive account"],
    ),
    "auditor-in-the-workload-account": (
        PROD_AUDITOR,
        'auditor_principals = ["arn:aws:iam::444455556666:role/auditor"]',
        ["field 'access.auditor_principals'", "(VTC §27)"],
    ),
    "session-hours-out-of-range": (
        "session_hours = 2",
        "session_hours = 24",
        ["environment 'prod', field 'access.session_hours': got 24;"],
    ),
}


@pytest.mark.parametrize(("old", "new", "ending"), ENDINGS.values(), ids=ENDINGS)
def test_refused_with_a_message_ending(tmp_path, old, new, ending):
    assert error(tmp_path, old, new).endswith(ending)


@pytest.mark.parametrize(("old", "new", "fragments"), FRAGMENTS.values(), ids=FRAGMENTS)
def test_refused_with_a_message_saying(tmp_path, old, new, fragments):
    message = error(tmp_path, old, new)
    for fragment in fragments:
        assert fragment in message


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
