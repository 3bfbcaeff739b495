"""A sweep on a real Dask cluster (scheduler and workers in their own processes) losing its worker or its scheduler part
way: one clear line, exit 1 with a --resume hint once rows were written (2 before any), no traceback, no torn row; and
--resume on a fresh cluster ends with rows byte-identical to an uninterrupted sweep."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

from simulator.sweep import load_sweep, run_sweep  # noqa: E402
from tests.conftest import TINY  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SWEEP = [PY, "-c", "import sys, simulator.sweep as s; s.DASK_TIMEOUT = 5; from simulator.cli import main; "
                   "sys.argv[0] = 'tabletop'; main()", "sweep"]
"""`tabletop sweep` in its own process, waiting 5 s rather than 30 for a scheduler."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Dask scheduler and workers as child processes of the test, each stopped by its own pid."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.scheduler = self._spawn("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                                   str(self.port), "--no-dashboard"], "Scheduler at:")

    def _spawn(self, name: str, args: list[str], ready: str, timeout: float = 20) -> subprocess.Popen:
        log = self.tmp / f"{name}-{len(self.procs)}.log"
        with open(log, "wb") as fh:
            proc = subprocess.Popen([PY, "-m", *args], cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        while ready not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)
        return proc

    def worker(self) -> subprocess.Popen:
        return self._spawn("worker", ["distributed.cli.dask_worker", self.address, "--nthreads", "1", "--no-nanny",
                                      "--no-dashboard"], "Registered to:")

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


@pytest.fixture
def clusters(tmp_path):
    made: list[Cluster] = []

    def make() -> Cluster:
        made.append(Cluster(tmp_path))
        return made[-1]

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> tuple[Path, bytes]:
    """A sweep of 2 x 600 runs (a few seconds on one worker thread) and the rows of an uninterrupted local run."""
    d = tmp_path_factory.mktemp("dask")
    p = d / "sweep.yaml"
    p.write_text(f"scenario: {TINY}\nreplicates: 600\nseed: 3\ngrid:\n  automation: [manual, ai-orchestrated]\n")
    run_sweep(load_sweep(p).spec, d / "full.jsonl", workers=1)
    return p, (d / "full.jsonl").read_bytes()


def _rows(out: Path) -> int:
    return out.read_bytes().count(b"\n") if out.exists() else 0


def _sweep_until(sw: Path, out: Path, address: str, rows: int, kill: subprocess.Popen,
                 ) -> subprocess.CompletedProcess:
    """Run the sweep against ``address``; once ``rows`` rows are written, SIGKILL ``kill``; return the finished run."""
    cmd = SWEEP + [str(sw), "--out", str(out), "--scheduler", address, "--formats", "none"]
    with open(out.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
        deadline = time.monotonic() + 30
        while _rows(out) < rows and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep ended before the kill"
        os.kill(kill.pid, signal.SIGKILL)
        kill.wait()
        stdout, _ = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout.decode(), out.with_suffix(".err").read_text())


def _one_clear_line(r: subprocess.CompletedProcess, exit_code: int) -> str:
    assert r.returncode == exit_code, r.stderr
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    said = [ln for ln in r.stderr.splitlines() if not re.match(r"^sweep[ :]", ln)]  # the header and progress lines
    assert len(said) == 1, r.stderr
    return said[0]


def _whole_rows(out: Path) -> None:
    data = out.read_bytes()
    assert data.endswith(b"\n")
    for line in data.splitlines():
        assert json.loads(line)["sweep"]


def _resume(sw: Path, out: Path, address: str) -> None:
    r = subprocess.run(SWEEP + [str(sw), "--out", str(out), "--scheduler", address, "--formats", "none", "--resume"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_the_only_worker_killed_mid_sweep(tmp_path, clusters, sweep):
    sw, full = sweep
    cluster = clusters()
    worker = cluster.worker()
    out = tmp_path / "o.jsonl"
    r = _sweep_until(sw, out, cluster.address, 100, worker)
    line = _one_clear_line(r, 1)
    assert "workers" in line.split(";")[0] and "rerun with --resume" in line, line
    _whole_rows(out)
    assert 100 <= _rows(out) < 1200
    cluster.worker()
    _resume(sw, out, cluster.address)
    assert out.read_bytes() == full


def test_the_scheduler_killed_mid_sweep(tmp_path, clusters, sweep):
    sw, full = sweep
    cluster = clusters()
    cluster.worker()
    out = tmp_path / "o.jsonl"
    r = _sweep_until(sw, out, cluster.address, 100, cluster.scheduler)
    line = _one_clear_line(r, 1)
    assert "scheduler at tcp://127.0.0.1:" in line and "went away" in line and "--resume" in line, line
    _whole_rows(out)
    fresh = clusters()
    fresh.worker()
    _resume(sw, out, fresh.address)
    assert out.read_bytes() == full


def test_one_of_two_workers_killed_the_sweep_goes_on(tmp_path, clusters, sweep):
    sw, full = sweep
    cluster = clusters()
    cluster.worker()
    doomed = cluster.worker()
    out = tmp_path / "o.jsonl"
    r = _sweep_until(sw, out, cluster.address, 100, doomed)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert out.read_bytes() == full


def test_a_scheduler_without_workers_is_one_line_and_leaves_no_file(tmp_path, clusters, sweep):
    sw, _ = sweep
    cluster = clusters()
    out = tmp_path / "o.jsonl"
    r = subprocess.run(SWEEP + [str(sw), "--out", str(out), "--scheduler", cluster.address, "--formats", "none"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = _one_clear_line(r, 2)
    assert line == f"the Dask scheduler at {cluster.address} has no workers (none joined in 5 s)", line
    assert not out.exists()
