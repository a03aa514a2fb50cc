"""Malformed RBR: each input gives exactly this message, at exactly this place."""

from __future__ import annotations

import pytest

from rbconfig.converters import loads
from rbconfig.errors import SpecError

NO_EFFECT = 'has no effect: rbconfig runs on gevent, not Pistil'

#: (RBR text, line, column, where, message) — the first problem reported.
SYNTAX = [
    (
        'path shorten (\n    method POST,\n    url /shorten\n    use python:a.shorten\n);\n',
        4,
        5,
        '',
        "expected ',' or ')' after 'url /shorten', found 'use'",
    ),
    (
        'path x (\n    use python:a.b-c\n);\n',
        2,
        19,
        '',
        "unexpected character '-' after 'python:a.b'",
    ),
    (
        'path x (\n    url /a,\n    use python:a.b\n',
        4,
        1,
        '',
        "expected ',' or ')' after 'use python:a.b', found the end of the file",
    ),
    (
        'foo x;\n',
        1,
        1,
        '',
        'expected a definition (path, meta, global, type, root, socket, worker or arbiter), '
        "found 'foo'",
    ),
    (
        'path type (\n    url /a\n);\n',
        1,
        6,
        '',
        "expected a name after 'path', found 'type' ('type' is a reserved word)",
    ),
    (
        'path x (\n    description """abc\n);\n',
        2,
        17,
        '',
        'unclosed \'"""\' text: no closing \'"""\' after it',
    ),
    (
        'path x (\n    description "abc\n);\n',
        2,
        17,
        '',
        "unclosed string: '\"' needs a closing '\"' on the same line "
        '(write text on several lines between \'"""\' and \'"""\')',
    ),
    (
        'path x (\n    request-body ( )\n);\n',
        2,
        20,
        '',
        "expected an operation after 'request-body (', found ')'",
    ),
    (
        'path x (\n    url\n);\n',
        3,
        1,
        '',
        "expected a value or '(' after 'url', found ')'",
    ),
    (
        "path x (\n    url 'a'\n);\n",
        2,
        9,
        '',
        'unexpected "\'": RBR strings are written between \'"\' quotes',
    ),
    (
        'meta (\n    title "été",\n    é\n);\n',
        3,
        5,
        '',
        "unexpected character 'é': outside strings only ASCII is allowed",
    ),
    (
        'path x (\n    url /a\n);;\n',
        3,
        3,
        '',
        'expected a definition (path, meta, global, type, root, socket, worker or arbiter) '
        "after 'path x ( url /a );', found ';'",
    ),
    ('path x ();\n', 1, 9, '', "expected a name after 'path x (', found ')'"),
    ('path x (\n    , url /a\n);\n', 2, 5, '', "expected a name after 'path x (', found ','"),
    (
        'path x (\n    url /a);\n',
        3,
        1,
        '',
        "expected ')' after 'path x ( url /a);', found the end of the file "
        "(a ')' touching a URL is part of the URL: put a space or ',' before it)",
    ),
    (
        'path x (\n    request-body ( x ( y ) )\n);\n',
        2,
        22,
        '',
        "expected ',', ')', '|' or a value after 'x', found '('",
    ),
    (
        'path x (\n    request-body (\n        unless type is json return\n    )\n);\n',
        4,
        5,
        '',
        "expected a number after 'unless type is json return', found ')'",
    ),
    (
        'path x (\n    request-body (\n        unless type json return 400\n    )\n);\n',
        3,
        21,
        '',
        "expected 'is' after 'unless type', found 'json'",
    ),
    ('path x (\n    method GET|\n);\n', 3, 1, '', "expected a name after 'method GET|', found ')'"),
    ('global port 80 80;\n', 1, 16, '', "expected ';' after 'global port 80', found '80'"),
    (
        'path x ( url /a );\npath y ( url /b )\n',
        3,
        1,
        '',
        "expected ';' after 'url /b )', found the end of the file",
    ),
    (
        'path x (\n    return 400\n);\n',
        2,
        5,
        '',
        "expected a name after 'path x (', found 'return' ('return' is a reserved word)",
    ),
    (
        'path x (\n    description "a" "b"\n);\n',
        2,
        21,
        '',
        "expected ',' or ')' after 'description \"a\"', found '\"b\"'",
    ),
    (
        'path x (\n    description """A long text that goes on and on and on""" url /a\n);\n',
        2,
        62,
        '',
        "expected ',' or ')' after 'description \"\"\"A … and on and on\"\"\"', found 'url'",
    ),
    # Lines inside a triple-quoted text count (RedBarrel's lexer lost them).
    (
        'meta (\n    description """a\nb\nc""" title "x"\n);\n',
        4,
        6,
        '',
        "expected ',' or ')' after 'description \"\"\"a b c\"\"\"', found 'title'",
    ),
]

#: Statements that parse but do not fit the model.
MEANING = [
    (
        'path x (\n    urll /a\n);\n',
        2,
        5,
        'paths.x.urll',
        "unknown key 'urll' in path 'x' (did you mean 'url'?); expected one of: description, "
        'method, url, use, request-description, request-headers, request-body, request-status, '
        'response-headers, response-body, response-status, x-request-max-size '
        '(extension keys start with x-)',
    ),
    (
        'path x (\n    url /a\n);\npath x (\n    url /b\n);\n',
        4,
        6,
        'paths.x',
        "path 'x' is defined twice: on line 1 and on line 4",
    ),
    (
        'socket python:a.b;\npath s (\n    method SOCKETIO,\n    use python:c.d\n);\n',
        2,
        1,
        'sockets./',
        "two Socket.IO handlers: 'socket' on line 1 and path 's' on line 2; keep one",
    ),
    (
        'path chat (\n    method GET|POST,\n    url /socket.io/{t:.*?},\n    use python:a.b\n);\n'
        'socket python:c.d;\n',
        6,
        1,
        'sockets./',
        "two Socket.IO handlers: path 'chat' on line 1 and 'socket' on line 6; keep one",
    ),
    (
        'meta (\n    titel "x"\n);\n',
        2,
        5,
        'meta.titel',
        "unknown meta field 'titel' (did you mean 'title'?); expected one of: title, version, "
        'description (extension fields start with x-)',
    ),
    (
        'path x (\n    url /a/{id\n);\n',
        2,
        9,
        'paths.x.url',
        "unclosed '{' at position 3 of '/a/{id'",
    ),
    (
        'path x (\n    request-body (\n        set X "y",\n        "text"\n    )\n);\n',
        4,
        9,
        'paths.x.request.body',
        "expected an operation in 'request-body', found '\"text\"'",
    ),
    (
        'path x (\n    x-request-max-size "big"\n);\n',
        2,
        24,
        'paths.x.max_body',
        "x-request-max-size takes a number of bytes, found 'big'",
    ),
    (
        'path x (\n    x-rbconfig "{oops"\n);\n',
        2,
        16,
        'paths.x.x-rbconfig',
        'x-rbconfig is not valid JSON: Expecting property name enclosed in double quotes: '
        'line 1 column 2 (char 1)',
    ),
    (
        'path x (\n    x-rbconfig "[1]"\n);\n',
        2,
        16,
        'paths.x.x-rbconfig',
        'x-rbconfig must hold a JSON object',
    ),
    (
        'path x (\n    x-rbconfig """{"x-a": ' + '[' * 5000 + ']' * 5000 + '}"""\n);\n',
        2,
        16,
        'paths.x.x-rbconfig',
        'x-rbconfig is nested more than 200 levels deep',
    ),
    (
        'path x (\n    x-rbconfig """{"x-a": ' + '[' * 250 + ']' * 250 + '}"""\n);\n',
        2,
        16,
        'paths.x.x-rbconfig',
        'x-rbconfig is nested more than 200 levels deep',
    ),
    (
        'path x (\n    url /a,\n    response-status ( describe ' + '4' * 5_000 + ' "x" )\n);\n',
        3,
        32,
        '',
        'the number 44444444…44444444 has 5,000 digits; at most 4,300 are allowed',
    ),
    (
        'global big ' + '4' * 5_000 + ';\n',
        1,
        12,
        '',
        'the number 44444444…44444444 has 5,000 digits; at most 4,300 are allowed',
    ),
    (
        'path x (\n    url (a, b)\n);\n',
        2,
        5,
        'paths.x.url',
        "'url' takes a value, not a section '( … )'",
    ),
    (
        'path x (\n    response-status (\n        set a "b"\n    )\n);\n',
        3,
        9,
        'paths.x.response.status',
        "'response-status' holds only 'describe CODE TEXT' items, found 'set a \"b\"'",
    ),
    (
        'path s (\n    method SOCKETIO|GET,\n    use python:c.d\n);\n',
        2,
        12,
        'sockets./.method',
        'SOCKETIO cannot be combined with GET',
    ),
    (
        'path s (\n    method SOCKETIO,\n    use python:c.d,\n    response-headers ( set A "b" )\n'
        ');\n',
        4,
        5,
        'sockets./.response-headers',
        "path 's' is the Socket.IO handler (SOCKETIO method); it takes only description, "
        "method, url, use and x- fields, not 'response-headers'",
    ),
    (
        'global x unless type is json return 400;\n',
        1,
        10,
        'globals.x',
        'a global holds a value, not an operation',
    ),
    (
        'path x (\n    use hello\n);\n',
        2,
        9,
        'paths.x.use',
        "expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' or "
        "'proxy:http(s)://host:port', got 'hello' (did you mean 'python:hello'?)",
    ),
    ('root python:a.b;\n', 1, 6, 'root', "expected a URL prefix like '/api', found 'python:a.b'"),
    (
        'meta (\n    description ( "a" )\n);\n',
        2,
        5,
        'meta.description',
        "'description' takes a value in meta, not a section '( … )'",
    ),
    # The model's own rules, reported at the RBR positions.
    (
        'path x (\n    method get\n);\n',
        2,
        12,
        'paths.x.method',
        "HTTP methods are upper case: expected 'GET', got 'get'",
    ),
    (
        'path x (\n    response-status (\n        describe 42 "x"\n    )\n);\n',
        3,
        18,
        'paths.x.response.status[42]',
        'status code 42 is out of range: expected 100 to 599',
    ),
    (
        'path x (\n    request-body (\n        unless type is blob return 400\n    )\n);\n',
        3,
        24,
        'paths.x.request.body.checks[0].is',
        "unknown type 'blob'; known types: json, int, float",
    ),
    (
        'path x (\n    use foo:bar.baz\n);\n',
        2,
        9,
        'paths.x.use',
        "expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' or "
        "'proxy:http(s)://host:port', got 'foo:bar.baz'",
    ),
    (
        'path a (\n    url /x\n);\npath b (\n    method GET,\n    url /x\n);\n',
        6,
        9,
        'paths.b.url',
        "paths 'a' and 'b' both claim GET /x",
    ),
]


def _problems(text: str) -> list[tuple[int | None, int | None, str, str, str]]:
    with pytest.raises(SpecError) as caught:
        loads(text, 'rbr', 'bad.rbr')
    return [(p.line, p.column, p.where, p.message, p.severity) for p in caught.value.problems]


@pytest.mark.parametrize(
    ('text', 'line', 'column', 'where', 'message'),
    SYNTAX + MEANING,
    ids=[case[4][:60] for case in SYNTAX + MEANING],
)
def test_malformed_rbr(text: str, line: int, column: int, where: str, message: str) -> None:
    problems = _problems(text)
    assert problems[0] == (line, column, where, message, 'error')


def test_error_text_reads_file_line_col_message() -> None:
    with pytest.raises(SpecError) as caught:
        loads(SYNTAX[0][0], 'rbr', 'shortme.rbr')
    assert str(caught.value) == (
        "shortme.rbr:4:5: expected ',' or ')' after 'url /shorten', found 'use'"
    )


def test_every_mapping_error_is_reported_at_once() -> None:
    text = 'path x (\n    urll /a,\n    methd GET\n);\nmeta (\n    titel "t"\n);\n'
    assert [(line, where) for line, _, where, _, _ in _problems(text)] == [
        (2, 'paths.x.urll'),
        (3, 'paths.x.methd'),
        (6, 'meta.titel'),
    ]


#: Inputs that load, with the warnings they give: (text, [(line, column, where, start)]).
WARNINGS = [
    (
        'worker w python:a.b;\narbiter a python:b.c;\n',
        [
            (1, 10, 'workers.w', f"'worker' {NO_EFFECT} workers"),
            (2, 11, 'arbiters.a', f"'arbiter' {NO_EFFECT} arbiters"),
        ],
    ),
    (
        'root /a;\nroot /b;\n',
        [(1, 6, 'root', "a second 'root' on line 2 is ignored: the first one (line 1) counts")],
    ),
    (
        'path x (\n    url /a,\n    use python:a.b;\n);\n',
        [
            (
                3,
                9,
                'paths.x.use',
                "stray ';' on line 3 before the ')' closing path 'x': ignored (RedBarrel refused "
                'it; remove it)',
            )
        ],
    ),
    (
        'path x (\n    url /a/#frag\n);\n',
        [
            (
                2,
                9,
                'paths.x.url',
                "'#' right after the URL '/a/' on line 2 starts a comment (the rest of the line "
                'is ignored, as in RedBarrel); put a space before it',
            )
        ],
    ),
    (
        'path x (\n    url /a,\n    url /b\n);\n',
        [
            (
                1,
                6,
                'paths.x',
                "'url' is given twice in path 'x' (lines 2 and 3); the last one counts",
            )
        ],
    ),
    (
        'global a 1;\nglobal a 2;\n',
        [(2, 10, 'globals.a', "global 'a' is defined again on line 2; the last one counts")],
    ),
    (
        'meta ( title "a" );\nmeta ( version 1.0 );\n',
        [
            (
                1,
                1,
                'meta',
                "a second 'meta' on line 2 (the first is on line 1): its fields are merged into "
                'the first',
            )
        ],
    ),
]


@pytest.mark.parametrize(('text', 'expected'), WARNINGS, ids=[c[1][0][2] for c in WARNINGS])
def test_warnings(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    document = loads(text, 'rbr', 'warn.rbr')
    found = [(w.line, w.column, w.where, w.message) for w in document.warnings]
    assert len(found) == len(expected)
    for got, (line, column, where, start) in zip(found, expected, strict=True):
        assert got[:3] == (line, column, where)
        assert got[3].startswith(start)
    assert all(w.severity == 'warning' for w in document.warnings)


def test_warnings_come_with_errors() -> None:
    problems = _problems('worker w python:a.b;\npath x (\n    urll /a\n);\n')
    assert [(where, severity) for _, _, where, _, severity in problems] == [
        ('workers.w', 'warning'),
        ('paths.x.urll', 'error'),
    ]


def test_no_traceback_for_binary_garbage() -> None:
    problems = _problems('\x00\x01path')
    assert problems[0][:2] == (1, 1)
    assert problems[0][3].startswith("unexpected character '\\x00'")


def test_warnings_beside_errors_keep_their_place() -> None:
    """A warning reported with errors has the line, column and wording it has on its own."""
    text = 'worker w python:a.b;\narbiter a python:b.c;\npath x (\n    urll /a\n);\n'
    problems = _problems(text)
    assert [problem[:3] + problem[4:] for problem in problems] == [
        (1, 10, 'workers.w', 'warning'),
        (2, 11, 'arbiters.a', 'warning'),
        (4, 5, 'paths.x.urll', 'error'),
    ]
    assert problems[0][3] == (
        "'worker' has no effect: rbconfig runs on gevent, not Pistil workers "
        "(kept in 'workers' so conversions lose nothing)"
    )
    assert problems[1][3] == (
        "'arbiter' has no effect: rbconfig runs on gevent, not Pistil arbiters "
        "(kept in 'arbiters' so conversions lose nothing)"
    )


#: Three independent mistakes, and definitions without any around them.
THREE_MISTAKES = (
    'path a (\n'
    '    url /a\n'
    '    use python:m.a\n'
    ');\n'
    'path b (\n'
    '    url /b,\n'
    '    request-body ( unless type json return 400 )\n'
    ');\n'
    'global x @;\n'
    'path c (\n'
    '    url /c,\n'
    '    methd GET\n'
    ');\n'
    'path d ( url /d, use python:m.d );\n'
)


def test_every_independent_mistake_is_reported_at_once() -> None:
    """Two syntax errors, a character no token starts with, a key the model lacks."""
    assert [(line, column, where) for line, column, where, _, _ in _problems(THREE_MISTAKES)] == [
        (3, 5, ''),
        (7, 32, ''),
        (9, 10, ''),
        (12, 5, 'paths.c.methd'),
    ]


def test_a_broken_definition_is_left_out_and_the_rest_is_read() -> None:
    """No follow-on errors: what the broken definition held is not mapped or checked."""
    text = 'path a ( url /a use python:m.a, url /b );\npath b ( url /a );\n'
    problems = _problems(text)
    assert len(problems) == 1  # path b claims GET /a alone: a is gone
    assert problems[0][3] == "expected ',' or ')' after 'url /a', found 'use'"


def test_a_missing_end_is_reported_where_the_next_definition_starts() -> None:
    text = 'path a (\n    url /a,\npath b ( url /b );\nroot x;\n'
    assert [(line, column, message) for line, column, _, message, _ in _problems(text)] == [
        (
            3,
            1,
            "expected ',', ')' or a name after 'url /a,', found 'path' ('path' is a reserved word)",
        ),
        (4, 6, "expected a URL prefix like '/api', found 'x'"),
    ]


def test_the_end_of_the_file_inside_a_definition_is_one_problem() -> None:
    problems = _problems('path a ( url /a );\npath b (\n    url /b,\n')
    assert [(line, column) for line, column, _, _, _ in problems] == [(4, 1)]


def test_errors_after_an_error_in_the_same_definition_are_not_reported() -> None:
    problems = _problems('path a ( url /a @ b # c\n  ,, ) ) ) ;; é;\nroot /r;\n')
    assert len(problems) == 1
    assert problems[0][:2] == (1, 17)


def test_many_mistakes_are_reported_in_linear_time() -> None:
    from tests.helpers.budget import cpu_budget

    text = 'path p ( url /a use python:m.a );\nglobal g @;\n' * 5_000
    with cpu_budget(20, 'reading 10,000 broken definitions'):
        problems = _problems(text)
    assert len(problems) == 10_000


def test_an_untested_lark_is_refused_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import lark

    from rbconfig.converters.rbr import grammar

    monkeypatch.setattr(lark, '__version__', '2.0.0')
    grammar._parser.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r'lark 1\.x .* lark 2\.0\.0 is installed'):
            grammar._parser()
    finally:
        monkeypatch.undo()
        grammar._parser.cache_clear()
