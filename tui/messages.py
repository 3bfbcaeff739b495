"""Small messages posted from worker threads to screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Progress(Message):
    """More runs done."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class CellsDone(Message):
    """A comparison finished."""

    def __init__(self, summaries: list[Any], title: str) -> None:
        super().__init__()
        self.summaries = summaries
        self.title = title


class FundamentalsDone(Message):
    """A fundamentals analysis finished."""

    def __init__(self, changes: list[Any], verdict: str, title: str) -> None:
        super().__init__()
        self.changes = changes
        self.verdict = verdict
        self.title = title


class SensitivityDone(Message):
    """A sensitivity analysis finished."""

    def __init__(self, effects: list[Any], method: str, title: str) -> None:
        super().__init__()
        self.effects = effects
        self.method = method
        self.title = title


class WorkFailed(Message):
    """Background work failed or was cancelled."""

    def __init__(self, text: str, cancelled: bool = False) -> None:
        super().__init__()
        self.text = text
        self.cancelled = cancelled
