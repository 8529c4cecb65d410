"""The tags every resource carries (environment, owner party, data classification)."""

from __future__ import annotations

from aws_cdk import Tags
from constructs import IConstruct

TAG_ENVIRONMENT = "led:environment"
TAG_OWNER = "led:owner-party"
TAG_OPERATOR = "led:operator"
TAG_CLASSIFICATION = "led:data-classification"
# VTC-EXIT (§42-43): the schedule that starts the exit drill's export (the pack reads it: the drill
# function has other schedules too, e.g. its daily report, that export nothing).
TAG_DRILL = "led:drill"
EXIT_EXPORT = "exit-export"

# VTC-PERSONAL-DATA (§20): stores holding the national register number and diploma data carry
# this value; every other resource says it holds none.
PERSONAL_DATA = "personal-data"
NO_PERSONAL_DATA = "no-personal-data"
# A transient export of personal data (the exit drill's Parquet): personal data all the same, but
# not a source to back up; it expires and the next drill makes it again from the backed-up database.
PERSONAL_DATA_EXPORT = "personal-data-export"


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
