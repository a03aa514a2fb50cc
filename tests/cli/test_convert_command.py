"""``rbconfig convert``: files and folder trees, no silent overwrites, atomic writes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.commands.convert import write_atomically
from rbconfig.converters import load

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder of legacy specs: chat.rbr at the top, two more one level down."""
    root = tmp_path / 'legacy'
    (root / 'demos').mkdir(parents=True)
    shutil.copy(CORPUS / 'rtmonitor__rtmonitor__78766e7.rbr', root / 'monitor.rbr')
    shutil.copy(CORPUS / 'misc__demos__78766e7.rbr', root / 'demos' / 'demos.rbr')
    shutil.copy(CORPUS / 'shortener__shortme__78766e7.rbr', root / 'demos' / 'shortme.rbr')
    (root / 'notes.txt').write_text('not a spec\n', encoding='utf-8')
    return root


def test_file_to_yaml_beside_it(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tree / 'monitor.rbr'
    assert main(['convert', str(source), '--to', 'yaml']) == 0
    target = tree / 'monitor.yaml'
    assert load(target).spec == load(source).spec
    text = target.read_text(encoding='utf-8')
    assert '  # the socket service\n  /:\n' in text  # RBR comments carried over
    assert capsys.readouterr().out == f'{source} -> {target}\n'


def test_refuses_to_overwrite_without_force(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tree / 'monitor.toml'
    target.write_text('# mine\n', encoding='utf-8')
    assert main(['convert', str(tree / 'monitor.rbr'), '--to', 'toml']) == 1
    assert capsys.readouterr().err == (
        f'rbconfig convert: {target} exists; use --force to overwrite it\n'
    )
    assert target.read_text(encoding='utf-8') == '# mine\n'
    assert main(['convert', str(tree / 'monitor.rbr'), '--to', 'toml', '--force']) == 0
    assert load(target).spec == load(tree / 'monitor.rbr').spec


def test_output_file_folder_and_stdout(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tree / 'out' / 'x.yaml'
    assert main(['convert', str(tree / 'monitor.rbr'), '--to', 'yaml', '-o', str(out)]) == 0
    assert out.exists()
    assert (
        main(['convert', str(tree / 'monitor.rbr'), '--to', 'toml', '-o', str(tree / 'out')]) == 0
    )
    assert (tree / 'out' / 'monitor.toml').exists()
    capsys.readouterr()
    assert main(['convert', str(out), '--to', 'rbr', '-o', '-']) == 0
    printed = capsys.readouterr().out
    assert printed.startswith('meta (\n')
    assert 'socket python:redbarrel.demos.rtmonitor.rtmonitor.main;\n' in printed


def test_folder_mirrors_the_tree(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / 'yaml'
    assert main(['convert', str(tree), '--to', 'yaml', '-o', str(out)]) == 0
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob('*') if path.is_file())
    assert written == ['demos/demos.yaml', 'demos/shortme.yaml', 'monitor.yaml']
    for name in written:
        source = (tree / name).with_suffix('.rbr')
        assert load(out / name).spec == load(source).spec
    err = capsys.readouterr().err
    assert "stray ';' on line 132" in err  # warnings are shown, the file is converted
    # Back to RBR from the YAML tree, and again without --force: refused.
    back = tmp_path / 'rbr'
    assert main(['convert', str(out), '--to', 'rbr', '-o', str(back)]) == 0
    assert load(back / 'demos' / 'demos.rbr').spec == load(tree / 'demos' / 'demos.rbr').spec
    assert main(['convert', str(out), '--to', 'rbr', '-o', str(back)]) == 1


def test_folder_conversion_checks_everything_before_writing(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / 'demos' / 'demos.yaml').write_text('# mine\n', encoding='utf-8')
    assert main(['convert', str(tree), '--to', 'yaml']) == 1
    assert not (tree / 'monitor.yaml').exists()  # nothing written
    assert 'demos.yaml exists; use --force' in capsys.readouterr().err


def test_two_inputs_for_one_output(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['convert', str(tree / 'monitor.rbr'), '--to', 'toml']) == 0
    capsys.readouterr()
    assert main(['convert', str(tree), '--to', 'yaml']) == 1
    assert capsys.readouterr().err == (
        f'rbconfig convert: {tree / "monitor.rbr"} and {tree / "monitor.toml"} would both be '
        f'written to {tree / "monitor.yaml"}; convert one format at a time with --from\n'
    )
    assert main(['convert', str(tree), '--to', 'yaml', '--from', 'rbr']) == 0
    assert (tree / 'monitor.yaml').exists()


def test_from_overrides_the_ending(tmp_path: Path) -> None:
    source = tmp_path / 'legacy.txt'
    shutil.copy(CORPUS / 'samples__html__eaf5ae5.rbr', source)
    target = tmp_path / 'html.yaml'
    assert main(['convert', str(source), '--from', 'rbr', '--to', 'yaml', '-o', str(target)]) == 0
    assert load(target).spec.paths['html'].url == '/index.html'


def test_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / 'bad.rbr'
    bad.write_text('path x (\n    url /a\n    use python:a.b\n);\n', encoding='utf-8')
    assert main(['convert', str(bad), '--to', 'yaml']) == 1
    assert capsys.readouterr().err == (
        f"{bad}:3:5: expected ',' or ')' after 'url /a', found 'use'\n"
    )
    assert not (tmp_path / 'bad.yaml').exists()
    with pytest.raises(SystemExit) as exited:  # a usage error (tests/cli/test_arguments.py)
        main(['convert', str(tmp_path / 'missing.rbr'), '--to', 'yaml'])
    assert exited.value.code == 2
    assert 'no such file or folder' in capsys.readouterr().err
    assert main(['convert', str(tmp_path), '--to', 'yaml', '-o', '-']) == 1
    assert "'-o -' (standard output) takes one input file" in capsys.readouterr().err
    same = tmp_path / 'same.rbr'
    shutil.copy(CORPUS / 'samples__types__eaf5ae5.rbr', same)
    assert main(['convert', str(same), '--to', 'rbr']) == 2
    assert capsys.readouterr().err == (
        f'rbconfig convert: error: {same} is the spec being read: converting would overwrite it; '
        'give -o OUT\n'
    )


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / 'spec.yaml'
    target.write_text('old\n', encoding='utf-8')
    os.chmod(target, 0o640)
    with pytest.raises(FileExistsError):
        write_atomically(target, 'new\n')  # created exclusively unless told to replace
    assert target.read_text(encoding='utf-8') == 'old\n'
    write_atomically(target, 'new\n', replace=True)
    assert target.read_text(encoding='utf-8') == 'new\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ['spec.yaml']  # no temp file left


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / 'spec.yaml'
    target.write_text('old\n', encoding='utf-8')
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, 'bad \udc80 surrogate\n', replace=True)
    assert target.read_text(encoding='utf-8') == 'old\n'
    assert [path.name for path in tmp_path.iterdir()] == ['spec.yaml']


def test_console_script(tree: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            '-m',
            'rbconfig.cli',
            'convert',
            str(tree / 'monitor.rbr'),
            '--to',
            'toml',
            '-o',
            '-',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '[sockets."/"]\nuse = "python:redbarrel.demos.rtmonitor.rtmonitor.main"\n' in (
        done.stdout
    )
