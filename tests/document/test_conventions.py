"""The handler conventions' rules on parameter lists, as ``run`` applies them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from rbconfig.document.conventions import (
    SPECIAL_PARAMETERS,
    Param,
    call_problem,
    convention_of,
    event_problem,
    event_takes,
    falcon_missing,
    legacy_socket_problem,
    parameter_source,
    params_of,
    positional_only,
    shape_of,
    wants_hub,
)
from rbconfig.runtime import conventions as runtime_conventions


def params(func: Callable[..., Any]) -> tuple[Param, ...]:
    return params_of(inspect.signature(func))


def test_params_of_a_signature() -> None:
    def f(a, /, b, c=1, *args, d, e=2, **kw): ...  # noqa: ANN001, ANN002, ANN003, ANN202

    assert params(f) == (
        Param('a', 'POSITIONAL_ONLY'),
        Param('b', 'POSITIONAL_OR_KEYWORD'),
        Param('c', 'POSITIONAL_OR_KEYWORD', False),
        Param('args', 'VAR_POSITIONAL', False),
        Param('d', 'KEYWORD_ONLY'),
        Param('e', 'KEYWORD_ONLY', False),
        Param('kw', 'VAR_KEYWORD', False),
    )


@pytest.mark.parametrize(
    ('source', 'convention'),
    [
        ('def f(globs, request): ...', 'legacy'),
        ('def f(globals, request, **params): ...', 'legacy'),
        ('def f(globs): ...', 'json'),
        ('def f(req, resp, **params): ...', 'falcon'),
        ('def f(request, response): ...', 'falcon'),
        ('def f(request, resp, name): ...', 'falcon'),
        ('def f(req, name): ...', 'json'),
        ('def f(name, body=None): ...', 'json'),
        ('def f(*, globs, request): ...', 'json'),
    ],
)
def test_convention_of(source: str, convention: str) -> None:
    space: dict[str, Any] = {}
    exec(source, space)  # noqa: S102 - a test's own one-line function
    assert convention_of(params(space['f'])) == convention
    assert runtime_conventions.convention_of(space['f']) == convention


def test_falcon_and_json_rules() -> None:
    def falcon(req, resp, a): ...  # noqa: ANN001, ANN202
    def falcon_all(req, resp, **params): ...  # noqa: ANN001, ANN003, ANN202
    def json_style(a, /, b, body, limit=10, who='x'): ...  # noqa: ANN001, ANN202

    assert falcon_missing(params(falcon), ['a', 'b']) == ['b']
    assert falcon_missing(params(falcon_all), ['a', 'b']) == []
    assert positional_only(params(json_style)) == 'a'
    assert positional_only(params(falcon)) is None
    sources = [parameter_source(p.name, ['b']) for p in params(json_style)]
    assert sources == ['query', 'url', 'special', 'query', 'query']


def test_every_special_parameter_has_a_filler_in_the_runtime() -> None:
    assert set(runtime_conventions._SPECIAL_FILLERS) == set(SPECIAL_PARAMETERS)


def test_socket_event_rules() -> None:
    def data(ctx, data): ...  # noqa: ANN001, ANN202
    def star(*args): ...  # noqa: ANN002, ANN202
    def nothing(): ...  # noqa: ANN202
    def three(ctx, a, b): ...  # noqa: ANN001, ANN202
    def keyword(ctx, *, needed): ...  # noqa: ANN001, ANN202

    assert event_problem('chat', shape_of(params(data))) is None
    assert event_takes('chat', shape_of(params(data))) == 2
    assert event_takes('chat', shape_of(params(star))) is None
    assert event_takes('connect', shape_of(params(star))) == 2
    assert event_problem('chat', shape_of(params(nothing))) == (
        "a 'chat' handler is called as (ctx, data); it takes no argument, not even ctx"
    )
    assert event_problem('connect', shape_of(params(three))) == (
        "a 'connect' handler is called as (ctx) or (ctx, auth); it requires 3 arguments"
    )
    assert event_problem('chat', shape_of(params(three))) is None
    assert 'keyword-only arguments (needed)' in str(event_problem('x', shape_of(params(keyword))))
    assert legacy_socket_problem(shape_of(params(data))) is None
    assert legacy_socket_problem(shape_of(params(three))) is not None
    assert legacy_socket_problem(shape_of(params(nothing))) is not None


def test_factories_and_types() -> None:
    def factory(globs, *, hub): ...  # noqa: ANN001, ANN202
    def plain(globs): ...  # noqa: ANN001, ANN202
    def two(globs, other): ...  # noqa: ANN001, ANN202
    def positional_hub(globs, hub, /): ...  # noqa: ANN001, ANN202

    assert wants_hub(params(factory)) and not wants_hub(params(plain))
    assert not wants_hub(params(positional_hub))
    assert call_problem(params(factory), 1, ['hub']) is None
    assert call_problem(params(plain), 1) is None
    assert call_problem(params(plain), 0) == "it requires 'globs'"
    assert call_problem(params(two), 1) == "it requires 'other'"
    assert call_problem(params(plain), 2) == 'it takes 1 positional argument'
    assert call_problem(params(plain), 1, ['hub']) == "it takes no argument 'hub'"
