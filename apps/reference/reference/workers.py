"""RedBarrel's ``worker`` and ``arbiter`` statements name code like this; rbconfig keeps them
in the spec (so nothing is lost in a conversion) but does not run them."""

from __future__ import annotations

from typing import Any


def mailer(globs: dict[str, Any]) -> None:
    """A background worker, in RedBarrel."""


def arbiter(globs: dict[str, Any]) -> None:
    """The process arbiter, in RedBarrel."""
