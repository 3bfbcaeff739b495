"""Cost per attacker action, side by side with NASim's cost per step (issue 18), in one process.

    .venv/bin/pip install -e '.[bench]'      # NASim 0.12 (an optional extra, never in the default install)
    .venv/bin/python benchmarks/peers.py [--runs 100] [--episodes 30] [--repeat 5]

Ours: CPU time per attacker action on espionage-tech against `baseline`, every level, all in (the run's set-up, the
controls, the SOC's benign alerts, the result), and the same runs with the controls' checks and observers switched
off (the attacker's machinery alone). NASim: CPU time per `env.step` with a uniformly random agent on its own
benchmark scenarios (tiny, small, medium; partially observable, flat actions), episodes capped at 2,000 steps.
Repeats are interleaved (ours, NASim, ours, ...) and each figure is the median over the repeats; the ratio is ours
over NASim's medium scenario. NASim has no defender at all: the fair comparison for 'controls on' is the all-in
figure, for 'controls off' the bare one.
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
    compiled = {lv: compile_scenario(loaded.scenario, *(lambda x: (x.attacker, x.posture))(
        loaded.with_presets(automation=lv, posture="baseline"))) for lv in LEVELS}
    for lv in LEVELS:
        Run(compiled[lv], 0).execute()  # warm up (imports, caches)
    nasim_us("tiny", 2)
    ours: dict[tuple[str, bool], list[float]] = {}
    peers: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for lv in LEVELS:
            for bare in (False, True):
                ours.setdefault((lv, bare), []).append(ours_us(compiled[lv], args.runs, bare))
        for name in NASIM:
            peers.setdefault(name, []).append(nasim_us(name, args.episodes))
    med = {k: statistics.median(v) for k, v in ours.items()}
    pm = {k: statistics.median(v) for k, v in peers.items()}
    print(f"median of {args.repeat} interleaved repeats, CPU time; ours: {args.runs} runs of espionage-tech vs "
          f"baseline per level; NASim: {args.episodes} random-agent episodes per scenario")
    print(f"{'':18}{'per action, all in':>20}{'controls off':>15}{'ratio to NASim medium (all in / off)':>40}")
    for lv in LEVELS:
        on, off = med[(lv, False)], med[(lv, True)]
        print(f"{lv:18}{on:>17.1f} us{off:>12.1f} us{on / pm['medium']:>24.2f}x / {off / pm['medium']:.2f}x")
    for name in NASIM:
        print(f"NASim {name:12}{pm[name]:>17.1f} us per step (no defender)")


if __name__ == "__main__":
    main()
