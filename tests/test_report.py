"""After-action reports and Navigator layers: sections, the input's numbers, escaping, the layer format."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.facilitator import Facilitator
from simulator.loader import load
from tests.conftest import TINY

runner = CliRunner()
HOSTILE = "<script>alert('x')</script> | & \"q\""
SECTIONS = ("Key findings", "Exercise overview", "Outcomes", "Analysis", "Strengths", "Areas for improvement",
            "Improvement plan", "parameters and seeds")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    d = tmp_path_factory.mktemp("cmp")
    hostile = d / "hostile.yaml"
    hostile.write_text(TINY.read_text().replace("title: Tiny golden scenario", f"title: {json.dumps(HOSTILE)}"))
    r = runner.invoke(app, ["compare", str(hostile), "--posture", "weak,hardened", "--automation",
                            "manual,autonomous", "--runs", "15", "--workers", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    path = d / "c.json"
    data = json.loads(r.stdout)
    data["scenario"] = HOSTILE  # the report shows the comparison's own text; the file it names is never opened
    path.write_text(json.dumps(data))
    return path, data


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    fac = Facilitator(load("espionage-tech"), 13, "manual")
    fac.next_inject()
    fac.decide("escalate")
    fac.note(HOSTILE)
    fac.next_inject()
    fac.decide("block_egress")
    fac.finish()
    return fac.save(tmp_path_factory.mktemp("s") / "s.json"), fac


def _write(src, tmp_path, suffix, *extra):
    out = tmp_path / f"r.{suffix}"
    r = runner.invoke(app, ["report", str(src), "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_text()


def test_markdown_report_of_a_comparison(comparison, tmp_path):
    path, data = comparison
    md = _write(path, tmp_path, "md")
    for s in SECTIONS:
        assert s in md
    from simulator.report import _md, _summary
    from simulator.tables import _share

    for cell in data["cells"]:
        assert _md(_share(_summary(cell).success)) in md  # every cell's success rate is in the outcomes table
    assert "tabletop compare" in md and "--seed 0" in md  # how to reproduce
    assert "<script>" not in md


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_self_contained_and_escaped(comparison, tmp_path):
    path, data = comparison
    page = _write(path, tmp_path, "html")
    p = _Collector()
    p.feed(page)
    assert "script" not in p.tags  # the hostile title is text, never markup
    assert HOSTILE in "".join(p.text)
    assert "svg" in p.tags and "rect" in p.tags
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing loaded from elsewhere
    for s in SECTIONS:
        assert s in page


def test_session_report_has_decisions_and_notes(session, tmp_path):
    path, fac = session
    md = _write(path, tmp_path, "md", "--counterfactual-runs", "5")
    assert "Team decisions" in md and "Injects, discussion and notes" in md
    for d in fac.orders:
        assert d.done in md
    assert "&lt;script&gt;" in md and "\\|" in md
    page = _write(path, tmp_path, "html", "--counterfactual-runs", "5")
    p = _Collector()
    p.feed(page)
    assert "script" not in p.tags and HOSTILE in "".join(p.text)


def test_sweep_report(tmp_path):
    sw = tmp_path / "s.yaml"
    sw.write_text(f"scenario: {TINY}\nreplicates: 6\ngrid:\n  automation: [manual, autonomous]\n"
                  "  posture.patching.coverage: [0.2, 0.9]\n")
    out = tmp_path / "o.jsonl"
    assert runner.invoke(app, ["sweep", str(sw), "--out", str(out), "--workers", "1", "--formats", "none"]
                         ).exit_code == 0
    md = _write(out, tmp_path, "md")
    assert "| Attacker automation | Patch coverage |" in md  # human names, the dotted path in the legend
    assert "| Patch coverage | posture.patching.coverage | Share of (host, vulnerability) pairs" in md
    # one row per cell in each of the three tables (key times, outcomes, more figures)
    assert md.count("| manual | 0.2 |") == 3 and md.count("| autonomous | 0.9 |") == 3
    from simulator.report import _md

    assert "SWEEP.yaml" not in md and _md(f"--out {out} ") in md
    assert "scenario file not read" in md  # the sweep's base is a file: its rows name it, it is never opened


def test_bad_report_inputs(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"kind": "something"}')
    r = runner.invoke(app, ["report", str(bad), "--out", str(tmp_path / "r.md")])
    assert r.exit_code == 2 and "x.json:1: kind:" in r.stderr
    r = runner.invoke(app, ["report", str(bad), "--out", str(tmp_path / "r.pdf")])
    assert r.exit_code == 2 and ".md or .html" in r.stderr


def _check_layer(layer):
    """The Navigator layer format 4.5: required fields, versions, technique ids, score range, gradient, legend."""
    assert layer["name"] and layer["domain"] == "enterprise-attack"
    assert layer["versions"]["layer"] == "4.5"
    assert tuple(int(x) for x in layer["versions"]["navigator"].split(".")) >= (4, 9, 0)
    g = layer["gradient"]
    assert len(g["colors"]) >= 2 and g["maxValue"] > g["minValue"]
    for t in layer["techniques"]:
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", t["techniqueID"])
        if "score" in t:
            assert g["minValue"] <= t["score"] <= g["maxValue"]
        for c in [t.get("color")] + [i["color"] for i in layer["legendItems"]]:
            assert c is None or re.fullmatch(r"#[0-9a-fA-F]{6}", c)
    assert all(i["label"] for i in layer["legendItems"])


def test_navigator_layer_from_runs_and_from_a_session(session, tmp_path):
    out = tmp_path / "layer.json"
    r = runner.invoke(app, ["navigator", "espionage-tech", "--runs", "20", "--posture", "hardened", "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    layer = json.loads(out.read_text())
    _check_layer(layer)
    scored = {t["techniqueID"]: t for t in layer["techniques"] if "score" in t}
    grey = {t["techniqueID"] for t in layer["techniques"] if "score" not in t}
    assert "T1190" in scored and "used" in scored["T1190"]["comment"]
    assert grey and not grey & set(scored)  # planned but never reached, in their own colour
    path, fac = session
    r = runner.invoke(app, ["navigator", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    layer = json.loads(out.read_text())
    _check_layer(layer)
    used = {e.technique for e in fac.run.result().timeline if e.technique}
    assert {t["techniqueID"] for t in layer["techniques"] if "score" in t} == used


def test_key_times_say_how_few_runs_a_median_rests_on():
    from simulator.report import _key_time
    from simulator.stats import Estimate

    assert _key_time(Estimate(6245.9781, None, None, 1)) == "4.3 d (1 run)"
    assert _key_time(Estimate(6245.9781, None, None, 3)) == "4.3 d (3 runs)"
    assert _key_time(Estimate(6245.9781, 6000.0, 6500.0, 40)) == "4.3 d"
    assert _key_time(Estimate(None, None, None, 0)) == "-"


def test_session_timeline_lists_an_action_before_what_it_led_to(tmp_path):
    """The foothold is logged at the minute of the initial-access action that gained it: the action comes first (in
    the session report's facilitator appendix, on the defender's local clock)."""
    fac = Facilitator(load("espionage-tech"), 27, "manual")
    fac.finish()
    md = _write(fac.save(tmp_path / "s.json"), tmp_path, "md", "--counterfactual-runs", "0")
    md = md[md.index("Appendix B"):]
    rows = [line for line in md.splitlines() if re.match(r"\| (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", line)]
    foothold = next(i for i, line in enumerate(rows) if "foothold gained" in line)
    when = rows[foothold].split("|")[1]
    action = next(i for i, line in enumerate(rows) if line.split("|")[1] == when and "| initial-access |" in line
                  and "foothold" not in line)
    assert action < foothold, rows[min(action, foothold):max(action, foothold) + 1]


def test_report_of_one_run(tmp_path):
    """`tabletop run --json` output makes a report too: overview, key events, outcome, findings, how to reproduce."""
    r = runner.invoke(app, ["run", "espionage-tech", "--seed", "7", "--json"])
    assert r.exit_code == 0, r.output
    src = tmp_path / "r.json"
    src.write_text(r.stdout)
    md = _write(src, tmp_path, "md")
    assert md.startswith("# After-action report: one run of espionage-tech")
    assert "tabletop run espionage-tech --automation ai-orchestrated --posture baseline --seed 7 --json" in md
    assert "Team decisions" not in md
    assert "MFA stopped" in md or "Mfa" not in md
    result = json.loads(r.stdout)
    assert f"| {result['outcome'].replace('_', ' ')} |" in md
    page = _write(src, tmp_path, "html")
    assert "one run of espionage-tech" in page


def test_run_headline_of_an_attacker_seen_at_the_perimeter():
    """Detected but never in: the headline does not claim a foothold."""
    from simulator.report_text import outcome_text

    r = runner.invoke(app, ["run", str(TINY), "--seed", "1", "--json"])
    data = json.loads(r.stdout)
    from types import SimpleNamespace

    kept_out = SimpleNamespace(**{**data, "outcome": "detected_not_contained", "time_to_initial_access": None})
    got_in = SimpleNamespace(**{**data, "outcome": "detected_not_contained", "time_to_initial_access": 60.0})
    assert "the attacker never got in" in outcome_text(kept_out) and "foothold" not in outcome_text(kept_out)
    assert outcome_text(got_in).endswith("the attacker kept a foothold")


def test_report_of_a_run_the_attacker_never_got_into(tmp_path):
    r = runner.invoke(app, ["run", str(TINY), "--seed", "0", "--json"])
    data = json.loads(r.stdout)
    assert data["time_to_initial_access"] is None and data["end_reason"] == "no_path_left"  # the fixture run
    assert data["time_to_first_detection"] is None  # detection is about the intrusion: none without one
    src = tmp_path / "r.json"
    src.write_text(r.stdout)
    md = _write(src, tmp_path, "md")
    assert "The attacker never got in" in md and "footholds survived" not in md


def _row(got_in: bool, detected: bool) -> dict:
    return {"automation": "manual", "posture": "hardened", "outcome": "detected_not_contained" if detected else
            "undetected_no_objective", "time_to_initial_access": 600.0 if got_in else None,
            "time_to_first_detection": 900.0 if detected else None, "actions_ai": 0, "actions_human": 10,
            "hosts_compromised": 1 if got_in else 0, "records_exfiltrated": 0, "human_decision_points": 0,
            "peak_requests_per_minute": 1.0}


def test_cell_findings_do_not_claim_footholds_the_attacker_never_had():
    from simulator.report import _findings
    from simulator.stats import summarize

    kept_out = summarize([_row(False, True)] * 9 + [_row(True, True)])  # detected, 10% got in, none evicted
    good, bad = _findings("manual / hardened", kept_out)
    assert any("got a foothold in only 10% of runs" in g for g in good)
    assert not any("footholds survived" in b for b, _ in bad)
    got_in = summarize([_row(True, True)] * 10)  # detected, all got in, none evicted
    good, bad = _findings("manual / hardened", got_in)
    assert any("footholds survived" in b for b, _ in bad)


def test_shares_near_none_or_all_do_not_round_to_them():
    from simulator.report import _pct

    assert _pct(199 / 200) == "over 99%" and _pct(1 / 1000) == "under 1%"
    assert _pct(1.0) == "100%" and _pct(0.0) == "0%" and _pct(0.42) == "42%"


def test_interval_bounds_are_plain_percentages(comparison, tmp_path):
    path, _ = comparison
    md = _write(path, tmp_path, "md")
    assert "[under" not in md and "over 99%]" not in md


def test_runs_the_attacker_never_got_into_are_not_called_undetected():
    """Detection is about an intrusion: a cell where the attacker never got in is not 'never detected'; one where
    it got in and was never seen is."""
    from simulator.report import _findings
    from simulator.stats import summarize

    kept_out = summarize([_row(False, False)] * 10)
    _, bad = _findings("manual / hardened", kept_out)
    assert not any("never detected" in text for text, _ in bad)
    unseen = summarize([_row(True, False)] * 10)
    _, bad = _findings("manual / weak", unseen)
    assert any("100% of the intrusions were never detected" in text for text, _ in bad)


def test_a_run_stopped_before_its_horizon_says_why():
    """espionage-tech, manual vs hardened, seed 0: nothing is left to happen after about day 28 (the crew's next try
    falls after the horizon), so the run stops there and says so beside its end time."""
    from simulator.engine import Run
    from simulator.report_text import run_text
    from simulator.sweep import apply_cell

    r = Run(apply_cell(load("espionage-tech"), (("automation", "manual"), ("posture", "hardened"))), 0, 0).execute()
    assert r.end_reason == "horizon" and r.end_time < r.horizon - 60
    line = next(x for x in run_text(r, 0).splitlines() if x.strip().startswith("run ended"))
    assert "nothing left to happen before the 30.0 d horizon" in line
    done = Run(apply_cell(load("espionage-tech"), (("automation", "ai-orchestrated"), ("posture", "baseline"))), 0,
               0).execute()
    assert done.end_time >= done.horizon - 1e-6 or done.end_reason != "horizon"
    assert "nothing left to happen" not in run_text(done, 0)
