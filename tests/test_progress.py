"""Progress lines on a pipe: the rate counts only the runs made now, not those a resumed sweep already had."""

from __future__ import annotations

import simulator.progress as progress_module
from simulator.progress import progress


def test_quiet_progress_rate_leaves_out_resumed_runs(monkeypatch, capsys):
    clock = iter([0.0, 10.0, 10.0, 20.0, 20.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    with progress(100, "sweep") as tick:
        tick(60)  # already in the file (resume): at time 0
        tick(40)  # made now, in 10 s
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("sweep: 100/100 runs (100%), 4 runs/s"), lines


def test_quiet_progress_rate_of_a_fresh_sweep(monkeypatch, capsys):
    clock = iter([0.0, 5.0, 10.0, 10.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    with progress(100, "sweep") as tick:
        tick(0)
        tick(50)
        tick(50)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("sweep: 100/100 runs (100%), 10 runs/s"), lines
