"""Errors that commands catch without importing the engine (importing it costs a command start about 0.25 s)."""

from __future__ import annotations


class EventBudgetError(RuntimeError):
    """A run that would not end within MAX_EVENTS events (or spins at one minute): the message names the parameters
    that drive the busiest process."""
