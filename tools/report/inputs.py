"""The inputs of the report: the cloud assembly, the rule packs' findings, the VTC pack's
evaluations, the catalogue and the configuration, read as they are (nothing is kept by hand)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from config import ConfigError, LandingZoneConfig, load_config
from contract.artefacts import MANIFEST_FILE
from policies import synthesis
from policies.catalogue import CATALOGUE_FILE, Catalogue, CatalogueError, load_catalogue
from policies.intrinsics import Knowledge, Renderer, Unknown, as_json


class ReportError(Exception):
    """A problem with the inputs, said in one line."""


# The cloud assembly ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stack:
    """A stack of one environment as the report reads it: the synthesized stack, and the construct
    path of each of its resources (the resource's own aws:cdk:path where it names one)."""

    synthesized: synthesis.SynthStack
    paths: dict[str, str]  # logical id -> construct path

    @classmethod
    def of(cls, synthesized: synthesis.SynthStack) -> Stack:
        paths = dict(synthesized.paths)
        for logical_id, resource in synthesized.resources.items():
            path = (resource.get("Metadata") or {}).get("aws:cdk:path")
            if path:
                paths[logical_id] = path
        return cls(synthesized, paths)

    @property
    def artifact_id(self) -> str:
        return self.synthesized.artifact_id

    @property
    def display_name(self) -> str:
        return self.synthesized.display_name

    @property
    def stack_name(self) -> str:
        return self.synthesized.stack_name

    @property
    def account(self) -> str:
        """As the manifest writes it (unknown-account for an environment-agnostic stack)."""
        return self.synthesized.account_text

    @property
    def region(self) -> str:
        return self.synthesized.region_text

    @property
    def template(self) -> dict[str, Any]:
        return self.synthesized.template

    @property
    def description(self) -> str:
        return str(self.template.get("Description", ""))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.synthesized.resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") == resource_type}


def read_synthesis(cdk_out: Path) -> synthesis.Assembly:
    """The cloud assembly of a cdk.out directory, read once for the whole report."""
    manifest_path = cdk_out / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ReportError(f"report error: {manifest_path} is missing: run `cdk synth` first")
    try:
        return synthesis.read_assembly(cdk_out)
    except synthesis.SynthesisError as exc:
        raise ReportError(f"report error: {exc}") from None


def stacks_by_environment(assembly: synthesis.Assembly) -> dict[str, list[Stack]]:
    """Every stack of every environment (nested assembly)."""
    return {env: [Stack.of(synthesized) for synthesized in assembly.of_stage(env)] for env in assembly.stages()}


def read_assembly(cdk_out: Path) -> dict[str, list[Stack]]:
    """Every stack of every environment (nested assembly) of a cdk.out directory."""
    return stacks_by_environment(read_synthesis(cdk_out))


# Intrinsics, rendered for people -------------------------------------------------------------


class _ForPeople(Knowledge[None]):
    """The report resolves nothing: a reader recognises Ref X as ${X} and an import by its name."""

    list_separator = ", "

    def unknown(self, part: Unknown) -> str:
        if part.kind in ("ref", "attribute"):
            return f"${{{part.name}}}"
        if part.kind == "import":
            return f"import({part.name})"
        return as_json(part.value)


_FOR_PEOPLE = Renderer(_ForPeople())


def text(value: Any) -> str:
    """A template value as a reader sees it (Ref AWS::Partition stays a placeholder)."""
    return _FOR_PEOPLE.text(value, None)[0]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    props = resource.get("Properties", {})
    for key in ("Tags", "BackupVaultTags", "BackupPlanTags"):
        tags = props.get(key)
        if isinstance(tags, dict):
            return {str(k): text(v) for k, v in tags.items()}
        if isinstance(tags, list):
            return {str(t.get("Key")): text(t.get("Value")) for t in tags if isinstance(t, dict)}
    return {}


# Findings and evaluations ------------------------------------------------------------------


@dataclass(kw_only=True)
class Finding:
    pack: str
    rule: str
    description: str
    paths: list[str]
    suppressed: bool
    acknowledged_id: str = ""
    acknowledged_at: str = ""
    reason: str = ""


def read_findings(cdk_out: Path) -> tuple[list[Finding], bool]:
    """Every violation and acknowledged (suppressed) violation of every pack; and whether the
    validation report existed at all."""
    report = _validation_report(cdk_out)
    if report is None:
        return [], False
    findings = []
    for plugin in report.get("pluginReports", []):
        pack = plugin.get("pluginName", "?")
        for suppressed, key in ((False, "violations"), (True, "suppressedViolations")):
            for v in plugin.get(key) or []:
                findings.append(
                    Finding(
                        pack=pack,
                        rule=v.get("ruleName", "?"),
                        description=v.get("description", ""),
                        paths=[c.get("constructPath", "?") for c in v.get("violatingConstructs", [])],
                        suppressed=suppressed,
                        acknowledged_id=v.get("acknowledgedId", ""),
                        acknowledged_at=v.get("acknowledgedAt", ""),
                        reason=v.get("reason", ""),
                    )
                )
    return findings, True


def _validation_report(cdk_out: Path) -> dict[str, Any] | None:
    try:
        return synthesis.read_validation_report(cdk_out)
    except synthesis.SynthesisError as exc:
        raise ReportError(f"report error: {exc}") from None


def read_evaluations(cdk_out: Path) -> dict[str, Any] | None:
    try:
        return synthesis.read_evaluations(cdk_out)
    except synthesis.SynthesisError as exc:
        raise ReportError(f"report error: {exc}") from None


def in_env(path: str, env: str) -> bool:
    return path == env or path.startswith(f"{env}/")


# Everything the report reads ------------------------------------------------------------------


@dataclass(kw_only=True)
class Inputs:
    catalogue: Catalogue
    envs: dict[str, list[Stack]]
    findings: list[Finding]
    validation_report_found: bool
    evaluations: dict[str, Any] | None
    config: LandingZoneConfig | None
    validation_report: dict[str, Any] | None = None  # validation-report.json as read (the gate's input)
    cdk_out: Path | None = None
    today: date = field(default_factory=date.today)  # the report's date: days left until each risk's review
    # The assembly `envs` was read from: the access matrix and the register read it, not cdk_out again.
    assembly: synthesis.Assembly | None = None

    @property
    def assembly_source(self) -> synthesis.AssemblySource | None:
        """What the readers of the synthesis (access matrix, gate, register) take: the assembly read."""
        return self.assembly or self.cdk_out


def load_inputs(
    cdk_out: Path, *, config_path: str | None = None, catalogue: Path = CATALOGUE_FILE, today: date | None = None
) -> Inputs:
    try:
        conditions = load_catalogue(catalogue)
    except CatalogueError as exc:
        raise ReportError(f"report error: {exc}") from None
    assembly = read_synthesis(cdk_out)
    findings, found = read_findings(cdk_out)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise ReportError(f"report error: {exc}") from None
    validation = _validation_report(cdk_out) if found else None
    return Inputs(
        catalogue=conditions,
        envs=stacks_by_environment(assembly),
        findings=findings,
        validation_report_found=found,
        evaluations=read_evaluations(cdk_out),
        config=config,
        validation_report=validation,
        cdk_out=cdk_out,
        today=today or date.today(),
        assembly=assembly,
    )
