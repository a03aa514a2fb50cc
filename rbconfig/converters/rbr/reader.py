"""RBR parse trees → plain data in the canonical shape, with positions and comments.

Everything RedBarrel's files say is mapped here (docs/rbr.md has the table);
what the model itself checks (verbs, status codes, locations, URL templates)
is left to :func:`~rbconfig.schema.parse_spec`, which reports it at the
positions recorded here.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

from lark import Token

from ...document import Comments, Positions, Source
from ...document.collector import paused_gc
from ...errors import Issue, Loc, Problem, did_you_mean, format_loc
from .._text import END_OF_FILE, MAX_DEPTH, deeper_than, too_deep
from .grammar import Comment, Parsed, parse
from .values import (
    NumberTooLong,
    Value,
    first_token,
    integer,
    merge,
    named_tokens,
    snippet,
    text_of,
    tokens_of,
    value_of,
)

__all__ = [
    'MAX_BODY_KEY',
    'OVERFLOW_KEY',
    'PATH_KEYS',
    'is_socketio_url',
    'read_source',
    'source_from',
]

#: The x- field holding (as JSON) what RBR cannot say natively; see docs/rbr.md.
OVERFLOW_KEY = 'x-rbconfig'
#: The x- field RedBarrel apps used for the largest request body.
MAX_BODY_KEY = 'x-request-max-size'

#: Path keys → (part, kind): where a section or field of a path lands in the model.
_SECTIONS = {
    'request-headers': ('request', 'headers'),
    'request-body': ('request', 'body'),
    'request-status': ('request', 'status'),
    'response-headers': ('response', 'headers'),
    'response-body': ('response', 'body'),
    'response-status': ('response', 'status'),
}
PATH_KEYS: tuple[str, ...] = (
    'description',
    'method',
    'url',
    'use',
    'request-description',
    *_SECTIONS,
    MAX_BODY_KEY,
    OVERFLOW_KEY,
)
_META_KEYS = ('title', 'version', 'description')
_SOCKET_PATH_KEYS = ('description', 'method', 'url', 'use')
_SOCKETIO_VERB = 'SOCKETIO'
_SOCKETIO_URL = '/socket.io'
_BOOLEANS = {'true': True, 'false': False}
_TOO_DEEP = too_deep(OVERFLOW_KEY)
_DEEP = object()  # what json.loads gave up on: nested too deeply
_LOCATION_HINT = 'a location (python:pkg.module.attr, file:PATH, directory:PATH or proxy:URL)'


def is_socketio_url(url: str) -> bool:
    """Whether a path at ``url`` is RedBarrel's Socket.IO handler (``/socket.io`` and below)."""
    return url == _SOCKETIO_URL or url.startswith(_SOCKETIO_URL + '/')


def read_source(text: str, file: str) -> Source:
    """Parse RBR ``text`` into a :class:`Source` (data, positions, comments, warnings).

    Syntax errors and statements that cannot be mapped to the model are in
    ``Source.problems``, every one found; the definitions without errors are
    mapped, so the model's own rules are checked on them too.
    """
    # The collector stays paused until the parse tree is gone: resuming it in
    # between would only make it scan the whole tree once, for nothing.
    with paused_gc():
        return source_from(parse(text, file), text, file)


def source_from(parsed: Parsed, text: str, file: str) -> Source:
    """Map a parse tree of ``text`` to a :class:`Source` (None as data: nothing is defined)."""
    with paused_gc():
        reader = _Reader(file)
        for definition in parsed.tree.children:
            try:
                getattr(reader, f'_{definition.data}')(definition)
            except NumberTooLong as ex:  # the rest of that definition is left out
                reader.error(ex.token, (), ex.message)
        reader.finish()
        reader.touching_comments(parsed.comments, text)
    problems = parsed.problems + reader.errors
    if problems:
        return Source(reader.data, reader.positions, {}, reader.warnings, problems)
    data = reader.data if parsed.tree.children else None
    return Source(data, reader.positions, reader.attach(parsed.comments), reader.warnings)


class _Reader:
    """Walks the definitions of one file, building data, positions and anchors."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.data: dict[str, Any] = {'rbconfig': 1}
        self.positions: Positions = {(): (1, 1)}
        self.errors: list[Problem] = []
        self.warnings: list[Issue] = []
        #: (offset, loc) of every element a comment can precede, in file order.
        self.anchors: list[tuple[int, Loc]] = []
        self.meta: dict[str, Any] = {}
        self.meta_at: int | None = None
        self.root_at: int | None = None
        self.path_lines: dict[str, int] = {}
        #: What defines the Socket.IO handler ("'socket' on line 3"), once one does.
        self.socket_by: str | None = None
        self.overlays: list[tuple[Loc, dict[str, Any], Any]] = []

    # -- helpers ------------------------------------------------------------------

    def error(self, token: Any, loc: Loc, message: str) -> None:
        line, column = (token.line, token.column) if token is not None else (None, None)
        self.errors.append(Problem(self.file, line, column, format_loc(loc), message))

    def warn(self, loc: Loc, message: str) -> None:
        self.warnings.append(Issue(loc, message))

    def at(self, loc: Loc, token: Any) -> None:
        self.positions[loc] = (token.line, token.column)

    def anchor(self, loc: Loc, token: Any) -> None:
        self.anchors.append((token.start_pos, loc))

    def anchored(self, start: int, default: Loc) -> Loc:
        """The loc of the last element starting at or before offset ``start``."""
        index = bisect.bisect_right(self.anchors, start, key=lambda anchor: anchor[0]) - 1
        return self.anchors[index][1] if index >= 0 else default

    def text(self, value: Value, loc: Loc, key: str) -> str | None:
        if value.kind == 'op':
            self.error(value.token, loc, f'expected a value for {key!r}, found an operation')
            return None
        return value.text

    def location(self, value: Value, loc: Loc, key: str) -> str | None:
        """A location as written; a dotted name is a Python one (the model checks the rest)."""
        if value.kind == 'dotted':
            return f'python:{value.text}'
        if value.kind == 'op':
            self.error(value.token, loc, f'expected {_LOCATION_HINT} for {key!r}, not an operation')
            return None
        return value.text

    def target(self, token: Any) -> str:
        return str(token) if token.type == 'LOCATION' else f'python:{token}'

    def scalar(self, value: Value) -> Any:
        """An x- field or global value: text, number, boolean, or the text as written."""
        if value.kind == 'int':
            return integer(value.token)
        if value.kind == 'float':
            return float(value.text)
        if value.kind == 'words' and len(value.words) == 1 and value.text in _BOOLEANS:
            return _BOOLEANS[value.text]
        if value.kind == 'op':
            tokens = tokens_of(value.node)
            return ' '.join(str(token) for token in tokens)
        return value.text

    def statements(self, node: Any) -> list[Any]:
        return [child for child in node.children if not isinstance(child, str)]

    def stray(self, node: Any, loc: Loc, what: str) -> None:
        """Warn about a ``;`` before the closing ``)`` (call after the body is read)."""
        tokens = [child for child in node.children if isinstance(child, Token)]
        for before, token in zip(tokens, tokens[1:], strict=False):
            if before.type == 'SEMI' and token.type == 'RPAR':
                assert before.start_pos is not None  # the parser's tokens know their place
                last = self.anchored(before.start_pos, loc)
                self.warn(
                    last if last[: len(loc)] == loc else loc,
                    f"stray ';' on line {before.line} before the ')' closing {what}: "
                    'ignored (RedBarrel refused it; remove it)',
                )

    def overflow(self, value: Value, loc: Loc) -> dict[str, Any] | None:
        if value.kind != 'text':
            self.error(value.token, loc, f'{OVERFLOW_KEY} holds a JSON object written as text')
            return None
        try:
            data = json.loads(value.text)
        except RecursionError:
            data = _DEEP
        except ValueError as ex:
            self.error(value.token, loc, f'{OVERFLOW_KEY} is not valid JSON: {ex}')
            return None
        if data is _DEEP or deeper_than(data, MAX_DEPTH - len(loc) + 1):  # it goes in loc[:-1]
            self.error(value.token, loc, _TOO_DEEP)
            return None
        if not isinstance(data, dict):
            self.error(value.token, loc, f'{OVERFLOW_KEY} must hold a JSON object')
            return None
        return data

    def overlay_positions(self, loc: Loc, data: Any, token: Any) -> None:
        if isinstance(data, dict):
            for key, item in data.items():
                self.overlay_positions((*loc, key), item, token)
        elif isinstance(data, list):
            for index, item in enumerate(data):
                self.overlay_positions((*loc, index), item, token)
        if loc not in self.positions or not isinstance(data, dict):
            self.at(loc, token)

    def repeated(self, seen: dict[str, int], key: str, token: Any, loc: Loc, what: str) -> None:
        if key in seen:
            self.warn(
                loc,
                f'{key!r} is given twice in {what} (lines {seen[key]} and {token.line}); '
                'the last one counts',
            )
        seen[key] = token.line

    # -- top-level definitions ---------------------------------------------------------

    def _meta(self, node: Any) -> None:
        keyword = node.children[0]
        if self.meta_at is not None:
            self.warn(
                ('meta',),
                f"a second 'meta' on line {keyword.line} (the first is on line {self.meta_at}): "
                'its fields are merged into the first',
            )
        else:
            self.meta_at = keyword.line
            self.at(('meta',), keyword)
        self.anchor(('meta',), keyword)
        seen: dict[str, int] = {}
        for statement in self.statements(node):
            key_token = statement.children[0]
            key = str(key_token)
            loc: Loc = ('meta', key)
            self.repeated(seen, key, key_token, ('meta',), 'meta')
            if statement.data == 'section':
                self.error(key_token, loc, f"{key!r} takes a value in meta, not a section '( … )'")
                continue
            value = value_of(statement.children[1])
            if key == MAX_BODY_KEY:
                self.anchor(('max_body',), key_token)
                self.max_body(value, ('max_body',), self.data)
            elif key == OVERFLOW_KEY:
                self.anchor(('meta',), key_token)
                overlay = self.overflow(value, loc)
                if overlay is not None:
                    self.overlays.append(((), overlay, value.token))
            elif key in _META_KEYS or key.startswith('x-'):
                self.anchor(loc, key_token)
                self.at(loc, value.token)
                if key.startswith('x-'):
                    self.meta[key] = self.scalar(value)
                else:
                    self.meta[key] = self.text(value, loc, key)
            else:
                self.error(
                    key_token,
                    loc,
                    f'unknown meta field {key!r}{did_you_mean(key, _META_KEYS)}; expected one of: '
                    f'{", ".join(_META_KEYS)} (extension fields start with x-)',
                )
        self.stray(node, ('meta',), 'meta')

    def max_body(self, value: Value, loc: Loc, target: dict[str, Any]) -> None:
        self.at(loc, value.token)
        if value.kind != 'int':
            self.error(
                value.token, loc, f'{MAX_BODY_KEY} takes a number of bytes, found {value.text!r}'
            )
            return
        target['max_body'] = integer(value.token)

    def _root(self, node: Any) -> None:
        keyword = node.children[0]
        value = value_of(node.children[1])
        if self.root_at is not None:
            self.warn(
                ('root',),
                f"a second 'root' on line {keyword.line} is ignored: the first one "
                f'(line {self.root_at}) counts',
            )
            return
        self.root_at = keyword.line
        self.anchor(('root',), keyword)
        self.at(('root',), value.token)
        if value.kind in ('url', 'text'):
            self.data['root'] = value.text
        else:
            self.error(
                value.token, ('root',), f"expected a URL prefix like '/api', found {value.text!r}"
            )

    def _global(self, node: Any) -> None:
        name = node.children[1]
        value = value_of(node.children[2])
        loc: Loc = ('globals', str(name))
        globs = self.data.setdefault('globals', {})
        if str(name) in globs:
            self.warn(
                loc,
                f'global {str(name)!r} is defined again on line {name.line}; the last one counts',
            )
        self.anchor(loc, node.children[0])
        self.at(loc, value.token)
        if value.kind == 'op':
            self.error(value.token, loc, 'a global holds a value, not an operation')
            return
        globs[str(name)] = self.scalar(value)

    def _type(self, node: Any) -> None:
        self.named_location(node, 'types')

    def _worker(self, node: Any) -> None:
        self.named_location(node, 'workers', pistil=True)

    def _arbiter(self, node: Any) -> None:
        self.named_location(node, 'arbiters', pistil=True)

    def named_location(self, node: Any, part: str, pistil: bool = False) -> None:
        """``type``, ``worker`` or ``arbiter NAME LOCATION;``: kept in ``part`` by name."""
        keyword, name = node.children[0], node.children[1]
        value = value_of(node.children[2])
        loc: Loc = (part, str(name))
        entries = self.data.setdefault(part, {})
        if str(name) in entries:
            self.warn(
                loc,
                f'{keyword!s} {str(name)!r} is defined again on line {name.line}; the '
                'last one counts',
            )
        self.anchor(loc, keyword)
        self.at(loc, value.token)
        location = self.location(value, loc, str(keyword))
        if location is not None:
            entries[str(name)] = location
        if pistil:
            self.warn(
                loc,
                f"'{keyword}' has no effect: rbconfig runs on gevent, not Pistil {part} "
                f"(kept in '{part}' so conversions lose nothing)",
            )

    def _socket(self, node: Any) -> None:
        keyword = node.children[0]
        value = value_of(node.children[1])
        loc: Loc = ('sockets', '/')
        if not self.claim_socket(keyword, f"'socket' on line {keyword.line}"):
            return
        self.anchor(loc, keyword)
        self.at(loc, keyword)
        self.at((*loc, 'use'), value.token)
        use = self.location(value, (*loc, 'use'), 'socket')
        if use is not None:
            self.data.setdefault('sockets', {})['/'] = {'use': use}

    def claim_socket(self, token: Any, what: str) -> bool:
        if self.socket_by is not None:
            self.error(
                token,
                ('sockets', '/'),
                f'two Socket.IO handlers: {self.socket_by} and {what}; keep one',
            )
            return False
        self.socket_by = what
        return True

    # -- paths --------------------------------------------------------------------------

    def _path(self, node: Any) -> None:
        children = node.children
        start = 1 if children[0].type == 'DEFINE' else 0
        keyword, name_token = children[start], children[start + 1]
        name = str(name_token)
        if name in self.path_lines:
            self.error(
                name_token,
                ('paths', name),
                f'path {name!r} is defined twice: on line {self.path_lines[name]} and on line '
                f'{name_token.line}',
            )
            return
        self.path_lines[name] = name_token.line
        statements = self.statements(node)
        socket_form = self.socket_form(statements)
        if socket_form:
            self.socket_path(node, keyword, name, statements, socket_form)
            return
        loc: Loc = ('paths', name)
        self.at(loc, name_token)
        self.anchor(loc, children[0])
        path: dict[str, Any] = {}
        seen: dict[str, int] = {}
        overlay: tuple[dict[str, Any], Any] | None = None
        for statement in statements:
            key_token = statement.children[0]
            key = str(key_token)
            self.repeated(seen, key, key_token, loc, f'path {name!r}')
            if key == OVERFLOW_KEY and statement.data == 'statement':
                self.anchor(loc, key_token)
                value = value_of(statement.children[1])
                found = self.overflow(value, (*loc, key))
                if found is not None:
                    overlay = (found, value.token)
                continue
            self.path_statement(path, loc, statement, key, key_token)
        if overlay is not None:
            merge(path, overlay[0])
            self.overlay_positions(loc, overlay[0], overlay[1])
            self.positions[loc] = (name_token.line, name_token.column)
        self.data.setdefault('paths', {})[name] = path
        self.stray(node, loc, f'path {name!r}')

    def socket_form(self, statements: list[Any]) -> str:
        for statement in statements:
            key = str(statement.children[0])
            if statement.data != 'statement' or key not in ('method', 'url'):
                continue
            value = value_of(statement.children[1])
            if key == 'method' and value.kind == 'words' and _SOCKETIO_VERB in value.words:
                return 'SOCKETIO method'
            if key == 'url' and value.kind in ('url', 'text') and is_socketio_url(value.text):
                return f'url {value.text}'
        return ''

    def socket_path(
        self, node: Any, keyword: Any, name: str, statements: list[Any], form: str
    ) -> None:
        loc: Loc = ('sockets', '/')
        if not self.claim_socket(keyword, f'path {name!r} on line {keyword.line}'):
            return
        self.at(loc, keyword)
        self.anchor(loc, node.children[0])
        socket: dict[str, Any] = {}
        for statement in statements:
            key_token = statement.children[0]
            key = str(key_token)
            self.anchor(loc if key in ('method', 'url') else (*loc, key), key_token)
            if statement.data == 'section' or not (
                key in _SOCKET_PATH_KEYS or key.startswith('x-')
            ):
                self.error(
                    key_token,
                    (*loc, key),
                    f'path {name!r} is the Socket.IO handler ({form}); it takes only '
                    f'description, method, url, use and x- fields, not {key!r}',
                )
                continue
            value = value_of(statement.children[1])
            if key == 'method':
                others = [word for word in value.words if word != _SOCKETIO_VERB]
                if _SOCKETIO_VERB in value.words and others:
                    self.error(
                        value.token,
                        (*loc, key),
                        f'SOCKETIO cannot be combined with {"|".join(others)}',
                    )
            elif key == 'url':
                if not form.startswith('url') and not is_socketio_url(value.text):
                    self.error(
                        value.token,
                        (*loc, key),
                        f'a SOCKETIO path is served at {_SOCKETIO_URL}; remove its url',
                    )
            elif key == 'use':
                self.at((*loc, key), value.token)
                socket['use'] = self.location(value, (*loc, key), key)
            elif key == OVERFLOW_KEY:
                found = self.overflow(value, (*loc, key))
                if found is not None:
                    merge(socket, found)
                    self.overlay_positions(loc, found, value.token)
            elif key.startswith('x-'):
                self.at((*loc, key), value.token)
                socket[key] = self.scalar(value)
            else:
                self.at((*loc, key), value.token)
                socket[key] = self.text(value, (*loc, key), key)
        self.data.setdefault('sockets', {})['/'] = socket
        self.stray(node, loc, f'path {name!r}')

    def path_statement(
        self, path: dict[str, Any], loc: Loc, statement: Any, key: str, key_token: Any
    ) -> None:
        items = self.statements(statement) if statement.data == 'section' else []
        if key in _SECTIONS:
            self.path_section(path, loc, items or [statement.children[1]], key, key_token)
        elif statement.data == 'section':
            self.path_list(path, loc, items, key, key_token)
        else:
            self.path_field(path, loc, value_of(statement.children[1]), key, key_token)

    def path_section(
        self, path: dict[str, Any], loc: Loc, items: list[Any], key: str, key_token: Any
    ) -> None:
        part, kind = _SECTIONS[key]
        holder = path.setdefault(part, {})
        section_loc = (*loc, part, kind)
        self.anchor(section_loc, key_token)
        if (*loc, part) not in self.positions:
            self.at((*loc, part), key_token)
        self.at(section_loc, key_token)
        if kind == 'status':
            self.status_items(holder, (*loc, part), items, key)
        else:
            section = self.section_items(path, loc, part, items, key, kind == 'body')
            if section is not None:
                holder[kind] = section
        if not holder:
            del path[part]

    def path_list(
        self, path: dict[str, Any], loc: Loc, items: list[Any], key: str, key_token: Any
    ) -> None:
        """``key ( a, b )`` for a key that is not a section: methods or an x- list."""
        self.anchor((*loc, key), key_token)
        self.at((*loc, key), key_token)
        if key == 'method':
            values = [value_of(item) for item in items]
            words = [word for value in values if value.kind == 'words' for word in value.words]
            if len(words) != len(values):
                self.error(key_token, (*loc, key), 'a method section lists HTTP verbs only')
                return
            path['method'] = words
        elif key.startswith('x-') and key not in (MAX_BODY_KEY, OVERFLOW_KEY):
            path[key] = [self.scalar(value_of(item)) for item in items]
        elif key in PATH_KEYS:
            self.error(key_token, (*loc, key), f"{key!r} takes a value, not a section '( … )'")
        else:
            self.error(key_token, (*loc, key), self.unknown(key, f'path {loc[1]!r}'))

    def path_field(
        self, path: dict[str, Any], loc: Loc, value: Value, key: str, key_token: Any
    ) -> None:
        field_loc: Loc = (*loc, key)
        if key == 'request-description':
            field_loc = (*loc, 'request', 'description')
            if (*loc, 'request') not in self.positions:
                self.at((*loc, 'request'), key_token)
        elif key == MAX_BODY_KEY:
            field_loc = (*loc, 'max_body')
        self.anchor(field_loc, key_token)
        self.at(field_loc, value.token)
        if key == 'method' and value.kind == 'words':
            path['method'] = value.words
            verbs = [token for token in tokens_of(value.node) if token.type != 'PIPE']
            for index, token in enumerate(verbs):
                self.at((*field_loc, index), token)
        elif key == 'use':
            path['use'] = self.location(value, field_loc, key)
        elif key in ('description', 'url', 'method'):
            path[key] = self.text(value, field_loc, key)
        elif key == 'request-description':
            path.setdefault('request', {})['description'] = self.text(value, field_loc, key)
        elif key == MAX_BODY_KEY:
            self.max_body(value, field_loc, path)
        elif key.startswith('x-'):
            path[key] = self.scalar(value)
        else:
            self.error(key_token, field_loc, self.unknown(key, f'path {loc[1]!r}'))

    def unknown(self, key: str, where: str) -> str:
        return (
            f'unknown key {key!r} in {where}{did_you_mean(key, PATH_KEYS)}; expected one of: '
            f'{", ".join(PATH_KEYS[:-1])} (extension keys start with x-)'
        )

    def status_items(self, holder: dict[str, Any], loc: Loc, items: list[Any], key: str) -> None:
        status = holder.setdefault('status', {})
        for item in items:
            value = value_of(item)
            if value.kind != 'op' or item.data != 'describe':
                self.error(
                    value.token,
                    (*loc, 'status'),
                    f"{key!r} holds only 'describe CODE TEXT' items, found {snippet(item)!r}",
                )
                continue
            self.describe(status, loc, item)
        if not status:
            del holder['status']

    def describe(self, status: dict[int, str], loc: Loc, item: Any) -> None:
        code_token, text_token = named_tokens(item)
        code = integer(code_token)
        code_loc = (*loc, 'status', code)
        self.anchor(code_loc, item.children[0])
        self.at(code_loc, code_token)
        status[code] = text_of(text_token)

    def section_items(
        self, path: dict[str, Any], loc: Loc, part: str, items: list[Any], key: str, body: bool
    ) -> dict[str, Any] | None:
        section: dict[str, Any] = {}
        section_loc: Loc = (*loc, part, 'body' if body else 'headers')
        checks: list[dict[str, Any]] = []
        for item in items:
            kind = item.data
            first = first_token(item)
            if kind == 'describe':
                status = path.setdefault(part, {}).setdefault('status', {})
                self.describe(status, (*loc, part), item)
                continue
            if kind == 'extension':
                name = str(item.children[0])
                value = value_of(item.children[1])
                item_loc = (*section_loc, name)
                self.anchor(item_loc, first)
                self.at(item_loc, value.token)
                if not name.startswith('x-'):
                    self.error(
                        first,
                        item_loc,
                        f'unexpected {name!r} in {key!r}: a section holds operations '
                        '(unless, set, alter, on error, describe, description) and x- '
                        'fields',
                    )
                    continue
                section[name] = self.scalar(value)
                continue
            if kind == 'description':
                self.anchor((*section_loc, 'description'), first)
                self.at((*section_loc, 'description'), named_tokens(item)[0])
                section['description'] = text_of(named_tokens(item)[0])
                continue
            if kind == 'set':
                name_token = item.children[1]
                value = value_of(item.children[2])
                set_loc = (*section_loc, 'set', str(name_token))
                self.anchor(set_loc, first)
                self.at(set_loc, value.token)
                text = self.text(value, set_loc, f'set {name_token}')
                if text is not None:
                    section.setdefault('set', {})[str(name_token)] = text
                continue
            check = self.check(item)
            if check is None:
                self.error(
                    first,
                    section_loc,
                    f'expected an operation in {key!r}, found {snippet(item)!r}',
                )
                continue
            check_loc = (*section_loc, 'checks', len(checks))
            self.anchor(check_loc, first)
            self.at(check_loc, first)
            data, places = check
            for name, token in places.items():
                self.at((*check_loc, name), token)
            checks.append(data)
        if checks:
            section['checks'] = checks
        return section or None

    def check(self, item: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        kind = item.data
        named = named_tokens(item)
        negated = bool(named) and any(token.type == 'NOT' for token in named)
        named = [token for token in named if token.type != 'NOT']
        is_key = 'is_not' if negated else 'is'
        if kind == 'body_type':
            type_token, code = named
            return (
                {is_key: str(type_token), 'return': integer(code)},
                {is_key: type_token, 'return': code},
            )
        if kind == 'header_type':
            header, type_token, code = named
            return (
                {'header': str(header), is_key: str(type_token), 'return': integer(code)},
                {'header': header, is_key: type_token, 'return': code},
            )
        if kind == 'validates':
            header, target, code = named
            return (
                {'header': str(header), 'validates': self.target(target), 'return': integer(code)},
                {'header': header, 'validates': target, 'return': code},
            )
        if kind == 'alter':
            (target,) = named
            return {'alter': self.target(target)}, {'alter': target}
        if kind == 'on_error':
            (code,) = named
            return {'on_error': integer(code)}, {'on_error': code}
        return None

    # -- the end ------------------------------------------------------------------------

    def finish(self) -> None:
        if self.meta:
            self.data['meta'] = self.meta
        for loc, overlay, token in self.overlays:
            merge(self.data, overlay)
            self.overlay_positions(loc, overlay, token)
            self.positions[()] = (1, 1)

    def touching_comments(self, comments: list[Comment], text: str) -> None:
        """Warn about a ``#`` written right after a URL: RedBarrel made it a comment too."""
        for comment in comments:
            before = text[text.rfind('\n', 0, comment.start) + 1 : comment.start]
            word = before.split()[-1] if before.strip() and not before[-1].isspace() else ''
            if not word.startswith('/'):
                continue
            self.warn(
                self.anchored(comment.start, ()),
                f"'#' right after the URL {word!r} on line {comment.line} starts a comment "
                '(the rest of the line is ignored, as in RedBarrel); put a space before it',
            )

    def attach(self, comments: list[Comment]) -> Comments:
        """Give each own-line comment to the element that follows it."""
        found: Comments = {}
        starts = [start for start, _ in self.anchors]
        for comment in comments:
            if not comment.own_line:
                continue
            index = bisect.bisect_right(starts, comment.start)
            loc: Loc = self.anchors[index][1] if index < len(self.anchors) else END_OF_FILE
            text = comment.text[1:] if comment.text.startswith(' ') else comment.text
            found.setdefault(loc, []).append(text.rstrip())
        return found
