"""Segmentation: which (source zone, destination zone, service) flows exist.

Reachability is computed from this once per scenario build (simulator.build), never per action.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from defenses.base import ControlConfig


class FlatSegmentation(ControlConfig):
    """A flat network: every internal zone reaches every other on every service."""

    mode: Literal["flat"] = "flat"
    """Discriminator."""

    def allows_flow(self, src_zone: str, dst_zone: str, service: str, listed: bool) -> bool:
        return True


class ZoneSegmentation(ControlConfig):
    """Zones enforced: only the flows the scenario lists exist; remote-admin services may be kept to admin zones."""

    mode: Literal["zones"] = "zones"
    """Discriminator."""
    restrict_admin_services: bool = False
    """Remote-administration services cross a zone boundary only from an admin zone (a tiered admin model)."""
    admin_services: tuple[str, ...] = ("ssh", "rdp", "smb", "winrm")
    """Services counted as remote administration."""
    admin_zones: tuple[str, ...] = ("admin",)
    """Zones allowed to use remote-administration services across boundaries."""

    def allows_flow(self, src_zone: str, dst_zone: str, service: str, listed: bool) -> bool:
        if not listed:
            return False
        if self.restrict_admin_services and service in self.admin_services and src_zone not in self.admin_zones:
            return False
        return True


Segmentation = Annotated[FlatSegmentation | ZoneSegmentation, Field(discriminator="mode")]
