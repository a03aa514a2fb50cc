"""Comments after the last element of a file stay at its end, in every format and conversion."""

from __future__ import annotations

import pytest

from rbconfig.converters import END_OF_FILE, dumps, loads

SOURCES = {
    'yaml': 'rbconfig: 1\npaths:\n  a:\n    url: /a\n# old:\n#   url: /old\n',
    'toml': 'rbconfig = 1\n\n[paths.a]\nurl = "/a"\n# old:\n#   url: /old\n',
    'rbr': 'path a (\n    url /a\n);\n# old:\n#   url: /old\n',
}
TRAILING = ['old:', '  url: /old']


@pytest.mark.parametrize('source', list(SOURCES))
def test_trailing_comments_are_read_as_the_end_of_the_file(source: str) -> None:
    document = loads(SOURCES[source], source, f'e.{source}')
    assert document.comments == {END_OF_FILE: TRAILING}


@pytest.mark.parametrize('target', ['yaml', 'toml', 'rbr'])
@pytest.mark.parametrize('source', list(SOURCES))
def test_trailing_comments_survive_conversion(source: str, target: str) -> None:
    document = loads(SOURCES[source], source, f'e.{source}')
    text = dumps(document.spec, target, document.comments)
    assert text.endswith('\n# old:\n#   url: /old\n')
    again = loads(text, target, f'again.{target}')
    assert again.spec == document.spec
    assert again.comments == {END_OF_FILE: TRAILING}


def test_trailing_comments_of_a_toml_file_with_a_table_last() -> None:
    text = (
        'rbconfig = 1\n\n[paths.a]\nurl = "/a"\n\n[paths.a.response.status]\n200 = "OK"\n#\n# end\n'
    )
    document = loads(text, 'toml', 'e.toml')
    assert document.comments == {END_OF_FILE: ['', 'end']}
    yaml_text = dumps(document.spec, 'yaml', document.comments)
    assert yaml_text.endswith('        200: OK\n#\n# end\n')


def test_a_yaml_file_with_crlf_line_ends_keeps_its_trailing_comments() -> None:
    document = loads('rbconfig: 1\r\npaths:\r\n  a:\r\n    url: /a\r\n# end\r\n', 'yaml', 'e.yaml')
    assert document.comments == {END_OF_FILE: ['end']}


def test_comments_before_elements_and_at_the_end_are_kept_apart() -> None:
    text = '# first\nrbconfig: 1\npaths:\n  # the path\n  a:\n    url: /a\n# end\n'
    document = loads(text, 'yaml', 'e.yaml')
    assert document.comments == {
        ('rbconfig',): ['first'],
        ('paths', 'a'): ['the path'],
        END_OF_FILE: ['end'],
    }
    toml = loads(dumps(document.spec, 'toml', document.comments), 'toml', 'e.toml')
    assert toml.comments == document.comments
    # RBR has no 'rbconfig' line: its comment moves to the next element written.
    rbr = loads(dumps(document.spec, 'rbr', document.comments), 'rbr', 'e.rbr')
    assert rbr.comments == {('paths', 'a'): ['first', 'the path'], END_OF_FILE: ['end']}
