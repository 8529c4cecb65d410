"""Configuration: the default synthesizes; every kind of bad input is one clear line."""

from __future__ import annotations

import re
import tomllib

import pytest

from config import DEFAULT_CONFIG_PATH, ConfigError, load_config, select_environments

DEFAULT = tomllib.loads(DEFAULT_CONFIG_PATH.read_text())


def write(tmp_path, mutate) -> str:
    """The default config with one change, as a TOML file."""
    import copy

    data = copy.deepcopy(DEFAULT)
    mutate(data)
    path = tmp_path / "config.toml"
    path.write_text(_dump(data))
    return str(path)


def _dump(data: dict, prefix: str = "") -> str:
    """A minimal TOML writer for the config's shape (tables of scalars and lists)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    out = "\n".join(lines) + "\n"
    for key, value in tables:
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        out += f"\n[{name}]\n" + _dump(value, name)
    return out


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return '"' + str(value).replace('"', '\\"') + '"'


def error_of(tmp_path, mutate) -> str:
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, mutate))
    message = str(exc.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def test_default_config_is_valid_and_prod_holds_personal_data():
    config = load_config()
    assert set(config.environments) == {"dev", "acc", "prod"}
    assert config.environments["prod"].holds_personal_data
    assert not config.environments["dev"].holds_personal_data
    for env in config.environments.values():
        assert env.uses_documentation_accounts
        assert env.backup.generations >= 3
        for purpose in ("data", "backup", "log"):
            assert f":{env.accounts.key_custody}:key/" in env.key_arn(purpose)


def test_round_trip_of_the_test_writer(tmp_path):
    assert load_config(write(tmp_path, lambda d: None)) == load_config()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["environments"]["dev"].update(region="us-east-1"),
            ["'dev'", "'region'", "'us-east-1'", "eu-west-1", "EU only"],
            id="region-outside-eu",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"].update(region="eu-west-2"),
            ["'dev'", "'region'", "'eu-west-2'", "allowed"],
            id="london-is-not-eu",
        ),
        pytest.param(
            lambda d: d.update(allowed_regions=["eu-west-1", "us-west-2"]),
            ["'allowed_regions", "'us-west-2'", "EU regions only"],
            id="allow-list-outside-eu",
        ),
        pytest.param(
            lambda d: d["environments"]["acc"]["accounts"].update(workload="12345"),
            ["'acc'", "'accounts.workload'", "'12345'", "12-digit"],
            id="account-not-12-digits",
        ),
        pytest.param(
            lambda d: d["environments"]["acc"]["accounts"].update(workload=444455556666),
            ["'acc'", "'accounts.workload'", "444455556666", "quoted string"],
            id="account-as-number",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["accounts"].update(workload="111122223333"),
            ["'prod'", "'accounts.key_custody'", "'111122223333'", "same account", "§51"],
            id="key-custody-equals-workload",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["backup"].update(generations=2),
            ["'dev'", "'backup.generations'", "got 2", "at least 3", "§39"],
            id="two-generations",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["keys"].pop("data_key_arn"),
            ["'prod'", "'keys.data_key_arn'", "missing", "111122223333", "holds_personal_data"],
            id="personal-data-key-missing",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["keys"].update(log_key_arn="arn:aws:kms:eu-west-1:key/x"),
            ["'prod'", "'keys.log_key_arn'", "'arn:aws:kms:eu-west-1:key/x'", "KMS key ARN"],
            id="personal-data-key-malformed",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["keys"].update(
                backup_key_arn="arn:aws:kms:eu-west-1:444455556666:key/8234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            ["'prod'", "'keys.backup_key_arn'", "444455556666", "key custody account 111122223333"],
            id="personal-data-key-other-account",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["keys"].update(
                data_key_arn="arn:aws:kms:eu-central-1:111122223333:key/7234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            ["'prod'", "'keys.data_key_arn'", "region eu-central-1", "region eu-west-1"],
            id="personal-data-key-other-region",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["backup"].update(generatoins=3),
            ["'dev'", "'backup.generatoins'", "unknown field"],
            id="typo-field",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["keys"].update(rotation_period_days=30),
            ["'dev'", "'keys.rotation_period_days'", "30", "90"],
            id="rotation-too-short",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["database"].update(instance_class="x2iedn.32xlarge"),
            ["'dev'", "'database.instance_class'", "x2iedn.32xlarge", "§52-54"],
            id="instance-too-big",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["database"].update(max_allocated_storage_gib=40),
            ["'dev'", "'database.max_allocated_storage_gib'", "40"],
            id="no-autoscaling-ceiling",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["backup"].update(secondary_region="eu-west-1"),
            ["'prod'", "'backup.secondary_region'", "'eu-west-1'", "primary region"],
            id="secondary-region-is-primary",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["backup"].update(secondary_region="us-east-1"),
            ["'prod'", "'backup.secondary_region'", "'us-east-1'", "EU only"],
            id="secondary-region-outside-eu",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"].update(logs={"retention_days": 2}),
            ["'dev'", "'logs.retention_days'", "got 2", "allowed: one of"],
            id="log-retention-invalid",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["backup"].update(copy_retention_days=2),
            ["'prod'", "'backup.copy_retention_days'", "got 2", "at least backup.generations (3)", "§37"],
            id="copy-retention-below-generations",
        ),
        pytest.param(
            lambda d: d["environments"]["prod"]["backup"].update(copy_retention_days=365),
            ["'prod'", "'backup.copy_retention_days'", "got 365", "fewer days than keys.rotation_period_days (365)"],
            id="copy-retention-outlives-key",
        ),
        pytest.param(
            lambda d: d["environments"]["dev"]["backup"].update(copy_retention_days="two weeks"),
            ["'dev'", "'backup.copy_retention_days'", "two weeks"],
            id="copy-retention-not-a-number",
        ),
        pytest.param(
            lambda d: (
                d["environments"]["dev"]["backup"].update(copy_retention_days=60),
                d["environments"]["dev"]["audit"].update(object_lock_days=30),
            ),
            ["'dev'", "'audit.object_lock_days'", "got 30", "60 days, copies included"],
            id="object-lock-shorter-than-copies",
        ),
    ],
)
def test_bad_input_is_one_line_naming_env_field_value_and_allowed(tmp_path, mutate, expected):
    message = error_of(tmp_path, mutate)
    assert message.startswith("config error: ")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def to_eusc(env: dict) -> dict:
    """An environment moved to the European Sovereign Cloud: its region and every ARN's partition."""

    def move(value):
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, str):
            return value.replace("arn:aws:kms:eu-west-1", "arn:aws-eusc:kms:eusc-de-east-1").replace(
                "arn:aws:", "arn:aws-eusc:"
            )
        return value

    return {**move(env), "region": "eusc-de-east-1"}


def test_european_sovereign_cloud_region_is_allowed_and_uses_its_partition(tmp_path):
    def move(d):
        d["environments"]["dev"] = to_eusc(d["environments"]["dev"])
        d.pop("organization")  # an organisation lives in one partition

    env = load_config(write(tmp_path, move)).environments["dev"]
    assert env.partition == "aws-eusc"
    assert env.key_arn("data").startswith("arn:aws-eusc:kms:eusc-de-east-1:")


def test_key_in_wrong_partition_is_refused(tmp_path):
    def to_eusc_but_one_key(d):
        d.pop("organization")
        d["environments"]["dev"] = to_eusc(d["environments"]["dev"])
        d["environments"]["dev"]["keys"]["data_key_arn"] = (
            "arn:aws:kms:eusc-de-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        d["environments"]["dev"]["keys"].pop("backup_key_arn")
        d["environments"]["dev"]["keys"].pop("log_key_arn")

    message = error_of(tmp_path, to_eusc_but_one_key)
    assert "'keys.data_key_arn'" in message and "partition aws-eusc" in message


def test_environment_without_personal_data_may_wait_for_fb_key_arns(tmp_path):
    def drop_keys(d):
        for purpose in ("data", "backup", "log"):
            d["environments"]["dev"]["keys"].pop(f"{purpose}_key_arn")

    env = load_config(write(tmp_path, drop_keys)).environments["dev"]
    # The workload then references the alias the key custody stack creates (KMS accepts alias ARNs).
    assert env.key_arn("data") == "arn:aws:kms:eu-west-1:111122223333:alias/led-dev-data"


def test_unknown_environment_on_the_command_line():
    config = load_config()
    with pytest.raises(ConfigError, match=r"environment 'staging' asked on the command line.*allowed: acc, dev, prod"):
        select_environments(config, "dev,staging")
    assert [e.name for e in select_environments(config, "prod")] == ["prod"]
    assert [e.name for e in select_environments(config, None)] == ["dev", "acc", "prod"]


def test_missing_file_and_broken_toml(tmp_path):
    with pytest.raises(ConfigError, match=r"no such file"):
        load_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[environments.dev\n")
    with pytest.raises(ConfigError, match=r"not valid TOML"):
        load_config(broken)


def test_environment_names_are_checked(tmp_path):
    message = error_of(tmp_path, lambda d: d["environments"].__setitem__("Prod-1", d["environments"]["prod"]))
    assert re.search(r"environment 'Prod-1'.*lowercase", message)
