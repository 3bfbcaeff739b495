"""Sensitivity: which posture and attacker parameters move attacker success and time to detection most."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from tui.messages import SensitivityDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart
from tui.widgets.table import fill

RUNS_PER_POINT = 20
"""As `tabletop sensitivity` by default: a screening design wants many points more than many runs per point."""
TRAJECTORIES = 8


class SensitivityScreen(RunsScreen):
    """Morris screening (SALib) around the chosen base, or one at a time without SALib. Computed off the UI thread."""

    status_id = "sens-status"

    def __init__(self) -> None:
        super().__init__()
        self.effects: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Sensitivity", classes="title", id="sens-title", markup=False)
        yield ProgressBar(id="sens-progress", show_eta=False)
        yield Static("", classes="status", id="sens-status", markup=False)
        yield DataTable(id="factors", zebra_stripes=True, cursor_type="row")
        with Horizontal(id="sens-charts"):
            yield BarChart("attacker success: effect", style="red", id="success-chart")
            yield BarChart("time to detection: effect (h)", style="yellow", id="detection-chart")
        yield Footer()

    def base(self) -> tuple[str, str]:
        """The base point: the scenario's attacker and 'baseline' when chosen on Setup, else the first chosen."""
        s, loaded = self.app.settings, self.app.loaded
        level = loaded.attacker.preset if loaded.attacker.preset in s.levels or not s.levels else s.levels[0]
        posture = "baseline" if "baseline" in s.postures or not s.postures else s.postures[0]
        return level, posture

    def action_start(self) -> None:
        from simulator import sensitivity as sa

        s = self.app.settings
        method = sa.available_method()
        level, posture = self.base()
        points = sa.design_size(method, TRAJECTORIES)
        how = ("Morris screening (SALib), effect = mu*, the mean absolute change when a factor moves one step"
               if method == "morris" else "one at a time (SALib not installed), effect = high minus low")
        title = (f"{self.app.loaded.scenario.name}: sensitivity around {level} vs {posture}; {how}; {points} points x "
                 f"{RUNS_PER_POINT} runs, root seed {s.seed}.")
        self.query_one("#sens-title", Static).update(title)
        loaded, seed, workers = self.app.loaded, s.seed, self.app.n_workers

        def job(tick, cancel):
            effects = sa.sensitivity(loaded, method, RUNS_PER_POINT, TRAJECTORIES, seed, workers, level, posture,
                                     progress=tick, cancel=cancel)
            return SensitivityDone(effects, method)

        self.launch(points * RUNS_PER_POINT, job)

    def on_sensitivity_done(self, message: SensitivityDone) -> None:
        from simulator.sensitivity import OUTPUTS

        success = [e for e in message.effects if e.output == OUTPUTS[0]]
        detection = {e.factor: e for e in message.effects if e.output == OUTPUTS[1]}

        def pm(e) -> str:
            return "-" if e.conf is None else f"{e.conf:.2f}"

        rows = []
        for i, e in enumerate(success, 1):
            d = detection[e.factor]
            rows.append((str(i), e.factor, f"{e.effect:+.2f}" if message.method == "oat" else f"{e.effect:.2f}",
                         pm(e), "-" if e.spread is None else f"{e.spread:.2f}",
                         f"{d.effect:+.1f}" if message.method == "oat" else f"{d.effect:.1f}", pm(d)))
        fill(self.query_one(DataTable), ("rank", "factor", "success", "+-", "sigma", "detection h", "+-"), rows)
        self.query_one("#success-chart", BarChart).set_items(
            [(_short(e.factor), e.effect, f"{e.effect:.2f}") for e in success])
        by_detection = sorted(detection.values(), key=lambda e: -abs(e.effect))
        self.query_one("#detection-chart", BarChart).set_items(
            [(_short(e.factor), e.effect, f"{e.effect:.0f}") for e in by_detection])
        note = ("sigma: interactions and non-linearity; +-: bootstrap 95% half-width"
                if message.method == "morris" else "each factor at its low and high end, the others at the base")
        self.status(f"done. Ranked by the effect on attacker success; {note}.")
        self.effects = message.effects  # set last: tests and callers wait on it for a filled screen
        self.running = False


def _short(path: str) -> str:
    """'posture.soc.analysts' -> 'soc.analysts' for chart labels (the table keeps the whole path)."""
    return path.removeprefix("posture.")
