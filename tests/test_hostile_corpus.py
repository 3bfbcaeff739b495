"""A hostile-input corpus across every command that reads a file: each case must end with exit code 2, one clear
``FILE:LINE: ...`` line on stderr (or ``<command line>:0: ...``), no traceback, no control character echoed, no output
file (or temporary file) left behind, and within 5 seconds. Cases are generated here from small valid files made by
the tool itself; nothing is copied from elsewhere."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from tests.conftest import TINY
from tests.test_hostile import hostile_cases
from tests.test_nasim import nasim_text

runner = CliRunner()
BASE = TINY.read_text(encoding="utf-8")
LIMIT_S = 5.0

# --- the valid files every case starts from (made once, by the tool) --------------------------------------------


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    return make_good(tmp_path_factory.mktemp("good"))


def make_good(d: Path) -> dict[str, Path]:
    """The valid files the cases start from, written into ``d`` (benchmarks/hostile_inputs.py calls this too)."""
    out: dict[str, Path] = {}
    r = runner.invoke(app, ["run", str(TINY), "--json", "--automation", "autonomous", "--posture", "weak"])
    assert r.exit_code == 0, r.output
    out["run"] = d / "run.json"
    out["run"].write_text(r.stdout)
    r = runner.invoke(app, ["compare", str(TINY), "--runs", "2", "--workers", "1", "--automation", "manual",
                            "--posture", "weak", "--format", "json"])
    assert r.exit_code == 0, r.output
    out["comparison"] = d / "cmp.json"
    out["comparison"].write_text(r.stdout)
    sweep = d / "sweep.yaml"
    sweep.write_text(f"scenario: {TINY}\nreplicates: 2\ngrid:\n  automation: [manual, autonomous]\n")
    out["sweep"] = sweep
    r = runner.invoke(app, ["sweep", str(sweep), "--out", str(d / "rows.jsonl"), "--workers", "1",
                            "--formats", "none"])
    assert r.exit_code == 0, r.output
    out["rows"] = d / "rows.jsonl"
    from simulator.facilitator import Facilitator
    from simulator.loader import load

    fac = Facilitator(load(TINY), 3, "autonomous", "weak")
    for _ in range(4):
        fac.advance()
    fac.note("first note")
    out["session"] = fac.save(d / "session.json")
    return out


# --- building blocks ---------------------------------------------------------------------------------------------

Make = Callable[[Path, dict[str, Path]], list[str]]
"""(a fresh directory, the good files) -> the command line."""
CASES: dict[str, Make] = {}


def case(name: str, make: Make) -> None:
    assert name not in CASES, name
    CASES[name] = make


def _json_edit(kind: str, edit: Callable[[dict], object]) -> Callable[[Path, dict[str, Path]], Path]:
    """A copy of a good JSON file with ``edit`` applied (edit returns the new document, or None to keep the dict)."""

    def write(tmp: Path, good: dict[str, Path]) -> Path:
        data = json.loads(good[kind].read_text())
        new = edit(data)
        p = tmp / f"{kind}.json"
        p.write_text(json.dumps(data if new is None else new, indent=2))
        return p

    return write


def _raw(name: str, content: bytes) -> Callable[[Path, dict[str, Path]], Path]:
    def write(tmp: Path, good: dict[str, Path]) -> Path:
        p = tmp / name
        p.write_bytes(content)
        return p

    return write


def _rows_edit(edit: Callable[[list[str]], list[str]]) -> Callable[[Path, dict[str, Path]], Path]:
    def write(tmp: Path, good: dict[str, Path]) -> Path:
        lines = good["rows"].read_text().splitlines(keepends=True)
        p = tmp / "rows.jsonl"
        p.write_text("".join(edit(lines)))
        return p

    return write


def _special(kind: str, suffix: str) -> Callable[[Path, dict[str, Path]], Path]:
    """A path that is not a regular file: /dev/zero behind a symlink, a FIFO, a directory, a missing file, or a
    sparse 1 GiB file."""

    def write(tmp: Path, good: dict[str, Path]) -> Path:
        p = tmp / f"input{suffix}"
        if kind == "devzero":
            p.symlink_to("/dev/zero")
        elif kind == "fifo":
            os.mkfifo(p)
        elif kind == "directory":
            p.mkdir()
        elif kind == "sparse":
            with open(p, "wb") as fh:
                fh.truncate(1024**3)
        return p

    return write


COMMANDS: dict[str, tuple[str, Callable[[Path, Path], list[str]]]] = {
    "validate": (".yaml", lambda f, t: ["validate", str(f)]),
    "run": (".yaml", lambda f, t: ["run", str(f)]),
    "compare": (".yaml", lambda f, t: ["compare", str(f), "--runs", "2", "--workers", "1"]),
    "sensitivity": (".yaml", lambda f, t: ["sensitivity", str(f), "--runs", "2", "--workers", "1"]),
    "sweep": (".yaml", lambda f, t: ["sweep", str(f), "--out", str(t / "out.jsonl"), "--workers", "1"]),
    "summarize": (".jsonl", lambda f, t: ["summarize", str(f)]),
    "report-jsonl": (".jsonl", lambda f, t: ["report", str(f), "--out", str(t / "out.md")]),
    "report-json": (".json", lambda f, t: ["report", str(f), "--out", str(t / "out.html"),
                                           "--counterfactual-runs", "2"]),
    "navigator": (".json", lambda f, t: ["navigator", str(f), "--out", str(t / "out.json")]),
    "navigator-scenario": (".yaml", lambda f, t: ["navigator", str(f), "--out", str(t / "out.json"), "--runs", "2"]),
    "import-nasim": (".yaml", lambda f, t: ["import-nasim", str(f), "--out", str(t / "out.yaml")]),
    "tui-session": (".json", lambda f, t: ["tui", "--session", str(f)]),
}


def on(commands: list[str], name: str, writer: Callable[[Path, dict[str, Path]], Path]) -> None:
    for c in commands:
        _, argv = COMMANDS[c]
        case(f"{c}: {name}", lambda t, g, argv=argv, writer=writer: argv(writer(t, g), t))


# --- the corpus ----------------------------------------------------------------------------------------------------

# 1. paths that are not regular files, for every command that reads one
for special in ("devzero", "fifo", "directory", "missing", "sparse"):
    for command, (suffix, _) in COMMANDS.items():
        on([command], special, _special(special, suffix))

# 2. scenario files: the loader's corpus, and configurations that can never run, on validate, run and compare
SCENARIO_COMMANDS = ["validate", "run", "compare"]
for name, (content, _) in hostile_cases().items():
    if name not in ("very long list", "over the size cap"):  # slow to write three times; test_hostile has them
        on(["validate", "run"], f"scenario {name}", _raw("s.yaml", content))
NEVER_RUN = {
    "SOC shift start equals end": "posture:\n  preset: baseline\n  overrides: {soc: {hours: business, shift_start: 9, "
                                  "shift_end: 9}}",
    "SOC without workdays": "posture:\n  preset: baseline\n  overrides: {soc: {hours: business, workdays: []}}",
    "retry under a minute": "attacker: {preset: ai-orchestrated, overrides: {retry_days: 1.0e-300}}",
    "cleanup under a minute": "posture:\n  preset: baseline\n  overrides: {incident_response: {cleanup_hours: 0.001}}",
    "benign alerts nobody could see": "posture:\n  preset: baseline\n  overrides: {soc: {benign_per_hour: 1000, "
                                      "analysts: 1, triage_minutes: 60}}",
    "benign alerts over the cap": "posture:\n  preset: baseline\n  overrides: {soc: {benign_per_hour: 10000}}",
    "terminal escape in a key": 'attacker: {preset: ai-orchestrated, overrides: {"\\e[2J\\e]0;pwned\\a": 1}}',
}
for name, line in NEVER_RUN.items():
    key = "attacker" if line.startswith("attacker") else "posture"
    old = "attacker: {preset: ai-orchestrated}" if key == "attacker" else "posture: {preset: baseline}"
    on(SCENARIO_COMMANDS, name, _raw("s.yaml", BASE.replace(old, line).encode()))

# 3. sweep files
SWEEPS = {
    "a grid of 10^6 cells": "(written below)",
    "an unknown grid path": "grid:\n  colour: [red, blue]\n",
    "a grid that is a list": "grid: [automation]\n",
    "infinite replicates": None,
    "base scenario /dev/zero": None,
    "alias bomb": "grid:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)),
}
for name, body in SWEEPS.items():
    if name == "infinite replicates":
        text = f"scenario: {TINY}\nreplicates: .inf\n"
    elif body is None:
        text = "scenario: /dev/zero\nreplicates: 1\n"
    elif name == "a grid of 10^6 cells":
        keys = ["automation", "posture", "posture.soc.analysts", "posture.soc.triage_minutes",
                "posture.soc.recognition", "attacker.retry_days"]
        text = f"scenario: {TINY}\nreplicates: 1\ngrid:\n" + "".join(
            f"  {k}: [{', '.join(str(i + 1) for i in range(10))}]\n" for k in keys)
    else:
        text = f"scenario: {TINY}\nreplicates: 1\n" + body
    on(["sweep"], name, _raw("sweep.yaml", text.encode()))

# 4. JSON inputs: runs, comparisons and sessions, on report and navigator (sessions on tui --session too)
BAD_JSON = {
    "a list": _raw("x.json", b"[1, 2, 3]"),
    "null": _raw("x.json", b"null"),
    "an empty object": _raw("x.json", b"{}"),
    "truncated": _raw("x.json", b'{"kind": "comparison", "cells": ['),
    "nested 100000 deep": _raw("x.json", b"[" * 100_000 + b"]" * 100_000),
    "not UTF-8": _raw("x.json", b'{"kind": "\xff\xfe"}'),
    "run: seed true": _json_edit("run", lambda d: d.update(seed=True)),
    "run: timeline not a list": _json_edit("run", lambda d: d.update(timeline={"a": 1})),
    "run: negative time": _json_edit("run", lambda d: d["timeline"][0].update(time=-5)),
    "run: NaN end time": _json_edit("run", lambda d: d.update(end_time=float("nan"))),
    "run: a huge integer": _json_edit("run", lambda d: d.update(hosts_compromised=10**400)),
    "run: an unknown outcome": _json_edit("run", lambda d: d.update(outcome="pwned")),
    "run: an extra field": _json_edit("run", lambda d: d.update(extra="\x1b[2J")),
    "comparison: no cells": _json_edit("comparison", lambda d: d.update(cells=[])),
    "comparison: a cell of another shape": _json_edit("comparison", lambda d: d.update(cells=[{"label": 1}])),
    "comparison: seed Infinity": _json_edit("comparison", lambda d: d.update(seed=float("inf"))),
    "session: integer scenario_text": _json_edit("session", lambda d: d.update(scenario_text=5)),
    "session: seed Infinity": _json_edit("session", lambda d: d.update(seed=float("inf"))),
    "session: orders not a list": _json_edit("session", lambda d: d.update(orders="all")),
    "session: a negative step": _json_edit("session", lambda d: d.update(step=-1)),
    "session: a note without text": _json_edit("session", lambda d: d["notes"].append({"step": 1})),
    "session: an edited result": _json_edit("session", lambda d: d["result"].update(hosts_compromised=99)),
    "session: version 1": _json_edit("session", lambda d: d.update(version=1)),
    "session: scenario with duplicate keys": _json_edit("session", lambda d: d.update(scenario_text="a: 1\na: 2\n")),
    "session: scenario alias bomb": _json_edit("session", lambda d: d.update(scenario_text="\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]"
                                                     for i in range(1, 10)]))),
    "session: an order of 1e300 steps": _json_edit("session", lambda d: d.update(step=10**300)),
    "session: timers of strings": _json_edit("session", lambda d: d.update(timers={"x": "y"})),
}
for name, writer in BAD_JSON.items():
    commands = ["report-json", "navigator"] + (["tui-session"] if name.startswith("session") or ":" not in name
                                               else [])
    on(commands, name, writer)

# 5. JSON Lines on summarize, report and sweep --resume


def _row(edit: Callable[[dict], object]) -> Callable[[list[str]], list[str]]:
    def change(lines: list[str]) -> list[str]:
        row = json.loads(lines[1])
        new = edit(row)
        return [lines[0], json.dumps(row if new is None or isinstance(new, bool) else new) + "\n", *lines[2:]]

    return change


BAD_ROWS = {
    "a row that is a list": _row(lambda r: [1, 2]),
    "a row without cell": _row(lambda r: r.pop("cell") == "never"),  # pop, then keep the edited dict
    "a cell that is text": _row(lambda r: r.update(cell="x")),
    "a NaN output": _row(lambda r: r.update(end_time=float("nan"))),
    "a parameter that is a mapping": _row(lambda r: r.update(automation={"a": 1})),
    "a negative replicate": _row(lambda r: r.update(replicate=-1)),
    "not JSON": lambda lines: [lines[0], "{not json\n", *lines[2:]],
    "a line of 2 MiB": lambda lines: [lines[0], "x" * (2 * 1024 * 1024) + "\n"],
    "only a torn line": lambda lines: [lines[0].rstrip("\n")],
    "binary": lambda lines: [bytes(range(256)).decode("latin-1") + "\n"],
}
for name, edit in BAD_ROWS.items():
    on(["summarize", "report-jsonl"], name, _rows_edit(edit))


def _resume(edit: Callable[[list[str]], list[str]]) -> Make:
    def make(tmp: Path, good: dict[str, Path]) -> list[str]:
        out = tmp / "out.jsonl"
        out.write_text("".join(edit(good["rows"].read_text().splitlines(keepends=True))))
        return ["sweep", str(good["sweep"]), "--out", str(out), "--resume", "--workers", "1", "--formats", "none"]

    return make


for name in ("a row that is a list", "a row without cell", "a cell that is text", "not JSON", "a line of 2 MiB"):
    case(f"sweep --resume: {name}", _resume(BAD_ROWS[name]))
case("sweep --resume: a row of another sweep", _resume(_row(lambda r: r.update(sweep="0" * 16))))
case("sweep --resume: a cell beyond the sweep", _resume(_row(lambda r: r.update(cell=99))))

# 6. NASim files
NASIM = {
    "infinite probability": nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: .inf, cost: 1}\n"),
    "negative infinite value": nasim_text(value="-.inf"),
    "NaN cost": nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 0.5, cost: .nan}\n"),
    "access level 7": nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 0.5, cost: 1, access: 7}\n"),
    "a billion hosts": nasim_text().replace("subnets: [1, 2, 2]", "subnets: [1, 2, 1000000000]"),
    "exploits as a list": nasim_text().replace("exploits:\n", "exploits: [a, b]\nx_exploits:\n"),
    "a host configuration that is a number": nasim_text().replace("(1, 0): {os: linux, services: [http], processes: "
                                                                  "[cron], value: 0}", "(1, 0): 5"),
    "a firewall rule that is a number": nasim_text().replace("(1, 2): [ssh]", "(1, 2): 5"),
    "probability above 1": nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 2, cost: 1}\n"),
    "not a mapping": "[1, 2, 3]\n",
}
for name, text in NASIM.items():
    on(["import-nasim"], name, _raw("n.yaml", text.encode()))


# --- the test -------------------------------------------------------------------------------------------------------


def test_the_corpus_is_large():
    assert len(CASES) >= 100, len(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name, good, tmp_path):
    argv = CASES[name](tmp_path, good)
    start = time.monotonic()
    r = runner.invoke(app, argv)
    took = time.monotonic() - start
    assert r.exception is None or isinstance(r.exception, SystemExit), (name, r.exception)
    assert r.exit_code == 2, (name, r.exit_code, r.output)
    assert "Traceback" not in r.output
    last = r.stderr.splitlines()[-1] if r.stderr else ""
    m = re.match(r"^(.+?):(\d+): \S", last)  # FILE:LINE: [field:] message, the file one the user passed
    assert m and (m.group(1).startswith(str(tmp_path)) or m.group(1) == "<command line>"), (name, r.stderr)
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr, (name, r.stderr)
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith("out") or p.name.endswith(".tmp")]
    assert not [x for x in left if x != "out.jsonl" or not name.startswith("sweep --resume")], (name, left)
    assert took < LIMIT_S, (name, took)


@pytest.mark.parametrize("command", ["report", "navigator"])
def test_a_file_named_inside_a_result_is_never_opened(good, tmp_path, command, monkeypatch):
    """A run whose scenario field names /dev/zero (or a FIFO, which would block an open) is reported on from its own
    data: the named file is not opened."""
    fifo = tmp_path / "trap.yaml"
    os.mkfifo(fifo)
    data = json.loads(good["run"].read_text())
    data["scenario"] = str(fifo)
    src = tmp_path / "r.json"
    src.write_text(json.dumps(data))
    out = tmp_path / ("o.md" if command == "report" else "o.json")
    start = time.monotonic()
    r = runner.invoke(app, [command, str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and time.monotonic() - start < LIMIT_S


def test_the_event_budget_stops_a_run_and_names_the_cause(monkeypatch, tmp_path):
    from simulator import engine

    monkeypatch.setattr(engine, "MAX_EVENTS", 40)
    monkeypatch.setattr(engine, "MAX_STILL_EVENTS", 400)  # checked every 100 events
    r = runner.invoke(app, ["run", str(TINY), "--automation", "autonomous", "--posture", "weak"])
    assert r.exit_code == 2, r.output
    assert "run stopped: more than 40 events" in r.stderr and "check " in r.stderr
    assert r.stderr.startswith(f"{TINY}:0: ") and "Traceback" not in r.output


def test_the_models_follow_the_result_and_session_formats(good):
    """The strict models must know every field the tool itself writes: a field added to RunResult or to a session
    without its model would make report and navigator refuse the tool's own files."""
    from dataclasses import fields

    from simulator.inputs import CellModel, RowModel, RunModel, SessionModel
    from simulator.result import RunResult
    from simulator.stats import CellSummary

    assert set(RunModel.model_fields) == {f.name for f in fields(RunResult)}
    # 'loss' is added per cell by `tabletop compare` when the scenario has a loss model (not a CellSummary field)
    assert set(CellModel.model_fields) - {"loss"} == {f.name for f in fields(CellSummary)}
    assert {f.name for f in fields(RunResult)} - {"timeline", "log"} <= set(RowModel.model_fields)
    SessionModel.model_validate_json(good["session"].read_text())
    for kind, command in (("run", "navigator"), ("comparison", "report"), ("session", "report")):
        out = good[kind].with_suffix(".out.json" if command == "navigator" else ".md")
        r = runner.invoke(app, [command, str(good[kind]), "--out", str(out), "--counterfactual-runs", "2"]
                          if command == "report" else [command, str(good[kind]), "--out", str(out)])
        assert r.exit_code == 0, (kind, r.output)
