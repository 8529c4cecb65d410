"""The VTC cdk-nag v3 pack: every checkable condition of VTC advice 01/2018 at synthesis time.

How it works (cdk-nag 3.0.2):

1. The rules are pure Python functions of one synthesized resource (`policies/rules/`), dispatched
   by resource type (`registry.rules_for`). They read what CloudFormation receives (property
   overrides included) and follow `Fn::ImportValue` through the exports of the app's own stacks.
2. In a real synthesis CDK calls `validate` after the cloud assembly is written. The pack reads
   the assembly from disk: manifests (stage, stack name, account, region), templates and the
   `aws:cdk:logicalId` metadata (construct path of each resource). Nothing crosses jsii for a
   compliant resource. The outdir is the app construct's (on cdk-nag v3's validation context).
3. `validate_scope` (rule tests) lets cdk-nag walk the construct tree instead: `_check_resource`
   notes each resource, and the template of its stack is read from the stage's outdir.
4. Every non-compliant result goes through cdk-nag's own `applyRule` (an `IApplyRule` object), so
   acknowledgements work as for any pack: `Validations.of(c).acknowledge(id="VTC::VTC-...")`.
   This happens in a second cdk-nag walk over one resource only, once the whole app has been
   evaluated (several rules look across resources and stacks).
5. cdk-nag groups a rule's findings under one description; the report is regrouped so that
   every finding says why *this* resource fails.
6. `validate` also writes `vtc-evaluations.json` into the app's outdir: every evaluation,
   compliant and non-compliant (acknowledged ones included), for the compliance report.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from config import LandingZoneConfig, load_config
from contract.artefacts import EVALUATIONS_FILE
from policies.model import AppIndex, Resource, Result, StackInfo, Status, fail
from policies.registry import PACK_NAME, RULES, RuleSpec, rules_for
from policies.settings import Settings
from policies.synthesis import read_assembly


@jsii.implements(IApplyRule)
class _Apply:
    """One failed rule on one resource, handed to cdk-nag's applyRule.

    jsii only sees members defined on the class (properties/methods), never instance
    attributes; rule_suffix_override is always set, so the id is exactly the rule id.
    """

    def __init__(self, spec: RuleSpec, node: Any) -> None:
        self._spec = spec
        self._node = node

    @property
    def rule_suffix_override(self) -> str:
        return self._spec.suffix

    @property
    def info(self) -> str:
        return self._spec.message

    @property
    def explanation(self) -> str:
        return self._spec.trigger

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    @property
    def node(self) -> Any:
        return self._node

    def rule(self, node: Any) -> NagRuleCompliance:
        # Decided before cdk-nag asks: the whole app is evaluated first (see the module doc).
        return NagRuleCompliance.NON_COMPLIANT


class _Located:
    """A resource found in the cloud assembly by its construct path; its construct is looked up
    in the tree only when a rule fails on it (cdk-nag needs it for acknowledgements)."""

    def __init__(self, app: Any, path: str) -> None:
        self.app = app
        self.path = path
        self._construct: Any = None

    @property
    def construct(self) -> Any:
        if self._construct is None:
            node = self.app
            for part in self.path.split("/"):
                node = node.node.find_child(part)
            self._construct = node
        return self._construct


@dataclass
class _Evaluation:
    spec: RuleSpec
    node: Any  # the CfnResource (tree walk) or a _Located (cloud assembly)
    stack: StackInfo
    logical_id: str
    resource_type: str
    result: Result
    _path: str | None = None

    @property
    def path(self) -> str:
        if self._path is None:
            self._path = self.node.path if isinstance(self.node, _Located) else self.node.node.path
        return self._path

    @property
    def construct(self) -> Any:
        return self.node.construct if isinstance(self.node, _Located) else self.node


class VtcChecks(NagPack):
    _pending: list[_Apply] | None
    """The VTC pack. `VtcChecks(app)` applies the embedded default configuration.

    config: the landing zone configuration whose environments (Stage names) give each resource
    its settings; default_environment: the settings for resources outside any configured stage
    (rule tests, other apps).
    """

    def __init__(
        self,
        scope: IConstruct | None = None,
        *,
        config: LandingZoneConfig | None = None,
        default_environment: str = "prod",
        verbose: bool | None = None,
    ) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        landing_zone = config if config is not None else load_config()
        self._settings = {name: Settings.of(landing_zone, env) for name, env in landing_zone.environments.items()}
        if default_environment not in self._settings:
            raise ValueError(f"default_environment {default_environment!r}: allowed: {', '.join(self._settings)}")
        self._default = self._settings[default_environment]
        self._reset()

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def evaluations(self) -> list[dict[str, str]]:
        """Every evaluation of the last validation, as written to vtc-evaluations.json."""
        return [
            {
                "rule_id": e.spec.rule_id,
                "stage": e.stack.stage or "",
                "stack": e.stack.name,
                "logical_id": e.logical_id,
                "path": e.path,
                "resource_type": e.resource_type,
                "result": e.result.status.value,
                **({"why": e.result.why} if e.result.why else {}),
            }
            for e in self._evaluations
            if e.result.status is not Status.NOT_APPLICABLE
        ]

    # --- cdk-nag entry points -------------------------------------------------------------

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """The real synthesis: everything is read from the cloud assembly on disk (templates,
        manifests, logical-id metadata), so nothing crosses jsii for compliant resources."""
        # The app construct is on the v3 context (cdk-nag requires it); its outdir is the cloud
        # assembly's root, whatever the stages nest below it.
        app = jsii.get(context, "appConstruct")
        outdir = Path(app.outdir)
        failures = self._evaluate_assembly(outdir, app)
        self.write_evaluations(outdir)
        return self._report(failures)

    def evaluate_assembly(self, outdir: Path) -> list[dict[str, str]]:
        """Every rule on a cloud assembly already on disk, without its app (a changed template
        re-checked): writes vtc-evaluations.json and returns the evaluations. Acknowledgements
        live in the construct tree, so cdk-nag's report is not rewritten."""
        self._evaluate_assembly(outdir, None)
        self.write_evaluations(outdir)
        return self.evaluations

    def _evaluate_assembly(self, outdir: Path, app: Any) -> list[_Evaluation]:
        self._reset()
        for info, paths in _assembly_stacks(outdir, self._settings, self._default):
            self._app.add(info)
            for logical_id, path in paths.items():
                definition = info.resources.get(logical_id)
                if definition is not None and rules_for(definition.get("Type", "")):
                    self._collected.append((_Located(app, path), info, logical_id))
        return self._evaluate()

    def validate_scope(self, scope: IConstruct) -> cdk.PolicyValidationPluginReport:
        """Validate a construct tree (rule tests): the tree walk finds the resources."""
        self._reset()
        super().validate_scope(scope)  # first walk: note the resources rules apply to
        return self._report(self._evaluate())

    def _report(self, failures: list[_Evaluation]) -> cdk.PolicyValidationPluginReport:
        if not failures:
            return cdk.PolicyValidationPluginReport(success=True, violations=[])
        self._pending = [_Apply(e.spec, e.construct) for e in failures]
        report = super().validate_scope(failures[0].construct)  # second walk: cdk-nag applies the failures
        return self._explained(report, failures)

    def _check_resource(self, node: cdk.CfnResource) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            for apply in pending:
                self._apply_rule(apply)  # _Apply has IApplyRule's fields
            return
        stack = cdk.Stack.of(node)
        info = self._stack_info(stack)
        logical_id = stack.get_logical_id(node)
        definition = info.resources.get(logical_id)
        if definition is None or not rules_for(definition.get("Type", "")):
            return
        self._collected.append((node, info, logical_id))

    # --- the pack's own work ----------------------------------------------------------------

    def _reset(self) -> None:
        self._collected: list[tuple[Any, StackInfo, str]] = []
        self._stacks: dict[int, StackInfo] = {}
        self._app = AppIndex()
        self._pending = None
        self._evaluations: list[_Evaluation] = []

    def _stack_info(self, stack: cdk.Stack) -> StackInfo:
        info = self._stacks.get(id(stack))
        if info is None:
            stage = cdk.Stage.of(stack)
            stage_name = None if stage is None or cdk.App.is_app(stage) else stage.stage_name
            settings = self._settings.get(stage_name, self._default) if stage_name else self._default
            account, region = stack.account, stack.region
            info = StackInfo(
                key=stack.node.path,
                name=stack.stack_name,
                stage=stage_name if stage_name in self._settings else None,
                account=None if cdk.Token.is_unresolved(account) else account,
                region=None if cdk.Token.is_unresolved(region) else region,
                template=_template(stack, stage),
                settings=settings,
            )
            self._stacks[id(stack)] = info
            self._app.add(info)
        return info

    def _evaluate(self) -> list[_Evaluation]:
        failures = []
        for node, info, logical_id in self._collected:
            res = Resource(logical_id, info.resources[logical_id], info, self._app)
            for spec in rules_for(res.type):
                try:
                    result = spec.check(res)
                except Exception as exc:  # a rule that cannot read a shape fails closed, and says so
                    result = fail(f"the rule could not read this resource ({type(exc).__name__}: {exc}) (fails closed)")
                evaluation = _Evaluation(spec, node, info, logical_id, res.type, result)
                self._evaluations.append(evaluation)
                if result.failed:
                    failures.append(evaluation)
        return failures

    def _explained(
        self, report: cdk.PolicyValidationPluginReport, failures: list[_Evaluation]
    ) -> cdk.PolicyValidationPluginReport:
        """cdk-nag groups a rule's findings under one description; give each resource its reason."""
        why = {(e.spec.rule_id, e.path): e for e in failures}
        violations = []
        for violation in report.violations:
            spec = next((r for r in RULES if r.rule_id == violation.rule_name), None)
            for resource in violation.violating_resources:
                evaluation = why.get((violation.rule_name, resource.construct_path or ""))
                detail = f" Here: {evaluation.result.why}." if evaluation and evaluation.result.why else ""
                violations.append(
                    cdk.PolicyViolation(
                        rule_name=violation.rule_name,
                        description=f"{violation.description}{detail}",
                        severity=violation.severity,
                        fix=spec.fix if spec else None,
                        rule_metadata={"condition": spec.condition_id, "paragraph": spec.paragraph} if spec else None,
                        violating_resources=[
                            cdk.PolicyViolatingResource(
                                construct_path=resource.construct_path,
                                resource_logical_id=evaluation.logical_id if evaluation else None,
                                locations=list(resource.locations),
                            )
                        ],
                    )
                )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)

    def write_evaluations(self, outdir: Path) -> Path:
        document = {
            "version": 1,
            "rules": [{k: v for k, v in spec.as_dict().items() if k != "resource_types"} for spec in RULES],
            "evaluations": self.evaluations,
        }
        path = outdir / EVALUATIONS_FILE
        text = json.dumps(document, indent=1, sort_keys=False) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return path


def _assembly_stacks(
    outdir: Path, settings: dict[str, Settings], default: Settings
) -> list[tuple[StackInfo, dict[str, str]]]:
    """Every stack of a cloud assembly (nested stage assemblies included), with the construct
    path of each logical id, from the manifests' aws:cdk:logicalId metadata."""
    found: list[tuple[StackInfo, dict[str, str]]] = []
    for stack in read_assembly(outdir).stacks:
        stage = stack.stage
        info = StackInfo(
            key=stack.display_name,
            name=stack.stack_name,
            stage=stage if stage in settings else None,
            account=stack.account,
            region=stack.region,
            template=stack.template,
            settings=settings.get(stage, default) if stage else default,
        )
        found.append((info, stack.paths))
    return found


def _template(stack: cdk.Stack, stage: cdk.Stage | None) -> dict:
    """The synthesized template of a stack (synthesizing the app first when it was not yet)."""
    if stage is None:
        raise ValueError(f"stack {stack.node.path} is outside any Stage or App")
    path = os.path.join(stage.outdir, stack.template_file)
    if not os.path.exists(path):
        root = stack.node.root
        root.synth()
        path = os.path.join(stage.outdir, stack.template_file)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


__all__ = ["EVALUATIONS_FILE", "Settings", "VtcChecks"]
