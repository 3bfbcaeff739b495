"""Shared fixtures: the tiny scenario, compiled cells, a helper to write scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.build import compile_scenario
from simulator.loader import Loaded, load

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"


@pytest.fixture(scope="session")
def tiny() -> Loaded:
    return load(TINY)


def compiled(loaded: Loaded, automation: str | None = None, posture: str | None = None, **posture_overrides):
    """Compile ``loaded`` with presets and optional posture field overrides (nested dicts)."""
    from defenses.posture import Posture
    from simulator.loader import deep_merge

    l2 = loaded.with_presets(automation=automation, posture=posture)
    pos = l2.posture
    if posture_overrides:
        pos = Posture.model_validate(deep_merge(pos.model_dump(), posture_overrides))
    return compile_scenario(l2.scenario, l2.attacker, pos)


@pytest.fixture
def write(tmp_path):
    """Write a scenario file from text and return its path."""

    def _write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write


def capture_alerts(run, into: list) -> None:
    """Record every alert ``run`` raises, as (alert, action), into ``into`` (before the run executes)."""
    raise_alert = run.raise_alert

    def seen(alert, action=None):
        into.append((alert, action))
        raise_alert(alert, action)

    run.raise_alert = seen
