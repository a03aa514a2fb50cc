"""``rbconfig run SPEC``: serve a spec with gevent's WSGI server.

gevent's monkey-patching is the first thing done (before falcon, socketio,
redis or ssl are imported), as it must be. With ``--reload`` this process
only watches files and runs the server as a child process.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import TYPE_CHECKING

from .output import print_problem, print_spec_error

if TYPE_CHECKING:
    from ..document import Document
    from ..runtime.server import Timeouts

__all__ = ['LISTEN_FD_ENV', 'run']

#: Set by ``--reload``'s parent: the file descriptor of the listening socket to use.
LISTEN_FD_ENV = 'RBCONFIG_LISTEN_FD'


def run(args: argparse.Namespace) -> int:
    """Serve ``args.spec`` until SIGINT/SIGTERM; returns the exit status."""
    if args.reload:
        from .reload import run_with_reload

        return run_with_reload(args)

    from gevent import monkey

    monkey.patch_all()
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    import socket

    from ..converters import load
    from ..errors import SpecError
    from ..export.pages import introspection_urls
    from ..runtime.descriptors import raise_open_files_limit
    from ..runtime.server import serve
    from ..runtime.tuning import tune_process
    from ..wsgi import wsgi_app

    fd = os.environ.pop(LISTEN_FD_ENV, None)
    listener = socket.socket(fileno=int(fd)) if fd is not None else None
    try:
        document = load(args.spec)
        for warning in document.warnings:
            print_problem(warning)
        app = wsgi_app(document, debug=args.debug, mock=args.mock)
    except Exception as ex:
        if not isinstance(ex, SpecError):
            if listener is None:
                raise
            traceback.print_exc()
        else:
            print_spec_error(ex)
        if listener is None:
            return 1
        # Under --reload: say what is wrong to every request until the next change.
        from .reload import unavailable_app

        banner = ' (the app cannot start: 503 to every request until a change fixes it)'
        return serve(unavailable_app(ex), args.host, args.port, listener=listener, banner=banner)
    if document.spec.sockets:
        from ..runtime.socket import SocketApp

        assert isinstance(app, SocketApp)
        print(f'rbconfig: {app.client.startup_note(document.folder)}', file=sys.stderr)
    # One file descriptor per client connection: allow as many as the system lets us.
    print(f'rbconfig: {raise_open_files_limit()}', file=sys.stderr)
    urls = introspection_urls(document)
    modes = [mode for mode, on in (('debug', args.debug), ('mock', args.mock)) if on]
    banner = f' ({document.file}'
    banner += f'; {", ".join(modes)}' if modes else ''
    banner += f'; docs at {urls["doc"]})'
    tune_process()
    return serve(
        app,
        args.host,
        args.port,
        listener=listener,
        banner=banner,
        timeouts=_timeouts(args, document),
    )


def _timeouts(args: argparse.Namespace, document: Document) -> Timeouts:
    """The server's time limits: the command line's, else the spec's, else the defaults."""
    from ..runtime.server import Timeouts
    from ..schema import ServerSettings

    settings = document.spec.server or ServerSettings()
    return Timeouts(
        header=args.header_timeout or settings.header_timeout,
        idle=args.idle_timeout or settings.idle_timeout,
    )
