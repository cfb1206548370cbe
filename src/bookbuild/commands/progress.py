"""Progress display: rich bars on a terminal, silence otherwise (CI, pipes)."""
from __future__ import annotations


class Progress:
    def __init__(self, stream):
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self._rich = None
        self._task = None
        self.stream = stream

    def __enter__(self):
        if self.enabled:
            # deferred: rich is imported only when a terminal shows the bars
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress
            self._rich = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                      TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                      console=Console(file=self.stream), transient=False)
            self._rich.__enter__()
        return self

    def __exit__(self, *exc):
        if self._rich:
            self._rich.__exit__(*exc)
        return False

    def stage(self, name: str) -> None:
        if self._rich:
            self._task = self._rich.add_task(name, total=None)

    def update(self, stage: str, done: int, total: int) -> None:
        if self._rich and self._task is not None:
            self._rich.update(self._task, description=stage, completed=done, total=total)
