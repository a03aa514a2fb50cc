"""Serve the browser client, ``<path>/socket.io.js``, as the Node server does.

Where the file comes from, first found wins:

1. the spec's ``socketio.client``: ``file:PATH`` (served under every name) or
   ``directory:PATH`` (a folder holding ``socket.io.js``, ``socket.io.min.js``...);
2. the ``RBCONFIG_SOCKETIO_CLIENT`` environment variable (a file or a folder);
3. ``node_modules/socket.io-client/dist/`` (then ``node_modules/socket.io/client-dist/``)
   in the spec's folder and each folder above it, then in the current folder
   and each folder above it: where ``npm install socket.io-client`` puts it;
4. the global npm folders (``$NPM_CONFIG_PREFIX/lib/node_modules``,
   ``/usr/local/lib/node_modules``, ``/usr/lib/node_modules``);
5. otherwise a redirect (302) to the official build on the CDN (:data:`CDN`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ...document import Document
from ...document.resolve import resolve
from ...errors import StartupError
from ...schema import parse_location

__all__ = ['CDN', 'CLIENT_FILES', 'ENV_VARIABLE', 'ClientScript', 'find_client']

logger = logging.getLogger('rbconfig.socket')

#: The official client build the redirect points to.
CDN = 'https://cdn.socket.io/4.8.1/'

#: The names served under the Socket.IO path, and their media types.
CLIENT_FILES: dict[str, str] = {
    'socket.io.js': 'application/javascript; charset=utf-8',
    'socket.io.min.js': 'application/javascript; charset=utf-8',
    'socket.io.esm.min.js': 'application/javascript; charset=utf-8',
    'socket.io.js.map': 'application/json; charset=utf-8',
    'socket.io.min.js.map': 'application/json; charset=utf-8',
    'socket.io.esm.min.js.map': 'application/json; charset=utf-8',
}

#: The environment variable naming a client file or folder.
ENV_VARIABLE = 'RBCONFIG_SOCKETIO_CLIENT'

#: Where npm packages hold the built client, inside a ``node_modules`` folder.
_DIST_FOLDERS = ('socket.io-client/dist', 'socket.io/client-dist')

StartResponse = Callable[..., Any]


class ClientScript:
    """A WSGI responder for the client files: local copy or CDN redirect.

    Args:
        source: a file (served under every name), a folder of built files, or
            None to redirect to the CDN.
    """

    def __init__(self, source: Path | None) -> None:
        self.source = source
        self._cache: dict[Path, tuple[tuple[int, int], bytes, str]] = {}

    def describe(self) -> str:
        """Where the client comes from, for the start-up log."""
        return str(self.source) if self.source is not None else f'{CDN} (redirect)'

    def startup_note(self, folder: Path) -> str:
        """``rbconfig run``'s start-up line: where the client comes from, and how to get
        a local copy when it is the CDN (pages then need the network).

        Args:
            folder: the spec's folder, where ``npm install`` would put a local copy.
        """
        if self.source is not None:
            return f'socket.io.js: a local copy, {self.source}'
        return (
            f'socket.io.js: a redirect to the CDN ({CDN}), so pages need the network; '
            f"for a local copy run 'npm install socket.io-client' in {os.path.relpath(folder)} "
            f'(or a folder above it), or set {ENV_VARIABLE}=DIR (docs/sockets.md)'
        )

    def file_for(self, name: str) -> Path | None:
        """The local file served as ``name``, or None (not there: redirect)."""
        if self.source is None:
            return None
        if self.source.is_file():
            return self.source if name in ('socket.io.js', 'socket.io.min.js') else None
        found = self.source / name
        if found.is_file():
            return found
        if name == 'socket.io.js' and (self.source / 'socket.io.min.js').is_file():
            return self.source / 'socket.io.min.js'
        return None

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse, name: str
    ) -> list[bytes]:
        """Answer a request for ``name`` (one of :data:`CLIENT_FILES`)."""
        method = environ.get('REQUEST_METHOD', 'GET')
        if method not in ('GET', 'HEAD'):
            start_response('405 Method Not Allowed', [('Allow', 'GET, HEAD')])
            return [b'']
        path = self.file_for(name)
        if path is None:
            target = CDN + ('socket.io.min.js' if name == 'socket.io.js' else name)
            start_response('302 Found', [('Location', target), ('Content-Length', '0')])
            return [b'']
        try:
            body, etag = self._read(path)
        except OSError:
            logger.exception('cannot read the Socket.IO client %s', path)
            start_response('404 Not Found', [('Content-Length', '0')])
            return [b'']
        headers = [('ETag', etag), ('Cache-Control', 'public, max-age=0')]
        if environ.get('HTTP_IF_NONE_MATCH') == etag:
            start_response('304 Not Modified', headers)
            return [b'']
        headers += [('Content-Type', CLIENT_FILES[name]), ('Content-Length', str(len(body)))]
        start_response('200 OK', headers)
        return [b''] if method == 'HEAD' else [body]

    def _read(self, path: Path) -> tuple[bytes, str]:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is None or cached[0] != key:
            body = path.read_bytes()
            etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
            cached = (key, body, etag)
            self._cache[path] = cached
        return cached[1], cached[2]


def _upwards(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.parents


def candidates(document: Document) -> Iterable[Path]:
    """The folders searched for an npm-installed client, in order."""
    roots: list[Path] = []
    for start in (document.folder, Path.cwd().resolve()):
        for folder in _upwards(start):
            if folder not in roots:
                roots.append(folder)
    for folder in roots:
        for dist in _DIST_FOLDERS:
            yield folder / 'node_modules' / dist
    global_roots = []
    prefix = os.environ.get('NPM_CONFIG_PREFIX')
    if prefix:
        global_roots.append(Path(prefix) / 'lib' / 'node_modules')
    global_roots += [Path('/usr/local/lib/node_modules'), Path('/usr/lib/node_modules')]
    for root in global_roots:
        for dist in _DIST_FOLDERS:
            yield root / dist


def find_client(document: Document) -> ClientScript:
    """The client script for ``document``, searched as the module docstring says.

    Raises:
        StartupError: ``socketio.client`` is not a ``file:`` or ``directory:``
            that exists, or ``RBCONFIG_SOCKETIO_CLIENT`` names nothing.
    """
    settings = document.spec.socketio
    if settings is not None and settings.client is not None:
        loc = ('socketio', 'client')
        if parse_location(settings.client).scheme not in ('file', 'directory'):
            raise StartupError.at(
                document,
                loc,
                f"the Socket.IO client must be a 'file:' or 'directory:' location, "
                f'got {settings.client!r}',
            )
        return ClientScript(resolve(document, loc, settings.client))
    named = os.environ.get(ENV_VARIABLE)
    if named:
        path = Path(named).expanduser().resolve()
        if not path.exists():
            raise StartupError.at(
                document, ('socketio',), f'{ENV_VARIABLE}={named}: no such file or folder'
            )
        return ClientScript(path)
    for folder in candidates(document):
        if (folder / 'socket.io.min.js').is_file():
            return ClientScript(folder)
    return ClientScript(None)
