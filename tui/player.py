"""The player view app: what a facilitator projects for the room, read from the session's live file.

    python -m tui.player LIVEFILE

It polls LIVEFILE every half second (a ``stat``; the file is read again only when it changed) and shows it with
``PlayerView``. It is read-only: it never writes anything nor reads the simulation, and its only key is ``q``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding

from tui.widgets.player import LiveFileError, PlayerView, read_live

POLL_SECONDS = 0.5


class PlayerApp(App):
    """The room's view of a live tabletop session."""

    TITLE = "ai-tabletop player view"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, live: str | os.PathLike) -> None:
        super().__init__()
        self.live = Path(live)
        self.signature: tuple | None = None
        """(device, inode, size, mtime, mode) of the file last read, shown or not; ``None`` before the first."""
        self.reads = 0
        """How many times the file was read (a test checks it is not reread when nothing changed)."""

    def compose(self) -> ComposeResult:
        yield PlayerView(id="player")

    def on_mount(self) -> None:
        self.query_one(PlayerView).show_waiting(f"reading {self.live}")
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)
        self.query_one("#pv-body").focus()

    def poll(self) -> None:
        """Show the live file again if it changed since the last read."""
        view = self.query_one(PlayerView)
        try:
            st = os.stat(self.live)
            signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)
        except OSError:
            signature = None
        if signature is not None and signature == self.signature:
            return
        try:
            state = read_live(self.live)
        except LiveFileError as e:
            view.show_waiting(str(e))
            return
        finally:
            self.reads += 1
            self.signature = signature
        view.show(state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tui.player",
        description="Show a facilitator session's live file to the room (read-only; q quits).")
    parser.add_argument("live", metavar="LIVEFILE", help="the JSON live file the facilitator's session writes")
    args = parser.parse_args(argv)
    if os.path.isdir(args.live):
        parser.error(f"{args.live} is a directory, not a live file")
    PlayerApp(args.live).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
