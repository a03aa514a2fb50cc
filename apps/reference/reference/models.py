"""Body models: Pydantic types named by ``schema: python:...``."""

from __future__ import annotations

from pydantic import RootModel


class Word(RootModel[str]):
    """A single word, as a JSON string."""
