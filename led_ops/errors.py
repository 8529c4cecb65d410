"""Exit codes and the errors that map onto them (documented in the README, 'Operations: led-ops')."""

from __future__ import annotations

OK = 0
CHECK_FAILED = 1  # the evidence shows a violation, or a drill's verification failed
USAGE = 2  # bad command line or configuration
AWS_ACCESS = 3  # credentials missing, wrong account, wrong region, access denied
JOB_FAILED = 4  # an AWS job (restore, export, copy) failed or timed out


class OpsError(Exception):
    """An expected failure, said in one line; `exit_code` is what the process returns."""

    exit_code = JOB_FAILED


class UsageError(OpsError):
    exit_code = USAGE


class AwsAccessError(OpsError):
    exit_code = AWS_ACCESS


class DrillError(OpsError):
    """An AWS job failed or timed out."""

    exit_code = JOB_FAILED
