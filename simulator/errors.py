"""Errors that commands catch without importing the engine (importing it costs a command start about 0.25 s)."""

from __future__ import annotations


class EventBudgetError(RuntimeError):
    """A run that would not end within MAX_EVENTS events (or spins at one minute): the message names the parameters
    that drive the busiest process."""


def script(main) -> int:
    """Run an example or benchmark script's ``main``: bad input (a scenario that does not load) is one line on
    stderr naming the file, line and field, and exit code 2, as the ``tabletop`` commands give it, never a
    traceback."""
    import sys

    from simulator.inputs import ScenarioError

    try:
        return main() or 0
    except ScenarioError as e:
        print(e, file=sys.stderr)
        return 2
