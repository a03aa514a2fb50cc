"""Built-in handlers behind ``file:``, ``directory:``, ``proxy:`` and a missing ``use``.

* ``file:PATH`` serves the file as a static server does (:mod:`.files`:
  streamed, ETag and Last-Modified, 304, ranges, content type by name).
* ``directory:PATH`` serves ``PATH/<name>`` the same way, ``name`` being the
  route's ``{name}`` placeholder (RedBarrel used ``/js/{name}``; write
  ``{name:.*}`` to allow sub-folders). There is no way out of the folder:
  ``..``, hidden names, absolute paths, backslashes, NUL bytes and symlinks
  resolving outside all answer 404.
* A ``file:`` or ``directory:`` path whose response body has checks or a
  schema gets the whole file in memory, with no validators and no ranges:
  the checks need the whole body, and an ``alter`` changes it.
* ``proxy:http(s)://host:port[/base]`` forwards to an upstream (:mod:`.proxy`).
* No ``use``: RedBarrel's dummy, an echo of the request as text/plain; with
  ``--mock``, the response's example instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..schema import Path as SpecPath
from .bodies import BodySchema, example_from_schema
from .conventions import Runner
from .exchange import Exchange
from .files import content_type_of, serve_file
from .problems import HTTPProblem
from .proxy import Proxy

__all__ = [
    'directory_runner',
    'dummy_runner',
    'file_runner',
    'mock_runner',
    'proxy_runner',
    'safe_child',
]


def _serve(x: Exchange, path: str, content_type: str, whole: bool, follow: bool) -> None:
    if not whole:
        serve_file(x.req, x.resp, path, content_type, follow=follow)
        return
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except OSError:
        raise HTTPProblem(404, 'No such file.') from None
    x.resp.content_type = content_type
    x.resp.data = data


def file_runner(path: Path, *, whole: bool = False) -> Runner:
    """Serve one file (``whole``: in memory, for response body checks)."""
    content_type = content_type_of(path.name)
    where = os.fspath(path)

    def run(x: Exchange) -> None:
        _serve(x, where, content_type, whole, True)

    return run


def safe_child(root: str, name: str) -> str | None:
    """The real path of ``root/name`` if it is a file inside ``root``, else None."""
    if not name or '\0' in name or '\\' in name or name.startswith('/'):
        return None
    for part in name.split('/'):
        if not part or part.startswith('.'):
            return None
    real = os.path.realpath(os.path.join(root, name))
    if not real.startswith(root + os.sep) or not os.path.isfile(real):
        return None
    return real


def directory_runner(folder: Path, *, whole: bool = False) -> Runner:
    """Serve the files of one folder, by the ``name`` URL param (``whole``: as above)."""
    root = os.path.realpath(folder)

    def run(x: Exchange) -> None:
        real = safe_child(root, x.params.get('name', ''))
        if real is None:
            raise HTTPProblem(404, 'No such file.')
        _serve(x, real, content_type_of(real), whole, False)  # real: no symlink to follow

    return run


def dummy_runner() -> Runner:
    """RedBarrel's dummy: the request, as text."""

    def run(x: Exchange) -> None:
        x.body  # noqa: B018 - read (bounded) before WebOb renders the request
        x.resp.content_type = 'text/plain; charset=utf-8'
        x.resp.data = x.request.as_bytes()

    return run


def mock_runner(path: SpecPath, schema: BodySchema | None) -> Runner:
    """An example answer built from the spec, for paths without a handler."""
    response = path.response
    body = response.body if response is not None else None
    statuses = response.status if response is not None else {}
    success = sorted(code for code in statuses if 200 <= code < 300)
    status = success[0] if success else 200
    if body is not None and body.example is not None:
        example: Any = body.example
    elif schema is not None:
        example = example_from_schema(schema.json_schema)
    elif success:
        text = statuses[status]

        def describe(x: Exchange) -> None:
            x.resp.status = status
            x.resp.content_type = 'text/plain; charset=utf-8'
            x.resp.text = text

        return describe
    else:
        return dummy_runner()
    if isinstance(example, str):
        data, content_type = example.encode(), 'text/plain; charset=utf-8'
    else:
        data, content_type = json.dumps(example).encode(), 'application/json'

    def run(x: Exchange) -> None:
        x.resp.status = status
        x.resp.content_type = content_type
        x.resp.data = data

    return run


def proxy_runner(
    target: str,
    template: str,
    connect_timeout: float,
    read_timeout: float,
    *,
    whole: bool = False,
) -> Runner:
    """Forward requests to ``target`` (``http(s)://host:port[/base]``; see :mod:`.proxy`)."""
    return Proxy(target, template, connect_timeout, read_timeout, whole=whole)
