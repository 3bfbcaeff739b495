"""Valid accounts bought from an initial access broker (T1078): after ``access_broker_days`` the attacker holds one
user account that logs on to an internet-facing remote-access service; the purchase makes no noise, the logon is a
valid one (a second factor still stands in its way, unless push bombing gets an approval)."""

from __future__ import annotations

from simulator.attack.vectors.valid_accounts import logon

U_BROKER = 31
"""The keyed draw that picks which account the broker sells (the same across cells of a run's seed)."""


def bought(attacker) -> tuple[int, int, str] | None:
    """(account, entry host, service) the broker sells in this run, or None (no broker in the profile, or no user
    account logs on to an internet-facing logon service)."""
    if attacker.p.access_broker_days is None:
        return None
    if not hasattr(attacker, "_bought"):
        net = attacker.net
        offers = [(a, h, svc) for h, svcs in net.entry for svc in svcs if svc in net.logon_services
                  for a in sorted(net.logon_accounts[h]) if net.accounts[a].kind == "user"]
        attacker._bought = offers[int(attacker.uniform(U_BROKER, 0) * len(offers))] if offers else None
    return attacker._bought


class BoughtAccess:
    """The broker's account, once delivered, tried once."""

    name = "broker"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        offer = bought(attacker)
        if offer is None or offer[1] != h or ("broker",) in attacker.dead:
            return
        if attacker.env.now >= attacker.p.access_broker_days * 1440:
            yield -0.9, offer  # a known-good account: tried first

    def attempt(self, attacker, entry: tuple):
        acct, h, svc = entry
        blocked = yield from logon(attacker, h, svc, acct, "T1078", 1, attacker.p.efforts.stuffing / 5)
        if blocked not in ("infrastructure", "contained"):
            attacker.dead.add(("broker",))  # used (or refused): the broker sold one account
        if blocked == "mfa":
            attacker.mfa_refused.add((acct, svc))


def pending(attacker) -> bool:
    """The broker's account is still to come or still untried."""
    return bought(attacker) is not None and ("broker",) not in attacker.dead
