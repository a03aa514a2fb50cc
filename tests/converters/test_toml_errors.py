"""Bad TOML specs: exact messages, with the line (and column) where each is found."""

from __future__ import annotations

import pytest

from rbconfig.converters import build_document
from rbconfig.converters.toml import TomlFormat
from rbconfig.errors import SpecError

TOML = TomlFormat()


def problems(text: str) -> list[tuple[int | None, int | None, str, str]]:
    """Every problem of ``text`` as (line, column, where, message)."""
    with pytest.raises(SpecError) as caught:
        build_document(TOML, text, 'spec.toml')
    return [(p.line, p.column, p.where, p.message) for p in caught.value.problems]


CASES = [
    pytest.param(
        'rbconfig = 1\n\n[pahts.hello]\nurl = "/hello"\n',
        [(3, 1, 'pahts', "unknown key 'pahts' (did you mean 'paths'?)")],
        id='unknown-table',
    ),
    pytest.param(
        'rbconfig = 1\n\n[paths.hello]\nurl = "/hello"\nmethd = "GET"\n',
        [(5, 1, 'paths.hello.methd', "unknown key 'methd' (did you mean 'method'?)")],
        id='unknown-key',
    ),
    pytest.param(
        '[meta]\ntitle = "x"\n',
        [(1, 1, 'rbconfig', "missing required key 'rbconfig'")],
        id='missing-rbconfig',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.hello]\nurl = "/hello"\nmethod = "GET|PUSH"\n',
        [
            (
                4,
                1,
                'paths.hello.method[1]',
                "unknown HTTP method 'PUSH'; expected one of: GET, POST, "
                'PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE, CONNECT',
            )
        ],
        id='bad-method',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.hello]\nurl = "/hello"\n[paths.hello.response.status]\n'
        '200 = "OK"\n1000 = "Odd"\n',
        [
            (
                6,
                1,
                'paths.hello.response.status.1000',
                'status code 1000 is out of range: expected 100 to 599',
            )
        ],
        id='status-out-of-range',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.hello]\nurl = "/hello"\n[paths.hello.response.status]\nok = "OK"\n',
        [
            (
                5,
                1,
                'paths.hello.response.status.ok',
                "expected a status code (a number from 100 to 599), got 'ok'",
            )
        ],
        id='status-not-a-number',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.item]\nurl = "/items/{id:(}"\n',
        [
            (
                3,
                1,
                'paths.item.url',
                "the regex of {id} in '/items/{id:(}' does not compile: "
                'missing ), unterminated subpattern at position 0',
            )
        ],
        id='bad-url-regex',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a"\n[paths.a.request.body]\nchecks = [\n'
        '  { is = "json", return = 400 },\n  { is = "jsn", return = 400 },\n]\n',
        [
            (
                7,
                5,
                'paths.a.request.body.checks[1].is',
                "unknown type 'jsn' (did you mean 'json'?); known types: json, int, float",
            )
        ],
        id='unknown-type-in-inline-table',
    ),
    pytest.param(
        'rbconfig = 1\n[[paths.a.request.body.checks]]\nis = "int"\nreturn = 400\n'
        '[[paths.a.request.body.checks]]\nis_not = "mail"\nreturn = 400\n',
        [
            (
                6,
                1,
                'paths.a.request.body.checks[1].is_not',
                "unknown type 'mail'; known types: json, int, float",
            )
        ],
        id='unknown-type-in-array-of-tables',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.first]\nurl = "/a/{x}"\n[paths.second]\nurl = "/a/{y}"\n',
        [(5, 1, 'paths.second.url', "paths 'first' and 'second' both claim GET /a/{y}")],
        id='same-method-and-url',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a"\nuse = "directory"\n',
        [
            (
                4,
                1,
                'paths.a.use',
                "expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' or "
                "'proxy:http(s)://host:port', got 'directory'",
            )
        ],
        id='bad-location',
    ),
    pytest.param(
        'rbconfig = 1\npaths = ["a", "b"]\n',
        [(2, 1, 'paths', 'expected a mapping, got a list')],
        id='section-wrong-type',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a"\nurl = "/b"\n',
        [
            (
                4,
                11,
                '',
                'TOML syntax error: cannot overwrite a value (a key or table is written twice)',
            )
        ],
        id='duplicate-key',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a\n',
        [
            (
                3,
                10,
                '',
                "TOML syntax error: illegal character '\\n' (a string is not closed on its line?)",
            )
        ],
        id='unclosed-string',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a\nurl = "/a"\n',
        [(2, 9, '', "TOML syntax error: expected ']' at the end of a table declaration")],
        id='unclosed-header',
    ),
    pytest.param(
        'rbconfig = 1\nroot = \n',
        [(2, 8, '', 'TOML syntax error: invalid value')],
        id='missing-value',
    ),
    pytest.param(
        'rbconfig = 1\nroot = ',
        [(2, 8, '', 'TOML syntax error: invalid value')],
        id='missing-value-at-end-of-document',
    ),
]


@pytest.mark.parametrize(('text', 'expected'), CASES)
def test_bad_toml_gives_exact_problems(text: str, expected: list[tuple]) -> None:
    assert problems(text) == expected


def test_very_deep_nesting_is_a_problem_not_a_crash() -> None:
    text = 'rbconfig = 1\nx-deep = ' + '[' * 50_000 + ']' * 50_000 + '\n'
    assert problems(text) == [(None, None, '', 'the TOML is nested too deeply')]
