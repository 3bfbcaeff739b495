"""Keys and screens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# ai-tabletop

**Screens** (keys work anywhere outside a text field):

| key | screen |
|---|---|
| `s` | **Setup**: scenario or file, levels, postures, single control upgrades, runs, seed; reopen a session |
| `c` | **Compare**: every cell on the same seeds, 95% intervals, charts; `d` every figure of a row; `x`, `g` |
| `f` | **Fundamentals**: each control upgraded alone vs the automation jump, ranked; `g` reruns |
| `p` | **Parameters**: which posture and attacker parameters move the outcome most (sensitivity); `g` reruns |
| `r` | **Run detail**: one seeded run; filter the timeline; `v` defender's view / truth; `m` timeline / network |
| `t` | **Tabletop**: a facilitated exercise (keys below) |
| `?` | this help |
| `ctrl+p` | command palette |
| `q` | quit (on the Tabletop, asks first when orders or notes are unsaved) |

**Tabletop keys**: `space` next event, `n` next inject, `v` player view (what the room may see) / facilitator view,
`o` give an order, `u` take back the last order, `w` rewind to an inject and branch, `k` what if (the same seed
without your orders, and your orders over many seeds), `e` play to the end (asks first), `p` pause the timers,
`ctrl+r` restart, `ctrl+s` save, `ctrl+a` save as, `escape` leave a text field.

An order names only what the defender knows (hosts and accounts its alerts, responses and orders have named; any
zone) and takes the time and cost the posture gives it: the list shows who carries it out, how long it takes and what
it costs. After an order the cursor is in the note field, so what you type next is a note, never a key. The live
player view can be projected from a browser: `tabletop tui --serve`, or `tabletop tui --live FILE` here and
`tabletop serve FILE` in another terminal.

Tables show the key figures first; the label columns stay when you scroll right (arrow keys). `x` cancels a long
run, `g` runs it again.

Press `escape` to close.
"""


class HelpScreen(ModalScreen[None]):
    """The help text."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Markdown(HELP)
