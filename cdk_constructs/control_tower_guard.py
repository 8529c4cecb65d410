"""The Control Tower rules of the cfn-guard plugin, run where they can find something.

`cdklabs.cdk_validator_cfnguard.CfnGuardValidator` runs one cfn-guard process over every bundled
Control Tower rule and every template; its time grows with rules x templates (about 26 s of CPU for
237 rules and the 36 templates of dev, acc and prod). A rule file names the resource types it checks
(`let RDS_DB_INSTANCE_TYPE = "AWS::RDS::DBInstance"`, `Resources.*[ Type == ... ]`) and skips a
template without them, so a rule none of whose types occurs in the synthesized templates cannot
report anything. This plugin is the same plugin with those rules disabled, decided per synthesis
from the templates themselves (not from the construct tree, which aspects may still change): the
findings are the same (tests/test_control_tower_guard.py compares them with a run of every rule),
the time is about a third. A rule file that names no type runs always. The plugin's name stays the
vendor's, so acknowledgement ids (`cdk-validator-cfnguard::<rule>`) do not change.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import aws_cdk as cdk
import jsii
from cdklabs import cdk_validator_cfnguard
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

RULES_IN_PACKAGE = "package/rules/control-tower/cfn-guard/"
_TYPE = re.compile(r"""["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']""")


class GuardRulesUnreadable(RuntimeError):
    """The plugin's bundled rules could not be read: nothing would be checked."""


def _package_tarball() -> Path:
    found = sorted((Path(cdk_validator_cfnguard.__file__).parent / "_jsii").glob("*.jsii.tgz"))
    if len(found) != 1:
        raise GuardRulesUnreadable(
            f"cdk-validator-cfnguard: expected one *.jsii.tgz beside {cdk_validator_cfnguard.__file__}, "
            f"found {len(found)} (reinstall it: make setup)"
        )
    return found[0]


@cache
def rule_types() -> dict[str, frozenset[str]]:
    """Every bundled Control Tower rule (the file name the plugin's disabledRules takes, e.g.
    `ct-rds-pr-1`) -> the resource types it names (empty: it names none)."""
    rules: dict[str, frozenset[str]] = {}
    with tarfile.open(_package_tarball()) as package:
        for member in package.getmembers():
            if member.isfile() and member.name.startswith(RULES_IN_PACKAGE) and member.name.endswith(".guard"):
                text = package.extractfile(member).read().decode()  # type: ignore[union-attr]
                rules[Path(member.name).stem] = frozenset(_TYPE.findall(text))
    if not rules:
        raise GuardRulesUnreadable(f"cdk-validator-cfnguard: no Control Tower rule in {_package_tarball()}")
    return rules


def template_types(template_paths: Iterable[str]) -> frozenset[str]:
    return frozenset(
        resource.get("Type", "")
        for path in template_paths
        for resource in json.loads(Path(path).read_text()).get("Resources", {}).values()
    )


def not_applicable(present: frozenset[str]) -> list[str]:
    """The rules that name resource types, none of them present."""
    return sorted(name for name, types in rule_types().items() if types and not types & present)


@jsii.implements(cdk.IPolicyValidationPluginBeta1)
class ApplicableControlTowerRules:
    """CfnGuardValidator(control_tower_rules_enabled=True), without the rules that cannot apply."""

    def __init__(self) -> None:
        self._every_rule = CfnGuardValidator(control_tower_rules_enabled=True)
        rule_types()  # fail at registration, not in the middle of a synthesis

    @property
    def name(self) -> str:
        return self._every_rule.name

    @property
    def version(self) -> str | None:
        return self._every_rule.version

    @property
    def rule_ids(self) -> list[str] | None:
        return self._every_rule.rule_ids

    def validate(self, context: cdk.IPolicyValidationContextBeta1) -> cdk.PolicyValidationPluginReportBeta1:
        disabled = not_applicable(template_types(context.template_paths))
        return CfnGuardValidator(control_tower_rules_enabled=True, disabled_rules=disabled).validate(context)
