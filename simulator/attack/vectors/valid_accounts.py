"""Logons to a remote-access service from outside: valid accounts the attacker harvested on an earlier stay (T1078),
then credential stuffing with a breach corpus (T1110.004), then password spraying (T1110.003, ``spraying_success``,
``spraying_days``); where a second factor stops a valid account and the attacker push-bombs (``mfa_fatigue``),
repeated MFA prompts until the user approves (T1621)."""

from __future__ import annotations

import math

from defenses.base import U_STUFFED
from simulator.attack.movement import SESSION_SERVICES

U_SPRAYED = 39


SPRAY_ROUND_MINUTES = 60.0
"""How long one pass's spraying round lasts, whoever runs it: paced so that no account sees more than a guess or two
per lockout window (scripted, at no crew's speed), so a round is no burst and sets no peak request rate."""
SPRAY_GUESSES = 3
"""Guesses per account in one round (the round's footprint: this many requests per account it sprays)."""


def logon(attacker, h: int, svc: str, acct: int | None, technique: str, factor: int, effort: float,
          duration: float | None = None):
    """One logon from outside with ``acct`` (None: a stuffing run or a spraying round that finds nothing); push-bombs
    where a second factor refuses a valid account. Returns the action's block ('mfa' when the account is no use on
    the service) or None; on success the attacker holds the host. A spraying round (T1110.003) goes through a
    rotating proxy pool, as reported spraying campaigns do (Microsoft on Midnight Blizzard, January 2024, and on
    CovertNetwork-1658, October 2024): its failed logons alert where sensors see them, but name no address to block."""
    net, p = attacker.net, attacker.p
    host = net.hosts[h]
    if attacker._down(h):
        return "contained"  # encrypted, out of service: not a verdict on the account, try again later
    yield from attacker._authorise(h)  # a logon from outside straight into a sensitive zone is access to it too
    a = yield from attacker.act("initial-access", technique, effort, host=h, src_zone="internet",
                                dst_zone=host.zone, account=acct, service=svc, duration=duration,
                                success=0.0 if acct is None else 1.0, factor=factor,
                                honeytoken=acct is not None and net.accounts[acct].honeytoken,
                                takeover=acct is not None, proxied=technique == "T1110.003")
    # (a stuffing run or a spraying round that found no password is a result, not a failed step: nobody redoes it by
    # hand)
    if a.blocked == "mfa" and p.mfa_fatigue > 0:
        a = yield from attacker.act("initial-access", "T1621", effort, host=h, src_zone="internet",
                                    dst_zone=host.zone, account=acct, service=svc, success=p.mfa_fatigue,
                                    factor=20, honeytoken=net.accounts[acct].honeytoken, takeover=True)
        if not a.success and a.blocked is None:
            a.blocked = "mfa"  # the user did not approve: this account is no use here
    if a.success:
        attacker._harvest_account(acct)
        attacker._gain(h, "admin" if net.accounts[acct].kind == "admin" else "user", svc in SESSION_SERVICES)
    elif a.blocked in ("mfa", "tiering") and acct is not None and acct not in attacker.harvested:
        # the password was accepted and then a second factor asked for, or the logon refused for want of the right
        # (admin tiering: checked after the password): the attacker keeps it (a stuffed or sprayed one; a harvested
        # one is held already) for the services, inside or out, that ask for no second factor, in the zones where
        # the account may log on
        attacker._harvest_account(acct)
    return a.blocked


class RemoteLogon:
    """A logon service on an internet-facing host with an account left to try. On an entry host held only as a
    session (the campaign tries no other held host), only a logon that gives a shell there: over a service that is no
    session, with an account whose rights make one (an admin's on an appliance), harvested or in the breach corpus."""

    name = "logon"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        for svc in services:
            if (svc in attacker.net.logon_services and (h, svc) not in attacker.dead
                    and (h not in attacker.owned or any(self._accounts(attacker, h, svc)))):
                yield -0.2, (h, svc)

    @staticmethod
    def _accounts(attacker, h: int, svc: str) -> tuple[list[int], list[int]]:
        """The harvested accounts to try on ``svc`` of ``h``, then those the breach corpus has (all of them, for a
        held host only those that would give a shell; never a decoy: nobody ever used one, so none has leaked)."""
        net, p = attacker.net, attacker.p
        refused = attacker.mfa_refused
        if h in attacker.owned:
            session = svc in SESSION_SERVICES

            def gains(a: int) -> bool:
                return attacker._would_gain(h, "admin" if net.accounts[a].kind == "admin" else "user", session)
        else:
            def gains(a: int) -> bool:
                return True
        zone = net.hosts[h].zone
        tiered = attacker.tier_refused
        way_in = attacker._way_in_logon  # (a user's smb logon reads files, its winrm one is refused: no way in)
        valid = [a for a in sorted(attacker.harvested & net.logon_accounts[h])
                 if (a, svc) not in refused and (a, zone) not in tiered and way_in(a, svc, h) and gains(a)]
        stuffed = [a for a, acct in enumerate(net.accounts)
                   if h in acct.logon and not acct.honeytoken and a not in valid
                   and (a, svc) not in refused and (a, zone) not in tiered and a not in attacker.stale
                   and way_in(a, svc, h) and attacker.uniform(U_STUFFED, a) < p.stuffing_success and gains(a)]
        return valid, stuffed

    @staticmethod
    def _sprayable(attacker, h: int, svc: str) -> list[int]:
        """The accounts a spraying round against ``svc`` of ``h`` tries: every account that logs on there (the
        attacker enumerates user names) whose logon the service has not refused for want of a second factor or a
        right; never a decoy (a random password no list holds). Reset accounts too: the attacker cannot tell."""
        net = attacker.net
        refused, tiered, zone = attacker.mfa_refused, attacker.tier_refused, net.hosts[h].zone
        return [a for a, acct in enumerate(net.accounts)
                if h in acct.logon and not acct.honeytoken and (a, svc) not in refused and (a, zone) not in tiered
                and attacker._way_in_logon(a, svc, h)]

    def attempt(self, attacker, entry: tuple):
        h, svc = entry
        p = attacker.p
        refused = attacker.mfa_refused
        held = h in attacker.owned
        valid, stuffed = self._accounts(attacker, h, svc)
        if held and not (valid or stuffed):
            return  # nothing left that would give a shell (the service is not dead: the host may be lost, then hit)
        tries = [(a, "T1078", 1) for a in valid] + [(a, "T1110.004", 50) for a in stuffed[:3]]
        rounds = attacker.sprayed.get(entry, 0)
        if not tries:
            sprayable = self._sprayable(attacker, h, svc)
            if rounds and not held and p.spraying_success > 0 and sprayable:
                # the corpus found nothing here: a spraying round (the spray works through its list at a lockout-safe
                # pace from its first round on; this pass picks up what it has found since), then a logon with each
                # password found, up to three
                now = attacker.env.now
                start = attacker.spray_start.setdefault(entry, now)
                first_reset = attacker.first_reset
                found = []
                for a in sprayable:
                    when = start + attacker.uniform(U_SPRAYED, a, 1) * p.spraying_days * 1440.0
                    # (the spray reaches the account's password at ``when``; reset before that, even once and
                    # again since, the account's password is a new one, not in the list: the guesses fail like any
                    # others)
                    if (self._in_list(attacker, a) and a not in attacker.stale and when <= now
                            and first_reset.get(a, math.inf) > when):
                        found.append(a)
                tries = [(None, "T1110.003", SPRAY_GUESSES * len(sprayable))] + [(a, "T1078", 1) for a in found[:3]]
            else:
                tries = [(None, "T1110.004", 50)]  # a corpus run that finds nothing
        if not held:
            attacker.sprayed[entry] = rounds + 1
        for acct, technique, factor in tries:
            effort = p.efforts.stuffing / (5 if technique == "T1078" else 1)  # a known-good logon is one try
            blocked = yield from logon(attacker, h, svc, acct, technique, factor, effort,
                                       SPRAY_ROUND_MINUTES if technique == "T1110.003" else None)
            if blocked == "infrastructure" or blocked == "contained":
                if not held:
                    attacker.sprayed[entry] = rounds  # nothing was tried: the round is still to come
                return  # not a verdict on the service: try again later
            if blocked in ("mfa", "decoy"):
                refused.add((acct, svc))  # a second factor was asked for, or no logon right: no use on this service
            elif blocked == "tiering":
                attacker.tier_refused.add((acct, attacker._zone(h)))  # an admin account kept out of this zone
            elif blocked == "reset":
                attacker.stale.add(acct)  # the corpus's or the spray's password was changed since: not tried again
            if h in attacker.owned and (not held or not attacker._shell_less(h)):
                return
        if (not held and not any((a, svc) not in refused for a in valid)
                and not self._spray_open(attacker, entry)):
            attacker.dead.add((h, svc))  # no account left to try here (nor a password left to spray)

    @staticmethod
    def _in_list(attacker, a: int) -> bool:
        """Whether account ``a``'s password is among the commonest ones a spray works through (``spraying_success``;
        a draw per account, common to every cell)."""
        return attacker.uniform(U_SPRAYED, a, 0) < attacker.p.spraying_success

    def _spray_open(self, attacker, entry: tuple) -> bool:
        """Whether spraying ``entry`` (host, service) may still find a password: its list not yet worked through
        (``spraying_days`` from the first round), or an account in the list whose logon is still to be tried. Once
        the list is done and no password of it is left to try, the service is closed, as after a corpus run."""
        p = attacker.p
        h, svc = entry
        sprayable = self._sprayable(attacker, h, svc)
        if p.spraying_success <= 0 or not sprayable:
            return False
        start = attacker.spray_start.get(entry)
        if start is None or attacker.env.now < start + p.spraying_days * 1440.0:
            return True
        return any(self._in_list(attacker, a) for a in sprayable)
