"""Run detail: one seeded run's timeline, filterable, beside a network view by zone (truth or defender's view)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Select, Static

from simulator.loader import preset_names
from simulator.report_text import end_text, outcome_text, response_text
from simulator.units import clock, duration
from tui.widgets.table import fill

PHASES = ("planning", "reconnaissance", "initial-access", "discovery", "credential-access", "lateral-movement",
          "privilege-escalation", "collection", "exfiltration")


def network_view(net, result, truth: bool) -> Text:
    """Hosts by zone: in the truth, held (#) and contained (x); in the defender's view, known (!) and contained (x)."""
    owned = set(result.owned_hosts)
    known = set(result.known_hosts)
    contained = set(result.contained_hosts)
    ever = {e.host for e in result.timeline if e.success and e.phase in ("initial-access", "lateral-movement")}
    out = Text("TRUTH" if truth else "DEFENDER'S VIEW", style="bold")
    out.append("  (v toggles)\n")
    for zone in net.zones:
        hosts = [h.id for h in net.hosts if h.zone == zone]
        marks = Text()
        counts = {"held": 0, "known": 0, "contained": 0}
        for hid in hosts:
            if hid in contained:
                marks.append("x", style="bold yellow")
                counts["contained"] += 1
            elif truth and hid in owned:
                marks.append("#", style="bold red")
                counts["held"] += 1
            elif truth and hid in ever:
                marks.append("+", style="red")
            elif not truth and hid in known:
                marks.append("!", style="bold magenta")
                counts["known"] += 1
            else:
                marks.append(".", style="dim")
        # the defender isolates only hosts it knows are compromised: 'known' counts the contained ones too
        detail = (f"held {counts['held']}" if truth else f"known {counts['known'] + counts['contained']}") + \
            f", contained {counts['contained']}"
        out.append(f"{zone} ({len(hosts)}): {detail}\n", style="bold")
        out.append(marks)
        out.append("\n")
    legend = "# held  + was held  x contained  . clean" if truth else "! known compromised  x contained  . no alert"
    out.append(legend, style="dim")
    return out


class RunDetailScreen(Screen):
    """One run, seen event by event."""

    BINDINGS = [Binding("v", "toggle_view", "Truth/defender"), Binding("m", "toggle_map", "Timeline/network")]
    NARROW = 120
    """Below this width the network view is one key (m) away instead of beside the timeline."""

    def __init__(self) -> None:
        super().__init__()
        self.truth = True
        self.result = None
        self.net = None

    def compose(self) -> ComposeResult:
        s = self.app.settings
        yield Header()
        with Horizontal(classes="row"):
            yield Select([(n, n) for n in preset_names("automation")], value=self._default_level(), allow_blank=False,
                         id="run-level", compact=True)
            yield Select([(n, n) for n in preset_names("posture")], value=self._default_posture(), allow_blank=False,
                         id="run-posture", compact=True)
            yield Input(str(s.seed), id="run-seed", type="integer", compact=True)
            yield Button("Run", id="run-go", variant="primary", compact=True)
        with Horizontal(classes="row"):
            yield Select([("all phases", "all")] + [(p, p) for p in PHASES], value="all", allow_blank=False,
                         id="f-phase", compact=True)
            yield Select([("human and AI", "all"), ("human", "human"), ("AI", "ai")], value="all", allow_blank=False,
                         id="f-actor", compact=True)
            yield Select([("detected or not", "all"), ("detected", "yes"), ("undetected", "no")], value="all",
                         allow_blank=False, id="f-detected", compact=True)
        yield Static("", classes="status", id="run-summary", markup=False)
        with Horizontal(id="run-body"):
            yield DataTable(id="timeline", zebra_stripes=True, cursor_type="row", fixed_columns=1)
            yield Static("", id="network")
        yield Footer()

    def _default_level(self) -> str:
        return self.app.loaded.attacker.preset

    def _default_posture(self) -> str:
        return self.app.loaded.posture.preset

    def on_mount(self) -> None:
        self.execute()

    def execute(self) -> None:
        """Run the chosen cell and seed (one run takes milliseconds, so it runs here)."""
        from simulator.build import compile_scenario
        from simulator.engine import run

        level = self.query_one("#run-level", Select).value
        posture = self.query_one("#run-posture", Select).value
        text = self.query_one("#run-seed", Input).value.strip()
        seed = int(text) if text.isdigit() else 0
        l2 = self.app.loaded.with_presets(automation=str(level), posture=str(posture))
        compiled = compile_scenario(l2.scenario, l2.attacker, l2.posture)
        self.net = compiled.net
        self.result = run(compiled, seed)
        r = self.result
        cost = response_text(r).strip()
        self.query_one("#run-summary", Static).update(
            f"{r.scenario} | {r.automation} vs {r.posture} | seed {seed}: {outcome_text(r)}. "
            f"IA {duration(r.time_to_initial_access)}, detection {duration(r.time_to_first_detection)}, "
            f"objective {duration(r.time_to_objective)}; {r.hosts_compromised} hosts; AI share "
            f"{'-' if r.ai_share is None else f'{r.ai_share:.0%}'}. Ended: {end_text(r)}. "
            f"{cost[:1].upper()}{cost[1:]}.")
        self.refresh_views()

    def refresh_views(self) -> None:
        if self.result is None:
            return
        phase = self.query_one("#f-phase", Select).value
        actor = self.query_one("#f-actor", Select).value
        detected = self.query_one("#f-detected", Select).value
        rows = []
        for e in self.result.timeline:
            if phase != "all" and e.phase != phase:
                continue
            if actor != "all" and e.actor != actor:
                continue
            if detected == "yes" and not e.detected or detected == "no" and e.detected:
                continue
            res = "ok" if e.success else f"blocked:{e.blocked}" if e.blocked else "failed"
            if e.detected:
                res += " ALERT"
            if e.false_finding:
                res += " (false)"
            rows.append((clock(e.time), e.host or "-", res, e.actor, e.technique or "-", e.phase))
        # the host and the result first (never cut at 80 columns), the time frozen when scrolling right
        fill(self.query_one("#timeline", DataTable), ("when", "host", "result", "actor", "tech", "phase"), rows)
        self.query_one("#network", Static).update(network_view(self.net, self.result, self.truth))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("run-level", "run-posture"):
            if self.result is not None:
                self.execute()
        else:
            self.refresh_views()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run-go":
            self.execute()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.execute()

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < self.NARROW, "-narrow")

    def on_screen_resume(self) -> None:
        self.set_class(self.app.size.width < self.NARROW, "-narrow")

    def action_toggle_map(self) -> None:
        self.toggle_class("-map")

    def action_toggle_view(self) -> None:
        self.truth = not self.truth
        self.refresh_views()
