"""The base of screens whose numbers come from many runs: the work runs in a thread, reports progress, can be
cancelled, and reruns when the setup changed."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from tui.messages import Progress, WorkFailed

Job = Callable[[Callable[[int], None], threading.Event], Message]
"""Work to do off the UI thread: given tick(n) and a cancel event, returns the message to post when done."""


class RunsScreen(Screen):
    """Subclasses compose a ProgressBar and a Static with id ``status_id``, and implement ``action_start``."""

    BINDINGS = [Binding("x", "cancel", "Cancel"), Binding("g", "start", "Run again")]
    status_id = "status"

    def __init__(self) -> None:
        super().__init__()
        self.version = -1
        self.cancel_event: threading.Event | None = None
        self.running = False

    def on_screen_resume(self) -> None:
        if self.version != self.app.settings.version and not self.running:
            self.action_start()

    def action_start(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def status(self, text: str) -> None:
        self.query_one(f"#{self.status_id}", Static).update(text)

    def launch(self, total: int, job: Job) -> None:
        """Start ``job`` in a worker thread (cancelling any earlier one)."""
        if self.cancel_event is not None:
            self.cancel_event.set()
        self.version = self.app.settings.version
        self.cancel_event = threading.Event()
        self.query_one(ProgressBar).update(total=total, progress=0)
        self.status(f"running {total} runs on {self.app.n_workers} worker(s)... press x to cancel")
        self.running = True
        self._work(total, job, self.cancel_event)

    @work(thread=True, exclusive=True, group="runs")
    def _work(self, total: int, job: Job, cancel: threading.Event) -> None:
        from simulator.sweep import Cancelled

        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            self.post_message(Progress(done[0], total))

        try:
            self.post_message(job(tick, cancel))
        except Cancelled:
            self.post_message(WorkFailed("cancelled", cancelled=True))
        except Exception as e:  # shown in the UI, never a crash
            self.post_message(WorkFailed(f"{type(e).__name__}: {e}"))

    def action_cancel(self) -> None:
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()
            self.status("cancelling...")

    def on_progress(self, message: Progress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.running = False
        self.status("Cancelled: press g to run again." if message.cancelled else f"Failed: {message.text}")
