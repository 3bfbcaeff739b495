"""Segmentation: which (source zone, destination zone, service) flows exist.

Reachability is computed from this once per scenario build (simulator.build), never per action. Which zones form the
administration tier is a fact of the scenario (a zone's ``admin_tier``), not of the posture: the build binds it with
``for_admin_zones`` before asking for flows, so presets stay valid for any network.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr

from defenses.base import ControlConfig

DEFAULT_ADMIN_ZONES = frozenset({"admin"})
"""The admin tier of a config not yet bound to a scenario (the legacy rule: the zone called ``admin``)."""


class FlatSegmentation(ControlConfig):
    """A flat network: every internal zone reaches every other on every service."""

    mode: Literal["flat"] = "flat"
    """Discriminator."""

    def allows_flow(self, src_zone: str, dst_zone: str, service: str, listed: bool) -> bool:
        return True


class ZoneSegmentation(ControlConfig):
    """Zones enforced: only the flows the scenario lists exist; remote-admin services may be kept to the admin tier."""

    mode: Literal["zones"] = "zones"
    """Discriminator."""
    restrict_admin_services: bool = False
    """Remote-administration services cross a zone boundary only from an admin-tier zone (a zone with
    ``admin_tier: true`` in the scenario): a tiered admin model."""
    admin_services: tuple[str, ...] = ("ssh", "rdp", "smb", "winrm")
    """Services counted as remote administration."""

    _admin_zones: frozenset[str] = PrivateAttr(default=DEFAULT_ADMIN_ZONES)

    def for_admin_zones(self, zones: frozenset[str]) -> ZoneSegmentation:
        """This policy for a network whose administration tier is ``zones``."""
        bound = self.model_copy()
        bound._admin_zones = frozenset(zones)
        return bound

    def allows_flow(self, src_zone: str, dst_zone: str, service: str, listed: bool) -> bool:
        if not listed:
            return False
        if self.restrict_admin_services and service in self.admin_services and src_zone not in self._admin_zones:
            return False
        return True


Segmentation = Annotated[FlatSegmentation | ZoneSegmentation, Field(discriminator="mode")]
