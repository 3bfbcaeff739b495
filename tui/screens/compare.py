"""Compare: the chosen cells on common seeds, computed off the UI thread, with a table and two charts.

The table shows the key figures first (attacker success, time to detection, records, best/worst) with the cell's
labels frozen on the left, so scrolling right never loses them; ``d`` swaps the charts for every figure of the
selected row. The charts draw every bar, one group per posture, in a scrolling pane.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from simulator.loader import preset_data
from simulator.tables import comparison_columns, estimate, time_unit
from tui.messages import CellsDone
from tui.screens.background import RunsScreen
from tui.widgets.bars import BarChart, Item
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


def key_first(columns: list) -> list:
    """The label columns, then the figures by importance (the table's reading order at any width)."""
    return sorted(columns, key=lambda c: c.priority)


def detail(columns: list, row: int) -> Text:
    """Every figure of one row, one per line, labelled."""
    labels = [c for c in columns if c.priority == 0]
    out = Text(" / ".join(c.cells[row] for c in labels), style="bold")
    figures = [(c.header.replace("\n", " ").strip() or c.title, c.cells[row]) for c in columns if c.priority]
    width = max((len(name) for name, _ in figures), default=0)
    for name, cell in figures:
        out.append("\n" + name.ljust(width) + "  ", style="dim")
        out.append(cell or "-")
    return out


class CompareScreen(RunsScreen):
    """Runs happen in a worker thread; the UI stays responsive and the run can be cancelled."""

    BINDINGS = [Binding("d", "toggle_detail", "Details/charts")]
    status_id = "compare-status"

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list = []
        self.columns: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Compare", classes="title", id="compare-title", markup=False)
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", classes="status", id="compare-status", markup=False)
        yield DataTable(id="table", zebra_stripes=True, cursor_type="row", fixed_columns=2)
        with VerticalScroll(id="charts"):
            with Horizontal(id="charts-row"):
                yield BarChart("attacker success", scale=1.0, style="red", id="success-chart")
                yield BarChart("median time to detection", style="cyan", id="detect-chart")
        yield VerticalScroll(Static("", id="compare-detail-text"), id="compare-detail")
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
            losses = None
            if loaded.scenario.loss is not None:  # the scenario's loss model: money per run, as compare prints it
                from simulator.loss import estimate as loss_estimate

                losses = [loss_estimate(by_cell[i], loaded.scenario.loss) for i in range(len(cells))]
            return CellsDone([summarize(by_cell[i]) for i in range(len(cells))], losses)

        self.launch(len(cells) * runs, job)

    def on_cells_done(self, message: CellsDone) -> None:
        summaries = message.summaries
        cols = comparison_columns(summaries, message.losses) if summaries else []
        self.columns = key_first([c for c in cols if c.priority or c.name in ("automation", "posture")])
        table = self.query_one(DataTable)
        fill(table, [c.header for c in self.columns], list(zip(*(c.cells for c in self.columns), strict=True)))
        success, detect = [], []
        unit, size = time_unit([s.time_to_detection.value for s in summaries])
        for s in summaries:
            group, label = str(s.value("posture")), str(s.value("automation"))
            success.append(Item(label, s.success.value or 0.0, f"{(s.success.value or 0):.0%}", group=group))
            e = s.time_to_detection
            few = e.value is not None and e.low is None
            text = "-" if e.value is None else f"{estimate(e.value, scale=size)} {unit}"
            text += f" (n={e.n})" if few else ""
            detect.append(Item(label, e.value, text, few=few, group=group))
        self.query_one("#success-chart", BarChart).set_items(success)
        self.query_one("#detect-chart", BarChart).set_items(detect)
        self.show_detail(table.cursor_row)
        self.status(f"done: {sum(s.runs for s in summaries)} runs; shares [Wilson 95%], medians [95%]. d: details")
        self.summaries = summaries  # set last: tests and callers wait on it for a filled screen
        self.running = False

    def show_detail(self, row: int) -> None:
        if self.columns and 0 <= row < len(self.columns[0].cells):
            self.query_one("#compare-detail-text", Static).update(detail(self.columns, row))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(event.cursor_row)

    def action_toggle_detail(self) -> None:
        self.toggle_class("-detail")
