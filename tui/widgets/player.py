"""The player view: what the room sees of a live facilitator session, read from the facilitator's live file.

Everything shown comes from that file (format below), never from the simulation, so the room sees what the
defenders know and nothing the facilitator's screen knows. All text from the file is shown literally: it goes into
``rich.text.Text`` objects (never parsed as markup), and control characters are replaced, so a host id such as
``[/]`` or ``[@click=app.quit]`` or an escape sequence is shown as characters, not acted on.

The live file (version 1) is one JSON object::

    {"kind": "tabletop-player-view", "version": 1, "title": ..., "clock": ..., "ended": false, "status": ...,
     "feed": [{"time", "clock", "kind", "text"}], "known_hosts": [{"id", "zone", "status"}],
     "known_accounts": [{"id", "status"}], "orders": [{"n", "kind", "label", "owner", "requested", "due", "done",
     "status", "cost"}], "inject": null | {"clock", "title", "questions", "handout"}, "injects_shown": N}

Unknown keys are ignored and missing ones read as empty.
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

KIND = "tabletop-player-view"
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024
"""A live file larger than this is refused (the facilitator's file is a few kilobytes to a few hundred)."""
MAX_FEED = 1000
"""The feed shows at most this many of the newest entries (with a line saying how many earlier ones are left out)."""
MAX_ROWS = 500
"""Likewise for each table."""
WIDE = 120
"""From this many columns the view is laid out side by side; below it, stacked and scrollable."""
ORDERS_WIDE = 100
"""From this many columns the orders table has a column for the cost; below it, the cost goes under the label."""

FEED_STYLE = {
    "alert": "bold red",
    "response": "green",
    "order": "cyan",
    "inject": "bold magenta",
    "backlog": "yellow",
    "restored": "green",
    "note": "italic",
}
STATUS_STYLE = {
    "compromised": "bold red",
    "stolen": "bold red",
    "isolated": "yellow",
    "cut off": "yellow",
    "reset": "green",
    "restored": "green",
    "seen": "dim",
    "requested": "yellow",
    "done": "green",
    "cancelled": "dim strike",
    "playing": "bold green",
    "paused": "bold yellow",
    "ended": "bold red",
}
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}


class LiveFileError(Exception):
    """The live file cannot be shown (yet); the message says why, for the waiting line."""


def read_live(path: str | os.PathLike) -> dict:
    """The live file's state, or ``LiveFileError`` with a one-line reason.

    Only regular files are opened (a FIFO or a device is refused from its ``stat``, and the open is non-blocking in
    case one replaces the file in between); at most ``MAX_BYTES`` are read, as UTF-8 JSON.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise LiveFileError(f"no file at {os.fspath(path)} yet") from None
    except OSError as e:
        raise LiveFileError(f"cannot read {os.fspath(path)}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise LiveFileError(f"{os.fspath(path)} is not a regular file")
    if st.st_size > MAX_BYTES:
        raise LiveFileError(f"{os.fspath(path)} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise LiveFileError(f"cannot open {os.fspath(path)}: {e.strerror or e}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LiveFileError(f"{os.fspath(path)} is not a regular file")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise LiveFileError(f"cannot read {os.fspath(path)}: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        raise LiveFileError(f"{os.fspath(path)} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise LiveFileError(f"{os.fspath(path)} is not UTF-8 text") from None
    if not text.strip():
        raise LiveFileError(f"{os.fspath(path)} is empty")
    try:
        state = json.loads(text)
    except (ValueError, RecursionError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise LiveFileError(f"{os.fspath(path)} is not complete JSON{where}") from None
    problem = check_state(state)
    if problem:
        raise LiveFileError(f"{os.fspath(path)} {problem}")
    return state


def check_state(state: Any) -> str | None:
    """Why ``state`` is not a player-view document (``None`` when it is one)."""
    if not isinstance(state, dict):
        return f"is not a player-view file (a JSON {type(state).__name__}, not an object)"
    if state.get("kind") != KIND:
        return f"is not a player-view file (kind {_plain(state.get('kind'))!r}, expected {KIND!r})"
    version = state.get("version", VERSION)
    if version != VERSION or isinstance(version, bool):
        return f"has version {_plain(version) or 'null'}; this viewer reads version {VERSION}"
    return None


def _plain(value: Any, multiline: bool = False) -> str:
    """``value`` as display text: ``None`` is empty, non-strings are ``str()``-ed, control characters replaced."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)
    if s.isprintable():  # the usual case: no control, format or separator character but the space
        return s
    out = []
    for ch in s:
        if ch == "\n" and multiline:
            out.append(ch)
        elif ch == "\t":
            out.append("    " if multiline else " ")
        elif ch in "\r\n":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc" or ord(ch) in _BIDI:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _text(value: Any, style: str = "", multiline: bool = False) -> Text:
    return Text(_plain(value, multiline), style=style)


def _items(state: dict, key: str) -> list[dict]:
    value = state.get(key)
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _status(value: Any) -> Text:
    s = _plain(value)
    return Text(s, style=STATUS_STYLE.get(s.lower(), ""))


def _left_out(n: int, what: str) -> Text:
    return Text(f"({n} earlier {what} not shown)", style="dim")


def status_line(state: dict) -> Text:
    """Title | clock | status."""
    status = _plain(state.get("status")) or ("ended" if state.get("ended") is True else "")
    parts = [_text(state.get("title") or "Tabletop exercise", "bold"), _text(state.get("clock")),
             _status(status.upper() if status else "")]
    return Text(" | ").join([p for p in parts if p.plain])


def inject_panel(inject: Any, shown: Any = None) -> RenderableType:
    """The current inject: title, questions as bullets, the handout in a box."""
    if not isinstance(inject, dict):
        return Text("No inject on the table yet.", style="dim")
    parts: list[RenderableType] = []
    head = Text()
    if _plain(inject.get("clock")):
        head.append_text(_text(inject.get("clock"), "bold"))
        head.append("  ")
    head.append_text(_text(inject.get("title") or "Inject", "bold magenta"))
    if isinstance(shown, int) and not isinstance(shown, bool) and shown > 0:
        head.append(f"  (inject {shown})", style="dim")
    parts.append(head)
    questions = inject.get("questions")
    if isinstance(questions, str):
        questions = [questions]
    if isinstance(questions, list) and questions:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for q in questions:
            grid.add_row(Text("•"), _text(q))
        parts.append(grid)
    handout = _plain(inject.get("handout"), multiline=True)
    if handout.strip():
        parts.append(Panel(Text(handout), box=box.ROUNDED, title="handout", title_align="left",
                           border_style="dim", expand=True))
    return Group(*parts)


def feed_grid(feed: list[dict]) -> RenderableType:
    """The feed, oldest first, as clock | kind | text with the text wrapped under itself."""
    if not feed:
        return Text("Nothing yet.", style="dim")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    rows = feed[-MAX_FEED:]
    if len(feed) > len(rows):
        grid.add_row(Text(), Text(), _left_out(len(feed) - len(rows), "entries"))
    for e in rows:
        kind = _plain(e.get("kind"))
        style = FEED_STYLE.get(kind.lower(), "")
        grid.add_row(_text(e.get("clock"), "dim"), Text(kind.upper(), style=style),
                     _text(e.get("text"), "" if kind.lower() != "note" else "italic"))
    return grid


def _table(headers: list[str], rows: list[list[Text]], empty: str, ratios: dict[str, int] | None = None
           ) -> RenderableType:
    """A table of ``rows``: the columns named in ``ratios`` share what the others' contents leave, and wrap; a status
    (one word) is never wrapped."""
    if not rows:
        return Text(empty, style="dim")
    table = Table(box=box.SIMPLE_HEAD, expand=True, padding=(0, 1), show_edge=False, header_style="bold")
    for h in headers:
        ratio = (ratios or {}).get(h)
        table.add_column(h, overflow="fold", ratio=ratio, min_width=8 if ratio else None, no_wrap=h in ("#", "Status"))
    shown = rows[-MAX_ROWS:]
    for r in shown:
        table.add_row(*r)
    if len(rows) > len(shown):
        return Group(_left_out(len(rows) - len(shown), "rows"), table)
    return table


def hosts_table(state: dict) -> RenderableType:
    rows = [[_text(h.get("id"), "bold"), _text(h.get("zone")), _status(h.get("status"))]
            for h in _items(state, "known_hosts")]
    return _table(["Host", "Zone", "Status"], rows, "No host known yet.")


def accounts_table(state: dict) -> RenderableType:
    rows = [[_text(a.get("id"), "bold"), _status(a.get("status"))] for a in _items(state, "known_accounts")]
    return _table(["Account", "Status"], rows, "No account known yet.")


def orders_table(state: dict, width: int = 200) -> RenderableType:
    """The orders; narrower than ``ORDERS_WIDE`` columns, each order's cost goes under its label."""
    compact = width < ORDERS_WIDE
    rows = []
    for o in _items(state, "orders"):
        done = _plain(o.get("done"))
        due = _plain(o.get("due"))
        when = Text(f"done {done}", style="green") if done else Text(f"due {due}" if due else "")
        label = _text(o.get("label") or o.get("kind"), "bold")
        cost = _text(o.get("cost"))
        if compact and cost.plain:
            label = Text("\n").join([label, Text("cost: ", style="dim") + cost])
        row = [_text(o.get("n"), "dim"), label, _text(o.get("owner")), _text(o.get("requested")), when,
               _status(o.get("status"))]
        rows.append(row if compact else [*row, cost])
    headers = ["#", "Order", "Owner", "Requested", "Due/done", "Status"]
    if compact:
        return _table(headers, rows, "No order given yet.", {"Order": 1})
    return _table([*headers, "Cost"], rows, "No order given yet.", {"Order": 2, "Cost": 3})


class _Orders:
    """The orders table laid out for the width it is drawn at (a Static redraws it on every resize)."""

    def __init__(self, state: dict) -> None:
        self.state = state

    def __rich_console__(self, console, options):
        yield orders_table(self.state, options.max_width)


class PlayerView(Widget):
    """The room's read-only view of a live session. ``show(state)`` updates it in place."""

    DEFAULT_CSS = """
    PlayerView {
        height: 1fr;
        layout: vertical;
    }
    PlayerView #pv-status {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    PlayerView #pv-waiting {
        height: auto;
        padding: 0 1;
        color: $warning;
        text-style: bold;
        display: none;
    }
    PlayerView.-waiting #pv-waiting {
        display: block;
    }
    PlayerView.-empty #pv-body {
        display: none;
    }
    PlayerView #pv-body {
        height: 1fr;
    }
    PlayerView .pv-box {
        height: auto;
        border: round $primary 60%;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    PlayerView #pv-left, PlayerView #pv-right {
        height: auto;
    }
    PlayerView #pv-feed {
        height: auto;
        max-height: 14;
    }
    PlayerView #pv-feed-text, PlayerView #pv-inject {
        height: auto;
    }
    PlayerView #pv-people {
        height: auto;
    }
    PlayerView #pv-hosts {
        width: 3fr;
    }
    PlayerView #pv-accounts {
        width: 2fr;
    }

    PlayerView.-wide #pv-body {
        layout: horizontal;
        overflow-y: hidden;
    }
    PlayerView.-wide #pv-left {
        width: 1fr;
        height: 1fr;
    }
    PlayerView.-wide #pv-inject {
        max-height: 60%;
        overflow-y: auto;
    }
    PlayerView.-wide #pv-feed {
        height: 1fr;
        max-height: 100%;
    }
    PlayerView.-wide #pv-right {
        width: 1fr;
        height: 1fr;
        overflow-y: auto;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.state: dict | None = None
        """The last state shown (``None`` before the first)."""
        self._shown: dict[str, Any] = {}
        self.add_class("-empty")

    def compose(self) -> ComposeResult:
        yield Static(Text("Player view", style="bold"), id="pv-status")
        yield Static("", id="pv-waiting", markup=False)
        with VerticalScroll(id="pv-body"):
            with Vertical(id="pv-left"):
                yield Static(inject_panel(None), id="pv-inject", classes="pv-box")
                with VerticalScroll(id="pv-feed", classes="pv-box"):
                    yield Static(feed_grid([]), id="pv-feed-text")
            with Vertical(id="pv-right"):
                with Horizontal(id="pv-people"):
                    yield Static(hosts_table({}), id="pv-hosts", classes="pv-box")
                    yield Static(accounts_table({}), id="pv-accounts", classes="pv-box")
                yield Static(_Orders({}), id="pv-orders", classes="pv-box")

    def on_mount(self) -> None:
        self.query_one("#pv-inject").border_title = "Current inject"
        self.query_one("#pv-feed").border_title = "Alerts and responses"
        self.query_one("#pv-hosts").border_title = "Known hosts"
        self.query_one("#pv-accounts").border_title = "Known accounts"
        self.query_one("#pv-orders").border_title = "Orders"

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def show_waiting(self, reason: str) -> None:
        """Say why there is nothing (new) to show; the last state read, if any, stays below the message."""
        last = " (showing the last state read)" if self.state is not None else ""
        self.query_one("#pv-waiting", Static).update(
            Text(f"waiting for the facilitator's session: {_plain(reason)}{last}"))
        self.add_class("-waiting")

    def show(self, state: dict) -> None:
        """Show ``state`` (a live-file document), touching only the parts that changed."""
        if not isinstance(state, dict):
            state = {}
        self.remove_class("-waiting", "-empty")
        self.state = state
        feed = _items(state, "feed")
        parts = {
            "pv-status": ((state.get("title"), state.get("clock"), state.get("status"), state.get("ended")),
                          lambda: status_line(state)),
            "pv-inject": ((state.get("inject"), state.get("injects_shown")),
                          lambda: inject_panel(state.get("inject"), state.get("injects_shown"))),
            "pv-feed-text": (feed, lambda: feed_grid(feed)),
            "pv-hosts": (state.get("known_hosts"), lambda: hosts_table(state)),
            "pv-accounts": (state.get("known_accounts"), lambda: accounts_table(state)),
            "pv-orders": (state.get("orders"), lambda: _Orders(state)),
        }
        for wid, (key, render) in parts.items():
            if wid in self._shown and self._shown[wid] == key:
                continue
            self._shown[wid] = key
            if wid == "pv-feed-text":
                self._show_feed(render())
            else:
                self.query_one(f"#{wid}", Static).update(render())

    def _show_feed(self, renderable: RenderableType) -> None:
        """New feed entries scroll into view, unless someone scrolled up to read an older one."""
        scroll = self.query_one("#pv-feed", VerticalScroll)
        follow = scroll.max_scroll_y == 0 or scroll.scroll_y >= scroll.max_scroll_y - 1
        self.query_one("#pv-feed-text", Static).update(renderable)
        if follow:
            self.call_after_refresh(scroll.scroll_end, animate=False, immediate=True)
