"""Loading scenario files: safe YAML only, every error as ``FILE:LINE: dotted.field: message``.

The only module that reads YAML. It composes the YAML node tree itself (so it knows the line of every key and item),
rejects what plain data does not need (tags, duplicate keys, too many nodes, too large files), resolves presets, and
validates into frozen models.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from defenses.posture import Posture
from simulator.attacker import AttackerProfile
from simulator.inputs import CAPS, Problem, ScenarioError, clean, read_text
from simulator.scenario import ReferenceProblems, Scenario

MAX_FILE_BYTES = CAPS["scenario"]
"""Largest scenario file read (simulator.inputs.CAPS: sweep and NASim files have the same cap)."""
MAX_NODES = 200_000
"""Most YAML nodes (after alias expansion) in one file: stops alias bombs."""
MAX_DEPTH = 64
"""Deepest nesting accepted."""

Path_ = tuple[Any, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (about ten times faster on large files), else the pure-Python one."""

_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
"""Scalar types a scenario may use: no timestamps, binaries or language-specific objects."""


@dataclass(frozen=True)
class Document:
    """Plain data read from a YAML file, with the line of every path."""

    file: str
    data: Any
    lines: dict[Path_, int]
    text: str = ""
    """The file's text (so a sweep can ship the scenario to workers that share no file system)."""

    def line(self, path: Path_) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _fail(file: str, line: int, field: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, field, message)])


def _precheck(text: str, file: str) -> None:
    """Count parser events before building anything, so a file with too many nodes or too deep a nesting is
    refused after reading at most MAX_NODES events (bounded time and memory). Aliases are counted later, when
    they are expanded."""
    depth = 0
    try:
        for i, event in enumerate(yaml.parse(text, Loader=_LOADER)):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _fail(file, event.start_mark.line + 1, "", f"nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if i > 2 * MAX_NODES:  # keys and values are both events: two per node at the most
                raise _fail(file, event.start_mark.line + 1, "", f"more than {MAX_NODES} YAML nodes")
    except yaml.MarkedYAMLError:
        return  # the composer reports syntax errors with their line below
    except yaml.YAMLError:
        return


def parse_yaml(text: str, file: str) -> Document:
    """Parse ``text`` into plain data (dicts, lists, scalars) with line numbers."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise _fail(file, 1, "", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    _precheck(text, file)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise _fail(file, line, "", f"YAML syntax: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise _fail(file, 1, "", f"YAML: {e}") from None
    finally:
        loader.dispose()
    if node is None:
        raise _fail(file, 1, "", "file is empty")
    lines: dict[Path_, int] = {}
    count = [0]

    def build(n: yaml.Node, path: Path_, depth: int) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise _fail(file, n.start_mark.line + 1, _dotted(path), f"more than {MAX_NODES} YAML nodes (alias bomb?)")
        if depth > MAX_DEPTH:
            raise _fail(file, n.start_mark.line + 1, _dotted(path), f"nested deeper than {MAX_DEPTH} levels")
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            if n.tag not in ("tag:yaml.org,2002:map",):
                raise _fail(file, n.start_mark.line + 1, _dotted(path), f"tag {n.tag} is not allowed")
            out: dict[str, Any] = {}
            for k, v in n.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise _fail(file, k.start_mark.line + 1, _dotted(path), "a key must be a plain value")
                if k.tag == "tag:yaml.org,2002:merge":
                    raise _fail(file, k.start_mark.line + 1, _dotted(path), "merge keys (<<) are not supported")
                key = loader.construct_scalar(k)
                if key in out:
                    raise _fail(file, k.start_mark.line + 1, _dotted(path + (key,)), "duplicate key")
                lines[path + (key,)] = k.start_mark.line + 1
                out[key] = build(v, path + (key,), depth + 1)
            return out
        if isinstance(n, yaml.SequenceNode):
            if n.tag != "tag:yaml.org,2002:seq":
                raise _fail(file, n.start_mark.line + 1, _dotted(path), f"tag {n.tag} is not allowed")
            return [build(v, path + (i,), depth + 1) for i, v in enumerate(n.value)]
        if n.tag not in _PLAIN_TAGS:
            raise _fail(file, n.start_mark.line + 1, _dotted(path), f"tag {n.tag} is not allowed")
        try:
            return loader.construct_object(n, deep=True)
        except yaml.YAMLError as e:
            raise _fail(file, n.start_mark.line + 1, _dotted(path), f"bad value: {e}") from None

    return Document(file, build(node, (), 0), lines, text)


def _dotted(path: Path_) -> str:
    return clean(".".join(str(p) for p in path))


def read_document(path: str | Path, kind: str = "scenario") -> Document:
    """Read and parse a YAML file of ``kind`` (scenario, sweep or nasim) through the input layer: a regular file
    within the cap, UTF-8; I/O and decoding errors become a ScenarioError."""
    file = str(path)
    try:
        text = read_text(file, kind)
    except ScenarioError as e:
        p = e.problems[0]
        if p.message == "no such file" and kind == "scenario":
            raise _fail(file, 0, "", "no such file (and no bundled scenario of that name: see 'tabletop list')"
                        ) from None
        raise
    return parse_yaml(text, file)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    """Drop the tag pydantic inserts after a tagged union (``segmentation.zones.x`` -> ``segmentation.x``)."""
    out: list[Any] = []
    for i, x in enumerate(loc):
        if i > 0 and loc[i - 1] == "segmentation" and x in ("flat", "zones"):
            continue
        out.append(x)
    return tuple(out)


def _after_comma(doc: Document, path: Path_, key: str) -> bool:
    """Whether ``key``, a key with no value, follows a comma on its line of the file inside a {...} (opened on that
    line or up to ten lines before): a value's tail that an unquoted comma cut off, as in '{description: drivers,
    schedule}'."""
    lines = doc.text.splitlines()
    n = doc.line(path)
    if not 0 < n <= len(lines):
        return " " in key.strip()  # (no text to read: a key with a space is a fragment of a value)
    line = lines[n - 1]
    m = re.search(r",\s*" + re.escape(key) + r"\s*[,}]", line)
    if m is None:
        return False
    before = "\n".join(lines[max(0, n - 11):n - 1] + [line[:m.start()]])  # (a {...} may run over several lines)
    return before.count("{") > before.count("}")


def _yaml_words(msg: str) -> str:
    """pydantic's words for a YAML writer: a sequence is a list there (the models keep tuples)."""
    return msg.replace("a valid tuple", "a valid list").replace("Tuple should", "List should")


def _pydantic_problems(doc: Document, err: ValidationError, prefix: Path_ = ()) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        path = prefix + _clean_loc(e["loc"])
        msg = _yaml_words(e["msg"])
        if e["type"] == "extra_forbidden":
            msg = "unknown field"
            key = path[-1] if path else None
            if isinstance(key, str) and e.get("input") is None and _after_comma(doc, path, key):
                # YAML read 'description: drivers, delivery schedule' inside {...} as two entries: the comma ended
                # the value, and the rest became a key with no value (one word or several)
                msg += (" (inside {...} an unquoted comma ends a value, and what follows it becomes a key of its "
                        "own: quote the value, e.g. description: \"a, b\")")
        elif e["type"] == "missing":
            msg = "field required"
        out.append(Problem(doc.file, doc.line(path), _dotted(path), clean(msg)))
    return out


# --- presets ---------------------------------------------------------------------------------------------------


@cache
def _preset_document(kind: str) -> Document:
    ref = resources.files("scenarios") / "presets" / f"{kind}.yaml"
    return parse_yaml(ref.read_text(encoding="utf-8"), f"scenarios/presets/{kind}.yaml")


def preset_names(kind: str) -> list[str]:
    """Names of the presets of ``kind`` ('automation' or 'posture'), in file order."""
    return list(_preset_document(kind).data)


def preset_data(kind: str, name: str) -> dict[str, Any]:
    """A copy of preset ``name``'s raw fields (KeyError if unknown)."""
    return copy.deepcopy(_preset_document(kind).data[name])


def preset_descriptions(kind: str) -> dict[str, str]:
    """Name -> one-line description of each preset of ``kind``."""
    return {k: str(v.get("description", "")) for k, v in _preset_document(kind).data.items()}


def deep_merge(base: Any, over: Any) -> Any:
    """``over`` laid onto ``base``: mappings merge key by key; a mapping whose 'mode' differs replaces the base."""
    if isinstance(base, dict) and isinstance(over, dict):
        if "mode" in over and base.get("mode") != over["mode"]:
            return copy.deepcopy(over)
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


_MODELS = {"automation": AttackerProfile, "posture": Posture}

_MOVED = {
    ("segmentation", "admin_zones"): "no longer a posture field: mark the admin-tier zones in the scenario instead "
                                     "(zones: - {id: ..., admin_tier: true})",
}
"""Posture fields that moved elsewhere: a file that still sets one is told where it went."""


_AT_LEAST_A_MINUTE = {"retry_days": 1440, "cleanup_hours": 60}
"""Times in another unit that must be at least one minute (a shorter wait loops without the run moving on)."""


def _message(kind: str, e: Any, loc: Path_) -> str:
    if e["type"] == "extra_forbidden":
        return _MOVED.get(loc, "unknown field") if kind == "posture" else "unknown field"
    if e["type"] == "greater_than_equal" and loc and loc[-1] in _AT_LEAST_A_MINUTE:
        return f"{e.get('input')!r} is under a minute: at least one minute ({1 / _AT_LEAST_A_MINUTE[loc[-1]]:.6g})"
    if e["type"] == "value_error":
        return str(e["msg"]).removeprefix("Value error, ")
    return _yaml_words(e["msg"])


def resolve_preset(kind: str, name: str, overrides: dict[str, Any] | None = None, *, doc: Document | None = None,
                   where: Path_ = ()) -> Any:
    """The validated model for preset ``name`` of ``kind`` with ``overrides``; errors name the overriding line."""
    pdoc = _preset_document(kind)
    if name not in pdoc.data:
        known = ", ".join(pdoc.data)
        file = doc.file if doc else "<command line>"
        line = doc.line(where[:-1] + ("preset",)) if doc else 0
        raise _fail(file, line, _dotted(where[:-1] + ("preset",)), f"unknown {kind} preset '{name}' (known: {known})")
    data = deep_merge(pdoc.data[name], overrides or {})
    data = {"preset": name, **data}
    try:
        return _MODELS[kind].model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            loc = _clean_loc(e["loc"])
            msg = _message(kind, e, loc)
            if doc is not None and _has_path(overrides or {}, loc):
                path = where + loc
                problems.append(Problem(doc.file, doc.line(path), _dotted(path), msg))
            else:
                path = (name,) + loc
                problems.append(Problem(pdoc.file, pdoc.line(path), _dotted(path), msg))
        raise ScenarioError(problems) from None


def _has_path(data: Any, path: Path_) -> bool:
    for i, key in enumerate(path):
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return i > 0 and not isinstance(data, (dict, list))
    return True


# --- scenarios -------------------------------------------------------------------------------------------------


def bundled_names() -> list[str]:
    """Names of the scenarios shipped in the package."""
    root = resources.files("scenarios")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def bundled_path(name: str) -> Path | None:
    """Path of bundled scenario ``name``, or None."""
    ref = resources.files("scenarios") / f"{name}.yaml"
    return Path(str(ref)) if ref.is_file() else None


def load_bundled(name: str) -> Loaded:
    """A bundled scenario by name only. A name read from a file (a result's ``scenario``) goes here, never to a path:
    files name no other files the tool reads."""
    if not isinstance(name, str) or name not in bundled_names():
        raise _fail("<input>", 0, "scenario", "not a bundled scenario's name, and a file named inside another file is "
                    "never opened")
    return load(name)


def locate(name_or_path: str) -> Path:
    """A bundled scenario by name, else the path as given."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists() or "/" in name_or_path:
        return p
    bundled = bundled_path(name_or_path)
    return bundled if bundled is not None else p


@dataclass(frozen=True)
class Loaded:
    """A validated scenario with its default profile and posture resolved."""

    scenario: Scenario
    attacker: AttackerProfile
    posture: Posture
    document: Document

    def with_presets(self, automation: str | None = None, posture: str | None = None) -> Loaded:
        """The same scenario with other presets; the file's overrides still apply on top of them."""
        s = self.scenario
        att = self.attacker if automation is None else resolve_preset(
            "automation", automation, s.attacker.overrides, doc=self.document, where=("attacker", "overrides"))
        pos = self.posture if posture is None else resolve_preset(
            "posture", posture, s.posture.overrides, doc=self.document, where=("posture", "overrides"))
        _check_posture_zones(self.document, s, pos)
        return Loaded(s, att, pos, self.document)


def _check_posture_zones(doc: Document, s: Scenario, posture: Posture) -> None:
    """Posture fields that name things of the scenario: zones, and services MFA protects (which must take logons)."""
    zones = {z.id for z in s.zones}
    problems = []
    for z in posture.monitoring.edr_by_zone:
        if z not in zones:
            path = ("posture", "overrides", "monitoring", "edr_by_zone", z)
            problems.append(Problem(doc.file, doc.line(path), _dotted(path), f"unknown zone '{z}'"))
    access = s.posture.overrides.get("access_control")
    mfa = access.get("mfa_services") if isinstance(access, dict) else None
    for j, svc in enumerate(mfa if isinstance(mfa, list) else []):
        if svc not in s.services.logon:
            path = ("posture", "overrides", "access_control", "mfa_services", j)
            problems.append(Problem(doc.file, doc.line(path), _dotted(path),
                                    f"'{svc}' accepts no logon in this scenario: add it to services.logon"))
    if problems:
        raise ScenarioError(problems)


def _other_preset_problems(doc: Document, kind: str, own: str, overrides: dict[str, Any], where: Path_,
                           own_mode: str) -> list[Problem]:
    """The file's overrides laid on every other preset of ``kind``. Compare, fundamentals, sensitivity and sweeps run a
    scenario with every preset, the file's overrides on top; a preset that rejects them is a problem of the file,
    named at the override's line here rather than as a crash in the middle of a comparison."""
    if not overrides:
        return []
    found: dict[tuple[Path_, str], list[str]] = {}
    pdoc = _preset_document(kind)
    for name in pdoc.data:
        if name == own:
            continue
        try:
            _MODELS[kind].model_validate({"preset": name, **deep_merge(pdoc.data[name], overrides)})
        except ValidationError as err:
            for e in err.errors(include_url=False):
                loc = _clean_loc(e["loc"])
                found.setdefault((loc, _message(kind, e, loc)), []).append(name)
    out = []
    for (loc, msg), names in found.items():
        path = where + loc
        text = f"{msg} with {kind} preset{'s' if len(names) > 1 else ''} {', '.join(repr(n) for n in names)}"
        seg = overrides.get("segmentation")
        if kind == "posture" and loc[:1] == ("segmentation",) and isinstance(seg, dict) and "mode" not in seg:
            modes = sorted({str(pdoc.data[n].get("segmentation", {}).get("mode")) for n in names})
            text += (f" (segmentation mode: {', '.join(modes)}), which compare and fundamentals also run: add "
                     f"'mode: {own_mode}' to this override to apply it with every preset (it then replaces their "
                     "segmentation)")
        else:
            text += ", which compare and fundamentals also run"
        out.append(Problem(doc.file, doc.line(path), _dotted(path), text))
    return out


def _ids_in(data: Any) -> set[str]:
    """Every string ``id`` inside ``data`` (a pruned host's id, its data assets' ids)."""
    out: set[str] = set()
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            out.add(data["id"])
        for v in data.values():
            out |= _ids_in(v)
    elif isinstance(data, list):
        for v in data:
            out |= _ids_in(v)
    return out


def _references_beside(doc: Document, err: ValidationError, rounds: int = 6) -> list[Problem]:
    """The cross-reference errors that do not depend on the parts that failed the schema, so ``validate`` reports
    both in one pass: each failing part is pruned (the list item it sits in, else its key), the rest validated again,
    and the reference problems of what is left reported at their lines in the file, except those that name an id
    of a pruned part (an account's logon to a host whose own entry is broken is not an unknown host). Nothing when
    what is left still fails the schema on a part that cannot be pruned."""
    data = copy.deepcopy(doc.data)
    removed: dict[Path_, set[int]] = {}
    """A list's path (it holds no index: the first list on an error's path is the one pruned) -> the indices, in
    the file, of its items pruned."""
    gone: set[str] = set()

    def in_file(prefix: Path_, i: int) -> int:
        drop = removed.get(prefix, set())
        j = -1
        for _ in range(i + 1):
            j += 1
            while j in drop:
                j += 1
        return j

    def original(path: Path_) -> Path_:
        for prefix in removed:
            n = len(prefix)
            if tuple(path[:n]) == prefix and len(path) > n and isinstance(path[n], int):
                return (*prefix, in_file(prefix, path[n]), *path[n + 1:])
        return tuple(path)

    errors = err.errors(include_url=False)
    for _ in range(rounds):
        targets = set()
        for e in errors:
            loc = _clean_loc(e["loc"])
            at = next((k for k, x in enumerate(loc) if isinstance(x, int)), None)
            targets.add(loc[:at + 1] if at is not None else loc)
        if () in targets:
            return []
        for target in sorted(targets, key=lambda t: [str(x).zfill(9) for x in t], reverse=True):
            parent: Any = data  # later list items first, so an earlier index still points at its item
            for x in target[:-1]:
                parent = parent[x] if _has(parent, x) else None
            key = target[-1]
            if parent is None or not _has(parent, key):
                return []
            gone |= _ids_in(parent[key])
            if isinstance(parent, list):
                removed.setdefault(tuple(target[:-1]), set()).add(in_file(tuple(target[:-1]), key))
            elif isinstance(parent[key], str):
                gone.add(parent[key])  # an id that failed the schema: references to it are not reported
            del parent[key]
        try:
            Scenario.model_validate(data)
        except ValidationError as again:
            errors = again.errors(include_url=False)
            continue
        except ReferenceProblems as rp:
            named = re.compile("|".join(rf"'{re.escape(i)}[^']*'" for i in sorted(gone))) if gone else None
            return [Problem(doc.file, doc.line(original(p)), _dotted(original(p)), m) for p, m in rp.problems
                    if named is None or not named.search(m)]
        return []
    return []


def _has(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container)


def load_document(doc: Document) -> Loaded:
    """Validate a parsed document into a scenario and resolve its presets."""
    if not isinstance(doc.data, dict):
        raise _fail(doc.file, 1, "", "a scenario file must be a mapping of fields")
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as err:
        problems = _pydantic_problems(doc, err)
        problems += _references_beside(doc, err)
        raise ScenarioError(sorted(problems, key=lambda p: p.line)) from None
    except ReferenceProblems as rp:
        raise ScenarioError([Problem(doc.file, doc.line(p), _dotted(p), m) for p, m in rp.problems]) from None
    errors: list[Problem] = []
    resolved: dict[str, Any] = {}
    for kind, key in (("automation", "attacker"), ("posture", "posture")):
        ref = getattr(scenario, key)
        try:
            resolved[key] = resolve_preset(kind, ref.preset, ref.overrides, doc=doc, where=(key, "overrides"))
        except ScenarioError as e:
            errors += e.problems
    if errors:
        raise ScenarioError(errors)
    modes = {"attacker": "", "posture": resolved["posture"].segmentation.mode}
    for kind, key in (("automation", "attacker"), ("posture", "posture")):
        ref = getattr(scenario, key)
        errors += _other_preset_problems(doc, kind, ref.preset, ref.overrides, (key, "overrides"), modes[key])
    if errors:
        raise ScenarioError(errors)
    _check_posture_zones(doc, scenario, resolved["posture"])
    return Loaded(scenario, resolved["attacker"], resolved["posture"], doc)


def load(name_or_path: str | Path) -> Loaded:
    """Load a bundled scenario by name or a scenario file by path."""
    return load_document(read_document(locate(str(name_or_path))))
