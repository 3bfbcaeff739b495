"""Snapshot tests of the main screens (pytest-textual-snapshot). Update with: pytest tests/ui --snapshot-update"""

from __future__ import annotations

from tests.ui.conftest import TINY, wait_for
from tui import create_app


def _app(seed: int = 0):
    app = create_app(TINY, workers=1, runs=5)
    app.settings.seed = seed
    return app


def _finished(key: str, screen: str, attr: str):
    """A run_before hook: press ``key``, then wait until the screen's background work has filled ``attr``."""

    async def run_before(pilot):
        await pilot.press(key)
        s = pilot.app.get_screen(screen)
        await wait_for(pilot, lambda: not s.running and getattr(s, attr))
        await pilot.pause()

    return run_before


def test_setup_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24))


def test_compare_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(160, 48), run_before=_finished("c", "compare", "summaries"))


def test_compare_screen_small(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_finished("c", "compare", "summaries"))


def test_fundamentals_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(100, 30), run_before=_finished("f", "fundamentals", "changes"))


def test_sensitivity_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(100, 30), run_before=_finished("p", "sensitivity", "effects"))


def test_run_detail_screen(snap_compare):
    """Seed 2: a run where the attacker gets in (on seed 0 it never does)."""
    assert snap_compare(_app(2), terminal_size=(80, 24), press=["r"])


def test_facilitator_screen(snap_compare):
    """Seed 2, as above: the injects come from an intrusion."""
    assert snap_compare(_app(2), terminal_size=(80, 24), press=["t", "n", "n"])


def test_help_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24), press=["question_mark"])
