"""Spec formats (YAML, TOML, RBR): load into the model, emit from it."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from ..document import Comments, Document, problem_at
from ..document.files import read_regular
from ..errors import Problem, SpecError
from ..schema import Spec
from .base import END_OF_FILE, SpecFormat, UnwritableSpec, build_document

__all__ = [
    'END_OF_FILE',
    'ENDINGS',
    'SpecFormat',
    'UnwritableSpec',
    'build_document',
    'dumps',
    'format_for',
    'formats',
    'load',
    'loads',
    'write_document',
]


#: Each format's module (in this package) and class, imported on first use: reading a
#: TOML spec never imports PyYAML, nor reading a YAML one tomli or lark.
_CLASSES = {'yaml': 'YamlFormat', 'toml': 'TomlFormat', 'rbr': 'RbrFormat'}

#: File ending → format name: every format's ``extensions`` (a test keeps them equal).
ENDINGS = {'.yaml': 'yaml', '.yml': 'yaml', '.toml': 'toml', '.rbr': 'rbr'}


def _format(name: str) -> SpecFormat:
    module = importlib.import_module(f'{__name__}.{name}')
    return getattr(module, _CLASSES[name])()


def formats() -> dict[str, SpecFormat]:
    """Every known format by name (imported on first use)."""
    return {name: _format(name) for name in _CLASSES}


def format_for(file: str | os.PathLike[str], name: str | None = None) -> SpecFormat:
    """The format named ``name``, or the one whose extension ``file`` has.

    Only that format's module is imported.

    Raises:
        ValueError: when neither names a known format.
    """
    if name is not None:
        if name not in _CLASSES:
            raise ValueError(f'unknown format {name!r}; expected one of: {", ".join(_CLASSES)}')
        return _format(name)
    found = ENDINGS.get(Path(file).suffix.lower())
    if found is None:
        raise ValueError(
            f'cannot tell the format of {os.fspath(file)!r} from its ending ({", ".join(ENDINGS)})'
        )
    return _format(found)


def load(file: str | os.PathLike[str], fmt: str | None = None) -> Document:
    """Load and validate the spec in ``file``.

    Raises:
        SpecError: for anything wrong, from a missing file to a model rule.
    """
    name = os.fspath(file)
    try:
        spec_format = format_for(file, fmt)
        data = read_regular(file)  # no FIFO, device or huge file (see document.files)
    except (OSError, ValueError) as ex:
        reason = ex.strerror if isinstance(ex, OSError) and ex.strerror else str(ex)
        raise SpecError([Problem(name, None, None, '', reason)]) from ex
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as ex:
        line = data[: ex.start].count(b'\n') + 1
        column = ex.start - (data.rfind(b'\n', 0, ex.start) + 1) + 1
        raise SpecError([Problem(name, line, column, '', 'the file is not valid UTF-8')]) from ex
    return build_document(spec_format, text, name)


def loads(text: str, fmt: str, file: str = '<string>') -> Document:
    """Load and validate a spec given as text in format ``fmt``."""
    return build_document(format_for(file, fmt), text, file)


def dumps(spec: Spec, fmt: str, comments: Comments | None = None) -> str:
    """Render ``spec`` in format ``fmt``.

    Raises:
        UnwritableSpec: (a ValueError) when ``fmt`` cannot say something the spec holds;
            its message starts with the place (``paths.a.x-codes: ...``).
    """
    return format_for('', fmt).write(spec, comments)


def write_document(document: Document, fmt: str) -> str:
    """Render a loaded spec, with its comments, in format ``fmt``.

    Raises:
        SpecError: when ``fmt`` cannot say something the spec holds, at its
            file:line:col in the document's file.
    """
    try:
        return dumps(document.spec, fmt, document.comments)
    except UnwritableSpec as ex:
        problem = problem_at(document.file, document.positions, ex.issue)
        raise SpecError([problem]) from ex
