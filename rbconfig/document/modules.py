"""The Python code behind ``python:`` locations, found and read without running it.

``rbconfig run`` imports ``python:pkg.mod.attr`` (see :mod:`.resolve`): the spec's
folder first on ``sys.path``, the longest importable module prefix, then
attributes. :class:`CodeIndex` answers the same question from the files alone:

* modules are found with :func:`importlib.util.find_spec` (top-level names, the
  spec's folder first, then ``sys.path``) and
  :meth:`importlib.machinery.PathFinder.find_spec` for submodules, which
  imports nothing, not even the parent package;
* a module's names are read from its source with :mod:`ast`: what its top-level
  statements bind (``def``, ``class``, assignments, imports, also inside
  ``if``/``try``/``with``/``for``), following ``from x import name``,
  ``import x`` and ``from x import *`` to other modules;
* each file is read and parsed once per index, however many locations name it.

What cannot be told from the source (a module ``__getattr__``, ``globals()``
writes at import time, a compiled module, an attribute of something built by
running code) is :class:`Undecidable`, with the reason; a name that is
certainly not there is :class:`Missing`.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import sys
from dataclasses import dataclass, field
from functools import cached_property
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Literal

from ..errors import did_you_mean
from .conventions import Param
from .files import read_regular
from .resolve import foreign, own_folder_first

__all__ = ['CodeIndex', 'Definition', 'Missing', 'Undecidable', 'params_from_ast']

#: How many imports (``from a import b`` in a, then in b...) are followed at most.
_MAX_HOPS = 8

#: Calls at a module's top level that can create names no statement shows.
_DYNAMIC_CALLS = frozenset({'globals', 'vars', 'exec', 'setattr', 'locals'})


class Missing(LookupError):
    """The location certainly names nothing: ``rbconfig run`` would refuse it."""


class Undecidable(LookupError):
    """Whether the location names something cannot be told without running code."""


Kind = Literal['function', 'class', 'module', 'value']


@dataclass(frozen=True, eq=False)
class Definition:
    """What a location names, as read from the source.

    Attributes:
        kind: ``function`` (also a lambda), ``class``, ``module`` or ``value``
            (anything else a statement binds).
        name: The dotted name it was found under (``todos.create``).
        file: The file it is written in.
        line: Its line there (1 for a module).
        node: Its ``def``/``lambda``/``class`` node, or the assigned expression.
        method: For a ``def`` in a class body: ``static`` or ``class`` when it is
            a staticmethod or classmethod (their decorators keep the
            parameters; a classmethod's first one is given).
        members: For a class: what its body binds.
        spec: For a module: how it is found.
    """

    kind: Kind
    name: str
    file: str
    line: int
    node: ast.AST | None = None
    method: Literal['static', 'class'] | None = None
    members: dict[str, ast.AST | _Imported] = field(default_factory=dict, repr=False)
    spec: ModuleSpec | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """``file:line``."""
        return f'{self.file}:{self.line}'

    @cached_property
    def params(self) -> tuple[Param, ...] | None:
        """The parameters it is called with, or None when the source cannot tell.

        A function's own (None when decorated: a decorator may change them); a
        class's ``__init__`` without ``self`` (no parameters for a class with
        neither bases nor ``__init__``; None when it has bases or decorators).
        """
        node = self.node
        if isinstance(node, ast.Lambda):
            return params_from_ast(node.args)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.decorator_list and self.method is None:
                return None
            params = params_from_ast(node.args)
            return params[1:] if self.method == 'class' else params
        if isinstance(node, ast.ClassDef):
            if node.decorator_list or _has_bases(node):
                return None
            init = self.members.get('__init__')
            if init is None:
                return ()
            if isinstance(init, ast.FunctionDef) and not init.decorator_list:
                return params_from_ast(init.args)[1:]
        return None

    @property
    def signature(self) -> str:
        """The parameter list as written (``(ctx, data)``), for messages."""
        node = self.node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return f'({ast.unparse(node.args)})'
        return ''

    @property
    def callable(self) -> bool | None:
        """Whether it can be called: False for a literal value, None when unknown."""
        if self.kind in ('function', 'class'):
            return True
        if self.kind == 'module':
            return False
        return False if _is_literal(self.node) else None

    @property
    def instances_callable(self) -> bool | None:
        """For a class: whether its instances can be called (None when unknown)."""
        node = self.node
        if not isinstance(node, ast.ClassDef) or node.decorator_list or _has_bases(node):
            return None
        return '__call__' in self.members


def params_from_ast(args: ast.arguments) -> tuple[Param, ...]:
    """The parameters of a ``def`` or ``lambda``, as :func:`inspect.signature` gives them."""
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    params = [
        Param(
            arg.arg,
            'POSITIONAL_ONLY' if index < len(args.posonlyargs) else 'POSITIONAL_OR_KEYWORD',
            index < first_default,
        )
        for index, arg in enumerate(positional)
    ]
    if args.vararg is not None:
        params.append(Param(args.vararg.arg, 'VAR_POSITIONAL', False))
    params += [
        Param(arg.arg, 'KEYWORD_ONLY', default is None)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    if args.kwarg is not None:
        params.append(Param(args.kwarg.arg, 'VAR_KEYWORD', False))
    return tuple(params)


def _has_bases(node: ast.ClassDef) -> bool:
    bases = [
        base for base in node.bases if not (isinstance(base, ast.Name) and base.id == 'object')
    ]
    return bool(bases or node.keywords)


def _is_literal(node: ast.AST | None) -> bool:
    """A value that is certainly not callable: a number, text, list, dict..."""
    return isinstance(
        node,
        ast.Constant
        | ast.List
        | ast.Tuple
        | ast.Dict
        | ast.Set
        | ast.JoinedStr
        | ast.ListComp
        | ast.DictComp
        | ast.SetComp
        | ast.GeneratorExp,
    )


# ---------------------------------------------------------------- one module's names


@dataclass
class _Module:
    """What one module's source binds at its top level."""

    name: str
    file: str
    package: bool
    #: name → the node binding it last: a def, class, lambda, expression, or an import.
    names: dict[str, ast.AST | _Imported] = field(default_factory=dict)
    #: Modules it star-imports (absolute names).
    stars: list[str] = field(default_factory=list)
    #: Why its names cannot all be known from the source (None: they can).
    dynamic: str | None = None


@dataclass(frozen=True)
class _Imported:
    """``import a.b`` (module) or ``from a import b`` (module a, attribute b) at ``line``."""

    module: str
    attribute: str | None
    line: int


def _absolute(module: _Module, level: int, name: str | None) -> str:
    """The absolute module a relative ``from ..x import`` names in ``module``."""
    if not level:
        return name or ''
    base = module.name.split('.')
    if not module.package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return '.'.join([*base, name] if name else base)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING'
    )


class _Binder:
    """Collects what a list of statements binds (a module's top level or a class body)."""

    def __init__(self, module: _Module | None) -> None:
        self.module = module
        self.names: dict[str, ast.AST | _Imported] = {}
        self.stars: list[str] = []
        self.dynamic: str | None = None

    def statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:  # noqa: C901 - one branch per statement kind
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.names[node.name] = node
            if isinstance(node, ast.FunctionDef) and node.name == '__getattr__':
                self.dynamic = self.dynamic or f'it defines __getattr__ (line {node.lineno})'
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.names[alias.asname] = _Imported(alias.name, None, node.lineno)
                else:
                    top = alias.name.partition('.')[0]
                    self.names[top] = _Imported(top, None, node.lineno)
            return
        if isinstance(node, ast.ImportFrom):
            source = _absolute(self.module, node.level, node.module) if self.module else ''
            for alias in node.names:
                if alias.name == '*':
                    self.stars.append(source)
                else:
                    self.names[alias.asname or alias.name] = _Imported(
                        source, alias.name, node.lineno
                    )
            return
        if isinstance(node, ast.If):
            if not _is_type_checking(node.test):  # imports for type checkers only never run
                self.statements(node.body)
            self.statements(node.orelse)
            self.scan(node.test)
            return
        if isinstance(node, ast.Try | ast.TryStar):
            self.statements(node.body)
            for handler in node.handlers:
                if handler.name:
                    self.names[handler.name] = handler
                self.statements(handler.body)
            self.statements(node.orelse)
            self.statements(node.finalbody)
            return
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    self.target(item.optional_vars, item.context_expr)
                self.scan(item.context_expr)
            self.statements(node.body)
            return
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            if isinstance(node, ast.For | ast.AsyncFor):
                self.target(node.target, node.iter)
            self.statements(node.body)
            self.statements(node.orelse)
            return
        if isinstance(node, ast.Match):
            for case in node.cases:
                self.statements(case.body)
            return
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target, node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            if not isinstance(node, ast.AnnAssign) or node.value is not None:
                self.target(node.target, node.value or node.target)
        self.scan(node)

    def target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:  # unpacked: each gets some value
                self.target(element.value if isinstance(element, ast.Starred) else element, target)

    def scan(self, node: ast.AST) -> None:
        """Note a top-level call that can make names (``globals()[...] = ``, ``exec``)."""
        if self.dynamic is not None:
            return
        for inner in ast.walk(node):
            if isinstance(inner, ast.NamedExpr) and isinstance(inner.target, ast.Name):
                self.names[inner.target.id] = inner.value
            elif (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in _DYNAMIC_CALLS
            ):
                self.dynamic = f'it calls {inner.func.id}() at line {inner.lineno}'
                return


# ---------------------------------------------------------------- the index


class CodeIndex:
    """Finds modules and reads their names without importing; each file parsed once.

    One index serves many specs (module specs are cached per spec folder).
    """

    def __init__(self) -> None:
        importlib.invalidate_caches()  # files written since the last look are seen
        self._top: dict[tuple[str, str], ModuleSpec | None] = {}
        self._sub: dict[tuple[str, ...], ModuleSpec | None] = {}
        self._modules: dict[str, _Module | Undecidable | Missing] = {}
        self._members: dict[int, dict[str, ast.AST | _Imported]] = {}
        self._found: dict[tuple[Path, str, str], Definition | Missing | Undecidable] = {}

    # -- finding modules ------------------------------------------------

    def _find_top(self, folder: str, name: str) -> ModuleSpec | None:
        key = (folder, name)
        if key in self._top:
            return self._top[key]
        # As run imports it: this spec's folder first, a module another spec brought forgotten.
        hidden = sys.modules.pop(name) if foreign(Path(folder), name) else None
        try:
            with own_folder_first(folder):
                found = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # ValueError: a module in sys.modules without a spec
            found = None
        finally:
            if hidden is not None:
                sys.modules[name] = hidden
        self._top[key] = found
        return found

    def _find_sub(self, parent: ModuleSpec, name: str) -> ModuleSpec | None:
        locations = parent.submodule_search_locations
        if locations is None:
            return None
        key = (*locations, name)
        if key not in self._sub:
            try:
                self._sub[key] = importlib.machinery.PathFinder.find_spec(name, list(locations))
            except (ImportError, ValueError):
                self._sub[key] = None
        return self._sub[key]

    def find_module(self, folder: str, dotted: str) -> ModuleSpec | None:
        """The spec of module ``dotted`` as ``run`` would import it from ``folder``."""
        parts = dotted.split('.')
        spec = self._find_top(folder, parts[0])
        for end in range(2, len(parts) + 1):
            if spec is None:
                return None
            spec = self._find_sub(spec, '.'.join(parts[:end]))
        return spec

    def _longest(self, folder: str, parts: list[str]) -> tuple[ModuleSpec | None, int]:
        """The longest prefix of ``parts`` that is a module, and its length."""
        spec = self._find_top(folder, parts[0])
        if spec is None:
            return None, 0
        used = 1
        while used < len(parts):
            sub = self._find_sub(spec, '.'.join(parts[: used + 1]))
            if sub is None:
                break
            spec, used = sub, used + 1
        return spec, used

    # -- reading modules ------------------------------------------------

    def _module(self, spec: ModuleSpec) -> _Module:
        """The names module ``spec`` binds (read and parsed on first use).

        Raises:
            Undecidable: it has no Python source (built-in, compiled).
            Missing: its source is not valid Python (the import would fail).
        """
        origin = spec.origin
        key = origin or f'namespace:{spec.name}'
        found = self._modules.get(key)
        if found is None:
            found = self._read(spec)
            self._modules[key] = found
        if isinstance(found, Undecidable | Missing):
            raise found.with_traceback(None)
        return found

    def _read(self, spec: ModuleSpec) -> _Module | Undecidable | Missing:
        origin = spec.origin
        package = spec.submodule_search_locations is not None
        if origin is None or origin == 'namespace':  # a namespace package: only submodules
            return _Module(spec.name, str(spec.name), package)
        if origin == 'frozen':  # the standard library's frozen modules (os...) name their source
            origin = getattr(spec.loader_state, 'filename', None) or origin
        if not origin.endswith('.py'):
            kind = 'built-in' if origin in ('built-in', 'frozen') else 'compiled'
            return Undecidable(f'{spec.name} is a {kind} module: there is no source to read')
        try:
            tree = ast.parse(read_regular(origin), filename=origin)
        except SyntaxError as ex:
            return Missing(
                f'{origin}:{ex.lineno}:{ex.offset}: {ex.msg}: the module cannot be imported'
            )
        except (OSError, ValueError) as ex:
            return Undecidable(f'{origin} cannot be read: {ex}')
        module = _Module(spec.name, origin, package)
        binder = _Binder(module)
        binder.statements(tree.body)
        module.names, module.stars, module.dynamic = binder.names, binder.stars, binder.dynamic
        return module

    def _class_members(self, node: ast.ClassDef) -> dict[str, ast.AST | _Imported]:
        members = self._members.get(id(node))
        if members is None:
            binder = _Binder(None)
            binder.statements(node.body)
            members = self._members[id(node)] = binder.names
        return members

    # -- resolving ------------------------------------------------------

    def find(self, folder: Path, target: str, default_module: str) -> Definition:
        """What ``python:target`` names, for a spec in ``folder``.

        ``default_module`` is the module a dot-less target is an attribute of
        (the spec file's name, as for ``run``).

        Raises:
            Missing: it certainly names nothing (the message says what is missing).
            Undecidable: the source cannot tell (the message says why).
        """
        key = (folder, target, default_module)
        found = self._found.get(key)
        if found is None:
            try:
                found = self._find(folder, target, default_module)
            except (Missing, Undecidable) as ex:
                found = ex
            self._found[key] = found
        if isinstance(found, Missing | Undecidable):
            raise found.with_traceback(None)  # said once per location, not a growing chain
        return found

    def _find(self, folder: Path, target: str, default_module: str) -> Definition:
        parts = target.split('.')
        if len(parts) == 1:
            parts = [default_module, parts[0]]
        where = str(folder)
        spec, used = self._longest(where, parts)
        if spec is None:
            raise Missing(f'no module named {parts[0]!r} (looked in {folder} and on sys.path)')
        found = self._as_module(spec)
        for attr in parts[used:]:
            found = self._member(where, found, attr)
        return found

    def _as_module(self, spec: ModuleSpec) -> Definition:
        module = self._module(spec)
        return Definition('module', module.name, module.file, 1, spec=spec)

    def _member(self, folder: str, owner: Definition, attr: str) -> Definition:
        if owner.spec is not None:
            return self._attribute(folder, owner.spec, attr, 0)
        if isinstance(owner.node, ast.ClassDef):
            members = owner.members
            node = members.get(attr)
            if isinstance(node, _Imported):
                raise Undecidable(f'{owner.name}.{attr} is imported inside the class body')
            if node is not None:
                return self._definition(f'{owner.name}.{attr}', owner.file, node, in_class=True)
            if _has_bases(owner.node):
                raise Undecidable(
                    f'{owner.name} ({owner.where}) has base classes; {attr!r} may come from one'
                )
            raise Missing(
                f'class {owner.name} ({owner.where}) has no attribute {attr!r}'
                f'{did_you_mean(attr, members)}'
            )
        raise Undecidable(
            f'{owner.name} ({owner.where}) is made by running code; its attribute {attr!r} '
            'is known only then'
        )

    def _attribute(self, folder: str, spec: ModuleSpec, attr: str, hops: int) -> Definition:
        """``attr`` of the module ``spec``, following imports.

        Raises:
            Missing, Undecidable: as :meth:`find`.
        """
        module = self._module(spec)
        if hops > _MAX_HOPS:
            raise Undecidable(f'{module.name}.{attr} is imported through too many modules')
        node = module.names.get(attr)
        if isinstance(node, _Imported):
            return self._imported(folder, module, attr, node, hops)
        if node is not None:
            return self._definition(f'{module.name}.{attr}', module.file, node)
        for star in module.stars:
            star_spec = self.find_module(folder, star)
            if star_spec is None:
                raise Undecidable(f'{module.name} imports * from {star!r}, which is not found here')
            if _exports(self._module(star_spec), attr):
                try:
                    return self._attribute(folder, star_spec, attr, hops + 1)
                except Missing:
                    continue
        if module.dynamic is not None:
            raise Undecidable(f'{module.name} ({module.file}) may make {attr!r}: {module.dynamic}')
        raise Missing(
            f'module {module.name!r} ({module.file}) has no attribute {attr!r}'
            f'{did_you_mean(attr, module.names)}'
        )

    def _imported(
        self, folder: str, module: _Module, attr: str, node: _Imported, hops: int
    ) -> Definition:
        source = self.find_module(folder, node.module)
        where = f'{module.file}:{node.line}'
        if source is None:
            raise Undecidable(
                f'{module.name}.{attr} is imported from {node.module!r} ({where}), '
                'which is not found here'
            )
        if node.attribute is None:
            return self._as_module(source)
        try:
            return self._attribute(folder, source, node.attribute, hops + 1)
        except Missing:  # `from pkg import sub`: the submodule, imported by that statement
            sub = self._find_sub(source, f'{node.module}.{node.attribute}')
            if sub is None:
                raise
            return self._as_module(sub)

    def _definition(
        self, name: str, file: str, node: ast.AST, in_class: bool = False
    ) -> Definition:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            method: Literal['static', 'class'] | None = None
            if in_class and len(node.decorator_list) == 1:
                decorator = node.decorator_list[0]
                if isinstance(decorator, ast.Name) and decorator.id == 'staticmethod':
                    method = 'static'
                elif isinstance(decorator, ast.Name) and decorator.id == 'classmethod':
                    method = 'class'
            return Definition('function', name, file, node.lineno, node, method)
        if isinstance(node, ast.Lambda):
            return Definition('function', name, file, node.lineno, node)
        if isinstance(node, ast.ClassDef):
            return Definition(
                'class', name, file, node.lineno, node, members=self._class_members(node)
            )
        line = getattr(node, 'lineno', 1)
        return Definition('value', name, file, line, node)


def _exports(module: _Module, attr: str) -> bool:
    """Whether ``from module import *`` brings ``attr``."""
    listed = module.names.get('__all__')
    if isinstance(listed, ast.List | ast.Tuple):
        names = [item.value for item in listed.elts if isinstance(item, ast.Constant)]
        if len(names) == len(listed.elts) and all(isinstance(name, str) for name in names):
            return attr in names
    return not attr.startswith('_') and (attr in module.names or bool(module.stars))
