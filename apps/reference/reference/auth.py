"""Header validators: ``validator(globs, request, value)``; False or an exception refuses."""

from __future__ import annotations

from typing import Any


def check(globs: dict[str, Any], request: Any, value: str | None) -> bool:
    """Authorization must be a Bearer token (any, in this example)."""
    return value is not None and value.startswith('Bearer ') and len(value) > len('Bearer ')
