"""What ``rbconfig run`` would refuse at start-up, found without running project code.

``rbconfig validate`` calls :func:`preflight` on every valid spec. It checks, from
the files alone:

* ``file:`` and ``directory:`` locations exist (relative to the spec), and a
  ``directory:`` path has the ``{name}`` placeholder it serves;
* inline JSON Schemas are valid for their draft (:meth:`check_schema`);
* ``python:`` locations name something (:class:`~.modules.CodeIndex`): the
  module is found and the attribute is in its source;
* handlers can be called as their convention calls them (the rules of
  :mod:`.conventions`, the ones ``run`` applies): a Falcon handler takes every
  URL placeholder, a json-style one has no positional-only parameter, a socket
  handler takes what its event gives, a global factory takes ``(globs)``, a
  custom type is made with no arguments and its instances are callable;
* ``x-handler`` and the proxy timeouts have values ``run`` accepts.

Each of those is an **error**: ``run`` would refuse the spec. Two things are
**warnings**: a location whose target cannot be told without running code
(the message says why; ``rbconfig validate --import`` settles it), and a
json-style handler parameter that is neither a URL placeholder nor a special
name, which ``run`` accepts but fills from the query string only (400 when
it is missing). What run does not look at (``workers``, ``arbiters``, paths
without a ``url``) is not checked either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Loc, Problem, Severity, did_you_mean
from ..schema import (
    AlterCheck,
    BodySection,
    ValidatorCheck,
    parse_location,
    placeholder_names,
)
from . import Document
from .collector import paused_gc
from .conventions import (
    CONVENTIONS,
    Param,
    call_problem,
    convention_of,
    event_problem,
    falcon_missing,
    legacy_socket_problem,
    parameter_source,
    positional_only,
    shape_of,
    wants_hub,
)
from .modules import CodeIndex, Definition, Missing, Undecidable

__all__ = ['preflight']


def preflight(
    document: Document, code: CodeIndex | None = None, *, undecided: bool = True
) -> list[Problem]:
    """Every start-up problem of ``document`` that the files alone show, in spec order.

    Args:
        document: A valid spec.
        code: The index of Python sources to use (share one across specs so
            each file is parsed once); a new one when None.
        undecided: Warn about locations the source cannot settle (False when
            the caller imports the code to settle them).
    """
    # Module trees (ast) and answers, under a large loaded spec: see paused_gc.
    with paused_gc():
        return _Preflight(document, code or CodeIndex(), undecided).run()


class _Preflight:
    def __init__(self, document: Document, code: CodeIndex, undecided: bool) -> None:
        self.document = document
        self.code = code
        self.undecided = undecided
        self.folder = document.folder
        self.stem = Path(document.file).stem
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        spec = self.document.spec
        for name, value in spec.globals.items():
            if isinstance(value, str) and ':' in value:
                self.global_value(('globals', name), name, value)
        for name, location in spec.types.items():
            self.custom_type(('types', name), name, location)
        for name, path in spec.paths.items():
            if path.url is not None:  # run serves (and so checks) only paths with a url
                self.path(('paths', name), path)
        if spec.sockets and spec.socketio is not None and spec.socketio.client is not None:
            self.client(('socketio', 'client'), spec.socketio.client)
        for namespace, sockets in spec.sockets.items():
            loc: Loc = ('sockets', namespace)
            if sockets.use is not None:
                self.legacy_socket((*loc, 'use'), sockets.use)
            for event, handler in sockets.events.items():
                self.event((*loc, 'events', event), event, handler.use)
        return self.problems

    # -- reporting ------------------------------------------------------

    def report(self, loc: Loc, message: str, severity: Severity = 'error') -> None:
        self.problems.append(self.document.problem(loc, message, severity))

    # -- locations ------------------------------------------------------

    def python(self, loc: Loc, location: str) -> Definition | None:
        """What ``python:...`` names; None (and a problem said) when that is not known."""
        target = location.partition(':')[2]
        try:
            return self.code.find(self.folder, target, self.stem)
        except Missing as ex:
            hint = ''
            if '.' not in target:
                hint = (
                    f' (a dot-less python:{target} means the attribute {target!r} of the '
                    f'module named after the spec file, {self.stem!r})'
                )
            self.report(loc, f'{location}: {ex}{hint}')
        except Undecidable as ex:
            if not self.undecided:
                return None
            self.report(
                loc,
                f'{location} cannot be checked without running code: {ex} '
                '(rbconfig validate --import settles it)',
                'warning',
            )
        return None

    def exists(self, loc: Loc, scheme: str, target: str) -> None:
        """A ``file:``/``directory:`` target must exist, as run's ``resolve_path`` wants."""
        path = self.folder / target
        if scheme == 'file' and not path.is_file():
            what = 'not a file' if path.exists() else 'no such file'
            self.report(loc, f'file:{target}: {what} ({path.resolve()})')
        elif scheme == 'directory' and not path.is_dir():
            what = 'not a folder' if path.exists() else 'no such folder'
            self.report(loc, f'directory:{target}: {what} ({path.resolve()})')

    def callable_target(self, loc: Loc, location: str) -> Definition | None:
        """``python:`` code that run calls: it must name something callable."""
        found = self.python(loc, location)
        if found is not None and found.callable is False:
            self.report(loc, f'{location} is not callable ({_describe(found)})')
            return None
        return found

    # -- parts of the spec ----------------------------------------------

    def global_value(self, loc: Loc, name: str, value: str) -> None:
        scheme, _, target = value.partition(':')
        if scheme in ('file', 'directory'):
            self.exists(loc, scheme, target)
            return
        if scheme != 'python':
            return
        found = self.callable_target(loc, value)
        params = found.params if found is not None else None
        if params is None:
            return
        hub = wants_hub(params)
        if hub and not self.document.spec.sockets:
            self.report(
                loc,
                f"global {name!r}: {value} takes a 'hub' parameter (the Socket.IO hub), "
                'but the spec declares no sockets',
            )
        problem = call_problem(params, 1, ['hub'] if hub else [])
        if problem:
            self.report(
                loc,
                f'global {name!r}: {value}{found.signature if found else ""} is called as '
                f'(globs) at start-up; {problem}',
            )

    def custom_type(self, loc: Loc, name: str, location: str) -> None:
        found = self.callable_target(loc, location)
        if found is None:
            return
        params = found.params
        problem = call_problem(params, 0) if params is not None else None
        if problem:
            self.report(
                loc, f'type {name!r}: {location} is instantiated with no arguments; {problem}'
            )
        elif found.instances_callable is False:
            self.report(
                loc,
                f'type {name!r}: {location}() makes instances that are not callable '
                f'(class {found.name} at {found.where} has no __call__)',
            )

    def path(self, loc: Loc, path: Any) -> None:
        if path.use is not None:
            self.handler(loc, path)
        for where, section in path.sections():
            at: Loc = (*loc, *where)
            if isinstance(section, BodySection) and section.schema_ is not None:
                self.body_schema((*at, 'schema'), section.schema_)
            for index, check in enumerate(section.checks):
                if isinstance(check, ValidatorCheck):
                    self.callable_target((*at, 'checks', index, 'validates'), check.validates)
                elif isinstance(check, AlterCheck):
                    self.callable_target((*at, 'checks', index, 'alter'), check.alter)

    def handler(self, loc: Loc, path: Any) -> None:
        use: str = path.use
        scheme, _, target = use.partition(':')
        placeholders = placeholder_names(path.url)
        if scheme in ('file', 'directory'):
            self.exists((*loc, 'use'), scheme, target)
            if scheme == 'directory' and 'name' not in placeholders:
                self.report(
                    (*loc, 'url'),
                    f"a 'directory:' path needs a {{name}} placeholder in its url "
                    f'(like /static/{{name}}), got {path.url!r}',
                )
            return
        if scheme == 'proxy':
            self.proxy_timeouts(loc, path.extensions)
            return
        forced = path.extensions.get('x-handler')
        if forced is not None and forced not in CONVENTIONS:
            self.report(
                (*loc, 'x-handler'),
                f'x-handler must be one of {", ".join(CONVENTIONS)}, got {forced!r}',
            )
            forced = None
        found = self.callable_target((*loc, 'use'), use)
        if found is not None and found.kind == 'function' and found.params is not None:
            self.signature((*loc, 'use'), path.url, placeholders, found, forced)

    def signature(
        self,
        loc: Loc,
        url: str,
        placeholders: list[str],
        found: Definition,
        forced: str | None,
    ) -> None:
        """A handler's parameters against what its convention gives it."""
        params = found.params or ()
        convention = forced or convention_of(params)

        def handler() -> str:
            return f'the handler {found.name}{found.signature} ({found.where})'

        if convention == 'falcon':
            missing = falcon_missing(params, placeholders)
            if missing:
                self.report(loc, f'{handler()} does not take the URL params {missing}')
        elif convention == 'json':
            refused = positional_only(params)
            if refused is not None:
                self.report(
                    loc,
                    f'{handler()} has a positional-only parameter {refused!r}; parameters '
                    'are filled by name',
                )
            for name in _from_query(params, placeholders):
                known = ', '.join(placeholders) if placeholders else 'none'
                self.report(
                    loc,
                    f'{handler()} reads {name!r} from the query string only: it is not a '
                    f'placeholder of the url {url} (placeholders: {known}); a request '
                    f'without ?{name}=... answers 400',
                    'warning',
                )

    def proxy_timeouts(self, loc: Loc, extensions: dict[str, Any]) -> None:
        for key in ('x-proxy-connect-timeout', 'x-proxy-read-timeout'):
            value = extensions.get(key)
            try:
                float(value if value is not None else 0)
            except (TypeError, ValueError):
                self.report(
                    (*loc, key),
                    'x-proxy-connect-timeout and x-proxy-read-timeout must be numbers of '
                    f'seconds, got {value!r}',
                )

    def body_schema(self, loc: Loc, schema: dict[str, Any] | str) -> None:
        if isinstance(schema, str):
            found = self.python(loc, schema)
            if found is not None and found.kind == 'module':
                self.report(loc, f'{schema} is not a Pydantic model or type ({_describe(found)})')
            return
        import jsonschema  # only specs with an inline schema pay for it

        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as ex:
            path = list(ex.absolute_path)
            pointer = '#' + ''.join(f'/{part}' for part in path)
            message = ex.message
            if path and path[-1] == 'type' and isinstance(ex.instance, str):
                message = (
                    f'unknown type {ex.instance!r}{did_you_mean(ex.instance, _JSON_TYPES)}; '
                    f'expected one of: {", ".join(_JSON_TYPES)}'
                )
            self.report((*loc, *path), f'invalid JSON Schema at {pointer}: {message}')

    def client(self, loc: Loc, location: str) -> None:
        parsed = parse_location(location)
        if parsed.scheme not in ('file', 'directory'):
            self.report(
                loc,
                f"the Socket.IO client must be a 'file:' or 'directory:' location, "
                f'got {location!r}',
            )
            return
        self.exists(loc, parsed.scheme, parsed.target)

    def legacy_socket(self, loc: Loc, location: str) -> None:
        found = self.callable_target(loc, location)
        if found is not None and found.kind == 'function' and found.params is not None:
            problem = legacy_socket_problem(shape_of(found.params))
            if problem:
                self.report(loc, f'{location}{found.signature}: {problem}')

    def event(self, loc: Loc, event: str, location: str) -> None:
        found = self.callable_target(loc, location)
        if found is not None and found.kind == 'function' and found.params is not None:
            problem = event_problem(event, shape_of(found.params))
            if problem:
                self.report(loc, f'{location}{found.signature}: {problem}')


def _from_query(params: tuple[Param, ...], placeholders: list[str]) -> Iterator[str]:
    """The required json-style parameters run fills from the query string only."""
    for param in params:
        if (
            param.required
            and param.kind in ('POSITIONAL_OR_KEYWORD', 'KEYWORD_ONLY')
            and parameter_source(param.name, placeholders) == 'query'
        ):
            yield param.name


#: The JSON Schema type names.
_JSON_TYPES = ('array', 'boolean', 'integer', 'null', 'number', 'object', 'string')


def _describe(found: Definition) -> str:
    if found.kind == 'module':
        return f'it is the module {found.name}, {found.file}'
    if found.kind == 'value':
        return f'{found.name} is set to a value at {found.where}'
    return f'it is the {found.kind} {found.name} at {found.where}'
