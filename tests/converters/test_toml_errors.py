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
                "'proxy:http(s)://host:port', got 'directory' (did you mean 'directory:PATH'?)",
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
                1,
                'paths.a.url',
                "duplicate key 'url' (first written at line 3, column 1); TOML keys and tables "
                'are written once',
            )
        ],
        id='duplicate-key',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a"\n\n[paths.a]\nuse = "python:m.a"\n',
        [
            (
                5,
                1,
                'paths.a',
                "duplicate key 'a' (first written at line 2, column 1); TOML keys and tables "
                'are written once',
            )
        ],
        id='duplicate-table',
    ),
    pytest.param(
        'rbconfig = 1\n[paths.a]\nurl = "/a"\n[paths.a.url]\nx = 1\n',
        [
            (
                4,
                1,
                'paths.a.url',
                "duplicate key 'url' (first written at line 3, column 1); TOML keys and tables "
                'are written once',
            )
        ],
        id='table-over-a-value',
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


@pytest.mark.parametrize('depth', [201, 401, 50_000])  # 401: beyond tomli's own limit
def test_deep_nesting_is_reported_where_it_crosses_the_limit(depth: int) -> None:
    text = 'rbconfig = 1\nx-deep = ' + '[' * depth + ']' * depth + '\n'
    # The n-th '[' (column 9 + n) is at level n: x-deep's list is level 1.
    assert problems(text) == [(2, 210, '', 'the TOML is nested more than 200 levels deep')]


def test_nesting_by_dotted_keys_counts_too() -> None:
    text = 'rbconfig = 1\n\n[x-deep' + '.a' * 2_000 + ']\nb = 1\n'
    assert problems(text) == [(3, 1, '', 'the TOML is nested more than 200 levels deep')]


def test_nesting_up_to_the_limit_loads() -> None:
    text = 'rbconfig = 1\nx-deep = ' + '[' * 199 + '1' + ']' * 199 + '\n'
    assert build_document(TOML, text, 'spec.toml').spec.extensions['x-deep']


@pytest.mark.parametrize('where', ['x-big = {}', 'x-big = [1, {}]', 'x-big = {{a = {}}}'])
def test_a_number_too_long_to_read_is_located(where: str) -> None:
    line = where.format('1' * 5_000)
    message = 'the number 11111111…11111111 has 5,000 digits; at most 4,300 are allowed'
    assert problems(f'rbconfig = 1\n{line}\n') == [(2, line.index('1' * 9) + 1, '', message)]
