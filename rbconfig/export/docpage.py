"""The ``/__doc__`` page: one self-contained HTML page documenting a spec.

Every path (methods, URL, description, what it runs, its checks in plain
words, every status it may answer, headers it sets) and every Socket.IO
namespace (its handlers, the events clients send and those the server sends,
with their descriptions, schemas and examples). Descriptions are rendered from
Markdown. RedBarrel's descriptions were reStructuredText; Markdown reads most reST-ish text
(paragraphs, ``*emphasis*``, ``**strong**``, lists, literal blocks)
acceptably, so there is one renderer. Raw HTML inside a description is
shown as text, a link or image URL of a scheme other than http, https and
mailto is dropped (``javascript:``), and everything else (names, URLs,
statuses, headers, schemas) is HTML-escaped: nothing in a spec puts markup or
scripts on the page.
Nothing here imports falcon.
"""

from __future__ import annotations

import json
import textwrap
import threading
from html import escape
from typing import Any

import markdown
import markdown.treeprocessors

from ..document import Document
from ..errors import redact
from ..schema import (
    BodySection,
    Path,
    Schema,
    Section,
    SocketMessage,
    SocketNamespace,
    Spec,
    full_url,
    parse_location,
)
from .answers import RELAYED, general_answers, path_answers
from .words import check_sentence, title_of

__all__ = ['render_doc_page']

_STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { margin-bottom: .2rem; } h1 small { color: var(--muted); font-weight: normal; font-size: 1rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2.2rem; }
h3 { margin: 0 0 .4rem; font-size: 1.05rem; }
h4 { margin: .8rem 0 .2rem; font-size: .85rem; text-transform: uppercase; color: var(--muted); }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: var(--soft); padding: .6rem; overflow-x: auto; border-radius: 6px; }
a { color: var(--accent); }
nav ul { columns: 2; padding-left: 1.2rem; }
.entry { border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1rem; margin: 1rem 0; }
.method { display: inline-block; font: bold 12px/1 ui-monospace, monospace; padding: .25rem .45rem;
          border-radius: 4px; background: #ddf4ff; color: #0550ae; margin-right: .25rem; }
.url { font: 600 14px ui-monospace, monospace; }
.name { color: var(--muted); float: right; font-size: .85rem; }
table { border-collapse: collapse; } td, th { text-align: left; padding: .15rem .8rem .15rem 0;
  vertical-align: top; }
ul.checks { margin: .2rem 0; padding-left: 1.2rem; }
.muted { color: var(--muted); }
.event { margin: .5rem 0 .8rem; padding-left: .8rem; border-left: 3px solid var(--line); }
"""


def render_doc_page(
    spec: Spec | Document, *, openapi_url: str | None = None, asyncapi_url: str | None = None
) -> str:
    """The HTML documentation page of ``spec``.

    Args:
        spec: the spec, or its loaded document.
        openapi_url: a link to the OpenAPI document to show, if any.
        asyncapi_url: a link to the AsyncAPI document to show, if any.

    Returns:
        A complete HTML document (CSS inline, no scripts, no external resources).
    """
    model = spec.spec if isinstance(spec, Document) else spec
    meta = model.meta
    title = title_of(spec)
    out: list[str] = [
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title>{escape(title)}</title>',
        f'<style>{_STYLE}</style>',
        '</head><body>',
    ]
    version = f' <small>version {escape(meta.version)}</small>' if meta and meta.version else ''
    out.append(f'<h1>{escape(title)}{version}</h1>')
    if meta and meta.description:
        out.append(_markdown(meta.description))
    links = []
    if openapi_url:
        links.append(f'<a href="{escape(openapi_url)}">OpenAPI 3.1 document</a>')
    if asyncapi_url and model.sockets:
        links.append(f'<a href="{escape(asyncapi_url)}">AsyncAPI 3.0 document</a>')
    if model.root:
        links.append(f'every URL starts with <code>{escape(model.root)}</code>')
    if links:
        out.append(f'<p class="muted">{" · ".join(links)}</p>')

    paths = [(name, path) for name, path in model.paths.items() if path.url is not None]
    out.append(_contents(model, paths))
    if paths:
        out.append('<h2 id="paths">Paths</h2>')
        out.append(_general(model))
        for name, path in paths:
            out.append(_path(model, name, path))
    if model.sockets:
        out.append('<h2 id="sockets">Socket.IO</h2>')
        endpoint = model.socketio.path if model.socketio else '/socket.io'
        out.append(
            f'<p>Endpoint <code>{escape(endpoint)}</code> (Socket.IO protocol 5, over '
            'WebSocket or HTTP long-polling).</p>'
        )
        for namespace, socket in model.sockets.items():
            out.append(_namespace(namespace, socket))
    out.append('<p class="muted">Generated by rbconfig.</p>')
    out.append('</body></html>')
    return '\n'.join(out) + '\n'


def _contents(model: Spec, paths: list[tuple[str, Path]]) -> str:
    if not paths and not model.sockets:
        return '<p class="muted">This spec has no paths and no sockets.</p>'
    items = [
        f'<li><a href="#path-{_anchor(name)}">{_methods_text(path)} '
        f'{escape(full_url(model.root, path.url or "/"))}</a></li>'
        for name, path in paths
    ]
    items += [
        f'<li><a href="#socket-{_anchor(namespace)}">Socket.IO {escape(namespace)}</a></li>'
        for namespace in model.sockets
    ]
    return '<nav><ul>' + ''.join(items) + '</ul></nav>'


def _path(model: Spec, name: str, path: Path) -> str:
    url = full_url(model.root, path.url or '/')
    methods = ''.join(f'<span class="method">{escape(method)}</span>' for method in path.methods)
    out = [
        f'<section class="entry" id="path-{_anchor(name)}">',
        f'<h3><span class="name">{escape(name)}</span>{methods} '
        f'<span class="url">{escape(url)}</span></h3>',
    ]
    if path.description:
        out.append(_markdown(path.description))
    out.append(f'<p>{_use_words(path.use)}</p>')
    request, response = path.request, path.response
    if request is not None:
        if request.description:
            out.append(_markdown(request.description))
        out.append(_section('Request headers', request.headers, 'request'))
        out.append(_section('Request body', request.body, 'request'))
    if response is not None:
        out.append(_section('Response headers', response.headers, 'response'))
        out.append(_section('Response body', response.body, 'response'))
    answers = path_answers(model, path)
    out.append('<h4>Statuses</h4><table>')
    for status, answer in answers.statuses.items():
        if not answer.general:
            out.append(f'<tr><td><code>{status}</code></td><td>{escape(answer.says)}</td></tr>')
    if answers.relayed:
        out.append(f'<tr><td>any</td><td>{escape(RELAYED)}</td></tr>')
    out.append('</table>')
    out.append('</section>')
    return '\n'.join(part for part in out if part)


def _section(title: str, section: Section | None, part: str) -> str:
    if section is None:
        return ''
    out = [f'<h4>{escape(title)}</h4>']
    if section.description:
        out.append(_markdown(section.description))
    if section.checks:
        out.append('<ul class="checks">')
        out += [f'<li>{escape(check_sentence(check, part))}</li>' for check in section.checks]
        out.append('</ul>')
    if section.set:
        out.append('<table>')
        for header, value in section.set.items():
            out.append(
                f'<tr><td>sets <code>{escape(header)}</code></td>'
                f'<td><code>{escape(value)}</code></td></tr>'
            )
        out.append('</table>')
    if isinstance(section, BodySection):
        out += _schema_and_example(section.schema_, section.example)
    return '\n'.join(out) if len(out) > 1 else ''


def _schema_and_example(schema: Schema | None, example: Any) -> list[str]:
    out = []
    if isinstance(schema, dict):
        out.append('<p>Schema:</p>' + _pre(schema))
    elif schema:
        out.append(f'<p>Schema: the model <code>{escape(schema)}</code>.</p>')
    if example is not None:
        out.append('<p>Example:</p>' + _pre(example))
    return out


def _general(model: Spec) -> str:
    """The answers every path gives alike, said once."""
    rows = ''.join(
        f'<tr><td><code>{status}</code></td><td>{escape(answer.says)}</td></tr>'
        for status, answer in general_answers(model).items()
    )
    return (
        '<p>Every path may also answer these (as <code>application/problem+json</code>, '
        'like every error; a path with its own <code>max_body</code> says its 413):</p>'
        f'<table>{rows}</table>'
    )


def _namespace(namespace: str, socket: SocketNamespace) -> str:
    out = [
        f'<section class="entry" id="socket-{_anchor(namespace)}">',
        f'<h3>Namespace <code>{escape(namespace)}</code></h3>',
    ]
    if socket.description:
        out.append(_markdown(socket.description))
    if socket.use:
        out.append(
            f'<p>Each connection runs <code>{escape(socket.use)}</code> '
            '(RedBarrel style, reads <code>request.socketio</code>; it receives the '
            '<code>message</code> events).</p>'
        )
    if socket.events:
        out.append('<h4>Events clients send</h4>')
        for event, handler in socket.events.items():
            out.append(_event(event, handler, f'handled by <code>{escape(handler.use)}</code>'))
    if socket.emits:
        out.append('<h4>Events the server sends</h4>')
        for event, message in socket.emits.items():
            out.append(_event(event, message, ''))
    out.append('</section>')
    return '\n'.join(out)


def _event(event: str, message: SocketMessage, handled: str) -> str:
    out = [f'<div class="event"><p><code class="event-name">{escape(event)}</code> {handled}</p>']
    if message.description:
        out.append(_markdown(message.description))
    out += _schema_and_example(message.schema_, message.example)
    out.append('</div>')
    return '\n'.join(out)


def _use_words(use: str | None) -> str:
    if use is None:
        return 'Answers with an echo of the request (<code>text/plain</code>).'
    location = parse_location(use)
    target = f'<code>{escape(redact(location.target))}</code>'
    return {
        'python': f'Handled by {target}.',
        'file': f'Serves the file {target}.',
        'directory': f'Serves the files under the folder {target}.',
        'proxy': f'Forwards requests to {target}.',
    }[location.scheme]


def _methods_text(path: Path) -> str:
    return escape('|'.join(path.methods))


def _pre(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return f'<pre>{escape(text)}</pre>'


#: One Markdown renderer per thread, reset between descriptions (making one
#: costs five times converting a short description).
_renderers = threading.local()


def _markdown(text: str) -> str:
    renderer = getattr(_renderers, 'renderer', None)
    if renderer is None:
        renderer = _renderers.renderer = markdown.Markdown(extensions=['extra', 'sane_lists'])
        # Raw HTML is shown as text: '<token>' in an old description stays visible,
        # and a spec cannot put markup or scripts on the page.
        renderer.preprocessors.deregister('html_block')
        renderer.inlinePatterns.deregister('html')
        # After the inline patterns (priority 20) have made the links.
        renderer.treeprocessors.register(_SafeLinks(renderer), 'rbconfig_safe_links', 0)
    return renderer.reset().convert(_dedent(text))


#: The URL schemes a description's links and images may use (else the URL is dropped).
_SAFE_SCHEMES = frozenset({'http', 'https', 'mailto'})


class _SafeLinks(markdown.treeprocessors.Treeprocessor):
    """Drops link and image URLs of other schemes: ``[x](javascript:...)`` would run a
    script from the spec on the page."""

    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ('href', 'src'):
                url = element.get(attribute)
                if url is not None and not _safe_url(url):
                    del element.attrib[attribute]


def _safe_url(url: str) -> bool:
    # Browsers skip white space and control characters inside a scheme ('java\tscript:').
    cleaned = ''.join(char for char in url if char > ' ').lower()
    scheme, colon, _ = cleaned.partition(':')
    if not colon or any(char in scheme for char in '/?#'):
        return True  # no scheme: a relative URL or a fragment
    return scheme in _SAFE_SCHEMES


def _dedent(text: str) -> str:
    text = text.strip('\n')
    first, _, rest = text.partition('\n')
    # A description often starts right after the quotes and indents the rest.
    return (first.strip() + '\n' + textwrap.dedent(rest)).strip()


def _anchor(text: str) -> str:
    return (
        ''.join(char if char.isalnum() or char in '-_' else '-' for char in text).strip('-')
        or 'root'
    )
