"""The log archive and the continuous audit (VTC-AUDIT-TRAIL, VTC-LOGS-DIRECT, VTC-REGULAR-AUDIT)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from config.base import Strict, matching
from config.logs import outlives_backups

if TYPE_CHECKING:
    from config.environment import EnvironmentConfig

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


class Audit(Strict):
    """The log archive and the continuous audit (VTC-AUDIT-TRAIL, VTC-LOGS-DIRECT, VTC-REGULAR-AUDIT)."""

    # S3 Object Lock in compliance mode: nobody, the processor and AWS included, can delete or
    # overwrite a log before this many days; checked below against the backup retention.
    object_lock_days: int = Field(default=365, ge=1, le=3650)
    # Where the security alarms go (an SNS e-mail subscription); None: subscribe out of band.
    alarm_email: str | None = None

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return matching(value, _EMAIL, "an e-mail address such as security@example.org")


# Cross-field rules on audit (run by EnvironmentConfig) ---------------------------------------------


def object_lock_outlives_backups(env: EnvironmentConfig) -> None:
    """VTC-AUDIT-TRAIL (§49): the locked archive outlives every backup too."""
    outlives_backups(env, "audit.object_lock_days", env.audit.object_lock_days)
