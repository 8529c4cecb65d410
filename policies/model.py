"""What a rule sees: one synthesized resource, its stack, the app around it, the settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from policies.settings import Settings


class Status(Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Result:
    status: Status
    why: str = ""

    @property
    def failed(self) -> bool:
        return self.status is Status.NON_COMPLIANT


COMPLIANT = Result(Status.COMPLIANT)
NOT_APPLICABLE = Result(Status.NOT_APPLICABLE)


def fail(*problems: str) -> Result:
    return Result(Status.NON_COMPLIANT, "; ".join(p for p in problems if p))


def verdict(problems: list[str]) -> Result:
    """Non-compliant with every problem found, or compliant when there is none."""
    return fail(*dict.fromkeys(problems)) if problems else COMPLIANT


@dataclass(eq=False)
class StackInfo:
    """One synthesized stack: its template and the environment it is deployed to."""

    key: str  # construct path of the stack: unique in the app
    name: str  # CloudFormation stack name, e.g. led-prod-data
    stage: str | None  # the environment (enclosing Stage) name, None outside any stage
    account: str | None  # None when the stack is environment-agnostic
    region: str | None
    template: dict
    settings: Settings

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources", {})

    @property
    def parameters(self) -> dict[str, dict]:
        return self.template.get("Parameters", {})


@dataclass(eq=False)
class AppIndex:
    """Every stack of the app, for rules that look across resources and stacks."""

    stacks: list[StackInfo] = field(default_factory=list)
    exports: dict[str, tuple[StackInfo, Any]] = field(default_factory=dict)

    def add(self, stack: StackInfo) -> None:
        self.stacks.append(stack)
        for output in stack.template.get("Outputs", {}).values():
            name = (output.get("Export") or {}).get("Name")
            if isinstance(name, str):
                self.exports[name] = (stack, output.get("Value"))

    def resources(self, resource_type: str, *, stage: str | None | bool = False) -> Iterator[Resource]:
        """Resources of a type, optionally only those of one environment (stage)."""
        for stack in self.stacks:
            if stage is not False and stack.stage != stage:
                continue
            for lid, res in stack.resources.items():
                if res.get("Type") == resource_type:
                    yield Resource(lid, res, stack, self)


@dataclass(frozen=True, eq=False)
class Resource:
    logical_id: str
    definition: dict
    stack: StackInfo
    app: AppIndex

    @property
    def type(self) -> str:
        return self.definition.get("Type", "")

    @property
    def props(self) -> dict:
        props = self.definition.get("Properties")
        return props if isinstance(props, dict) else {}

    @property
    def metadata(self) -> dict:
        meta = self.definition.get("Metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    def tag(self, key: str) -> Any:
        """The value of a tag, whichever of the shapes CloudFormation types use for tags."""
        tags = self.props.get("Tags")
        if isinstance(tags, list):
            for tag in tags:
                if isinstance(tag, dict) and tag.get("Key") == key:
                    return tag.get("Value")
        elif isinstance(tags, dict):
            return tags.get(key)
        for name in ("BackupVaultTags", "RestoreTestingPlanTags", "TagList"):
            other = self.props.get(name)
            if isinstance(other, dict) and key in other:
                return other[key]
        return None

    def is_same(self, stack: StackInfo, logical_id: str) -> bool:
        return stack is self.stack and logical_id == self.logical_id
