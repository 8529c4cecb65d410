"""The tags every resource carries (environment, owner party, data classification)."""

from __future__ import annotations

from aws_cdk import Tags
from constructs import IConstruct

from contract.tags import (
    EXIT_EXPORT,
    NO_PERSONAL_DATA,
    PERSONAL_DATA,
    PERSONAL_DATA_EXPORT,
    TAG_CLASSIFICATION,
    TAG_DRILL,
    TAG_ENVIRONMENT,
    TAG_OPERATOR,
    TAG_OWNER,
)

__all__ = [
    "EXIT_EXPORT",
    "NO_PERSONAL_DATA",
    "PERSONAL_DATA",
    "PERSONAL_DATA_EXPORT",
    "TAG_CLASSIFICATION",
    "TAG_DRILL",
    "TAG_ENVIRONMENT",
    "TAG_OPERATOR",
    "TAG_OWNER",
    "mark_exit_drill_schedule",
    "mark_personal_data_export",
    "mark_personal_data_store",
    "tag_party",
]


def tag_party(scope: IConstruct, *, environment: str, owner: str, operator: str | None = None) -> None:
    Tags.of(scope).add(TAG_ENVIRONMENT, environment)
    Tags.of(scope).add(TAG_OWNER, owner)
    if operator is not None:
        Tags.of(scope).add(TAG_OPERATOR, operator)
    Tags.of(scope).add(TAG_CLASSIFICATION, NO_PERSONAL_DATA)


def mark_personal_data_store(scope: IConstruct, *, holds_personal_data: bool) -> None:
    """Classify a data store. Higher priority than the stack-wide default set by tag_party."""
    Tags.of(scope).add(TAG_CLASSIFICATION, PERSONAL_DATA if holds_personal_data else NO_PERSONAL_DATA, priority=200)


def mark_personal_data_export(scope: IConstruct, *, holds_personal_data: bool) -> None:
    """Classify a store of transient exports (VTC-EXIT): personal data, not backed up (§49: no more copies)."""
    Tags.of(scope).add(
        TAG_CLASSIFICATION, PERSONAL_DATA_EXPORT if holds_personal_data else NO_PERSONAL_DATA, priority=200
    )


def mark_exit_drill_schedule(scope: IConstruct) -> None:
    """The schedule that starts the exit export (VTC-EXIT checks it fires at least monthly)."""
    Tags.of(scope).add(TAG_DRILL, EXIT_EXPORT)
