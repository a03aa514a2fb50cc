"""``rbconfig run SPEC``: serve a spec with gevent's WSGI server.

gevent's monkey-patching is the first thing done (before falcon, socketio,
redis or ssl are imported), as it must be. With ``--reload`` this process
only watches files and runs the server as a child process.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..errors import Problem

__all__ = ['print_problem', 'print_spec_error', 'run', 'write_output']

#: Set by ``--reload``'s parent: the file descriptor of the listening socket to use.
LISTEN_FD_ENV = 'RBCONFIG_LISTEN_FD'


def run(args: argparse.Namespace) -> int:
    """Serve ``args.spec`` until SIGINT/SIGTERM; returns the exit status."""
    if args.reload:
        from ..runtime.reload import run_with_reload

        return run_with_reload(args)

    from gevent import monkey

    monkey.patch_all()
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    import socket

    from ..converters import load
    from ..errors import SpecError
    from ..runtime.server import serve
    from ..runtime.wsgi import create_wsgi_app, introspection_urls

    try:
        document = load(args.spec)
        for warning in document.warnings:
            print_problem(warning)
        app = create_wsgi_app(document, debug=args.debug, mock=args.mock)
    except SpecError as ex:
        print_spec_error(ex)
        return 1
    listener = None
    fd = os.environ.pop(LISTEN_FD_ENV, None)
    if fd is not None:
        listener = socket.socket(fileno=int(fd))
    urls = introspection_urls(document)
    modes = [mode for mode, on in (('debug', args.debug), ('mock', args.mock)) if on]
    banner = f' ({document.file}'
    banner += f'; {", ".join(modes)}' if modes else ''
    banner += f'; docs at {urls["doc"]})'
    return serve(app, args.host, args.port, listener=listener, banner=banner)


def print_spec_error(error: Exception, stream: TextIO | None = None) -> None:
    """Print a SpecError's problems (see :func:`print_problem`), then a summary line."""
    out = stream or sys.stderr
    problems = getattr(error, 'problems', None)
    if not problems:
        print(f'rbconfig: {error}', file=out)
        return
    for problem in problems:
        print_problem(problem, out)
    errors = sum(1 for problem in problems if problem.severity == 'error')
    files = ', '.join(dict.fromkeys(problem.file for problem in problems))
    print(f'rbconfig: cannot use {files} ({errors} error{"s" if errors != 1 else ""})', file=out)


def print_problem(problem: Problem, stream: TextIO | None = None) -> None:
    """``file:line:col: error: where: message`` (or ``warning:``).

    ``rbconfig validate``'s line (:class:`~rbconfig.errors.Problem`'s ``str``), except
    that errors are labelled ``error:`` too.
    """
    where = f' {problem.where}:' if problem.where else ''
    print(
        f'{problem.file_position}: {problem.severity}:{where} {problem.message}',
        file=stream or sys.stderr,
    )


def write_output(text: str, output: str | None) -> int:
    """Write ``text`` to the file ``output`` ('-' or None: stdout); returns the exit status."""
    if output in (None, '-'):
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        with open(output, 'w', encoding='utf-8') as file:
            file.write(text)
    except OSError as ex:
        print(f'rbconfig: cannot write {output}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    return 0
