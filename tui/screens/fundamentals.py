"""Fundamentals: each control upgraded alone against every automation jump from manual, ranked, as a table and a
chart."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from tui.messages import FundamentalsDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart, Item
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
        yield DataTable(id="ranked", zebra_stripes=True, cursor_type="row", fixed_columns=1)
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
        title = (f"{self.app.loaded.scenario.name}: from '{base}', each control alone to 'hardened' (against "
                 f"ai-orchestrated), and the attacker from manual to each level; {s.runs} runs a cell.")
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
        from simulator.tables import change_name, fundamentals_columns

        changes = message.changes
        cols = [c for c in fundamentals_columns(changes) if c.title != "rank"]  # the rows are in rank order
        fill(self.query_one(DataTable), [c.header for c in cols], list(zip(*(c.cells for c in cols), strict=True)))
        controls = [c for c in changes if c.kind != "automation"]
        upgrade = next((c.name.split(" -> ")[-1] for c in controls if " -> " in c.name), "hardened")

        def item(c) -> Item:  # grouped: the attacker's jumps, the controls upgraded, the defender's own automation
            text = f"{c.success.mean * 100:+.0f} pts"
            if c.kind == "automation":
                return Item(change_name(c).removeprefix("to "), c.success.mean, text, group="attacker from manual to")
            if ": " in c.name:
                group, label = c.name.split(": ", 1)
                return Item(label, c.success.mean, text, group=group)
            return Item(change_name(c), c.success.mean, text, group=f"control upgraded to {upgrade}")

        # the attacker's jumps first: the verdict sets the first control against the largest of them
        items = [item(c) for c in changes if c.kind == "automation"] + [item(c) for c in controls]
        order = list(dict.fromkeys(i.group for i in items))
        self.query_one("#effect-chart", BarChart).set_items(sorted(items, key=lambda i: order.index(i.group)))
        self.query_one("#verdict", Static).update(message.verdict)
        self.status("done. Paired differences on common seeds [95% interval].")
        self.changes = changes  # set last: tests and callers wait on it for a filled screen
        self.running = False
