"""The loss model: FAIR-style ranges per unit of what a run cost, drawn per run on common random numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.loader import ScenarioError, load_document, parse_yaml
from simulator.loss import estimate, money, run_loss, text, triangular
from simulator.sweep import collect, spec_for

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
LOSS = {"currency": "EUR", "per_record": {"low": 1, "likely": 5, "high": 20},
        "per_downtime_hour": {"low": 50, "likely": 100, "high": 400},
        "per_isolation": {"low": 500, "likely": 2000, "high": 8000}}


def _loaded(loss):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["loss"] = loss
    return load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "loss.yaml"))


def test_triangular_covers_its_range_with_its_mode():
    xs = [triangular(u / 1000, 10, 20, 70) for u in range(1000)]
    assert min(xs) >= 10 and max(xs) <= 70 and abs(sorted(xs)[500] - 31.0) < 1.5  # median of T(10, 20, 70)
    assert triangular(0.5, 5, 5, 5) == 5


def test_a_run_s_loss_follows_what_it_cost_and_the_same_replicate_draws_the_same_prices():
    loaded = _loaded(LOSS)
    model = loaded.scenario.loss
    row = {"seed": 3, "replicate": 1, "records_exfiltrated": 1000, "isolated_host_hours": 10, "hosts_isolated": 1}
    a = run_loss(row, model)
    assert 1000 * 1 + 10 * 50 + 500 <= a <= 1000 * 20 + 10 * 400 + 8000
    assert run_loss(dict(row), model) == a  # a pure function of the row
    assert run_loss({**row, "records_exfiltrated": 2000}, model) > a
    assert run_loss({**row, "replicate": 2}, model) != a  # another replicate draws other prices
    assert run_loss({**row, "records_exfiltrated": 0, "isolated_host_hours": 0, "hosts_isolated": 0}, model) == 0


def test_cells_compare_on_the_same_prices():
    loaded = _loaded(LOSS)
    cells = [(("automation", "manual"), ("posture", p)) for p in ("weak", "hardened")]
    by = collect(spec_for(loaded, cells, 60, 0))
    weak, hard = (estimate(by[i], loaded.scenario.loss) for i in (0, 1))
    assert weak.n == hard.n == 60 and weak.low <= weak.mean <= weak.high
    assert hard.mean < weak.mean  # hardened loses fewer records
    assert text(weak).startswith(money(weak.mean, "EUR")) and ", P90 " in text(weak)


def test_a_range_out_of_order_names_its_line():
    with pytest.raises(ScenarioError, match=r"loss\.per_record: .*low <= likely <= high"):
        _loaded({"per_record": {"low": 9, "likely": 5, "high": 20}})


def test_compare_shows_the_loss_column_and_json_carries_it():
    import json

    from typer.testing import CliRunner

    from simulator.cli import app

    args = ["compare", "examples/scenarios/tiny-loss.yaml", "--runs", "20", "--workers", "1",
            "--automation", "manual", "--posture", "weak,hardened"]
    r = CliRunner().invoke(app, [*args, "--columns", "120"])
    assert r.exit_code == 0, r.output
    assert "loss (EUR," in r.stdout and " P90 " in r.stdout
    r = CliRunner().invoke(app, [*args, "--format", "json"])
    cells = json.loads(r.stdout)["cells"]
    assert {c["loss"]["currency"] for c in cells} == {"EUR"}
    assert cells[1]["loss"]["mean"] < cells[0]["loss"]["mean"]  # hardened: nothing taken
    r = CliRunner().invoke(app, ["compare", "tests/data/tiny.yaml", "--runs", "5", "--workers", "1",
                                 "--automation", "manual", "--posture", "weak", "--columns", "160"])
    assert "loss (" not in r.stdout  # no loss model: no column


def test_a_report_on_a_comparison_with_a_loss_model_shows_the_loss(tmp_path):
    """A comparison saved with a loss model makes a report with the loss column (it once stopped on a traceback)."""
    from typer.testing import CliRunner

    from simulator.cli import app

    saved = tmp_path / "c.json"
    r = CliRunner().invoke(app, ["compare", "examples/scenarios/tiny-loss.yaml", "--runs", "10", "--workers", "1",
                                 "--automation", "manual", "--posture", "weak,hardened", "--format", "json"])
    assert r.exit_code == 0, r.output
    saved.write_text(r.stdout, encoding="utf-8")
    out = tmp_path / "aar.md"
    r = CliRunner().invoke(app, ["report", str(saved), "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "loss (EUR, mean, P90)" in text and "loss: the scenario's loss model" in text
    assert " P90 " in text.split("loss (EUR, mean, P90)", 1)[1].split("\n")[2]  # the first cell's row has its loss


def test_summarize_prices_a_sweep_with_a_scenario_s_loss_model(tmp_path):
    """summarize --loss gives each group the loss compare gives the same cell (common prices per seed)."""
    import json

    from typer.testing import CliRunner

    from simulator.cli import app

    sweep = tmp_path / "s.yaml"
    sweep.write_text("scenario: examples/scenarios/tiny-loss.yaml\nreplicates: 10\nseed: 0\n"
                     "grid:\n  automation: [manual]\n  posture: [weak, hardened]\n", encoding="utf-8")
    out = tmp_path / "s.jsonl"
    r = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(out), "--workers", "1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["summarize", str(out), "--loss", "examples/scenarios/tiny-loss.yaml",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    summed = [c["loss"]["mean"] for c in json.loads(r.stdout)["cells"]]
    r = CliRunner().invoke(app, ["compare", "examples/scenarios/tiny-loss.yaml", "--runs", "10", "--workers", "1",
                                 "--automation", "manual", "--posture", "weak,hardened", "--format", "json"])
    assert summed == [c["loss"]["mean"] for c in json.loads(r.stdout)["cells"]] and summed[0] > 0
    r = CliRunner().invoke(app, ["summarize", str(out), "--loss", "tests/data/tiny.yaml"])
    assert r.exit_code == 2 and "has no loss model" in r.output
