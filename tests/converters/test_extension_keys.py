"""x- keys and the keys inside x- values: written so they read back, or refused with a place.

RBR writes an x- field by name only when the name lexes as one RBR name; any other goes
to the ``x-rbconfig`` JSON. Free-form data (x- values, examples, schemas) may hold keys
that are not text in YAML; TOML and RBR's JSON cannot, so writing those fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rbconfig.cli import main
from rbconfig.converters import UnwritableSpec, dumps, load, loads, write_document
from rbconfig.errors import SpecError
from rbconfig.schema import Spec

#: Characters that cannot be part of an RBR name, each of which the writer once wrote
#: bare (`x-vendor.team "payments"`), giving RBR that did not read back.
AWKWARD = ['.', ' ', 'é', ',', ';', '=', '[', '\\', "'", '"', '#', '(', ')', '|', ':', '\n', '\t']


def _spec_with(key: str) -> Spec:
    """A spec with the extension ``key`` in meta, on a path, in a section and a socket."""
    return Spec.model_validate(
        {
            'rbconfig': 1,
            'meta': {'title': 'T', key: 'payments'},
            'paths': {
                'a': {
                    'url': '/a',
                    key: 'payments',
                    'request': {'body': {'checks': [{'is': 'json', 'return': 400}], key: 1}},
                }
            },
            'sockets': {'/': {'use': 'python:app.chat', 'description': 'd', key: True}},
        }
    )


@pytest.mark.parametrize('char', AWKWARD, ids=repr)
def test_extension_names_rbr_cannot_write_travel_in_x_rbconfig(char: str) -> None:
    key = f'x-vendor{char}team'
    spec = _spec_with(key)
    text = dumps(spec, 'rbr')
    assert loads(text, 'rbr', 'spec.rbr').spec == spec
    assert f'\n    {key} ' not in text  # never written as a field name
    assert 'x-rbconfig' in text


@pytest.mark.parametrize('key', ['x-vendor-team', 'x-a_b', 'x-'])
def test_extension_names_rbr_can_write_stay_fields(key: str) -> None:
    spec = _spec_with(key)
    text = dumps(spec, 'rbr')
    assert loads(text, 'rbr', 'spec.rbr').spec == spec
    assert f'    {key} "payments"' in text
    assert 'x-rbconfig' not in text


def test_cli_writes_rbr_that_validates(tmp_path: Path) -> None:
    source = tmp_path / 'svc.yaml'
    source.write_text(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    x-vendor.team: payments\n    x-café: 1\n',
        encoding='utf-8',
    )
    assert main(['convert', str(source), '--to', 'rbr']) == 0
    assert main(['validate', str(tmp_path / 'svc.rbr')]) == 0
    assert load(tmp_path / 'svc.rbr').spec == load(source).spec


# -- keys that are not text ---------------------------------------------------------------

NOT_TEXT = 'rbconfig: 1\npaths:\n  a:\n    url: /a\n    x-retry-after: {429: 30, 503: 120}\n'


@pytest.mark.parametrize('fmt', ['toml', 'rbr'])
@pytest.mark.parametrize(
    ('yaml_text', 'where', 'key'),
    [
        (NOT_TEXT, 'paths.a.x-retry-after', '429 is a number'),
        ('rbconfig: 1\nx-flags: {yes: on}\n', 'x-flags', 'true is a boolean'),
        ('rbconfig: 1\nmeta:\n  x-m: [{a: {~: 1}}]\n', 'meta.x-m[0].a', 'null is nothing'),
        (
            'rbconfig: 1\npaths:\n  a:\n    url: /a\n    request:\n      body:\n'
            '        example: {1.5: x}\n',
            'paths.a.request.body.example',
            '1.5 is a number',
        ),
        (
            'rbconfig: 1\nsockets:\n  /:\n    use: python:a.b\n    emits:\n'
            '      m: {schema: {properties: {7: {}}}}\n',
            'sockets./.emits.m.schema.properties',
            '7 is a number',
        ),
    ],
    ids=['path', 'top', 'nested', 'example', 'schema'],
)
def test_keys_that_are_not_text_are_refused(fmt: str, yaml_text: str, where: str, key: str) -> None:
    document = loads(yaml_text, 'yaml', 'svc.yaml')
    with pytest.raises(UnwritableSpec) as caught:
        dumps(document.spec, fmt)
    assert str(caught.value).startswith(f'{where}: the key {key}, not text: ')
    assert caught.value.issue.loc == tuple(caught.value.issue.loc)
    # YAML itself keeps them as they are.
    again = loads(dumps(document.spec, 'yaml', document.comments), 'yaml', 'again.yaml')
    assert again.spec == document.spec


def test_refusal_names_the_file_line_and_column() -> None:
    document = loads(NOT_TEXT, 'yaml', 'svc.yaml')
    with pytest.raises(SpecError) as caught:
        write_document(document, 'toml')
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        'svc.yaml:5:5: paths.a.x-retry-after: the key 429 is a number, not text: TOML'
    )


@pytest.mark.parametrize('fmt', ['toml', 'rbr'])
def test_cli_refuses_and_writes_nothing(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / 'svc.yaml'
    source.write_text(NOT_TEXT, encoding='utf-8')
    assert main(['convert', str(source), '--to', fmt]) == 1
    assert not (tmp_path / f'svc.{fmt}').exists()
    err = capsys.readouterr().err
    assert 'paths.a.x-retry-after: the key 429 is a number, not text' in err
    assert 'Traceback' not in err


def test_text_keys_that_look_like_numbers_are_kept() -> None:
    data: dict[str, Any] = {'rbconfig': 1, 'x-retry-after': {'429': 30, 'true': 'on'}}
    spec = Spec.model_validate(data)
    for fmt in ('toml', 'rbr', 'yaml'):
        assert loads(dumps(spec, fmt), fmt, f'spec.{fmt}').spec == spec


# -- values a format has no word for ------------------------------------------------------------


@pytest.mark.parametrize(
    ('fmt', 'yaml_text', 'where', 'what'),
    [
        (
            'rbr',
            'rbconfig: 1\nmeta:\n  x-released: 2024-01-02\n',
            'meta.x-released',
            '2024-01-02 is a date,',
        ),
        (
            'rbr',
            'rbconfig: 1\nx-when: [1, {at: 2024-01-02T10:00:00Z}]\n',
            'x-when[1].at',
            '2024-01-02 10:00:00+00:00 is a date and time,',
        ),
        ('toml', 'rbconfig: 1\nmeta:\n  x-none: {a: null}\n', 'meta.x-none.a', 'null is nothing,'),
        ('toml', 'rbconfig: 1\nx-list: [1, ~]\n', 'x-list[1]', 'null is nothing,'),
        ('toml', 'rbconfig: 1\nx-alone: null\n', 'x-alone', 'null is nothing,'),
    ],
    ids=['rbr-date', 'rbr-datetime', 'toml-null', 'toml-null-in-list', 'toml-null-value'],
)
def test_values_a_format_cannot_say_are_refused(
    fmt: str, yaml_text: str, where: str, what: str
) -> None:
    document = loads(yaml_text, 'yaml', 'svc.yaml')
    with pytest.raises(UnwritableSpec) as caught:
        dumps(document.spec, fmt)
    assert str(caught.value).startswith(f'{where}: the value {what} which ')
    # YAML keeps them as they are, and so does the other format (TOML has dates, RBR null).
    for keeps in ('yaml', {'rbr': 'toml', 'toml': 'rbr'}[fmt]):
        again = loads(dumps(document.spec, keeps), keeps, f'again.{keeps}')
        assert again.spec == document.spec


def test_a_date_converted_to_rbr_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / 'svc.yaml'
    source.write_text('rbconfig: 1\npaths:\n  a:\n    url: /a\n    x-since: 2024-01-02\n')
    assert main(['convert', str(source), '--to', 'rbr']) == 1
    assert not (tmp_path / 'svc.rbr').exists()
    err = capsys.readouterr().err
    assert err.startswith(f'{source}:5:5: paths.a.x-since: the value 2024-01-02 is a date, ')
    assert 'JSON serializable' not in err and 'Traceback' not in err
