"""A defender posture: one configuration per control. Presets live in scenarios/presets/posture.yaml."""

from __future__ import annotations

from pydantic import Field

from defenses.access_control import AccessControlConfig
from defenses.base import ControlConfig, Frozen
from defenses.egress import EgressConfig
from defenses.incident_response import IncidentResponseConfig
from defenses.monitoring import MonitoringConfig
from defenses.patching import PatchingConfig
from defenses.segmentation import Segmentation, ZoneSegmentation
from defenses.soc import SocConfig

CONTROL_NAMES = ("segmentation", "patching", "access_control", "monitoring", "soc", "incident_response", "egress")
"""Every control, in the order the engine calls their observers and reads their metrics."""

CHECK_ORDER = ("segmentation", "incident_response", "patching", "access_control", "monitoring", "soc", "egress")
"""The order the engine asks the controls whether they block an action: the first that says so names the reason,
which is what the attacker (and an alert) learns. Incident response's blocks come before patching's and access
control's because they come first in reality: an isolated host or blocked addresses reach nothing (so the attacker
learns nothing of the host's patches or the account's password), and a reset password is refused before logon rights
(tiering) or a second factor are checked, so a logon refused by tiering or MFA is one whose password was right
(``Alert.password_ok``)."""

assert set(CHECK_ORDER) == set(CONTROL_NAMES) and len(CHECK_ORDER) == len(CONTROL_NAMES)


class Posture(Frozen):
    """The defender's controls."""

    preset: str = Field("custom", max_length=64)
    """The preset this posture started from."""
    description: str = Field("", max_length=2000)
    """One line on what this posture is."""
    segmentation: Segmentation
    """Zone flow policy."""
    patching: PatchingConfig
    """Patch management."""
    access_control: AccessControlConfig
    """MFA, tiering, credential hygiene."""
    monitoring: MonitoringConfig
    """Sensors and detection."""
    soc: SocConfig
    """Alert triage."""
    incident_response: IncidentResponseConfig
    """Containment."""
    egress: EgressConfig
    """Outbound traffic control."""

    def controls(self) -> list[ControlConfig]:
        """Every control's configuration, in engine order."""
        return [getattr(self, name) for name in CONTROL_NAMES]

    def flow_policies(self, admin_zones: frozenset[str]) -> list[ControlConfig]:
        """Every control's configuration for a network whose administration tier is ``admin_zones`` (the scenario's
        zones with ``admin_tier``), for the static flow policy."""
        seg = self.segmentation
        if isinstance(seg, ZoneSegmentation):
            seg = seg.for_admin_zones(admin_zones)
        return [seg if name == "segmentation" else getattr(self, name) for name in CONTROL_NAMES]
