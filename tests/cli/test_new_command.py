"""``rbconfig new DIR``: RedBarrel's rbr-quickstart, today (issue 14.3).

The app it writes must validate, serve and pass its own tests at once; asked
through a real pseudo-terminal (pexpect) or made from defaults without one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pexpect
import pytest

from rbconfig.commands.new import ask
from rbconfig.commands.skeleton import module_name
from tests.helpers.server import child_env, start_command, start_server


def spawn_new(*args: str) -> pexpect.spawn:
    """``rbconfig new ARGS`` on a pseudo-terminal."""
    return pexpect.spawn(
        sys.executable,
        ['-m', 'rbconfig.cli', 'new', *args],
        env=child_env(),
        encoding='utf-8',
        timeout=60,
    )


def rbconfig(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a child without a terminal (stdin is not a TTY)."""
    return subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=cwd,
        timeout=120,
    )


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def own_tests_pass(folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', str(folder)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=folder,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert ' passed' in done.stdout


@pytest.mark.parametrize(
    ('options', 'spec_name', 'has_page', 'http'),
    [
        ([], 'todo_list.yaml', False, True),
        (['--sockets', '--format', 'toml'], 'todo_list.toml', True, True),
        (['--no-http', '--sockets'], 'todo_list.yaml', True, False),
    ],
    ids=['defaults', 'http-sockets-toml', 'sockets-only'],
)
def test_without_a_terminal_it_makes_an_app_that_validates_runs_and_tests(
    tmp_path: Path, options: list[str], spec_name: str, has_page: bool, http: bool
) -> None:
    folder = tmp_path / 'todo-list'
    made = rbconfig('new', str(folder), *options)
    assert made.returncode == 0, made.stderr
    assert made.stderr == ''
    names = {'README.md', spec_name, 'todo_list.py', 'test_todo_list.py'}
    assert {path.name for path in folder.iterdir()} == names | (
        {'index.html'} if has_page else set()
    )
    assert f'rbconfig run {folder / spec_name}' in made.stdout

    checked = rbconfig('validate', str(folder))
    assert (checked.returncode, checked.stdout) == (0, '1 spec file checked, all valid\n')

    with start_server(folder / spec_name) as server:
        status, page = get(server.url + '/')
        assert status == 200
        if has_page:
            assert b'<title>Todo List</title>' in page
            status, handshake = get(server.url + '/socket.io/?EIO=4&transport=polling')
            assert (status, handshake[:2]) == (200, b'0{')
        else:
            assert json.loads(page)['hello'] == '/hello/world'
        if http:
            status, hello = get(server.url + '/hello/world')
            assert json.loads(hello) == {'message': 'Hello, world!'}
        status, docs = get(server.url + '/__doc__')
        assert status == 200 and b'Todo List' in docs

    own_tests_pass(folder)


def test_asked_on_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / 'app'
    child = spawn_new(str(folder))
    try:
        child.expect_exact('Name of the service [App]: ')
        child.sendline('Chat Room')
        child.expect_exact('Serve HTTP paths (JSON handlers)? [Y/n]: ')
        child.sendline('maybe')
        child.expect_exact("Please answer 'y' or 'n'.")
        child.expect_exact('Serve HTTP paths (JSON handlers)? [Y/n]: ')
        child.sendline('n')
        child.expect_exact('Add Socket.IO events and a page? [y/N]: ')
        child.sendline('')  # the default: no; with no HTTP either, both are asked again
        child.expect_exact('An app needs HTTP paths, Socket.IO or both.')
        child.expect_exact('Serve HTTP paths (JSON handlers)? [Y/n]: ')
        child.sendline('no')
        child.expect_exact('Add Socket.IO events and a page? [y/N]: ')
        child.sendline('y')
        child.expect_exact('Spec format, yaml or toml [yaml]: ')
        child.sendline('toml')
        child.expect_exact(f'Made {folder}/ (Chat Room: Socket.IO, a TOML spec):')
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert {path.name for path in folder.iterdir()} == {
        'README.md',
        'chat_room.toml',
        'chat_room.py',
        'index.html',
        'test_chat_room.py',
    }
    assert rbconfig('validate', str(folder)).returncode == 0
    own_tests_pass(folder)


def test_options_answer_the_questions_on_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / 'quiet'
    child = spawn_new(str(folder), '--name', 'Q', '--http', '--no-sockets')
    try:
        child.expect_exact('Spec format, yaml or toml [yaml]: ')  # the one question left
        child.sendline('')
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert (folder / 'q.yaml').is_file()
    child = spawn_new(str(tmp_path / 'yes'), '-y')
    child.expect(pexpect.EOF)  # -y: no question at all
    child.close()
    assert child.exitstatus == 0
    assert 'Name of the service' not in (child.before or '')
    assert (tmp_path / 'yes' / 'yes.yaml').is_file()


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / 'todo'
    folder.mkdir()
    (folder / 'todo.py').write_text('# mine\n')
    made = rbconfig('new', str(folder))
    assert made.returncode == 1
    assert made.stderr == f'rbconfig new: {folder / "todo.py"} exists; nothing written\n'
    assert [path.name for path in folder.iterdir()] == ['todo.py']
    assert (folder / 'todo.py').read_text() == '# mine\n'


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / 'todo').write_text('a file\n')
    made = rbconfig('new', str(tmp_path / 'todo'))
    assert (made.returncode, made.stderr) == (
        1,
        f'rbconfig new: {tmp_path / "todo"} is not a folder\n',
    )


def test_no_http_and_no_sockets_is_a_usage_error(tmp_path: Path) -> None:
    made = rbconfig('new', str(tmp_path / 'x'), '--no-http', '--no-sockets')
    assert made.returncode == 2
    assert 'leave nothing to make' in made.stderr
    assert not (tmp_path / 'x').exists()


@pytest.mark.parametrize(
    ('name', 'module'),
    [
        ('Todo List', 'todo_list'),
        ('my-app', 'my_app'),
        ('json', 'json_app'),  # python:json.hello would find the standard library
        ('class', 'class_app'),
        ('2fa', 'app_2fa'),
        ('!!!', 'app'),
        ('Café', 'cafe'),  # python: locations are ASCII dotted names
        ('日本', 'app'),
        ('Ⅷ Über-Straße', 'viii_uber_strae'),
    ],
)
def test_module_names(name: str, module: str) -> None:
    assert module_name(name) == module


@pytest.mark.parametrize(
    ('argv', 'spec'),
    [
        (['café'], 'cafe.yaml'),
        (['x', '--name', 'Café'], 'cafe.yaml'),
        (['日本', '-y'], 'app.yaml'),
        (['q', '--name', 'a"""b\\'], 'a_b.yaml'),  # quotes and a backslash in docstrings
    ],
)
def test_any_name_makes_an_app_that_validates(tmp_path: Path, argv: list[str], spec: str) -> None:
    made = rbconfig('new', *argv, cwd=tmp_path)
    assert (made.returncode, made.stderr) == (0, '')
    folder = tmp_path / argv[0]
    title = argv[2] if '--name' in argv else argv[0].title()
    assert f'title: {title}\n' in (folder / spec).read_text(encoding='utf-8')
    checked = rbconfig('validate', argv[0], cwd=tmp_path)
    assert (checked.returncode, checked.stdout) == (0, '1 spec file checked, all valid\n')


def test_a_non_ascii_name_typed_at_the_prompt(tmp_path: Path) -> None:
    folder = tmp_path / 'app'
    child = spawn_new(str(folder), '--http', '--no-sockets', '--format', 'yaml')
    try:
        child.expect_exact('Name of the service [App]: ')
        child.sendline('Crème Brûlée')
        child.expect_exact(f'Made {folder}/ (Crème Brûlée: HTTP, a YAML spec):')
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert 'title: Crème Brûlée\n' in (folder / 'creme_brulee.yaml').read_text(encoding='utf-8')


@pytest.mark.parametrize('name', ['multi\nline', 'tab\there', 'bell\x07', 'para\u2029graph'])
def test_a_name_with_control_characters_is_a_usage_error(tmp_path: Path, name: str) -> None:
    made = rbconfig('new', str(tmp_path / 'x'), '--name', name)
    assert made.returncode == 2
    assert made.stderr.startswith(f'rbconfig new: error: --name {name!r} holds ')
    assert made.stderr.endswith('give a name on one line, without control characters\n')
    assert not (tmp_path / 'x').exists()


def test_a_control_character_typed_at_the_prompt_is_asked_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(['bad\x1b[31m', 'Good'])
    args = argparse.Namespace(name=None, http=True, sockets=False, format='yaml')
    assert ask(args, tmp_path / 'x', lambda _: next(answers)).name == 'Good'
    assert capsys.readouterr().out == (
        "The name holds a control character ('\\x1b'); a name on one line, without control "
        'characters.\n'
    )


@pytest.mark.parametrize(
    ('folder', 'run', 'test'),
    [
        ('-x', './-x/x.yaml', './-x'),  # not read as an option
        ('my app', "'my app/my_app.yaml'", "'my app'"),
        ("it's", "'it'\"'\"'s/it_s.yaml'", "'it'\"'\"'s'"),
    ],
)
def test_the_next_commands_are_quoted_for_the_shell(
    tmp_path: Path, folder: str, run: str, test: str
) -> None:
    made = rbconfig('new', '--', folder, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[-2:] == [
        f'  rbconfig run {run}   then open http://127.0.0.1:8000/',
        f'  python -m pytest {test}',
    ]


def test_rbr_run_is_rbconfig_run(tmp_path: Path) -> None:
    script = shutil.which('rbr-run')
    assert script is not None, 'install the package: pip install -e .'
    spec = Path(__file__).resolve().parents[2] / 'apps' / 'hello' / 'hello.yaml'
    with start_command([script, str(spec), '--port', '0']) as server:
        assert get(server.url + '/') == (200, b'Hello, World!')
    assert os.path.dirname(script) == os.path.dirname(shutil.which('rbconfig') or '')
