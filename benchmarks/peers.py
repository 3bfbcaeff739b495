"""Cost per attacker action, side by side with NASim's cost per step (issue 18), in one process.

    .venv/bin/pip install -e '.[bench]'      # NASim 0.12 (an optional extra, never in the default install)
    .venv/bin/python benchmarks/peers.py [--runs 100] [--episodes 30] [--repeat 5]

Ours: CPU time per attacker action on espionage-tech, in every cell (four automation levels x the weak, baseline and
hardened postures), all in (the run's set-up, the controls, the SOC's benign alerts, the result), and the same runs
with the controls' checks and observers switched off (the attacker's machinery alone). An attacker action is an entry
of the run's timeline. NASim: CPU time per `env.step` with a uniformly random agent on its own benchmark scenarios
(tiny, small, medium; partially observable, flat actions), episodes capped at 2,000 steps. Repeats are interleaved
(ours, NASim, ours, ...) and each figure is the median over the repeats; the ratios are ours over NASim's medium
scenario, and each cell over the cheapest cell (issue 18: no cell above 2x). NASim has no defender at all: the fair
comparison for 'controls on' is the all-in figure, for 'controls off' the bare one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.build import compile_scenario  # noqa: E402
from simulator.engine import Run  # noqa: E402
from simulator.loader import load  # noqa: E402

LEVELS = ("manual", "ai-assisted", "ai-orchestrated", "autonomous")
POSTURES = ("weak", "baseline", "hardened")
NASIM = ("tiny", "small", "medium")


def ours_us(compiled, runs: int, bare: bool) -> float:
    """CPU microseconds per attacker action over ``runs`` seeded runs."""
    actions = 0
    t0 = time.process_time()
    for seed in range(runs):
        r = Run(compiled, seed)
        if bare:
            r._check, r._observe, r._catch_up = [], [], []
        r.begin()
        r.env.run(until=r.stop)
        actions += len(r.timeline)
    return (time.process_time() - t0) / max(actions, 1) * 1e6


def nasim_us(name: str, episodes: int) -> float:
    import nasim

    env = nasim.make_benchmark(name, seed=0, fully_obs=False, flat_actions=True, flat_obs=True)
    steps = 0
    t0 = time.process_time()
    for ep in range(episodes):
        env.reset(seed=ep)
        done, n = False, 0
        while not done and n < 2000:
            _, _, term, trunc, _ = env.step(int(env.action_space.sample()))
            done = term or trunc
            n += 1
        steps += n
    return (time.process_time() - t0) / steps * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--episodes", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    try:
        import nasim  # noqa: F401
    except ImportError:
        print("NASim is not installed: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        raise SystemExit(2) from None
    loaded = load("espionage-tech")
    cells = [(lv, po) for po in POSTURES for lv in LEVELS]
    compiled = {}
    for lv, po in cells:
        x = loaded.with_presets(automation=lv, posture=po)
        compiled[(lv, po)] = compile_scenario(loaded.scenario, x.attacker, x.posture)
        Run(compiled[(lv, po)], 0).execute()  # warm up (imports, caches)
    nasim_us("tiny", 2)
    ours: dict[tuple[str, str, bool], list[float]] = {}
    peers: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for cell in cells:
            for bare in (False, True):
                ours.setdefault((*cell, bare), []).append(ours_us(compiled[cell], args.runs, bare))
        for name in NASIM:
            peers.setdefault(name, []).append(nasim_us(name, args.episodes))
    med = {k: statistics.median(v) for k, v in ours.items()}
    pm = {k: statistics.median(v) for k, v in peers.items()}
    cheapest = min(med[(*c, False)] for c in cells)
    print(f"median of {args.repeat} interleaved repeats, CPU time; ours: {args.runs} runs of espionage-tech per cell; "
          f"NASim: {args.episodes} random-agent episodes per scenario")
    print(f"{'':27}{'per action, all in':>20}{'controls off':>15}{'to NASim medium (all in / off)':>34}"
          f"{'to the cheapest cell':>23}")
    for lv, po in cells:
        on, off = med[(lv, po, False)], med[(lv, po, True)]
        print(f"{lv + ' / ' + po:27}{on:>17.1f} us{off:>12.1f} us{on / pm['medium']:>19.2f}x / "
              f"{off / pm['medium']:.2f}x{on / cheapest:>22.2f}x")
    for name in NASIM:
        print(f"NASim {name:21}{pm[name]:>17.1f} us per step (no defender)")
    worst = max(cells, key=lambda c: med[(*c, False)])
    print(f"slowest cell: {worst[0]} / {worst[1]}, {med[(*worst, False)] / cheapest:.2f}x the cheapest per action "
          "(issue 18: at most 2x); cells cheaper than NASim medium all in: "
          f"{sum(med[(*c, False)] < pm['medium'] for c in cells)} of {len(cells)}")


if __name__ == "__main__":
    main()
