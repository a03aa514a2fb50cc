"""Error responses: every one is RFC 9457 ``application/problem+json``.

One serializer (installed with ``App.set_error_serializer``) writes every
:class:`falcon.HTTPError`, whether raised by Falcon (404, 405, 413...), by a
check, or converted from a ``webob.exc`` exception. Unexpected exceptions
become a 500 problem, logged with the request id; the traceback is in the
body only in debug mode. Every error response carries ``X-Request-Id`` (the
client's own when it sent a sane one), also logged and put in the body as
``request_id``; successful responses skip it to keep the hot path short.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import traceback
import urllib.parse
from collections.abc import Callable
from typing import Any

import falcon

__all__ = [
    'PROBLEM_JSON',
    'HTTPProblem',
    'ensure_request_id',
    'new_request_id',
    'handle_unexpected',
    'logged_path',
    'problem_from_webob',
    'serialize_problem',
]

PROBLEM_JSON = 'application/problem+json'
REQUEST_ID = 'X-Request-Id'

logger = logging.getLogger('rbconfig.runtime')

_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)
_GOOD_ID = re.compile(r'[A-Za-z0-9._:-]{1,128}')


class HTTPProblem(falcon.HTTPError):
    """An HTTP error with RFC 9457 members.

    Args:
        status: The HTTP status code.
        detail: A sentence about this occurrence.
        errors: Per-field failures, each ``{'pointer': '#/a/0', 'detail': '...'}``.
        headers: Extra response headers.
        **extensions: More members of the problem object.
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status, description=detail, headers=headers)
        self.errors = errors
        self.extensions = extensions


def new_request_id(env: dict[str, Any]) -> str:
    """The client's ``X-Request-Id`` when it looks sane, else a new one."""
    given = env.get('HTTP_X_REQUEST_ID')
    if given and _GOOD_ID.fullmatch(given):
        return given
    return f'{_PREFIX}-{next(_COUNTER):x}'


def ensure_request_id(req: falcon.Request, resp: falcon.Response) -> str:
    """The id of this request, sent as ``X-Request-Id`` (made once)."""
    rid = resp.get_header(REQUEST_ID)
    if rid is None:
        rid = new_request_id(req.env)
        resp.set_header(REQUEST_ID, rid)
    return rid


#: RFC 9110's names where older ones are still in use.
_TITLES = {
    413: 'Content Too Large',
    414: 'URI Too Long',
    416: 'Range Not Satisfiable',
    422: 'Unprocessable Content',
}


def _title(ex: falcon.HTTPError) -> str:
    code = ex.status_code
    default = falcon.code_to_http_status(code)
    if ex.title and ex.title != default:
        return ex.title
    return _TITLES.get(code) or default.partition(' ')[2] or default


def serialize_problem(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError) -> None:
    """Falcon error serializer: write ``ex`` as ``application/problem+json``."""
    rid = ensure_request_id(req, resp)
    body: dict[str, Any] = {'type': 'about:blank', 'title': _title(ex), 'status': ex.status_code}
    if ex.description:
        body['detail'] = ex.description
    errors = getattr(ex, 'errors', None)
    if errors:
        body['errors'] = errors
    extensions = getattr(ex, 'extensions', None)
    if extensions:
        body.update(extensions)
    body['request_id'] = rid
    resp.text = None
    resp.media = None
    resp.content_type = PROBLEM_JSON
    resp.data = json.dumps(body).encode()


def problem_from_webob(ex: Any) -> falcon.HTTPError | falcon.HTTPStatus:
    """A ``webob.exc`` HTTP exception as the Falcon equivalent.

    Redirections and other non-errors keep their headers (``Location``) and
    get an empty body; errors become problems with webob's detail text.
    """
    code = int(ex.code)
    skip = {'content-type', 'content-length'}
    headers = {name: value for name, value in ex.headerlist if name.lower() not in skip}
    if code < 400:
        return falcon.HTTPStatus(code, headers=headers)
    detail = ex.detail or getattr(ex, 'explanation', None) or None
    return HTTPProblem(code, detail, headers=headers or None)


def handle_unexpected(
    debug: bool,
) -> Callable[[falcon.Request, falcon.Response, Exception, dict[str, Any]], None]:
    """A Falcon error handler for any other exception: log it, answer 500."""

    def handler(
        req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]
    ) -> None:
        rid = ensure_request_id(req, resp)
        logger.error(
            'request %s: %s %s failed: %s: %s',
            rid,
            req.method,
            logged_path(req),
            type(ex).__name__,
            ex,
            exc_info=ex,
        )
        resp.status = 500
        serialize_problem(req, resp, internal_error(ex, debug))

    return handler


def logged_path(req: falcon.Request) -> str:
    """The request's path for a log line, percent-encoded again: decoded, a ``%0a`` in it
    would start a line of the client's making in the log."""
    return urllib.parse.quote(req.path, safe="/!$&'()*+,;=:@~")


def internal_error(ex: BaseException, debug: bool, status: int = 500) -> HTTPProblem:
    """The problem answered for an unexpected exception (traceback only when debugging)."""
    if not debug:
        return HTTPProblem(status, 'The server failed to handle this request.')
    lines = traceback.format_exception(type(ex), ex, ex.__traceback__)
    return HTTPProblem(status, f'{type(ex).__name__}: {ex}', traceback=''.join(lines))
