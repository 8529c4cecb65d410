"""Waiting on long AWS jobs (restores, exports, copies) with progress on stderr and a timeout.

On a terminal the wait shows a live status (a spinner, the elapsed time and the job's last status,
refreshed every second, `rich`); elsewhere one plain line per poll, for logs and pipelines. With
`--quiet` the command's Context sends status output nowhere, so neither appears.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from led_ops.errors import DrillError


@dataclass(frozen=True, kw_only=True)
class Waiting:
    """How often to look and how long to wait; tests use tiny values."""

    interval: float = 30.0
    timeout: float = 4 * 3600.0


def _is_terminal(stream: TextIO | None) -> bool:
    return bool(stream is not None and getattr(stream, "isatty", lambda: False)())


@contextmanager
def _live(stream: TextIO | None, what: str) -> Iterator[Callable[[str], None] | None]:
    """A function that shows a status in place on a terminal; None elsewhere."""
    if not _is_terminal(stream):
        yield None
        return
    from rich.console import Console

    console = Console(file=stream, highlight=False)
    with console.status(what) as status:

        def show(text: str) -> None:
            status.update(text)

        yield show


def _sleep_showing(
    seconds: float,
    show: Callable[[str], None] | None,
    line: Callable[[float], str],
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    """Sleep `seconds`; on a terminal, refresh the status every second meanwhile."""
    if show is None:
        sleep(seconds)
        return
    end = clock() + seconds
    while (left := end - clock()) > 0:
        sleep(min(1.0, left))
        show(line(clock()))


def wait_for(
    what: str,
    poll: Callable[[], tuple[bool, str]],
    *,
    waiting: Waiting,
    progress: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    stream: Any = None,
) -> str:
    """Call `poll` until it says done; it raises DrillError itself for a failed job.

    `stream` is where status goes (default: the `progress` function's Context's stderr); a terminal
    gets the live status. Returns the last status. A timeout is a DrillError naming the job and its
    last status.
    """
    owner = getattr(progress, "__self__", None)
    target = stream if stream is not None else (getattr(owner, "err", None) or (sys.stderr if owner else None))
    start = clock()
    with _live(target, what) as show:
        while True:
            done, status = poll()
            elapsed = clock() - start
            line = f"[{elapsed:7.1f}s] {what}: {status}"
            if show is None or done:
                progress(line)
            else:
                show(line)
            if done:
                return status
            if elapsed >= waiting.timeout:
                raise DrillError(f"{what}: timed out after {waiting.timeout:g}s (last status: {status})")

            def line_at(now: float, status: str = status) -> str:
                return f"[{now - start:7.1f}s] {what}: {status}"

            _sleep_showing(waiting.interval, show, line_at, clock=clock, sleep=sleep)
