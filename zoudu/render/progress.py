"""A progress bar on stderr for long work (verify of many months, a large import, a dossier).

Only when stderr is a terminal, and only once the work is large enough to be worth one: a
pipe, a file or a short run prints nothing more. Rich's progress module (slow to import) is
loaded only then. The core reports its steps through a plain callable, ``tick(done, total)``;
it knows nothing of terminals.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

Tick = Callable[[int, int], None]


class _Bar:
    def __init__(self, label: str, least: int):
        self.label, self.least = label, least
        self.progress = None
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            if total < self.least:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=Console(file=sys.stderr, highlight=False),
                                     transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=total)
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@contextmanager
def bar(label: str, least: int) -> Iterator[Optional[Tick]]:
    """``tick`` for the core to call, drawing a bar once ``total`` reaches ``least``; None off a terminal.

    The bar stays until the block ends (an import's bar while it waits for the lock), then is
    cleared: what the command prints afterwards is what a pipe would get.
    """
    if not _terminal():
        yield None
        return
    drawn = _Bar(label, least)
    try:
        yield drawn
    finally:
        drawn.stop()


def _terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
