"""``rbconfig new DIR``: a runnable app to start from (RedBarrel's ``rbr-quickstart``).

Asks a few questions on a terminal (the app's name, HTTP paths and/or
Socket.IO, YAML or TOML); without one (scripts, CI), or with ``--yes``, the
defaults are taken. Options answer questions beforehand. The app is written
into ``DIR`` (made if missing): the spec, its handlers, a page when it has
sockets, a test file and a README. No file is ever overwritten: if one
exists, nothing is written. The spec is then checked as ``rbconfig validate``
would.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from .output import write_atomically, write_stdout
from .skeleton import Choices, skeleton, spec_file

__all__ = ['ask', 'run']

#: The defaults without a terminal: an HTTP app, in YAML.
DEFAULT_HTTP = True
DEFAULT_SOCKETS = False
DEFAULT_FORMAT = 'yaml'


def run(args: argparse.Namespace) -> int:
    """Write the app into ``args.folder``; returns the exit status."""
    folder = Path(args.folder)
    if args.http is False and args.sockets is False:
        print('rbconfig new: --no-http and --no-sockets leave nothing to make', file=sys.stderr)
        return 2
    if args.name and _unfit(args.name):
        print(
            f'rbconfig new: error: --name {args.name!r} holds {_unfit(args.name)}; '
            'give a name on one line, without control characters',
            file=sys.stderr,
        )
        return 2
    if os.path.lexists(folder) and not folder.is_dir():
        print(f'rbconfig new: {folder} is not a folder', file=sys.stderr)
        return 1
    interactive = not args.yes and sys.stdin.isatty() and sys.stdout.isatty()
    try:
        choices = ask(args, folder, input if interactive else None)
    except (EOFError, KeyboardInterrupt):
        print('\nrbconfig new: stopped; nothing written', file=sys.stderr)
        return 1
    files = skeleton(choices)
    taken = [name for name in files if os.path.lexists(folder / name)]
    if taken:
        for name in taken:
            print(f'rbconfig new: {folder / name} exists; nothing written', file=sys.stderr)
        return 1
    written: list[Path] = []
    try:
        for name, text in files.items():
            write_atomically(folder / name, text)
            written.append(folder / name)
    except OSError as ex:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        reason = 'exists' if isinstance(ex, FileExistsError) else ex.strerror or ex
        print(f'rbconfig new: cannot write {ex.filename or folder}: {reason}', file=sys.stderr)
        return 1
    write_stdout(_report(folder, choices, files))  # no traceback when piped to head
    return _validate(folder / spec_file(choices))


def ask(args: argparse.Namespace, folder: Path, prompt: Callable[[str], str] | None) -> Choices:
    """The app's choices: options first, then answers (``prompt``), else the defaults.

    Raises:
        EOFError: the input ended in the middle of the questions.
    """
    name = args.name or _question(prompt, 'Name of the service', _default_name(folder))
    while _unfit(name):  # only typed at the prompt: --name was checked, the default is clean
        print(f'The name holds {_unfit(name)}; a name on one line, without control characters.')
        name = _question(prompt, 'Name of the service', _default_name(folder))
    http, sockets = args.http, args.sockets
    while True:
        if http is None:
            http = _yes_no(prompt, 'Serve HTTP paths (JSON handlers)?', DEFAULT_HTTP)
        if sockets is None:
            sockets = _yes_no(prompt, 'Add Socket.IO events and a page?', DEFAULT_SOCKETS)
        if http or sockets:
            break
        print('An app needs HTTP paths, Socket.IO or both.')
        http = sockets = None
    fmt = args.format
    while fmt is None:
        answer = _question(prompt, 'Spec format, yaml or toml', DEFAULT_FORMAT).lower()
        fmt = answer if answer in ('yaml', 'toml') else None
    return Choices(name=name, http=http, sockets=sockets, format=fmt)


def _default_name(folder: Path) -> str:
    name = ''.join(' ' if _unfit(char) else char for char in folder.resolve().name)
    return ' '.join(name.replace('_', ' ').replace('-', ' ').split()).title() or 'App'


#: Unicode categories a name cannot hold: it goes into one-line comments, titles and
#: docstrings. Control characters (a newline, an escape), line and paragraph separators
#: (YAML breaks lines there), and surrogates (bytes of a name that was not UTF-8).
_UNFIT = {'Cc': 'a control character', 'Zl': 'a line break', 'Zp': 'a line break'}


def _unfit(text: str) -> str:
    """What in ``text`` cannot go into the app's files ('' when nothing)."""
    for char in text:
        category = unicodedata.category(char)
        if category == 'Cs':
            return 'bytes that are not UTF-8'
        if category in _UNFIT:
            return f'{_UNFIT[category]} ({char!r})'
    return ''


def _question(prompt: Callable[[str], str] | None, text: str, default: str) -> str:
    if prompt is None:
        return default
    return prompt(f'{text} [{default}]: ').strip() or default


def _yes_no(prompt: Callable[[str], str] | None, text: str, default: bool) -> bool:
    if prompt is None:
        return default
    while True:
        answer = prompt(f'{text} [{"Y/n" if default else "y/N"}]: ').strip().lower()
        if not answer:
            return default
        if answer in ('y', 'yes', 'n', 'no'):
            return answer.startswith('y')
        print("Please answer 'y' or 'n'.")


def _report(folder: Path, choices: Choices, files: dict[str, str]) -> str:
    kinds = [kind for kind, on in (('HTTP', choices.http), ('Socket.IO', choices.sockets)) if on]
    what = f'{choices.name}: {" and ".join(kinds)}, a {choices.format.upper()} spec'
    spec = folder / spec_file(choices)
    return '\n'.join(
        [
            f'Made {folder}/ ({what}):',
            *(f'  {folder / name}' for name in files),
            'Next:',
            f'  rbconfig run {_shell(spec)}   then open http://127.0.0.1:8000/',
            f'  python -m pytest {_shell(folder)}',
            '',
        ]
    )


def _shell(path: Path) -> str:
    """``path`` as one word of a shell command to copy: quoted, and never read as an option."""
    text = str(path)
    return shlex.quote(f'./{text}' if text.startswith('-') else text)


def _validate(spec: Path) -> int:
    """Check the new spec as ``rbconfig validate`` does (it is a bug if that fails)."""
    from .validate import check, summary

    report = check([str(spec)])
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f'rbconfig new: {summary(report)}', file=sys.stderr)
    return 1 if report.invalid else 0
