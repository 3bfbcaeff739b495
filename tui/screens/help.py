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
| `c` | **Compare**: every chosen cell on the same seeds, with 95% intervals and charts; `x` cancels, `g` reruns |
| `f` | **Fundamentals**: each control upgraded alone vs the automation jump, ranked; `g` reruns |
| `p` | **Parameters**: which posture and attacker parameters move the outcome most (sensitivity); `g` reruns |
| `r` | **Run detail**: one seeded run; filter the timeline; `v` toggles the defender's view and the truth |
| `t` | **Tabletop**: facilitator mode; `space` next event, `n` next inject, `e` play to the end, `ctrl+s` save |
| `?` | this help |
| `ctrl+p` | command palette |
| `q` | quit |

In facilitator mode the team decides at each inject: isolate a host, reset credentials, block egress, escalate to
incident response, raise monitoring on a zone, or do nothing. Decisions change the running simulation. Notes go to the
scribe log; the saved session can be reopened here or turned into an after-action report.

Press `escape` to close.
"""


class HelpScreen(ModalScreen[None]):
    """The help text."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Markdown(HELP)
