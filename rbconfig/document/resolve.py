"""Resolve the locations a spec names: Python code, files, folders, upstreams.

``python:pkg.mod.attr`` is imported relative to the spec's folder, as
RedBarrel did: the folder is put at the front of ``sys.path`` (once), the
longest importable module prefix is imported, and the rest is read as
attributes. A dot-less ``python:name`` means the attribute ``name`` of the
module named after the spec file (``python:hello`` in ``hello.yaml`` is
``hello.hello``), which is what RedBarrel's documentation examples meant.

``file:PATH`` and ``directory:PATH`` are relative to the spec's folder (or
absolute) and must exist at start-up. ``proxy:URL`` resolves to the URL.

Every failure raises :class:`StartupError` carrying the spec's file:line:col.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import Loc, StartupError
from ..schema import LOCATION_SCHEMES
from . import Document

__all__ = [
    'foreign',
    'import_python',
    'own_folder_first',
    'resolve',
    'resolve_path',
    'spec_on_path',
]


_SPEC_FOLDERS: set[str] = set()


def spec_on_path(document: Document) -> None:
    """Put the spec's folder at the front of ``sys.path`` (once)."""
    folder = str(document.folder)
    _SPEC_FOLDERS.add(folder)
    if folder not in sys.path:
        sys.path.insert(0, folder)


@contextlib.contextmanager
def own_folder_first(folder: str) -> Iterator[None]:
    """While importing: this spec's folder first, other specs' folders hidden.

    Several specs loaded in one process (tests, tools) must each import their
    own modules, as they would in a fresh process.
    """
    saved = list(sys.path)
    sys.path[:] = [folder] + [p for p in saved if p != folder and p not in _SPEC_FOLDERS]
    try:
        yield
    finally:
        sys.path[:] = saved


def resolve(document: Document, loc: Loc, location: str) -> Any:
    """The object behind ``location`` (written at ``loc`` in ``document``).

    Returns:
        ``python:`` the imported object; ``file:`` and ``directory:`` an
        absolute :class:`~pathlib.Path`; ``proxy:`` the upstream URL text.
        A location without a known scheme (RBR's unprefixed dotted names) is
        taken as ``python:``.

    Raises:
        StartupError: the import failed, the attribute is missing, the file or
            folder does not exist; the message says why, at the spec's line.
    """
    scheme, sep, target = location.partition(':')
    if not sep or scheme not in LOCATION_SCHEMES:
        scheme, target = 'python', location
    if scheme == 'python':
        return import_python(document, loc, target)
    if scheme in ('file', 'directory'):
        return resolve_path(document, loc, scheme, target)
    return target


def resolve_path(document: Document, loc: Loc, scheme: str, target: str) -> Path:
    """``file:``/``directory:`` target as an absolute path that exists.

    Raises:
        StartupError: when it does not exist or is of the wrong kind.
    """
    path = (document.folder / target).resolve()
    if scheme == 'file' and not path.is_file():
        raise StartupError.at(document, loc, f'file:{target}: no such file ({path})')
    if scheme == 'directory' and not path.is_dir():
        raise StartupError.at(document, loc, f'directory:{target}: no such folder ({path})')
    return path


def import_python(document: Document, loc: Loc, target: str) -> Any:
    """Import ``pkg.mod.attr`` relative to the spec's folder.

    Raises:
        StartupError: with the import error text.
    """
    spec_on_path(document)
    parts = target.split('.')
    hint = ''
    if len(parts) == 1:
        parts = [Path(document.file).stem, parts[0]]
        hint = (
            f' (a dot-less python:{target} means the attribute {target!r} of the module '
            f'named after the spec file, {parts[0]!r})'
        )
    _forget_foreign(document.folder, parts[0])
    importlib.invalidate_caches()
    module: ModuleType | None = None
    rest: list[str] = []
    with own_folder_first(str(document.folder)):
        module, rest = _import_longest(document, loc, target, parts)
    if module is None:
        raise StartupError.at(
            document,
            loc,
            f'python:{target}: no module named {parts[0]!r} '
            f'(looked in {document.folder} and on sys.path){hint}',
        )
    obj: Any = module
    for index, attr in enumerate(rest):
        try:
            obj = getattr(obj, attr)
        except AttributeError as ex:
            owner = '.'.join(parts[: len(parts) - len(rest) + index])
            raise StartupError.at(
                document, loc, f'python:{target}: {owner!r} has no attribute {attr!r}{hint}'
            ) from ex
    return obj


def _import_longest(
    document: Document, loc: Loc, target: str, parts: list[str]
) -> tuple[ModuleType | None, list[str]]:
    for end in range(len(parts), 0, -1):
        name = '.'.join(parts[:end])
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as ex:
            # Only "this very module is missing" means: try a shorter prefix.
            if ex.name is not None and (name == ex.name or name.startswith(ex.name + '.')):
                continue
            raise StartupError.at(document, loc, _import_failed(target, ex)) from ex
        except BaseException as ex:  # SyntaxError, an error raised at import, SystemExit...
            if isinstance(ex, KeyboardInterrupt):
                raise
            raise StartupError.at(document, loc, _import_failed(target, ex)) from ex
        return module, parts[end:]
    return None, []


def _import_failed(target: str, ex: BaseException) -> str:
    frames = traceback.extract_tb(ex.__traceback__)
    where = ''
    if isinstance(ex, SyntaxError) and ex.filename:
        where = f' ({ex.filename}:{ex.lineno})'
    elif frames:
        last = frames[-1]
        if 'importlib' not in last.filename:
            where = f' ({last.filename}:{last.lineno})'
    return f'python:{target}: importing failed: {type(ex).__name__}: {ex}{where}'


def foreign(folder: Path, top: str) -> bool:
    """Whether the cached module ``top`` came from another spec's folder than ``folder``.

    Two specs in one process (tests, tools) may each bring a module of the
    same name; each must get its own, as it would in a fresh process.
    """
    module = sys.modules.get(top)
    origin = getattr(module, '__file__', None) if module is not None else None
    if not origin:
        return False
    home = Path(origin).resolve().parent
    if top != Path(origin).stem:  # a package: top/__init__.py
        home = home.parent
    return home != folder and str(home) in _SPEC_FOLDERS


def _forget_foreign(folder: Path, top: str) -> None:
    """Drop a cached module ``top`` (and its submodules) that another spec's folder provided."""
    if not foreign(folder, top):
        return
    for name in [name for name in sys.modules if name == top or name.startswith(top + '.')]:
        del sys.modules[name]
