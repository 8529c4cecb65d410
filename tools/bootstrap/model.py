"""Where the bootstrap goes: one target per account and region the config places stacks in, and
who bootstraps it; and the one-line error every step raises."""

from __future__ import annotations

from dataclasses import dataclass

from config import LandingZoneConfig


class BootstrapError(Exception):
    """A problem with the inputs or a generated template, said in one line."""


@dataclass(frozen=True)
class Target:
    account: str
    region: str
    bootstrapper: str  # "AHOVOKS" or "FB"

    @property
    def name(self) -> str:
        return f"{self.bootstrapper.lower()}-{self.account}-{self.region}"


def targets_of(config: LandingZoneConfig) -> list[Target]:
    return [Target(a, r, who) for a, r, who in config.bootstrap_targets()]
