"""Spec formats (YAML, TOML, RBR): load into the model, emit from it."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, SpecError
from ..schema import Spec
from .base import Comments, Document, Source, SpecFormat, build_document

__all__ = [
    'Comments',
    'Document',
    'Source',
    'SpecFormat',
    'dumps',
    'format_for',
    'formats',
    'load',
    'loads',
]


def formats() -> dict[str, SpecFormat]:
    """Every known format by name (imported on first use)."""
    from .rbr import RbrFormat
    from .toml import TomlFormat
    from .yaml import YamlFormat

    return {fmt.name: fmt for fmt in (YamlFormat(), TomlFormat(), RbrFormat())}


def format_for(file: str | os.PathLike[str], name: str | None = None) -> SpecFormat:
    """The format named ``name``, or the one whose extension ``file`` has.

    Raises:
        ValueError: when neither names a known format.
    """
    known = formats()
    if name is not None:
        if name not in known:
            raise ValueError(f'unknown format {name!r}; expected one of: {", ".join(known)}')
        return known[name]
    suffix = Path(file).suffix.lower()
    for fmt in known.values():
        if suffix in fmt.extensions:
            return fmt
    endings = ', '.join(ext for fmt in known.values() for ext in fmt.extensions)
    raise ValueError(f'cannot tell the format of {os.fspath(file)!r} from its ending ({endings})')


def load(file: str | os.PathLike[str], fmt: str | None = None) -> Document:
    """Load and validate the spec in ``file``.

    Raises:
        SpecError: for anything wrong, from a missing file to a model rule.
    """
    name = os.fspath(file)
    try:
        spec_format = format_for(file, fmt)
        data = Path(file).read_bytes()
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
    """Render ``spec`` in format ``fmt``."""
    return format_for('', fmt).write(spec, comments)
