"""Hostile input: every bad file gets FILE:LINE: field: message and exit code 2, never a traceback or a hang.
(How fast and how little memory: benchmarks/hostile_inputs.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.sweep import read_rows
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parent.parent
BASE = TINY.read_text(encoding="utf-8")
runner = CliRunner()


def hostile_cases() -> dict[str, tuple[bytes, str]]:
    """name -> (file content, text the error must contain)."""
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    deep = "name: " + "[" * 100 + "]" * 100 + "\n"
    many_zones = "zones:\n" + "".join(f"  - {{id: z{i}}}\n" for i in range(120_000))
    return {
        "alias bomb": ("\n".join(bomb).encode(), "alias bomb"),
        "python tag": (BASE.replace("title: Tiny golden scenario", "title: !!python/object/apply:os.system [id]")
                       .encode(), "title: tag"),
        "over the size cap": (BASE.encode() + b"# " + b"x" * (6 * 1024 * 1024) + b"\n", "larger than 5 MiB"),
        "deep nesting": (deep.encode(), "nested deeper than 64"),
        "very long list": (many_zones.encode(), "YAML nodes"),
        "NaN": (BASE.replace("success: 0.7", "success: .nan").encode(), "vulnerabilities.0.success"),
        "infinity": (BASE.replace("horizon_days: 10", "horizon_days: .inf").encode(), "horizon_days"),
        "negative duration": (BASE.replace("effort_hours: 4,", "effort_hours: -4,").encode(),
                              "vulnerabilities.0.effort_hours"),
        "probability above 1": (BASE.replace("success: 0.7", "success: 1.5").encode(), "vulnerabilities.0.success"),
        "duplicate ids": (BASE.replace("  - {id: corp}\n", "  - {id: corp}\n  - {id: corp}\n").encode(),
                          "duplicate zone id 'corp'"),
        "unknown reference": (BASE.replace("logon: [ws]}", "logon: [nowhere]}").encode(), "'nowhere'"),
        "a century": (BASE.replace("horizon_days: 10", "horizon_days: 36500").encode(), "horizon_days"),
        "a million hosts": (BASE.replace("    count: 3\n", "    count: 1000000\n").encode(), "hosts.1.count"),
        "not UTF-8": (b"name: \xff\xfe\x00bad\n", "not UTF-8"),
        "empty": (b"", "file is empty"),
        "binary": (bytes(range(256)) * 4, "s.yaml:"),
    }


@pytest.mark.parametrize("case", list(hostile_cases()))
def test_hostile_scenario_files(tmp_path, case):
    content, expected = hostile_cases()[case]
    path = tmp_path / "s.yaml"
    path.write_bytes(content)
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2, r.output
    assert expected in r.stderr, r.stderr
    assert r.stderr.startswith(f"{path}:"), r.stderr
    assert "Traceback" not in r.output


def test_hostile_sweep_file(tmp_path):
    bomb = ["scenario: espionage-tech", "replicates: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    p = tmp_path / "sweep.yaml"
    p.write_text("\n".join(bomb))
    r = runner.invoke(app, ["sweep", str(p), "--out", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2 and "alias bomb" in r.stderr
    assert not (tmp_path / "o.jsonl").exists()


def _sweep_file(tmp_path, replicates: int) -> Path:
    p = tmp_path / "sweep.yaml"
    p.write_text(f"scenario: {TINY}\nreplicates: {replicates}\nseed: 9\ngrid:\n  automation: [manual, autonomous]\n")
    return p


def test_full_disk_gives_a_clear_error(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    r = runner.invoke(app, ["sweep", str(_sweep_file(tmp_path, 3)), "--out", "/dev/full", "--workers", "1",
                            "--formats", "none"])
    assert r.exit_code == 2
    assert "/dev/full: cannot write: No space left on device" in r.stderr
    assert "Traceback" not in r.output


def test_ctrl_c_saves_what_is_done_and_resume_finishes(tmp_path):
    sw = _sweep_file(tmp_path, 400)
    out = tmp_path / "o.jsonl"
    cmd = [sys.executable, "-m", "simulator.cli", "sweep", str(sw), "--out", str(out), "--workers", "1",
           "--formats", "none"]
    # a shell without job control starts background jobs with SIGINT ignored, and the child would inherit that
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and out.stat().st_size > 0):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "rerun with --resume" in err and "Traceback" not in err
    saved = list(read_rows(out))
    assert 0 < len(saved) < 800
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = list(read_rows(out))
    assert sorted((r["cell"], r["replicate"]) for r in rows) == [(c, r) for c in range(2) for r in range(400)]


def test_sweep_rows_identical_across_hash_seeds_and_workers(tmp_path):
    sw = _sweep_file(tmp_path, 12)
    outs = []
    for hashseed, workers in (("1", "1"), ("777", "2")):
        out = tmp_path / f"o{hashseed}.jsonl"
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        subprocess.run([sys.executable, "-m", "simulator.cli", "sweep", str(sw), "--out", str(out), "--workers",
                        workers, "--formats", "none"], cwd=ROOT, env=env, check=True, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("case", ["alias bomb", "python tag", "deep nesting", "not UTF-8"])
def test_hostile_nasim_files(tmp_path, case):
    content, expected = hostile_cases()[case]
    path = tmp_path / "s.yaml"
    path.write_bytes(content)
    r = runner.invoke(app, ["import-nasim", str(path), "--out", str(tmp_path / "o.yaml")])
    assert r.exit_code == 2, r.output
    assert expected in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "o.yaml").exists()


def test_hostile_session_files(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"kind": "tabletop-session", "version": 1, "scenario_text": "a: &a [*a]", '
                    '"scenario_file": "x.yaml", "seed": 1, "automation": "manual", "posture": "weak"}')
    r = runner.invoke(app, ["tui", "--session", str(path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
