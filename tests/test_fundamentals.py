"""The fundamentals analysis: paired effects, ranked, matching a direct comparison of the same cells."""

from __future__ import annotations

import pytest

from simulator import fundamentals as fm
from simulator.loader import load
from simulator.stats import paired_difference, summarize
from simulator.sweep import collect, spec_for


def test_paired_difference():
    d = paired_difference([0, 0, 1, 1], [1, 0, 1, 0])
    assert d.mean == 0 and d.n == 4 and d.low < 0 < d.high
    d = paired_difference([1, 2, 3], [2, 3, 4])
    assert d.mean == 1 and d.low == d.high == 1
    with pytest.raises(ValueError):
        paired_difference([1], [1, 2])


@pytest.fixture(scope="module")
def analysis():
    loaded = load("espionage-tech")
    plan = fm.plan(loaded)
    spec = spec_for(loaded, plan.cells, 40, 5)
    by_cell = collect(spec)
    return loaded, plan, by_cell, fm.analyse(plan, by_cell, loaded.scenario.horizon_days * 1440)


def test_plan_has_every_control_and_every_automation_jump_from_manual(analysis):
    _, plan, _, changes = analysis
    names = {c.name for c in changes}
    assert {f"{c} -> hardened" for c in ("segmentation", "patching", "access_control", "monitoring", "soc",
                                         "incident_response", "egress")} <= names
    assert {"soc automation: ai-triage", "soc automation: ai-response"} <= names  # the defender's own dial
    jumps = sorted(c.name for c in changes if c.kind == "automation")
    assert jumps == ["attacker manual -> ai-assisted", "attacker manual -> ai-orchestrated",
                     "attacker manual -> autonomous"]
    # the reference cell (ai-orchestrated vs baseline) is shared with its automation jump, not run twice
    assert len(plan.cells) == 13


def test_the_levels_leave_out_the_reading_variants():
    assert fm.levels() == ["manual", "ai-assisted", "ai-orchestrated", "autonomous"]
    assert fm.variant("autonomous", "vendor") == "autonomous-vendor"
    assert fm.variant("manual", "skeptic") == "manual"  # no variant: the level itself
    assert fm.variant("ai-orchestrated", None) == "ai-orchestrated"
    assert fm.variant("ai-orchestrated-vendor", "skeptic") == "ai-orchestrated-skeptic"
    with pytest.raises(ValueError, match="unknown reading"):
        fm.variant("autonomous", "optimist")


def test_from_a_chosen_level_jumps_to_every_other_level():
    p = fm.plan(load("espionage-tech"), low="ai-orchestrated")
    jumps = sorted((n for n, kind, *_ in p.changes if kind == "automation"))
    assert jumps == ["attacker ai-orchestrated -> ai-assisted", "attacker ai-orchestrated -> autonomous",
                     "attacker ai-orchestrated -> manual"]
    base = {a for _, kind, a, _ in p.changes if kind == "automation"}
    assert [p.cells[i] for i in base] == [(("automation", "ai-orchestrated"), ("posture", "baseline"))]


def test_numbers_match_a_direct_compare(analysis):
    loaded, plan, by_cell, changes = analysis
    levels = ["manual", "ai-orchestrated", "autonomous"]
    direct = collect(spec_for(loaded, [(("automation", lv), ("posture", "baseline")) for lv in levels], 40, 5))
    manual, orch, auto = (summarize(direct[i]) for i in range(3))
    jump = {c.name: c for c in changes if c.kind == "automation"}
    assert jump["attacker manual -> ai-orchestrated"].success.mean == pytest.approx(
        orch.success.value - manual.success.value)
    assert jump["attacker manual -> autonomous"].success.mean == pytest.approx(
        auto.success.value - manual.success.value)
    base_rows = by_cell[plan.changes[0][2]]
    assert summarize(base_rows).success.value == orch.success.value  # same cell, same seeds, same rows


def test_the_verdict_names_the_largest_automation_effect(analysis):
    *_, changes = analysis
    text = fm.verdict(changes, 40)
    biggest = fm.largest_automation(changes)
    assert abs(biggest.success.mean) == max(abs(c.success.mean) for c in changes if c.kind == "automation")
    levels = biggest.name.removeprefix("attacker ").replace(" -> ", " to ")
    if not text.startswith("No single change"):
        assert f"from {levels}" in text


def test_ranked_by_effect_size(analysis):
    *_, changes = analysis
    sizes = [abs(c.success.mean) for c in changes]
    assert sizes == sorted(sizes, reverse=True)


def _change(name, kind, mean, low, high):
    d = paired_difference([0.0] * 4, [mean] * 4)
    from dataclasses import replace

    return fm.Change(name, kind, 0, 1, replace(d, low=low, high=high), d, d)


def _sooner(c):
    """The change with detection far sooner, so that it ranks first on a tie in attacker success."""
    from dataclasses import replace

    return replace(c, detection=replace(c.detection, mean=-1.0))


def test_verdict_is_computed_from_the_numbers():
    controls = [_change("patching -> hardened", "control", -0.3, -0.4, -0.2),
                _change("soc -> hardened", "control", -0.1, -0.2, 0.0)]
    auto_big = _change("attacker manual -> autonomous", "automation", 0.5, 0.4, 0.6)
    auto_small = _change("attacker manual -> ai-orchestrated", "automation", 0.05, -0.02, 0.12)
    auto_mid = _change("attacker manual -> autonomous", "automation", 0.2, 0.1, 0.3)
    text = fm.verdict([*controls, auto_small, auto_big], 100)
    assert text.startswith("Moving the attacker from manual to autonomous changed attacker success by +50")
    assert "patching -> hardened" in text
    # the controls are set against the LARGEST automation effect, whichever order the changes come in
    for order in ([*controls, auto_small, auto_mid], [auto_mid, *controls, auto_small]):
        text = fm.verdict(order, 100)
        assert text.startswith("Upgrading patching to hardened mattered most: attacker success -30 points")
        assert text.endswith("against +20 points [+10, +30] for moving the attacker from manual to autonomous, the "
                             "largest automation effect.")
    tie = _change("segmentation -> hardened", "control", -0.3, -0.41, -0.19)
    text = fm.verdict([tie, *controls, auto_small], 100)
    assert text.startswith("Upgrading patching or segmentation to hardened mattered most, tied: attacker success "
                           "-30 points [-40, -20] (patching), -30 points [-41, -19] (segmentation)")
    assert fm.rank([tie, *controls])[0].name == "patching -> hardened"  # the verdict names the ranking's first first
    # the SOC's automation dial tied with an upgrade (a reviewer's water utility: the sentence crashed on it)
    dial = _sooner(_change("soc automation: ai-response", "control", -0.3, -0.4, -0.2))
    text = fm.verdict([dial, *controls, auto_small], 100)
    assert text.startswith("Turning the SOC's automation to ai-response or upgrading patching to hardened mattered "
                           "most, tied:") or text.startswith("Upgrading patching to hardened or turning the SOC's "
                                                             "automation to ai-response mattered most, tied:"), text
    alone = fm.verdict([dial, _change("soc -> hardened", "control", -0.1, -0.2, 0.0), auto_small], 100)
    assert alone.startswith("Turning the SOC's automation to ai-response mattered most: attacker success -30"), alone
    quiet = [_change("soc -> hardened", "control", -0.01, -0.05, 0.03), auto_small]
    assert fm.verdict(quiet, 100).startswith("No single change moved attacker success beyond sampling noise")
    even = _sooner(_change("attacker manual -> autonomous", "automation", 0.3, 0.2, 0.4))  # as large as patching's
    assert ", as much as upgrading any single control (the largest control effect, patching -> hardened" in \
        fm.verdict([*controls, even], 100)


def _measured(name, kind, outcomes):
    """A change measured on the same seeds as the others: the base cell's attacker always won."""
    base = [1.0] * len(outcomes)
    d = paired_difference(base, outcomes)
    return fm.Change(name, kind, 0, 1, d, d, d, tuple(y - x for x, y in zip(base, outcomes, strict=True)))


def test_controls_within_noise_of_the_first_are_named_with_it():
    n = 200
    patching = _measured("patching -> hardened", "control", [0.0] * 60 + [1.0] * (n - 60))
    # 58 runs stopped, mostly the same ones: not distinguishable from patching's 60 on these seeds
    segmentation = _measured("segmentation -> hardened", "control", [1.0] * 4 + [0.0] * 58 + [1.0] * (n - 62))
    soc = _measured("soc -> hardened", "control", [0.0] * 10 + [1.0] * (n - 10))  # clearly smaller
    auto = _measured("attacker manual -> autonomous", "automation", [1.0] * n)
    assert fm.within_noise(patching, segmentation) and not fm.within_noise(patching, soc)
    text = fm.verdict([patching, segmentation, soc, auto], n)
    assert text.startswith("Upgrading patching to hardened mattered most: attacker success -30 points")
    assert "(segmentation -29 points [-35, -23] is within sampling noise of it, paired on the same seeds)" in text
    assert "soc" not in text
    # with the automation change first, the largest control effects within noise of each other are all named
    jump = paired_difference([0.0] * 80 + [1.0] * (n - 80), [1.0] * n)  # +40 points
    big = fm.Change("attacker manual -> autonomous", "automation", 2, 3, jump, jump, jump,
                    (1.0,) * 80 + (0.0,) * (n - 80))
    text = fm.verdict([patching, segmentation, soc, big], n)
    assert "(the largest control effects, within sampling noise of each other on the same seeds: patching -30 " \
           "points [-36, -24], segmentation -29 points [-35, -23])" in text


def test_reading_plans_share_their_common_cells():
    plans = fm.plan_readings(load("espionage-tech"))
    vendor, skeptic = plans["vendor"], plans["skeptic"]
    assert vendor.cells == skeptic.cells
    assert len(vendor.cells) == 24  # manual and ai-assisted once; the reference, 7 upgrades, 2 SOC automation settings
    # and autonomous per reading
    assert all(vendor.cells.count(c) == 1 for c in vendor.cells)
    for reading, p in plans.items():
        jumps = sorted(n for n, kind, *_ in p.changes if kind == "automation")
        assert jumps == ["attacker manual -> ai-assisted", f"attacker manual -> ai-orchestrated-{reading}",
                         f"attacker manual -> autonomous-{reading}"]
        ref = {p.cells[a] for _, kind, a, _ in p.changes if kind == "control"}
        assert ref == {(("automation", f"ai-orchestrated-{reading}"), ("posture", "baseline"))}


def _reading(first, first_mean, auto, auto_mean, second="soc -> hardened"):
    return [_change(first, "control", first_mean, first_mean - 0.1, first_mean + 0.1),
            _change(second, "control", -0.05, -0.1, 0.0),
            _change(f"attacker manual -> {auto}", "automation", auto_mean, auto_mean - 0.1, auto_mean + 0.1)]


def test_readings_sentence_says_what_holds_under_both():
    both = fm.readings_sentence({"vendor": _reading("patching -> hardened", -0.5, "autonomous-vendor", 0.3),
                                 "skeptic": _reading("patching -> hardened", -0.4, "autonomous-skeptic", 0.1)}, 50)
    assert both == ("Under both readings, upgrading patching to hardened ranks first among the controls (vendor -50 "
                    "points [-60, -40], skeptic -40 points [-50, -30]), and the verdict holds: it matters more than "
                    "the largest automation effect (vendor +30 points [+20, +40] for manual to autonomous-vendor, "
                    "skeptic +10 points [0, +20] for manual to autonomous-skeptic).")
    auto = fm.readings_sentence({"vendor": _reading("patching -> hardened", -0.2, "autonomous-vendor", 0.6),
                                 "skeptic": _reading("soc -> hardened", -0.3, "autonomous-skeptic", 0.4,
                                                     second="patching -> hardened")}, 50)
    assert auto.startswith("The readings disagree on the first control, the vendor reading ranking patching (-20 "
                           "points [-30, -10]) first and the skeptic reading soc (-30 points [-40, -20]), but the "
                           "verdict holds: moving the attacker from manual to autonomous changes attacker success "
                           "more than any single control (vendor +60")
    split = fm.readings_sentence({"vendor": _reading("patching -> hardened", -0.2, "autonomous-vendor", 0.6),
                                  "skeptic": _reading("patching -> hardened", -0.4, "autonomous-skeptic", 0.1)}, 50)
    assert split.startswith("The readings disagree on the verdict: under both, patching ranks first among the "
                            "controls, but under the vendor reading moving the attacker from manual to "
                            "autonomous-vendor (+60 points [+50, +70]) matters more than any single control, and "
                            "under the skeptic reading upgrading patching to hardened matters most (-40 points")
    apart = fm.readings_sentence({"vendor": _reading("patching -> hardened", -0.2, "autonomous-vendor", 0.6),
                                  "skeptic": _reading("soc -> hardened", -0.4, "autonomous-skeptic", 0.1,
                                                      second="patching -> hardened")}, 50)
    assert apart.startswith("The readings disagree: under the vendor reading patching (-20 points [-30, -10]) ranks "
                            "first among the controls and moving the attacker")
    assert "under the skeptic reading soc (-40 points [-50, -30]) ranks first and upgrading soc" in apart
    # automation first under both readings, by different jumps, and a control as large: one verdict, said so
    vendor = _reading("patching -> hardened", -0.68, "autonomous-vendor", 0.68)
    levels = fm.readings_sentence({"vendor": [*vendor[:2], _sooner(vendor[2])],
                                   "skeptic": _reading("patching -> hardened", -0.5, "ai-orchestrated-skeptic",
                                                       0.68)}, 50)
    assert levels == ("Under both readings, upgrading patching to hardened ranks first among the controls (vendor -68 "
                      "points [-78, -58], skeptic -50 points [-60, -40]), and the verdict holds: moving the attacker "
                      "up from manual changes attacker success at least as much as any single control (vendor +68 "
                      "points [+58, +78] for manual to autonomous, skeptic +68 points [+58, +78] for manual to "
                      "ai-orchestrated).")
    quiet = [_change("soc -> hardened", "control", -0.01, -0.05, 0.03),
             _change("attacker manual -> autonomous-x", "automation", 0.02, -0.03, 0.07)]
    noise = fm.readings_sentence({"vendor": quiet, "skeptic": quiet}, 50)
    assert noise == "Under both readings, no single change moves attacker success beyond sampling noise at 50 runs " \
                    "per cell."
    for s in (both, auto, split, apart, noise):
        assert s.count(". ") == 0 and s.endswith(".")  # one sentence


def test_readings_whose_first_controls_are_within_noise_say_so():
    n = 200
    stopped = {60: [0.0] * 60 + [1.0] * (n - 60)}
    shifted = [1.0] * 4 + [0.0] * 58 + [1.0] * (n - 62)  # 58 stopped, mostly the runs the other stops
    jump = paired_difference([0.0] * n, [1.0] * n)  # +100 points: the verdict is the automation change under both
    auto = fm.Change("attacker manual -> autonomous", "automation", 2, 3, jump, jump, jump, (1.0,) * n)
    vendor = [_measured("patching -> hardened", "control", stopped[60]),
              _measured("segmentation -> hardened", "control", shifted), auto]
    skeptic = [_measured("patching -> hardened", "control", shifted),
               _measured("segmentation -> hardened", "control", stopped[60]), auto]
    text = fm.readings_sentence({"vendor": vendor, "skeptic": skeptic}, n)
    assert text.startswith("The readings disagree on the first control, the vendor reading ranking patching (-30 "
                           "points [-36, -24]) first and the skeptic reading segmentation (-30 points [-36, -24]) "
                           "(the two within sampling noise of each other under both readings, paired on the same "
                           "seeds), but the verdict holds")
    far = [_measured("patching -> hardened", "control", stopped[60]),
           _measured("segmentation -> hardened", "control", [0.0] * 10 + [1.0] * (n - 10)), auto]
    assert "within sampling noise" not in fm.readings_sentence({"vendor": far, "skeptic": skeptic}, n)


def test_cli_fundamentals():
    from typer.testing import CliRunner

    from simulator.cli import app

    r = CliRunner().invoke(app, ["fundamentals", "tests/data/tiny.yaml", "--runs", "20", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "change" in r.stdout and "incident_response " in r.stdout
    assert "soc: ai-response" in r.stdout and "soc: ai-triage" in r.stdout  # the table's short names (issue 16)
    assert "to autonomous" in r.stdout and "to ai-assisted" in r.stdout
    last = r.stdout.strip().split("\n\n")[-1]  # the closing paragraph (wrapped to the terminal)
    assert last.startswith(("Upgrading", "Moving", "No single change"))


def test_cli_fundamentals_readings():
    import json

    from typer.testing import CliRunner

    from simulator.cli import app

    args = ["fundamentals", "tests/data/tiny.yaml", "--runs", "10", "--workers", "1", "--readings"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "tiny, the vendor reading" in r.stdout and "tiny, the skeptic reading" in r.stdout
    assert "to autonomous-skeptic" in r.stdout
    last = r.stdout.strip().split("\n\n")[-1]
    assert last.startswith(("Under both readings", "The readings disagree"))
    r = CliRunner().invoke(app, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc["readings"]) == {"vendor", "skeptic"}
    assert doc["readings"]["vendor"]["attacker"] == "ai-orchestrated-vendor"
    assert doc["sentence"] == " ".join(last.split())  # the same seeds give the same sentence (unwrapped)


def test_readings_sentence_names_the_soc_dial_as_a_setting():
    """The SOC's dial first under both readings reads as turning it on, not 'upgrading soc automation: ai-response'
    (found on the cloud company an unseen-scenario helper wrote)."""
    both = fm.readings_sentence({r: _reading("soc automation: ai-response", -0.8, f"autonomous-{r}", 0.7)
                                 for r in ("vendor", "skeptic")}, 50)
    assert both.startswith("Under both readings, turning the SOC's automation to ai-response ranks first")


def test_cli_readings_caveat_the_soc_dial_once():
    """Where the automatic response leads under both readings, its caveat comes once, after the sentence on both,
    not under each reading's table (examples/scenarios/cloud-sso.yaml, where it leads by about 85 points)."""
    from typer.testing import CliRunner

    from simulator.cli import app

    r = CliRunner().invoke(app, ["fundamentals", "examples/scenarios/cloud-sso.yaml", "--readings", "--runs", "20",
                                 "--workers", "1", "--columns", "1000"])
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert text.count(fm.DIAL_NOTE.strip()) == 1
    last = text.strip().split("\n\n")[-1]
    assert last.startswith("Under both readings") and last.endswith(fm.DIAL_NOTE.strip())


def test_cli_fundamentals_bad_from_level():
    from typer.testing import CliRunner

    from simulator.cli import app

    r = CliRunner().invoke(app, ["fundamentals", "tests/data/tiny.yaml", "--from", "superhuman", "--runs", "2"])
    assert r.exit_code == 2
    assert "unknown automation preset 'superhuman'" in r.stderr


def test_time_to_detection_is_over_runs_breached_in_both_cells():
    """A change that keeps the attacker out must not read as slower detection: the difference is taken from initial
    access, over the replicates where the attacker got in in both cells (an earlier version counted a kept-out run at
    the horizon, so hardened patching read as '+365 h')."""
    def row(rep, ia, det):
        return {"replicate": rep, "outcome": "detected_not_contained", "time_to_initial_access": ia,
                "time_to_first_detection": det, "records_exfiltrated": 0}

    base = [row(r, 100.0, 160.0) for r in range(10)]  # every run breached, seen an hour in
    kept_out = [row(r, None, None) if r % 2 else row(r, 300.0, 360.0) for r in range(10)]
    plan = fm.Plan(cells=((), ()), changes=(("patching -> hardened", "control", 0, 1),))
    change = fm.analyse(plan, {0: base, 1: kept_out}, horizon=43200.0)[0]
    assert change.detection.n == 5 and change.detection.mean == 0.0
    never = fm.analyse(plan, {0: base, 1: [row(r, None, None) for r in range(10)]}, horizon=43200.0)[0]
    assert never.detection.n == 0


def _jumped(name, diffs):
    """An automation change from its per-replicate paired differences."""
    d = paired_difference([0.0] * len(diffs), list(diffs))
    return fm.Change(name, "automation", 2, 3, d, d, d, tuple(diffs))


def test_a_control_and_an_automation_change_within_noise_are_called_even():
    """espionage-tech's readings (100 runs): patching -70 points under the vendor reading against +69 for its
    largest automation jump, and the skeptic's +69 against patching's -66: one point apart is not a different
    verdict. The sizes of the two effects are set against each other seed by seed."""
    n = 100
    auto = _jumped("attacker manual -> autonomous-vendor", [1.0] * 69 + [0.0] * 31)
    patching = _measured("patching -> hardened", "control", [0.0] * 70 + [1.0] * 30)
    soc = _measured("soc -> hardened", "control", [0.0] * 2 + [1.0] * 98)
    assert fm.within_noise(patching, auto) and fm.within_noise(auto, patching)
    text = fm.verdict([patching, soc, auto], n)
    assert text.endswith("for moving the attacker from manual to autonomous-vendor, the largest automation effect, "
                         "within sampling noise of it.")
    skeptic_patching = _measured("patching -> hardened", "control", [0.0] * 66 + [1.0] * 34)
    auto_s = _jumped("attacker manual -> autonomous-skeptic", [1.0] * 69 + [0.0] * 31)
    assert fm.verdict([skeptic_patching, soc, auto_s], n).startswith(
        "Moving the attacker from manual to autonomous-skeptic changed attacker success by +69 points [+60, +78], as "
        "much as upgrading any single control")
    both = fm.readings_sentence({"vendor": [patching, soc, auto], "skeptic": [skeptic_patching, soc, auto_s]}, n)
    assert both.startswith("Under both readings, upgrading patching to hardened ranks first among the controls (vendor "
                           "-70 points [-79, -61], skeptic -66 points [-75, -57]), and the verdict holds: it changes "
                           "attacker success about as much as moving the attacker up from manual, within sampling "
                           "noise under both readings (vendor +69 points"), both
    # an automation change far smaller than the control is not even with it
    small = _jumped("attacker manual -> autonomous-vendor", [1.0] * 10 + [0.0] * 90)
    assert not fm.within_noise(patching, small)


def test_the_verdict_says_where_records_lost_rank_the_controls_otherwise():
    """Success is the objective met: a control that stops a theft part-way can lead on success while another keeps
    far more records in (an unseen-scenario helper's law firm: the SOC's automatic response first by success while
    patching kept twice as many records in). The verdict then says so, in a second sentence from the numbers."""
    from dataclasses import replace

    from simulator.stats import paired_difference

    def lost(mean, low, high):
        return replace(paired_difference([0.0] * 4, [mean] * 4), low=low, high=high)

    dial = _change("soc automation: ai-response", "control", -0.84, -0.94, -0.74)
    patch = _change("patching -> hardened", "control", -0.76, -0.86, -0.66)
    dial = replace(dial, data_lost=lost(-98_000, -120_000, -76_000))
    patch = replace(patch, data_lost=lost(-190_000, -210_000, -170_000))
    text = fm.verdict([dial, patch], 50)
    assert text.startswith("Turning the SOC's automation to ai-response mattered most")
    assert text.endswith(fm.DIAL_NOTE)  # the dial leads: its figures are assumptions, and the verdict says so
    text = text.removesuffix(fm.DIAL_NOTE)
    assert text.endswith("By records lost the order differs: upgrading patching to hardened kept the most in (-190k "
                         "records [-210k, -170k] a run), against -98k records [-120k, -76k] for the SOC's "
                         "automation at ai-response.")
    same = replace(patch, data_lost=lost(-90_000, -100_000, -80_000))  # within: no second sentence
    assert "By records lost" not in fm.verdict([dial, same], 50)
    overlapping = replace(patch, data_lost=lost(-190_000, -300_000, -100_000))  # reaches the first's interval
    assert "By records lost" not in fm.verdict([dial, overlapping], 50)
    worse = replace(patch, data_lost=lost(+20_000, +10_000, +30_000))  # no control lowers records lost
    assert "By records lost" not in fm.verdict([replace(dial, data_lost=lost(+90_000, +80_000, +99_000)), worse], 50)
    small = replace(patch, data_lost=lost(-40, -50, -30))
    assert fm.verdict([replace(dial, data_lost=lost(-5, -9, -1)), small], 50).removesuffix(fm.DIAL_NOTE).endswith(
        "(-40 records [-50, -30] a run), against -5 records [-9, -1] for the SOC's automation at ai-response.")


def test_records_lost_are_compared_paired_on_the_seeds():
    """The records-lost sentence sets the two controls' savings against each other replicate by replicate: where the
    base's losses vary widely from seed to seed, two unpaired intervals overlap although on every seed one control
    kept more in; the paired difference sees it (and sees no difference where there is none)."""
    from dataclasses import replace

    from simulator.stats import paired_difference

    n = len(SEEDED_LOSSES)

    dial = _saving(_change("soc automation: ai-response", "control", -0.84, -0.94, -0.74), 0.4)
    patch = _saving(_change("patching -> hardened", "control", -0.76, -0.86, -0.66), 0.6)
    assert patch.data_lost.high > dial.data_lost.low  # unpaired, the intervals overlap
    assert "By records lost the order differs: upgrading patching to hardened kept the most in" in fm.verdict(
        [dial, patch], n)
    # a larger mean saving, but seed by seed either control may keep more in: no sentence
    mixed = tuple(-(0.65 if i % 2 else 0.2) * x for i, x in enumerate(SEEDED_LOSSES))
    noisy = replace(patch, data_lost=paired_difference([0.0] * n, list(mixed)), data_diffs=mixed)
    assert noisy.data_lost.mean < dial.data_lost.mean
    assert "By records lost" not in fm.verdict([dial, noisy], n)


def test_the_verdict_flags_the_assumed_automatic_response_only_where_it_leads():
    """An unseen-scenario helper's cloud company: 'turning the SOC's automation to ai-response mattered most', -84
    points, from isolating the data warehouse five minutes after a large-transfer alert; every timing there is an
    assumption, and the verdict now says so, where the dial is among the leading controls and nowhere else."""
    dial = _change("soc automation: ai-response", "control", -0.84, -0.94, -0.74)
    patch = _change("patching -> hardened", "control", -0.40, -0.50, -0.30)
    assert fm.verdict([dial, patch], 50).endswith(fm.DIAL_NOTE)
    first = _change("patching -> hardened", "control", -0.90, -0.95, -0.85)
    assert fm.DIAL_NOTE not in fm.verdict([first, _change("soc automation: ai-response", "control", -0.3, -0.4,
                                                          -0.2)], 50)


def test_the_records_sentence_names_every_control_tied_for_the_most_records_kept():
    """retail: access control and segmentation both kept -680k records a run in, yet the sentence named access
    control alone (a practitioner review)."""
    n = len(SEEDED_LOSSES)

    dial = _saving(_change("soc automation: ai-response", "control", -0.84, -0.94, -0.74), 0.4)
    ac = _saving(_change("access_control -> hardened", "control", -0.76, -0.86, -0.66), 0.6)
    seg = _saving(_change("segmentation -> hardened", "control", -0.70, -0.80, -0.60), 0.6)
    text = fm.verdict([dial, ac, seg], n)
    assert "upgrading access_control or segmentation to hardened kept the most in (" in text
    assert "a run each, tied)" in text


def test_the_caveat_comes_too_where_the_records_sentence_credits_the_automatic_response():
    n = len(SEEDED_LOSSES)

    patch = _saving(_change("patching -> hardened", "control", -0.84, -0.94, -0.74), 0.2)
    dial = _saving(_change("soc automation: ai-response", "control", -0.30, -0.40, -0.20), 0.6)
    text = fm.verdict([patch, dial], n)
    assert "turning the SOC's automation to ai-response kept the most in" in text and text.endswith(fm.DIAL_NOTE)


SEEDED_LOSSES = [100_000.0 * k for k in (1, 2, 3, 4, 5, 6, 7, 8, 9, 5)]
"""A base cell's records lost per replicate that vary widely from seed to seed (so unpaired intervals are wide)."""


def _saving(change, share: float):
    """``change`` keeping ``share`` of every replicate's SEEDED_LOSSES in, with its per-replicate differences."""
    from dataclasses import replace

    from simulator.stats import paired_difference

    diffs = tuple(-share * x for x in SEEDED_LOSSES)
    return replace(change, data_lost=paired_difference([0.0] * len(diffs), list(diffs)), data_diffs=diffs)


def test_readings_whose_first_controls_tie_rank_the_same_first():
    """Two controls tied for first place (the same effect, in points) under both readings: the ranking orders ties
    by name, so each reading could name a different one first; the sentence says both readings agree, naming the
    tie (an auditor found "The readings disagree" printed over identical -60s on small-business). A tie in points
    is broken by detection, which differs between the readings here."""
    def reading(order):
        a, b = (_change(n, "control", -0.6, -0.8, -0.4) for n in order)
        return [_sooner(a), b, _change("attacker manual -> ai-assisted", "automation", -0.05, -0.15, 0.05)]

    s = fm.readings_sentence({"vendor": reading(("segmentation -> hardened", "patching -> hardened")),
                              "skeptic": reading(("patching -> hardened", "segmentation -> hardened"))}, 20)
    assert s.startswith("Under both readings, upgrading segmentation to hardened ranks first among the controls, "
                        "tied with patching (vendor -60 points")
    assert "the verdict holds" in s and "disagree" not in s


def test_a_tie_under_one_reading_only_is_named_with_its_reading():
    """Segmentation and patching tied for first under the vendor reading (segmentation first by detection), patching
    alone first under the skeptic's: patching ranks first under both, and the vendor reading's tie is named."""
    auto = _change("attacker manual -> ai-assisted", "automation", -0.05, -0.15, 0.05)
    vendor = [_sooner(_change("segmentation -> hardened", "control", -0.6, -0.8, -0.4)),
              _change("patching -> hardened", "control", -0.6, -0.8, -0.4), auto]
    skeptic = [_change("patching -> hardened", "control", -0.6, -0.8, -0.4),
               _change("segmentation -> hardened", "control", -0.3, -0.5, -0.1), auto]
    s = fm.readings_sentence({"vendor": vendor, "skeptic": skeptic}, 20)
    assert s.startswith("Under both readings, upgrading patching to hardened ranks first among the controls, tied "
                        "with segmentation under the vendor reading (vendor -60 points"), s
