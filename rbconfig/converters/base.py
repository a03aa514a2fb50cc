"""What every spec format provides, and the one loading path they share.

A format only turns text into plain data (with the position of every key) and
a :class:`~rbconfig.schema.Spec` back into text. Validation into the model,
and turning problems into file:line:col errors, happens once, here.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import Issue, Loc, Problem, SpecError, format_loc
from ..schema import Spec, SpecInvalid, parse_spec
from ._text import paused_gc

__all__ = ['Comments', 'Document', 'Positions', 'Source', 'SpecFormat', 'build_document']

#: Where each place of a spec was written: loc → (line, column), both 1-based.
Positions = dict[Loc, tuple[int, int]]

#: Own-line comments written just before the element at loc (text without '#').
Comments = dict[Loc, list[str]]


@dataclass
class Source:
    """What a format reads from text, before validation."""

    data: Any
    positions: Positions = field(default_factory=dict)
    comments: Comments = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)


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
        return _position(self.positions, loc)

    def problem(self, loc: Loc, message: str, severity: str = 'error') -> Problem:
        """A :class:`Problem` at ``loc`` in this document."""
        return _problem(self.file, self.positions, Issue(loc, message), severity)


def _position(positions: Positions, loc: Loc) -> tuple[int | None, int | None]:
    for end in range(len(loc), -1, -1):
        found = positions.get(loc[:end])
        if found is not None:
            return found
    return None, None


class SpecFormat(ABC):
    """One file format: text → :class:`Source`, :class:`Spec` → text."""

    #: Short name used on the command line (``--to yaml``).
    name: ClassVar[str]
    #: File name endings, the first one preferred when writing.
    extensions: ClassVar[tuple[str, ...]]

    @abstractmethod
    def read(self, text: str, file: str) -> Source:
        """Parse ``text`` into plain data in the canonical shape.

        Raises:
            SpecError: for text that is not valid in this format.
        """

    @abstractmethod
    def write(self, spec: Spec, comments: Comments | None = None) -> str:
        """Render ``spec`` as text a person would write by hand."""

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r})'


def build_document(fmt: SpecFormat, text: str, file: str | os.PathLike[str]) -> Document:
    """Read ``text`` with ``fmt`` and validate it into a :class:`Document`.

    Raises:
        SpecError: listing every problem, each with its file:line:col.
    """
    file = os.fspath(file)
    with paused_gc():
        source = fmt.read(text, file)
        warnings = [_problem(file, source.positions, issue, 'warning') for issue in source.warnings]
        try:
            spec = parse_spec(source.data)
        except SpecInvalid as ex:
            problems = [_problem(file, source.positions, issue) for issue in ex.issues]
            raise SpecError(warnings + problems) from ex
    return Document(spec, file, fmt.name, source.positions, source.comments, warnings)


def _problem(file: str, positions: Positions, issue: Issue, severity: str = 'error') -> Problem:
    """``issue`` as a :class:`Problem` in ``file`` at the line and column of its place.

    A place with no position of its own gets that of its nearest written ancestor.
    """
    line, column = _position(positions, issue.loc)
    return Problem(file, line, column, format_loc(issue.loc), issue.message, severity)  # type: ignore[arg-type]
