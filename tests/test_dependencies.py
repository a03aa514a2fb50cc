"""pyproject.toml declares what the code imports, and nothing it does not.

A module imported by ``rbconfig/`` (or by an example app under ``apps/``, which ``make run``
serves from the same install) but not declared shows only on a user's fresh install: here the
test extra brings most things along (openapi-spec-validator brings jsonschema, pytest brings
packaging). So this reads the imports from the source, maps each to the distribution that
provides it in this environment (where every extra is installed), and compares with
pyproject.toml:

- an import that always runs needs a core dependency;
- an import inside ``try: ... except ImportError`` (or ``if TYPE_CHECKING:``) may come from an
  extra instead: the code copes without it, with a one-line error naming the extra where
  the part is needed (see apps/shortener/links.py);
- every core dependency and every dependency of a runtime extra is imported somewhere, unless
  :data:`NEEDED_UNIMPORTED` says why not.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ('rbconfig', 'apps')

#: Declared but imported by none of our code, and why they are declared.
NEEDED_UNIMPORTED = {
    'packaging': "gunicorn 27's gevent worker imports it without declaring it",
}

#: Extras for developing rbconfig, not parts of it: their imports are in tests/.
DEVELOPMENT_EXTRAS = {'test'}


@dataclass(frozen=True)
class Import:
    """A third-party top-level module imported somewhere."""

    module: str
    where: str
    guarded: bool


def distribution_name(requirement: str) -> str:
    """The normalised distribution name of a requirement (``'PyYAML>=6.0'`` → ``'pyyaml'``)."""
    name = re.split(r'[\s<>=!~\[;(]', requirement.strip(), maxsplit=1)[0]
    return re.sub(r'[-_.]+', '-', name).lower()


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(
        isinstance(name, ast.Name) and name.id in ('ImportError', 'ModuleNotFoundError')
        for name in names
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING'
    )


def _imports(node: ast.AST, guarded: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import under ``node``, with whether the code copes when it fails."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, guarded
        return
    if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
        for child in node.body:
            yield from _imports(child, True)
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            yield from _imports(child, guarded)
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for child in node.body:
            yield from _imports(child, True)
        for child in node.orelse:
            yield from _imports(child, guarded)
        return
    for child in ast.iter_child_nodes(node):
        yield from _imports(child, guarded)


def third_party_imports() -> list[Import]:
    """The imports of modules that are neither the standard library nor our own."""
    found = []
    for source in SOURCES:
        for file in sorted((ROOT / source).rglob('*.py')):
            if 'node_modules' in file.parts:
                continue
            tree = ast.parse(file.read_text(encoding='utf-8'), str(file))
            for node, guarded in _imports(tree, False):
                if isinstance(node, ast.ImportFrom):
                    if node.level or node.module is None:
                        continue
                    names = [node.module]
                else:
                    names = [alias.name for alias in node.names]
                for name in names:
                    top = name.partition('.')[0]
                    if top in sys.stdlib_module_names or top == 'rbconfig':
                        continue
                    if source == 'apps' and (file.parent / f'{top}.py').is_file():
                        continue  # an app's own module (the app's folder is on sys.path)
                    where = f'{file.relative_to(ROOT)}:{node.lineno}'
                    found.append(Import(top, where, guarded))
    return found


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """The core dependencies and each runtime extra's, as normalised distribution names."""
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))['project']
    core = {distribution_name(item) for item in project['dependencies']}
    extras = {
        extra: {distribution_name(item) for item in items} - {'rbconfig'}
        for extra, items in project['optional-dependencies'].items()
        if extra not in DEVELOPMENT_EXTRAS
    }
    return core, extras


@cache
def _installed() -> Mapping[str, list[str]]:
    return packages_distributions()


def providers(module: str) -> set[str]:
    """The distributions installing the top-level ``module`` here (normalised names)."""
    return {distribution_name(name) for name in _installed().get(module, [])}


def test_every_import_is_declared() -> None:
    core, extras = declared()
    optional = set().union(*extras.values())
    problems = []
    for found in third_party_imports():
        dists = providers(found.module)
        if not dists:
            problems.append(
                f'{found.where}: {found.module} is imported but not installed: '
                'declare the distribution that provides it'
            )
        elif not dists & core and not (found.guarded and dists & optional):
            where = 'core dependencies' if not found.guarded else 'dependencies or extras'
            problems.append(
                f'{found.where}: {found.module} (from {", ".join(sorted(dists))}) is imported '
                f'but not in the {where} of pyproject.toml'
                + (' (an extra needs a guarded import)' if dists & optional else '')
            )
    assert not problems, '\n'.join(problems)


def test_nothing_declared_is_unused() -> None:
    core, extras = declared()
    imported = set().union(*(providers(found.module) for found in third_party_imports()))
    unused = [
        f'{dist} ({"core" if dist in core else "extra"})'
        for dist in sorted(core.union(*extras.values()))
        if dist not in imported and dist not in NEEDED_UNIMPORTED
    ]
    assert not unused, f'declared in pyproject.toml but imported nowhere: {", ".join(unused)}'


def test_the_guard_rule_reads_the_code() -> None:
    """The import reader tells a guarded import from one that always runs."""
    tree = ast.parse(
        'import a\n'
        'try:\n    import b\nexcept ImportError:\n    import c\n'
        'try:\n    import d\nexcept ValueError:\n    pass\n'
        'if TYPE_CHECKING:\n    import e\n'
        'def f():\n    import g\n'
    )
    guarded = {alias.name: flag for node, flag in _imports(tree, False) for alias in node.names}
    assert guarded == {
        'a': False,
        'b': True,
        'c': False,
        'd': False,
        'e': True,
        'g': False,
    }
