"""Setup: choose a scenario (bundled or a file), levels, postures, single control upgrades, runs and seed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

from defenses.posture import CONTROL_NAMES
from simulator.loader import ScenarioError, bundled_names, load, preset_names


def _shown(path: str) -> str:
    """A file as a person would name it: relative to the working directory when it is below it."""
    import os

    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class SetupScreen(Screen):
    """The first screen."""

    def compose(self) -> ComposeResult:
        app = self.app
        s = app.settings
        yield Header()
        with VerticalScroll(id="setup-body"):
            yield Label("Scenario", classes="field-label")
            names = bundled_names()
            current = app.loaded.scenario.name if app.loaded.scenario.name in names else Select.NULL
            yield Select([(n, n) for n in names], value=current, allow_blank=True, id="scenario",
                         prompt="a bundled scenario")
            with Horizontal(classes="row"):
                yield Input(placeholder="or a scenario file: path/to/scenario.yaml", id="path")
                yield Button("Open file", id="open")
            yield Static(self._info(), id="scenario-info", classes="status", markup=False)
            yield Label("Automation levels", classes="field-label")
            yield SelectionList[str](*[(n, n, n in s.levels) for n in preset_names("automation")], id="levels")
            yield Label("Posture presets", classes="field-label")
            yield SelectionList[str](*[(n, n, n in s.postures) for n in preset_names("posture")], id="postures")
            yield Label("Upgrade single controls to 'hardened' (on top of each posture)", classes="field-label")
            yield SelectionList[str](*[(n, n, n in s.upgrades) for n in CONTROL_NAMES], id="upgrades")
            with Horizontal(classes="row"):
                yield Label("Runs per cell ", classes="field-label")
                yield Input(str(s.runs), id="runs", type="integer")
                yield Label("Seed ", classes="field-label")
                yield Input(str(s.seed), id="seed", type="integer")
            yield Label("Tabletop exercise: attacker level and posture (the scenario's own when blank)",
                        classes="field-label")
            with Horizontal(classes="row"):
                yield Select([(n, n) for n in preset_names("automation")], value=s.fac_level or Select.NULL,
                             allow_blank=True, id="fac-level", prompt="attacker: the scenario's")
                yield Select([(n, n) for n in preset_names("posture")], value=s.fac_posture or Select.NULL,
                             allow_blank=True, id="fac-posture", prompt="posture: the scenario's")
            with Horizontal(classes="row", id="go-row"):
                yield Button("Compare", id="go-compare", variant="primary")
                yield Button("Fundamentals", id="go-fundamentals")
                yield Button("Parameters", id="go-sensitivity")
                yield Button("Run detail", id="go-run")
                yield Button("Tabletop", id="go-facilitator")
            with Horizontal(classes="row"):
                yield Input(placeholder="reopen a saved session: session.json", id="session-path")
                yield Button("Open session", id="open-session")
        yield Footer()

    def _info(self) -> str:
        s = self.app.loaded.scenario
        hosts = sum(h.count for h in s.hosts)
        return (f"{s.name}: {s.title} ({hosts} hosts, horizon {s.horizon_days:g} days). "
                f"File: {_shown(self.app.loaded.document.file)}")

    def _refresh_info(self) -> None:
        self.query_one("#scenario-info", Static).update(self._info())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("fac-level", "fac-posture"):
            value = None if event.value is Select.NULL or not event.value else str(event.value)
            attr = "fac_level" if event.select.id == "fac-level" else "fac_posture"
            if getattr(self.app.settings, attr) != value:
                setattr(self.app.settings, attr, value)
                self.app.changed()
            return
        if event.select.id == "scenario" and event.value is not Select.NULL and event.value:
            if event.value != self.app.loaded.scenario.name:
                self.app.set_scenario(load(str(event.value)))
                self._refresh_info()

    def open_file(self, path: str) -> bool:
        """Open a scenario file; show its errors in a dialog if it is bad. Returns True when it loaded."""
        if not path.strip():
            return False
        try:
            loaded = load(path.strip())
        except ScenarioError as e:
            self.app.show_errors(f"{path.strip()} has problems", [str(p) for p in e.problems])
            return False
        self.app.set_scenario(loaded)
        self._refresh_info()
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "path":
            self.open_file(event.value)
        elif event.input.id == "session-path" and event.value.strip():
            self.app.open_session(event.value.strip())
        else:
            self._read_numbers()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("runs", "seed"):
            self._read_numbers()  # kept as typed: no Enter needed

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        s = self.app.settings
        lst = event.selection_list
        if lst.id == "levels":
            s.levels = [n for n in preset_names("automation") if n in lst.selected]
        elif lst.id == "postures":
            s.postures = [n for n in preset_names("posture") if n in lst.selected]
        elif lst.id == "upgrades":
            s.upgrades = [n for n in CONTROL_NAMES if n in lst.selected]
        self.app.changed()

    def _read_numbers(self) -> None:
        s = self.app.settings
        for wid, attr, lo, hi in (("runs", "runs", 1, 100_000), ("seed", "seed", 0, 2**31)):
            text = self.query_one(f"#{wid}", Input).value.strip()
            if text.isdigit() and lo <= int(text) <= hi and int(text) != getattr(s, attr):
                setattr(s, attr, int(text))
                self.app.changed()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid == "open":
            self.open_file(self.query_one("#path", Input).value)
        elif bid == "open-session":
            path = self.query_one("#session-path", Input).value.strip()
            if path:
                self.app.open_session(path)
        elif bid.startswith("go-"):
            self._read_numbers()
            self.app.action_show(bid.removeprefix("go-"))
