"""Facilitator mode: one seeded run played event by event, with injects, team decisions and a scribe log.

Injects are generated from what happens in the run (never scripted in advance): the first alert, an approval gate,
breakout, access to the crown-jewel data, exfiltration starting, the SOC queue backing up, the run's end. Each comes
with discussion questions. Decisions are applied to the running simulation (``Run.decide``) and change what happens
next. A session (scenario, seed, decisions with their step and time, notes, timeline, outcome) is saved as JSON; loading
it replays the decisions at the same steps, which reproduces the same run exactly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simulator.build import compile_scenario
from simulator.engine import Run
from simulator.loader import Loaded, ScenarioError, load_document, parse_yaml
from simulator.result import LogEvent, RunResult, TimelineEvent

SESSION_VERSION = 1

QUESTIONS: dict[str, tuple[str, ...]] = {
    "first-alert": (
        "Who sees this alert first, and how long until a person looks at it?",
        "What would make you call it a true positive rather than noise?",
        "Which log or host would you check next?",
    ),
    "gate": (
        "An operator just approved the attacker's next step. What in your telemetry would show that pause?",
        "If the attacker moves faster than your triage, which control still holds?",
    ),
    "breakout": (
        "The attacker has moved to a second host. Which segmentation rule should have stopped this?",
        "Do you isolate the first host now, or watch to learn the path?",
        "Whose credentials could have been used?",
    ),
    "crown-jewels": (
        "The attacker has reached the crown-jewel data. Who owns this system, and who must be told?",
        "Can you cut the path out (egress) without stopping the business?",
    ),
    "exfiltration": (
        "Data is leaving. Would your egress monitoring notice, and how fast?",
        "Block egress now, or contain the host first?",
        "What must legal and communications prepare?",
    ),
    "soc-backlog": (
        "Alerts are queuing. Which ones do you drop, and which do you keep?",
        "Who can you pull in to help triage tonight?",
    ),
    "containment": (
        "Containment ran. How sure are you that it covered every foothold?",
        "What would tell you the attacker is still inside?",
    ),
    "perimeter-block": (
        "You blocked the addresses behind a scan or a failed attempt from outside. What will this actor try next, and "
        "from where?",
        "Nothing inside is known to be compromised: what would change your mind?",
    ),
    "restored": (
        "Cleaned hosts are back in service. What did you change on them before they came back?",
        "How would you know if the attacker came back to them?",
    ),
    "end": (
        "What was the single decision that changed the outcome most?",
        "Which fundamental would you fund first after this exercise?",
    ),
}

DECISIONS = ("isolate_host", "reset_credentials", "block_egress", "escalate", "raise_monitoring", "nothing")
"""What the team may decide at an inject."""


@dataclass(frozen=True)
class Inject:
    """A moment worth pausing on."""

    step: int
    time: float
    kind: str
    title: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    step: int
    time: float
    kind: str
    target: str | None
    done: str


@dataclass(frozen=True)
class Note:
    step: int
    time: float
    text: str


@dataclass
class Facilitator:
    """Drives one run for a tabletop exercise."""

    loaded: Loaded
    seed: int
    automation: str | None = None
    posture: str | None = None
    step: int = 0
    injects: list[Inject] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    _seen_kinds: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        l2 = self.loaded.with_presets(automation=self.automation, posture=self.posture)
        self.compiled = compile_scenario(l2.scenario, l2.attacker, l2.posture)
        self.automation = l2.attacker.preset
        self.posture = l2.posture.preset
        self.run = Run(self.compiled, self.seed)
        self.run.begin()
        self._timeline_seen = 0
        self._log_seen = 0
        self.done = False

    @property
    def now(self) -> float:
        return self.run.env.now

    def advance(self) -> list[TimelineEvent | LogEvent]:
        """Play until the next event; returns the new events (empty once the run has ended)."""
        if self.done:
            return []
        more = self.run.step_until_event()
        self.step += 1
        new: list[TimelineEvent | LogEvent] = list(self.run.timeline[self._timeline_seen:])
        new += self.run.log[self._log_seen:]
        self._timeline_seen = len(self.run.timeline)
        self._log_seen = len(self.run.log)
        for event in new:
            self._maybe_inject(event)
        if not more:
            self.done = True
            self._add_inject("end", f"The run ended: {self.run.result().outcome.replace('_', ' ')}")
        return new

    def next_inject(self, limit: int = 100_000) -> Inject | None:
        """Play until the next inject (or the end); returns it."""
        count = len(self.injects)
        for _ in range(limit):
            if self.done:
                break
            self.advance()
            if len(self.injects) > count:
                return self.injects[count]
        return self.injects[count] if len(self.injects) > count else None

    def _maybe_inject(self, e: TimelineEvent | LogEvent) -> None:
        if isinstance(e, TimelineEvent):
            if e.detected and "first-alert" not in self._seen_kinds:
                self._add_inject("first-alert", f"First alert: {e.technique} on {e.host or 'the perimeter'}")
            return
        titles = {
            "gate": f"Approval gate: {e.detail}",
            "breakout": f"Breakout: the attacker moved to {e.host}",
            "objective-data": f"The attacker found the crown-jewel data on {e.host}",
            "exfiltration": f"Exfiltration started from {e.host}",
            "soc-backlog": f"SOC backlog: {e.detail}",
            "containment": f"Containment: {e.detail}",
        }
        titles["restored"] = f"Restored: {e.detail}"
        kind = {"objective-data": "crown-jewels"}.get(e.kind, e.kind)
        if e.kind == "containment" and e.detail.startswith("blocked the attacker's outside infrastructure"):
            kind = "perimeter-block"  # a block at the perimeter is not containment of anything inside
            titles["containment"] = "Perimeter block: the attacker's outside addresses were blocked"
        once = {"breakout", "crown-jewels", "soc-backlog"}
        if e.kind in titles and not (kind in once and kind in self._seen_kinds):
            self._add_inject(kind, titles[e.kind])

    def _add_inject(self, kind: str, title: str) -> None:
        self._seen_kinds.add(kind)
        self.injects.append(Inject(self.step, self.now, kind, title, QUESTIONS[kind]))

    def decide(self, kind: str, target: str | None = None) -> Decision:
        """Apply the team's decision now."""
        if kind not in DECISIONS:
            raise ValueError(f"unknown decision '{kind}' (one of {', '.join(DECISIONS)})")
        done = self.run.decide(kind, target or None)
        d = Decision(self.step, self.now, kind, target or None, done)
        self.decisions.append(d)
        return d

    def note(self, text: str) -> Note:
        """A scribe note at the current moment."""
        n = Note(self.step, self.now, text)
        self.notes.append(n)
        return n

    def finish(self) -> RunResult:
        """Play to the end."""
        while not self.done:
            self.advance()
        return self.run.result()

    def session(self) -> dict[str, Any]:
        """Everything needed to reread, report on and replay the session."""
        result = self.run.result()
        return {
            "kind": "tabletop-session",
            "version": SESSION_VERSION,
            "scenario": self.loaded.scenario.name,
            "scenario_file": self.loaded.document.file,
            "scenario_text": self.loaded.document.text,
            "automation": self.automation,
            "posture": self.posture,
            "seed": self.seed,
            "step": self.step,
            "finished": self.done,
            "decisions": [asdict(d) for d in self.decisions],
            "notes": [asdict(n) for n in self.notes],
            "injects": [asdict(i) for i in self.injects],
            "result": result.to_dict(),
        }

    def save(self, path: str | Path) -> Path:
        """Write the session as JSON (to a temporary file first, so a failed write never leaves half a file)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.session(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


class SessionError(Exception):
    """A session file that cannot be loaded."""


def load_session(path: str | Path) -> Facilitator:
    """Rebuild a saved session by replaying its decisions and notes at their steps: the run comes out identical."""
    path = Path(path)
    try:
        if path.stat().st_size > 64 * 1024 * 1024:
            raise SessionError(f"{path}:1: not a readable session file (larger than 64 MiB)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SessionError(f"{path}:{e.lineno}: not a readable session file ({e.msg})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SessionError(f"{path}:0: not a readable session file ({e})") from None
    if not isinstance(data, dict) or data.get("kind") != "tabletop-session":
        raise SessionError(f"{path}:1: kind: not a tabletop session file")
    if data.get("version") != SESSION_VERSION:
        raise SessionError(f"{path}:1: version: session version {data.get('version')} (this tool reads "
                           f"{SESSION_VERSION})")
    try:
        loaded = load_document(parse_yaml(data["scenario_text"], data["scenario_file"]))
        fac = Facilitator(loaded, int(data["seed"]), data["automation"], data["posture"])
        actions = sorted([(d["step"], 0, i, d) for i, d in enumerate(data["decisions"])]
                         + [(n["step"], 1, i, n) for i, n in enumerate(data["notes"])], key=lambda x: x[:3])
        for step, what, _, item in actions:
            while fac.step < step and not fac.done:
                fac.advance()
            if what == 0:
                fac.decide(item["kind"], item["target"])
            else:
                fac.note(item["text"])
        while fac.step < int(data["step"]) and not fac.done:
            fac.advance()
    except ScenarioError as e:
        raise SessionError(f"{path}:1: scenario_text: its scenario does not load: {e}") from None
    except KeyError as e:
        raise SessionError(f"{path}:1: {e.args[0]}: missing from the session") from None
    except (TypeError, ValueError) as e:
        raise SessionError(f"{path}:1: damaged session ({e})") from None
    return fac
