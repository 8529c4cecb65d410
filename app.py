#!/usr/bin/env python3
"""Entry point of the LED landing zone: config -> one Stage per environment -> rule packs.

cdk synth                      every environment of the embedded default config
cdk synth -c envs=prod         one environment (comma-separated for several)
cdk synth -c config=my.toml    another config file (same schema, see config/)
cdk synth -c packs=stock       rule packs: all (default: stock packs + VTC + Control Tower guard rules),
                               vtc (without the guard rules), stock, none (benchmarks)
"""

from __future__ import annotations

import sys

import venv_node  # noqa: F401  (first: jsii must start the virtual environment's Node 24)

# isort: split
import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from cdk_constructs.control_tower import acknowledge_control_tower
from cdk_constructs.control_tower_guard import ApplicableControlTowerRules
from cdk_constructs.lambda_bundle import WheelhouseMissing
from cdk_constructs.tags import tag_party
from cdk_constructs.vtc_metadata import VtcConditionMetadata
from config import ConfigError, EnvironmentConfig, LandingZoneConfig, load_config, select_environments
from policies import VtcChecks
from policies.risks import RiskRegisterError
from stacks.organization import OrganizationStack
from stacks.stage import LandingZoneStage

PACK_CHOICES = ("all", "vtc", "stock", "none")


def build(app: cdk.App, config: LandingZoneConfig, environments: list[EnvironmentConfig]) -> list[LandingZoneStage]:
    """Every stage of the asked environments, with every rule pack registered on the app."""
    pin_availability_zones(app, environments)
    stages = [LandingZoneStage(app, env.name, config=env, landing_zone=config) for env in environments]
    organization = build_organization(app, config)
    # VTC-POLICIES-VISIBLE (§55, §58): every resource names the conditions it serves. On each
    # stage, not on the app: aspects do not cross a Stage boundary.
    for scope in [*stages, *([organization] if organization else [])]:
        cdk.Aspects.of(scope).add(VtcConditionMetadata())
    for stage, env in zip(stages, environments, strict=True):
        acknowledge_control_tower(stage, multi_az=env.database.multi_az)
    register_packs(app, config, packs=app.node.try_get_context("packs") or "all")
    return stages


def pin_availability_zones(app: cdk.App, environments: list[EnvironmentConfig]) -> None:
    """The availability zones of each workload account come from the config, never from a lookup:
    otherwise the CDK CLI asks AWS for them (and, offline, synthesizes the app a second time)."""
    for env in environments:
        key = f"availability-zones:account={env.accounts.workload}:region={env.region}"
        zones = [f"{env.region}{letter}" for letter in "abc"]
        known = app.node.try_get_context(key)
        if known is None:
            app.node.set_context(key, zones)


def build_organization(app: cdk.App, config: LandingZoneConfig) -> OrganizationStack | None:
    """The guardrail SCPs, in the management account, when the config names one."""
    if config.organization is None:
        return None
    stack = OrganizationStack(
        app,
        "Organization",
        landing_zone=config,
        stack_name="led-organization",
        termination_protection=True,
        env=cdk.Environment(account=config.organization.management_account, region=config.allowed_regions[0]),
        description="LED organisation: guardrail SCPs on the workload, log archive and backup accounts. "
        "Owner: AHOVOKS. Serves VTC-LEAST-PRIVILEGE, VTC-OUTSOURCING-2016, VTC-KEY-CUSTODY, "
        "VTC-AUDIT-TRAIL.",
    )
    tag_party(stack, environment="organization", owner="AHOVOKS")
    return stack


def register_packs(app: cdk.App, config: LandingZoneConfig, *, packs: str = "all") -> None:
    """The stock packs, the VTC pack and Control Tower's proactive controls (cfn-guard); packs="vtc",
    "stock" or "none" exist only for `make bench`."""
    if packs not in PACK_CHOICES:
        raise ConfigError(f"context 'packs': got {packs!r}; allowed: {', '.join(PACK_CHOICES)}")
    # Registered on the app, so that the packs see every stage (design.md).
    if packs in ("all", "vtc", "stock"):
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    if packs in ("all", "vtc"):
        # Stacks outside a stage (the organisation stack) get the strictest environment's settings.
        strictest = next(
            (e for e in config.environments.values() if e.holds_personal_data), next(iter(config.environments.values()))
        )
        cdk.Validations.of(app).add_plugins(VtcChecks(app, config=config, default_environment=strictest.name))
    if packs == "all":
        # The Control Tower proactive controls, as cfn-guard rules bundled with the plugin (offline),
        # each that names a resource type the templates have (cdk_constructs/control_tower_guard.py).
        cdk.Validations.of(app).add_plugins(ApplicableControlTowerRules())


def load(app: cdk.App) -> tuple[LandingZoneConfig, list[EnvironmentConfig]]:
    config = load_config(app.node.try_get_context("config"))
    return config, select_environments(config, app.node.try_get_context("envs"))


def main() -> int:
    # The CLI turns validation failures into warnings unless told otherwise; an unacknowledged
    # finding must fail `cdk synth` (CI refuses the pull request).
    app = cdk.App(post_cli_context={"@aws-cdk/core:failSynthOnValidationErrors": True})
    try:
        config, environments = load(app)
    except ConfigError as exc:
        # One line, no traceback, and nothing synthesized into cdk.out/.
        print(exc, file=sys.stderr)
        return 2
    documentation = [env.name for env in environments if env.uses_documentation_accounts]
    if documentation:
        print(
            f"note: {', '.join(documentation)} use AWS documentation account ids: synthesized for review, "
            "cannot be deployed as is (put the real accounts in a config file, -c config=...)",
            file=sys.stderr,
        )
    try:
        build(app, config, environments)
    except (ConfigError, WheelhouseMissing, RiskRegisterError) as exc:
        # One line: the set-up step to run or the acknowledgement to fix, not a jsii traceback.
        print(exc, file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
