"""Build the Falcon WSGI app of a spec.

Everything is decided when the app is built: each path's handler, its
convention, its checks and schemas are resolved and compiled into one
responder per path, so a request only runs the steps its path needs.

Per request, for a routed path:

1. the size limit (413 from ``Content-Length``, before reading the body);
2. request header checks, then request body checks and the body schema;
3. the handler (an exception answers the path's ``on_error`` status, else 500);
4. response ``set`` headers, response body checks (``alter with``, type
   checks), response header checks, and the response body schema.

Every error is an ``application/problem+json`` body (see :mod:`.problems`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

import falcon
import webob.exc
from falcon.routing import CompiledRouter

from ..document import Document
from ..document.resolve import resolve
from ..errors import Problem, StartupError
from ..schema import Path, Section, full_url
from . import json_text
from .bodies import BodySchema, JSONMedia, compile_schema
from .checks import Step, build_types, compile_section
from .connection import BodyError
from .conventions import Runner, build_runner
from .exchange import Exchange, SpecRequest
from .globs import build_globals
from .problems import (
    HTTPProblem,
    ensure_request_id,
    handle_unexpected,
    internal_error,
    logged_path,
    problem_from_webob,
    serialize_problem,
)
from .router import Router, placeholder_names
from .runners import directory_runner, dummy_runner, file_runner, mock_runner, proxy_runner

__all__ = ['Route', 'SpecApp', 'build_app', 'route_problems']

logger = logging.getLogger('rbconfig.runtime')


class Route:
    """One spec path, compiled: its Falcon resource and responder.

    Attributes:
        name: The path's name in the spec.
        template: The full URL template (with ``root``).
        methods: The methods it answers (HEAD comes with GET).
        convention: The handler's calling convention, or the built-in kind
            (``file``, ``directory``, ``proxy``, ``dummy``, ``mock``).
    """

    def __init__(
        self,
        name: str,
        template: str,
        methods: list[str],
        convention: str,
        responder: Callable[..., None],
    ) -> None:
        self.name = name
        self.template = template
        self.methods = methods
        self.convention = convention
        self.responder = responder

    def __repr__(self) -> str:
        return f'Route({self.name!r}, {"|".join(self.methods)} {self.template}, {self.convention})'


class SpecApp(falcon.App):
    """The Falcon app of a spec, knowing its document, routes and globals."""

    document: Document
    routes: list[Route]
    globs: dict[str, Any]


def build_app(
    document: Document,
    *,
    globs: dict[str, Any] | None = None,
    debug: bool = False,
    mock: bool = False,
) -> SpecApp:
    """The WSGI app serving ``document``'s paths.

    Args:
        document: The loaded spec.
        globs: The globals (built from the spec when not given).
        debug: Put tracebacks in 500 problem bodies.
        mock: Paths without ``use`` answer their documented example.

    The app is a :class:`SpecApp`: ``app.routes`` lists the compiled
    paths (:class:`Route`) in spec order, ``app.globs`` holds the globals.

    Raises:
        StartupError: a location cannot be resolved, a handler cannot take
            its URL params, a schema is invalid... each with file:line:col.
    """
    if globs is None:
        globs = build_globals(document)
    checkers = build_types(document)
    # Falcon takes any router with add_route() and find() (its docs); its type names its own.
    router = cast(CompiledRouter, Router())
    app = SpecApp(router=router, request_type=SpecRequest)
    app.document = document
    app.globs = globs
    app.set_error_serializer(serialize_problem)
    # req.get_media() reads standard JSON, as checks and schemas do.
    app.req_options.media_handlers[falcon.MEDIA_JSON] = JSONMedia()
    app.add_error_handler(Exception, handle_unexpected(debug))
    app.add_error_handler(webob.exc.HTTPException, _webob_error)
    app.add_error_handler(BodyError, _body_error)
    routes: list[Route] = []
    spec = document.spec
    for name, path in spec.paths.items():
        if path.url is None:
            logger.warning('%s: path %r has no url; it is not served', document.file, name)
            continue
        route = _build_route(document, name, path, globs, checkers, debug=debug, mock=mock)
        method_map = {method: route.responder for method in route.methods}
        app.add_route(route.template, route, method_map=method_map)
        routes.append(route)
    app.routes = routes
    return app


def route_problems(document: Document) -> list[Problem]:
    """Every path built as :func:`build_app` builds it, no app made: the problems of each.

    :func:`build_app` stops at the first path that cannot be built; this goes on
    (``rbconfig validate --import``). Custom types are made once, as at start-up.
    """
    problems: list[Problem] = []
    try:
        checkers = build_types(document)
    except StartupError as ex:  # the paths can still be built: their checks are never run
        problems += ex.problems
        checkers = dict.fromkeys(document.spec.types, bool)
    for name, path in document.spec.paths.items():
        if path.url is None:
            continue
        try:
            _build_route(document, name, path, {}, checkers, debug=False, mock=False)
        except StartupError as ex:
            problems += ex.problems
    return problems


def _webob_error(
    req: falcon.Request, resp: falcon.Response, ex: Any, params: dict[str, Any]
) -> None:
    raise problem_from_webob(ex)


def _body_error(
    req: falcon.Request, resp: falcon.Response, ex: Any, params: dict[str, Any]
) -> None:
    # A handler (a legacy one's request.body, a Falcon one's req.stream) read a body
    # that broke, stalled or was cut short: the client's doing, told as the checks tell it.
    raise HTTPProblem(400, f'The request body could not be read: {ex}')


def _build_route(
    document: Document,
    name: str,
    path: Path,
    globs: dict[str, Any],
    checkers: dict[str, Any],
    *,
    debug: bool,
    mock: bool,
) -> Route:
    spec = document.spec
    loc = ('paths', name)
    template = full_url(spec.root, path.url or '/')
    methods: list[str] = list(path.methods)
    if 'GET' in methods and 'HEAD' not in methods:
        methods.append('HEAD')
    placeholders = placeholder_names(path.url or '/')
    request, response = path.request, path.response
    request_schema = compile_schema(
        document, (*loc, 'request', 'body'), request.body if request else None
    )
    response_schema = compile_schema(
        document, (*loc, 'response', 'body'), response.body if response else None
    )
    convention, run = _path_runner(
        document, name, path, template, placeholders, response_schema, mock=mock
    )
    limit = spec.max_body_of(path)

    def section(part: Any, kind: str) -> Section | None:
        return getattr(part, kind) if part is not None else None

    def steps(phase: str, part: Any, kinds: tuple[str, ...]) -> list[Step]:
        compiled: list[Step] = []
        for kind in kinds:
            compiled += compile_section(
                document, (*loc, phase, kind), section(part, kind), phase=phase, checkers=checkers
            )
        return compiled

    pre = steps('request', request, ('headers', 'body'))
    if request_schema is not None:
        pre.append(_request_schema_step(request_schema))
    headers_to_set: list[tuple[str, str]] = []
    for kind in ('headers', 'body'):
        found = section(response, kind)
        if found is not None:
            headers_to_set += list(found.set.items())
    post: list[Step] = [_set_headers_step(headers_to_set)] if headers_to_set else []
    post += steps('response', response, ('body', 'headers'))
    if response_schema is not None:
        post.append(_response_schema_step(response_schema, name))
    on_error = path.on_error
    direct = run if convention == 'falcon' else None
    responder = _responder(
        name, globs, limit, tuple(pre), run, direct, tuple(post), on_error, debug
    )
    return Route(name, template, methods, convention, responder)


def _path_runner(
    document: Document,
    name: str,
    path: Path,
    template: str,
    placeholders: list[str],
    response_schema: BodySchema | None,
    *,
    mock: bool,
) -> tuple[str, Runner]:
    loc = ('paths', name, 'use')
    if path.use is None:
        if mock:
            return 'mock', mock_runner(path, response_schema)
        return 'dummy', dummy_runner()
    scheme, sep, target = path.use.partition(':')
    body = path.response.body if path.response is not None else None
    # Response body checks need the whole file (see runners).
    whole = body is not None and bool(body.checks or body.schema_)
    if scheme == 'file':
        return 'file', file_runner(resolve(document, loc, path.use), whole=whole)
    if scheme == 'directory':
        if 'name' not in placeholders:
            raise StartupError.at(
                document,
                ('paths', name, 'url'),
                f"a 'directory:' path needs a {{name}} placeholder in its url "
                f'(like /static/{{name}}), got {path.url!r}',
            )
        return 'directory', directory_runner(resolve(document, loc, path.use), whole=whole)
    if scheme == 'proxy':
        extensions = path.extensions
        try:
            connect = float(extensions.get('x-proxy-connect-timeout', 5.0))
            read = float(extensions.get('x-proxy-read-timeout', 30.0))
        except (TypeError, ValueError):
            raise StartupError.at(
                document,
                ('paths', name),
                'x-proxy-connect-timeout and x-proxy-read-timeout must be numbers of seconds',
            ) from None
        return 'proxy', proxy_runner(target, template, connect, read, whole=whole)
    func = resolve(document, loc, path.use)
    forced = path.extensions.get('x-handler')
    # A falcon-convention handler comes back as it is: the responder calls it directly.
    return build_runner(document, loc, func, placeholders=placeholders, forced=forced)


def _set_headers_step(headers: list[tuple[str, str]]) -> Step:
    def step(x: Exchange) -> None:
        set_header = x.resp.set_header
        for name, value in headers:
            set_header(name, value)

    return step


def _request_schema_step(schema: BodySchema) -> Step:
    def step(x: Exchange) -> None:
        x.parsed = schema.validate_request(x.body, x.req.content_type)

    return step


def _response_schema_step(schema: BodySchema, name: str) -> Step:
    def step(x: Exchange) -> None:
        if x.resp.status_code >= 300:
            return
        raw = x.response_body()
        try:
            data = json_text.loads(raw)
        except ValueError as ex:
            errors = [{'pointer': '#', 'detail': f'not JSON: {ex}'}]
        else:
            errors = schema.errors(data)[1]
        if errors:
            rid = ensure_request_id(x.req, x.resp)
            logger.error(
                'request %s: path %r answered a body that does not match its schema: %s',
                rid,
                name,
                '; '.join(f'{e["pointer"]}: {e["detail"]}' for e in errors),
            )
            raise HTTPProblem(500, 'The response did not match its schema.')

    return step


def _responder(
    name: str,
    globs: dict[str, Any],
    limit: int,
    pre: tuple[Step, ...],
    run: Runner,
    direct: Callable[..., None] | None,
    post: tuple[Step, ...],
    on_error: int | None,
    debug: bool,
) -> Callable[..., None]:
    # The hot path: everything is decided already; keep per-request work small.
    # ``direct``: a falcon-convention handler, called as Falcon calls a responder.

    def responder(req: SpecRequest, resp: falcon.Response, **params: str) -> None:
        env = req.env
        x = Exchange(req, resp, params, globs, name, limit)
        length = env.get('CONTENT_LENGTH')
        if length:
            if not length.isdigit() or int(length) > limit:
                x.check_size()
        elif 'HTTP_TRANSFER_ENCODING' in env:
            x.check_size()
        for step in pre:
            step(x)
        try:
            if direct is not None:
                direct(req, resp, **params)
            else:
                run(x)
        except (falcon.HTTPError, falcon.HTTPStatus):
            raise
        except webob.exc.HTTPException as ex:
            raise problem_from_webob(ex) from None
        except Exception as ex:
            if on_error is None:
                raise
            rid = ensure_request_id(req, resp)
            logger.error(
                'request %s: %s %s failed (answering %s): %s: %s',
                rid,
                req.method,
                logged_path(req),
                on_error,
                type(ex).__name__,
                ex,
                exc_info=ex,
            )
            raise internal_error(ex, debug, on_error) from None
        for step in post:
            step(x)

    return responder
