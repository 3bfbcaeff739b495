"""Several objectives in one scenario (``objectives:``), pursued in order: a double-extortion crew steals the
customer table, then encrypts the database; results say how many were met and when, summaries the share meeting
each; a single ``objective`` runs exactly as before (the golden files)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.engine import run
from simulator.loader import ScenarioError, load_document, parse_yaml
from simulator.stats import summarize
from tests.conftest import compiled

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"


def _loaded(objectives, drop_single=True, text=None):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    if drop_single:
        data.pop("objective")
    data["objectives"] = objectives
    return load_document(parse_yaml(text or yaml.safe_dump(data, sort_keys=False), "multi.yaml"))


DOUBLE = [{"kind": "data-theft", "data": "customers"}, {"kind": "ransomware", "data": "customers"}]


def test_double_extortion_steals_then_encrypts():
    rs = [run(compiled(_loaded(DOUBLE), "ai-orchestrated", "weak"), 0, s) for s in range(30)]
    assert all(r.objectives == 2 for r in rs)
    both = [r for r in rs if r.objectives_met == 2]
    first_only = [r for r in rs if r.objectives_met == 1]
    assert both and all(r.outcome == "objective_met" for r in both)
    for r in both:
        stolen, encrypted = r.objective_times
        assert stolen < encrypted == r.time_to_objective  # in order; the run's objective is the last
        assert r.records_exfiltrated >= 100_000 and r.hosts_encrypted >= 1
        met = [e.detail for e in r.log if e.kind == "objective"]
        assert met[0].startswith("objective 1 of 2 met") and met[1].startswith("objective 2 of 2 met")
    for r in first_only:
        assert r.outcome != "objective_met" and r.time_to_objective is None
        assert r.objective_times[0] is not None and r.objective_times[1] is None and r.hosts_encrypted == 0
    s = summarize([r.row() for r in rs])
    assert [e.value for e in s.objectives] == [(len(both) + len(first_only)) / 30, len(both) / 30]
    assert s.success.value == s.objectives[-1].value


def test_one_objective_reports_itself():
    r = run(compiled(_loaded([DOUBLE[0]]), "ai-orchestrated", "weak"), 0, 0)
    assert r.objectives == 1 and r.objectives_met == (r.outcome == "objective_met")
    assert r.objective_times == (r.time_to_objective,)
    assert summarize([r.row()]).objectives == ()


@pytest.mark.parametrize("objectives, drop, where, words", [
    (DOUBLE, False, "objectives", "not both"),
    ([DOUBLE[0], DOUBLE[0]], True, "objectives.1.data", "already an objective"),
    ([DOUBLE[0], {"kind": "ransomware", "data": "nope"}], True, "objectives.1.data", "unknown data asset"),
    ([], True, "objective", "field required"),
])
def test_bad_objectives_name_the_field(objectives, drop, where, words):
    with pytest.raises(ScenarioError) as e:
        _loaded(objectives, drop_single=drop)
    assert any(p.field == where and words in p.message and p.line > 0 for p in e.value.problems), e.value.problems


def _two_thefts():
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data.pop("objective")
    data["hosts"].append({"id": "fs-01", "zone": "corp", "role": "file-server", "os": "windows",
                          "services": ["smb", "rdp"], "data": [{"id": "hr", "records": 20000}]})
    next(a for a in data["accounts"] if a["id"] == "helpdesk")["logon"].append("fs-01")
    data["objectives"] = [{"data": "customers"}, {"data": "hr"}]
    return load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "two.yaml"))


def test_after_an_objective_the_attacker_replans_at_once():
    """The moves set aside while it focused on the first objective are planned again when it is met, not at the next
    regrouping (a day later for an AI crew): seed 1 once waited 1,467 minutes for its next action."""
    r = run(compiled(_two_thefts(), "ai-orchestrated", "weak"), 0, 1)
    first = r.objective_times[0]
    assert first is not None
    nxt = min(e.time for e in r.timeline if e.time > first + 1e-6)
    assert nxt - first < 120


def test_the_headline_follows_the_order_the_objectives_were_met():
    r = run(compiled(_loaded(DOUBLE), "ai-orchestrated", "weak"), 0, 0)
    from simulator.report_text import outcome_text

    text = outcome_text(r)
    if r.objectives_met == 2:
        assert text.startswith("OBJECTIVES MET (2 of 2): ") and text.index("records") < text.index("encrypted")
    part = next(x for x in (run(compiled(_two_thefts(), "manual", "baseline"), 0, s) for s in range(40))
                if x.objectives_met == 1)
    assert outcome_text(part).startswith("OBJECTIVES PARTLY MET (1 of 2): ")


def test_a_theft_after_the_ransomware_of_the_same_data_is_refused():
    with pytest.raises(ScenarioError) as e:
        _loaded([DOUBLE[1], DOUBLE[0]])
    assert any(p.field == "objectives.1.kind" and "encrypted by the ransomware objective" in p.message
               for p in e.value.problems)
