"""``rbr-check FILE``: ``Syntax OK.`` (exit 0) or the error and ``Syntax Error.`` (exit 1)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rbconfig.commands.rbr_check import main

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'


@pytest.mark.parametrize('path', sorted(CORPUS.glob('*.rbr')), ids=lambda path: path.stem)
def test_every_corpus_file_is_ok(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == 'Syntax OK.\n'


def test_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / 'shortener__shortme__78766e7.rbr'
    assert main([str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == 'Syntax OK.\n'
    assert captured.err.startswith(f"{path}:132:9: warning: sockets./.use: stray ';' on line 132")


def test_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / 'shortme.rbr'
    bad.write_text('path shorten (\n    url /shorten\n    use python:a.b\n);\n', encoding='utf-8')
    assert main([str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == 'Syntax Error.\n'
    assert captured.err == f"{bad}:3:5: expected ',' or ')' after 'url /shorten', found 'use'\n"


def test_model_errors_count_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / 'bad.rbr'
    bad.write_text('path x (\n    method get\n);\n', encoding='utf-8')
    assert main([str(bad)]) == 1
    assert 'paths.x.method: HTTP methods are upper case' in capsys.readouterr().err


def test_missing_file_and_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A missing file is a usage error (2), as for rbconfig validate, not a syntax error.
    assert main([str(tmp_path / 'nope.rbr')]) == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    assert captured.err.endswith(
        f'error: argument path: no such file or folder: {tmp_path / "nope.rbr"}\n'
    )
    assert main(['']) == 2
    assert "an empty path ''" in capsys.readouterr().err
    assert main([]) == 2
    assert 'the following arguments are required: path' in capsys.readouterr().err


def test_verbose_summary(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / 'misc__demos__78766e7.rbr'
    assert main(['--verbose', str(path)]) == 0
    assert capsys.readouterr().out == (
        f'{path}: 10 paths, 2 globals, 1 types, 0 socket handlers\nSyntax OK.\n'
    )


def test_any_file_name_is_read_as_rbr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / 'service.txt'
    shutil.copy(CORPUS / 'samples__types__eaf5ae5.rbr', path)
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == 'Syntax OK.\n'


def test_installed_console_script() -> None:
    script = shutil.which('rbr-check')
    assert script is not None, 'install the package: pip install -e .'
    done = subprocess.run(
        [script, str(CORPUS / 'broadcast__broadcast__78766e7.rbr')],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, 'Syntax OK.\n')
    assert "'arbiter' has no effect" in done.stderr
