"""What a rule of the VTC pack is: `RuleSpec`, declared as `RULE = RuleSpec(...)` at the end of its
own module in `policies/rules/` (the registry, `policies/registry.py`, discovers them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policies.model import Resource, Result

PACK_NAME = "VTC"


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    rule_id: str  # e.g. VTC-ENCRYPT-ALL; several rules of one condition add a suffix
    condition_id: str  # the condition in policies/conditions.toml (the registry checks that it is there)
    paragraph: str  # the advice's paragraph, e.g. "§48"
    title: str
    trigger: str  # what makes a resource non-compliant
    fix: str  # what to change
    resource_types: tuple[str, ...]  # the CloudFormation types `check` is called for ("*": every type)
    check: Callable[[Resource], Result]
    # The resource types whose `led:vtc-conditions` template metadata names this rule's condition
    # (cdk_constructs/vtc_metadata.py): what the landing zone builds to serve it, checked or not.
    marks: tuple[str, ...] = ()
    # VTC-GATE: never acknowledged in an environment that holds personal data.
    never_acknowledge: bool = False

    @property
    def module(self) -> str:
        """The name of the rule's module in policies/rules/ (its cases: tests/rules/<module>.py)."""
        return self.check.__module__.rsplit(".", 1)[-1]

    @property
    def suffix(self) -> str:
        return self.rule_id.removeprefix(f"{PACK_NAME}-")

    @property
    def message(self) -> str:
        """What a finding says: the paragraph, what is wrong, what to change."""
        return f"{self.rule_id} (VTC advice 01/2018 {self.paragraph}): {self.title}. Fix: {self.fix}."

    def as_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "condition_id": self.condition_id,
            "paragraph": self.paragraph,
            "title": self.title,
            "trigger": self.trigger,
            "fix": self.fix,
            "resource_types": list(self.resource_types),
        }
