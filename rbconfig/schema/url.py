"""URL templates: ``/literal/{name}/{name:regex}`` (RedBarrel used Routes syntax)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    'Placeholder',
    'UrlTemplate',
    'full_url',
    'parse_url_template',
    'placeholder_names',
    'route_key',
]

_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A ``{name}`` or ``{name:regex}`` part of a URL template."""

    name: str
    regex: str | None = None


def parse_url_template(url: str) -> list[str | Placeholder]:
    """Split a URL template into literal text and placeholders.

    Raises:
        ValueError: with a sentence saying what is wrong and where.
    """
    return list(_parse(url))


def placeholder_names(url: str) -> list[str]:
    """The names of ``url``'s placeholders, in order."""
    return [part.name for part in _parse(url) if not isinstance(part, str)]


# Validation parses each URL and the route check parses it again: the cache holds every
# URL of a large spec (at 4,096 entries, a 10,000-path spec parsed each URL twice).
@functools.lru_cache(maxsize=1 << 16)
def _parse(url: str) -> tuple[str | Placeholder, ...]:
    """Split a URL template into literal text and placeholders.

    Braces inside a placeholder's regex may nest (``{id:[0-9]{3}}``). Each
    regex is compiled here, so a bad one fails at load time.

    Raises:
        ValueError: with a sentence saying what is wrong and where.
    """
    if not url.startswith('/'):
        raise ValueError(f"expected a URL starting with '/', got {url!r}")
    parts: list[str | Placeholder] = []
    names: set[str] = set()
    literal_start = 0
    i = 0
    while i < len(url):
        char = url[i]
        if char == '}':
            raise ValueError(f"unbalanced '}}' at position {i} of {url!r}")
        if char != '{':
            i += 1
            continue
        if i > literal_start:
            parts.append(url[literal_start:i])
        depth, j = 1, i + 1
        while j < len(url) and depth:
            depth += {'{': 1, '}': -1}.get(url[j], 0)
            j += 1
        if depth:
            raise ValueError(f"unclosed '{{' at position {i} of {url!r}")
        parts.append(_placeholder(url[i + 1 : j - 1], url, names))
        i = literal_start = j
    if literal_start < len(url):
        parts.append(url[literal_start:])
    return tuple(parts)


def _placeholder(inner: str, url: str, names: set[str]) -> Placeholder:
    name, sep, regex = inner.partition(':')
    if not _NAME.fullmatch(name):
        raise ValueError(f'expected a placeholder name like {{name}} in {url!r}, got {{{inner}}}')
    if name in names:
        raise ValueError(f'placeholder {{{name}}} appears twice in {url!r}')
    names.add(name)
    if not sep:
        return Placeholder(name)
    try:
        re.compile(regex)
    except re.error as ex:
        raise ValueError(f'the regex of {{{name}}} in {url!r} does not compile: {ex}') from ex
    return Placeholder(name, regex)


def route_key(url: str) -> str:
    """The template with placeholder names erased: two URLs with one key clash."""
    return ''.join(
        part if isinstance(part, str) else '{:%s}' % (part.regex or '')
        for part in parse_url_template(url)
    )


def _check_url(url: str) -> str:
    parse_url_template(url)
    return url


#: A URL template, checked (and its regexes compiled) at load time.
UrlTemplate = Annotated[
    str,
    AfterValidator(_check_url),
    Field(
        json_schema_extra={'pattern': '^/'},
        description='A URL template: /literal/{name}/{name:regex} (Routes syntax).',
    ),
]


def full_url(root: str | None, url: str) -> str:
    """The URL a path answers at: ``root`` in front of ``url``.

    As in RedBarrel, ``url /`` under ``root /api`` is exactly ``/api``.
    """
    if not root or root == '/':
        return url
    root = root.rstrip('/')
    return root if url == '/' else root + url
