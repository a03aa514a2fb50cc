"""Every real RedBarrel file loads, means what it meant, and survives every conversion.

The files are copies of ``../shared/rbr/corpus`` (see its MANIFEST.tsv), kept in
``tests/fixtures/rbr/corpus`` so the suite does not depend on the shared folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.converters import dumps, load, loads
from rbconfig.converters.rbr import RbrFormat
from rbconfig.document import Document
from rbconfig.schema import Spec

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'
FILES = sorted(CORPUS.glob('*.rbr'))
IDS = [path.stem for path in FILES]
RBR = RbrFormat()


def _load(path: Path) -> Document:
    return load(path)


def test_the_corpus_copy_is_complete() -> None:
    manifest = (CORPUS / 'MANIFEST.tsv').read_text(encoding='utf-8').splitlines()[1:]
    saved = {line.split('\t')[0] for line in manifest if not line.startswith('(not saved)')}
    assert saved == {path.name for path in FILES}
    assert len(FILES) == 17


@pytest.mark.parametrize('path', FILES, ids=IDS)
def test_rbr_model_rbr_model(path: Path) -> None:
    first = _load(path)
    text = RBR.write(first.spec, first.comments)
    second = loads(text, 'rbr', 'again.rbr')
    assert second.spec == first.spec
    assert second.comments == first.comments
    # Writing is stable: the written file writes itself again, byte for byte.
    assert RBR.write(second.spec, second.comments) == text


@pytest.mark.parametrize('path', FILES, ids=IDS)
def test_rbr_yaml_model(path: Path) -> None:
    first = _load(path)
    yaml_text = dumps(first.spec, 'yaml', first.comments)
    assert loads(yaml_text, 'yaml', 'spec.yaml').spec == first.spec


@pytest.mark.parametrize('path', FILES, ids=IDS)
def test_rbr_toml_model(path: Path) -> None:
    first = _load(path)
    toml_text = dumps(first.spec, 'toml', first.comments)
    assert loads(toml_text, 'toml', 'spec.toml').spec == first.spec


@pytest.mark.parametrize('path', FILES, ids=IDS)
def test_yaml_toml_yaml(path: Path) -> None:
    first = _load(path)
    yaml_doc = loads(dumps(first.spec, 'yaml', first.comments), 'yaml', 'a.yaml')
    toml_doc = loads(dumps(yaml_doc.spec, 'toml', yaml_doc.comments), 'toml', 'b.toml')
    yaml_again = loads(dumps(toml_doc.spec, 'yaml', toml_doc.comments), 'yaml', 'c.yaml')
    assert yaml_doc.spec == toml_doc.spec == yaml_again.spec == first.spec


@pytest.mark.parametrize('path', FILES, ids=IDS)
def test_rbr_written_from_yaml_is_accepted(path: Path) -> None:
    yaml_doc = loads(dumps(_load(path).spec, 'yaml'), 'yaml', 'a.yaml')
    assert loads(RBR.write(yaml_doc.spec), 'rbr', 'b.rbr').spec == yaml_doc.spec


def _summary(spec: Spec) -> dict[str, object]:
    return {
        'paths': sorted(spec.paths),
        'sockets': {key: value.use for key, value in spec.sockets.items()},
        'root': spec.root,
        'globals': spec.globals,
        'types': spec.types,
        'arbiters': spec.arbiters,
    }


def test_broadcast_socket_statement_and_arbiter() -> None:
    document = _load(CORPUS / 'broadcast__broadcast__78766e7.rbr')
    assert _summary(document.spec) == {
        'paths': ['broadcast_html', 'media'],
        'sockets': {'/': 'python:redbarrel.demos.broadcast.broadcast.broadcast'},
        'root': None,
        'globals': {},
        'types': {},
        'arbiters': {'socketio': 'python:redbarrel.server.workers.RedBarrelSocketIOWorker'},
    }
    assert [(w.line, w.column, w.where) for w in document.warnings] == [
        (6, 18, 'arbiters.socketio')
    ]
    assert 'has no effect' in document.warnings[0].message
    assert document.positions[('sockets', '/')] == (7, 1)


@pytest.mark.parametrize(
    ('name', 'handler'),
    [
        ('chat__chat__78766e7.rbr', 'python:redbarrel.demos.chat.chat.chat'),
        ('rtmonitor__rtmonitor__78766e7.rbr', 'python:redbarrel.demos.rtmonitor.rtmonitor.main'),
        ('shortener__shortme__78766e7.rbr', 'python:shortme.shorten.setup_socket'),
    ],
)
def test_socket_io_paths_become_the_default_namespace(name: str, handler: str) -> None:
    spec = _load(CORPUS / name).spec
    assert spec.sockets['/'].use == handler
    assert 'socketio' not in spec.paths
    assert all(not (path.url or '').startswith('/socket.io') for path in spec.paths.values())


def test_shortme_stray_semicolon_is_a_warning_naming_its_line() -> None:
    document = _load(CORPUS / 'shortener__shortme__78766e7.rbr')
    assert len(document.warnings) == 1
    warning = document.warnings[0]
    assert warning.severity == 'warning'
    assert "stray ';' on line 132" in warning.message
    assert (warning.line, warning.column, warning.where) == (132, 9, 'sockets./.use')
    assert len(document.spec.paths) == 8


def test_demos_richest_file() -> None:
    spec = _load(CORPUS / 'misc__demos__78766e7.rbr').spec
    assert spec.root == '/here'
    assert spec.globals == {'config': 'file:config.ini', 'app': 'python:redbarrel.demos.misc.app'}
    assert spec.types == {'blob': 'python:redbarrel.demos.misc.blob'}
    capitalize = spec.paths['capitalize']
    assert capitalize.request is not None and capitalize.response is not None
    assert capitalize.request.description == 'blah'
    assert capitalize.response.status == {
        200: 'Success',
        400: 'The request is probably malformed',
        401: 'Authentication failure',
    }
    assert [check.to_data() for check in capitalize.request.headers.checks] == [
        {
            'header': 'Authorization',
            'validates': 'python:redbarrel.demos.misc.auth',
            'return': 401,
        }
    ]
    assert capitalize.request.body.checks[0].to_data() == {'is': 'json', 'return': 400}
    assert capitalize.response.headers.set == {'content-type': 'application/json'}
    assert capitalize.response.body.description == 'The string, Capitalized !'
    assert spec.paths['multi'].method == ['PUT', 'GET', 'POST']
    assert spec.paths['dummy'].method == [] and spec.paths['dummy'].use is None
    assert spec.paths['css'].use == 'file:../../media/redbarrel.css'
    assert spec.paths['compressed_css'].response.body.checks[0].to_data() == {
        'alter': 'python:redbarrel.demos.misc.compress_css'
    }


def test_keyexchange_unprefixed_handlers_are_python() -> None:
    spec = _load(CORPUS / 'keyexchange__keyexchange__7cac47e.rbr').spec
    assert spec.root == '/keyexchange'
    assert spec.meta is not None and spec.meta.version == '1.0'
    assert spec.meta.title == 'keyexchange'
    assert {name: path.use for name, path in spec.paths.items()} == {
        'new_channel': 'python:keyexchange.new_channel',
        'get_channel': 'python:keyexchange.get_channel',
        'put_channel': 'python:keyexchange.put_channel',
        'report': 'python:keyexchange.report',
    }
    assert r'or \*.' in spec.paths['put_channel'].description  # backslashes kept as written


def test_ip_local_text_and_version() -> None:
    document = _load(CORPUS / 'ip-local__ip-local__78766e7.rbr')
    spec = document.spec
    assert spec.meta.description == 'Returns localisation from an IP Address'
    assert spec.meta.version == '1.0'
    assert spec.paths['localisation'].url == '/localise/{ip_address}'
    assert document.comments == {('meta',): ["generated by RedBarrel's rb-quickstart script"]}


def test_samples_trailing_commas_and_key_order() -> None:
    old = _load(CORPUS / 'samples__service__eaf5ae5.rbr').spec
    reformatted = _load(CORPUS / 'samples__service__70b9850.rbr').spec
    assert old == reformatted
    assert old.paths['service'].url == '/post'
    several = _load(CORPUS / 'samples__several__eaf5ae5.rbr').spec
    assert several.paths['stuff'].response.status[404] == 'user not found'
    assert several == _load(CORPUS / 'samples__several__70b9850.rbr').spec


def test_redbarrels_own_sample_is_written_back_byte_for_byte() -> None:
    for name in ('samples__html__eaf5ae5.rbr', 'samples__types__eaf5ae5.rbr'):
        source = (CORPUS / name).read_text(encoding='utf-8')
        document = _load(CORPUS / name)
        assert RBR.write(document.spec, document.comments) == source.rstrip('\n') + '\n'


def test_rbr_comments_reach_yaml_and_toml() -> None:
    document = _load(CORPUS / 'rtmonitor__rtmonitor__78766e7.rbr')
    assert document.comments == {
        ('sockets', '/'): ['the socket service'],
        ('paths', 'media'): ['', 'all media + the html page', ''],
        ('paths', 'monitor_html', 'use'): ['the content type is automatically set here'],
    }
    yaml_text = dumps(document.spec, 'yaml', document.comments)
    assert '  # the socket service\n  /:\n' in yaml_text
    assert '  #\n  # all media + the html page\n  #\n  media:\n' in yaml_text
    assert '# the content type is automatically set here\n    use: file:monitor.html' in yaml_text
    toml_text = dumps(document.spec, 'toml', document.comments)
    assert '# the socket service\n[sockets."/"]' in toml_text
    # ...and back from YAML to RBR, in the same places.
    again = loads(yaml_text, 'yaml', 'x.yaml')
    assert again.comments == document.comments
    rbr_text = RBR.write(again.spec, again.comments)
    assert '# the socket service\nsocket python:' in rbr_text
    assert '    # the content type is automatically set here\n    use file:monitor.html' in rbr_text


def test_commented_out_path_stays_a_comment() -> None:
    document = _load(CORPUS / 'demos__demos__7cac47e.rbr')
    assert document.comments[('paths', 'multi')][0] == 'path here ('
    assert 'here' not in document.spec.paths
