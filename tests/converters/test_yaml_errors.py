"""Bad YAML specs: each gives exactly this message, at exactly this line and column."""

from __future__ import annotations

import time

import pytest

from rbconfig.converters import build_document
from rbconfig.converters.yaml import YamlFormat
from rbconfig.converters.yaml.reader import MAX_EXPANDED_NODES
from rbconfig.errors import SpecError

YAML = YamlFormat()

UNKNOWN_IN_PATH = (
    'unknown key {}; expected one of: description, max_body, method, request, response, url, '
    'use (extension keys start with x-)'
)


def problems(text: str) -> list[tuple[int | None, int | None, str, str]]:
    """Every problem of ``text`` as (line, column, where, message)."""
    with pytest.raises(SpecError) as caught:
        build_document(YAML, text, 'spec.yaml')
    return [(p.line, p.column, p.where, p.message) for p in caught.value.problems]


BOMB = '\n'.join(
    [
        'rbconfig: 1',
        'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
        *(
            f'x-{b}: &{b} [{", ".join([f"*{a}"] * 9)}]'
            for a, b in zip('abcdefgh', 'bcdefghi', strict=True)
        ),
    ]
)

CASES = [
    pytest.param(
        'rbconfig: 1\npahts: {}\n',
        [(2, 1, 'pahts', "unknown key 'pahts' (did you mean 'paths'?)")],
        id='unknown-key-did-you-mean',
    ),
    pytest.param(
        'rbconfig: 1\ncolour: red\n',
        [
            (
                2,
                1,
                'colour',
                "unknown key 'colour'; expected one of: arbiters, globals, max_body, meta, "
                'paths, rbconfig, root, server, socketio, sockets, types, workers '
                '(extension keys start with x-)',
            )
        ],
        id='unknown-key-listing',
    ),
    pytest.param(
        'meta:\n  title: Demo\n',
        [(1, 1, 'rbconfig', "missing required key 'rbconfig'")],
        id='missing-rbconfig',
    ),
    pytest.param(
        'rbconfig: 2\n',
        [(1, 1, 'rbconfig', 'unsupported spec format version 2; expected 1')],
        id='format-version',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    method: GOT\n    url: /hello\n',
        [
            (
                4,
                5,
                'paths.hello.method[0]',
                "unknown HTTP method 'GOT' (did you mean 'GET'?); expected one of: GET, POST, "
                'PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE, CONNECT',
            )
        ],
        id='bad-method',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    method: get\n    url: /hello\n',
        [(4, 5, 'paths.hello.method', "HTTP methods are upper case: expected 'GET', got 'get'")],
        id='lower-case-method',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    response:\n      status:\n'
        '        200: OK\n        600: Odd\n',
        [
            (
                8,
                9,
                'paths.hello.response.status[600]',
                'status code 600 is out of range: expected 100 to 599',
            )
        ],
        id='status-out-of-range',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    request:\n      body:\n'
        '        checks:\n          - {is: json, return: 99}\n',
        [
            (
                8,
                24,
                'paths.hello.request.body.checks[0].return',
                'input should be greater than or equal to 100, got 99',
            )
        ],
        id='check-return-out-of-range',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  item:\n    url: /items/{id:[0-9}\n',
        [
            (
                4,
                5,
                'paths.item.url',
                "the regex of {id} in '/items/{id:[0-9}' does not compile: "
                'unterminated character set at position 0',
            )
        ],
        id='bad-url-regex',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  item:\n    url: items\n',
        [(4, 5, 'paths.item.url', "expected a URL starting with '/', got 'items'")],
        id='url-without-slash',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    url: /a\n    use: python:a.b\n    url: /b\n',
        [
            (
                6,
                5,
                'paths.hello.url',
                "duplicate key 'url' (first written at line 4, column 5); "
                'YAML keys must be unique in a mapping',
            )
        ],
        id='duplicate-key',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a: {url: /a}\n  a: {url: /b}\n',
        [
            (
                4,
                3,
                'paths.a',
                "duplicate key 'a' (first written at line 3, column 3); "
                'YAML keys must be unique in a mapping',
            )
        ],
        id='duplicate-path-name',
    ),
    pytest.param(
        'rbconfig: 1\nx-data:\n  1: one\n  true: yes\n',
        [
            (
                4,
                3,
                'x-data[true]',
                'the key true is the key 1 of line 3, column 3 once read (true equals 1, and '
                '1 equals 1.0, in the mappings that hold the spec); quote one of them to make '
                'it text',
            )
        ],
        id='duplicate-key-once-read',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    null: 3\n    true: 4\n    1.5: 5\n',
        [
            (5, 5, 'paths.a[null]', UNKNOWN_IN_PATH.format("'null'")),
            (6, 5, 'paths.a[true]', UNKNOWN_IN_PATH.format("'true'")),
            (7, 5, 'paths.a[1.5]', UNKNOWN_IN_PATH.format("'1.5'")),
        ],
        id='unknown-keys-not-text',  # at their own lines, as YAML writes them (were 'None', line 3)
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n   use: python:x.y\n',
        [
            (
                5,
                4,
                '',
                'YAML syntax error: did not find expected key '
                '(while parsing a block mapping at line 3, column 3); line 5 is indented 3 '
                'spaces, but the keys of the mapping that starts on line 3 are indented 2: they '
                'must line up',
            )
        ],
        id='syntax-bad-indent',
    ),
    pytest.param(
        'rbconfig: 1\npaths: [\n',
        [
            (
                3,
                1,
                '',
                'YAML syntax error: did not find expected node content '
                '(while parsing a flow node at line 3, column 1)',
            )
        ],
        id='syntax-unclosed-flow',
    ),
    pytest.param(
        'rbconfig: 1\nmeta:\n  title: "Demo\n',
        [
            (
                4,
                1,
                '',
                'YAML syntax error: found unexpected end of stream '
                '(while scanning a quoted scalar at line 3, column 10)',
            )
        ],
        id='syntax-unclosed-quote',
    ),
    pytest.param(
        BOMB,
        [
            (
                9,
                6,
                '',
                'aliases would expand this YAML to 490,329,066 nodes (the limit is '
                f'{MAX_EXPANDED_NODES:,} more than written): an alias bomb?',
            )
        ],
        id='alias-bomb',
    ),
    pytest.param(
        'rbconfig: 1\nx-loop: &a [*a]\n',
        [(2, 9, '', 'an alias refers to the collection that contains it')],
        id='recursive-alias',
    ),
    pytest.param(
        'rbconfig: 1\nx-run: !!python/object/apply:os.system [ls]\n',
        [
            (
                2,
                8,
                'x-run',
                "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'; "
                'only plain YAML is allowed (no tags)',
            )
        ],
        id='python-tag',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    request:\n      body:\n        checks:\n'
        '          - is: jsn\n            return: 400\n',
        [
            (
                8,
                13,
                'paths.a.request.body.checks[0].is',
                "unknown type 'jsn' (did you mean 'json'?); known types: json, int, float",
            )
        ],
        id='unknown-type-name',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    request:\n      body:\n        checks:\n'
        '          - {return: 400}\n',
        [
            (
                8,
                13,
                'paths.a.request.body.checks[0]',
                'expected a check: {is: TYPE, return: CODE}, {is_not: TYPE, return: CODE}, '
                '{header: NAME, validates: python:f, return: CODE}, {alter: python:f} '
                'or {on_error: CODE}',
            )
        ],
        id='not-a-check',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  first:\n    url: /a/{x}\n  second:\n    method: [POST, GET]\n'
        '    url: /a/{y}\n',
        [(7, 5, 'paths.second.url', "paths 'first' and 'second' both claim GET /a/{y}")],
        id='same-method-and-url',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    use: capitalize.run\n',
        [
            (
                5,
                5,
                'paths.a.use',
                "expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' or "
                "'proxy:http(s)://host:port', got 'capitalize.run' "
                "(did you mean 'python:capitalize.run'?)",
            )
        ],
        id='bad-location',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    use: proxy:ftp://host\n',
        [
            (
                5,
                5,
                'paths.a.use',
                "expected 'proxy:http://host:port' or 'proxy:https://host:port', "
                "got 'proxy:ftp://host'",
            )
        ],
        id='bad-proxy',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  - hello\n  - world\n',
        [(2, 1, 'paths', 'expected a mapping, got a list')],
        id='section-wrong-type',
    ),
    pytest.param(
        'rbconfig: 1\ntypes:\n  json: python:my.Json\n',
        [(3, 3, 'types.json', "'json' is a built-in type; pick another name")],
        id='builtin-type-name',
    ),
    pytest.param(
        'rbconfig: 1\nsockets:\n  /chat:\n    description: Chat\n',
        [(3, 3, 'sockets./chat', "a socket namespace needs 'use' or 'events'")],
        id='socket-without-handler',
    ),
    pytest.param(
        'rbconfig: 1\nmeta:\n  titel: x\npaths:\n  a:\n    url: /a\n    methd: GET\n',
        [
            (3, 3, 'meta.titel', "unknown key 'titel' (did you mean 'title'?)"),
            (7, 5, 'paths.a.methd', "unknown key 'methd' (did you mean 'method'?)"),
        ],
        id='several-errors-at-once',
    ),
    pytest.param(
        'rbconfig: 1\npaths:\n  a:\n    url: /a\n    url: /b\n    methd: GET\n',
        [
            (
                5,
                5,
                'paths.a.url',
                "duplicate key 'url' (first written at line 4, column 5); "
                'YAML keys must be unique in a mapping',
            ),
            (6, 5, 'paths.a.methd', "unknown key 'methd' (did you mean 'method'?)"),
        ],
        id='duplicate-key-and-model-errors-together',
    ),
]


@pytest.mark.parametrize(('text', 'expected'), CASES)
def test_bad_yaml_gives_exact_problems(text: str, expected: list[tuple]) -> None:
    assert problems(text) == expected


def test_alias_bomb_is_rejected_fast() -> None:
    start = time.perf_counter()
    problems(BOMB)
    assert time.perf_counter() - start < 0.5


def test_aliases_within_the_limit_are_expanded() -> None:
    text = (
        'rbconfig: 1\nx-checks: &checks\n  - {is: json, return: 400}\n'
        'paths:\n  a:\n    url: /a\n    request:\n      body:\n        checks: *checks\n'
    )
    spec = build_document(YAML, text, 'spec.yaml').spec
    assert spec.paths['a'].request.body.checks[0].return_ == 400


@pytest.mark.parametrize(
    ('style', 'depth', 'where'),
    [
        ('flow', 201, (2, 209)),
        ('flow', 50_000, (2, 209)),  # libyaml's parser stops at 1,000 levels, its composer crashes
        ('block', 3_000, (203, 202)),
        ('alias', 195, (2, 18)),  # 195 written, the alias adds 10: where it holds level 201
    ],
)
def test_deep_nesting_is_reported_where_it_crosses_the_limit(
    style: str, depth: int, where: tuple[int, int]
) -> None:
    if style == 'flow':  # the n-th '[' (column 8 + n) is at level n
        text = 'rbconfig: 1\nx-deep: ' + '[' * depth + ']' * depth + '\n'
    elif style == 'block':  # line 2 + n holds level n
        text = 'rbconfig: 1\nx-deep:\n' + ''.join(' ' * i + '- \n' for i in range(1, depth))
    else:
        text = (
            'rbconfig: 1\nx-ten: &ten [[[[[[[[[[1]]]]]]]]]]\n'
            f'x-deep: {"[" * depth}*ten{"]" * depth}\n'
        )
    assert problems(text) == [(*where, '', 'the YAML is nested more than 200 levels deep')]


@pytest.mark.parametrize(
    ('text', 'hint'),
    [
        pytest.param(
            'rbconfig: 1\nmeta:\n  title: a: b\n',
            'a value holding \': \' must be quoted, like "a: b"',
            id='colon-in-value',
        ),
        pytest.param(
            'rbconfig: 1\npaths:\n  a:\n    url: /a\n      use: python:m.a\n',
            'line 5 is indented deeper than the key above it, which holds a value',
            id='indented-too-deep',
        ),
        pytest.param(
            'rbconfig: 1\nmeta:\n  title x\n  version: 1\n',
            "line 3 holds no 'key: value' (a ':' and a space after the key)",
            id='no-colon-then-key',
        ),
        pytest.param(
            'rbconfig: 1\npaths:\n  a:\n    url: /a\n    use python:m.a\n',
            "line 5 holds no 'key: value' (a ':' and a space after the key)",
            id='no-colon-at-end',
        ),
        pytest.param(
            'rbconfig: 1\npaths:\n  a:\n    method:\n      - GET\n     - POST\n',
            'line 6 is indented 5 spaces, but the keys of the mapping that starts on line 4 are '
            'indented 4: they must line up',
            id='list-item-misaligned',
        ),
        pytest.param(
            'rbconfig: 1\npaths:\n  a:\n\turl: /a\n',
            'YAML indents with spaces, not tabs',
            id='tab',
        ),
    ],
)
def test_syntax_errors_come_with_a_hint_in_terms_of_lines(text: str, hint: str) -> None:
    (problem,) = problems(text)
    assert problem[3].startswith('YAML syntax error: ')
    assert problem[3].endswith(f'; {hint}')


def test_a_number_too_long_to_read_is_located() -> None:
    assert problems('rbconfig: 1\nx-big: [1, ' + '7' * 5_000 + ']\n') == [
        (
            2,
            12,
            'x-big[1]',
            'the number 77777777…77777777 has 5,000 digits; at most 4,300 are allowed',
        )
    ]


def test_moderate_nesting_loads() -> None:
    text = 'rbconfig: 1\nx-deep: ' + '[' * 100 + '1' + ']' * 100 + '\n'
    assert build_document(YAML, text, 'spec.yaml').spec.extensions['x-deep']
