"""The report's model: what one environment's report holds, as dataclasses.

`Report` is what the renderers (Markdown, HTML, the SVG picture) and the JSON file are made from;
`Context` is what a section's collect function sees; `Section` is one part of the report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config import EnvironmentConfig
from contract.artefacts import ARCHITECTURE_SVG
from tools.report.inputs import Inputs, Stack

ORGANISATIONAL = "organisational"
FAILING = "failing"
ACCEPTED = "accepted-risk"
ENFORCED = "enforced"
NOT_CHECKED = "not-checked"
STATUS_LABELS = {
    ENFORCED: "enforced and passing",
    ACCEPTED: "accepted risk",
    FAILING: "failing",
    ORGANISATIONAL: "organisational",
    NOT_CHECKED: "not checked",
}
PACK_DID_NOT_RUN = "not checked: VTC pack did not run (no vtc-evaluations.json in this cdk.out)"
# The conditions the synthesis and the gate enforce as a whole, not per resource.
GATE = "VTC-GATE"
RISK_ACCEPTED = "VTC-RISK-ACCEPTED"


@dataclass(frozen=True, kw_only=True)
class QuoteRow:
    paragraph: str  # "11", "V", "footnote 4"
    label: str  # "§11", "conclusion V", "footnote 4"
    text: str  # the advice's own Dutch words


@dataclass(kw_only=True)
class ConditionRow:
    """One condition of the catalogue in one environment: what the advice says, and the evidence."""

    id: str
    paragraph: str
    paraphrase: str  # the catalogue's statement (English, our words)
    quotes: list[QuoteRow]
    checkable: str
    expected_control: str
    evidence: str
    status: str
    note: str
    rules: list[str]
    evaluated: dict[str, int]
    compliant_resources: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    accepted_risks: list[dict[str, str]] = field(default_factory=list)
    implemented_by: list[dict[str, str]] = field(default_factory=list)
    stacks_citing: list[str] = field(default_factory=list)
    gate_checks: dict[str, Any] | None = None  # VTC-GATE and VTC-RISK-ACCEPTED: the gate's checks

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "gate_checks"}
        out["quotes"] = [dataclasses.asdict(q) for q in self.quotes]
        out["status_label"] = self.status_label
        if self.gate_checks is not None:
            out["gate_checks"] = self.gate_checks
        return out


@dataclass(kw_only=True)
class Report:
    """The whole report of one environment. `parts` holds what the sections collected, by JSON key
    (e.g. "conditions", "accepted_risks", "keys"); `as_dict` is report.json."""

    environment: str
    advice: dict[str, str]
    inputs: dict[str, bool]
    environment_config: dict[str, Any]
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def conditions(self) -> list[ConditionRow]:
        return self.parts.get("conditions", [])

    @property
    def summary(self) -> dict[str, int]:
        counts = {status: sum(1 for r in self.conditions if r.status == status) for status in STATUS_LABELS}
        return {
            "conditions": len(self.conditions),
            **counts,
            "acknowledgements": len(self.parts.get("accepted_risks", [])),
            "unacknowledged_findings": len(self.parts.get("unacknowledged_findings", [])),
        }

    def as_dict(self) -> dict[str, Any]:
        head = {
            "version": 1,
            "environment": self.environment,
            "advice": self.advice,
            "inputs": self.inputs,
            "summary": self.summary,
            "environment_config": self.environment_config,
        }
        body = {key: _plain(value) for key, value in self.parts.items()}
        return {**head, **body, "diagram": ARCHITECTURE_SVG}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


@dataclass(kw_only=True)
class Context:
    """What a section's collect function sees: the inputs, one environment and its stacks."""

    inputs: Inputs
    env: str
    stacks: list[Stack]
    cfg: EnvironmentConfig | None
    parts: dict[str, Any]  # what the sections before this one collected
    _by_path: dict[str, tuple[Stack, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {path: (s, lid) for s in self.stacks for lid, path in s.paths.items()}

    def locate(self, path: str) -> dict[str, str]:
        """Stack and logical id of a construct path. Findings name the L1 resource's path;
        acknowledgements may sit on a parent construct."""
        if path in self._by_path:
            stack, lid = self._by_path[path]
            return {"stack": stack.stack_name, "logical_id": lid, "path": path}
        owner = next((s for s in self.stacks if path.startswith(s.display_name + "/")), None)
        return {"stack": owner.stack_name if owner else "", "logical_id": "", "path": path}

    def stack_name(self, ref: str) -> str:
        """The pack names a stack by its construct path, artifact id or name: report the stack name."""
        for stack in self.stacks:
            if ref in (stack.display_name, stack.artifact_id, stack.stack_name, stack.display_name.split("/")[-1]):
                return stack.stack_name
        return ref


@dataclass(frozen=True)
class Section:
    """One part of the report, in every format.

    collect   (Context) -> {JSON key: value}: what goes into report.json (and Report.parts)
    markdown  (Report) -> lines of report.md
    html      (Report, svg) -> the section's HTML
    """

    name: str
    title: str
    collect: Callable[[Context], dict[str, Any]]
    markdown: Callable[[Report], list[str]]
    html: Callable[[Report, str], str]
