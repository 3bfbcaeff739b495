"""The Tabletop screen driven as a facilitator would: an exercise from flags, orders picked from what the defender
knows, notes that never play the run, confirmations, undo, rewind and branch, what if, save as, reopen, and the player
view that shows nothing the defender does not know."""

from __future__ import annotations

import html
import json
import re

from textual.widgets import Input, Select, Static

from simulator.facilitator import load_session
from tests.ui.conftest import wait_for
from tui import create_app
from tui.screens.dialogs import AskScreen, ConfirmScreen, PickScreen
from tui.widgets.player import PlayerView

SIZE = (80, 24)
BIG = (160, 48)


def _app(**kw):
    return create_app("espionage-tech", workers=1, runs=10, seed=0, automation="ai-orchestrated", tabletop=True, **kw)


async def _to_known(pilot, screen) -> None:
    """Play until the defender knows of a host it could isolate."""
    for _ in range(40):
        if screen.fac.targets("isolate_host"):
            return
        await pilot.press("n")
    raise AssertionError("the defender never learned of a host")


async def _order(pilot, screen, kind: str, target: str | None = None) -> None:
    screen.query_one("#decision", Select).value = kind
    await pilot.pause()
    if target is not None:
        sel = screen.query_one("#target", Select)
        assert target in [v for _, v in sel._options], "the target is offered in the list"
        sel.value = target
    screen.query_one("#apply").focus()
    await pilot.press("enter")


async def test_an_exercise_from_flags_with_orders_notes_undo_rewind_what_if_save_and_reopen(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = _app(live=str(tmp_path / "live.json"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.get_screen("facilitator")
        assert app.screen is screen
        assert (screen.fac.automation, screen.fac.seed) == ("ai-orchestrated", 0)
        await _to_known(pilot, screen)
        host = screen.fac.targets("isolate_host")[0]
        targets = [v for _, v in screen.query_one("#target", Select)._options if v is not Select.NULL]
        assert set(targets) <= set(screen.fac.known_hosts())  # only what the defender knows is offered
        await _order(pilot, screen, "isolate_host", host)
        assert [o.label for o in screen.fac.orders] == [f"isolate {host}"]
        assert screen.fac.orders[0].status == "requested"
        # focus is on the note: a typed word is a note, never keys (e: to the end, r: run detail)
        assert app.focused is screen.query_one("#note", Input)
        step = screen.fac.step
        await pilot.press(*"erin", "enter")
        assert app.screen is screen and screen.fac.step == step and not screen.fac.done
        assert screen.fac.notes[-1].text == "erin"
        await pilot.press("escape", "n")
        assert screen.fac.step > step
        await _order(pilot, screen, "block_egress")
        await pilot.press("escape", "u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert screen.fac.orders[-1].status == "cancelled"
        # rewind to the first inject, naming the branch left
        await pilot.press("w")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*" kept", "enter")
        await pilot.pause()
        assert screen.fac.orders == [] and len(screen.fac.branches) == 1
        assert screen.fac.branches[0]["label"].endswith("kept")
        await _to_known(pilot, screen)
        await _order(pilot, screen, "block_egress")
        await pilot.press("escape", "k")
        await wait_for(pilot, lambda: "WHAT IF" in str(screen.query_one("#counterfactual", Static).render()))
        text = str(screen.query_one("#counterfactual", Static).render())
        assert "Over 10 seeds" in text and "moved attacker success from" in text
        # e asks first
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert not screen.fac.done
        screen.action_participants()
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = "Ana: IR lead; Ben: SOC lead"
        await pilot.press("enter")
        assert screen.fac.participants == [{"name": "Ana", "role": "IR lead"}, {"name": "Ben", "role": "SOC lead"}]
        # save as: never overwrites silently
        (tmp_path / "taken.json").write_text("{}")
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, AskScreen)
        app.screen.query_one("#answer", Input).value = "taken.json"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert (tmp_path / "taken.json").read_text() == "{}"
        await pilot.press("ctrl+a")
        app.screen.query_one("#answer", Input).value = "mine.json"
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "mine.json").exists()
        live = json.loads((tmp_path / "live.json").read_text())
        assert live["orders"][0]["label"] == "block egress"
        mark = screen.fac.run.result().to_json()
        screen.action_report()  # the saved session's after-action report, from the palette
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = str(tmp_path / "aar.html")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "aar.html").exists(), timeout=60)
        assert "After-action report" in (tmp_path / "aar.html").read_text()
    again = load_session(tmp_path / "mine.json")
    assert again.run.result().to_json() == mark and len(again.branches) == 1
    assert again.participants[0] == {"name": "Ana", "role": "IR lead"}
    app2 = create_app(session=str(tmp_path / "mine.json"), workers=1, runs=5)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app2.get_screen("facilitator")
        assert app2.screen is screen and screen.fac.run.result().to_json() == mark
        assert "1 order, 0 notes" in str(screen.query_one("#fac-status", Static).render())


async def test_the_player_view_shows_only_what_the_defender_knows():
    app = _app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        screen = app.get_screen("facilitator")
        await _to_known(pilot, screen)
        for _ in range(3):
            await pilot.press("n")
        await pilot.press("v")
        view = screen.query_one("#fac-player", PlayerView)
        assert view.display and screen._player_shown()
        await pilot.pause()
        svg = app.export_screenshot()
        shown = html.unescape(" ".join(re.findall(r">([^<>]+)</text>", svg))).replace("\xa0", " ")
        net = screen.fac.compiled.net
        hosts = {h.id for h in net.hosts}
        named = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", shown)) & hosts
        assert named and named <= set(screen.fac.known_hosts())
        truth_only = {net.hosts[h].id for h in screen.fac.run.owned} - set(screen.fac.known_hosts())
        assert truth_only and not truth_only & named  # the attacker holds hosts the room does not see


async def test_setup_chooses_the_exercise_and_keeps_an_edited_seed_without_enter():
    app = create_app("espionage-tech", workers=1, runs=5)
    async with app.run_test(size=SIZE) as pilot:
        setup = app.screen
        setup.query_one("#fac-level", Select).value = "manual"
        setup.query_one("#fac-posture", Select).value = "hardened"
        seed = setup.query_one("#seed", Input)
        seed.value = "13"
        await pilot.pause()
        await pilot.press("escape", "t")
        screen = app.get_screen("facilitator")
        assert (screen.fac.automation, screen.fac.posture, screen.fac.seed) == ("manual", "hardened", 13)


async def test_quitting_with_unsaved_orders_asks_first():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.get_screen("facilitator")
        await _to_known(pilot, screen)
        await _order(pilot, screen, "block_egress")
        await pilot.press("escape", "q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.is_running


async def test_a_krbtgt_reset_is_offered_where_there_is_a_domain():
    """The Identity team can reset the domain's Kerberos key (krbtgt) from the orders list, with its cost named; two
    such orders evict forged tickets (golden tickets)."""
    app = create_app("examples/scenarios/university.yaml", workers=1, runs=10, seed=0, automation="ai-orchestrated",
                     tabletop=True)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        screen = app.get_screen("facilitator")
        screen.query_one("#decision", Select).value = "reset_credentials"
        await pilot.pause()
        sel = screen.query_one("#target", Select)
        labels = dict((v, str(label)) for label, v in sel._options)
        assert "Kerberos key" in labels["krbtgt"]
        await _order(pilot, screen, "reset_credentials", "krbtgt")
        await pilot.pause()
        assert "Kerberos tickets reissued" in str(screen.query_one("#order-plan", Static).render())
        assert [o.target for o in screen.fac.orders] == ["krbtgt"]
