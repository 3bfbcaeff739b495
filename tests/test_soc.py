"""The SOC's queue against a plain reference: the same alerts through a simpy PriorityResource, one process each.

The SOC keeps its queue itself (benign alerts are most of a run's events); this checks that it starts, drops and
finishes every alert exactly when the textbook simpy model does, on 24/7 and business-hours teams, under light load
and overload, with high-confidence alerts jumping the line.
"""

from __future__ import annotations

import math
import os
import random
from types import SimpleNamespace

import numpy as np
import pytest
import simpy

from defenses import soc as soc_module
from defenses.base import Alert
from defenses.soc import BENIGN_BATCH, U_BENIGN_STREAM, SocConfig
from simulator.seeds import stream_seed, substream

KEY = 12345


class Ctx:
    """The part of the engine's context the SOC uses."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.net = SimpleNamespace(defender_utc_offset=2.0)
        self.escalated: list[tuple[float, str]] = []
        self.in_flight = 0
        self.records: list[tuple[float, str]] = []

    def substream(self, purpose: int) -> random.Random:
        return substream(KEY, purpose)

    def stream_seed(self, purpose: int) -> int:
        return stream_seed(KEY, purpose)

    def busy(self, delta: int) -> None:
        self.in_flight += delta
        assert self.in_flight >= 0

    def escalate(self, alert: Alert) -> None:
        self.escalated.append((round(self.env.now, 6), alert.technique))

    def record(self, kind: str, detail: str, host: int | None = None, at: float | None = None) -> None:
        self.records.append((round(self.env.now if at is None else at, 6), kind))


def true_alerts(n: int, horizon: float, seed: int) -> list[Alert]:
    rng = random.Random(seed)
    times = sorted(rng.uniform(0, horizon) for _ in range(n))
    return [Alert(t, rng.choice(["low", "low", "high"]), True, "edr", technique=f"a{i}") for i, t in enumerate(times)]


def run_soc(cfg: SocConfig, alerts: list[Alert], horizon: float, offset: float = 2.0, keep: list | None = None
            ) -> tuple[Ctx, dict]:
    ctx = Ctx()
    ctx.net.defender_utc_offset = offset
    soc = cfg.behaviour(ctx)
    soc.start()
    if keep is not None:
        keep.append(soc)

    def feed():
        for a in alerts:
            yield ctx.env.timeout(a.time - ctx.env.now)
            soc.on_alert(a)

    ctx.env.process(feed())
    ctx.env.run(until=horizon)
    return ctx, soc.metrics()


def run_reference(cfg: SocConfig, alerts: list[Alert], horizon: float) -> tuple[Ctx, dict]:
    """The textbook model: analysts a simpy PriorityResource, a process per alert, shifts as priority holds."""
    ctx = Ctx()
    env = ctx.env
    analysts = simpy.PriorityResource(env, capacity=cfg.analysts)
    cal = cfg.calendar(ctx.net.defender_utc_offset)
    rng = ctx.substream(101)
    state = {"benign": 0, "dropped": 0, "busy": 0.0}
    gen = np.random.default_rng(ctx.stream_seed(U_BENIGN_STREAM))

    def benign_draws():
        while True:
            gaps = gen.exponential(60.0 / cfg.benign_per_hour, BENIGN_BATCH).tolist()
            minutes = gen.lognormal(math.log(cfg.triage_minutes), cfg.triage_spread, BENIGN_BATCH).tolist()
            yield from zip(gaps, minutes, strict=True)

    def triage(alert: Alert | None, minutes: float | None):
        arrived = env.now
        prio = 1 if alert is None or alert.confidence == "low" else 0
        with analysts.request(priority=prio) as req:
            yield req
            if env.now - arrived > cfg.max_alert_age_hours * 60:
                state["dropped"] += 1
                if alert is not None:
                    ctx.busy(-1)
                return
            if alert is not None:
                minutes = rng.lognormvariate(math.log(cfg.triage_minutes), cfg.triage_spread)
            state["busy"] += minutes
            yield env.timeout(minutes)
            if alert is not None:
                if rng.random() < (cfg.recognition_high if alert.confidence == "high" else cfg.recognition):
                    ctx.escalate(alert)
                ctx.busy(-1)

    def benign():
        for gap, minutes in benign_draws():
            yield env.timeout(gap)
            state["benign"] += 1
            env.process(triage(None, minutes))

    def shifts():
        while True:
            off = cal.next_off_shift(env.now)
            if math.isinf(off):
                return
            yield env.timeout(off - env.now)
            holds = [analysts.request(priority=-1) for _ in range(cfg.analysts)]
            yield env.all_of(holds)
            yield env.timeout(cal.next_on_shift(env.now) - env.now)
            for h in holds:
                analysts.release(h)

    def feed():
        for a in alerts:
            yield env.timeout(a.time - env.now)
            ctx.busy(+1)
            env.process(triage(a, None))

    env.process(benign())
    env.process(shifts())
    env.process(feed())
    env.run(until=horizon)
    return ctx, {"alerts_benign": state["benign"], "alerts_dropped": state["dropped"]}


CASES = {
    "24/7, light load": dict(analysts=2, hours="24/7", triage_minutes=15, benign_per_hour=4),
    "24/7, one analyst, overloaded": dict(analysts=1, hours="24/7", triage_minutes=20, benign_per_hour=4,
                                          max_alert_age_hours=6),
    "business hours, overloaded": dict(analysts=1, hours="business", triage_minutes=20, benign_per_hour=4),
    "business hours, three analysts": dict(analysts=3, hours="business", triage_minutes=10, benign_per_hour=6,
                                           shift_start=22, shift_end=6),
}


@pytest.mark.parametrize("case", list(CASES))
def test_queue_matches_a_simpy_priority_resource(case):
    cfg = SocConfig(recognition=0.5, recognition_high=0.9, **CASES[case])
    horizon = 10 * 1440.0
    alerts = true_alerts(40, horizon - 2880, seed=len(case))
    got, got_m = run_soc(cfg, alerts, horizon)
    ref, ref_m = run_reference(cfg, alerts, horizon)
    assert got.escalated == ref.escalated and len(got.escalated) > 5
    assert got_m["alerts_benign"] == ref_m["alerts_benign"] > 0
    assert got_m["alerts_dropped"] == ref_m["alerts_dropped"]
    assert got.in_flight == ref.in_flight == 0


def test_overload_drops_and_logs_backlog():
    cfg = SocConfig(analysts=1, hours="business", triage_minutes=20, benign_per_hour=4, recognition=0.5,
                    recognition_high=0.9)
    ctx, m = run_soc(cfg, [], 7 * 1440.0)
    assert m["alerts_dropped"] > 0 and any(kind == "soc-backlog" for _, kind in ctx.records)
    assert 0.9 < m["analyst_utilisation"] <= 1.0  # busy on every working minute


def test_utilisation_is_the_offered_load_when_stable():
    cfg = SocConfig(analysts=2, triage_minutes=15, triage_spread=0.6, benign_per_hour=4, recognition=0.5,
                    recognition_high=0.9)
    _, m = run_soc(cfg, [], 60 * 1440.0)
    offered = 4 * 15 * math.exp(0.6**2 / 2) / 60 / 2  # arrivals/min x mean triage / analysts
    assert m["analyst_utilisation"] == pytest.approx(offered, rel=0.05)
    assert m["alerts_dropped"] == 0


# --- the compiled kernel (defenses/_socfast.c) against its pure-Python twin ----------------------------------------

TWIN_CASES = {
    **CASES,
    "24/7, backlogs that come and go": dict(analysts=1, hours="24/7", triage_minutes=12, benign_per_hour=4,
                                            max_alert_age_hours=1),
    # shifts that are not whole minutes, in a zone half an hour off: the calendar's floats are not round
    "business hours, 8.33 to 17.67, UTC-5.5": dict(analysts=2, hours="business", triage_minutes=10,
                                                  benign_per_hour=20, shift_start=8.33, shift_end=17.67,
                                                  max_alert_age_hours=2),
}
OFFSETS = {"business hours, 8.33 to 17.67, UTC-5.5": -5.5}


def soc_state(soc) -> tuple:
    """Everything the SOC holds, floats exactly (hex): a sum added in another order shows here."""
    return (soc.benign_alerts, soc.dropped, soc.busy_minutes.hex(), [f.hex() for f in soc.free],
            [p.hex() for p in soc._pending[soc._ph:]], [(a.hex(), m.hex(), x) for a, m, x in soc.low],
            [(a.hex(), m.hex(), x) for a, m, x in soc.high], soc._backlog, soc._next_benign.hex())


def test_the_soc_kernel_is_built():
    """`make setup` compiles it (hatch_build.py); without it the results are the same, only slower."""
    if os.environ.get("TABLETOP_PURE_PYTHON"):
        pytest.skip("TABLETOP_PURE_PYTHON is set: the pure-Python loop is under test")
    assert soc_module._fast is not None, (
        "defenses/_socfast.c was not compiled: reinstall (pip install -e .) with a C compiler, or set "
        "TABLETOP_PURE_PYTHON=1 to test without it")


@pytest.mark.parametrize("case", list(TWIN_CASES))
def test_kernel_and_pure_python_agree_exactly(case, monkeypatch):
    if soc_module._fast is None:
        pytest.skip("the kernel is not built")
    calls, taken = [], []
    kernel = soc_module._fast

    def counted(*args):
        out = kernel(*args)
        calls.append(out[9])
        taken.append(out[2])
        return out

    cfg = SocConfig(recognition=0.5, recognition_high=0.9, **TWIN_CASES[case])
    horizon = 12 * 1440.0
    alerts = true_alerts(60, horizon - 2880, seed=len(case))
    offset = OFFSETS.get(case, 2.0)
    socs: list = []
    monkeypatch.setattr(soc_module, "_fast", counted)
    fast, fast_m = run_soc(cfg, alerts, horizon, offset, socs)
    monkeypatch.setattr(soc_module, "_fast", None)
    pure, pure_m = run_soc(cfg, alerts, horizon, offset, socs)
    assert fast.escalated == pure.escalated and fast.records == pure.records
    assert fast_m == pure_m
    assert soc_state(socs[0]) == soc_state(socs[1])  # floats bit for bit: the same additions in the same order
    assert 0 in calls  # it ran to the end of a stretch
    assert sum(taken) > 0.5 * pure_m["alerts_benign"]  # it took most benign alerts, true alerts queued or not
    if "light load" in case:
        assert 1 in calls  # handed an alert back to Python to refill the draws
    if "come and go" in case:  # a backlog to log, handed back from it; drops inside it
        assert 2 in calls and pure_m["alerts_dropped"] > 0


def test_kernel_hands_a_true_alert_at_the_head_back_to_python(monkeypatch):
    """A true alert queued behind nothing, reachable only by catch_up (no wake-up scheduled): the kernel must stop
    and let Python's dispatch draw its triage; both ways give the same escalations and state."""
    if soc_module._fast is None:
        pytest.skip("the kernel is not built")
    kernel = soc_module._fast
    handed = []

    def counted(*args):
        out = kernel(*args)
        handed.append(out[9] == 1 and len(args[3]) > 0)  # stopped, with draws left: for the true alert
        return out

    def go(fast):
        monkeypatch.setattr(soc_module, "_fast", fast)
        ctx = Ctx()
        cfg = SocConfig(analysts=1, hours="24/7", triage_minutes=20, benign_per_hour=6, recognition=1,
                        recognition_high=1, max_alert_age_hours=0.5)
        soc = cfg.behaviour(ctx)
        soc.start()
        ctx.env.run(until=600)
        soc.catch_up(600)
        for name, late in (("x", 0.0), ("y", 0.5)):
            a = Alert(ctx.env.now, "low", True, "edr", technique=name)
            ctx.busy(+1)
            soc.low.append((a.time + late, -1.0, a))
            soc._true_waiting += 1
        ctx.env.run(until=3000)
        soc.catch_up(3000)
        ctx.env.run(until=6000)
        return ctx.escalated, ctx.records, ctx.in_flight, soc_state(soc)

    fast = go(counted)
    assert any(handed)
    assert fast == go(None)


def test_kernel_and_pure_python_give_the_same_runs(monkeypatch):
    """Whole runs, timelines and logs included, on the default scenario at every level, both ways."""
    if soc_module._fast is None:
        pytest.skip("the kernel is not built")
    from simulator.build import compile_scenario
    from simulator.engine import Run
    from simulator.loader import load

    loaded = load("espionage-tech")
    for level in ("manual", "ai-assisted", "ai-orchestrated", "autonomous"):
        for posture in ("baseline", "hardened"):
            x = loaded.with_presets(automation=level, posture=posture)
            compiled = compile_scenario(loaded.scenario, x.attacker, x.posture)
            for seed in (0, 1):
                monkeypatch.setattr(soc_module, "_fast", _KERNEL)
                fast = Run(compiled, seed).execute().to_json()
                monkeypatch.setattr(soc_module, "_fast", None)
                assert Run(compiled, seed).execute().to_json() == fast


_KERNEL = soc_module._fast
