"""Waiting on long AWS jobs (restores, exports, copies) with progress on stderr and a timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from led_ops.errors import DrillError


@dataclass(frozen=True, kw_only=True)
class Waiting:
    """How often to look and how long to wait; tests use tiny values."""

    interval: float = 30.0
    timeout: float = 4 * 3600.0


def wait_for(
    what: str,
    poll: Callable[[], tuple[bool, str]],
    *,
    waiting: Waiting,
    progress: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Call `poll` until it says done; it raises DrillError itself for a failed job.

    Returns the last status. A timeout is a DrillError naming the job and its last status.
    """
    start = clock()
    while True:
        done, status = poll()
        elapsed = clock() - start
        progress(f"[{elapsed:7.1f}s] {what}: {status}")
        if done:
            return status
        if elapsed >= waiting.timeout:
            raise DrillError(f"{what}: timed out after {waiting.timeout:g}s (last status: {status})")
        sleep(waiting.interval)
