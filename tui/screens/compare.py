"""Compare: the chosen cells on common seeds, computed off the UI thread, with a table and two charts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from simulator.loader import preset_data
from simulator.report_text import COLUMNS, compare_rows
from simulator.units import duration
from tui.messages import CellsDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart
from tui.widgets.table import fill


def compare_params(settings) -> list[tuple]:
    """Cells for the current settings: posture-major, each with the chosen single-control upgrades."""
    hardened = preset_data("posture", "hardened")
    cells = []
    for p in settings.postures:
        for a in settings.levels:
            extra = tuple((f"posture.{c}", hardened[c]) for c in settings.upgrades)
            cells.append((("automation", a), ("posture", p), *extra))
    return cells


class CompareScreen(RunsScreen):
    """Runs happen in a worker thread; the UI stays responsive and the run can be cancelled."""

    status_id = "compare-status"

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Compare", classes="title", id="compare-title", markup=False)
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", classes="status", id="compare-status", markup=False)
        yield DataTable(id="table", zebra_stripes=True, cursor_type="row")
        with HorizontalScroll(id="charts"):
            yield BarChart("attacker success", scale=1.0, style="red", id="success-chart")
            yield BarChart("median time to detection", style="cyan", id="detect-chart")
        yield Footer()

    def action_start(self) -> None:
        s = self.app.settings
        if not s.levels or not s.postures:
            self.status("Choose at least one level and one posture on Setup.")
            return
        cells = compare_params(s)
        upgrades = f" with {', '.join(s.upgrades)} upgraded to hardened" if s.upgrades else ""
        title = (f"{self.app.loaded.scenario.name}: {len(cells)} cells x {s.runs} runs, root seed {s.seed}"
                 f"{upgrades}; every cell replays the same seeds.")
        self.query_one("#compare-title", Static).update(title)
        loaded, runs, seed, workers = self.app.loaded, s.runs, s.seed, self.app.n_workers

        def job(tick, cancel):
            from simulator.stats import summarize
            from simulator.sweep import collect, spec_for

            by_cell = collect(spec_for(loaded, cells, runs, seed), workers, progress=tick, cancel=cancel,
                              max_chunk=20)
            return CellsDone([summarize(by_cell[i]) for i in range(len(cells))])

        self.launch(len(cells) * runs, job)

    def on_cells_done(self, message: CellsDone) -> None:
        table = self.query_one(DataTable)
        fill(table, ("automation", "posture", *COLUMNS, ""), compare_rows(message.summaries))
        label = [f"{s.value('automation')}/{s.value('posture')}" for s in message.summaries]
        pairs = list(zip(label, message.summaries, strict=True))
        self.query_one("#success-chart", BarChart).set_items(
            [(lab, s.success.value or 0.0, f"{(s.success.value or 0):.0%}") for lab, s in pairs])
        self.query_one("#detect-chart", BarChart).set_items(
            [(lab, s.time_to_detection.value or 0.0, duration(s.time_to_detection.value)) for lab, s in pairs])
        self.status(f"done: {sum(s.runs for s in message.summaries)} runs. Shares [Wilson 95%], times: median "
                    "[95%]. g reruns.")
        self.summaries = message.summaries  # set last: tests and callers wait on it for a filled screen
        self.running = False
