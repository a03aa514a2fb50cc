"""What every spec format provides, and the one loading path they share.

A format only turns text into plain data (with the position of every key) and
a :class:`~rbconfig.schema.Spec` back into text. Validation into the model,
and turning its issues into file:line:col problems, happens once, here.
"""

from __future__ import annotations

import functools
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, get_args

from ..document import Comments, Document, Source, problem_at
from ..document.collector import paused_gc
from ..errors import Issue, Loc, Problem, SpecError, format_loc, spell_key
from ..schema import Spec, SpecInvalid, SpecModel, parse_spec
from ..schema.base import kind_of

__all__ = ['EMPTY', 'END_OF_FILE', 'SpecFormat', 'UnwritableSpec', 'build_document']

#: The problem of a file that holds no spec, in every format (RBR too, unlike RedBarrel).
EMPTY = 'the spec is empty: the file holds nothing but white space and comments'
_BOM = '\ufeff'

#: Where a document keeps the comments after the last element of its file (no element
#: follows them). No spec has a top-level key '#end' (those are fields or x- keys), so it
#: is no element's place; every writer puts these lines at the end of its text.
END_OF_FILE: Loc = ('#end',)


class SpecFormat(ABC):
    """One file format: text → :class:`~rbconfig.document.Source`, :class:`Spec` → text."""

    #: Short name used on the command line (``--to yaml``).
    name: ClassVar[str]
    #: File name endings, the first one preferred when writing.
    extensions: ClassVar[tuple[str, ...]]
    #: Why free-form data (x- values, examples, schemas) may only have text keys here,
    #: or None when the format keeps any key the model holds (YAML).
    text_keys_only: ClassVar[str | None] = None
    #: The types of free-form values this format cannot write, each with what such a
    #: value is and why (TOML has no null, RBR's JSON no dates); empty for YAML.
    refused_values: ClassVar[Mapping[type, str]] = {}

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

        Raises:
            UnwritableSpec: when the spec holds what this format cannot say.
        """
        if self.text_keys_only is not None or self.refused_values:
            # Checked here, once for every such format: TOML and RBR would both turn the
            # key 429 into '429' and yes into 'True' or 'true', a change of type; and a
            # value the format has no word for is named at its place, not in a traceback.
            issue = _unwritable(spec, self.text_keys_only, self.refused_values)
            if issue is not None:
                raise UnwritableSpec(issue)
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


class UnwritableSpec(ValueError):  # noqa: N818 - read as "an unwritable spec" in messages
    """A spec holds something the target format cannot say; ``issue`` says where and what."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f'{format_loc(issue.loc) or "the spec"}: {issue.message}')
        self.issue = issue


def _unwritable(spec: Spec, text_keys: str | None, refused: Mapping[type, str]) -> Issue | None:
    """The first key that is not text (when ``text_keys`` says why keys must be), or the
    first value of a ``refused`` type, in the spec's free-form data; or None."""
    found = _in_model(spec, _Walk(text_keys is not None, refused))
    if found is None:
        return None
    (kind, thing), trail = found
    loc = tuple(reversed(trail))
    if kind == 'key':
        return Issue(
            loc,
            f'the key {spell_key(thing)} is {kind_of(thing)}, not text: {text_keys}, so it '
            'would come back as text; quote it to make it text, or keep this spec in YAML',
        )
    return Issue(loc, f'the value {spell_key(thing)} is {refused[type(thing)]}')


class _Walk:
    """What one walk of the free-form data looks for."""

    __slots__ = ('refused', 'text_keys')

    def __init__(self, text_keys: bool, refused: Mapping[type, str]) -> None:
        self.text_keys = text_keys
        self.refused = refused


#: What was found (``('key', key)`` or ``('value', value)``) and the keys leading to its
#: place, innermost first (the place is built on the way back, once one is found: the walk
#: itself makes no tuples).
_Found = tuple[tuple[str, Any], list[str | int]]


def _in_model(model: SpecModel, walk: _Walk) -> _Found | None:
    fields = vars(model)
    for name, key, free in _fields(type(model)):
        value = fields.get(name)
        if value is None:
            continue
        found = _in_value(value, walk) if free else _in_models(value, walk)
        if found is not None:
            found[1].append(key)
            return found
    for key, value in (model.__pydantic_extra__ or {}).items():
        found = _in_value(value, walk)
        if found is not None:
            found[1].append(key)
            return found
    return None


def _in_models(value: Any, walk: _Walk) -> _Found | None:
    """Look into the models of a field (a model, or a list or mapping of them)."""
    if isinstance(value, SpecModel):
        return _in_model(value, walk)
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if not isinstance(item, SpecModel | dict | list):
            return None  # plain typed data (status codes, methods): the model says its keys
        found = _in_models(item, walk)
        if found is not None:
            found[1].append(key)
            return found
    return None


def _in_value(value: Any, walk: _Walk) -> _Found | None:
    """Look at one free-form value: itself, then what it holds."""
    if isinstance(value, dict | list):
        return _in_data(value, walk)
    if walk.refused and type(value) in walk.refused:
        return ('value', value), []
    return None


def _in_data(value: dict[Any, Any] | list[Any], walk: _Walk) -> _Found | None:
    items: Any
    if isinstance(value, dict):
        if walk.text_keys:
            for key in value:
                if not isinstance(key, str):
                    return ('key', key), []
        items = value.items()
    else:
        items = enumerate(value)
    refused = walk.refused
    for key, item in items:
        if isinstance(item, dict | list):
            found = _in_data(item, walk)
        elif refused and type(item) in refused:
            found = ('value', item), []
        else:
            continue
        if found is not None:
            found[1].append(key)
            return found
    return None


@functools.cache
def _fields(model: type[SpecModel]) -> tuple[tuple[str, str, bool], ...]:
    """The fields of ``model`` that may hold free-form data: name, key as written, free.

    Free-form fields (an example, a schema: their type says ``Any``) hold any data;
    fields that hold models are looked into. The others (text, numbers, status codes)
    are left out: the model types their keys, and skipping them keeps the walk to about
    a tenth of the time writing takes.
    """
    found = []
    for name, field in model.model_fields.items():
        free = _mentions(field.annotation, lambda arg: arg is Any)
        if free or _mentions(field.annotation, _is_model):
            found.append((name, field.alias or name, free))
    return tuple(found)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, SpecModel)


def _mentions(annotation: Any, test: Callable[[Any], bool]) -> bool:
    """Whether ``annotation`` or any type inside it passes ``test``."""
    return test(annotation) or any(_mentions(arg, test) for arg in get_args(annotation))
