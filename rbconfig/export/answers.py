"""What a path can answer: every status, derived from the model in one place.

OpenAPI's responses and the docs page's status tables are both read from
:func:`path_answers`, which follows the runtime's steps for one request
(see :mod:`rbconfig.runtime.app`):

1. the size limit: **413** past :meth:`~rbconfig.schema.Spec.max_body_of`, and
   **400** for a ``Content-Length`` that is not a number or a body that cannot
   be read (broken chunked encoding);
2. request header and body checks: each check's ``return`` status; a custom
   type or an ``alter with`` function that raises: **500**;
3. the request body schema: **415** (sent as another type than JSON),
   **400** (not JSON), **422** (does not match);
4. the handler: a ``python:`` one that raises answers its ``on_error`` status,
   else **500**; ``file:`` and ``directory:`` answer **404** for a missing
   file; ``proxy:`` answers **502** and **504**, and relays any status of the
   upstream (:attr:`Answers.relayed`); the echo answers 200;
5. response checks, and the response body schema (**500** on a mismatch).

Those are all answered as ``application/problem+json`` (:attr:`Answer.problem`).
Statuses the spec documents (``request.status``, ``response.status``) are
listed with the spec's own words. A method the path does not take answers
**405** (:func:`allowed_methods`); what a handler answers by itself (a
``webob.exc`` error, a ``(value, status)`` tuple) only the spec can document.

``tests/runtime/test_openapi_answers.py`` sends bad requests to the app of a
spec and fails when the runtime answers a status this module does not list for
that operation, or when a problem listed here is never answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import (
    BUILTIN_TYPES,
    AlterCheck,
    Path,
    Spec,
    TypeCheck,
    ValidatorCheck,
    full_url,
    route_key,
)
from .words import check_sentence

__all__ = [
    'METHOD_NOT_ALLOWED',
    'RELAYED',
    'Answer',
    'Answers',
    'allowed_methods',
    'general_answers',
    'path_answers',
]

#: Said of the answers a proxy relays from its upstream.
RELAYED = "The upstream's answer, relayed."

#: Said when a method is not one the URL takes (Falcon's answer, written as a problem).
METHOD_NOT_ALLOWED = 'The URL does not take this method; the Allow header lists those it takes.'


@dataclass(frozen=True, slots=True)
class Answer:
    """One status a path may answer.

    Attributes:
        status: The HTTP status.
        says: What it means, in a sentence or more.
        problem: The runtime itself answers it, as ``application/problem+json``.
        general: Every path answers it for the same reason (not said by its spec).
    """

    status: int
    says: str
    problem: bool = False
    general: bool = False


@dataclass(frozen=True, slots=True)
class Answers:
    """Every status of one path, by status; ``relayed``: a proxy's upstream answers too."""

    statuses: dict[int, Answer]
    relayed: bool = False


def path_answers(spec: Spec, path: Path) -> Answers:
    """What a request to ``path`` (by a method it takes) may be answered.

    One :class:`Answer` per status, sorted: the spec's own words for a status
    it documents, else the reasons the runtime has, joined.
    """
    general = general_answers(spec)
    found: list[Answer] = [general[400]]
    if path.max_body is None:
        found.append(general[413])
    else:
        found.append(Answer(413, _too_large(path.max_body), problem=True))
    found += _check_answers(path)
    request_body = path.request.body if path.request else None
    if request_body is not None and request_body.schema_ is not None:
        found += [
            Answer(415, 'The request body is sent as another type than JSON.', problem=True),
            Answer(400, 'The request body is not JSON.', problem=True),
            Answer(422, 'The request body does not match its schema.', problem=True),
        ]
    found += _handler_answers(path)
    response_body = path.response.body if path.response else None
    if response_body is not None and response_body.schema_ is not None:
        found.append(Answer(500, 'The response did not match its schema.', problem=True))
    documented = _documented(path)
    statuses: dict[int, Answer] = {}
    for status in sorted({answer.status for answer in found} | set(documented)):
        reasons = [answer for answer in found if answer.status == status]
        says = documented.get(status) or ' '.join(dict.fromkeys(a.says for a in reasons))
        statuses[status] = Answer(
            status,
            says or str(status),
            problem=bool(reasons),
            general=bool(reasons) and all(a.general for a in reasons) and status not in documented,
        )
    if not any(200 <= status < 300 for status in statuses):
        says = 'The request, echoed as text.' if path.use is None else 'Success.'
        statuses = dict(sorted({**statuses, 200: Answer(200, says)}.items()))
    return Answers(statuses, relayed=_scheme(path) == 'proxy')


def general_answers(spec: Spec) -> dict[int, Answer]:
    """The answers every path of ``spec`` gives alike (405 for a method it does not
    take; 413 unless the path sets its own ``max_body``)."""
    return {
        400: Answer(400, 'The request is malformed: a Content-Length that is not a number, '
                    'or a body that cannot be read.', problem=True, general=True),
        405: Answer(405, METHOD_NOT_ALLOWED, problem=True, general=True),
        413: Answer(413, _too_large(spec.max_body_of()), problem=True, general=True),
    }  # fmt: skip


def _too_large(limit: int) -> str:
    return f'The request body is larger than {limit} bytes.'


def allowed_methods(spec: Spec, path: Path) -> list[str]:
    """The methods the URL of ``path`` takes, as its ``Allow`` header lists them.

    Paths sharing a route (placeholder names aside) share it, GET brings HEAD,
    and OPTIONS is always taken (Falcon's default answers 200 with ``Allow``).
    Any other method answers 405.
    """
    key = route_key(full_url(spec.root, path.url or '/'))
    methods: list[str] = []
    for other in spec.paths.values():
        if other.url is not None and route_key(full_url(spec.root, other.url)) == key:
            methods += [method for method in other.methods if method not in methods]
    if 'GET' in methods and 'HEAD' not in methods:
        methods.append('HEAD')
    if 'OPTIONS' not in methods:
        methods.append('OPTIONS')
    return methods


def _documented(path: Path) -> dict[int, str]:
    said: dict[int, str] = {}
    for part in (path.request, path.response):
        if part is not None:
            said.update(part.status)
    return said


def _check_answers(path: Path) -> list[Answer]:
    found: list[Answer] = []
    for (part, _), section in path.sections():
        for check in section.checks:
            if isinstance(check, TypeCheck | ValidatorCheck):
                found.append(Answer(check.return_, check_sentence(check, part), problem=True))
                if isinstance(check, TypeCheck) and check.type_name not in BUILTIN_TYPES:
                    said = f'The {check.type_name} type check raised an error.'
                    found.append(Answer(500, said, problem=True))
            elif isinstance(check, AlterCheck):
                said = f'{check.alter} (alter with) raised an error.'
                found.append(Answer(500, said, problem=True))
    return found


def _scheme(path: Path) -> str | None:
    return path.use.partition(':')[0] if path.use is not None else None


def _handler_answers(path: Path) -> list[Answer]:
    scheme = _scheme(path)
    if scheme == 'python':
        return [Answer(path.on_error or 500, 'The handler failed.', problem=True)]
    if scheme == 'file':
        return [Answer(404, 'The file behind this path is missing.', problem=True)]
    if scheme == 'directory':
        return [Answer(404, 'No such file.', problem=True)]
    if scheme == 'proxy':
        return [
            Answer(502, 'The upstream cannot be reached, or failed.', problem=True),
            Answer(504, 'The upstream did not answer in time.', problem=True),
        ]
    return []
