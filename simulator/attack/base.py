"""What the attacker's modules share: task priorities and the exfiltration transfer size."""

from __future__ import annotations

# Task priorities: lower runs first. Take out what was found, learn what a foothold gives (credentials, reach), prefer
# logging on with credentials (fast, quiet) to exploiting, and targets holding data to the rest.
P_EXFIL, P_COLLECT, P_HARVEST, P_DISCOVER, P_CRED, P_ESCALATE, P_EXPLOIT = 0, 1, 2, 3, 4, 7, 8
"""A move's priority is P_CRED or P_EXPLOIT plus 0 (the objective's host), 1 (a host with data) or 2 (any other)."""

RELOGON_MINUTES = 12 * 60.0
"""After a password reset, when the user's next logon (with the new password) is assumed to have happened on the
hosts where the account is cached: within half a day (assumption: the user's next working session). A dump there
before then finds only the old password; after it, the new one."""

EXFIL_CHUNK_MINUTES = 15.0
"""Exfiltration moves data in transfers of at most this many minutes (each one action the sensors and DLP see, with
the footprint of that share of an hour), so a transfer can be caught, and blocked, while it runs."""


def count(n: int, noun: str) -> str:
    """'1 host', '3 hosts'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
