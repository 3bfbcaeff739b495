"""The player view (tui/player.py): a read-only app over the facilitator's live file.

Snapshots: pytest tests/ui/test_player.py --snapshot-update
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path

import pytest

from tests.ui.conftest import wait_for
from tui.player import PlayerApp, main
from tui.widgets.player import LiveFileError, PlayerView, read_live

STATE = {
    "kind": "tabletop-player-view",
    "version": 1,
    "title": "espionage-tech: Espionage at a tech company",
    "clock": "Tue 10:40 (day 3)",
    "ended": False,
    "status": "paused",
    "feed": [
        {"time": 600.0, "clock": "Mon 09:10", "kind": "alert",
         "text": "EDR alert: T1566 Phishing on ws-03 (succeeded)"},
        {"time": 1234.5, "clock": "Tue 10:40", "kind": "alert",
         "text": "EDR alert escalated: T1021 Remote Services from ws-03 to db-01 (succeeded)"},
        {"time": 1240.0, "clock": "Tue 10:41", "kind": "order", "text": "IR lead ordered: isolate ws-03"},
        {"time": 1250.0, "clock": "Tue 10:42", "kind": "note", "text": "Legal asks whether customer data left"},
    ],
    "known_hosts": [
        {"id": "ws-03", "zone": "corp", "status": "compromised"},
        {"id": "db-01", "zone": "data", "status": "seen"},
        {"id": "web-portal-01", "zone": "dmz", "status": "isolated"},
    ],
    "known_accounts": [{"id": "svc-deploy", "status": "stolen"}, {"id": "alice", "status": "reset"}],
    "orders": [
        {"n": 1, "kind": "isolate_host", "label": "isolate ws-03", "owner": "IR lead", "requested": "Tue 10:40",
         "due": "Tue 11:25", "done": None, "status": "requested",
         "cost": "about 45 min of IR time; ws-03 out of service until cleaned"},
        {"n": 2, "kind": "reset_credentials", "label": "reset svc-deploy", "owner": "IT ops",
         "requested": "Tue 10:41", "due": "Tue 12:00", "done": "Tue 11:50", "status": "done",
         "cost": "deploys paused for an hour"},
    ],
    "inject": {
        "clock": "Tue 10:40",
        "title": "Lateral movement toward the database",
        "questions": ["Who decides whether db-01 is taken offline?", "What do you tell the business owner?"],
        "handout": "From: soc@example.test\nSubject: escalation\n\n10:39 db-01 logon svc-deploy from ws-03",
    },
    "injects_shown": 3,
    "an_unknown_key": {"ignored": True},
}


def write_live(path: Path, state) -> None:
    """The facilitator's way: a temporary file, then an atomic replace."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(state if isinstance(state, str) else json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def screen_text(app) -> str:
    """What the terminal shows, as plain text with every run of blanks and line ends made one space (so a message
    wrapped over two rows still reads as one)."""
    update = app.screen._compositor.render_full_update(simplify=True)
    return " ".join(" ".join("".join(strip.text for strip in line) for line in update.strips).split())


async def shows(pilot, *texts: str, timeout: float = 30.0) -> str:
    """Wait until the screen shows every one of ``texts`` (the panels repaint one after another); return the screen's
    text."""
    await wait_for(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), timeout)
    return screen_text(pilot.app)


async def gone(pilot, shown: str, message: str, timeout: float = 30.0) -> None:
    """Wait until the screen shows ``shown`` and no longer ``message`` (the panels repaint one after another: on a
    loaded machine the new state's panel can show before the message's panel clears); fails if it never does."""
    await wait_for(pilot, lambda: shown in (t := screen_text(pilot.app)) and message not in t, timeout)


@pytest.fixture
def live(tmp_path) -> Path:
    path = tmp_path / "live.json"
    write_live(path, STATE)
    return path


async def test_shows_inject_feed_hosts_accounts_orders(live):
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        text = await shows(pilot, "Lateral movement toward the database")
        for expected in ["espionage-tech: Espionage at a tech company", "Tue 10:40 (day 3)", "PAUSED",
                         "Current inject", "• Who decides whether db-01 is taken offline?", "From: soc@example.test",
                         "10:39 db-01 logon svc-deploy from ws-03", "Alerts and responses",
                         "EDR alert: T1566 Phishing on ws-03 (succeeded)", "Legal asks whether customer data left",
                         "Known hosts", "web-portal-01", "compromised", "Known accounts", "svc-deploy", "stolen",
                         "Orders", "isolate ws-03", "IR lead", "due Tue 11:25", "done Tue 11:50", "requested",
                         "deploys paused for an hour"]:
            assert expected in text, expected
        assert "waiting for the facilitator" not in text
        assert app.query_one(PlayerView).has_class("-wide")


async def test_narrow_terminal_stacks_and_scrolls(live):
    app = PlayerApp(live)
    async with app.run_test(size=(80, 24)) as pilot:
        await shows(pilot, "Lateral movement toward the database")
        view = app.query_one(PlayerView)
        assert not view.has_class("-wide")
        body = app.query_one("#pv-body")
        assert body.max_scroll_y > 0 and "Orders" not in screen_text(app)
        body.scroll_end(animate=False)
        await shows(pilot, "reset svc-deploy")


async def test_updates_when_the_file_is_replaced_and_only_then(live):
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        await shows(pilot, "Lateral movement toward the database")
        reads = app.reads
        await pilot.pause(1.2)  # two polls or more, nothing changed
        assert app.reads == reads
        state = copy.deepcopy(STATE)
        state["clock"] = "Tue 11:55 (day 3)"
        state["status"] = "playing"
        state["inject"] = {"clock": "Tue 11:55", "title": "Data staged for exfiltration",
                           "questions": ["Block egress?"]}
        state["feed"].append({"time": 1300.0, "clock": "Tue 11:55", "kind": "response",
                              "text": "ws-03 isolated by IR lead"})
        state["known_hosts"][0]["status"] = "isolated"
        state["orders"][0].update(done="Tue 11:20", status="done")
        write_live(live, state)
        expected = ["Tue 11:55 (day 3)", "PLAYING", "• Block egress?", "ws-03 isolated by IR lead", "done Tue 11:20"]
        text = await shows(pilot, "Data staged for exfiltration", *expected)
        for e in expected:
            assert e in text, e
        assert "Lateral movement toward the database" not in text
        assert "handout" not in text
        assert app.reads == reads + 1


async def test_feed_follows_new_entries(live):
    state = copy.deepcopy(STATE)
    state["feed"] = [{"clock": f"Tue {10 + i // 60}:{i % 60:02d}", "kind": "alert", "text": f"alert number {i}"}
                     for i in range(60)]
    write_live(live, state)
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        await shows(pilot, "alert number 59")
        state["feed"].append({"clock": "Tue 11:00", "kind": "response", "text": "the newest entry"})
        write_live(live, state)
        text = await shows(pilot, "the newest entry")
        assert "alert number 0 " not in text


async def test_text_from_the_file_is_never_markup(live):
    state = copy.deepcopy(STATE)
    state["title"] = "[b]not bold[/b] [link=https://example.test]x[/link]"
    state["known_hosts"] = [{"id": "[/]", "zone": "[@click=app.quit]", "status": "[red]compromised"},
                            {"id": "[bold", "zone": "\x1b[2Jzone", "status": "seen"}]
    state["known_accounts"] = [{"id": "[@click=app.quit]", "status": "stolen"}]
    state["feed"] = [{"clock": "[/]", "kind": "[alert]", "text": "[@click=app.quit]click me[/]"}]
    state["inject"] = {"title": "[reverse]inject[/reverse]", "questions": ["[i]why?[/i]"],
                       "handout": "[/]\n[@click=app.bell]"}
    state["orders"] = [{"n": "[1]", "label": "[@click=app.quit]", "owner": "[/owner]", "status": "[x]"}]
    write_live(live, state)
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        text = await shows(pilot, "[reverse]inject[/reverse]")
        for literal in ["[b]not bold[/b] [link=https://example.test]x[/link]", "[/]", "[@click=app.quit]",
                        "[red]compromised", "[bold", "�[2Jzone", "[@click=app.quit]click me[/]", "[i]why?[/i]",
                        "[@click=app.bell]", "[/owner]"]:
            assert literal in text, literal
        assert "\x1b" not in text
        for _ in range(3):  # clicking everywhere the text is must not run an action
            await pilot.click(offset=(20, 3))
            await pilot.click("#pv-hosts", offset=(4, 3))
        assert app.is_running


async def test_odd_values_are_shown_not_crashed_on(live):
    write_live(live, {"kind": "tabletop-player-view", "feed": [1, None, "x", {"text": 5}, {"kind": None}],
                      "known_hosts": {"not": "a list"}, "known_accounts": [[1, 2]], "orders": [{"n": 1.0}],
                      "inject": {"title": 7, "questions": "just one question", "handout": ["a", "b"]},
                      "injects_shown": True, "status": None, "ended": True, "clock": 3.5})
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        text = await shows(pilot, "just one question")
        assert "ENDED" in text and "No host known yet." in text and "3.5" in text
        assert "waiting for the facilitator" not in text


FIFO_OK = hasattr(os, "mkfifo")


@pytest.mark.parametrize("kind,reason", [
    ("missing", "no file at"),
    ("empty", "is empty"),
    ("junk", "is not complete JSON"),
    ("partial", "is not complete JSON"),
    ("not-utf8", "is not UTF-8"),
    ("wrong-kind", "is not a player-view file (kind 'tabletop-session'"),
    ("list", "is not a player-view file (a JSON list"),
    ("version", "has version 2"),
    ("directory", "is not a regular file"),
    pytest.param("fifo", "is not a regular file", marks=pytest.mark.skipif(not FIFO_OK, reason="no mkfifo")),
])
async def test_bad_files_show_the_waiting_message(tmp_path, kind, reason):
    path = tmp_path / "live.json"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "junk":
        path.write_text("this is { not json", encoding="utf-8")
    elif kind == "partial":
        path.write_text(json.dumps(STATE)[:200], encoding="utf-8")
    elif kind == "not-utf8":
        path.write_bytes(b'{"kind": "tabletop-player-view", "title": "\xff\xfe"}')
    elif kind == "wrong-kind":
        write_live(path, {**STATE, "kind": "tabletop-session"})
    elif kind == "list":
        write_live(path, [STATE])
    elif kind == "version":
        write_live(path, {**STATE, "version": 2})
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    app = PlayerApp(path)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await shows(pilot, reason)
        assert "waiting for the facilitator's session: " in text
        assert "Lateral movement" not in text
        assert app.query_one(PlayerView).state is None
        if kind == "missing":  # the facilitator starts later: the view picks the file up
            write_live(path, STATE)
            await gone(pilot, "Lateral movement toward the database", "waiting for the facilitator")


async def test_a_bad_file_after_a_good_one_keeps_the_last_state_under_the_message(live):
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        await shows(pilot, "Lateral movement toward the database")
        live.write_text("{\"kind\": \"tabletop-pl", encoding="utf-8")
        text = await shows(pilot, "waiting for the facilitator's session")
        assert "(showing the last state read)" in text and "Lateral movement toward the database" in text
        write_live(live, {**STATE, "title": "back again"})
        await gone(pilot, "back again", "waiting for the facilitator")


async def test_shows_what_the_facilitator_writes(tmp_path):
    """End to end with the real writer: a facilitator session's live file, as simulator/facilitator.py writes it."""
    from simulator.facilitator import Facilitator
    from simulator.loader import load

    fac = Facilitator(load("espionage-tech"), 13, automation="manual")
    for _ in range(10):
        if fac.player_state()["inject"] is not None:
            break
        fac.next_inject()
    live = fac.write_live(tmp_path / "live.json")
    state = fac.player_state()
    assert state["inject"] is not None
    app = PlayerApp(live)
    async with app.run_test(size=(160, 48)) as pilot:
        text = await shows(pilot, state["clock"])
        assert "waiting for the facilitator" not in text
        assert " ".join(state["inject"]["title"].split())[:40] in text
        for h in state["known_hosts"]:
            assert h["id"] in text


def test_read_live_refuses_a_fifo_without_blocking(tmp_path):
    if not FIFO_OK:
        pytest.skip("no mkfifo on this platform")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    with pytest.raises(LiveFileError, match="not a regular file"):
        read_live(fifo)
    assert time.monotonic() - t0 < 1


def test_read_live_refuses_a_file_over_the_cap(tmp_path, monkeypatch):
    import tui.widgets.player as player

    monkeypatch.setattr(player, "MAX_BYTES", 100)
    path = tmp_path / "big.json"
    write_live(path, {**STATE})
    with pytest.raises(LiveFileError, match="larger than"):
        read_live(path)


def test_read_live_returns_the_document(live):
    assert read_live(live)["inject"]["title"] == "Lateral movement toward the database"


def test_bad_arguments_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main([str(tmp_path)])
    assert e.value.code == 2
    assert "is a directory" in capsys.readouterr().err


async def test_read_only_keys():
    """No binding changes anything: q quits, and there is no command palette."""
    app = PlayerApp("/nonexistent/live.json")
    assert [b.key for b in app.BINDINGS] == ["q"]
    async with app.run_test(size=(80, 24)) as pilot:
        await shows(pilot, "no file at /nonexistent/live.json yet")
        await pilot.press("ctrl+p")
        assert len(app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def _shown(pilot_app_text: str):
    async def run_before(pilot):
        await shows(pilot, pilot_app_text)
        await pilot.pause(0.1)

    return run_before


def test_snapshot_80x24(snap_compare, live):
    assert snap_compare(PlayerApp(live), terminal_size=(80, 24),
                        run_before=_shown("Lateral movement toward the database"))


def test_snapshot_160x48(snap_compare, live):
    assert snap_compare(PlayerApp(live), terminal_size=(160, 48),
                        run_before=_shown("Lateral movement toward the database"))
