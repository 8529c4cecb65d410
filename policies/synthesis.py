"""The one reader of a synthesis (a cloud assembly directory, cdk.out): its stacks, the validation
report CDK writes and the VTC pack's evaluations, as typed objects.

    assembly = read_assembly(Path("cdk.out"))
    for stack in assembly.stacks:          # nested stage assemblies included, in manifest order
        stack.stage, stack.stack_name, stack.account, stack.region, stack.template, stack.paths
    read_validation_report(outdir)          # validation-report.json as read, or None
    read_evaluations(outdir)                # vtc-evaluations.json as read, or None

The pack (policies/pack.py), the gate (policies/gate.py), the access model
(policies/access/templates.py), the compliance report (tools/report/inputs.py), the bootstrap
templates (tools/bootstrap/assembly.py) and the cost estimate (tools/cost/assembly.py) read the
synthesis through this module. A missing or unreadable file is a `SynthesisError` (one line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.artefacts import EVALUATIONS_FILE, MANIFEST_FILE, VALIDATION_FILE

EVALUATIONS_VERSION = 1
# The CDK's metadata entry naming a resource's logical id, at its construct path.
LOGICAL_ID = "aws:cdk:logicalId"


class SynthesisError(ValueError):
    """A synthesis that cannot be read, said in one line."""


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SynthesisError(f"{path} is missing: synthesize first (cdk synth)") from None
    except json.JSONDecodeError as exc:
        raise SynthesisError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None


def split_environment(uri: str) -> tuple[str, str]:
    """aws://<account>/<region> as written (environment-agnostic stacks say unknown-account/unknown-region)."""
    account, _, region = uri.removeprefix("aws://").partition("/")
    return account, region


def _known(value: str) -> str | None:
    return None if not value or value.startswith("unknown") else value


@dataclass(kw_only=True)
class SynthStack:
    """One stack artifact of the assembly: its manifest entry and its template."""

    stage: str | None  # the enclosing Stage (nested assembly's display name); None at the top level
    directory: Path  # the (nested) assembly directory holding the template
    artifact_id: str
    display_name: str
    stack_name: str
    environment: str  # aws://<account>/<region> as written in the manifest
    template: dict[str, Any]
    properties: dict[str, Any] = field(default_factory=dict)  # the artifact's properties (role ARNs, ...)
    paths: dict[str, str] = field(default_factory=dict)  # logical id -> construct path (aws:cdk:logicalId)
    metadata: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # construct path -> its entries

    def metadata_of_type(self, kind: str) -> list[tuple[str, Any]]:
        """(construct path, data) of every metadata entry of one type (e.g. an accepted risk)."""
        return [
            (path, e.get("data")) for path, entries in self.metadata.items() for e in entries if e.get("type") == kind
        ]

    @property
    def account_text(self) -> str:
        return split_environment(self.environment)[0]

    @property
    def region_text(self) -> str:
        return split_environment(self.environment)[1]

    @property
    def account(self) -> str | None:
        """None when the stack is environment-agnostic."""
        return _known(self.account_text)

    @property
    def region(self) -> str | None:
        return _known(self.region_text)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})


@dataclass
class Assembly:
    outdir: Path
    stacks: list[SynthStack]

    def stages(self) -> list[str]:
        """The stage (environment) names, in manifest order."""
        return list(dict.fromkeys(s.stage for s in self.stacks if s.stage is not None))

    def of_stage(self, stage: str | None) -> list[SynthStack]:
        return [s for s in self.stacks if s.stage == stage]


def _metadata(directory: Path, artifact_id: str, artifact: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if extra:
        metadata.update(_json(directory / extra))
    elif not metadata and (directory / f"{artifact_id}.metadata.json").is_file():
        metadata = _json(directory / f"{artifact_id}.metadata.json")
    return metadata


def _stack(directory: Path, stage: str | None, artifact_id: str, artifact: dict[str, Any]) -> SynthStack:
    props = artifact.get("properties") or {}
    metadata = {path.lstrip("/"): entries for path, entries in _metadata(directory, artifact_id, artifact).items()}
    paths = {
        entry["data"]: path
        for path, entries in metadata.items()
        for entry in entries
        if entry.get("type") == LOGICAL_ID
    }
    return SynthStack(
        stage=stage,
        directory=directory,
        artifact_id=artifact_id,
        display_name=artifact.get("displayName", artifact_id),
        stack_name=props.get("stackName", artifact_id),
        environment=artifact.get("environment", "aws://unknown-account/unknown-region"),
        template=_json(directory / props["templateFile"]),
        properties=props,
        paths=paths,
        metadata=metadata,
    )


def read_assembly(outdir: Path | str) -> Assembly:
    """Every stack of a cloud assembly, nested stage assemblies included (their display name is the stage)."""
    root = Path(outdir)
    stacks: list[SynthStack] = []

    def visit(directory: Path, stage: str | None) -> None:
        manifest = _json(directory / MANIFEST_FILE)
        for artifact_id, artifact in manifest.get("artifacts", {}).items():
            kind = artifact.get("type")
            props = artifact.get("properties") or {}
            if kind == "cdk:cloud-assembly":
                name = props.get("displayName") or props["directoryName"].removeprefix("assembly-")
                visit(directory / props["directoryName"], name)
            elif kind == "aws:cloudformation:stack":
                stacks.append(_stack(directory, stage, artifact_id, artifact))

    visit(root, None)
    return Assembly(root, stacks)


# A synthesis as its readers take it: the directory (read here), or the Assembly already read from it,
# so that one report or gate run reads the templates once and hands the result on.
AssemblySource = Path | str | Assembly


def assembly_of(source: AssemblySource) -> Assembly:
    """The Assembly itself, or the one read from the directory `source`."""
    return source if isinstance(source, Assembly) else read_assembly(source)


def directory_of(source: AssemblySource) -> Path:
    """The directory of the synthesis (where validation-report.json and the evaluations are)."""
    return source.outdir if isinstance(source, Assembly) else Path(source)


def read_validation_report(outdir: Path | str) -> dict[str, Any] | None:
    """validation-report.json (CDK's policy validation, @aws-cdk/core:validationReportJson), or None."""
    path = Path(outdir) / VALIDATION_FILE
    return _json(path) if path.is_file() else None


def read_evaluations(outdir: Path | str) -> dict[str, Any] | None:
    """vtc-evaluations.json (the VTC pack's every evaluation), or None when the pack did not run."""
    path = Path(outdir) / EVALUATIONS_FILE
    if not path.is_file():
        return None
    data = _json(path)
    if not isinstance(data, dict) or data.get("version") != EVALUATIONS_VERSION:
        version = data.get("version") if isinstance(data, dict) else None
        raise SynthesisError(f"{path}: version {version!r}, this reader reads version {EVALUATIONS_VERSION}")
    return data


__all__ = [
    "EVALUATIONS_FILE",
    "MANIFEST_FILE",
    "VALIDATION_FILE",
    "Assembly",
    "SynthStack",
    "SynthesisError",
    "read_assembly",
    "read_evaluations",
    "read_validation_report",
    "split_environment",
]
