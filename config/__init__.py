"""Configuration of the LED landing zone: load, validate, select environments.

Every problem becomes a ConfigError whose text is one line naming the environment, the field,
the bad value and what is allowed. One module per table of the TOML file (config/keys.py for
`[environments.<env>.keys]`, ...); config/environment.py and config/landing_zone.py list the
cross-field rules in the order they are checked.
"""

from __future__ import annotations

from config.access import OPERATOR_PARTY
from config.accounts import DOCUMENTATION_ACCOUNTS
from config.deployment import CDK_DEFAULT_QUALIFIER, Deployment, bootstrap_role_arn, execution_role_arn
from config.environment import EnvironmentConfig
from config.errors import ConfigError
from config.landing_zone import DEFAULT_CONFIG_PATH, LandingZoneConfig, load_config, select_environments
from config.regions import EU_REGIONS, partition_of, service_domain_of

__all__ = [
    "CDK_DEFAULT_QUALIFIER",
    "DEFAULT_CONFIG_PATH",
    "DOCUMENTATION_ACCOUNTS",
    "EU_REGIONS",
    "ConfigError",
    "Deployment",
    "bootstrap_role_arn",
    "execution_role_arn",
    "EnvironmentConfig",
    "LandingZoneConfig",
    "OPERATOR_PARTY",
    "load_config",
    "partition_of",
    "select_environments",
    "service_domain_of",
]
