"""The after-action report of a facilitated session (issue 14): true to the session it replays. Every order with its
owner and times, credited to the team (never to a control); the posture's own responses apart; notes under the
inject they were taken at; counterfactuals that are the library's figures; user text escaped in both formats; a
session that does not replay refused with nothing written."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.facilitator import Facilitator
from simulator.loader import load, load_document, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
RUNS = "20"
LINK = "[x](javascript:alert(1)) and ![](http://evil.example/p.png) from www.evil.example"
HOSTILE = "<script>alert('x')</script> | & \"q\""


def to_known(fac: Facilitator) -> None:
    while not fac.done and not fac.targets("isolate_host"):
        fac.next_inject()


def report(path: Path, out: Path, runs: str = RUNS):
    return runner.invoke(app, ["report", str(path), "--out", str(out), "--counterfactual-runs", runs])


class Page(HTMLParser):
    """Tags, text and table rows of an HTML report."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """espionage-tech, ai-orchestrated, seed 21 (found by search; seed 8 before overstated access, seed 3 before
    the fifth December 5 session's EDR
    isolation and trail-following scoping, seed 2 before the fourth review of issue 13): doing
    nothing the objective is met; the team isolates the first host the first alert named and blocks egress at once,
    and takes notes. Incident response's own round isolated that host before the team's order was carried out, and
    the egress block stops the theft."""
    d = tmp_path_factory.mktemp("session")
    fac = Facilitator(load("espionage-tech"), 21, "ai-orchestrated",
                      participants=[{"name": HOSTILE, "role": "IR lead"}, {"name": "Ben", "role": "Scribe"}])
    fac.note("before the first inject")
    to_known(fac)
    host = fac.targets("isolate_host")[0]
    fac.note(LINK)
    fac.decide("isolate_host", host)
    fac.decide("block_egress")
    fac.next_inject()
    fac.note("egress block confirmed by the network team")
    fac.finish()
    path = fac.save(d / "session.json")
    md = report(path, d / "aar.md")
    page = report(path, d / "aar.html")
    assert md.exit_code == 0 and page.exit_code == 0, md.output + page.output
    return path, fac, (d / "aar.md").read_text(), (d / "aar.html").read_text()


def test_every_order_appears_with_its_owner_and_times(played):
    _, fac, md, page = played
    rows = Page(page).rows
    assert len(fac.orders) == 2 and all(o.status == "done" for o in fac.orders)
    for o in fac.orders:
        cells = [str(o.n), o.label, o.owner, fac.clock(o.time), fac.clock(o.due), fac.clock(o.done_time), o.cost]
        row = next(r for r in rows if r[:2] == [str(o.n), o.label])
        assert row[:7] == cells and row[7].startswith(o.done)
        assert f"| {o.n} | {o.label} | {o.owner} | {fac.clock(o.time)} | {fac.clock(o.due)} | " \
               f"{fac.clock(o.done_time)} |" in md


def test_the_team_s_egress_block_is_credited_to_the_team_never_to_a_control(played):
    _, fac, md, _ = played
    block = next(o for o in fac.orders if o.kind == "block_egress")
    stopped = [e for e in fac.run.result().timeline if e.blocked == "egress"]
    assert stopped and all(e.time >= block.done_time for e in stopped)  # the seed's story: the block stopped the theft
    assert f"Order {block.n} (block egress, Network team) stopped {len(stopped)} attacker action" in md
    assert "egress control" not in md.lower()
    posture = [line for line in md.splitlines() if "Posture:" in line or "(posture) acted" in line]
    assert posture and not any("egress" in line.lower() for line in posture)
    # what incident response did on its own is listed apart, as the posture's; the team's order that repeated it
    # is an area for improvement with the times it rests on
    iso = next(o for o in fac.orders if o.kind == "isolate_host")
    assert iso.done == f"{iso.target} was already isolated"
    assert re.search(rf"Order {iso.n} \(isolate {iso.target}\), given at .*, was carried out at .*, but incident "
                     r"response had isolated it at", md)


def test_notes_sit_under_the_inject_they_were_taken_at(played):
    _, fac, md, _ = played
    section = md[md.index("## 2. "):md.index("## 3. ")]
    blocks = re.split(r"^### ", section, flags=re.M)
    assert blocks[1].startswith("Before the first inject") and "before the first inject" in blocks[1]
    for n in fac.notes[1:]:
        k = n.injects_seen
        assert k >= 1
        mine = next(b for b in blocks if b.startswith(f"Inject {k}: "))
        text = "egress block confirmed" if n.text.startswith("egress") else "\\[x\\](javascript"
        assert text in mine
        assert sum(text in b for b in blocks) == 1


def test_user_text_is_escaped_in_markdown_and_html(played):
    _, _, md, page = played
    assert "\\[x\\](javascript" in md and "!\\[\\](http\\://evil.example" in md and "www\\.evil" in md
    assert "&lt;script&gt;" in md and "<script>" not in md
    linkify = pytest.importorskip("linkify_it")
    assert linkify is not None
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("gfm-like").render(md)  # with autolinks (linkify), as GitHub renders
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    p = Page(page)
    assert not {"script", "a", "img"} & set(p.tags)
    text = "".join(p.text)
    assert LINK in text and HOSTILE in text


def test_counterfactuals_are_the_library_s_figures(played):
    _, fac, md, page = played
    cf = fac.over_seeds(int(RUNS))
    a, b = cf["nothing"], cf["team"]

    def ci(d):
        return f"{d['success']:.0%} [{d['low']:.0%}-{d['high']:.0%}]"

    text = " ".join(Page(page).text)
    assert f"Your orders moved attacker success from {ci(a)} to {ci(b)}" in text
    assert f"records lost (mean) from {a['records_mean']:,.0f} to {b['records_mean']:,.0f}" in text
    assert f"isolated host-hours (mean) from {a['isolated_host_hours']:,.0f} to {b['isolated_host_hours']:,.0f}" in text
    none, mine = fac.without_orders(), fac.with_orders()
    assert none.outcome == "objective_met" and mine.records_exfiltrated == 0
    row = next(r for r in Page(page).rows if r and r[0] == "records lost")
    assert row[1:] == [f"{mine.records_exfiltrated:,}", f"{none.records_exfiltrated:,}"]
    assert f"tabletop tui --session {played[0]}" in md  # the real command, not a placeholder


def test_the_html_prints(played):
    page = played[3]
    css = page[page.index("@media print"):]
    for rule in ("size:A4", "background:none", "break-before:page", "break-inside:avoid", "table-header-group"):
        assert rule in css
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_a_tampered_session_is_refused_and_nothing_is_written(played, tmp_path):
    path = played[0]
    for edit in ("step", "target"):
        data = json.loads(path.read_text())
        if edit == "step":
            data["orders"][0]["step"] += 40
        else:
            data["orders"][0]["target"] = "git-01"  # a host the team never heard of
        bad = tmp_path / f"{edit}.json"
        bad.write_text(json.dumps(data))
        out = tmp_path / f"{edit}.html"
        r = report(bad, out)
        assert r.exit_code != 0 and isinstance(r.exception, SystemExit)
        assert not out.exists() and not list(tmp_path.glob("*.tmp"))
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{bad}:") and "Traceback" not in r.output


def test_a_session_without_orders_is_its_own_counterfactual(tmp_path):
    fac = Facilitator(load("espionage-tech"), 13, "manual")
    fac.next_inject()
    fac.note("we watch")
    fac.finish()
    path = fac.save(tmp_path / "s.json")
    r = report(path, tmp_path / "aar.md")
    assert r.exit_code == 0, r.output
    md = (tmp_path / "aar.md").read_text()
    assert "the counterfactual is the same run" in md and "The team gave no order." in md
    assert "Your orders moved" not in md


def test_a_cancelled_order_a_branch_and_custom_injects(tmp_path):
    text = (ROOT / "scenarios" / "espionage-tech.yaml").read_text(encoding="utf-8") + f"""
exercise:
  objectives: ["Test the hand-off from the SOC to incident response", {json.dumps(HOSTILE)}]
  injects:
    - id: press-call
      at: "day 3 09:30"
      title: {json.dumps("A journalist calls " + HOSTILE)}
      questions: ["Who takes the call?"]
      handout: |
        From: reporter@example.org
        ```
        {HOSTILE}
"""
    loaded = load_document(parse_yaml(text, "custom.yaml"))
    fac = Facilitator(loaded, 0, "ai-orchestrated")
    to_known(fac)
    at = len(fac.injects) - 1
    fac.decide("reset_credentials")
    fac.finish()
    fac.rewind(at, HOSTILE)
    fac.decide("block_egress")
    fac.advance()
    fac.undo()  # still under way: cancelled
    fac.decide("raise_monitoring", "corp")
    while not any(i.kind == "press-call" for i in fac.injects):
        fac.next_inject()
    fac.timers = {"exercise": 5400.0}
    path = fac.save(tmp_path / "s.json")
    r = report(path, tmp_path / "aar.md", "0")
    assert r.exit_code == 0, r.output
    md = (tmp_path / "aar.md").read_text()
    cancelled = fac.orders[0]
    assert cancelled.status == "cancelled"
    assert re.search(r"\| 1 \| block egress \| Network team \| .* \| cancelled (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", md)
    assert "was taken back at" in md and "Not computed (--counterfactual-runs 0)" in md
    assert "if played to the end" in md and "Exercise time (wall clock) | 1 h 30 min" in md
    branches = md[md.index("## 8. Branches"):md.index("## Appendix A")]
    assert "reset every credential known stolen" in branches and "&lt;script&gt;" in branches
    assert "Test the hand-off from the SOC to incident response" in md
    page = tmp_path / "aar.html"
    assert report(path, page, "0").exit_code == 0
    p = Page(page.read_text())
    assert "script" not in p.tags
    assert "".join(p.text).count(HOSTILE) >= 3  # objective, branch label, and the handout where it was shown
