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
from ..document.collector import paused_gc
from ..errors import Problem, SpecError
from ..schema import Spec, SpecInvalid, parse_spec

__all__ = ['EMPTY', 'SpecFormat', 'build_document']

#: The problem of a file that holds no spec, in every format (RBR too, unlike RedBarrel).
EMPTY = 'the spec is empty: the file holds nothing but white space and comments'
_BOM = '\ufeff'


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
        they are reported together with the model's. Text that holds nothing
        (white space and comments) gives ``None`` as ``Source.data``.

        Raises:
            SpecError: for text that cannot be read any further in this format.
        """

    def write(self, spec: Spec, comments: Comments | None = None) -> str:
        """Render ``spec`` as text a person would write by hand.

        The cycle collector is paused meanwhile, as for reading: a writer makes
        many small objects that live to the end, and each collector pass would
        walk them all again (writing 10,000 paths slowed down per path).
        """
        with paused_gc():
            return self.render(spec, comments or {})

    @abstractmethod
    def render(self, spec: Spec, comments: Comments) -> str:
        """Render ``spec`` with ``comments`` before the elements they belong to."""

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r})'


def build_document(fmt: SpecFormat, text: str, file: str | os.PathLike[str]) -> Document:
    """Read ``text`` with ``fmt`` and validate it into a :class:`~rbconfig.document.Document`.

    A leading byte order mark is dropped. A file with nothing in it (a reader
    gives ``None`` as its data) is an error, :data:`EMPTY`, in every format.

    Raises:
        SpecError: listing every problem (the reader's and the model's), each
            with its file:line:col, in the order they appear in the file.
    """
    file = os.fspath(file)
    if text.startswith(_BOM):  # editors do not show it; YAML allows it, so every format does
        text = text[1:]
    with paused_gc():
        source = fmt.read(text, file)
        if source.data is None and not source.problems:
            raise SpecError([Problem(file, 1, 1, '', EMPTY)])
        warnings = [
            problem_at(file, source.positions, issue, 'warning') for issue in source.warnings
        ]
        try:
            spec = parse_spec(source.data)
        except SpecInvalid as ex:
            problems = [problem_at(file, source.positions, issue) for issue in ex.issues]
            raise SpecError(warnings + sorted(source.problems + problems, key=_place)) from ex
        if source.problems:
            raise SpecError(warnings + sorted(source.problems, key=_place))
    return Document(spec, file, fmt.name, source.positions, source.comments, warnings)


def _place(problem: Problem) -> tuple[int, int]:
    return problem.line or 0, problem.column or 0
