"""Python handlers: three calling conventions, chosen once at start-up.

The convention is read from the handler's signature when the app is built
(never by catching ``TypeError`` at call time), or forced with the path
extension ``x-handler: legacy | falcon | json``:

``legacy``  (RedBarrel) — two or more positional parameters, the first named
    ``globs`` or ``globals``: ``handler(globs, request, **params)``.
    ``request`` is a WebOb request with ``match`` (URL params + ``action``)
    and ``response``; ``params`` is ``dict(request.GET)`` for GET and DELETE
    only (keys the handler does not accept are left out unless it takes
    ``**kwargs``). It returns str/bytes (the body; into ``request.response``
    if the handler used it, else a new WebOb Response, text/html by WebOb's
    default), a WebOb Response, or raises ``webob.exc`` HTTP errors.

``falcon`` — the first two parameters named ``req``/``request`` and
    ``resp``/``response``: ``handler(req, resp, **url_params)`` gets Falcon's
    request and response, exactly like a Falcon responder.

``json``  — anything else: plain Python. Each parameter is filled by name:
    a URL placeholder; ``body`` (the parsed JSON body, or the validated
    Pydantic model when the spec names one; raw bytes for non-JSON media
    types); ``raw`` (body bytes); ``query`` (dict of query params);
    ``headers`` (case-insensitive); ``globs``; ``req``/``resp`` (Falcon);
    ``request`` (WebOb); any other name is read from the query string
    (400 when missing and it has no default). URL and query parameters
    annotated ``int`` or ``float`` are converted (400 when they are not).
    The return value becomes the response: dict/list/number/bool/Pydantic model → JSON, str →
    text/plain, bytes → application/octet-stream, None → 204; a tuple
    ``(value, status)`` or ``(value, status, headers)`` sets those too.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import falcon
import pydantic
import webob

from ..document import Document
from ..document.conventions import (
    CONVENTIONS,
    Convention,
    Param,
    falcon_missing,
    parameter_source,
    params_of,
    positional_only,
    takes_kwargs,
)
from ..document.conventions import convention_of as _convention_of_params
from ..errors import Loc, StartupError
from . import json_text
from .bodies import is_json_media, parse_json_body
from .exchange import UNSET, Exchange
from .problems import HTTPProblem

__all__ = ['CONVENTIONS', 'Convention', 'Runner', 'build_runner', 'convention_of', 'copy_webob']

#: Fills ``x.resp`` for one exchange.
Runner = Callable[[Exchange], None]

_JSON = 'application/json'
_WEBOB_DEFAULT_TYPE = 'text/html; charset=UTF-8'


def _params(func: Callable[..., Any]) -> tuple[Param, ...] | None:
    """``func``'s parameters, or None when it has no readable signature (some builtins)."""
    try:
        return params_of(inspect.signature(func))
    except (TypeError, ValueError):
        return None


def convention_of(func: Callable[..., Any]) -> Convention:
    """The calling convention of ``func``, read from its signature (legacy without one)."""
    params = _params(func)
    return 'legacy' if params is None else _convention_of_params(params)


def build_runner(
    document: Document,
    loc: Loc,
    func: Any,
    *,
    placeholders: list[str],
    forced: str | None,
) -> tuple[Convention, Runner]:
    """The runner calling ``func`` in its convention.

    Raises:
        StartupError: ``func`` is not callable, or cannot take the URL params.
    """
    if not callable(func):
        raise StartupError.at(document, loc, f'the handler is not callable ({func!r})')
    if forced is not None and forced not in CONVENTIONS:
        raise StartupError.at(
            document, loc, f'x-handler must be one of {", ".join(CONVENTIONS)}, got {forced!r}'
        )
    params = _params(func)
    convention = next((c for c in CONVENTIONS if c == forced), None) or convention_of(func)
    if convention == 'legacy':
        return convention, _legacy(func, params)
    if convention == 'falcon':
        if params is not None:
            missing = falcon_missing(params, placeholders)
            if missing:
                raise StartupError.at(
                    document,
                    loc,
                    f'the handler {_name(func)} does not take the URL params {missing}',
                )
        return convention, func
    return convention, _json_style(document, loc, func, placeholders)


def _name(func: Any) -> str:
    return getattr(func, '__qualname__', None) or repr(func)


# ---------------------------------------------------------------- legacy


def _legacy(func: Callable[..., Any], params: tuple[Param, ...] | None) -> Runner:
    accepts: frozenset[str] | None = None
    if params is not None and not takes_kwargs(params):
        accepts = frozenset(
            p.name for p in params[2:] if p.kind in ('POSITIONAL_OR_KEYWORD', 'KEYWORD_ONLY')
        )

    def run(x: Exchange) -> None:
        request = x.request
        params: dict[str, Any] = {}
        if x.req.method in ('GET', 'DELETE', 'HEAD') and x.req.query_string:
            try:
                params = dict(request.GET)
            except UnicodeDecodeError:  # WebOb decodes the query as UTF-8, strictly
                raise HTTPProblem(400, 'The query string is not valid UTF-8.') from None
            if accepts is not None:
                params = {key: value for key, value in params.items() if key in accepts}
        result = func(x.globs, request, **params)  # webob.exc errors: see app._responder
        if isinstance(result, webob.Response):
            copy_webob(result, x.resp)
            return
        response = request.environ.get('rbconfig.response')
        if response is None and isinstance(result, str | bytes | bytearray):
            # What a fresh WebOb Response would give, without building one.
            resp = x.resp
            resp.content_type = _WEBOB_DEFAULT_TYPE
            if isinstance(result, str):
                resp.text = result
            else:
                resp.data = bytes(result)
            return
        if response is None:
            response = webob.Response()
        if isinstance(result, str):
            response.text = result
        elif isinstance(result, bytes | bytearray):
            response.body = bytes(result)
        elif isinstance(result, dict | list):
            response.content_type = _JSON
            response.body = json.dumps(result, allow_nan=False).encode()
        elif result is not None:
            raise TypeError(
                f'{_name(func)} returned {type(result).__name__}; expected str, bytes '
                'or a webob Response'
            )
        copy_webob(response, x.resp)

    return run


def copy_webob(response: webob.Response, resp: falcon.Response) -> None:
    """Write a WebOb response into Falcon's ``resp``."""
    resp.status = response.status_code
    for name, value in response.headerlist:
        if name.lower() == 'content-length':
            continue
        resp.append_header(name, value)
    resp.data = response.body


# ---------------------------------------------------------------- json


def _json_style(
    document: Document,
    loc: Loc,
    func: Callable[..., Any],
    placeholders: list[str],
) -> Runner:
    fillers: list[tuple[str, Callable[[Exchange], Any]]] = []
    try:
        signature: inspect.Signature | None = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None
    pass_all = signature is None or takes_kwargs(params_of(signature))
    named: set[str] = set()
    if signature is not None:
        refused = positional_only(params_of(signature))
        if refused is not None:
            raise StartupError.at(
                document,
                loc,
                f'the handler {_name(func)} has a positional-only parameter {refused!r}; '
                'parameters are filled by name',
            )
        for param in signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            named.add(param.name)
            fillers.append((param.name, _filler(param, placeholders)))
    extra = [name for name in placeholders if name not in named] if pass_all else []

    def run(x: Exchange) -> None:
        kwargs = {name: fill(x) for name, fill in fillers}
        if extra:
            params = x.params
            for name in extra:
                kwargs[name] = params[name]
        write_result(func(**kwargs), x.resp)

    return run


def _filler(param: inspect.Parameter, placeholders: list[str]) -> Callable[[Exchange], Any]:
    name = param.name
    convert = _converter(param)
    source = parameter_source(name, placeholders)
    if source == 'url':
        if convert is None:
            return lambda x: x.params[name]
        return lambda x: convert(x.params[name], 'URL parameter', name)
    if source == 'special':
        return _SPECIAL_FILLERS[name]
    default = param.default

    def query_value(x: Exchange) -> Any:
        value = x.req.get_param(name)
        if value is None:
            if default is inspect.Parameter.empty:
                raise HTTPProblem(400, f'missing query parameter {name!r}')
            return default
        return value if convert is None else convert(value, 'query parameter', name)

    return query_value


def _body(x: Exchange) -> Any:
    # With a schema, its step has set x.parsed (the data or the Pydantic model).
    if x.parsed is not UNSET:
        return x.parsed
    raw = x.body
    if not is_json_media(x.req.content_type):
        return raw
    return parse_json_body(raw) if raw else None


#: What each of the json-style SPECIAL_PARAMETERS is given.
_SPECIAL_FILLERS: dict[str, Callable[[Exchange], Any]] = {
    'body': _body,
    'raw': lambda x: x.body,
    'query': lambda x: dict(x.req.params),
    'headers': lambda x: x.request.headers,
    'globs': lambda x: x.globs,
    'req': lambda x: x.req,
    'resp': lambda x: x.resp,
    'request': lambda x: x.request,
}


_NUMBERS: dict[Any, Callable[[str], Any]] = {
    int: json_text.to_int,
    'int': json_text.to_int,
    float: json_text.to_float,
    'float': json_text.to_float,
}


def _converter(param: inspect.Parameter) -> Callable[[str, str, str], Any] | None:
    """For a parameter annotated ``int`` or ``float``: text → number, else a 400."""
    number = _NUMBERS.get(param.annotation)
    if number is None:
        return None
    kind = getattr(param.annotation, '__name__', param.annotation)

    def convert(text: str, what: str, name: str) -> Any:
        try:
            return number(text)
        except ValueError:
            raise HTTPProblem(400, f'{what} {name!r} must be {kind}, got {text!r}') from None

    return convert


def write_result(result: Any, resp: falcon.Response) -> None:
    """Turn a json-style handler's return value into the response."""
    if type(result) is str:  # the common case first
        resp.content_type = 'text/plain; charset=utf-8'
        resp.text = result
        return
    if isinstance(result, tuple):
        value, status, *rest = result
        resp.status = status
        if value is not None:
            write_result(value, resp)
        for header, text in (rest[0] if rest else {}).items():
            resp.set_header(header, text)
        return
    if result is None:
        resp.status = 204
        return
    if isinstance(result, str):
        resp.content_type = 'text/plain; charset=utf-8'
        resp.text = result
    elif isinstance(result, bytes | bytearray):
        resp.content_type = 'application/octet-stream'
        resp.data = bytes(result)
    elif isinstance(result, pydantic.BaseModel):
        resp.content_type = _JSON
        resp.data = result.model_dump_json().encode()
    else:
        resp.content_type = _JSON
        resp.data = json.dumps(result, allow_nan=False).encode()
