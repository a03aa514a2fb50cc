"""Property: any valid spec written as YAML loads back equal (comments too)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import Document, build_document
from rbconfig.converters.yaml import YamlFormat
from rbconfig.schema import Spec
from tests.strategies import descriptions, specs

YAML = YamlFormat()


def _load(text: str) -> Document:
    return build_document(YAML, text, 'spec.yaml')


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_yaml_round_trip_gives_an_equal_spec(spec: Spec) -> None:
    text = YAML.write(spec)
    assert _load(text).spec == spec


@settings(max_examples=100, deadline=None)
@given(descriptions)
def test_any_description_survives_yaml(text: str) -> None:
    spec = Spec.model_validate({'rbconfig': 1, 'meta': {'description': text, 'title': text}})
    assert _load(YAML.write(spec)).spec.meta.description == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.data())
def test_comments_come_back_where_they_were(spec: Spec, data: st.DataObject) -> None:
    first = _load(YAML.write(spec))
    places = line_owners(first)
    chosen = data.draw(st.lists(st.sampled_from(places), max_size=4, unique=True)) if places else []
    comments = {loc: [f'note {index}', '', 'more: # text'] for index, loc in enumerate(chosen)}
    again = _load(YAML.write(spec, comments))
    assert again.spec == spec
    assert again.comments == comments


def line_owners(document: Document) -> list[tuple]:
    """The first place written on each line: where an own-line comment can go."""
    owners: dict[int, tuple] = {}
    for loc, (line, column) in document.positions.items():
        if loc and (line not in owners or column <= document.positions[owners[line]][1]):
            owners[line] = loc
    return sorted(owners.values(), key=lambda loc: document.positions[loc])
