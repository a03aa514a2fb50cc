"""What every spec format provides, and the one loading path they share.

A format only turns text into plain data (with the position of every key) and
a :class:`~rbconfig.schema.Spec` back into text. Validation into the model,
and turning its issues into file:line:col problems, happens once, here.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import ClassVar

from ..document import Comments, Document, Source, problem_at
from ..errors import Problem, SpecError
from ..schema import Spec, SpecInvalid, parse_spec
from ._text import paused_gc

__all__ = ['SpecFormat', 'build_document']


class SpecFormat(ABC):
    """One file format: text → :class:`~rbconfig.document.Source`, :class:`Spec` → text."""

    #: Short name used on the command line (``--to yaml``).
    name: ClassVar[str]
    #: File name endings, the first one preferred when writing.
    extensions: ClassVar[tuple[str, ...]]

    @abstractmethod
    def read(self, text: str, file: str) -> Source:
        """Parse ``text`` into plain data in the canonical shape.

        Problems the reader can go on after belong in ``Source.problems``, so
        they are reported together with the model's.

        Raises:
            SpecError: for text that cannot be read any further in this format.
        """

    @abstractmethod
    def write(self, spec: Spec, comments: Comments | None = None) -> str:
        """Render ``spec`` as text a person would write by hand."""

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r})'


def build_document(fmt: SpecFormat, text: str, file: str | os.PathLike[str]) -> Document:
    """Read ``text`` with ``fmt`` and validate it into a :class:`~rbconfig.document.Document`.

    Raises:
        SpecError: listing every problem (the reader's and the model's), each
            with its file:line:col, in the order they appear in the file.
    """
    file = os.fspath(file)
    with paused_gc():
        source = fmt.read(text, file)
        warnings = [
            problem_at(file, source.positions, issue, 'warning') for issue in source.warnings
        ]
        try:
            spec = parse_spec(source.data)
        except SpecInvalid as ex:
            problems = [problem_at(file, source.positions, issue) for issue in ex.issues]
            if source.problems:
                problems = sorted(source.problems + problems, key=_place)
            raise SpecError(warnings + problems) from ex
        if source.problems:
            raise SpecError(warnings + source.problems)
    return Document(spec, file, fmt.name, source.positions, source.comments, warnings)


def _place(problem: Problem) -> tuple[int, int]:
    return problem.line or 0, problem.column or 0
