"""Unit tests of each spec model: what it accepts, what it refuses, and why."""

from __future__ import annotations

from typing import Any

import pytest

from rbconfig.schema import (
    AlterCheck,
    BodySection,
    Meta,
    OnErrorCheck,
    Path,
    Placeholder,
    Request,
    Response,
    Section,
    SocketIO,
    SocketNamespace,
    Spec,
    SpecInvalid,
    TypeCheck,
    ValidatorCheck,
    parse_location,
    parse_spec,
    parse_url_template,
    route_key,
)


def issues(data: Any) -> list[tuple[str, str]]:
    """The issues of a whole spec as (dotted place, message)."""
    from rbconfig.errors import format_loc

    with pytest.raises(SpecInvalid) as caught:
        parse_spec(data)
    return [(format_loc(issue.loc), issue.message) for issue in caught.value.issues]


def spec_with_path(**path: Any) -> dict[str, Any]:
    return {'rbconfig': 1, 'paths': {'p': {'url': '/p', **path}}}


# --- Meta -------------------------------------------------------------------------------


def test_meta_version_number_becomes_text() -> None:
    assert Meta.model_validate({'version': 1.5}).version == '1.5'
    assert Meta.model_validate({'title': 'T', 'description': 'a\nb'}).description == 'a\nb'


# --- Path and methods -------------------------------------------------------------------


@pytest.mark.parametrize(
    ('written', 'stored'),
    [
        ('GET', ['GET']),
        ('GET|POST', ['GET', 'POST']),
        ('GET | PUT', ['GET', 'PUT']),
        (['DELETE', 'PATCH'], ['DELETE', 'PATCH']),
        ([], []),
    ],
)
def test_path_methods(written: Any, stored: list[str]) -> None:
    assert Path.model_validate({'url': '/x', 'method': written}).method == stored


def test_spec_invalid_says_each_place_dotted() -> None:
    with pytest.raises(SpecInvalid) as caught:
        parse_spec(spec_with_path(url='x', max_body=-1))
    assert str(caught.value) == (
        "paths.p.url: expected a URL starting with '/', got 'x'; "
        'paths.p.max_body: input should be greater than or equal to 0, got -1'
    )


def test_path_method_twice_is_refused() -> None:
    assert issues(spec_with_path(method='GET|GET')) == [
        ('paths.p.method', "a method is listed twice in ['GET', 'GET']")
    ]


def test_path_max_body_is_not_negative() -> None:
    assert issues(spec_with_path(max_body=-1)) == [
        ('paths.p.max_body', 'input should be greater than or equal to 0, got -1')
    ]


def test_path_key_order_lists_real_fields() -> None:
    for model in (
        Path,
        Request,
        Response,
        Section,
        BodySection,
        TypeCheck,
        ValidatorCheck,
        SocketIO,
        SocketNamespace,
        Spec,
        Meta,
    ):
        names = {field.alias or name for name, field in model.model_fields.items()}
        assert set(model.key_order) <= names, model.__name__


# --- checks -----------------------------------------------------------------------------


def test_type_check_needs_exactly_one_of_is_and_is_not() -> None:
    assert TypeCheck.model_validate({'is': 'json', 'return': 400}).type_name == 'json'
    assert TypeCheck.model_validate({'is_not': 'int', 'return': 400}).type_name == 'int'
    checks = [{'is': 'json', 'is_not': 'int', 'return': 400}]
    assert issues(spec_with_path(request={'body': {'checks': checks}})) == [
        (
            'paths.p.request.body.checks[0]',
            "a type check needs exactly one of 'is' or 'is_not'",
        )
    ]


def test_validator_check_needs_a_python_location() -> None:
    check = ValidatorCheck.model_validate(
        {'header': 'Authorization', 'validates': 'python:m.auth', 'return': 401}
    )
    assert check.return_ == 401
    checks = [{'header': 'A', 'validates': 'file:auth.py', 'return': 401}]
    assert issues(spec_with_path(request={'headers': {'checks': checks}})) == [
        (
            'paths.p.request.headers.checks[0].validates',
            "expected a 'python:' location here, got 'file:auth.py'",
        )
    ]


def test_alter_and_on_error_checks() -> None:
    assert AlterCheck.model_validate({'alter': 'python:m.f'}).alter == 'python:m.f'
    assert OnErrorCheck.model_validate({'on_error': 500}).on_error == 500
    section = Section.model_validate({'checks': [{'alter': 'python:m.f'}, {'on_error': 503}]})
    assert [type(check) for check in section.checks] == [AlterCheck, OnErrorCheck]


def test_checks_keep_their_order() -> None:
    written = [
        {'on_error': 500},
        {'is': 'json', 'return': 400},
        {'header': 'A', 'validates': 'python:m.v', 'return': 401},
        {'alter': 'python:m.f'},
    ]
    section = Section.model_validate({'checks': written})
    assert [type(check).__name__ for check in section.checks] == [
        'OnErrorCheck',
        'TypeCheck',
        'ValidatorCheck',
        'AlterCheck',
    ]
    assert section.to_data()['checks'] == written


# --- sections, request, response --------------------------------------------------------


def test_section_set_headers_take_numbers_as_text() -> None:
    assert Section.model_validate({'set': {'X-Count': 3}}).set == {'X-Count': '3'}


def test_body_schema_inline_or_python() -> None:
    inline = BodySection.model_validate({'schema': {'type': 'object'}, 'example': {'a': 1}})
    assert inline.schema_ == {'type': 'object'}
    assert inline.example == {'a': 1}
    assert BodySection.model_validate({'schema': 'python:m.Model'}).schema_ == 'python:m.Model'


def test_status_tables_have_number_keys() -> None:
    assert Response.model_validate({'status': {'200': 'OK'}}).status == {200: 'OK'}
    assert Request.model_validate({'status': {400: 'Bad'}}).status == {400: 'Bad'}


# --- sockets ----------------------------------------------------------------------------


def test_socket_namespace_rules() -> None:
    assert SocketNamespace.model_validate({'use': 'python:m.h'}).use == 'python:m.h'
    assert SocketNamespace.model_validate({'events': {'x': 'python:m.x'}}).events
    data = {
        'rbconfig': 1,
        'sockets': {'/': {'use': 'python:m.h', 'events': {'message': 'python:m.m'}}},
    }
    assert issues(data) == [
        ('sockets./', "'use' already receives the 'message' events; remove events.message or 'use'")
    ]


def test_an_event_is_a_location_or_a_mapping_with_its_data() -> None:
    namespace = SocketNamespace.model_validate(
        {
            'events': {
                'plain': 'python:m.plain',
                'said': {
                    'use': 'python:m.said',
                    'description': 'Someone said something.',
                    'schema': {'type': 'string'},
                    'example': 'hello',
                    'x-note': 1,
                },
                'bare': {'use': 'python:m.bare'},
            },
            'emits': {'joined': {'schema': 'python:m.Joined'}, 'left': {}},
        }
    )
    assert {event: handler.use for event, handler in namespace.events.items()} == {
        'plain': 'python:m.plain',
        'said': 'python:m.said',
        'bare': 'python:m.bare',
    }
    said = namespace.events['said']
    assert (said.description, said.schema_, said.example) == (
        'Someone said something.',
        {'type': 'string'},
        'hello',
    )
    assert namespace.emits['joined'].schema_ == 'python:m.Joined'
    # Written back in the shortest form: an event with only 'use' is its location.
    assert namespace.to_data() == {
        'events': {
            'plain': 'python:m.plain',
            'said': {
                'description': 'Someone said something.',
                'schema': {'type': 'string'},
                'example': 'hello',
                'use': 'python:m.said',
                'x-note': 1,
            },
            'bare': 'python:m.bare',
        },
        'emits': {'joined': {'schema': 'python:m.Joined'}, 'left': {}},
    }


@pytest.mark.parametrize(
    ('events', 'expected'),
    [
        ({'x': 42}, ('sockets./.events.x', "expected a 'python:' location or a mapping with "
                     "'use' (and 'description', 'schema', 'example'), got a number")),
        ({'x': 'file:a.py'},
         ('sockets./.events.x', "expected a 'python:' location here, got 'file:a.py'")),
        ({'x': {'schema': {}}}, ('sockets./.events.x.use', "missing required key 'use'")),
        ({'x': {'use': 'python:m.x', 'emit': 1}},
         ('sockets./.events.x.emit', "unknown key 'emit'; expected one of: description, "
          'example, schema, use (extension keys start with x-)')),
    ],
)  # fmt: skip
def test_bad_events_are_said_at_their_place(events: Any, expected: tuple[str, str]) -> None:
    assert issues({'rbconfig': 1, 'sockets': {'/': {'events': events}}}) == [expected]


def test_emitted_events_are_documented_not_handled() -> None:
    found = issues({'rbconfig': 1, 'sockets': {'/': {'emits': {'tick': {'use': 'python:m.tick'}}}}})
    assert found == [
        ('sockets./.emits.tick.use', "unknown key 'use'; expected one of: description, "
         'example, schema (extension keys start with x-)'),
    ]  # fmt: skip
    # A namespace that only emits has no handler to serve it.
    assert issues({'rbconfig': 1, 'sockets': {'/': {'emits': {'tick': {}}}}}) == [
        ('sockets./', "a socket namespace needs 'use' or 'events'")
    ]


def test_socket_namespace_names_start_with_a_slash() -> None:
    found = issues({'rbconfig': 1, 'sockets': {'chat': {'use': 'python:m.h'}}})
    assert found == [('sockets.chat', "'chat' does not match ^/[A-Za-z0-9_./-]*$")]


def test_socketio_defaults_and_limits() -> None:
    settings = SocketIO()
    assert (settings.path, settings.ping_interval, settings.ping_timeout) == ('/socket.io', 25, 20)
    assert issues({'rbconfig': 1, 'socketio': {'ping_interval': 0}}) == [
        ('socketio.ping_interval', 'input should be greater than 0, got 0')
    ]


# --- spec-wide rules --------------------------------------------------------------------


def test_globals_that_look_like_locations_are_checked() -> None:
    spec = parse_spec({'rbconfig': 1, 'globals': {'n': 3, 'flag': True, 'db': 'python:m.db'}})
    assert spec.globals == {'n': 3, 'flag': True, 'db': 'python:m.db'}
    assert issues({'rbconfig': 1, 'globals': {'db': 'python:not valid'}}) == [
        (
            'globals.db',
            "expected a dotted Python name after 'python:' (like 'python:pkg.module.func'), "
            "got 'not valid'",
        )
    ]


def test_a_value_of_none_of_a_unions_types_is_one_issue() -> None:
    # Pydantic reports one error per member, each at a place with the member's label in it
    # (globals.a.str, ...body.schema.dict[str,any]); the user wrote one wrong value.
    body = {'schema': 5}
    data = {**spec_with_path(response={'body': body}), 'globals': {'a': [1], 'b': 2}}
    assert issues(data) == [
        ('globals.a', 'expected text, a boolean or a number, got a list'),
        ('paths.p.response.body.schema', 'expected a mapping or text, got a number'),
    ]


def test_a_value_of_one_unions_type_gets_only_that_types_issue() -> None:
    assert issues(spec_with_path(response={'body': {'schema': 'pkg.Model'}})) == [
        (
            'paths.p.response.body.schema',
            "expected a location 'python:module.attr', 'file:PATH', 'directory:PATH' or "
            "'proxy:http(s)://host:port', got 'pkg.Model' (did you mean 'python:pkg.Model'?)",
        )
    ]
    assert issues(spec_with_path(response={'body': {'schema': {5: 'x'}}})) == [
        ('paths.p.response.body.schema[5]', 'expected text, got a number')
    ]


def test_names_follow_the_rbr_name_token() -> None:
    assert issues({'rbconfig': 1, 'types': {'9lives': 'python:m.T'}}) == [
        ('types.9lives', "'9lives' does not match ^[A-Za-z_][A-Za-z0-9_-]*$")
    ]


def test_custom_types_are_known_to_checks() -> None:
    data = spec_with_path(request={'body': {'checks': [{'is': 'email', 'return': 400}]}})
    data['types'] = {'email': 'python:m.Email'}
    assert parse_spec(data).types == {'email': 'python:m.Email'}


def test_same_route_with_different_methods_is_fine() -> None:
    data = {
        'rbconfig': 1,
        'paths': {
            'a': {'url': '/x/{id}', 'method': 'GET'},
            'b': {'url': '/x/{key}', 'method': 'POST'},
        },
    }
    assert list(parse_spec(data).paths) == ['a', 'b']


def test_missing_method_means_get_for_clashes() -> None:
    data = {'rbconfig': 1, 'paths': {'a': {'url': '/x'}, 'b': {'url': '/x', 'method': 'GET'}}}
    assert issues(data) == [('paths.b.url', "paths 'a' and 'b' both claim GET /x")]


def test_a_mistake_in_one_part_does_not_hide_the_spec_wide_rules_of_the_rest() -> None:
    # Every independent error at once, as the RBR reader reports them: the bad meta and
    # the bad path 'e' are left out, and the rules run on what is left.
    data = {
        'rbconfig': 1,
        'meta': {'titel': 'x'},
        'types': {'json': 'python:a.b'},
        'paths': {
            'c': {
                'url': '/c/{p}',
                'request': {'body': {'checks': [{'is': 'nosuchtype', 'return': 400}]}},
            },
            'd': {'url': '/c/{q}'},
            'e': {'url': 5},
        },
    }
    assert issues(data) == [
        ('meta.titel', "unknown key 'titel' (did you mean 'title'?)"),
        ('paths.e.url', 'expected text, got a number'),
        ('types.json', "'json' is a built-in type; pick another name"),
        (
            'paths.c.request.body.checks[0].is',
            "unknown type 'nosuchtype'; known types: json, int, float",  # json once
        ),
        ('paths.d.url', "paths 'c' and 'd' both claim GET /c/{q}"),
    ]


def test_a_required_key_that_fails_leaves_nothing_more_to_say() -> None:
    data = {'rbconfig': 2, 'paths': {'c': {'url': '/c'}, 'd': {'url': '/c'}}}
    assert issues(data) == [('rbconfig', 'unsupported spec format version 2; expected 1')]


def test_a_key_of_another_kind_of_check_is_said_so() -> None:
    checks = [
        {'alter': 'python:a.b', 'return': 400},
        {'header': 'X', 'is': 'int', 'validates': 'python:a.b', 'return': 400},
    ]
    found = issues(spec_with_path(request={'body': {'checks': checks}}))
    assert [(place, message.partition(';')[0]) for place, message in found] == [
        ('paths.p.request.body.checks[0].return', "'return' does not go in an 'alter' check"),
        ('paths.p.request.body.checks[1].is', "'is' does not go in a 'validates' check"),
    ]  # not "unknown key 'return' (did you mean 'return'?)"


@pytest.mark.parametrize(
    ('headers', 'where', 'says'),
    [
        ({'X-U': 'caf\u20ac'}, 'set.X-U', 'a header value must be Latin-1 text'),
        ({'X-A': 'a\r\nX-Injected: 1'}, 'set.X-A', 'without line breaks'),
        ({'X-B': 'nul\x00'}, 'set.X-B', 'control characters'),
        ({'bad name': 'x'}, 'set.bad name', 'does not match'),
        ({'X:Y': 'x'}, 'set.X:Y', 'does not match'),
    ],
)
def test_headers_to_set_must_be_sendable(headers: dict[str, str], where: str, says: str) -> None:
    # Caught by validate, not at the first request (where HTTP cannot write them).
    found = issues(spec_with_path(response={'headers': {'set': headers}}))
    assert [place for place, _ in found] == [f'paths.p.response.headers.{where}']
    assert says in found[0][1]


def test_latin1_and_tabs_are_sendable_header_values() -> None:
    data = spec_with_path(response={'headers': {'set': {'X-Ok': 'caf\u00e9\tok', 'X-N': 5}}})
    assert parse_spec(data).paths['p'].response.headers.set == {'X-Ok': 'caf\u00e9\tok', 'X-N': '5'}


# --- extensions -------------------------------------------------------------------------


def test_extensions_are_kept_at_every_level_and_count_for_equality() -> None:
    data = {
        'rbconfig': 1,
        'x-top': 1,
        'meta': {'title': 't', 'x-m': [1, 2]},
        'paths': {
            'p': {
                'url': '/p',
                'x-p': {'a': 'b'},
                'request': {'body': {'checks': [{'on_error': 500, 'x-c': True}]}},
            }
        },
    }
    spec = parse_spec(data)
    assert spec.extensions == {'x-top': 1}
    assert spec.meta.extensions == {'x-m': [1, 2]}
    assert spec.paths['p'].extensions == {'x-p': {'a': 'b'}}
    assert spec.paths['p'].request.body.checks[0].extensions == {'x-c': True}
    assert spec.to_data() == data
    assert parse_spec({**data, 'x-top': 2}) != spec


# --- URL templates and locations --------------------------------------------------------


def test_url_templates() -> None:
    assert parse_url_template('/a/{id:[0-9]{3}}/b/{name}') == [
        '/a/',
        Placeholder('id', '[0-9]{3}'),
        '/b/',
        Placeholder('name'),
    ]
    assert route_key('/a/{x}') == route_key('/a/{y}')
    assert route_key('/a/{x:[0-9]+}') != route_key('/a/{x}')
    with pytest.raises(ValueError, match=r"placeholder \{id\} appears twice in '/\{id\}/\{id\}'"):
        parse_url_template('/{id}/{id}')
    with pytest.raises(ValueError, match="unbalanced '}' at position 2 of '/a}'"):
        parse_url_template('/a}')


@pytest.mark.parametrize(
    'text', ['python:m.f', 'file:static/a.css', 'directory:static', 'proxy:https://h:8443/x']
)
def test_good_locations(text: str) -> None:
    assert str(parse_location(text)) == text


@pytest.mark.parametrize(
    ('text', 'message'),
    [
        ('python:', "expected a dotted Python name after 'python:'"),
        ('file:', "expected a path after 'file:'"),
        ('proxy:ftp://h', "expected 'proxy:http://host:port'"),
        ('m.f', "did you mean 'python:m.f'"),
        ('m', "did you mean 'python:m'"),  # as RBR's 'use m' always had
    ],
)
def test_bad_locations(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace('(', r'\(').replace('.', r'\.')):
        parse_location(text)
