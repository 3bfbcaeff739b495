"""The Tabletop screen: a facilitated exercise on one seeded run, in two views.

The facilitator's view shows the truth (every attacker action, facilitator-only injects) beside the controls: play
on, give orders picked from what the defender knows, take notes, undo, rewind and branch, counterfactuals, save. The
player view (``v``) is what the room sees: only what the defender knows. The same state is written to a live file,
which ``tabletop serve`` shows in a browser for the projector.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, DataTable, Footer, Header, Input, RichLog, Select, Static

from simulator.facilitator import DECISIONS, OWNERS, Facilitator
from simulator.injects import technique
from simulator.result import TimelineEvent
from simulator.units import duration
from tui.screens.dialogs import AskScreen, ConfirmScreen, PickScreen
from tui.widgets.player import PlayerView

DECISION_TEXT = {
    "isolate_host": "Isolate a host",
    "reset_credentials": "Reset credentials",
    "block_egress": "Block egress",
    "escalate": "Escalate to incident response",
    "raise_monitoring": "Raise monitoring on a zone",
    "nothing": "Decide to do nothing",
}
NO_TARGET = {"reset_credentials": "every account known stolen", "escalate": "no host named"}


KEY_LABELS = {"krbtgt": "krbtgt (the domain's Kerberos key: reset twice, forged tickets stop working)"}
"""Order targets that are not a known account or host, as the lists name them."""


class FacilitatorScreen(Screen):
    """The exercise screen."""

    BINDINGS = [  # the footer shows the first keys and Help and Quit at 80 columns; the rest are in Help (?)
        Binding("space", "next_event", "Next"),
        Binding("n", "next_inject", "Inject"),
        Binding("o", "focus_order", "Order"),
        Binding("v", "toggle_view", "Players"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "quit_safely", "Quit"),
        Binding("k", "counterfactual", "What if"),
        Binding("w", "rewind", "Rewind"),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("u", "undo", "Undo order", show=False),
        Binding("e", "to_end", "To the end", show=False),
        Binding("p", "pause", "Pause", show=False),
        Binding("ctrl+r", "restart", "Restart", priority=True, show=False),
        Binding("ctrl+a", "save_as", "Save as", priority=True, show=False),
        Binding("escape", "leave_input", "Keys", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fac: Facilitator | None = None
        self.path: str | None = None
        self.version = -1
        self._ready = False
        self._shown_injects = 0
        self._paused = False
        self._tick = time.monotonic()
        self._busy = False
        self._saved: tuple | None = None

    # ---- layout ----------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", classes="status", id="fac-title", markup=False)
        with ContentSwitcher(initial="fac-truth", id="fac-views"):
            with Horizontal(id="fac-truth"):
                yield RichLog(id="events", wrap=True, markup=False, highlight=False, min_width=20)
                with VerticalScroll(id="fac-side"):
                    yield Static("Press n for the first inject.", id="inject", markup=False)
                    with Vertical(id="order-form"):
                        yield Select([(DECISION_TEXT[d], d) for d in DECISIONS], value="isolate_host",
                                     allow_blank=False, id="decision", compact=True)
                        yield Select([], id="target", compact=True, prompt="target (what the defender knows)")
                        yield Static("", id="order-plan", classes="status", markup=False)
                        yield Button("Give order", id="apply", variant="warning", compact=True)
                    yield DataTable(id="orders", show_cursor=False, zebra_stripes=True)
                    yield Input(placeholder="scribe note, then Enter", id="note", compact=True)
                    yield Static("", id="counterfactual", markup=False)
                    yield Static("", classes="status", id="fac-status", markup=False)
            yield PlayerView(id="fac-player")
        yield Footer()

    def on_mount(self) -> None:
        self._ready = True
        table = self.query_one("#orders", DataTable)
        table.add_columns("#", "order", "owner", "asked", "done", "status")
        self.set_interval(1.0, self._clock_tick)
        if self.fac is not None:
            self._show_session()

    def on_screen_resume(self) -> None:
        app = self.app
        if self.fac is None or (self.version != app.settings.version and not self.fac.orders
                                and not self.fac.notes):
            s = app.settings
            self.attach(Facilitator(app.loaded, s.seed, s.fac_level, s.fac_posture), None)

    def attach(self, fac: Facilitator, path: str | None) -> None:
        """Show ``fac`` (a new exercise, or a reopened session replayed to where it was saved)."""
        self.fac = fac
        self.path = path
        self.version = self.app.settings.version
        self._shown_injects = max(0, len(fac.injects) - 1)
        self._saved = self._mark() if path else None
        if self._ready:
            self._show_session()

    # ---- showing ---------------------------------------------------------------------------------------------

    def _show_session(self) -> None:
        fac = self.fac
        log = self.query_one("#events", RichLog)
        log.clear()
        self._stale_what_if()
        for line in self._lines(0, 0, all_notes=True):
            log.write(line)
        self._refresh()
        where = f" (from {self.path})" if self.path else ""
        self._status(f"{_n(len(fac.orders), 'order')}, {_n(len(fac.notes), 'note')}{where}. n: next inject, "
                     "v: player view, o: give an order.")

    def _refresh(self) -> None:
        """Everything that follows the state: title, inject, targets, orders, the player view, the live file."""
        self._title()
        self._show_injects()
        self._fill_targets()
        self._fill_orders()
        self.query_one("#fac-player", PlayerView).show(self.fac.player_state())
        live = getattr(self.app, "live_path", None)
        if live:
            try:
                self.fac.write_live(live)
            except OSError as e:
                self._status(f"Could not write the live file {live}: {e.strerror}")

    def _title(self) -> None:
        f = self.fac
        timers = f.timers
        ex = _mmss(timers.get("exercise", 0.0))
        inj = _mmss(timers.get(f"inject {len(f.injects)}", 0.0)) if f.injects else "-"
        view = "PLAYER VIEW" if self._player_shown() else "facilitator view"
        self.query_one("#fac-title", Static).update(
            f"{f.loaded.scenario.name} | {f.automation} vs {f.posture} | seed {f.seed} | {f.clock()} | "
            f"{view} | exercise {ex}, this inject {inj}{' | PAUSED' if self._paused else ''}"
            f"{' | ENDED' if f.done else ''}")

    def _player_shown(self) -> bool:
        return self.query_one("#fac-views", ContentSwitcher).current == "fac-player"

    def _show_injects(self) -> None:
        f = self.fac
        box = self.query_one("#inject", Static)
        new = f.injects[self._shown_injects:] or f.injects[-1:]
        if not new:
            box.update("No inject yet. space: next event, n: next inject.")
            return
        parts = []
        for inj in new:
            who = "" if inj.audience == "players" else "  [facilitator only: the team cannot see this]"
            qs = "\n".join(f"- {q}" for q in inj.questions)
            hand = f"\nHandout:\n{inj.handout.rstrip()}" if inj.handout else ""
            parts.append(f"INJECT {f.injects.index(inj) + 1} at {f.clock(inj.time)}{who}\n{inj.title}\n{qs}{hand}")
        box.update(Text("\n\n".join(parts)))

    def _lines(self, t0: int, l0: int, all_notes: bool = False) -> list[str]:
        f = self.fac
        events = [(e.time, 0, i, self._line(e)) for i, e in enumerate(f.run.timeline[t0:])]
        events += [(e.time, 1, i, self._line(e)) for i, e in enumerate(f.run.log[l0:]) if e.kind != "decision"]
        if all_notes:
            events += [(s.time, 2, i, f"{f.clock(s.time, False)}  {s.text}") for i, s in enumerate(f.feed)
                       if s.kind in ("order", "note")]
        return [x[3] for x in sorted(events, key=lambda x: x[:3])]

    def _line(self, e) -> str:
        c = self.fac.clock(e.time, False)
        if isinstance(e, TimelineEvent):
            res = "ok" if e.success else f"blocked:{e.blocked}" if e.blocked else "failed"
            alert = " ALERT" if e.detected else ""
            return f"{c} {e.actor} {e.phase} {technique(e.technique)} {e.host or '-'} {res}{alert}"
        return f"{c} ** {e.kind}: {e.detail}" + (f" [{e.host}]" if e.host else "")

    def _fill_targets(self) -> None:
        f = self.fac
        kind = str(self.query_one("#decision", Select).value)
        sel = self.query_one("#target", Select)
        known = {**f.known_hosts(), **f.known_accounts()}
        options = [(f"{t} ({known[t]})" if t in known else KEY_LABELS.get(t, t), t) for t in f.targets(kind)]
        if kind in NO_TARGET:
            options.insert(0, (NO_TARGET[kind], "-"))
        keep = sel.value
        sel.set_options(options)
        sel.disabled = not options
        values = [v for _, v in options]
        if keep in values:
            sel.value = keep
        elif values and kind != "isolate_host":
            sel.value = values[0]
        self._show_plan()

    def _show_plan(self) -> None:
        f = self.fac
        kind = str(self.query_one("#decision", Select).value)
        value = self.query_one("#target", Select).value
        target = None if value in (Select.NULL, "-", None) else str(value)
        plan = self.query_one("#order-plan", Static)
        if kind == "isolate_host" and target is None:
            plan.update("Pick a host the defender knows." if f.targets(kind) else
                        "No host is known to the defender yet: nothing to isolate.")
            return
        delay, cost, *_ = f.plan(kind, target)
        plan.update(f"{OWNERS[kind]}; takes about {duration(delay)}; cost: {cost}")

    def _fill_orders(self) -> None:
        f = self.fac
        table = self.query_one("#orders", DataTable)
        table.clear()
        for o in f.orders:
            done = f.clock(o.done_time, False) if o.done_time is not None else f"due {f.clock(o.due, False)}"
            table.add_row(str(o.n), Text(o.label), o.owner, f.clock(o.time, False), done, o.status)

    def _status(self, text: str) -> None:
        self.query_one("#fac-status", Static).update(text)

    def _clock_tick(self) -> None:
        now = time.monotonic()
        dt, self._tick = now - self._tick, now
        if self.fac is None or self._paused or self.fac.done or not self.is_current:
            return
        t = self.fac.timers
        t["exercise"] = t.get("exercise", 0.0) + dt
        if self.fac.injects:
            key = f"inject {len(self.fac.injects)}"
            t[key] = t.get(key, 0.0) + dt
        self._title()

    # ---- playing ---------------------------------------------------------------------------------------------

    def _advance(self, fn) -> None:
        if self.fac is None or self._busy:
            return
        if self._paused:
            self._status("Paused: p to go on.")
            return
        f = self.fac
        self._shown_injects = len(f.injects)
        t0, l0, feed0 = len(f.run.timeline), len(f.run.log), len(f.feed)
        from simulator.engine import EventBudgetError

        try:
            fn()
        except EventBudgetError as e:  # a scenario whose run would never end: said, never a hang or a crash
            f.done = True
            self._status(f"The run stopped: {e}")
        log = self.query_one("#events", RichLog)
        for line in self._lines(t0, l0):
            log.write(line)
        for s in f.feed[feed0:]:
            if s.kind == "order":
                log.write(f"{f.clock(s.time, False)}  {s.text}")
        if len(f.injects) == self._shown_injects:
            self._shown_injects = max(0, len(f.injects) - 1)  # no new inject: keep showing the last one
        self._refresh()

    def action_next_event(self) -> None:
        self._advance(self.fac.advance if self.fac else lambda: None)

    def action_next_inject(self) -> None:
        self._advance(self.fac.next_inject if self.fac else lambda: None)

    def action_to_end(self) -> None:
        if self.fac is None or self.fac.done:
            return

        def go(yes: bool | None) -> None:
            if yes:
                self._advance(self.fac.finish)
                self._status(f"Ended: {self.fac.run.result().outcome.replace('_', ' ')}. ctrl+s saves the session; "
                             "k: what if; w: rewind to an inject.")

        self.app.push_screen(ConfirmScreen("Play the exercise to the end? (w rewinds to any inject afterwards)",
                                           "Play to the end"), go)

    def action_pause(self) -> None:
        self._paused = not self._paused
        self._title()
        self._status("Paused: the timers stop and the run does not move. p to go on." if self._paused
                     else "Going on.")

    def action_toggle_view(self) -> None:
        sw = self.query_one("#fac-views", ContentSwitcher)
        sw.current = "fac-truth" if sw.current == "fac-player" else "fac-player"
        self._title()

    def action_focus_order(self) -> None:
        if self._player_shown():
            self.action_toggle_view()
        self.query_one("#decision", Select).focus()

    # ---- orders and notes ------------------------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "decision" and self.fac is not None:
            self._fill_targets()
        elif event.select.id == "target" and self.fac is not None:
            self._show_plan()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.apply_decision()

    def apply_decision(self) -> None:
        if self.fac is None or self.fac.done:
            self._status("The run has ended: no more orders (w rewinds to an inject).")
            return
        kind = str(self.query_one("#decision", Select).value)
        value = self.query_one("#target", Select).value
        target = None if value in (Select.NULL, "-", None) else str(value)
        try:
            o = self.fac.decide(kind, target)
        except ValueError as e:
            self._status(f"Not given: {e}")
            return
        f = self.fac
        self._stale_what_if()
        self.query_one("#events", RichLog).write(f"{f.clock(o.time, False)}  ORDER {o.n} to {o.owner}: {o.label} "
                                                 f"(due {f.clock(o.due, False)})")
        self._status(f"Order {o.n} given: {o.label}, due {f.clock(o.due, False)} ({o.owner}). u takes it back.")
        self._refresh()
        self.query_one("#note", Input).focus()  # what is typed next is a note, never a key that plays the run

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note" and event.value.strip() and self.fac is not None:
            n = self.fac.note(event.value.strip())
            self.query_one("#events", RichLog).write(f"{self.fac.clock(n.time, False)}  NOTE  {n.text}")
            event.input.value = ""
            self._status("Note kept.")
            self._refresh()

    def action_report(self) -> None:
        """Write the after-action report of this session (saved first), with its counterfactual over Setup's runs."""
        if self.fac is None:
            return
        if self.path is None or self._dirty():
            self._status("Save the session first (ctrl+s), then ask for the report again.")
            self.action_save()
            return

        def chosen(out: str | None) -> None:
            if not out or not out.strip():
                return
            out = out.strip()
            if not out.endswith((".md", ".html")):
                self._status(f"{out}: a report is .md or .html")
                return
            self._status(f"Writing the report to {out} (the counterfactual replays the orders over "
                         f"{self.app.settings.runs} seeds)...")
            self._write_report(self.path, out, self.app.settings.runs)

        stem = Path(self.path).stem
        self.app.push_screen(AskScreen("Write the after-action report to (.html or .md):", f"aar-{stem}.html"),
                             chosen)

    @work(thread=True, exclusive=True, group="report")
    def _write_report(self, session: str, out: str, runs: int) -> None:
        from simulator.report import ReportError, build, markdown, to_html

        try:
            rep = build(session, counterfactual_runs=runs)
            text = markdown(rep) if out.endswith(".md") else to_html(rep)
            tmp = Path(out + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
            msg = f"Report written to {Path(out).resolve()}"
        except (ReportError, OSError) as e:
            msg = f"No report: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
            Path(out + ".tmp").unlink(missing_ok=True)
        self.app.call_from_thread(self._status, msg)

    def action_participants(self) -> None:
        """Who plays which role, for the after-action report: 'Ana: IR lead; Ben: SOC lead'."""
        if self.fac is None:
            return
        now = "; ".join(f"{p['name']}: {p['role']}" for p in self.fac.participants)

        def chosen(text: str | None) -> None:
            if text is None:
                return
            people = []
            for part in text.split(";"):
                name, _, role = part.partition(":")
                if name.strip():
                    people.append({"name": name.strip()[:100], "role": role.strip()[:100]})
            self.fac.participants = people
            self._status(f"{_n(len(people), 'participant')} recorded for the report.")

        self.app.push_screen(AskScreen("Participants and roles (name: role; name: role):", now,
                                       "Ana: IR lead; Ben: SOC lead; Chloe: communications"), chosen)

    def action_leave_input(self) -> None:
        self.set_focus(None)
        self._status("Keys: space next event, n next inject, o give an order, v player view.")

    def _dirty(self) -> bool:
        f = self.fac
        return f is not None and (bool(f.orders) or bool(f.notes)) and self._saved != self._mark()

    def _mark(self) -> tuple:
        f = self.fac
        return (f.step, len(f.orders), len(f.notes), len(f.branches), tuple(o.status for o in f.orders))

    def action_quit_safely(self) -> None:
        if not self._dirty():
            self.app.exit()
            return
        self.app.push_screen(ConfirmScreen("Quit without saving this session's orders and notes? (ctrl+s saves)",
                                           "Quit without saving"), lambda yes: self.app.exit() if yes else None)

    def action_undo(self) -> None:
        if self.fac is None or not self.fac.orders:
            self._status("No order to take back.")
            return
        last = self.fac.orders[-1]

        def go(yes: bool | None) -> None:
            if yes:
                self._status(self.fac.undo())
                self._show_session()

        self.app.push_screen(ConfirmScreen(f"Take back order {last.n} ({last.label})?", "Take it back"), go)

    def action_rewind(self) -> None:
        f = self.fac
        if f is None or not f.injects:
            self._status("No inject to go back to yet.")
            return
        items = [f"{i + 1}. {f.clock(inj.time, False)}  {inj.title}" for i, inj in enumerate(f.injects)]

        def label(index: int | None) -> None:
            if index is None:
                return

            def go(text: str | None) -> None:
                if text is None:
                    return
                f.rewind(index, text.strip() or f"branch {len(f.branches) + 1}")
                self._shown_injects = index
                self._show_session()
                self._status(f"Back at inject {index + 1}; the branch played so far is kept as "
                             f"'{f.branches[-1]['label']}'.")

            self.app.push_screen(AskScreen("A name for the branch you leave (it is kept in the session):",
                                           f"branch {len(f.branches) + 1}"), go)

        self.app.push_screen(PickScreen("Go back to which inject? (orders given at it and after are left in the "
                                        "branch you leave)", items), label)

    def action_counterfactual(self) -> None:
        if self.fac is None or self._busy:
            return
        self._busy = True
        self.query_one("#counterfactual", Static).update("What if: running ...")
        self._what_if(self.fac, self.app.settings.runs)

    @work(thread=True, exclusive=True, group="what-if")
    def _what_if(self, fac: Facilitator, runs: int) -> None:
        def progress(k: int, n: int) -> None:
            if k % 10 == 0 or k == n:
                self.app.call_from_thread(self.query_one("#counterfactual", Static).update,
                                          f"What if: {k} of {n} seeds ...")

        try:
            same = fac.without_orders()
            ours = fac.with_orders()
            over = fac.over_seeds(runs, progress)
        except Exception as e:  # shown, never a crash of the exercise
            self.app.call_from_thread(self._cf_done, f"What if: failed ({e})")
            return
        t, nothing = over["team"], over["nothing"]
        text = (f"WHAT IF (seed {fac.seed}): with your orders {ours.outcome.replace('_', ' ')}, "
                f"{ours.records_exfiltrated:,} records out; without them {same.outcome.replace('_', ' ')}, "
                f"{same.records_exfiltrated:,} records out.\n"
                f"Over {runs} seeds, your orders at the same times moved attacker success from "
                f"{nothing['success']:.0%} [{nothing['low']:.0%}-{nothing['high']:.0%}] to "
                f"{t['success']:.0%} [{t['low']:.0%}-{t['high']:.0%}]; records out (mean) from "
                f"{nothing['records_mean']:,.0f} to {t['records_mean']:,.0f}; clean host-hours isolated "
                f"{nothing['clean_isolated_host_hours']:.0f} -> {t['clean_isolated_host_hours']:.0f}.")
        self.app.call_from_thread(self._cf_done, text)

    def _stale_what_if(self) -> None:
        box = self.query_one("#counterfactual", Static)
        if not self._busy and str(box.render()).startswith("WHAT IF"):
            box.update("What if: the orders have changed since; k computes it again.")

    def _cf_done(self, text: str) -> None:
        self._busy = False
        self.query_one("#counterfactual", Static).update(text)

    # ---- sessions --------------------------------------------------------------------------------------------

    def action_restart(self) -> None:
        if self.fac is None:
            return
        f = self.fac

        def go(yes: bool | None) -> None:
            if yes:
                s = self.app.settings
                self.attach(Facilitator(self.app.loaded, s.seed, s.fac_level or f.automation,
                                        s.fac_posture or f.posture), None)
                self._status("A new exercise: same scenario and settings, no orders yet.")

        unsaved = " Unsaved orders and notes are lost (ctrl+s first to keep them)." if f.orders or f.notes else ""
        self.app.push_screen(ConfirmScreen(f"Start this exercise again from the beginning?{unsaved}", "Restart"), go)

    def _default_path(self) -> str:
        f = self.fac
        base = f"session-{f.loaded.scenario.name}-{f.automation}-seed{f.seed}"
        path, k = Path(f"{base}.json"), 2
        while path.exists():
            path, k = Path(f"{base}-{k}.json"), k + 1
        return str(path)

    def action_save(self) -> None:
        if self.fac is None:
            return
        if self.path is None:
            self.action_save_as()
            return
        self._write(self.path, overwrite=True)

    def action_save_as(self) -> None:
        if self.fac is None:
            return

        def chosen(path: str | None) -> None:
            if not path or not path.strip():
                return
            path = path.strip()
            if Path(path).exists() and path != self.path:
                self.app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", "Replace"),
                                     lambda yes: self._write(path, True) if yes else None)
            else:
                self._write(path, overwrite=True)

        self.app.push_screen(AskScreen("Save the session as:", self.path or self._default_path()), chosen)

    def _write(self, path: str, overwrite: bool) -> None:
        try:
            saved = self.fac.save(path, overwrite=overwrite)
        except FileExistsError:
            self._status(f"{path} exists: not replaced.")
            return
        except OSError as e:
            self._status(f"Could not save to {path}: {e.strerror or e}")
            return
        self.path = str(saved)
        self._saved = self._mark()
        self._status(f"Saved to {Path(saved).resolve()}")


def _mmss(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"
