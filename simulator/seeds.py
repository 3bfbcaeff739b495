"""Seeds: every run owns its randomness, derived without hashing strings (DESIGN.md section 7).

A run's key comes from ``numpy.random.SeedSequence(root_seed, spawn_key=(replicate,))``. The cell is deliberately not
part of the key: every cell of a comparison replays replicate r on the same key, so differences between cells are paired
(common random numbers). Within a run, each random fact is either drawn from a purpose-specific stream or is a pure
function of (key, purpose, entity) (see ``uniform``), so changing one control does not reshuffle another's draws.
"""

from __future__ import annotations

import random
from functools import lru_cache

_M = (1 << 64) - 1


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread 64-bit mix."""
    x = (x + 0x9E3779B97F4A7C15) & _M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M
    return x ^ (x >> 31)


@lru_cache(maxsize=65536)  # every cell of a comparison replays the same seeds
def run_key(root_seed: int, replicate: int = 0) -> int:
    """The 64-bit key of replicate ``replicate`` under ``root_seed``."""
    from numpy.random import SeedSequence  # numpy is heavy: imported only when a run is made

    return int(SeedSequence(root_seed, spawn_key=(replicate,)).generate_state(1, dtype="uint64")[0])


def keyed_uniform(key: int, purpose: int, a: int, b: int = 0) -> float:
    """A uniform in [0, 1) that is a pure function of its arguments."""
    h = mix64(key ^ mix64((purpose << 40) ^ mix64((a << 20) ^ b)))
    return (h >> 11) * (1.0 / (1 << 53))


def stream_seed(key: int, purpose: int) -> int:
    """A 64-bit seed for ``purpose``'s own stream, a pure function of the run key (no string hashing involved)."""
    return mix64(key ^ mix64(0xA5A5 + purpose))


def substream(key: int, purpose: int) -> random.Random:
    """A ``random.Random`` of its own for ``purpose``."""
    return random.Random(stream_seed(key, purpose))
