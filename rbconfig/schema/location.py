"""Locations: where the code, file, folder or upstream behind a spec element lives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..errors import redact

__all__ = [
    'LOCATION_SCHEMES',
    'Location',
    'ParsedLocation',
    'PythonLocation',
    'check_python',
    'parse_location',
]

Scheme = Literal['python', 'file', 'directory', 'proxy']
LOCATION_SCHEMES: tuple[Scheme, ...] = ('python', 'file', 'directory', 'proxy')

#: A dotted Python name; possessive repeats keep no regex state per dotted part (a plain
#: repeated group cost hundreds of bytes per part of a long name).
_PYTHON_TARGET = re.compile(r'[A-Za-z_][A-Za-z0-9_]*+(?:\.[A-Za-z_][A-Za-z0-9_]*+)*+')
#: What a location of each scheme looks like (for a scheme written without its target).
_EXAMPLES = {
    'python': 'python:module.attr',
    'file': 'file:PATH',
    'directory': 'directory:PATH',
    'proxy': 'proxy:http(s)://host:port',
}
_PROXY_TARGET = re.compile(r'https?://[^\s/?#]+(/[^\s?#]*)?')


@dataclass(frozen=True, slots=True)
class ParsedLocation:
    """A location split into its scheme and target."""

    scheme: Scheme
    target: str

    def __str__(self) -> str:
        return f'{self.scheme}:{self.target}'


def parse_location(text: str) -> ParsedLocation:
    """Split and check ``scheme:target``.

    Raises:
        ValueError: with a sentence saying what was expected.
    """
    prefix, sep, target = text.partition(':')
    scheme = next((known for known in LOCATION_SCHEMES if known == prefix), None)
    if not sep or scheme is None:
        hint = ''
        if text in LOCATION_SCHEMES:  # the scheme without its target
            hint = f' (did you mean {_EXAMPLES[text]!r}?)'
        elif _PYTHON_TARGET.fullmatch(text):
            hint = f" (did you mean 'python:{text}'?)"
        raise ValueError(
            f"expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' "
            f"or 'proxy:http(s)://host:port', got {redact(text)!r}{hint}"
        )
    if scheme == 'python' and not _PYTHON_TARGET.fullmatch(target):
        raise ValueError(
            f"expected a dotted Python name after 'python:' (like 'python:pkg.module.func'),"
            f' got {redact(target)!r}'
        )
    if scheme in ('file', 'directory') and (not target or '\0' in target):
        raise ValueError(f"expected a path after '{scheme}:', got {redact(target)!r}")
    if scheme == 'proxy' and not _PROXY_TARGET.fullmatch(target):
        raise ValueError(
            f"expected 'proxy:http://host:port' or 'proxy:https://host:port', got {redact(text)!r}"
        )
    return ParsedLocation(scheme, target)


def _check_location(text: str) -> str:
    parse_location(text)
    return text


def check_python(text: str) -> str:
    """``text`` if it is a ``python:`` location.

    Raises:
        ValueError: it is not.
    """
    if parse_location(text).scheme != 'python':
        raise ValueError(f"expected a 'python:' location here, got {redact(text)!r}")
    return text


#: ``python:pkg.mod.func``, ``file:PATH``, ``directory:PATH`` or ``proxy:URL``.
Location = Annotated[
    str,
    AfterValidator(_check_location),
    Field(
        json_schema_extra={'pattern': '^(python|file|directory|proxy):'},
        description="A location: 'python:pkg.module.attr', 'file:PATH', 'directory:PATH' "
        "or 'proxy:http(s)://host:port'.",
    ),
]

#: A location that must name Python code: ``python:pkg.mod.attr``.
PythonLocation = Annotated[
    str,
    AfterValidator(check_python),
    Field(
        json_schema_extra={'pattern': '^python:'},
        description="Python code: 'python:pkg.module.attr'.",
    ),
]
