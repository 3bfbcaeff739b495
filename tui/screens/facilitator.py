"""Facilitator mode: play one seeded run event by event, pause at injects, apply the team's decisions, keep notes."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, RichLog, Select, Static

from simulator.facilitator import DECISIONS, Facilitator
from simulator.result import TimelineEvent
from simulator.units import clock

DECISION_TEXT = {
    "isolate_host": "isolate a host (target: host id)",
    "reset_credentials": "reset credentials (target: account, or empty)",
    "block_egress": "block egress",
    "escalate": "escalate to incident response (target: host)",
    "raise_monitoring": "raise monitoring on a zone (target: zone)",
    "nothing": "do nothing",
}


class FacilitatorScreen(Screen):
    """The exercise screen."""

    BINDINGS = [
        Binding("space", "next_event", "Next event"),
        Binding("n", "next_inject", "Next inject"),
        Binding("e", "to_end", "To the end"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fac: Facilitator | None = None
        self.path: str | None = None
        self.version = -1
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", classes="status", id="fac-title", markup=False)
        with Horizontal(id="fac-body"):
            yield RichLog(id="events", wrap=True, markup=False, highlight=False, min_width=20)
            with VerticalScroll(id="fac-side"):
                yield Static("Press n for the first inject.", id="inject", markup=False)
                yield Select([(DECISION_TEXT[d], d) for d in DECISIONS], value="nothing", allow_blank=False,
                             id="decision", compact=True)
                yield Input(placeholder="target (host, account or zone)", id="target", compact=True)
                yield Button("Apply decision", id="apply", variant="warning", compact=True)
                yield Input(placeholder="scribe note, then Enter", id="note", compact=True)
                yield Static("", classes="status", id="fac-status", markup=False)
        yield Footer()

    def on_screen_resume(self) -> None:
        if self.fac is None or (self.version != self.app.settings.version and not self.fac.decisions
                                and not self.fac.notes):
            self.attach(Facilitator(self.app.loaded, self.app.settings.seed), None)

    def attach(self, fac: Facilitator, path: str | None) -> None:
        """Show ``fac`` (a new exercise, or a reopened session replayed to where it was saved)."""
        self.fac = fac
        self.path = path
        self.version = self.app.settings.version
        if self._ready:
            self._show_session()

    def on_mount(self) -> None:
        self._ready = True
        if self.fac is not None:
            self._show_session()

    def _show_session(self) -> None:
        fac = self.fac
        self.query_one("#events", RichLog).clear()
        self._replay_log()
        self._title()
        self._show_inject(fac.injects[-1] if fac.injects else None)
        where = f" (from {self.path})" if self.path else ""
        self._status(f"{len(fac.decisions)} decisions, {len(fac.notes)} notes{where}")

    def _title(self) -> None:
        f = self.fac
        self.query_one("#fac-title", Static).update(
            f"{f.loaded.scenario.name} | {f.automation} vs {f.posture} | seed {f.seed} | clock {clock(f.now)} | "
            f"step {f.step}{' | ENDED' if f.done else ''}")

    def _status(self, text: str) -> None:
        self.query_one("#fac-status", Static).update(text)

    def _replay_log(self) -> None:
        f = self.fac
        log = self.query_one("#events", RichLog)
        events = sorted([(e.time, 0, i, e) for i, e in enumerate(f.run.timeline)]
                        + [(e.time, 1, i, e) for i, e in enumerate(f.run.log)], key=lambda x: x[:3])
        for *_, e in events:
            log.write(self._line(e))
        for n in f.notes:
            log.write(f"{clock(n.time)}  NOTE  {n.text}")

    @staticmethod
    def _line(e) -> str:
        if isinstance(e, TimelineEvent):
            res = "ok" if e.success else f"blocked:{e.blocked}" if e.blocked else "failed"
            alert = " ALERT" if e.detected else ""
            return f"{clock(e.time)} {e.actor} {e.phase} {e.technique or '-'} {e.host or '-'} {res}{alert}"
        return f"{clock(e.time)} ** {e.kind}: {e.detail}" + (f" [{e.host}]" if e.host else "")

    def _show_inject(self, inject) -> None:
        box = self.query_one("#inject", Static)
        if inject is None:
            box.update("No inject yet. space: next event, n: next inject.")
            return
        qs = "\n".join(f"- {q}" for q in inject.questions)
        box.update(f"INJECT at {clock(inject.time)}: {inject.title}\n{qs}\nDecide below, or press n to go on.")

    def _advance(self, fn) -> None:
        if self.fac is None:
            return
        before = len(self.fac.injects)
        log = self.query_one("#events", RichLog)
        t0, l0 = len(self.fac.run.timeline), len(self.fac.run.log)
        fn()
        new = [(e.time, 0, e) for e in self.fac.run.timeline[t0:]] + [(e.time, 1, e) for e in self.fac.run.log[l0:]]
        for *_, e in sorted(new, key=lambda x: x[:2]):
            log.write(self._line(e))
        if len(self.fac.injects) > before:
            self._show_inject(self.fac.injects[-1])
        self._title()

    def action_next_event(self) -> None:
        self._advance(self.fac.advance if self.fac else lambda: None)

    def action_next_inject(self) -> None:
        self._advance(self.fac.next_inject if self.fac else lambda: None)

    def action_to_end(self) -> None:
        self._advance(self.fac.finish if self.fac else lambda: None)
        if self.fac is not None:
            self._status(f"Ended: {self.fac.run.result().outcome.replace('_', ' ')}. ctrl+s saves the session.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.apply_decision()

    def apply_decision(self) -> None:
        if self.fac is None or self.fac.done:
            self._status("The run has ended: no more decisions.")
            return
        kind = str(self.query_one("#decision", Select).value)
        target = self.query_one("#target", Input).value.strip() or None
        try:
            d = self.fac.decide(kind, target)
        except ValueError as e:
            self._status(f"Not applied: {e}")
            return
        self.query_one("#events", RichLog).write(f"{clock(d.time)}  DECISION  {d.done}")
        self._status(f"Applied: {d.done}")
        self.query_one("#target", Input).value = ""
        self.query_one("#events", RichLog).focus()  # so n / space go on playing

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note" and event.value.strip() and self.fac is not None:
            n = self.fac.note(event.value.strip())
            self.query_one("#events", RichLog).write(f"{clock(n.time)}  NOTE  {n.text}")
            event.input.value = ""
            self.query_one("#events", RichLog).focus()
        elif event.input.id == "target":
            self.apply_decision()

    def action_save(self) -> None:
        if self.fac is None:
            return
        path = self.path or f"session-{self.fac.loaded.scenario.name}-seed{self.fac.seed}.json"
        try:
            saved = self.fac.save(path)
        except OSError as e:
            self._status(f"Could not save to {path}: {e.strerror}")
            return
        self.path = str(saved)
        self._status(f"Saved to {Path(saved).resolve()}")
