"""Progress for long runs: a bar with rate and time left on a terminal, a few quiet lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(total: int, label: str, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Yields ``tick(n)`` to report n more runs done."""
    if not enabled or total <= 0:
        yield lambda n: None
        return
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]}"), transient=True) as bar:
            task = bar.add_task(label, total=total, rate="")
            start = time.monotonic()
            done = [0]

            first = [None]

            def tick(n: int) -> None:
                done[0] += n
                if first[0] is None:  # runs already done (a resumed sweep) do not count towards the rate
                    first[0] = done[0]
                    bar.update(task, advance=n)
                    return
                rate = (done[0] - first[0]) / max(time.monotonic() - start, 1e-9)
                left = (total - done[0]) / rate if rate > 0 else 0.0
                bar.update(task, advance=n, rate=f"{rate:,.0f} runs/s, ~{left:,.0f} s left")

            yield tick
        return
    start = time.monotonic()
    state = {"done": 0, "next": max(1, total // 10), "first": None}

    def quiet(n: int) -> None:
        state["done"] += n
        d = state["done"]
        if state["first"] is None:  # as above: runs already done (a resumed sweep) do not count towards the rate
            state["first"] = d
        if d >= state["next"] or d == total:
            state["next"] = d + max(1, total // 10)
            elapsed = time.monotonic() - start
            rate = (d - state["first"]) / elapsed if elapsed > 0 else 0.0
            left = (total - d) / rate if rate > 0 else 0.0
            print(f"{label}: {d}/{total} runs ({d / total:.0%}), {rate:,.0f} runs/s, ~{left:,.0f} s left",
                  file=sys.stderr, flush=True)

    yield quiet
