"""The attacker, one module per kind of action, the way ``defenses/`` holds one module per control.

``Attacker`` is composed of mixins, each a file: ``campaign`` (plan, get in and back in, the workers and their task
queue), ``initial_access`` (the ways in from outside, each a module of ``vectors``), ``discovery`` (reach, routes,
planning), ``movement`` (logons, exploits, holding and losing hosts), ``privilege`` (local escalation),
``collection`` (credentials and data), ``exfiltration`` (taking the data out), ``impact`` (ransomware),
``persistence`` (backdoor accounts) and
``actions`` (how one action is carried out: effort, operators, gates, verification). The run
(``simulator.engine.Run``) holds the state, the environment, the random streams and the context the controls see;
the attacker's methods run on it. A worker's task ``("name", *args)`` runs the method ``_name``: a new kind of
action is a module with its mixin, added to ``Attacker`` below, and a test.
"""

from __future__ import annotations

from simulator.attack.actions import Acting
from simulator.attack.campaign import Campaign
from simulator.attack.collection import Collection
from simulator.attack.discovery import Discovery
from simulator.attack.exfiltration import Exfiltration
from simulator.attack.impact import Impact
from simulator.attack.initial_access import InitialAccess
from simulator.attack.movement import Movement
from simulator.attack.persistence import Persistence
from simulator.attack.privilege import Privilege


class Attacker(Campaign, InitialAccess, Discovery, Movement, Privilege, Collection, Exfiltration, Impact, Persistence,
               Acting):
    """Every kind of attacker action (the run that inherits this holds the state)."""


__all__ = ["Attacker"]
