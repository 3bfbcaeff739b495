"""Back in through a backdoor account (T1078 with the attacker's own account): after an eviction, a logon from
outside to a remote-access service, no second factor in the way (the attacker enrolled its own), until the defender
has disabled the backdoors (simulator/attack/persistence.py)."""

from __future__ import annotations

from simulator.attack.movement import SESSION_SERVICES


class BackdoorLogon:
    """The attacker's own account on an exposed logon service."""

    name = "backdoor"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        if not attacker.backdoors or attacker.backdoors_disabled:
            return
        for svc in services:
            if _usable(attacker, h, svc):
                yield -1.0, (h, svc)  # the surest way back in
                return

    def attempt(self, attacker, entry: tuple):
        h, svc = entry
        net = attacker.net
        if attacker._down(h):
            return
        yield from attacker._authorise(h)
        a = yield from attacker.act("initial-access", "T1078", attacker.p.efforts.stuffing / 5, host=h,
                                    src_zone="internet", dst_zone=net.hosts[h].zone, service=svc, takeover=True)
        if a.success and not attacker.backdoors_disabled:
            attacker._gain(h, "user", svc in SESSION_SERVICES)


def pending(attacker) -> bool:
    """A live backdoor and an exposed logon service to use it on."""
    if not attacker.backdoors or attacker.backdoors_disabled:
        return False
    net = attacker.net
    return any(_usable(attacker, h, svc) for h, svcs in net.entry for svc in svcs)


def _usable(attacker, h: int, svc: str) -> bool:
    """Whether the backdoor account, with user rights, gets a way in over ``svc`` of ``h``: a logon service that
    neither gives a user the file shares only (smb) nor refuses one (winrm; rdp where users may not use it)."""
    return (svc in attacker.net.logon_services
            and attacker._logon_gives(False, svc, h) not in (None, "share"))
