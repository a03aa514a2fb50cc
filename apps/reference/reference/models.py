"""Body models: Pydantic types named by ``schema: python:...``."""

from __future__ import annotations

from pydantic import BaseModel, RootModel


class Word(RootModel[str]):
    """A single word, as a JSON string."""


class Said(BaseModel):
    """What the /chat namespace sends the others when someone says something."""

    who: str
    text: str
