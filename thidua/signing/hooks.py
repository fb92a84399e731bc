"""Signing plugs into nothing yet: its pages are reached from the menu and the year's links."""

from __future__ import annotations


def register() -> None:
    """Nothing to hand the year: signing keeps no phase, to-do or report fact of its own."""
