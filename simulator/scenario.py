"""The scenario file format: a network, an attacker profile, a defender posture, an objective and a horizon.

Grammar (YAML; every model below rejects unknown keys):

    scenario    := name title? description? horizon_days defender_utc_offset?
                   attacker: preset-ref   posture: preset-ref
                   zones: [zone]  hosts: [host]  accounts: [account]  flows: [flow]
                   entry_points: [entry]  vulnerabilities: [vulnerability]  services?  objective
    preset-ref  := preset: NAME  overrides: {any field of the preset, nested}
    zone        := id description? admin_tier?
    services    := logon: [service] share_only? admin_only?   (which services accept a logon with credentials;
                   which give an account without admin rights file shares only, or nothing)
    host        := id zone role os services vulnerabilities credentials data edr? honeytoken? remote_desktop? count?
    account     := id kind logon mfa? tier_zones? honeytoken?
    flow        := from to services        (zone -> zone, which services may cross)
    entry       := host services           (internet-facing services)

A host with ``count: N`` stands for N identical hosts ``ID-01`` .. ``ID-N``; references to ``ID`` mean all of them.
Cross-references are checked in one validator; every problem comes back with its path so the loader can name the line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from defenses.base import Frozen

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
Service = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
Technique = Annotated[str, Field(pattern=r"^T\d{4}(\.\d{3})?$")]
Probability = Annotated[float, Field(ge=0, le=1)]
Severity = Literal["critical", "high", "medium", "low"]

MAX_HOSTS = 100_000
"""Most hosts a scenario may expand to (groups included)."""

MAX_LOGON_PAIRS = 2_000_000
"""Most (account, host) logon pairs a scenario may expand to: a run indexes them (a 100,000-host group with 1,000 admin
accounts on it is 10^8 pairs, tens of GiB). Generated organisations have about two per host."""

LOGON_SERVICES = frozenset({"ssh", "rdp", "smb", "winrm", "vpn", "sso"})
"""Services that accept a logon with credentials, unless the scenario's ``services.logon`` says otherwise."""

SHARE_ONLY_SERVICES = ("smb",)
"""Logon services that give an account without admin rights on the host its file shares, not a shell (unless the
scenario's ``services.share_only`` says otherwise)."""

ADMIN_ONLY_SERVICES = ("winrm",)
"""Logon services that refuse an account without admin rights on the host (unless the scenario's
``services.admin_only`` says otherwise)."""

LEGACY_ADMIN_ZONE = "admin"
"""A zone with this id and no ``admin_tier`` flag is the admin tier (files written before the flag existed)."""


USER_DEVICE_ROLES = ("workstation", "-pc", "laptop", "desktop")
"""Role endings of the devices people browse from: a zone holding one reaches the web under egress filtering, by
default (``Zone.web_egress``)."""
INDUSTRIAL_SERVICES = frozenset({"modbus", "dnp3", "s7", "opc-ua", "iec-104", "profinet", "ethernet-ip", "bacnet"})
"""Industrial protocols: a zone with a host speaking one is a control network, which browses nowhere by default (an
engineering workstation there included)."""


class Zone(Frozen):
    """A network zone (dmz, corp, servers, admin, ot, ...). The internet is implicit and never declared."""

    id: Id
    """Unique zone id."""
    description: str = Field("", max_length=2000)
    """What lives here."""
    admin_tier: bool | None = None
    """The administration tier (jump hosts, domain controllers, PAM): when the posture restricts remote
    administration (segmentation ``restrict_admin_services``), ssh/rdp/smb/winrm cross a zone boundary only from an
    admin-tier zone. Omitted: true only for a zone whose id is ``admin``."""

    sensitive: bool | None = None
    """An operator authorises access to it before the attacker's first move in, whatever the move (an AI-executed
    campaign's ``sensitive_access`` gate; GTG-1002: "authorizing access to particularly sensitive systems").
    Omitted: true for the administration tier and for a zone holding an objective's data."""

    web_egress: bool | None = None
    """Its hosts reach web services on the internet (through the users' web proxy) when the posture's egress
    ``filtering`` (default-deny outbound) is on; from any other zone a transfer out is refused, so the attacker
    stages the data on a held host in such a zone, or on an internet-facing one it holds, first (T1074.002). Omitted:
    true for a zone holding a device people browse from (a host whose role ends in ``workstation``, ``-pc``,
    ``laptop`` or ``desktop``), unless a host there speaks an industrial protocol (a control network)."""

    @property
    def is_admin_tier(self) -> bool:
        """Whether this zone is an administration tier (the flag, else the legacy rule on the id)."""
        return self.id == LEGACY_ADMIN_ZONE if self.admin_tier is None else self.admin_tier


class Services(Frozen):
    """What the network's services do, where it differs from the usual protocols."""

    logon: tuple[Service, ...] = tuple(sorted(LOGON_SERVICES))
    """Services that accept a logon with credentials: credential stuffing at the perimeter and lateral movement with
    harvested credentials go over these (which of them MFA protects is the posture's
    ``access_control.mfa_services``). Default: ssh, rdp, smb, winrm, vpn, sso."""

    share_only: tuple[Service, ...] | None = None
    """Logon services on which an account without admin rights on the host (a user or service account: only admin
    accounts log on with admin rights) reaches the host's file shares and no shell: it reads the data sets the host
    shares (``DataAsset.share``) and nothing else, no credential dump, no privilege escalation, no way on from the
    host. Running a command over SMB (PsExec, a service, a scheduled task: T1021.002, T1569.002) takes admin rights on
    the host; an admin account's logon over these services is a shell. Each must be a logon service. Omitted: smb, if
    it is a logon service."""

    admin_only: tuple[Service, ...] | None = None
    """Logon services that refuse an account without admin rights on the host: Windows Remote Management admits the
    local Administrators group and Remote Management Users, which is empty by default. Each must be a logon service.
    Omitted: winrm, if it is a logon service."""

    def shares(self) -> frozenset[str]:
        """``share_only`` as given, else its default among the logon services."""
        given = self.share_only
        return frozenset(given if given is not None else (x for x in SHARE_ONLY_SERVICES if x in self.logon))

    def admins(self) -> frozenset[str]:
        """``admin_only`` as given, else its default among the logon services."""
        given = self.admin_only
        return frozenset(given if given is not None else (x for x in ADMIN_ONLY_SERVICES if x in self.logon))


class DataAsset(Frozen):
    """A data set stored on a host."""

    id: Id
    """Unique data id (across all hosts)."""
    records: int = Field(gt=0, le=10**12)
    """Size in records."""
    sensitive: bool = True
    """Whether it is really sensitive (a non-sensitive set can still be misread as sensitive by an AI)."""
    honeytoken: bool = False
    """A decoy: touching it alerts when the posture deploys honeytokens."""
    share: bool | None = None
    """Kept on the host's file shares, so an account that logs on over a share-only service (``services.share_only``:
    SMB) with user rights can read it. Omitted: true on a host whose role names a file server (``file`` in it: file-
    server, fileserver) or a NAS, false elsewhere (a database's tables, a repository, an archive's store: read through
    a shell or the application, not a share)."""
    description: str = Field("", max_length=2000)
    """What it is."""


class Host(Frozen):
    """A host, or a group of ``count`` identical hosts."""

    id: Id
    """Unique id (for a group: the group id; members are ID-01 .. ID-N)."""
    zone: Id
    """Zone the host sits in."""
    role: str = Field(max_length=64)
    """What it does (web, vpn, workstation, file-server, domain-controller, ...)."""
    os: Literal["windows", "linux", "macos", "network", "appliance", "other"] = "other"
    """Operating system family."""
    services: tuple[Service, ...] = ()
    """Services it runs (https, ssh, rdp, smb, vpn, sso, sql, ...)."""
    vulnerabilities: tuple[Id, ...] = ()
    """Ids of vulnerabilities present on it."""
    credentials: tuple[Id, ...] = ()
    """Accounts whose credentials are cached here (what a dump may find)."""
    data: tuple[DataAsset, ...] = ()
    """Data sets stored here (only on single hosts)."""
    edr: bool | None = None
    """EDR installed (None: the posture's coverage decides, except on ``os: network`` or ``appliance``, where no
    agent runs)."""
    honeytoken: bool = False
    """A decoy host: any touch alerts when the posture deploys honeytokens."""
    remote_desktop: bool | None = None
    """Accounts without admin rights on it (users, service accounts) that log on to it may do so over rdp: they are
    in its Remote Desktop Users group (a desktop a remote desktop gateway or VDI broker publishes, a terminal
    server). Omitted: true on a host whose role names a jump host, a bastion, a terminal, remote desktop or Citrix
    server, a virtual desktop, an application gateway or remote support (``jump``, ``bastion``, ``terminal-server``,
    ``rds``, ``citrix``, ``vdi``, ``remote-desktop``, ``rdp``, ``app-gateway``, ``remote-support`` in it: an
    ``rdp-gateway`` has it), false elsewhere: Windows admits only administrators over rdp until someone adds the
    users. An admin account's rdp logon is always allowed."""
    domain: bool | None = None
    """Joined to the directory the domain controllers (role ``domain-controller``) keep (None: every Windows host is,
    no other is). Its accounts are what a DCSync replicates: false for a Windows host in a workgroup or a separate OT
    domain."""
    count: int = Field(1, ge=1, le=MAX_HOSTS)
    """How many identical hosts this entry stands for."""

    def member_ids(self) -> list[str]:
        """Ids of the hosts this entry expands to."""
        if self.count == 1:
            return [self.id]
        width = max(2, len(str(self.count)))
        return [f"{self.id}-{i:0{width}d}" for i in range(1, self.count + 1)]


class Account(Frozen):
    """A user, admin or service account."""

    id: Id
    """Unique account id."""
    kind: Literal["user", "admin", "service"]
    """A logon with an admin account gives admin access; user and service accounts give user access."""
    logon: tuple[Id, ...] = ()
    """Hosts or host groups it can log on to."""
    mfa: bool | None = None
    """MFA on its remote/interactive logons (None: the posture's coverage decides)."""
    tier_zones: tuple[Id, ...] = ()
    """For admin accounts: the zones of its tier (used when the posture enforces admin tiering)."""
    honeytoken: bool = False
    """A decoy account: any use alerts when the posture deploys honeytokens."""
    domain: bool | None = None
    """A directory account, which a DCSync replicates (None: one that logs on to, or is cached on, a domain-joined
    host; true for one whose logons elsewhere, a VPN's or a single sign-on's, check the directory)."""
    description: str = Field("", max_length=2000)
    """Who uses it."""


class Flow(Frozen):
    """Services allowed from one zone to another (used when the posture enforces zones)."""

    model_config = ConfigDict(populate_by_name=True)

    source: Id = Field(alias="from")
    """Source zone."""
    target: Id = Field(alias="to")
    """Destination zone."""
    services: tuple[Service, ...]
    """Services that may cross."""


class EntryPoint(Frozen):
    """Internet-facing services of a host."""

    host: Id
    """The exposed host (a single host, not a group)."""
    services: tuple[Service, ...]
    """The services the internet reaches."""


class Vulnerability(Frozen):
    """A vulnerability: a CVE id or a synthetic one."""

    id: Id
    """CVE id or synthetic id."""
    technique: Technique
    """ATT&CK technique used to exploit it (T1190 public-facing, T1210 remote services, T1068 privilege escalation)."""
    service: Service | None = None
    """Affected network service; None for a local privilege escalation."""
    severity: Severity
    """Severity, which sets the patch delay."""
    success: Probability
    """Base chance one exploitation attempt succeeds."""
    effort_hours: float = Field(gt=0, le=10_000)
    """Human hours to weaponise and use it."""
    disclosed_day: float = Field(ge=-3650, le=3650)
    """Day of public disclosure relative to the campaign start (negative: known before). The attacker can use it
    from then on; patching counts from then."""
    access: Literal["user", "admin"] = "user"
    """Access gained."""
    edge: bool = False
    """A vulnerability of an edge device (VPN, firewall, remote-access gateway): patched on the posture's
    ``patching.edge_days_to_patch`` (DBIR 2025: median 32 days) instead of its severity's delay."""
    zero_day_days: float | None = Field(None, ge=0, le=365)
    """A zero-day: days from the campaign's start (developing or buying the exploit) after which an attacker that
    buys zero-days (``buys_zero_days``) can use it before ``disclosed_day``; nothing can patch it before disclosure.
    None: usable only once disclosed."""
    public_exploit: bool = True
    """Whether a public exploit (a proof of concept, a framework module) appears for it, the attacker's
    ``public_exploit_days`` after disclosure. false: none ever does (most flaws never get one: a niche product, a
    hard bug), so only a crew's own weaponising (``effort_hours``) makes it usable."""
    description: str = Field("", max_length=2000)
    """What it is."""


class PhishingTarget(Frozen):
    """People the attacker can write to from outside: the users of a host group (their workstations)."""

    hosts: Id
    """A host or host group whose users read mail (a click lands on one of these hosts)."""
    users: int = Field(ge=1, le=1_000_000)
    """How many people use them (a campaign writes to at most the attacker's ``phishing_recipients`` of them)."""


class Supplier(Frozen):
    """A third party with standing remote access: its account logs on from outside to the hosts it may log on to."""

    id: Id
    """The supplier's name."""
    account: Id
    """Its account (its ``logon`` lists the hosts the supplier reaches)."""
    services: tuple[Service, ...] = Field(min_length=1)
    """The services it logs on over (rdp, ssh, vpn, ...)."""


class CostRange(Frozen):
    """A FAIR-style estimate: minimum, most likely, maximum (a triangular distribution)."""

    low: float = Field(ge=0, le=1e12)
    """The least it could be."""
    likely: float = Field(ge=0, le=1e12)
    """The most likely value."""
    high: float = Field(ge=0, le=1e12)
    """The most it could be."""

    @model_validator(mode="after")
    def _ordered(self) -> CostRange:
        if not self.low <= self.likely <= self.high:
            raise ValueError(f"need low <= likely <= high (got {self.low:g}, {self.likely:g}, {self.high:g})")
        return self


class Loss(Frozen):
    """What a run costs the business, in money (simulator/loss.py); every cost a range."""

    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    """ISO 4217 code, for display."""
    per_record: CostRange | None = None
    """Per record of the objective taken out (notification, fines, fraud, reputation)."""
    per_downtime_hour: CostRange | None = None
    """Per host-hour out of service (every isolation, of compromised and clean hosts)."""
    per_egress_hour: CostRange | None = None
    """Per hour of blocked outbound traffic."""
    per_isolation: CostRange | None = None
    """Per host isolated, cleaned and rebuilt (the response's work)."""
    per_credential_reset: CostRange | None = None
    """Per credential reset (helpdesk, users re-enrolling)."""
    per_process_hour: CostRange | None = None
    """Per hour the OT process is down (an ot-disruption objective: lost production, scrap, penalties)."""


NO_ENCRYPTOR = frozenset({"network", "appliance"})
"""Operating systems no encryptor runs on (a router, a VPN concentrator, a PLC gateway keep their firmware; no EDR
agent runs there either, ``defenses.monitoring.NO_AGENT``), except storage appliances (``STORAGE_ROLES``)."""

STORAGE_ROLES = frozenset({"backup", "file-server", "nas", "storage"})
"""Roles of appliances that ransomware does encrypt: NAS and backup appliances (Deadbolt, Qlocker on NAS boxes)."""


def encryptable(os: str, role: str) -> bool:
    """Whether ransomware encrypts a host of this ``os`` and ``role``."""
    return os not in NO_ENCRYPTOR or role in STORAGE_ROLES


class Objective(Frozen):
    """What the attacker is after."""

    kind: Literal["data-theft", "ransomware", "ot-disruption"] = "data-theft"
    """'data-theft': take the data out; 'ransomware': once the attacker holds the data's host with admin rights,
    encrypt every host it holds with admin rights (T1486), the data's host among them, but not a network device or an
    appliance (``os: network`` or ``appliance``: no encryptor runs there, and the data's host may not be one) unless
    its role is a storage one (backup, file-server, nas, storage: a NAS is encrypted); 'ot-disruption': once it holds
    the data's host (an OT controller, operator station or PLC gateway) with admin rights, manipulate the process it
    controls (ATT&CK for ICS T0831, Manipulation of Control): the process is down until the plant restores it
    (``incident_response.process_restore_hours``)."""
    data: Id
    """The data asset to exfiltrate (for ransomware: the system whose encryption is the objective; for ot-disruption:
    the process, held on the host that controls it)."""
    records: int | None = Field(None, gt=0)
    """Records that must leave for the objective to be met (None: all of the asset)."""
    description: str = Field("", max_length=2000)
    """In words."""


TRIGGERS = ("first-escalation", "lateral-evidence", "theft-evidence", "perimeter-block", "containment", "restored",
            "soc-backlog", "order-done", "outside-notice", "impact", "initial-access", "gate", "breakout",
            "crown-jewels", "exfiltration", "end")
"""What can set off an inject (see simulator/data/injects.yaml: 'first-escalation' to 'impact' and 'end' are
things the defender can know; 'initial-access' to 'exfiltration' are the attacker's side, for the facilitator)."""
Trigger = Literal["first-escalation", "lateral-evidence", "theft-evidence", "perimeter-block", "containment",
                  "restored", "soc-backlog", "order-done", "outside-notice", "impact", "initial-access", "gate",
                  "breakout", "crown-jewels", "exfiltration", "end"]


class ExerciseInject(Frozen):
    """An inject of the scenario's own, or a change to one of the default book's (same id)."""

    id: Id
    """A new id adds an inject; the id of a default one (first-alert, breakout, ...) changes it."""
    title: str | None = Field(None, max_length=300)
    """What the room is told (placeholders: {host}, {technique}, {source}, {detail})."""
    trigger: Trigger | None = None
    """The event that sets it off (the first time, or every time with ``every``)."""
    at: str | None = Field(None, pattern=r"^day\s*\d{1,3}\s+\d{1,2}:\d{2}$", max_length=20)
    """A moment on the defender's clock instead: 'day 2 09:30' (day 1 is the first day, local time)."""
    every: bool | None = None
    """Set off every time the trigger happens, not only the first (default: the book's, else no)."""
    audience: Literal["players", "facilitator"] | None = None
    """Who sees it: 'players' (the room; only about what the defender can know) or 'facilitator' only."""
    questions: tuple[Annotated[str, Field(max_length=500)], ...] | None = Field(None, max_length=12)
    """Discussion questions (replace the default book's for that id)."""
    handout: str | None = Field(None, max_length=5000)
    """Text handed to the room with the inject: an email, a log excerpt, a call from the press."""

    @model_validator(mode="after")
    def _when(self) -> ExerciseInject:
        if self.trigger is not None and self.at is not None:
            raise ValueError("give either 'trigger' (an event) or 'at' (a time), not both")
        if self.at is not None:
            day, hm = self.at[3:].strip().split()
            h, m = (int(x) for x in hm.split(":"))
            if int(day) < 1 or h > 23 or m > 59:
                raise ValueError(f"at: '{self.at}' is not a time ('day 1 00:00' to 'day N 23:59')")
        return self

    def at_minutes(self, utc_offset: float) -> float | None:
        """The simulation minute of ``at`` (None for an event-triggered inject)."""
        if self.at is None:
            return None
        day, hm = self.at[3:].strip().split()
        h, m = (int(x) for x in hm.split(":"))
        return (int(day) - 1) * 1440 + h * 60 + m - utc_offset * 60


class Exercise(Frozen):
    """How the scenario is played as a facilitated exercise."""

    objectives: tuple[Annotated[str, Field(max_length=500)], ...] = Field((), max_length=20)
    """The exercise's objectives (what the team should test), for the after-action report."""
    injects: tuple[ExerciseInject, ...] = Field((), max_length=100)
    """Injects of the scenario's own, and changes to the default book."""


class PresetRef(Frozen):
    """A preset by name, with overrides of any of its fields."""

    preset: str = Field(max_length=64)
    """Preset name (see ``tabletop list``)."""
    overrides: dict[str, Any] = Field(default_factory=dict)
    """Fields to change, nested as in the preset."""


class Scenario(Frozen):
    """A scenario: pure data, validated once."""

    name: Id
    """Short name."""
    title: str = Field("", max_length=200)
    """Human title."""
    description: str = Field("", max_length=20_000)
    """The story."""
    horizon_days: float = Field(30.0, gt=0, le=365)
    """How long the campaign may run."""
    defender_utc_offset: float = Field(0.0, ge=-12, le=14)
    """The defender's time zone (hours ahead of UTC), for business-hours teams."""
    attacker: PresetRef
    """Automation preset and overrides."""
    posture: PresetRef
    """Posture preset and overrides."""
    zones: tuple[Zone, ...] = Field(min_length=1, max_length=200)
    """Network zones (at most 200: a comparison builds the zone-to-zone flow graph once per posture, which grows with
    the square of the zones: 1,000 zones took 74 s and 4 GiB for a 12-cell comparison)."""
    hosts: tuple[Host, ...] = Field(min_length=1)
    """Hosts and host groups."""
    accounts: tuple[Account, ...] = ()
    """Accounts."""
    flows: tuple[Flow, ...] = ()
    """Allowed zone-to-zone flows."""
    entry_points: tuple[EntryPoint, ...] = Field(min_length=1)
    """Internet-facing services."""
    vulnerabilities: tuple[Vulnerability, ...] = ()
    """Vulnerabilities referenced by hosts."""
    services: Services = Services()
    """Which services accept logons (defaults to the usual remote-logon protocols)."""
    objective: Objective | None = None
    """The attacker's goal (or, for several, ``objectives``)."""
    objectives: tuple[Objective, ...] = Field((), max_length=4)
    """Several goals instead of one, pursued in the order listed (a double-extortion crew steals the data, then
    encrypts): the attacker turns to the next once one is met, and the run's objective is met when the last is. Each
    result says how many were met (``objectives_met``) and when (``objective_times``)."""
    phishing: tuple[PhishingTarget, ...] = ()
    """Host groups whose users the attacker can phish (used by an attacker profile with ``phishing_recipients``)."""
    suppliers: tuple[Supplier, ...] = ()
    """Third parties with standing remote access (used by an attacker profile with ``supplier_compromise_days``)."""
    exercise: Exercise = Exercise()
    """Facilitated-exercise material: objectives and injects."""
    loss: Loss | None = None
    """An optional loss model in money (FAIR-style ranges): compare and summarize then show expected loss."""

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = reference_problems(self)
        if problems:
            raise ReferenceProblems(problems)
        return self

    @property
    def goals(self) -> tuple[Objective, ...]:
        """The objectives in the order the attacker pursues them (``objective`` alone, or ``objectives``)."""
        return (self.objective,) if self.objective is not None else self.objectives

    def admin_tier_zones(self) -> frozenset[str]:
        """Ids of the zones that form the administration tier."""
        return frozenset(z.id for z in self.zones if z.is_admin_tier)

    def web_egress_zones(self) -> frozenset[str]:
        """Ids of the zones that reach web services on the internet under egress filtering (``Zone.web_egress``; by
        default the zones holding a device people browse from, ``USER_DEVICE_ROLES``, control networks aside)."""
        users = {h.zone for h in self.hosts if h.role.endswith(USER_DEVICE_ROLES)}
        plant = {h.zone for h in self.hosts if INDUSTRIAL_SERVICES.intersection(h.services)}
        return frozenset(z.id for z in self.zones
                         if (z.id in users and z.id not in plant if z.web_egress is None else z.web_egress))

    def sensitive_zones(self) -> frozenset[str]:
        """Ids of the zones whose access an operator authorises (``Zone.sensitive``; by default the administration
        tier and the zones holding an objective's data)."""
        data_zone = {d.id: h.zone for h in self.hosts for d in h.data}  # a data asset sits on a single host
        held = {data_zone[g.data] for g in self.goals if g.data in data_zone}
        return frozenset(z.id for z in self.zones
                         if ((z.is_admin_tier or z.id in held) if z.sensitive is None else z.sensitive))


class ReferenceProblems(Exception):
    """Cross-reference problems, each ``(path, message)``. Not a ValueError, so pydantic lets it through intact."""

    def __init__(self, problems: list[tuple[tuple[Any, ...], str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))
        self.problems = problems


def _dupes(items: list[tuple[str, tuple[Any, ...]]], what: str) -> list[tuple[tuple[Any, ...], str]]:
    seen: dict[str, tuple[Any, ...]] = {}
    out = []
    for ident, path in items:
        if ident in seen:
            out.append((path, f"duplicate {what} id '{ident}' (first at {'.'.join(map(str, seen[ident]))})"))
        else:
            seen[ident] = path
    return out


def reference_problems(s: Scenario) -> list[tuple[tuple[Any, ...], str]]:
    """Every broken reference or duplicate id in ``s``, with its path."""
    p: list[tuple[tuple[Any, ...], str]] = []
    zones = {z.id for z in s.zones}
    p += _dupes([(z.id, ("zones", i, "id")) for i, z in enumerate(s.zones)], "zone")
    if "internet" in zones:
        p.append((("zones",), "'internet' is implicit: do not declare it as a zone"))
    total = sum(h.count for h in s.hosts)
    if total > MAX_HOSTS:
        p.append((("hosts",), f"the hosts expand to {total} hosts, more than the limit of {MAX_HOSTS}"))
        return p
    host_ids: list[tuple[str, tuple[Any, ...]]] = []
    for i, h in enumerate(s.hosts):
        host_ids.append((h.id, ("hosts", i, "id")))
        if h.count > 1:
            host_ids += [(m, ("hosts", i, "count")) for m in h.member_ids()]
    p += _dupes(host_ids, "host")
    hosts = {h.id: h for h in s.hosts}
    accounts = {a.id: a for a in s.accounts}
    p += _dupes([(a.id, ("accounts", i, "id")) for i, a in enumerate(s.accounts)], "account")
    vulns = {v.id: v for v in s.vulnerabilities}
    p += _dupes([(v.id, ("vulnerabilities", i, "id")) for i, v in enumerate(s.vulnerabilities)], "vulnerability")
    data_ids = [(d.id, ("hosts", i, "data", j, "id")) for i, h in enumerate(s.hosts) for j, d in enumerate(h.data)]
    p += _dupes(data_ids, "data")
    for i, h in enumerate(s.hosts):
        if h.zone not in zones:
            p.append((("hosts", i, "zone"), f"unknown zone '{h.zone}'"))
        for j, v in enumerate(h.vulnerabilities):
            if v not in vulns:
                p.append((("hosts", i, "vulnerabilities", j), f"unknown vulnerability '{v}'"))
            elif vulns[v].service is not None and vulns[v].service not in h.services:
                p.append(
                    (("hosts", i, "vulnerabilities", j), f"vulnerability '{v}' affects service '{vulns[v].service}', "
                     f"which host '{h.id}' does not run")
                )
        for j, a in enumerate(h.credentials):
            if a not in accounts:
                p.append((("hosts", i, "credentials", j), f"unknown account '{a}'"))
        if h.data and h.count > 1:
            p.append((("hosts", i, "data"), "data assets need a single host (count: 1)"))
    pairs = 0
    group_of = {m: h.id for h in s.hosts if h.count > 1 for m in h.member_ids()}
    for i, a in enumerate(s.accounts):
        for j, ref in enumerate(a.logon):
            if ref in hosts:
                pairs += hosts[ref].count
            elif ref in group_of:
                p.append((("accounts", i, "logon", j), f"'{ref}' is one host of the group '{group_of[ref]}' (count "
                                                      f"{hosts[group_of[ref]].count}): an account logs on to a whole "
                                                      f"group; name '{group_of[ref]}', or make '{ref}' a host of "
                                                      "its own"))
            else:
                p.append((("accounts", i, "logon", j), f"unknown host or host group '{ref}'"))
        for j, z in enumerate(a.tier_zones):  # (before, checked only when the logon lists were too long)
            if z not in zones:
                p.append((("accounts", i, "tier_zones", j), f"unknown zone '{z}'"))
    if pairs > MAX_LOGON_PAIRS:
        p.append((("accounts",), f"the accounts' logon lists expand to {pairs:,} (account, host) pairs, more than the "
                                f"limit of {MAX_LOGON_PAIRS:,}: a run indexes every pair; give fewer accounts logon "
                                "to the large groups"))
    for i, f in enumerate(s.flows):
        for key, z in (("from", f.source), ("to", f.target)):
            if z not in zones:
                p.append((("flows", i, key), f"unknown zone '{z}'"))
    for i, e in enumerate(s.entry_points):
        h = hosts.get(e.host)
        if h is None:
            p.append((("entry_points", i, "host"), f"unknown host '{e.host}'"))
            continue
        if h.count > 1:
            p.append((("entry_points", i, "host"), f"'{e.host}' is a group of {h.count}: name a single host"))
        for j, svc in enumerate(e.services):
            if svc not in h.services:
                p.append((("entry_points", i, "services", j), f"host '{e.host}' does not run '{svc}'"))
    assets = {d.id: d for h in s.hosts for d in h.data}
    holder = {d.id: h for h in s.hosts for d in h.data}
    if s.objective is None and not s.objectives:
        p.append((("objective",), "field required (or objectives: a list of them)"))
    elif s.objective is not None and s.objectives:
        p.append((("objectives",), "give objective or objectives, not both"))
    where = [("objective",)] if s.objective is not None else [("objectives", i) for i in range(len(s.objectives))]
    seen: dict[str, tuple[Any, ...]] = {}
    for at, goal in zip(where, s.goals, strict=True):
        obj = assets.get(goal.data)
        if obj is None:
            p.append(((*at, "data"), f"unknown data asset '{goal.data}'"))
        elif goal.records is not None and goal.records > obj.records:
            p.append(((*at, "records"), f"{goal.records} records asked, but '{obj.id}' has {obj.records}"))
        elif goal.kind == "ransomware" and not encryptable(holder[goal.data].os, holder[goal.data].role):
            h = holder[goal.data]
            p.append(((*at, "kind"), f"'{goal.data}' is on '{h.id}' (os: {h.os}): no encryptor runs on a network "
                                     "device or an appliance other than storage (role backup, file-server, nas or "
                                     "storage); name data on a host with a general-purpose system, or use "
                                     "ot-disruption for a process it controls"))
        if goal.kind == "data-theft" and f"ransomware of '{goal.data}'" in seen:
            p.append(((*at, "kind"), f"'{goal.data}' is encrypted by the ransomware objective before it: list the "
                                     "theft first (double extortion steals, then encrypts)"))
        key = f"{goal.kind} of '{goal.data}'"
        if key in seen:
            first = ".".join(map(str, seen[key]))
            p.append(((*at, "data"), f"{key} is already an objective (at {first})"))
        seen.setdefault(key, at)
    for j, svc in enumerate(s.services.logon):
        if svc in s.services.logon[:j]:
            p.append((("services", "logon", j), f"'{svc}' is listed twice"))
    for field in ("share_only", "admin_only"):
        listed = getattr(s.services, field) or ()
        for j, svc in enumerate(listed):
            if svc in listed[:j]:
                p.append((("services", field, j), f"'{svc}' is listed twice"))
            elif svc not in s.services.logon:
                p.append((("services", field, j), f"'{svc}' is not a logon service (services.logon): list it there "
                                                   "too, or leave it out here"))
            elif field == "admin_only" and svc in s.services.shares():
                p.append((("services", field, j), f"'{svc}' is share_only too: a user's logon over it either reads "
                                                   "the shares or is refused, not both"))
    for i, v in enumerate(s.vulnerabilities):
        if v.service is None and v.technique in ("T1190", "T1210"):
            p.append((("vulnerabilities", i, "service"), f"{v.technique} is a network technique: name the service"))
    for i, t in enumerate(s.phishing):
        if t.hosts not in hosts:
            p.append((("phishing", i, "hosts"), f"unknown host or host group '{t.hosts}'"))
    for i, sup in enumerate(s.suppliers):
        if sup.account not in accounts:
            p.append((("suppliers", i, "account"), f"unknown account '{sup.account}'"))
        for j, svc in enumerate(sup.services):
            if svc not in s.services.logon:
                p.append((("suppliers", i, "services", j), f"'{svc}' is not a logon service"))
    p += _dupes([(sup.id, ("suppliers", i, "id")) for i, sup in enumerate(s.suppliers)], "supplier")
    p += _inject_problems(s.exercise)
    return p


def _inject_problems(ex: Exercise) -> list[tuple[tuple[Any, ...], str]]:
    from simulator.injects import book

    default = book()
    p = _dupes([(inj.id, ("exercise", "injects", i, "id")) for i, inj in enumerate(ex.injects)], "inject")
    for i, inj in enumerate(ex.injects):
        where = ("exercise", "injects", i)
        if inj.id in default:
            if inj.at is not None:
                p.append((where + ("at",), f"'{inj.id}' is a default inject set off by '{default[inj.id].on}': "
                                           "give your own id for an inject at a time"))
            if inj.trigger is not None and inj.trigger != default[inj.id].on:
                p.append((where + ("trigger",), f"'{inj.id}' is a default inject set off by "
                                                f"'{default[inj.id].on}': give your own id for an inject on another "
                                                "event"))
            continue
        if inj.trigger is None and inj.at is None:
            p.append((where, "a new inject needs a 'trigger' (an event) or 'at' (a time such as 'day 2 09:30')"))
        if not inj.title:
            p.append((where, "a new inject needs a 'title'"))
        if not inj.questions:
            p.append((where, "a new inject needs at least one question"))
    return p


def flow_service_warnings(s: Scenario) -> list[tuple[tuple[Any, ...], str]]:
    """Services a flow lets across that no host runs and that are no logon service, with their paths: not an error
    (a flow policy copied from a firewall names services no modelled host offers), but a typo ('rpd') quietly closes
    the path it was meant to open, so ``tabletop validate`` shows them."""
    run_anywhere = {svc for h in s.hosts for svc in h.services}
    known = run_anywhere | set(s.services.logon)  # (a logon service no host runs yet is no typo: winrm in a policy)
    return [(("flows", i, "services", j), f"no host runs '{svc}' (the hosts run {', '.join(sorted(run_anywhere))})")
            for i, f in enumerate(s.flows) for j, svc in enumerate(f.services) if svc not in known]


def supplier_warnings(s: Scenario) -> list[tuple[tuple[Any, ...], str]]:
    """Suppliers that get the attacker nowhere, with their paths: one whose account is a decoy (a decoy logs on
    nowhere where monitoring watches decoys), or logs on to no host. Not errors (a scenario may keep one for later, and
    a decoy is an account like any other where nobody watches decoys), but such a way in is dead or nearly so, so
    ``tabletop validate`` says so rather than only that the objective may be unreachable (an unseen-scenario
    helper's find)."""
    accounts = {a.id: a for a in s.accounts}
    out: list[tuple[tuple[Any, ...], str]] = []
    for i, sup in enumerate(s.suppliers):
        acct = accounts.get(sup.account)
        if acct is None:
            continue  # (an error of its own)
        if acct.honeytoken:
            out.append((("suppliers", i, "account"), f"'{acct.id}' is a decoy account: wherever decoys are "
                                                     "watched (monitoring.honeytokens) it logs on nowhere, so supplier "
                                                     f"'{sup.id}' gets nowhere with it"))
        elif not acct.logon:
            out.append((("suppliers", i, "account"), f"'{acct.id}' logs on to no host: supplier '{sup.id}' reaches "
                                                     "nothing"))
    return out
