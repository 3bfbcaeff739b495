"""Parameters: which posture and attacker levers move attacker success and time to detection, which way, how much."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from tui.messages import SensitivityDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart
from tui.widgets.table import fill


class SensitivityScreen(RunsScreen):
    """One at a time around the chosen base, on common seeds: signed effects with 95% intervals, as `tabletop
    sensitivity` (the Setup screen's runs per cell, the top-five boundary refined up to REFINE times that). Computed
    off the UI thread."""

    status_id = "sens-status"

    def __init__(self) -> None:
        super().__init__()
        self.effects: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Sensitivity", classes="title", id="sens-title", markup=False)
        yield ProgressBar(id="sens-progress", show_eta=False)
        yield Static("", classes="status", id="sens-status", markup=False)
        yield DataTable(id="factors", zebra_stripes=True, cursor_type="row", fixed_columns=1)
        with VerticalScroll(id="sens-charts"):  # one above the other: every factor's name whole, every bar
            yield BarChart("attacker success (points; green: the high level helps the defender)", style="red",
                           negative_style="green", id="success-chart")
            yield BarChart("time to detection (h; green: sooner)", style="red", negative_style="green",
                           id="detection-chart")
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
        level, posture = self.base()
        loaded, seed, workers, runs = self.app.loaded, s.seed, self.app.n_workers, s.runs
        try:
            design = sa.plan(loaded, "oat", level, posture)
        except ValueError as e:
            self.status(str(e))
            return
        title = (f"{loaded.scenario.name}: {len(design.factors)} factors one at a time around {level} vs {posture}, "
                 f"{runs} runs a cell (up to {runs * sa.REFINE} near the top five), seed {seed}; high minus low.")
        self.query_one("#sens-title", Static).update(title)

        def job(tick, cancel):
            def on_round(r: int, factors: int, planned: int) -> None:
                if r > 1:
                    self.app.call_from_thread(self.status, f"refining {factors} factors near the top-five boundary "
                                              f"(round {r}, {planned} more runs)... press x to cancel")

            effects = sa.run_design(loaded, design, runs, seed, workers, progress=tick, cancel=cancel,
                                    max_runs=runs * sa.REFINE, on_round=on_round)
            return SensitivityDone(effects, "oat")

        self.launch(len(design.points) * runs, job)

    def on_sensitivity_done(self, message: SensitivityDone) -> None:
        from simulator.sensitivity import OUTPUTS, TOP, top_sentence
        from simulator.tables import estimate, sensitivity_columns, time_unit

        success = [e for e in message.effects if e.output == OUTPUTS[0]]
        detection = {e.factor: e for e in message.effects if e.output == OUTPUTS[1]}
        # factor frozen on the left, then both effects [95%] (points; one time unit), the levels, n
        hit = sensitivity_columns(success, OUTPUTS[0])
        seen = sensitivity_columns([detection[e.factor] for e in success], OUTPUTS[1])
        by = {c.title: c for c in hit}
        cols = [by["factor"], by["effect"], seen[2], by["levels"], by["n"]]
        headers = ["\nfactor", "success (pts)\n[95% interval]", "detection (" + seen[2].header.split("(")[1],
                   "\nlow -> high", "\nn"]
        fill(self.query_one(DataTable), headers, list(zip(*(c.cells for c in cols), strict=True)))
        self.query_one("#success-chart", BarChart).set_items(
            [(_short(e.factor), e.effect, estimate(e.effect, signed=True)) for e in success])
        by_detection = sorted(detection.values(), key=lambda e: (-abs(e.effect), e.factor))
        unit, size = time_unit([e.effect * 60 for e in by_detection])
        chart = self.query_one("#detection-chart", BarChart)
        chart.title = f"time to detection from initial access ({unit}; green: sooner)"
        chart.set_items([(_short(e.factor), e.effect, estimate(e.effect * 60, scale=size, signed=True))
                         for e in by_detection])
        top = top_sentence(message.effects, TOP, _short, limit=2)
        self.status(f"done. Ranked by the effect on attacker success. {top}")
        self.effects = message.effects  # set last: tests and callers wait on it for a filled screen
        self.running = False


def _short(path: str) -> str:
    """'posture.soc.analysts' -> 'soc.analysts' (attacker fields keep their 'attacker.' prefix)."""
    return path.removeprefix("posture.")
