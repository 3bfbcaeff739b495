"""The fundamentals analysis: which change moves the outcome most?

From a base posture, each control is upgraded alone to its setting in the upgrade preset (``hardened``), against a
reference attacker, and so is the SOC's own automation dial (``ai-triage``, ``ai-response``); separately, against
the base posture, the attacker moves from one level (``manual``) to every other level (``ai-assisted``,
``ai-orchestrated``, ``autonomous``), so the automation effect is shown at its largest, not only at the level the
controls are measured against. Every change is a paired difference on common seeds, then
ranked. The closing sentence is computed from the numbers: nothing in it is written in advance.

The two readings (DESIGN.md section 10): with ``reading="vendor"`` or ``"skeptic"`` every AI-driven level that has a
``LEVEL-vendor`` / ``LEVEL-skeptic`` preset is replaced by it, in the automation jumps and as the reference attacker.
``readings`` runs both on one set of cells and says in one sentence whether the ranking's first control and the
verdict hold under both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from defenses.posture import CONTROL_NAMES
from simulator.loader import Loaded, preset_data, preset_names
from simulator.stats import PairedDifference, paired_difference
from simulator.sweep import Params

SOC_AUTOMATION = ("ai-triage", "ai-response")
"""The SOC automation settings set against the fundamentals (the base posture's SOC with its automation dial turned;
"does an AI SOC beat patching?")."""

READINGS = ("vendor", "skeptic")
"""The two readings of the contested GTG-1002 account, as preset name suffixes."""


@dataclass(frozen=True)
class Change:
    """One change and its paired effects (changed minus base)."""

    name: str
    kind: str
    """'control' or 'automation'."""
    base: int
    """Index of the base cell."""
    changed: int
    """Index of the changed cell."""
    success: PairedDifference
    """Attacker success (share of runs, -1..1)."""
    detection: PairedDifference
    """Minutes from initial access to detection (an undetected intrusion counted to the horizon), over the replicates
    where the attacker got in in both cells: a change that keeps the attacker out does not read as slower detection.
    ``n`` is 0 when no replicate got in in both."""
    data_lost: PairedDifference
    """Records of the objective exfiltrated."""
    diffs: tuple[float, ...] = ()
    """The paired differences behind ``success``, per replicate in replicate order (changed minus base: -1, 0 or 1):
    two changes measured on the same seeds are set against each other with these (``within_noise``)."""
    data_diffs: tuple[float, ...] = ()
    """The same for ``data_lost`` (records, changed minus base): two controls' savings set against each other on the
    same seeds (``_data_note``)."""


@dataclass(frozen=True)
class Plan:
    """The cells of a fundamentals analysis and which pairs make each change."""

    cells: tuple[Params, ...]
    changes: tuple[tuple[str, str, int, int], ...]
    """(name, kind, base cell, changed cell)."""


def levels() -> list[str]:
    """The automation levels, in file order, without their reading variants."""
    names = preset_names("automation")
    return [n for n in names if not any(n == f"{b}-{r}" for b in names for r in READINGS)]


def variant(level: str, reading: str | None) -> str:
    """``level`` under ``reading``: its ``LEVEL-reading`` preset where one exists, else the level itself. A level
    named with the other reading's suffix is taken as its plain level first."""
    if reading is None:
        return level
    if reading not in READINGS:
        raise ValueError(f"unknown reading '{reading}' (known: {', '.join(READINGS)})")
    name = f"{_plain(level)}-{reading}"
    return name if name in preset_names("automation") else level


def plan(loaded: Loaded, base: str = "baseline", attacker: str = "ai-orchestrated", upgrade: str = "hardened",
         low: str = "manual", reading: str | None = None, cells: list[Params] | None = None) -> Plan:
    """The cells to run: the base, one per control upgrade, and ``low`` and every other level (deduplicated). With
    ``reading``, AI-driven levels are that reading's variants. Pass ``cells`` to share one cell list between plans."""
    hardened = preset_data("posture", upgrade)
    cells = [] if cells is None else cells
    changes: list[tuple[str, str, int, int]] = []

    def cell(params: Params) -> int:
        if params not in cells:
            cells.append(params)
        return cells.index(params)

    ref_attacker = variant(attacker, reading)
    ref = cell((("automation", ref_attacker), ("posture", base)))
    for control in CONTROL_NAMES:
        changed = cell((("automation", ref_attacker), ("posture", base), (f"posture.{control}", hardened[control])))
        changes.append((f"{control} -> {upgrade}", "control", ref, changed))
    for mode in SOC_AUTOMATION:  # the defender's own automation dial, beside the fundamentals
        changed = cell((("automation", ref_attacker), ("posture", base), ("posture.soc.automation", mode)))
        changes.append((f"soc automation: {mode}", "control", ref, changed))
    start = variant(low, reading)
    a = cell((("automation", start), ("posture", base)))
    for level in levels():
        high = variant(level, reading)
        if high != start:
            b = cell((("automation", high), ("posture", base)))
            changes.append((f"attacker {start} -> {high}", "automation", a, b))
    return Plan(tuple(cells), tuple(changes))


def plan_readings(loaded: Loaded, base: str = "baseline", attacker: str = "ai-orchestrated",
                  upgrade: str = "hardened", low: str = "manual") -> dict[str, Plan]:
    """One plan per reading over one shared cell list (cells both readings need, such as manual's, run once)."""
    cells: list[Params] = []
    plans = {r: plan(loaded, base, attacker, upgrade, low, r, cells) for r in READINGS}
    return {r: Plan(tuple(cells), p.changes) for r, p in plans.items()}


def analyse(p: Plan, rows_by_cell: Mapping[int, Sequence[Mapping[str, Any]]], horizon: float) -> list[Change]:
    """Paired differences for every change, ranked: the largest cut in attacker success first."""
    def series(cell: int, name: str) -> list[float]:
        rows = sorted(rows_by_cell[cell], key=lambda r: r["replicate"])
        if name == "success":
            return [1.0 if r["outcome"] == "objective_met" else 0.0 for r in rows]
        if name == "detection":  # None where the attacker never got in
            return [None if r.get("time_to_initial_access") is None else
                    (horizon if r.get("time_to_first_detection") is None else r["time_to_first_detection"])
                    - r["time_to_initial_access"] for r in rows]
        return [float(r["records_exfiltrated"]) for r in rows]

    def breached_pairs(a: int, b: int) -> PairedDifference:
        pairs = [(x, y) for x, y in zip(series(a, "detection"), series(b, "detection"), strict=True)
                 if x is not None and y is not None]
        if not pairs:
            return PairedDifference(0.0, 0.0, 0.0, 0)
        return paired_difference([x for x, _ in pairs], [y for _, y in pairs])

    out = []
    for name, kind, a, b in p.changes:
        base, changed = series(a, "success"), series(b, "success")
        data_a, data_b = series(a, "data"), series(b, "data")
        out.append(Change(name, kind, a, b, paired_difference(base, changed), breached_pairs(a, b),
                          paired_difference(data_a, data_b),
                          tuple(y - x for x, y in zip(base, changed, strict=True)),
                          tuple(y - x for x, y in zip(data_a, data_b, strict=True))))
    return rank(out)


def rank(changes: Sequence[Change]) -> list[Change]:
    """Controls by how much they cut attacker success, then by how much sooner they detect; the automation changes
    are ranked by the size of their effect among them."""
    return sorted(changes, key=lambda c: (-abs(c.success.mean), c.detection.mean, c.name))


def _pts(d: PairedDifference) -> str:
    """Points as the table prints them (the same scaling, rounding and decimals: a mean of -0.545 reads -54 in both,
    +0.5 [+0.1, +1.0] keeps its decimal)."""
    from simulator.tables import estimate

    value, _, interval = estimate(d.mean, d.low, d.high, scale=0.01, signed=True).partition(" ")
    return f"{value} points {interval}"


def _levels(c: Change) -> str:
    return c.name.removeprefix("attacker ").replace(" -> ", " to ")


def _control(c: Change) -> str:
    return c.name.split(" -> ")[0]


def _action(c: Change) -> str:
    """What the change does, as a phrase: 'upgrading patching to hardened', 'turning the SOC's automation to
    ai-response'."""
    if c.name.startswith("soc automation: "):
        return f"turning the SOC's automation to {c.name.removeprefix('soc automation: ')}"
    return "upgrading " + c.name.replace(" -> ", " to ")


def _actions(changes: Sequence[Change]) -> str:
    """Tied changes as one phrase: 'upgrading access_control or segmentation to hardened', then the SOC's dial
    ('... or turning the SOC's automation to ai-response')."""
    upgrades = [c for c in changes if " -> " in c.name]
    parts = []
    if upgrades:
        names = ", ".join(_control(c) for c in upgrades[:-1])
        names = f"{names} or {_control(upgrades[-1])}" if names else _control(upgrades[-1])
        parts.append(f"upgrading {names} to {upgrades[0].name.split(' -> ')[1]}")
    parts += [_action(c) for c in changes if " -> " not in c.name]
    return " or ".join(parts)


def within_noise(top: Change, other: Change) -> bool:
    """Whether the size of ``other``'s effect on attacker success is within sampling noise of ``top``'s: on the same
    seeds, the per-replicate difference of the two effects' sizes (each paired difference taken in the direction of
    its own mean) has an interval that holds 0. Two controls share their base cell, so this sets their changed cells
    against each other; a control against an automation change compares how much each moved the outcome. Without the
    per-replicate differences, equal sizes only."""
    if top.diffs and len(top.diffs) == len(other.diffs):
        st = 1.0 if top.success.mean >= 0 else -1.0
        so = 1.0 if other.success.mean >= 0 else -1.0
        d = paired_difference([so * y for y in other.diffs], [st * x for x in top.diffs])
        return d.low <= 0.0 <= d.high
    return abs(top.success.mean) == abs(other.success.mean)


def _effects(changes: Sequence[Change]) -> str:
    return ", ".join(f"{_control(c)} {_pts(c.success)}" for c in changes)


def largest_automation(changes: Sequence[Change]) -> Change | None:
    """The automation change with the largest effect on attacker success (either sign), or None."""
    autos = rank([c for c in changes if c.kind == "automation"])
    return autos[0] if autos else None


def _noisy(changes: Sequence[Change]) -> bool:
    return all(c.success.low <= 0 <= c.success.high for c in changes)


def winner(changes: Sequence[Change]) -> Change | None:
    """The change the verdict names: the ranking's first, or None when no change is beyond sampling noise."""
    if not changes or _noisy(changes):
        return None
    return rank(changes)[0]


def verdict(changes: Sequence[Change], runs: int) -> str:
    """One sentence, computed from the numbers, on which change mattered most (the first of the ranking, any
    control tied with it, and any control within sampling noise of it on the same seeds), set against the LARGEST
    automation effect, which it names."""
    if not changes:
        return "No change was measured."
    ranked = rank(changes)
    top = ranked[0]
    auto = largest_automation(ranked)
    controls = [c for c in ranked if c.kind == "control"]
    if _noisy(changes):
        return f"No single change moved attacker success beyond sampling noise at {runs} runs per cell."
    if top.kind == "automation":
        best = controls[0] if controls else None
        close = [c for c in controls[1:] if best is not None and within_noise(best, c)]
        if close:
            tail = (" (the largest control effects, within sampling noise of each other on the same seeds: "
                    f"{_effects([best, *close])})")
        else:
            tail = f" (the largest control effect, {best.name}: {_pts(best.success)})" if best else ""
        return (f"Moving the attacker from {_levels(top)} changed attacker success by "
                f"{_pts(top.success)}, {_than(top, best)} upgrading any single control{tail}." + _data_note(controls)
                + _dial_note([best, *close, *_data_named(controls)] if best is not None else []))
    tied = [c for c in controls if abs(c.success.mean) == abs(top.success.mean)]
    if len(tied) > 1:
        effects = ", ".join(f"{_pts(c.success)} ({_control(c)})" for c in tied)
        text = f"{_actions(tied)} mattered most, tied: attacker success {effects}"
        text = text[0].upper() + text[1:]
    else:
        text = f"{_action(top)[0].upper()}{_action(top)[1:]} mattered most: attacker success {_pts(top.success)}"
    near = [c for c in controls if c not in tied and within_noise(top, c)]
    if near:
        text += (f" ({_effects(near)} {'is' if len(near) == 1 else 'are'} within sampling noise of it, paired on "
                 "the same seeds)")
    if auto is not None:
        text += (f", against {_pts(auto.success)} for moving the attacker from {_levels(auto)}, the largest "
                 "automation effect" + (", within sampling noise of it" if within_noise(top, auto) else ""))
    return text + "." + _data_note(controls) + _dial_note([*tied, *near, *_data_named(controls)])


DIAL_NOTE = (" The SOC's automatic response rests on assumed figures (no measurement is published): it isolates the "
             "hosts a high-confidence alert shows minutes after it (soc.auto_isolate_minutes), a production server "
             "or the data store itself included, for hours (soc.auto_isolate_hours); read it as what such a "
             "response would do, not as what one does.")


def _data_named(controls: Sequence[Change]) -> list[Change]:
    """The controls the records-lost sentence credits, if it has one."""
    picked = _data_pick(controls)
    return picked[1] if picked else []


def _dial_note(lead: Sequence[Change]) -> str:
    """A caveat where the verdict's leading controls include the SOC's automatic response (an unseen-scenario
    helper's cloud company: 'turning the SOC's automation to ai-response mattered most', -84 points, from isolating
    the data warehouse five minutes after a large-transfer alert, with no word that every timing there is assumed)."""
    return DIAL_NOTE if any(c.name == "soc automation: ai-response" for c in lead) else ""


def _records(d: PairedDifference) -> str:
    """'-190k records [-210k, -170k]': the table's rounding, the unit on every number; whole records below a
    thousand."""
    from simulator.tables import count_unit, estimate

    unit, scale = count_unit([d.mean, d.low, d.high])
    if not unit:
        return f"{d.mean:+,.0f} records [{d.low:+,.0f}, {d.high:+,.0f}]"
    value, _, interval = estimate(d.mean, d.low, d.high, scale=scale, signed=True).partition(" ")
    low, _, high = interval.strip("[]").partition(", ")
    return f"{value}{unit} records [{low}{unit}, {high}{unit}]"


def _data_note(controls: Sequence[Change]) -> str:
    """A second sentence where records lost rank the controls otherwise: the control that saved the most records is
    not the one that cut attacker success the most, and saved more beyond doubt (it lowers records lost, and on the
    same seeds the per-replicate difference of the two savings has an interval wholly below zero, a record or more).
    Success is the objective met; a control that stops a theft part-way (an isolation after a large-transfer alert)
    cuts success more than records lost (an unseen-scenario helper's law firm: the SOC's automatic response first by
    success, -84 points, while patching kept twice as many records in). Without the per-replicate differences, the
    two intervals must not overlap (a conservative test)."""
    picked = _data_pick(controls)
    if picked is None:
        return ""
    first, most = picked
    name = (f"the SOC's automation at {first.name.removeprefix('soc automation: ')}"
            if first.name.startswith("soc automation: ") else _control(first))
    each = " each, tied" if len(most) > 1 else ""
    return (f" By records lost the order differs: {_actions(most)} kept the most in ({_records(most[0].data_lost)} a "
            f"run{each}), against {_records(first.data_lost)} for {name}.")


def _data_pick(controls: Sequence[Change]) -> tuple[Change, list[Change]] | None:
    """(the first control, the controls that saved the most records, tied) where ``_data_note`` has a sentence."""
    if not controls:
        return None
    first = controls[0]
    most = min(controls, key=lambda c: c.data_lost.mean)
    if most is first or most.data_lost.mean >= 0:
        return None
    if most.data_diffs and len(most.data_diffs) == len(first.data_diffs):
        if not paired_difference(first.data_diffs, most.data_diffs).high <= -1:
            return None
    elif not most.data_lost.high <= first.data_lost.low - 1:
        return None
    return first, [c for c in controls if c is not first and c.data_lost.mean == most.data_lost.mean]


def _than(auto: Change, best: Change | None) -> str:
    """'more than', or 'as much as' where the largest control effect is as large or within sampling noise of it (the
    ranking puts the automation change first on a tie)."""
    return "as much as" if best is not None and within_noise(auto, best) else "more than"


def _plain(level: str) -> str:
    for r in READINGS:
        level = level.removesuffix(f"-{r}")
    return level


def _jump(c: Change) -> str:
    """An automation change's levels without their reading suffixes ('manual to autonomous')."""
    low, high = c.name.removeprefix("attacker ").split(" -> ")
    return f"{_plain(low)} to {_plain(high)}"


def _even(changes: Sequence[Change]) -> tuple[Change, Change] | None:
    """(the first control, the largest automation change) when the verdict's first change is one of them and the
    other is within sampling noise of it: the verdict is then that they matter about as much."""
    w = winner(changes)
    best = next((c for c in rank(changes) if c.kind == "control"), None)
    auto = largest_automation(changes)
    if w is None or best is None or auto is None or w not in (best, auto):
        return None
    return (best, auto) if within_noise(w, auto if w is best else best) else None


def _keys(changes: Sequence[Change]) -> set[tuple[str, str]]:
    """What a verdict concludes, comparable across readings: {(kind, change)} of its winner, or {} for noise. Where
    the first control and the largest automation effect are within sampling noise of each other the verdict is
    ("even", control), which also agrees with either one coming first ("automation" or ("control", control)): "at
    least as much as" holds both ways."""
    w = winner(changes)
    if w is None:
        return set()
    even = _even(changes)
    if even is not None:
        return {("even", even[0].name), ("automation", ""), ("control", even[0].name)}
    if w.kind == "control":  # controls tied with the first share the verdict (the ranking orders a tie by
        # detection, then by name)
        return {("control", c.name) for c in _tied_first(changes)}
    return {(w.kind, "")}  # automation first is one verdict, whichever level


def _tied_first(changes: Sequence[Change]) -> list[Change]:
    """The ranking's first control and every control tied with it (the same signed effect on attacker success)."""
    controls = [c for c in rank(changes) if c.kind == "control"]
    return [c for c in controls if controls and c.success.mean == controls[0].success.mean]


def _shared(ranked: Mapping[str, Sequence[Change]]) -> tuple[str, str] | None:
    """The verdict both readings share (even, then automation, then a control), or None."""
    common = _keys(ranked["vendor"]) & _keys(ranked["skeptic"])
    for kind in ("even", "automation", "control"):
        for k in common:
            if k[0] == kind:
                return k
    return None


def _conclusion(changes: Sequence[Change], runs: int) -> str:
    """A verdict's conclusion as a clause, for the readings sentence."""
    w = winner(changes)
    if w is None:
        return f"no single change moves attacker success beyond sampling noise at {runs} runs per cell"
    even = _even(changes)
    if even is not None:
        c, a = even
        return (f"upgrading {c.name.replace(' -> ', ' to ')} ({_pts(c.success)}) and moving the attacker from "
                f"{_levels(a)} ({_pts(a.success)}) change attacker success about as much (within sampling noise)")
    if w.kind == "automation":
        best = next((c for c in rank(changes) if c.kind == "control"), None)
        return (f"moving the attacker from {_levels(w)} ({_pts(w.success)}) matters {_than(w, best)} any single "
                "control")
    auto = largest_automation(changes)
    against = f", against {_pts(auto.success)} for moving the attacker from {_levels(auto)}" if auto else ""
    return f"upgrading {w.name.replace(' -> ', ' to ')} matters most ({_pts(w.success)}{against})"


def _held(ranked: Mapping[str, Sequence[Change]], key: tuple[str, str]) -> str:
    """The verdict both readings share (``key``, from ``_shared``), with both readings' numbers."""
    vendor, skeptic = (ranked[r] for r in READINGS)
    av, ask = largest_automation(vendor), largest_automation(skeptic)
    if key[0] == "even":
        assert av is not None and ask is not None
        return (f"it changes attacker success about as much as moving the attacker up from manual, within sampling "
                f"noise under both readings (vendor {_pts(av.success)} for {_levels(av)}, skeptic "
                f"{_pts(ask.success)} for {_levels(ask)})")
    if key[0] == "automation":
        assert av is not None and ask is not None
        bv, bs = (next((c for c in rank(x) if c.kind == "control"), None) for x in (vendor, skeptic))
        than = "more than" if _than(av, bv) == _than(ask, bs) == "more than" else "at least as much as"
        if _jump(av) == _jump(ask):
            return (f"moving the attacker from {_jump(av)} changes attacker success {than} any single control "
                    f"(vendor {_pts(av.success)}, skeptic {_pts(ask.success)})")
        return (f"moving the attacker up from manual changes attacker success {than} any single control (vendor "
                f"{_pts(av.success)} for {_jump(av)}, skeptic {_pts(ask.success)} for {_jump(ask)})")
    if av is None or ask is None:
        return "it matters more than any other change"
    than = "at least as much as" if _even(vendor) or _even(skeptic) else "more than"
    return (f"it matters {than} the largest automation effect (vendor {_pts(av.success)} for {_levels(av)}, "
            f"skeptic {_pts(ask.success)} for {_levels(ask)})")


def readings_sentence(by_reading: Mapping[str, Sequence[Change]], runs: int) -> str:
    """One sentence, computed from the numbers: do the ranking's first control and the verdict hold under both
    readings?"""
    ranked = {r: rank(by_reading[r]) for r in READINGS}
    first = {r: next((c for c in ranked[r] if c.kind == "control"), None) for r in READINGS}
    # a control tied for first place under both readings ranks first under both (the ranking orders a tie by
    # detection, then by name)
    tied = {r: [c.name for c in _tied_first(ranked[r])] for r in READINGS}
    both = [n for n in tied["vendor"] if n in tied["skeptic"]]
    if both:
        first = {r: next(c for c in ranked[r] if c.name == both[0]) for r in READINGS}
    fv, fs = first["vendor"], first["skeptic"]
    same_first = fv is not None and fs is not None and fv.name == fs.name
    key = _shared(ranked)
    same_verdict = key is not None or not (_keys(ranked["vendor"]) or _keys(ranked["skeptic"]))
    if key is None and same_verdict:  # no first control worth naming under either reading
        return (f"Under both readings, no single change moves attacker success beyond sampling noise at {runs} runs "
                "per cell.")

    def named(c: Change | None) -> str:
        return f"{_control(c)} ({_pts(c.success)})" if c is not None else "no control"

    if same_first and same_verdict:
        assert fv is not None and fs is not None
        tv, ts = ([_control(c) for c in ranked[r] if c.name in tied[r] and c.name != fv.name] for r in READINGS)
        with_ = (f", tied with {', '.join(tv)}" if tv == ts and tv else
                 "".join(f", tied with {', '.join(t)} under the {r} reading"
                         for r, t in zip(READINGS, (tv, ts), strict=True) if t))
        return (f"Under both readings, {_action(fv)} ranks first among the controls{with_} "
                f"(vendor {_pts(fv.success)}, skeptic {_pts(fs.success)}), and the verdict holds: "
                f"{_held(ranked, key)}.")
    close = ""
    if not same_first and fv is not None and fs is not None:
        fs_v = next((c for c in ranked["vendor"] if c.name == fs.name), None)
        fv_s = next((c for c in ranked["skeptic"] if c.name == fv.name), None)
        if fs_v is not None and fv_s is not None and within_noise(fv, fs_v) and within_noise(fs, fv_s):
            close = " (the two within sampling noise of each other under both readings, paired on the same seeds)"
    if same_verdict:
        return (f"The readings disagree on the first control, the vendor reading ranking {named(fv)} first and the "
                f"skeptic reading {named(fs)}{close}, but the verdict holds: {_held(ranked, key)}.")
    if same_first:
        return (f"The readings disagree on the verdict: under both, {_control(fv)} ranks first among the controls, "
                f"but under the vendor reading {_conclusion(ranked['vendor'], runs)}, and under the skeptic reading "
                f"{_conclusion(ranked['skeptic'], runs)}.")
    return (f"The readings disagree: under the vendor reading {named(fv)} ranks first among the controls and "
            f"{_conclusion(ranked['vendor'], runs)}; under the skeptic reading {named(fs)} ranks first{close} and "
            f"{_conclusion(ranked['skeptic'], runs)}.")
