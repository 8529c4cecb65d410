"""Waiting on a long AWS job: plain lines for logs, a live status on a terminal, a timeout."""

from __future__ import annotations

import io

import pytest

from led_ops.errors import DrillError
from led_ops.wait import Waiting, wait_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def wait_for(self, what: str, statuses: list[str], waiting: Waiting, progress, stream) -> str:
        """wait_for on this clock, polling `statuses` in turn ("completed" ends the job)."""
        return wait_for(
            what,
            poller(statuses),
            waiting=waiting,
            progress=progress,
            clock=self.clock,
            sleep=self.sleep,
            stream=stream,
        )


def poller(statuses: list[str]):
    answers = iter(statuses)

    def poll() -> tuple[bool, str]:
        status = next(answers)
        return status == "completed", status

    return poll


def test_not_on_a_terminal_one_plain_line_per_poll() -> None:
    lines: list[str] = []
    status = FakeTime().wait_for(
        "restore job 1",
        ["pending", "running", "completed"],
        Waiting(interval=30, timeout=600),
        lines.append,
        io.StringIO(),
    )
    assert status == "completed"
    assert lines == [
        "[    0.0s] restore job 1: pending",
        "[   30.0s] restore job 1: running",
        "[   60.0s] restore job 1: completed",
    ]


def test_on_a_terminal_a_live_status_and_only_the_last_line() -> None:
    lines: list[str] = []
    terminal = Terminal()
    FakeTime().wait_for(
        "export e1", ["STARTING", "IN_PROGRESS", "completed"], Waiting(interval=3, timeout=600), lines.append, terminal
    )
    # The status was refreshed in place between polls: the last poll before the end was at 3 s,
    # the status shown last says 6 s (rich draws the newest state) ...
    assert "[    6.0s] export e1: IN_PROGRESS" in terminal.getvalue()
    # ... and only the outcome stays as a line.
    assert lines == ["[    6.0s] export e1: completed"]


def test_a_timeout_names_the_job_and_its_last_status() -> None:
    with pytest.raises(DrillError) as exc:
        FakeTime().wait_for(
            "copy job c1", ["RUNNING"] * 10, Waiting(interval=30, timeout=60), lambda line: None, Terminal()
        )
    assert str(exc.value) == "copy job c1: timed out after 60s (last status: RUNNING)"
