"""WSGI entry points: a spec file in, the app serving it out (for gunicorn and friends).

::

    gunicorn -k gevent 'rbconfig.wsgi:app_factory("apps/hello/hello.yaml")'
    RBCONFIG_SPEC=apps/hello/hello.yaml gunicorn -k gevent rbconfig.wsgi:application

``application`` is built on first access from the ``RBCONFIG_SPEC``
environment variable (``RBCONFIG_DEBUG=1`` and ``RBCONFIG_MOCK=1`` turn on
``--debug`` and ``--mock``). gunicorn's gevent worker monkey-patches before
it loads the app, as ``rbconfig run`` does.

This module sits where the command line does: it loads the spec (a
converter), renders its pages (an exporter) and builds the app (the runtime).
"""

from __future__ import annotations

import logging
import os
import sys
from types import FrameType
from typing import Any

from .document import Document
from .errors import SpecError, StartupError
from .runtime.wsgi import WSGIApp

__all__ = ['app_factory', 'wsgi_app']

_TRUE = ('1', 'true', 'yes', 'on')


def wsgi_app(document: Document, *, debug: bool = False, mock: bool = False) -> WSGIApp:
    """The WSGI callable serving ``document``, with ``/__doc__`` and ``/__openapi__.json``.

    Raises:
        StartupError: a location cannot be resolved (with the spec's file:line:col).
    """
    from .export.pages import introspection_pages
    from .runtime.wsgi import create_wsgi_app

    return create_wsgi_app(document, debug=debug, mock=mock, pages=introspection_pages(document))


def app_factory(
    spec_path: str | os.PathLike[str], *, debug: bool = False, mock: bool = False
) -> WSGIApp:
    """The WSGI app of the spec at ``spec_path``, for gunicorn and other WSGI servers.

    Example::

        gunicorn -k gevent 'rbconfig.wsgi:app_factory("apps/hello/hello.yaml")'

    Raises:
        gunicorn.errors.AppImportError: (under gunicorn) the spec is invalid or
            cannot start; gunicorn prints the problems, each with file:line:col,
            and stops. Elsewhere :class:`~rbconfig.errors.SpecError`.
    """
    from .converters import load

    try:
        document = load(spec_path)
        workers = _gunicorn_workers()
        _check_workers(document, workers)
        if workers is not None:
            _warn_server_settings(document)
        return wsgi_app(document, debug=debug, mock=mock)
    except SpecError as ex:
        raise _load_error(ex) from ex


def _check_workers(document: Document, workers: int | None) -> None:
    """Refuse a socket app served by several workers that share no message queue.

    Without a queue, a broadcast would reach the clients of one worker only, and
    a long-polling client whose requests land on another worker fails with
    "Invalid session". With one, WebSocket clients work on any worker; polling
    still needs each client's requests on one worker, which gunicorn cannot do.

    Raises:
        StartupError: ``workers`` > 1, sockets, and no queue.
    """
    if not document.spec.sockets or workers is None or workers <= 1:
        return
    from .runtime.socket.queue import ENV_VAR, queue_setting

    if queue_setting(document) is None:
        raise StartupError.at(
            document,
            ('sockets',),
            f'gunicorn runs {workers} workers but the spec has sockets and no message queue: '
            f"each worker would reach only its own clients, and polling clients' requests "
            f'would land on workers that do not know them; run one worker (-w 1), or set '
            f'socketio.message_queue (or {ENV_VAR}) and connect clients with '
            f"transports: ['websocket'] (see docs/serving.md)",
        )
    logging.getLogger('rbconfig.socket').warning(
        'gunicorn runs %d workers: WebSocket clients work on any of them (the message queue '
        'joins them), but long-polling clients need every request on one worker, which '
        "gunicorn cannot do: connect with transports: ['websocket'], or run one worker per "
        'port behind a balancer with session affinity (docs/serving.md)',
        workers,
    )


def _warn_server_settings(document: Document) -> None:
    """Say that the spec's ``server`` section has no effect under gunicorn (which parses HTTP)."""
    if document.spec.server is None:
        return
    problem = document.problem(
        ('server',),
        "these settings apply to 'rbconfig run' only; gunicorn has its own: "
        'use --keep-alive (idle keep-alive connections), --timeout and the '
        '--limit-request-* options (docs/serving.md, "gunicorn")',
        'warning',
    )
    logging.getLogger('rbconfig').warning('%s', problem)


def _gunicorn_workers() -> int | None:
    """How many workers the gunicorn that is loading this app runs, or None outside gunicorn.

    gunicorn tells a worker no such thing publicly; the worker object that is
    loading the app (``self`` of a calling frame, what gunicorn's server hooks
    receive as ``worker``) has the configuration, ``worker.cfg.workers``.
    """
    try:
        from gunicorn.workers.base import Worker
    except ImportError:
        return None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get('self')
        if isinstance(candidate, Worker):
            return int(candidate.cfg.workers)
        frame = frame.f_back
    return None


def _load_error(error: SpecError) -> Exception:
    try:
        from gunicorn.errors import AppImportError
    except ImportError:  # not under gunicorn
        return error
    return AppImportError(f'rbconfig: the spec cannot be served:\n{error}')


def _from_environment() -> WSGIApp:
    spec_path = os.environ.get('RBCONFIG_SPEC')
    if not spec_path:
        message = (
            'rbconfig.wsgi:application needs the RBCONFIG_SPEC environment variable '
            '(the spec file to serve), or use '
            '\'rbconfig.wsgi:app_factory("path/to/spec.yaml")\''
        )
        try:
            from gunicorn.errors import AppImportError
        except ImportError:
            raise RuntimeError(message) from None
        raise AppImportError(message)
    return app_factory(
        spec_path,
        debug=os.environ.get('RBCONFIG_DEBUG', '').lower() in _TRUE,
        mock=os.environ.get('RBCONFIG_MOCK', '').lower() in _TRUE,
    )


_application: WSGIApp | None = None


def __getattr__(name: str) -> Any:
    # ``application`` is built on first access, so importing this module is cheap.
    global _application
    if name == 'application':
        if _application is None:
            _application = _from_environment()
        return _application
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
