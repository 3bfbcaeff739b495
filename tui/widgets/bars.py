"""A horizontal bar chart drawn with block characters.

Why our own: textual-plotext pins plotext<6, and a bar per cell is all these screens need; this widget is a few lines,
renders at any width (80 columns included) and has no dependency beyond Textual.

Every bar is drawn (the chart is as tall as its bars; put it in a scrolling container where the screen is short).
Bars can be grouped under headings (small multiples: one group per posture), so labels stay short. A value marked
*few* (a median of too few runs for an interval) is drawn dim with its text flagged, and does not set the scale: a bar
beyond the scale is cut with '▸'.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int) -> str:
    """A bar of ``fraction`` (0..1) of ``width`` cells, to an eighth of a cell."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


@dataclass(frozen=True)
class Item:
    """One bar."""

    label: str
    value: float | None
    text: str
    few: bool = False
    """The value rests on too few runs: drawn dim, kept out of the scale."""
    group: str = ""
    """Bars of the same group are drawn under one heading (in the order they come)."""


class BarChart(Widget):
    """Labelled bars; values scaled to the largest well-founded one (or to ``scale``)."""

    DEFAULT_CSS = """
    BarChart { height: auto; padding: 0 1; }
    """

    def __init__(self, title: str, *, scale: float | None = None, style: str = "cyan",
                 negative_style: str = "green", id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.scale = scale
        self.style = style
        self.negative_style = negative_style
        self.items: list[Item] = []

    def set_items(self, items: list) -> None:
        """``Item``s, or (label, value, text) tuples, one per bar."""
        self.items = [i if isinstance(i, Item) else Item(*i) for i in items]
        self.refresh(layout=True)

    def _groups(self) -> int:
        heads = [i.group for i in self.items]
        return sum(1 for k, g in enumerate(heads) if g and (k == 0 or heads[k - 1] != g))

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + max(1, len(self.items) + self._groups()) + (1 if any(i.few for i in self.items) else 0)

    def render(self) -> Text:
        out = Text(self.title, style="bold")
        if not self.items:
            out.append("\n(no data yet)", style="dim")
            return out
        indent = 2 if self._groups() else 0
        label_w = min(max(len(i.label) for i in self.items), 28, max(6, self.size.width // 2))
        text_w = max(len(i.text) for i in self.items)
        width = max(4, self.size.width - indent - label_w - text_w - 3)
        sound = [abs(i.value) for i in self.items if i.value and not i.few]  # few-run medians: only if all are
        top = self.scale or max(sound or [abs(i.value) for i in self.items if i.value] or [1.0])
        last = ""
        for i in self.items:
            if i.group and i.group != last:
                out.append("\n" + i.group, style="bold dim")
            last = i.group
            out.append("\n" + " " * indent + i.label[:label_w].ljust(label_w) + " ")
            value = abs(i.value or 0.0)
            style = self.negative_style if (i.value or 0.0) < 0 else self.style
            drawn = bar(value / top, width)
            if value > top:
                drawn = drawn[:-1] + "▸"
            out.append(drawn, style=f"dim {style}" if i.few else style)
            out.append(" " + i.text, style="dim" if i.few else "")
        if any(i.few for i in self.items):
            out.append("\n(n=K): a median of K runs, dim and left out of the scale", style="dim italic")
        return out
