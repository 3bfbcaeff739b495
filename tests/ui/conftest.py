"""Helpers for driving the app with Textual's pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path

TINY = str(Path(__file__).resolve().parent.parent / "data" / "tiny.yaml")


async def wait_for(pilot, predicate, timeout: float = 60.0) -> None:
    """Let the app run until ``predicate()`` holds (background work finishes in a thread)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the UI")
        await pilot.pause(0.05)
