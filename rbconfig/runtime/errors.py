"""Errors raised while turning a spec into a running app."""

from __future__ import annotations

from ..converters.base import Document
from ..errors import Loc, SpecError

__all__ = ['StartupError']


class StartupError(SpecError):
    """The spec is valid but cannot run: a missing module, attribute, file or folder.

    It is a :class:`~rbconfig.errors.SpecError`, so the command line prints it
    the same way, with the spec's ``file:line:col``.
    """

    @classmethod
    def at(cls, document: Document, loc: Loc, message: str) -> StartupError:
        """A start-up error at ``loc`` in ``document``."""
        return cls([document.problem(loc, message)])
