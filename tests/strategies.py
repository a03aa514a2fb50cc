"""Hypothesis strategies for valid service specs (shared by the format round-trip tests).

``specs()`` draws whole :class:`~rbconfig.schema.Spec` models: meta, root,
globals, custom types, paths with every kind of check, body schemas and
examples, socket namespaces (events as locations or mappings with schemas and
examples, emitted events), Socket.IO settings, workers and arbiters, ``x-``
extensions at several levels and multi-line descriptions. ``spec_data()``
draws the same as plain data (what a YAML or TOML file holds).

Formats that cannot say everything switch parts off with keyword flags, e.g.
``specs(extensions=False, body_schemas=False, socketio=False)``. No value is
ever null (TOML has none) and every float is finite (NaN is not equal to
itself).
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from rbconfig.schema import BUILTIN_TYPES, HTTP_METHODS, Spec, parse_spec

__all__ = [
    'descriptions',
    'extensions',
    'json_values',
    'locations',
    'names',
    'python_locations',
    'spec_data',
    'specs',
    'status_codes',
]

_IDENT = st.from_regex(r'[a-z_][a-z0-9_]{0,7}', fullmatch=True)

#: Names of paths, globals, types, workers and arbiters (RBR's NAME token).
names = st.from_regex(r'[A-Za-z_][A-Za-z0-9_-]{0,11}', fullmatch=True)

#: ``python:pkg.module.attr``.
python_locations = st.lists(_IDENT, min_size=1, max_size=3).map(
    lambda parts: 'python:' + '.'.join(parts)
)

_PATH_TEXT = st.from_regex(r'[A-Za-z0-9_./-]{1,20}', fullmatch=True)
#: A header value HTTP can send: Latin-1, tabs but no other control characters.
_SENDABLE = st.text(
    st.characters(min_codepoint=0x09, max_codepoint=0xFF).filter(
        lambda char: char == '\t' or (char >= ' ' and char != '\x7f')
    ),
    max_size=20,
)

#: Any location: python, file, directory or proxy.
locations = st.one_of(
    python_locations,
    _PATH_TEXT.map(lambda path: f'file:{path}'),
    _PATH_TEXT.map(lambda path: f'directory:{path}'),
    st.tuples(
        st.sampled_from(['http', 'https']),
        st.from_regex(r'[a-z][a-z0-9.-]{0,10}', fullmatch=True),
        st.integers(1, 65535),
        st.from_regex(r'(/[a-z0-9_-]{1,6}){0,2}', fullmatch=True),
    ).map(lambda parts: f'proxy:{parts[0]}://{parts[1]}:{parts[2]}{parts[3]}'),
)

#: HTTP status codes.
status_codes = st.integers(100, 599)

_LINE = st.text(st.characters(exclude_categories=('Cs',), exclude_characters='\n'), max_size=30)

#: One line of any text, or several lines (multi-line descriptions, Markdown).
descriptions = st.one_of(
    _LINE,
    st.tuples(st.lists(_LINE, min_size=2, max_size=5), st.sampled_from(['', '\n'])).map(
        lambda parts: '\n'.join(parts[0]) + parts[1]
    ),
    st.sampled_from(
        [
            'Capitalize a word.\n\nSee `/docs` for *more*.\n',
            '  indented first line\nthen flush',
            '# not a comment\n- not a list\n',
            'key: value # text',
        ]
    ),
)

_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=15),
)

#: JSON-like data without null: what x- extensions and examples hold.
json_values: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    ),
    max_leaves=6,
)

_EXTENSION_KEYS = st.from_regex(r'x-[a-z][a-z0-9-]{0,8}', fullmatch=True)

#: ``x-`` extension keys and their values.
extensions = st.dictionaries(_EXTENSION_KEYS, json_values, max_size=2)

_HEADER = st.from_regex(r'[A-Z][A-Za-z0-9-]{0,15}', fullmatch=True)
_URL_REGEXES = st.sampled_from([r'[0-9]+', r'[a-z]{2,5}', r'\d+', r'[^/]+', r'(en|fr)'])


@st.composite
def _url(draw: st.DrawFn, index: int) -> str:
    url = f'/p{index}'
    used: set[str] = set()
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(['literal', 'name', 'regex']))
        if kind == 'literal':
            url += '/' + draw(st.from_regex(r'[a-z0-9_.-]{1,8}', fullmatch=True))
            continue
        name = draw(_IDENT.filter(lambda n: n not in used))
        used.add(name)
        url += f'/{{{name}:{draw(_URL_REGEXES)}}}' if kind == 'regex' else f'/{{{name}}}'
    return url


def _maybe(
    draw: st.DrawFn, data: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]
) -> None:
    if draw(st.booleans()):
        data[key] = draw(strategy)


def _extend(draw: st.DrawFn, data: dict[str, Any], enabled: bool) -> dict[str, Any]:
    if enabled:
        data.update(draw(extensions))
    return data


@st.composite
def _check(draw: st.DrawFn, types: list[str], ext: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(['is', 'is_not', 'validates', 'alter', 'on_error']))
    check: dict[str, Any]
    if kind in ('is', 'is_not'):
        check = {kind: draw(st.sampled_from(types)), 'return': draw(status_codes)}
        _maybe(draw, check, 'header', _HEADER)
    elif kind == 'validates':
        check = {
            'header': draw(_HEADER),
            'validates': draw(python_locations),
            'return': draw(status_codes),
        }
    elif kind == 'alter':
        check = {'alter': draw(python_locations)}
    else:
        check = {'on_error': draw(status_codes)}
    return _extend(draw, check, ext)


_SCHEMAS = st.one_of(
    python_locations.map(lambda loc: loc + '.Model'),
    st.fixed_dictionaries(
        {'type': st.just('object')},
        optional={
            'properties': st.dictionaries(
                _IDENT,
                st.fixed_dictionaries(
                    {'type': st.sampled_from(['string', 'integer', 'number', 'boolean'])}
                ),
                max_size=3,
            ),
            'required': st.lists(_IDENT, max_size=2, unique=True),
            'additionalProperties': st.booleans(),
        },
    ),
)


@st.composite
def _section(draw: st.DrawFn, types: list[str], body: bool, flags: dict[str, bool]) -> Any:
    data: dict[str, Any] = {}
    _maybe(draw, data, 'description', descriptions)
    _maybe(draw, data, 'checks', st.lists(_check(types, flags['extensions']), max_size=4))
    _maybe(
        draw,
        data,
        'set',
        st.dictionaries(_HEADER, st.one_of(_SENDABLE, st.just('text/html'))),
    )
    if body and flags['body_schemas']:
        _maybe(draw, data, 'schema', _SCHEMAS)
        _maybe(draw, data, 'example', json_values)
    return _extend(draw, data, flags['extensions'])


@st.composite
def _exchange(draw: st.DrawFn, types: list[str], flags: dict[str, bool]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    _maybe(draw, data, 'description', descriptions)
    _maybe(draw, data, 'headers', _section(types, False, flags))
    _maybe(draw, data, 'body', _section(types, True, flags))
    _maybe(draw, data, 'status', st.dictionaries(status_codes, _LINE, max_size=3))
    return _extend(draw, data, flags['extensions'])


@st.composite
def _path(draw: st.DrawFn, index: int, types: list[str], flags: dict[str, bool]) -> Any:
    data: dict[str, Any] = {'url': draw(_url(index))}
    _maybe(draw, data, 'description', descriptions)
    _maybe(draw, data, 'method', st.lists(st.sampled_from(HTTP_METHODS), max_size=3, unique=True))
    _maybe(draw, data, 'use', locations)
    _maybe(draw, data, 'max_body', st.integers(0, 2**31))
    _maybe(draw, data, 'request', _exchange(types, flags))
    response = draw(_exchange(types, flags))
    response.pop('description', None)
    if draw(st.booleans()):
        data['response'] = response
    return _extend(draw, data, flags['extensions'])


@st.composite
def _namespace(draw: st.DrawFn, flags: dict[str, bool]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    _maybe(draw, data, 'description', descriptions)
    event_names = st.one_of(st.sampled_from(['connect', 'disconnect', 'message']), _IDENT)
    events = draw(st.dictionaries(event_names, _event(flags), max_size=3))
    if draw(st.booleans()) or not events:
        data['use'] = draw(python_locations)
        events.pop('message', None)
    if events:
        data['events'] = events
    _maybe(draw, data, 'emits', st.dictionaries(_IDENT, _message(flags), max_size=2))
    return _extend(draw, data, flags['extensions'])


@st.composite
def _message(draw: st.DrawFn, flags: dict[str, bool]) -> dict[str, Any]:
    """What an event carries: description, schema, example (each maybe)."""
    data: dict[str, Any] = {}
    _maybe(draw, data, 'description', descriptions)
    _maybe(draw, data, 'schema', _SCHEMAS)
    _maybe(draw, data, 'example', json_values)
    return _extend(draw, data, flags['extensions'])


@st.composite
def _event(draw: st.DrawFn, flags: dict[str, bool]) -> str | dict[str, Any]:
    """An event's handler: its location alone, or a mapping with ``use`` and more."""
    use = draw(python_locations)
    if draw(st.booleans()):
        return use
    return {'use': use, **draw(_message(flags))}


_SOCKETIO = st.fixed_dictionaries(
    {},
    optional={
        'path': st.from_regex(r'/[a-z0-9_.-]{0,10}', fullmatch=True),
        'origins': st.lists(
            st.one_of(st.just('*'), st.from_regex(r'https?://[a-z]{1,8}\.test', fullmatch=True)),
            max_size=2,
        ),
        'ping_interval': st.floats(0.5, 600),
        'ping_timeout': st.integers(1, 600),
        'max_message': st.integers(1, 10**8),
        'client': _PATH_TEXT.map(lambda path: f'file:{path}'),
    },
)


@st.composite
def spec_data(
    draw: st.DrawFn,
    *,
    extensions: bool = True,
    body_schemas: bool = True,
    sockets: bool = True,
    socketio: bool = True,
    max_paths: int = 4,
) -> dict[str, Any]:
    """Plain data of a valid spec (``rbconfig: 1`` and everything after it).

    Args:
        extensions: add ``x-`` keys at several levels.
        body_schemas: add body ``schema`` and ``example`` (RBR has neither).
        sockets: add Socket.IO namespaces.
        socketio: add Socket.IO server settings (``socketio``).
        max_paths: the most paths drawn.
    """
    flags = {'extensions': extensions, 'body_schemas': body_schemas}
    data: dict[str, Any] = {'rbconfig': 1}
    meta: dict[str, Any] = {}
    _maybe(draw, meta, 'title', _LINE)
    _maybe(draw, meta, 'version', st.from_regex(r'[0-9]{1,2}(\.[0-9]{1,2}){0,2}', fullmatch=True))
    _maybe(draw, meta, 'description', descriptions)
    if meta or draw(st.booleans()):
        data['meta'] = _extend(draw, meta, extensions)
    _maybe(draw, data, 'root', st.from_regex(r'(/[a-z0-9_.-]{1,8}){1,2}', fullmatch=True))
    _maybe(draw, data, 'max_body', st.integers(0, 2**31))
    plain_text = st.text(string.ascii_letters + string.digits + ' ./-_', max_size=15)
    global_values = st.one_of(
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        plain_text,
        locations,
    )
    _maybe(draw, data, 'globals', st.dictionaries(names, global_values, max_size=3))
    custom = draw(
        st.dictionaries(
            names.filter(lambda n: n not in BUILTIN_TYPES), python_locations, max_size=2
        )
    )
    if custom:
        data['types'] = custom
    types = [*BUILTIN_TYPES, *custom]
    count = draw(st.integers(0, max_paths))
    path_names = draw(st.lists(names, min_size=count, max_size=count, unique=True))
    data['paths'] = {
        name: draw(_path(index, types, flags)) for index, name in enumerate(path_names)
    }
    if socketio:
        if draw(st.booleans()):
            data['socketio'] = _extend(draw, draw(_SOCKETIO), extensions)
    if sockets:
        namespaces = st.one_of(
            st.just('/'), st.from_regex(r'/[A-Za-z0-9_.-]{1,10}(/[a-z]{1,4})?', fullmatch=True)
        )
        _maybe(draw, data, 'sockets', st.dictionaries(namespaces, _namespace(flags), max_size=2))
    _maybe(draw, data, 'workers', st.dictionaries(names, python_locations, max_size=2))
    _maybe(draw, data, 'arbiters', st.dictionaries(names, python_locations, max_size=2))
    return _extend(draw, data, extensions)


def specs(**flags: Any) -> st.SearchStrategy[Spec]:
    """Valid :class:`Spec` models; keyword flags as for :func:`spec_data`."""
    return spec_data(**flags).map(parse_spec)
