"""Compare: the chosen cells on common seeds, computed off the UI thread, with a table and two charts."""

from __future__ import annotations

import threading

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from simulator.loader import preset_data
from simulator.report_text import COLUMNS, compare_rows
from simulator.units import duration
from tui.messages import CellsDone, Progress, WorkFailed
from tui.widgets.bars import BarChart


def compare_params(settings) -> list[tuple]:
    """Cells for the current settings: posture-major, each with the chosen single-control upgrades."""
    hardened = preset_data("posture", "hardened")
    cells = []
    for p in settings.postures:
        for a in settings.levels:
            extra = tuple((f"posture.{c}", hardened[c]) for c in settings.upgrades)
            cells.append((("automation", a), ("posture", p), *extra))
    return cells


class CompareScreen(Screen):
    """Runs happen in a worker thread; the UI stays responsive and the run can be cancelled."""

    BINDINGS = [Binding("x", "cancel", "Cancel"), Binding("g", "start", "Run again")]

    def __init__(self) -> None:
        super().__init__()
        self.version = -1
        self.cancel_event: threading.Event | None = None
        self.running = False
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

    def on_screen_resume(self) -> None:
        if self.version != self.app.settings.version and not self.running:
            self.action_start()

    def action_start(self) -> None:
        s = self.app.settings
        if not s.levels or not s.postures:
            self.query_one("#compare-status", Static).update("Choose at least one level and one posture on Setup.")
            return
        if self.cancel_event is not None:
            self.cancel_event.set()
        self.version = s.version
        self.cancel_event = threading.Event()
        cells = compare_params(s)
        total = len(cells) * s.runs
        self.query_one(ProgressBar).update(total=total, progress=0)
        upgrades = f" with {', '.join(s.upgrades)} upgraded to hardened" if s.upgrades else ""
        title = (f"{self.app.loaded.scenario.name}: {len(cells)} cells x {s.runs} runs, root seed {s.seed}"
                 f"{upgrades}; every cell replays the same seeds.")
        self.query_one("#compare-title", Static).update(title)
        self.query_one("#compare-status", Static).update(f"running {total} runs on {self.app.n_workers} worker(s)... "
                                                         "press x to cancel")
        self.running = True
        self._work(cells, s.runs, s.seed, title, self.cancel_event)

    @work(thread=True, exclusive=True, group="compare")
    def _work(self, cells, runs: int, seed: int, title: str, cancel: threading.Event) -> None:
        from simulator.stats import summarize
        from simulator.sweep import Cancelled, collect, spec_for

        total = len(cells) * runs
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            self.post_message(Progress(done[0], total))

        try:
            spec = spec_for(self.app.loaded, cells, runs, seed)
            by_cell = collect(spec, self.app.n_workers, progress=tick, cancel=cancel, max_chunk=20)
            self.post_message(CellsDone([summarize(by_cell[i]) for i in range(len(cells))], title))
        except Cancelled:
            self.post_message(WorkFailed("cancelled", cancelled=True))
        except Exception as e:  # shown in the UI, never a crash
            self.post_message(WorkFailed(f"{type(e).__name__}: {e}"))

    def action_cancel(self) -> None:
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()
            self.query_one("#compare-status", Static).update("cancelling...")

    def on_progress(self, message: Progress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.running = False
        text = "Cancelled: press g to run again." if message.cancelled else f"Failed: {message.text}"
        self.query_one("#compare-status", Static).update(text)

    def on_cells_done(self, message: CellsDone) -> None:
        self.running = False
        self.summaries = message.summaries
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("automation", "posture", *COLUMNS, "")
        for row in compare_rows(message.summaries):
            table.add_row(*row)
        label = [f"{s.value('automation')}/{s.value('posture')}" for s in message.summaries]
        self.query_one("#success-chart", BarChart).set_items(
            [(lab, s.success.value or 0.0, f"{(s.success.value or 0):.0%}") for lab, s in
             zip(label, message.summaries, strict=True)])
        self.query_one("#detect-chart", BarChart).set_items(
            [(lab, s.time_to_detection.value or 0.0, duration(s.time_to_detection.value)) for lab, s in
             zip(label, message.summaries, strict=True)])
        self.query_one("#compare-status", Static).update(
            f"done: {sum(s.runs for s in message.summaries)} runs. Shares [Wilson 95%], times: median [95%]. "
            "g reruns.")
