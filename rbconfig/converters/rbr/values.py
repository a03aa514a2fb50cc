"""RBR values as written: their kind, their text, and the tokens behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lark import Token

from .._text import number_too_long

__all__ = [
    'NumberTooLong',
    'Value',
    'first_token',
    'integer',
    'merge',
    'named_tokens',
    'snippet',
    'text_of',
    'tokens_of',
    'value_of',
]

#: Value trees holding one token → the kind of value.
_SCALARS = {
    'integer': 'int',
    'float': 'float',
    'url': 'url',
    'location': 'location',
    'dotted': 'dotted',
}
#: The name-like tokens of an operation.
_NAMED = frozenset({'NAME', 'SOCKET', 'DEFINE', 'DOTTED', 'LOCATION', 'INT', 'TEXT', 'NOT'})


@dataclass(slots=True)
class Value:
    """One value as written: its kind, its text, and the tree or tokens behind it."""

    kind: str
    text: str
    token: Any
    node: Any = None
    words: list[str] = field(default_factory=list)


class NumberTooLong(Exception):  # noqa: N818 - a reason to leave a definition out
    """A whole number with more digits than Python reads (``token``: where it is written)."""

    def __init__(self, token: Any, message: str) -> None:
        super().__init__(message)
        self.token, self.message = token, message


def integer(token: Any) -> int:
    """The number an INT token says.

    Raises:
        NumberTooLong: when it has more digits than Python reads into a number.
    """
    too_long = number_too_long(str(token))
    if too_long is not None:
        raise NumberTooLong(token, too_long)
    return int(token)


def tokens_of(node: Any) -> list[Any]:
    """Every token of a tree (or the token itself), in order."""
    if isinstance(node, str):
        return [node]
    found: list[Any] = []
    for child in node.children:
        found.extend((child,) if isinstance(child, str) else tokens_of(child))
    return found


def first_token(node: Any) -> Any:
    """The first token of a tree: where it starts."""
    while not isinstance(node, str):
        node = node.children[0]
    return node


def named_tokens(node: Any) -> list[Any]:
    """The name-like tokens of an operation (keywords and punctuation left out)."""
    return [child for child in node.children if isinstance(child, Token) and child.type in _NAMED]


def text_of(token: Any) -> str:
    """The text a TEXT token holds: quotes removed, backslashes kept as written."""
    raw = str(token)
    if raw.startswith('"""') and len(raw) >= 6:
        return raw[3:-3]
    return raw[1:-1]


def value_of(node: Any) -> Value:
    """The :class:`Value` a value tree (or an operation) stands for."""
    kind = node.data
    first = node.children[0]
    if not isinstance(first, str):
        first = first_token(first)
    if kind == 'text':
        return Value('text', text_of(first), first, node)
    if kind in _SCALARS:
        return Value(_SCALARS[kind], str(first), first, node)
    if kind == 'words':
        words = [str(child) for child in node.children if child.type != 'PIPE']
        return Value('words', '|'.join(words), first, node, words)
    return Value('op', kind, first, node)


def snippet(node: Any) -> str:
    """A short rendering of a tree for messages."""
    text = ' '.join(str(token) for token in tokens_of(node))
    return text if len(text) <= 40 else text[:37] + '...'


def merge(target: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Merge ``overlay`` into ``target``: mappings key by key, anything else replaced."""
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value
