"""Phishing (T1566): a campaign of emails to the users of a host group the scenario lists under ``phishing``; the
posture's mail filter stops some, a share of those delivered are opened and clicked (a foothold on that user's
workstation, with user access), and some users also type their password into the attacker's page (the account is
harvested). A campaign the filter caught any of is logged by the mail gateway: an alert from outside (source
``mail``) that the SOC triages like any other. It names neither the mailbox a delivered copy was clicked in nor the
addresses the crew scans and exploits from (its mail senders are other, and the filter has them already), so
recognising it is a warning, and blocks nothing. Off unless the attacker profile sends mails
(``phishing_recipients``) and the scenario names targets."""

from __future__ import annotations

import dataclasses

from defenses.base import Alert

U_PHISH_HOST = 32
U_PHISH_CRED = 33
"""Keyed draws: which workstation a click lands on, and whether its user also entered a password."""
U_PHISH_CAUGHT = 36
"""Keyed draw: whether the mail filter caught at least one of a campaign's mails (and so logged it)."""


class Phishing:
    """A mail campaign to one target group."""

    name = "phishing"

    def candidates(self, attacker, h: int, services: tuple[str, ...]):
        return ()  # not tied to an exposed service

    def offers(self, attacker):
        p, net = attacker.p, attacker.net
        if p.phishing_recipients <= 0:
            return
        for i, target in enumerate(net.phishing):
            if ("phish", i) in attacker.dead:
                continue
            yield -0.3, (i, target)

    @staticmethod
    def chance(attacker, users: int) -> float:
        """That at least one of the campaign's recipients clicks: each mail passes the filter
        (1 - ``mail_filter_catch``), then is clicked (``click_rate``)."""
        ac = attacker.compiled.posture.access_control
        n = min(attacker.p.phishing_recipients, users)
        per_mail = (1.0 - ac.mail_filter_catch) * ac.click_rate
        return 1.0 - (1.0 - per_mail) ** n

    def attempt(self, attacker, entry: tuple):
        i, (hosts, users) = entry
        net, p = attacker.net, attacker.p
        free = [h for h in hosts if h not in attacker.owned and h not in attacker.belief.contained_hosts
                and not attacker._down(h)]
        if not free:
            return
        attacker._phish_round = getattr(attacker, "_phish_round", 0) + 1
        rnd = attacker._phish_round
        h = free[int(attacker.uniform(U_PHISH_HOST, i, rnd) * len(free))]
        # (no sensitive_access gate: the lure goes to people, and the host it lands on is the clicking user's)
        # sent from mail infrastructure of its own (``proxied``: not the addresses the crew scans and exploits from,
        # so nothing the gateway logs names those, and a block of those does not stop the mails)
        a = yield from attacker.act("initial-access", "T1566", p.efforts.phishing, host=h, src_zone="internet",
                                    dst_zone=net.hosts[h].zone, success=self.chance(attacker, users),
                                    factor=min(p.phishing_recipients, users), takeover=False, proxied=True)
        if a.blocked is None:
            ac = attacker.compiled.posture.access_control
            n = min(p.phishing_recipients, users)
            if attacker.uniform(U_PHISH_CAUGHT, i, rnd) < 1.0 - (1.0 - ac.mail_filter_catch) ** n:
                # what the gateway saw: a campaign from outside (not which mailbox a delivered copy was clicked in,
                # nor the addresses the crew scans and exploits from: its senders are other, and filtered already)
                attacker.raise_alert(Alert(attacker.env.now, "low", True, "mail", None, technique="T1566",
                                           src_zone="internet", success=False, phase="initial-access"), a)
                last = attacker.timeline[-1]  # the campaign's own entry (recorded as it ended, just now): seen
                attacker.timeline[-1] = dataclasses.replace(last, detected=True)
        if not a.success:
            return
        attacker._gain(h, "user")
        ac = attacker.compiled.posture.access_control
        if attacker.uniform(U_PHISH_CRED, i, rnd) < ac.credential_entry_rate:
            users_of = sorted(a_ for a_ in net.logon_accounts[h]  # (a decoy is nobody's: nobody types it in)
                              if net.accounts[a_].kind == "user" and not net.accounts[a_].honeytoken)
            if users_of:
                attacker._harvest_account(users_of[int(attacker.uniform(U_PHISH_CRED + 100, i, rnd)
                                                       * len(users_of))], fresh=True)  # typed in just now
