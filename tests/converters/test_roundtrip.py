"""Properties, for each format (YAML, TOML, RBR): any valid spec written loads back equal.

One suite parametrized over the formats: the spec, any text, any extension value and the
comments survive a write and a read; writing the spec read back gives the same text; and every
chain of the three formats gives the spec back.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import END_OF_FILE, dumps, loads
from rbconfig.document import Document
from rbconfig.schema import Spec
from tests.strategies import descriptions, json_values, specs

FORMATS = ('yaml', 'toml', 'rbr')
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
each_format = pytest.mark.parametrize('fmt', FORMATS)


def round_trip(spec: Spec, fmt: str, comments: Any = None) -> Document:
    """``spec`` (and ``comments``) written as ``fmt`` and read back."""
    return loads(dumps(spec, fmt, comments), fmt, f'spec.{fmt}')


@each_format
@SETTINGS
@given(spec=specs())
def test_round_trip_gives_an_equal_spec(fmt: str, spec: Spec) -> None:
    text = dumps(spec, fmt)
    again = loads(text, fmt, f'spec.{fmt}')
    assert again.spec == spec
    assert dumps(again.spec, fmt) == text


@SETTINGS
@given(specs())
def test_every_format_chain_gives_an_equal_spec(spec: Spec) -> None:
    current = spec
    for fmt in ('rbr', 'yaml', 'rbr', 'toml', 'rbr'):
        current = round_trip(current, fmt).spec
        assert current == spec


@each_format
@settings(max_examples=100, deadline=None)
@given(text=descriptions | st.text())
def test_any_text_survives(fmt: str, text: str) -> None:
    spec = Spec.model_validate(
        {
            'rbconfig': 1,
            'meta': {'title': text, 'description': text, 'version': text},
            'paths': {'p': {'description': text, 'response': {'status': {200: text}}}},
        }
    )
    assert round_trip(spec, fmt).spec == spec


@each_format
@settings(max_examples=100, deadline=None)
@given(value=json_values)
def test_any_extension_value_survives(fmt: str, value: object) -> None:
    spec = Spec.model_validate(
        {
            'rbconfig': 1,
            'x-top': value,
            'meta': {'x-meta': value},
            'globals': {'g': value} if isinstance(value, bool | int | float | str) else {},
            'paths': {
                'p': {
                    'x-path': value,
                    'request': {'x-request': value, 'body': {'x-body': value}},
                }
            },
        }
    )
    assert round_trip(spec, fmt).spec == spec


@pytest.mark.parametrize('fmt', ['yaml', 'toml'])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), data=st.data())
def test_comments_come_back_where_they_were(fmt: str, spec: Spec, data: st.DataObject) -> None:
    """YAML and TOML keep each comment on the place it was written before (or at the end)."""
    places = [*line_owners(round_trip(spec, fmt), later_wins=fmt == 'toml'), END_OF_FILE]
    chosen = data.draw(st.lists(st.sampled_from(places), max_size=4, unique=True))
    comments = {loc: [f'note {index}', '', 'more: # text'] for index, loc in enumerate(chosen)}
    again = round_trip(spec, fmt, comments)
    assert again.spec == spec
    assert again.comments == comments


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(max_paths=3), data=st.data())
def test_comments_survive_rbr(spec: Spec, data: st.DataObject) -> None:
    """RBR keeps every comment, in order, on its own element or the nearest written one."""
    first = round_trip(spec, 'rbr')
    written = [*(loc for loc in first.positions if loc), END_OF_FILE]
    chosen = data.draw(st.lists(st.sampled_from(written), max_size=4, unique=True))
    comments = {loc: [f'note {index}', '', 'more # text'] for index, loc in enumerate(chosen)}
    again = round_trip(first.spec, 'rbr', comments)
    assert again.spec == spec
    found = [line for lines in again.comments.values() for line in lines]
    assert sorted(found) == sorted(line for lines in comments.values() for line in lines)


def line_owners(document: Document, later_wins: bool = False) -> list[tuple[Any, ...]]:
    """The place that owns each line: where an own-line comment before it goes.

    That is the leftmost place on the line; on a tie (a block list item and its
    first key, a TOML table and its parent) YAML gives the line to the outer
    place (written first), TOML to the last one noted (``later_wins``).
    """
    owners: dict[int, tuple[Any, ...]] = {}
    for loc, (line, column) in document.positions.items():
        if not loc:
            continue
        if line not in owners:
            owners[line] = loc
            continue
        best = document.positions[owners[line]][1]
        if column < best or (column == best and later_wins):
            owners[line] = loc
    return sorted(owners.values(), key=lambda loc: document.positions[loc])
