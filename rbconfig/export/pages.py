"""The pages a served spec shows about itself: ``/__doc__`` and ``/__openapi__.json``.

Both live under the spec's ``root``: with ``root: /api`` they are
``/api/__doc__`` and ``/api/__openapi__.json``, so a reverse proxy that
forwards only ``/api`` still shows them.
"""

from __future__ import annotations

import json

from ..document import Document
from ..schema import full_url

__all__ = ['DOC_PAGE', 'OPENAPI_JSON', 'introspection_pages', 'introspection_urls']

#: The introspection pages, relative to the spec's root.
DOC_PAGE = '/__doc__'
OPENAPI_JSON = '/__openapi__.json'


def introspection_urls(document: Document) -> dict[str, str]:
    """``{'doc': URL, 'openapi': URL}`` for ``document`` (under its root)."""
    root = document.spec.root
    return {'doc': full_url(root, DOC_PAGE), 'openapi': full_url(root, OPENAPI_JSON)}


def introspection_pages(document: Document) -> dict[str, tuple[bytes, str]]:
    """URL → (body, content type) of each introspection page of ``document``.

    Both are rendered here, once, so a ``python:`` model that cannot be
    imported stops start-up instead of failing a request later.

    Raises:
        StartupError: a ``python:`` body schema cannot be imported.
    """
    from .docpage import render_doc_page
    from .openapi import openapi_document

    urls = introspection_urls(document)
    openapi = json.dumps(openapi_document(document), indent=2, ensure_ascii=False).encode()
    page = render_doc_page(document, openapi_url=urls['openapi']).encode()
    return {
        urls['openapi']: (openapi, 'application/json'),
        urls['doc']: (page, 'text/html; charset=utf-8'),
    }
