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


def _exercise(monkeypatch):
    """espionage-tech, ai-orchestrated, seed 0, with the wall-clock timers held at zero (they tick in real time)."""
    from tui.screens.facilitator import FacilitatorScreen

    monkeypatch.setattr(FacilitatorScreen, "_clock_tick", lambda self: None)
    return create_app("espionage-tech", workers=1, runs=5, seed=0, automation="ai-orchestrated", tabletop=True)


def test_facilitator_screen(snap_compare, monkeypatch):
    """The facilitator's view at the first escalated alert (the truth on the left, the order form on the right)."""
    assert snap_compare(_exercise(monkeypatch), terminal_size=(80, 24), press=["n"] * 5)


def test_facilitator_screen_large(snap_compare, monkeypatch):
    assert snap_compare(_exercise(monkeypatch), terminal_size=(160, 48), press=["n"] * 7)


def test_player_view(snap_compare, monkeypatch):
    """The same moment in the player view: only what the defender knows."""
    assert snap_compare(_exercise(monkeypatch), terminal_size=(80, 24), press=["n"] * 7 + ["v"])


def test_player_view_large(snap_compare, monkeypatch):
    assert snap_compare(_exercise(monkeypatch), terminal_size=(160, 48), press=["n"] * 7 + ["v"])


def test_help_screen(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24), press=["question_mark"])


# Issue 16: every screen at 120x40 as well (and the result screens at 80x24).

def test_setup_screen_120(snap_compare):
    assert snap_compare(_app(), terminal_size=(120, 40))


def test_compare_screen_120(snap_compare):
    assert snap_compare(_app(), terminal_size=(120, 40), run_before=_finished("c", "compare", "summaries"))


def test_compare_details_small(snap_compare):
    """At 80x24, d swaps the charts for every figure of the selected row."""
    async def run_before(pilot):
        await _finished("c", "compare", "summaries")(pilot)
        await pilot.press("down", "down", "d")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=run_before)


def test_fundamentals_screen_small(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_finished("f", "fundamentals", "changes"))


def test_fundamentals_screen_120(snap_compare):
    assert snap_compare(_app(), terminal_size=(120, 40), run_before=_finished("f", "fundamentals", "changes"))


def test_sensitivity_screen_small(snap_compare):
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_finished("p", "sensitivity", "effects"))


def test_sensitivity_screen_120(snap_compare):
    assert snap_compare(_app(), terminal_size=(120, 40), run_before=_finished("p", "sensitivity", "effects"))


def test_run_detail_screen_120(snap_compare):
    assert snap_compare(_app(2), terminal_size=(120, 40), press=["r"])


def test_run_detail_network_small(snap_compare):
    """Below 120 columns the network view is one key (m) away."""
    assert snap_compare(_app(2), terminal_size=(80, 24), press=["r", "m"])


def test_help_screen_120(snap_compare):
    assert snap_compare(_app(), terminal_size=(120, 40), press=["question_mark"])


def test_facilitator_screen_120(snap_compare, monkeypatch):
    assert snap_compare(_exercise(monkeypatch), terminal_size=(120, 40), press=["n"] * 5)


def test_player_view_120(snap_compare, monkeypatch):
    assert snap_compare(_exercise(monkeypatch), terminal_size=(120, 40), press=["n"] * 7 + ["v"])
