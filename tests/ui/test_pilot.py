"""Every screen flow, driven through Textual's pilot as a user would, at 80x24."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from tests.ui.conftest import TINY, wait_for
from tui import create_app
from tui.screens.errors import ErrorScreen

SIZE = (80, 24)


async def test_setup_shows_the_scenario():
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        info = app.screen.query_one("#scenario-info", Static)
        assert "tiny" in str(info.render())
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.screen.__class__.__name__ == "SetupScreen"


async def test_opening_a_bad_file_shows_its_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(TINY).read().replace("  - {id: corp}\n", "  - {id: corp, colour: red}\n"))
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#path")
        app.screen.query_one("#path", Input).value = str(bad)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        text = str(app.screen.query_one("#error-problems", Static).render())
        assert f"{bad}:" in text and "zones.1.colour: unknown field" in text
        await pilot.press("escape")
        assert app.screen.__class__.__name__ == "SetupScreen"
        assert app.loaded.scenario.name == "tiny"  # the good scenario is still the one in use


async def test_a_bad_scenario_on_the_command_line_opens_a_dialog(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    app = create_app(str(bad), workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "field required" in str(app.screen.query_one("#error-problems", Static).render())


async def test_compare_runs_and_fills_the_table():
    app = create_app(TINY, workers=1, runs=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.get_screen("compare")
        await wait_for(pilot, lambda: not screen.running and screen.summaries)
        table = screen.query_one(DataTable)
        assert table.row_count == 12
        assert len(screen.summaries) == 12 and all(s.runs == 8 for s in screen.summaries)
        assert "done: 96 runs" in str(screen.query_one("#compare-status", Static).render())


async def test_compare_shows_the_loss_of_a_scenario_with_a_loss_model():
    """A scenario with a loss model gets the loss column in the TUI as on the command line (the same cells)."""
    app = create_app("examples/scenarios/tiny-loss.yaml", workers=1, runs=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.get_screen("compare")
        await wait_for(pilot, lambda: not screen.running and screen.summaries)
        loss = next(c for c in screen.columns if c.name == "loss")
        assert loss.header.startswith("loss (EUR,") and all(" P90 " in cell for cell in loss.cells)


async def test_a_long_compare_can_be_cancelled_and_the_ui_stays_responsive():
    app = create_app(TINY, workers=1, runs=50_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.get_screen("compare")
        await wait_for(pilot, lambda: screen.running)
        await pilot.pause(0.3)
        await pilot.press("r")  # the UI answers while the runs go on
        assert app.screen.__class__.__name__ == "RunDetailScreen"
        await pilot.press("c")
        await pilot.press("x")
        await wait_for(pilot, lambda: not screen.running, timeout=30)
        assert "Cancelled" in str(screen.query_one("#compare-status", Static).render())
        assert not screen.summaries


async def test_fundamentals_ranks_the_changes():
    app = create_app(TINY, workers=1, runs=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        screen = app.get_screen("fundamentals")
        await wait_for(pilot, lambda: not screen.running and screen.changes)
        # 7 controls + the SOC's 2 automation settings + 3 automation jumps from manual
        assert screen.query_one(DataTable).row_count == 12
        verdict = str(screen.query_one("#verdict", Static).render())
        assert verdict.startswith(("Upgrading", "Moving", "No single change"))


async def test_sensitivity_ranks_the_parameters():
    """Every factor ranked for both outputs, the charts filled, and the ranking follows the effect on success."""
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        screen = app.get_screen("sensitivity")
        await wait_for(pilot, lambda: not screen.running and screen.effects)
        from simulator.sensitivity import FACTORS, OUTPUTS

        table = screen.query_one(DataTable)
        assert table.row_count == len(FACTORS)
        success = [float(table.get_row_at(i)[1].split(" [")[0]) for i in range(table.row_count)]
        assert [abs(v) for v in success] == sorted((abs(v) for v in success), reverse=True) and success[0] != 0
        assert any(v < 0 for v in success) and any(v > 0 for v in success)  # signed: levers cut both ways
        assert {e.output for e in screen.effects} == set(OUTPUTS)
        assert screen.query_one("#success-chart").items and screen.query_one("#detection-chart").items
        assert "done." in str(screen.query_one("#sens-status", Static).render())


async def test_sensitivity_can_be_cancelled():
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        screen = app.get_screen("sensitivity")
        await wait_for(pilot, lambda: screen.running)
        await pilot.press("x")
        await wait_for(pilot, lambda: not screen.running)
        assert not screen.effects
        assert "Cancelled" in str(screen.query_one("#sens-status", Static).render())


async def test_run_detail_filters_and_toggles_the_view():
    app = create_app("espionage-tech", workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = app.get_screen("run")
        total = screen.query_one(DataTable).row_count
        assert total == len(screen.result.timeline)
        screen.query_one("#f-actor", Select).value = "human"
        await pilot.pause()
        humans = sum(1 for e in screen.result.timeline if e.actor == "human")
        assert screen.query_one(DataTable).row_count == humans < total
        screen.query_one("#f-actor", Select).value = "all"
        screen.query_one("#f-detected", Select).value = "yes"
        await pilot.pause()
        assert screen.query_one(DataTable).row_count == sum(1 for e in screen.result.timeline if e.detected)
        assert "TRUTH" in str(screen.query_one("#network", Static).render())
        await pilot.press("v")
        assert "DEFENDER'S VIEW" in str(screen.query_one("#network", Static).render())


async def test_command_palette_lists_the_screens():
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in ("Setup", "Compare", "Fundamentals", "Sensitivity", "Run detail", "Tabletop", "Help",
                     "Save session", "Save session as", "New exercise", "Player view", "What if", "Open session",
                     "After-action report", "Participants", "Next inject", "Give an order", "Undo order",
                     "Rewind", "Play to the end", "Pause"):
            assert name in titles


async def test_small_terminal_does_not_crash():
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=(40, 12)) as pilot:
        for key in ("r", "t", "n", "s"):
            await pilot.press(key)
        await pilot.resize_terminal(120, 40)
        await pilot.press("r")
        assert app.screen.__class__.__name__ == "RunDetailScreen"


async def test_setup_buttons_fit_at_80_columns_and_open_their_screens():
    from textual.widgets import Button

    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        buttons = list(app.screen.query("#go-row > Button").results(Button))
        assert [b.id for b in buttons] == ["go-compare", "go-fundamentals", "go-sensitivity", "go-run",
                                           "go-facilitator"]
        assert all(b.region.right <= SIZE[0] for b in buttons)
        app.screen.query_one("#go-sensitivity", Button).press()
        await pilot.pause()
        assert app.screen is app.get_screen("sensitivity")
        await pilot.press("x")


def test_defenders_view_counts_contained_hosts_as_known():
    """The defender isolates only hosts it knows are compromised: a zone's 'known' count includes them."""
    from types import SimpleNamespace

    from tui.screens.run_detail import network_view

    net = SimpleNamespace(zones=["dmz"], hosts=[SimpleNamespace(id=f"h{i}", zone="dmz") for i in range(4)])
    result = SimpleNamespace(owned_hosts=("h2",), known_hosts=("h0", "h1"), contained_hosts=("h0",), timeline=())
    view = network_view(net, result, truth=False).plain
    assert "dmz (4): known 2, contained 1" in view and "x!.." in view
    assert "dmz (4): held 1, contained 1" in network_view(net, result, truth=True).plain


async def test_markup_in_a_scenario_title_is_shown_as_written(tmp_path):
    """A title is text from a file: `[/]` must not crash the app, and a click action in it must not run."""
    text = open(TINY).read()
    bad = tmp_path / "markup.yaml"
    bad.write_text(text.replace("title: Tiny golden scenario", "title: \"[/] [@click=app.quit]press[/] [b\""),
                   encoding="utf-8")
    app = create_app(str(bad), workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        info = app.screen.query_one("#scenario-info", Static)
        assert "[@click=app.quit]press[/]" in str(info.render())
        await pilot.click("#scenario-info")
        assert app.is_running
        await pilot.press("t", "n")
        assert app.screen is app.get_screen("facilitator")


def _footer_keys(app) -> dict[str, object]:
    from textual.widgets._footer import FooterKey

    return {k.key: k for k in app.screen.query(FooterKey)}


async def test_compare_at_80_columns_keeps_the_labels_and_the_key_figures():
    """Issue 16: the labels frozen on the left, attacker success, time to detection and records next, all within 80
    columns; every other figure of the selected row one key (d) away; the footer keeps Help and Quit."""
    app = create_app(TINY, workers=1, runs=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.get_screen("compare")
        await wait_for(pilot, lambda: not screen.running and screen.summaries)
        table = screen.query_one(DataTable)
        assert table.fixed_columns == 2
        columns = list(table.columns.values())
        labels = [str(c.label).replace("\n", " ").strip() for c in columns]
        assert labels[:5] == ["automation", "posture", "attacker success", "time to detection (" +
                              labels[3].split("(")[1], labels[4]]
        assert labels[4].startswith("records")
        assert sum(c.get_render_width(table) for c in columns[:5]) <= SIZE[0] - 2
        await pilot.press("d")
        assert screen.has_class("-detail") and screen.query_one("#compare-detail").display
        assert not screen.query_one("#charts").display
        detail = str(screen.query_one("#compare-detail-text", Static).render())
        for word in ("time to objective", "dwell", "contained", "gates"):
            assert word in detail
        keys = _footer_keys(app)
        assert keys["question_mark"].region.right <= SIZE[0] and keys["q"].region.right <= SIZE[0]


async def test_compare_charts_draw_every_bar_grouped_by_posture():
    app = create_app(TINY, workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.get_screen("compare")
        await wait_for(pilot, lambda: not screen.running and screen.summaries)
        for chart in ("#success-chart", "#detect-chart"):
            bars = screen.query_one(chart)
            assert len(bars.items) == 12 and {i.group for i in bars.items} == {"weak", "baseline", "hardened"}
            assert bars.size.height >= 1 + 12 + 3  # title, every bar, a heading per posture


def test_a_median_of_few_runs_is_flagged_and_does_not_set_the_scale():
    from textual.geometry import Size

    from tui.widgets.bars import BarChart, Item

    class Sized(BarChart):
        size = Size(40, 4)  # render without an app, at 40 cells

    chart = Sized("t")
    chart.set_items([Item("a", 10.0, "10 h"), Item("b", 100.0, "100 h (n=2)", few=True)])
    title, a, b, note = chart.render().plain.splitlines()
    assert a.count("█") == b.count("█") + 1 > 15  # the sound bar sets the scale: full width
    assert "▸" in b and "▸" not in a  # the few-run bar is cut there, and says so
    assert "(n=K)" in note


async def test_run_detail_at_80_columns_shows_whole_host_names_and_the_result():
    app = create_app("espionage-tech", workers=1, runs=5, seed=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = app.get_screen("run")
        await pilot.pause()
        table = screen.query_one("#timeline", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:3] == ["when", "host", "result"] and table.fixed_columns == 1
        widths = [c.get_render_width(table) for c in table.columns.values()]
        assert sum(widths[:3]) <= SIZE[0]
        hosts = [e.host for e in screen.result.timeline if e.host]
        assert widths[1] - 2 >= max(map(len, hosts))
        summary = str(screen.query_one("#run-summary").render())  # why it ended and what the response cost
        assert "Ended: " in summary and "Response cost: " in summary
        assert f"{screen.result.credentials_reset} credentials reset" in summary
        assert screen.has_class("-narrow") and not screen.query_one("#network").display
        await pilot.press("m")
        assert screen.query_one("#network").display and not table.display
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not screen.has_class("-narrow") and screen.query_one("#network").display and table.display


async def test_fundamentals_chart_shows_the_automation_bars_at_80x24():
    """The verdict sets the first control against the largest automation jump: both are on screen."""
    app = create_app(TINY, workers=1, runs=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        screen = app.get_screen("fundamentals")
        await wait_for(pilot, lambda: not screen.running and screen.changes)
        chart = screen.query_one("#effect-chart")
        assert chart.items[0].group == "attacker from manual to"
        pane = screen.query_one("#fund-charts")
        assert pane.size.height >= 1 + 1 + 3 + 1 + 1  # title, heading, 3 jumps, heading, the first control
        assert chart.region.y + 7 <= pane.region.bottom


async def test_comparisons_reuse_one_warm_pool_of_workers():
    """With several workers the app starts its worker processes once, when it opens, and every comparison runs on
    them (no interpreter start per comparison); the results are those of one worker; quitting stops them."""
    from simulator import sweep
    from simulator.stats import summarize
    from tui.screens.compare import compare_params

    app = create_app(TINY, workers=2, runs=6)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: 2 in sweep._WARM)  # started after the first paint
        pool = sweep._WARM[2]
        pids = []
        for seed in (0, 3):
            app.settings.seed = seed
            screen = app.get_screen("compare")
            if seed == 0:
                await pilot.press("c")
            else:
                screen.summaries = None
                screen.action_start()
            await wait_for(pilot, lambda s=screen: not s.running and s.summaries)
            assert sweep._WARM.get(2) is pool
            pids.append(sorted(pool._processes))
            alone = sweep.collect(sweep.spec_for(app.loaded, compare_params(app.settings), 6, seed), 1)
            assert screen.summaries == [summarize(alone[i]) for i in range(len(alone))]
        assert len(pids[0]) == 2 and pids[0] == pids[1]
    assert not sweep._WARM


def test_a_kept_pool_that_breaks_is_started_again():
    """A worker of the kept pool killed (out of memory, say): that comparison fails, the next one runs on a fresh
    kept pool, with the same results."""
    import os
    import signal
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    from simulator import sweep
    from simulator.loader import load

    loaded = load(TINY)
    cells = [(("automation", "manual"), ("posture", "baseline"))]
    sweep.keep_warm(2)
    try:
        pool = sweep._WARM[2]
        pool.submit(int).result()  # the workers are up
        os.kill(next(iter(pool._processes)), signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            sweep.collect(sweep.spec_for(loaded, cells, 4, 0), 2)
        again = sweep.collect(sweep.spec_for(loaded, cells, 4, 0), 2)
        assert sweep._WARM[2] is not pool
        assert again == sweep.collect(sweep.spec_for(loaded, cells, 4, 0), 1)
    finally:
        sweep.release_warm()
    assert not sweep._WARM
