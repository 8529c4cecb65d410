"""The synthesized templates per environment, read from a cloud assembly (cdk.out).

The one place the estimate reads cdk.out: every other module of tools/cost works on `StackTemplate`s,
so a shared synthesis reader can replace this function without touching the estimate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.cost.tables import CostError


@dataclass(frozen=True, kw_only=True)
class StackTemplate:
    """One stack's template and where it deploys."""

    name: str
    account: str
    region: str
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})


def read_templates(cdk_out: Path) -> dict[str, list[StackTemplate]]:
    """Every environment (nested assembly, e.g. assembly-prod) of cdk.out and its stacks."""
    manifest = cdk_out / "manifest.json"
    if not manifest.is_file():
        raise CostError(f"cost error: {manifest} is missing: synthesize first (make synth)")
    envs: dict[str, list[StackTemplate]] = {}
    for artifact in json.loads(manifest.read_text()).get("artifacts", {}).values():
        if artifact.get("type") != "cdk:cloud-assembly":
            continue
        props = artifact["properties"]
        env = props.get("displayName") or props["directoryName"].removeprefix("assembly-")
        directory = cdk_out / props["directoryName"]
        stacks = []
        for artifact_id, stack in json.loads((directory / "manifest.json").read_text()).get("artifacts", {}).items():
            if stack.get("type") != "aws:cloudformation:stack":
                continue
            account, _, region = stack.get("environment", "aws://unknown/unknown").removeprefix("aws://").partition("/")
            stacks.append(
                StackTemplate(
                    name=stack.get("properties", {}).get("stackName", artifact_id),
                    account=account,
                    region=region,
                    template=json.loads((directory / stack["properties"]["templateFile"]).read_text()),
                )
            )
        envs[env] = stacks
    return envs
