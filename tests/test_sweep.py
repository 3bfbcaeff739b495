"""Sweeps: grid expansion, chunk planning, validation with lines, identical rows for any worker count, resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.loader import ScenarioError
from simulator.sweep import (
    OutputError,
    collect,
    expand_grid,
    export_csv,
    export_parquet,
    load_sweep,
    plan_chunks,
    read_rows,
    run_sweep,
)
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parent.parent


def sweep_file(tmp_path, grid: str, replicates: int = 6, scenario: str = str(TINY), seed: int = 3) -> Path:
    p = tmp_path / "sweep.yaml"
    p.write_text(f"scenario: {scenario}\nreplicates: {replicates}\nseed: {seed}\ngrid:\n{grid}", encoding="utf-8")
    return p


def test_expand_grid_is_a_pure_product_in_file_order():
    cells = expand_grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert cells == [(("a", 1), ("b", "x")), (("a", 1), ("b", "y")), (("a", 1), ("b", "z")),
                     (("a", 2), ("b", "x")), (("a", 2), ("b", "y")), (("a", 2), ("b", "z"))]
    assert expand_grid({}) == [()]


def test_plan_chunks_covers_everything_once_and_skips_done():
    tasks = plan_chunks(3, 10, set(), workers=2)
    seen = [(c, r) for c, reps in tasks for r in reps]
    assert sorted(seen) == [(c, r) for c in range(3) for r in range(10)]
    assert seen == sorted(seen)  # in order
    tasks = plan_chunks(3, 10, {(0, 0), (1, 5), (2, 9)}, workers=2)
    seen = [(c, r) for c, reps in tasks for r in reps]
    assert len(seen) == 27 and (1, 5) not in seen


def test_plan_chunks_sizes():
    assert max(len(r) for _, r in plan_chunks(1, 10_000, set(), workers=2)) == 250
    assert max(len(r) for _, r in plan_chunks(1, 160, set(), workers=2)) == 10


def test_sweep_validates_paths_and_values_with_lines(tmp_path):
    p = sweep_file(tmp_path, "  automation: [manual, autonomus]\n  posture.soc.analysts_x: [1]\n")
    with pytest.raises(ScenarioError) as info:
        load_sweep(p)
    msgs = [str(x) for x in info.value.problems]
    assert any(m.startswith(f"{p}:5: grid.automation: ") and "autonomus" in m for m in msgs), msgs
    assert any(m.startswith(f"{p}:6: grid.posture.soc.analysts_x: ") and "unknown field" in m for m in msgs), msgs


def test_sweep_unknown_path_and_bad_value(tmp_path):
    p = sweep_file(tmp_path, "  posture.patching.coverage: [0.5, 1.5]\n  colour: [red]\n")
    with pytest.raises(ScenarioError) as info:
        load_sweep(p)
    msgs = [str(x) for x in info.value.problems]
    assert any(":5: grid.posture.patching.coverage: " in m and "less than or equal to 1" in m for m in msgs), msgs
    assert any(":6: grid.colour: unknown parameter path 'colour'" in m for m in msgs), msgs


def test_sweep_file_typo_in_top_level(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(f"scenario: {TINY}\nreplicate: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_sweep(p)
    msgs = [str(x) for x in info.value.problems]
    assert f"{p}:2: replicate: unknown field" in msgs
    assert f"{p}:1: replicates: field required" in msgs or any("replicates" in m for m in msgs)


def test_rows_have_parameters_and_outputs(tmp_path):
    grid = "  automation: [manual]\n  posture.patching.days_to_patch.critical: [3, 90]\n"
    sw = load_sweep(sweep_file(tmp_path, grid))
    out = tmp_path / "rows.jsonl"
    assert run_sweep(sw.spec, out) == 12
    rows = list(read_rows(out))
    assert [(r["cell"], r["replicate"]) for r in rows] == [(c, r) for c in range(2) for r in range(6)]
    assert {r["posture.patching.days_to_patch.critical"] for r in rows} == {3, 90}
    assert all(r["seed"] == 3 and r["automation"] == "manual" and r["sweep"] == sw.spec.id for r in rows)
    assert "outcome" in rows[0] and "timeline" not in rows[0]


def test_cells_share_seeds(tmp_path):
    """Common random numbers: with a parameter that cannot matter, every cell gives the same rows."""
    sw = load_sweep(sweep_file(tmp_path, "  posture.soc.shift_start: [7, 9]\n"))  # unused by a 24/7 SOC
    by_cell = collect(sw.spec)
    strip = [{k: v for k, v in r.items() if k not in ("cell", "posture.soc.shift_start")} for r in by_cell[0]]
    assert strip == [{k: v for k, v in r.items() if k not in ("cell", "posture.soc.shift_start")} for r in by_cell[1]]


def test_one_and_two_workers_write_the_same_file(tmp_path):
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual, autonomous]\n", replicates=20))
    run_sweep(sw.spec, tmp_path / "one.jsonl", workers=1)
    run_sweep(sw.spec, tmp_path / "two.jsonl", workers=2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_dask_gives_the_same_rows(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual, autonomous]\n", replicates=8))
    run_sweep(sw.spec, tmp_path / "local.jsonl", workers=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as lc:
        with distributed.Client(lc) as client:
            run_sweep(sw.spec, tmp_path / "dask.jsonl", scheduler=client)
        run_sweep(sw.spec, tmp_path / "address.jsonl", scheduler=lc.scheduler_address)  # as --scheduler does
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "address.jsonl").read_bytes()


def test_existing_output_needs_resume(tmp_path):
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual]\n", replicates=2))
    out = tmp_path / "o.jsonl"
    run_sweep(sw.spec, out)
    before = out.read_bytes()
    with pytest.raises(OutputError, match="exists: add --resume"):
        run_sweep(sw.spec, out)
    assert out.read_bytes() == before
    other = load_sweep(sweep_file(tmp_path, "  automation: [autonomous]\n", replicates=2))
    with pytest.raises(OutputError, match="different sweep"):
        run_sweep(other.spec, out, resume=True)
    assert out.read_bytes() == before


def test_resume_after_a_torn_line(tmp_path):
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual, autonomous]\n", replicates=10))
    full = tmp_path / "full.jsonl"
    run_sweep(sw.spec, full)
    lines = full.read_bytes().splitlines(keepends=True)
    part = tmp_path / "part.jsonl"
    part.write_bytes(b"".join(lines[:7]) + lines[7][:40])  # killed in the middle of a line
    assert run_sweep(sw.spec, part, resume=True) == 13
    assert part.read_bytes() == full.read_bytes()


def test_unwritable_output(tmp_path):
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual]\n", replicates=1))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="cannot write"):
        run_sweep(sw.spec, blocker / "x.jsonl")  # its parent is a file: no one can create it, root included
    assert blocker.read_text() == "not a directory"


@pytest.mark.parametrize("kill_after", [(1, 37), (12, 90, 140)])
def test_sigkill_then_resume_matches_uninterrupted(tmp_path, kill_after):
    """Killed with SIGKILL at several points (rows already written: the values given), resumed each time: the rows
    end up exactly those of an uninterrupted run."""
    sw_path = sweep_file(tmp_path, "  automation: [manual, ai-orchestrated]\n", replicates=400)  # lands part-way
    full = tmp_path / "full.jsonl"
    run_sweep(load_sweep(sw_path).spec, full, workers=1)
    part = tmp_path / "part.jsonl"
    cmd = [sys.executable, "-m", "simulator.cli", "sweep", str(sw_path), "--out", str(part), "--workers", "1",
           "--formats", "none"]
    for i, rows in enumerate(kill_after):
        proc = subprocess.Popen(cmd + (["--resume"] if i else []), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if part.exists() and len(part.read_bytes().splitlines()) >= rows:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    n_before = len(part.read_bytes().splitlines())
    assert 0 < n_before < 800, "the kills should land part-way"
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    key = lambda r: (r["cell"], r["replicate"])  # noqa: E731
    assert sorted(read_rows(part), key=key) == sorted(read_rows(full), key=key)


def test_csv_and_parquet_exports(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    sw = load_sweep(sweep_file(tmp_path, "  automation: [manual, autonomous]\n", replicates=5))
    out = tmp_path / "o.jsonl"
    run_sweep(sw.spec, out)
    export_csv(out, tmp_path / "o.csv")
    export_parquet(out, tmp_path / "o.parquet", batch=3)
    import csv

    with open(tmp_path / "o.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10 and rows[0]["automation"] == "manual"
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.num_rows == 10
    assert table.column("replicate").to_pylist() == [r["replicate"] for r in read_rows(out)]


def test_parquet_types_come_from_every_row(tmp_path):
    """A column empty in the first batch (no detection yet) may hold text later; lists become JSON text."""
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"cell": 0, "seed": 1, "first_detection_source": None, "x": 1, "w": ["mon"]},
            {"cell": 1, "seed": 1, "first_detection_source": "edr", "x": 1.5, "w": "a"},
            {"cell": 2, "seed": 2, "first_detection_source": None, "x": None, "w": None}]
    src = tmp_path / "r.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    export_parquet(src, tmp_path / "r.parquet", batch=1)
    got = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [r["first_detection_source"] for r in got] == [None, "edr", None]
    assert [r["x"] for r in got] == [1.0, 1.5, None] and got[0]["w"] == '["mon"]' and got[0]["cell"] == 0


def test_example_sweeps_validate():
    for path in sorted((ROOT / "examples" / "sweeps").glob("*.yaml")):
        sw = load_sweep(path)
        assert sw.spec.total > 0, path


def test_cli_sweep_and_summarize(tmp_path):
    from typer.testing import CliRunner

    from simulator.cli import app

    runner = CliRunner()
    sw = sweep_file(tmp_path, "  automation: [manual, autonomous]\n  posture: [weak, hardened]\n", replicates=4)
    out = tmp_path / "s.jsonl"
    r = runner.invoke(app, ["sweep", str(sw), "--out", str(out), "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "16 runs written" in r.stdout
    assert (tmp_path / "s.csv").exists() and (tmp_path / "s.parquet").exists()
    r = runner.invoke(app, ["summarize", str(out), "--by", "automation,posture"])
    assert r.exit_code == 0, r.output
    assert "16 runs in 4 groups" in " ".join(r.stdout.split())  # the title wraps at the terminal's width
    r = runner.invoke(app, ["summarize", str(out), "--by", "colour"])
    assert r.exit_code == 2 and "no column 'colour'" in r.stderr
    r = runner.invoke(app, ["sweep", str(sw), "--out", str(out)])
    assert r.exit_code == 2 and "--resume" in r.stderr
    json.loads(runner.invoke(app, ["summarize", str(out), "--format", "json"]).stdout)


def test_an_unreachable_dask_scheduler_is_one_line(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    from typer.testing import CliRunner

    from simulator import sweep as sweep_module
    from simulator.cli import app

    monkeypatch.setattr(sweep_module, "DASK_TIMEOUT", 2)
    sw = sweep_file(tmp_path, "  automation: [manual]\n", replicates=1)
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(app, ["sweep", str(sw), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2, r.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in r.stderr and "Traceback" not in r.output
    assert not out.exists() or out.stat().st_size == 0
