"""A :class:`~rbconfig.schema.Spec` → RBR text, formatted like RedBarrel's own files.

Each value is written in the shortest form that reads back the same: a bare
URL, location or number when it lexes as one token, else ``"text"``, else
``\"\"\"text\"\"\"``. What RBR cannot say (body schemas, examples, Socket.IO
settings and namespaces, extension data that is not a plain value, names that
are reserved words, text no RBR string can hold...) goes into an ``x-rbconfig``
field holding JSON: in the path it belongs to, or in ``meta`` for the rest. The
reader merges it back, so every spec survives the round trip (docs/rbr.md).
"""

from __future__ import annotations

import functools
import json
import math
from decimal import Decimal
from typing import Any

from ...document import Comments
from ...errors import Loc
from ...schema import (
    AlterCheck,
    OnErrorCheck,
    Path,
    Request,
    Response,
    Section,
    Spec,
    TypeCheck,
    ValidatorCheck,
)
from .._text import END_OF_FILE, trailing_lines
from .grammar import keywords, scanner
from .reader import MAX_BODY_KEY, OVERFLOW_KEY, is_socketio_url

__all__ = ['write_spec']

_INDENT = '    '
_RESERVED_EXTENSIONS = (MAX_BODY_KEY, OVERFLOW_KEY)
_SOCKET_PATH = 'socketio'
#: The order RedBarrel's own files give the sections of a path.
_SECTION_ORDER = (
    'request-description',
    'response-status',
    'request-status',
    'request-body',
    'request-headers',
    'response-headers',
    'response-body',
)


def write_spec(spec: Spec, comments: Comments) -> str:
    """Render ``spec`` as RBR; ``comments`` go before the elements they belong to."""
    first = _Writer(spec, comments)
    text = first.render()
    placed = _place(comments, first.emitted)
    # Rendered again only if a comment's element is not written natively.
    return text if placed == comments else _Writer(spec, placed).render()


def _place(comments: Comments, emitted: list[Loc]) -> Comments:
    """Move comments whose element is not written natively to the nearest one that is."""
    written = set(emitted)
    placed: Comments = {}
    for loc, lines in comments.items():
        target: Loc = ()
        if loc in written or loc == END_OF_FILE:
            target = loc
        else:
            inside = [item for item in emitted if item[: len(loc)] == loc]
            if inside:
                target = inside[0]
            else:
                for end in range(len(loc) - 1, 0, -1):
                    if loc[:end] in written:
                        target = loc[:end]
                        break
        placed.setdefault(target, []).extend(lines)
    return placed


# -- tokens ------------------------------------------------------------------------------


def _lexes(text: str, kinds: frozenset[str]) -> bool:
    """Whether ``text`` reads back as exactly one token of one of ``kinds``."""
    return scanner().single(text) in kinds


_NAMES = frozenset({'NAME', 'SOCKET', 'DEFINE'})
_URL = frozenset({'URL'})
_LOCATION = frozenset({'LOCATION'})
_BARE_TEXT = frozenset({'LOCATION', 'URL', 'DOTTED'})
_NUMBER = frozenset({'INT', 'FLOAT'})
_TEXT = frozenset({'TEXT'})


def _name(word: str) -> str | None:
    return word if word not in keywords() and _lexes(word, _NAMES) else None


def _text(value: str) -> str | None:
    """``value`` as an RBR string: ``"…"`` when it fits on one line, else ``\"\"\"…\"\"\"``."""
    if '\n' not in value and '\r' not in value:
        single = f'"{value}"'
        if _lexes(single, _TEXT):
            return single
    triple = f'"""{value}"""'
    if (value + '"""').find('"""') == len(value) and _lexes(triple, _TEXT):
        return triple
    return None


def _bare_or_text(value: str, kinds: frozenset[str]) -> str | None:
    return value if _lexes(value, kinds) else _text(value)


def _float(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    text = format(Decimal(repr(value)), 'f')
    if '.' not in text:
        text += '.0'
    return text if _lexes(text, frozenset({'FLOAT'})) else None


def _scalar(value: Any) -> str | None:
    """An x- field or global value, written so that it reads back with its type."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _bare_or_text(value, _BARE_TEXT)
    return None


def _extension(key: str, value: Any) -> str | None:
    """The value of the x- field ``key`` of a path, meta or socket handler, or None.

    None when RBR cannot say it as a field: the name is not one RBR name (``x-a.b``,
    ``x-café``: the reader would stop at the ``.``), it is one the reader takes for
    something else, or the value is not a plain one. The caller puts it in x-rbconfig.
    """
    if key in _RESERVED_EXTENSIONS or _name(key) is None:
        return None
    return _scalar(value)


#: The model fields the writer says in RBR, by model; any other field a later
#: schema adds is carried in x-rbconfig (see :func:`_unwritten`).
_WRITTEN: dict[str, frozenset[str]] = {
    'Spec': frozenset(
        (
            'rbconfig',
            'meta',
            'root',
            'max_body',
            'globals',
            'types',
            'paths',
            'socketio',
            'sockets',
            'server',
            'workers',
            'arbiters',
        )
    ),
    'Meta': frozenset(('title', 'version', 'description')),
    'Path': frozenset(('description', 'method', 'url', 'use', 'max_body', 'request', 'response')),
    'Request': frozenset(('description', 'headers', 'body', 'status')),
    'Response': frozenset(('headers', 'body', 'status')),
    'Section': frozenset(('description', 'checks', 'set')),
    'BodySection': frozenset(('description', 'checks', 'set', 'schema_', 'example')),
    'SocketNamespace': frozenset(('description', 'use')),
    'TypeCheck': frozenset(('header', 'is_', 'is_not', 'return_')),
    'ValidatorCheck': frozenset(('header', 'validates', 'return_')),
    'AlterCheck': frozenset(('alter',)),
    'OnErrorCheck': frozenset(('on_error',)),
}


def _unwritten(model: Any) -> dict[str, Any]:
    """The data of fields of ``model`` that the writer does not say natively."""
    keys = _unwritten_keys(model.__class__)
    if not keys:
        return {}
    data = model.to_data()
    return {key: data[key] for key in keys if key in data}


@functools.cache
def _unwritten_keys(model: type[Any]) -> tuple[str, ...]:
    """The keys of the fields of ``model`` that the writer does not say natively."""
    written = _WRITTEN.get(model.__name__, frozenset())
    return tuple(
        field.alias or name for name, field in model.model_fields.items() if name not in written
    )


# -- the writer --------------------------------------------------------------------------


class _Writer:
    """Renders one spec; records the locs it writes (for placing comments)."""

    def __init__(self, spec: Spec, comments: Comments) -> None:
        self.spec = spec
        self.comments = comments
        self.emitted: list[Loc] = []
        self.top: dict[str, Any] = {}

    def note(self, loc: Loc, indent: str) -> str:
        """Record ``loc`` as written; its comment lines, indented."""
        self.emitted.append(loc)
        if loc not in self.comments:
            return ''
        return ''.join(f'{indent}# {line}'.rstrip() + '\n' for line in self.comments[loc])

    def overflow(self, part: str) -> dict[str, Any]:
        return self.top.setdefault(part, {})

    def render(self) -> str:
        spec = self.spec
        groups: list[list[str]] = []
        if spec.root is not None:
            token = _bare_or_text(spec.root, _URL)
            if token is None:
                self.top['root'] = spec.root
            else:
                groups.append([self.note(('root',), '') + f'root {token};'])
        groups.append(self.globals())
        for part, keyword in (('types', 'type'), ('workers', 'worker'), ('arbiters', 'arbiter')):
            groups.append(self.named_locations(part, keyword))
        groups.append(self.sockets())
        for name, path in spec.paths.items():
            block = self.path(name, path) if self.writable_path(name, path) else None
            if block is None:
                self.overflow('paths')[name] = path.to_data()
            else:
                groups.append([block])
        if spec.socketio is not None:
            self.top['socketio'] = spec.socketio.to_data()
        if spec.server is not None:
            self.top['server'] = spec.server.to_data()
        self.top.update(spec.extensions)
        self.top.update(_unwritten(spec))
        if not any(groups) and not self.top and spec.meta is None and spec.max_body is None:
            # Nothing to say natively: an empty file would read as no spec at all.
            self.top['rbconfig'] = spec.rbconfig
        meta = self.meta()
        blocks = ['\n'.join(group) for group in [meta, *groups] if group]
        head = self.note((), '')
        tail = ''.join(line + '\n' for line in trailing_lines(self.comments))
        return head + '\n\n'.join(blocks) + '\n' + tail

    # -- top level ---------------------------------------------------------------------

    def meta(self) -> list[str]:
        spec, meta = self.spec, self.spec.meta
        items: list[str] = []
        overflow: dict[str, Any] = {}
        if meta is not None:
            for key in ('title', 'version', 'description'):
                value = getattr(meta, key)
                if value is None:
                    continue
                if key == 'version':
                    token = _bare_or_text(value, _NUMBER | _BARE_TEXT)
                else:
                    token = _text(value)
                if token is None:
                    overflow[key] = value
                else:
                    items.append(self.note(('meta', key), _INDENT) + f'{_INDENT}{key} {token}')
            for key, value in meta.extensions.items():
                token = _extension(key, value)
                if token is None:
                    overflow[key] = value
                else:
                    items.append(self.note(('meta', key), _INDENT) + f'{_INDENT}{key} {token}')
            overflow.update(_unwritten(meta))
            if overflow or not items:
                self.top['meta'] = overflow
        if spec.max_body is not None:
            items.append(
                self.note(('max_body',), _INDENT) + f'{_INDENT}{MAX_BODY_KEY} {spec.max_body}'
            )
        if self.top:
            items.append(f'{_INDENT}{OVERFLOW_KEY} {_json(self.top)}')
        if not items:
            return []
        return [self.note(('meta',), '') + 'meta (\n' + ',\n'.join(items) + '\n);']

    def globals(self) -> list[str]:
        lines = []
        for name, value in self.spec.globals.items():
            token = _scalar(value)
            if token is None or _name(name) is None:
                # Globals are evaluated in order: keep them all together.
                self.top['globals'] = dict(self.spec.globals)
                return []
            lines.append(self.note(('globals', name), '') + f'global {name} {token};')
        return lines

    def named_locations(self, part: str, keyword: str) -> list[str]:
        lines = []
        for name, location in getattr(self.spec, part).items():
            token = _bare_or_text(location, _LOCATION)
            if token is None or _name(name) is None:
                self.overflow(part)[name] = location
                continue
            lines.append(self.note((part, name), '') + f'{keyword} {name} {token};')
        return lines

    def sockets(self) -> list[str]:
        sockets = self.spec.sockets
        if not sockets:
            return []
        lines = self.socket_handler() if list(sockets) == ['/'] else None
        if lines is None:
            self.top['sockets'] = {key: value.to_data() for key, value in sockets.items()}
            return []
        return lines

    def socket_handler(self) -> list[str] | None:
        """The default namespace as RedBarrel wrote it: ``socket LOC;`` or a SOCKETIO path."""
        namespace = self.spec.sockets['/']
        if namespace.use is None or namespace.events or _unwritten(namespace):
            return None
        loc: Loc = ('sockets', '/')
        use = _bare_or_text(namespace.use, _LOCATION)
        if namespace.description is None and not namespace.extensions:
            return [self.note(loc, '') + f'socket {use};'] if use else None
        items = [('method', 'SOCKETIO'), ('use', use)]
        if namespace.description is not None:
            items.insert(0, ('description', _text(namespace.description)))
        for key, value in namespace.extensions.items():
            items.append((key, _extension(key, value)))
        if any(token is None for _, token in items):
            return None
        name = _SOCKET_PATH
        while name in self.spec.paths:
            name += '_'
        body = ',\n'.join(
            (self.note((*loc, key), _INDENT) if key != 'method' else '') + f'{_INDENT}{key} {token}'
            for key, token in items
        )
        return [self.note(loc, '') + f'path {name} (\n{body}\n);']

    # -- paths -------------------------------------------------------------------------

    def writable_path(self, name: str, path: Path) -> bool:
        if _name(name) is None:
            return False
        # The reader takes a path at /socket.io to be the Socket.IO handler.
        return not is_socketio_url(path.url or '')

    def path(self, name: str, path: Path) -> str:
        loc: Loc = ('paths', name)
        items: list[str] = []
        overflow: dict[str, Any] = {}

        def add(key: tuple[str | int, ...], text: str) -> None:
            items.append(self.note((*loc, *key), _INDENT) + _INDENT + text)

        if path.description is not None:
            token = _text(path.description)
            if token is None:
                overflow['description'] = path.description
            else:
                add(('description',), f'description {token}')
        if path.method:
            add(('method',), f'method {"|".join(path.method)}')
        for key, kinds in (('url', _URL), ('use', _LOCATION)):
            value = getattr(path, key)
            if value is None:
                continue
            token = _bare_or_text(value, kinds)
            if token is None:
                overflow[key] = value
            else:
                add((key,), f'{key} {token}')
        sections: dict[str, str] = {}
        for part in ('request', 'response'):
            holder = getattr(path, part)
            if holder is not None:
                self.exchange(loc, part, holder, sections, overflow)
        items.extend(sections[key] for key in _SECTION_ORDER if key in sections)
        if path.max_body is not None:
            add(('max_body',), f'{MAX_BODY_KEY} {path.max_body}')
        for key, value in path.extensions.items():
            token = _extension(key, value)
            if token is None:
                overflow[key] = value
            else:
                add((key,), f'{key} {token}')
        overflow.update(_unwritten(path))
        if overflow or not items:
            items.append(f'{_INDENT}{OVERFLOW_KEY} {_json(overflow)}')
        return self.note(loc, '') + f'path {name} (\n' + ',\n'.join(items) + '\n);'

    def exchange(
        self,
        loc: Loc,
        part: str,
        holder: Request | Response,
        items: dict[str, str],
        overflow: dict[str, Any],
    ) -> None:
        """The ``request-*`` or ``response-*`` statements of a path, by key."""
        written = len(items)
        spill: dict[str, Any] = {}
        # Looked up among the fields: a name a model lacks goes through pydantic's
        # __getattr__, which raises (a third of the time it took to write a path).
        description = vars(holder).get('description')
        if description is not None:
            token = _text(description)
            if token is None:
                spill['description'] = description
            else:
                items[f'{part}-description'] = (
                    self.note((*loc, part, 'description'), _INDENT)
                    + f'{_INDENT}{part}-description {token}'
                )
        if holder.status:
            lines = []
            for code, text in holder.status.items():
                token = _text(text)
                if token is None:
                    spill.setdefault('status', {})[code] = text
                    continue
                note = self.note((*loc, part, 'status', code), _INDENT * 2)
                lines.append(f'{note}{_INDENT * 2}describe {code} {token}')
            if lines:
                key = f'{part}-status'
                items[key] = self.section_text((*loc, part, 'status'), key, lines)
        for kind in ('headers', 'body'):
            section = getattr(holder, kind)
            if section is None:
                continue
            section_loc = (*loc, part, kind)
            lines, leftover = self.section_lines(section_loc, section)
            if lines:
                key = f'{part}-{kind}'
                items[key] = self.section_text(section_loc, key, lines)
            if leftover or not lines:
                spill[kind] = leftover
        spill.update(holder.extensions)
        spill.update(_unwritten(holder))
        if spill or len(items) == written:
            overflow[part] = spill

    def section_text(self, loc: Loc, key: str, lines: list[str]) -> str:
        return self.note(loc, _INDENT) + f'{_INDENT}{key} (\n' + ',\n'.join(lines) + f'\n{_INDENT})'

    def section_lines(self, loc: Loc, section: Section) -> tuple[list[str], dict[str, Any]]:
        indent = _INDENT * 2
        lines: list[str] = []
        spill: dict[str, Any] = {}
        if section.description is not None:
            token = _text(section.description)
            if token is None:
                spill['description'] = section.description
            else:
                note = self.note((*loc, 'description'), indent)
                lines.append(f'{note}{indent}description {token}')
        checks = [_check(check) for check in section.checks]
        if all(text is not None for text in checks):
            for index, text in enumerate(checks):
                lines.append(self.note((*loc, 'checks', index), indent) + f'{indent}{text}')
        else:
            spill['checks'] = [check.to_data() for check in section.checks]
        for header, value in section.set.items():
            token = _bare_or_text(value, _BARE_TEXT | _NUMBER)
            if token is None or _name(header) is None:
                spill.setdefault('set', {})[header] = value
                continue
            note = self.note((*loc, 'set', header), indent)
            lines.append(f'{note}{indent}set {header} {token}')
        fields = vars(section)  # (see exchange)
        if fields.get('schema_') is not None or fields.get('example') is not None:
            data = section.to_data()  # (a body section's schema and example: as JSON)
            for key in ('schema', 'example'):
                if key in data:
                    spill[key] = data[key]
        for key, value in section.extensions.items():
            token = _scalar(value) if _name(key) is not None else None
            if token is None:
                spill[key] = value
            else:
                lines.append(self.note((*loc, key), indent) + f'{indent}{key} {token}')
        spill.update(_unwritten(section))
        return lines, spill


def _check(check: Any) -> str | None:
    """One check as an RBR operation, or None when RBR cannot say it."""
    if check.extensions or _unwritten(check):
        return None
    if isinstance(check, TypeCheck):
        negated = check.is_ is None
        type_name = _name(check.type_name)
        header = _name(check.header) if check.header is not None else ''
        if type_name is None or header is None:
            return None
        subject = f'{header} ' if header else ''
        return (
            f'unless {subject}type is {"not " if negated else ""}{type_name} return {check.return_}'
        )
    if isinstance(check, ValidatorCheck):
        header = _name(check.header)
        if header is None or not _lexes(check.validates, _LOCATION):
            return None
        return f'unless {header} validates with {check.validates} return {check.return_}'
    if isinstance(check, AlterCheck):
        return f'alter with {check.alter}' if _lexes(check.alter, _LOCATION) else None
    if isinstance(check, OnErrorCheck):
        return f'on error return {check.on_error}'
    return None  # pragma: no cover - every check kind is listed above


def _json(data: dict[str, Any]) -> str:
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as ex:
        raise ValueError(f'cannot write this spec as RBR: {ex}') from ex
    token = _text(text)
    if token is None:  # pragma: no cover - JSON text never holds three quotes in a row
        raise ValueError('cannot write this spec as RBR: its x-rbconfig JSON does not fit')
    return token
