"""What the bootstrap needs from the synthesis, read through the one reader (policies/synthesis.py):
the deploy role every stack names, and the resource types deployed to each account and region."""

from __future__ import annotations

from pathlib import Path

from config import LandingZoneConfig
from contract.artefacts import MANIFEST_FILE
from policies.synthesis import Assembly, AssemblySource, SynthesisError, SynthStack, read_assembly
from tools.bootstrap.model import BootstrapError

TypesByTarget = dict[tuple[str, str], set[str]]


def read_stacks(assembly: AssemblySource) -> list[SynthStack]:
    """Every synthesized stack, nested assemblies included; a missing or unreadable one is one line."""
    if isinstance(assembly, Assembly):
        return assembly.stacks
    assembly = Path(assembly)
    if not (assembly / MANIFEST_FILE).is_file():
        raise BootstrapError(f"bootstrap: no cloud assembly at {assembly} (run `make synth` first)")
    try:
        return read_assembly(assembly).stacks
    except SynthesisError as exc:
        raise BootstrapError(f"bootstrap: {exc}") from None


def deploy_roles(stacks: list[SynthStack]) -> set[str]:
    """The deploy role every synthesized stack names (its assumeRoleArn)."""
    return {s.properties["assumeRoleArn"] for s in stacks if "assumeRoleArn" in s.properties}


def check_qualifier(config: LandingZoneConfig, stacks: list[SynthStack]) -> None:
    """The stacks must deploy through the bootstrap these templates create (same qualifier)."""
    expected = f":role/cdk-{config.deployment.qualifier}-deploy-role-"
    other = sorted(r for r in deploy_roles(stacks) if expected not in r)
    if other:
        raise BootstrapError(
            f"bootstrap: config field 'deployment.qualifier': got {config.deployment.qualifier!r}, but the "
            f"synthesized stacks deploy through {other[0]}; allowed: the app's bootstrap qualifier"
        )


def types_by_target(stacks: list[SynthStack]) -> TypesByTarget:
    """The resource types of the stacks, by (account, region) as their manifest writes it."""
    found: TypesByTarget = {}
    for stack in stacks:
        found.setdefault((stack.account_text, stack.region_text), set()).update(
            r["Type"] for r in stack.resources.values()
        )
    return found


def resource_types_by_target(assembly: AssemblySource) -> TypesByTarget:
    """The resource types of every synthesized stack, by (account, region), nested assemblies included."""
    return types_by_target(read_stacks(assembly))
