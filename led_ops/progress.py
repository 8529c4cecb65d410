"""Progress of long operations (download, digests, load): a bar on a terminal, plain lines otherwise.

    tty    a `rich` progress bar per task (rows or bytes, rate, elapsed), on stderr
    plain  one line per task every `interval` seconds (and when it ends): for logs and pipelines
    quiet  nothing (`--quiet`): the command prints its result only

Tasks are updated from several threads (a table per thread); every update takes a lock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO


class Task:
    def __init__(self, progress: Progress, label: str, total: int | None, unit: str) -> None:
        self._progress = progress
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.started = progress.clock()
        self._last = self.started
        self._rich_id: Any = None

    def advance(self, n: int) -> None:
        self._progress._advance(self, n)

    def rate(self, now: float) -> float:
        elapsed = now - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self, now: float, *, final: bool = False) -> str:
        of = f"/{self.total:,}" if self.total is not None else ""
        state = "done" if final else "..."
        return (
            f"[{now - self.started:7.1f}s] {self.label}: {self.done:,}{of} {self.unit} "
            f"({self.rate(now):,.0f} {self.unit}/s) {state}"
        )

    def __enter__(self) -> Task:
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress._close(self, ok=exc[0] is None)


class Progress:
    def __init__(
        self,
        mode: str = "plain",
        stream: TextIO | None = None,
        *,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in ("tty", "plain", "quiet"):
            raise ValueError(mode)
        self.mode = mode
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._rich: Any = None
        self._open = 0

    @classmethod
    def auto(cls, *, quiet: bool = False, stream: TextIO | None = None, interval: float = 5.0) -> Progress:
        stream = stream or sys.stderr
        if quiet:
            return cls("quiet", stream)
        return cls("tty" if getattr(stream, "isatty", lambda: False)() else "plain", stream, interval=interval)

    @property
    def quiet(self) -> bool:
        return self.mode == "quiet"

    def say(self, line: str) -> None:
        """A status line (not the result): shown unless quiet."""
        if self.mode == "quiet":
            return
        with self._lock:
            if self._rich is not None:
                self._rich.console.print(line, markup=False, highlight=False)
            else:
                print(line, file=self.stream or sys.stderr, flush=True)

    def task(self, label: str, total: int | None = None, unit: str = "rows") -> Task:
        task = Task(self, label, total, unit)
        if self.mode == "tty":
            with self._lock:
                if self._rich is None:
                    from rich.console import Console
                    from rich.progress import (
                        BarColumn,
                        MofNCompleteColumn,
                        TextColumn,
                        TimeElapsedColumn,
                        TimeRemainingColumn,
                    )
                    from rich.progress import Progress as RichProgress

                    self._rich = RichProgress(
                        TextColumn("{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"),
                        TimeElapsedColumn(),
                        TimeRemainingColumn(),
                        console=Console(file=self.stream or sys.stderr),
                        transient=False,
                    )
                    self._rich.start()
                self._open += 1
                task._rich_id = self._rich.add_task(f"{label} ({unit})", total=total, rate="")
        return task

    def _advance(self, task: Task, n: int) -> None:
        if self.mode == "quiet":
            task.done += n
            return
        with self._lock:
            task.done += n
            now = self.clock()
            if self._rich is not None and task._rich_id is not None:
                self._rich.update(task._rich_id, advance=n, rate=f"{task.rate(now):,.0f} {task.unit}/s")
            elif self.mode == "plain" and now - task._last >= self.interval:
                task._last = now
                print(task.line(now), file=self.stream or sys.stderr, flush=True)

    def _close(self, task: Task, *, ok: bool) -> None:
        if self.mode == "quiet":
            return
        with self._lock:
            now = self.clock()
            if self._rich is not None and task._rich_id is not None:
                self._rich.update(task._rich_id, rate=f"{task.rate(now):,.0f} {task.unit}/s")
                self._open -= 1
                if self._open == 0:
                    self._rich.stop()
                    self._rich = None
            elif self.mode == "plain":
                line = task.line(now, final=True)
                print(line if ok else line.replace(" done", " stopped"), file=self.stream or sys.stderr, flush=True)


@contextlib.contextmanager
def results_only(ctx: Any, quiet: bool) -> Iterator[Callable[[str], None]]:
    """With `quiet`, silence a Context's status output (`say`, `progress`) for the block; the
    yielded function still prints result lines to the original stdout."""
    stream = ctx.out or sys.stdout

    def result(line: str) -> None:
        print(line, file=stream, flush=True)

    if not quiet:
        yield result
        return
    saved = ctx.out, ctx.err
    with open(os.devnull, "w", encoding="utf-8") as null:
        ctx.out = ctx.err = null
        try:
            yield result
        finally:
            ctx.out, ctx.err = saved
