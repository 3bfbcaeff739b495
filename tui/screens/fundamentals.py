"""Fundamentals: each control upgraded alone against every automation jump from manual, ranked, as a table and a
chart."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from tui.messages import FundamentalsDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart
from tui.widgets.table import fill


class FundamentalsScreen(RunsScreen):
    """Which change moves attacker success most? Computed off the UI thread."""

    status_id = "fund-status"

    def __init__(self) -> None:
        super().__init__()
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

    def action_start(self) -> None:
        from simulator import fundamentals as fm

        s = self.app.settings
        base = "baseline" if "baseline" in s.postures or not s.postures else s.postures[0]
        plan = fm.plan(self.app.loaded, base=base)
        title = (f"{self.app.loaded.scenario.name}: from '{base}', each control upgraded alone to 'hardened' against "
                 f"'ai-orchestrated', vs the attacker moving from manual to each other level; {s.runs} runs per "
                 "cell.")
        self.query_one("#fund-title", Static).update(title)
        loaded, runs, seed, workers = self.app.loaded, s.runs, s.seed, self.app.n_workers

        def job(tick, cancel):
            from simulator.sweep import collect, spec_for

            by_cell = collect(spec_for(loaded, plan.cells, runs, seed), workers, progress=tick, cancel=cancel,
                              max_chunk=20)
            changes = fm.analyse(plan, by_cell, loaded.scenario.horizon_days * 1440)
            return FundamentalsDone(changes, fm.verdict(changes, runs))

        self.launch(len(plan.cells) * runs, job)

    def on_fundamentals_done(self, message: FundamentalsDone) -> None:
        table = self.query_one(DataTable)
        fill(table, ("rank", "change", "attacker success", "time to detection", "records lost"), [
            (str(i), c.name,
             f"{c.success.mean * 100:+.0f} pts [{c.success.low * 100:+.0f}, {c.success.high * 100:+.0f}]",
             f"{c.detection.mean / 60:+.1f} h [{c.detection.low / 60:+.1f}, {c.detection.high / 60:+.1f}]"
             if c.detection.n else "- (never in both)",
             f"{c.data_lost.mean:+,.0f}")
            for i, c in enumerate(message.changes, 1)])
        self.query_one("#effect-chart", BarChart).set_items(
            [(c.name, c.success.mean, f"{c.success.mean * 100:+.0f}") for c in message.changes])
        self.query_one("#verdict", Static).update(message.verdict)
        self.status("done. Paired differences on common seeds [95% interval].")
        self.changes = message.changes  # set last: tests and callers wait on it for a filled screen
        self.running = False
