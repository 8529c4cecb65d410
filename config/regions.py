"""Where the LED may run: the EU regions, and the partition and DNS suffix of each."""

from __future__ import annotations

# VTC-OUTSOURCING-2016 (§18-19): only regions inside the EU can ever be allowed. London
# (eu-west-2) and Zurich (eu-central-2) are outside the EU and deliberately absent.
EU_REGIONS: tuple[str, ...] = (
    "eu-west-1",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eusc-de-east-1",
)


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (the European Sovereign Cloud has its own)."""
    return "aws-eusc" if region.startswith("eusc-") else "aws"


def service_domain_of(region: str) -> str:
    """The DNS suffix of service endpoints in a region's partition."""
    return "amazonaws.eu" if region.startswith("eusc-") else "amazonaws.com"


def eu_region(value: str) -> str:
    """A field validator: the region is one of EU_REGIONS."""
    if value not in EU_REGIONS:
        raise ValueError(f"got {value!r}; allowed: {', '.join(EU_REGIONS)} (VTC §18-19: EU only)")
    return value
