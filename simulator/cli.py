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
    for name in bundled_names():
        s = load(name).scenario
        hosts = sum(h.count for h in s.hosts)
        typer.echo(f"  {name:<20} {s.title} ({hosts} hosts)")
    for kind, title in (("automation", "Automation levels"), ("posture", "Posture presets")):
        typer.echo(f"{title}:")
        for name, desc in preset_descriptions(kind).items():
            typer.echo(f"  {name:<20} {desc}")


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files (or bundled names).")]) -> None:
    """Check scenario files; print every error as FILE:LINE: field: message. Exit 2 if any file is bad."""
    from simulator.build import compile_scenario, objective_reachable
    from simulator.loader import ScenarioError, load

    bad = False
    for f in files:
        try:
            loaded = load(f)
        except ScenarioError as e:
            bad = True
            for p in e.problems:
                typer.echo(str(p), err=True)
            continue
        s = loaded.scenario
        net = compile_scenario(s, loaded.attacker, loaded.posture).net
        note = "" if objective_reachable(net) else " (warning: the objective's zone is unreachable under this posture)"
        typer.echo(f"{loaded.document.file}: ok: {len(net.hosts)} hosts in {len(net.zones)} zones, "
                   f"{len(s.accounts)} accounts, {len(s.vulnerabilities)} vulnerabilities{note}")
    if bad:
        raise typer.Exit(EXIT_INPUT)


@app.command("run")
def run_(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a scenario file.")],
    automation: Annotated[str | None, typer.Option(help="Automation level (default: the scenario's).")] = None,
    posture: Annotated[str | None, typer.Option(help="Posture preset (default: the scenario's).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
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
    from simulator.engine import run

    result = run(compile_scenario(loaded.scenario, loaded.attacker, loaded.posture), seed)
    if json_:
        sys.stdout.write(result.to_json() + "\n")
        return
    from simulator.report_text import run_text

    typer.echo(run_text(result, events))


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a scenario file.")],
    automation: Annotated[str, typer.Option(help="Comma-separated automation levels.")] =
        "manual,ai-assisted,ai-orchestrated,autonomous",
    posture: Annotated[str, typer.Option(help="Comma-separated posture presets.")] = "weak,baseline,hardened",
    runs: Annotated[int, typer.Option(min=1, max=1_000_000, help="Replicates per cell.")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="Root seed (every cell replays the same seeds).")] = 0,
) -> None:
    """Run every cell (automation x posture) on the same seeds and print a table with 95% intervals."""
    levels = _split(automation, "automation")
    postures = _split(posture, "posture")
    loaded = _load(scenario)
    from simulator.report_text import compare_table
    from simulator.runner import cells, compile_cell, run_cell
    from simulator.stats import summarize

    summaries = []
    grid = cells(levels, postures)
    for cell in grid:
        typer.echo(f"running {cell.automation} vs {cell.posture} ({runs} runs)...", err=True)
        summaries.append(summarize(run_cell(compile_cell(loaded, cell), runs, seed)))
    typer.echo(compare_table(loaded.scenario.name, summaries, runs, seed))


def main() -> None:
    """Entry point of the ``tabletop`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
