"""Logons to a remote-access service from outside: valid accounts the attacker harvested on an earlier stay (T1078),
then credential stuffing with a breach corpus (T1133)."""

from __future__ import annotations

from defenses.base import U_STUFFED


class RemoteLogon:
    """A logon service on an internet-facing host with an account left to try."""

    name = "logon"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        for svc in services:
            if svc in attacker.net.logon_services and (h, svc) not in attacker.dead:
                yield -0.2, (h, svc)

    def attempt(self, attacker, entry: tuple):
        h, svc = entry
        net, p = attacker.net, attacker.p
        dead = attacker.dead
        host = net.hosts[h]
        reset = attacker.belief.reset_credentials
        refused = attacker.mfa_refused
        valid = [a for a in sorted(attacker.harvested & net.logon_accounts[h]) if (a, svc) not in refused]
        stuffed = [a for a, acct in enumerate(net.accounts)
                   if h in acct.logon and a not in reset and a not in valid and (a, svc) not in refused
                   and attacker.uniform(U_STUFFED, a) < p.stuffing_success]
        tries = [(a, "T1078", 1) for a in valid] + [(a, "T1133", 50) for a in stuffed[:3]]
        for acct, technique, factor in tries or [(None, "T1133", 50)]:
            effort = p.efforts.stuffing / (5 if technique == "T1078" else 1)  # a known-good logon is one try
            a = yield from attacker.act("initial-access", technique, effort, host=h, src_zone="internet",
                                        dst_zone=host.zone, account=acct, service=svc,
                                        success=0.0 if acct is None else 1.0, factor=factor,
                                        honeytoken=acct is not None and net.accounts[acct].honeytoken,
                                        takeover=True)
            if a.blocked == "infrastructure" or a.blocked == "contained":
                return  # not a verdict on the service: try again later
            if a.blocked == "mfa":
                refused.add((acct, svc))  # a second factor was asked for: this account is no use on this service
            if a.success:
                attacker._harvest_account(acct)
                attacker._gain(h, "admin" if net.accounts[acct].kind == "admin" else "user")
                return
        if not any((a, svc) not in refused for a in valid):
            dead.add((h, svc))  # no account left to try here
