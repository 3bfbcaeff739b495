"""JSON Schema of scenario and sweep files, for editors (completion and checks as you type)."""

from __future__ import annotations

from typing import Any

from defenses.base import field_docs
from defenses.posture import Posture
from simulator.attacker import AttackerProfile
from simulator.loader import preset_names
from simulator.scenario import Scenario
from simulator.sweep import SweepFile


def _partial(model, prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``model``'s schema with every field optional (an override may set any subset), its $defs renamed."""
    field_docs()
    schema = model.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: walk(v) for k, v in node.items() if k != "required"}
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = f"#/$defs/{prefix}{ref.rsplit('/', 1)[-1]}"
            return node
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    return walk(schema), {f"{prefix}{k}": walk(v) for k, v in defs.items()}


def scenario_schema() -> dict[str, Any]:
    """The scenario file schema, with preset names enumerated and overrides typed field by field."""
    field_docs()
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ai-tabletop scenario"
    defs = schema.setdefault("$defs", {})
    for key, model, kind, prefix in (("attacker", AttackerProfile, "automation", "Attacker"),
                                     ("posture", Posture, "posture", "Posture")):
        body, extra = _partial(model, prefix)
        defs.update(extra)
        defs[f"{prefix}Overrides"] = body
        ref = {
            "type": "object",
            "additionalProperties": False,
            "description": f"A {kind} preset and overrides of any of its fields.",
            "properties": {
                "preset": {"enum": preset_names(kind), "description": f"The {kind} preset."},
                "overrides": {"$ref": f"#/$defs/{prefix}Overrides"},
            },
            "required": ["preset"],
        }
        schema["properties"][key] = ref
    schema["$defs"].pop("PresetRef", None)
    return schema


def sweep_schema() -> dict[str, Any]:
    """The sweep file schema."""
    field_docs()
    schema = SweepFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ai-tabletop sweep"
    return schema

