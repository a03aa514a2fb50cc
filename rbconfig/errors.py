"""Errors in specs: one type for every failure, from syntax to model rules.

A :class:`SpecError` holds every :class:`Problem` found in one file, each with
the file, line and column, the place inside the spec (``paths.x.url``) and a
sentence a person understands. Nothing here imports a file format.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    'Issue',
    'Loc',
    'Problem',
    'Severity',
    'SpecError',
    'StartupError',
    'did_you_mean',
    'format_loc',
    'redact',
    'spell_key',
]

#: A place inside a spec: keys and list indexes from the root.
Loc = tuple[str | int, ...]

#: How bad a problem is: an error stops loading, a warning is only said.
Severity = Literal['error', 'warning']


def format_loc(loc: Loc) -> str:
    """``('paths', 'x', 'checks', 0)`` → ``paths.x.checks[0]``.

    A key that is not text (YAML's ``true:``, ``null:``, ``1.5:``) is shown in
    brackets, as YAML writes it: ``x-data[true]``.
    """
    text = ''
    for part in loc:
        if isinstance(part, str):
            text += f'.{part}' if text else part
        else:
            text += f'[{spell_key(part)}]'
    return text


def spell_key(key: Any) -> str:
    """A key as YAML writes it: ``true``, ``null``, ``1.5``; text as it is."""
    if key is None:
        return 'null'
    if isinstance(key, bool):
        return 'true' if key else 'false'
    return str(key)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to ``word``, or nothing."""
    return _closest(word, tuple(choices))


@functools.lru_cache(maxsize=1024)
def _closest(word: str, choices: tuple[str, ...]) -> str:
    # Worked out once per word: difflib takes about 0.1 ms a word, and a broken file can
    # hold the same unknown key thousands of times.
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f' (did you mean {close[0]!r}?)' if close else ''


#: ``scheme://`` and the userinfo after it (``user:password@``).
_USERINFO = re.compile(r'(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@\'"]*@')
#: A query parameter whose name says it holds a secret (``?token=...``, ``&api_key=...``).
_SECRET_PARAMETER = re.compile(
    r'(?i)([?&;][^\s=&#;\'"]*(?:token|key|secret|passw|pwd|sig|auth|credential|session)'
    r'[^\s=&#;\'"]*=)[^\s&#;\'"]*'
)
#: What a redacted secret is shown as.
REDACTED = '***'


def redact(text: str) -> str:
    """``text`` with the secrets of any URL in it replaced by ``***``.

    The userinfo of a URL (``http://admin:secret@host`` → ``http://***@host``) and
    the values of query parameters whose name says they hold a secret (token, key,
    secret, password, sig, signature, auth, credential, session: ``?access_token=***``)
    go; the rest stays readable. Used wherever a location or an upstream URL is
    shown: docs page, OpenAPI, AsyncAPI, logs, error messages.
    """
    if '@' in text:
        text = _USERINFO.sub(rf'\g<1>{REDACTED}@', text)
    if '=' in text:
        text = _SECRET_PARAMETER.sub(rf'\g<1>{REDACTED}', text)
    return text


@dataclass(frozen=True, slots=True)
class Issue:
    """Something wrong at a place in the spec, before a file is known."""

    loc: Loc
    message: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or worth a warning) at a place in a spec file."""

    file: str
    line: int | None
    column: int | None
    where: str
    message: str
    severity: Severity = 'error'

    def __post_init__(self) -> None:
        # A message may quote a location or a URL: its secrets never reach a report.
        object.__setattr__(self, 'message', redact(self.message))

    @property
    def file_position(self) -> str:
        """``file:line:col``, or as much of it as is known (``file``, ``file:line``)."""
        return ':'.join(
            str(part) for part in (self.file, self.line, self.column) if part is not None
        )

    def __str__(self) -> str:
        where = f' {self.where}:' if self.where else ''
        kind = ' warning:' if self.severity == 'warning' else ''
        return f'{self.file_position}:{kind}{where} {self.message}'

    def to_dict(self) -> dict[str, object]:
        """The problem as plain data (for ``--format json``)."""
        return asdict(self)


@dataclass(eq=False)
class SpecError(ValueError):
    """A spec file could not be loaded; ``problems`` says every reason."""

    problems: list[Problem] = field(default_factory=list)

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return '\n'.join(str(problem) for problem in self.problems)


class _Located(Protocol):
    """Anything that can place a problem in a spec file (a loaded document)."""

    def problem(self, loc: Loc, message: str, severity: Severity = 'error') -> Problem: ...


class StartupError(SpecError):
    """The spec is valid but cannot run: a missing module, attribute, file or folder.

    It is a :class:`SpecError`, so the command line prints it the same way,
    with the spec's ``file:line:col``.
    """

    @classmethod
    def at(cls, document: _Located, loc: Loc, message: str) -> StartupError:
        """A start-up error at ``loc`` in ``document``."""
        return cls([document.problem(loc, message)])
