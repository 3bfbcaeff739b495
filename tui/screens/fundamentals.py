"""Fundamentals: each control upgraded alone against the automation jump, ranked, as a table and a chart."""

from __future__ import annotations

import threading

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from tui.messages import FundamentalsDone, Progress, WorkFailed
from tui.widgets.bars import BarChart


class FundamentalsScreen(Screen):
    """Which change moves attacker success most? Computed off the UI thread."""

    BINDINGS = [Binding("x", "cancel", "Cancel"), Binding("g", "start", "Run again")]

    def __init__(self) -> None:
        super().__init__()
        self.version = -1
        self.cancel_event: threading.Event | None = None
        self.running = False
        self.changes: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Fundamentals", classes="title", id="fund-title", markup=False)
        yield ProgressBar(id="fund-progress", show_eta=False)
        yield Static("", classes="status", id="fund-status", markup=False)
        yield DataTable(id="ranked", zebra_stripes=True, cursor_type="row")
        with VerticalScroll(id="fund-charts"):
            yield BarChart("change in attacker success (points)", scale=1.0, style="red", negative_style="green",
                           id="effect-chart")
        yield Static("", id="verdict", classes="title", markup=False)
        yield Footer()

    def on_screen_resume(self) -> None:
        if self.version != self.app.settings.version and not self.running:
            self.action_start()

    def action_start(self) -> None:
        from simulator import fundamentals as fm

        s = self.app.settings
        if self.cancel_event is not None:
            self.cancel_event.set()
        self.version = s.version
        self.cancel_event = threading.Event()
        base = "baseline" if "baseline" in s.postures or not s.postures else s.postures[0]
        plan = fm.plan(self.app.loaded, base=base)
        total = len(plan.cells) * s.runs
        self.query_one(ProgressBar).update(total=total, progress=0)
        title = (f"{self.app.loaded.scenario.name}: from '{base}', each control upgraded alone to 'hardened' against "
                 f"'ai-orchestrated', vs the attacker moving manual -> ai-orchestrated; {s.runs} runs per cell.")
        self.query_one("#fund-title", Static).update(title)
        self.query_one("#fund-status", Static).update(f"running {total} runs... press x to cancel")
        self.running = True
        self._work(plan, s.runs, s.seed, title, self.cancel_event)

    @work(thread=True, exclusive=True, group="fundamentals")
    def _work(self, plan, runs: int, seed: int, title: str, cancel: threading.Event) -> None:
        from simulator import fundamentals as fm
        from simulator.sweep import Cancelled, collect, spec_for

        total = len(plan.cells) * runs
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            self.post_message(Progress(done[0], total))

        try:
            loaded = self.app.loaded
            by_cell = collect(spec_for(loaded, plan.cells, runs, seed), self.app.n_workers, progress=tick,
                              cancel=cancel, max_chunk=20)
            changes = fm.analyse(plan, by_cell, loaded.scenario.horizon_days * 1440)
            self.post_message(FundamentalsDone(changes, fm.verdict(changes, runs), title))
        except Cancelled:
            self.post_message(WorkFailed("cancelled", cancelled=True))
        except Exception as e:
            self.post_message(WorkFailed(f"{type(e).__name__}: {e}"))

    def action_cancel(self) -> None:
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()

    def on_progress(self, message: Progress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.running = False
        self.query_one("#fund-status", Static).update(
            "Cancelled: press g to run again." if message.cancelled else f"Failed: {message.text}")

    def on_fundamentals_done(self, message: FundamentalsDone) -> None:
        self.running = False
        self.changes = message.changes
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("rank", "change", "attacker success", "time to detection", "records lost")
        for i, c in enumerate(message.changes, 1):
            table.add_row(
                str(i), c.name,
                f"{c.success.mean * 100:+.0f} pts [{c.success.low * 100:+.0f}, {c.success.high * 100:+.0f}]",
                f"{c.detection.mean / 60:+.1f} h [{c.detection.low / 60:+.1f}, {c.detection.high / 60:+.1f}]",
                f"{c.data_lost.mean:+,.0f}",
            )
        self.query_one("#effect-chart", BarChart).set_items(
            [(c.name, c.success.mean, f"{c.success.mean * 100:+.0f}") for c in message.changes])
        self.query_one("#verdict", Static).update(message.verdict)
        self.query_one("#fund-status", Static).update("done. Paired differences on common seeds [95% interval].")
