"""Properties: any valid spec survives RBR, and every chain of the three formats."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import dumps, loads
from rbconfig.converters.rbr import RbrFormat
from rbconfig.schema import Spec
from tests.strategies import descriptions, json_values, specs

RBR = RbrFormat()
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(specs())
def test_rbr_round_trip_gives_an_equal_spec(spec: Spec) -> None:
    text = RBR.write(spec)
    again = loads(text, 'rbr', 'spec.rbr')
    assert again.spec == spec
    assert RBR.write(again.spec) == text


@SETTINGS
@given(specs())
def test_every_format_chain_gives_an_equal_spec(spec: Spec) -> None:
    current = spec
    for fmt in ('rbr', 'yaml', 'rbr', 'toml', 'rbr'):
        current = loads(dumps(current, fmt), fmt, f'spec.{fmt}').spec
        assert current == spec


@settings(max_examples=300, deadline=None)
@given(descriptions | st.text())
def test_any_text_survives(text: str) -> None:
    spec = Spec.model_validate(
        {
            'rbconfig': 1,
            'meta': {'title': text, 'description': text, 'version': text},
            'paths': {'p': {'description': text, 'response': {'status': {200: text}}}},
        }
    )
    assert loads(RBR.write(spec), 'rbr', 'spec.rbr').spec == spec


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_extension_value_survives(value: object) -> None:
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
    assert loads(RBR.write(spec), 'rbr', 'spec.rbr').spec == spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(max_paths=3), st.data())
def test_comments_survive_rbr(spec: Spec, data: st.DataObject) -> None:
    first = loads(RBR.write(spec), 'rbr', 'a.rbr')
    written = [loc for loc in first.positions if loc]
    chosen = (
        data.draw(st.lists(st.sampled_from(written), max_size=4, unique=True)) if written else []
    )
    comments = {loc: [f'note {index}', '', 'more # text'] for index, loc in enumerate(chosen)}
    text = RBR.write(first.spec, comments)
    again = loads(text, 'rbr', 'b.rbr')
    assert again.spec == spec
    # Every comment comes back, in order, on some element (its own or the nearest written one).
    found = [line for lines in again.comments.values() for line in lines]
    assert sorted(found) == sorted(line for lines in comments.values() for line in lines)
