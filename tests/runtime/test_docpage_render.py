"""The /__doc__ page: every path and socket, Markdown descriptions, the rest escaped."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from rbconfig.export.docpage import render_doc_page
from rbconfig.schema import parse_spec
from tests.helpers import child_env

SPEC: dict[str, Any] = {
    'rbconfig': 1,
    'meta': {
        'title': 'Demo <services>',
        'version': '1.0',
        'description': 'The **demo** set.\n\n* one\n* two\n',
    },
    'root': '/demos',
    'paths': {
        'capitalize': {
            'description': 'Capitalizes `text`.',
            'method': 'POST',
            'url': '/capitalize',
            'use': 'python:demos.capitalize',
            'max_body': 1024,
            'request': {
                'headers': {
                    'checks': [
                        {'header': 'Authorization', 'validates': 'python:demos.auth',
                         'return': 401},
                    ]
                },
                'body': {
                    'checks': [{'is': 'json', 'return': 400}],
                    'schema': {'type': 'object', 'title': '<Text & more>'},
                },
            },
            'response': {
                'status': {200: 'Capitalized <b>text</b>', 400: 'Not JSON'},
                'headers': {'set': {'Content-Type': 'application/json'}},
                'body': {'checks': [{'alter': 'python:demos.gzip'}, {'on_error': 500}]},
            },
        },
        'several': {'method': 'PUT|GET|POST', 'url': '/several'},
        'js': {'url': '/js/{name}', 'use': 'directory:media'},
        'upstream': {'url': '/up', 'use': 'proxy:http://127.0.0.1:9'},
    },
    'sockets': {
        '/chat': {
            'description': 'A *chat* room.',
            'events': {
                'message': 'python:chat.message',
                'connect': 'python:chat.hello',
                'say': {
                    'use': 'python:chat.say',
                    'description': 'Say *something*.',
                    'schema': {'type': 'string', 'title': '<said>'},
                    'example': 'hi <all>',
                },
            },
            'emits': {
                'said': {'description': 'Someone said **it**.', 'schema': 'python:chat.Said'},
                'tick': {},
            },
        },
        '/': {'use': 'python:chat.legacy'},
    },
}  # fmt: skip


class _Checker(HTMLParser):
    """Fails on unbalanced tags (a cheap well-formedness check)."""

    VOID = {'meta', 'br', 'hr', 'img', 'input', 'link'}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f'</{tag}> closes {self.stack[-1:]}'
        self.stack.pop()


@pytest.fixture(scope='module')
def page() -> str:
    return render_doc_page(parse_spec(SPEC), openapi_url='/demos/__openapi__.json')


def test_the_page_is_balanced_self_contained_html(page: str) -> None:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert page.startswith('<!DOCTYPE html>')
    assert '<script' not in page
    assert not re.search(r'(src|href)="(https?:)?//', page), 'no external resources'


def test_title_and_descriptions_are_markdown_the_rest_escaped(page: str) -> None:
    assert '<title>Demo &lt;services&gt;</title>' in page
    assert '<strong>demo</strong>' in page
    assert '<li>one</li>' in page
    assert '<code>text</code>' in page
    assert 'Capitalized &lt;b&gt;text&lt;/b&gt;' in page  # a status text is not Markdown
    assert '&quot;&lt;Text &amp; more&gt;&quot;' in page  # schema shown as escaped JSON
    assert '<em>chat</em>' in page


def test_every_path_with_methods_url_and_handler(page: str) -> None:
    for url in ('/demos/capitalize', '/demos/several', '/demos/js/{name}', '/demos/up'):
        assert f'<span class="url">{url}</span>' in page
    for method in ('PUT', 'GET', 'POST'):
        assert f'<span class="method">{method}</span>' in page
    assert 'Handled by <code>demos.capitalize</code>' in page
    assert 'Answers with an echo of the request' in page
    assert 'Serves the files under the folder <code>media</code>' in page
    assert 'Forwards requests to <code>http://127.0.0.1:9</code>' in page
    assert 'href="/demos/__openapi__.json"' in page


def test_checks_in_plain_words_statuses_and_headers(page: str) -> None:
    assert 'The Authorization header must pass python:demos.auth, otherwise 401.' in page
    assert 'The request body must be JSON, otherwise 400.' in page
    assert 'The response body is transformed by python:demos.gzip.' in page
    assert 'If the handler fails: 500.' in page
    assert '<tr><td><code>400</code></td><td>Not JSON</td></tr>' in page
    assert 'sets <code>Content-Type</code></td><td><code>application/json</code>' in page


def test_every_status_a_path_may_answer(page: str) -> None:
    capitalize = page[page.index('id="path-capitalize"') : page.index('id="path-several"')]
    rows = re.findall(r'<tr><td><code>(\d+)</code></td><td>([^<]*)</td></tr>', capitalize)
    assert rows == [
        ('200', 'Capitalized &lt;b&gt;text&lt;/b&gt;'),
        ('400', 'Not JSON'),  # the spec's words win
        ('401', 'The Authorization header must pass python:demos.auth, otherwise 401.'),
        ('413', 'The request body is larger than 1024 bytes.'),  # its own max_body
        ('415', 'The request body is sent as another type than JSON.'),
        ('422', 'The request body does not match its schema.'),
        ('500', 'python:demos.gzip (alter with) raised an error. The handler failed.'),
    ]
    upstream = page[page.index('id="path-upstream"') :]
    assert '<tr><td>any</td><td>The upstream&#x27;s answer, relayed.</td></tr>' in upstream
    assert '<td><code>504</code></td><td>The upstream did not answer in time.' in upstream
    # What every path answers alike is said once, before the paths.
    general = page[page.index('id="paths"') : page.index('id="path-capitalize"')]
    assert re.findall(r'<tr><td><code>(\d+)</code>', general) == ['400', '405', '413']
    assert 'larger than 1048576 bytes' in general
    assert 'sets <code>Content-Type</code></td><td><code>application/json</code>' in page


def test_sockets_are_documented(page: str) -> None:
    assert 'Namespace <code>/chat</code>' in page
    assert 'over WebSocket or HTTP long-polling' in page
    chat = page[page.index('id="socket-chat"') : page.index('id="socket-root"')]
    sent = chat[chat.index('Events clients send') : chat.index('Events the server sends')]
    assert re.findall(r'<code class="event-name">(\w+)</code> handled by <code>([^<]*)</code>',
                      sent) == [
        ('message', 'python:chat.message'),
        ('connect', 'python:chat.hello'),
        ('say', 'python:chat.say'),
    ]  # fmt: skip
    assert '<p>Say <em>something</em>.</p>' in sent
    assert '&quot;title&quot;: &quot;&lt;said&gt;&quot;' in sent  # the schema, escaped JSON
    assert '<pre>hi &lt;all&gt;</pre>' in sent  # the example
    emitted = chat[chat.index('Events the server sends') :]
    assert re.findall(r'<code class="event-name">(\w+)</code>', emitted) == ['said', 'tick']
    assert '<p>Someone said <strong>it</strong>.</p>' in emitted
    assert 'Schema: the model <code>python:chat.Said</code>' in emitted
    assert 'Namespace <code>/</code>' in page
    assert 'Each connection runs <code>python:chat.legacy</code>' in page


def test_a_spec_with_nothing_says_so() -> None:
    page = render_doc_page(parse_spec({'rbconfig': 1}))
    assert 'no paths and no sockets' in page


def test_links_keep_only_web_and_mail_urls() -> None:
    description = (
        '[web](https://example.org/a) [mail](mailto:a@example.org) [here](#top) [rel](other.html) '
        '[bad](javascript:alert(1)) [tab](java\tscript:alert(2)) [data](DATA:text/html,x) '
        '![img](javascript:alert(3))'
    )
    page = render_doc_page(parse_spec({'rbconfig': 1, 'meta': {'description': description}}))
    kept = re.findall(r'(?:href|src)="([^"]*)"', page.partition('<h1>')[2])
    assert [url for url in kept if 'openapi' not in url] == [
        'https://example.org/a',
        'mailto:a@example.org',
        '#top',
        'other.html',
    ]
    assert 'alert(' not in ''.join(kept) and '>bad</a>' in page  # the text stays, the URL goes


def test_restructured_text_descriptions_read_acceptably() -> None:
    spec = parse_spec(
        {
            'rbconfig': 1,
            'meta': {
                'description': '\n    Key exchange.\n\n    Uses **JPAKE**; see\n'
                '    *the protocol* for details::\n\n        PUT /{channel}\n'
            },
        }
    )
    page = render_doc_page(spec)
    assert '<strong>JPAKE</strong>' in page
    assert '<em>the protocol</em>' in page
    assert '<pre><code>PUT /{channel}' in page


def test_the_docs_command_writes_the_page(tmp_path: Path) -> None:
    spec = tmp_path / 'tiny.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  ping:\n    description: Answers *pong*.\n'
                    '    url: /ping\n')  # fmt: skip
    out = tmp_path / 'tiny.html'
    result = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'docs', str(spec), '-o', str(out)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert '<title>tiny</title>' in page
    assert 'Answers <em>pong</em>.' in page


def test_raw_html_in_descriptions_is_shown_as_text() -> None:
    spec = parse_spec(
        {
            'rbconfig': 1,
            'meta': {'description': 'Send <token> then <script>alert(1)</script> **now**.'},
            'paths': {'p': {'url': '/p', 'description': '<div onclick="x()">hi</div>'}},
        }
    )
    page = render_doc_page(spec)
    assert '<script>alert' not in page and '<div onclick' not in page
    assert (
        'Send &lt;token&gt; then &lt;script&gt;alert(1)&lt;/script&gt; <strong>now</strong>.'
        in page
    )
    assert '<p>&lt;div onclick="x()"&gt;hi&lt;/div&gt;</p>' in page
