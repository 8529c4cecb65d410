"""Tag keys and values every resource carries (environment, owner party, data classification)."""

from __future__ import annotations

TAG_ENVIRONMENT = "led:environment"
TAG_OWNER = "led:owner-party"
TAG_OPERATOR = "led:operator"
TAG_CLASSIFICATION = "led:data-classification"
# The party a role acts for (cdk_constructs/party_role.py): VTC-PROCESSOR finds the operator's roles by it.
TAG_PARTY = "led:party"
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
