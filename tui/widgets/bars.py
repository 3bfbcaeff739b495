"""A horizontal bar chart drawn with block characters.

Why our own: textual-plotext pins plotext<6, and a bar per cell is all these screens need; this widget is a few lines,
renders at any width (80 columns included) and has no dependency beyond Textual.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int) -> str:
    """A bar of ``fraction`` (0..1) of ``width`` cells, to an eighth of a cell."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


class BarChart(Widget):
    """Labelled bars; values scaled to the largest (or to ``scale``)."""

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
        self.items: list[tuple[str, float, str]] = []

    def set_items(self, items: list[tuple[str, float, str]]) -> None:
        """(label, value, text shown after the bar) for each bar."""
        self.items = items
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + max(1, len(self.items))

    def render(self) -> Text:
        out = Text(self.title + "\n", style="bold")
        if not self.items:
            out.append("(no data yet)", style="dim")
            return out
        label_w = min(max(len(label) for label, _, _ in self.items), 28)
        text_w = max(len(t) for _, _, t in self.items)
        width = max(4, self.size.width - label_w - text_w - 4)
        top = self.scale or max((abs(v) for _, v, _ in self.items), default=1.0) or 1.0
        for i, (label, value, text) in enumerate(self.items):
            out.append(label[:label_w].ljust(label_w) + " ")
            out.append(bar(abs(value) / top, width), style=self.negative_style if value < 0 else self.style)
            out.append(" " + text + ("\n" if i < len(self.items) - 1 else ""))
        return out
