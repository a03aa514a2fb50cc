"""Property: any valid spec written as YAML loads back equal (comments too)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import build_document
from rbconfig.converters.yaml import YamlFormat
from rbconfig.document import Document
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


def line_owners(document: Document, later_wins: bool = False) -> list[tuple]:
    """The place that owns each line: where an own-line comment before it goes.

    That is the leftmost place on the line; on a tie (a block list item and its
    first key, a TOML table and its parent) YAML gives the line to the outer
    place (written first), TOML to the last one noted (``later_wins``).
    """
    owners: dict[int, tuple] = {}
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
