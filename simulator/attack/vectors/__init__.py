"""Initial-access vectors: the ways in from outside, one module each, behind one protocol.

A vector offers candidate entries on an internet-facing host it has fingerprinted (``candidates``: a score, lower is
tried first, and an entry of its own) and tries one (``attempt``, a simpy generator run on the attacker). The campaign
(``simulator.attack.initial_access``) gathers every vector's candidates on every entry host, in the order of
``VECTORS`` and of the hosts, sorts them by score (ties in the order offered) and tries them until one gives a
foothold. A new vector is a module here with a class that meets ``Vector``, added to ``VECTORS``, and a test.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any, Protocol

from simulator.attack.vectors.backdoor import BackdoorLogon
from simulator.attack.vectors.broker import BoughtAccess
from simulator.attack.vectors.exploit import ExploitPublicFacing
from simulator.attack.vectors.phishing import Phishing
from simulator.attack.vectors.supplier import SupplierAccess
from simulator.attack.vectors.valid_accounts import RemoteLogon


class Vector(Protocol):
    """One way in."""

    name: str

    def candidates(self, attacker: Any, h: int, services: tuple[str, ...]) -> Iterable[tuple[float, tuple]]:
        """(score, entry) for each way this vector offers into entry host ``h`` (serving ``services`` to the
        internet), given what the attacker knows now."""

    def attempt(self, attacker: Any, entry: tuple) -> Generator[Any, Any, None]:
        """Try ``entry`` (on success the attacker gains the host)."""


def offers(vector: Any, attacker: Any) -> Iterable[tuple[float, tuple]]:
    """(score, entry) a vector offers that no exposed host carries (phishing: people, not services)."""
    more = getattr(vector, "offers", None)
    return () if more is None else more(attacker)


VECTORS: tuple[Vector, ...] = (ExploitPublicFacing(), RemoteLogon(), BoughtAccess(), Phishing(),
                                SupplierAccess(), BackdoorLogon())
"""Tried in this order on each host (then all sorted by score)."""

__all__ = ["VECTORS", "Vector", "offers"]
