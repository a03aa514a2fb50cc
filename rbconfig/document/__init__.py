"""A loaded spec: the model, where each part of it was written, and what is wrong.

This is the neutral meeting point of the package: the front-ends
(:mod:`rbconfig.converters`) make a :class:`Document`, the runtime and the
exporters read one. Nothing here knows a file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Issue, Loc, Problem, Severity, format_loc
from ..schema import Spec

__all__ = ['Comments', 'Document', 'Positions', 'Source', 'position_of', 'problem_at']

#: Where each place of a spec was written: loc → (line, column), both 1-based.
Positions = dict[Loc, tuple[int, int]]

#: Own-line comments written just before the element at loc (text without '#'); those
#: after the last element are at ``('#end',)`` (``converters.END_OF_FILE``).
Comments = dict[Loc, list[str]]


@dataclass
class Source:
    """What a front-end reads from text, before the model is validated.

    Attributes:
        data: Plain data in the canonical shape (None for an empty file).
        positions: Where each key and item was written.
        comments: Own-line comments, by the place they precede.
        warnings: Things worth saying that do not stop loading.
        problems: Errors the reader found without giving up; the model's own
            issues with ``data`` are reported beside them, all at once.
    """

    data: Any
    positions: Positions = field(default_factory=dict)
    comments: Comments = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Document:
    """A loaded spec together with where it came from."""

    spec: Spec
    file: str
    format: str
    positions: Positions = field(default_factory=dict)
    comments: Comments = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The folder of the spec file: relative locations start here."""
        return Path(self.file).resolve().parent

    def position(self, loc: Loc) -> tuple[int | None, int | None]:
        """The line and column of ``loc``, or of its nearest written ancestor."""
        return position_of(self.positions, loc)

    def problem(self, loc: Loc, message: str, severity: Severity = 'error') -> Problem:
        """A :class:`~rbconfig.errors.Problem` at ``loc`` in this document."""
        return problem_at(self.file, self.positions, Issue(loc, message), severity)


def position_of(positions: Positions, loc: Loc) -> tuple[int | None, int | None]:
    """The line and column of ``loc``, or of its nearest written ancestor."""
    for end in range(len(loc), -1, -1):
        found = positions.get(loc[:end])
        if found is not None:
            return found
    return None, None


def problem_at(
    file: str, positions: Positions, issue: Issue, severity: Severity = 'error'
) -> Problem:
    """``issue`` as a :class:`~rbconfig.errors.Problem` in ``file``, at its place's position.

    A place with no position of its own gets that of its nearest written ancestor.
    """
    line, column = position_of(positions, issue.loc)
    return Problem(file, line, column, format_loc(issue.loc), issue.message, severity)
