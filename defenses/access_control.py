"""Access control: MFA on remote/interactive logins, admin tiering, credential hygiene.

- MFA: a logon with stolen credentials over an MFA-protected service (``mfa_services``) fails (a failed login: noise).
  Which services accept a logon at all is the scenario's ``services.logon``; which of them MFA guards is the defender's
  choice, so it lives here and moves with the posture.
- Tiering: an admin account works only inside its tier zones, and its credentials are never cached outside them.
- Hygiene: a cached credential is reusable when dumped with probability ``dump_yield`` (LAPS, protected users and
  short-lived tokens push it down).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from defenses.base import U_DUMP, U_MFA, Action, Control, ControlConfig


class AccessControl(Control):
    """Per-run access control."""

    def has_mfa(self, account: int) -> bool:
        """Whether ``account`` is protected by MFA in this run (explicit in the scenario, else by coverage)."""
        acct = self.ctx.net.accounts[account]
        if acct.mfa is not None:
            return acct.mfa
        if acct.kind == "service":
            return False  # service accounts log on non-interactively: coverage does not reach them
        return self.ctx.uniform(U_MFA, account) < self.config.mfa_coverage

    def _outside_tier(self, account: int, zone: str | None) -> bool:
        acct = self.ctx.net.accounts[account]
        tiered = self.config.admin_tiering and acct.kind == "admin" and acct.tier_zones
        return bool(tiered and zone not in acct.tier_zones)

    def check(self, action: Action) -> str | None:
        if action.account is None or action.false_finding:
            return None
        if self._outside_tier(action.account, action.dst_zone):
            return "tiering"
        if action.service in self.config.mfa_services and self.has_mfa(action.account):
            if action.technique == "T1621" and not self.config.mfa_number_matching:
                return None  # push bombing: whether the user approves is the action's own chance
            return "mfa"
        return None

    def harvest_yield(self, host: int, account: int) -> bool:
        if self._outside_tier(account, self.ctx.net.hosts[host].zone):
            return False
        return self.ctx.uniform(U_DUMP, host, account) < self.config.dump_yield


class AccessControlConfig(ControlConfig):
    """Identity and access management."""

    mfa_coverage: float = Field(ge=0, le=1)
    """Share of user and admin accounts (where the scenario does not say) with MFA on remote and interactive logins.
    Service accounts have MFA only where the scenario says so."""
    mfa_services: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")], ...] = ("vpn", "rdp", "ssh", "sso")
    """Logon services whose logons MFA protects (default: vpn, rdp, ssh, sso: remote and interactive logons; smb and
    winrm network logons are not challenged). Set in a scenario's overrides, each must be one of the scenario's logon
    services (``services.logon``)."""
    mail_filter_catch: float = Field(0.9, ge=0, le=1)
    """Share of phishing mails the mail filter stops (assumption)."""
    click_rate: float = Field(0.05, ge=0, le=1)
    """Share of delivered phishing mails a user opens and clicks (assumption: trained staff; untrained is higher)."""
    credential_entry_rate: float = Field(0.5, ge=0, le=1)
    """Share of clicks after which the user also types a password into the attacker's page (assumption)."""
    mfa_number_matching: bool = False
    """Push MFA shows a number the user must type in the app: a push-bombing run (T1621) gets no approval."""
    admin_tiering: bool = False
    """Admin credentials work only inside their tier zones (and are not cached outside them)."""
    dump_yield: float = Field(ge=0, le=1)
    """Chance a cached credential found by a dump is reusable."""

    behaviour_class = AccessControl
