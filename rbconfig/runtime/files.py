"""Files served as a static server serves them: streamed, cached by clients, in ranges.

:func:`serve_file` answers one request for one file (``file:`` and ``directory:``
locations) on Falcon's public request and response API:

* the file is opened once per request and streamed in Falcon's blocks (8 KiB; it is
  never read whole), with ``Content-Length``; a ``HEAD`` gets the headers only;
* ``ETag`` (strong: modification time in nanoseconds and size) and
  ``Last-Modified``; ``If-None-Match`` (weak comparison, ``*``) or, without it,
  ``If-Modified-Since`` answer **304** with no body (RFC 9110 §13.1.2-3, §13.2.2);
* ``Range: bytes=`` with one range (``a-b``, ``a-``, ``-n``) answers **206** with
  ``Content-Range``; a range starting past the end answers **416** with
  ``Content-Range: bytes */size``; ``If-Range`` (a strong ETag or the exact
  ``Last-Modified`` date) that no longer matches gets the whole file; several
  ranges or a malformed header are ignored (the whole file, as RFC 9110 §14.2
  allows); ``Accept-Ranges: bytes`` is always sent;
* the content type comes from the file name, by Python's built-in table (not the
  machine's ``/etc/mime.types``, so every machine answers the same), with
  RFC 9239's ``text/javascript`` and ``; charset=utf-8`` on text types; a
  compressed file (``.gz``, ``.bz2``, ``.xz``, ``.br``) is served as what it is.

Only regular files are served, opened without blocking (a FIFO answers 404
instead of hanging). A file found in a folder by name is opened by its real path
without following a symlink, so one swapped in after the name was checked is
refused too.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from datetime import UTC, datetime
from typing import IO

import falcon

from .problems import HTTPProblem

__all__ = ['content_type_of', 'serve_file']

_TYPES = mimetypes.MimeTypes()  # Python's own table only (see the module docstring)
_MODERN = {
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.json': 'application/json',
    '.map': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.wasm': 'application/wasm',
    '.webp': 'image/webp',
    '.avif': 'image/avif',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
    '.md': 'text/markdown',
    '.yaml': 'application/yaml',
    '.yml': 'application/yaml',
    '.toml': 'application/toml',
}
_COMPRESSED = {
    'gzip': 'application/gzip',
    'bzip2': 'application/x-bzip2',
    'xz': 'application/x-xz',
    'br': 'application/x-brotli',
    'compress': 'application/x-compress',
}
#: Types that are text without being text/*: they get the charset too.
_TEXT_TYPES = frozenset({'application/javascript', 'application/xml', 'image/svg+xml'})


def content_type_of(name: str) -> str:
    """The ``Content-Type`` a file called ``name`` is served with."""
    kind, encoding = _TYPES.guess_type(name, strict=False)
    if encoding is not None:
        return _COMPRESSED.get(encoding, 'application/octet-stream')
    kind = _MODERN.get(os.path.splitext(name)[1].lower(), kind)
    if kind is None:
        return 'application/octet-stream'
    if kind.startswith('text/') or kind in _TEXT_TYPES:
        return f'{kind}; charset=utf-8'
    return kind


class _Part:
    """At most ``length`` bytes of an open file, from where it stands; closes it."""

    def __init__(self, handle: IO[bytes], length: int) -> None:
        self.handle = handle
        self.left = length

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


_OPEN = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


def _open(path: str, follow: bool) -> tuple[IO[bytes], os.stat_result]:
    """The regular file at ``path``, open, and its status; else a 404."""
    try:
        fd = os.open(path, _OPEN if follow else _OPEN | os.O_NOFOLLOW)
    except OSError:
        raise HTTPProblem(404, 'No such file.') from None
    handle = os.fdopen(fd, 'rb', buffering=0)
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        handle.close()
        raise HTTPProblem(404, 'No such file.')
    return handle, status


def _not_modified(req: falcon.Request, etag: str, modified: datetime) -> bool:
    if req.method not in ('GET', 'HEAD'):
        return False
    tags = req.if_none_match
    if tags is not None:  # then If-Modified-Since is ignored (RFC 9110 §13.1.3)
        return any(tag == '*' or tag == etag for tag in tags)
    try:
        since = req.if_modified_since
    except falcon.HTTPBadRequest:  # not a date: ignored, as RFC 9110 §13.1.3 says
        return False
    return since is not None and modified <= since


def _range_wanted(req: falcon.Request, etag: str, modified: datetime) -> tuple[int, int] | None:
    """The one byte range asked for, when it applies (else the whole file is sent)."""
    if req.method != 'GET':
        return None
    try:
        if req.range_unit != 'bytes':
            return None
        wanted = req.range
    except falcon.HTTPError:  # several ranges, or a malformed header: ignored
        return None
    if wanted is None:
        return None
    condition = req.if_range
    if condition is not None:
        condition = condition.strip()
        if condition.startswith(('"', 'W/')):
            if condition != f'"{etag}"':  # a strong comparison: W/ never matches
                return None
        else:
            try:
                if falcon.http_date_to_dt(condition) != modified:
                    return None
            except ValueError:
                return None
    return wanted


def _bounds(wanted: tuple[int, int], size: int) -> tuple[int, int] | None:
    """(first, last) byte of ``wanted`` in a file of ``size`` bytes; None: unsatisfiable."""
    start, end = wanted
    if start < 0:  # the last -start bytes
        return (max(size + start, 0), size - 1) if size else None
    if start >= size:
        return None
    return start, size - 1 if end < 0 else min(end, size - 1)


def serve_file(
    req: falcon.Request, resp: falcon.Response, path: str, content_type: str, *, follow: bool
) -> None:
    """Answer ``req`` with the file at ``path`` (see the module docstring).

    ``follow``: whether a symlink at ``path`` is followed (False for a real path).

    Raises:
        HTTPProblem: 404 when it is not a regular file; 416 for a range past its end.
    """
    handle, status = _open(path, follow)
    size = status.st_size
    etag = f'{status.st_mtime_ns:x}-{size:x}'
    modified = datetime.fromtimestamp(int(status.st_mtime), UTC)
    resp.etag = etag
    resp.last_modified = modified
    resp.accept_ranges = 'bytes'
    if _not_modified(req, etag, modified):
        handle.close()
        resp.status = 304
        return
    resp.content_type = content_type
    start, length = 0, size
    wanted = _range_wanted(req, etag, modified)
    if wanted is not None:
        bounds = _bounds(wanted, size)
        if bounds is None:
            handle.close()
            raise HTTPProblem(
                416,
                f'The file is {size} bytes long; the range asked for is outside it.',
                headers={'Content-Range': f'bytes */{size}'},
            )
        start, last = bounds
        length = last - start + 1
        resp.status = 206
        resp.content_range = (start, last, size)
    if req.method == 'HEAD':
        handle.close()
        resp.content_length = length
        return
    if start:
        handle.seek(start)
    resp.set_stream(_Part(handle, length), length)
