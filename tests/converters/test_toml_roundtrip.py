"""Property: any valid spec written as TOML loads back equal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import build_document
from rbconfig.converters.toml import TomlFormat
from rbconfig.document import Document
from rbconfig.schema import Spec
from tests.converters.test_yaml_roundtrip import line_owners
from tests.strategies import descriptions, specs

TOML = TomlFormat()


def _load(text: str) -> Document:
    return build_document(TOML, text, 'spec.toml')


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_toml_round_trip_gives_an_equal_spec(spec: Spec) -> None:
    text = TOML.write(spec)
    assert _load(text).spec == spec


@settings(max_examples=100, deadline=None)
@given(descriptions)
def test_any_description_survives_toml(text: str) -> None:
    spec = Spec.model_validate({'rbconfig': 1, 'meta': {'description': text, 'title': text}})
    assert _load(TOML.write(spec)).spec.meta.description == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.data())
def test_toml_comments_come_back_where_they_were(spec: Spec, data: st.DataObject) -> None:
    first = _load(TOML.write(spec))
    places = line_owners(first, later_wins=True)
    chosen = data.draw(st.lists(st.sampled_from(places), max_size=4, unique=True)) if places else []
    comments = {loc: [f'note {index}', '', 'more: # text'] for index, loc in enumerate(chosen)}
    again = _load(TOML.write(spec, comments))
    assert again.spec == spec
    assert again.comments == comments
