"""The ``rbconfig`` command line: parses arguments, then calls the package.

Each sub-command lives in ``rbconfig/commands/<name>.py`` as ``run(args) -> int``
and is imported only when used, so ``rbconfig validate`` never imports the
runtime (falcon, gevent, socketio).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from . import __version__
from .commands.arguments import existing_path, path_text

__all__ = ['main', 'make_parser', 'rbr_check', 'rbr_run']

_EPILOG = """examples:
  rbconfig validate apps/                      check every spec under apps/
  rbconfig validate --format github spec.yaml  annotations for GitHub Actions
  rbconfig convert legacy.rbr --to yaml        write legacy.yaml beside it
  rbconfig run apps/demos/demos.yaml --port 8000
  rbconfig new todo                            a new app in todo/ (asks a few questions)
  rbconfig schema > service.schema.json
"""

FORMATS = ('yaml', 'toml', 'rbr')


def _port(text: str) -> int:
    """A TCP port number (0 picks a free one), for ``run --port``."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f'expected a port number from 0 to 65535, got {text!r}')
    return port


def _seconds(text: str) -> float:
    """A positive number of seconds, for ``run --header-timeout`` and ``--idle-timeout``."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError(
            f'expected a number of seconds above 0 (at most 86400), got {text!r}'
        )
    return seconds


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for ``rbconfig``."""
    parser = argparse.ArgumentParser(
        prog='rbconfig',
        description='Declarative web services: validate, convert and run service specs.',
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '-v', '--verbose', action='count', default=0, help='more log output (-vv for debug)'
    )
    parser.add_argument('-V', '--version', action='version', version=f'rbconfig {__version__}')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    validate = commands.add_parser('validate', help='check specs (YAML, TOML, RBR) for CI')
    validate.add_argument(
        'paths', nargs='+', type=path_text, metavar='FILE|DIR', help='spec files or folders'
    )
    validate.add_argument(
        '--format',
        choices=('human', 'json', 'github'),
        default='human',
        help='how to report problems (default: human)',
    )
    validate.add_argument(
        '--color',
        choices=('auto', 'always', 'never'),
        default='auto',
        help='colour human output (default: when writing to a terminal)',
    )
    validate.add_argument(
        '--only-specs',
        action='store_true',
        help='skip YAML/TOML files without a top-level rbconfig or paths key, even when named '
        '(for pre-commit)',
    )
    validate.add_argument(
        '--import',
        dest='import_code',
        action='store_true',
        help="also import the handler modules and check them exactly as 'run' does "
        "(needs the app's dependencies; runs the modules' top-level code)",
    )
    validate.set_defaults(module='validate')

    schema = commands.add_parser('schema', help='print the JSON Schema of the spec format')
    _output_options(schema)
    schema.set_defaults(module='schema')

    convert = commands.add_parser('convert', help='convert specs between YAML, TOML and RBR')
    convert.add_argument(
        'input', type=existing_path, metavar='IN', help='a spec file or a folder of specs'
    )
    convert.add_argument('--to', required=True, choices=FORMATS, help='the output format')
    convert.add_argument(
        '--from',
        dest='from_format',
        choices=FORMATS,
        help='the input format (default: from the file ending)',
    )
    convert.add_argument(
        '-o',
        '--output',
        type=path_text,
        metavar='OUT',
        help="output file or folder; '-' for standard output (default: beside the input)",
    )
    convert.add_argument(
        '--force', action='store_true', help='overwrite output files that exist (never an input)'
    )
    convert.set_defaults(module='convert')

    run = commands.add_parser('run', help='serve a spec (Falcon + gevent + Socket.IO)')
    run.add_argument(
        'spec', type=existing_path, metavar='SPEC', help='a spec file (.yaml, .toml or .rbr)'
    )
    run.add_argument('--host', default='127.0.0.1', help='address to bind (default: 127.0.0.1)')
    run.add_argument('--port', type=_port, default=8000, help='port to bind (default: 8000)')
    run.add_argument('--reload', action='store_true', help='restart when the spec or code changes')
    run.add_argument('--debug', action='store_true', help='show tracebacks in error responses')
    run.add_argument(
        '--mock', action='store_true', help='answer paths without a handler with examples'
    )
    run.add_argument(
        '--header-timeout',
        type=_seconds,
        metavar='SECONDS',
        help="time for a request's headers to arrive, else 408 "
        "(default: the spec's server.header_timeout, or 10)",
    )
    run.add_argument(
        '--idle-timeout',
        type=_seconds,
        metavar='SECONDS',
        help='time a client may stay silent: an idle keep-alive connection, a stalled body '
        "(default: the spec's server.idle_timeout, or 15)",
    )
    run.set_defaults(module='run')

    openapi = commands.add_parser('openapi', help='print the OpenAPI 3.1 document of a spec')
    openapi.add_argument('spec', type=existing_path, metavar='SPEC')
    _output_options(openapi)
    openapi.set_defaults(module='openapi')

    asyncapi = commands.add_parser(
        'asyncapi', help='print the AsyncAPI 3.0 document of a spec (its Socket.IO side)'
    )
    asyncapi.add_argument('spec', type=existing_path, metavar='SPEC')
    _output_options(asyncapi)
    asyncapi.set_defaults(module='asyncapi')

    docs = commands.add_parser('docs', help='write the HTML documentation page of a spec')
    docs.add_argument('spec', type=existing_path, metavar='SPEC')
    _output_options(docs)
    docs.set_defaults(module='docs')

    new = commands.add_parser(
        'new', help='write a runnable app to start from (asks a few questions on a terminal)'
    )
    new.add_argument(
        'folder', type=path_text, metavar='DIR', help='where to write it (made if missing)'
    )
    new.add_argument('--name', help="the service's name (default: from DIR)")
    new.add_argument(
        '--http',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='HTTP paths with JSON handlers (default: yes)',
    )
    new.add_argument(
        '--sockets',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='Socket.IO events and a page (default: no)',
    )
    new.add_argument('--format', choices=('yaml', 'toml'), help='the spec format (default: yaml)')
    new.add_argument(
        '-y', '--yes', action='store_true', help='ask nothing: defaults where options say nothing'
    )
    new.set_defaults(module='new')
    return parser


def _output_options(command: argparse.ArgumentParser) -> None:
    """``-o FILE`` and ``--force``, written as ``convert`` writes (never onto the spec read)."""
    command.add_argument(
        '-o', '--output', type=path_text, metavar='FILE', help="write to FILE instead ('-': stdout)"
    )
    command.add_argument('--force', action='store_true', help='overwrite FILE if it exists')


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rbconfig`` with ``argv``; returns the exit status."""
    args = make_parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    command = importlib.import_module(f'rbconfig.commands.{args.module}')
    try:
        return int(command.run(args))
    except KeyboardInterrupt:
        return 130


def rbr_run(argv: Sequence[str] | None = None) -> int:
    """``rbr-run SPEC [options]``: RedBarrel's server command, now ``rbconfig run``."""
    return main(['run', *(sys.argv[1:] if argv is None else argv)])


def rbr_check(argv: Sequence[str] | None = None) -> int:
    """``rbr-check FILE``: RedBarrel's syntax checker, kept for old habits."""
    from .commands.rbr_check import main as check

    return check(sys.argv[1:] if argv is None else list(argv))


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
