"""Sweeps: a base scenario, cells of parameter values, replicates; run in chunks on a local pool or a Dask cluster.

Pieces, each testable alone:
- ``expand_grid``: a grid of dotted paths -> lists becomes a list of cells (pure).
- ``apply_cell``: one cell's values laid onto the loaded scenario -> a compiled cell.
- ``plan_chunks``: the (cell, replicates) tasks still to run, in order (pure).
- ``execute``: runs chunks through a backend and yields rows in task order, so the output is the same whatever the
  worker count or backend.
- ``SweepOutput``: append-only JSON Lines with resume (a torn last line is dropped), then CSV and Parquet.

Seeds: replicate r of every cell runs on ``run_key(seed, r)`` (common random numbers across cells).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from defenses.base import Frozen
from simulator.build import Compiled, compile_scenario
from simulator.loader import (
    Document,
    Loaded,
    Problem,
    ScenarioError,
    deep_merge,
    load_document,
    locate,
    parse_yaml,
    read_document,
    resolve_preset,
)
from simulator.result import RunResult
from simulator.scenario import ReferenceProblems

MAX_RUNS = 10_000_000
"""Most runs one sweep may ask for."""
MAX_CELLS = 10_000
"""Most cells (combinations of the grid's values) one sweep may have: each is validated before any run, so the count
is checked first, from the lists' lengths, before anything is expanded."""
MAX_VALUES = 1_000
"""Most values one grid path may list."""

SCENARIO_FIELDS = ("horizon_days", "defender_utc_offset")
"""Top-level scenario fields a sweep may vary."""

Params = tuple[tuple[str, Any], ...]
"""One cell: (dotted path, value) pairs in grid order."""


GRID_PATH = r"^(automation|posture|horizon_days|defender_utc_offset|(attacker|posture)(\.[A-Za-z_][A-Za-z0-9_]*)+)$"
"""A grid key: automation, posture, attacker.FIELD..., posture.FIELD..., horizon_days or defender_utc_offset (the
schema says so; load_sweep names a bad key with its line and still checks the other keys' values)."""
GridPath = Annotated[str, StringConstraints(max_length=200)]


class SweepFile(Frozen):
    """A sweep file."""

    scenario: str = Field(max_length=4096)
    """The base scenario: a bundled name, or a path (relative to the sweep file)."""
    description: str = Field("", max_length=20_000)
    """What the sweep asks."""
    replicates: int = Field(ge=1, le=1_000_000)
    """Runs per cell."""
    seed: int = Field(0, ge=0, le=2**63 - 1)
    """Root seed."""
    grid: dict[GridPath, Annotated[list[Any], Field(max_length=MAX_VALUES)]] = Field(
        default_factory=dict, max_length=100, json_schema_extra={"propertyNames": {"pattern": GRID_PATH}})
    """Dotted parameter paths to lists of values. Paths: ``automation`` and ``posture`` (preset names),
    ``attacker.FIELD...`` and ``posture.FIELD...`` (any field of the profile or posture, nested), and the scenario's
    ``horizon_days`` and ``defender_utc_offset``. The cells are every combination, in file order."""


def expand_grid(grid: dict[str, Sequence[Any]]) -> list[Params]:
    """Every combination of the grid's values, first key slowest, in file order. An empty grid is one cell."""
    keys = list(grid)
    return [tuple(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))]


def _set_path(data: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        nxt = data.get(p)
        if not isinstance(nxt, dict):
            nxt = {}
            data[p] = nxt
        data = nxt
    data[parts[-1]] = value


def cell_overrides(loaded: Loaded, params: Params) -> tuple[str, dict, str, dict, dict]:
    """Split a cell into (automation preset, attacker overrides, posture preset, posture overrides, scenario
    updates), starting from the scenario's own presets and overrides. Raises ValueError for an unknown path."""
    s = loaded.scenario
    automation, posture = s.attacker.preset, s.posture.preset
    att: dict = json.loads(json.dumps(s.attacker.overrides))
    pos: dict = json.loads(json.dumps(s.posture.overrides))
    updates: dict = {}
    for path, value in params:
        head, _, rest = path.partition(".")
        if path in ("automation", "attacker.preset"):
            automation = value
        elif path in ("posture", "posture.preset"):
            posture = value
        elif head in ("attacker", "posture") and rest:
            target = att if head == "attacker" else pos
            existing = _get_path(target, rest)
            _set_path(target, rest, deep_merge(existing, value) if isinstance(existing, dict) else value)
        elif path in SCENARIO_FIELDS:
            updates[path] = value
        else:
            raise ValueError(
                f"unknown parameter path '{path}' (use automation, posture, attacker.FIELD, posture.FIELD, "
                f"{', '.join(SCENARIO_FIELDS)})"
            )
    return str(automation), att, str(posture), pos, updates


def _get_path(data: dict, path: str) -> Any:
    for p in path.split("."):
        if not isinstance(data, dict) or p not in data:
            return None
        data = data[p]
    return data


def apply_cell(loaded: Loaded, params: Params) -> Compiled:
    """The compiled scenario for one cell. Raises ScenarioError or ValueError on a bad value or path."""
    automation, att, posture, pos, updates = cell_overrides(loaded, params)
    attacker = resolve_preset("automation", automation, att)
    post = resolve_preset("posture", posture, pos)
    scenario = loaded.scenario
    if updates:
        from simulator.scenario import Scenario

        data = scenario.model_dump(by_alias=True)
        data.update(updates)
        scenario = Scenario.model_validate(data)
    return compile_scenario(scenario, attacker, post)


# --- specs and rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    """Everything a worker needs, as plain picklable data (the scenario travels as text, so cluster workers need no
    shared file system)."""

    scenario_text: str
    scenario_file: str
    cells: tuple[Params, ...]
    replicates: int
    seed: int

    @property
    def id(self) -> str:
        """A short hash of the spec: rows carry it, so --resume never mixes two sweeps."""
        blob = json.dumps([self.scenario_text, [list(map(list, c)) for c in self.cells], self.replicates, self.seed],
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def loaded(self) -> Loaded:
        """The scenario, parsed and validated once per process (every cell of a spec shares it; a Loaded is
        immutable)."""
        key = (self.scenario_file, self.scenario_text)
        hit = _LOADED.get(key)
        if hit is None:
            if len(_LOADED) >= 8:
                _LOADED.clear()
            hit = _LOADED[key] = load_document(parse_yaml(self.scenario_text, self.scenario_file))
        return hit

    @property
    def total(self) -> int:
        return len(self.cells) * self.replicates


def param_value(value: Any) -> Any:
    """A parameter value as a flat column: scalars stay, lists and mappings become compact JSON text."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def result_row(spec_id: str, cell: int, params: Params, result: RunResult) -> dict[str, Any]:
    """One long-format row: sweep, cell, replicate, seed, the parameters, the outputs."""
    row: dict[str, Any] = {"sweep": spec_id, "cell": cell, "replicate": result.replicate, "seed": result.seed}
    for path, value in params:
        row[path] = param_value(value)
    row.update(result.row())
    return row


_LOADED: dict[tuple[str, str], Loaded] = {}
"""Per-process cache of parsed scenarios, by (file, text)."""
_CACHE: dict[tuple[str, int], Compiled] = {}
"""Per-process cache of compiled cells, so a worker parses and compiles each cell once (it holds no results)."""


def run_chunk(spec: SweepSpec, cell: int, replicates: Sequence[int]) -> list[dict[str, Any]]:
    """Run replicates of one cell; the unit of work sent to workers."""
    from simulator.engine import run

    key = (spec.id, cell)
    compiled = _CACHE.get(key)
    if compiled is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        compiled = _CACHE[key] = apply_cell(spec.loaded(), spec.cells[cell])
    sid = spec.id
    params = spec.cells[cell]
    return [result_row(sid, cell, params, run(compiled, spec.seed, r)) for r in replicates]


def plan_chunks(cells: int, replicates: int, done: set[tuple[int, int]], workers: int,
                max_chunk: int = 250) -> list[tuple[int, tuple[int, ...]]]:
    """The (cell, replicates) tasks still to run, in order. Chunks are large enough to keep pool overhead small and
    small enough that every worker gets several."""
    todo = cells * replicates - len(done)
    size = max(1, min(max_chunk, math.ceil(todo / max(1, workers * 8)))) if todo else 1
    tasks = []
    for c in range(cells):
        missing = [r for r in range(replicates) if (c, r) not in done]
        for i in range(0, len(missing), size):
            tasks.append((c, tuple(missing[i:i + size])))
    return tasks


# --- backends --------------------------------------------------------------------------------------------------


def start_method() -> str:
    """How worker processes start: 'fork' on Linux while this process runs no other Python thread (a worker is then
    a copy of a process that has already imported the engine and parsed the scenario: no start-up cost), else
    'spawn' (a clean interpreter per worker: safe beside threads, as in the TUI or under Dask). Set per pool, never
    globally. Results do not depend on it: a run's draws come from its own seed, in whatever process it runs."""
    import multiprocessing
    import threading

    if sys.platform == "linux" and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


_WARM: dict[int, Any] = {}
"""Worker pools kept between sweeps, by size (only once ``keep_warm`` was called: the TUI)."""
_KEEP: set[int] = set()
"""Pool sizes to keep (a kept pool that broke is started again for the next sweep)."""


def _warm_worker() -> int:
    """Import what a chunk of runs needs, in a worker started ahead of the first sweep."""
    import simulator.engine  # noqa: F401

    return os.getpid()


def keep_warm(workers: int) -> None:
    """Keep a pool of ``workers`` worker processes between sweeps, in this process (the TUI, where one comparison
    follows another): start it now, its workers importing the engine in the background, so no sweep waits for
    interpreters to start, and each worker keeps the cells it has compiled (``_CACHE``) for the next sweep."""
    if workers > 1:
        _KEEP.add(workers)
        _kept_pool(workers)


def _kept_pool(workers: int) -> Any:
    """The kept pool of ``workers`` workers (started now if it is to be kept and is not running), else None."""
    pool = _WARM.get(workers)
    if pool is None and workers in _KEEP:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = _WARM[workers] = ProcessPoolExecutor(max_workers=workers,
                                                    mp_context=multiprocessing.get_context(start_method()))
        for _ in range(workers):  # a spawning pool starts a worker per task submitted while none is idle
            pool.submit(_warm_worker)
    return pool


def release_warm() -> None:
    """Stop the kept pools (queued work is dropped; a chunk in hand finishes)."""
    _KEEP.clear()
    while _WARM:
        _, pool = _WARM.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


def _ordered_local(spec: SweepSpec, tasks: Sequence[tuple[int, tuple[int, ...]]], workers: int
                   ) -> Iterator[list[dict[str, Any]]]:
    if workers <= 1:
        for c, reps in tasks:
            yield run_chunk(spec, c, reps)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    kept = _kept_pool(workers)
    pool = kept or ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(start_method()))
    futures: list = []
    try:
        window = workers * 4  # bounded look-ahead: rows waiting to be written stay few
        it = iter(tasks)
        for c, reps in itertools.islice(it, window):
            futures.append(pool.submit(run_chunk, spec, c, reps))
        while futures:
            first = futures.pop(0)
            rows = first.result()
            nxt = next(it, None)
            if nxt is not None:
                futures.append(pool.submit(run_chunk, spec, nxt[0], nxt[1]))
            yield rows
    except BrokenProcessPool:
        if kept is not None:  # a worker died: the next sweep starts a fresh pool
            _WARM.pop(workers, None)
            kept.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        if kept is None:
            pool.shutdown(wait=True, cancel_futures=True)
        else:  # cancelled or failed: drop what is still queued, keep the workers
            for f in futures:
                f.cancel()


def _ordered_dask(spec: SweepSpec, tasks: Sequence[tuple[int, tuple[int, ...]]], address: str
                  ) -> Iterator[list[dict[str, Any]]]:
    try:
        from dask.distributed import Client
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise RuntimeError("--scheduler needs Dask: pip install 'ai-tabletop[dask]'") from e
    where = address if isinstance(address, str) else "the Dask cluster"
    own = isinstance(address, str)  # a client of our own (--scheduler): its logs are ours to quiet
    with _dask_logs_muted() if own else contextlib.nullcontext():
        try:
            client = Client(address, timeout=DASK_TIMEOUT) if own else address
        except (OSError, TimeoutError, ValueError) as e:
            raise BackendError(f"--scheduler: cannot reach the Dask scheduler at {where} in {DASK_TIMEOUT} s "
                               f"({type(e).__name__})") from None
        try:
            [spec_f] = client.scatter([spec], broadcast=True)
            window = max(8, 4 * sum(client.nthreads().values()))
            futures: list = []
            it = iter(tasks)
            for c, reps in itertools.islice(it, window):
                futures.append(client.submit(run_chunk, spec_f, c, reps, pure=False))
            while futures:
                rows = futures.pop(0).result()
                nxt = next(it, None)
                if nxt is not None:
                    futures.append(client.submit(run_chunk, spec_f, nxt[0], nxt[1], pure=False))
                yield rows
        except (ScenarioError, ValueError, KeyboardInterrupt, GeneratorExit):
            raise
        except Exception as e:  # noqa: BLE001 - a lost scheduler or worker surfaces as many types: one line for all
            raise BackendError(_dask_failure(client, where, e)) from None
        finally:
            if own:
                with contextlib.suppress(Exception):
                    client.close(timeout=5)


def _dask_failure(client: Any, where: str, e: BaseException) -> str:
    """One line for a Dask failure: which part went away, then Dask's own words."""
    text = str(e).splitlines()[0][:200] if str(e).strip() else "no detail"
    detail = f"({type(e).__name__}: {text})"
    if "scheduler-connection-lost" in text or getattr(client, "status", "running") != "running":
        return f"the Dask scheduler at {where} went away {detail}"
    if type(e).__name__ == "KilledWorker":
        return f"Dask workers at {where} died running one chunk of runs, again and again {detail}"
    if "No valid workers" in text:
        return f"the Dask scheduler at {where} has no workers (none joined in {DASK_TIMEOUT} s)"
    if "forgotten" in text or "lost" in text:
        return f"the Dask workers at {where} went away, with the scenario they held {detail}"
    return f"the Dask cluster at {where} failed {detail}"


class _MuteDask:
    """A logging filter that drops Dask's records (a lost connection is logged with tracebacks)."""

    @staticmethod
    def filter(record: Any) -> bool:
        return not record.name.startswith(("distributed", "tornado", "asyncio"))


@contextlib.contextmanager
def _dask_logs_muted() -> Iterator[None]:
    """Dask's own log lines (on stderr, tracebacks included, when the scheduler or a worker goes) are dropped while a
    sweep's own client runs: the sweep says what happened in one line."""
    import logging

    handlers = {h for name in ("", "distributed", "distributed.client") for h in logging.getLogger(name).handlers}
    for h in handlers:
        h.addFilter(_MuteDask)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(_MuteDask)


DASK_TIMEOUT = 30
"""Seconds to wait for a Dask scheduler."""


def execute(spec: SweepSpec, tasks: Sequence[tuple[int, tuple[int, ...]]], workers: int = 1,
            scheduler: Any = None) -> Iterator[list[dict[str, Any]]]:
    """Run ``tasks`` and yield each chunk's rows in task order (local pool, or Dask when ``scheduler`` is given: an
    address 'tcp://HOST:PORT' or a dask Client)."""
    if scheduler is not None:
        return _ordered_dask(spec, tasks, scheduler)
    return _ordered_local(spec, tasks, workers)


# --- sweep files -----------------------------------------------------------------------------------------------


@dataclass
class LoadedSweep:
    """A validated sweep file, ready to run."""

    spec: SweepSpec
    file: SweepFile
    document: Document
    keys: list[str] = field(default_factory=list)


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and validate a sweep file: every path and value is tried against the scenario schema before any run."""
    doc = read_document(path, "sweep")
    if not isinstance(doc.data, dict):
        raise ScenarioError([Problem(doc.file, 1, "", "a sweep file must be a mapping of fields")])
    try:
        sf = SweepFile.model_validate(doc.data)
    except ValidationError as err:
        raise ScenarioError([
            Problem(doc.file, doc.line(_grid_loc(e["loc"])), ".".join(map(str, _grid_loc(e["loc"]))),
                    _sweep_message(e))
            for e in err.errors(include_url=False)[:50]
        ]) from None
    problems: list[Problem] = []
    bad_keys = {k for k in sf.grid if not re.match(GRID_PATH, k)}
    for key in bad_keys:
        problems.append(Problem(doc.file, doc.line(("grid", key)), f"grid.{key}", f"unknown parameter path '{key}' "
                                f"(use automation, posture, attacker.FIELD, posture.FIELD, "
                                f"{', '.join(SCENARIO_FIELDS)})"))
    for key, values in sf.grid.items():
        if not values:
            problems.append(Problem(doc.file, doc.line(("grid", key)), f"grid.{key}", "needs at least one value"))
    n_cells = math.prod(len(v) for v in sf.grid.values())
    runs = sf.replicates * n_cells
    if n_cells > MAX_CELLS:
        problems.append(Problem(doc.file, doc.line(("grid",)), "grid", f"{n_cells} cells (combinations of the grid's "
                                f"values); the limit is {MAX_CELLS}: split the sweep"))
    elif runs > MAX_RUNS:
        problems.append(Problem(doc.file, doc.line(("grid",)), "grid", f"{runs} runs asked; the limit is {MAX_RUNS}"))
    if problems and not bad_keys:
        raise ScenarioError(problems)
    base = locate(sf.scenario)
    if not base.is_absolute() and not base.exists():
        beside = Path(doc.file).parent / sf.scenario
        if beside.exists():
            base = beside
    try:
        sdoc = read_document(base, "scenario")
        loaded = load_document(sdoc)
    except ScenarioError as e:
        raise ScenarioError([Problem(doc.file, doc.line(("scenario",)), "scenario", f"the scenario does not load: "
                                     f"{p}") for p in e.problems]) from None
    # each value alone, so a typo names its own line
    for key, values in sf.grid.items():
        if key in bad_keys:
            continue
        for i, value in enumerate(values):
            err = _cell_error(loaded, ((key, value),))
            if err:
                problems.append(Problem(doc.file, doc.line(("grid", key, i)), f"grid.{key}", err))
    if problems:
        raise ScenarioError(problems)
    cells = expand_grid(sf.grid)
    for cell in cells:  # combinations too (cheap: validation only, no runs)
        err = _cell_error(loaded, cell)
        if err:
            where = ", ".join(f"{k}={v!r}" for k, v in cell)
            raise ScenarioError([Problem(doc.file, doc.line(("grid",)), "grid", f"cell {where}: {err}")])
    spec = SweepSpec(sdoc.text, str(base), tuple(cells), sf.replicates, sf.seed)
    return LoadedSweep(spec, sf, doc, list(sf.grid))


def _grid_loc(loc: tuple) -> tuple:
    """A pydantic location inside the grid without the '[key]' pydantic adds for a bad key."""
    return tuple(x for x in loc if x != "[key]")


def _sweep_message(e: dict) -> str:
    if e["type"] == "extra_forbidden":
        return "unknown field"
    return e["msg"]


def _cell_error(loaded: Loaded, params: Params) -> str | None:
    try:
        apply_cell(loaded, params)
    except ScenarioError as e:
        return "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in e.problems)
    except ValidationError as e:
        return "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors(include_url=False))
    except (ValueError, ReferenceProblems) as e:  # a bad path, or a reference broken by a changed scenario field
        return str(e)
    return None


def spec_for(loaded: Loaded, cells: Iterable[Params], replicates: int, seed: int) -> SweepSpec:
    """A spec over a loaded scenario (compare and fundamentals build theirs this way)."""
    return SweepSpec(loaded.document.text, loaded.document.file, tuple(cells), replicates, seed)


# --- output ------------------------------------------------------------------------------------------------------


class OutputError(Exception):
    """The output file cannot be used (exists without --resume, unwritable, belongs to another sweep)."""


class BackendError(Exception):
    """The cluster failed (unreachable scheduler, workers or scheduler gone): one line for the user."""


class SweepOutput:
    """Append-only JSON Lines. With ``resume``, existing rows are read back, streamed (a torn last line is cut off),
    and their (cell, replicate) pairs are skipped."""

    def __init__(self, path: str | Path, spec_id: str, resume: bool, cells: int | None = None,
                 replicates: int | None = None) -> None:
        self.path = Path(path)
        self.done: set[tuple[int, int]] = set()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror}") from None
        if st is not None and (stat.S_ISDIR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode)):
            raise OutputError(f"{self.path}: cannot write: not a regular file (a directory, FIFO or socket)")
        self.created = st is None  # made by this sweep: removed again if it fails before writing a row
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_size > 0:
            if not resume:
                raise OutputError(f"{self.path} exists: add --resume to continue it, or choose another --out")
            self._read_back(spec_id, cells, replicates)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the sweep
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror}") from None

    def _read_back(self, spec_id: str, cells: int | None, replicates: int | None) -> None:
        from simulator.inputs import LINE_CAP

        try:
            with open(self.path, "r+b") as fh:
                size = fh.seek(0, os.SEEK_END)
                tail = fh.seek(max(0, size - LINE_CAP))
                fh.seek(tail)
                last = fh.read()
                cut = tail + last.rfind(b"\n") + 1
                if last.rfind(b"\n") < 0 and size > LINE_CAP:
                    raise OutputError(f"{self.path}: not a sweep's JSON Lines output (no line break in its last "
                                      "MiB)")
                if cut < size:  # a torn last line from a killed run: drop it
                    fh.truncate(cut)
                fh.seek(0)
                for n, line in enumerate(iter(lambda: fh.readline(LINE_CAP + 1), b""), 1):
                    if len(line) > LINE_CAP:
                        raise OutputError(f"{self.path}:{n}: a line longer than 1 MiB: not a sweep's row")
                    if line.strip():
                        self.done.add(self._key(n, line, spec_id, cells, replicates))
        except OSError as e:
            raise OutputError(f"{self.path}: cannot resume: {e.strerror}") from None

    def _key(self, n: int, line: bytes, spec_id: str, cells: int | None, replicates: int | None) -> tuple[int, int]:
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise OutputError(f"{self.path}:{n}: not a JSON row: the file is damaged before its end") from None
        if not isinstance(row, dict):
            raise OutputError(f"{self.path}:{n}: not a sweep's row (a JSON object): the file is damaged")
        if row.get("sweep") != spec_id:
            from simulator.inputs import clean

            raise OutputError(f"{self.path}:{n}: sweep: written by a different sweep (id "
                              f"{clean(str(row.get('sweep')))[:40]}, this one is {spec_id}): choose another --out")
        cell, rep = row.get("cell"), row.get("replicate")
        for name, v, limit in (("cell", cell, cells), ("replicate", rep, replicates)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0 or (limit is not None and v >= limit):
                raise OutputError(f"{self.path}:{n}: {name}: {str(v)[:40]!s} is not a {name} of this sweep: the file "
                                  "is damaged")
        return cell, rep

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append rows and flush, so a kill loses at most the chunk being written."""
        try:
            self._fh.write("".join(json.dumps(r, allow_nan=False) + "\n" for r in rows))
            self._fh.flush()
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror}") from None

    def close(self) -> None:
        """Flush and sync what was written; a failure here is reported like any write failure."""
        try:
            self._fh.flush()
            try:
                os.fsync(self._fh.fileno())
            except OSError as e:
                if e.errno not in (22, 95):  # EINVAL / EOPNOTSUPP: a device or pipe that cannot sync
                    raise
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror}") from None
        finally:
            try:
                self._fh.close()
            except OSError:
                pass


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSON Lines file, streamed through the input layer (regular file, lines of at most 1 MiB; a torn last
    line is skipped). A line that is not JSON raises ScenarioError with its line."""
    from simulator.inputs import fail, iter_lines

    for n, line in iter_lines(path):
        try:
            yield json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise fail(str(path), n, "", "not JSON: not a sweep's JSON Lines output") from None


def _columns(path: Path) -> list[str]:
    cols: dict[str, None] = {}
    for row in read_rows(path):
        for k in row:
            cols.setdefault(k, None)
    return list(cols)


@contextlib.contextmanager
def _atomic(out: str | Path) -> Iterator[Path]:
    """A temporary file beside ``out`` that becomes ``out`` only when the block ends well: a failed write (a full
    disk) leaves no partial file and no temporary one. OSError becomes OutputError."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as e:
        raise OutputError(f"{out}: cannot write: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def export_csv(jsonl: str | Path, out: str | Path) -> None:
    """The JSON Lines rows as CSV, streamed; written whole or not at all."""
    import csv

    cols = _columns(Path(jsonl))
    with _atomic(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for row in read_rows(jsonl):
            w.writerow(row)


def export_parquet(jsonl: str | Path, out: str | Path, batch: int = 5000) -> None:
    """The JSON Lines rows as Parquet (pyarrow), written in batches so memory stays flat. Column types come from a
    first pass over every row (a column empty in the first rows may hold text later)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema(Path(jsonl))
    text = {f.name for f in schema if pa.types.is_string(f.type)}

    def cell(name: str, v: object) -> object:
        if v is None or name not in text or isinstance(v, str):
            return v
        return json.dumps(v, sort_keys=True)  # a list or a number in a column that also holds text

    rows = iter(read_rows(jsonl))
    with _atomic(out) as tmp:
        try:
            with pq.ParquetWriter(str(tmp), schema) as writer:
                while chunk := list(itertools.islice(rows, batch)):
                    table = [{c: cell(c, r.get(c)) for c in schema.names} for r in chunk]
                    writer.write_table(pa.Table.from_pylist(table, schema=schema))
        except pa.ArrowException as e:
            raise OSError(str(e)) from None


def _schema(path: Path):
    """One Arrow type per column from every value it holds: text if any is text, true/false if all are, int64 if every
    value is a whole number (counts, the run's coordinates), else float64."""
    import pyarrow as pa

    seen: dict[str, set[type]] = {}
    for row in read_rows(path):
        for k, v in row.items():
            kinds = seen.setdefault(k, set())
            if v is not None:
                kinds.add(type(v))
    fields = []
    for name, kinds in seen.items():
        if str in kinds or list in kinds or dict in kinds:
            t = pa.string()
        elif kinds == {bool}:
            t = pa.bool_()
        elif kinds and kinds <= {int}:
            t = pa.int64()
        else:
            t = pa.float64()
        fields.append(pa.field(name, t))
    return pa.schema(fields)


class Cancelled(Exception):
    """A run of cells was cancelled before it finished."""


def collect(spec: SweepSpec, workers: int = 1, scheduler: Any = None,
            progress: Callable[[int], None] | None = None, cancel: Any = None,
            max_chunk: int = 250) -> dict[int, list[dict[str, Any]]]:
    """Run every cell of ``spec`` in memory and return its rows by cell (compare and fundamentals use this).
    ``cancel`` (a threading.Event) is checked between chunks; when set, Cancelled is raised."""
    by_cell: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(spec.cells))}
    if progress is not None:
        progress(0)
    tasks = plan_chunks(len(spec.cells), spec.replicates, set(), workers, max_chunk)
    for rows in execute(spec, tasks, workers, scheduler):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        for r in rows:
            by_cell[r["cell"]].append(r)
        if progress is not None:
            progress(len(rows))
    return by_cell


def run_sweep(spec: SweepSpec, out: str | Path, workers: int = 1, resume: bool = False, scheduler: Any = None,
              progress: Callable[[int], None] | None = None) -> int:
    """Run ``spec`` into ``out`` (JSON Lines); returns the number of rows written by this call."""
    output = SweepOutput(out, spec.id, resume, len(spec.cells), spec.replicates)
    written = 0
    try:
        tasks = plan_chunks(len(spec.cells), spec.replicates, output.done, workers)
        if progress is not None:
            progress(len(output.done))
        for rows in execute(spec, tasks, workers, scheduler):
            output.write(rows)
            written += len(rows)
            if progress is not None:
                progress(len(rows))
    except BaseException:
        output.close()
        if output.created and written == 0:
            with contextlib.suppress(OSError):
                if output.path.stat().st_size == 0:
                    output.path.unlink()
        raise
    output.close()
    return written
