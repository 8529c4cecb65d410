"""The synthesized templates per environment, read from a cloud assembly (cdk.out) through the one
reader of the synthesis (policies/synthesis.py).

The one place the estimate reads cdk.out: every other module of tools/cost works on `StackTemplate`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.artefacts import MANIFEST_FILE
from policies.synthesis import SynthesisError, SynthStack, read_assembly
from tools.cost.tables import CostError


@dataclass(frozen=True, kw_only=True)
class StackTemplate:
    """One stack's template and where it deploys."""

    name: str
    account: str
    region: str
    template: dict[str, Any]

    @classmethod
    def of(cls, stack: SynthStack) -> StackTemplate:
        """The account and region as the manifest writes them."""
        return cls(name=stack.stack_name, account=stack.account_text, region=stack.region_text, template=stack.template)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})


def read_templates(cdk_out: Path) -> dict[str, list[StackTemplate]]:
    """Every environment (nested assembly, e.g. assembly-prod) of cdk.out and its stacks."""
    manifest = cdk_out / MANIFEST_FILE
    if not manifest.is_file():
        raise CostError(f"cost error: {manifest} is missing: synthesize first (make synth)")
    try:
        assembly = read_assembly(cdk_out)
    except SynthesisError as exc:
        raise CostError(f"cost error: {exc}") from None
    return {env: [StackTemplate.of(s) for s in assembly.of_stage(env)] for env in assembly.stages()}
