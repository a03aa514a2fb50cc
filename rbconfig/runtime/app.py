"""Build the Falcon WSGI app of a spec (skeleton: routes every path)."""

from __future__ import annotations

from typing import Any

import falcon

from ..converters.base import Document
from .globs import build_globals

__all__ = ['build_app']


def build_app(
    document: Document,
    *,
    globs: dict[str, Any] | None = None,
    debug: bool = False,
    mock: bool = False,
) -> falcon.App:
    """The WSGI app serving ``document``'s paths.

    Raises:
        StartupError: a location cannot be resolved.
    """
    if globs is None:
        globs = build_globals(document)
    app = falcon.App()
    return app
