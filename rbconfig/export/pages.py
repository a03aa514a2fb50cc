"""The pages a served spec shows about itself: ``/__doc__``, ``/__openapi__.json``
and, when it has sockets, ``/__asyncapi__.json``.

They live under the spec's ``root``: with ``root: /api`` they are
``/api/__doc__``, ``/api/__openapi__.json`` and ``/api/__asyncapi__.json``, so a
reverse proxy that forwards only ``/api`` still shows them.
"""

from __future__ import annotations

import json

from ..document import Document
from ..schema import full_url

__all__ = [
    'ASYNCAPI_JSON',
    'DOC_PAGE',
    'OPENAPI_JSON',
    'introspection_pages',
    'introspection_urls',
]

#: The introspection pages, relative to the spec's root.
DOC_PAGE = '/__doc__'
OPENAPI_JSON = '/__openapi__.json'
ASYNCAPI_JSON = '/__asyncapi__.json'


def introspection_urls(document: Document) -> dict[str, str]:
    """``{'doc': URL, 'openapi': URL}`` for ``document`` (under its root), and
    ``'asyncapi'`` when it has sockets."""
    root = document.spec.root
    urls = {'doc': full_url(root, DOC_PAGE), 'openapi': full_url(root, OPENAPI_JSON)}
    if document.spec.sockets:
        urls['asyncapi'] = full_url(root, ASYNCAPI_JSON)
    return urls


def introspection_pages(document: Document) -> dict[str, tuple[bytes, str]]:
    """URL → (body, content type) of each introspection page of ``document``.

    All are rendered here, once, so a ``python:`` model that cannot be
    imported stops start-up instead of failing a request later.

    Raises:
        StartupError: a ``python:`` body or event schema cannot be imported.
    """
    from .asyncapi import asyncapi_document
    from .docpage import render_doc_page
    from .openapi import openapi_document

    urls = introspection_urls(document)
    pages = {urls['openapi']: (_json(openapi_document(document)), 'application/json')}
    if 'asyncapi' in urls:
        pages[urls['asyncapi']] = (_json(asyncapi_document(document)), 'application/json')
    page = render_doc_page(document, openapi_url=urls['openapi'], asyncapi_url=urls.get('asyncapi'))
    pages[urls['doc']] = (page.encode(), 'text/html; charset=utf-8')
    return pages


def _json(data: object) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode()
