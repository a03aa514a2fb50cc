"""``rbconfig schema``: prints the JSON Schema, or writes it to a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.schema.jsonschema import service_schema, service_schema_text


def test_schema_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['schema']) == 0
    out = capsys.readouterr().out
    assert out == service_schema_text()
    assert json.loads(out) == service_schema()


def test_schema_written_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / 'service.schema.json'
    assert main(['schema', '-o', str(target)]) == 0
    assert target.read_text(encoding='utf-8') == service_schema_text()
    assert capsys.readouterr().out == ''


def test_schema_to_an_unwritable_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / 'missing-folder' / 'schema.json'
    assert main(['schema', '-o', str(target)]) == 1
    assert capsys.readouterr().err == (
        f'rbconfig schema: cannot write {target}: No such file or directory\n'
    )
