"""The terminal UI (Textual). ``create_app`` is the one factory used by the CLI and the tests."""

from __future__ import annotations


def create_app(*args, **kwargs):
    """Build the app (imported lazily so ``tabletop --help`` does not load Textual)."""
    from tui.app import create_app as _create

    return _create(*args, **kwargs)
