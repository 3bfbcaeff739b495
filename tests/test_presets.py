"""Presets: every value says where it comes from, every preset validates, and the tagged sources are declared."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from simulator.loader import preset_names, resolve_preset

SOURCE = re.compile(r"#.*(assumption|\[[A-Z]+\])")
"""A value's comment names a source tag (declared in the file's header) or says 'assumption'."""


@pytest.mark.parametrize("kind", ["automation", "posture"])
def test_every_value_has_a_source_or_says_assumption(kind):
    text = (resources.files("scenarios") / "presets" / f"{kind}.yaml").read_text(encoding="utf-8")
    missing = []
    for n, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0]
        if not body.strip() or body.rstrip().endswith(":") or body.strip().startswith("description:"):
            continue
        if not SOURCE.search(line):
            missing.append(f"{kind}.yaml:{n}: {line.strip()}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("kind", ["automation", "posture"])
def test_presets_validate_and_tags_are_declared(kind):
    text = (resources.files("scenarios") / "presets" / f"{kind}.yaml").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and not line.startswith("#")]
    for tag in set(re.findall(r"\[([A-Z]+)\]", "\n".join(comments))):
        assert re.search(rf"#\s+\[{tag}\]\s+\S", header), f"source [{tag}] is used but not described in the header"
    names = preset_names(kind)
    assert names
    for name in names:
        assert resolve_preset(kind, name).preset == name


def test_expected_presets():
    assert preset_names("automation")[:4] == ["manual", "ai-assisted", "ai-orchestrated", "autonomous"]
    assert set(preset_names("automation")[4:]) == {f"{level}-{reading}" for level in ("ai-orchestrated", "autonomous")
                                                   for reading in ("vendor", "skeptic")}
    assert preset_names("posture") == ["weak", "baseline", "hardened"]


def test_gtg_preset_says_it_is_contested():
    text = (resources.files("scenarios") / "presets" / "automation.yaml").read_text(encoding="utf-8")
    assert "CONTESTED" in text or "contested" in text
