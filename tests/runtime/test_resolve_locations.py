"""resolve(): python: imports relative to the spec folder, file:/directory: paths, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.document.resolve import resolve
from rbconfig.errors import SpecError, StartupError
from rbconfig.runtime.globs import build_globals

from .runtime_support import make_document

SPEC = """\
rbconfig: 1
paths:
  one:
    url: /one
    use: python:resmod.handler
"""


def test_imports_module_attribute_relative_to_spec_folder(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC, {'resmod.py': 'def handler(): return 1\nVALUE = 42\n'})
    assert resolve(doc, ('x',), 'python:resmod.VALUE') == 42
    assert resolve(doc, ('x',), 'python:resmod.handler')() == 1


def test_longest_module_prefix_then_attributes(tmp_path: Path) -> None:
    files = {
        'respkg/__init__.py': '',
        'respkg/inner.py': 'class Thing:\n    class Nested:\n        attr = "deep"\n',
    }
    doc = make_document(tmp_path, SPEC, files)
    assert resolve(doc, ('x',), 'python:respkg.inner.Thing.Nested.attr') == 'deep'


def test_unprefixed_dotted_name_is_python(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC, {'resmod.py': 'VALUE = 7\n'})
    assert resolve(doc, ('x',), 'resmod.VALUE') == 7


def test_dotless_name_is_attribute_of_module_named_after_spec(tmp_path: Path) -> None:
    files = {'dotted_stem.py': 'def auth(v): return True\n'}
    doc = make_document(tmp_path, SPEC, files, name='dotted_stem.yaml')
    assert resolve(doc, ('x',), 'python:auth')('v') is True


def test_dotless_name_error_explains_the_rule(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC, name='lonely_stem.yaml')
    with pytest.raises(StartupError) as info:
        resolve(doc, ('paths', 'one', 'use'), 'python:auth')
    assert "module named after the spec file, 'lonely_stem'" in str(info.value)


def test_missing_module_stops_startup_with_file_line(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC)
    with pytest.raises(StartupError) as info:
        resolve(doc, ('paths', 'one', 'use'), 'python:resmod.handler')
    problem = info.value.problems[0]
    assert isinstance(info.value, SpecError)
    assert (problem.file, problem.line) == (str(tmp_path / 'spec.yaml'), 5)
    assert "no module named 'resmod'" in problem.message
    assert str(info.value).startswith(f'{tmp_path / "spec.yaml"}:5:')


def test_missing_attribute(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC, {'resmod.py': 'x = 1\n'})
    with pytest.raises(StartupError) as info:
        resolve(doc, ('paths', 'one', 'use'), 'python:resmod.handler')
    assert "'resmod' has no attribute 'handler'" in str(info.value)


def test_error_inside_module_is_reported_not_hidden(tmp_path: Path) -> None:
    files = {'resmod.py': 'import no_such_dependency_xyz\n', 'ressyn.py': 'def broken(:\n'}
    doc = make_document(tmp_path, SPEC, files)
    with pytest.raises(StartupError) as info:
        resolve(doc, ('paths', 'one', 'use'), 'python:resmod.handler')
    assert "No module named 'no_such_dependency_xyz'" in str(info.value)
    with pytest.raises(StartupError) as info:
        resolve(doc, ('paths', 'one', 'use'), 'python:ressyn.broken')
    assert 'SyntaxError' in str(info.value)
    assert 'ressyn.py:1' in str(info.value)


def test_same_module_name_in_two_spec_folders(tmp_path: Path) -> None:
    first = tmp_path / 'a'
    second = tmp_path / 'b'
    first.mkdir()
    second.mkdir()
    doc_a = make_document(first, SPEC, {'resmod.py': 'WHO = "a"\n'})
    doc_b = make_document(second, SPEC, {'resmod.py': 'WHO = "b"\n'})
    assert resolve(doc_a, ('x',), 'python:resmod.WHO') == 'a'
    assert resolve(doc_b, ('x',), 'python:resmod.WHO') == 'b'


def test_file_and_directory_paths(tmp_path: Path) -> None:
    doc = make_document(tmp_path, SPEC, {'static/a.css': 'a{}'})
    assert resolve(doc, ('x',), 'file:static/a.css') == tmp_path / 'static' / 'a.css'
    assert resolve(doc, ('x',), 'directory:static') == tmp_path / 'static'
    assert resolve(doc, ('x',), 'proxy:http://localhost:9') == 'http://localhost:9'
    with pytest.raises(StartupError, match='no such file'):
        resolve(doc, ('x',), 'file:static/missing.css')
    with pytest.raises(StartupError, match='no such folder'):
        resolve(doc, ('x',), 'directory:static/a.css')


GLOBALS = """\
rbconfig: 1
globals:
  name: demo
  port: 8080
  config: file:conf.ini
  first: python:globmod.first
  second: python:globmod.second
"""

GLOBMOD = """\
def first(globs):
    seen = sorted(globs)
    globs['leak'] = True           # a copy: must not leak into the real globals
    return {'seen': seen}


def second(globs):
    return {'seen': sorted(globs), 'first': globs['first']}
"""


def test_globals_in_order_each_seeing_a_copy_of_previous(tmp_path: Path) -> None:
    doc = make_document(tmp_path, GLOBALS, {'conf.ini': '[a]\nb = 1\n', 'globmod.py': GLOBMOD})
    globs = build_globals(doc)
    assert list(globs) == ['name', 'port', 'config', 'first', 'second']
    assert globs['name'] == 'demo' and globs['port'] == 8080
    assert globs['config'] == b'[a]\nb = 1\n'
    assert globs['config'].text == '[a]\nb = 1\n' and globs['config'].body == b'[a]\nb = 1\n'
    assert globs['first'] == {'seen': ['config', 'name', 'port']}
    assert globs['second']['seen'] == ['config', 'first', 'name', 'port']
    assert 'leak' not in globs


def test_failing_global_stops_startup(tmp_path: Path) -> None:
    spec = 'rbconfig: 1\nglobals:\n  bad: python:globbad.make\n'
    doc = make_document(
        tmp_path, spec, {'globbad.py': 'def make(globs):\n    raise KeyError("x")\n'}
    )
    with pytest.raises(StartupError) as info:
        build_globals(doc)
    assert info.value.problems[0].line == 3
    assert "global 'bad'" in str(info.value) and 'KeyError' in str(info.value)
