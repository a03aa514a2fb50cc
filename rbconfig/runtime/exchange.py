"""One request/response pair as the runtime's steps see it.

An :class:`Exchange` holds the Falcon request and response, the URL params,
the request body once read (bounded by the size limit) and, only when some
step asks for it, the WebOb request RedBarrel code expects.
"""

from __future__ import annotations

import io
from typing import Any

import falcon
import webob
import webob.request

from .problems import HTTPProblem

__all__ = ['UNSET', 'Exchange', 'LegacyRequest', 'SpecRequest', 'as_text']

_RESPONSE_KEY = 'rbconfig.response'
_MATCH_KEY = 'rbconfig.match'
_BODY_KEY = 'rbconfig.body'

#: "Not computed yet" (None is a valid JSON value).
UNSET: Any = object()


class SpecRequest(falcon.Request):
    """Falcon's request, as rbconfig's app makes it (``App(request_type=SpecRequest)``).

    When a check has parsed the body as JSON already, :meth:`get_media` (and
    ``media``) return that value instead of parsing the body a second time.
    Everything else is Falcon's own.
    """

    #: The body parsed as JSON by a check, or UNSET (a class default: no per-request cost).
    checked_media: Any = UNSET

    def get_media(self, *args: Any, **kwargs: Any) -> Any:
        """The body as JSON when a check parsed it, else Falcon's :meth:`get_media`."""
        media = self.checked_media
        if media is not UNSET:
            return media
        return super().get_media(*args, **kwargs)

    media: Any = property(get_media)


#: WebOb's own ``body`` property, which :class:`LegacyRequest` falls back to.
_WEBOB_BODY: property = vars(webob.request.BaseRequest)['body']


class LegacyRequest(webob.Request):
    """The WebOb request RedBarrel handlers get.

    Besides WebOb's API it has ``match`` (the URL params plus ``action``, the
    path's name) and ``response``, a WebOb Response created on first use: a
    handler may fill it and return a string for its body.
    """

    @property
    def response(self) -> webob.Response:
        """The response being prepared (created on first access)."""
        found = self.environ.get(_RESPONSE_KEY)
        if found is None:
            found = self.environ[_RESPONSE_KEY] = webob.Response()
        return found

    @response.setter
    def response(self, value: webob.Response) -> None:
        self.environ[_RESPONSE_KEY] = value

    @property
    def body(self) -> bytes:
        """The request body (already read by the runtime: no second read)."""
        cached: bytes | None = self.environ.get(_BODY_KEY)
        if cached is not None:
            return cached
        data: bytes = _WEBOB_BODY.__get__(self, type(self))
        return data

    @body.setter
    def body(self, value: bytes | None) -> None:
        self.environ.pop(_BODY_KEY, None)
        _WEBOB_BODY.__set__(self, value)

    @body.deleter
    def body(self) -> None:
        self.environ.pop(_BODY_KEY, None)
        _WEBOB_BODY.__delete__(self)

    @property
    def match(self) -> dict[str, Any]:
        """The URL params, plus ``action``: the path's name (like a Routes match)."""
        found = self.environ.get(_MATCH_KEY)
        if isinstance(found, tuple):
            name, params = found
            found = {'action': name}
            found.update(params)
            self.environ[_MATCH_KEY] = found
        return found if found is not None else {}

    @match.setter
    def match(self, value: dict[str, Any]) -> None:
        self.environ[_MATCH_KEY] = value


def as_text(value: bytes) -> str | bytes:
    """``value`` as str when it is valid UTF-8, else the bytes unchanged."""
    try:
        return value.decode('utf-8')
    except UnicodeDecodeError:
        return value


class Exchange:
    """A request being served: see the module docstring."""

    __slots__ = ('_body', '_webob', 'globs', 'limit', 'name', 'params', 'parsed', 'req', 'resp')

    def __init__(
        self,
        req: SpecRequest,
        resp: falcon.Response,
        params: dict[str, str],
        globs: dict[str, Any],
        name: str,
        limit: int,
    ) -> None:
        self.req = req
        self.resp = resp
        self.params = params
        self.globs = globs
        self.name = name
        self.limit = limit
        self._body: bytes | None = None
        self._webob: LegacyRequest | None = None
        #: The request body parsed as JSON by a check, or UNSET.
        self.parsed: Any = UNSET

    def check_size(self) -> None:
        """Refuse a too large body from its Content-Length; read a chunked one, bounded.

        Raises:
            HTTPProblem: 413 when the body is larger than the limit.
        """
        env = self.req.env
        length = env.get('CONTENT_LENGTH')
        if length:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                raise HTTPProblem(400, 'The Content-Length header is not a number of bytes.')
            if size > self.limit:
                raise HTTPProblem(
                    413,
                    f'The request body is {size} bytes; this path accepts at most {self.limit}.',
                    max_body=self.limit,
                )
        elif 'chunked' in env.get('HTTP_TRANSFER_ENCODING', '').lower():
            self.body  # noqa: B018 - reads and bounds the body now

    @property
    def body(self) -> bytes:
        """The request body (read once, at most ``limit`` bytes)."""
        data = self._body
        if data is None:
            data = self._body = self._read()
            self._install(data)
        return data

    @body.setter
    def body(self, data: bytes) -> None:
        """Replace the request body; Falcon and WebOb both read the new one."""
        self._body = data
        if self.parsed is not UNSET:
            self.parsed = self.req.checked_media = UNSET
        self._install(data)

    def body_source(self) -> tuple[bytes | Any, int | None]:
        """The request body to pass on, and its length (None: no body).

        The bytes when a step has read the body already (or it came chunked), else
        Falcon's ``req.bounded_stream``, to read as it arrives.
        """
        data = self._body
        if data is not None:
            return data, len(data)
        length = self.req.env.get('CONTENT_LENGTH')
        if length:  # digits, within the limit: checked before any step ran
            return self.req.bounded_stream, int(length)
        return None, None

    def _read(self) -> bytes:
        try:
            return self._read_input()
        except (OSError, ValueError) as ex:  # a broken chunked encoding, a client gone...
            raise HTTPProblem(400, f'The request body could not be read: {ex}') from None

    def _read_input(self) -> bytes:
        env = self.req.env
        stream = env.get('wsgi.input')
        length = env.get('CONTENT_LENGTH')
        if stream is None:
            return b''
        if length:
            return stream.read(int(length))
        if 'chunked' in env.get('HTTP_TRANSFER_ENCODING', '').lower():
            data = stream.read(self.limit + 1)
            if len(data) > self.limit:
                raise HTTPProblem(
                    413,
                    f'The request body is larger than {self.limit} bytes.',
                    max_body=self.limit,
                )
            return data
        return b''

    def _install(self, data: bytes) -> None:
        # One seekable stream for both: WebOb seeks back to 0 after reading. Falcon's
        # req.bounded_stream, made on first use, wraps it too (with the new length).
        stream = io.BytesIO(data)
        req = self.req
        env = req.env
        env['wsgi.input'] = stream
        size = str(len(data))
        if env.get('CONTENT_LENGTH') != size:
            env['CONTENT_LENGTH'] = size
            env.pop('HTTP_TRANSFER_ENCODING', None)
        env['webob.is_body_seekable'] = True
        env[_BODY_KEY] = data
        req.stream = stream

    @property
    def request(self) -> LegacyRequest:
        """The WebOb request (created on first use)."""
        request = self._webob
        if request is None:
            env = self.req.env
            env[_MATCH_KEY] = (self.name, self.params)
            request = self._webob = LegacyRequest(env)
        return request

    def response_body(self) -> bytes:
        """The response body as bytes, whichever way the handler set it."""
        return self.resp.render_body() or b''

    def set_response_body(self, data: bytes) -> None:
        """Replace the response body."""
        resp = self.resp
        resp.text = None
        resp.media = None
        resp.data = data
