"""Imports point down only: schema ← document ← {converters, runtime, export} ← commands ← cli.

(``rbconfig.wsgi``, the entry point for WSGI servers, sits between the three and the
commands: ``rbconfig run`` builds its app with it.)

Every ``import`` in the package, at the top of a module or inside a function,
is checked against the layer of the module doing it: a module may import from
its own part or from a lower layer, never from a sibling or from above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'rbconfig'

#: Each part of the package (its first dotted name under rbconfig) and its layer.
LAYERS = {
    'errors': 0,
    '__init__': 1,  # the version and the public names, from errors only
    'schema': 1,
    'document': 2,
    'converters': 3,
    'runtime': 3,
    'export': 3,
    'wsgi': 4,  # a spec file in, its WSGI app out: loads, exports and builds
    'commands': 5,
    'cli': 6,
}


def _part(module: str) -> str:
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else '__init__'


def _module_name(file: Path) -> str:
    relative = file.relative_to(PACKAGE.parent).with_suffix('')
    parts = list(relative.parts)
    if parts[-1] == '__init__' and len(parts) > 1:
        parts.pop()
    return '.'.join(parts)


def _imports(text: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module) of every rbconfig import in ``text``, the source of ``module``."""
    package = module if is_package else module.rpartition('.')[0]
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[: len(base) - node.level + 1]
                target = '.'.join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ''
            found.append((node.lineno, target))
    return [(line, target) for line, target in found if target.split('.')[0] == 'rbconfig']


def _upward(text: str, module: str, is_package: bool = False) -> list[str]:
    """``line: target`` of each import in ``text`` that does not point down."""
    own = _part(module)
    return [
        f'{line}: {target}'
        for line, target in _imports(text, module, is_package)
        if _part(target) != own and LAYERS[_part(target)] >= LAYERS[own]
    ]


FILES = sorted(PACKAGE.rglob('*.py'))


@pytest.mark.parametrize('file', FILES, ids=[str(f.relative_to(PACKAGE)) for f in FILES])
def test_imports_point_down(file: Path) -> None:
    module = _module_name(file)
    assert _part(module) in LAYERS, f'{module}: a new part of the package; give it a layer'
    text = file.read_text(encoding='utf-8')
    wrong = _upward(text, module, file.name == '__init__.py')
    assert not wrong, f'{file.relative_to(PACKAGE.parent)} imports upwards or sideways: {wrong}'


def test_a_lazy_relative_import_sideways_is_caught() -> None:
    text = 'from ..document import Document\n\n\ndef f():\n    from ..converters import load\n'
    assert _upward(text, 'rbconfig.runtime.app') == ['5: rbconfig.converters']
    assert _upward(text, 'rbconfig.commands.run') == []
    assert _upward('from . import x\n', 'rbconfig.export', is_package=True) == []
    assert _upward('import rbconfig.cli\n', 'rbconfig.schema.path') == ['1: rbconfig.cli']
