"""``rbconfig convert`` never overwrites unless told to, even in a race (issue 11.11).

- a target created after the existence check is not overwritten: it is created exclusively;
- a dangling symbolic link is something there too;
- ``-o newdir/`` (trailing slash) is a folder, not a file named ``newdir``;
- a conversion killed with SIGKILL mid-write leaves a temporary file that the next
  conversion into that folder removes (a real child process, stopped on an event).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.commands import convert as convert_command
from rbconfig.commands import output as output_module
from rbconfig.converters import load

SPEC = 'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    use: python:m.hello\n'


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / 'spec.yaml'
    path.write_text(SPEC, encoding='utf-8')
    return path


def test_a_target_made_after_the_check_is_not_overwritten(
    source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = source.with_suffix('.toml')
    real_load = convert_command.load

    def load_then_someone_writes(*args: object) -> object:
        # Runs after run() found no target: another program writes it now.
        target.write_text('# theirs\n', encoding='utf-8')
        return real_load(*args)

    monkeypatch.setattr(convert_command, 'load', load_then_someone_writes)
    assert main(['convert', str(source), '--to', 'toml']) == 1
    assert capsys.readouterr().err == (
        f'rbconfig convert: {target} exists; use --force to overwrite it\n'
    )
    assert target.read_text(encoding='utf-8') == '# theirs\n'
    assert sorted(path.name for path in source.parent.iterdir()) == ['spec.toml', 'spec.yaml']


def test_a_dangling_link_is_not_replaced_without_force(
    source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = source.with_suffix('.toml')
    target.symlink_to(source.parent / 'nowhere.toml')
    assert main(['convert', str(source), '--to', 'toml']) == 1
    assert capsys.readouterr().err == (
        f'rbconfig convert: {target} exists; use --force to overwrite it\n'
    )
    assert target.is_symlink() and os.readlink(target) == str(source.parent / 'nowhere.toml')
    assert main(['convert', str(source), '--to', 'toml', '--force']) == 0
    assert not target.is_symlink()  # replaced, not written through
    assert load(target).spec == load(source).spec
    assert not (source.parent / 'nowhere.toml').exists()


def test_output_with_a_trailing_slash_is_a_folder(source: Path) -> None:
    folder = source.parent / 'newdir'
    assert main(['convert', str(source), '--to', 'toml', '-o', f'{folder}/']) == 0
    assert folder.is_dir()
    assert load(folder / 'spec.toml').spec == load(source).spec


# The child converts with os.fsync replaced: once the temporary file is written it says
# so on stdout and waits for stdin, which never comes. The test kills it there.
CHILD = """\
import os, sys
from rbconfig.commands import convert

def paused_fsync(fd):
    sys.stdout.write('written\\n')
    sys.stdout.flush()
    sys.stdin.readline()

convert.os.fsync = paused_fsync
sys.exit(convert.run(convert.argparse.Namespace(
    input=sys.argv[1], to='toml', from_format=None, output=None, force=False)))
"""


def test_a_killed_conversion_leaves_nothing_behind_the_next_one(source: Path) -> None:
    folder = source.parent
    child = subprocess.Popen(
        [sys.executable, '-c', CHILD, str(source)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == 'written\n'  # the event: mid-write
        temporary = folder / f'.spec.toml.rbconfig-{child.pid}.tmp'
        assert temporary.exists()
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert sorted(path.name for path in folder.iterdir()) == [temporary.name, 'spec.yaml']
    other = folder / 'other.yaml'
    other.write_text(SPEC, encoding='utf-8')
    output_module._CLEANED.discard(folder)  # as in a fresh process
    assert main(['convert', str(other), '--to', 'toml']) == 0
    assert sorted(path.name for path in folder.iterdir()) == [
        'other.toml',
        'other.yaml',
        'spec.yaml',
    ]


def test_a_running_conversions_temporary_file_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f'.a.toml.rbconfig-{os.getpid()}.tmp'
    mine.write_text('in progress\n')
    convert_command.write_atomically(tmp_path / 'b.toml', 'b\n')
    assert mine.read_text() == 'in progress\n'


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    paths = ''.join(
        f'  p{n}:\n    url: /items{n}/{{id}}\n    use: python:m.item\n' for n in range(3000)
    )
    source = tmp_path / 'big.yaml'
    source.write_text('rbconfig: 1\npaths:\n' + paths, encoding='utf-8')  # ~200 KB of TOML out
    # Buffered as usual: an unbuffered stdout (PYTHONUNBUFFERED) ends a write cut short by
    # the closed pipe silently, as a partial write, instead of raising.
    env = {name: value for name, value in os.environ.items() if name != 'PYTHONUNBUFFERED'}
    child = subprocess.Popen(
        [sys.executable, '-m', 'rbconfig.cli', 'convert', str(source), '--to', 'toml', '-o', '-'],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b'#:schema ')  # it is writing: `| head -1`
    child.stdout.close()
    assert child.stderr.read() == b''
    assert child.wait() == 1
