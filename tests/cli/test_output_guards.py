"""Every command that writes a file writes it as ``convert`` does.

- never onto a spec it reads, however the output is named (a link, ``../``): status 2;
- never over an existing file without ``--force`` (status 1);
- into a named pipe or a character device (``-o /dev/null``), never replacing it;
- an empty path argument is a usage error (an unset variable in CI), not the current folder;
- a folder conversion takes the files ``validate`` would (no pyproject.toml, no CI config).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.converters import load

SPEC = 'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    use: file:spec.yaml\n'
EXPORTS = ('openapi', 'asyncapi', 'docs')


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / 'spec.yaml'
    path.write_text(SPEC, encoding='utf-8')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'link.json').symlink_to('spec.yaml')
    return path


@pytest.mark.parametrize('command', EXPORTS)
@pytest.mark.parametrize('force', [[], ['--force']])
def test_an_export_is_never_written_onto_its_spec(
    spec: Path, capsys: pytest.CaptureFixture[str], command: str, force: list[str]
) -> None:
    folder = spec.parent
    for output in (spec, folder / 'link.json', folder / 'sub' / '..' / 'spec.yaml'):
        assert main([command, str(spec), '-o', str(output), *force]) == 2
        same = '' if output == spec else f' ({spec})'
        assert capsys.readouterr().err == (
            f'rbconfig {command}: error: {output} is the spec being read{same}; '
            'refusing to overwrite it\n'
        )
        assert spec.read_text(encoding='utf-8') == SPEC
    assert (folder / 'link.json').is_symlink()


@pytest.mark.parametrize('command', [*EXPORTS, 'schema'])
def test_an_existing_output_is_overwritten_only_with_force(
    spec: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    target = spec.parent / 'out.txt'
    target.write_text('mine\n', encoding='utf-8')
    argv = [command, *([str(spec)] if command != 'schema' else []), '-o', str(target)]
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        f'rbconfig {command}: {target} exists; use --force to overwrite it\n'
    )
    assert target.read_text(encoding='utf-8') == 'mine\n'
    assert main([*argv, '--force']) == 0
    assert target.read_text(encoding='utf-8') != 'mine\n'
    assert sorted(path.name for path in spec.parent.iterdir()) == [
        'link.json',
        'out.txt',
        'spec.yaml',
        'sub',
    ]


def test_convert_never_writes_onto_an_input_through_a_link(
    spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = spec.parent / 'link.yaml'
    link.symlink_to(spec.name)
    assert main(['convert', str(spec), '--to', 'yaml', '-o', str(link), '--force']) == 2
    assert 'is the spec being read' in capsys.readouterr().err
    assert link.is_symlink()
    assert spec.read_text(encoding='utf-8') == SPEC


# --- pipes and devices --------------------------------------------------------------------


def read_fifo(path: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader of the FIFO ``path`` in a thread, as ``cat`` would be; what it read."""
    got: list[bytes] = []

    def read() -> None:
        with open(path, 'rb') as fifo:
            got.append(fifo.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


@pytest.mark.parametrize('force', [[], ['--force']])
@pytest.mark.parametrize('command', ['convert', 'openapi'])
def test_a_fifo_is_written_into_not_replaced(spec: Path, command: str, force: list[str]) -> None:
    fifo = spec.parent / 'out.fifo'
    os.mkfifo(fifo)
    thread, got = read_fifo(fifo)
    options = ['--to', 'toml'] if command == 'convert' else []
    assert main([command, str(spec), *options, '-o', str(fifo), *force]) == 0
    thread.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    expected = 'rbconfig = 1\n' if command == 'convert' else '"openapi": "3.1'
    assert expected in got[0].decode('utf-8')
    assert not [path for path in spec.parent.iterdir() if path.name.endswith('.tmp')]


def test_dev_null_needs_no_force_and_stays_a_device(
    spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(['convert', str(spec), '--to', 'toml', '-o', os.devnull]) == 0
    assert capsys.readouterr().out == f'{spec} -> {os.devnull}\n'
    assert main(['openapi', str(spec), '-o', os.devnull]) == 0
    assert stat.S_ISCHR(os.lstat(os.devnull).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason='making a character device needs root')
def test_a_device_is_not_replaced_even_with_force(spec: Path) -> None:
    device = spec.parent / 'mynull'
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
    assert main(['convert', str(spec), '--to', 'toml', '-o', str(device), '--force']) == 0
    assert main(['docs', str(spec), '-o', str(device), '--force']) == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)


# --- empty paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    'argv',
    [
        ['validate', ''],
        ['validate', 'x.yaml', ''],
        ['convert', '', '--to', 'yaml'],
        ['convert', 'x.rbr', '--to', 'yaml', '-o', ''],
        ['run', ''],
        ['openapi', ''],
        ['asyncapi', 'x.yaml', '-o', ''],
        ['docs', ''],
        ['schema', '-o', ''],
        ['new', ''],
    ],
)
def test_an_empty_path_is_a_usage_error(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'x.yaml').write_text(SPEC, encoding='utf-8')
    (tmp_path / 'x.rbr').write_text('meta (title "x");\n', encoding='utf-8')
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "an empty path ''; is a variable unset?" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ['x.rbr', 'x.yaml']


# --- which files a folder conversion takes ------------------------------------------------


def test_a_folder_conversion_skips_what_validate_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / 'pyproject.toml').write_text('[project]\nname = "x"\n', encoding='utf-8')
    (tmp_path / 'compose.toml').write_text('[services.web]\nimage = "x"\n', encoding='utf-8')
    (tmp_path / 'spec.toml').write_text('\ufeff"rbconfig" = 1\n', encoding='utf-8')
    (tmp_path / 'venv').mkdir()
    (tmp_path / 'venv' / 'tool.toml').write_text('rbconfig = 1\n', encoding='utf-8')
    out = tmp_path / 'out'
    assert main(['convert', str(tmp_path), '--to', 'yaml', '-o', str(out)]) == 0
    assert capsys.readouterr().out == (
        f'{tmp_path / "spec.toml"} -> {out / "spec.yaml"}\n'
        '2 other YAML/TOML files skipped (not specs)\n'
    )
    assert load(out / 'spec.yaml').spec.rbconfig == 1
    assert [path.name for path in out.iterdir()] == ['spec.yaml']


def test_a_folder_of_no_specs_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / 'pyproject.toml').write_text('[project]\nname = "x"\n', encoding='utf-8')
    assert main(['convert', str(tmp_path), '--to', 'rbr']) == 1
    assert capsys.readouterr().err == (
        f'rbconfig convert: {tmp_path}: no spec files to convert to rbr here; '
        '1 other YAML/TOML file skipped (not specs)\n'
    )
    assert [path.name for path in tmp_path.iterdir()] == ['pyproject.toml']
