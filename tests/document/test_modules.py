"""Finding the code behind ``python:`` locations from the files alone, importing nothing."""

from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path

import pytest

from rbconfig.document.conventions import params_of
from rbconfig.document.modules import CodeIndex, Definition, Missing, Undecidable

SIGNATURES = [
    '()',
    '(a)',
    '(a, b=1)',
    '(a, /, b, *, c, d=2)',
    '(a, /, b=1, *args, c=3, **kw)',
    '(*args, **kwargs)',
    '(globs, request, **params)',
    '(self, x: int = 3, *, y: str)',
    '(ctx, data=None, *rest)',
]


@pytest.mark.parametrize('signature', SIGNATURES)
def test_parameters_read_from_the_source_are_those_inspect_sees(
    tmp_path: Path, signature: str
) -> None:
    source = f'def f{signature}:\n    pass\n'
    names = ['f']
    if ':' not in signature:  # a lambda has no annotations
        source += f'\ng = lambda {signature[1:-1]}: None\n'
        names.append('g')
    (tmp_path / 'sig.py').write_text(source)
    space: dict[str, object] = {}
    exec(source, space)  # noqa: S102 - the test's own function, to compare
    code = CodeIndex()
    for name in names:
        found = code.find(tmp_path, f'sig.{name}', 'spec')
        assert found.params == params_of(inspect.signature(space[name]))  # type: ignore[arg-type]


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def find(folder: Path, target: str) -> Definition:
    return CodeIndex().find(folder, target, 'spec')


@pytest.fixture
def app(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            'todos.py': """\
                import json
                import os.path
                from typing import TYPE_CHECKING

                from helpers import shared as renamed
                from pkg import sub

                if TYPE_CHECKING:
                    from helpers import only_for_types

                from fast import speedy

                def create(body):
                    return body

                async def later(ctx, data):
                    pass

                class Handler:
                    def get(self, id):
                        pass

                    @staticmethod
                    def ping(name):
                        pass

                    @classmethod
                    def build(cls, value):
                        pass

                class Child(Handler):
                    pass

                instance = Handler()
                LIMIT = 10
                """,
            'helpers.py': 'def shared(a, b=1):\n    pass\n\ndef only_for_types():\n    pass\n',
            'pkg/__init__.py': 'from .impl import *\nfrom . import impl as _impl\n',
            'pkg/impl.py': "__all__ = ['public']\ndef public(x): pass\ndef hidden(): pass\n",
            'pkg/sub.py': 'def deep(req, resp):\n    pass\n',
            'dynamic.py': 'def __getattr__(name):\n    return name\n',
            'writes.py': "globals()['made'] = lambda: 1\n",
            'broken.py': 'def oops(:\n    pass\n',
            'loud.py': "open('IMPORTED', 'w').close()\nraise SystemExit('no')\ndef f(): pass\n",
            'spec.py': 'def dotless():\n    pass\n',
        },
    )
    return tmp_path


def test_functions_classes_and_values(app: Path) -> None:
    create = find(app, 'todos.create')
    assert (create.kind, create.line, create.callable) == ('function', 13, True)
    assert [p.name for p in create.params or ()] == ['body']
    assert find(app, 'todos.later').kind == 'function'
    handler = find(app, 'todos.Handler')
    assert (handler.kind, handler.params, handler.instances_callable) == ('class', (), False)
    assert [p.name for p in find(app, 'todos.Handler.get').params or ()] == ['self', 'id']
    assert [p.name for p in find(app, 'todos.Handler.ping').params or ()] == ['name']
    assert [p.name for p in find(app, 'todos.Handler.build').params or ()] == ['value']
    instance = find(app, 'todos.instance')
    assert (instance.kind, instance.callable, instance.params) == ('value', None, None)
    assert find(app, 'todos.LIMIT').callable is False
    assert find(app, 'spec.dotless').name == 'spec.dotless'
    assert CodeIndex().find(app, 'dotless', 'spec').name == 'spec.dotless'


def test_imports_are_followed(app: Path) -> None:
    renamed = find(app, 'todos.renamed')
    assert (renamed.name, Path(renamed.file).name) == ('helpers.shared', 'helpers.py')
    assert find(app, 'todos.sub.deep').name == 'pkg.sub.deep'
    assert find(app, 'todos.json.loads').kind == 'function'  # the standard library's source
    assert find(app, 'pkg.public').name == 'pkg.impl.public'  # through import *
    assert find(app, 'pkg.sub.deep').kind == 'function'
    assert find(app, 'pkg.sub').kind == 'module'
    assert find(app, 'pkg._impl').kind == 'module'


@pytest.mark.parametrize(
    ('target', 'message'),
    [
        (
            'todos.creat',
            r"module 'todos' \(.*todos.py\) has no attribute 'creat' "
            r"\(did you mean 'create'\?\)",
        ),
        ('nothere.f', "no module named 'nothere' "),
        ('todos.only_for_types', "has no attribute 'only_for_types'"),  # TYPE_CHECKING only
        ('pkg.hidden', "module 'pkg' .* has no attribute 'hidden'"),  # not in __all__
        (
            'todos.Handler.gett',
            r"class todos.Handler \(.*todos.py:19\) has no attribute 'gett' "
            r"\(did you mean 'get'\?\)",
        ),
        ('broken.oops', r'broken.py:1:10: invalid syntax: the module cannot be imported'),
    ],
)
def test_missing(app: Path, target: str, message: str) -> None:
    with pytest.raises(Missing, match=message):
        find(app, target)


@pytest.mark.parametrize(
    ('target', 'message'),
    [
        ('dynamic.anything', r'may make .anything.: it defines __getattr__ \(line 1\)'),
        ('writes.made', r'it calls globals\(\) at line 1'),
        ('todos.Child.get', "has base classes; 'get' may come from one"),
        ('todos.instance.get', 'is made by running code'),
        ('todos.speedy', "imported from 'fast' .*, which is not found here"),
        ('sys.exit', 'sys is a built-in module: there is no source to read'),
    ],
)
def test_undecidable(app: Path, target: str, message: str) -> None:
    with pytest.raises(Undecidable, match=message):
        find(app, target)


def test_nothing_is_imported_or_run(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    before = set(sys.modules)
    assert find(app, 'loud.f').kind == 'function'
    assert find(app, 'pkg.sub.deep').kind == 'function'
    assert not (app / 'IMPORTED').exists()
    assert not {'loud', 'pkg', 'pkg.sub', 'todos', 'helpers'} & set(sys.modules)
    assert set(sys.modules) - before <= {'encodings.idna', 'stringprep'}  # none of the app's


def test_each_file_is_parsed_once(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    parsed: list[str] = []
    real = ast.parse

    def counting(source: bytes, filename: str = '<unknown>', **kwargs: object) -> ast.Module:
        parsed.append(Path(filename).name)
        return real(source, filename, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, 'parse', counting)
    code = CodeIndex()
    for target in ('todos.create', 'todos.Handler.get', 'todos.renamed', 'todos.creat'):
        try:
            code.find(app, target, 'spec')
        except Missing:
            pass
    assert sorted(parsed) == ['helpers.py', 'todos.py']


def test_a_module_another_spec_brought_is_not_mistaken_for_this_ones(
    app: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from rbconfig.converters import loads
    from rbconfig.document.resolve import import_python

    other = tmp_path_factory.mktemp('other')
    (other / 'todos.py').write_text('def elsewhere():\n    pass\n')
    document = loads('rbconfig: 1\n', 'yaml', str(other / 'spec.yaml'))
    try:
        import_python(document, (), 'todos.elsewhere')  # as run does, in this process
        assert find(app, 'todos.create').kind == 'function'
        with pytest.raises(Missing):
            find(app, 'todos.elsewhere')
    finally:
        sys.modules.pop('todos', None)
