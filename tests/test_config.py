"""Configuration: the default synthesizes; every kind of bad input is one clear line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable

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


DROP = object()  # as a value in BAD_FIELDS: the field is removed


def setting(env: str, field: str, value) -> Callable[[dict], None]:
    """The change that sets one field ("table.field" or "field") of one environment, or drops it."""

    def mutate(data: dict) -> None:
        *tables, name = field.split(".")
        target = data["environments"][env]
        for table in tables:
            target = target.setdefault(table, {})
        if value is DROP:
            target.pop(name)
        else:
            target[name] = value

    return mutate


def air_gap(env: str = "prod", **fields) -> Callable[[dict], None]:
    """The change that sets fields of one environment's air-gapped vault (enabled in acc and prod)."""

    def mutate(data: dict) -> None:
        data["environments"][env]["backup"].setdefault("air_gap", {}).update(fields)

    return mutate


# One field of one environment given a bad value, and what the error says beyond naming that environment and field.
BAD_FIELDS = [
    ("region-outside-eu", "dev", "region", "us-east-1", ["'us-east-1'", "eu-west-1", "EU only"]),
    ("london-is-not-eu", "dev", "region", "eu-west-2", ["'eu-west-2'", "allowed"]),
    ("account-not-12-digits", "acc", "accounts.workload", "12345", ["'12345'", "12-digit"]),
    ("account-as-number", "acc", "accounts.workload", 444455556666, ["444455556666", "quoted string"]),
    ("two-generations", "dev", "backup.generations", 2, ["got 2", "at least 3", "§39"]),
    (
        "personal-data-key-missing",
        "prod",
        "keys.data_key_arn",
        DROP,
        ["missing", "111122223333", "holds_personal_data"],
    ),
    (
        "personal-data-key-malformed",
        "prod",
        "keys.log_key_arn",
        "arn:aws:kms:eu-west-1:key/x",
        ["'arn:aws:kms:eu-west-1:key/x'", "KMS key ARN"],
    ),
    (
        "personal-data-key-other-account",
        "prod",
        "keys.backup_key_arn",
        "arn:aws:kms:eu-west-1:444455556666:key/8234abcd-12ab-34cd-56ef-1234567890ab",
        ["444455556666", "key custody account 111122223333"],
    ),
    (
        "personal-data-key-other-region",
        "prod",
        "keys.data_key_arn",
        "arn:aws:kms:eu-central-1:111122223333:key/7234abcd-12ab-34cd-56ef-1234567890ab",
        ["region eu-central-1", "region eu-west-1"],
    ),
    ("typo-field", "dev", "backup.generatoins", 3, ["unknown field"]),
    ("rotation-too-short", "dev", "keys.rotation_period_days", 30, ["30", "90"]),
    ("instance-too-big", "dev", "database.instance_class", "x2iedn.32xlarge", ["x2iedn.32xlarge", "§52-54"]),
    ("no-autoscaling-ceiling", "dev", "database.max_allocated_storage_gib", 40, ["40"]),
    ("secondary-region-is-primary", "prod", "backup.secondary_region", "eu-west-1", ["'eu-west-1'", "primary region"]),
    ("secondary-region-outside-eu", "prod", "backup.secondary_region", "us-east-1", ["'us-east-1'", "EU only"]),
    ("log-retention-invalid", "dev", "logs.retention_days", 2, ["got 2", "allowed: one of"]),
    (
        "copy-retention-below-generations",
        "prod",
        "backup.copy_retention_days",
        2,
        ["got 2", "at least backup.generations (3)", "§37"],
    ),
    (
        "copy-retention-outlives-key",
        "prod",
        "backup.copy_retention_days",
        365,
        ["got 365", "fewer days than keys.rotation_period_days (365)"],
    ),
    ("copy-retention-not-a-number", "dev", "backup.copy_retention_days", "two weeks", ["two weeks"]),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(setting(env, field, value), [f"'{env}'", f"'{field}'", *said], id=case)
        for case, env, field, value, said in BAD_FIELDS
    ]
    + [
        pytest.param(
            lambda d: d.update(allowed_regions=["eu-west-1", "us-west-2"]),
            ["'allowed_regions", "'us-west-2'", "EU regions only"],
            id="allow-list-outside-eu",
        ),
        pytest.param(  # the error names the other field of the pair
            setting("prod", "accounts.workload", "111122223333"),
            ["'prod'", "'accounts.key_custody'", "'111122223333'", "same account", "§51"],
            id="key-custody-equals-workload",
        ),
        pytest.param(
            lambda d: (
                setting("dev", "backup.copy_retention_days", 60)(d),
                setting("dev", "audit.object_lock_days", 30)(d),
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
