"""Checks and transformations with RedBarrel's calling conventions (issue 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.errors import StartupError

from .runtime_support import make_client, make_document

CHECKMOD = """\
import json

CALLS = []


def echo(globs, request):
    return request.body


def answer(globs, request):
    return request.headers.get('X-Answer', '')


def auth(globs, request, value):
    CALLS.append((sorted(globs), request.path_info, value))
    if value != 'token':
        raise ValueError('wrong token ' + repr(value))


def auth_false(globs, request, value):
    return value == 'yes'


def auth_one(value):
    return value == 'one'


class even:
    instances = 0

    def __init__(self):
        type(self).instances += 1

    def __call__(self, value):
        if int(value) % 2:
            return False
        return True


class strict:
    def __call__(self, value):
        if value != 'ok':
            raise ValueError('only ok is ok')


def upper(globs, request, body):
    return body.upper()


def add_suffix(globs, request, body):
    return body + '!' + globs['suffix']


def to_bytes(globs, request, body):
    return b'[' + body.encode() + b']'


def explode(globs, request):
    raise RuntimeError('handler failed')


def not_json(globs, request):
    return 'not json'
"""


def _path(url: str, use: str = 'python:checkmod.echo', **parts: object) -> dict[str, object]:
    return {'url': url, 'method': 'POST', 'use': use, **parts}


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    paths = {
        'json': _path('/json', request={'body': {'checks': [{'is': 'json', 'return': 400}]}}),
        'int': _path('/int', request={'body': {'checks': [{'is': 'int', 'return': 400}]}}),
        'float': _path('/float', request={'body': {'checks': [{'is': 'float', 'return': 418}]}}),
        'not_int': _path(
            '/not-int', request={'body': {'checks': [{'is_not': 'int', 'return': 409}]}}
        ),
        'even': _path('/even', request={'body': {'checks': [{'is': 'even', 'return': 400}]}}),
        'strict': _path('/strict', request={'body': {'checks': [{'is': 'strict', 'return': 400}]}}),
        'header_int': _path(
            '/header-int',
            'python:checkmod.answer',
            request={'headers': {'checks': [{'header': 'X-Answer', 'is': 'int', 'return': 400}]}},
        ),
        'header_not_int': _path(
            '/header-not-int',
            'python:checkmod.answer',
            request={
                'headers': {'checks': [{'header': 'X-Answer', 'is_not': 'int', 'return': 400}]}
            },
        ),
        'auth': _path(
            '/auth',
            request={
                'headers': {
                    'checks': [
                        {
                            'header': 'Authorization',
                            'validates': 'python:checkmod.auth',
                            'return': 401,
                        }
                    ]
                }
            },
        ),
        'auth_false': _path(
            '/auth-false',
            request={
                'headers': {
                    'checks': [
                        {'header': 'X-Ok', 'validates': 'python:checkmod.auth_false', 'return': 403}
                    ]
                }
            },
        ),
        'auth_one': _path(
            '/auth-one',
            request={
                'headers': {
                    'checks': [
                        {'header': 'X-Ok', 'validates': 'python:checkmod.auth_one', 'return': 403}
                    ]
                }
            },
        ),
        'order': _path(
            '/order',
            request={
                'headers': {
                    'checks': [
                        {
                            'header': 'Authorization',
                            'validates': 'python:checkmod.auth',
                            'return': 401,
                        }
                    ]
                },
                'body': {'checks': [{'is': 'json', 'return': 400}]},
            },
        ),
        'alter_request': _path(
            '/alter-request', request={'body': {'checks': [{'alter': 'python:checkmod.upper'}]}}
        ),
        'alter_response': _path(
            '/alter-response',
            response={
                'body': {
                    'checks': [
                        {'alter': 'python:checkmod.add_suffix'},
                        {'alter': 'python:checkmod.to_bytes'},
                    ]
                }
            },
        ),
        'set_headers': _path(
            '/set',
            response={'headers': {'set': {'Content-Type': 'application/json', 'X-Version': 3}}},
        ),
        'on_error': _path(
            '/on-error',
            'python:checkmod.explode',
            response={'body': {'checks': [{'on_error': 503}]}},
        ),
        'response_type': _path(
            '/response-type',
            'python:checkmod.not_json',
            response={'body': {'checks': [{'is': 'json', 'return': 503}]}},
        ),
        'response_header': _path(
            '/response-header',
            response={
                'headers': {
                    'set': {'X-Count': 'many'},
                    'checks': [{'header': 'X-Count', 'is': 'int', 'return': 500}],
                }
            },
        ),
    }
    spec = {
        'globals': {'suffix': 'end'},
        'types': {'even': 'python:checkmod.even', 'strict': 'python:checkmod.strict'},
        'paths': paths,
    }
    return make_client(tmp_path, spec, {'checkmod.py': CHECKMOD})


@pytest.mark.parametrize(
    ('url', 'body', 'status'),
    [
        ('/json', '{"a": 1}', 200),
        ('/json', 'false', 200),
        ('/json', '{a}', 400),
        ('/json', '', 400),
        ('/int', '12', 200),
        ('/int', '1.5', 400),
        ('/int', 'x', 400),
        # Numbers as people write them (RedBarrel's int() took a sign and white space)...
        ('/int', ' +7\n', 200),
        ('/int', '-0', 200),
        # ...not what else Python 3's int() and float() take.
        ('/int', '1_000', 400),
        ('/int', '\u0663', 400),  # ARABIC-INDIC DIGIT THREE
        ('/float', '1.5', 200),
        ('/float', '-1e3', 200),
        ('/float', '.5', 200),
        ('/float', 'x', 418),
        ('/float', 'nan', 418),
        ('/float', 'inf', 418),
        ('/float', '1e999', 418),
        ('/float', '1_0.5', 418),
        ('/not-int', 'abc', 200),
        ('/not-int', '12', 409),
        ('/even', '4', 200),
        ('/even', '3', 400),
        ('/even', 'x', 400),
        ('/strict', 'ok', 200),
        ('/strict', 'no', 400),
    ],
)
def test_body_type_checks(client, url: str, body: str, status: int) -> None:  # noqa: ANN001
    answer = client.simulate_post(url, body=body)
    assert answer.status_code == status
    if status != 200:
        assert answer.headers['content-type'] == 'application/problem+json'
        assert answer.json['status'] == status


def test_a_number_check_says_what_was_expected_in_words(client) -> None:  # noqa: ANN001
    # Not Python's "invalid literal for int() with base 10: b'5.5'".
    assert client.simulate_post('/int', body='5.5').json['detail'] == (
        'the request body is not int: expected a whole number, such as 42'
    )
    assert client.simulate_post('/float', body='1e999').json['detail'] == (
        'the request body is not float: the number 1e999 is too large'
    )


def test_custom_type_failure_tells_why(client) -> None:  # noqa: ANN001
    assert client.simulate_post('/strict', body='no').json['detail'] == (
        'the request body is not strict: only ok is ok'
    )


def test_header_type_checks(client) -> None:  # noqa: ANN001
    assert client.simulate_post('/header-int', headers={'X-Answer': '42'}).text == '42'
    bad = client.simulate_post('/header-int', headers={'X-Answer': 'many'})
    assert bad.status_code == 400 and bad.json['detail'] == 'the request header X-Answer is not int'
    missing = client.simulate_post('/header-int')
    assert missing.status_code == 400 and 'missing' in missing.json['detail']
    assert client.simulate_post('/header-not-int', headers={'X-Answer': 'many'}).status_code == 200
    assert client.simulate_post('/header-not-int', headers={'X-Answer': '1'}).status_code == 400
    assert client.simulate_post('/header-not-int').status_code == 200


def test_validator_gets_globs_request_value(client) -> None:  # noqa: ANN001
    import checkmod  # imported by the app from the spec folder

    checkmod.CALLS.clear()
    assert client.simulate_post('/auth', headers={'Authorization': 'token'}).status_code == 200
    assert checkmod.CALLS == [(['suffix'], '/auth', 'token')]
    refused = client.simulate_post('/auth', headers={'Authorization': 'nope'})
    assert refused.status_code == 401
    assert refused.json['detail'] == "Authorization: wrong token 'nope'"
    assert client.simulate_post('/auth').status_code == 401  # value None


def test_validator_returning_false_fails_and_one_argument_form(client) -> None:  # noqa: ANN001
    assert client.simulate_post('/auth-false', headers={'X-Ok': 'yes'}).status_code == 200
    refused = client.simulate_post('/auth-false', headers={'X-Ok': 'no'})
    assert refused.status_code == 403
    # The validator's location is the server's business: the client reads this.
    assert refused.json['detail'] == 'X-Ok was refused'
    assert client.simulate_post('/auth-one', headers={'X-Ok': 'one'}).status_code == 200
    assert client.simulate_post('/auth-one', headers={'X-Ok': 'two'}).status_code == 403


def test_headers_are_checked_before_the_body(client) -> None:  # noqa: ANN001
    assert client.simulate_post('/order', body='{bad').status_code == 401
    assert (
        client.simulate_post('/order', body='{bad', headers={'Authorization': 'token'}).status_code
        == 400
    )


def test_alter_request_body_before_the_handler(client) -> None:  # noqa: ANN001
    assert client.simulate_post('/alter-request', body='shout').text == 'SHOUT'


def test_alter_response_body_in_order(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/alter-response', body='hi')
    assert answer.text == '[hi!end]'
    assert answer.headers['content-length'] == str(len('[hi!end]'))


def test_set_headers(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/set', body='{}')
    assert answer.headers['content-type'] == 'application/json'
    assert answer.headers['x-version'] == '3'


def test_on_error_status_when_the_handler_raises(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/on-error')
    assert answer.status_code == 503
    assert answer.headers['content-type'] == 'application/problem+json'
    assert 'handler failed' not in answer.text


def test_response_checks(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/response-type')
    assert answer.status_code == 503
    assert answer.json['detail'].startswith('the response body is not json')
    header = client.simulate_post('/response-header')
    assert header.status_code == 500 and 'X-Count' in header.json['detail']


def test_custom_type_is_instantiated_once(tmp_path: Path) -> None:
    from rbconfig.runtime.app import build_app

    spec = {
        'types': {'even': 'python:oncemod.even'},
        'paths': {
            'a': _path(
                '/a',
                'python:oncemod.echo',
                request={'body': {'checks': [{'is': 'even', 'return': 400}]}},
            ),
            'b': _path(
                '/b',
                'python:oncemod.echo',
                request={'body': {'checks': [{'is': 'even', 'return': 400}]}},
            ),
        },
    }
    app = build_app(make_document(tmp_path, spec, {'oncemod.py': CHECKMOD}))
    import oncemod

    assert oncemod.even.instances == 1
    assert app is not None


def test_missing_validator_stops_startup_with_line(tmp_path: Path) -> None:
    from rbconfig.runtime.app import build_app

    spec = """\
    rbconfig: 1
    paths:
      p:
        url: /p
        use: python:valmod.echo
        request:
          headers:
            checks:
              - header: Authorization
                validates: python:valmod.nope
                return: 401
    """
    doc = make_document(tmp_path, spec, {'valmod.py': CHECKMOD})
    with pytest.raises(StartupError) as info:
        build_app(doc)
    problem = info.value.problems[0]
    assert problem.line == 10 and "'valmod' has no attribute 'nope'" in problem.message


def test_type_that_cannot_be_instantiated(tmp_path: Path) -> None:
    from rbconfig.runtime.app import build_app

    spec = {'types': {'bad': 'python:typemod.Bad'}, 'paths': {}}
    files = {'typemod.py': 'class Bad:\n    def __init__(self, needed):\n        pass\n'}
    with pytest.raises(StartupError, match=r"type 'bad': python:typemod.Bad\(\) failed: TypeError"):
        build_app(make_document(tmp_path, spec, files))
