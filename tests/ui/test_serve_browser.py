"""The player view served to a real browser: tui.serve.serve() in a subprocess, headless Chromium through Playwright.

The page draws the terminal on a canvas (xterm.js with its canvas renderer), so its text is not in the DOM. The test
reads what the terminal shows from xterm's own buffer: an init script catches the page's ``Terminal`` object when
textual-serve's script stores it (``this.terminal = new Terminal(...)``), and ``buffer.active.getLine(i)
.translateToString()`` gives each row as drawn. A screenshot of the page is saved under pytest's tmp_path.

Skipped only when /usr/bin/chromium is missing or playwright is not installed (.ci/run installs Debian's chromium).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]

TRUTH_ONLY = "crown-jewel-vault-7 reached by the attacker"
"""What the facilitator's side knows and the room must not see: written beside the live file, never in it."""

INJECT_TITLE = "Lateral movement toward the finance database"
STATE = {
    "kind": "tabletop-player-view", "version": 1,
    "title": "espionage-tech: Espionage at a tech company", "clock": "Tue 10:40 (day 3)", "ended": False,
    "status": "paused",
    "feed": [{"time": 1234.5, "clock": "Tue 10:40", "kind": "alert",
              "text": "EDR alert escalated: T1021 Remote Services from ws-03 to db-01 (succeeded)"}],
    "known_hosts": [{"id": "ws-03", "zone": "corp", "status": "compromised"},
                    {"id": "[@click=app.quit]", "zone": "dmz", "status": "seen"}],
    "known_accounts": [{"id": "svc-deploy", "status": "stolen"}],
    "orders": [{"n": 1, "kind": "isolate_host", "label": "isolate ws-03", "owner": "IR lead",
                "requested": "Tue 10:40", "due": "Tue 11:25", "done": None, "status": "requested",
                "cost": "about 45 min of IR time"}],
    "inject": {"clock": "Tue 10:40", "title": INJECT_TITLE, "questions": ["Who decides whether db-01 goes offline?"],
               "handout": "From: soc@example.test\nSubject: escalation"},
    "injects_shown": 2,
}

# Catch the page's xterm Terminal: textual-serve's script assigns it to `this.terminal` on a fresh object, which
# runs this setter (inherited from Object.prototype) once; the setter then gives the object an ordinary property.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && !window.__playerTerminal) window.__playerTerminal = value;
  },
});
"""
TERMINAL_TEXT = """() => {
  const term = window.__playerTerminal;
  if (term) {
    const buffer = term.buffer.active, rows = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      rows.push(line ? line.translateToString(true) : "");
    }
    return rows.join("\\n");
  }
  const dom = document.querySelector(".xterm-rows");
  return dom ? dom.innerText : "";
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


_SHUTDOWN_NOISE = re.compile(r"Exception ignored in: <function BaseSubprocessTransport\.__del__ at 0x[0-9a-f]+>\n"
                             r"Traceback \(most recent call last\):\n.*?RuntimeError: Event loop is closed\n?",
                             re.S)
"""asyncio's own complaint when the server is stopped (SIGTERM) while a viewer's subprocess transport is still being
collected after its event loop closed: a teardown race in the library, not an error while serving (seen once in
several CI runs). Only this exact message is ignored; any other traceback still fails the test."""


def _stop(proc: subprocess.Popen) -> str:
    """End the server, then whatever it started that is still running (its own process group); return its output."""
    if proc.stdout is None or proc.stdout.closed:
        return ""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # any viewer still running
    except ProcessLookupError:
        pass
    out, _ = proc.communicate(timeout=5)
    return out.decode("utf-8", "replace")


def test_player_view_in_headless_chromium(tmp_path, record_property):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not importable (pip install -e '.[dev]')")

    live = tmp_path / "live.json"
    _write(live, STATE)
    (tmp_path / "facilitator-session.json").write_text(json.dumps({"truth": TRUTH_ONLY}), encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", f"from tui.serve import serve; serve({str(live)!r}, port={port})"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    output = ""
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() - started > 10:
                    pytest.fail(f"the server did not start: {_stop(proc)}")
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 900})
                page.set_default_timeout(15_000)
                # Only the local server: the page also asks a web font host, which a test must not depend on.
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                           else route.abort())
                page.add_init_script(CATCH_TERMINAL)
                page.goto(base + "/", wait_until="domcontentloaded")
                start = page.locator("#start")
                if start.count() and start.is_visible():
                    start.click()
                page.wait_for_function(f"() => ({TERMINAL_TEXT})().includes({json.dumps(INJECT_TITLE)})")
                # The first frame can be drawn at the terminal's initial size: wait for the one at the page's size.
                page.wait_for_function(f"() => ({TERMINAL_TEXT})().includes('Known accounts')")
                page.wait_for_timeout(300)
                text = page.evaluate(TERMINAL_TEXT)
                html_text = page.inner_text("body")
                for expected in [INJECT_TITLE, "Tue 10:40 (day 3)", "PAUSED",
                                 "• Who decides whether db-01 goes offline?", "From: soc@example.test",
                                 "EDR alert escalated: T1021 Remote Services",
                                 "Known hosts", "ws-03", "[@click=app.quit]", "svc-deploy", "stolen",
                                 "isolate ws-03", "IR lead", "due Tue 11:25"]:
                    assert expected in text, f"{expected!r} not on the page's terminal:\n{text}"
                assert "waiting for the facilitator" not in text
                assert TRUTH_ONLY not in text and TRUTH_ONLY not in html_text
                assert "crown-jewel" not in text

                # The facilitator's next change reaches the open page (the viewer polls the file).
                _write(live, {**STATE, "status": "playing", "clock": "Tue 11:55 (day 3)",
                              "inject": {"clock": "Tue 11:55", "title": "Data staged for exfiltration"}})
                page.wait_for_function(f"() => ({TERMINAL_TEXT})().includes('Data staged for exfiltration')")
                text = page.evaluate(TERMINAL_TEXT)
                assert "PLAYING" in text and "Tue 11:55 (day 3)" in text and INJECT_TITLE not in text
                assert TRUTH_ONLY not in text

                shot = tmp_path / "player-view.png"
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 1000
                record_property("screenshot", str(shot))
                print(f"screenshot: {shot}")
            finally:
                browser.close()
    finally:
        output = _stop(proc)
    elapsed = time.monotonic() - started
    print(f"browser test took {elapsed:.1f} s")
    assert "Traceback" not in _SHUTDOWN_NOISE.sub("", output), output


def test_command_and_public_url():
    import shlex

    from tui.serve import default_public_url, main, player_command

    live = "dir with space/live's.json"
    assert shlex.split(player_command(live)) == [sys.executable, "-m", "tui.player", str(Path(live).resolve())]
    assert default_public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert default_public_url("localhost", 8080) == "http://localhost:8080"
    assert default_public_url("::1", 8000) == "http://[::1]:8000"
    assert default_public_url("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"
    for argv in ([], [str(ROOT)], ["live.json", "--port", "0"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
