"""ATT&CK Navigator layers (layer format 4.5, enterprise-attack) from runs.

One entry per technique the attacker used: score = share of its uses that raised an alert (0-100, on a red to green
gradient), a comment with the counts. Techniques the scenario made possible but the attacker never reached (a control
stopped it earlier, or it was never needed) get a distinct colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from simulator.techniques import data, name

LAYER_VERSION = "4.5"
NAVIGATOR_VERSION = "5.2.0"
NOT_REACHED = "#9e9e9e"
GRADIENT = ["#ff6666", "#ffe766", "#8ec843"]


def counts(timelines: Iterable[Sequence[Any]]) -> dict[str, dict[str, int]]:
    """Per technique: uses, successes and detected uses, over one or more timelines (events or dicts)."""
    out: dict[str, dict[str, int]] = {}
    for timeline in timelines:
        for e in timeline:
            get = e.get if isinstance(e, dict) else (lambda k, e=e: getattr(e, k))
            tech = get("technique")
            if not tech:
                continue
            c = out.setdefault(tech, {"used": 0, "succeeded": 0, "detected": 0})
            c["used"] += 1
            c["succeeded"] += bool(get("success"))
            c["detected"] += bool(get("detected"))
    return out


def layer(title: str, description: str, used: dict[str, dict[str, int]], planned: Sequence[str], runs: int
          ) -> dict[str, Any]:
    """The layer as plain data."""
    techniques = []
    enterprise = set(data()["techniques"])
    for tech in sorted(used):
        if tech not in enterprise:
            continue  # an ATT&CK for ICS technique (T0831): another domain, not in an enterprise layer
        c = used[tech]
        share = 100.0 * c["detected"] / c["used"] if c["used"] else 0.0
        techniques.append({
            "techniqueID": tech,
            "score": round(share, 1),
            "comment": f"{name(tech)}: used {c['used']} times over {runs} run(s), {c['succeeded']} succeeded, "
                       f"{c['detected']} detected ({share:.0f}%)",
            "enabled": True,
        })
    for tech in planned:
        if tech not in used:
            techniques.append({"techniqueID": tech, "color": NOT_REACHED, "enabled": True,
                               "comment": f"{name(tech)}: planned but never reached in {runs} run(s)"})
    return {
        "name": title[:200],
        "versions": {"attack": data()["attack_version"], "navigator": NAVIGATOR_VERSION, "layer": LAYER_VERSION},
        "domain": "enterprise-attack",
        "description": description,
        "sorting": 3,
        "layout": {"layout": "side", "showID": True, "showName": True},
        "hideDisabled": False,
        "techniques": techniques,
        "gradient": {"colors": GRADIENT, "minValue": 0, "maxValue": 100},
        "legendItems": [
            {"label": "score: % of uses detected (0 red .. 100 green)", "color": GRADIENT[1]},
            {"label": "planned, never reached", "color": NOT_REACHED},
        ],
        "metadata": [{"name": "generator", "value": "ai-tabletop"}],
    }
