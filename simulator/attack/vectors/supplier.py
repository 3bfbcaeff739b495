"""A supplier's standing access (T1199 Trusted Relationship): the scenario lists suppliers whose account logs on
from outside to the hosts it serves; an attacker that compromises the supplier (``supplier_compromise_days`` after
the campaign starts) logs on with that account. Segmentation decides whether the flow crosses (the posture's flow
policy for that service from the outside into the host's zone: a posture that restricts remote administration to the
admin tier stops supplier RDP or SSH); a second factor on the account stops it too."""

from __future__ import annotations

from simulator.attack.vectors.valid_accounts import logon


class SupplierAccess:
    """Each supplier's allowed (host, service) pairs, once the supplier is compromised; tried until one works."""

    name = "supplier"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        return ()

    def offers(self, attacker):
        days = attacker.p.supplier_compromise_days
        if days is None or attacker.env.now < days * 1440:
            return
        for i, (acct, pairs) in enumerate(attacker.net.suppliers):
            for h, svc in pairs:
                if (("supplier", i, h, svc) not in attacker.dead and h not in attacker.owned
                        and attacker._way_in_logon(acct, svc, h, granted=True)):
                    yield -0.8, (i, acct, h, svc)

    def attempt(self, attacker, entry: tuple):
        i, acct, h, svc = entry
        blocked = yield from logon(attacker, h, svc, acct, "T1199", 1, attacker.p.efforts.stuffing / 5)
        if blocked not in ("infrastructure", "contained"):
            attacker.dead.add(("supplier", i, h, svc))


def pending(attacker) -> bool:
    """A supplier's access is still to come or still untried."""
    if attacker.p.supplier_compromise_days is None:
        return False
    return any(("supplier", i, h, svc) not in attacker.dead and attacker._way_in_logon(acct, svc, h, granted=True)
               for i, (acct, pairs) in enumerate(attacker.net.suppliers) for h, svc in pairs)
