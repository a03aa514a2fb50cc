"""Turn plain data into a :class:`Spec`, or into a list of readable issues."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Issue, Loc, did_you_mean, format_loc, spell_key
from .base import SpecModel, kind_of
from .path import HTTP_METHODS, TypeCheck
from .spec import Spec
from .url import route_key

__all__ = ['BUILTIN_TYPES', 'SpecInvalid', 'known_keys', 'parse_spec', 'spec_rules']

#: Types every check may name without a ``types`` entry.
BUILTIN_TYPES: tuple[str, ...] = ('json', 'int', 'float')

#: The labels pydantic puts in an error's place for each kind of check, in words.
_TAGS = {
    'TypeCheck': "a type check ('is' or 'is_not')",
    'ValidatorCheck': "a 'validates' check",
    'AlterCheck': "an 'alter' check",
    'OnErrorCheck': "an 'on_error' check",
}


class SpecInvalid(ValueError):
    """Plain data is not a valid spec; ``issues`` lists every reason."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__('; '.join(f'{format_loc(issue.loc)}: {issue.message}' for issue in issues))


def parse_spec(data: Any) -> Spec:
    """Validate plain data (from any format) into a :class:`Spec`.

    Raises:
        SpecInvalid: listing every problem found, each at its place.
    """
    try:
        spec = Spec.model_validate(data)
    except ValidationError as ex:
        issues = _issues_from(ex, data)
        raise SpecInvalid(issues + _rules_of_the_rest(data, issues)) from ex
    issues = spec_rules(spec)
    if issues:
        raise SpecInvalid(issues)
    return spec


def _rules_of_the_rest(data: Any, issues: list[Issue]) -> list[Issue]:
    """:func:`spec_rules` on what is left of ``data`` once the parts with ``issues`` are out.

    So that one mistake in ``meta`` or in a path does not hide the spec-wide ones
    (unknown types, two paths on one route) of the rest: every independent error at
    once, as the RBR reader reports them. A path or a named entry (``types.x``) with an
    issue is left out, any other top-level key with one is dropped whole; when the rest
    is still not a spec (a required key is what failed), nothing more is said.
    """
    if not isinstance(data, dict):
        return []
    rest = dict(data)
    for issue in issues:
        key = issue.loc[0] if issue.loc else None
        if key is None or key == 'rbconfig' or key not in rest:
            if key is None or key == 'rbconfig':
                return []
            continue
        part = rest[key]
        if len(issue.loc) > 1 and key in _NAMED_PARTS and isinstance(part, dict):
            rest[key] = {name: value for name, value in part.items() if name != issue.loc[1]}
        else:
            del rest[key]
    try:
        spec = Spec.model_validate(rest)
    except ValidationError:
        return []
    return spec_rules(spec)


#: Top-level keys whose entries are named and independent: one bad entry leaves the others.
_NAMED_PARTS = frozenset({'paths', 'types', 'globals', 'sockets'})


def spec_rules(spec: Spec) -> list[Issue]:
    """Rules that span several parts of a spec: names that must exist or be unique."""
    issues: list[Issue] = []
    known_types = tuple(dict.fromkeys((*BUILTIN_TYPES, *spec.types)))  # 'json' once
    for name in spec.types:
        if name in BUILTIN_TYPES:
            issues.append(Issue(('types', name), f'{name!r} is a built-in type; pick another name'))
    routes: dict[tuple[str, str], str] = {}
    for name, path in spec.paths.items():
        for where, section in path.sections():
            for index, check in enumerate(section.checks):
                if isinstance(check, TypeCheck) and check.type_name not in known_types:
                    key = 'is' if check.is_ is not None else 'is_not'
                    issues.append(
                        Issue(
                            ('paths', name, *where, 'checks', index, key),
                            f'unknown type {check.type_name!r}'
                            f'{did_you_mean(check.type_name, known_types)}; '
                            f'known types: {", ".join(known_types)}',
                        )
                    )
        if path.url is None:
            continue
        for method in path.methods:
            claim = (method, route_key(path.url))
            if claim in routes:
                issues.append(
                    Issue(
                        ('paths', name, 'url'),
                        f'paths {routes[claim]!r} and {name!r} both claim {method} {path.url}',
                    )
                )
            else:
                routes[claim] = name
    return issues


def _issues_from(error: ValidationError, data: Any) -> list[Issue]:
    found: list[Issue | Loc] = []  # a Loc: a union's place, said once all its members are in
    unions: dict[Loc, list[tuple[Loc, Any]]] = {}
    for detail in error.errors(include_url=False):
        raw: Loc = _as_written(data, tuple(part for part in detail['loc'] if part not in _TAGS))
        at = _union_at(raw)
        if at is None:
            found.append(Issue(_without_keys(raw), _message(detail, raw)))
            continue
        if at not in unions:
            unions[at] = []
            found.append(at)
        unions[at].append((raw[: len(at)] + raw[len(at) + 1 :], detail))  # without the label
    issues: list[Issue] = []
    for item in found:
        issues += [item] if isinstance(item, Issue) else _union_issues(item, unions[item])
    return issues


def _as_written(data: Any, raw: Loc) -> Loc:
    """``raw`` with each key as ``data`` has it.

    Pydantic gives a key that is not text (YAML's ``null:``, ``true:``, ``1.5:``) as its
    text ('None'), under which no position was recorded: the problem would point at the
    mapping instead of the key.
    """
    current = data
    parts = list(raw)
    for index, part in enumerate(parts):
        if isinstance(current, dict):
            if part not in current and isinstance(part, str):
                # 'None', 'True', '1.5': the key as text
                part = next((k for k in current if not isinstance(k, str) and str(k) == part), part)
            elif not isinstance(part, str):  # 1 for true: equal, not the same
                part = next((k for k in current if k == part and type(k) is not str), part)
            parts[index] = part
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            break
    return tuple(parts)


def _union_issues(at: Loc, members: list[tuple[Loc, Any]]) -> list[Issue]:
    """One issue for a value of none of a union's types; else what its own type says."""
    kinds = [_TYPE_WORDS.get(detail['type']) for _, detail in members]
    words = [kind for kind in kinds if kind is not None]
    if len(words) == len(kinds) and all(raw == at for raw, _ in members):
        expected = list(dict.fromkeys(words))
        listing = ', '.join(expected[:-1]) + ' or ' if len(expected) > 1 else ''
        got = kind_of(members[0][1]['input'])
        return [Issue(at, f'expected {listing}{expected[-1]}, got {got}')]
    return [
        Issue(_without_keys(raw), _message(detail, raw))
        for (raw, detail), kind in zip(members, kinds, strict=True)
        if kind is None or raw != at
    ]


#: Plain type mismatches, as the kind of value that was expected.
_TYPE_WORDS = {
    'string_type': 'text',
    'bool_type': 'a boolean',
    'bool_parsing': 'a boolean',
    'int_type': 'a number',
    'int_parsing': 'a number',
    'int_from_float': 'a number',
    'float_type': 'a number',
    'float_parsing': 'a number',
    'dict_type': 'a mapping',
    'list_type': 'a list',
}


def _without_keys(raw: Loc) -> Loc:
    return tuple(part for part in raw if part != '[key]')


def _union_at(raw: Loc) -> Loc | None:
    """The place of a union of plain types when ``raw`` goes through one of its members.

    Pydantic puts the member's label (``str``, ``dict[str,any]``, ...) into the place of
    each member's error: that label is no key of the spec.
    """
    annotation: Any = Spec
    for index, part in enumerate(raw):
        if index and isinstance(part, str) and _is_plain_union(annotation):
            return raw[:index]
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return None


def _is_plain_union(annotation: Any) -> bool:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    is_union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    return is_union and _model_in(annotation) is None


def _message(detail: Any, loc: Loc) -> str:
    kind = detail['type']
    if kind == 'missing':
        return f'missing required key {loc[-1]!r}'
    if _is_unknown_key(kind, detail, loc):
        kind = 'extra_forbidden'
    if kind == 'extra_forbidden':
        key = spell_key(loc[-1])
        keys = known_keys(loc[:-1])
        tag = next((part for part in detail['loc'] if part in _TAGS), None)
        if tag is not None and key in keys:  # a key of another kind of check
            return (
                f'{key!r} does not go in {_TAGS[tag]}; a check is one of: '
                '{is|is_not: T, return: N}, {header: H, validates: LOC, return: N}, '
                '{alter: LOC}, {on_error: N}'
            )
        hint = did_you_mean(key, keys)
        listing = f'; expected one of: {", ".join(sorted(keys))}' if keys and not hint else ''
        extension = '' if hint else ' (extension keys start with x-)'
        return f'unknown key {key!r}{hint}{listing}{extension}'
    if kind == 'literal_error' and loc == ('rbconfig',):
        return f'unsupported spec format version {detail["input"]!r}; expected 1'
    if kind == 'literal_error' and len(loc) >= 2 and loc[-2] == 'method':
        method = str(detail['input'])
        hint = did_you_mean(method, HTTP_METHODS)
        return f'unknown HTTP method {method!r}{hint}; expected one of: {", ".join(HTTP_METHODS)}'
    if loc and loc[-1] == '[key]' and len(loc) >= 3 and loc[-3] == 'status':
        if kind in ('int_parsing', 'int_type', 'int_from_float'):
            return f'expected a status code (a number from 100 to 599), got {detail["input"]!r}'
        return f'status code {detail["input"]} is out of range: expected 100 to 599'
    message = detail['msg']
    if message.startswith('Value error, '):
        message = message[len('Value error, ') :]
    elif kind in ('dict_type', 'model_type', 'model_attributes_type'):
        message = f'expected a mapping, got {kind_of(detail["input"])}'
    elif kind == 'list_type':
        message = f'expected a list, got {kind_of(detail["input"])}'
    elif kind == 'string_type':
        message = f'expected text, got {kind_of(detail["input"])}'
    elif kind == 'string_pattern_mismatch':
        message = f'{detail["input"]!r} does not match {detail["ctx"]["pattern"]}'
    else:
        message = message[0].lower() + message[1:]
        if kind not in ('check_kind',) and 'input' in detail:
            message += f', got {detail["input"]!r}'
    return message


def _is_unknown_key(kind: str, detail: Any, loc: Loc) -> bool:
    """A key that is neither a field nor ``x-...`` (models keep x- keys as extras)."""
    if kind == 'invalid_key':
        return True
    return (
        kind == 'string_pattern_mismatch'
        and detail.get('ctx', {}).get('pattern') == '^x-'
        and bool(loc)
        and detail.get('input') == loc[-1]
    )


def known_keys(loc: Loc) -> list[str]:
    """The keys allowed at ``loc`` (a mapping's place), or [] if unknown."""
    annotation: Any = Spec
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_in(annotation)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, SpecModel):
        return annotation
    for arg in typing.get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _step(typing.get_args(annotation)[0], part)
    if origin in (list, dict):
        return typing.get_args(annotation)[-1]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if model is not None and isinstance(part, str):
        for name, field in model.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
    return None
