"""The Textual app: six screens over the library, one factory for the CLI and the tests."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.loader import Loaded, ScenarioError, load, preset_names


def _base_levels() -> list[str]:
    """The four automation levels (their vendor/skeptic reading variants are offered, not selected)."""
    from simulator.fundamentals import levels

    return levels()

SCREENS = ("setup", "compare", "fundamentals", "sensitivity", "run", "facilitator")


@dataclass
class Settings:
    """What the setup screen chose; the other screens read it."""

    levels: list[str] = field(default_factory=lambda: _base_levels())
    postures: list[str] = field(default_factory=lambda: preset_names("posture"))
    upgrades: list[str] = field(default_factory=list)
    """Controls upgraded to their hardened setting on top of every chosen posture."""
    runs: int = 200
    seed: int = 0
    fac_level: str | None = None
    """The Tabletop exercise's attacker level (None: the scenario's own)."""
    fac_posture: str | None = None
    """The Tabletop exercise's posture (None: the scenario's own)."""
    version: int = 0
    """Bumped on every change, so screens know their results are stale."""


class TabletopApp(App):
    """ai-tabletop in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "ai-tabletop"
    BINDINGS = [  # Help and Quit first: the footer lists the app's keys after the screen's, and cuts at the right
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("s", "show('setup')", "Setup"),
        Binding("c", "show('compare')", "Compare"),
        Binding("f", "show('fundamentals')", "Fundamentals"),
        Binding("p", "show('sensitivity')", "Parameters"),
        Binding("r", "show('run')", "Run"),
        Binding("t", "show('facilitator')", "Tabletop"),
    ]

    def __init__(self, scenario: str | None = None, session: str | None = None, workers: int | None = None,
                 runs: int = 200, seed: int = 0, automation: str | None = None, posture: str | None = None,
                 tabletop: bool = False, live: str | None = None, served: str | None = None) -> None:
        super().__init__()
        self.live_path = live
        """The live file the player view (tabletop serve) follows, or None."""
        self.served = served
        self.start_tabletop = tabletop
        self.scenario_arg = scenario or "espionage-tech"
        self.session_arg = session
        self.n_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        if self.n_workers > 1:
            # Start multiprocessing's resource tracker now, while stderr is the real terminal: once Textual runs,
            # sys.stderr is its own capture object, whose fileno() cannot be handed to a child process.
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
        self.settings = Settings(runs=runs, seed=seed, fac_level=automation, fac_posture=posture)
        self.loaded: Loaded | None = None
        self.load_error: ScenarioError | None = None
        try:
            self.loaded = load(self.scenario_arg)
        except ScenarioError as e:
            self.load_error = e
            self.loaded = load("espionage-tech")

    def on_mount(self) -> None:
        from tui.screens.compare import CompareScreen
        from tui.screens.facilitator import FacilitatorScreen
        from tui.screens.fundamentals import FundamentalsScreen
        from tui.screens.run_detail import RunDetailScreen
        from tui.screens.sensitivity import SensitivityScreen
        from tui.screens.setup import SetupScreen

        self.install_screen(SetupScreen(), "setup")
        self.install_screen(CompareScreen(), "compare")
        self.install_screen(FundamentalsScreen(), "fundamentals")
        self.install_screen(SensitivityScreen(), "sensitivity")
        self.install_screen(RunDetailScreen(), "run")
        self.install_screen(FacilitatorScreen(), "facilitator")
        self.push_screen("setup")
        if self.n_workers > 1:  # after the first paint: workers start importing the engine, and stay
            self.call_after_refresh(self._warm_workers)
        if self.load_error is not None:
            self.show_errors(f"Could not open {self.scenario_arg}", [str(p) for p in self.load_error.problems])
        if self.session_arg:
            self.open_session(self.session_arg)
        elif self.start_tabletop:
            self.action_show("facilitator")
        if self.served:
            self.notify(f"Player view served at {self.served} (read-only)", timeout=8, markup=False)

    def _warm_workers(self) -> None:
        from simulator.sweep import keep_warm

        keep_warm(self.n_workers)

    def on_unmount(self) -> None:
        from simulator.sweep import release_warm

        release_warm()

    def set_scenario(self, loaded: Loaded) -> None:
        """Make ``loaded`` the scenario every screen works on."""
        self.loaded = loaded
        self.settings.version += 1
        self.sub_title = loaded.scenario.name

    def changed(self) -> None:
        """The settings changed: results on other screens are stale."""
        self.settings.version += 1

    def action_show(self, name: str) -> None:
        if name in SCREENS and self.screen is not self.get_screen(name):
            self.switch_screen(name)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def show_errors(self, title: str, problems: list[str]) -> None:
        """A dialog listing what is wrong (a bad file never crashes the app)."""
        from tui.screens.errors import ErrorScreen

        self.push_screen(ErrorScreen(title, problems))

    def open_session(self, path: str) -> None:
        """Reopen a saved facilitator session on the tabletop screen."""
        from simulator.facilitator import SessionError, load_session

        try:
            fac = load_session(path)
        except SessionError as e:
            self.show_errors("Could not open the session", [str(e)])
            return
        self.set_scenario(fac.loaded)
        screen = self.get_screen("facilitator")
        screen.attach(fac, path)
        self.action_show("facilitator")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Setup", "Choose the scenario, levels, postures and runs",
                            lambda: self.action_show("setup"))
        yield SystemCommand("Compare", "Compare the chosen cells with intervals", lambda: self.action_show("compare"))
        yield SystemCommand("Fundamentals", "Rank control upgrades against the automation jump",
                            lambda: self.action_show("fundamentals"))
        yield SystemCommand("Sensitivity", "Which posture and attacker parameters move the outcome most",
                            lambda: self.action_show("sensitivity"))
        yield SystemCommand("Run detail", "One seeded run: timeline and network view", lambda: self.action_show("run"))
        yield SystemCommand("Tabletop", "Facilitator mode: play a run, decide, take notes",
                            lambda: self.action_show("facilitator"))
        fac = self.get_screen("facilitator")

        def on_tabletop(action: str):
            def run() -> None:
                self.action_show("facilitator")
                self.call_after_refresh(getattr(fac, f"action_{action}"))
            return run

        yield SystemCommand("Save session", "Save the Tabletop exercise (asks for a name the first time)",
                            on_tabletop("save"))
        yield SystemCommand("Save session as", "Save the Tabletop exercise under a new name", on_tabletop("save_as"))
        yield SystemCommand("New exercise", "Restart the Tabletop exercise with Setup's level, posture and seed",
                            on_tabletop("restart"))
        yield SystemCommand("Player view", "Toggle the Tabletop between the player view and the facilitator's",
                            on_tabletop("toggle_view"))
        yield SystemCommand("What if", "The Tabletop's counterfactuals: without the team's orders, and over seeds",
                            on_tabletop("counterfactual"))
        yield SystemCommand("Next inject", "Play the Tabletop exercise to its next inject", on_tabletop("next_inject"))
        yield SystemCommand("Give an order", "Pick an order from what the defender knows", on_tabletop("focus_order"))
        yield SystemCommand("Undo order", "Take back the last order (asks first)", on_tabletop("undo"))
        yield SystemCommand("Rewind", "Go back to an inject and branch; the branch left is kept", on_tabletop("rewind"))
        yield SystemCommand("Play to the end", "Play the exercise to its end (asks first)", on_tabletop("to_end"))
        yield SystemCommand("Pause", "Pause or resume the exercise's timers", on_tabletop("pause"))
        yield SystemCommand("After-action report", "Write the Tabletop session's report (the session is saved first)",
                            on_tabletop("report"))
        yield SystemCommand("Participants", "Who plays which role in the Tabletop exercise (for the report)",
                            on_tabletop("participants"))
        yield SystemCommand("Open session", "Reopen a saved Tabletop session", self._ask_session)
        yield SystemCommand("Help", "Keys and screens", self.action_help)

    def _ask_session(self) -> None:
        from tui.screens.dialogs import AskScreen

        def chosen(path: str | None) -> None:
            if path and path.strip():
                self.open_session(path.strip())

        self.push_screen(AskScreen("Open which session file?", placeholder="session.json"), chosen)


def create_app(scenario: str | None = None, session: str | None = None, workers: int | None = None,
               runs: int = 200, seed: int = 0, automation: str | None = None, posture: str | None = None,
               tabletop: bool = False, live: str | None = None, served: str | None = None) -> TabletopApp:
    """The app, for the CLI (``tabletop tui``) and the tests."""
    return TabletopApp(scenario, session, workers, runs, seed, automation, posture, tabletop, live, served)
