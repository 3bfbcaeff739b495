"""The input layer: every file the tool reads comes through here.

Rules, the same for every command:

- **Regular files only.** A path is ``stat``-ed first (symlinks are followed, to a regular file only) and opened with
  ``O_NONBLOCK`` (a FIFO swapped in after the check cannot block the open); a directory, device, FIFO or socket is
  refused by name. ``/dev/zero`` behind a symlink is a device: refused before a byte is read.
- **A size cap per kind** (``CAPS``), checked on the size the file claims and again on the bytes read (a file that
  grows while read stops at the cap).
- **JSON Lines are streamed**: one line at a time, each at most ``LINE_CAP`` bytes, validated as it is read, so a
  file of any length needs memory for one line (and what the caller keeps of it: see ``RowStore``).
- **Typed models for every JSON shape** (pydantic, strict, no NaN or infinity): a run (`tabletop run --json`), a
  comparison (`tabletop compare --format json`), a session, a sweep's row. Every error is
  ``FILE:LINE: field: message``, the line found in the file's text.
- Files name no other files the tool will read: a result's ``scenario`` is reloaded only when it is a bundled name
  (``simulator.loader.load_bundled``); a session carries its scenario's text.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MiB = 1024 * 1024

CAPS: dict[str, int] = {
    "scenario": 5 * MiB,
    "sweep": 5 * MiB,
    "nasim": 5 * MiB,
    "session": 64 * MiB,
    "run": 64 * MiB,
    "comparison": 16 * MiB,
    "json": 64 * MiB,
    "rows": 64 * 1024 * MiB,
}
"""Largest file read, per kind. ``json`` is a JSON file whose kind is decided by its content (report, navigator): the
largest of the JSON kinds. ``rows`` (a sweep's JSON Lines) is streamed, so its cap only bounds the time a read takes."""

LINE_CAP = 1 * MiB
"""Longest line of a JSON Lines file (a sweep's row is about 1.5 KiB)."""

KIND_NAMES = {"scenario": "scenario", "sweep": "sweep", "nasim": "NASim", "session": "session", "run": "run result",
              "comparison": "comparison", "json": "JSON input", "rows": "JSON Lines"}


@dataclass(frozen=True)
class Problem:
    """One error in one file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {clean(self.field)}:" if self.field else ""
        return f"{clean(self.file)}:{self.line}:{field} {clean(self.message)}"


class ScenarioError(Exception):
    """A file that could not be read or loaded; ``problems`` lists every error found. (Named for the first kind of
    file it served; every input error is one.)"""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


InputError = ScenarioError
"""The same class: code that catches ScenarioError catches every input error."""


def fail(file: str, line: int, field: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, field, message)])


def _size(n: int) -> str:
    return f"{n // MiB} MiB" if n % MiB == 0 else f"{n} bytes"


# --- opening ----------------------------------------------------------------------------------------------------


def check_regular(path: str | os.PathLike, kind: str) -> os.stat_result:
    """``stat`` the path (following symlinks) and refuse anything but a regular file within the cap of ``kind``."""
    file = os.fspath(path)
    try:
        st = os.stat(file)
    except FileNotFoundError:
        raise fail(file, 0, "", "no such file") from None
    except NotADirectoryError:
        raise fail(file, 0, "", "no such file (a part of the path is not a directory)") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise fail(file, 0, "", f"cannot read: {getattr(e, 'strerror', None) or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail(file, 0, "", f"is a directory, not a {KIND_NAMES[kind]} file")
    if not stat.S_ISREG(st.st_mode):
        what = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a device")
        raise fail(file, 0, "", f"not a regular file ({what}): only regular files are read")
    if st.st_size > CAPS[kind]:
        raise fail(file, 1, "", f"file is larger than {_size(CAPS[kind])} (the limit for a {KIND_NAMES[kind]} file)")
    return st


def open_regular(path: str | os.PathLike, kind: str) -> IO[bytes]:
    """A regular file opened for binary reading, after ``check_regular``; the open cannot block."""
    file = os.fspath(path)
    check_regular(file, kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags)
    except OSError as e:
        raise fail(file, 0, "", f"cannot read: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped after the check
            raise fail(file, 0, "", "not a regular file: only regular files are read")
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike, kind: str) -> bytes:
    """The whole file, at most the cap of ``kind``."""
    file = os.fspath(path)
    cap = CAPS[kind]
    with open_regular(file, kind) as fh:
        try:
            data = fh.read(cap + 1)
        except OSError as e:
            raise fail(file, 0, "", f"cannot read: {e.strerror}") from None
    if len(data) > cap:
        raise fail(file, 1, "", f"file is larger than {_size(cap)} (the limit for a {KIND_NAMES[kind]} file)")
    return data


def decode(data: bytes, file: str) -> str:
    """UTF-8 text (a leading byte-order mark dropped), or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise fail(file, line, "", f"not UTF-8 text ({e.reason} at byte {e.start})") from None


def read_text(path: str | os.PathLike, kind: str) -> str:
    """The file as UTF-8 text, within the cap of ``kind``."""
    return decode(read_bytes(path, kind), os.fspath(path))


# --- JSON ---------------------------------------------------------------------------------------------------------


_WS = re.compile(r"[ \t\n\r]*")


def json_line(text: str, path: Sequence[Any]) -> int:
    """The line of the value at ``path`` (keys and indexes) in JSON ``text``, or of its deepest ancestor found. Runs
    only on an error; values in between are skipped by the C decoder."""
    dec = json.JSONDecoder()
    from json.decoder import scanstring

    pos = _WS.match(text, 0).end()
    best = pos
    try:
        for key in path:
            pos = _WS.match(text, pos).end()
            ch = text[pos:pos + 1]
            if ch == "{" and isinstance(key, str):
                pos += 1
                while True:
                    pos = _WS.match(text, pos).end()
                    if text[pos] != '"':
                        raise LookupError(key)
                    at = pos
                    k, pos = scanstring(text, pos + 1)
                    pos = _WS.match(text, pos).end() + 1  # the colon
                    pos = _WS.match(text, pos).end()
                    if k == key:
                        best = at
                        break
                    _, pos = dec.raw_decode(text, pos)
                    pos = _WS.match(text, pos).end()
                    if text[pos] == ",":
                        pos += 1
            elif ch == "[" and isinstance(key, int):
                pos += 1
                for _ in range(key):
                    pos = _WS.match(text, pos).end()
                    _, pos = dec.raw_decode(text, pos)
                    pos = _WS.match(text, pos).end()
                    if text[pos] != ",":
                        raise LookupError(key)
                    pos += 1
                pos = _WS.match(text, pos).end()
                best = pos
            else:
                break
    except (LookupError, ValueError, IndexError):
        pass
    return text.count("\n", 0, best) + 1


def parse_json(text: str, file: str) -> Any:
    """JSON text into plain data; syntax errors with their line. NaN and infinity parse here and are refused by
    the models (with the field's name)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(file, e.lineno, "", f"not JSON ({e.msg}, column {e.colno})") from None
    except RecursionError:
        raise fail(file, 1, "", "JSON nested too deeply") from None


def _loc(loc: Sequence[Any]) -> tuple[Any, ...]:
    """A pydantic error location without the entries pydantic adds for function validators."""
    return tuple(x for x in loc if not (isinstance(x, str) and x.startswith(("function-", "json-or-python"))))


def problems_of(err: ValidationError, file: str, line_of, prefix: Sequence[Any] = ()) -> list[Problem]:
    """Every error of ``err`` as a Problem; ``line_of(path)`` gives the line of a path."""
    out = []
    for e in err.errors(include_url=False)[:50]:
        path = tuple(prefix) + _loc(e["loc"])
        msg = {"extra_forbidden": "unknown field", "missing": "field required"}.get(e["type"], e["msg"])
        if e["type"] == "finite_number":
            msg = "not a finite number (NaN and infinity are refused)"
        out.append(Problem(file, line_of(path), ".".join(map(str, path)), clean(msg)))
    return out


def validate(model: type[BaseModel], text: str, data: Any, file: str, prefix: Sequence[Any] = ()) -> Any:
    """``data`` (parsed from ``text``) validated by ``model`` (strict, from JSON: lists stand for tuples)."""
    try:
        return model.model_validate_json(text) if not prefix else model.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(problems_of(err, file, lambda p: json_line(text, p), prefix)) from None
    except RecursionError:
        raise fail(file, 1, "", "JSON nested too deeply") from None


def read_json(path: str | os.PathLike, kind: str = "json") -> tuple[Any, str]:
    """(data, text) of a JSON file of ``kind`` (capped, regular, UTF-8, well-formed)."""
    file = os.fspath(path)
    text = read_text(file, kind)
    return parse_json(text, file), text


# --- terminal-safe text --------------------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: Any) -> str:
    """``text`` with control characters (terminal escape sequences, bidirectional overrides) shown as ``\\xNN``
    escapes, so an echoed key or value cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else
                        f"\\u{ord(m.group(0)):04x}", str(text))


# --- models --------------------------------------------------------------------------------------------------------


STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)

Count = Annotated[int, Field(ge=0, le=2**53)]
Minutes = Annotated[float, Field(ge=0, le=1e12)]
Share = Annotated[float, Field(ge=0, le=1)]
Short = Annotated[str, Field(max_length=10_000)]
Seed = Annotated[int, Field(ge=0, lt=2**63)]
Outcome = Literal["objective_met", "contained", "detected_not_contained", "undetected_no_objective"]
EndReason = Literal["objective_met", "evicted", "no_path_left", "horizon"]


class TimelineEventModel(BaseModel):
    """One attacker action (``simulator.result.TimelineEvent``)."""

    model_config = STRICT
    time: Minutes
    phase: Short
    technique: Short
    host: Short | None
    actor: Short
    success: bool
    detected: bool
    blocked: Short | None
    false_finding: bool


class LogEventModel(BaseModel):
    """``simulator.result.LogEvent``."""

    model_config = STRICT
    time: Minutes
    kind: Short
    detail: Annotated[str, Field(max_length=100_000)]
    host: Short | None = None


class _Outputs(BaseModel):
    """The scalar outputs of a run (``RunResult.row()``)."""

    scenario: Short
    automation: Short
    posture: Short
    seed: Seed
    replicate: Count
    outcome: Outcome
    end_reason: EndReason
    end_time: Minutes
    horizon: Minutes
    time_to_initial_access: Minutes | None
    initial_access_vector: Short | None = None
    breakout_time: Minutes | None
    breakout_move: Short | None = None
    time_to_objective: Minutes | None
    time_to_first_detection: Minutes | None
    time_to_first_warning: Minutes | None
    time_to_containment: Minutes | None
    dwell_time: Minutes | None
    hosts_compromised: Count
    credentials_harvested: Count
    records_exfiltrated: Count
    records_wasted: Count
    hosts_encrypted: Count = 0
    downtime_hours: Minutes = 0.0
    process_hours_disrupted: Minutes = 0.0
    objectives: Count = 1
    objectives_met: Count = 0
    objective_times: tuple[Minutes | None, ...] = Field((), max_length=4)
    actions_human: Count
    actions_ai: Count
    ai_share: Share | None
    human_decision_points: Count
    false_findings_acted: Count
    false_findings_caught: Count
    alerts_true: Count
    alerts_benign: Count
    alerts_dropped: Count
    analyst_utilisation: Annotated[float, Field(ge=0, le=1e6)] | None
    peak_requests_per_minute: Annotated[float, Field(ge=0, le=1e15)]
    operator_hours: Annotated[float, Field(ge=0, le=1e12)]
    first_detection_source: Short | None
    blocked_patched: Count
    blocked_mfa: Count
    blocked_tiering: Count
    blocked_reset: Count
    blocked_contained: Count
    blocked_egress: Count
    blocked_infrastructure: Count
    blocked_decoy: Count = 0
    soc_backlogs: Count
    hosts_isolated: Count
    clean_hosts_isolated: Count
    isolated_host_hours: Minutes
    clean_isolated_host_hours: Minutes
    egress_blocked_hours: Minutes
    credentials_reset: Count
    infrastructure_blocks: Count
    krbtgt_resets: Count = 0
    forged_logons: Count = 0
    reentries: Count
    quiet_hours: Minutes = 0.0


class RunModel(_Outputs):
    """A run result as `tabletop run --json` writes it (``RunResult.to_dict()``)."""

    model_config = STRICT
    owned_hosts: list[Short]
    known_hosts: list[Short]
    contained_hosts: list[Short]
    timeline: list[TimelineEventModel]
    log: list[LogEventModel]


Scalar = str | int | float | bool | None


class RowModel(_Outputs):
    """One row of a sweep's JSON Lines output: sweep, cell, replicate, seed, the cell's parameters (any other column,
    a scalar: lists and mappings are written as JSON text), then the outputs with host lists as counts."""

    model_config = ConfigDict(strict=True, extra="allow", allow_inf_nan=False, frozen=True)
    sweep: Annotated[str, Field(max_length=64)]
    cell: Annotated[int, Field(ge=0, lt=10_000_000)]
    owned_hosts: Count
    known_hosts: Count
    contained_hosts: Count

    @model_validator(mode="after")
    def _scalars(self) -> RowModel:
        for k, v in (self.model_extra or {}).items():
            if len(k) > 300:
                raise ValueError(f"column name longer than 300 characters: {clean(k[:40])}...")
            if isinstance(v, (dict, list)):
                raise ValueError(f"column {clean(k)!r}: a parameter value must be a scalar")
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"column {clean(k)!r}: not a finite number")
            if isinstance(v, str) and len(v) > 100_000:
                raise ValueError(f"column {clean(k)!r}: value longer than 100000 characters")
        return self


class EstimateModel(BaseModel):
    """``simulator.stats.Estimate``."""

    model_config = STRICT
    value: float | None
    low: float | None
    high: float | None
    n: Count


Label = list[tuple[Short, Scalar]]


class CellModel(BaseModel):
    """One cell of a comparison (``CellSummary.to_dict()``)."""

    model_config = STRICT
    label: Annotated[Label, Field(max_length=100)]
    runs: Annotated[int, Field(ge=1, le=10**9)]
    success: EstimateModel
    detected: EstimateModel
    contained: EstimateModel
    time_to_objective: EstimateModel
    time_to_detection: EstimateModel
    time_to_containment: EstimateModel
    dwell_time: EstimateModel
    breakout_time: EstimateModel
    hosts_compromised: float
    records_exfiltrated: float
    ai_share: float | None
    decision_points: float
    peak_requests_per_second: float
    blocked_share: dict[Short, float] = {}
    detection_sources: dict[Short, float] = {}
    alerts_dropped_share: float = 0.0
    soc_backlog_share: float = 0.0
    breached: EstimateModel | None = None
    undetected: EstimateModel | None = None
    response: dict[Short, float] = {}
    ended: dict[EndReason, Share] = {}
    hosts_encrypted: float = 0.0
    downtime_hours: float = 0.0
    process_hours_disrupted: float = 0.0
    objectives: tuple[EstimateModel, ...] = Field((), max_length=4)
    loss: dict[Short, float | Short] | None = None
    """The scenario's loss model per cell (``tabletop compare`` with a loss block): mean, low, high, p90, currency."""


class ComparisonModel(BaseModel):
    """`tabletop compare --format json`. ``scenario_file`` is shown, never opened."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)
    kind: Literal["comparison"]
    scenario: Short
    scenario_file: Short | None = None
    automation: Annotated[list[Short], Field(min_length=1, max_length=100)]
    posture: Annotated[list[Short], Field(min_length=1, max_length=100)]
    runs: Annotated[int, Field(ge=1, le=10**9)]
    seed: Seed
    cells: Annotated[list[CellModel], Field(min_length=1, max_length=100_000)]


class OrderModel(BaseModel):
    """A decision of the team, as a session stores it."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)
    step: Annotated[int, Field(ge=0, le=10**9)]
    injects_seen: Annotated[int, Field(ge=0, le=10**9)]
    kind: Short
    target: Short | None
    cancelled_step: Annotated[int, Field(ge=0, le=10**9)] | None = None
    time: Minutes | None = None
    due: Minutes | None = None
    cancelled_time: Minutes | None = None
    done_time: Minutes | None = None


class NoteModel(BaseModel):
    """A note taken during the exercise."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)
    step: Annotated[int, Field(ge=0, le=10**9)]
    text: Annotated[str, Field(max_length=100_000)]
    injects_seen: Annotated[int, Field(ge=0, le=10**9)] = 0
    time: Minutes | None = None


class ParticipantModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    name: Short = ""
    role: Short = ""


class SessionModel(BaseModel):
    """A saved facilitator session: its scenario travels as text (``scenario_file`` is a label, never opened)."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)
    kind: Literal["tabletop-session"]
    version: int
    scenario_text: Annotated[str, Field(max_length=CAPS["scenario"])]
    scenario_file: Annotated[str, Field(max_length=4096)]
    automation: Short
    posture: Short
    seed: Seed
    step: Annotated[int, Field(ge=0, le=10**9)]
    created: Short = ""
    participants: Annotated[list[ParticipantModel], Field(max_length=1000)] = []
    timers: dict[Short, Annotated[float, Field(ge=0, le=1e9)]] = {}
    orders: Annotated[list[OrderModel], Field(max_length=100_000)]
    notes: Annotated[list[NoteModel], Field(max_length=100_000)]
    branches: Annotated[list[dict[str, Any]], Field(max_length=10_000)] = []
    result: RunModel | None = None


def _kind_of(data: Any) -> str:
    if isinstance(data, dict):
        if data.get("kind") == "tabletop-session":
            return "session"
        if data.get("kind") == "comparison":
            return "comparison"
        if "kind" not in data and "timeline" in data:
            return "run"
    return "unknown"


def read_result(path: str | os.PathLike, allowed: Sequence[str]) -> tuple[str, Any, str]:
    """Read a JSON file that is one of ``allowed`` kinds (run, comparison, session) and validate it: returns (kind,
    plain data, text). A session is checked here and must still be replayed (``simulator.facilitator``)."""
    file = os.fspath(path)
    data, text = read_json(file, "json")
    kind = _kind_of(data)
    if kind not in allowed:
        names = {"run": "a run (tabletop run --json)", "comparison": "a comparison (tabletop compare --format json)",
                 "session": "a saved session"}
        raise fail(file, json_line(text, ("kind",)) if isinstance(data, dict) and "kind" in data else 1,
                   "kind" if isinstance(data, dict) and "kind" in data else "",
                   f"not {' or '.join(names[k] for k in allowed)}")
    if len(text.encode("utf-8")) > CAPS[kind]:
        raise fail(file, 1, "", f"file is larger than {_size(CAPS[kind])} (the limit for a {KIND_NAMES[kind]} file)")
    model = {"run": RunModel, "comparison": ComparisonModel, "session": SessionModel}[kind]
    validate(model, text, data, file)
    return kind, data, text


def check_session(path: str | os.PathLike) -> dict[str, Any]:
    """A session file read and validated (not yet replayed)."""
    try:
        return read_result(path, ("session",))[1]
    except ScenarioError as e:
        p = e.problems[0]
        if p.field or p.line == 0:
            raise
        raise fail(p.file, p.line, "", f"not a readable session file ({p.message})") from None


# --- JSON Lines -----------------------------------------------------------------------------------------------------


def iter_lines(path: str | os.PathLike, kind: str = "rows") -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a JSON Lines file, streamed; blank lines are skipped and a torn last line (no newline:
    a sweep killed while writing) is dropped, as ``--resume`` drops it."""
    file = os.fspath(path)
    with open_regular(file, kind) as fh:
        n = 0
        read = 0
        while True:
            try:
                line = fh.readline(LINE_CAP + 1)
            except OSError as e:
                raise fail(file, n + 1, "", f"cannot read: {e.strerror}") from None
            if not line:
                return
            n += 1
            read += len(line)
            if len(line) > LINE_CAP:
                raise fail(file, n, "", f"line longer than {_size(LINE_CAP)}: not a sweep's JSON Lines output")
            if read > CAPS[kind]:
                raise fail(file, n, "", f"file is larger than {_size(CAPS[kind])}")
            if not line.endswith(b"\n"):
                return
            if line.strip():
                yield n, line


def iter_rows(path: str | os.PathLike) -> Iterator[tuple[int, RowModel, bytes]]:
    """(line number, validated row, its line) of a sweep's JSON Lines output, streamed."""
    file = os.fspath(path)
    for n, line in iter_lines(file):
        try:
            row = RowModel.model_validate_json(line)
        except ValidationError as err:
            errs = err.errors(include_url=False)
            if errs and errs[0]["type"] in ("json_invalid", "model_type"):
                what = "not JSON" if errs[0]["type"] == "json_invalid" else "not a JSON object"
                raise fail(file, n, "", f"{what}: not a sweep's row") from None
            raise ScenarioError(problems_of(err, file, lambda p, n=n: n)) from None
        except RecursionError:
            raise fail(file, n, "", "JSON nested too deeply") from None
        yield n, row, line


SUMMARY_COLUMNS = (
    "time_to_initial_access", "breakout_time", "time_to_objective", "time_to_first_detection", "time_to_containment",
    "dwell_time", "horizon", "end_time", "hosts_compromised", "records_exfiltrated", "actions_ai", "actions_human",
    "human_decision_points", "peak_requests_per_minute", "alerts_dropped", "soc_backlogs", "blocked_patched",
    "blocked_mfa", "blocked_tiering", "blocked_reset", "blocked_contained", "blocked_egress", "blocked_infrastructure",
    "blocked_decoy", "hosts_isolated", "clean_hosts_isolated", "isolated_host_hours", "clean_isolated_host_hours",
    "egress_blocked_hours", "credentials_reset", "infrastructure_blocks", "hosts_encrypted", "downtime_hours",
    "process_hours_disrupted", "objectives", "objectives_met")
"""The numeric outputs a summary reads (``simulator.stats.summarize``)."""
TEXT_COLUMNS = ("outcome", "end_reason", "first_detection_source", "initial_access_vector", "breakout_move")


class RowStore(Sequence):
    """One group's rows kept compactly (a float array per numeric column a summary reads, None stored as NaN), read
    back as mappings: ``simulator.stats.summarize`` runs on it unchanged, in about 250 bytes a row instead of a
    parsed row's 5 KiB."""

    def __init__(self, label: Mapping[str, Any]) -> None:
        self.label = dict(label)
        self.num = {c: array("d") for c in SUMMARY_COLUMNS}
        self.ints = dict.fromkeys(SUMMARY_COLUMNS, True)
        self.text: dict[str, list[str | None]] = {c: [] for c in TEXT_COLUMNS}
        self.keys = {"seed": array("Q"), "replicate": array("Q")}
        """Each run's seed and replicate (what a loss model's common prices are keyed on)."""
        self.n = 0

    def add(self, row: RowModel) -> None:
        for c in SUMMARY_COLUMNS:
            v = getattr(row, c)
            if v is None:
                self.num[c].append(math.nan)
            else:
                if self.ints[c] and not isinstance(v, int):
                    self.ints[c] = False
                self.num[c].append(float(v))
        for c in TEXT_COLUMNS:
            v = getattr(row, c)
            self.text[c].append(None if v is None else _intern(v))
        self.keys["seed"].append(row.seed)
        self.keys["replicate"].append(row.replicate)
        self.n += 1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return _StoredRow(self, i % self.n)


_INTERNED: dict[str, str] = {}


def _intern(s: str) -> str:
    return _INTERNED.setdefault(s, s) if len(_INTERNED) < 10_000 else s


class _StoredRow(Mapping):
    __slots__ = ("i", "store")

    def __init__(self, store: RowStore, i: int) -> None:
        self.store = store
        self.i = i

    def __getitem__(self, key: str) -> Any:
        s = self.store
        if key in s.num:
            v = s.num[key][self.i]
            if v != v:
                return None
            return int(v) if s.ints[key] else v
        if key in s.text:
            return s.text[key][self.i]
        if key in s.keys:
            return s.keys[key][self.i]
        if key in s.label:
            return s.label[key]
        raise KeyError(key)

    def __iter__(self):
        return iter((*self.store.label, *SUMMARY_COLUMNS, *TEXT_COLUMNS, "seed", "replicate"))

    def __len__(self) -> int:
        return len(self.store.label) + len(SUMMARY_COLUMNS) + len(TEXT_COLUMNS) + 2


@dataclass
class Grouped:
    """A sweep's rows streamed into groups: what report and summarize need, in memory that grows with the number of
    runs by about 250 bytes each (not with the file)."""

    groups: dict[tuple, RowStore]
    columns: list[str]
    """The first row's columns, in order."""
    first: RowModel
    runs: int
    cells: set[tuple[str, str]]


def group_rows(path: str | os.PathLike, by: Sequence[str] | None) -> Grouped:
    """Stream a sweep's rows into groups by the ``by`` columns (None: the sweep's parameter columns, else automation
    and posture). Raises ScenarioError for a bad file, an empty one, or a ``by`` column the rows lack (field
    ``--by``)."""
    file = os.fspath(path)
    groups: dict[tuple, RowStore] = {}
    columns: list[str] = []
    first: RowModel | None = None
    keys: list[str] = []
    cells: set[tuple[str, str]] = set()
    runs = 0
    for n, row, line in iter_rows(file):
        data = row.model_extra or {}
        if first is None:
            first = row
            columns = list(json.loads(line))  # the columns in file order (the model keeps its own order)
            if by is None:
                params = columns[columns.index("seed") + 1:columns.index("scenario")] \
                    if "scenario" in columns and "seed" in columns else []
                keys = params or ["automation", "posture"]
            else:
                keys = list(by)
                missing = [c for c in keys if c not in columns]
                if missing:
                    raise fail("<command line>", 0, "--by", f"no column {', '.join(map(repr, missing))} in {file} "
                               f"(columns: {', '.join(columns)})")
        values = []
        for k in keys:
            if k in data:
                values.append(data[k])
            elif k in RowModel.model_fields:
                values.append(getattr(row, k))
            else:
                raise fail(file, n, k, "missing: every row must have the columns of the first")
        key = tuple(values)
        store = groups.get(key)
        if store is None:
            if len(groups) >= 100_000:
                raise fail(file, n, "", "more than 100000 groups")
            store = groups[key] = RowStore(dict(zip(keys, values, strict=True)))
        store.add(row)
        cells.add((row.automation, row.posture))
        runs += 1
    if first is None:
        raise fail(file, 1, "", "no rows")
    return Grouped(groups, columns, first, runs, cells)

