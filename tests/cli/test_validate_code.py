"""``rbconfig validate`` catches what ``rbconfig run`` would refuse (issue 14.1).

Each case is a spec with one problem that only shows when the code, files and
schemas behind the spec are looked at. The static checks must find it (at the
right place, as an error or a warning) without running project code, and for
every error ``run``'s own start-up checks must refuse the spec at that place
too: validate may not claim more than run does, nor less.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.converters import load
from rbconfig.document.preflight import preflight
from rbconfig.errors import Problem
from rbconfig.runtime.startup import startup_problems
from tests.helpers.server import child_env

HANDLERS = """\
def create(body):
    return body, 201

def get(todo_id):
    return {'id': todo_id}

def item(id, body=None):
    return {'id': id}

def page(req, resp):
    pass

def positional(name, /):
    pass

def factory(globs, other):
    return 1

def hub_factory(globs, *, hub):
    return 1

def three(ctx, auth, extra):
    pass

def nothing():
    pass

def validator(globs, request, value):
    return True

class NeedsArgs:
    def __init__(self, pattern):
        self.pattern = pattern

    def __call__(self, value):
        return True

class NotCallable:
    pass

LIMIT = 10
"""

LAZY = """\
def __getattr__(name):
    if name.startswith('__'):  # not a package: importlib asks for __path__
        raise AttributeError(name)
    return lambda: name
"""

CASES = [
    # (id, spec body after 'rbconfig: 1', place, severity, message part)
    (
        'missing-file',
        'paths:\n  p:\n    url: /\n    use: file:index.html\n',
        'paths.p.use',
        'error',
        'file:index.html: no such file',
    ),
    (
        'missing-folder',
        'paths:\n  p:\n    url: /s/{name}\n    use: directory:static\n',
        'paths.p.use',
        'error',
        'directory:static: no such folder',
    ),
    (
        'folder-without-name',
        'paths:\n  p:\n    url: /s\n    use: directory:.\n',
        'paths.p.url',
        'error',
        "a 'directory:' path needs a {name} placeholder",
    ),
    (
        'schema-type',
        'paths:\n  p:\n    url: /t\n    use: python:todos.create\n    request:\n      body:\n'
        '        schema: {type: strin}\n',
        'paths.p.request.body.schema.type',
        'error',
        "invalid JSON Schema at #/type: unknown type 'strin' (did you mean 'string'?)",
    ),
    (
        'misspelt-handler',
        'paths:\n  p:\n    url: /t\n    use: python:todos.creat\n',
        'paths.p.use',
        'error',
        "has no attribute 'creat' (did you mean 'create'?)",
    ),
    (
        'missing-module',
        'paths:\n  p:\n    url: /t\n    use: python:todoz.create\n',
        'paths.p.use',
        'error',
        "python:todoz.create: no module named 'todoz'",
    ),
    (
        'falcon-placeholders',
        'paths:\n  p:\n    url: /p/{id}\n    use: python:todos.page\n',
        'paths.p.use',
        'error',
        'the handler todos.page(req, resp) (',
    ),
    (
        'positional-only',
        'paths:\n  p:\n    url: /p\n    use: python:todos.positional\n',
        'paths.p.use',
        'error',
        "has a positional-only parameter 'name'",
    ),
    (
        'not-callable',
        'paths:\n  p:\n    url: /p\n    use: python:todos.LIMIT\n',
        'paths.p.use',
        'error',
        'python:todos.LIMIT is not callable (todos.LIMIT is set to a value at',
    ),
    (
        'x-handler',
        'paths:\n  p:\n    url: /p\n    use: python:todos.create\n    x-handler: jsn\n',
        'paths.p.x-handler',
        'error',
        "x-handler must be one of legacy, falcon, json, got 'jsn'",
    ),
    (
        'proxy-timeout',
        'paths:\n  p:\n    url: /p\n    use: proxy:http://127.0.0.1:9\n'
        '    x-proxy-read-timeout: soon\n',
        'paths.p.x-proxy-read-timeout',
        'error',
        "must be numbers of seconds, got 'soon'",
    ),
    (
        'validator',
        'paths:\n  p:\n    url: /p\n    request:\n      headers:\n        checks:\n'
        '          - {header: A, validates: python:todos.validatr, return: 401}\n',
        'paths.p.request.headers.checks[0].validates',
        'error',
        "(did you mean 'validator'?)",
    ),
    (
        'alter',
        'paths:\n  p:\n    url: /p\n    response:\n      body:\n        checks:\n'
        '          - {alter: python:todos.LIMIT}\n',
        'paths.p.response.body.checks[0].alter',
        'error',
        'is not callable',
    ),
    (
        'model-is-a-module',
        'paths:\n  p:\n    url: /p\n    response:\n      body:\n'
        '        schema: python:json.decoder\n',
        'paths.p.response.body.schema',
        'error',
        'python:json.decoder is not a Pydantic model or type (it is the module json.decoder',
    ),
    (
        'type-arguments',
        'types:\n  pattern: python:todos.NeedsArgs\n',
        'types.pattern',
        'error',
        "is instantiated with no arguments; it requires 'pattern'",
    ),
    (
        'type-instances',
        'types:\n  thing: python:todos.NotCallable\n',
        'types.thing',
        'error',
        'makes instances that are not callable',
    ),
    (
        'global-arguments',
        'globals:\n  db: python:todos.factory\n',
        'globals.db',
        'error',
        "is called as (globs) at start-up; it requires 'other'",
    ),
    (
        'global-hub',
        'globals:\n  db: python:todos.hub_factory\n',
        'globals.db',
        'error',
        "takes a 'hub' parameter (the Socket.IO hub), but the spec declares no sockets",
    ),
    (
        'global-file',
        'globals:\n  config: file:config.ini\n',
        'globals.config',
        'error',
        'file:config.ini: no such file',
    ),
    (
        'connect-arguments',
        'sockets:\n  /:\n    events:\n      connect: python:todos.three\n',
        'sockets./.events.connect',
        'error',
        "a 'connect' handler is called as (ctx) or (ctx, auth); it requires 3 arguments",
    ),
    (
        'event-no-ctx',
        'sockets:\n  /:\n    events:\n      chat: python:todos.nothing\n',
        'sockets./.events.chat',
        'error',
        'it takes no argument, not even ctx',
    ),
    (
        'legacy-socket',
        'sockets:\n  /:\n    use: python:todos.nothing\n',
        'sockets./.use',
        'error',
        'a RedBarrel socket handler is called as (globs, request)',
    ),
    (
        'client-missing',
        'socketio:\n  client: file:socket.io.js\nsockets:\n  /:\n    events:\n'
        '      chat: python:todos.item\n',
        'socketio.client',
        'error',
        'file:socket.io.js: no such file',
    ),
    (
        'query-only-parameter',
        'paths:\n  p:\n    url: /todos/{id}\n    use: python:todos.get\n',
        'paths.p.use',
        'warning',
        "reads 'todo_id' from the query string only: it is not a placeholder of the url "
        '/todos/{id} (placeholders: id); a request without ?todo_id=... answers 400',
    ),
    (
        'undecidable',
        'paths:\n  p:\n    url: /p\n    use: python:lazy.anything\n',
        'paths.p.use',
        'warning',
        'python:lazy.anything cannot be checked without running code: lazy (',
    ),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / 'todos.py').write_text(HANDLERS)
    (tmp_path / 'lazy.py').write_text(LAZY)
    return tmp_path


def spec(folder: Path, body: str, name: str = 'spec.yaml') -> Path:
    path = folder / name
    path.write_text('rbconfig: 1\n' + body)
    return path


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def _entry(where: str) -> list[str]:
    """The spec entry a place is in (``paths.p``, ``globals.db``, ``sockets./``...)."""
    return where.split('.')[:2]


@pytest.mark.parametrize(
    ('body', 'where', 'severity', 'message'),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_validate_finds_what_run_refuses(
    folder: Path, body: str, where: str, severity: str, message: str
) -> None:
    document = load(spec(folder, body))
    problem = only(preflight(document))
    assert (problem.where, problem.severity) == (where, severity)
    assert message in problem.message
    assert problem.line is not None and problem.column is not None
    refused = [p for p in startup_problems(document) if p.severity == 'error']
    if severity == 'error':  # run refuses it, at that entry of the spec
        assert [_entry(p.where) for p in refused] == [_entry(where)], refused
    else:  # run starts: a warning only
        assert refused == []


def test_the_issue_example_every_problem_located(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec(
        folder,
        'paths:\n'
        '  index:\n    url: /\n    use: file:index.html\n'
        '  create:\n    method: POST\n    url: /todos\n    use: python:todos.creat\n'
        '    request:\n      body:\n        schema:\n          type: strin\n'
        '  get:\n    url: /todos/{id}\n    use: python:todos.get\n'
        '  other:\n    url: /other\n    use: python:nothere.handler\n',
    )
    assert main(['validate', str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(': ')[0] for line in lines[:-1]] == [
        f'{path}:5:5',
        f'{path}:9:5',
        f'{path}:13:11',
        f'{path}:16:5',
        f'{path}:19:5',
    ]
    assert lines[-1] == '1 spec file checked, 1 invalid (4 errors, 1 warning)'


def test_run_refuses_the_same_spec_at_the_same_line(folder: Path) -> None:
    path = spec(folder, 'paths:\n  p:\n    url: /t\n    use: python:todos.creat\n')
    run = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'run', str(path), '--port', '0'],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert run.returncode == 1
    assert f'{path}:5:5: error: paths.p.use: python:todos.creat:' in run.stderr
    assert main(['validate', str(path)]) == 1


MODULE_WITH_EFFECTS = """\
import not_installed_anywhere

open('IMPORTED', 'w').close()

def handler(name):
    return name
"""


def test_no_project_code_runs_and_import_mode_runs_it(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    (folder / 'effects.py').write_text(MODULE_WITH_EFFECTS)
    path = spec(folder, 'paths:\n  p:\n    url: /{name}\n    use: python:effects.handler\n')
    assert main(['validate', str(path)]) == 0
    assert capsys.readouterr().out == '1 spec file checked, all valid\n'
    assert not (folder / 'IMPORTED').exists()
    assert main(['validate', '--import', str(path)]) == 1
    out = capsys.readouterr().out
    assert f'{path}:5:5: paths.p.use: python:effects.handler: importing failed: ' in out
    assert "ModuleNotFoundError: No module named 'not_installed_anywhere'" in out
    sys.modules.pop('effects', None)


def test_import_mode_settles_what_the_source_cannot(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / 'made.py').write_text(
        'def _make():\n'
        '    def handler(req, resp):\n'
        '        pass\n'
        '    return handler\n'
        'globals()["built"] = _make()\n'
    )
    path = spec(folder, 'paths:\n  p:\n    url: /p/{id}\n    use: python:made.built\n')
    assert main(['validate', str(path)]) == 0
    out = capsys.readouterr().out
    assert 'warning: paths.p.use: python:made.built cannot be checked without running code: ' in (
        out
    )
    assert 'it calls globals() at line 5 (rbconfig validate --import settles it)' in out
    assert main(['validate', '--import', str(path)]) == 1
    out = capsys.readouterr().out
    assert 'cannot be checked' not in out
    assert "the handler _make.<locals>.handler does not take the URL params ['id']" in (out)
    sys.modules.pop('made', None)


def test_import_mode_reports_each_problem_once(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec(folder, CASES[3][1])  # a bad JSON Schema: static and run both see it
    assert main(['validate', '--import', str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and 'unknown type' in out[0]
    sys.modules.pop('todos', None)


def test_json_and_github_formats_carry_the_code_problems(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = spec(folder, CASES[-2][1])  # a warning only
    assert main(['validate', '--format', 'json', str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['valid'] is True
    assert [(p['where'], p['severity'], p['line']) for p in report['problems']] == [
        ('paths.p.use', 'warning', 5)
    ]
    assert main(['validate', '--format', 'github', str(path)]) == 0
    assert capsys.readouterr().out.startswith(
        f'::warning file={path},line=5,col=5,title=paths.p.use::the handler todos.get(todo_id)'
    )


def test_validate_without_import_loads_no_runtime_even_with_sockets_and_schemas(
    folder: Path,
) -> None:
    path = spec(folder, CASES[3][1] + CASES[19][1].replace('three', 'item'))
    code = textwrap.dedent(
        f"""\
        import sys
        from rbconfig.cli import main
        status = main(['validate', {str(path)!r}])
        heavy = {{m.split('.')[0] for m in sys.modules}} & {{'falcon', 'gevent', 'socketio',
            'engineio', 'webob', 'todos'}}
        print(status, sorted(heavy), [m for m in sys.modules if m.startswith('rbconfig.runtime')])
        """
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, env=child_env(), timeout=120
    )
    assert result.stdout.splitlines()[-1] == '1 [] []', result.stderr
