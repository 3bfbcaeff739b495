"""What a logon gives depends on the account's rights (``Movement._share_logon``, ``_logon_refused``): a user's or
service account's logon over smb reads the host's file shares, no shell (``services.share_only``), and so does any
account's on a host that is not Windows (Samba, a NAS); over winrm it is refused (``services.admin_only``), and over
rdp too unless the host lets its users use it (``Host.remote_desktop``). Before, any account's logon over smb, winrm
or rdp was a shell: a sales user's password gave a shell on every host it reached over SMB, to dump and escalate from,
which takes admin rights on the host. Each test fails on the commit before the change."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.engine import Run
from simulator.inputs import ScenarioError
from simulator.loader import load
from tests.conftest import compiled

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str = "espionage-tech", automation: str = "ai-orchestrated") -> Run:
    """A run with its controls started and no campaign (the attacker driven by hand)."""
    r = Run(compiled(load(name), automation, "baseline"), 0)
    for start in r._start:
        start()
    return r


def _queued(r: Run) -> list[tuple]:
    return sorted(task for *_, task in r._tasks)


def _ids(r: Run):
    return r.net.host_index, {a.id: i for i, a in enumerate(r.net.accounts)}


def test_a_users_smb_logon_reads_the_shares_and_nothing_more():
    """dave (a sales user) over smb onto file-01 (a Windows file server): a share read, read from the workstation it
    came from. The shares' two data sets are collected (T1039, from the workstation) and nothing else is queued (no
    dump, escalation or discovery); file-01 is no route source, no breakout, not compromised, and the objective's
    focus ignores it. it-admin's logon over smb then is a shell: held at last, and only what was not read is left."""
    r = _run()
    net = r.net
    hosts, acct = _ids(r)
    src, fs = hosts["ws-sales-01"], hosts["file-01"]
    assert r._share_logon(acct["dave"], "smb", fs) and not r._share_logon(acct["it-admin"], "smb", fs)
    assert r._share_logon(acct["it-admin"], "smb", hosts["backup-01"])  # (Linux: Samba serves files only)
    r._gain(src, "user")
    r._tasks.clear()
    r._moved(fs, "user", src, "logon", None, False, True)
    assert fs in r.owned and fs in r.shares and r._shell_less(fs) and r.share_src[fs] == src
    assert fs not in r.owned_by_zone.get("servers", []) and fs not in r.compromised and r.t_breakout is None
    assert {net.data[d].id for d in net.share_data[fs]} == {"hr-records", "marketing-assets"}
    assert _queued(r) == sorted(("collect", fs, d) for d in net.share_data[fs])
    r._learn(hosts["db-01"], fs)  # (even a route learned through its zone never starts there)
    assert r._route(hosts["db-01"], "ssh") is None
    assert r._holds_data(fs, net.share_data[fs][0])
    r._tasks.clear()
    r._moved(fs, "admin", src, "logon")
    assert fs not in r.shares and fs not in r.sessions and fs not in r.share_src and r.owned[fs] == "admin"
    assert fs in r.compromised and fs in r.owned_by_zone["servers"]
    kinds = {t[0] for t in _queued(r)}
    assert "harvest" in kinds and "discover" in kinds and "collect" not in kinds  # (the shares were read already)


def test_a_share_read_of_a_host_whose_objective_is_not_on_its_shares_is_no_hold_of_it():
    """small-business, its client records marked off the shares (``share: false``): holding file-01 as a share read
    does not hold the objective, so the attacker does not focus on it (before, it stopped spreading, stuck), and
    collects only what the shares keep."""
    src = (ROOT / "scenarios" / "small-business.yaml").read_text()
    old = "      - {id: client-records, records: 40000, description: client tax returns and identity documents}"
    assert old in src
    r = Run(compiled(_loaded_from(src.replace(old, old[:-1] + ", share: false}")), "ai-orchestrated", "baseline"), 0)
    for start in r._start:
        start()
    hosts, _ = _ids(r)
    ws, fs = hosts["ws-01"], hosts["file-01"]
    r._gain(ws, "user")
    r._tasks.clear()
    r._moved(fs, "user", ws, "logon", None, False, True)
    assert r.obj_host == fs and not r._holds_data(fs, r.obj) and not r._focused()
    assert {r.net.data[t[2]].id for t in _queued(r)} == {"templates"}


def _loaded_from(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.yaml"
        p.write_text(text)
        return load(p)


def test_the_planner_never_plans_a_logon_the_accounts_rights_cannot_use():
    """From a held sales workstation: onto file-01 (reached over smb only), dave and svc-backup get a share read and
    it-admin a shell; onto ws-sales-02 (a workstation: Remote Desktop Users empty) dave gets nothing, helpdesk a shell
    over smb or rdp; onto backup-01 (Linux, smb and ssh) svc-backup and it-admin go over ssh (smb there is files only,
    and it keeps none). Over winrm only, dave is refused, helpdesk is not; over rdp only, dave gets ws-sales-02 once
    its users may use remote desktop."""
    r = _run()
    net = r.net
    hosts, acct = _ids(r)
    src = hosts["ws-sales-01"]
    r._gain(src, "user")
    names = ("file-01", "ws-sales-02", "backup-01")
    for name in names:
        r._learn(hosts[name], src)
    r._tasks.clear()
    who = [acct[x] for x in ("dave", "it-admin", "svc-backup", "helpdesk")]
    r.harvested |= set(who)
    for name in names:
        r._plan(hosts[name], who)
    moves = {(net.hosts[t[1]].id, net.accounts[t[2]].id, t[3]) for t in _queued(r) if t[0] == "move_cred"}
    assert {(t, a) for t, a, _ in moves} == {
        ("file-01", "dave"), ("file-01", "it-admin"), ("file-01", "svc-backup"), ("ws-sales-02", "helpdesk"),
        ("backup-01", "svc-backup"), ("backup-01", "it-admin")}
    assert {(t, s) for t, _, s in moves if t == "backup-01"} == {("backup-01", "ssh")}
    ws = hosts["ws-sales-03"]
    for only, planned in (("smb", ["helpdesk"]), ("winrm", ["helpdesk"]), ("rdp", ["helpdesk"])):
        r._tasks.clear()
        r.routes[ws] = {only: ["corp"]}
        r.tried = set()
        r._plan(ws, [acct["dave"], acct["helpdesk"]])
        got = sorted(net.accounts[t[2]].id for t in _queued(r) if t[0] == "move_cred")
        assert got == planned, (only, got)
    r.net = net.__class__(**{**net.__dict__, "hosts": tuple(
        h.__class__(**{f: getattr(h, f) for f in h.__slots__} | {"remote_desktop": i == ws})
        for i, h in enumerate(net.hosts))})
    r._tasks.clear()
    r.tried = set()
    r._plan(ws, [acct["dave"], acct["helpdesk"]])
    assert sorted(r.net.accounts[t[2]].id for t in _queued(r) if t[0] == "move_cred") == ["dave", "helpdesk"]


def test_a_share_read_goes_with_the_host_it_is_read_from():
    """Three sales workstations held, file-01's shares read from the first: losing another leaves the read; losing
    the first takes it too (reading the shares from another held host is a new logon, planned again like any lost
    move: its tried mark is cleared). Losing a host twice is harmless (a share read lost with its source may be on
    the list of hosts an order or the ransomware takes)."""
    r = _run()
    hosts, acct = _ids(r)
    a, b, c, fs = hosts["ws-sales-01"], hosts["ws-sales-02"], hosts["ws-sales-03"], hosts["file-01"]
    r._learn(fs, a)
    for x in (a, b, c):
        r._gain(x, "user")
    r._moved(fs, "user", a, "logon", None, False, True)
    r.tried.add(("c", fs, acct["dave"]))
    r._lose(b)
    assert fs in r.shares and r.share_src[fs] == a
    r._lose(a)
    assert set(r.owned) == {c} and not r.shares and not r.share_src and ("c", fs, acct["dave"]) not in r.tried
    r._lose(a)


def test_data_never_leaves_from_a_share_read():
    """Egress filtering: data is staged on a held host it can leave from, never on a share read, even one of an
    internet-facing host (whose own way out, a web shell or a tunnel, the attacker does not have there)."""
    r = _run()
    hosts, _ = _ids(r)
    portal, fs = hosts["web-portal-01"], hosts["file-01"]
    r.owned[portal] = "user"  # (a share read of the portal, as ``_gain`` makes one, with its source gone meanwhile)
    r.shares.add(portal)
    r.sessions.add(portal)
    assert r._stage_host(fs) is None


def test_an_order_that_isolates_a_share_reads_source_and_the_host_counts_neither_as_clean():
    """An isolation order naming the workstation a share read comes from and the file server read: the share read
    goes with its source, and the file server, held when the order came, is no clean host isolated (before, the
    order's host order decided: the file server, lost with the workstation a moment earlier, counted as clean)."""
    r = _run()
    hosts, _ = _ids(r)
    ws, fs = hosts["ws-sales-01"], hosts["file-01"]
    r._learn(fs, ws)
    r._gain(ws, "user")
    r._moved(fs, "user", ws, "logon", None, False, True)
    assert ws < fs
    r.t_initial_access = 0.0
    r.contain({ws, fs}, set(), eradicate=False)
    assert not r.owned and r.clean_isolations == 0 and r.clean_isolated_minutes == 0
    assert r._soft == {fs: "", ws: "user"}  # (no implant on the file server comes back, nor is it rebuilt)


@pytest.mark.parametrize("name", ["espionage-tech", "regional-hospital", "regional-manufacturer", "small-business"])
def test_in_whole_runs_a_logon_gives_what_the_accounts_rights_give(name):
    """Through whole ai-orchestrated runs on every bundled scenario (two seeds): a user's or service account's
    successful smb logon leaves the host a share read; none over winrm, none over rdp onto a host whose users may not
    use it; no action has a share read as its source, and on one only the read (T1021), the collection (T1039) and
    the operators' check of what it found (T1213) happen: no dump, escalation, discovery or transfer out."""
    seen = {"reads": 0, "bad": []}
    for seed in range(2):
        r = Run(compiled(load(name), "ai-orchestrated", "baseline"), seed)
        real = r.act

        def after(host, r=r):
            yield r.env.timeout(0)  # (the move's gain follows its action in the same instant)
            if not (host in r.shares or host not in r.owned):
                seen["bad"].append(("not a share read", r.net.hosts[host].id))

        def spy(phase, technique, effort, r=r, real=real, after=after, **kw):
            src, host, acct, svc = kw.get("src_host"), kw.get("host"), kw.get("account"), kw.get("service")
            if src is not None and src in r.shares and src != host:
                seen["bad"].append(("from a share read", technique, r.net.hosts[src].id))
            if host in r.shares and technique not in ("T1021", "T1039", "T1213"):
                seen["bad"].append(("on a share read", technique, r.net.hosts[host].id))
            if technique == "T1039" and (src == host or src not in r.owned or src in r.shares):
                seen["bad"].append(("a share read from no held host", r.net.hosts[host].id))
            a = yield from real(phase, technique, effort, **kw)
            if (a is not None and a.success and technique == "T1021" and acct is not None and not a.false_finding
                    and r.net.accounts[acct].kind != "admin"):
                if svc == "smb":
                    seen["reads"] += 1
                    r.env.process(after(host))
                elif svc == "winrm" or (svc == "rdp" and not r.net.hosts[host].remote_desktop):
                    seen["bad"].append(("refused logon made", svc, r.net.hosts[host].id))
            return a

        r.act = spy
        r.execute()
    assert seen["bad"] == [], seen["bad"][:5]
    if name == "espionage-tech":
        assert seen["reads"] > 0


def test_schema_share_only_admin_only_share_and_remote_desktop(tmp_path):
    """services.share_only and admin_only name logon services, once each, not both, and an error names the user's
    file, line and field; DataAsset.share overrides the file-server default (true on file-01, false on db-01);
    Host.remote_desktop defaults by role (a jump host yes, a workstation no) and can be set."""
    src = (ROOT / "scenarios" / "espionage-tech.yaml").read_text()
    logon = "  logon: [ssh, rdp, smb, winrm, vpn, sso]"
    bad = src.replace(logon, logon + "\n  share_only: [smb, ftp]\n  admin_only: [smb]", 1)
    assert bad != src
    path = tmp_path / "s.yaml"
    path.write_text(bad)
    with pytest.raises(ScenarioError) as info:
        load(path)
    text = str(info.value)
    assert "'ftp' is not a logon service" in text and "'smb' is share_only too" in text
    assert "s.yaml" in text and "share_only" in text and "admin_only" in text
    hr = "      - {id: hr-records, records: 20000}"
    good = src.replace(hr, hr[:-1] + ", share: false}").replace(
        "  - {id: ws-it, count: 4, zone: corp, role: workstation,",
        "  - {id: ws-it, count: 4, zone: corp, role: workstation, remote_desktop: true,")
    assert good.count("share: false") == 1 and good.count("remote_desktop: true") == 1
    path.write_text(good)
    net = Run(compiled(load(path), "ai-orchestrated", "baseline"), 0).net
    assert {net.data[d].id for d in net.share_data[net.host_index["file-01"]]} == {"marketing-assets"}
    assert net.share_data[net.host_index["db-01"]] == ()
    rd = {h.id for h in net.hosts if h.remote_desktop}
    assert rd == {"jump-01", *(f"ws-it-{i:02d}" for i in range(1, 5))}
