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

    def __init__(self, summaries: list[Any], losses: list[Any] | None = None) -> None:
        super().__init__()
        self.summaries = summaries
        self.losses = losses
        """Each cell's loss estimate, when the scenario has a loss model."""


class FundamentalsDone(Message):
    """A fundamentals analysis finished."""

    def __init__(self, changes: list[Any], verdict: str) -> None:
        super().__init__()
        self.changes = changes
        self.verdict = verdict


class SensitivityDone(Message):
    """A sensitivity analysis finished."""

    def __init__(self, effects: list[Any], method: str) -> None:
        super().__init__()
        self.effects = effects
        self.method = method


class WorkFailed(Message):
    """Background work failed or was cancelled."""

    def __init__(self, text: str, cancelled: bool = False) -> None:
        super().__init__()
        self.text = text
        self.cancelled = cancelled
