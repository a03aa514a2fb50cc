"""RedBarrel's documentation demo, a URL shortener, with clicks pushed live over Socket.IO.

Most HTTP handlers use RedBarrel's convention ``func(globs, request, **params)``
with a WebOb request (``request.match`` holds the URL fields) and return text,
a WebOb response, or raise ``webob.exc`` errors; :func:`stats` shows the modern
one (parameters filled by name, a dict returned as JSON). The store is the
``store`` global, made once at start-up by :func:`start`.

Socket.IO (modern handlers): a stats page that connects gets ``links`` (every
link), then ``shortened`` for each new link and ``click`` for each redirect,
each ``{id, url, clicks}``. The HTTP handlers push those two through the app's
Socket.IO hub, which every request carries as ``environ['rbconfig.hub']``.
"""

from __future__ import annotations

import html
import json
import logging
from typing import Any

from links import BadUrl, Link, MemoryStore, RedisStore, check_url, open_store, valid_id
from webob import Request, Response
from webob.exc import HTTPNotFound, HTTPSeeOther, HTTPUnsupportedMediaType

__all__ = ['connect', 'redirect', 'shorten', 'shortened', 'start', 'stats']

log = logging.getLogger('shortener')


def start(globs: dict[str, Any]) -> MemoryStore | RedisStore:
    """The ``store`` global: memory, or Redis when ``REDIS_URL``/``redis_url`` is set."""
    store = open_store(globs)
    log.info('shortener: links kept in %r', store)
    return store


def notify(request: Request, event: str, link: Link) -> None:
    """Tell every connected stats page about ``link``, through the app's Socket.IO hub."""
    try:
        request.environ['rbconfig.hub'].emit(event, link.as_json())
    except Exception:  # live stats are a bonus: never fail the request for them
        log.exception('pushing %s failed', event)


def _short_url(request: Request, link: Link) -> str:
    return f'{request.host_url}/r/{link.id}'


def _wants_json(request: Request) -> bool:
    return request.content_type == 'application/json'


def shorten(globs: dict[str, Any], request: Request, **params: Any) -> Response:
    """POST /shorten: a form (``url=``) → 303 to the result page; JSON → 201 ``{id, ...}``."""
    as_json = _wants_json(request)
    if as_json:
        try:
            data = json.loads(request.body or b'null')
        except (ValueError, UnicodeDecodeError):
            return _json_error('the body is not valid JSON')
        url = data.get('url') if isinstance(data, dict) else None
    elif request.content_type in ('application/x-www-form-urlencoded', 'multipart/form-data'):
        url = request.POST.get('url')
    else:
        raise HTTPUnsupportedMediaType(
            'send a form (url=...) or JSON ({"url": "..."}), '
            f'not {request.content_type or "no content type"}'
        )
    try:
        url = check_url(url)
    except BadUrl as ex:
        if as_json:
            return _json_error(str(ex))
        return Response(
            _index_page(error=str(ex), value=url if isinstance(url, str) else ''),
            status=400,
            content_type='text/html',
            charset='utf-8',
        )
    link = globs['store'].add(url)
    notify(request, 'shortened', link)
    if as_json:
        body = {**link.as_json(), 'short_url': _short_url(request, link)}
        response = Response(json=body, status=201)
        response.location = f'/r/{link.id}'
        return response
    raise HTTPSeeOther(location=f'/shortened/{link.id}')


def shortened(globs: dict[str, Any], request: Request, **params: Any) -> Response:
    """GET /shortened/{id}: the HTML page showing a new short link."""
    link_id = request.match['id']
    link = globs['store'].get(link_id) if valid_id(link_id) else None
    if link is None:
        raise HTTPNotFound('no such short link')
    short = _short_url(request, link)
    body = f"""
  <section class="card" id="result">
    <h2>Your short link</h2>
    <p class="short"><a id="short" href="/r/{_e(link.id)}">{_e(short)}</a></p>
    <p class="muted">goes to <span id="long">{_e(link.url)}</span></p>
    <p><a href="/">Shorten another</a> · <a href="/stats.html">Live stats</a></p>
  </section>"""
    return Response(_page('Your short link', body), content_type='text/html', charset='utf-8')


def redirect(globs: dict[str, Any], request: Request, **params: Any) -> Response:
    """GET /r/{id}: 303 to the URL (and a click for the stats), 404 for an unknown id."""
    link_id = request.match['id']
    link = globs['store'].click(link_id) if valid_id(link_id) else None
    if link is None:
        raise HTTPNotFound('no such short link')
    notify(request, 'click', link)
    raise HTTPSeeOther(location=link.url)


def stats(globs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """GET /stats: ``{id: {url, clicks}}`` for every link, oldest first.

    A modern handler: its parameters are filled by name and the dict it
    returns is sent as JSON.
    """
    return {link.id: {'url': link.url, 'clicks': link.clicks} for link in globs['store'].links()}


def connect(ctx: Any) -> None:
    """A stats page connects: send it every link (later changes come from the HTTP handlers)."""
    ctx.emit('links', [link.as_json() for link in ctx.globs['store'].links()])


def _json_error(message: str) -> Response:
    return Response(json={'error': message}, status=400)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _index_page(error: str = '', value: str = '') -> str:
    body = f"""
  <section class="card">
    <h2>Shorten a URL</h2>
    <form method="post" action="/shorten">
      <input type="url" name="url" id="url" required value="{_e(value)}"
             aria-label="URL to shorten">
      <button type="submit">Shorten</button>
    </form>
    <p class="error" id="error">{_e(error)}</p>
  </section>"""
    return _page('Shorten a URL', body)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · URL shortener · rbconfig</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
  <h1><a href="/">URL shortener</a></h1>
  <nav><a href="/stats.html">Live stats</a><a href="/stats">JSON</a></nav>
</header>
<main>{body}
</main>
</body>
</html>
"""
