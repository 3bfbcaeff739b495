"""The command line: a thin shell that parses, calls the library and shows. Heavy imports happen inside commands."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(
    name="tabletop",
    help="AI-assisted attack tabletop simulator: attacker automation levels against defender fundamentals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Typer's rich formatting imports rich.markdown (~60 ms of a 150 ms budget)
)

EXIT_INPUT = 2
"""Exit code for bad input (a scenario file, a preset name, an option)."""


def _fail(problems) -> None:
    for p in problems:
        typer.echo(str(p), err=True)
    raise typer.Exit(EXIT_INPUT)


def _load(scenario: str, automation: str | None = None, posture: str | None = None):
    from simulator.loader import ScenarioError, load

    try:
        loaded = load(scenario)
        if automation or posture:
            loaded = loaded.with_presets(automation=automation, posture=posture)
        return loaded
    except ScenarioError as e:
        _fail(e.problems)


def _split(value: str, kind: str) -> list[str]:
    from simulator.loader import preset_names

    names = [v.strip() for v in value.split(",") if v.strip()]
    known = preset_names(kind)
    bad = [n for n in names if n not in known]
    if bad or not names:
        typer.echo(f"<command line>:0: --{'automation' if kind == 'automation' else 'posture'}: unknown {kind} "
                   f"preset {', '.join(map(repr, bad)) or '(none given)'} (known: {', '.join(known)})", err=True)
        raise typer.Exit(EXIT_INPUT)
    return names


@app.command("list")
def list_() -> None:
    """List the bundled scenarios, automation levels and posture presets."""
    from simulator.loader import bundled_names, load, preset_descriptions

    typer.echo("Scenarios:")
    names = bundled_names()
    width = max(20, *(len(n) + 1 for n in names))
    for name in names:
        s = load(name).scenario
        hosts = sum(h.count for h in s.hosts)
        typer.echo(f"  {name:<{width}} {s.title} ({hosts} hosts)")
    for kind, title in (("automation", "Automation levels"), ("posture", "Posture presets")):
        typer.echo(f"{title}:")
        descriptions = preset_descriptions(kind)
        width = max(20, *(len(n) + 1 for n in descriptions))
        for name, desc in descriptions.items():
            typer.echo(f"  {name:<{width}} {desc}")


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(metavar="FILE", help="Scenario files (or bundled names).")],
) -> None:
    """Check scenario files; print every error as FILE:LINE: field: message. Exit 2 if any file is bad."""
    from simulator.build import objective_hosts_usable, objective_zone_reachable
    from simulator.loader import ScenarioError, load
    from simulator.scenario import flow_service_warnings, supplier_warnings

    bad = False
    for f in files:
        try:
            loaded = load(f)
        except ScenarioError as e:
            bad = True
            for p in e.problems:
                typer.echo(str(p), err=True)
            continue
        s = loaded.scenario  # counted and searched zone by zone: a 100,000-host file is never expanded
        reachable = objective_zone_reachable(s, loaded.posture)
        note = "" if reachable else " (warning: the objective's zone is unreachable under this posture)"
        if reachable and not objective_hosts_usable(s, loaded.posture):
            note = (" (warning: no way onto the objective's host along the allowed flows: no host on the way "
                    "offers a service with a vulnerability, or a logon service an account the attacker could come to "
                    "hold logs on to there; runs will not reach it)")
        typer.echo(f"{loaded.document.file}: ok: {sum(h.count for h in s.hosts)} hosts in {len(s.zones)} zones, "
                   f"{len(s.accounts)} accounts, {len(s.vulnerabilities)} vulnerabilities{note}")
        for path, message in flow_service_warnings(s) + supplier_warnings(s):
            typer.echo(f"{loaded.document.file}:{loaded.document.line(path)}: {'.'.join(map(str, path))}: "
                       f"warning: {message}")
    if bad:
        raise typer.Exit(EXIT_INPUT)


@app.command("run")
def run_(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A bundled scenario name or a scenario file.")],
    automation: Annotated[str | None, typer.Option(help="Automation level (default: the scenario's).")] = None,
    posture: Annotated[str | None, typer.Option(help="Posture preset (default: the scenario's).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    replicate: Annotated[int, typer.Option(min=0, help="Replicate under the root seed: replays run N of a compare or "
                                                       "sweep cell with the same root seed.")] = 0,
    json_: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")] = False,
    events: Annotated[int, typer.Option(min=0, help="Timeline events to show in the text form.")] = 15,
) -> None:
    """Run one seeded simulation and show its outcome, key times, counts and the start of its timeline."""
    if automation:
        _split(automation, "automation")
    if posture:
        _split(posture, "posture")
    loaded = _load(scenario, automation, posture)
    from simulator.build import compile_scenario
    from simulator.engine import EventBudgetError, run

    try:
        result = run(compile_scenario(loaded.scenario, loaded.attacker, loaded.posture), seed, replicate)
    except EventBudgetError as e:
        typer.echo(f"{loaded.document.file}:0: {e}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if json_:
        sys.stdout.write(result.to_json() + "\n")
        return
    from simulator.report_text import run_text

    typer.echo(run_text(result, events))


def _workers(workers: int | None) -> int:
    import os

    return max(1, workers if workers is not None else (os.cpu_count() or 1))


WORKERS_HELP = "Worker processes (default: one per core). Results are the same for any number."
Columns = Annotated[int | None, typer.Option("--columns", min=40, max=1000, help="Fit the table to N columns "
                                             "(default: $COLUMNS, else the terminal's width, else 80).")]
Wide = Annotated[bool, typer.Option("--wide", help="Every column, however wide the table gets.")]


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A bundled scenario name or a scenario file.")],
    automation: Annotated[str, typer.Option(help="Comma-separated automation levels.")] =
        "manual,ai-assisted,ai-orchestrated,autonomous",
    posture: Annotated[str, typer.Option(help="Comma-separated posture presets.")] = "weak,baseline,hardened",
    runs: Annotated[int, typer.Option(min=1, max=1_000_000, help="Replicates per cell.")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="Root seed (every cell replays the same seeds).")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    format_: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    columns: Columns = None,
    wide: Wide = False,
) -> None:
    """Run every cell (automation x posture) on the same seeds and compare them, with 95% intervals."""
    fmt = _format(format_)
    levels = _split(automation, "automation")
    postures = _split(posture, "posture")
    loaded = _load(scenario)
    from simulator.progress import progress
    from simulator.runner import cells
    from simulator.stats import summarize
    from simulator.sweep import collect, spec_for

    grid = cells(levels, postures)
    spec = spec_for(loaded, [(("automation", c.automation), ("posture", c.posture)) for c in grid], runs, seed)
    with progress(spec.total, "compare") as tick:
        by_cell = collect(spec, _workers(workers), progress=tick)
    summaries = [summarize(by_cell[i]) for i in range(len(grid))]
    title = (f"{loaded.scenario.name}: {len(grid)} cells x {runs} runs, root seed {seed}; every cell replays the "
             f"same seeds.")
    losses = None
    if loaded.scenario.loss is not None:
        from simulator.loss import estimate

        losses = [estimate(by_cell[i], loaded.scenario.loss) for i in range(len(grid))]
    _emit(fmt, title, summaries, {"kind": "comparison", "scenario": loaded.scenario.name,
                                  "scenario_file": loaded.document.file, "automation": levels, "posture": postures,
                                  "runs": runs, "seed": seed}, columns, wide, losses)


def _format(value: str) -> str:
    if value not in ("table", "json", "csv"):
        typer.echo(f"<command line>:0: --format: '{value}' is not one of table, json, csv", err=True)
        raise typer.Exit(EXIT_INPUT)
    return value


def _emit(fmt: str, title: str, summaries, meta: dict, columns: int | None = None, wide: bool = False,
          losses=None) -> None:
    import json

    if fmt == "json":
        cells = [s.to_dict() for s in summaries]
        if losses is not None:  # the scenario's loss model: money per run, mean [95% interval] and P90
            for c, e in zip(cells, losses, strict=True):
                c["loss"] = None if e is None else {"mean": e.mean, "low": e.low, "high": e.high, "p90": e.p90,
                                                    "currency": e.currency}
        sys.stdout.write(json.dumps({**meta, "cells": cells}, indent=2) + "\n")
    elif fmt == "csv":
        from simulator.report_text import summaries_csv

        sys.stdout.write(summaries_csv(summaries))
    else:
        from simulator.tables import compare_table, response_table, terminal_width

        typer.echo(compare_table(title, summaries, terminal_width(columns), wide, losses))
        typer.echo("\n" + response_table(summaries, terminal_width(columns), wide))


@app.command()
def fundamentals(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A bundled scenario name or a scenario file.")],
    base: Annotated[str, typer.Option(help="The posture the upgrades start from.")] = "baseline",
    attacker: Annotated[str, typer.Option(help="The attacker the control upgrades are measured against.")] =
        "ai-orchestrated",
    upgrade: Annotated[str, typer.Option(help="The posture preset each control is upgraded to.")] = "hardened",
    from_: Annotated[str, typer.Option("--from", help="The attacker level the automation jumps start from (to "
                                       "every other level).")] = "manual",
    readings: Annotated[bool, typer.Option("--readings", help="Run under the vendor and the skeptic reading of the "
                                           "AI-driven levels and say whether the first control and the verdict "
                                           "hold under both.")] = False,
    runs: Annotated[int, typer.Option(min=2, max=1_000_000, help="Replicates per cell.")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="Root seed (every cell replays the same seeds).")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    columns: Columns = None,
    wide: Wide = False,
) -> None:
    """Which fundamental matters most? Upgrade each control alone, and separately move the attacker from manual (or
    --from) to every other level; rank the paired effects on attacker success, time to detection and data lost."""
    fmt = _format(format_)
    _split(base, "posture")
    _split(upgrade, "posture")
    _split(attacker, "automation")
    _split(from_, "automation")
    loaded = _load(scenario)
    from simulator import fundamentals as fm
    from simulator.progress import progress
    from simulator.sweep import collect, spec_for

    plans = (fm.plan_readings(loaded, base, attacker, upgrade, from_) if readings else
             {None: fm.plan(loaded, base=base, attacker=attacker, upgrade=upgrade, low=from_)})
    cells = next(iter(plans.values())).cells
    spec = spec_for(loaded, cells, runs, seed)
    with progress(spec.total, "fundamentals") as tick:
        by_cell = collect(spec, _workers(workers), progress=tick)
    horizon = loaded.scenario.horizon_days * 1440
    results = {r: fm.analyse(p, by_cell, horizon) for r, p in plans.items()}
    verdicts = {r: fm.verdict(changes, runs) for r, changes in results.items()}
    both = fm.readings_sentence(results, runs) if readings else None
    if fmt == "json":
        import json
        from dataclasses import asdict

        def doc(r):
            return {"attacker": fm.variant(attacker, r), "from": fm.variant(from_, r), "verdict": verdicts[r],
                    "changes": [asdict(c) for c in results[r]]}

        head = {"scenario": loaded.scenario.name, "base": base, "upgrade": upgrade, "runs": runs, "seed": seed}
        body = ({"readings": {r: doc(r) for r in results}, "sentence": both} if readings else doc(None))
        sys.stdout.write(json.dumps({**head, **body}, indent=2) + "\n")
        return
    from simulator.tables import fundamentals_table, terminal_width, wrap

    width = terminal_width(columns)
    if both and sum(fm.DIAL_NOTE in v for v in verdicts.values()) > 1:
        # the caveat on the automatic response once, after the sentence on both readings, not under each table
        verdicts = {r: v.replace(fm.DIAL_NOTE, "") for r, v in verdicts.items()}
        both += fm.DIAL_NOTE
    blocks = []
    for r, changes in results.items():
        name = loaded.scenario.name if r is None else f"{loaded.scenario.name}, the {r} reading"
        blocks.append(fundamentals_table(name, changes, base, fm.variant(attacker, r), runs, seed, verdicts[r], width,
                                         wide))
    if both:
        blocks.append("\n".join(wrap(both, width)))
    typer.echo("\n\n".join(blocks))


@app.command()
def sweep(
    sweep_file: Annotated[str, typer.Argument(metavar="SWEEP.yaml", help="The sweep file.")],
    out: Annotated[str, typer.Option(help="JSON Lines output; .csv and .parquet are written beside it at the end.")],
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted sweep: skip the runs already in --out.")] =
        False,
    scheduler: Annotated[str | None, typer.Option(help="Run on a Dask cluster at tcp://HOST:PORT.")] = None,
    formats: Annotated[str, typer.Option(help="Files to derive at the end: csv, parquet, or none.")] =
        "csv,parquet",
) -> None:
    """Run a parameter sweep into a long-format file (one row per run), resumable and parallel."""
    from simulator.errors import EventBudgetError
    from simulator.loader import ScenarioError
    from simulator.sweep import BackendError, OutputError, export_csv, export_parquet, load_sweep, run_sweep

    wanted = {f.strip() for f in formats.split(",") if f.strip()} - {"none"}
    if not wanted <= {"csv", "parquet"}:
        typer.echo(f"<command line>:0: --formats: unknown format in '{formats}' (csv, parquet, none)", err=True)
        raise typer.Exit(EXIT_INPUT)
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        typer.echo(f"<command line>:0: --scheduler: '{scheduler}' is not an address like tcp://HOST:PORT", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        sw = load_sweep(sweep_file)
    except ScenarioError as e:
        _fail(e.problems)
    from pathlib import Path

    from simulator.progress import progress

    spec = sw.spec
    n_workers = _workers(workers)
    typer.echo(f"sweep {spec.id}: {len(spec.cells)} cells x {spec.replicates} replicates = {spec.total} runs, "
               f"root seed {spec.seed}, {'Dask at ' + scheduler if scheduler else f'{n_workers} workers'}", err=True)
    try:
        with progress(spec.total, "sweep") as tick:
            written = run_sweep(spec, out, n_workers, resume, scheduler, progress=tick)
    except (OutputError, EventBudgetError, ScenarioError) as e:
        typer.echo(str(e).splitlines()[0], err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except BackendError as e:  # the cluster failed: rows already written stay, and --resume finishes the sweep
        started = Path(out).is_file() and Path(out).stat().st_size > 0
        typer.echo(f"{e}" + (f"; the rows written so far are in {out}: rerun with --resume to finish" if started
                             else ""), err=True)
        raise typer.Exit(1 if started else EXIT_INPUT) from None
    except KeyboardInterrupt:
        typer.echo(f"interrupted: the rows written so far are in {out}; rerun with --resume to finish", err=True)
        raise typer.Exit(130) from None
    path = Path(out)
    derived = []
    for fmt in sorted(wanted):
        target = path.with_suffix(f".{fmt}")
        if target == path:
            continue
        try:
            (export_csv if fmt == "csv" else export_parquet)(path, target)
        except (OutputError, ScenarioError) as e:  # nothing partial is left; the JSON Lines are whole
            typer.echo(f"{str(e).splitlines()[0]} (the runs are all in {out})", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        derived.append(str(target))
    typer.echo(f"{written} runs written to {out}" + (f"; derived {', '.join(derived)}" if derived else ""))


@app.command()
def summarize(
    file: Annotated[str, typer.Argument(help="A sweep's JSON Lines output.")],
    by: Annotated[str, typer.Option(help="Comma-separated columns that name a cell.")] = "automation,posture",
    format_: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    width: Columns = None,
    wide: Wide = False,
    loss: Annotated[str | None, typer.Option(help="A scenario (bundled name or file) whose loss model prices the "
                                             "rows: adds the loss column.")] = None,
) -> None:
    """Print the compare-style table from a sweep's rows, one line per value of the --by columns."""
    fmt = _format(format_)
    from simulator.inputs import ScenarioError, group_rows
    from simulator.stats import summarize as summary

    columns = [c.strip() for c in by.split(",") if c.strip()]
    try:  # streamed: rows are checked as they are read and kept in compact columns per group
        grouped = group_rows(file, columns)
    except ScenarioError as e:
        _fail(e.problems)
    groups = grouped.groups
    summaries = [summary(g, columns) for g in groups.values()]
    losses = None
    if loss is not None:
        from simulator.loss import estimate

        model = _load(loss).scenario.loss
        if model is None:
            typer.echo(f"<command line>:0: --loss: {loss} has no loss model (a 'loss:' block)", err=True)
            raise typer.Exit(EXIT_INPUT)
        losses = [estimate(g, model) for g in groups.values()]
    title = f"{file}: {grouped.runs} runs in {len(groups)} groups by {', '.join(columns)}."
    _emit(fmt, title, summaries, {"file": file, "by": columns, "runs": grouped.runs}, width, wide, losses)


@app.command()
def calibrate(
    runs: Annotated[int, typer.Option(min=20, max=1_000_000, help="Runs per automation level.")] = 500,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    scenario: Annotated[list[str] | None, typer.Option(
        help="A scenario to calibrate on (repeatable): a bundled name, a file, or generated-N (N hosts). Default: "
             "all.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every bundled scenario and generated-50, -200, -1000.")] = False,
) -> None:
    """Check the presets against the published figures they cite, on every scenario; exit 1 if a checked figure falls
    out of range on any of them."""
    from simulator import calibration as cal
    from simulator.loader import ScenarioError
    from simulator.progress import progress

    names = list(dict.fromkeys((cal.default_targets() if all_ or not scenario else []) + list(scenario or [])))
    loaded = []
    for name in names:
        try:
            loaded.append(cal.load_target(name))
        except ScenarioError as e:
            _fail(e.problems)
        except ValueError as e:
            typer.echo(f"<command line>:0: --scenario: {e}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    try:
        tags = cal.all_tags()
        for f in cal.FIGURES:
            cal.fitted_inputs(f, tags)
    except (ScenarioError, KeyError) as e:  # a preset file or the figure table is broken: our bug, said plainly
        typer.echo(str(e), err=True)
        raise typer.Exit(EXIT_INPUT) from None
    results = []
    with progress(runs * len(cal.LEVELS) * len(loaded), "calibrate") as tick:
        for one in loaded:
            results.append(cal.calibrate(one, runs, seed, _workers(workers), progress=tick))
    typer.echo(cal.report(results, runs, seed, tags))
    if any(r.ok is False for c in results for r in c.rows):
        raise typer.Exit(1)


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A bundled scenario name or a scenario file.")],
    method: Annotated[str, typer.Option(help="oat (one at a time, paired on common seeds) or morris (SALib "
                                        "trajectories, bootstrap intervals).")] = "oat",
    runs: Annotated[int | None, typer.Option(min=2, max=100_000, help="Runs per cell in the first round (default: "
                                             "200 for oat, 20 for morris).")] = None,
    max_runs: Annotated[int | None, typer.Option(min=2, max=1_000_000, help="oat: most runs per cell when refining "
                                                 "the factors at the top-five boundary (default 16 x --runs; equal "
                                                 "to --runs: no refinement).")] = None,
    trajectories: Annotated[int, typer.Option(min=2, max=1000, help="Morris trajectories.")] = 10,
    automation: Annotated[str | None, typer.Option(help="Attacker level at the base point.")] = None,
    posture: Annotated[str | None, typer.Option(help="Posture preset at the base point.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    check_seed: Annotated[int | None, typer.Option(min=0, help="Run the same design again at this root seed too "
                                                   "(twice the runs) and say whether the top five hold.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json (factors, ranges and effects).")] = "table",
    columns: Columns = None,
    wide: Wide = False,
) -> None:
    """Rank the posture and attacker levers by their signed effect on attacker success (points) and time to
    detection (hours), with 95% intervals."""
    if check_seed is not None and check_seed == seed:
        typer.echo(f"<command line>:0: --check-seed: {check_seed} is the root seed already; give another", err=True)
        raise typer.Exit(EXIT_INPUT)
    fmt = _format(format_)
    if method not in ("morris", "oat"):
        typer.echo(f"<command line>:0: --method: '{method}' is not oat or morris", err=True)
        raise typer.Exit(EXIT_INPUT)
    if automation:
        _split(automation, "automation")
    if posture:
        _split(posture, "posture")
    loaded = _load(scenario)
    from contextlib import ExitStack

    from simulator import sensitivity as sa
    from simulator.progress import progress
    from simulator.tables import factor_name

    runs = runs or (sa.OAT_RUNS if method == "oat" else sa.MORRIS_RUNS)
    max_runs = max(runs, max_runs or (runs * sa.REFINE if method == "oat" else runs))
    bars, tick = ExitStack(), [lambda n: None]
    total = [0]
    name = ["sensitivity"]  # (the second seed's progress bars say which seed they are)

    def on_round(r: int, factors: int, planned: int) -> None:  # one progress bar per round
        bars.close()
        total[0] += planned
        label = name[0] if r == 1 else f"{name[0]}, round {r}: {factors} factors at the top-5 boundary"
        tick[0] = bars.enter_context(progress(planned, label))

    try:
        design = sa.plan(loaded, method, automation, posture, trajectories=trajectories, seed=seed)
        with bars:
            effects = sa.run_design(loaded, design, runs, seed, _workers(workers), progress=lambda n: tick[0](n),
                                    max_runs=max_runs, on_round=on_round)
        first_total, check = total[0], None
        if check_seed is not None:  # the same factors and levels, another root seed (a Morris design is redrawn)
            name[0] = f"sensitivity, root seed {check_seed}"
            again = sa.plan(loaded, method, automation, posture, trajectories=trajectories, seed=check_seed)
            with bars:
                other = sa.run_design(loaded, again, runs, check_seed, _workers(workers),
                                      progress=lambda n: tick[0](n), max_runs=max_runs, on_round=on_round)
            check = sa.stability(effects, other, (seed, check_seed), short=factor_name)
    except (RuntimeError, ValueError) as e:
        typer.echo(f"{loaded.document.file}:0: {e}" if isinstance(e, ValueError) else str(e), err=True)
        raise typer.Exit(EXIT_INPUT) from None
    base = design.base
    how = "one at a time" if method == "oat" else f"Morris, {trajectories} trajectories"
    refined = f", refined up to {max_runs} at the top-5 boundary" if method == "oat" and max_runs > runs else ""
    title = (f"{loaded.scenario.name}: sensitivity ({how}) around {base[0][1]} vs {base[1][1]}, "
             f"{len(design.points)} cells x {runs} runs on common seeds{refined} ({first_total} runs), root seed "
             f"{seed}.")
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({"scenario": loaded.scenario.name, "method": method, "runs": runs,
                                     "max_runs": max_runs, "total_runs": first_total,
                                     "trajectories": trajectories if method == "morris" else None,
                                     "seed": seed, "base": dict(base), "cells": len(design.points),
                                     "factors": sa.factor_data(design.factors), "effects": sa.chart_data(effects),
                                     "top5_separated": sa.separated(effects),
                                     **({"check_seed": check_seed, "check_total_runs": total[0] - first_total,
                                         "stable": check[0], "stability": check[1]}
                                        if check is not None else {})}, indent=2) + "\n")
        return
    from simulator.tables import sensitivity_table, terminal_width, wrap

    typer.echo(sensitivity_table(effects, title, sa.NOTES[method], terminal_width(columns), wide))
    if check is not None:
        typer.echo("\n" + "\n".join(wrap(f"{check[1]} (Root seed {check_seed}: {total[0] - first_total} more runs.)",
                                         terminal_width(columns))))


@app.command()
def report(
    source: Annotated[str, typer.Argument(metavar="INPUT", help="A comparison (tabletop compare --format json > "
                                          "c.json), a sweep's .jsonl, a saved session, or a run (tabletop run "
                                          "--json > r.json).")],
    out: Annotated[str, typer.Option(help="report.md or report.html.")],
    counterfactual_runs: Annotated[int, typer.Option(min=0, max=100_000, help="A session: seeds over which the "
                                                     "team's orders are replayed against doing nothing (0: "
                                                     "skip).")] = 200,
) -> None:
    """Write an after-action report (exercise overview, key events, outcomes with intervals, strengths and areas
    for improvement derived from the data, decisions and notes, improvement plan, parameters and seeds). A session
    is replayed first, and refused if it does not replay."""
    from pathlib import Path

    from simulator.report import ReportError, build, markdown, to_html

    target = Path(out)
    if target.suffix not in (".md", ".html"):
        typer.echo(f"<command line>:0: --out: '{out}' must end in .md or .html", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        rep = build(source, counterfactual_runs=counterfactual_runs, show_progress=True)
    except ReportError as e:
        typer.echo(str(e).splitlines()[0] if str(e) else f"{source}: cannot make a report", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    text = markdown(rep) if target.suffix == ".md" else to_html(rep)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    finally:  # a failed write leaves neither half a report nor the temporary file
        import contextlib

        with contextlib.suppress(OSError):
            tmp.unlink()
    n_good, n_bad = len(rep.strengths), len(rep.improvements)
    typer.echo(f"wrote {out}: {n_good} strength{'' if n_good == 1 else 's'}, {n_bad} area{'' if n_bad == 1 else 's'} "
               "for improvement")


@app.command("import-nasim")
def import_nasim(
    source: Annotated[str, typer.Argument(metavar="FILE.yaml", help="A NASim scenario file.")],
    out: Annotated[str, typer.Option(help="The scenario file to write.")],
    automation: Annotated[str, typer.Option(help="Automation preset for the new scenario.")] = "ai-orchestrated",
    posture: Annotated[str, typer.Option(help="Posture preset for the new scenario.")] = "baseline",
) -> None:
    """Convert a Network Attack Simulator (NASim) scenario; report what does not map; check the result loads."""
    _split(automation, "automation")
    _split(posture, "posture")
    from pathlib import Path

    from simulator.loader import ScenarioError, load_document, parse_yaml
    from simulator.nasim_import import import_file, to_yaml

    try:
        imported = import_file(source, automation, posture)
    except ScenarioError as e:
        _fail(e.problems)
    target = Path(out)
    text = to_yaml(imported, source)
    try:  # checked before anything is written: an invalid scenario is never left on disk
        loaded = load_document(parse_yaml(text, out))
    except ScenarioError as e:  # a bug of ours, not the user's: say so plainly
        typer.echo(f"{source}:0: the converted scenario does not validate (please report this; nothing written):",
                   err=True)
        _fail(e.problems)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    finally:
        import contextlib

        with contextlib.suppress(OSError):
            tmp.unlink()
    hosts = sum(h.count for h in loaded.scenario.hosts)
    typer.echo(f"wrote {out}: {hosts} hosts, {len(loaded.scenario.vulnerabilities)} vulnerabilities, "
               f"{len(loaded.scenario.entry_points)} entry points")
    from simulator.inputs import clean

    for p in imported.pinned:
        typer.echo(f"  pinned: {p}")
    for u in imported.unmapped:
        typer.echo(f"  not mapped: {clean(u)}")


@app.command()
def navigator(
    source: Annotated[str, typer.Argument(metavar="INPUT", help="A run result (`tabletop run --json`), a saved "
                                          "session, or a scenario (then --runs runs are made).")],
    out: Annotated[str, typer.Option(help="The layer file to write.")],
    runs: Annotated[int, typer.Option(min=1, max=100_000, help="Runs, when INPUT is a scenario.")] = 100,
    automation: Annotated[str | None, typer.Option(help="When INPUT is a scenario.")] = None,
    posture: Annotated[str | None, typer.Option(help="When INPUT is a scenario.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="When INPUT is a scenario.")] = 0,
) -> None:
    """Write an ATT&CK Navigator layer: per technique used, the share of uses detected; planned but unreached
    techniques in grey."""
    import json
    from pathlib import Path

    from simulator import navigator as nav
    from simulator.techniques import planned

    path = Path(source)
    scenario = None
    if path.suffix == ".json":
        from simulator.inputs import ScenarioError, read_result

        try:  # a run or a session, checked against its model; a name inside it opens no file
            kind, data, _ = read_result(source, ("run", "session"))
        except ScenarioError as e:
            _fail(e.problems)
        if kind == "session":
            from simulator.facilitator import SessionError, load_session

            try:
                fac = load_session(source)  # replayed: a session whose result was edited is refused
            except SessionError as e:
                from simulator.inputs import clean

                typer.echo(clean(str(e).splitlines()[0]), err=True)
                raise typer.Exit(EXIT_INPUT) from None
            result = data["result"] or json.loads(json.dumps(fac.run.result().to_dict()))
            scenario = fac.loaded.scenario
        else:
            from simulator.loader import bundled_names, load_bundled

            result = data
            if result["scenario"] in bundled_names():
                scenario = load_bundled(result["scenario"]).scenario
            # a result from a file: no planned techniques (the file is not named by the user, so it is not opened)
        timelines, n = [result["timeline"]], 1
        title = f"{result['scenario']} {result['automation']} vs {result['posture']}, seed {result['seed']}"
    else:
        loaded = _load(source, automation, posture)
        from simulator.build import compile_scenario
        from simulator.engine import EventBudgetError, run

        compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
        try:
            timelines = [run(compiled, seed, r).timeline for r in range(runs)]
        except EventBudgetError as e:
            typer.echo(f"{loaded.document.file}:0: {e}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        n = runs
        scenario = loaded.scenario
        title = f"{scenario.name} {loaded.attacker.preset} vs {loaded.posture.preset}, {runs} runs, seed {seed}"
    used = nav.counts(timelines)
    layer = nav.layer(title, "ai-tabletop: score = share of the technique's uses that raised an alert.", used,
                      planned(scenario) if scenario is not None else [], n)
    tmp = Path(out).with_name(f".{Path(out).name}.tmp")
    try:
        tmp.write_text(json.dumps(layer, indent=2) + "\n", encoding="utf-8")
        tmp.replace(out)
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    finally:
        import contextlib

        with contextlib.suppress(OSError):
            tmp.unlink()
    typer.echo(f"wrote {out}: {len(used)} techniques used, "
               f"{len(layer['techniques']) - len(used)} planned but never reached")


@app.command()
def generate(
    hosts: Annotated[int, typer.Option(min=10, max=100_000, help="Hosts in the organisation.")],
    out: Annotated[str, typer.Option(help="The scenario file to write.")],
    zones: Annotated[int, typer.Option(min=3, max=200, help="Zones (dmz, inner zones, admin).")] = 4,
    seed: Annotated[int, typer.Option(min=0, help="Seed: the same seed gives the same file.")] = 0,
) -> None:
    """Write a synthetic organisation of N hosts in K zones, valid against the schema."""
    from pathlib import Path

    from simulator.generate import generate as make
    from simulator.generate import to_yaml
    from simulator.loader import ScenarioError, load

    text = to_yaml(make(hosts, zones, seed), hosts, zones, seed)
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    try:
        loaded = load(out)
    except ScenarioError as e:  # our bug, not the user's
        typer.echo("the generated scenario does not validate (please report this):", err=True)
        _fail(e.problems)
    n = sum(h.count for h in loaded.scenario.hosts)
    typer.echo(f"wrote {out}: {n} hosts in {len(loaded.scenario.zones)} zones, {len(loaded.scenario.accounts)} "
               f"accounts")


@app.command()
def schema(
    kind: Annotated[str, typer.Option(help="scenario or sweep.")] = "scenario",
    out: Annotated[str | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of scenario (or sweep) files, for editors' YAML completion and checks."""
    import json

    from simulator.schema import scenario_schema, sweep_schema

    if kind not in ("scenario", "sweep"):
        typer.echo(f"<command line>:0: --kind: '{kind}' is not scenario or sweep", err=True)
        raise typer.Exit(EXIT_INPUT)
    text = json.dumps(scenario_schema() if kind == "scenario" else sweep_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(f"wrote {out}")


@app.command()
def tui(
    scenario: Annotated[str | None, typer.Argument(help="A bundled scenario name or a scenario file.")] = None,
    session: Annotated[str | None, typer.Option(help="Reopen a saved facilitator session.")] = None,
    runs: Annotated[int, typer.Option(min=1, max=100_000, help="Replicates per cell on the compare screens (and seeds "
                                                              "for the Tabletop's 'what if').")] = 200,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help=WORKERS_HELP)] = None,
    seed: Annotated[int, typer.Option(min=0, max=2**31, help="Seed of the Tabletop exercise (and Run detail).")] = 0,
    automation: Annotated[str | None, typer.Option(help="Attacker level of the Tabletop exercise (an automation "
                                                        "preset, reading variants included; default: the "
                                                        "scenario's).")] = None,
    posture: Annotated[str | None, typer.Option(help="Defender posture of the Tabletop exercise (default: the "
                                                     "scenario's).")] = None,
    tabletop: Annotated[bool, typer.Option("--tabletop", help="Open on the Tabletop screen.")] = False,
    live: Annotated[str | None, typer.Option(help="Write the player view's state to this file as the exercise "
                                                  "goes (for `tabletop serve LIVE` in another terminal).")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="Also serve the player view to browsers (read-only) while "
                                                        "the TUI runs; implies --live.")] = False,
    host: Annotated[str, typer.Option(help="Address --serve listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port --serve listens on.")] = 8000,
) -> None:
    """Open the terminal UI: setup, compare, fundamentals, parameters (sensitivity), run detail, facilitator mode."""
    from simulator.loader import preset_names

    if scenario is not None:
        _load(scenario)  # a bad scenario fails here, with its lines, before the screen is taken over
    for kind, name in (("automation", automation), ("posture", posture)):
        if name is not None and name not in preset_names(kind):
            typer.echo(f"--{kind}: unknown preset '{name}' (one of {', '.join(preset_names(kind))})", err=True)
            raise typer.Exit(EXIT_INPUT)
    if session is not None:
        from simulator.facilitator import SessionError, load_session
        from simulator.inputs import ScenarioError, check_session, clean

        try:
            check_session(session)  # a regular file within 64 MiB, every field of the right type
        except ScenarioError as e:
            _fail(e.problems)
        try:
            load_session(session)
        except SessionError as e:
            typer.echo(clean(str(e)), err=True)
            raise typer.Exit(EXIT_INPUT) from None
    if serve and live is None:
        live = "tabletop-live.json"
    server = None
    if serve:
        import subprocess
        import sys

        server = subprocess.Popen([sys.executable, "-m", "tui.serve", live, "--host", host, "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from tui import create_app

    try:
        create_app(scenario, session=session, workers=workers, runs=runs, seed=seed, automation=automation,
                   posture=posture, tabletop=tabletop, live=live,
                   served=f"http://{host}:{port}" if serve else None).run()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


@app.command("serve")
def serve_cmd(
    live: Annotated[str, typer.Argument(help="The live file a Tabletop exercise writes (tabletop tui --live FILE).")],
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the read-only player view of a running exercise to browsers (the room's projector)."""
    from tui.serve import serve

    typer.echo(f"player view of {live} at http://{host}:{port} (Ctrl+C stops)", err=True)
    try:
        serve(live, host=host, port=port)
    except OSError as e:
        typer.echo(f"cannot serve on {host}:{port}: {e.strerror or e}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except KeyboardInterrupt:
        pass


def main() -> None:
    """Entry point of the ``tabletop`` script."""
    from simulator.errors import EventBudgetError

    try:
        app()
    except EventBudgetError as e:  # a run that would not end, from a command that does not catch it itself
        typer.echo(str(e), err=True)
        sys.exit(EXIT_INPUT)


if __name__ == "__main__":  # pragma: no cover
    main()
