"""Fill a DataTable in one go with columns sized to their contents.

A DataTable sizes auto-width columns later, when the app is idle, and a frame drawn in between can keep the header-wide
columns on screen (truncated cells) until something redraws the table. Results tables are filled once, so the widths
are measured here and given up front.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def _width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def fill(table: DataTable, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Replace the table's columns and rows. A header may have two lines ('time to\\ndetection (d)'): the table's
    header then gets two rows."""
    rows = [tuple(r) for r in rows]
    table.clear(columns=True)
    table.header_height = max([1, *(h.count("\n") + 1 for h in headers)])
    for i, header in enumerate(headers):
        lines = header.split("\n")
        table.add_column(Text(header), width=max([*map(cell_len, lines), *(_width(r[i]) for r in rows)]))
    table.add_rows(rows)
