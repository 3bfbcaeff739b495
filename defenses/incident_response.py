"""Incident response: act on evidence, with a business cost (DESIGN.md 5.1).

What an escalated alert shows decides what the team does with it:

- **Evidence that the attacker is on an own host** (the source of an internal action, the target of an access that
  succeeded, a host the team names): where the playbook lets the analyst (``edr_isolation``), a host in evidence that
  runs EDR is cut off the network from the EDR console ``edr_isolate_minutes`` later (a user's device, or any host but
  a domain controller or a data store: ``edr_isolable``), the attacker's work there interrupted; the round cleans it.
  A response round opens. After a log-normal delay (``contain_hours``) the team scopes from the hosts in evidence,
  following the attacker's trail in the records monitoring kept (``_trace``): a held host where a logon by the
  attacker with an account known stolen is on record, or one it moved to or from a host found, where either end ran
  EDR, is found with probability ``scoping_trace``, pivoting on from each host found; each other host the attacker
  holds is found with probability ``scoping`` (forensic capacity), and each clean host in the same zones, or with the
  stolen account's own logons, is flagged by mistake with probability ``scoping_false_positive``. It isolates what it
  found (interrupting attacker work there), resets the credentials seen used by the attacker and those cached on the
  isolated hosts, and, only if the round saw evidence of theft or staging (an alert on collection or exfiltration) and
  the playbook allows it, blocks egress for ``egress_block_hours``. An isolated host is cleaned and restored after
  ``cleanup_hours`` (log-normal), rebuilt with the hole the evidence showed closed (an exploit an alert saw succeed
  there); its other patches follow the patching schedule. An attacker who kept another foothold or a valid credential
  can come back to it.
- **A decoy (honeytoken) account seen used** points at the hosts it is planted on (cached there and nowhere else),
  except those back clean since its first use. Planted on one host, that host is evidence. Planted on several, one
  of them was dumped, not each: the round triages them (a held one is found if it runs EDR, whose record holds the
  dump, otherwise with ``scoping``; a clean one is pulled by mistake with ``scoping_false_positive``).
- **An alert about the outside only** (scanning, a failed exploit or logon from the internet) is no evidence that an
  own host is compromised. The team blocks that attacker infrastructure at the perimeter (the attacker loses time
  rotating to new addresses) and puts the target under heightened watch for ``watch_days``; it isolates nothing.
  A logon from outside refused only by MFA or tiering (or a push-bombing run the user declined) shows the account's
  current password known to the attacker: the account is reset after ``reset_hours`` (log-normal), a helpdesk task
  of its own, as on an MFA-fatigue report, with no round, no scoping and no isolation.

Escalations during a round join it; later ones open a new round. Hosts are isolated once per piece of evidence: a host
restored after cleanup is isolated again only on new evidence.

- **A coordinated eviction** (``evict_after_retakes``): piecemeal rounds against an attacker who keeps another
  foothold turn into whack-a-mole (it dumps the new passwords where it still is and takes the restored hosts back).
  A round whose evidence shows the attacker back (on a host the response had restored, after the restore, or a
  logon that worked with an account reset before it) counts a retake. At the ``evict_after_retakes``-th, the team
  stops containing piecemeal and plans one eviction: for a log-normal ``eviction_planning_hours`` it runs a
  compromise assessment instead of rounds (no isolation by a round, no password reset; the analyst's EDR
  containment of a host in evidence goes on, and evidence of theft, before or during it, blocks egress at once),
  then acts at once. It isolates every host the assessment found: the hosts in evidence meanwhile, the trail from
  them and from every host ever known compromised, and each other held host an agent can run on with
  ``eviction_scoping`` (the responders deploy theirs wherever one runs and sweep the estate, whatever new evidence
  came; a device that takes no agent with ``scoping``). It resets every privileged account (admin and service
  accounts) with the credentials seen used and those cached on what it isolates (every domain account if a domain
  controller was ever seen compromised, with the krbtgt pair), disables the accounts the attacker created (an audit
  of the accounts created since), patches every flaw disclosed by then on the internet-facing hosts
  (``eviction_patches_perimeter``: the ways back in closed before the crew is pushed out, whatever the patching
  schedule's coverage), and watches the zones it was found in for ``watch_days``. Planning is not invisible: the
  analyst's EDR containment, the SOC's automation and the blocks of outside addresses go on, and the attacker may
  notice them (a helpdesk reset of a password seen from outside waits for the eviction, which resets it with the
  others); a host they cut off is taken over and cleaned, not handed back with the attacker's hold when the
  automation's isolation ends. After it, rounds are piecemeal again, and another ``evict_after_retakes`` retakes
  bring another eviction.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from defenses.base import THEFT_PHASES, Action, Alert, Control, ControlConfig
from defenses.monitoring import Monitoring, agent_possible
from simulator.scenario import USER_DEVICE_ROLES

U_IR_STREAM = 111
U_IR_RESET_STREAM = 112
U_IR_LEAD_STREAM = 113
U_IR_TRACE_STREAM = 114
HOLD_MINUTES = 30.0
"""While an eviction is planned, how often the response looks for network isolations to take over (``_hold``)."""


class IncidentResponse(Control):
    """Per-run incident response."""

    def start(self) -> None:
        self.rng = self.ctx.substream(U_IR_STREAM)
        self.in_progress = False
        self.pending: set[int] = set()
        """Hosts with evidence the next round has not yet isolated."""
        self.theft = False
        """The round saw evidence of data theft or staging."""
        self.infra_pending: set[int] = set()
        self.reset_rng = self.ctx.substream(U_IR_RESET_STREAM)
        self.resets_pending: set[int] = set()
        """Accounts an outside logon showed known, whose reset is under way."""
        self.leads: set[int] = set()
        """Hosts a decoy account's use points at (planted on several: one of them was dumped) that the next round
        triages."""
        self.lead_rng = self.ctx.substream(U_IR_LEAD_STREAM)
        self.trace_rng = self.ctx.substream(U_IR_TRACE_STREAM)
        self.monitoring = next((c for c in self.ctx.controls if isinstance(c, Monitoring)), None)
        self.dc_evidence = False
        """The round saw a domain controller compromised (a DCSync alert, or a domain controller in evidence)."""
        self.krbtgt_under_way = False
        """The krbtgt key's double reset is under way."""
        self.krbtgt_again = False
        """A domain controller compromise seen while a pair was under way: another pair follows it."""
        self.retakes = 0
        """Rounds (since the last eviction) whose evidence showed the attacker back: on a host the response had
        restored, or with an account it had reset, used since the reset."""
        self.retake_seen = False
        """The evidence gathered for the next round shows the attacker back."""
        self.planning = False
        """A coordinated eviction is being planned: rounds wait for it."""
        self.plans = 0
        """Evictions planned so far."""
        self.dc_ever = False
        """A domain controller was seen compromised at some time (the eviction resets the whole directory)."""
        self.fixed: dict[int, set[int]] = {}
        """Host -> vulnerabilities an alert showed exploited there: patched when the host is rebuilt."""
        self.perimeter: dict[int, set[int]] = {}
        """Entry host -> vulnerabilities an eviction patched on it (every one disclosed by then)."""
        watched = any(isinstance(c, Monitoring) and c.config.honeytokens for c in self.ctx.controls)
        self.decoys = frozenset(a for a, x in enumerate(self.ctx.net.accounts) if x.honeytoken and watched)
        """Decoy (honeytoken) accounts, where monitoring watches them: their use is watched, not stopped, so they are
        never reset, neither on evidence of their use nor with the credentials cached on a host the response
        isolates (the tripwire stays set; its use points at the hosts it was planted on)."""

    def on_escalation(self, alert: Alert) -> None:
        ctx = self.ctx
        belief = ctx.belief
        cfg: IncidentResponseConfig = self.config
        hosts = list(alert.evidence_hosts(planted=False))
        leads = [h for h in alert.planted if h not in hosts]
        if len(alert.planted) == 1:  # a decoy planted on one host: it was dumped, no doubt about which
            hosts += leads
            leads = []
        if alert.account is not None and (alert.success or alert.password_ok or alert.src_host is not None):
            belief.known_credentials.add(alert.account)  # a logon the attacker made with it: the credential is stolen
            if alert.success or alert.password_ok:  # (a logon refused for the old password shows no use of the new
                # one; one refused only by MFA shows the current password known, whether or not it was reset)
                seen = belief.credential_seen_at.get(alert.account)  # (an older alert may be escalated late)
                belief.credential_seen_at[alert.account] = alert.time if seen is None else max(seen, alert.time)
        if not alert.evidence_hosts(planted=False):  # (from outside: a decoy's planted hosts are evidence too)
            if alert.outside:
                if alert.host is not None and cfg.watch_days > 0:
                    belief.watched[alert.host] = max(belief.watched.get(alert.host, 0.0),
                                                     ctx.env.now + cfg.watch_days * 1440)
                gen = alert.infrastructure
                if (cfg.block_infrastructure and gen is not None and gen not in self.infra_pending
                        and gen not in belief.blocked_infrastructure):
                    self.infra_pending.add(gen)
                    ctx.env.process(self._block_infrastructure(gen))
                acct = alert.account
                if (alert.password_ok and cfg.reset_credentials and acct not in self.resets_pending
                        and acct not in self.decoys and belief.due_for_reset({acct}) and not self.planning):
                    # (while an eviction is planned, it resets the account with the others, at once)
                    # the password is known outside (MFA or tiering refused only the second factor or the rights):
                    # reset it, as a helpdesk task of its own, not an investigation (not a watched decoy's)
                    self.resets_pending.add(acct)
                    ctx.busy(+1)
                    ctx.env.process(self._reset_known(acct))
            if not hosts and not leads:
                return
        acct = alert.account
        if ((alert.success or alert.password_ok) and acct is not None
                and acct in belief.reset_credentials and alert.time > belief.reset_at.get(acct, math.inf)):
            self.retake_seen = True  # a reset account's new password in the attacker's hands (a refused logon: the
            # reset held)
        if any(alert.time > belief.rebuilt.get(h, math.inf) for h in hosts):
            self.retake_seen = True  # back on a host the response restored (or, pulled clean by mistake and taken
            # since, first on it: to the defender, a restored host compromised again either way)
        cut = {h for h in hosts if h not in belief.contained_hosts and edr_isolable(cfg, ctx.net, h, self.monitoring)}
        if cut:
            ctx.env.process(self._edr_isolate(cut))
        if alert.vuln is not None and alert.success and alert.host in hosts:
            self.fixed.setdefault(alert.host, set()).add(alert.vuln)
        for h in hosts:
            belief.known_hosts.add(h)
            if h not in belief.contained_hosts or h in belief.network_isolated:
                self.pending.add(h)  # (a host an automation only cut off is the response's to clean)
        for h in leads:
            if h not in self.pending:
                self.leads.add(h)
        if alert.phase in THEFT_PHASES:
            self.theft = True
            if self.planning and cfg.block_egress and not belief.egress_blocked:
                # the eviction is being planned, but data leaving is not left to it
                ctx.contain(set(), set(), True, egress_until=ctx.env.now + cfg.egress_block_hours * 60)
        if alert.technique == "T1003.006" or any(h in self.ctx.net.domain_controllers for h in hosts):
            self.dc_evidence = True  # (a DCSync seen: the whole directory, the krbtgt key with it, is the attacker's)
            self.dc_ever = True
        if not self.in_progress:
            self.in_progress = True
            ctx.busy(+1)
            ctx.env.process(self._respond())

    def _edr_isolate(self, hosts: set[int]):
        """The analyst who escalated cuts the hosts in evidence off the network from the EDR console: a network
        isolation (the implant is still there) until the round, which has them in evidence, takes it over to clean
        them; a host the round isolated first is left to it."""
        ctx = self.ctx
        yield ctx.env.timeout(self.config.edr_isolate_minutes)
        hosts = hosts - ctx.belief.contained_hosts
        if hosts:
            ctx.contain(hosts, set(), False, eradicate=False, by="an analyst (EDR network containment)",
                        note="the response round it escalated to cleans it")

    def _trace(self, found: set[int]) -> tuple[set[int], set[int]]:
        """Follow the attacker's trail from the hosts found: (the held hosts it leads to, the clean hosts it had the
        team look at). The records are what monitoring kept as the attacker acted (``Run.trail_logons``,
        ``Run.trail_links``): a search for an account known stolen returns every host it logged on to, its user's
        own logons among them; the attacker's stand out (their source, their hour), so each host where one is on
        record is found with probability ``scoping_trace``, and the hosts with only the user's logons are looked at
        (``scoping_false_positive`` pulls a clean one by mistake, in the round). A host found leads on to the hosts
        its records show connections to or from, found with the same chance; a host the attacker has left still
        leads on (its records stay), though there is nothing on it to isolate. One draw a host and round, on the
        response's trace stream (purpose 114: the other draws of the round are not shifted)."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        net = ctx.net
        belief = ctx.belief
        logons = ctx.trail_logons
        links = ctx.trail_links
        rng = self.trace_rng
        held: set[int] = set()
        drawn: set[int] = set(found)

        def draw(candidates: set[int]) -> list[int]:
            new = []
            for h in sorted(candidates - drawn):
                drawn.add(h)
                if rng.random() < cfg.scoping_trace:
                    new.append(h)
                    if h in ctx.owned:
                        held.add(h)
            return new

        known = sorted(belief.known_credentials - self.decoys)
        on_record = {h for a in known for h in logons.get(a, ())}
        looked_at = {h for a in known for h in net.accounts[a].logon} - on_record
        frontier = sorted(found) + draw(on_record)
        while frontier:
            frontier = draw({h for f in frontier for h in links.get(f, ())})
        return held, looked_at

    def _triage(self, found: set[int]) -> set[int]:
        """The leads a round confirms: a decoy planted on several hosts and seen used says one of them was dumped,
        not which, so each is looked at before anything is isolated. One the attacker holds shows it if the host runs
        EDR (the dump and the attacker's work there are in its telemetry, searched now with the decoy's pointer),
        otherwise with probability ``scoping`` (forensic capacity without that record); a clean one is pulled by
        mistake with probability ``scoping_false_positive``."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        belief = ctx.belief
        rng = self.lead_rng
        out: set[int] = set()
        for h in sorted(self.leads):
            if h in found or (h in belief.contained_hosts and h not in belief.network_isolated):
                continue
            if h in ctx.owned:
                edr = self.monitoring is not None and self.monitoring.has_edr(h)
                if edr or rng.random() < cfg.scoping:
                    out.add(h)
            elif rng.random() < cfg.scoping_false_positive:
                out.add(h)
        self.leads.clear()
        return out

    def _reset_known(self, acct: int):
        """Reset account ``acct``, whose password an outside logon showed known, after a log-normal
        ``reset_hours`` (its own draws: the rounds' are not shifted), unless a round reset it meanwhile."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        yield ctx.env.timeout(self.reset_rng.lognormvariate(math.log(cfg.reset_hours * 60), cfg.spread))
        self.resets_pending.discard(acct)
        if ctx.belief.due_for_reset({acct}):
            ctx.contain(set(), {acct})
        ctx.busy(-1)

    def _reset_krbtgt(self):
        """A domain controller compromised: reset the domain's Kerberos key (krbtgt) now, with the round's
        passwords, and again ``krbtgt_interval_hours`` later, once the tickets issued under the old key have expired
        (Microsoft's guidance: the domain accepts the current key and the one before, so a ticket forged with the
        key a DCSync brought stops working only at the second reset)."""
        ctx = self.ctx
        while True:
            self.krbtgt_again = False
            ctx.reset_krbtgt()
            yield ctx.env.timeout(self.config.krbtgt_interval_hours * 60)
            ctx.reset_krbtgt()
            if not self.krbtgt_again:
                break
            # a compromise seen between the two resets: a sync then may have brought the key in between, which the
            # second reset leaves valid; another pair
        self.krbtgt_under_way = False
        ctx.busy(-1)

    def _block_infrastructure(self, generation: int):
        """Block the addresses the alert saw (not whatever the attacker uses by then)."""
        ctx = self.ctx
        yield ctx.env.timeout(self.config.block_infra_minutes)
        self.infra_pending.discard(generation)
        ctx.block_infrastructure(generation)

    def _respond(self):
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        ctx.belief.response_started = True
        ctx.record("response", "incident response engaged")
        yield ctx.env.timeout(self.rng.lognormvariate(math.log(cfg.contain_hours * 60), cfg.spread))
        if self.retake_seen:
            self.retakes += 1
            self.retake_seen = False
        if cfg.evict_after_retakes and self.retakes >= cfg.evict_after_retakes:
            yield from self._evict()  # (the round's evidence waits for the eviction, with what comes meanwhile)
        else:
            self._act(self._scope())
        self.in_progress = False
        ctx.busy(-1)

    def _scope(self, sweep: bool = False) -> set[int]:
        """The hosts a round finds: those in evidence, the leads it confirms, the attacker's trail from them, each
        other held host with ``scoping`` (forensic capacity), and clean hosts flagged by mistake with
        ``scoping_false_positive``. With ``sweep`` (an eviction's compromise assessment) it sweeps the estate
        whatever the new evidence: the trail is followed from every host ever known compromised too, and a held host
        an agent can run on is found with ``eviction_scoping`` (the assessment puts its agent wherever one runs, as
        responders do, and hunts over its telemetry), another (an appliance, a device that takes no agent:
        ``edr: false``) with ``scoping``."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        belief = ctx.belief
        net = ctx.net
        open_ = belief.network_isolated
        found = {h for h in self.pending if h not in belief.contained_hosts or h in open_}
        found |= self._triage(found)
        if found or sweep:  # scoping starts from hosts in evidence and follows the trail; forensic capacity finds
            # others, with some mistakes
            traced, looked_at = self._trace(found | (belief.known_hosts if sweep else set()))
            found |= traced
            for host in sorted(ctx.owned):
                capacity = cfg.eviction_scoping if sweep and agent_possible(net, host) else cfg.scoping
                if host not in found and host not in belief.contained_hosts and self.rng.random() < capacity:
                    found.add(host)
            if cfg.scoping_false_positive > 0:  # the clean hosts in the zones under investigation, and those the
                # search for a stolen account's logons had the team look at
                zones = {net.hosts[h].zone for h in found}
                nearby = {i for i, host in enumerate(net.hosts) if host.zone in zones} | looked_at
                for h in sorted(nearby):
                    if (h not in found and h not in ctx.owned and h not in belief.contained_hosts
                            and self.rng.random() < cfg.scoping_false_positive):
                        found.add(h)
        belief.known_hosts |= found
        self.pending.clear()
        return found

    def _act(self, found: set[int], privileged: bool = False) -> None:
        """Isolate what was found, reset the credentials seen used and those cached on it (with ``privileged``,
        every admin and service account too; the whole directory and the krbtgt pair when a domain controller was
        seen compromised), and block egress on evidence of theft."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        belief = ctx.belief
        net = ctx.net
        hosts = found if cfg.isolate_hosts else set()
        creds: set[int] = set()
        found_dc = any(h in net.domain_controllers for h in found)
        self.dc_ever |= found_dc  # (seen compromised, however found: a later eviction resets the directory again)
        dc = (self.dc_evidence or found_dc or (privileged and self.dc_ever)) and cfg.reset_krbtgt
        self.dc_evidence = False
        if cfg.reset_credentials:
            # the credentials seen used (again, if seen since their last reset) and every one cached on a host it
            # isolates now (whenever the attacker got there, it may have dumped the current password)
            creds = belief.due_for_reset(set(belief.known_credentials) - self.decoys)
            for h in found:
                creds.update(c for c in net.hosts[h].credentials if c not in self.decoys)
            if privileged:  # an eviction: every privileged account at once, whatever was seen of it
                creds.update(a for a, x in enumerate(net.accounts)
                             if x.kind in ("admin", "service") and a not in self.decoys)
            if dc:  # a domain controller compromised: assume the whole directory read, every domain password known
                creds.update(a for a in net.domain_accounts if a not in self.decoys)
        now = ctx.env.now
        until = now + self.rng.lognormvariate(math.log(cfg.cleanup_hours * 60), cfg.spread) if hosts else None
        block = cfg.block_egress and self.theft and not belief.egress_blocked
        self.theft = False
        ctx.contain(hosts, creds, block, until=until, egress_until=now + cfg.egress_block_hours * 60)
        if dc and cfg.reset_credentials:
            if self.krbtgt_under_way:
                self.krbtgt_again = True  # (seen again between the two resets: the key may be taken anew, another pair)
            else:
                self.krbtgt_under_way = True
                ctx.busy(+1)
                ctx.env.process(self._reset_krbtgt())

    def _hold(self):
        """While an eviction is planned, a host already cut off the network (by the analyst from the EDR console, or
        by the SOC's automation) is not handed back with the attacker's hold: the response takes the isolation over
        and cleans the host (the attacker has lost it already; nothing new tips it off). Looked at every
        ``HOLD_MINUTES``, well inside any automation's isolation."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        plan = self.plans
        while self.planning and self.plans == plan:  # (one loop a plan: a later plan has its own)
            held = set(ctx.belief.network_isolated)
            if held:
                until = ctx.env.now + self.rng.lognormvariate(math.log(cfg.cleanup_hours * 60), cfg.spread)
                ctx.contain(held, set(), False, until=until)
            yield ctx.env.timeout(HOLD_MINUTES)

    def _evict(self):
        """Plan one coordinated eviction, then carry it out (the module's docstring). Runs inside the round that
        counted the last retake: escalations meanwhile join it, as they join a round."""
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        belief = ctx.belief
        self.planning = True
        self.plans += 1
        ctx.record("response", f"coordinated eviction planned after {self.retakes} retakes: a compromise assessment "
                               "instead of piecemeal rounds")
        if cfg.block_egress and self.theft and not belief.egress_blocked:  # data leaving is not left to the plan
            ctx.contain(set(), set(), True, egress_until=ctx.env.now + cfg.egress_block_hours * 60)
        ctx.env.process(self._hold())
        yield ctx.env.timeout(self.rng.lognormvariate(math.log(cfg.eviction_planning_hours * 60), cfg.spread))
        self.planning = False
        self.retakes = 0
        self.retake_seen = False
        found = self._scope(sweep=True)
        ctx.record("response", f"coordinated eviction: {len(found)} host{'' if len(found) == 1 else 's'} at once"
                   + (", every privileged account reset" if cfg.reset_credentials else ""))
        self._act(found, privileged=True)
        net = ctx.net
        if cfg.eviction_patches_perimeter:
            day = ctx.env.now / 1440
            for h in sorted(net.entry_hosts):  # the ways back in closed before the crew is pushed out: every flaw
                # disclosed by now patched on the internet-facing hosts (the rest keep the patching schedule)
                host = net.hosts[h]
                self.perimeter.setdefault(h, set()).update(
                    v for v in host.network_vulns + host.local_vulns if net.vulns[v].disclosed_day <= day)
        ctx.backdoor_seen()  # the accounts created since the intrusion began are audited, the attacker's disabled
        if cfg.watch_days > 0:  # heightened watch over the zones the attacker was found in
            until = ctx.env.now + cfg.watch_days * 1440
            zones = {net.hosts[h].zone for h in found | belief.known_hosts}
            for h, host in enumerate(net.hosts):
                if host.zone in zones:
                    belief.watched[h] = max(belief.watched.get(h, 0.0), until)

    def on_decision(self, kind: str, target: str | None) -> bool:
        if kind != "escalate":
            return False
        host = self.ctx.net.host_index.get(target) if target else None
        self.on_escalation(Alert(self.ctx.env.now, "high", True, "team", host))
        return True

    def check(self, action: Action) -> str | None:
        belief = self.ctx.belief
        # what is not reached first (an isolated host, blocked addresses), then a password changed since
        if action.host in belief.contained_hosts or action.src_host in belief.contained_hosts:
            return "contained"
        if action.infrastructure is not None and action.infrastructure in belief.blocked_infrastructure:
            return "infrastructure"
        if (action.account is not None and action.account in belief.reset_credentials
                and action.account not in self.ctx.fresh_credentials and not action.forged):
            return "reset"
        if action.phase == "exfiltration" and belief.egress_blocked:
            return "egress"
        if action.vuln is not None and action.host in belief.rebuilt and action.vuln in self.fixed.get(action.host, ()):
            return "patched"  # the hole the evidence showed was closed when the host was rebuilt
        if action.vuln is not None and action.vuln in self.perimeter.get(action.host, ()):
            return "patched"  # closed on the perimeter by an eviction
        return None


def edr_isolable(cfg: IncidentResponseConfig, net, h: int, monitoring: Monitoring | None) -> bool:
    """Whether an analyst may cut host ``h`` off from the EDR console without the round: the playbook
    (``edr_isolation``) covers it ('workstations', a user's device, ``USER_DEVICE_ROLES``; 'servers', any host but a
    domain controller, whose isolation stops the directory for everyone, or one holding the scenario's data, the
    crown jewels, whose owner decides in the round) and it runs EDR in this run (``monitoring``'s record)."""
    if cfg.edr_isolation == "none" or not cfg.isolate_hosts or monitoring is None:
        return False
    host = net.hosts[h]
    covered = host.role.endswith(USER_DEVICE_ROLES) or (
        cfg.edr_isolation == "servers" and h not in net.domain_controllers and not host.data)
    return covered and monitoring.has_edr(h)


class IncidentResponseConfig(ControlConfig):
    """Incident response."""

    backup_coverage: float = Field(0.6, ge=0, le=1)
    """Share of hosts with a usable offline backup when ransomware encrypts them (assumption)."""
    restore_hours: float = Field(24.0, gt=0, le=24 * 365)
    """Hours to restore an encrypted host from its backup (assumption)."""
    rebuild_hours: float = Field(120.0, gt=0, le=24 * 365)
    """Hours to rebuild an encrypted host without a usable backup (assumption)."""
    process_restore_hours: float = Field(72.0, gt=0, le=24 * 365)
    """Hours an OT process stays down after its control was manipulated (an ``ot-disruption`` objective): stop the
    line safely, verify the controller logic against a known-good copy, restart. Assumption: real cases run from hours
    of manual operation (the Ukrainian grid, 2015) to days (Colonial Pipeline's shutdown, 2021)."""
    contain_hours: float = Field(gt=0, le=24 * 365)
    """Median hours from the first escalation with evidence of a compromised host to the round's containment (an
    outside logon showing a password known has ``reset_hours`` instead)."""
    reset_hours: float = Field(4.0, gt=0, le=24 * 365)
    """Median hours from an escalated outside logon that showed an account's password known (refused only by MFA or
    tiering, or a declined push) to that account's reset: a helpdesk or identity-provider task, not an
    investigation (assumption)."""
    spread: float = Field(0.7, ge=0, le=3)
    """Log-normal sigma of the containment and cleanup delays."""
    isolate_hosts: bool = True
    """Isolate the hosts in evidence and those scoping finds."""
    reset_credentials: bool = True
    """Reset credentials seen used by the attacker and those cached on isolated hosts."""
    reset_krbtgt: bool = True
    """With ``reset_credentials``: when a round sees a domain controller compromised (a DCSync alert, or a domain
    controller in evidence), reset every domain account's password (the directory is assumed read) and the domain's
    Kerberos key (krbtgt) twice, ``krbtgt_interval_hours`` apart, so that tickets forged with the key a DCSync brought
    (golden tickets, T1558.001) stop working; until then a forged ticket gets past every password reset of a domain
    account. A compromise seen between the two resets brings another pair after them."""
    krbtgt_interval_hours: float = Field(12.0, gt=0, le=24 * 30)
    """Hours between the two krbtgt resets: longer than a Kerberos ticket's 10-hour lifetime, so that the
    domain's own tickets are renewed under the new key first (assumption, from Microsoft's guidance)."""
    edr_isolation: Literal["none", "workstations", "servers"] = "none"
    """What the analyst who escalates evidence of a compromised host may cut off the network from the EDR console
    at once, without waiting for the round: 'none', 'workstations' (a user's device: a role ending in workstation,
    -pc, laptop or desktop) or 'servers' (any host running EDR but a domain controller, whose isolation stops the
    directory for everyone, or a host holding the scenario's data, whose owner decides in the round). The round
    cleans it. Needs ``isolate_hosts``."""
    edr_isolate_minutes: float = Field(15.0, ge=0, le=24 * 60)
    """Minutes from the escalation to the EDR network containment."""
    block_egress: bool = False
    """The playbook may block egress: it does so when a round saw evidence of theft or staging (an alert on
    collection or exfiltration), for ``egress_block_hours``."""
    egress_block_hours: float = Field(72.0, gt=0, le=24 * 365)
    """How long an egress block lasts (a business cost: outbound traffic stops)."""
    scoping: float = Field(0.3, ge=0, le=1)
    """Chance the investigation finds each other host the attacker holds (forensic capacity)."""
    scoping_trace: float = Field(0.8, ge=0, le=1)
    """Chance the investigation finds a host the attacker's trail leads to from the hosts found: one where a logon by
    the attacker with an account known stolen is on record (the domain controllers' records for a domain-joined
    host, the EDR agent's for another), or one it moved to or from a host found, where either end ran EDR (the
    agent's record of the connection); each host found leads on. The search for a stolen account also returns its
    user's own logons: those hosts are looked at, and ``scoping_false_positive`` pulls a clean one by mistake."""
    scoping_false_positive: float = Field(0.02, ge=0, le=1)
    """Chance scoping flags each clean host in the zones under investigation as compromised (it is isolated too)."""
    cleanup_hours: float = Field(72.0, ge=1 / 60, le=24 * 365)
    """Median hours an isolated host stays out of service before it is cleaned and restored (rebuilt, patched)."""
    block_infrastructure: bool = True
    """On an outside alert, block the attacker's infrastructure (its addresses) at the perimeter."""
    block_infra_minutes: float = Field(30.0, ge=0, le=24 * 60 * 30)
    """Minutes from such an escalation to the block."""
    watch_days: float = Field(7.0, ge=0, le=365)
    """Days a host targeted from outside stays under heightened watch (detection content doubled there); after a
    coordinated eviction, every host of the zones the attacker was found in."""
    evict_after_retakes: int = Field(0, ge=0, le=100)
    """After this many retakes (rounds whose evidence shows the attacker back on a host the response restored, or
    using an account it reset, since the reset), plan one coordinated eviction instead of containing piecemeal;
    0: never, every round contains at once."""
    eviction_planning_hours: float = Field(48.0, gt=0, le=24 * 365)
    """Median hours (log-normal, ``spread``) the eviction is planned, the compromise assessment run, before it acts."""
    eviction_scoping: float = Field(0.9, ge=0, le=1)
    """Chance the eviction's compromise assessment finds each held host that the evidence and its trail do not lead
    to, where an agent can run (the responders deploy theirs wherever one runs and hunt over its telemetry); a held
    host that takes no agent (an appliance, a network device, a host the scenario says ``edr: false``) is found with
    ``scoping``, a round's forensic capacity."""
    eviction_patches_perimeter: bool = True
    """The eviction patches every flaw disclosed by then on the internet-facing hosts, whatever the patching
    schedule's coverage (the remediation plan closes the ways back in before the crew is pushed out)."""

    behaviour_class = IncidentResponse
