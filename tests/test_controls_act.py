"""No dead controls: every control and every response action changes an outcome in some run of a bundled scenario.

A control whose setting can never change a result is a control the tool only pretends to model (the large-transfer
alert once compared an hour's chunk with its threshold and never fired with the presets). These tests move each
control between its `weak` and its `hardened` setting, and switch each response action on and off, on common seeds,
and fail if no run of any bundled scenario changes.
"""

from __future__ import annotations

import pytest

from defenses.posture import CONTROL_NAMES
from simulator.engine import run
from simulator.loader import bundled_names, load, preset_data
from tests.conftest import compiled

SEEDS = range(16)
OUTCOME_FIELDS = ("outcome", "time_to_first_detection", "time_to_containment", "records_exfiltrated",
                  "hosts_compromised", "hosts_isolated", "credentials_reset", "egress_blocked_hours",
                  "infrastructure_blocks", "alerts_true")


def _signature(r) -> tuple:
    return tuple(getattr(r, f) for f in OUTCOME_FIELDS)


@pytest.fixture(scope="module")
def scenarios():
    return {name: load(name) for name in bundled_names()}


def _differs(scenarios, level: str, posture: str, a: dict, b: dict, seeds=SEEDS) -> bool:
    """Whether some run (over every bundled scenario and ``seeds``) differs between posture overrides ``a`` and
    ``b``; stops at the first that does."""
    for loaded in scenarios.values():
        ca, cb = compiled(loaded, level, posture, **a), compiled(loaded, level, posture, **b)
        if any(_signature(run(ca, s)) != _signature(run(cb, s)) for s in seeds):
            return True
    return False


@pytest.mark.parametrize("control", CONTROL_NAMES)
def test_every_control_changes_an_outcome(scenarios, control):
    weak, hardened = preset_data("posture", "weak")[control], preset_data("posture", "hardened")[control]
    assert _differs(scenarios, "ai-orchestrated", "baseline", {control: weak}, {control: hardened}), \
        f"{control}: weak and hardened settings gave the same results in every run"


RESPONSE_ACTIONS = ("isolate_hosts", "reset_credentials", "block_egress", "block_infrastructure")


@pytest.mark.parametrize("action", RESPONSE_ACTIONS)
def test_every_response_action_changes_an_outcome(scenarios, action):
    on = {"incident_response": {action: True}}
    off = {"incident_response": {action: False}}
    assert _differs(scenarios, "ai-orchestrated", "baseline", on, off), f"{action} never changed a run"


def test_dlp_fires_with_the_presets(scenarios):
    """The large-transfer (DLP) alert fires on a transfer over its threshold with the baseline preset."""
    fired = 0
    for loaded in scenarios.values():
        c = compiled(loaded, "ai-orchestrated", "baseline")
        for s in SEEDS:
            r = run(c, s)
            fired += any(e.kind == "escalation" and e.detail.startswith("egress alert") for e in r.log) \
                or r.first_detection_source == "egress"
    assert fired > 0


def test_response_costs_are_counted(scenarios):
    """Each kind of response cost appears in some run, and never exceeds what is possible."""
    seen = dict.fromkeys(("hosts_isolated", "clean_hosts_isolated", "credentials_reset", "egress_blocked_hours",
                          "infrastructure_blocks"), 0)
    for loaded in scenarios.values():
        for posture, over in (("baseline", {"incident_response": {"block_egress": True}}), ("hardened", {})):
            c = compiled(loaded, "ai-orchestrated", posture, **over)
            for s in SEEDS:
                r = run(c, s)
                for k in seen:
                    seen[k] += bool(getattr(r, k))
                assert r.clean_hosts_isolated <= r.hosts_isolated
                assert r.clean_isolated_host_hours <= r.isolated_host_hours + 1e-9
                assert r.isolated_host_hours <= r.hosts_isolated * c.net.horizon / 60 + 1e-6
                assert r.egress_blocked_hours <= c.net.horizon / 60 + 1e-6
    assert all(seen.values()), seen


def test_no_isolation_before_initial_access(scenarios):
    """Outside alerts (scans, failed exploits and logons) are no evidence against an own host: nothing is isolated
    before the attacker is in, whatever the posture."""
    for loaded in scenarios.values():
        for level in ("manual", "ai-orchestrated", "autonomous"):
            for posture in ("baseline", "hardened"):
                c = compiled(loaded, level, posture)
                for s in range(8):
                    r = run(c, s)
                    ia = r.time_to_initial_access
                    isolations = [e.time for e in r.log if e.kind == "containment" and "isolated" in e.detail]
                    assert all(ia is not None and t >= ia for t in isolations), (loaded.scenario.name, level, s)
                    if r.time_to_first_detection is not None:
                        assert ia is not None and r.time_to_first_detection >= ia


WHERE_IT_ACTS = {
    # the krbtgt key matters once a crew has synced the directory (DCSync), which no crew does against baseline on a
    # bundled scenario (none in 30 orchestrated and 30 autonomous runs of each); against weak it does on the hospital
    # and the manufacturer, and with passwords reset it forges tickets
    "reset_krbtgt": ("weak", {"reset_credentials": True}, SEEDS),
    # an outside logon refused only by MFA or tiering (the helpdesk reset's trigger) is rare: a few runs in 60
    "reset_hours": ("baseline", {}, range(64)),
    # the block's length matters where the playbook may block egress
    "egress_block_hours": ("baseline", {"block_egress": True}, SEEDS),
}
"""Settings that act only in some postures or some runs: the posture, the other response settings and the seeds
their test runs on."""


def _setting_pairs() -> list[tuple[str, object, object]]:
    """Each incident-response setting with two values to compare: a switch off and on (whatever the presets say);
    any other setting whose `weak` and `hardened` values differ, at those values (where `weak` leaves one unset, as
    for a step its response does not take, baseline's, else the field's default)."""
    from defenses.incident_response import IncidentResponseConfig

    weak, base, hard = (preset_data("posture", p)["incident_response"] for p in ("weak", "baseline", "hardened"))
    out = []
    for field, h in hard.items():
        if field in RESPONSE_ACTIONS or field == "isolate_hosts":
            continue
        if isinstance(h, bool):
            out.append((field, False, True))
            continue
        w = next((v for v in (weak.get(field), base.get(field)) if v is not None),
                 IncidentResponseConfig.model_fields[field].default)
        if w != h:
            out.append((field, w, h))
    return out


@pytest.mark.parametrize("field,low,high", _setting_pairs())
def test_every_response_setting_changes_an_outcome(scenarios, field, low, high):
    """Finer than the actions above (an auditor found the eviction's settings, the krbtgt reset, the analyst's EDR
    isolation and the heightened watch never checked on their own): each setting of the response, moved from its
    `weak` to its `hardened` value with the rest of `baseline` kept (egress blocked on theft where the setting is the
    block's length; ``WHERE_IT_ACTS`` for the settings that act only in some postures or runs), changes some run of
    a bundled scenario."""
    posture, extra, seeds = WHERE_IT_ACTS.get(field, ("baseline", {}, SEEDS))
    a = {"incident_response": {**extra, field: low}}
    b = {"incident_response": {**extra, field: high}}
    assert _differs(scenarios, "ai-orchestrated", posture, a, b, seeds), f"{field}: {low} and {high} gave the same runs"
